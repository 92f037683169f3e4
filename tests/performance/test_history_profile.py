"""The "Performance" tab of the employee profile: the performance history table rendered by
performance_tags for viewers inside the review scope (HR, the employee's managers, the employee);
no tab for anyone else; no query per row."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.models import Review

pytestmark = pytest.mark.django_db
TAB = 'data-testid="performance-tab"'


def released(review, level, okr=None, acknowledged=False):
    Review.objects.filter(pk=review.pk).update(
        manager_rating=level, final_rating=level, coefficient=level.coefficient, okr_completion=okr,
        status="acknowledged" if acknowledged else "released",
        acknowledged_at=timezone.now() if acknowledged else None,
    )  # fmt: skip


@pytest.fixture
def history(review_cycle, rating_scale):
    rc = review_cycle(status="closed")
    rc.cycle.name = "2026 上半年绩效考核"
    rc.cycle.save()
    released(rc.reviews["employee"], rating_scale["A"], okr=D("87.50"), acknowledged=True)
    released(rc.reviews["team_member"], rating_scale["C"])
    return rc


def detail(client, employee):
    return client.get(reverse("employees:detail", args=[employee.pk]))


@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager"])
def test_tab_with_the_history_for_hr_and_the_managers(client_for, people, history, role):
    response = detail(client_for(role), people["employees"]["employee"])
    text = response.content.decode()
    assert response.status_code == 200 and TAB in text and 'id="performance"' in text
    assert "2026 上半年绩效考核" in text and 'data-rating="A"' in text and "87.5%" in text
    assert 'data-rating="C"' not in text  # the team member's result is on their own profile


def test_a_manager_sees_the_tab_on_their_own_profile(client_for, people, history, rating_scale):
    released(history.reviews["manager"], rating_scale["B"])
    text = detail(client_for("manager"), people["employees"]["manager"]).content.decode()
    assert TAB in text and 'data-rating="B"' in text and 'data-rating="A"' not in text


def test_a_manager_outside_the_team_reaches_neither_profile_nor_tab(client_for, people, history):
    assert detail(client_for("other_manager"), people["employees"]["employee"]).status_code == 404
    # their own department's people: a profile, a tab, but nobody else's results
    text = detail(client_for("other_manager"), people["employees"]["other_employee"]).content.decode()
    assert TAB in text and "2026 上半年绩效考核" not in text


def render(user, employee) -> str:
    template = Template(
        "{% load performance_tags %}{% may_see_performance user employee as show %}"
        "{% if show %}TAB{% endif %}{% performance_history_panel user employee %}"
    )
    return template.render(Context({"user": user, "employee": employee}))


def test_the_tag_shows_the_history_to_the_employee_and_nothing_to_a_colleague(people, history):
    emp = people["employees"]["employee"]
    mine = render(people["users"]["employee"], emp)
    assert mine.startswith("TAB") and "2026 上半年绩效考核" in mine and 'data-rating="A"' in mine
    for role in ("other_employee", "other_manager", "team_member"):
        assert render(people["users"][role], emp).strip() == "", role
    from django.contrib.auth.models import AnonymousUser

    assert render(AnonymousUser(), emp).strip() == ""


def test_an_unreleased_rating_is_not_in_the_tab(client_for, people, review_cycle, rating_scale, english):
    rc = review_cycle(status="calibration")
    Review.objects.filter(pk=rc.reviews["employee"].pk).update(final_rating=rating_scale["D"], status="rated")
    text = detail(client_for("hr"), people["employees"]["employee"]).content.decode()
    assert TAB in text and "No released review results yet." in text and 'data-rating="D"' not in text


def test_no_query_per_row(people, review_cycle, rating_scale):
    user, emp = people["users"]["hr"], people["employees"]["employee"]

    def queries() -> int:
        user.__dict__.pop("_hrsuite_scope", None)
        user.__dict__.pop("_hrsuite_roles", None)
        with CaptureQueriesContext(connection) as ctx:
            render(user, emp)
        return len(ctx.captured_queries)

    released(review_cycle(status="closed").reviews["employee"], rating_scale["B"])
    one = queries()
    for code in ("A", "C", "A+"):
        released(review_cycle(status="released").reviews["employee"], rating_scale[code])
    assert len(render(user, emp).split('data-rating="')) == 5
    assert queries() == one <= 3  # roles, (scope,) history

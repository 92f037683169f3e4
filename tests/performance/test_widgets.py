"""Performance dashboard widgets: HR sees each review cycle under way with its progress and where
the calibration stands; a manager the team reviews waiting for their rating; an employee their
self-assessment due or result to acknowledge. Nothing to say: no widget."""

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import Review

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("core:dashboard")
HR_WIDGET = 'data-testid="widget-review-progress"'
TEAM_WIDGET = 'data-testid="widget-team-reviews"'
MY_WIDGET = 'data-testid="widget-my-review"'


def widgets(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return {w["name"]: w["ctx"] for w in response.context["widgets"]}, response.content.decode()


def test_nothing_under_way_no_widget(client_for):
    for role in ("hr", "manager", "employee", "other_employee"):
        names, text = widgets(client_for(role))
        assert not [n for n in names if n.startswith("performance.")], role
        assert HR_WIDGET not in text and TEAM_WIDGET not in text and MY_WIDGET not in text


def test_hr_sees_progress_and_calibration(client_for, review_cycle, rating_scale):
    rc = review_cycle(status="assessment")
    Review.objects.filter(pk=rc.reviews["team_member"].pk).update(final_rating=rating_scale["B"], status="rated")
    Review.objects.filter(pk=rc.reviews["employee"].pk).update(status="manager")
    names, text = widgets(client_for("hr"))
    (row,) = names["performance.review_progress"]["cycles"]
    assert (row["rated"], row["total"], row["self_done"], row["calibration"]) == (1, 3, 2, "pending")
    assert HR_WIDGET in text and reverse("performance:review_cycle", args=[rc.cycle.pk]) in text
    assert 'aria-valuenow="33"' in text

    rc.cycle.status = "calibration"
    rc.cycle.save()
    Review.objects.filter(pk=rc.reviews["team_member"].pk).update(
        final_rating=rating_scale["C"], calibration_reason="对比部门分布", calibrated_at=timezone.now()
    )
    names, text = widgets(client_for("hr"))
    (row,) = names["performance.review_progress"]["cycles"]
    assert (row["calibration"], row["calibrated"]) == ("in_progress", 1)
    assert reverse("performance:calibration", args=[rc.cycle.pk]) in text

    rc.cycle.status, rc.cycle.calibration_required = "assessment", False
    rc.cycle.save()
    (row,) = widgets(client_for("hr"))[0]["performance.review_progress"]["cycles"]
    assert row["calibration"] == "not_required"


def test_draft_and_closed_cycles_are_not_under_way(client_for, review_cycle):
    review_cycle(status="draft")
    review_cycle(status="closed")
    assert "performance.review_progress" not in widgets(client_for("hr"))[0]


def test_only_hr_gets_the_progress_widget(client_for, review_cycle):
    review_cycle(status="assessment")
    for role in ("manager", "employee", "payroll", "other_manager"):
        assert "performance.review_progress" not in widgets(client_for(role))[0], role


def test_manager_sees_the_team_reviews_waiting_for_them(client_for, review_cycle, people):
    rc = review_cycle(status="assessment")
    Review.objects.filter(pk__in=[rc.reviews["employee"].pk, rc.reviews["team_member"].pk]).update(status="manager")
    Review.objects.filter(pk=rc.reviews["manager"].pk).update(status="manager")  # their own: not theirs to rate
    names, text = widgets(client_for("manager"))
    ctx = names["performance.team_reviews"]
    assert ctx["count"] == 2 and {r.pk for r in ctx["reviews"]} == {
        rc.reviews["employee"].pk,
        rc.reviews["team_member"].pk,
    }
    assert reverse("performance:review_detail", args=[rc.reviews["employee"].pk]) in text
    assert people["employees"]["team_member"].name in text
    # another department's manager has nothing waiting
    assert "performance.team_reviews" not in widgets(client_for("other_manager"))[0]
    # rated: nothing waits any more
    Review.objects.filter(cycle=rc.cycle).update(status="rated")
    assert "performance.team_reviews" not in widgets(client_for("manager"))[0]


def test_employee_sees_their_self_assessment_then_their_result(client_for, review_cycle, rating_scale):
    rc = review_cycle(status="assessment")
    names, text = widgets(client_for("employee"))
    (review,) = names["performance.my_review"]["reviews"]
    assert review.pk == rc.reviews["employee"].pk and review.action == "self"
    assert MY_WIDGET in text and reverse("myperformance:review", args=[review.pk]) in text
    assert "performance.my_review" not in widgets(client_for("other_employee"))[0]

    Review.objects.filter(pk=review.pk).update(status="manager")
    assert "performance.my_review" not in widgets(client_for("employee"))[0]  # waiting for the manager

    rc.cycle.status = "released"
    rc.cycle.save()
    Review.objects.filter(pk=review.pk).update(status="released", final_rating=rating_scale["A"])
    (review,) = widgets(client_for("employee"))[0]["performance.my_review"]["reviews"]
    assert review.action == "acknowledge"
    Review.objects.filter(pk=review.pk).update(status="acknowledged", acknowledged_at=timezone.now())
    assert "performance.my_review" not in widgets(client_for("employee"))[0]


def test_widgets_read_a_fixed_number_of_queries(client_for, review_cycle, people, org, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EmployeeFactory

    rc = review_cycle(status="assessment")
    Review.objects.filter(cycle=rc.cycle).update(status="manager")
    client = client_for("manager")
    client.get(DASHBOARD)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(DASHBOARD)
        return len(ctx.captured_queries)

    before = count()
    for _ in range(6):
        e = EmployeeFactory(department=org["a"], manager=people["employees"]["manager"])
        Review.objects.create(cycle=rc.cycle, employee=e, department=e.department, status="manager")
    assert count() == before

"""HR's calibration page: the distribution of the final ratings per department and for the whole
company against the guideline (real figures), the adjustments with a reason and their refusals,
and who reaches the page."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.models import Review
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def rate(review, level, comment="表现良好"):
    Review.objects.filter(pk=review.pk).update(
        status="rated",
        manager_rating=level,
        final_rating=level,
        manager_comment=comment,
        manager_rated_at=timezone.now(),
    )


def add_review(cycle, department, level=None):
    review = Review.objects.create(cycle=cycle, employee=EmployeeFactory(department=department), department=department)
    if level is not None:
        rate(review, level)
    return review


@pytest.fixture
def rated(review_cycle, rating_scale, org):
    """A cycle in calibration. Department A: A+, A, B, B (two extra people); its sub-team A1: C.
    Company: A+ 1, A 1, B 2, C 1 of 5."""
    made = review_cycle(status="calibration")
    s = rating_scale
    rate(made.reviews["manager"], s["A+"])
    rate(made.reviews["employee"], s["A"])
    rate(made.reviews["team_member"], s["C"])
    add_review(made.cycle, org["a"], s["B"])
    add_review(made.cycle, org["a"], s["B"])
    return made


def url(cycle):
    return reverse("performance:calibration", args=[cycle.pk])


def figures(rows):
    return {r.code: (r.count, r.share, r.guideline, r.over) for r in rows}


@pytest.mark.parametrize("role,status", [("hr", 200), ("hr_admin", 200), ("manager", 403), ("employee", 403)])
def test_calibration_page_per_role(client_for, rated, role, status):
    assert client_for(role).get(url(rated.cycle)).status_code == status


def test_calibration_page_anonymous_goes_to_login(client_for, rated):
    response = client_for(None).get(url(rated.cycle))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_draft_cycle_has_nothing_to_calibrate(client_for, review_cycle):
    made = review_cycle(status="draft")
    response = client_for("hr").get(url(made.cycle))
    assert response.status_code == 302 and response["Location"] == reverse(
        "performance:review_cycle", args=[made.cycle.pk]
    )


def test_distribution_per_department_and_company(client_for, rated, org):
    response = client_for("hr").get(url(rated.cycle))
    company = response.context["company"]
    assert company["rated"] == 5
    assert figures(company["rows"]) == {
        "A+": (1, D("20.00"), D("10"), True),
        "A": (1, D("20.00"), D("20"), False),  # at the guideline, not over it
        "B": (2, D("40.00"), D("50"), False),
        "C": (1, D("20.00"), D("15"), True),
        "D": (0, D("0.00"), D("5"), False),
    }
    groups = {g["label"]: g for g in response.context["groups"]}
    assert list(groups) == ["技术部", "平台组"]
    assert figures(groups["技术部"]["rows"]) == {
        "A+": (1, D("25.00"), D("10"), True),
        "A": (1, D("25.00"), D("20"), True),
        "B": (2, D("50.00"), D("50"), False),
        "C": (0, D("0.00"), D("15"), False),
        "D": (0, D("0.00"), D("5"), False),
    }
    assert figures(groups["平台组"]["rows"])["C"] == (1, D("100.00"), D("15"), True)
    assert groups["技术部"]["over"] and groups["平台组"]["over"]
    # the chart carries the same shares and guidelines
    chart = groups["技术部"]["chart"]
    assert chart["labels"] == ["A+", "A", "B", "C", "D"]
    assert chart["datasets"][0]["data"] == [25.0, 25.0, 50.0, 0.0, 0.0]
    assert chart["datasets"][1]["data"] == [10.0, 20.0, 50.0, 15.0, 5.0]
    html = response.content.decode()
    assert 'data-chart="dist-dept-' in html and 'id="dist-company"' in html
    table = html.split(f'data-group="dist-dept-{org["a"].pk}"')[1].split("</table>")[0]
    assert 'data-code="A+" class="anomaly"' in table
    assert '<td class="num" data-field="share">25%</td>' in table


def test_hr_adjusts_a_rating_with_a_reason(client_for, rated, rating_scale, people):
    review = rated.reviews["employee"]
    client = client_for("hr")
    response = client.post(
        reverse("performance:review_calibrate", args=[review.pk]),
        {"rating": "B", "reason": "部门 A 比例超出指引", "back": f"department={review.department_id}"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(rated.cycle)}?department={review.department_id}#review-{review.pk}"
    review.refresh_from_db()
    assert (review.manager_rating.code, review.final_rating.code) == ("A", "B")
    assert review.calibration_reason == "部门 A 比例超出指引" and review.calibrated_by == people["users"]["hr"]
    page = client.get(url(rated.cycle))
    groups = {g["label"]: g for g in page.context["groups"]}
    assert figures(groups["技术部"]["rows"])["A"] == (0, D("0.00"), D("20"), False)
    assert figures(groups["技术部"]["rows"])["B"] == (3, D("75.00"), D("50"), True)
    row = page.content.decode().split(f'id="review-{review.pk}"')[1].split("</tr>")[0]
    assert ">A<" in row and ">B<" in row and "bi-arrow-right" in row and "部门 A 比例超出指引" in row


def test_an_adjustment_needs_a_reason(client_for, rated, english):
    review = rated.reviews["employee"]
    response = client_for("hr").post(
        reverse("performance:review_calibrate", args=[review.pk]), {"rating": "B", "reason": ""}, follow=True
    )
    assert "Reason: Give the reason for the adjustment." in messages_of(response)
    review.refresh_from_db()
    assert review.final_rating.code == "A" and review.calibrated_at is None


def test_an_adjustment_outside_the_scale_is_refused(client_for, rated, english):
    review = rated.reviews["employee"]
    response = client_for("hr").post(
        reverse("performance:review_calibrate", args=[review.pk]), {"rating": "S", "reason": "伪造"}, follow=True
    )
    assert any("“S” is not on the rating scale" in m for m in messages_of(response))
    review.refresh_from_db()
    assert review.final_rating.code == "A" and review.calibrated_at is None


def test_adjustments_only_during_calibration(client_for, review_cycle, rating_scale, english):
    made = review_cycle(status="assessment")
    review = made.reviews["employee"]
    rate(review, rating_scale["A"])
    response = client_for("hr").post(
        reverse("performance:review_calibrate", args=[review.pk]), {"rating": "B", "reason": "太早"}, follow=True
    )
    assert "Ratings are calibrated during the calibration stage." in messages_of(response)
    review.refresh_from_db()
    assert review.final_rating.code == "A"
    page = client_for("hr").get(url(made.cycle))
    assert not page.context["adjusting"] and 'data-testid="adjust-form"' not in page.content.decode()


@pytest.mark.parametrize("role,status", [("manager", 403), ("employee", 403)])
def test_only_hr_adjusts(client_for, rated, role, status):
    review = rated.reviews["team_member"]
    response = client_for(role).post(
        reverse("performance:review_calibrate", args=[review.pk]), {"rating": "A+", "reason": "想要"}
    )
    assert response.status_code == status
    review.refresh_from_db()
    assert review.final_rating.code == "C" and review.calibrated_at is None


def test_hr_cannot_adjust_or_see_their_own_rating(client_for, rated, rating_scale, people, english):
    hr_emp = people["employees"]["hr"]
    own = Review.objects.create(cycle=rated.cycle, employee=hr_emp, department=hr_emp.department)
    rate(own, rating_scale["D"], comment="HR-自己的评语")
    client = client_for("hr")
    page = client.get(url(rated.cycle))
    row = next(r for r in page.context["page_obj"] if r.pk == own.pk)
    assert row.hide_rating and not row.can_adjust
    html = page.content.decode().split(f'id="review-{own.pk}"')[1].split("</tr>")[0]
    assert ">D<" not in html and "adjust-form" not in html
    response = client.post(
        reverse("performance:review_calibrate", args=[own.pk]), {"rating": "A+", "reason": "自己调"}, follow=True
    )
    assert "You cannot calibrate your own rating." in messages_of(response)
    own.refresh_from_db()
    assert own.final_rating.code == "D"


def test_calibration_list_search_and_department_filter(client_for, rated, org):
    client = client_for("hr")
    pick = lambda **p: sorted(r.employee.name for r in client.get(url(rated.cycle), p).context["page_obj"])  # noqa: E731
    assert pick(department=org["a_team"].pk) == ["teammember"]
    assert pick(q="teamm") == ["teammember"]
    assert pick(q="employee") == ["employee", "teammember"]  # the employee, and the one they review
    assert len(pick()) == 5


def test_calibration_page_query_count_does_not_grow_with_reviews(client_for, rated, rating_scale, org):
    client = client_for("hr")
    client.get(url(rated.cycle))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(rated.cycle)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(10):
        add_review(rated.cycle, org["a"], rating_scale["B"])
    assert count() == few


def test_calibration_page_query_count_does_not_grow_with_departments(client_for, rated, rating_scale, org):
    from tests.factories import DepartmentFactory

    client = client_for("hr")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(rated.cycle))
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["groups"])

    client.get(url(rated.cycle))
    two, groups = count()
    assert groups == 2
    for n, code in enumerate(["A", "B", "C"]):
        add_review(rated.cycle, DepartmentFactory(name=f"新部门{n}", parent=org["hq"]), rating_scale[code])
    five, groups = count()
    assert groups == 5
    assert five == two


def test_calibration_page_query_budget(client_for, rated, django_assert_max_num_queries):
    # the distributions of every department are two queries (the scale and one grouped count)
    client = client_for("hr")
    with django_assert_max_num_queries(22):
        assert client.get(url(rated.cycle)).status_code == 200

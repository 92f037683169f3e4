"""The employee's own review in self-service: only their own review (else a 404), the
self-assessment saved as a draft or submitted and then read-only, the manager's rating hidden
until the release, the result after it (final rating, coefficient, comment, calibration reason)
and the acknowledgement."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import Review, ReviewEvent

pytestmark = pytest.mark.django_db

COMMENT = "经理评语-仅发布后可见"


def page(review):
    return reverse("myperformance:review", args=[review.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def rated_by_manager(review, level, calibrated_to=None):
    Review.objects.filter(pk=review.pk).update(
        status="rated",
        self_assessment="我的总结",
        self_submitted_at=timezone.now(),
        manager_rating=level,
        final_rating=calibrated_to or level,
        manager_comment=COMMENT,
        manager_rated_at=timezone.now(),
        calibration_reason="部门比例超出指引" if calibrated_to else "",
        calibrated_at=timezone.now() if calibrated_to else None,
    )


def released(review, made):
    made.cycle.status = "released"
    made.cycle.save()
    review.refresh_from_db()
    Review.objects.filter(pk=review.pk).update(status="released", coefficient=review.final_rating.coefficient)


@pytest.mark.parametrize(
    "role,status",
    [("employee", 200), ("other_employee", 404), ("manager", 404), ("hr", 404), ("team_member", 404), ("payroll", 404)],
)
def test_only_the_employee_reaches_their_review(client_for, review_cycle, role, status):
    made = review_cycle()
    assert client_for(role).get(page(made.reviews["employee"])).status_code == status


def test_anonymous_goes_to_login(client_for, review_cycle):
    made = review_cycle()
    response = client_for(None).get(page(made.reviews["employee"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_nobody_writes_anothers_self_assessment(client_for, review_cycle):
    made = review_cycle()
    review = made.reviews["employee"]
    response = client_for("manager").post(page(review), {"self_assessment": "代写", "action": "submit"})
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.self_assessment == "" and review.status == "self"


def test_save_a_draft_then_submit(client_for, review_cycle, rating_scale):
    made = review_cycle()
    review = made.reviews["employee"]
    client = client_for("employee")
    response = client.post(page(review), {"self_assessment": "初稿", "rating": "A", "action": "draft"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.self_assessment, review.self_rating) == ("self", "初稿", rating_scale["A"])
    form = client.get(page(review)).context["form"]
    assert form["self_assessment"].value() == "初稿" and form["rating"].value() == "A"

    client.post(page(review), {"self_assessment": "终稿：签约 800 万", "rating": "A", "action": "submit"})
    review.refresh_from_db()
    assert review.status == "manager" and review.self_submitted_at is not None
    assert list(ReviewEvent.objects.filter(review=review).values_list("action", flat=True)) == ["self_submitted"]
    response = client.get(page(review))
    html = response.content.decode()
    assert response.context["form"] is None and 'data-testid="self-form"' not in html
    assert "终稿：签约 800 万" in html


def test_submitting_an_empty_self_assessment_is_refused(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]
    response = client_for("employee").post(page(review), {"self_assessment": "  ", "action": "submit"})
    assert response.status_code == 200
    assert response.context["form"].errors["self_assessment"] == ["Write your self-assessment before submitting."]
    review.refresh_from_db()
    assert review.status == "self" and review.self_submitted_at is None


def test_a_self_rating_outside_the_scale_is_refused(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]
    response = client_for("employee").post(page(review), {"self_assessment": "总结", "rating": "S", "action": "submit"})
    assert "“S” is not on the rating scale (A+, A, B, C, D)." in response.context["form"].errors["rating"]
    review.refresh_from_db()
    assert review.status == "self" and review.self_assessment == "" and review.self_rating is None


def test_a_submitted_self_assessment_cannot_be_changed(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]
    client = client_for("employee")
    client.post(page(review), {"self_assessment": "终稿", "action": "submit"})
    response = client.post(page(review), {"self_assessment": "改稿", "action": "submit"}, follow=True)
    assert "The self-assessment has already been submitted." in messages_of(response)
    review.refresh_from_db()
    assert review.self_assessment == "终稿"


def test_the_self_assessment_is_closed_outside_the_assessment_stage(client_for, review_cycle, english):
    made = review_cycle(status="calibration")
    review = made.reviews["employee"]
    response = client_for("employee").get(page(review))
    assert response.context["form"] is None
    response = client_for("employee").post(page(review), {"self_assessment": "迟到", "action": "submit"}, follow=True)
    assert any("Assessments are written while the cycle is in" in m for m in messages_of(response))
    review.refresh_from_db()
    assert review.self_assessment == ""


@pytest.mark.parametrize("stage", ["assessment", "calibration"])
def test_the_managers_rating_is_hidden_until_release(client_for, review_cycle, rating_scale, stage):
    made = review_cycle(status=stage)
    review = made.reviews["employee"]
    rated_by_manager(review, rating_scale["A+"], calibrated_to=rating_scale["A"] if stage == "calibration" else None)
    response = client_for("employee").get(page(review))
    html = response.content.decode()
    assert not response.context["rating_visible"]
    assert 'data-testid="result-hidden"' in html
    assert COMMENT not in html
    assert "卓越" not in html and "优秀" not in html  # the labels of A+ and A
    assert 'data-testid="final-rating"' not in html and 'data-testid="coefficient"' not in html
    assert "部门比例超出指引" not in html
    assert 'data-testid="acknowledge-form"' not in html


def test_the_result_after_release_and_the_acknowledgement(client_for, review_cycle, rating_scale):
    made = review_cycle(status="calibration")
    review = made.reviews["employee"]
    rated_by_manager(review, rating_scale["A+"], calibrated_to=rating_scale["A"])
    released(review, made)
    client = client_for("employee")
    response = client.get(page(review))
    html = response.content.decode()
    assert response.context["rating_visible"] and response.context["can_acknowledge"]
    assert '<div class="fs-3 fw-semibold" data-testid="final-rating">A</div>' in html
    assert '<div class="fs-3 fw-semibold" data-testid="coefficient">1.20</div>' in html
    assert COMMENT in html and "部门比例超出指引" in html
    assert 'data-testid="acknowledge-form"' in html

    response = client.post(reverse("myperformance:review_acknowledge", args=[review.pk]), {"comment": "已阅，谢谢"})
    assert response.status_code == 302 and response["Location"] == page(review)
    review.refresh_from_db()
    assert review.status == "acknowledged" and review.acknowledged_at is not None
    assert review.employee_comment == "已阅，谢谢"
    html = client.get(page(review)).content.decode()
    assert 'data-testid="acknowledge-form"' not in html and "已阅，谢谢" in html


def test_acknowledging_before_release_is_refused(client_for, review_cycle, rating_scale, english):
    made = review_cycle()
    review = made.reviews["employee"]
    rated_by_manager(review, rating_scale["B"])
    response = client_for("employee").post(
        reverse("myperformance:review_acknowledge", args=[review.pk]), {"comment": ""}, follow=True
    )
    assert "There is no released result to acknowledge." in messages_of(response)
    review.refresh_from_db()
    assert review.status == "rated" and review.acknowledged_at is None


def test_nobody_acknowledges_for_someone_else(client_for, review_cycle, rating_scale):
    made = review_cycle(status="released")
    review = made.reviews["employee"]
    rated_by_manager(review, rating_scale["B"])
    Review.objects.filter(pk=review.pk).update(status="released", coefficient=D("1.0"))
    for role in ("manager", "hr", "other_employee"):
        response = client_for(role).post(reverse("myperformance:review_acknowledge", args=[review.pk]), {})
        assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == "released"


def test_the_okr_completion_of_the_linked_cycle(client_for, review_cycle, okr):
    made = review_cycle(okr_cycle=okr.cycle)
    okr.revenue.current_value = D(250)  # 25%
    okr.revenue.save()
    response = client_for("employee").get(page(made.reviews["employee"]))
    assert response.context["completion"] == D("15.00")  # 60% x 25 + 40% x 0
    assert "个人营收 1000 万" in response.content.decode()

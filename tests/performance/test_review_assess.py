"""The review page of assessors and HR: who reaches it (the employee is sent to self-service,
anyone outside the team gets a 404), the self-assessment only once submitted, OKR completion,
the rating form and its refusals (a rating outside the scale, outside the team, a closed
cycle), the raise guideline and the trail."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import Review, ReviewEvent

pytestmark = pytest.mark.django_db


def submit_self(review, text="我完成了年度目标", self_rating=None):
    Review.objects.filter(pk=review.pk).update(
        status="manager", self_assessment=text, self_submitted_at=timezone.now(), self_rating=self_rating
    )


def detail(review):
    return reverse("performance:review_detail", args=[review.pk])


def unchanged(review):
    review.refresh_from_db()
    return review.manager_rating_id is None and review.final_rating_id is None and review.status != "rated"


@pytest.mark.parametrize("role,status", [("hr", 200), ("hr_admin", 200), ("manager", 200), ("other_manager", 404)])
def test_review_page_per_role(client_for, review_cycle, role, status):
    made = review_cycle()
    assert client_for(role).get(detail(made.reviews["employee"])).status_code == status


def test_the_employee_is_sent_to_self_service(client_for, review_cycle):
    made = review_cycle()
    review = made.reviews["employee"]
    response = client_for("employee").get(detail(review))
    assert response.status_code == 302 and response["Location"] == reverse("myperformance:review", args=[review.pk])
    # a manager's own review too
    own = made.reviews["manager"]
    response = client_for("manager").get(detail(own))
    assert response["Location"] == reverse("myperformance:review", args=[own.pk])


@pytest.mark.parametrize("role", ["other_employee", "team_member", "payroll"])
def test_nobody_else_reaches_a_review(client_for, review_cycle, role):
    made = review_cycle()
    assert client_for(role).get(detail(made.reviews["employee"])).status_code == 404


def test_anonymous_goes_to_login(client_for, review_cycle):
    made = review_cycle()
    response = client_for(None).get(detail(made.reviews["employee"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_draft_self_assessment_is_not_shown_to_the_manager(client_for, review_cycle):
    made = review_cycle()
    review = made.reviews["employee"]
    Review.objects.filter(pk=review.pk).update(self_assessment="草稿-尚未提交")
    response = client_for("manager").get(detail(review))
    assert "草稿-尚未提交" not in response.content.decode()
    assert response.context["self_pending"] and not response.context["can_rate"]
    assert 'data-testid="rate-form"' not in response.content.decode()


def test_the_manager_sees_the_submitted_self_assessment_and_the_rating_form(client_for, review_cycle, rating_scale):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review, "签约 800 万，拜访 28 家客户", self_rating=rating_scale["A"])
    response = client_for("manager").get(detail(review))
    html = response.content.decode()
    assert "签约 800 万，拜访 28 家客户" in html
    assert response.context["can_rate"] and 'data-testid="rate-form"' in html
    assert [c for c, _label in response.context["form"].fields["rating"].widget.choices][1:] == [
        "A+",
        "A",
        "B",
        "C",
        "D",
    ]


def test_the_manager_rates_their_team_member(client_for, review_cycle, people, rating_scale):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    response = client_for("manager").post(detail(review), {"rating": "A", "manager_comment": "超额完成签约目标"})
    assert response.status_code == 302 and response["Location"] == detail(review)
    review.refresh_from_db()
    assert review.status == "rated" and review.manager_rating == rating_scale["A"] == review.final_rating
    assert review.rated_by == people["users"]["manager"] and review.manager_comment == "超额完成签约目标"
    page = client_for("manager").get(detail(review))
    assert [e.action for e in page.context["events"]] == ["rated"]
    assert "超额完成签约目标" in page.content.decode()


def test_a_rating_outside_the_scale_is_refused(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    response = client_for("manager").post(detail(review), {"rating": "S", "manager_comment": "伪造的评级"})
    assert response.status_code == 200
    assert response.context["form"].errors["rating"] == ["“S” is not on the rating scale (A+, A, B, C, D)."]
    assert unchanged(review) and review.manager_comment == ""
    assert not ReviewEvent.objects.exists()


def test_an_inactive_rating_is_refused(client_for, review_cycle, rating_scale, english):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    rating_scale["D"].is_active = False
    rating_scale["D"].save()
    response = client_for("manager").post(detail(review), {"rating": "D", "manager_comment": "不合格"})
    assert "is not on the rating scale (A+, A, B, C)" in response.context["form"].errors["rating"][0]
    assert unchanged(review)


def test_a_rating_needs_a_comment(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    response = client_for("manager").post(detail(review), {"rating": "B", "manager_comment": "  "})
    assert response.context["form"].errors["manager_comment"] == ["Explain the rating in a few sentences."]
    assert unchanged(review)


def test_someone_outside_the_team_cannot_rate(client_for, review_cycle):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    response = client_for("other_manager").post(detail(review), {"rating": "D", "manager_comment": "越权"})
    assert response.status_code == 404
    assert unchanged(review)


def test_the_service_refuses_a_rating_while_the_self_assessment_is_pending(client_for, review_cycle, english):
    made = review_cycle()
    review = made.reviews["employee"]  # self-assessment due next week, not submitted
    response = client_for("manager").post(detail(review), {"rating": "B", "manager_comment": "提前评级"})
    assert response.status_code == 200
    assert "Wait for the self-assessment" in " ".join(response.context["form"].non_field_errors())
    assert unchanged(review)


def test_rating_in_a_closed_cycle_is_refused(client_for, review_cycle, english):
    made = review_cycle(status="closed")
    review = made.reviews["employee"]
    submit_self(review)
    response = client_for("hr").post(detail(review), {"rating": "B", "manager_comment": "关闭后评级"})
    errors = " ".join(response.context["form"].non_field_errors())
    assert "is closed; it can no longer be changed" in errors
    assert unchanged(review)
    assert not client_for("hr").get(detail(review)).context["can_rate"]


def test_the_raise_guideline_follows_the_current_rating(client_for, review_cycle, rating_scale, english):
    made = review_cycle()
    review = made.reviews["employee"]
    submit_self(review)
    client_for("manager").post(detail(review), {"rating": "A+", "manager_comment": "卓越"})
    for role in ("manager", "hr"):
        html = client_for(role).get(detail(review)).content.decode()
        assert "A+: raise up to 15%" in html
    Review.objects.filter(pk=review.pk).update(final_rating=rating_scale["B"])
    html = client_for("hr").get(detail(review)).content.decode()
    assert "B: raise up to 5%" in html and "A+: raise up to 15%" not in html


def test_okr_completion_and_objectives_are_shown(client_for, review_cycle, okr):
    made = review_cycle(okr_cycle=okr.cycle)
    review = made.reviews["employee"]
    okr.revenue.current_value = D(500)  # 50%
    okr.revenue.save()
    okr.visits.current_value = D(30)  # 100%
    okr.visits.save()
    response = client_for("manager").get(detail(review))
    assert response.context["completion"] == D("70.00")  # 60% x 50 + 40% x 100
    assert [o.title for o in response.context["objectives"]] == ["个人营收 1000 万"]
    assert response.context["objectives"][0].completion == D("70.00")
    html = response.content.decode()
    assert "个人营收 1000 万" in html and "70%" in html


def test_after_release_the_frozen_okr_completion_is_shown(client_for, review_cycle, okr, rating_scale):
    made = review_cycle(status="released", okr_cycle=okr.cycle)
    review = made.reviews["employee"]
    Review.objects.filter(pk=review.pk).update(
        status="released", final_rating=rating_scale["B"], coefficient=D("1.00"), okr_completion=D("42.50")
    )
    response = client_for("hr").get(detail(review))
    assert response.context["completion"] == D("42.50")
    assert "1.00" in response.content.decode()

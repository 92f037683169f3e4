"""The recruiting demo: believable (every stage, histories, hires with onboarding) and
idempotent (a second call adds nothing)."""

import pytest
from django.core.management import call_command

from recruiting import demo
from recruiting.choices import OfferStatus, PostingStatus, RequisitionStatus, Stage
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    JobPosting,
    Offer,
    OnboardingTask,
    Requisition,
    Scorecard,
    StageChange,
)
from recruiting.selectors_analytics import report_for

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(
        m.objects.count()
        for m in (
            Requisition,
            JobPosting,
            Candidate,
            Application,
            StageChange,
            Interview,
            Scorecard,
            Offer,
            OnboardingTask,
        )
    )


def test_recruiting_demo_is_believable_and_idempotent(django_capture_on_commit_callbacks):
    call_command("seed_demo", employees=60)
    with django_capture_on_commit_callbacks(execute=False):
        demo.seed()
    first = _counts()
    assert demo.seed() == {"skipped": "recruiting demo data exists"}
    assert _counts() == first

    assert {r.status for r in Requisition.objects.all()} >= {
        RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED, RequisitionStatus.REJECTED, RequisitionStatus.FILLED,
    }  # fmt: skip
    statuses = list(JobPosting.objects.values_list("status", flat=True))
    assert (
        statuses.count(PostingStatus.PUBLISHED) == 2
        and PostingStatus.CLOSED in statuses
        and PostingStatus.DRAFT in statuses
    )
    assert 55 <= Application.objects.count() <= 70
    assert set(Application.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert len(set(Application.objects.values_list("source", flat=True))) >= 4
    assert Application.objects.filter(assessment_score__isnull=False).count() >= 5
    assert not Application.objects.filter(stage=Stage.REJECTED, rejection_reason="").exists()
    assert Interview.objects.filter(status="scheduled").exists() and Interview.objects.filter(status="done").exists()
    assert Scorecard.objects.filter(interviewer__user__username="manager").exists()
    offers = set(Offer.objects.values_list("status", flat=True))
    assert {OfferStatus.DRAFT, OfferStatus.APPROVED, OfferStatus.ACCEPTED} <= offers

    hired = Application.objects.filter(stage=Stage.HIRED)
    assert hired.count() == 3 and all(a.hired_employee_id for a in hired)
    tasks = OnboardingTask.objects.filter(employee__in=[a.hired_employee_id for a in hired])
    assert tasks.filter(done_at__isnull=False).exists() and tasks.filter(done_at__isnull=True).exists()
    assert tasks.filter(kind="training").exists()

    # resumes are real DOCX files in private storage, scored
    app = Application.objects.order_by("pk").first()
    with app.resume.open("rb") as f:
        assert f.read(2) == b"PK"
    assert Application.objects.filter(score__gt=0).count() > 30

    # the analytics look believable: a history over the last 90 days
    from django.contrib.auth import get_user_model

    report = report_for(get_user_model().objects.get(username="hr"))
    reached = {r.stage: r.reached for r in report.funnel}
    assert reached["applied"] > reached["screening"] > reached["interview"] > reached["offer"] > reached["hired"] > 0
    assert report.time_to_hire.hires == 3 and 20 <= report.time_to_hire.median_days <= 60

"""The performance demo: the rating table of the issue, a closed and an open OKR quarter (with the
cascade, progress and the recurring check-in task) and the year; a completed review cycle
(self-assessments, ratings, calibration with reasons, coefficients released into payroll,
acknowledgements, closed) and one in the assessment stage, so the demo employee has a history
row and a self-assessment due and the demo manager team reviews waiting. Idempotent."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command

from employees.models import Employee
from payroll.choices import LOCKED_STATUSES
from payroll.models import PayRun, PeriodInput
from performance import demo, selectors
from performance.models import (
    CheckIn,
    CheckInTask,
    KeyResult,
    Objective,
    OkrCycle,
    ProgressUpdate,
    RatingLevel,
    Review,
    ReviewCycle,
    ReviewEvent,
)

pytestmark = pytest.mark.django_db
MODELS = (RatingLevel, OkrCycle, Objective, KeyResult, ProgressUpdate, CheckInTask, CheckIn, ReviewCycle, Review)


def _counts():
    return (*[m.objects.count() for m in MODELS], ReviewEvent.objects.count(), PeriodInput.objects.count())


def test_performance_demo_is_believable_and_idempotent(django_capture_on_commit_callbacks, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from hrsuite.core.management.commands import seed_demo
    from hrsuite.notifications.models import Notification

    # the other seeders first; this one is called below to read what it made
    monkeypatch.setattr(seed_demo, "SEEDERS", [s for s in seed_demo.SEEDERS if s != "performance.demo"])
    call_command("seed_demo", employees=60)
    with django_capture_on_commit_callbacks(execute=True):
        result = demo.seed()
    first = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        again = demo.seed()
    assert again["skipped"] == "performance demo data exists" and again["ratings_added"] == 0
    assert _counts() == first

    # the rating table of the issue
    scale = {r.code: (r.coefficient, r.raise_up_to, r.guideline_share) for r in RatingLevel.objects.all()}
    assert scale == {
        "A+": (D("1.50"), D("15.00"), D("10.00")),
        "A": (D("1.20"), D("10.00"), D("20.00")),
        "B": (D("1.00"), D("5.00"), D("50.00")),
        "C": (D("0.80"), D("0.00"), D("15.00")),
        "D": (D("0.00"), D("0.00"), D("5.00")),
    }

    # OKR: a year, a closed quarter with the cascade and progress, the current quarter open
    today = timezone.localdate()
    year = OkrCycle.objects.get(pk=result["year"])
    closed = OkrCycle.objects.get(pk=result["closed_quarter"])
    current = OkrCycle.objects.get(pk=result["open_quarter"])
    assert (year.kind, year.status) == ("year", "open")
    assert (closed.kind, closed.status) == ("quarter", "closed") and closed.ends_on < today
    assert (current.kind, current.status) == ("quarter", "open") and current.starts_on <= today <= current.ends_on
    for cycle in (closed, current):
        levels = set(cycle.objectives.values_list("level", flat=True))
        assert levels == {"company", "department", "individual"}
        person = cycle.objectives.filter(level="individual", parent__parent__level="company").first()
        assert person is not None and person.parent.level == "department"
        for objective in cycle.objectives.prefetch_related("key_results"):
            assert sum(kr.weight for kr in objective.key_results.all()) == 100
    assert ProgressUpdate.objects.filter(key_result__objective__cycle=closed).dates("month", "month").count() == 3
    done = [selectors.objective_completion(o) for o in closed.objectives.prefetch_related("key_results")]
    assert all(c > 0 for c in done) and max(done) >= 80
    # the current quarter: partly updated, this month only in part
    this_month = ProgressUpdate.objects.filter(key_result__objective__cycle=current, month=today.replace(day=1))
    krs = KeyResult.objects.filter(objective__cycle=current)
    assert 0 < this_month.count() < krs.count()
    task = CheckInTask.objects.get(pk=result["check_in_task"])
    assert task.title == "每月拜访 10 家重点客户" and task.objective.cycle == current and task.target_count == 10
    assert task.check_ins.filter(period=today.replace(day=1)).exists()

    # the completed review: every stage walked through, dated in the past
    User = get_user_model()
    hr, manager, employee = (User.objects.get(username=u) for u in ("hr", "manager", "employee"))
    completed = ReviewCycle.objects.get(pk=result["review_cycles"]["completed"])
    assert completed.status == "closed" and completed.okr_cycle == closed
    reviews = completed.reviews.all()
    assert reviews.count() >= 10 and not reviews.filter(final_rating__isnull=True).exists()
    assert reviews.exclude(self_submitted_at=None).count() > reviews.count() // 2
    assert reviews.exclude(calibrated_at=None).exclude(calibration_reason="").count() >= 1
    assert reviews.filter(status="acknowledged").count() >= reviews.count() // 2
    assert not reviews.filter(acknowledged_at__date__gte=today).exists()
    assert set(completed.events.values_list("action", flat=True)) >= {
        "launched", "self_submitted", "rated", "calibration", "calibrated", "released", "acknowledged", "closed",
    }  # fmt: skip
    assert not completed.events.filter(at__date__gte=today).exists()
    # the coefficients went into payroll: an open pay month (the months before are finalised)
    assert not PayRun.objects.filter(period=completed.pay_period, status__in=LOCKED_STATUSES).exists()
    inputs = PeriodInput.objects.filter(period=completed.pay_period, definition=completed.coefficient_input)
    for review in reviews.select_related("final_rating"):
        assert inputs.get(employee=review.employee).value == review.final_rating.coefficient
    assert inputs.filter(source="performance").count() == reviews.count()
    # the released notices of the closed cycle are old news
    assert not Notification.objects.filter(key=f"review-released-{completed.pk}", read_at=None).exists()

    # the review in progress: assessment, some self-assessments in, some rated
    open_ = ReviewCycle.objects.get(pk=result["review_cycles"]["in_progress"])
    assert open_.status == "assessment" and open_.okr_cycle == current
    statuses = set(open_.reviews.values_list("status", flat=True))
    assert {"self", "manager", "rated"} <= statuses

    # the demo people: a history row and a self-assessment due; team reviews for the manager
    me = Employee.objects.get(user=employee)
    (row,) = selectors.performance_history(me)
    assert row.cycle == completed and row.rating == "A" and row.coefficient == D("1.20") and row.acknowledged
    assert row.okr_completion is not None and row.okr_completion > 50
    waiting = selectors.waiting_for(employee)
    assert waiting.filter(employee=me, status="self", cycle=open_).exists()
    team = selectors.waiting_for(manager).exclude(employee__user=manager)
    assert team.filter(status="manager").count() >= 3
    assert Objective.objects.filter(cycle=current, owner=me).exists()
    assert hr  # HR ran the cycles
    assert ReviewCycle.objects.filter(created_by=hr).count() == 2

"""Scoped reads of performance data, built on hrsuite.scoping like every other selector.

* HR sees everything.
* Company and department objectives are open to every employee (people align their own
  objectives to them); individual objectives follow the employee scope: a manager sees their
  team's, an employee their own.
* Reviews follow the employee scope too; an employee sees their rating only once the results
  are released (`rating_visible`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from . import engine
from .choices import ObjectiveLevel, ReviewCycleStatus, ReviewStatus
from .models import KeyResult, Objective, OkrCycle, RatingLevel, Review, ReviewCycle

RESULT_STATUSES = (ReviewCycleStatus.RELEASED, ReviewCycleStatus.CLOSED)


def objectives_visible_to(user, cycle: OkrCycle | None = None) -> QuerySet[Objective]:
    qs = Objective.objects.select_related("cycle", "department", "owner__department", "parent").prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.select_related("owner"))
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    return qs.filter(Q(level__in=[ObjectiveLevel.COMPANY, ObjectiveLevel.DEPARTMENT]) | scope.employees_q("owner__"))


def reviews_visible_to(user) -> QuerySet[Review]:
    qs = Review.objects.select_related(
        "cycle", "employee__department", "employee__position", "reviewer", "department", "final_rating",
        "manager_rating", "self_rating",
    )  # fmt: skip
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    return qs.filter(scope.employees_q("employee__"))


def review_cycles_visible_to(user) -> QuerySet[ReviewCycle]:
    """HR: every cycle; others: the cycles with a review in their reach."""
    if is_hr(user):
        return ReviewCycle.objects.all()
    return ReviewCycle.objects.filter(pk__in=reviews_visible_to(user).values("cycle_id"))


def can_assess(user, review: Review) -> bool:
    """HR, or a manager whose reach covers the employee; never the employee themselves."""
    scope = scope_for(user)
    if scope.employee_id and scope.employee_id == review.employee_id:
        return False
    if is_hr(user):
        return True
    return bool(scope.subtree_paths or scope.report_ids) and scope.covers_employee(review.employee)


def rating_visible(user, review: Review) -> bool:
    """The employee sees the manager's rating and the final rating once results are released;
    assessors and HR see them as they are given."""
    if review.cycle.status in RESULT_STATUSES:
        return True
    return scope_for(user).employee_id != review.employee_id


def rating_scale() -> list[RatingLevel]:
    return list(RatingLevel.objects.filter(is_active=True).order_by("rank"))


def objective_completion(objective: Objective) -> Decimal:
    """Uses the prefetched key results when present."""
    return engine.objective_completion(
        (kr.weight, engine.kr_completion(kr.start_value, kr.target_value, kr.current_value))
        for kr in objective.key_results.all()
    )


def kr_completion(kr: KeyResult) -> Decimal:
    return engine.kr_completion(kr.start_value, kr.target_value, kr.current_value)


def okr_completion_for(employee, cycle: OkrCycle) -> Decimal | None:
    """The mean completion of the employee's own objectives in the cycle (None: they had none)."""
    objectives = Objective.objects.filter(cycle=cycle, owner=employee).prefetch_related("key_results")
    return engine.mean_completion(objective_completion(o) for o in objectives)


def okr_completion_by_owner(cycle: OkrCycle, owner_ids=None) -> dict[int, Decimal]:
    """{employee id: mean completion of their objectives in the cycle} in two queries."""
    qs = Objective.objects.filter(cycle=cycle, owner__isnull=False).prefetch_related("key_results")
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=list(owner_ids))
    per_owner: dict[int, list[Decimal]] = {}
    for objective in qs:
        per_owner.setdefault(objective.owner_id, []).append(objective_completion(objective))
    return {owner: engine.mean_completion(values) for owner, values in per_owner.items()}


def rating_distribution(cycle: ReviewCycle, reviews: QuerySet[Review] | None = None) -> list[engine.DistributionRow]:
    """The distribution of final ratings (or managers' ratings before calibration) of `reviews`
    (default: the whole cycle) against the guideline shares."""
    scale = rating_scale()
    qs = reviews if reviews is not None else cycle.reviews.all()
    counts = Counter(
        code for code in qs.filter(final_rating__isnull=False).values_list("final_rating__code", flat=True)
    )
    return engine.distribution(counts, [r.code for r in scale], {r.code: r.guideline_share for r in scale})


@dataclass(frozen=True)
class HistoryRow:
    cycle: ReviewCycle
    rating: str
    coefficient: Decimal | None
    okr_completion: Decimal | None
    acknowledged: bool


def performance_history(employee) -> list[HistoryRow]:
    """Released results of the employee's reviews, newest first (what the profile, the
    self-service page and the pay history report show)."""
    reviews = (
        Review.objects.filter(employee=employee, cycle__status__in=RESULT_STATUSES, final_rating__isnull=False)
        .select_related("cycle", "final_rating")
        .order_by("-cycle__period_end")
    )
    return [
        HistoryRow(r.cycle, r.final_rating.code, r.coefficient, r.okr_completion, r.acknowledged_at is not None)
        for r in reviews
    ]


def latest_rating(employee) -> Review | None:
    """The newest released review with a rating (for the raise guideline)."""
    return (
        Review.objects.filter(employee=employee, cycle__status__in=RESULT_STATUSES, final_rating__isnull=False)
        .select_related("cycle", "final_rating")
        .order_by("-cycle__period_end")
        .first()
    )


def pending_counts(cycle: ReviewCycle) -> dict[str, int]:
    return dict(Counter(cycle.reviews.values_list("status", flat=True)))


def waiting_for(user) -> QuerySet[Review]:
    """Reviews in an assessment stage that wait for this user (their self-assessment, or a team
    member's rating)."""
    scope = scope_for(user)
    open_ = Q(cycle__status=ReviewCycleStatus.ASSESSMENT)
    mine = Q(employee_id=scope.employee_id, status=ReviewStatus.SELF)
    team = Q(status=ReviewStatus.MANAGER) & scope.employees_q("employee__") & ~Q(employee_id=scope.employee_id)
    if not scope.employee_id:
        return Review.objects.none()
    return reviews_visible_to(user).filter(open_ & (mine | team))

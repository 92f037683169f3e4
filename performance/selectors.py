"""Scoped reads of performance data, built on hrsuite.scoping like every other selector.

* HR sees everything.
* Company and department objectives are open to every employee (people align their own
  objectives to them); individual objectives follow the employee scope: a manager sees their
  team's, an employee their own.
* Reviews follow the employee scope too; an employee sees their rating only once the results
  are released (`rating_visible`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from employees.models import Department, Employee
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from . import engine
from .choices import ObjectiveLevel, ReviewCycleStatus, ReviewStatus
from .models import KeyResult, Objective, OkrCycle, RatingLevel, Review, ReviewCycle

RESULT_STATUSES = (ReviewCycleStatus.RELEASED, ReviewCycleStatus.CLOSED)
# the encrypted columns of the people a review names: never shown here, so never decrypted
EMPLOYEE_SECRETS = tuple(f"{rel}__{f}" for rel in ("employee", "reviewer") for f in Employee.SECRET_FIELDS)


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
    ).defer(*EMPLOYEE_SECRETS)  # fmt: skip
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


def department_heads() -> dict[int, int]:
    """{department id: its head's employee id} of the departments that have a head (one query)."""
    return dict(Department.objects.filter(head__isnull=False).values_list("pk", "head_id"))


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


@dataclass(frozen=True)
class Completion:
    objectives: int
    mean: Decimal | None  # the plain mean of the objectives' completions


def okr_completion_by(objectives: QuerySet[Objective], key: str = "owner_id") -> dict:
    """{value of `key` ("owner_id", "cycle_id"): Completion} of `objectives`, in two queries
    (the objectives' keys, and their key results' figures) whatever the rows. Every completion
    per owner or per cycle is computed here."""
    objectives = objectives.prefetch_related(None).order_by()
    group_of = dict(objectives.values_list("pk", key))
    parts: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    rows = KeyResult.objects.filter(objective__in=objectives.values("pk")).values_list(
        "objective_id", "weight", "start_value", "target_value", "current_value"
    )
    for objective_id, weight, start, target, current in rows:
        parts[objective_id].append((weight, engine.kr_completion(start, target, current)))
    per_group: dict = defaultdict(list)
    for objective_id, group in group_of.items():
        per_group[group].append(engine.objective_completion(parts.get(objective_id, [])))
    return {group: Completion(len(values), engine.mean_completion(values)) for group, values in per_group.items()}


def review_okr_summary(user, review: Review) -> tuple[list[Objective], Decimal | None]:
    """The objectives the reviewed employee owns in the review's OKR cycle (as the user sees
    them, each with `completion`) and their OKR completion: frozen at the release, else live.
    The user sees the review, so they see every objective the employee owns."""
    okr_cycle = review.cycle.okr_cycle
    if okr_cycle is None:
        return [], review.okr_completion
    objectives = list(objectives_visible_to(user, cycle=okr_cycle).filter(owner_id=review.employee_id))
    values = [objective_completion(objective) for objective in objectives]
    for objective, value in zip(objectives, values, strict=True):
        objective.completion = value  # type: ignore[attr-defined]
    completion = review.okr_completion
    if completion is None:
        completion = engine.mean_completion(values)
    return objectives, completion


@dataclass(frozen=True)
class RatingDistributions:
    company: list[engine.DistributionRow]
    by_department: dict[int | None, list[engine.DistributionRow]]
    empty: list[engine.DistributionRow] = field(default_factory=list)  # the rows of a group with no rating

    def of(self, department_id: int | None) -> list[engine.DistributionRow]:
        """A department's rows (every count zero when none of its reviews is rated yet)."""
        return self.by_department.get(department_id) or self.empty


def rating_distributions(reviews: QuerySet[Review]) -> RatingDistributions:
    """The distribution of the final ratings (the managers' ratings before calibration) of
    `reviews` for the whole set and per department, against the guideline shares: two queries
    (the scale, and one count grouped by department and rating) whatever the departments."""
    scale = rating_scale()
    codes = [r.code for r in scale]
    guidelines = {r.code: r.guideline_share for r in scale}
    per_department: dict[int | None, Counter[str]] = defaultdict(Counter)
    company: Counter[str] = Counter()
    rows = (
        reviews.filter(final_rating__isnull=False)
        .order_by()
        .values("department_id", "final_rating__code")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        per_department[row["department_id"]][row["final_rating__code"]] += row["n"]
        company[row["final_rating__code"]] += row["n"]
    return RatingDistributions(
        company=engine.distribution(company, codes, guidelines),
        by_department={d: engine.distribution(c, codes, guidelines) for d, c in per_department.items()},
        empty=engine.distribution({}, codes, guidelines),
    )


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


def departments_of(reviews: QuerySet[Review]) -> QuerySet[Department]:
    """The departments of `reviews` (as recorded on each review), in tree order."""
    return Department.objects.filter(pk__in=reviews.values("department_id")).order_by("path")


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

"""Writes of the performance app: OKR cycles, objectives and key results, progress and
check-ins; review cycles, assessments, calibration, release (which writes the payroll
coefficient) and acknowledgement. Each refusal is a `PerformanceRefused` with a translated
message; nothing is saved when one is raised.

Decisions worth knowing:

* Key results of an objective are saved together (`key_results_save`), so the 100% weight rule
  is checked on the whole set, never on a half-typed row.
* Progress is one value per key result per month; the latest month sets the current value.
* A manager rates the people in their reach (hrsuite.scoping), never themselves; HR may rate
  anyone but themselves. A rating must be an active row of the rating table.
* Release freezes each review's OKR completion and coefficient and writes the coefficient as
  the payroll period input of the cycle's pay month (source "performance"), through the payroll
  service, so a month already paid refuses the release as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.notifications.services import NotificationSpec, notify_many
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from . import engine
from .choices import CycleKind, ObjectiveLevel, OkrStatus, ReviewCycleStatus, ReviewStatus
from .models import (
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
from .selectors import can_assess, department_heads, okr_completion_by
from .workflows import okr_can_move, review_cycle_can_move


class PerformanceRefused(ValidationError):
    pass


def _refuse(refusal: PerformanceRefused | None) -> None:
    if refusal is not None:
        raise refusal


def _hr_refusal(actor) -> PerformanceRefused | None:
    return None if is_hr(actor) else PerformanceRefused(_("Only HR can do this."), code="permission")


def _require_hr(actor) -> None:
    _refuse(_hr_refusal(actor))


def _refuse_closed_okr(cycle: OkrCycle) -> None:
    if cycle.status == OkrStatus.CLOSED:
        raise PerformanceRefused(
            _("The OKR cycle “%(name)s” is closed; it can no longer be changed.") % {"name": cycle.name},
            code="closed",
        )


def _closed_review_refusal(cycle: ReviewCycle) -> PerformanceRefused | None:
    if cycle.status == ReviewCycleStatus.CLOSED:
        return PerformanceRefused(
            _("The review cycle “%(name)s” is closed; it can no longer be changed.") % {"name": cycle.name},
            code="closed",
        )
    return None


def _refuse_closed_review(cycle: ReviewCycle) -> None:
    _refuse(_closed_review_refusal(cycle))


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# --- OKR cycles -----------------------------------------------------------------------------


@transaction.atomic
def okr_cycle_save(*, cycle: OkrCycle, actor) -> OkrCycle:
    _require_hr(actor)
    if cycle.pk:
        _refuse_closed_okr(OkrCycle.objects.select_for_update().get(pk=cycle.pk))
    if cycle.ends_on < cycle.starts_on:
        raise PerformanceRefused({"ends_on": _("The cycle cannot end before it starts.")})
    if cycle.kind == CycleKind.YEAR:
        cycle.quarter = None
    elif not cycle.quarter:
        raise PerformanceRefused({"quarter": _("Choose the quarter (1–4).")})
    for field, day in (("starts_on", cycle.starts_on), ("ends_on", cycle.ends_on)):
        if day.year != cycle.year:
            raise PerformanceRefused({field: _("The date must be in %(year)s.") % {"year": cycle.year}})
    duplicate = OkrCycle.objects.filter(kind=cycle.kind, year=cycle.year, quarter=cycle.quarter).exclude(pk=cycle.pk)
    if duplicate.exists():
        raise PerformanceRefused(_("There is already an OKR cycle for this year or quarter."), code="duplicate")
    if not cycle.pk:
        cycle.created_by = actor
    cycle.save()
    return cycle


@transaction.atomic
def okr_cycle_move(*, cycle: OkrCycle, to: str, actor) -> OkrCycle:
    _require_hr(actor)
    locked = OkrCycle.objects.select_for_update().get(pk=cycle.pk)
    if not okr_can_move(locked.status, to):
        raise PerformanceRefused(
            _("An OKR cycle cannot go from “%(from)s” to “%(to)s”.")
            % {"from": _label(OkrStatus, locked.status), "to": _label(OkrStatus, to)},
            code="transition",
        )
    locked.status = to
    locked.save(update_fields=["status"])
    cycle.status = to
    return locked


# --- objectives and key results ----------------------------------------------------------------


def can_edit_objective(actor, objective: Objective) -> bool:
    """HR edits every objective; a department head (or manager above) their departments';
    a person their own, and their manager theirs."""
    if is_hr(actor):
        return True
    scope = scope_for(actor)
    if not scope.employee_id or objective.level == ObjectiveLevel.COMPANY:
        return False
    if objective.level == ObjectiveLevel.DEPARTMENT:
        path = objective.department.path if objective.department_id else ""
        return any(path.startswith(p) for p in scope.subtree_paths)
    owner = objective.owner
    return owner is not None and scope.covers_employee(owner)


def _check_parent(objective: Objective) -> None:
    parent = objective.parent
    if parent is None:
        return
    if parent.cycle_id != objective.cycle_id:
        raise PerformanceRefused({"parent": _("Align to an objective of the same cycle.")})
    order = [ObjectiveLevel.COMPANY, ObjectiveLevel.DEPARTMENT, ObjectiveLevel.INDIVIDUAL]
    if order.index(parent.level) >= order.index(objective.level):
        raise PerformanceRefused(
            {
                "parent": _(
                    "An objective aligns to a higher level: a department's to the company's, a person's to a department's or the company's."
                )
            }
        )


@transaction.atomic
def objective_save(*, objective: Objective, actor) -> Objective:
    cycle = OkrCycle.objects.select_for_update().get(pk=objective.cycle_id)
    _refuse_closed_okr(cycle)
    if objective.level == ObjectiveLevel.COMPANY:
        objective.owner = None
        objective.department = None
        objective.parent = None
    elif objective.level == ObjectiveLevel.DEPARTMENT and objective.department_id is None:
        raise PerformanceRefused({"department": _("Choose the department.")})
    elif objective.level == ObjectiveLevel.INDIVIDUAL:
        if objective.owner_id is None:
            raise PerformanceRefused({"owner": _("Choose whose objective this is.")})
        if objective.department_id is None:
            objective.department_id = objective.owner.department_id
    if not can_edit_objective(actor, objective):
        raise PerformanceRefused(_("You cannot set objectives for this person or department."), code="permission")
    if objective.pk:
        stored = Objective.objects.get(pk=objective.pk)
        if not can_edit_objective(actor, stored):
            raise PerformanceRefused(_("You cannot change this objective."), code="permission")
    _check_parent(objective)
    if not objective.pk:
        objective.created_by = actor
    objective.save()
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, actor) -> None:
    _refuse_closed_okr(objective.cycle)
    if not can_edit_objective(actor, objective):
        raise PerformanceRefused(_("You cannot change this objective."), code="permission")
    if objective.children.exists():
        raise PerformanceRefused(
            _("Other objectives are aligned to this one; align them elsewhere first."), code="has_children"
        )
    objective.delete()


@dataclass(frozen=True)
class KeyResultData:
    title: str
    target_value: Decimal
    weight: Decimal
    start_value: Decimal = Decimal(0)
    metric: str = ""
    owner: Employee | None = None
    pk: int | None = None


def weights_message(total: Decimal) -> str:
    return _("The key result weights total %(total)s%%; they must total exactly 100%%.") % {
        "total": f"{total.normalize():f}"
    }


@transaction.atomic
def key_results_save(*, objective: Objective, rows: list[KeyResultData], actor) -> list[KeyResult]:
    """Replace the objective's key results with `rows` (existing ones keep their id, progress
    and current value). The weights must total 100."""
    objective = (
        Objective.objects.select_for_update(of=("self",))
        .select_related("cycle", "owner", "department")
        .get(pk=objective.pk)
    )
    _refuse_closed_okr(objective.cycle)
    if not can_edit_objective(actor, objective):
        raise PerformanceRefused(_("You cannot change this objective."), code="permission")
    if not rows:
        raise PerformanceRefused(_("An objective needs at least one key result."), code="empty")
    weights = [row.weight for row in rows]
    if not engine.weights_valid(weights):
        raise PerformanceRefused(weights_message(engine.weights_total(weights)), code="weights")
    for row in rows:
        if row.target_value == row.start_value:
            raise PerformanceRefused(
                _("“%(title)s”: the target must differ from the start value.") % {"title": row.title}, code="target"
            )
    existing = {kr.pk: kr for kr in objective.key_results.all()}
    kept = []
    for order, row in enumerate(rows):
        kr = existing.pop(row.pk, None) if row.pk else None
        if kr is None:
            kr = KeyResult(objective=objective, current_value=row.start_value)
        kr.title, kr.metric, kr.start_value = row.title, row.metric, row.start_value
        kr.target_value, kr.weight, kr.owner, kr.order = (
            row.target_value,
            row.weight,
            row.owner or objective.owner,
            order,
        )
        kr.save()
        kept.append(kr)
    for kr in existing.values():
        kr.delete()
    return kept


def can_update_progress(actor, kr: KeyResult) -> bool:
    scope = scope_for(actor)
    if scope.employee_id and scope.employee_id in (kr.owner_id, kr.objective.owner_id):
        return True
    return can_edit_objective(actor, kr.objective)


def can_check_in(actor, task: CheckInTask) -> bool:
    """The task's owner, or whoever may edit its objective."""
    return scope_for(actor).employee_id == task.owner_id or can_edit_objective(actor, task.objective)


@transaction.atomic
def progress_update(*, key_result: KeyResult, month: date, value: Decimal, comment: str = "", actor) -> ProgressUpdate:
    kr = (
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("objective__cycle", "objective__owner")
        .get(pk=key_result.pk)
    )
    cycle = kr.objective.cycle
    _refuse_closed_okr(cycle)
    if cycle.status != OkrStatus.OPEN:
        raise PerformanceRefused(_("Progress is updated once the cycle is in progress."), code="not_open")
    if not can_update_progress(actor, kr):
        raise PerformanceRefused(_("You cannot update this key result."), code="permission")
    month = month.replace(day=1)
    if not (cycle.starts_on.replace(day=1) <= month <= cycle.ends_on):
        raise PerformanceRefused({"month": _("The month must fall inside the cycle.")})
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise PerformanceRefused({"value": _("Enter a number.")})
    update, _created = ProgressUpdate.objects.update_or_create(
        key_result=kr, month=month, defaults={"value": value, "comment": (comment or "").strip(), "author": actor}
    )
    latest = kr.updates.order_by("-month").first()
    kr.current_value = latest.value
    kr.save(update_fields=["current_value"])
    key_result.current_value = kr.current_value
    return update


@transaction.atomic
def check_in_task_save(*, task: CheckInTask, actor) -> CheckInTask:
    _refuse_closed_okr(task.objective.cycle)
    if not can_edit_objective(actor, task.objective):
        raise PerformanceRefused(_("You cannot change this objective."), code="permission")
    if task.target_count < 1:
        raise PerformanceRefused({"target_count": _("The target must be at least 1.")})
    task.save()
    return task


def period_of(task: CheckInTask, day: date) -> date:
    """The Monday of the week or the first of the month that `day` falls in."""
    if task.frequency == "weekly":
        return date.fromordinal(day.toordinal() - day.weekday())
    return day.replace(day=1)


@transaction.atomic
def check_in_record(*, task: CheckInTask, day: date, done_count: int, note: str = "", actor) -> CheckIn:
    task = CheckInTask.objects.select_related("objective__cycle", "objective__owner", "owner").get(pk=task.pk)
    cycle = task.objective.cycle
    _refuse_closed_okr(cycle)
    if cycle.status != OkrStatus.OPEN:
        raise PerformanceRefused(_("Progress is updated once the cycle is in progress."), code="not_open")
    if not can_check_in(actor, task):
        raise PerformanceRefused(_("You cannot update this key result."), code="permission")
    if done_count < 0:
        raise PerformanceRefused({"done_count": _("The count cannot be negative.")})
    check_in, _created = CheckIn.objects.update_or_create(
        task=task,
        period=period_of(task, day),
        defaults={"done_count": done_count, "note": note.strip(), "author": actor},
    )
    return check_in


# --- rating table -------------------------------------------------------------------------------


@transaction.atomic
def rating_level_save(*, level: RatingLevel, actor) -> RatingLevel:
    _require_hr(actor)
    level.code = level.code.strip().upper()
    if not level.code:
        raise PerformanceRefused({"code": _("Enter the rating's code, for example A+.")})
    if RatingLevel.objects.filter(code=level.code).exclude(pk=level.pk).exists():
        raise PerformanceRefused({"code": _("This rating already exists.")})
    if RatingLevel.objects.filter(rank=level.rank).exclude(pk=level.pk).exists():
        raise PerformanceRefused({"rank": _("Another rating has this rank.")})
    level.save()
    return level


def rating_by_code(code: str) -> RatingLevel:
    """The active rating with this code, or a refusal naming the scale."""
    level = RatingLevel.objects.filter(code=(code or "").strip().upper(), is_active=True).first()
    if level is None:
        scale = ", ".join(RatingLevel.objects.filter(is_active=True).order_by("rank").values_list("code", flat=True))
        raise PerformanceRefused(
            {"rating": _("“%(code)s” is not on the rating scale (%(scale)s).") % {"code": code, "scale": scale}}
        )
    return level


# --- review cycles ---------------------------------------------------------------------------------


def record(*, cycle: ReviewCycle, action: str, actor, review: Review | None = None, detail: str = "") -> None:
    ReviewEvent.objects.create(cycle=cycle, review=review, action=action, actor=actor, detail=detail[:500])


@transaction.atomic
def review_cycle_save(*, cycle: ReviewCycle, actor, departments=None) -> ReviewCycle:
    _require_hr(actor)
    if cycle.pk:
        stored = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
        _refuse_closed_review(stored)
        if stored.status != ReviewCycleStatus.DRAFT:
            raise PerformanceRefused(_("A launched review cycle's settings cannot be changed."), code="launched")
    if cycle.period_end < cycle.period_start:
        raise PerformanceRefused({"period_end": _("The period cannot end before it starts.")})
    if cycle.manager_due < cycle.self_due:
        raise PerformanceRefused({"manager_due": _("The manager assessment is due after the self-assessment.")})
    cycle.pay_period = cycle.pay_period.replace(day=1)
    if not cycle.pk:
        cycle.created_by = actor
    cycle.save()
    if departments is not None:
        cycle.departments.set(departments)
    return cycle


def _lock_review_cycle(cycle: ReviewCycle) -> ReviewCycle:
    return ReviewCycle.objects.select_for_update().get(pk=cycle.pk)


def _move(locked: ReviewCycle, to: str) -> None:
    if not review_cycle_can_move(locked.status, to):
        _refuse_closed_review(locked)
        raise PerformanceRefused(
            _("A review cycle cannot go from “%(from)s” to “%(to)s”.")
            % {"from": _label(ReviewCycleStatus, locked.status), "to": _label(ReviewCycleStatus, to)},
            code="transition",
        )
    locked.status = to
    locked.save(update_fields=["status"])


def cycle_employees(cycle: ReviewCycle):
    """Active employees of the cycle's departments (with their sub-departments), or everyone."""
    qs = (
        Employee.objects.filter(status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION])
        .select_related("department")
        .defer(*Employee.SECRET_FIELDS)
    )
    paths = list(cycle.departments.values_list("path", flat=True))
    if paths:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(department__path__startswith=path)
        qs = qs.filter(q)
    return qs


def reviewer_id_for(employee: Employee, heads: dict[int, int]) -> int | None:
    """The direct manager, else the head of the employee's department or of the nearest one
    above that has a head (never the employee). `heads` is selectors.department_heads(), loaded
    once for a whole launch; the employee's department is loaded with them."""
    if employee.manager_id and employee.manager_id != employee.pk:
        return employee.manager_id
    department = employee.department if employee.department_id else None
    if department is None:
        return None
    path = department.path or f"/{department.pk}/"
    for pk in reversed([int(p) for p in path.strip("/").split("/") if p]):
        head_id = heads.get(pk)
        if head_id and head_id != employee.pk:
            return head_id
    return None


def _notify_on_commit(user_ids, *, key: str, message: str, params: dict, url: str) -> None:
    """One notification per login once the transaction commits (inactive logins are skipped by
    notify_many)."""
    specs = [
        NotificationSpec(recipient_id=pk, key=key, message=message, params=params, url=url) for pk in user_ids if pk
    ]
    if specs:
        transaction.on_commit(lambda: notify_many(specs))


@transaction.atomic
def review_cycle_launch(*, cycle: ReviewCycle, actor) -> int:
    """Open the assessment: one review per employee of the cycle; notify them. Returns the count."""
    _require_hr(actor)
    locked = _lock_review_cycle(cycle)
    if locked.status != ReviewCycleStatus.DRAFT:
        _refuse_closed_review(locked)
        raise PerformanceRefused(_("This review cycle has already been launched."), code="launched")
    _move(locked, ReviewCycleStatus.ASSESSMENT)
    employees = list(cycle_employees(locked))
    if not employees:
        raise PerformanceRefused(_("Nobody works in the chosen departments."), code="empty")
    heads = department_heads()
    Review.objects.bulk_create(
        [
            Review(
                cycle=locked,
                employee=e,
                department_id=e.department_id,
                reviewer_id=reviewer_id_for(e, heads),
            )
            for e in employees
        ],
        ignore_conflicts=True,
    )
    record(cycle=locked, action="launched", actor=actor, detail=str(len(employees)))
    _notify_on_commit(
        [e.user_id for e in employees],
        key=f"review-launch-{locked.pk}",
        message=gettext_noop(
            "Your performance review “%(name)s” is open: please write your self-assessment by %(due)s."
        ),
        params={"name": locked.name, "due": locked.self_due.isoformat()},
        url=reverse("myperformance:home"),
    )
    cycle.status = locked.status
    return len(employees)


def _lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",)).select_related("cycle", "employee__department").get(pk=review.pk)
    )


def _assessing_refusal(cycle: ReviewCycle) -> PerformanceRefused | None:
    if (refusal := _closed_review_refusal(cycle)) is not None:
        return refusal
    if cycle.status != ReviewCycleStatus.ASSESSMENT:
        return PerformanceRefused(
            _("Assessments are written while the cycle is in “%(stage)s”; it is now “%(now)s”.")
            % {"stage": _label(ReviewCycleStatus, ReviewCycleStatus.ASSESSMENT), "now": cycle.get_status_display()},
            code="stage",
        )
    return None


# Who may act on a review now. Each `*_refusal` returns the first refusal (None: allowed); the
# services raise it, and the pages ask `can_*` to decide which forms and buttons to show, so the
# rule is written once.


def self_assess_refusal(actor, review: Review) -> PerformanceRefused | None:
    if scope_for(actor).employee_id != review.employee_id:
        return PerformanceRefused(_("Only the employee writes their self-assessment."), code="permission")
    if (refusal := _assessing_refusal(review.cycle)) is not None:
        return refusal
    if review.status != ReviewStatus.SELF:
        return PerformanceRefused(_("The self-assessment has already been submitted."), code="submitted")
    return None


def can_self_assess(actor, review: Review) -> bool:
    return self_assess_refusal(actor, review) is None


def rate_refusal(actor, review: Review) -> PerformanceRefused | None:
    """An assessor of the employee, while the cycle is assessing, once the self-assessment is in
    or its due date has passed (code "self_pending" while it is awaited)."""
    if not can_assess(actor, review):
        return PerformanceRefused(_("You can only assess the people in your team."), code="permission")
    if (refusal := _assessing_refusal(review.cycle)) is not None:
        return refusal
    if review.status == ReviewStatus.SELF and timezone.localdate() <= review.cycle.self_due:
        return PerformanceRefused(
            _("Wait for the self-assessment (due %(due)s) before rating.") % {"due": review.cycle.self_due},
            code="self_pending",
        )
    return None


def can_rate(actor, review: Review) -> bool:
    return rate_refusal(actor, review) is None


def calibrate_refusal(actor, review: Review) -> PerformanceRefused | None:
    """HR, during the calibration stage, on a rated review that is not their own."""
    for refusal in (_hr_refusal(actor), _closed_review_refusal(review.cycle)):
        if refusal is not None:
            return refusal
    if review.cycle.status != ReviewCycleStatus.CALIBRATION:
        return PerformanceRefused(_("Ratings are calibrated during the calibration stage."), code="stage")
    if scope_for(actor).employee_id == review.employee_id:
        return PerformanceRefused(_("You cannot calibrate your own rating."), code="self")
    if review.status != ReviewStatus.RATED:
        return PerformanceRefused(_("Only a rated review can be calibrated."), code="unrated")
    return None


def can_calibrate(actor, review: Review) -> bool:
    return calibrate_refusal(actor, review) is None


def acknowledge_refusal(actor, review: Review) -> PerformanceRefused | None:
    """The employee, once their result is released (and before the cycle is closed)."""
    if scope_for(actor).employee_id != review.employee_id:
        return PerformanceRefused(_("Only the employee acknowledges their result."), code="permission")
    if (refusal := _closed_review_refusal(review.cycle)) is not None:
        return refusal
    if review.status != ReviewStatus.RELEASED:
        return PerformanceRefused(_("There is no released result to acknowledge."), code="stage")
    return None


def can_acknowledge(actor, review: Review) -> bool:
    return acknowledge_refusal(actor, review) is None


@transaction.atomic
def review_self_assess(*, review: Review, text: str, actor, self_rating: str = "", submit: bool = True) -> Review:
    locked = _lock_review(review)
    _refuse(self_assess_refusal(actor, locked))
    text = (text or "").strip()
    if submit and not text:
        raise PerformanceRefused({"self_assessment": _("Write your self-assessment before submitting.")})
    locked.self_assessment = text
    locked.self_rating = rating_by_code(self_rating) if self_rating else None
    if submit:
        locked.status = ReviewStatus.MANAGER
        locked.self_submitted_at = timezone.now()
    locked.save()
    if submit:
        record(cycle=locked.cycle, review=locked, action="self_submitted", actor=actor)
        reviewer = locked.reviewer if locked.reviewer_id else None
        if reviewer is not None:
            _notify_on_commit(
                [reviewer.user_id],
                key=f"review-self-{locked.pk}",
                message=gettext_noop("%(name)s submitted their self-assessment; please rate them."),
                params={"name": locked.employee.name},
                url=reverse("performance:review_detail", args=[locked.pk]),
            )
    return locked


@transaction.atomic
def review_rate(*, review: Review, rating: str, comment: str, actor) -> Review:
    locked = _lock_review(review)
    _refuse(rate_refusal(actor, locked))
    level = rating_by_code(rating)
    comment = (comment or "").strip()
    if not comment:
        raise PerformanceRefused({"manager_comment": _("Explain the rating in a few sentences.")})
    locked.manager_rating = locked.final_rating = level
    locked.manager_comment = comment
    locked.manager_rated_at = timezone.now()
    locked.rated_by = actor
    locked.status = ReviewStatus.RATED
    locked.save()
    record(cycle=locked.cycle, review=locked, action="rated", actor=actor, detail=level.code)
    return locked


@transaction.atomic
def review_cycle_start_calibration(*, cycle: ReviewCycle, actor) -> ReviewCycle:
    _require_hr(actor)
    locked = _lock_review_cycle(cycle)
    _move(locked, ReviewCycleStatus.CALIBRATION)
    record(cycle=locked, action="calibration", actor=actor)
    cycle.status = locked.status
    return locked


@transaction.atomic
def review_calibrate(*, review: Review, rating: str, reason: str, actor) -> Review:
    _require_hr(actor)
    locked = _lock_review(review)
    _refuse(calibrate_refusal(actor, locked))
    level = rating_by_code(rating)
    reason = (reason or "").strip()
    if not reason:
        raise PerformanceRefused({"reason": _("Give the reason for the adjustment.")})
    before = locked.final_rating.code if locked.final_rating_id else "-"
    locked.final_rating = level
    locked.calibration_reason = reason
    locked.calibrated_by = actor
    locked.calibrated_at = timezone.now()
    locked.save()
    record(
        cycle=locked.cycle, review=locked, action="calibrated", actor=actor, detail=f"{before} → {level.code}: {reason}"
    )
    return locked


@transaction.atomic
def review_cycle_release(*, cycle: ReviewCycle, actor) -> int:
    """Release the results: every review must be rated. Freezes OKR completion and coefficient
    and writes the coefficient as the payroll input of the pay month. Returns the count."""
    from payroll.services.assignments import period_input_set

    _require_hr(actor)
    locked = _lock_review_cycle(cycle)
    if locked.status == ReviewCycleStatus.ASSESSMENT and locked.calibration_required:
        raise PerformanceRefused(_("This cycle is calibrated by HR before its results are released."), code="calibrate")
    reviews = list(locked.reviews.select_related("employee", "final_rating").select_for_update(of=("self",)))
    unrated = [r for r in reviews if r.final_rating_id is None]
    if unrated:
        raise PerformanceRefused(
            _("%(n)s reviews are not rated yet (for example %(name)s).")
            % {"n": len(unrated), "name": unrated[0].employee.name},
            code="unrated",
        )
    _move(locked, ReviewCycleStatus.RELEASED)
    completion = {}
    if locked.okr_cycle_id:
        owned = Objective.objects.filter(cycle_id=locked.okr_cycle_id, owner_id__in=[r.employee_id for r in reviews])
        completion = okr_completion_by(owned)
    for review in reviews:
        review.coefficient = review.final_rating.coefficient
        review.okr_completion = completion[review.employee_id].mean if review.employee_id in completion else None
        review.status = ReviewStatus.RELEASED
        period_input_set(
            employee=review.employee,
            period=locked.pay_period,
            definition=locked.coefficient_input,
            value=review.coefficient,
            actor=actor,
            source="performance",
        )
    Review.objects.bulk_update(reviews, ["coefficient", "okr_completion", "status"])
    record(cycle=locked, action="released", actor=actor, detail=str(len(reviews)))
    _notify_on_commit(
        [r.employee.user_id for r in reviews],
        key=f"review-released-{locked.pk}",
        message=gettext_noop(
            "The result of your performance review “%(name)s” is out; please read and acknowledge it."
        ),
        params={"name": locked.name},
        url=reverse("myperformance:home"),
    )
    cycle.status = locked.status
    return len(reviews)


@transaction.atomic
def review_acknowledge(*, review: Review, actor, comment: str = "") -> Review:
    locked = _lock_review(review)
    _refuse(acknowledge_refusal(actor, locked))
    locked.status = ReviewStatus.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.employee_comment = (comment or "").strip()[:1000]
    locked.save(update_fields=["status", "acknowledged_at", "employee_comment"])
    record(cycle=locked.cycle, review=locked, action="acknowledged", actor=actor)
    return locked


@transaction.atomic
def review_cycle_close(*, cycle: ReviewCycle, actor) -> ReviewCycle:
    _require_hr(actor)
    locked = _lock_review_cycle(cycle)
    _move(locked, ReviewCycleStatus.CLOSED)
    record(cycle=locked, action="closed", actor=actor)
    cycle.status = locked.status
    return locked

"""Pay of each person: assignments (a revision never edits history), period inputs, tax
declarations and adjustments.

Rules a person can rely on:

* assignments of one employee never overlap (an exclusion constraint; its error becomes a
  message), and a revision starts after the current assignment started and after the last month
  that is finalised for the employee: earlier months are corrected with a pay adjustment;
* a month that is finalised for an employee takes no more period inputs or adjustments;
* a period input is checked against its kind (hours and days not negative, a rate not above 10,
  which is almost always a percentage typed as 80 instead of 0.8).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..choices import LOCKED_STATUSES, InputKind
from ..engine import china
from ..models import (
    AssignmentItem,
    InputDefinition,
    PayAdjustment,
    PayAssignment,
    PayComponent,
    PaySlip,
    PeriodInput,
    SalaryStructure,
    TaxDeclaration,
)

OVERLAP_CONSTRAINT = "assignments_do_not_overlap"
RATE_SUSPECT_ABOVE = Decimal(10)  # a rate or share above this is a percentage typed as a number
VALUE_DECIMALS = 4  # PeriodInput.value: max_digits=16, decimal_places=4
VALUE_LIMIT = Decimal(10) ** (16 - VALUE_DECIMALS)


# --- finalised months -----------------------------------------------------------------------


def locked_message(period: date) -> str:
    return _("%(period)s is finalised for this employee; enter a pay adjustment in a later month instead.") % {
        "period": period.strftime("%Y-%m")
    }


def last_locked_period(employee) -> date | None:
    """The last month that is finalised (or published) for the employee, or None."""
    return PaySlip.objects.filter(employee=employee, run__status__in=LOCKED_STATUSES).aggregate(last=Max("period"))[
        "last"
    ]


def locked_employee_ids(period: date, employee_ids=None) -> set[int]:
    """Employees whose pay for the month is finalised (one query)."""
    qs = PaySlip.objects.filter(period=period.replace(day=1), run__status__in=LOCKED_STATUSES)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    return set(qs.values_list("employee_id", flat=True))


def _refuse_if_period_locked(employee, period: date) -> None:
    if PaySlip.objects.filter(employee=employee, period=period, run__status__in=LOCKED_STATUSES).exists():
        raise ValidationError(locked_message(period))


def _next_month(period: date) -> date:
    return date(period.year + (period.month == 12), period.month % 12 + 1, 1)


# --- assignments ----------------------------------------------------------------------------


def _check_structure(structure: SalaryStructure, effective_from: date) -> None:
    if structure.effective_to and structure.effective_to < effective_from:
        raise ValidationError({"structure": _("This structure version has ended before the assignment starts.")})
    if structure.effective_from > effective_from:
        raise ValidationError(
            {
                "structure": _(
                    "This structure version starts on %(date)s, after the assignment; choose the version in effect then."
                )
                % {"date": structure.effective_from.isoformat()}
            }
        )


def _check_items(structure: SalaryStructure, items: dict[int, Decimal]) -> None:
    """An item overrides a line of the structure; anything else would be ignored in pay."""
    if not items:
        return
    in_structure = set(structure.lines.values_list("component_id", flat=True))
    names = dict(PayComponent.objects.filter(pk__in=items.keys()).values_list("pk", "name"))
    problems = []
    for component_id, amount in items.items():
        name = names.get(component_id, str(component_id))
        if component_id not in in_structure:
            problems.append(
                _("%(component)s is not part of the structure %(structure)s; an item can only replace a line of it.")
                % {"component": name, "structure": structure.name}
            )
        elif amount is not None and amount < 0:
            problems.append(
                _(
                    "The amount of %(component)s cannot be negative; the component's kind decides whether it is paid or deducted."
                )
                % {"component": name}
            )
    if problems:
        raise ValidationError({"items": problems})


def _is_overlap(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    return name == OVERLAP_CONSTRAINT or OVERLAP_CONSTRAINT in str(exc)


@transaction.atomic
def assignment_create(*, assignment: PayAssignment, items: dict[int, Decimal] | None = None) -> PayAssignment:
    """A new assignment (a first one, or one after a gap). It must not overlap another."""
    if assignment.base_salary is None or assignment.base_salary < 0:
        raise ValidationError({"base_salary": _("The base salary cannot be negative.")})
    if assignment.si_base is not None and assignment.si_base < 0:
        raise ValidationError({"si_base": _("The contribution base cannot be negative.")})
    _check_structure(assignment.structure, assignment.effective_from)
    items = {cid: amt for cid, amt in (items or {}).items() if amt is not None}
    _check_items(assignment.structure, items)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        raise ValidationError(
            {
                "effective_from": _(
                    "This overlaps another pay assignment of the employee; revise the current one instead."
                )
            }
        ) from exc
    _save_items(assignment, items)
    return assignment


def _save_items(assignment: PayAssignment, items: dict[int, Decimal]) -> None:
    AssignmentItem.objects.filter(assignment=assignment).delete()
    AssignmentItem.objects.bulk_create(
        [
            AssignmentItem(assignment=assignment, component_id=cid, amount=amt)
            for cid, amt in items.items()
            if amt is not None
        ]
    )


@transaction.atomic
def assignment_revise(
    *,
    assignment: PayAssignment,
    effective_from: date,
    base_salary: Decimal,
    structure: SalaryStructure | None = None,
    items: dict[int, Decimal] | None = None,
    reason: str = "",
    actor=None,
    **flags,
) -> PayAssignment:
    """A salary revision: close the current assignment the day before and start a new one.
    History is never edited: the old row keeps its amounts and items; only its end date is set.

    `flags` may hold si_policy_city, si_base, first_income_this_year, prior_year_low_income and
    merge_annual_bonus; a flag not given is carried over from the current assignment."""
    unknown = set(flags) - REVISION_FLAGS
    if unknown:
        raise TypeError(f"unexpected flags: {', '.join(sorted(unknown))}")
    current = PayAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.effective_to is not None:
        raise ValidationError(_("Only the current assignment can be revised."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the pay changes (for example: annual review, promotion).")})
    if effective_from <= current.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "A revision must start after the current assignment started (%(date)s); it cannot be back-dated before it."
                )
                % {"date": current.effective_from.isoformat()}
            }
        )
    locked = last_locked_period(current.employee_id)
    if locked is not None and effective_from < _next_month(locked):
        raise ValidationError(
            {
                "effective_from": _(
                    "Pay up to %(period)s is finalised for this employee, so a revision can start on %(date)s at the earliest. Pay a difference for earlier months as a pay adjustment."
                )
                % {"period": locked.strftime("%Y-%m"), "date": _next_month(locked).isoformat()}
            }
        )
    current.effective_to = effective_from - timedelta(days=1)
    current.save(update_fields=["effective_to"])
    old_items = {i.component_id: i.amount for i in current.items.all()}
    new = PayAssignment(
        employee=current.employee,
        structure=structure or current.structure,
        base_salary=base_salary,
        effective_from=effective_from,
        si_policy_city=flags.get("si_policy_city", current.si_policy_city),
        si_base=flags.get("si_base", current.si_base),
        first_income_this_year=flags.get("first_income_this_year", current.first_income_this_year),
        prior_year_low_income=flags.get("prior_year_low_income", current.prior_year_low_income),
        merge_annual_bonus=flags.get("merge_annual_bonus", current.merge_annual_bonus),
        reason=reason,
        created_by=actor,
    )
    return assignment_create(assignment=new, items=old_items if items is None else items)


REVISION_FLAGS = frozenset(
    {"si_policy_city", "si_base", "first_income_this_year", "prior_year_low_income", "merge_annual_bonus"}
)


def raise_against(previous: Decimal | None, new: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """The change of base salary as (amount, fraction of the previous base); None when there is
    no previous base (or it was zero, for the fraction)."""
    if previous is None:
        return None, None
    change = new - previous
    return change, (change / previous if previous else None)


def above_guideline(ratio: Decimal | None, limit: Decimal) -> bool:
    """Whether a raise (a fraction of the old base) exceeds the rating's raise guideline (a
    percentage). Informational: a revision above it is saved all the same, with its reason."""
    return ratio is not None and ratio * 100 > limit


# --- period inputs --------------------------------------------------------------------------


def validate_input_value(*, definition: InputDefinition, value: Decimal) -> None:
    """Raise a translated ValidationError if `value` cannot be stored for the definition."""
    if not value.is_finite():
        raise ValidationError(_("Enter a number."))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -VALUE_DECIMALS:
        raise ValidationError(_("At most %(n)s decimal places are allowed.") % {"n": VALUE_DECIMALS})
    if abs(value) >= VALUE_LIMIT:
        raise ValidationError(_("The value is too large."))
    kind = definition.kind
    if kind == InputKind.HOURS and value < 0:
        raise ValidationError(_("Hours cannot be negative."))
    if kind == InputKind.DAYS and value < 0:
        raise ValidationError(_("Days cannot be negative."))
    if kind == InputKind.RATE:
        if value < 0:
            raise ValidationError(_("A rate or share cannot be negative."))
        if value > RATE_SUSPECT_ABOVE:
            raise ValidationError(
                _(
                    "%(value)s is not a rate: a rate is a fraction (0.8, not 80). This looks like a percentage; divide it by 100."
                )
                % {"value": f"{value.normalize():f}"}
            )


@transaction.atomic
def period_input_set(
    *, employee, period: date, definition: InputDefinition, value: Decimal, actor=None, source="manual"
) -> PeriodInput:
    period = period.replace(day=1)
    _refuse_if_period_locked(employee, period)
    validate_input_value(definition=definition, value=value)
    obj, _created = PeriodInput.objects.update_or_create(
        employee=employee,
        period=period,
        definition=definition,
        defaults={"value": value, "updated_by": actor, "source": source},
    )
    return obj


@transaction.atomic
def period_input_clear(*, employee, period: date, definition: InputDefinition) -> bool:
    """Remove a stored value so the definition's default applies. Returns whether one existed."""
    period = period.replace(day=1)
    _refuse_if_period_locked(employee, period)
    existing = PeriodInput.objects.filter(employee=employee, period=period, definition=definition).first()
    if existing is None:
        return False
    existing.delete()  # one by one, so the audit log records it
    return True


# --- declarations ---------------------------------------------------------------------------

# where each of validate_declaration's codes belongs on the form
DECLARATION_FIELDS = {
    "children_negative": "children",
    "infants_negative": "infants",
    "child_share_invalid": "child_share",
    "infant_share_invalid": "infant_share",
    "housing_loan_share_invalid": "housing_loan_share",
    "housing_loan_and_rent": "rent_city_class",
    "rent_city_class_invalid": "rent_city_class",
    "elderly_share_negative": "elderly_share",
    "elderly_share_over_limit": "elderly_share",
    "elderly_share_with_only_child": "elderly_share",
}


@transaction.atomic
def declaration_save(*, declaration: TaxDeclaration) -> TaxDeclaration:
    """Save a declaration that the tax rules accept; otherwise raise ValidationError with one
    translated message per problem, keyed by the field it concerns."""
    from ..gather import declaration_dataclass
    from .formula_messages import declaration_message

    problems = china.validate_declaration(declaration_dataclass(declaration))
    if problems:
        errors: dict[str, list[str]] = {}
        for code in problems:
            errors.setdefault(DECLARATION_FIELDS.get(code, "__all__"), []).append(declaration_message(code))
        raise ValidationError(errors)
    month = declaration.vocational_certificate_month
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"vocational_certificate_month": _("Enter a month from 1 to 12.")})
    declaration.save()
    return declaration


def declaration_monthly_total(declaration: TaxDeclaration) -> Decimal | None:
    """The monthly special additional deduction, or None if the stored declaration is invalid."""
    from ..gather import declaration_dataclass

    try:
        return china.monthly_additional_deduction(declaration_dataclass(declaration))
    except ValueError:
        return None


# --- adjustments ----------------------------------------------------------------------------


@transaction.atomic
def adjustment_create(*, adjustment: PayAdjustment) -> PayAdjustment:
    adjustment.period = adjustment.period.replace(day=1)
    problems: dict[str, str] = {}
    if adjustment.amount is None or adjustment.amount == 0:
        problems["amount"] = _("An adjustment of zero changes nothing.")
    if not (adjustment.reason or "").strip():
        problems["reason"] = _("Say what the adjustment corrects.")
    if problems:
        raise ValidationError(problems)
    run = adjustment.corrects_run
    if run is not None:
        if run.status not in LOCKED_STATUSES:
            raise ValidationError(
                {"corrects_run": _("Only a finalised run needs an adjustment; correct an open run and recalculate it.")}
            )
        if run.period >= adjustment.period:
            raise ValidationError(
                {
                    "period": _("The adjustment must be paid in a month after the run it corrects (%(period)s).")
                    % {"period": run.period.strftime("%Y-%m")}
                }
            )
        if not PaySlip.objects.filter(run=run, employee=adjustment.employee).exists():
            raise ValidationError({"corrects_run": _("This employee was not paid in that run.")})
    try:
        _refuse_if_period_locked(adjustment.employee, adjustment.period)
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from exc
    adjustment.save()
    return adjustment

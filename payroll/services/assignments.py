"""Pay of each person: assignments (a revision never edits history), period inputs, tax
declarations and adjustments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..engine import china
from ..models import InputDefinition, PayAdjustment, PayAssignment, PeriodInput, SalaryStructure, TaxDeclaration


@transaction.atomic
def assignment_create(*, assignment: PayAssignment, items: dict[int, Decimal] | None = None) -> PayAssignment:
    if assignment.base_salary is None or assignment.base_salary < 0:
        raise ValidationError({"base_salary": _("The base salary cannot be negative.")})
    if assignment.structure.effective_to and assignment.structure.effective_to < assignment.effective_from:
        raise ValidationError({"structure": _("This structure version has ended before the assignment starts.")})
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This overlaps another pay assignment of the employee; revise the current one instead.")
        ) from exc
    _save_items(assignment, items or {})
    return assignment


def _save_items(assignment: PayAssignment, items: dict[int, Decimal]) -> None:
    from ..models import AssignmentItem

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
    History is never edited."""
    current = PayAssignment.objects.select_for_update().get(pk=assignment.pk)
    if current.effective_to is not None:
        raise ValidationError(_("Only the current assignment can be revised."))
    if effective_from <= current.effective_from:
        raise ValidationError({"effective_from": _("A revision must start after the current assignment started.")})
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


# --- period inputs, declarations, adjustments ---------------------------------------------


@transaction.atomic
def period_input_set(
    *, employee, period: date, definition: InputDefinition, value: Decimal, actor=None, source="manual"
) -> PeriodInput:
    period = period.replace(day=1)
    _refuse_if_period_locked(employee, period)
    obj, _created = PeriodInput.objects.update_or_create(
        employee=employee,
        period=period,
        definition=definition,
        defaults={"value": value, "updated_by": actor, "source": source},
    )
    return obj


def _refuse_if_period_locked(employee, period: date) -> None:
    from ..choices import LOCKED_STATUSES
    from ..models import PaySlip

    if PaySlip.objects.filter(employee=employee, period=period, run__status__in=LOCKED_STATUSES).exists():
        raise ValidationError(
            _("%(period)s is finalised for this employee; enter a pay adjustment in a later month instead.")
            % {"period": period.strftime("%Y-%m")}
        )


@transaction.atomic
def declaration_save(*, declaration: TaxDeclaration) -> TaxDeclaration:
    from ..gather import declaration_dataclass

    problems = china.validate_declaration(declaration_dataclass(declaration))
    if problems:
        from .formula_messages import declaration_message

        raise ValidationError([declaration_message(code) for code in problems])
    declaration.save()
    return declaration


@transaction.atomic
def adjustment_create(*, adjustment: PayAdjustment) -> PayAdjustment:
    adjustment.period = adjustment.period.replace(day=1)
    if not adjustment.reason.strip():
        raise ValidationError({"reason": _("Say what the adjustment corrects.")})
    if adjustment.amount == 0:
        raise ValidationError({"amount": _("An adjustment of zero changes nothing.")})
    _refuse_if_period_locked(adjustment.employee, adjustment.period)
    adjustment.save()
    return adjustment

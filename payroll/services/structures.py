"""Set-up of pay structures: components, period-input definitions, salary structures
(versioned, formulas checked when saved) and city social-insurance policies."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..engine.formula import FormulaError, check_formula, dependency_order
from ..engine.payslip import BASE_SALARY_NAMES
from ..models import InputDefinition, PayAssignment, PayComponent, SalaryStructure, StructureLine


def formula_error_message(exc: FormulaError) -> str:
    """A translated sentence for a formula error (the engine itself has no Django)."""
    from .formula_messages import message_for

    return message_for(exc)


def known_names(structure: SalaryStructure | None = None) -> set[str]:
    names = set(BASE_SALARY_NAMES)
    names |= set(InputDefinition.objects.filter(is_active=True).values_list("code", flat=True))
    if structure is not None and structure.pk:
        names |= set(structure.lines.values_list("component__code", flat=True))
    return names


def validate_structure_formulas(lines: list[tuple[str, str]], known: set[str]) -> None:
    """`lines` are (component code, formula or ""). Raise ValidationError naming the first
    faulty component: a syntax error (with its column), unknown names, or a circular reference."""
    refs = {}
    codes = {code for code, _f in lines}
    for code, formula in lines:
        if not formula:
            refs[code] = frozenset()
            continue
        try:
            compiled = check_formula(formula, known | codes)
        except FormulaError as exc:
            raise ValidationError(
                _("Component %(code)s: %(error)s") % {"code": code, "error": formula_error_message(exc)}
            ) from exc
        refs[code] = compiled.references
    try:
        dependency_order(refs)
    except FormulaError as exc:
        raise ValidationError(formula_error_message(exc)) from exc


@transaction.atomic
def structure_line_save(*, line: StructureLine) -> StructureLine:
    """Add or change a structure line after checking its formula against the whole structure."""
    structure = line.structure
    if (line.amount is None) == (not line.formula.strip()):
        raise ValidationError(_("Give either a fixed amount or a formula, not both."))
    line.formula = line.formula.strip()
    others = [(ln.component.code, ln.formula) for ln in structure.lines.select_related("component").exclude(pk=line.pk)]
    if any(code == line.component.code for code, _f in others):
        raise ValidationError(_("This component is already in the structure."))
    validate_structure_formulas([*others, (line.component.code, line.formula)], known_names())
    _refuse_if_used_in_locked_runs(structure)
    line.save()
    return line


@transaction.atomic
def structure_line_delete(*, line: StructureLine) -> None:
    structure = line.structure
    remaining = [
        (ln.component.code, ln.formula) for ln in structure.lines.select_related("component").exclude(pk=line.pk)
    ]
    validate_structure_formulas(remaining, known_names())
    _refuse_if_used_in_locked_runs(structure)
    line.delete()


def _refuse_if_used_in_locked_runs(structure: SalaryStructure) -> None:
    from ..choices import LOCKED_STATUSES
    from ..models import PaySlip

    used = PaySlip.objects.filter(
        run__status__in=LOCKED_STATUSES,
        employee__pay_assignments__structure=structure,
        period__gte=structure.effective_from,
    ).exists()
    if used:
        raise ValidationError(
            _("This structure version was used by a finalised pay run. Create a new version instead of changing it.")
        )


@transaction.atomic
def structure_new_version(*, structure: SalaryStructure, effective_from: date) -> SalaryStructure:
    """Close the current version the day before and copy its lines into a new version."""
    if effective_from <= structure.effective_from:
        raise ValidationError({"effective_from": _("A new version must start after the current one.")})
    if structure.effective_to is not None and structure.effective_to < effective_from - timedelta(days=1):
        raise ValidationError(_("Only the latest version can be continued."))
    old_lines = list(structure.lines.all())
    structure.effective_to = effective_from - timedelta(days=1)
    structure.save(update_fields=["effective_to"])
    new = SalaryStructure.objects.create(
        code=structure.code,
        name=structure.name,
        grade=structure.grade,
        position=structure.position,
        effective_from=effective_from,
        notes=structure.notes,
    )
    StructureLine.objects.bulk_create(
        [
            StructureLine(structure=new, component_id=ln.component_id, amount=ln.amount, formula=ln.formula)
            for ln in old_lines
        ]
    )
    # assignments on the old version move to the new one from its start date
    for a in PayAssignment.objects.filter(structure=structure, effective_to__isnull=True):
        if a.effective_from >= effective_from:
            a.structure = new
            a.save(update_fields=["structure"])
        else:
            from .assignments import assignment_revise

            assignment_revise(assignment=a, effective_from=effective_from, base_salary=a.base_salary, structure=new,
                              reason=_("structure %(code)s new version") % {"code": structure.code}, actor=None)  # fmt: skip
    return new


@transaction.atomic
def component_save(*, component: PayComponent) -> PayComponent:
    component.full_clean()
    if InputDefinition.objects.filter(code=component.code).exists() or component.code in BASE_SALARY_NAMES:
        raise ValidationError({"code": _("This code is already used by a period input or a built-in name.")})
    component.save()
    return component


@transaction.atomic
def input_definition_save(*, definition: InputDefinition) -> InputDefinition:
    definition.full_clean()
    if PayComponent.objects.filter(code=definition.code).exists() or definition.code in BASE_SALARY_NAMES:
        raise ValidationError({"code": _("This code is already used by a pay component or a built-in name.")})
    definition.save()
    return definition

"""Set-up of pay structures: components, period-input definitions, salary structures
(versioned, formulas checked when saved) and city social-insurance policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import LOCKED_STATUSES, Scheme, SlipStatus
from ..engine.formula import Formula, FormulaError, check_formula, compile_formula, dependency_order
from ..engine.payslip import BASE_SALARY_NAMES
from ..gather import ANNUAL_BONUS_INPUT
from ..models import (
    AssignmentItem,
    InputDefinition,
    PayAssignment,
    PayComponent,
    PaySlip,
    SalaryStructure,
    SocialInsurancePolicy,
    SocialInsuranceRate,
    StructureLine,
)


def formula_error_message(exc: FormulaError) -> str:
    """A translated sentence for a formula error (the engine itself has no Django)."""
    from .formula_messages import message_for

    return message_for(exc)


# --- the names a formula can use -----------------------------------------------------------


def known_names(structure: SalaryStructure | None = None) -> set[str]:
    names = set(BASE_SALARY_NAMES)
    names |= set(InputDefinition.objects.filter(is_active=True).values_list("code", flat=True))
    if structure is not None and structure.pk:
        names |= set(structure.lines.values_list("component__code", flat=True))
    return names


@dataclass(frozen=True)
class FormulaNames:
    """What a formula of one structure line may refer to, grouped for the name palette."""

    builtins: tuple[str, ...]
    components: tuple[tuple[str, str], ...]  # (code, name) of the structure's other components
    inputs: tuple[tuple[str, str], ...]  # (code, name) of the active period inputs

    @property
    def all(self) -> set[str]:
        return {*self.builtins, *(c for c, _n in self.components), *(c for c, _n in self.inputs)}

    def kind_of(self, name: str) -> str:
        if name in self.builtins:
            return "builtin"
        if any(c == name for c, _n in self.components):
            return "component"
        if any(c == name for c, _n in self.inputs):
            return "input"
        return "unknown"


def formula_names(*, structure: SalaryStructure, component_code: str = "") -> FormulaNames:
    components = tuple(
        (code, name)
        for code, name in structure.lines.order_by("component__display_order", "component__code").values_list(
            "component__code", "component__name"
        )
        if code != component_code
    )
    inputs = tuple(InputDefinition.objects.filter(is_active=True).order_by("code").values_list("code", "name"))
    return FormulaNames(builtins=(BASE_SALARY_NAMES[1], BASE_SALARY_NAMES[0]), components=components, inputs=inputs)


def _references(formula: str) -> frozenset[str]:
    """Names a stored formula uses; a formula that no longer parses uses none (it is reported
    where it is checked, not here)."""
    if not formula:
        return frozenset()
    try:
        return compile_formula(formula).references
    except FormulaError:
        return frozenset()


def check_line_formula(
    *, structure: SalaryStructure, component_code: str, formula: str, line_pk: int | None = None
) -> Formula:
    """Check one line's formula against its structure: syntax (FormulaError with a position),
    names (inputs, built-ins and the structure's components) and circular references through the
    other lines. Raises FormulaError; returns the compiled formula."""
    lines = structure.lines.all() if line_pk is None else structure.lines.exclude(pk=line_pk)
    others = [(code, f) for code, f in lines.values_list("component__code", "formula") if code != component_code]
    known = known_names() | {code for code, _f in others} | {component_code}
    compiled = check_formula(formula, known)
    refs = {code: _references(f) for code, f in others}
    refs[component_code] = compiled.references
    dependency_order(refs)
    return compiled


def validate_structure_formulas(lines: list[tuple[str, str]], known: set[str]) -> None:
    """`lines` are (component code, formula or ""). Raise ValidationError naming the first
    faulty component: a syntax error (with its column), unknown names, or a circular reference."""
    refs: dict[str, frozenset[str]] = {}
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


def formula_users(name: str, *, today: date | None = None) -> list[tuple[SalaryStructure, str]]:
    """(structure version, component code) of the lines whose formula uses `name`, in versions
    that have not ended (the ones pay is still calculated with)."""
    today = today or timezone.localdate()
    lines = (
        StructureLine.objects.exclude(formula="")
        .filter(formula__contains=name)  # a cheap pre-filter; the parser decides
        .filter(Q(structure__effective_to__isnull=True) | Q(structure__effective_to__gte=today))
        .select_related("structure", "component")
        .order_by("structure__code", "structure__effective_from", "component__code")
    )
    return [(ln.structure, ln.component.code) for ln in lines if name in _references(ln.formula)]


def _describe_users(users: list[tuple[SalaryStructure, str]]) -> str:
    return "、".join(f"{s.code} {s.effective_from:%Y-%m-%d}/{code}" for s, code in users[:5]) + (
        " …" if len(users) > 5 else ""
    )


# --- pay components ----------------------------------------------------------------------


@transaction.atomic
def component_save(*, component: PayComponent) -> PayComponent:
    component.full_clean()
    if InputDefinition.objects.filter(code=component.code).exists() or component.code in BASE_SALARY_NAMES:
        raise ValidationError({"code": _("This code is already used by a period input or a built-in name.")})
    if component.pk:
        before = PayComponent.objects.select_for_update().get(pk=component.pk)
        if before.code != component.code:
            users = formula_users(before.code)
            if users:
                raise ValidationError(
                    {
                        "code": _(
                            "Formulas use %(code)s (%(users)s). Change those formulas first, or keep the code and change the name."
                        )
                        % {"code": before.code, "users": _describe_users(users)}
                    }
                )
    component.save()
    return component


def component_usage(component: PayComponent) -> list[SalaryStructure]:
    """The structure versions that have a line for this component."""
    return list(
        SalaryStructure.objects.filter(lines__component=component).distinct().order_by("code", "-effective_from")
    )


@transaction.atomic
def component_delete(*, component: PayComponent) -> None:
    """Delete a component no structure or assignment uses; a used one can only be deactivated."""
    structures = component_usage(component)
    if structures:
        raise ValidationError(
            _(
                "%(code)s is used by the salary structures %(structures)s, so it cannot be deleted. Deactivate it instead."
            )
            % {
                "code": component.code,
                "structures": "、".join(f"{s.code} {s.effective_from:%Y-%m-%d}" for s in structures[:5]),
            }
        )
    if AssignmentItem.objects.filter(component=component).exists():
        raise ValidationError(
            _("%(code)s is used by employees' pay assignments, so it cannot be deleted. Deactivate it instead.")
            % {"code": component.code}
        )
    component.delete()


@transaction.atomic
def component_deactivate(*, component: PayComponent) -> PayComponent:
    """Stop offering a component for new structure lines; existing lines keep it."""
    component.is_active = False
    component.save(update_fields=["is_active"])
    return component


# --- period-input definitions --------------------------------------------------------------


@transaction.atomic
def input_definition_save(*, definition: InputDefinition) -> InputDefinition:
    definition.full_clean()
    if PayComponent.objects.filter(code=definition.code).exists() or definition.code in BASE_SALARY_NAMES:
        raise ValidationError({"code": _("This code is already used by a pay component or a built-in name.")})
    if definition.pk:
        before = InputDefinition.objects.select_for_update().get(pk=definition.pk)
        if before.code == ANNUAL_BONUS_INPUT:
            if definition.code != before.code:
                raise ValidationError(
                    {"code": _("%(code)s is reserved for the annual one-time bonus and cannot be renamed.") % {"code": before.code}}
                )  # fmt: skip
            if not definition.is_active:
                raise ValidationError(
                    {"is_active": _("%(code)s is reserved for the annual one-time bonus and cannot be deactivated.") % {"code": before.code}}
                )  # fmt: skip
        renamed = before.code != definition.code
        deactivated = before.is_active and not definition.is_active
        if renamed or deactivated:
            users = formula_users(before.code)
            if users:
                message = _(
                    "Formulas of current salary structures use %(code)s (%(users)s). Change those formulas first."
                ) % {"code": before.code, "users": _describe_users(users)}
                raise ValidationError({"code" if renamed else "is_active": message})
    definition.save()
    return definition


# --- salary structures ---------------------------------------------------------------------


@transaction.atomic
def structure_create(*, structure: SalaryStructure) -> SalaryStructure:
    """A new structure (its first version). Later versions come from `structure_new_version`."""
    structure.code = (structure.code or "").strip()
    structure.name = (structure.name or "").strip()
    structure.effective_to = None
    structure.full_clean(validate_unique=False, validate_constraints=False)
    if SalaryStructure.objects.filter(code=structure.code).exists():
        raise ValidationError(
            {"code": _("A structure with this code exists. Open it and start a new version instead.")}
        )
    structure.save()
    return structure


def structure_versions(structure: SalaryStructure):
    return SalaryStructure.objects.filter(code=structure.code).order_by("-effective_from")


def _assignments_in_force():
    """Assignments of the slip's employee in force during the slip's month (for Exists())."""
    return (
        PayAssignment.objects.filter(employee=OuterRef("employee_id"))
        .annotate(start_month=TruncMonth("effective_from"))
        .filter(start_month__lte=OuterRef("period"))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=OuterRef("period")))
    )


def structure_finalised_through(structure: SalaryStructure) -> date | None:
    """The last month a finalised pay run paid someone on this version, or None."""
    return (
        PaySlip.objects.filter(run__status__in=LOCKED_STATUSES, period__gte=structure.effective_from.replace(day=1))
        .filter(Exists(_assignments_in_force().filter(structure=structure)))
        .aggregate(last=Max("period"))["last"]
    )


def structure_is_locked(structure: SalaryStructure) -> bool:
    return structure_finalised_through(structure) is not None


def _refuse_if_used_in_locked_runs(structure: SalaryStructure) -> None:
    if structure_is_locked(structure):
        raise ValidationError(
            _("This structure version was used by a finalised pay run. Create a new version instead of changing it.")
        )


@transaction.atomic
def structure_line_save(*, line: StructureLine) -> StructureLine:
    """Add or change a structure line after checking its formula against the whole structure.
    A formula problem is raised on the "formula" field, caused by the FormulaError (which
    carries the column of a syntax error)."""
    structure = line.structure
    line.formula = (line.formula or "").strip()
    if (line.amount is None) == (not line.formula):
        raise ValidationError(_("Give either a fixed amount or a formula, not both."))
    if line.amount is not None and line.amount < 0:
        raise ValidationError(
            {"amount": _("Enter a positive amount; the component's kind decides whether it is paid or deducted.")}
        )
    others = list(structure.lines.select_related("component").exclude(pk=line.pk))
    if any(ln.component_id == line.component_id for ln in others):
        raise ValidationError({"component": _("This component is already in the structure.")})
    if line.formula:
        try:
            check_line_formula(
                structure=structure, component_code=line.component.code, formula=line.formula, line_pk=line.pk
            )
        except FormulaError as exc:
            raise ValidationError({"formula": formula_error_message(exc)}) from exc
    validate_structure_formulas(
        [*((ln.component.code, ln.formula) for ln in others), (line.component.code, line.formula)], known_names()
    )
    _refuse_if_used_in_locked_runs(structure)
    line.save()
    return line


@transaction.atomic
def structure_line_delete(*, line: StructureLine) -> None:
    structure = line.structure
    code = line.component.code
    others = list(structure.lines.select_related("component").exclude(pk=line.pk))
    users = [ln.component.code for ln in others if code in _references(ln.formula)]
    if users:
        raise ValidationError(
            _("The formulas of %(users)s use %(code)s. Change them before removing it.")
            % {"users": "、".join(users), "code": code}
        )
    _refuse_if_used_in_locked_runs(structure)
    line.delete()


@transaction.atomic
def structure_new_version(*, structure: SalaryStructure, effective_from: date, actor=None) -> SalaryStructure:
    """Close the current version the day before and copy its lines into a new version; the
    version's assignments move to the new one from its start date."""
    structure = SalaryStructure.objects.select_for_update().get(pk=structure.pk)
    if effective_from <= structure.effective_from:
        raise ValidationError({"effective_from": _("A new version must start after the current one.")})
    later = SalaryStructure.objects.filter(code=structure.code, effective_from__gt=structure.effective_from).first()
    if later is not None:
        raise ValidationError(
            _("Only the latest version can be continued; %(code)s has a version from %(date)s.")
            % {"code": structure.code, "date": later.effective_from.strftime("%Y-%m-%d")}
        )
    if structure.effective_to is not None and structure.effective_to < effective_from - timedelta(days=1):
        raise ValidationError(
            {
                "effective_from": _("This version ended on %(date)s; a new version must start the day after.")
                % {"date": structure.effective_to.strftime("%Y-%m-%d")}
            }
        )
    finalised = structure_finalised_through(structure)
    if finalised is not None and effective_from <= _month_end(finalised):
        raise ValidationError(
            {
                "effective_from": _(
                    "%(period)s was paid with this version in a finalised pay run; a new version can start on %(first)s at the earliest."
                )
                % {"period": finalised.strftime("%Y-%m"), "first": (_month_end(finalised) + timedelta(days=1)).strftime("%Y-%m-%d")}
            }
        )  # fmt: skip
    old_lines = list(structure.lines.all())
    old_end = structure.effective_to
    structure.effective_to = effective_from - timedelta(days=1)
    structure.save(update_fields=["effective_to"])
    new = SalaryStructure.objects.create(
        code=structure.code,
        name=structure.name,
        grade=structure.grade,
        position=structure.position,
        effective_from=effective_from,
        effective_to=old_end if old_end is not None and old_end >= effective_from else None,
        notes=structure.notes,
    )
    StructureLine.objects.bulk_create(
        [
            StructureLine(structure=new, component_id=ln.component_id, amount=ln.amount, formula=ln.formula)
            for ln in old_lines
        ]
    )
    _move_assignments(structure, new, effective_from, actor)
    return new


def _move_assignments(old: SalaryStructure, new: SalaryStructure, effective_from: date, actor) -> None:
    """Assignments on the old version that run into the new one continue on the new one:
    those starting on or after its start are moved; the others are split (history is kept)."""
    from .assignments import assignment_create, assignment_revise

    reason = _("structure %(code)s new version") % {"code": old.code}
    running = PayAssignment.objects.filter(structure=old).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from)
    )
    for a in running.select_for_update().order_by("pk"):
        if a.effective_from >= effective_from:
            a.structure = new
            a.save(update_fields=["structure"])
        elif a.effective_to is None:
            assignment_revise(
                assignment=a,
                effective_from=effective_from,
                base_salary=a.base_salary,
                structure=new,
                reason=reason,
                actor=actor,
            )
        else:  # ends later on: split it, keeping its end date
            items = {i.component_id: i.amount for i in a.items.all()}
            end = a.effective_to
            a.effective_to = effective_from - timedelta(days=1)
            a.save(update_fields=["effective_to"])
            a.pk = None
            a._state.adding = True
            a.structure, a.effective_from, a.effective_to, a.reason = new, effective_from, end, reason
            a.created_by = actor
            assignment_create(assignment=a, items=items)


def _month_end(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# --- social-insurance policies --------------------------------------------------------------

Rates = dict[str, tuple[Decimal, Decimal]]  # scheme -> (employee rate, employer rate) as fractions


def policy_periods(start: date, end: date | None) -> tuple[date, date | None]:
    """The first and last pay month a policy dated start..end applies to. A run takes the
    policy in force on the last day of its month (payroll.gather), so a month counts when
    start <= month end <= end."""
    first = start.replace(day=1)
    if end is None:
        return first, None
    last = ((end + timedelta(days=1)).replace(day=1) - timedelta(days=1)).replace(day=1)
    return first, last


def policy_finalised_through(*, city: str, start: date, end: date | None) -> date | None:
    """The last month in start..end for which a finalised pay run paid someone whose social
    insurance city is `city` (the assignment's city, else the work location's), or None."""
    first, last = policy_periods(start, end)
    if last is not None and last < first:
        return None
    slips = PaySlip.objects.filter(run__status__in=LOCKED_STATUSES, status=SlipStatus.OK, period__gte=first)
    if last is not None:
        slips = slips.filter(period__lte=last)
    in_force = _assignments_in_force()
    work_city = Coalesce(
        NullIf("employee__location__city", Value("")), NullIf("employee__department__location__city", Value(""))
    )
    slips = slips.annotate(work_city=work_city).filter(
        Q(Exists(in_force.filter(si_policy_city=city)))
        | (Q(Exists(in_force.filter(si_policy_city=""))) & Q(work_city=city))
    )
    return slips.aggregate(last=Max("period"))["last"]


def policy_is_locked(policy: SocialInsurancePolicy) -> date | None:
    """The last finalised month that used this policy, or None when it may still be edited."""
    return policy_finalised_through(city=policy.city, start=policy.effective_from, end=policy.effective_to)


def _validate_policy(policy: SocialInsurancePolicy, rates: Rates) -> None:
    errors: dict[str, list[str]] = {}
    policy.city = (policy.city or "").strip()
    if policy.effective_to is not None and policy.effective_to < policy.effective_from:
        errors.setdefault("effective_to", []).append(_("The end date cannot be before the start date."))
    for floor, ceiling in (("si_floor", "si_ceiling"), ("hf_floor", "hf_ceiling")):
        low, high = getattr(policy, floor), getattr(policy, ceiling)
        if low is not None and low < 0:
            errors.setdefault(floor, []).append(_("The floor cannot be negative."))
        if low is not None and high is not None and high < low:
            errors.setdefault(ceiling, []).append(_("The ceiling cannot be below the floor."))
    for scheme, (employee, employer) in rates.items():
        if scheme not in Scheme.values:
            errors.setdefault("__all__", []).append(_("Unknown scheme %(scheme)s.") % {"scheme": scheme})
        for rate in (employee, employer):
            if not Decimal(0) <= rate <= Decimal(1):
                errors.setdefault("__all__", []).append(
                    _("%(scheme)s: rates must be between 0%% and 100%%.") % {"scheme": Scheme(scheme).label}
                )
                break
    if errors:
        raise ValidationError(errors)
    policy.full_clean(validate_unique=False, validate_constraints=False)


def _refuse_if_policy_used(city: str, start: date, end: date | None) -> None:
    last = policy_finalised_through(city=city, start=start, end=end)
    if last is not None:
        raise ValidationError(
            _(
                "A finalised pay run of %(period)s used this policy for %(city)s, so it cannot be changed. Create a new policy from the next period instead."
            )
            % {"period": last.strftime("%Y-%m"), "city": city}
        )


def _store_policy(policy: SocialInsurancePolicy, rates: Rates) -> SocialInsurancePolicy:
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        if "si_policy_periods_do_not_overlap" not in str(exc):
            raise
        other = (
            SocialInsurancePolicy.objects.filter(city=policy.city)
            .exclude(pk=policy.pk)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=policy.effective_from))
            .filter(effective_from__lte=policy.effective_to or date.max)
            .order_by("effective_from")
            .first()
        )
        if other is None:  # pragma: no cover (the constraint names a row that exists)
            raise ValidationError(_("These dates overlap another policy of %(city)s.") % {"city": policy.city}) from exc
        raise ValidationError(
            {
                "effective_from": _(
                    "These dates overlap the policy %(name)s of %(city)s (%(start)s to %(end)s). Periods of one city cannot overlap: change the dates, or end that policy first."
                )
                % {
                    "name": other.name,
                    "city": other.city,
                    "start": other.effective_from.strftime("%Y-%m-%d"),
                    "end": other.effective_to.strftime("%Y-%m-%d") if other.effective_to else _("open-ended"),
                }
            }
        ) from exc
    SocialInsuranceRate.objects.filter(policy=policy).exclude(scheme__in=list(rates)).delete()
    existing = {r.scheme: r for r in SocialInsuranceRate.objects.filter(policy=policy)}
    for scheme, (employee, employer) in rates.items():
        rate = existing.get(scheme) or SocialInsuranceRate(policy=policy, scheme=scheme)
        if rate.pk is None or (rate.employee_rate, rate.employer_rate) != (employee, employer):
            rate.employee_rate, rate.employer_rate = employee, employer
            rate.save()
    return policy


@transaction.atomic
def policy_create(
    *, policy: SocialInsurancePolicy, rates: Rates, close_previous: bool = False
) -> SocialInsurancePolicy:
    """A city's policy for a new period. With `close_previous`, the city's policy that is still
    running when this one starts ends the day before (unless a finalised run used it after)."""
    _validate_policy(policy, rates)
    if close_previous:
        previous = (
            SocialInsurancePolicy.objects.select_for_update()
            .filter(city=policy.city, effective_from__lt=policy.effective_from)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=policy.effective_from))
            .first()
        )
        if previous is not None:
            last = policy_finalised_through(city=previous.city, start=policy.effective_from, end=previous.effective_to)
            if last is not None:
                raise ValidationError(
                    {
                        "effective_from": _(
                            "%(period)s was paid with the policy %(name)s in a finalised pay run; the new policy must start after it."
                        )
                        % {"period": last.strftime("%Y-%m"), "name": previous.name}
                    }
                )
            previous.effective_to = policy.effective_from - timedelta(days=1)
            previous.save(update_fields=["effective_to"])
    return _store_policy(policy, rates)


@transaction.atomic
def policy_update(*, policy: SocialInsurancePolicy, rates: Rates) -> SocialInsurancePolicy:
    """Correct a policy no finalised pay run has used; otherwise HR creates a new policy."""
    before = SocialInsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    _refuse_if_policy_used(before.city, before.effective_from, before.effective_to)
    _validate_policy(policy, rates)
    _refuse_if_policy_used(policy.city, policy.effective_from, policy.effective_to)
    return _store_policy(policy, rates)


def policy_rates(policy: SocialInsurancePolicy) -> Rates:
    return {r.scheme: (r.employee_rate, r.employer_rate) for r in policy.rates.all()}

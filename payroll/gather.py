"""Gather everything a chunk of employees needs for a month's pay, in a fixed number of queries,
and turn it into the engine's dataclasses. No per-employee query."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q

from employees.models import Employee

from .choices import LOCKED_STATUSES, Scheme
from .engine import china
from .engine.formula import FormulaError, compile_formula, dependency_order, gettext_noop
from .engine.payslip import Adjustment, ComponentSpec, PayInput, StructureSpec
from .engine.problems import describe, problem
from .models import (
    AssignmentItem,
    InputDefinition,
    PayAdjustment,
    PayAssignment,
    PaySlip,
    PeriodInput,
    SalaryStructure,
    SocialInsurancePolicy,
    TaxDeclaration,
)

ANNUAL_BONUS_INPUT = "年终奖"  # reserved input code: the annual one-time bonus (taxed separately by default)


def month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def in_scope_employees(period: date, department_paths: list[str] | None) -> list[int]:
    """Employees paid for the month: hired by its end, not gone before it started."""
    end = month_end(period)
    qs = Employee.objects.filter(Q(hire_date__isnull=True) | Q(hire_date__lte=end)).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gte=period)
    )
    qs = qs.exclude(status="left", leave_date__isnull=True)
    if department_paths:
        cond = Q()
        for path in department_paths:
            cond |= Q(department__path__startswith=path)
        qs = qs.filter(cond)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def load_structure(structure: SalaryStructure) -> StructureSpec:
    """Compile the structure's formulas once and order its components by their references.
    Raises FormulaError for a bad formula or a circular reference."""
    lines = list(structure.lines.select_related("component"))
    compiled = {}
    for line in lines:
        if line.formula:
            compiled[line.component.code] = compile_formula(line.formula)
    order = dependency_order(
        {code: f.references for code, f in compiled.items()}
        | {line.component.code: frozenset() for line in lines if not line.formula}
    )
    by_code = {line.component.code: line for line in lines}
    specs = []
    for code in order:
        line = by_code[code]
        c = line.component
        specs.append(
            ComponentSpec(
                code=c.code,
                name=c.name,
                kind=c.kind,
                taxable=c.taxable,
                variable=c.variable,
                rounding=c.rounding,
                display_order=c.display_order,
                amount=line.amount,
                formula=compiled.get(code),
                formula_text=line.formula,
            )
        )
    return StructureSpec(tuple(specs))


def policy_dataclass(policy: SocialInsurancePolicy) -> china.Policy:
    return china.Policy(
        city=policy.city,
        si_floor=policy.si_floor,
        si_ceiling=policy.si_ceiling,
        hf_floor=policy.hf_floor,
        hf_ceiling=policy.hf_ceiling,
        si_rounding=policy.si_rounding,
        hf_rounding=policy.hf_rounding,
        rates=tuple(
            china.SchemeRate(r.scheme, r.employee_rate, r.employer_rate, r.scheme == Scheme.HOUSING_FUND)
            for r in policy.rates.all()
        ),
    )


def declaration_dataclass(d: TaxDeclaration) -> china.Declaration:
    return china.Declaration(
        children=d.children,
        child_share=d.child_share,
        infants=d.infants,
        infant_share=d.infant_share,
        continuing_education=d.continuing_education,
        vocational_certificate_this_year=d.vocational_certificate_month is not None,
        housing_loan=d.housing_loan,
        housing_loan_share=d.housing_loan_share,
        rent_city_class=d.rent_city_class,
        elderly_only_child=d.elderly_only_child,
        elderly_share=d.elderly_share,
    )


# why an employee gets no calculated slip (English source texts, translated where shown)
NO_ASSIGNMENT = gettext_noop("No pay assignment for this month.")
BAD_STRUCTURE = gettext_noop("Salary structure: %(error)s")
NO_POLICY = gettext_noop("No social insurance policy for the city “%(city)s” in %(month)s.")


class AssignmentRow(NamedTuple):
    pk: int
    employee_id: int
    structure_id: int
    base_salary: Decimal
    si_policy_city: str
    si_base: Decimal | None
    first_income_this_year: bool
    prior_year_low_income: bool
    merge_annual_bonus: bool


@dataclass
class Gathered:
    inputs: list[PayInput]
    errors: dict[int, dict]  # employee id -> why no slip could be calculated (engine.problems)
    departments: dict[int, int | None]


def gather(period: date, employee_ids: list[int], structure_cache: dict | None = None) -> Gathered:
    end = month_end(period)
    year, month = period.year, period.month
    structure_cache = {} if structure_cache is None else structure_cache
    employees = {
        e["pk"]: e
        for e in Employee.objects.filter(pk__in=employee_ids).values(
            "pk", "department_id", "location__city", "department__location__city", "hire_date"
        )
    }
    # plain tuples rather than model instances: this runs for every chunk of a 10,000-person run
    assignments: dict[int, AssignmentRow] = {}
    for row in (
        PayAssignment.objects.filter(employee_id__in=employee_ids, effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=period))
        .order_by("employee_id", "effective_from")
        .values_list(*AssignmentRow._fields)
    ):
        a = AssignmentRow(*row)
        assignments[a.employee_id] = a  # the latest one effective in the month
    items: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for assignment_id, code, amount in AssignmentItem.objects.filter(
        assignment_id__in=[a.pk for a in assignments.values()]
    ).values_list("assignment_id", "component__code", "amount"):
        items[assignment_id][code] = amount
    defaults = dict(InputDefinition.objects.filter(is_active=True).values_list("code", "default"))
    inputs: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict(defaults))
    for employee_id, code, value in PeriodInput.objects.filter(employee_id__in=employee_ids, period=period).values_list(
        "employee_id", "definition__code", "value"
    ):
        inputs[employee_id][code] = value
    policies = {
        p.city: policy_dataclass(p)
        for p in SocialInsurancePolicy.objects.filter(effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=end))
        .prefetch_related("rates")
    }
    declarations = {d.employee_id: d for d in TaxDeclaration.objects.filter(employee_id__in=employee_ids, year=year)}
    previous = {}
    for row in (
        PaySlip.objects.filter(
            employee_id__in=employee_ids,
            period__year=year,
            period__lt=period,
            status="ok",
            run__status__in=LOCKED_STATUSES,
        )
        .order_by("employee_id", "-period")
        .distinct("employee_id")
        .values_list(
            "employee_id",
            "ytd_income",
            "ytd_exempt",
            "ytd_special",
            "ytd_additional",
            "ytd_other",
            "ytd_basic",
            "ytd_tax",
        )
    ):
        previous[row[0]] = china.IitYtd(*row[1:])
    adjustments: dict[int, list[Adjustment]] = defaultdict(list)
    for adj in PayAdjustment.objects.filter(employee_id__in=employee_ids, period=period).order_by("pk"):
        adjustments[adj.employee_id].append(Adjustment(adj.amount, adj.taxable, adj.reason))

    out, errors, departments = [], {}, {}
    for emp_id in employee_ids:
        e = employees.get(emp_id)
        if e is None:
            continue
        departments[emp_id] = e["department_id"]
        a = assignments.get(emp_id)
        if a is None:
            errors[emp_id] = problem(NO_ASSIGNMENT)
            continue
        if a.structure_id not in structure_cache:
            try:
                structure_cache[a.structure_id] = load_structure(SalaryStructure.objects.get(pk=a.structure_id))
            except FormulaError as exc:
                structure_cache[a.structure_id] = exc
        structure = structure_cache[a.structure_id]
        if isinstance(structure, FormulaError):
            errors[emp_id] = problem(BAD_STRUCTURE, error=describe(structure))
            continue
        city = a.si_policy_city or e["location__city"] or e["department__location__city"] or ""
        policy = policies.get(city)
        if policy is None:
            errors[emp_id] = problem(NO_POLICY, city=city or "?", month=f"{period:%Y-%m}")
            continue
        hire = e["hire_date"]
        start_month = hire.month if hire and hire.year == year else 1
        emp_inputs = inputs[emp_id]
        declaration = declarations.get(emp_id)
        out.append(
            PayInput(
                employee_id=emp_id,
                month=month,
                base_salary=a.base_salary,
                structure=structure,
                items=items.get(a.pk, {}),
                inputs=emp_inputs,
                policy=policy,
                si_base=a.si_base,
                declaration=declaration_dataclass(declaration) if declaration else None,
                certificate_this_month=bool(declaration and declaration.vocational_certificate_month == month),
                previous_ytd=previous.get(emp_id, china.IitYtd()),
                basic_deduction_ytd=china.basic_deduction_ytd(
                    month,
                    start_month=start_month,
                    first_income_this_year=a.first_income_this_year,
                    prior_year_low_income=a.prior_year_low_income,
                ),
                adjustments=tuple(adjustments.get(emp_id, ())),
                annual_bonus=emp_inputs.get(ANNUAL_BONUS_INPUT, Decimal("0")),
                merge_annual_bonus=a.merge_annual_bonus,
            )
        )
    return Gathered(out, errors, departments)

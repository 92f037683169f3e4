"""The pay calculation of one employee for one month: dataclasses in, dataclasses out.

No ORM and no clock: `payroll.services.runs` gathers every input once for a chunk of employees,
calls `calculate()` per employee and stores the results. The order of work:

1. the structure's components, evaluated in dependency order (worked out from the formulas'
   references when the structure is loaded), each rounded by its own rule; an assignment item
   replaces the structure's amount for that component;
2. adjustments and the annual bonus;
3. social insurance and housing fund by the city policy (pre-tax, employee and employer);
4. income tax by cumulative withholding, and the annual bonus taxed separately unless the employee
   chose to merge it into wages;
5. post-tax deductions and net pay.

A formula fault (division by zero, a value out of bounds) stops this employee's slip with a
clear message; the run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from .china import (
    Declaration,
    IitYtd,
    Policy,
    annual_bonus_tax,
    annual_certificate_deduction,
    contributions,
    iit_month,
    monthly_additional_deduction,
)
from .formula import Formula, FormulaError, gettext_noop
from .money import money, round_to
from .problems import describe, problem, render

ZERO = Decimal("0")
BASE_SALARY_NAMES = ("base_salary", "基本工资")
BASE_LINE_CODE = "基本工资"

EARNING, DEDUCTION, EMPLOYER_COST, INFO = "earning", "deduction", "employer_cost", "info"
COMPONENT, SYSTEM, ADJUSTMENT = "component", "system", "adjustment"

# statutory line codes and their Chinese names (the slip shows them as they appear on Chinese payslips)
SCHEME_NAMES = {
    "pension": "养老保险",
    "medical": "医疗保险",
    "unemployment": "失业保险",
    "work_injury": "工伤保险",
    "maternity": "生育保险",
    "housing_fund": "住房公积金",
}


@dataclass(frozen=True)
class ComponentSpec:
    code: str
    name: str
    kind: str
    taxable: bool
    variable: bool
    rounding: str
    display_order: int
    amount: Decimal | None = None
    formula: Formula | None = None
    formula_text: str = ""


@dataclass(frozen=True)
class StructureSpec:
    """A structure's components in evaluation (dependency) order."""

    components: tuple[ComponentSpec, ...]

    @cached_property
    def fixed_codes(self) -> frozenset[str]:
        """Earnings in the default contribution base: the fixed (non-variable) ones."""
        return frozenset(c.code for c in self.components if c.kind == EARNING and not c.variable)

    @cached_property
    def variable_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.components if c.kind == EARNING and c.variable)


@dataclass(frozen=True)
class Adjustment:
    amount: Decimal
    taxable: bool
    reason: str


@dataclass(frozen=True)
class PayInput:
    employee_id: int
    month: int
    base_salary: Decimal
    structure: StructureSpec
    items: Mapping[str, Decimal] = field(default_factory=dict)
    inputs: Mapping[str, Decimal] = field(default_factory=dict)
    policy: Policy | None = None
    si_base: Decimal | None = None
    declaration: Declaration | None = None
    certificate_this_month: bool = False
    previous_ytd: IitYtd = field(default_factory=lambda: IitYtd())
    basic_deduction_ytd: Decimal = ZERO
    adjustments: tuple[Adjustment, ...] = ()
    annual_bonus: Decimal = ZERO
    merge_annual_bonus: bool = False


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    kind: str
    source: str
    taxable: bool
    amount: Decimal
    formula: str = ""
    inputs: Mapping[str, str] = field(default_factory=dict)
    explanation: str = ""
    display_order: int = 100


@dataclass(frozen=True)
class SlipResult:
    ok: bool
    error: str = ""  # in English, for the record
    problem: Mapping[str, object] | None = None  # the same as data, to be shown translated (engine.problems)
    lines: tuple[Line, ...] = ()
    gross: Decimal = ZERO
    taxable_income: Decimal = ZERO
    si_employee: Decimal = ZERO
    hf_employee: Decimal = ZERO
    other_deductions: Decimal = ZERO
    iit: Decimal = ZERO
    bonus_tax: Decimal = ZERO
    net: Decimal = ZERO
    employer_cost: Decimal = ZERO
    fixed_pay: Decimal = ZERO
    variable_pay: Decimal = ZERO
    ytd: IitYtd | None = None
    ytd_taxable: Decimal = ZERO


# English source texts of a slip's problems (engine.problems), translated where they are shown
COMPONENT_FAILED = gettext_noop("%(component)s: %(error)s")
DECLARATION_FAILED = gettext_noop("Tax declaration: %(error)s")


class SlipError(Exception):
    def __init__(self, item: dict):
        super().__init__(render(item))
        self.problem = item


def calculate(p: PayInput) -> SlipResult:
    try:
        return _calculate(p)
    except SlipError as exc:
        return SlipResult(ok=False, error=str(exc), problem=exc.problem)


def _calculate(p: PayInput) -> SlipResult:
    variables: dict[str, Decimal] = dict(p.inputs)
    for name in BASE_SALARY_NAMES:
        variables[name] = p.base_salary
    base = round_to(p.base_salary, "fen")
    lines: list[Line] = [Line(BASE_LINE_CODE, "基本工资", EARNING, SYSTEM, True, base, display_order=1)]

    # 1. components in dependency order
    for spec in p.structure.components:
        explanation = ""
        used: dict[str, str] = {}
        if spec.code in p.items:
            value = p.items[spec.code]
            explanation = "assignment"
        elif spec.formula is not None:
            try:
                value = spec.formula.evaluate(variables)
            except FormulaError as exc:
                raise SlipError(problem(COMPONENT_FAILED, component=spec.code, error=describe(exc))) from exc
            used = {name: str(variables[name]) for name in sorted(spec.formula.references) if name in variables}
        else:
            value = spec.amount if spec.amount is not None else ZERO
        value = round_to(value, spec.rounding)
        variables[spec.code] = value
        if value == 0:
            continue  # a zero line says nothing on a payslip
        lines.append(
            Line(
                spec.code,
                spec.name,
                spec.kind,
                COMPONENT,
                spec.taxable,
                value,
                spec.formula_text,
                used,
                explanation,
                spec.display_order,
            )
        )

    # 2. adjustments and the annual bonus
    for i, adj in enumerate(p.adjustments):
        lines.append(
            Line(
                f"ADJ{i + 1}",
                "调整",
                EARNING,
                ADJUSTMENT,
                adj.taxable,
                money(adj.amount),
                explanation=adj.reason[:300],
                display_order=800 + i,
            )
        )
    bonus = money(p.annual_bonus)
    if bonus:
        how = "merged into wages" if p.merge_annual_bonus else "taxed separately"
        lines.append(
            Line(
                "ANNUAL_BONUS",
                "全年一次性奖金",
                EARNING,
                SYSTEM,
                p.merge_annual_bonus,
                bonus,
                explanation=how,
                display_order=850,
            )
        )

    earnings = [ln for ln in lines if ln.kind == EARNING]
    gross = money(sum((ln.amount for ln in earnings), ZERO))
    taxable_earnings = sum((ln.amount for ln in earnings if ln.taxable and ln.code != "ANNUAL_BONUS"), ZERO)
    if bonus and p.merge_annual_bonus:
        taxable_earnings += bonus
    pre_tax = sum((ln.amount for ln in lines if ln.kind == DEDUCTION and ln.taxable), ZERO)
    post_tax = sum((ln.amount for ln in lines if ln.kind == DEDUCTION and not ln.taxable), ZERO)
    component_employer = sum((ln.amount for ln in lines if ln.kind == EMPLOYER_COST), ZERO)
    fixed_codes = p.structure.fixed_codes
    fixed_items = base + sum((ln.amount for ln in earnings if ln.source == COMPONENT and ln.code in fixed_codes), ZERO)

    # 3. social insurance and housing fund
    si_employee = hf_employee = employer_si = ZERO
    if p.policy is not None:
        wage = p.si_base if p.si_base is not None else money(fixed_items)
        for c in contributions(p.policy, si_base_wage=wage, hf_base_wage=wage):
            name = SCHEME_NAMES.get(c.scheme, c.scheme)
            if c.employee:
                lines.append(
                    Line(
                        f"SI_{c.scheme}".upper(),
                        f"{name}（个人）",
                        DEDUCTION,
                        SYSTEM,
                        True,
                        c.employee,
                        inputs={"base": str(c.base)},
                        display_order=900,
                    )
                )
            if c.employer:
                lines.append(
                    Line(
                        f"ER_{c.scheme}".upper(),
                        f"{name}（单位）",
                        EMPLOYER_COST,
                        SYSTEM,
                        False,
                        c.employer,
                        inputs={"base": str(c.base)},
                        display_order=950,
                    )
                )
            if c.housing_fund:
                hf_employee += c.employee
            else:
                si_employee += c.employee
            employer_si += c.employer

    # 4. income tax
    taxable_income = money(taxable_earnings - pre_tax)
    try:
        additional = monthly_additional_deduction(p.declaration) if p.declaration else ZERO
    except ValueError as exc:
        raise SlipError(problem(DECLARATION_FAILED, error=describe(exc))) from exc
    if p.declaration is not None and p.certificate_this_month:
        additional += annual_certificate_deduction(p.declaration)
    basic_this_month = p.basic_deduction_ytd - p.previous_ytd.basic_deduction
    step = iit_month(
        p.previous_ytd,
        income=taxable_income,
        exempt=ZERO,
        special=si_employee + hf_employee,
        additional=additional,
        other=ZERO,
        basic_deduction_this_month=basic_this_month,
    )
    iit = step.tax
    iit_inputs = {
        "ytd_taxable": str(step.taxable_ytd),
        "rate": str(step.rate),
        "quick_deduction": str(step.quick_deduction),
        "ytd_tax_before": str(p.previous_ytd.tax_withheld),
        "additional_deduction": str(additional),
        "basic_deduction": str(basic_this_month),
    }
    lines.append(
        Line(
            "IIT",
            "个人所得税",
            DEDUCTION,
            SYSTEM,
            False,
            iit,
            inputs=iit_inputs,
            explanation="cumulative withholding",
            display_order=980,
        )
    )
    bonus_tax = ZERO
    if bonus and not p.merge_annual_bonus:
        bonus_tax = annual_bonus_tax(bonus)
        lines.append(Line("BONUS_TAX", "全年一次性奖金个税", DEDUCTION, SYSTEM, False, bonus_tax, display_order=985))

    # 5. net pay
    deductions = si_employee + hf_employee + pre_tax + post_tax + iit + bonus_tax
    net = money(gross - deductions)
    variable_codes = p.structure.variable_codes
    variable = sum((ln.amount for ln in earnings if ln.source == COMPONENT and ln.code in variable_codes), ZERO) + bonus
    return SlipResult(
        ok=True,
        lines=tuple(lines),
        gross=gross,
        taxable_income=taxable_income,
        si_employee=money(si_employee),
        hf_employee=money(hf_employee),
        other_deductions=money(pre_tax + post_tax),
        iit=iit,
        bonus_tax=bonus_tax,
        net=net,
        employer_cost=money(employer_si + component_employer),
        fixed_pay=money(gross - variable),
        variable_pay=money(variable),
        ytd=step.ytd,
        ytd_taxable=step.taxable_ytd,
    )

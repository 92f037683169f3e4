"""Chinese payroll rules as pure functions: Decimal in, Decimal out, frozen dataclasses, no clock.

Every amount is rounded in `payroll.engine.money` (half-up); nothing here imports Django, reads the
database or asks for today's date, so each rule can be checked against its source with a table of
cases (tests/payroll/test_china.py). Amounts are yuan (CNY) as `Decimal`; ints are accepted,
floats are refused with TypeError.

The rules and where HR can check them
=====================================

1. Individual income tax on wages, cumulative withholding (累计预扣法) — `iit_month`, `iit_withholding`
   《中华人民共和国个人所得税法》(2018年修正) 第六条 (basic deduction 60,000 a year) and 第十一条;
   国家税务总局公告2018年第61号《个人所得税扣缴申报管理办法（试行）》第六条 and its annex
   《个人所得税预扣率表一（居民个人工资、薪金所得预扣预缴适用）》.

       累计预扣预缴应纳税所得额 = 累计收入 − 累计免税收入 − 累计减除费用 − 累计专项扣除
                                − 累计专项附加扣除 − 累计依法确定的其他扣除
       本期应预扣预缴税额 = (累计预扣预缴应纳税所得额 × 预扣率 − 速算扣除数) − 累计已预扣预缴税额

   "累计减除费用" is 5,000 × the months counted, with two official variants:
   - 国家税务总局公告2020年第13号《关于完善调整部分纳税人个人所得税预扣预缴方法的公告》:
     someone whose first wage income of the year comes from this employer counts from January
     (`deduction_months_for`, first_income_this_year=True); otherwise the months counted are the
     months employed at this employer this year (公告2018年第61号).
   - 国家税务总局公告2020年第19号《关于进一步简便优化部分纳税人个人所得税预扣预缴方法的公告》:
     an employee who was withheld by the same employer in every month of the previous year and
     whose wages that year were at most 60,000 gets the whole 60,000 from January
     (`basic_deduction_ytd`, prior_year_low_income=True).
   When this month's result is negative it is 0: 61号 says "余额为负值时，暂不退税"; the excess
   already withheld is absorbed by later months and settled at the annual reconciliation (汇算清缴).

2. Special additional deductions (专项附加扣除) — `Declaration`, `monthly_additional_deduction`
   国务院《个人所得税专项附加扣除暂行办法》(国发〔2018〕41号); 3岁以下婴幼儿照护 added by
   国发〔2022〕8号; amounts raised from 2023-01-01 by 《国务院关于提高个人所得税有关专项附加扣除标准的通知》
   (国发〔2023〕13号); declared to the employer as in 国家税务总局公告2018年第60号《个人所得税专项附加扣除
   操作办法（试行）》. Serious-illness medical expenses (大病医疗) are only claimed at the annual
   reconciliation and are therefore not here.

3. Annual one-time bonus taxed separately (全年一次性奖金单独计税) — `annual_bonus_tax`
   财政部 税务总局《关于个人所得税法修改后有关优惠政策衔接问题的通知》(财税〔2018〕164号) 第一条第（一）项,
   using 《按月换算后的综合所得税率表》; extended to 2027-12-31 by 财政部 税务总局公告2023年第30号.
   The method may be used once per employee per tax year; the employee may instead have the
   bonus added to the year's wages.

4. Social insurance and housing fund (社会保险、住房公积金) — `Policy`, `contributions`
   《中华人民共和国社会保险法》第十二条、第二十三条、第三十五条、第四十四条、第五十三条 (who pays which scheme);
   《住房公积金管理条例》第十六条、第十八条 (base: last year's average monthly wage; rate at least 5%).
   Floors, ceilings, rates and rounding are set by each city every year (usually from July), so
   they are effective-dated data that HR maintains; `SHANGHAI_2025` and `BEIJING_2025` are examples
   built from ../shared/data/cn-social-insurance.md.

5. Overtime pay (加班工资) — `overtime_pay`, `daily_wage`, `hourly_wage`
   《中华人民共和国劳动法》第四十四条 (150% on workdays, 200% on rest days without time off in lieu,
   300% on statutory holidays); 劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》
   (劳社部发〔2008〕3号): 21.75 pay days a month, hourly wage = monthly wage ÷ (21.75 × 8) = ÷ 174.

6. Economic compensation on termination (经济补偿) — `economic_compensation_detail`
   《中华人民共和国劳动合同法》第四十六条、第四十七条 (N) and 第四十条 (+1, 代通知金);
   《中华人民共和国劳动合同法实施条例》第二十条 (the extra month is paid at the previous month's wage)
   and 第二十七条 (the monthly wage is the average of the last 12 months' wages due, including
   bonuses, allowances and subsidies; if it is below the local minimum wage, the minimum wage is
   used — the caller passes that figure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .money import ROUNDING_RULES, as_decimal, money, round_to

ZERO = Decimal(0)
ONE = Decimal(1)
HALF = Decimal("0.5")

# ---------------------------------------------------------------------------------------------
# 1. Individual income tax: cumulative withholding on wages
# ---------------------------------------------------------------------------------------------

BASIC_DEDUCTION_MONTHLY = Decimal(5000)  # 个人所得税法 第六条: 60,000 a year
LOW_INCOME_BASIC_DEDUCTION = Decimal(60000)  # 公告2020年第19号: the whole year's deduction from January
LOW_INCOME_THRESHOLD = Decimal(60000)  # ... for prior-year wages at most this at the same employer


@dataclass(frozen=True)
class TaxBracket:
    """One row of a progressive table: applies up to `upper` inclusive (None: no upper bound)."""

    upper: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


# 个人所得税预扣率表一 (= 综合所得税率表), on the year-to-date taxable income
ANNUAL_BRACKETS: tuple[TaxBracket, ...] = (
    TaxBracket(Decimal(36000), Decimal("0.03"), Decimal(0)),
    TaxBracket(Decimal(144000), Decimal("0.10"), Decimal(2520)),
    TaxBracket(Decimal(300000), Decimal("0.20"), Decimal(16920)),
    TaxBracket(Decimal(420000), Decimal("0.25"), Decimal(31920)),
    TaxBracket(Decimal(660000), Decimal("0.30"), Decimal(52920)),
    TaxBracket(Decimal(960000), Decimal("0.35"), Decimal(85920)),
    TaxBracket(None, Decimal("0.45"), Decimal(181920)),
)

# 按月换算后的综合所得税率表, for the annual one-time bonus (looked up with bonus ÷ 12)
MONTHLY_BRACKETS: tuple[TaxBracket, ...] = (
    TaxBracket(Decimal(3000), Decimal("0.03"), Decimal(0)),
    TaxBracket(Decimal(12000), Decimal("0.10"), Decimal(210)),
    TaxBracket(Decimal(25000), Decimal("0.20"), Decimal(1410)),
    TaxBracket(Decimal(35000), Decimal("0.25"), Decimal(2660)),
    TaxBracket(Decimal(55000), Decimal("0.30"), Decimal(4410)),
    TaxBracket(Decimal(80000), Decimal("0.35"), Decimal(7160)),
    TaxBracket(None, Decimal("0.45"), Decimal(15160)),
)


def _bracket(table: tuple[TaxBracket, ...], amount: Decimal, scale: Decimal = ONE) -> TaxBracket:
    """The row of `table` whose (upper × scale) is the first at or above `amount`.

    Scaling the bound (rather than dividing the amount) keeps the comparison exact: the bonus
    table is looked up with bonus ÷ 12, i.e. bonus ≤ upper × 12.
    """
    for row in table:
        if row.upper is None or amount <= row.upper * scale:
            return row
    raise AssertionError("the last bracket has no upper bound")  # pragma: no cover


def annual_bracket(taxable_ytd: Decimal) -> TaxBracket:
    """Rate and quick deduction for a year-to-date taxable income (预扣率表一)."""
    return _bracket(ANNUAL_BRACKETS, as_decimal(taxable_ytd, "taxable_ytd"))


@dataclass(frozen=True)
class IitYtd:
    """Year-to-date figures at one employer, as stored on the latest payslip of the tax year.

    `IitYtd()` is the start of the year. `basic_deduction` is the cumulative 减除费用 (5,000 × the
    months counted, or 60,000 under 公告2020年第19号); `tax_withheld` is what was actually withheld.
    """

    income: Decimal = ZERO
    exempt: Decimal = ZERO
    special: Decimal = ZERO  # 专项扣除: employee social insurance and housing fund
    additional: Decimal = ZERO  # 专项附加扣除
    other: Decimal = ZERO  # 依法确定的其他扣除 (enterprise annuity, commercial health insurance, ...)
    basic_deduction: Decimal = ZERO
    tax_withheld: Decimal = ZERO

    @property
    def taxable(self) -> Decimal:
        """累计预扣预缴应纳税所得额; below zero counts as zero."""
        amount = self.income - self.exempt - self.basic_deduction - self.special - self.additional - self.other
        return max(amount, ZERO)


@dataclass(frozen=True)
class IitStep:
    """One month of cumulative withholding, with what a payslip needs to explain it."""

    ytd: IitYtd  # year to date after this month (tax_withheld includes `tax`)
    tax: Decimal  # withheld this month, never negative
    taxable_ytd: Decimal  # 累计预扣预缴应纳税所得额
    rate: Decimal  # 预扣率
    quick_deduction: Decimal  # 速算扣除数
    tax_due_ytd: Decimal  # taxable_ytd × rate − quick_deduction, rounded to the fen
    excess_withheld: Decimal  # withheld so far beyond tax_due_ytd, absorbed by later months (0 usually)


def iit_month(
    previous: IitYtd,
    *,
    income: Decimal,
    special: Decimal,
    additional: Decimal,
    basic_deduction_this_month: Decimal,
    exempt: Decimal = ZERO,
    other: Decimal = ZERO,
) -> IitStep:
    """This month's withholding from last month's year-to-date figures (公告2018年第61号 第六条).

    `basic_deduction_this_month` is the increase of the cumulative basic deduction: 5,000 in an
    ordinary month, 5,000 × months counted in an employee's first month under 公告2020年第13号,
    60,000 in January and 0 afterwards under 公告2020年第19号 (see `basic_deduction_ytd`; pass
    `basic_deduction_ytd(...) - previous.basic_deduction`). Other amounts are this month's figures,
    in fen; they may be negative to correct an earlier month.
    """
    basic = as_decimal(basic_deduction_this_month, "basic_deduction_this_month")
    if basic < 0:
        raise ValueError("basic_deduction_this_month must not be negative")
    ytd = IitYtd(
        income=previous.income + as_decimal(income, "income"),
        exempt=previous.exempt + as_decimal(exempt, "exempt"),
        special=previous.special + as_decimal(special, "special"),
        additional=previous.additional + as_decimal(additional, "additional"),
        other=previous.other + as_decimal(other, "other"),
        basic_deduction=previous.basic_deduction + basic,
        tax_withheld=previous.tax_withheld,
    )
    taxable = ytd.taxable
    row = annual_bracket(taxable)
    tax_due = max(money(taxable * row.rate - row.quick_deduction), ZERO)
    tax = max(tax_due - previous.tax_withheld, ZERO)
    withheld = previous.tax_withheld + tax
    return IitStep(
        ytd=replace(ytd, tax_withheld=withheld),
        tax=tax,
        taxable_ytd=taxable,
        rate=row.rate,
        quick_deduction=row.quick_deduction,
        tax_due_ytd=tax_due,
        excess_withheld=max(withheld - tax_due, ZERO),
    )


_MONTH_KEYS = frozenset({"income", "exempt", "special", "additional", "other"})


def iit_withholding(
    months: Sequence[Mapping[str, Decimal]],
    *,
    deduction_months: Sequence[int] | None = None,
) -> list[Decimal]:
    """Tax withheld in each month of a tax year at one employer, from January (or the first month
    employed) onwards.

    Each month is a mapping with `income`, `special`, `additional` and optionally `exempt`, `other`
    (this month's amounts). `deduction_months[i]` is how many months of the 5,000 basic deduction
    month i counts in total (default i + 1; see `deduction_months_for`; 12 in every month for the
    60,000 up-front deduction). Built on `iit_month`, so a year replayed here and a year run month
    by month from stored figures agree.
    """
    if len(months) > 12:
        raise ValueError("a tax year has at most 12 months")
    counted = list(deduction_months) if deduction_months is not None else list(range(1, len(months) + 1))
    if len(counted) != len(months):
        raise ValueError("deduction_months must have one entry per month")
    state = IitYtd()
    taxes: list[Decimal] = []
    for i, (month, n) in enumerate(zip(months, counted, strict=True)):
        unknown = set(month) - _MONTH_KEYS
        if unknown:
            raise ValueError(f"month {i + 1}: unknown keys {sorted(unknown)}")
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 12:
            raise ValueError(f"month {i + 1}: deduction_months must be an int from 0 to 12")
        step = iit_month(
            state,
            income=month["income"],
            special=month["special"],
            additional=month["additional"],
            exempt=month.get("exempt", ZERO),
            other=month.get("other", ZERO),
            basic_deduction_this_month=BASIC_DEDUCTION_MONTHLY * n - state.basic_deduction,
        )
        taxes.append(step.tax)
        state = step.ytd
    return taxes


def deduction_months_for(month: int, *, start_month: int, first_income_this_year: bool) -> int:
    """Months of the 5,000 basic deduction counted in `month` (1–12) of the tax year.

    `start_month` is the month employment at this employer began in this tax year (1 for anyone
    employed since before January). Someone whose first wage income of the year is from this
    employer (a graduate's first job, someone who did not work earlier in the year) counts from
    January (公告2020年第13号); anyone else counts the months employed here (公告2018年第61号).
    """
    if not 1 <= start_month <= month <= 12:
        raise ValueError("expected 1 <= start_month <= month <= 12")
    if first_income_this_year:
        return month
    return month - start_month + 1


def basic_deduction_ytd(
    month: int, *, start_month: int, first_income_this_year: bool, prior_year_low_income: bool
) -> Decimal:
    """Cumulative basic deduction (累计减除费用) in `month` of the tax year.

    `prior_year_low_income`: the employee was withheld by this employer in every month of the
    previous year and their wages there were at most 60,000 (公告2020年第19号). Then the whole
    60,000 is deducted from January, so no tax is withheld until the year's income passes it; this
    needs employment from January (start_month 1), anything else is refused. Otherwise
    5,000 × `deduction_months_for(...)`.
    """
    if prior_year_low_income:
        if start_month != 1:
            raise ValueError("the 60,000 up-front deduction requires employment at this employer since January")
        if not 1 <= month <= 12:
            raise ValueError("month must be from 1 to 12")
        return LOW_INCOME_BASIC_DEDUCTION
    return BASIC_DEDUCTION_MONTHLY * deduction_months_for(
        month, start_month=start_month, first_income_this_year=first_income_this_year
    )


# ---------------------------------------------------------------------------------------------
# 2. Special additional deductions (专项附加扣除), 2023 standards
# ---------------------------------------------------------------------------------------------

CHILD_EDUCATION_MONTHLY = Decimal(2000)  # per child (子女教育)
INFANT_CARE_MONTHLY = Decimal(2000)  # per child under three (3岁以下婴幼儿照护)
CONTINUING_EDUCATION_MONTHLY = Decimal(400)  # academic continuing education (学历（学位）继续教育)
VOCATIONAL_CERTIFICATE_ANNUAL = Decimal(3600)  # in the year a vocational certificate is obtained
HOUSING_LOAN_MONTHLY = Decimal(1000)  # first-home loan interest (住房贷款利息)
HOUSING_RENT_MONTHLY: Mapping[int, Decimal] = {  # 住房租金 by city class
    1: Decimal(1500),  # municipalities, provincial capitals, cities specifically designated in the plan
    2: Decimal(1100),  # other cities with a registered population above 1 million
    3: Decimal(800),  # cities with a registered population of 1 million or less
}
ELDERLY_ONLY_CHILD_MONTHLY = Decimal(3000)  # 赡养老人, only child
ELDERLY_SHARE_MAX_MONTHLY = Decimal(1500)  # 赡养老人, each sibling's agreed share at most
SHARES = frozenset({ONE, HALF})  # one parent 100% or each 50%; loan: one spouse 100% or each 50%


@dataclass(frozen=True)
class Declaration:
    """An employee's declaration of special additional deductions for the year.

    Shares are 1 (this employee deducts all) or 0.5 (split with the other parent or spouse).
    `rent_city_class` is 0 (no rent deduction) or 1/2/3. `elderly_share` is the monthly amount
    agreed among siblings (at most 1,500) and is ignored for an only child, who gets 3,000.
    """

    children: int = 0
    child_share: Decimal = ONE
    infants: int = 0
    infant_share: Decimal = ONE
    continuing_education: bool = False
    vocational_certificate_this_year: bool = False
    housing_loan: bool = False
    housing_loan_share: Decimal = ONE
    rent_city_class: int = 0
    elderly_only_child: bool = False
    elderly_share: Decimal = ZERO


def validate_declaration(d: Declaration) -> list[str]:
    """Error codes for a declaration that cannot be applied as it stands (empty: valid).

    Codes: children_negative, infants_negative, child_share_invalid, infant_share_invalid,
    housing_loan_share_invalid, housing_loan_and_rent (国发〔2018〕41号 第二十三条: not both in
    the same year), rent_city_class_invalid, elderly_share_negative, elderly_share_over_limit
    (a non-only child's share above 1,500), elderly_share_with_only_child (an only child takes
    3,000 alone; a share next to it is a data-entry mistake).
    """
    errors: list[str] = []
    if d.children < 0:
        errors.append("children_negative")
    if d.infants < 0:
        errors.append("infants_negative")
    if d.child_share not in SHARES:
        errors.append("child_share_invalid")
    if d.infant_share not in SHARES:
        errors.append("infant_share_invalid")
    if d.housing_loan_share not in SHARES:
        errors.append("housing_loan_share_invalid")
    if d.housing_loan and d.rent_city_class:
        errors.append("housing_loan_and_rent")
    if d.rent_city_class not in (0, *HOUSING_RENT_MONTHLY):
        errors.append("rent_city_class_invalid")
    if d.elderly_share < 0:
        errors.append("elderly_share_negative")
    if d.elderly_only_child:
        if d.elderly_share:
            errors.append("elderly_share_with_only_child")
    elif d.elderly_share > ELDERLY_SHARE_MAX_MONTHLY:
        errors.append("elderly_share_over_limit")
    return errors


class InvalidDeclaration(ValueError):
    """A declaration that breaks the rules; `codes` as `validate_declaration` returns them."""

    def __init__(self, codes: list[str]):
        super().__init__(f"invalid declaration: {', '.join(codes)}")
        self.codes = tuple(codes)


def monthly_additional_deduction(d: Declaration) -> Decimal:
    """The declaration's special additional deduction for one month (ValueError if invalid).

    The vocational certificate's 3,600 is not monthly; see `annual_certificate_deduction`.
    """
    errors = validate_declaration(d)
    if errors:
        raise InvalidDeclaration(errors)
    total = d.children * CHILD_EDUCATION_MONTHLY * as_decimal(d.child_share, "child_share")
    total += d.infants * INFANT_CARE_MONTHLY * as_decimal(d.infant_share, "infant_share")
    if d.continuing_education:
        total += CONTINUING_EDUCATION_MONTHLY
    if d.housing_loan:
        total += HOUSING_LOAN_MONTHLY * as_decimal(d.housing_loan_share, "housing_loan_share")
    if d.rent_city_class:
        total += HOUSING_RENT_MONTHLY[d.rent_city_class]
    total += ELDERLY_ONLY_CHILD_MONTHLY if d.elderly_only_child else as_decimal(d.elderly_share, "elderly_share")
    return money(total)


def annual_certificate_deduction(d: Declaration) -> Decimal:
    """3,600 in the year a vocational qualification certificate is obtained, else 0.

    Taken once, in the month it is declared to the employer (added to that month's `additional`).
    """
    return money(VOCATIONAL_CERTIFICATE_ANNUAL) if d.vocational_certificate_this_year else money(ZERO)


# ---------------------------------------------------------------------------------------------
# 3. Annual one-time bonus, taxed separately
# ---------------------------------------------------------------------------------------------


def annual_bonus_bracket(bonus: Decimal) -> TaxBracket:
    """Rate and quick deduction of the monthly table for bonus ÷ 12."""
    return _bracket(MONTHLY_BRACKETS, as_decimal(bonus, "bonus"), scale=Decimal(12))


def annual_bonus_tax(bonus: Decimal) -> Decimal:
    """Tax on an annual one-time bonus taxed separately (财税〔2018〕164号 第一条第（一）项).

    The rate and quick deduction come from the monthly table looked up with bonus ÷ 12; the tax is
    the whole bonus × rate − the quick deduction (subtracted once, not twelve times — hence the
    jumps at the bracket edges, e.g. 36,000 → 1,080 but 36,001 → 3,390.10).
    """
    amount = as_decimal(bonus, "bonus")
    if amount < 0:
        raise ValueError("bonus must not be negative")
    row = annual_bonus_bracket(amount)
    return max(money(amount * row.rate - row.quick_deduction), money(ZERO))


# ---------------------------------------------------------------------------------------------
# 4. Social insurance and housing fund
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeRate:
    """Contribution rates of one scheme (pension, medical, ..., housing_fund) as fractions."""

    scheme: str
    employee_rate: Decimal
    employer_rate: Decimal
    housing_fund: bool = False  # True: uses the housing-fund base range and rounding


@dataclass(frozen=True)
class Policy:
    """A city's social-insurance and housing-fund rules for one period (effective dates live with
    the stored policy; this is what the calculation needs)."""

    city: str
    si_floor: Decimal
    si_ceiling: Decimal
    hf_floor: Decimal
    hf_ceiling: Decimal
    si_rounding: str
    hf_rounding: str
    rates: tuple[SchemeRate, ...]

    def __post_init__(self) -> None:
        for name, lo, hi in (("si", self.si_floor, self.si_ceiling), ("hf", self.hf_floor, self.hf_ceiling)):
            if not ZERO <= lo <= hi:
                raise ValueError(f"{self.city}: {name} floor must be between 0 and the ceiling")
        for rule in (self.si_rounding, self.hf_rounding):
            if rule not in ROUNDING_RULES:
                raise ValueError(f"{self.city}: unknown rounding rule {rule!r}")
        schemes = [r.scheme for r in self.rates]
        if len(set(schemes)) != len(schemes):
            raise ValueError(f"{self.city}: a scheme is listed twice")
        for r in self.rates:
            if not (ZERO <= r.employee_rate <= ONE and ZERO <= r.employer_rate <= ONE):
                raise ValueError(f"{self.city}: {r.scheme} rates must be between 0 and 1")


@dataclass(frozen=True)
class Contribution:
    scheme: str
    base: Decimal
    employee: Decimal
    employer: Decimal
    housing_fund: bool = False


def contribution_base(wage: Decimal, floor: Decimal, ceiling: Decimal) -> Decimal:
    """The wage clamped into [floor, ceiling], to the fen."""
    wage, floor, ceiling = as_decimal(wage, "wage"), as_decimal(floor, "floor"), as_decimal(ceiling, "ceiling")
    if wage < 0:
        raise ValueError("wage must not be negative")
    if floor > ceiling:
        raise ValueError("floor must not exceed ceiling")
    return money(min(max(wage, floor), ceiling))


def contributions(
    policy: Policy, *, si_base_wage: Decimal, hf_base_wage: Decimal | None = None
) -> tuple[Contribution, ...]:
    """Employee and employer contributions per scheme, in the policy's order.

    `si_base_wage` is the employee's declared base wage (last year's average monthly wage, or a new
    hire's first month) before clamping; `hf_base_wage` defaults to the same wage. Each share is
    rounded separately by the city's rule for its kind (social insurance / housing fund).
    """
    si_base = contribution_base(si_base_wage, policy.si_floor, policy.si_ceiling)
    hf_wage = si_base_wage if hf_base_wage is None else hf_base_wage
    hf_base = contribution_base(hf_wage, policy.hf_floor, policy.hf_ceiling)
    out = []
    for r in policy.rates:
        base, rule = (hf_base, policy.hf_rounding) if r.housing_fund else (si_base, policy.si_rounding)
        out.append(
            Contribution(
                scheme=r.scheme,
                base=base,
                employee=round_to(base * r.employee_rate, rule),
                employer=round_to(base * r.employer_rate, rule),
                housing_fund=r.housing_fund,
            )
        )
    return tuple(out)


# Shanghai, 2025-07-01 → 2026-06-30: bases 60% / 300% of the 2024 average monthly wage of 12,434.
# Work injury 0.2% is an assumed industry class (the lowest); each company has its own class.
# Housing fund 7% each side (the ordinary range is 5%–7%, employer equal to employee).
SHANGHAI_2025 = Policy(
    city="上海",
    si_floor=Decimal(7460),
    si_ceiling=Decimal(37302),
    hf_floor=Decimal(2690),
    hf_ceiling=Decimal(37302),
    si_rounding="fen",
    hf_rounding="yuan",
    rates=(
        SchemeRate("pension", Decimal("0.08"), Decimal("0.16")),
        SchemeRate("medical", Decimal("0.02"), Decimal("0.09")),
        SchemeRate("unemployment", Decimal("0.005"), Decimal("0.005")),
        SchemeRate("work_injury", Decimal(0), Decimal("0.002")),
        SchemeRate("housing_fund", Decimal("0.07"), Decimal("0.07"), housing_fund=True),
    ),
)

# Beijing, 2025: social insurance bases 7,162 – 35,811; housing fund ceiling 35,811. The housing
# fund floor used here is 2,540, Beijing's minimum monthly wage (the published data gives only the
# ceiling). Medical 9.8% for the employer is 9% medical + 0.8% maternity, kept as one line. Not
# modelled: the employee's fixed 3 yuan a month for major medical mutual aid (大额医疗互助), which is
# not a rate — the payroll structure carries it as a fixed deduction. Work injury 0.2% is an
# assumed industry class. Housing fund 12% each side (the permitted maximum).
BEIJING_2025 = Policy(
    city="北京",
    si_floor=Decimal(7162),
    si_ceiling=Decimal(35811),
    hf_floor=Decimal(2540),
    hf_ceiling=Decimal(35811),
    si_rounding="fen",
    hf_rounding="yuan",
    rates=(
        SchemeRate("pension", Decimal("0.08"), Decimal("0.16")),
        SchemeRate("medical", Decimal("0.02"), Decimal("0.098")),
        SchemeRate("unemployment", Decimal("0.005"), Decimal("0.005")),
        SchemeRate("work_injury", Decimal(0), Decimal("0.002")),
        SchemeRate("housing_fund", Decimal("0.12"), Decimal("0.12"), housing_fund=True),
    ),
)


# ---------------------------------------------------------------------------------------------
# 5. Overtime
# ---------------------------------------------------------------------------------------------

PAY_DAYS_PER_MONTH = Decimal("21.75")  # 劳社部发〔2008〕3号: (365 − 104) ÷ 12
PAY_HOURS_PER_MONTH = Decimal(174)  # 21.75 × 8
OVERTIME_MULTIPLIERS = frozenset({Decimal("1.5"), Decimal(2), Decimal(3)})


def daily_wage(monthly: Decimal) -> Decimal:
    """Monthly wage ÷ 21.75, unrounded."""
    return as_decimal(monthly, "monthly") / PAY_DAYS_PER_MONTH


def hourly_wage(monthly: Decimal) -> Decimal:
    """Monthly wage ÷ 174, unrounded."""
    return as_decimal(monthly, "monthly") / PAY_HOURS_PER_MONTH


def overtime_pay(monthly_wage: Decimal, hours: Decimal, multiplier: Decimal) -> Decimal:
    """monthly wage ÷ 174 × hours × multiplier, rounded once at the end (劳动法 第四十四条).

    Multipliers: 1.5 on workdays, 2 on rest days without time off in lieu, 3 on statutory holidays.
    """
    wage = as_decimal(monthly_wage, "monthly_wage")
    hrs = as_decimal(hours, "hours")
    factor = as_decimal(multiplier, "multiplier")
    if wage < 0:
        raise ValueError("monthly_wage must not be negative")
    if hrs < 0:
        raise ValueError("hours must not be negative")
    if factor not in OVERTIME_MULTIPLIERS:
        raise ValueError("multiplier must be 1.5, 2 or 3")
    # multiply first, divide once: the only inexact step is the single division
    return money(wage * hrs * factor / PAY_HOURS_PER_MONTH)


# ---------------------------------------------------------------------------------------------
# 6. Economic compensation
# ---------------------------------------------------------------------------------------------

COMPENSATION_WAGE_CAP_MULTIPLE = Decimal(3)
COMPENSATION_CAPPED_MAX_YEARS = Decimal(12)


@dataclass(frozen=True)
class CompensationDetail:
    base: Decimal  # monthly wage used: the average wage, or 3 × the local average when capped
    service_months_counted: Decimal  # months of wages owed for service (N), e.g. 3.5
    capped: bool  # the average wage exceeded 3 × the local average monthly wage
    compensation: Decimal  # base × service_months_counted
    notice_pay: Decimal  # the extra month (代通知金) or 0
    total: Decimal  # compensation + notice_pay


def economic_compensation_detail(
    avg_monthly_wage: Decimal,
    years: int,
    months: int,
    local_avg_monthly_wage: Decimal,
    *,
    notice_given: bool = True,
    last_month_wage: Decimal | None = None,
) -> CompensationDetail:
    """Economic compensation (劳动合同法 第四十七条) plus the notice month (第四十条), explained.

    One month's average wage per full year of service; a remainder of 6 months or more counts as a
    year ("六个月以上" includes six), a remainder of 1–5 months as half a month. When the average
    wage is above ("高于", strictly) 3 × the local average monthly wage published for the previous
    year, the base is 3 × that average and at most 12 years are paid. When 30 days' written notice
    was not given under article 40, one more month is paid at the previous month's wage
    (`last_month_wage`, required then; the cap does not apply to it).

    `years`/`months` are the completed service at this employer (months 0–11). Not modelled:
    service before 2008-01-01, which 第九十七条 compensates under the old rules (the cap did not
    apply to it), and the minimum-wage floor of 实施条例 第二十七条 (pass the higher figure).
    """
    avg = as_decimal(avg_monthly_wage, "avg_monthly_wage")
    local = as_decimal(local_avg_monthly_wage, "local_avg_monthly_wage")
    if isinstance(years, bool) or not isinstance(years, int) or years < 0:
        raise ValueError("years must be a non-negative int")
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 11:
        raise ValueError("months must be an int from 0 to 11")
    if avg < 0:
        raise ValueError("avg_monthly_wage must not be negative")
    if local <= 0:
        raise ValueError("local_avg_monthly_wage must be positive")

    counted = Decimal(years)
    if months >= 6:
        counted += ONE
    elif months > 0:
        counted += HALF

    cap = local * COMPENSATION_WAGE_CAP_MULTIPLE
    capped = avg > cap
    base = cap if capped else avg
    if capped:
        counted = min(counted, COMPENSATION_CAPPED_MAX_YEARS)
    compensation = money(base * counted)

    if notice_given:
        notice_pay = money(ZERO)
    else:
        if last_month_wage is None:
            raise ValueError("last_month_wage is required when notice was not given")
        last = as_decimal(last_month_wage, "last_month_wage")
        if last < 0:
            raise ValueError("last_month_wage must not be negative")
        notice_pay = money(last)

    return CompensationDetail(
        base=money(base),
        service_months_counted=counted,
        capped=capped,
        compensation=compensation,
        notice_pay=notice_pay,
        total=compensation + notice_pay,
    )


def economic_compensation(
    avg_monthly_wage: Decimal,
    years: int,
    months: int,
    local_avg_monthly_wage: Decimal,
    *,
    notice_given: bool = True,
    last_month_wage: Decimal | None = None,
) -> Decimal:
    """Total of `economic_compensation_detail`: compensation plus any notice month."""
    return economic_compensation_detail(
        avg_monthly_wage,
        years,
        months,
        local_avg_monthly_wage,
        notice_given=notice_given,
        last_month_wage=last_month_wage,
    ).total

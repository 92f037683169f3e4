"""Chinese payroll rules (payroll.engine.china): worked cases, computed by hand in the comments.

No database and no Django: the engine is pure, so these run with
`pytest tests/payroll/test_china.py -p no:django --noconftest` as well as in the full suite.
"""

import ast
import dataclasses
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from payroll.engine import china
from payroll.engine.china import (
    BEIJING_2025,
    SHANGHAI_2025,
    Declaration,
    IitYtd,
    SchemeRate,
    annual_bonus_tax,
    annual_bracket,
    annual_certificate_deduction,
    basic_deduction_ytd,
    contribution_base,
    contributions,
    daily_wage,
    deduction_months_for,
    economic_compensation,
    economic_compensation_detail,
    hourly_wage,
    iit_month,
    iit_withholding,
    monthly_additional_deduction,
    overtime_pay,
    validate_declaration,
)
from payroll.engine.money import money, round_to


def D(x) -> Decimal:
    return Decimal(str(x))


def test_engine_modules_import_no_django():
    """The engine must stay pure: no Django, no ORM."""
    engine = Path(china.__file__).parent
    for name in ("china.py", "money.py"):
        tree = ast.parse((engine / name).read_text(encoding="utf-8"))
        modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        modules += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in modules if m.split(".")[0] == "django"], name


# --- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half-up, not half-to-even (which gives 0.00)
        ("0.015", "0.02"),
        ("0.004999", "0.00"),
        ("2.675", "2.68"),  # the float 2.675 is 2.67499999..., a Decimal is exact
        ("-0.005", "-0.01"),  # half away from zero
        ("864.1969", "864.20"),
        ("12", "12.00"),
    ],
)
def test_money_rounds_half_up_to_the_fen(value, expected):
    assert money(D(value)) == D(expected)
    assert money(D(value)).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        ("864.1969", "yuan", "864"),  # 12,345.67 × 7%
        ("864.5", "yuan", "865"),  # half-up (half-to-even would give 864)
        ("863.5", "yuan", "864"),
        ("12.345", "jiao", "12.3"),  # 12.345 -> 12.3 (the 4 decides, not the 5)
        ("12.35", "jiao", "12.4"),
        ("12.345", "fen", "12.35"),
        ("12.3456789", "none", "12.3456789"),
    ],
)
def test_round_to(value, rule, expected):
    assert round_to(D(value), rule) == D(expected)


def test_round_to_returns_money_shape_and_refuses_unknown_rules_and_floats():
    assert str(round_to(D("864.1969"), "yuan")) == "864.00"
    with pytest.raises(ValueError, match="unknown rounding rule"):
        round_to(D(1), "mao")
    with pytest.raises(TypeError):
        money(0.1)  # a float has already lost the fen
    assert money(3) == D("3.00")  # ints are exact


# --- 1. individual income tax, cumulative withholding --------------------------------------------


# 30,000 a month, 4,500 social insurance and housing fund, 2,000 special additional deductions:
# taxable 30,000 − 5,000 − 4,500 − 2,000 = 18,500 a month, so YTD taxable is 18,500 × month.
#  month  YTD taxable  bracket          cumulative tax                    withheld this month
#   1      18,500      3%,  0           555                               555
#   2      37,000      10%, 2,520       3,700 − 2,520 = 1,180             1,180 − 555   = 625
#   3      55,500      10%              5,550 − 2,520 = 3,030             3,030 − 1,180 = 1,850
#   4      74,000      10%              7,400 − 2,520 = 4,880             1,850
#   5      92,500      10%              9,250 − 2,520 = 6,730             1,850
#   6     111,000      10%             11,100 − 2,520 = 8,580             1,850
#   7     129,500      10%             12,950 − 2,520 = 10,430            1,850
#   8     148,000      20%, 16,920     29,600 − 16,920 = 12,680           2,250 (crosses 144,000 this month)
#   9     166,500      20%             33,300 − 16,920 = 16,380           3,700 (18,500 × 20%)
#  10     185,000      20%             37,000 − 16,920 = 20,080           3,700
#  11     203,500      20%             40,700 − 16,920 = 23,780           3,700
#  12     222,000      20%             44,400 − 16,920 = 27,480           3,700
# The year's total 27,480 equals 222,000 × 20% − 16,920: withholding has reached the annual tax.
SALARY_30K = [{"income": D(30000), "special": D(4500), "additional": D(2000)}] * 12
SALARY_30K_TAX = [555, 625, 1850, 1850, 1850, 1850, 1850, 2250, 3700, 3700, 3700, 3700]


def test_iit_cumulative_withholding_full_year():
    taxes = iit_withholding(SALARY_30K)
    assert taxes == [D(t) for t in SALARY_30K_TAX]
    assert sum(taxes) == D(27480)


def test_iit_month_explains_the_slip_and_agrees_with_the_year():
    state = IitYtd()
    steps = []
    for month in SALARY_30K:
        step = iit_month(state, **month, basic_deduction_this_month=D(5000))
        steps.append(step)
        state = step.ytd
    assert [s.tax for s in steps] == iit_withholding(SALARY_30K)
    august = steps[7]
    assert august.taxable_ytd == D(148000)
    assert (august.rate, august.quick_deduction) == (D("0.20"), D(16920))
    assert august.tax_due_ytd == D(12680)
    assert august.tax == D(2250)
    assert august.ytd == IitYtd(
        income=D(240000),
        special=D(36000),
        additional=D(16000),
        basic_deduction=D(40000),
        tax_withheld=D(12680),
    )
    assert state.tax_withheld == D(27480)


@pytest.mark.parametrize(
    ("taxable", "rate", "quick"),
    [
        ("0", "0.03", 0),
        ("36000", "0.03", 0),  # bounds are inclusive ("不超过")
        ("36000.01", "0.10", 2520),
        ("144000", "0.10", 2520),
        ("144000.01", "0.20", 16920),
        ("300000", "0.20", 16920),
        ("300000.01", "0.25", 31920),
        ("420000", "0.25", 31920),
        ("420000.01", "0.30", 52920),
        ("660000", "0.30", 52920),
        ("660000.01", "0.35", 85920),
        ("960000", "0.35", 85920),
        ("960000.01", "0.45", 181920),
        ("5000000", "0.45", 181920),
    ],
)
def test_annual_table(taxable, rate, quick):
    row = annual_bracket(D(taxable))
    assert (row.rate, row.quick_deduction) == (D(rate), D(quick))


@pytest.mark.parametrize("table", [china.ANNUAL_BRACKETS, china.MONTHLY_BRACKETS])
def test_quick_deductions_make_the_progressive_tax_continuous(table):
    # a typo in a quick deduction shows as a jump: at each bound both rows must give the same tax
    for lower, upper in itertools.pairwise(table):
        u = lower.upper
        assert u * lower.rate - lower.quick_deduction == u * upper.rate - upper.quick_deduction


def test_iit_never_refunds_within_the_year():
    # Jan 20,000: taxable 15,000 -> 450.  Feb unpaid (0): YTD 20,000 − 10,000 = 10,000 -> 300,
    # already 450 withheld -> 0 this month (150 over-withheld, not refunded).
    # Mar 10,000: 30,000 − 15,000 = 15,000 -> 450 − 450 = 0 (the excess is absorbed).
    # Apr 10,000: 40,000 − 20,000 = 20,000 -> 600 − 450 = 150.
    months = [{"income": D(x), "special": D(0), "additional": D(0)} for x in (20000, 0, 10000, 10000)]
    assert iit_withholding(months) == [D(450), D(0), D(0), D(150)]
    jan = iit_month(IitYtd(), **months[0], basic_deduction_this_month=D(5000))
    feb = iit_month(jan.ytd, **months[1], basic_deduction_this_month=D(5000))
    assert (feb.tax, feb.tax_due_ytd, feb.excess_withheld, feb.ytd.tax_withheld) == (D(0), D(300), D(150), D(450))


def test_iit_negative_taxable_counts_as_zero_and_exempt_and_other_are_deducted():
    # 4,000 a month is below the basic deduction: YTD taxable would be negative, counts as 0
    step = iit_month(IitYtd(), income=D(4000), special=D(400), additional=D(0), basic_deduction_this_month=D(5000))
    assert (step.taxable_ytd, step.tax) == (D(0), D(0))
    # 20,000 with 1,000 exempt (e.g. a tax-free allowance) and 500 other (enterprise annuity):
    # 20,000 − 1,000 − 5,000 − 2,000 − 1,000 − 500 = 10,500 × 3% = 315
    months = [{"income": D(20000), "exempt": D(1000), "special": D(2000), "additional": D(1000), "other": D(500)}]
    assert iit_withholding(months) == [D(315)]


def test_iit_rounds_the_cumulative_tax_to_the_fen():
    # 12,345.67 − 5,000 − 1,234.56 = 6,111.11 × 3% = 183.3333 -> 183.33
    # month 2: 12,222.22 × 3% = 366.6666 -> 366.67, minus 183.33 = 183.34
    months = [{"income": D("12345.67"), "special": D("1234.56"), "additional": D(0)}] * 2
    assert iit_withholding(months) == [D("183.33"), D("183.34")]


@pytest.mark.parametrize(
    ("month", "start_month", "first_income", "expected"),
    [
        (1, 1, False, 1),
        (12, 1, False, 12),
        (12, 1, True, 12),
        (7, 7, True, 7),  # first wage income of the year in July: counts from January (2020年第13号)
        (9, 7, True, 9),
        (7, 7, False, 1),  # changed jobs in July: counts months employed here (2018年第61号)
        (9, 7, False, 3),
    ],
)
def test_deduction_months_for(month, start_month, first_income, expected):
    assert deduction_months_for(month, start_month=start_month, first_income_this_year=first_income) == expected


@pytest.mark.parametrize(("month", "start_month"), [(6, 7), (13, 1), (1, 0)])
def test_deduction_months_for_refuses_impossible_months(month, start_month):
    with pytest.raises(ValueError):
        deduction_months_for(month, start_month=start_month, first_income_this_year=False)


@pytest.mark.parametrize(
    ("month", "start_month", "first_income", "low_income", "expected"),
    [
        (3, 1, False, False, 15000),
        (9, 7, True, False, 45000),  # 9 × 5,000
        (9, 7, False, False, 15000),  # 3 × 5,000
        (1, 1, False, True, 60000),  # 2020年第19号: the whole 60,000 from January
        (12, 1, False, True, 60000),
    ],
)
def test_basic_deduction_ytd(month, start_month, first_income, low_income, expected):
    got = basic_deduction_ytd(
        month, start_month=start_month, first_income_this_year=first_income, prior_year_low_income=low_income
    )
    assert got == D(expected)


def test_low_income_deduction_needs_employment_since_january():
    with pytest.raises(ValueError, match="since January"):
        basic_deduction_ytd(5, start_month=3, first_income_this_year=False, prior_year_low_income=True)


def test_first_income_of_the_year_versus_job_change():
    # Starts in July at 10,000 with 1,000 social insurance.
    # First wage income of the year: July counts 7 months (35,000), so YTD taxable stays negative
    # through December (60,000 − 30,000 − 6,000 < 0): nothing withheld.
    # Job changer (had wages elsewhere): July counts 1 month: 10,000 − 5,000 − 1,000 = 4,000 × 3% = 120,
    # and 120 every month after (4,000 more taxable each month, still in the 3% bracket).
    months = [{"income": D(10000), "special": D(1000), "additional": D(0)}] * 6
    first = [deduction_months_for(m, start_month=7, first_income_this_year=True) for m in range(7, 13)]
    changer = [deduction_months_for(m, start_month=7, first_income_this_year=False) for m in range(7, 13)]
    assert first == [7, 8, 9, 10, 11, 12]
    assert changer == [1, 2, 3, 4, 5, 6]
    assert iit_withholding(months, deduction_months=first) == [D(0)] * 6
    assert iit_withholding(months, deduction_months=changer) == [D(120)] * 6


def test_low_income_up_front_deduction_delays_withholding():
    # 8,000 a month, 1,000 special: YTD taxable = 7,000 × month − 60,000.
    # Months 1–8: at most 56,000 − 60,000 < 0 -> 0.  Month 9: 63,000 − 60,000 = 3,000 -> 90.
    # Month 10: 10,000 -> 300 − 90 = 210; 11: 17,000 -> 510 − 300 = 210; 12: 24,000 -> 720 − 510 = 210.
    # Ordinary monthly deduction instead: 2,000 a month × 3% = 60 every month; same 720 for the year.
    months = [{"income": D(8000), "special": D(1000), "additional": D(0)}] * 12
    counted = [
        basic_deduction_ytd(m, start_month=1, first_income_this_year=False, prior_year_low_income=True) / 5000
        for m in range(1, 13)
    ]
    assert counted == [12] * 12
    up_front = iit_withholding(months, deduction_months=[12] * 12)
    assert up_front == [D(0)] * 8 + [D(90), D(210), D(210), D(210)]
    assert iit_withholding(months) == [D(60)] * 12
    assert sum(up_front) == D(720)


def test_iit_withholding_on_top_of_iit_month_with_stored_figures():
    # replaying the 60,000 variant month by month from "stored" YTD figures gives the same taxes
    months = [{"income": D(8000), "special": D(1000), "additional": D(0)}] * 12
    state, taxes = IitYtd(), []
    for m, month in enumerate(months, start=1):
        basic = basic_deduction_ytd(m, start_month=1, first_income_this_year=False, prior_year_low_income=True)
        step = iit_month(state, **month, basic_deduction_this_month=basic - state.basic_deduction)
        taxes.append(step.tax)
        state = step.ytd
    assert taxes == iit_withholding(months, deduction_months=[12] * 12)


@pytest.mark.parametrize(
    ("months", "deduction_months", "error"),
    [
        ([{"income": D(1), "special": D(0), "additional": D(0), "bonus": D(1)}], None, "unknown keys"),
        ([{"income": D(1), "special": D(0), "additional": D(0)}] * 2, [1], "one entry per month"),
        ([{"income": D(1), "special": D(0), "additional": D(0)}] * 13, None, "at most 12"),
        ([{"income": D(1), "special": D(0), "additional": D(0)}] * 2, [2, 1], "must not be negative"),
        ([{"income": D(1), "special": D(0), "additional": D(0)}], [13], "from 0 to 12"),
    ],
)
def test_iit_withholding_refuses_bad_input(months, deduction_months, error):
    with pytest.raises(ValueError, match=error):
        iit_withholding(months, deduction_months=deduction_months)


def test_iit_refuses_floats():
    with pytest.raises(TypeError):
        iit_month(IitYtd(), income=30000.0, special=D(0), additional=D(0), basic_deduction_this_month=D(5000))


# --- 2. special additional deductions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        (Declaration(), 0),
        (Declaration(children=2), 4000),  # 2 × 2,000 × 100%
        (Declaration(children=1, child_share=D("0.5"), infants=1, infant_share=D("0.5")), 2000),  # 1,000 + 1,000
        (Declaration(infants=2), 4000),
        (Declaration(continuing_education=True), 400),
        (Declaration(housing_loan=True), 1000),
        (Declaration(housing_loan=True, housing_loan_share=D("0.5")), 500),
        (Declaration(rent_city_class=1), 1500),
        (Declaration(rent_city_class=2), 1100),
        (Declaration(rent_city_class=3), 800),
        (Declaration(elderly_only_child=True), 3000),
        (Declaration(elderly_share=D(1500)), 1500),
        (Declaration(elderly_share=D(1000)), 1000),
        (Declaration(vocational_certificate_this_year=True), 0),  # not monthly
        # 4,000 children + 1,000 infant (half) + 400 + 1,500 rent + 1,500 elderly share = 8,400
        (
            Declaration(
                children=2,
                infants=1,
                infant_share=D("0.5"),
                continuing_education=True,
                rent_city_class=1,
                elderly_share=D(1500),
            ),
            8400,
        ),
    ],
)
def test_monthly_additional_deduction(declaration, expected):
    assert validate_declaration(declaration) == []
    assert monthly_additional_deduction(declaration) == D(expected)


@pytest.mark.parametrize(
    ("declaration", "errors"),
    [
        (Declaration(housing_loan=True, rent_city_class=1), ["housing_loan_and_rent"]),
        (Declaration(children=1, child_share=D("0.6")), ["child_share_invalid"]),
        (Declaration(infants=1, infant_share=D(0)), ["infant_share_invalid"]),
        (Declaration(housing_loan=True, housing_loan_share=D("0.25")), ["housing_loan_share_invalid"]),
        (Declaration(elderly_share=D("1500.01")), ["elderly_share_over_limit"]),
        (Declaration(elderly_share=D(-1)), ["elderly_share_negative"]),
        (Declaration(elderly_only_child=True, elderly_share=D(1500)), ["elderly_share_with_only_child"]),
        (Declaration(children=-1), ["children_negative"]),
        (Declaration(infants=-2), ["infants_negative"]),
        (Declaration(rent_city_class=4), ["rent_city_class_invalid"]),
        (
            Declaration(children=-1, child_share=D(2), housing_loan=True, rent_city_class=3),
            ["children_negative", "child_share_invalid", "housing_loan_and_rent"],
        ),
    ],
)
def test_validate_declaration(declaration, errors):
    assert validate_declaration(declaration) == errors
    with pytest.raises(ValueError, match=errors[0]):
        monthly_additional_deduction(declaration)


def test_shares_compare_by_value():
    # a share read from DecimalField(decimal_places=2) arrives as Decimal("0.50")
    assert monthly_additional_deduction(Declaration(children=1, child_share=D("0.50"))) == D(1000)


@pytest.mark.parametrize(("obtained", "expected"), [(True, 3600), (False, 0)])
def test_annual_certificate_deduction(obtained, expected):
    assert annual_certificate_deduction(Declaration(vocational_certificate_this_year=obtained)) == D(expected)


# --- 3. annual one-time bonus ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bonus", "expected"),
    [
        ("0", "0"),
        ("24000", "720"),  # ÷12 = 2,000 -> 3%: 720
        ("36000", "1080"),  # ÷12 = 3,000 (inclusive) -> 3%: 1,080
        ("36001", "3390.10"),  # ÷12 = 3,000.08 -> 10%: 3,600.10 − 210: the tax trap
        ("60000", "5790"),  # 5,000 -> 10%: 6,000 − 210
        ("144000", "14190"),  # 12,000 -> 10%: 14,400 − 210
        ("144001", "27390.20"),  # 12,000.08 -> 20%: 28,800.20 − 1,410
        ("200000", "38590"),  # 16,666.67 -> 20%: 40,000 − 1,410
        ("300000", "58590"),  # 25,000 -> 20%: 60,000 − 1,410
        ("300001", "72340.25"),  # -> 25%: 75,000.25 − 2,660
        ("360000", "87340"),  # 30,000 -> 25%: 90,000 − 2,660
        ("420000", "102340"),  # 35,000 -> 25%: 105,000 − 2,660
        ("420001", "121590.30"),  # -> 30%: 126,000.30 − 4,410
        ("600000", "175590"),  # 50,000 -> 30%: 180,000 − 4,410
        ("660000", "193590"),  # 55,000 -> 30%: 198,000 − 4,410
        ("660001", "223840.35"),  # -> 35%: 231,000.35 − 7,160
        ("900000", "307840"),  # 75,000 -> 35%: 315,000 − 7,160
        ("960000", "328840"),  # 80,000 -> 35%: 336,000 − 7,160
        ("960001", "416840.45"),  # -> 45%: 432,000.45 − 15,160
        ("1200000", "524840"),  # 100,000 -> 45%: 540,000 − 15,160
        ("12345.67", "370.37"),  # 3%: 370.3701
    ],
)
def test_annual_bonus_tax(bonus, expected):
    assert annual_bonus_tax(D(bonus)) == D(expected)


def test_annual_bonus_tax_trap():
    # one more yuan of bonus costs 2,310.10 more tax: 36,001 nets 32,610.90, less than 36,000's 34,920
    assert D(36000) - annual_bonus_tax(D(36000)) == D(34920)
    assert D(36001) - annual_bonus_tax(D(36001)) == D("32610.90")


def test_annual_bonus_tax_refuses_negative_and_float():
    with pytest.raises(ValueError):
        annual_bonus_tax(D(-1))
    with pytest.raises(TypeError):
        annual_bonus_tax(36000.0)


# --- 4. social insurance and housing fund ---------------------------------------------------------


@pytest.mark.parametrize(
    ("wage", "floor", "ceiling", "expected"),
    [
        ("5000", "7460", "37302", "7460"),  # below the floor
        ("12345.67", "7460", "37302", "12345.67"),
        ("7460", "7460", "37302", "7460"),
        ("37302", "7460", "37302", "37302"),
        ("50000", "7460", "37302", "37302"),  # above the ceiling
        ("0", "2690", "37302", "2690"),
    ],
)
def test_contribution_base(wage, floor, ceiling, expected):
    assert contribution_base(D(wage), D(floor), D(ceiling)) == D(expected)


def test_contribution_base_refuses_nonsense():
    with pytest.raises(ValueError):
        contribution_base(D(-1), D(0), D(10))
    with pytest.raises(ValueError):
        contribution_base(D(5), D(10), D(1))


def _lines(policy, **kw):
    return {c.scheme: (c.base, c.employee, c.employer) for c in contributions(policy, **kw)}


# each row: scheme -> (base, employee, employer)
CONTRIBUTION_CASES = [
    pytest.param(
        SHANGHAI_2025,
        "5000",  # below the SI floor (base 7,460) but above the housing-fund floor (base 5,000)
        {
            "pension": ("7460", "596.80", "1193.60"),  # 8% / 16%
            "medical": ("7460", "149.20", "671.40"),  # 2% / 9%
            "unemployment": ("7460", "37.30", "37.30"),  # 0.5%
            "work_injury": ("7460", "0", "14.92"),  # 0.2%
            "housing_fund": ("5000", "350", "350"),  # 7%
        },
        id="shanghai-below-floor",
    ),
    pytest.param(
        SHANGHAI_2025,
        "12345.67",
        {
            "pension": ("12345.67", "987.65", "1975.31"),  # 987.6536, 1,975.3072
            "medical": ("12345.67", "246.91", "1111.11"),  # 246.9134, 1,111.1103
            "unemployment": ("12345.67", "61.73", "61.73"),  # 61.72835
            "work_injury": ("12345.67", "0", "24.69"),  # 24.69134
            "housing_fund": ("12345.67", "864", "864"),  # 864.1969 -> whole yuan
        },
        id="shanghai-inside",
    ),
    pytest.param(
        SHANGHAI_2025,
        "50000",  # above both ceilings: base 37,302
        {
            "pension": ("37302", "2984.16", "5968.32"),
            "medical": ("37302", "746.04", "3357.18"),
            "unemployment": ("37302", "186.51", "186.51"),
            "work_injury": ("37302", "0", "74.60"),  # 74.604
            "housing_fund": ("37302", "2611", "2611"),  # 2,611.14
        },
        id="shanghai-above-ceiling",
    ),
    pytest.param(
        SHANGHAI_2025,
        "7150",  # SI floor 7,460; housing fund 7,150 × 7% = 500.50 -> 501 (half-up, not to even)
        {
            "pension": ("7460", "596.80", "1193.60"),
            "medical": ("7460", "149.20", "671.40"),
            "unemployment": ("7460", "37.30", "37.30"),
            "work_injury": ("7460", "0", "14.92"),
            "housing_fund": ("7150", "501", "501"),
        },
        id="shanghai-housing-fund-half-up",
    ),
    pytest.param(
        BEIJING_2025,
        "10000",
        {
            "pension": ("10000", "800", "1600"),
            "medical": ("10000", "200", "980"),  # 2% / 9.8%
            "unemployment": ("10000", "50", "50"),
            "work_injury": ("10000", "0", "20"),
            "housing_fund": ("10000", "1200", "1200"),  # 12%
        },
        id="beijing-inside",
    ),
    pytest.param(
        BEIJING_2025,
        "2000",  # below the SI floor (7,162) and the housing-fund floor (2,540)
        {
            "pension": ("7162", "572.96", "1145.92"),
            "medical": ("7162", "143.24", "701.88"),  # 701.876
            "unemployment": ("7162", "35.81", "35.81"),
            "work_injury": ("7162", "0", "14.32"),  # 14.324
            "housing_fund": ("2540", "305", "305"),  # 304.80
        },
        id="beijing-below-floor",
    ),
    pytest.param(
        BEIJING_2025,
        "40000",  # above the ceiling: base 35,811
        {
            "pension": ("35811", "2864.88", "5729.76"),
            "medical": ("35811", "716.22", "3509.48"),  # 3,509.478
            "unemployment": ("35811", "179.06", "179.06"),  # 179.055: half-up at the fen
            "work_injury": ("35811", "0", "71.62"),  # 71.622
            "housing_fund": ("35811", "4297", "4297"),  # 4,297.32
        },
        id="beijing-above-ceiling",
    ),
]


@pytest.mark.parametrize(("policy", "wage", "expected"), CONTRIBUTION_CASES)
def test_contributions(policy, wage, expected):
    assert _lines(policy, si_base_wage=D(wage)) == {
        scheme: tuple(D(v) for v in values) for scheme, values in expected.items()
    }


def test_housing_fund_base_can_differ_and_lines_keep_policy_order():
    result = contributions(SHANGHAI_2025, si_base_wage=D(12000), hf_base_wage=D(20000))
    assert [c.scheme for c in result] == ["pension", "medical", "unemployment", "work_injury", "housing_fund"]
    assert [c.housing_fund for c in result] == [False, False, False, False, True]
    assert result[0].base == D(12000)
    assert (result[-1].base, result[-1].employee) == (D(20000), D(1400))


def test_policy_rounding_is_the_citys_rule():
    # the same Shanghai rates with the housing fund rounded to the jiao: 864.1969 -> 864.20
    jiao = dataclasses.replace(SHANGHAI_2025, hf_rounding="jiao")
    assert _lines(jiao, si_base_wage=D("12345.67"))["housing_fund"][1] == D("864.20")


@pytest.mark.parametrize(
    "changes",
    [
        {"si_floor": D(40000)},  # floor above the ceiling
        {"hf_rounding": "cent"},
        {"rates": (SchemeRate("pension", D("0.08"), D("0.16")),) * 2},
        {"rates": (SchemeRate("pension", D(8), D(16)),)},  # percentages instead of fractions
    ],
)
def test_policy_refuses_inconsistent_data(changes):
    with pytest.raises(ValueError):
        dataclasses.replace(SHANGHAI_2025, **changes)


# --- 5. overtime ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monthly", "hours", "multiplier", "expected"),
    [
        ("8700", "10", "1.5", "750"),  # 8,700 ÷ 174 = 50 an hour × 10 × 1.5
        ("8700", "10", "2", "1000"),
        ("8700", "8", "3", "1200"),
        ("10000", "7", "1.5", "603.45"),  # 105,000 ÷ 174 = 603.448; rounding the hourly 57.47 first gives 603.44
        ("6000", "2.5", "1.5", "129.31"),  # 22,500 ÷ 174 = 129.310
        ("10000", "0", "2", "0"),
    ],
)
def test_overtime_pay(monthly, hours, multiplier, expected):
    assert overtime_pay(D(monthly), D(hours), D(multiplier)) == D(expected)


@pytest.mark.parametrize(("hours", "multiplier"), [("-1", "1.5"), ("1", "1"), ("1", "2.5"), ("1", "4")])
def test_overtime_refuses_negative_hours_and_other_multipliers(hours, multiplier):
    with pytest.raises(ValueError):
        overtime_pay(D(8700), D(hours), D(multiplier))


def test_overtime_accepts_int_multipliers_and_refuses_floats():
    assert overtime_pay(D(8700), D(1), 2) == D(100)
    with pytest.raises(TypeError):
        overtime_pay(D(8700), D(1), 1.5)


def test_daily_and_hourly_wage_are_unrounded():
    assert daily_wage(D(21750)) == D(1000)
    assert hourly_wage(D(17400)) == D(100)
    assert daily_wage(D(10000)) != money(daily_wage(D(10000)))  # 459.7701149...
    assert money(daily_wage(D(10000))) == D("459.77")
    assert money(hourly_wage(D(10000))) == D("57.47")  # 57.4712...


# --- 6. economic compensation --------------------------------------------------------------------

LOCAL_AVG = D(12434)  # Shanghai's 2024 average monthly wage: 3× = 37,302


@pytest.mark.parametrize(
    ("avg", "years", "months", "counted", "capped", "compensation"),
    [
        ("10000", 3, 5, "3.5", False, "35000"),  # remainder under 6 months: half a month
        ("10000", 3, 6, "4", False, "40000"),  # 6 months or more: a whole year
        ("10000", 0, 2, "0.5", False, "5000"),
        ("10000", 0, 6, "1", False, "10000"),
        ("10000", 0, 0, "0", False, "0"),
        ("10000", 5, 0, "5", False, "50000"),
        ("12345.67", 2, 11, "3", False, "37037.01"),
        # above 3 × 12,434 = 37,302: base 37,302 and at most 12 years
        ("50000", 20, 0, "12", True, "447624"),
        ("50000", 11, 8, "12", True, "447624"),
        ("50000", 12, 3, "12", True, "447624"),  # 12.5 capped to 12
        ("50000", 5, 3, "5.5", True, "205161"),  # short service: only the base is capped
        # exactly 3× is not "above": no cap on the years
        ("37302", 20, 0, "20", False, "746040"),
    ],
)
def test_economic_compensation(avg, years, months, counted, capped, compensation):
    detail = economic_compensation_detail(D(avg), years, months, LOCAL_AVG)
    assert detail.service_months_counted == D(counted)
    assert detail.capped is capped
    assert detail.base == (D(37302) if capped else D(avg))
    assert detail.compensation == D(compensation)
    assert detail.notice_pay == 0
    assert detail.total == D(compensation)
    assert economic_compensation(D(avg), years, months, LOCAL_AVG) == D(compensation)


@pytest.mark.parametrize(
    ("avg", "years", "months", "last", "compensation", "total"),
    [
        ("10000", 3, 5, "11000", "35000", "46000"),  # N + 1, the extra month at last month's wage
        ("50000", 20, 0, "60000", "447624", "507624"),  # the notice month is not capped
    ],
)
def test_economic_compensation_without_notice(avg, years, months, last, compensation, total):
    detail = economic_compensation_detail(D(avg), years, months, LOCAL_AVG, notice_given=False, last_month_wage=D(last))
    assert (detail.compensation, detail.notice_pay, detail.total) == (D(compensation), D(last), D(total))
    assert economic_compensation(D(avg), years, months, LOCAL_AVG, notice_given=False, last_month_wage=D(last)) == D(
        total
    )


def test_notice_given_ignores_last_month_wage():
    assert economic_compensation(D(10000), 1, 0, LOCAL_AVG, last_month_wage=D(99999)) == D(10000)


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((D(10000), 3, 5, LOCAL_AVG), {"notice_given": False}, "last_month_wage is required"),
        ((D(10000), 3, 12, LOCAL_AVG), {}, "months"),
        ((D(10000), -1, 0, LOCAL_AVG), {}, "years"),
        ((D(-1), 1, 0, LOCAL_AVG), {}, "avg_monthly_wage"),
        ((D(10000), 1, 0, D(0)), {}, "local_avg_monthly_wage"),
    ],
)
def test_economic_compensation_refuses_bad_input(args, kwargs, error):
    with pytest.raises(ValueError, match=error):
        economic_compensation(*args, **kwargs)

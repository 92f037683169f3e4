"""Pay analytics: the pure calculations (table-driven, exact figures, no database), the selectors'
query budget, the page and its Excel export (payroll administrators only), and the Excel import
of market survey data (dry run with every problem by row and column, all or nothing, audited)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from employees import analytics as wf
from employees.choices import DepartmentKind, EmployeeStatus
from payroll import analytics as a

D = Decimal
MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
TECH, SALES = "technology", "sales"


# =============================================================================================
# pure calculations


def cost(period, dept, family, fixed, variable, payslips=1) -> a.CostRow:
    return a.CostRow(
        period=period,
        department_id=dept,
        role_family=family,
        payslips=payslips,
        gross=D(fixed) + D(variable),
        fixed=D(fixed),
        variable=D(variable),
    )


def paid(pk, monthly, months=1, **kw) -> a.PaidPerson:
    return a.PaidPerson(
        id=pk,
        employee_no=kw.pop("employee_no", f"E{pk:03d}"),
        name=f"P{pk}",
        months=months,
        gross=D(monthly) * months,
        **kw,
    )


def bench(pk, p25, p50, p75, basis=a.MONTHLY, **kw) -> a.BenchmarkRow:
    return a.BenchmarkRow(
        id=pk,
        survey_year=kw.pop("survey_year", 2025),
        source=kw.pop("source", "S"),
        basis=basis,
        p25=D(p25),
        p50=D(p50),
        p75=D(p75),
        **kw,
    )


HQ = wf.DepartmentRow(id=1, name="总部", path="/1/", kind=DepartmentKind.HEADQUARTERS)
TECH_DEPT = wf.DepartmentRow(id=2, name="技术部", path="/1/2/")
TEAM = wf.DepartmentRow(id=3, name="平台组", path="/1/2/3/")
SALES_DEPT = wf.DepartmentRow(id=4, name="销售部", path="/1/4/")
DEPARTMENTS = (HQ, TECH_DEPT, TEAM, SALES_DEPT)


@pytest.mark.parametrize(
    "parts, fixed_share, variable_share",
    [
        ([("8000", "2000")], "0.800", "0.200"),
        ([("2", "1")], "0.667", "0.333"),
        ([("1", "2")], "0.333", "0.667"),
        ([("6665", "3335")], "0.667", "0.333"),  # 0.6665 rounds half up
        ([("100", "0"), ("0", "100")], "0.500", "0.500"),  # summed over rows, not averaged
        ([("0", "0")], None, None),
    ],
)
def test_fixed_share(parts, fixed_share, variable_share):
    line = a.cost_line([cost(MARCH, 2, TECH, f, v) for f, v in parts])
    assert line.fixed_share == (None if fixed_share is None else D(fixed_share))
    assert line.variable_share == (None if variable_share is None else D(variable_share))
    assert line.gross == line.fixed + line.variable


@pytest.mark.parametrize(
    "end, first, last",
    [(APRIL, date(2024, 5, 1), APRIL), (date(2025, 12, 1), date(2025, 1, 1), date(2025, 12, 1))],
)
def test_window_is_twelve_calendar_months(end, first, last):
    months = a.window_months(end)
    assert (len(months), months[0], months[-1]) == (12, first, last)


def test_cost_structure_by_department_role_family_and_month():
    rows = [
        cost(MARCH, 3, TECH, 800, 200),  # the sub-team counts in its top-level department
        cost(MARCH, 2, TECH, 900, 100),
        cost(MARCH, 4, SALES, 500, 500),
        cost(APRIL, 4, SALES, 1000, 1000),
        cost(APRIL, 1, "", 500, 0),  # the headquarters' own staff, no position
        cost(APRIL, None, "", 250, 250),  # a slip without a department
        cost(date(2024, 4, 1), 2, TECH, 9999, 0),  # before the window
    ]
    r = a.cost_structure(rows, DEPARTMENTS, end=APRIL)
    units = [(u.unit.id, u.cost.gross, u.cost.fixed_share, u.cost.variable_share) for u in r.by_unit]
    assert units == [
        (1, D(500), D("1.000"), D("0.000")),
        (2, D(2000), D("0.850"), D("0.150")),
        (4, D(3000), D("0.500"), D("0.500")),
        (None, D(500), D("0.500"), D("0.500")),
    ]
    assert r.by_unit[0].unit.is_root
    assert [(f.role_family, f.cost.fixed_share) for f in r.by_family] == [
        (TECH, D("0.850")),
        (SALES, D("0.500")),
        ("", D("0.750")),
    ]
    assert (r.total.payslips, r.total.gross, r.total.fixed, r.total.fixed_share) == (6, D(6000), D(3950), D("0.658"))
    assert r.paid_months == (MARCH, APRIL)
    assert [(m.period, m.cost.fixed_share, m.unit_shares) for m in r.trend] == [
        (MARCH, D("0.733"), (None, D("0.850"), D("0.500"), None)),
        (APRIL, D("0.583"), (D("1.000"), None, D("0.500"), D("0.500"))),
    ]


def test_cost_structure_of_nothing():
    r = a.cost_structure([], DEPARTMENTS, end=APRIL)
    assert (r.by_unit, r.by_family, r.trend, r.total.fixed_share) == ((), (), (), None)


@pytest.mark.parametrize(
    "monthly, months, basis, p25, p50, p75, pay, compa, band, gap",
    [
        ("10000", 2, a.MONTHLY, 9000, 10000, 12000, "10000", "1.00", a.P50_P75, "-1000"),
        ("10000", 1, a.ANNUAL, 130000, 150000, 170000, "120000", "0.80", a.BELOW_P25, "10000"),  # × 12
        ("9000", 1, a.MONTHLY, 9000, 10000, 12000, "9000", "0.90", a.P25_P50, "0"),  # at P25: not below
        ("12000", 1, a.MONTHLY, 9000, 10000, 12000, "12000", "1.20", a.P50_P75, "-3000"),  # at P75
        ("13000", 1, a.MONTHLY, 9000, 10000, 12000, "13000", "1.30", a.ABOVE_P75, "-4000"),
        ("10050", 1, a.MONTHLY, 9000, 10000, 12000, "10050", "1.01", a.P50_P75, "-1050"),  # 1.005 half up
        ("10000.333", 3, a.MONTHLY, 9000, 15000, 16000, "10000.33", "0.67", a.P25_P50, "-1000.33"),
    ],
)
def test_compa_ratio(monthly, months, basis, p25, p50, p75, pay, compa, band, gap):
    person = a.PaidPerson(id=1, employee_no="E1", name="P", months=months, gross=D(monthly) * months, grade_id=7)
    line = a.market_line(person, bench(1, p25, p50, p75, basis=basis, grade_id=7), a.MATCH_GRADE)
    assert (line.pay, line.compa_ratio, line.band, line.gap_to_p25) == (D(pay), D(compa), band, D(gap))


def test_benchmark_for_prefers_the_position_then_the_newest_line():
    newest_grade = bench(1, 1, 2, 3, grade_id=10, survey_year=2026)
    position = bench(2, 1, 2, 3, position_id=20, survey_year=2025)
    older_position = bench(3, 1, 2, 3, position_id=20, survey_year=2024)
    zero = bench(4, 0, 0, 0, position_id=30)
    lines = (newest_grade, position, older_position, zero)
    assert a.benchmark_for(paid(1, 1, position_id=20, grade_id=10), lines) == (position, a.MATCH_POSITION)
    assert a.benchmark_for(paid(1, 1, position_id=99, grade_id=10), lines) == (newest_grade, a.MATCH_GRADE)
    assert a.benchmark_for(paid(1, 1, position_id=30, grade_id=None), lines) is None  # a P50 of 0 is unusable
    assert a.benchmark_for(paid(1, 1), lines) is None


def test_market_comparison_distribution_and_summary():
    grade = bench(1, 9000, 10000, 12000, grade_id=1, code="G1", name="一级")
    people = [
        paid(1, 7000, grade_id=1),  # 0.70 below P25
        paid(2, 8500, grade_id=1),  # 0.85 below P25
        paid(3, 9500, grade_id=1),  # 0.95
        paid(4, 10000, grade_id=1),  # 1.00
        paid(5, 12500, grade_id=1),  # 1.25 above P75
        paid(6, 20000, grade_id=2),  # no survey line
    ]
    r = a.market_comparison(people, [grade])
    assert [line.person.id for line in r.lines] == [1, 2, 3, 4, 5]
    assert r.without_benchmark == 1
    assert [(b.key, b.count) for b in r.distribution] == [
        ("lt_080", 1),
        ("080_090", 1),
        ("090_100", 1),
        ("100_110", 1),
        ("110_120", 0),
        ("ge_120", 1),
    ]
    assert r.quartiles == ((a.BELOW_P25, 2), (a.P25_P50, 1), (a.P50_P75, 1), (a.ABOVE_P75, 1))
    assert [line.person.id for line in r.below_p25] == [1, 2]
    (use,) = r.by_benchmark
    assert (use.people, use.median_pay, use.median_compa_ratio, use.below_p25) == (5, D(9500), D("0.95"), 2)
    assert r.median_compa_ratio == D("0.95")


@pytest.mark.parametrize(
    "values, fences",
    [
        ([1, 2, 3, 4], ("1.75", "3.25", "-0.50", "5.50")),
        ([10, 20, 30, 40, 50], ("20", "40", "-10", "70")),
        ([5000, 10000, 10200, 10400, 10600, 20000], ("10050", "10550", "9300", "11300")),
        ([1, 2, 3], None),  # too few to look for outliers
    ],
)
def test_quartiles_and_iqr_fences(values, fences):
    result = a.iqr_fences([D(v) for v in values])
    if fences is None:
        assert result is None
    else:
        assert (result.q1, result.q3, result.low, result.high) == tuple(D(f) for f in fences)


@pytest.mark.parametrize(
    "values, cv",
    [([90, 110], "0.100"), ([100, 100], "0.000"), ([50, 150], "0.500"), ([1, 2, 3], "0.408"), ([0, 0], None)],
)
def test_coefficient_of_variation(values, cv):
    assert a.coefficient_of_variation([D(v) for v in values]) == (None if cv is None else D(cv))


def test_internal_equity_groups_and_outliers():
    people = [
        paid(
            i, pay, position_id=1, position_title="风险分析师", role_family="risk_control", grade_id=5, grade_code="P5"
        )
        for i, pay in enumerate([5000, 10000, 10200, 10400, 10600, 20000], start=1)
    ]
    people += [
        paid(11, 9000, position_id=2, position_title="会计", grade_id=4, grade_code="P4"),
        paid(12, 11000, position_id=2, position_title="会计", grade_id=4, grade_code="P4"),
        paid(13, 30000, position_id=2, position_title="会计", grade_id=6, grade_code="P6"),  # alone in its group
    ]
    r = a.internal_equity(people)
    assert r.single == 1
    risk, accounts = r.groups  # risk control comes before functions
    assert (risk.position_title, risk.grade_code, risk.people) == ("风险分析师", "P5", 6)
    assert (risk.minimum, risk.median, risk.maximum, risk.mean) == (D(5000), D(10300), D(20000), D("11033.33"))
    assert risk.cv == D("0.404")
    assert risk.max_to_min == D("4.00")
    assert [(o.person.id, o.high, o.fence, o.group_median) for o in risk.outliers] == [
        (1, False, D(9300), D(10300)),
        (6, True, D(11300), D(10300)),
    ]
    assert (accounts.people, accounts.median, accounts.cv, accounts.fences, accounts.outliers) == (
        2,
        D(10000),
        D("0.100"),
        None,
        (),
    )
    assert [o.person.id for _g, o in r.outliers] == [1, 6]


@pytest.mark.parametrize(
    "men, women, shown, median_gap, mean_gap",
    [
        ([10, 10, 10], [9, 9, 9], True, "0.100", "0.100"),
        ([100, 200, 300], [150, 150, 600], True, "0.250", "-0.500"),  # women paid more on average
        ([10, 10, 10], [9, 9], False, None, None),  # fewer than three women
        ([10, 10], [9, 9, 9], False, None, None),  # fewer than three men
        ([], [9, 9, 9], False, None, None),
    ],
)
def test_gender_gap_and_the_minimum_group(men, women, shown, median_gap, mean_gap):
    gap = a.gender_gap([D(v) for v in men], [D(v) for v in women])
    assert (gap.men, gap.women, gap.shown) == (len(men), len(women), shown)
    assert gap.median_gap == (None if median_gap is None else D(median_gap))
    assert gap.mean_gap == (None if mean_gap is None else D(mean_gap))
    if not shown:  # nothing that would reveal a small group's pay
        assert (gap.men_median, gap.women_median, gap.men_mean, gap.women_mean) == (None, None, None, None)


def test_gender_gaps_per_grade_with_the_company_total():
    def person(pk, gender, pay, grade):
        return paid(pk, pay, gender=gender, grade_id=grade, grade_code=f"P{grade}", grade_level=grade)

    people = [
        *(person(i, "male", 20000, 5) for i in range(1, 4)),
        *(person(i, "female", 18000, 5) for i in range(4, 7)),
        person(7, "male", 30000, 6),
        person(8, "female", 31000, 6),
        person(9, "", 99999, 6),  # no gender recorded
    ]
    r = a.gender_gaps(people)
    assert [(g.grade_code, g.men, g.women, g.shown, g.median_gap) for g in r.lines] == [
        ("P5", 3, 3, True, D("0.100")),
        ("P6", 1, 1, False, None),
    ]
    assert (r.hidden, r.without_gender) == (1, 1)
    # company: men 20000 ×3 and 30000 (median 20000, mean 22500); women 18000 ×3 and 31000
    assert (r.total.men, r.total.women, r.total.men_median, r.total.women_median) == (4, 4, D(20000), D(18000))
    assert (r.total.median_gap, r.total.mean_gap) == (D("0.100"), D("0.056"))  # 22500 vs 21250


def staff(pk, dept, path, *, hire=date(2020, 1, 1), leave=None, status=EmployeeStatus.ACTIVE) -> wf.PersonRow:
    return wf.PersonRow(
        id=pk, status=status, department_id=dept, department_path=path, hire_date=hire, leave_date=leave
    )


def test_pay_against_turnover_joins_by_top_level_department():
    people = [
        staff(1, 3, "/1/2/3/"),
        staff(2, 2, "/1/2/"),
        staff(3, 4, "/1/4/"),
        staff(4, 4, "/1/4/"),
        staff(5, 4, "/1/4/", leave=date(2025, 2, 1), status=EmployeeStatus.LEFT),
    ]
    rows = [cost(APRIL, 3, TECH, 900, 100), cost(APRIL, 4, SALES, 600, 400), cost(APRIL, None, "", 100, 0)]
    costs = a.cost_structure(rows, DEPARTMENTS, end=APRIL)
    turnover = wf.turnover(people, DEPARTMENTS, (), as_of=date(2025, 4, 30))
    r = a.pay_against_turnover(costs, turnover)
    lines = [
        (
            line.unit.id,
            line.cost.fixed_share if line.cost else None,
            line.turnover.leavers if line.turnover else None,
            line.turnover.rate if line.turnover else None,
        )
        for line in r.lines
    ]
    # 技术部: nobody left; 销售部: 1 leaver, (3 + 2) / 2 on staff; pay without a department has no turnover line
    assert lines == [(2, D("0.900"), 0, D("0.000")), (4, D("0.600"), 1, D("0.400")), (None, D("1.000"), None, None)]
    assert (r.total.cost.fixed_share, r.total.turnover.rate) == (D("0.762"), D("0.222"))  # 1600/2100; 1/4.5
    assert r.lines[0].monthly_gross == D(1000)


def test_only_people_on_staff_and_paid_are_compared():
    people = [
        staff(1, 2, "/1/2/"),
        staff(2, 2, "/1/2/", leave=date(2025, 4, 10), status=EmployeeStatus.LEFT),
        staff(3, 2, "/1/2/", hire=date(2025, 5, 2)),
        staff(4, 2, "/1/2/"),
    ]
    found = a.on_staff_paid(
        [paid(1, 100), paid(2, 100), paid(3, 100), paid(4, 0, months=0)], people, as_of=date(2025, 4, 30)
    )
    assert [p.id for p in found] == [1]


def test_long_tables_fold_and_the_chart_shows_the_most_spread_groups(english):
    from payroll.analytics_report import CHART_GROUPS, build_report

    people = [
        paid(i * 10 + k, 10000 + k * i, position_id=i, position_title=f"岗位{i:02d}", grade_id=1, grade_code="P1")
        for i in range(1, 61)
        for k in range(2)
    ]
    result = a.analyse(
        a.PayData(end=APRIL, paid=tuple(people), staff=tuple(staff(p.id, 2, "/1/2/") for p in people)),
        as_of=date(2025, 4, 30),
    )
    report = build_report(result)
    (equity,) = [s for s in report.sections if s.key == "equity"]
    block = equity.blocks[0]
    assert block.collapsed and len(block.table.rows) == 60
    labels = block.chart.spec["labels"]
    assert len(labels) == CHART_GROUPS == 50
    assert labels[0] == "岗位11 · P1" and labels[-1] == "岗位60 · P1"  # the 10 least spread (岗位01–10) are left out
    assert (
        "The chart shows the 50 groups with the highest coefficient of variation; the table lists all 60."
        in equity.notes
    )


# =============================================================================================
# the database: a small company with two finalised months and an open one


@pytest.fixture
def company(people, org, assignments, structure, run_factory):
    """Eight people (hire dates 2020) in 总部 (3), 技术部 with its sub-team (3) and 销售部 (2),
    paid in March and April 2025 (finalised) and May (calculated only, so not counted); a leaver
    of January in 销售部; market data for grade G1 and G2 and position SAL.

    Gross = 1.2 × base (岗位工资 10 %, 绩效奖金 = 岗位工资 × 绩效系数), fixed = 1.1 × base:
    employee 10000 with 绩效系数 3 -> 14000 / 11000; other 10000 with 销售额 200000 (1 % 提成)
    -> 14000 / 11000; the rest 20000 -> 24000 / 22000, manager 30000 -> 36000 / 33000."""
    from employees.models import Employee, Grade, Position
    from payroll.models import InputDefinition, MarketBenchmark, PeriodInput
    from tests.factories import EmployeeFactory

    Employee.objects.update(hire_date=date(2020, 1, 1))
    grades = {
        code: Grade.objects.create(code=code, name=name, level=level)
        for code, name, level in [("G1", "一级", 1), ("G2", "二级", 2), ("G3", "三级", 3)]
    }
    positions = {
        "HRP": Position.objects.create(code="HRP", title="人事专员", role_family="functions"),
        "DEV": Position.objects.create(code="DEV", title="开发工程师", role_family=TECH),
        "SAL": Position.objects.create(code="SAL", title="销售代表", role_family=SALES),
    }
    e = people["employees"]
    setup = {
        "hr_admin": ("HRP", "G2", "female", 20000),
        "hr": ("HRP", "G2", "female", 20000),
        "payroll": ("HRP", "G2", "male", 20000),
        "manager": ("DEV", "G3", "male", 30000),
        "employee": ("DEV", "G1", "female", 10000),
        "team_member": ("DEV", "G1", "male", 20000),
        "other_manager": ("SAL", "G2", "male", 20000),
        "other_employee": ("SAL", "G1", "female", 10000),
    }
    for role, (position, grade, gender, base) in setup.items():
        Employee.objects.filter(pk=e[role].pk).update(position=positions[position], grade=grades[grade], gender=gender)
        assignments[role].base_salary = D(base)
        assignments[role].save()
    coefficient = InputDefinition.objects.get(code="绩效系数")
    sales = InputDefinition.objects.get(code="销售额")
    for month in (MARCH, APRIL, MAY):
        PeriodInput.objects.create(employee=e["employee"], period=month, definition=coefficient, value=D(3))
        PeriodInput.objects.create(employee=e["other_employee"], period=month, definition=sales, value=D(200000))
    leaver = EmployeeFactory(
        department=org["b"],
        status=EmployeeStatus.LEFT,
        hire_date=date(2020, 1, 1),
        leave_date=date(2025, 1, 15),
        position=positions["SAL"],
        grade=grades["G1"],
    )
    for year, grade_code, basis, p25, p50, p75 in [
        (2025, "G1", "annual", 180000, 240000, 300000),
        (2025, "G2", "annual", 250000, 300000, 360000),
        (2024, "G2", "annual", 100000, 200000, 210000),  # an older survey: not used
    ]:
        MarketBenchmark.objects.create(
            survey_year=year, source="美世", grade=grades[grade_code], basis=basis, p25=p25, p50=p50, p75=p75
        )
    MarketBenchmark.objects.create(
        survey_year=2025, source="怡安", position=positions["SAL"], basis="monthly", p25=15000, p50=20000, p75=26000
    )
    run_factory(MARCH, finalize=True)
    run_factory(APRIL, finalize=True)
    run_factory(MAY)  # calculated, not finalised: not a pay fact
    return {"grades": grades, "positions": positions, "leaver": leaver}


def _page(client, **params):
    return client.get(reverse("payroll:pay_analytics"), params)


class _Tables(HTMLParser):
    """The text of every cell of the analytics tables, by data-table key."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.current = self.tables.setdefault(attrs["data-table"], [])
        elif self.current is not None and tag == "tr":
            self.current.append([])
        elif self.current is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.current is not None and tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _row(table: list[list[str]], first: str) -> list[str]:
    return next(r for r in table if r and r[0] == first)


URL_NAMES = [
    "payroll:pay_analytics",
    "payroll:pay_analytics_export",
    "payroll:market_list",
    "payroll:market_import",
    "payroll:market_template",
]


@pytest.mark.django_db
def test_payroll_sees_the_figures(client_for, company, english):
    response = _page(client_for("payroll"))
    assert response.status_code == 200
    report = response.context["report"]
    assert response.context["end"] == APRIL and response.context["as_of"] == date(2025, 4, 30)
    tables = _tables(response.text)
    assert set(tables) == {t.key for t in report.tables}
    assert len(tables) == 11

    # cost: two finalised months of eight people (May is not finalised); company 330000 / 368000
    assert [s.value for s in report.stats] == ["¥368,000.00", "89.7%", "0.96", "2"]
    assert _row(tables["cost_departments"], "技术部")[1:] == [
        "6",
        "¥148,000.00",
        "¥132,000.00",
        "¥16,000.00",
        "89.2%",
        "10.8%",
    ]
    assert _row(tables["cost_departments"], "总部 (own staff)")[-2:] == ["91.7%", "8.3%"]
    assert _row(tables["cost_departments"], "销售部")[-2:] == ["86.8%", "13.2%"]  # 66000 / 76000
    assert _row(tables["cost_departments"], "Company total")[1:2] == ["16"]
    assert _row(tables["cost_families"], "Sales")[-2:] == ["86.8%", "13.2%"]
    assert [r[0] for r in tables["cost_trend"][1:]] == ["2025-03", "2025-04"]
    assert _row(tables["cost_trend"], "2025-04")[5:] == ["89.7%", "91.7%", "89.2%", "86.8%"]

    # market: 7 of 8 compared (nobody surveys grade G3); the 2024 line of G2 is not used
    assert _row(tables["market_distribution"], "Below 0.80")[1:] == ["2", "28.6%"]
    assert _row(tables["market_distribution"], "0.90 to under 1.00")[1:] == ["3", "42.9%"]
    assert _row(tables["market_distribution"], "1.20 and above")[1:] == ["2", "28.6%"]
    assert _row(tables["market_quartiles"], "Below P25")[1:] == ["2", "28.6%"]
    assert _row(tables["market_benchmarks"], "G2 二级")[1:5] == ["Grade", "2025", "美世", "Annual"]
    assert _row(tables["market_benchmarks"], "SAL 销售代表")[8:] == ["2", "¥19,000.00", "0.95", "1"]
    below = tables["market_below_p25"][1:]
    assert [(r[1], r[5], r[7], r[9], r[10]) for r in below] == [
        ("employee", "¥14,000.00", "¥168,000.00", "0.70", "¥12,000.00"),  # G1 annual: 14000 × 12
        ("other", "¥14,000.00", "¥14,000.00", "0.70", "¥1,000.00"),  # SAL monthly
    ]
    assert "1 of 8 people have no survey line" in response.text

    # equity: 人事专员 G2 (3 people), 开发工程师 G1 (2); three people alone in theirs
    assert _row(tables["equity_groups"], "开发工程师")[2:10] == [
        "G1 一级",
        "2",
        "¥14,000.00",
        "¥19,000.00",
        "¥24,000.00",
        "¥19,000.00",
        "26.3%",
        "1.71",
    ]
    assert "(3 people alone in theirs are not)" in response.text
    # gender: every grade has fewer than 3 men or women; the company has 4 and 4
    gender = tables["gender_gap"]
    assert _row(gender, "G1 一级")[1:] == [
        "1",
        "2",
        "—",
        "—",
        "—",
        "—",
        "—",
        "—",
        "Fewer than 3 men or women: not shown",
    ]
    assert _row(gender, "G2 二级")[1:3] == ["2", "2"]
    assert _row(gender, "Company total")[1:10] == [
        "4",
        "4",
        "¥24,000.00",
        "¥19,000.00",
        "+20.8%",
        "¥27,000.00",
        "¥19,000.00",
        "+29.6%",
        "",
    ]
    assert "Grades with fewer than 3 men or women, whose gap is not shown: 3." in response.text

    # pay against turnover: the January leaver of 销售部 (3 on 2024-04-30, 2 on 2025-04-30)
    assert _row(tables["pay_turnover"], "销售部")[3:] == ["86.8%", "13.2%", "1", "2.5", "40.0%"]
    assert _row(tables["pay_turnover"], "技术部")[3:] == ["89.2%", "10.8%", "0", "3.0", "0.0%"]
    assert _row(tables["pay_turnover"], "Company total")[5:] == ["1", "8.5", "11.8%"]

    # charts only through json_script; definitions footnoted
    for chart in (
        "chart-cost-departments",
        "chart-cost-trend",
        "chart-compa-ratio",
        "chart-equity",
        "chart-gender-gap",
        "chart-pay-turnover",
    ):
        assert f'<script id="{chart}" type="application/json">' in response.text
    assert "<script>" not in response.text and " onclick=" not in response.text
    assert "Window: 2024-05 to 2025-04 (12 months), 2 of them with finalised pay." in response.text
    assert "annual figures with the average monthly gross × 12" in response.text


@pytest.mark.django_db
def test_an_earlier_window_can_be_chosen(client_for, company):
    response = _page(client_for("payroll"), month="2025-03")
    assert response.context["end"] == MARCH
    assert response.context["report"].result.cost.total.payslips == 8
    # a month without finalised pay is not offered and falls back to the latest
    assert _page(client_for("payroll"), month="2025-05").context["end"] == APRIL


@pytest.mark.django_db
def test_without_finalised_pay_the_page_says_so(client_for, people, english):
    response = _page(client_for("payroll"))
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "No pay run is finalised yet." in response.text
    export = client_for("payroll").get(reverse("payroll:pay_analytics_export"))
    assert export.status_code == 302


@pytest.mark.django_db
def test_without_market_data_the_market_section_points_to_the_import(client_for, company, english):
    from payroll.models import MarketBenchmark

    MarketBenchmark.objects.all().delete()
    response = _page(client_for("payroll"))
    assert response.status_code == 200
    assert "Nobody on staff could be compared with the market yet" in response.text
    assert f'href="{reverse("payroll:market_import")}"' in response.text
    assert "8 of 8 people have no survey line" in response.text
    assert response.context["report"].stats[2].value == "—"


@pytest.mark.django_db
def test_the_list_below_p25_is_paged(client_for, company, monkeypatch):
    from payroll.views import analytics as views

    monkeypatch.setattr(views, "BELOW_PER_PAGE", 1)
    client = client_for("payroll")
    first, second = _page(client), _page(client, page=2)
    names = [_tables(r.text)["market_below_p25"][1][1] for r in (first, second)]
    assert names == ["employee", "other"]
    assert "page=2#below-p25" in first.text


@pytest.mark.django_db
@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_others_are_refused(client_for, name, role):
    assert client_for(role).get(reverse(name)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_others_cannot_import(client_for, role):
    assert client_for(role).post(reverse("payroll:market_import_confirm"), {"token": "x"}).status_code == 403
    assert client_for(role).post(reverse("payroll:market_import"), {}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*URL_NAMES, "payroll:market_import_confirm"])
def test_anonymous_is_sent_to_login(client, name):
    method = client.post if name.endswith("confirm") else client.get
    response = method(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- queries ---------------------------------------------------------------------------------


def _more_people(org, assignments, structure, n):
    from payroll.models import PayAssignment
    from tests.factories import EmployeeFactory

    for employee in EmployeeFactory.create_batch(n, department=org["a_team"], hire_date=date(2020, 1, 1)):
        # a salary account of their own, so the payee checks let the run be finalised
        employee.bank_name = "招商银行"
        employee.bank_account = f"62259900{employee.pk:08d}"
        employee.bank_account_holder = employee.name
        employee.save()
        PayAssignment.objects.create(
            employee=employee,
            structure=structure,
            base_salary=D(15000),
            effective_from=date(2025, 1, 1),
            si_policy_city="北京",
        )


@pytest.mark.django_db
def test_selector_queries_do_not_grow_with_the_number_of_employees(company, org, assignments, structure, run_factory):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payroll import selectors_analytics

    def count(n, month):
        _more_people(org, assignments, structure, n)
        run_factory(month, finalize=True)
        user = get_user_model().objects.get(username="payroll")  # fresh: nothing cached on it
        with CaptureQueriesContext(connection) as ctx:
            data = selectors_analytics.pay_data(user, end=month, as_of=month.replace(day=28))
        return len(ctx.captured_queries), len(data.paid)

    few, few_people = count(5, date(2025, 6, 1))
    many, many_people = count(35, date(2025, 7, 1))
    assert (few_people, many_people) == (13, 48)  # 8 + 5, then 35 more (the leaver was never paid)
    assert few == many == 7  # slips twice, staff, departments, survey lines + the user's scope (2)


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_number_of_employees(
    client_for, company, org, assignments, structure, run_factory, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("payroll")
    _more_people(org, assignments, structure, 5)
    run_factory(date(2025, 6, 1), finalize=True)
    _page(client)  # the first request of a session fills caches
    with CaptureQueriesContext(connection) as ctx:
        assert _page(client).status_code == 200
    _more_people(org, assignments, structure, 35)
    run_factory(date(2025, 7, 1), finalize=True)
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert _page(client).status_code == 200


# --- export ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_one_sheet_per_table_with_the_page_figures_and_is_audited(client_for, company, english):
    from hrsuite.audit.models import AuditEntry, AuditEvent

    client = client_for("payroll")
    page = _page(client)
    report = page.context["report"]
    response = client.get(reverse("payroll:pay_analytics_export"), {"month": "2025-04"})
    assert response.status_code == 200
    assert "pay-analytics-2025-04" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    assert wb.sheetnames == report.sheet_titles()
    assert len(set(wb.sheetnames)) == len(report.tables) == 11
    for title, table in zip(report.sheet_titles(), report.tables, strict=True):
        sheet = list(wb[title].iter_rows(values_only=True))
        assert list(sheet[0]) == table.headers()
        expected = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in table.sheet_rows()]
        assert [list(r) for r in sheet[1:]] == expected

    # the same figures as on the page
    titles = dict(zip([t.key for t in report.tables], report.sheet_titles(), strict=True))
    tables = _tables(page.text)
    departments = {r[0]: r for r in wb[titles["cost_departments"]].iter_rows(values_only=True)}
    assert departments["技术部"][1:] == (6, 148000, 132000, 16000, 89.2, 10.8)
    assert _row(tables["cost_departments"], "技术部")[5] == "89.2%"
    below = list(wb[titles["market_below_p25"]].iter_rows(values_only=True))[1:]
    assert [(r[1], r[9], r[10]) for r in below] == [("employee", 0.7, 12000), ("other", 0.7, 1000)]
    gender = {r[0]: r for r in wb[titles["gender_gap"]].iter_rows(values_only=True)}
    assert gender["G1 一级"][1:9] == (1, 2, None, None, None, None, None, None)  # hidden in the workbook too
    assert gender["Company total"][5] == 20.8
    turnover = {r[0]: r for r in wb[titles["pay_turnover"]].iter_rows(values_only=True)}
    assert turnover["销售部"][3:] == (86.8, 13.2, 1, 2.5, 40.0)

    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert entry.actor.username == "payroll"
    rows = sum(len(list(t.sheet_rows())) for t in report.tables)
    assert entry.additional_data == {"rows": rows, "filters": "month=2025-04"}


# =============================================================================================
# market data import

HEADERS = ["调研年份", "岗位编码", "职级编码", "口径", "P25", "P50", "P75", "数据来源"]


def survey(rows, headers=HEADERS) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("市场数据")
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def codes(db):
    from employees.models import Grade, Position

    return {
        "RISK": Position.objects.create(code="RISK", title="风险分析师", role_family="risk_control"),
        "P5": Grade.objects.create(code="P5", name="高级专员", level=5),
    }


def check(content: bytes):
    from payroll import importing_market

    return importing_market.parse_and_validate(io.BytesIO(content), today=date(2026, 11, 24), filename="m.xlsx")


def problems(plan) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in plan.errors]


VALID = [
    (2026, "RISK", None, "月度", 20000, 25000, 30000, "怡安 2026"),
    (2026, None, "P5", "年度", "300,000", 360000.0, 420000, "美世 2026"),
]


@pytest.mark.django_db
def test_a_valid_file_is_checked_then_imported_and_audited(codes, people):
    from hrsuite.audit.models import AuditEntry, AuditEvent
    from payroll import importing_market
    from payroll.models import MarketBenchmark

    plan = check(survey(VALID))
    assert plan.is_valid, problems(plan)
    assert (plan.new, plan.replaced, plan.unchanged) == (2, 0, 0)
    assert not MarketBenchmark.objects.exists()  # the check writes nothing
    summary = importing_market.apply_plan(plan, actor=people["users"]["payroll"])
    assert (summary.new, summary.replaced) == (2, 0)
    lines = {(b.position_id, b.grade_id): b for b in MarketBenchmark.objects.all()}
    risk = lines[(codes["RISK"].pk, None)]
    grade = lines[(None, codes["P5"].pk)]
    assert (risk.basis, risk.p25, risk.p50, risk.p75, risk.source) == ("monthly", 20000, 25000, 30000, "怡安 2026")
    assert (grade.basis, grade.p25, grade.p50) == ("annual", 300000, 360000)
    assert grade.imported_by == people["users"]["payroll"]
    # one entry per line (with its values) and one for the import
    assert AuditEntry.objects.filter(event=AuditEvent.CREATE, object_pk__in=[str(risk.pk), str(grade.pk)]).count() == 2
    entry = AuditEntry.objects.get(event=AuditEvent.ACTION)
    assert entry.additional_data["action"] == "market_benchmark_import"
    assert (entry.additional_data["new"], entry.additional_data["rows"]) == (2, 2)

    # the same lines again: unchanged; new figures for one: replaced, with a change entry
    again = check(survey([VALID[0], (*VALID[1][:4], 310000, 370000, 430000, "美世 2026")]))
    assert (again.new, again.replaced, again.unchanged) == (0, 1, 1)
    importing_market.apply_plan(again, actor=people["users"]["payroll"])
    grade.refresh_from_db()
    assert (grade.p25, grade.p50, grade.p75) == (310000, 370000, 430000)
    assert MarketBenchmark.objects.count() == 2
    assert AuditEntry.objects.filter(event=AuditEvent.UPDATE, object_pk=str(grade.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row, expected",
    [
        ((2026, "NOPE", None, "月度", 1, 2, 3, "S"), [(2, "Position code", "No position has the code NOPE.")]),
        ((2026, None, "P9", "月度", 1, 2, 3, "S"), [(2, "Grade code", "No grade has the code P9.")]),
        (
            (2026, "RISK", None, "月度", 9000, 8000, 9500, "S"),
            [(2, "P25", "P25 (9,000.00) is above P50 (8,000.00).")],
        ),
        (
            (2026, "RISK", None, "月度", 7000, 9000, 8000, "S"),
            [(2, "P50", "P50 (9,000.00) is above P75 (8,000.00).")],
        ),
        ((2026, "RISK", None, "月度", "abc", 2, 3, "S"), [(2, "P25", "“abc” is not a number.")]),
        ((2026, "RISK", None, "月度", 1, 2, -3, "S"), [(2, "P75", "The amount must be greater than 0.")]),
        (
            (2026, "RISK", None, "月度", 1.234, 2, 3, "S"),
            [(2, "P25", "At most two decimals (fen) are allowed; this cell has more.")],
        ),
        (
            (2026, "RISK", "P5", "月度", 1, 2, 3, "S"),
            [(2, "Grade code", "Fill in either the position code or the grade code, not both.")],
        ),
        (
            (2026, None, None, "月度", 1, 2, 3, "S"),
            [(2, "Position code", "Fill in the position code or the grade code.")],
        ),
        (
            (2026, "RISK", None, "季度", 1, 2, 3, "S"),
            [(2, "Basis", "“季度” is not a basis; enter 月度 (monthly) or 年度 (annual).")],
        ),
        (
            (1999, "RISK", None, "月度", 1, 2, 3, "S"),
            [(2, "Survey year", "The survey year 1999 is outside 2000–2027.")],
        ),
        ((2026, "RISK", None, "月度", 1, 2, 3, None), [(2, "Source", "This column is required; the cell is empty.")]),
    ],
)
def test_each_problem_is_named_by_row_and_column(codes, english, row, expected):
    plan = check(survey([row]))
    assert problems(plan) == expected
    assert not plan.is_valid


@pytest.mark.django_db
def test_a_line_twice_in_the_file_is_refused(codes, english):
    plan = check(survey([VALID[0], VALID[1], VALID[0]]))
    assert problems(plan) == [
        (4, "Position code", "The same survey line (year, source and Position code) is also in row 2.")
    ]


@pytest.mark.django_db
def test_missing_columns_are_named(codes, english):
    plan = check(survey([(2026, 1, 2, 3)], headers=["Survey year", "P25", "P50", "P75"]))
    assert plan.file_error == (
        "These columns are missing: Basis, Source, Position code or Grade code. "
        "Download the template to see the expected headers."
    )


@pytest.mark.django_db
def test_english_headers_and_words_are_accepted(codes):
    headers = ["Survey year", "Position code", "Grade code", "Basis", "P25", "P50", "P75", "Source"]
    plan = check(survey([(2026, "risk", None, "Monthly", 1, 2, 3, "S")], headers=headers))
    assert plan.is_valid, problems(plan)
    assert plan.rows[0].position_id == codes["RISK"].pk  # codes match whatever their case


def _upload(client, content: bytes, name="survey.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hrsuite.excel import XLSX_CONTENT_TYPE

    return client.post(
        reverse("payroll:market_import"), {"file": SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)}
    )


@pytest.mark.django_db
def test_import_pages_preview_then_confirm(client_for, codes, english):
    from payroll.models import MarketBenchmark

    client = client_for("payroll")
    assert client.get(reverse("payroll:market_import")).status_code == 200
    preview = _upload(client, survey(VALID))
    assert preview.status_code == 200
    assert "Import: add 2, replace 0" in preview.text
    assert not MarketBenchmark.objects.exists()
    token = preview.context["token"]
    done = client.post(reverse("payroll:market_import_confirm"), {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("payroll:market_list")
    assert MarketBenchmark.objects.count() == 2
    # the token works once
    again = client.post(reverse("payroll:market_import_confirm"), {"token": token})
    assert again.status_code == 302 and again["Location"] == reverse("payroll:market_import")
    assert MarketBenchmark.objects.count() == 2
    listing = client.get(reverse("payroll:market_list"), {"q": "怡安"})
    table = listing.text.split('data-testid="market-list"')[1]
    assert "怡安 2026" in table and "美世 2026" not in table


@pytest.mark.django_db
def test_nothing_is_imported_when_one_row_is_wrong(client_for, codes, english):
    from hrsuite.audit.models import AuditEntry, AuditEvent
    from payroll.models import MarketBenchmark

    client = client_for("payroll")
    response = _upload(client, survey([*VALID, (2026, "NOPE", None, "月度", 1, 2, 3, "S")]))
    assert response.status_code == 200
    assert response.context["token"] == ""
    assert 'data-testid="import-confirm"' not in response.text
    assert "No position has the code NOPE." in response.text
    assert client.post(reverse("payroll:market_import_confirm"), {"token": ""}).status_code == 302
    assert not MarketBenchmark.objects.exists()
    assert not AuditEntry.objects.filter(event=AuditEvent.ACTION).exists()


@pytest.mark.django_db
def test_a_write_that_fails_half_way_leaves_nothing(codes, people, monkeypatch):
    from payroll import importing_market
    from payroll.models import MarketBenchmark

    plan = check(survey(VALID))
    calls = {"n": 0}
    original = MarketBenchmark.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MarketBenchmark, "save", failing_save)
    with pytest.raises(RuntimeError):
        importing_market.apply_plan(plan, actor=people["users"]["payroll"])
    assert not MarketBenchmark.objects.exists()


@pytest.mark.django_db
def test_a_non_excel_file_is_refused(client_for, codes):
    response = _upload(client_for("payroll"), b"not a workbook", name="survey.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.django_db
def test_the_template_lists_the_columns_and_codes_and_imports_when_filled(client_for, codes):
    client = client_for("payroll")
    response = client.get(reverse("payroll:market_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    sheet, code_sheet = wb.worksheets
    assert [c.value for c in sheet[1]] == HEADERS
    listed = {cell for r in code_sheet.iter_rows(min_row=2, values_only=True) for cell in (r[0], r[3])}
    assert {"RISK", "P5"} <= listed
    assert any("'!$A$2:$A$" in dv.formula1 for dv in sheet.data_validations.dataValidation)
    sheet.append([2026, "RISK", None, "月度", 1, 2, 3, "S"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert check(buffer.getvalue()).is_valid

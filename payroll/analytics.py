"""Pay analytics: pure calculations over plain rows (no ORM, no clock).

Inputs are frozen dataclass rows gathered once by `selectors_analytics` from finalised or
published pay runs only; outputs are frozen dataclasses. Every figure is rounded in `_round`
only. The window's last month and the date turnover is taken on are always passed in.

Definitions (shown on the page as footnotes):

* **Window**: the 12 calendar months ending with the chosen month (the latest month with a
  finalised or published run unless another is chosen). Pay facts are the slips of finalised
  or published runs in the window that were calculated without an error.
* **Gross pay** is every earning of a slip; **variable pay** the earnings of components marked
  "variable pay" plus the annual bonus; **fixed pay** = gross − variable. **Fixed share** =
  fixed ÷ gross summed over the slips of a group; the variable share is 100 % − fixed share.
* **Department** of pay: the department recorded on each slip (where the person was when paid),
  rolled up to the top-level departments of the workforce analytics (sub-departments
  included). **Role family**, **position** and **grade**: the employee's current ones.
* **Pay** of a person (market comparison and internal equity): the **average monthly gross**
  = gross over the months they were paid in the window ÷ the number of those months, for the
  people on staff on the turnover date who were paid at least once in the window.
* **Market benchmark**: the survey line of the person's position from the latest survey year,
  else the line of their grade; with several sources for that year, the most recently
  imported. Monthly survey figures are compared with the average monthly gross, annual ones
  with the average monthly gross × 12. **Compa-ratio** = pay ÷ P50 (two decimals). Below P25:
  pay < P25.
* **Internal equity**: groups of people with the same position and grade (at least two people).
  Coefficient of variation = population standard deviation ÷ mean. Quartiles by linear
  interpolation between ranks (Excel QUARTILE.INC); outliers lie below Q1 − 1.5 × IQR or above
  Q3 + 1.5 × IQR, looked for in groups of at least four people.
* **Gender pay gap** per grade = (men's median − women's median) ÷ men's median, likewise with
  means; positive when women are paid less. A grade where either gender has fewer than three
  people shows its counts only.
* **Turnover** is the workforce analytics' 12-month turnover (`employees.analytics.turnover`)
  taken on the turnover date; pay is joined to it by top-level department.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from employees import analytics as wf
from employees.choices import Gender, RoleFamily

SHARE_PLACES = Decimal("0.001")  # 66.7 %
RATIO_PLACES = Decimal("0.01")  # compa-ratio 0.93
MONEY_PLACES = Decimal("0.01")
WINDOW_MONTHS = 12
MIN_GENDER_GROUP = 3
MIN_EQUITY_GROUP = 2
MIN_OUTLIER_GROUP = 4
IQR_FACTOR = Decimal("1.5")
ONE = Decimal(1)
ZERO = Decimal(0)
ANNUAL_FACTOR = Decimal(12)

MONTHLY = "monthly"
ANNUAL = "annual"

MATCH_POSITION = "position"
MATCH_GRADE = "grade"

BELOW_P25 = "below_p25"
P25_P50 = "p25_p50"
P50_P75 = "p50_p75"
ABOVE_P75 = "above_p75"
QUARTILE_BANDS = (BELOW_P25, P25_P50, P50_P75, ABOVE_P75)

# compa-ratio bands: (key, lowest included, highest excluded); None = open
COMPA_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("lt_080", None, Decimal("0.80")),
    ("080_090", Decimal("0.80"), Decimal("0.90")),
    ("090_100", Decimal("0.90"), Decimal("1.00")),
    ("100_110", Decimal("1.00"), Decimal("1.10")),
    ("110_120", Decimal("1.10"), Decimal("1.20")),
    ("ge_120", Decimal("1.20"), None),
)

# ---------------------------------------------------------------------------------------------
# rounding: the only place figures are rounded


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> Decimal:
    return _round(value, MONEY_PLACES)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a fraction rounded to 0.1 %; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return _round(Decimal(part) / Decimal(whole), SHARE_PLACES)


def signed_share(part: Decimal, whole: Decimal) -> Decimal | None:
    """Like `share` for a difference (may be negative)."""
    if whole <= 0:
        return None
    return _round(part / whole, SHARE_PLACES)


def ratio(value: Decimal, reference: Decimal) -> Decimal | None:
    if reference <= 0:
        return None
    return _round(value / reference, RATIO_PLACES)


def complement(fraction: Decimal | None) -> Decimal | None:
    """100 % − a rounded share: the two parts of a whole always add up to 100 %."""
    return None if fraction is None else ONE - fraction


# ---------------------------------------------------------------------------------------------
# statistics


def median(values: Sequence[Decimal]) -> Decimal | None:
    """Unrounded median; the mean of the two middle values of an even count."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, ZERO) / len(values) if values else None


def quantile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """Linear interpolation between closest ranks, as Excel QUARTILE.INC / PERCENTILE.INC."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = int(h)
    fraction = h - low
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + fraction * (ordered[low + 1] - ordered[low])


def coefficient_of_variation(values: Sequence[Decimal]) -> Decimal | None:
    """Population standard deviation ÷ mean, as a fraction rounded to 0.1 %."""
    average = mean(values)
    if average is None or average <= 0:
        return None
    variance = sum(((v - average) ** 2 for v in values), ZERO) / len(values)
    return share(variance.sqrt(), average)


# ---------------------------------------------------------------------------------------------
# months


def month_start(day: date) -> date:
    return day.replace(day=1)


def window_months(end: date) -> tuple[date, ...]:
    """The first days of the WINDOW_MONTHS calendar months ending with `end`'s month."""
    last = end.year * 12 + end.month - 1
    return tuple(date(i // 12, i % 12 + 1, 1) for i in range(last - WINDOW_MONTHS + 1, last + 1))


# ---------------------------------------------------------------------------------------------
# input rows


@dataclass(frozen=True)
class CostRow:
    """The slips of one month, one department (on the slip) and one role family (current)."""

    period: date
    department_id: int | None
    role_family: str  # "" = no position
    payslips: int
    gross: Decimal
    fixed: Decimal
    variable: Decimal


@dataclass(frozen=True)
class PaidPerson:
    """Someone paid in the window: their current attributes and their pay over the window."""

    id: int
    employee_no: str
    name: str
    months: int  # months paid in the window
    gross: Decimal  # summed over those months
    gender: str = ""
    department_name: str = ""
    position_id: int | None = None
    position_code: str = ""
    position_title: str = ""
    role_family: str = ""
    grade_id: int | None = None
    grade_code: str = ""
    grade_name: str = ""
    grade_level: int = 0

    @property
    def monthly_gross(self) -> Decimal:
        """Average monthly gross over the months paid in the window (rounded to the fen)."""
        return money(self.gross / self.months) if self.months else ZERO


@dataclass(frozen=True)
class BenchmarkRow:
    id: int
    survey_year: int
    source: str
    basis: str  # MONTHLY / ANNUAL
    p25: Decimal
    p50: Decimal
    p75: Decimal
    position_id: int | None = None
    grade_id: int | None = None
    code: str = ""  # of the position or grade
    name: str = ""  # its title or name


@dataclass(frozen=True)
class PayData:
    """What the calculations need, gathered once (see selectors_analytics)."""

    end: date  # the first day of the window's last month
    costs: tuple[CostRow, ...] = ()
    paid: tuple[PaidPerson, ...] = ()
    staff: tuple[wf.PersonRow, ...] = ()  # for turnover and who is on staff
    departments: tuple[wf.DepartmentRow, ...] = ()
    benchmarks: tuple[BenchmarkRow, ...] = ()  # newest survey year first, then latest import first


# ---------------------------------------------------------------------------------------------
# cost structure


@dataclass(frozen=True)
class CostLine:
    payslips: int
    gross: Decimal
    fixed: Decimal
    variable: Decimal
    fixed_share: Decimal | None
    variable_share: Decimal | None


def cost_line(rows: Iterable[CostRow]) -> CostLine:
    payslips, gross, fixed, variable = 0, ZERO, ZERO, ZERO
    for r in rows:
        payslips += r.payslips
        gross += r.gross
        fixed += r.fixed
        variable += r.variable
    fixed_share = share(fixed, gross)
    return CostLine(
        payslips=payslips,
        gross=gross,
        fixed=fixed,
        variable=variable,
        fixed_share=fixed_share,
        variable_share=complement(fixed_share),
    )


@dataclass(frozen=True)
class UnitCost:
    unit: wf.Unit
    cost: CostLine


@dataclass(frozen=True)
class FamilyCost:
    role_family: str  # "" = no position
    cost: CostLine


@dataclass(frozen=True)
class MonthCost:
    period: date
    cost: CostLine
    unit_shares: tuple[Decimal | None, ...]  # fixed share per unit of CostReport.units


@dataclass(frozen=True)
class CostReport:
    months: tuple[date, ...]  # the window
    paid_months: tuple[date, ...]  # months of the window with finalised pay
    by_unit: tuple[UnitCost, ...]
    by_family: tuple[FamilyCost, ...]
    trend: tuple[MonthCost, ...]  # one per paid month
    total: CostLine

    @property
    def units(self) -> tuple[wf.Unit, ...]:
        return tuple(u.unit for u in self.by_unit)


NO_DEPARTMENT = wf.Unit(id=None, name="")


def _unit_keys(tree: wf.DepartmentTree, rows: Iterable[CostRow]) -> dict[int | None, int | None]:
    """department id -> top-level unit id (None: no department or one outside the tree)."""
    keys: dict[int | None, int | None] = {}
    for r in rows:
        if r.department_id not in keys:
            dept = tree.by_id.get(r.department_id) if r.department_id is not None else None
            keys[r.department_id] = tree.unit_of(dept.path) if dept else None
    return keys


def cost_structure(costs: Sequence[CostRow], departments: Sequence[wf.DepartmentRow], *, end: date) -> CostReport:
    months = window_months(end)
    inside = [r for r in costs if months[0] <= r.period <= months[-1]]
    tree = wf.DepartmentTree(departments)
    unit_of = _unit_keys(tree, inside)

    per_unit: dict[int | None, list[CostRow]] = {}
    for r in inside:
        per_unit.setdefault(unit_of[r.department_id], []).append(r)
    units = [u for u in tree.units if u.id in per_unit]
    if None in per_unit:
        units.append(NO_DEPARTMENT)
    by_unit = tuple(UnitCost(unit=u, cost=cost_line(per_unit[u.id])) for u in units)

    families = [f for f in RoleFamily.values if any(r.role_family == f for r in inside)]
    if any(r.role_family not in RoleFamily.values for r in inside):
        families.append("")
    by_family = tuple(
        FamilyCost(
            role_family=f,
            cost=cost_line(r for r in inside if (r.role_family if r.role_family in RoleFamily.values else "") == f),
        )
        for f in families
    )

    paid_months = tuple(m for m in months if any(r.period == m for r in inside))
    trend = []
    for m in paid_months:
        month_rows = [r for r in inside if r.period == m]
        unit_shares = tuple(
            cost_line(r for r in month_rows if unit_of[r.department_id] == u.id).fixed_share for u in units
        )
        trend.append(MonthCost(period=m, cost=cost_line(month_rows), unit_shares=unit_shares))
    return CostReport(
        months=months,
        paid_months=paid_months,
        by_unit=by_unit,
        by_family=by_family,
        trend=tuple(trend),
        total=cost_line(inside),
    )


# ---------------------------------------------------------------------------------------------
# who counts for market comparison and internal equity


def on_staff_paid(paid: Sequence[PaidPerson], staff: Sequence[wf.PersonRow], *, as_of: date) -> list[PaidPerson]:
    """The people paid in the window who are on staff on `as_of` (the workforce analytics' rule)."""
    current = {p.id for p in staff if wf.on_staff(p, as_of)}
    return [p for p in paid if p.id in current and p.months > 0]


# ---------------------------------------------------------------------------------------------
# market comparison


@dataclass(frozen=True)
class MarketLine:
    person: PaidPerson
    benchmark: BenchmarkRow
    matched_by: str  # MATCH_POSITION / MATCH_GRADE
    pay: Decimal  # as compared: the average monthly gross, × 12 against an annual survey
    compa_ratio: Decimal
    band: str  # one of QUARTILE_BANDS
    gap_to_p25: Decimal  # P25 − pay: what it takes to reach P25 (positive below P25)


@dataclass(frozen=True)
class BenchmarkUse:
    benchmark: BenchmarkRow
    matched_by: str
    people: int
    median_pay: Decimal
    median_compa_ratio: Decimal
    below_p25: int


@dataclass(frozen=True)
class BandCount:
    key: str
    low: Decimal | None
    high: Decimal | None
    count: int


@dataclass(frozen=True)
class MarketReport:
    lines: tuple[MarketLine, ...]  # everyone compared, lowest compa-ratio first
    without_benchmark: int  # on staff and paid, but no survey line for their position or grade
    distribution: tuple[BandCount, ...]  # compa-ratio bands
    quartiles: tuple[tuple[str, int], ...]  # (QUARTILE_BANDS key, people)
    by_benchmark: tuple[BenchmarkUse, ...]
    median_compa_ratio: Decimal | None

    @property
    def below_p25(self) -> tuple[MarketLine, ...]:
        return tuple(line for line in self.lines if line.band == BELOW_P25)


@dataclass(frozen=True)
class BenchmarkIndex:
    """The survey line that applies to each position and each grade: the first usable one
    (P50 above 0) of lines given newest first, i.e. the latest survey year and, within it,
    the latest import."""

    by_position: dict[int, BenchmarkRow]
    by_grade: dict[int, BenchmarkRow]

    @classmethod
    def of(cls, benchmarks: Iterable[BenchmarkRow]) -> BenchmarkIndex:
        by_position: dict[int, BenchmarkRow] = {}
        by_grade: dict[int, BenchmarkRow] = {}
        for b in benchmarks:
            if b.p50 <= 0:
                continue
            if b.position_id is not None:
                by_position.setdefault(b.position_id, b)
            elif b.grade_id is not None:
                by_grade.setdefault(b.grade_id, b)
        return cls(by_position=by_position, by_grade=by_grade)

    def find(self, person: PaidPerson) -> tuple[BenchmarkRow, str] | None:
        """The position's survey line, else the grade's."""
        if person.position_id is not None and person.position_id in self.by_position:
            return self.by_position[person.position_id], MATCH_POSITION
        if person.grade_id is not None and person.grade_id in self.by_grade:
            return self.by_grade[person.grade_id], MATCH_GRADE
        return None


def benchmark_for(person: PaidPerson, benchmarks: Sequence[BenchmarkRow]) -> tuple[BenchmarkRow, str] | None:
    """The position's survey line, else the grade's (see BenchmarkIndex)."""
    return BenchmarkIndex.of(benchmarks).find(person)


def compared_pay(monthly_gross: Decimal, basis: str) -> Decimal:
    return monthly_gross * ANNUAL_FACTOR if basis == ANNUAL else monthly_gross


def quartile_band(pay: Decimal, b: BenchmarkRow) -> str:
    if pay < b.p25:
        return BELOW_P25
    if pay < b.p50:
        return P25_P50
    if pay <= b.p75:
        return P50_P75
    return ABOVE_P75


def compa_band(value: Decimal) -> str:
    for key, low, high in COMPA_BANDS:
        if (low is None or value >= low) and (high is None or value < high):
            return key
    raise ValueError(value)  # pragma: no cover (the bands cover every number)


def market_line(person: PaidPerson, benchmark: BenchmarkRow, matched_by: str) -> MarketLine:
    pay = compared_pay(person.monthly_gross, benchmark.basis)
    value = ratio(pay, benchmark.p50)
    assert value is not None  # benchmark_for skips a P50 of 0
    return MarketLine(
        person=person,
        benchmark=benchmark,
        matched_by=matched_by,
        pay=pay,
        compa_ratio=value,
        band=quartile_band(pay, benchmark),
        gap_to_p25=benchmark.p25 - pay,
    )


def market_comparison(people: Sequence[PaidPerson], benchmarks: Sequence[BenchmarkRow]) -> MarketReport:
    index = BenchmarkIndex.of(benchmarks)
    lines = []
    without = 0
    for person in people:
        found = index.find(person)
        if found is None:
            without += 1
        else:
            lines.append(market_line(person, *found))
    lines.sort(key=lambda line: (line.compa_ratio, line.person.employee_no))

    distribution = tuple(
        BandCount(key=key, low=low, high=high, count=sum(1 for line in lines if compa_band(line.compa_ratio) == key))
        for key, low, high in COMPA_BANDS
    )
    quartiles = tuple((band, sum(1 for line in lines if line.band == band)) for band in QUARTILE_BANDS)

    groups: dict[int, list[MarketLine]] = {}
    for line in lines:
        groups.setdefault(line.benchmark.id, []).append(line)
    uses = []
    for group in groups.values():
        first = group[0]
        uses.append(
            BenchmarkUse(
                benchmark=first.benchmark,
                matched_by=first.matched_by,
                people=len(group),
                median_pay=money(median([line.pay for line in group]) or ZERO),
                median_compa_ratio=_round(median([line.compa_ratio for line in group]) or ZERO, RATIO_PLACES),
                below_p25=sum(1 for line in group if line.band == BELOW_P25),
            )
        )
    uses.sort(key=lambda u: (u.matched_by != MATCH_POSITION, u.benchmark.code, u.benchmark.id))
    overall = median([line.compa_ratio for line in lines])
    return MarketReport(
        lines=tuple(lines),
        without_benchmark=without,
        distribution=distribution,
        quartiles=quartiles,
        by_benchmark=tuple(uses),
        median_compa_ratio=None if overall is None else _round(overall, RATIO_PLACES),
    )


# ---------------------------------------------------------------------------------------------
# internal equity


@dataclass(frozen=True)
class Fences:
    q1: Decimal
    q3: Decimal
    low: Decimal  # Q1 − 1.5 × IQR
    high: Decimal  # Q3 + 1.5 × IQR


def iqr_fences(values: Sequence[Decimal]) -> Fences | None:
    """Quartiles and outlier fences (rounded to the fen); None for fewer than MIN_OUTLIER_GROUP."""
    if len(values) < MIN_OUTLIER_GROUP:
        return None
    q1 = quantile(values, Decimal("0.25"))
    q3 = quantile(values, Decimal("0.75"))
    spread = q3 - q1
    return Fences(q1=money(q1), q3=money(q3), low=money(q1 - IQR_FACTOR * spread), high=money(q3 + IQR_FACTOR * spread))


@dataclass(frozen=True)
class Outlier:
    person: PaidPerson
    pay: Decimal
    high: bool  # above the upper fence (else below the lower one)
    fence: Decimal
    group_median: Decimal


@dataclass(frozen=True)
class EquityGroup:
    position_id: int | None
    position_title: str
    grade_id: int | None
    grade_code: str
    grade_name: str
    role_family: str
    people: int
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    mean: Decimal
    cv: Decimal | None
    fences: Fences | None
    outliers: tuple[Outlier, ...]

    @property
    def max_to_min(self) -> Decimal | None:
        """How many times the lowest pay the highest is (two decimals)."""
        return ratio(self.maximum, self.minimum)


@dataclass(frozen=True)
class EquityReport:
    groups: tuple[EquityGroup, ...]
    single: int  # people alone in their position and grade (not listed)

    @property
    def outliers(self) -> tuple[tuple[EquityGroup, Outlier], ...]:
        return tuple((g, o) for g in self.groups for o in g.outliers)


def _group_order(person: PaidPerson) -> tuple:
    family_order = {f: i for i, f in enumerate(RoleFamily.values)}
    return (
        person.position_id is None,
        family_order.get(person.role_family, 99),
        person.position_title,
        person.position_id or 0,
        person.grade_id is None,
        person.grade_level,
        person.grade_code,
    )


def internal_equity(people: Sequence[PaidPerson]) -> EquityReport:
    groups: dict[tuple[int | None, int | None], list[PaidPerson]] = {}
    for p in sorted(people, key=_group_order):
        groups.setdefault((p.position_id, p.grade_id), []).append(p)
    result = []
    single = 0
    for members in groups.values():
        if len(members) < MIN_EQUITY_GROUP:
            single += len(members)
            continue
        first = members[0]
        pays = [m.monthly_gross for m in members]
        middle = median(pays)
        average = mean(pays)
        assert middle is not None and average is not None
        fences = iqr_fences(pays)
        outliers: list[Outlier] = []
        if fences is not None:
            for m in sorted(members, key=lambda m: (m.monthly_gross, m.employee_no)):
                pay = m.monthly_gross
                if pay < fences.low or pay > fences.high:
                    high = pay > fences.high
                    outliers.append(
                        Outlier(
                            person=m,
                            pay=pay,
                            high=high,
                            fence=fences.high if high else fences.low,
                            group_median=money(middle),
                        )
                    )
        result.append(
            EquityGroup(
                position_id=first.position_id,
                position_title=first.position_title,
                grade_id=first.grade_id,
                grade_code=first.grade_code,
                grade_name=first.grade_name,
                role_family=first.role_family,
                people=len(members),
                minimum=min(pays),
                median=money(middle),
                maximum=max(pays),
                mean=money(average),
                cv=coefficient_of_variation(pays),
                fences=fences,
                outliers=tuple(outliers),
            )
        )
    return EquityReport(groups=tuple(result), single=single)


# ---------------------------------------------------------------------------------------------
# gender pay gap per grade


@dataclass(frozen=True)
class GenderGap:
    grade_id: int | None  # None with `total`: the company; None otherwise: no grade
    grade_code: str
    grade_name: str
    men: int
    women: int
    shown: bool  # both groups have at least MIN_GENDER_GROUP people
    men_median: Decimal | None = None
    women_median: Decimal | None = None
    median_gap: Decimal | None = None  # (men − women) ÷ men
    men_mean: Decimal | None = None
    women_mean: Decimal | None = None
    mean_gap: Decimal | None = None
    total: bool = False


@dataclass(frozen=True)
class GenderReport:
    lines: tuple[GenderGap, ...]
    total: GenderGap
    hidden: int  # grades whose figures are not shown
    without_gender: int  # people left out: no gender recorded


def gender_gap(
    men: Sequence[Decimal],
    women: Sequence[Decimal],
    *,
    grade_id: int | None = None,
    grade_code: str = "",
    grade_name: str = "",
    total: bool = False,
) -> GenderGap:
    """The gap between two groups' pay; only counts when either has fewer than MIN_GENDER_GROUP."""
    shown = len(men) >= MIN_GENDER_GROUP and len(women) >= MIN_GENDER_GROUP
    counts = GenderGap(
        grade_id=grade_id,
        grade_code=grade_code,
        grade_name=grade_name,
        men=len(men),
        women=len(women),
        shown=shown,
        total=total,
    )
    if not shown:
        return counts
    men_median, women_median = median(men), median(women)
    men_mean, women_mean = mean(men), mean(women)
    assert men_median is not None and women_median is not None and men_mean is not None and women_mean is not None
    return replace(
        counts,
        men_median=money(men_median),
        women_median=money(women_median),
        median_gap=signed_share(men_median - women_median, men_median),
        men_mean=money(men_mean),
        women_mean=money(women_mean),
        mean_gap=signed_share(men_mean - women_mean, men_mean),
    )


def gender_gaps(people: Sequence[PaidPerson]) -> GenderReport:
    known = [p for p in people if p.gender in (Gender.MALE, Gender.FEMALE)]
    grades: dict[int | None, list[PaidPerson]] = {}
    for p in sorted(known, key=lambda p: (p.grade_id is None, p.grade_level, p.grade_code)):
        grades.setdefault(p.grade_id, []).append(p)

    def split(group: Sequence[PaidPerson]) -> tuple[list[Decimal], list[Decimal]]:
        return (
            [p.monthly_gross for p in group if p.gender == Gender.MALE],
            [p.monthly_gross for p in group if p.gender == Gender.FEMALE],
        )

    lines = tuple(
        gender_gap(*split(group), grade_id=gid, grade_code=group[0].grade_code, grade_name=group[0].grade_name)
        for gid, group in grades.items()
    )
    return GenderReport(
        lines=lines,
        total=gender_gap(*split(known), total=True),
        hidden=sum(1 for line in lines if not line.shown),
        without_gender=len(people) - len(known),
    )


# ---------------------------------------------------------------------------------------------
# pay against turnover


@dataclass(frozen=True)
class PayTurnoverLine:
    unit: wf.Unit | None  # None = the company total
    cost: CostLine | None  # None: nobody paid in this department in the window
    turnover: wf.TurnoverLine | None  # None: a department with pay but no staff in the turnover figures

    @property
    def monthly_gross(self) -> Decimal | None:
        """Average gross per payslip: what a month of one person costs in gross pay."""
        if self.cost is None or not self.cost.payslips:
            return None
        return money(self.cost.gross / self.cost.payslips)


@dataclass(frozen=True)
class PayTurnoverReport:
    start: date
    end: date
    lines: tuple[PayTurnoverLine, ...]
    total: PayTurnoverLine


def pay_against_turnover(cost: CostReport, turnover: wf.TurnoverReport) -> PayTurnoverReport:
    """Join the fixed share by top-level department with the 12-month turnover of the same
    departments (turnover's order, then departments with pay only)."""
    by_unit = {u.unit.id: u.cost for u in cost.by_unit}
    lines = []
    seen: set[int | None] = set()
    for t in turnover.lines:
        seen.add(t.unit.id if t.unit else None)
        lines.append(PayTurnoverLine(unit=t.unit, cost=by_unit.get(t.unit.id if t.unit else None), turnover=t))
    for u in cost.by_unit:
        if u.unit.id not in seen:
            lines.append(PayTurnoverLine(unit=u.unit, cost=u.cost, turnover=None))
    return PayTurnoverReport(
        start=turnover.start,
        end=turnover.end,
        lines=tuple(lines),
        total=PayTurnoverLine(unit=None, cost=cost.total, turnover=turnover.total),
    )


# ---------------------------------------------------------------------------------------------
# everything at once


@dataclass(frozen=True)
class PayAnalytics:
    end: date  # the first day of the window's last month
    as_of: date  # the date of staff and turnover figures
    cost: CostReport
    people: int  # on staff on as_of and paid in the window
    market: MarketReport
    equity: EquityReport
    gender: GenderReport
    turnover: PayTurnoverReport


def analyse(data: PayData, *, as_of: date) -> PayAnalytics:
    cost = cost_structure(data.costs, data.departments, end=data.end)
    people = on_staff_paid(data.paid, data.staff, as_of=as_of)
    turnover = wf.turnover(data.staff, data.departments, (), as_of=as_of)
    return PayAnalytics(
        end=data.end,
        as_of=as_of,
        cost=cost,
        people=len(people),
        market=market_comparison(people, data.benchmarks),
        equity=internal_equity(people),
        gender=gender_gaps(people),
        turnover=pay_against_turnover(cost, turnover),
    )

"""Workforce analytics: pure calculations over plain rows (no ORM, no clock).

Inputs are frozen dataclass rows gathered once by `selectors_analytics`; outputs are frozen
dataclasses. Every share and average is rounded in `_round` only. The date the figures are taken
on is always passed in (`as_of`).

Definitions (shown on the page as footnotes):

* **On staff on a date**: hired on or before the date (or hire date unknown) and not yet left on
  it: the leave date, when recorded, is later than the date; without a leave date the status is
  probation, active or leaving. This is the one rule behind headcount, the age, education and
  tenure populations and the two headcounts of turnover.
* **Headcount** by department rolls up to each top-level department (the children of the
  headquarters root, or of the only root; people placed directly in it form its own line), and is also
  listed for every department (own staff and including sub-departments). By location: the
  employee's work location, else their department's.
* **Age** in full years on the date; bands < 25, 25–35, 36–45, 46+. The share aged 25–35
  (inclusive) is of the people whose birth date is recorded; the others are counted as unknown.
* **Education**: counts per level; "master's or higher" is EDUCATION_RANK >= master. The share is
  of the people whose education is recorded; the others are counted as unknown.
* **Tenure** in years = days since the hire date / 365.25, averaged per position, one decimal.
  Benchmark: the position's own, else the average-tenure target (its role family, else
  company-wide), else 3.0 years.
* **Turnover** over 12 months: leavers have a leave date in (as_of − 12 months, as_of];
  average headcount = (on staff at the start + on staff at as_of) / 2; turnover = leavers /
  average headcount, 0 when the average is 0.
* **Targets**: shares and tenure are met at or above the target, turnover at or below it. A role
  family without its own target uses the company-wide one (blank role family).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .choices import EDUCATION_RANK, DepartmentKind, EducationLevel, EmployeeStatus, RoleFamily, WorkforceMetric

SHARE_PLACES = Decimal("0.001")  # 66.7 %: the precision the page shows
YEARS_PLACES = Decimal("0.1")
DAYS_PER_YEAR = Decimal("365.25")
DEFAULT_TENURE_BENCHMARK = Decimal("3.0")
TURNOVER_MONTHS = 12

# (key, lowest age, highest age) inclusive; None = open
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under_25", None, 24),
    ("25_35", 25, 35),
    ("36_45", 36, 45),
    ("46_plus", 46, None),
)
TARGET_BAND = "25_35"
MASTER_RANK = EDUCATION_RANK[EducationLevel.MASTER]

BENCHMARK_POSITION = "position"
BENCHMARK_TARGET = "target"
BENCHMARK_DEFAULT = "default"

# ---------------------------------------------------------------------------------------------
# input rows


@dataclass(frozen=True)
class PersonRow:
    id: int
    status: str
    department_id: int | None = None
    department_path: str = ""
    location_id: int | None = None
    position_id: int | None = None
    role_family: str = ""  # of the position; "" = no position
    birth_date: date | None = None
    hire_date: date | None = None
    leave_date: date | None = None
    education_level: str = ""


@dataclass(frozen=True)
class DepartmentRow:
    id: int
    name: str
    path: str
    kind: str = DepartmentKind.DEPARTMENT
    location_id: int | None = None


@dataclass(frozen=True)
class LocationRow:
    id: int
    name: str


@dataclass(frozen=True)
class PositionRow:
    id: int
    title: str
    role_family: str
    tenure_benchmark_years: Decimal | None = None
    code: str = ""


@dataclass(frozen=True)
class TargetRow:
    metric: str
    role_family: str  # "" = company-wide
    target: Decimal  # a fraction (0.6 = 60 %) or years


# ---------------------------------------------------------------------------------------------
# rounding and comparison: the only place figures are rounded


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a fraction rounded to 0.1 %; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return _round(Decimal(part) / Decimal(whole), SHARE_PLACES)


def average_years(total: Decimal, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return _round(total / Decimal(count), YEARS_PLACES)


@dataclass(frozen=True)
class Comparison:
    """A figure against its target: gap = figure − target (same unit). `met` is None when
    there is no target or no figure."""

    target: Decimal | None
    gap: Decimal | None
    met: bool | None


def compare(value: Decimal | None, target: Decimal | None, *, at_most: bool = False) -> Comparison:
    if value is None or target is None:
        return Comparison(target=target, gap=None, met=None)
    gap = value - target
    return Comparison(target=target, gap=gap, met=gap <= 0 if at_most else gap >= 0)


def target_for(targets: Iterable[TargetRow], metric: str, role_family: str = "") -> Decimal | None:
    """The target of a role family, else the company-wide one (blank role family)."""
    found: dict[str, Decimal] = {t.role_family: t.target for t in targets if t.metric == metric}
    if role_family and role_family in found:
        return found[role_family]
    return found.get("")


# ---------------------------------------------------------------------------------------------
# dates


def on_staff(person: PersonRow, day: date) -> bool:
    """Hired on or before `day` (or hire date unknown) and not yet left on it."""
    if person.hire_date is not None and person.hire_date > day:
        return False
    if person.leave_date is not None:
        return person.leave_date > day
    return person.status != EmployeeStatus.LEFT


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's end (29 Feb -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_start(as_of: date) -> date:
    """The (exclusive) start of the 12-month turnover window ending on `as_of`."""
    return months_before(as_of, TURNOVER_MONTHS)


def age_on(birth: date, day: date) -> int:
    """Age in full years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(age: int) -> str:
    for key, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    raise ValueError(age)  # pragma: no cover (the bands cover every integer)


def tenure_years(hire: date, day: date) -> Decimal:
    """Unrounded years between the hire date and `day`."""
    return Decimal((day - hire).days) / DAYS_PER_YEAR


def _current(people: Iterable[PersonRow], as_of: date) -> list[PersonRow]:
    return [p for p in people if on_staff(p, as_of)]


# ---------------------------------------------------------------------------------------------
# headcount


@dataclass(frozen=True)
class Unit:
    """A top-level department (id None = people without a department). `is_root` marks the
    headquarters line holding the people placed directly in it (listed only when it has any)."""

    id: int | None
    name: str
    is_root: bool = False


@dataclass(frozen=True)
class UnitCount:
    unit: Unit
    headcount: int


@dataclass(frozen=True)
class DepartmentCount:
    id: int | None  # None = no department
    name: str
    depth: int
    own: int
    total: int  # including sub-departments


@dataclass(frozen=True)
class LocationCount:
    id: int | None  # None = unknown
    name: str
    headcount: int


@dataclass(frozen=True)
class HeadcountReport:
    total: int
    by_unit: tuple[UnitCount, ...]
    by_department: tuple[DepartmentCount, ...]
    by_location: tuple[LocationCount, ...]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class DepartmentTree:
    """Top-level units of the department tree, by materialised path. A root is "looked
    through" (its children are the units, its own staff one more line) when it is the
    headquarters or the only root; any other root is a unit itself."""

    def __init__(self, departments: Sequence[DepartmentRow]):
        self.by_id = {d.id: d for d in departments}
        self.ordered = sorted(departments, key=lambda d: _path_ids(d.path))  # tree order, siblings by id
        roots = [d for d in self.ordered if len(_path_ids(d.path)) == 1]
        self.through = {d.id for d in roots if d.kind == DepartmentKind.HEADQUARTERS or len(roots) == 1}
        units: list[Unit] = []
        for d in self.ordered:
            ids = _path_ids(d.path)
            if len(ids) == 1:
                units.append(Unit(id=d.id, name=d.name, is_root=d.id in self.through))
            elif len(ids) == 2 and ids[0] in self.through:
                units.append(Unit(id=d.id, name=d.name))
        self.units = tuple(units)

    def unit_of(self, path: str) -> int | None:
        ids = _path_ids(path)
        if not ids:
            return None
        if len(ids) >= 2 and ids[0] in self.through:
            return ids[1]
        return ids[0]


def _location_of(person: PersonRow, tree: DepartmentTree) -> int | None:
    if person.location_id is not None:
        return person.location_id
    dept = tree.by_id.get(person.department_id) if person.department_id is not None else None
    return dept.location_id if dept else None


def headcount(
    people: Sequence[PersonRow],
    departments: Sequence[DepartmentRow],
    locations: Sequence[LocationRow],
    *,
    as_of: date,
) -> HeadcountReport:
    tree = DepartmentTree(departments)
    current = _current(people, as_of)

    per_unit: dict[int | None, int] = {}
    for p in current:
        key = tree.unit_of(p.department_path) if p.department_id is not None else None
        per_unit[key] = per_unit.get(key, 0) + 1
    by_unit = [UnitCount(unit=u, headcount=per_unit.pop(u.id, 0)) for u in tree.units]
    by_unit = [u for u in by_unit if u.headcount or not u.unit.is_root]  # a root's own line only when used
    orphans = sum(per_unit.values())  # no department, or a path outside the known tree
    if orphans:
        by_unit.append(UnitCount(unit=Unit(id=None, name=""), headcount=orphans))

    own: dict[int, int] = {}
    subtree: dict[int, int] = {}
    for p in current:
        if p.department_id is not None:
            own[p.department_id] = own.get(p.department_id, 0) + 1
            for ancestor in _path_ids(p.department_path):
                subtree[ancestor] = subtree.get(ancestor, 0) + 1
    by_department = [
        DepartmentCount(
            id=d.id, name=d.name, depth=len(_path_ids(d.path)) - 1, own=own.get(d.id, 0), total=subtree.get(d.id, 0)
        )
        for d in tree.ordered
    ]
    without = sum(1 for p in current if p.department_id is None)
    if without:
        by_department.append(DepartmentCount(id=None, name="", depth=0, own=without, total=without))

    per_location: dict[int | None, int] = {}
    for p in current:
        key = _location_of(p, tree)
        per_location[key] = per_location.get(key, 0) + 1
    by_location = [
        LocationCount(id=loc.id, name=loc.name, headcount=per_location.pop(loc.id, 0))
        for loc in sorted(locations, key=lambda loc: loc.name)
    ]
    unknown = sum(per_location.values())
    if unknown:
        by_location.append(LocationCount(id=None, name="", headcount=unknown))

    return HeadcountReport(
        total=len(current), by_unit=tuple(by_unit), by_department=tuple(by_department), by_location=tuple(by_location)
    )


# ---------------------------------------------------------------------------------------------
# structure by role family (age, education)

COMPANY = None  # role_family of the company-total line


def _families(current: Sequence[PersonRow], targets: Sequence[TargetRow], metric: str) -> list[str]:
    """Role families shown: those with staff or with a target of their own, in choice order,
    then "" (people without a position) when there are any."""
    present = {p.role_family for p in current}
    targeted = {t.role_family for t in targets if t.metric == metric and t.role_family}
    families = [f for f in RoleFamily.values if f in present or f in targeted]
    if "" in present or any(f not in RoleFamily.values for f in present):
        families.append("")
    return families


def _family_of(person: PersonRow) -> str:
    return person.role_family if person.role_family in RoleFamily.values else ""


@dataclass(frozen=True)
class AgeLine:
    role_family: str | None  # None = company total, "" = no position
    headcount: int
    bands: tuple[int, ...]  # in AGE_BANDS order
    unknown: int
    share_25_35: Decimal | None
    comparison: Comparison


@dataclass(frozen=True)
class AgeReport:
    lines: tuple[AgeLine, ...]
    total: AgeLine
    average_age: Decimal | None
    unknown: int


def _age_line(family: str | None, group: Sequence[PersonRow], as_of: date, target: Decimal | None) -> AgeLine:
    counts = dict.fromkeys((key for key, _lo, _hi in AGE_BANDS), 0)
    unknown = 0
    for p in group:
        if p.birth_date is None:
            unknown += 1
        else:
            counts[age_band(age_on(p.birth_date, as_of))] += 1
    known = len(group) - unknown
    value = share(counts[TARGET_BAND], known)
    return AgeLine(
        role_family=family,
        headcount=len(group),
        bands=tuple(counts.values()),
        unknown=unknown,
        share_25_35=value,
        comparison=compare(value, target),
    )


def age_structure(people: Sequence[PersonRow], targets: Sequence[TargetRow], *, as_of: date) -> AgeReport:
    current = _current(people, as_of)
    metric = WorkforceMetric.AGE_25_35_SHARE
    lines = tuple(
        _age_line(f, [p for p in current if _family_of(p) == f], as_of, target_for(targets, metric, f))
        for f in _families(current, targets, metric)
    )
    total = _age_line(COMPANY, current, as_of, target_for(targets, metric))
    ages = [age_on(p.birth_date, as_of) for p in current if p.birth_date is not None]
    avg = average_years(Decimal(sum(ages)), len(ages))
    return AgeReport(lines=lines, total=total, average_age=avg, unknown=total.unknown)


@dataclass(frozen=True)
class EducationLine:
    role_family: str | None
    headcount: int
    levels: tuple[int, ...]  # in EducationLevel order
    unknown: int
    share_master_plus: Decimal | None
    comparison: Comparison


@dataclass(frozen=True)
class EducationReport:
    lines: tuple[EducationLine, ...]
    total: EducationLine


def _education_line(family: str | None, group: Sequence[PersonRow], target: Decimal | None) -> EducationLine:
    counts = dict.fromkeys(EducationLevel.values, 0)
    unknown = 0
    for p in group:
        if p.education_level in counts:
            counts[p.education_level] += 1
        else:
            unknown += 1
    master_plus = sum(n for level, n in counts.items() if EDUCATION_RANK[level] >= MASTER_RANK)
    value = share(master_plus, len(group) - unknown)
    return EducationLine(
        role_family=family,
        headcount=len(group),
        levels=tuple(counts.values()),
        unknown=unknown,
        share_master_plus=value,
        comparison=compare(value, target),
    )


def education_structure(people: Sequence[PersonRow], targets: Sequence[TargetRow], *, as_of: date) -> EducationReport:
    current = _current(people, as_of)
    metric = WorkforceMetric.MASTER_PLUS_SHARE
    lines = tuple(
        _education_line(f, [p for p in current if _family_of(p) == f], target_for(targets, metric, f))
        for f in _families(current, targets, metric)
    )
    return EducationReport(lines=lines, total=_education_line(COMPANY, current, target_for(targets, metric)))


# ---------------------------------------------------------------------------------------------
# tenure


@dataclass(frozen=True)
class TenureLine:
    position_id: int | None  # None = no position (or the company total)
    title: str
    role_family: str
    headcount: int
    unknown: int  # without a hire date
    average_years: Decimal | None
    benchmark: Decimal
    benchmark_source: str  # BENCHMARK_POSITION / BENCHMARK_TARGET / BENCHMARK_DEFAULT
    comparison: Comparison


@dataclass(frozen=True)
class TenureReport:
    lines: tuple[TenureLine, ...]
    total: TenureLine


def benchmark_for(position: PositionRow | None, targets: Sequence[TargetRow]) -> tuple[Decimal, str]:
    if position is not None and position.tenure_benchmark_years is not None:
        return position.tenure_benchmark_years, BENCHMARK_POSITION
    target = target_for(targets, WorkforceMetric.AVERAGE_TENURE, position.role_family if position else "")
    if target is not None:
        return target, BENCHMARK_TARGET
    return DEFAULT_TENURE_BENCHMARK, BENCHMARK_DEFAULT


def _tenure_line(
    position: PositionRow | None, group: Sequence[PersonRow], as_of: date, targets: Sequence[TargetRow], *, total=False
) -> TenureLine:
    known = [tenure_years(p.hire_date, as_of) for p in group if p.hire_date is not None]
    value = average_years(sum(known, Decimal(0)), len(known))
    benchmark, source = benchmark_for(None if total else position, targets)
    return TenureLine(
        position_id=position.id if position else None,
        title=position.title if position else "",
        role_family=position.role_family if position else "",
        headcount=len(group),
        unknown=len(group) - len(known),
        average_years=value,
        benchmark=benchmark,
        benchmark_source=source,
        comparison=compare(value, benchmark),
    )


def tenure_by_position(
    people: Sequence[PersonRow], positions: Sequence[PositionRow], targets: Sequence[TargetRow], *, as_of: date
) -> TenureReport:
    """Average tenure of current staff per position that has staff, in role-family then
    title order; people without a position form the last line."""
    current = _current(people, as_of)
    family_order = {f: i for i, f in enumerate(RoleFamily.values)}
    ordered = sorted(positions, key=lambda p: (family_order.get(p.role_family, 99), p.title, p.id))
    known_ids = {p.id for p in positions}
    lines = []
    for position in ordered:
        group = [p for p in current if p.position_id == position.id]
        if group:
            lines.append(_tenure_line(position, group, as_of, targets))
    orphans = [p for p in current if p.position_id is None or p.position_id not in known_ids]
    if orphans:
        lines.append(_tenure_line(None, orphans, as_of, targets))
    return TenureReport(lines=tuple(lines), total=_tenure_line(None, current, as_of, targets, total=True))


# ---------------------------------------------------------------------------------------------
# turnover


@dataclass(frozen=True)
class TurnoverLine:
    unit: Unit | None  # None = the company total
    leavers: int
    start_headcount: int
    end_headcount: int
    average_headcount: Decimal
    rate: Decimal
    comparison: Comparison


@dataclass(frozen=True)
class TurnoverReport:
    start: date  # exclusive
    end: date  # inclusive (as_of)
    lines: tuple[TurnoverLine, ...]
    total: TurnoverLine
    left_without_date: int  # marked left with no leave date: not counted as leavers


def _turnover_line(
    unit: Unit | None, group: Sequence[PersonRow], start: date, end: date, target: Decimal | None
) -> TurnoverLine:
    leavers = sum(1 for p in group if p.leave_date is not None and start < p.leave_date <= end)
    at_start = sum(1 for p in group if on_staff(p, start))
    at_end = sum(1 for p in group if on_staff(p, end))
    avg = Decimal(at_start + at_end) / 2
    rate = share(leavers, avg)
    if rate is None:  # nobody on staff at either end of the window
        rate = _round(Decimal(0), SHARE_PLACES)
    return TurnoverLine(
        unit=unit,
        leavers=leavers,
        start_headcount=at_start,
        end_headcount=at_end,
        average_headcount=avg,
        rate=rate,
        comparison=compare(rate, target, at_most=True),
    )


def turnover(
    people: Sequence[PersonRow], departments: Sequence[DepartmentRow], targets: Sequence[TargetRow], *, as_of: date
) -> TurnoverReport:
    """12-month turnover per top-level department (sub-departments included) and in total,
    against the company-wide turnover target."""
    tree = DepartmentTree(departments)
    start = window_start(as_of)
    target = target_for(targets, WorkforceMetric.TURNOVER)
    groups: dict[int | None, list[PersonRow]] = {}
    for p in people:
        key = tree.unit_of(p.department_path) if p.department_id is not None else None
        groups.setdefault(key, []).append(p)
    lines = []
    for unit in tree.units:
        line = _turnover_line(unit, groups.pop(unit.id, []), start, as_of, target)
        if not unit.is_root or line.start_headcount or line.end_headcount or line.leavers:
            lines.append(line)
    orphans = [p for group in groups.values() for p in group]
    if orphans:
        lines.append(_turnover_line(Unit(id=None, name=""), orphans, start, as_of, target))
    left_without_date = sum(1 for p in people if p.status == EmployeeStatus.LEFT and p.leave_date is None)
    return TurnoverReport(
        start=start,
        end=as_of,
        lines=tuple(lines),
        total=_turnover_line(None, people, start, as_of, target),
        left_without_date=left_without_date,
    )


# ---------------------------------------------------------------------------------------------
# everything at once


@dataclass(frozen=True)
class WorkforceData:
    """What the calculations need, gathered once (see selectors_analytics)."""

    people: tuple[PersonRow, ...]
    departments: tuple[DepartmentRow, ...] = ()
    locations: tuple[LocationRow, ...] = ()
    positions: tuple[PositionRow, ...] = ()
    targets: tuple[TargetRow, ...] = ()


@dataclass(frozen=True)
class WorkforceAnalytics:
    as_of: date
    headcount: HeadcountReport
    age: AgeReport
    education: EducationReport
    tenure: TenureReport
    turnover: TurnoverReport


def analyse(data: WorkforceData, *, as_of: date) -> WorkforceAnalytics:
    return WorkforceAnalytics(
        as_of=as_of,
        headcount=headcount(data.people, data.departments, data.locations, as_of=as_of),
        age=age_structure(data.people, data.targets, as_of=as_of),
        education=education_structure(data.people, data.targets, as_of=as_of),
        tenure=tenure_by_position(data.people, data.positions, data.targets, as_of=as_of),
        turnover=turnover(data.people, data.departments, data.targets, as_of=as_of),
    )

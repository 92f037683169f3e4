"""How the workforce analytics are shown: sections of charts, tables and footnotes built from
the pure results in `analytics`. The page and the Excel export read the same tables (the page
shows `Cell.text`, the workbook holds `Cell.value`), so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from . import analytics as a
from .choices import EducationLevel, RoleFamily

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")

BAR = "rgba(29, 78, 216, 0.78)"
BAR_SOFT = "rgba(96, 165, 250, 0.8)"
TARGET_LINE = "#d97706"
PALETTE = ["#1d4ed8", "#0ea5e9", "#14b8a6", "#22c55e", "#eab308", "#f97316", "#ef4444", "#a855f7", "#64748b"]

# ---------------------------------------------------------------------------------------------
# table model


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    unit: str = ""  # appended to the workbook header, where cells hold bare numbers

    @property
    def sheet_header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Cell:
    text: str  # shown on the page
    value: Any = None  # written to the workbook
    numeric: bool = False
    met: bool | None = None  # gap cells: True met (success), False missed (warning)
    indent: int = 0

    @property
    def badge(self) -> str:
        if self.met is None:
            return ""
        return "success" if self.met else "warning"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None = None
    empty: str = ""

    @property
    def sheet_title(self) -> str:
        return self.title[:31]

    def headers(self) -> list[str]:
        return [c.sheet_header for c in self.columns]

    def sheet_rows(self) -> Iterator[list[Any]]:
        for row in self.rows:
            yield [c.value for c in row]
        if self.total:
            yield [c.value for c in self.total]


@dataclass(frozen=True)
class Chart:
    id: str
    label: str
    spec: dict
    height: int = 280


@dataclass(frozen=True)
class Block:
    """A table with its chart: side by side, or `stacked` (chart above) for wide tables.
    `collapsed` tables sit in a <details> element (long lists)."""

    table: Table
    chart: Chart | None = None
    stacked: bool = False
    collapsed: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    icon: str
    notes: tuple[str, ...]
    blocks: tuple[Block, ...] = ()
    has_data: bool = True

    @property
    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks]


@dataclass(frozen=True)
class StatCard:
    label: str
    value: str
    icon: str
    hint: str = ""


@dataclass(frozen=True)
class Report:
    result: a.WorkforceAnalytics
    stats: tuple[StatCard, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def sheets(self) -> list[tuple[str, list[str], Iterator[list[Any]]]]:
        """(title, headers, rows) for hrsuite.excel.write_workbook: one sheet per table."""
        return [(t.sheet_title, t.headers(), t.sheet_rows()) for t in self.tables]


# ---------------------------------------------------------------------------------------------
# cells


def _percent(fraction: Decimal | None) -> Decimal | None:
    """0.667 -> 66.7 (exact: shares are already rounded to 0.1 % by analytics)."""
    return None if fraction is None else (fraction * HUNDRED).quantize(ONE_DECIMAL)


def text_cell(text: str, *, indent: int = 0) -> Cell:
    return Cell(text=text, value=text or None, indent=indent)


def count_cell(n: int) -> Cell:
    return Cell(text=f"{n:,}", value=n, numeric=True)


def percent_cell(fraction: Decimal | None) -> Cell:
    value = _percent(fraction)
    return Cell(text="—" if value is None else f"{value}%", value=value, numeric=True)


def decimal_cell(number: Decimal | None) -> Cell:
    value = None if number is None else number.quantize(ONE_DECIMAL)
    return Cell(text="—" if value is None else f"{value}", value=value, numeric=True)


def target_cell(comparison: a.Comparison, *, years: bool = False) -> Cell:
    return decimal_cell(comparison.target) if years else percent_cell(comparison.target)


def gap_cell(comparison: a.Comparison, *, years: bool = False) -> Cell:
    if comparison.gap is None:
        text = _("No target") if comparison.target is None else "—"
        return Cell(text=text, value=None, numeric=True)
    value = comparison.gap.quantize(ONE_DECIMAL) if years else _percent(comparison.gap)
    assert value is not None
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    number = f"{sign}{abs(value)}"
    text = _("%(value)s yrs") % {"value": number} if years else _("%(value)s pts") % {"value": number}
    return Cell(text=text, value=value, numeric=True, met=comparison.met)


# ---------------------------------------------------------------------------------------------
# labels


def family_label(family: str | None) -> str:
    if family is None:
        return _("Company total")
    if not family:
        return _("No position")
    return str(RoleFamily(family).label)


def unit_label(unit: a.Unit | None) -> str:
    if unit is None:
        return _("Company total")
    if unit.id is None:
        return _("No department")
    if unit.is_root:
        return _("%(name)s (own staff)") % {"name": unit.name}
    return unit.name


def band_labels() -> list[str]:
    names = {"under_25": _("Under 25"), "25_35": "25–35", "36_45": "36–45", "46_plus": _("46 and over")}
    return [names[key] for key, _lo, _hi in a.AGE_BANDS]


def benchmark_source_label(source: str) -> str:
    return {
        a.BENCHMARK_POSITION: _("Position"),
        a.BENCHMARK_TARGET: _("Target"),
        a.BENCHMARK_DEFAULT: _("Default"),
    }[source]


# ---------------------------------------------------------------------------------------------
# charts


def _num(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def _bar_with_target(
    chart_id: str,
    label: str,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    targets: Sequence[Decimal | None],
    *,
    value_label: str,
    percent: bool,
    axis_title: str = "",
) -> Chart:
    datasets: list[dict[str, Any]] = [
        {"type": "bar", "label": value_label, "data": [_num(v) for v in values], "backgroundColor": BAR, "order": 2}
    ]
    if any(t is not None for t in targets):
        # a short horizontal mark across each bar (no connecting line: targets differ per bar)
        mark = max(8, min(24, 360 // max(len(labels), 1)))
        datasets.append(
            {
                "type": "line",
                "label": _("Target"),
                "data": [_num(t) for t in targets],
                "showLine": False,
                "pointStyle": "line",
                "pointRadius": mark,
                "pointHoverRadius": mark,
                "pointBorderWidth": 3,
                "pointHoverBorderWidth": 3,
                "borderColor": TARGET_LINE,
                "backgroundColor": TARGET_LINE,
                "order": 1,
            }
        )
    spec: dict[str, Any] = {"type": "bar", "labels": list(labels), "datasets": datasets, "percent": percent}
    options: dict[str, Any] = {"plugins": {"legend": {"position": "bottom", "labels": {"usePointStyle": True}}}}
    if not percent:
        options["scales"] = {"y": {"beginAtZero": True, "title": {"display": bool(axis_title), "text": axis_title}}}
    spec["options"] = options
    return Chart(id=chart_id, label=label, spec=spec)


# ---------------------------------------------------------------------------------------------
# sections


def _headcount_section(h: a.HeadcountReport) -> Section:
    def share_of_total(n: int) -> Cell:
        return percent_cell(a.share(n, h.total))

    units = tuple(
        (text_cell(unit_label(u.unit)), count_cell(u.headcount), share_of_total(u.headcount)) for u in h.by_unit
    )
    unit_table = Table(
        key="headcount_units",
        title=_("Headcount by department"),
        columns=(Column(_("Department")), Column(_("Headcount"), True), Column(_("Share"), True, "%")),
        rows=units,
        total=(text_cell(_("Company total")), count_cell(h.total), percent_cell(a.share(h.total, h.total))),
        empty=_("No departments yet."),
    )
    departments = tuple(
        (
            text_cell(d.name or _("No department"), indent=d.depth),
            count_cell(d.own),
            count_cell(d.total),
        )
        for d in h.by_department
    )
    department_table = Table(
        key="headcount_departments",
        title=_("Headcount of every department"),
        columns=(Column(_("Department")), Column(_("Own staff"), True), Column(_("Including sub-departments"), True)),
        rows=departments,
        empty=_("No departments yet."),
    )
    locations = tuple(
        (text_cell(loc.name or _("No work location")), count_cell(loc.headcount), share_of_total(loc.headcount))
        for loc in h.by_location
    )
    location_table = Table(
        key="headcount_locations",
        title=_("Headcount by work location"),
        columns=(Column(_("Work location")), Column(_("Headcount"), True), Column(_("Share"), True, "%")),
        rows=locations,
        total=(text_cell(_("Company total")), count_cell(h.total), percent_cell(a.share(h.total, h.total))),
        empty=_("No work locations yet."),
    )
    unit_chart = Chart(
        id="chart-headcount-units",
        height=max(240, 30 * len(h.by_unit) + 50),
        label=_("Headcount by department"),
        spec={
            "type": "bar",
            "horizontal": True,
            "labels": [unit_label(u.unit) for u in h.by_unit],
            "datasets": [{"label": _("Headcount"), "data": [u.headcount for u in h.by_unit], "backgroundColor": BAR}],
            "options": {"plugins": {"legend": {"display": False}}},
        },
    )
    located = [loc for loc in h.by_location if loc.headcount]
    location_chart = Chart(
        id="chart-headcount-locations",
        label=_("Headcount by work location"),
        spec={
            "type": "doughnut",
            "labels": [loc.name or _("No work location") for loc in located],
            "datasets": [
                {
                    "label": _("Headcount"),
                    "data": [loc.headcount for loc in located],
                    "backgroundColor": [PALETTE[i % len(PALETTE)] for i in range(len(located))],
                }
            ],
            "options": {"plugins": {"legend": {"position": "right"}}},
        },
    )
    return Section(
        key="headcount",
        title=_("Headcount"),
        icon="people",
        notes=(
            _(
                "Headcount: employees hired on or before the date and not yet left on it (status probation, active or leaving)."
            ),
            _(
                "Departments include their sub-departments; staff placed directly in the headquarters are its own line. The work location is the employee's own, else their department's."
            ),
        ),
        blocks=(
            Block(unit_table, unit_chart),
            Block(location_table, location_chart),
            Block(department_table, collapsed=True),
        ),
        has_data=h.total > 0,
    )


def _age_section(r: a.AgeReport) -> Section:
    def row(line: a.AgeLine) -> tuple[Cell, ...]:
        return (
            text_cell(family_label(line.role_family)),
            *(count_cell(n) for n in line.bands),
            count_cell(line.unknown),
            count_cell(line.headcount),
            percent_cell(line.share_25_35),
            target_cell(line.comparison),
            gap_cell(line.comparison),
        )

    table = Table(
        key="age",
        title=_("Age structure by role family"),
        columns=(
            Column(_("Role family")),
            *(Column(label, True) for label in band_labels()),
            Column(_("Unknown"), True),
            Column(_("Headcount"), True),
            Column(_("Aged 25–35"), True, "%"),
            Column(_("Target"), True, "%"),
            Column(_("Gap"), True, _("percentage points")),
        ),
        rows=tuple(row(line) for line in r.lines),
        total=row(r.total),
        empty=_("Nobody is on staff on this date."),
    )
    lines = [*r.lines, r.total]
    chart = _bar_with_target(
        "chart-age",
        _("Share aged 25–35 by role family"),
        [family_label(line.role_family) for line in lines],
        [_percent(line.share_25_35) for line in lines],
        [_percent(line.comparison.target) for line in lines],
        value_label=_("Aged 25–35"),
        percent=True,
    )
    return Section(
        key="age",
        title=_("Age structure"),
        icon="person-lines-fill",
        notes=(
            _(
                "Age in full years on the date. The share aged 25–35 (both inclusive) is of the people whose birth date is recorded; the others are counted as unknown."
            ),
            _("A role family without its own target is compared with the company-wide target."),
        ),
        blocks=(Block(table, chart, stacked=True),),
        has_data=r.total.headcount > 0,
    )


def _education_section(r: a.EducationReport) -> Section:
    def row(line: a.EducationLine) -> tuple[Cell, ...]:
        return (
            text_cell(family_label(line.role_family)),
            *(count_cell(n) for n in line.levels),
            count_cell(line.unknown),
            count_cell(line.headcount),
            percent_cell(line.share_master_plus),
            target_cell(line.comparison),
            gap_cell(line.comparison),
        )

    table = Table(
        key="education",
        title=_("Education by role family"),
        columns=(
            Column(_("Role family")),
            *(Column(str(label), True) for label in EducationLevel.labels),
            Column(_("Unknown"), True),
            Column(_("Headcount"), True),
            Column(_("Master's or higher"), True, "%"),
            Column(_("Target"), True, "%"),
            Column(_("Gap"), True, _("percentage points")),
        ),
        rows=tuple(row(line) for line in r.lines),
        total=row(r.total),
        empty=_("Nobody is on staff on this date."),
    )
    lines = [*r.lines, r.total]
    chart = _bar_with_target(
        "chart-education",
        _("Share with a master's degree or higher by role family"),
        [family_label(line.role_family) for line in lines],
        [_percent(line.share_master_plus) for line in lines],
        [_percent(line.comparison.target) for line in lines],
        value_label=_("Master's or higher"),
        percent=True,
    )
    return Section(
        key="education",
        title=_("Education structure"),
        icon="mortarboard",
        notes=(
            _(
                "Master's or higher: a master's degree or a doctorate. The share is of the people whose education is recorded; the others are counted as unknown."
            ),
        ),
        blocks=(Block(table, chart, stacked=True),),
        has_data=r.total.headcount > 0,
    )


def _tenure_section(r: a.TenureReport) -> Section:
    def row(line: a.TenureLine, *, total: bool = False) -> tuple[Cell, ...]:
        if total:
            name, family = _("Company total"), ""
        else:
            name = line.title or _("No position")
            family = str(RoleFamily(line.role_family).label) if line.role_family in RoleFamily.values else ""
        return (
            text_cell(name),
            text_cell(family),
            count_cell(line.headcount),
            count_cell(line.unknown),
            decimal_cell(line.average_years),
            decimal_cell(line.benchmark),
            text_cell(benchmark_source_label(line.benchmark_source)),
            gap_cell(line.comparison, years=True),
        )

    table = Table(
        key="tenure",
        title=_("Average tenure by position"),
        columns=(
            Column(_("Position")),
            Column(_("Role family")),
            Column(_("Headcount"), True),
            Column(_("No hire date"), True),
            Column(_("Average tenure"), True, _("years")),
            Column(_("Benchmark"), True, _("years")),
            Column(_("Benchmark from")),
            Column(_("Gap"), True, _("years")),
        ),
        rows=tuple(row(line) for line in r.lines),
        total=row(r.total, total=True),
        empty=_("Nobody is on staff on this date."),
    )
    chart = _bar_with_target(
        "chart-tenure",
        _("Average tenure by position"),
        [line.title or _("No position") for line in r.lines],
        [line.average_years for line in r.lines],
        [line.benchmark for line in r.lines],
        value_label=_("Average tenure (years)"),
        percent=False,
        axis_title=_("years"),
    )
    return Section(
        key="tenure",
        title=_("Average tenure"),
        icon="hourglass-split",
        notes=(
            _(
                "Tenure: days from the hire date to the date ÷ 365.25, averaged per position (one decimal). People without a hire date are listed but not averaged."
            ),
            _(
                "Benchmark: the position's own, else the average-tenure target of its role family or the company, else %(years)s years. Met at or above the benchmark."
            )
            % {"years": a.DEFAULT_TENURE_BENCHMARK},
        ),
        blocks=(Block(table, chart, stacked=True),),
        has_data=r.total.headcount > 0,
    )


def _turnover_section(r: a.TurnoverReport) -> Section:
    start, end = r.start.isoformat(), r.end.isoformat()

    def row(line: a.TurnoverLine) -> tuple[Cell, ...]:
        return (
            text_cell(unit_label(line.unit)),
            count_cell(line.leavers),
            count_cell(line.start_headcount),
            count_cell(line.end_headcount),
            decimal_cell(line.average_headcount),
            percent_cell(line.rate),
            target_cell(line.comparison),
            gap_cell(line.comparison),
        )

    table = Table(
        key="turnover",
        title=_("12-month turnover by department"),
        columns=(
            Column(_("Department")),
            Column(_("Leavers"), True),
            Column(_("Headcount on %(date)s") % {"date": start}, True),
            Column(_("Headcount on %(date)s") % {"date": end}, True),
            Column(_("Average headcount"), True),
            Column(_("Turnover"), True, "%"),
            Column(_("Target"), True, "%"),
            Column(_("Gap"), True, _("percentage points")),
        ),
        rows=tuple(row(line) for line in r.lines),
        total=row(r.total),
        empty=_("No departments yet."),
    )
    lines = [*r.lines, r.total]
    chart = _bar_with_target(
        "chart-turnover",
        _("12-month turnover by department"),
        [unit_label(line.unit) for line in lines],
        [_percent(line.rate) for line in lines],
        [_percent(line.comparison.target) for line in lines],
        value_label=_("Turnover (%)"),
        percent=False,
        axis_title="%",
    )
    notes = [
        _(
            "Leavers: leave date after %(start)s and on or before %(end)s. Average headcount = (headcount on %(start)s + headcount on %(end)s) ÷ 2. Turnover = leavers ÷ average headcount (0 when the average is 0). Met at or below the target."
        )
        % {"start": start, "end": end},
    ]
    if r.left_without_date:
        notes.append(
            _("%(count)s people are marked as left without a leave date and are not counted as leavers.")
            % {"count": r.left_without_date}
        )
    return Section(
        key="turnover",
        title=_("12-month turnover"),
        icon="arrow-left-right",
        notes=tuple(notes),
        blocks=(Block(table, chart, stacked=True),),
        has_data=bool(r.total.start_headcount or r.total.end_headcount or r.total.leavers),
    )


def _stats(result: a.WorkforceAnalytics) -> tuple[StatCard, ...]:
    age, tenure, turnover = result.age, result.tenure.total, result.turnover.total
    target = turnover.comparison.target
    return (
        StatCard(
            label=_("Headcount"),
            value=f"{result.headcount.total:,}",
            icon="people",
            hint=_("On staff on %(date)s") % {"date": result.as_of.isoformat()},
        ),
        StatCard(
            label=_("Average age"),
            value="—" if age.average_age is None else _("%(age)s years") % {"age": age.average_age},
            icon="person-badge",
            hint=_("%(count)s without a birth date") % {"count": age.unknown} if age.unknown else "",
        ),
        StatCard(
            label=_("Average tenure"),
            value="—" if tenure.average_years is None else _("%(years)s years") % {"years": tenure.average_years},
            icon="hourglass-split",
            hint=_("Benchmark %(years)s years") % {"years": tenure.benchmark.quantize(ONE_DECIMAL)},
        ),
        StatCard(
            label=_("12-month turnover"),
            value=f"{_percent(turnover.rate)}%",
            icon="arrow-left-right",
            hint=(
                _("%(count)s leavers · target at most %(target)s%%")
                % {"count": turnover.leavers, "target": _percent(target)}
                if target is not None
                else _("%(count)s leavers") % {"count": turnover.leavers}
            ),
        ),
    )


def build_report(result: a.WorkforceAnalytics) -> Report:
    return Report(
        result=result,
        stats=_stats(result),
        sections=(
            _headcount_section(result.headcount),
            _age_section(result.age),
            _education_section(result.education),
            _tenure_section(result.tenure),
            _turnover_section(result.turnover),
        ),
    )

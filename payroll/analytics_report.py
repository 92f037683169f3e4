"""How the pay analytics are shown: sections of charts, tables and footnotes built from the pure
results in `analytics`, with the table model of the workforce analytics
(`employees.analytics_report`). The page and the Excel export read the same tables (the page
shows `Cell.text`, the workbook holds `Cell.value`), so the two cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from employees.analytics_report import (
    Block,
    Cell,
    Chart,
    Column,
    Section,
    StatCard,
    Table,
    count_cell,
    family_label,
    percent_cell,
    text_cell,
    unit_label,
)
from employees.choices import RoleFamily
from hrsuite.core.templatetags.ui import money as money_text

from . import analytics as a

HUNDRED = Decimal(100)
ONE_DECIMAL = Decimal("0.1")
FIXED_COLOUR = "rgba(29, 78, 216, 0.85)"
VARIABLE_COLOUR = "rgba(245, 158, 11, 0.85)"
MEN_COLOUR = "rgba(29, 78, 216, 0.8)"
WOMEN_COLOUR = "rgba(219, 39, 119, 0.75)"
MEDIAN_COLOUR = "#0f172a"
BAND_COLOURS = ["#dc2626", "#f97316", "#eab308", "#22c55e", "#14b8a6", "#0ea5e9"]
QUARTILE_COLOURS = ["#dc2626", "#f59e0b", "#22c55e", "#1d4ed8"]
# distinct colours for one line or point per department (more than the workforce palette's nine)
PALETTE = [
    "#1d4ed8",
    "#0ea5e9",
    "#14b8a6",
    "#22c55e",
    "#eab308",
    "#f97316",
    "#ef4444",
    "#a855f7",
    "#64748b",
    "#db2777",
    "#84cc16",
    "#7c3aed",
    "#0891b2",
    "#b45309",
]
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

BELOW_P25_TABLE = "market_below_p25"
LONG_TABLE = 50  # rows above which a table is folded away (<details>) under its chart
CHART_GROUPS = 50  # position-and-grade groups drawn at most (the most spread ones)

# ---------------------------------------------------------------------------------------------
# the report


@dataclass(frozen=True)
class PaySection(Section):
    """A section that, without figures, says why and links to what fixes it (an URL name)."""

    empty: str = ""
    empty_action: str = ""
    empty_url: str = ""


@dataclass(frozen=True)
class PayReport:
    result: a.PayAnalytics
    stats: tuple[StatCard, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def sheet_titles(self) -> list[str]:
        """One distinct, valid sheet title per table (at most 31 characters, none of []:*?/\\)."""
        titles: list[str] = []
        for t in self.tables:
            base = SHEET_FORBIDDEN.sub(" ", t.title)[:31].strip()
            title, n = base, 2
            while title in titles:
                suffix = f" ({n})"
                title, n = base[: 31 - len(suffix)].strip() + suffix, n + 1
            titles.append(title)
        return titles

    def sheets(self) -> list[tuple[str, list[str], Iterator[list[Any]]]]:
        """(title, headers, rows) for hrsuite.excel.write_workbook: one sheet per table, every
        row (the page shows the list of people below P25 a page at a time)."""
        return [(title, t.headers(), t.sheet_rows()) for title, t in zip(self.sheet_titles(), self.tables, strict=True)]


# ---------------------------------------------------------------------------------------------
# cells


def _percent(fraction: Decimal | None) -> Decimal | None:
    """0.667 -> 66.7 (exact: shares are already rounded to 0.1 % by analytics)."""
    return None if fraction is None else (fraction * HUNDRED).quantize(ONE_DECIMAL)


def money_cell(amount: Decimal | None) -> Cell:
    return Cell(text=money_text(amount), value=amount, numeric=True)


def ratio_cell(value: Decimal | None) -> Cell:
    return Cell(text="—" if value is None else f"{value}", value=value, numeric=True)


def signed_percent_cell(fraction: Decimal | None) -> Cell:
    value = _percent(fraction)
    if value is None:
        return Cell(text="—", value=None, numeric=True)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return Cell(text=f"{sign}{abs(value)}%", value=value, numeric=True)


def hidden_cell() -> Cell:
    """A figure held back (a group too small to show)."""
    return Cell(text="—", value=None, numeric=True)


def month_label(day: date) -> str:
    return day.strftime("%Y-%m")


def cost_unit_label(unit: a.wf.Unit | None) -> str:
    return unit_label(unit)


def grade_label(code: str, name: str) -> str:
    if not code:
        return _("No grade")
    return f"{code} {name}".strip()


def position_label(title: str, position_id: int | None) -> str:
    return title if position_id is not None else _("No position")


def family_text(family: str) -> str:
    return str(RoleFamily(family).label) if family in RoleFamily.values else ""


def basis_label(basis: str) -> str:
    return _("Annual") if basis == a.ANNUAL else _("Monthly")


def matched_label(matched_by: str) -> str:
    return _("Position") if matched_by == a.MATCH_POSITION else _("Grade")


def compa_band_labels() -> dict[str, str]:
    labels = {}
    for key, low, high in a.COMPA_BANDS:
        if low is None:
            labels[key] = _("Below %(high)s") % {"high": high}
        elif high is None:
            labels[key] = _("%(low)s and above") % {"low": low}
        else:
            labels[key] = _("%(low)s to under %(high)s") % {"low": low, "high": high}
    return labels


def quartile_labels() -> dict[str, str]:
    return {
        a.BELOW_P25: _("Below P25"),
        a.P25_P50: _("P25 to under P50"),
        a.P50_P75: _("P50 to P75"),
        a.ABOVE_P75: _("Above P75"),
    }


def _num(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


# ---------------------------------------------------------------------------------------------
# cost structure


def _cost_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first),
        Column(_("Payslips"), True),
        Column(_("Gross pay"), True, _("CNY")),
        Column(_("Fixed pay"), True, _("CNY")),
        Column(_("Variable pay"), True, _("CNY")),
        Column(_("Fixed share"), True, "%"),
        Column(_("Variable share"), True, "%"),
    )


def _cost_cells(label: str, c: a.CostLine) -> tuple[Cell, ...]:
    return (
        text_cell(label),
        count_cell(c.payslips),
        money_cell(c.gross),
        money_cell(c.fixed),
        money_cell(c.variable),
        percent_cell(c.fixed_share),
        percent_cell(c.variable_share),
    )


def _stacked_shares(chart_id: str, label: str, labels: Sequence[str], lines: Sequence[a.CostLine]) -> Chart:
    return Chart(
        id=chart_id,
        label=label,
        height=max(220, 34 * len(labels) + 70),
        spec={
            "type": "bar",
            "horizontal": True,
            "labels": list(labels),
            "datasets": [
                {
                    "label": _("Fixed share (%)"),
                    "data": [_num(_percent(c.fixed_share)) for c in lines],
                    "backgroundColor": FIXED_COLOUR,
                },
                {
                    "label": _("Variable share (%)"),
                    "data": [_num(_percent(c.variable_share)) for c in lines],
                    "backgroundColor": VARIABLE_COLOUR,
                },
            ],
            "options": {
                "scales": {
                    "x": {"stacked": True, "min": 0, "max": 100, "title": {"display": True, "text": "%"}},
                    "y": {"stacked": True},
                },
                "plugins": {"legend": {"position": "bottom"}},
            },
        },
    )


def _cost_section(r: a.CostReport, *, months_note: str) -> Section:
    unit_table = Table(
        key="cost_departments",
        title=_("Fixed and variable pay by department"),
        columns=_cost_columns(_("Department")),
        rows=tuple(_cost_cells(cost_unit_label(u.unit), u.cost) for u in r.by_unit),
        total=_cost_cells(_("Company total"), r.total),
        empty=_("No finalised pay in this window."),
    )
    unit_chart = _stacked_shares(
        "chart-cost-departments",
        _("Fixed and variable share by department"),
        [cost_unit_label(u.unit) for u in r.by_unit] + [_("Company total")],
        [u.cost for u in r.by_unit] + [r.total],
    )
    family_table = Table(
        key="cost_families",
        title=_("Fixed and variable pay by role family"),
        columns=_cost_columns(_("Role family")),
        rows=tuple(_cost_cells(family_label(f.role_family), f.cost) for f in r.by_family),
        total=_cost_cells(_("Company total"), r.total),
        empty=_("No finalised pay in this window."),
    )
    family_chart = _stacked_shares(
        "chart-cost-families",
        _("Fixed and variable share by role family"),
        [family_label(f.role_family) for f in r.by_family] + [_("Company total")],
        [f.cost for f in r.by_family] + [r.total],
    )
    unit_names = [cost_unit_label(u) for u in r.units]
    trend_table = Table(
        key="cost_trend",
        title=_("Fixed share by month"),
        columns=(
            Column(_("Month")),
            Column(_("Payslips"), True),
            Column(_("Gross pay"), True, _("CNY")),
            Column(_("Fixed pay"), True, _("CNY")),
            Column(_("Variable pay"), True, _("CNY")),
            Column(_("Fixed share"), True, "%"),
            *(Column(_("Fixed share: %(department)s") % {"department": name}, True, "%") for name in unit_names),
        ),
        rows=tuple(
            (
                text_cell(month_label(m.period)),
                count_cell(m.cost.payslips),
                money_cell(m.cost.gross),
                money_cell(m.cost.fixed),
                money_cell(m.cost.variable),
                percent_cell(m.cost.fixed_share),
                *(percent_cell(s) for s in m.unit_shares),
            )
            for m in r.trend
        ),
        empty=_("No finalised pay in this window."),
    )
    datasets: list[dict[str, Any]] = [
        {
            "label": _("Company total"),
            "data": [_num(_percent(m.cost.fixed_share)) for m in r.trend],
            "borderColor": MEDIAN_COLOUR,
            "backgroundColor": MEDIAN_COLOUR,
            "borderWidth": 3,
            "tension": 0.2,
        }
    ]
    for i, name in enumerate(unit_names):
        colour = PALETTE[i % len(PALETTE)]
        datasets.append(
            {
                "label": name,
                "data": [_num(_percent(m.unit_shares[i])) for m in r.trend],
                "borderColor": colour,
                "backgroundColor": colour,
                "borderWidth": 1.5,
                "tension": 0.2,
                "spanGaps": True,
            }
        )
    trend_chart = Chart(
        id="chart-cost-trend",
        label=_("Fixed share by month"),
        height=300,
        spec={
            "type": "line",
            "labels": [month_label(m.period) for m in r.trend],
            "datasets": datasets,
            "percent": True,
            "options": {"plugins": {"legend": {"position": "bottom", "labels": {"boxWidth": 14}}}},
        },
    )
    return PaySection(
        key="cost",
        title=_("Pay cost structure"),
        icon="pie-chart",
        notes=(
            months_note,
            _(
                "Gross pay: every earning on the payslip. Variable pay: the earnings of components marked as variable pay (bonuses, commissions) and the annual bonus. Fixed pay = gross − variable."
            ),
            _(
                "Fixed share = fixed pay ÷ gross pay, summed over the payslips of the group; variable share = 100% − fixed share."
            ),
            _(
                "Department: the one recorded on each payslip (where the person was when paid), counted in its top-level department with its sub-departments. Role family: the employee's current position."
            ),
        ),
        blocks=(
            Block(unit_table, unit_chart, stacked=True),
            Block(family_table, family_chart, stacked=True),
            Block(trend_table, trend_chart, stacked=True),
        ),
        has_data=r.total.payslips > 0,
    )


# ---------------------------------------------------------------------------------------------
# market comparison


def below_p25_cells(line: a.MarketLine) -> tuple[Cell, ...]:
    p, b = line.person, line.benchmark
    return (
        text_cell(p.employee_no),
        text_cell(p.name),
        text_cell(p.department_name or _("No department")),
        text_cell(position_label(p.position_title, p.position_id)),
        text_cell(grade_label(p.grade_code, p.grade_name)),
        money_cell(p.monthly_gross),
        text_cell(f"{b.code} · {basis_label(b.basis)}"),
        money_cell(line.pay),
        money_cell(b.p25),
        ratio_cell(line.compa_ratio),
        money_cell(line.gap_to_p25),
    )


def _market_section(r: a.MarketReport, people: int) -> Section:
    compared = len(r.lines)
    band_names = compa_band_labels()
    distribution = Table(
        key="market_distribution",
        title=_("Compa-ratio distribution"),
        columns=(Column(_("Compa-ratio")), Column(_("People"), True), Column(_("Share"), True, "%")),
        rows=tuple(
            (text_cell(band_names[b.key]), count_cell(b.count), percent_cell(a.share(b.count, compared)))
            for b in r.distribution
        ),
        total=(
            text_cell(_("Compared with the market")),
            count_cell(compared),
            percent_cell(a.share(compared, compared)),
        ),
        empty=_("Nobody could be compared: import market data for their positions or grades."),
    )
    distribution_chart = Chart(
        id="chart-compa-ratio",
        label=_("Compa-ratio distribution"),
        spec={
            "type": "bar",
            "labels": [band_names[b.key] for b in r.distribution],
            "datasets": [
                {
                    "label": _("People"),
                    "data": [b.count for b in r.distribution],
                    "backgroundColor": BAND_COLOURS[: len(r.distribution)],
                }
            ],
            "options": {
                "plugins": {"legend": {"display": False}},
                "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
            },
        },
    )
    quartile_names = quartile_labels()
    quartiles = Table(
        key="market_quartiles",
        title=_("Pay against the market percentiles"),
        columns=(Column(_("Position in the market range")), Column(_("People"), True), Column(_("Share"), True, "%")),
        rows=tuple(
            (text_cell(quartile_names[key]), count_cell(n), percent_cell(a.share(n, compared)))
            for key, n in r.quartiles
        ),
        total=(
            text_cell(_("Compared with the market")),
            count_cell(compared),
            percent_cell(a.share(compared, compared)),
        ),
        empty=_("Nobody could be compared: import market data for their positions or grades."),
    )
    quartile_chart = Chart(
        id="chart-market-quartiles",
        label=_("Pay against the market percentiles"),
        spec={
            "type": "doughnut",
            "labels": [quartile_names[key] for key, _n in r.quartiles],
            "datasets": [
                {"label": _("People"), "data": [n for _k, n in r.quartiles], "backgroundColor": QUARTILE_COLOURS}
            ],
            "options": {"plugins": {"legend": {"position": "right"}}},
        },
    )
    benchmarks = Table(
        key="market_benchmarks",
        title=_("Survey lines in use"),
        columns=(
            Column(_("Position or grade")),
            Column(_("Matched by")),
            Column(_("Survey year"), True),
            Column(_("Survey source")),
            Column(_("Basis")),
            Column(_("P25"), True, _("CNY")),
            Column(_("P50"), True, _("CNY")),
            Column(_("P75"), True, _("CNY")),
            Column(_("People"), True),
            Column(_("Median pay as compared"), True, _("CNY")),
            Column(_("Median compa-ratio"), True),
            Column(_("Below P25"), True),
        ),
        rows=tuple(
            (
                text_cell(f"{u.benchmark.code} {u.benchmark.name}".strip()),
                text_cell(matched_label(u.matched_by)),
                Cell(text=str(u.benchmark.survey_year), value=u.benchmark.survey_year, numeric=True),
                text_cell(u.benchmark.source),
                text_cell(basis_label(u.benchmark.basis)),
                money_cell(u.benchmark.p25),
                money_cell(u.benchmark.p50),
                money_cell(u.benchmark.p75),
                count_cell(u.people),
                money_cell(u.median_pay),
                ratio_cell(u.median_compa_ratio),
                count_cell(u.below_p25),
            )
            for u in r.by_benchmark
        ),
        empty=_("No survey line matches the positions or grades of the people on staff."),
    )
    below = Table(
        key=BELOW_P25_TABLE,
        title=_("People paid below P25"),
        columns=(
            Column(_("Employee no.")),
            Column(_("Name")),
            Column(_("Department")),
            Column(_("Position")),
            Column(_("Grade")),
            Column(_("Average monthly gross"), True, _("CNY")),
            Column(_("Survey line")),
            Column(_("Pay as compared"), True, _("CNY")),
            Column(_("P25"), True, _("CNY")),
            Column(_("Compa-ratio"), True),
            Column(_("Short of P25"), True, _("CNY")),
        ),
        rows=tuple(below_p25_cells(line) for line in r.below_p25),
        empty=_("Nobody is paid below P25."),
    )
    notes = [
        _(
            "Pay: the average monthly gross = gross pay over the months the person was paid in the window ÷ the number of those months. People on staff on the turnover date and paid at least once in the window count."
        ),
        _(
            "Survey line: the one of the person's position from the latest survey year, else the one of their grade; with several sources for that year, the most recently imported. Monthly figures are compared with the average monthly gross, annual figures with the average monthly gross × 12 (pay as compared)."
        ),
        _(
            "Compa-ratio = pay as compared ÷ P50, two decimals; each band includes its lower bound. Below P25: pay as compared < P25; short of P25 = P25 − pay as compared."
        ),
    ]
    if r.without_benchmark:
        notes.append(
            _("%(count)s of %(people)s people have no survey line for their position or grade and are not compared.")
            % {"count": r.without_benchmark, "people": people}
        )
    return PaySection(
        key="market",
        title=_("Market comparison"),
        icon="graph-up-arrow",
        notes=tuple(notes),
        blocks=(
            Block(distribution, distribution_chart),
            Block(quartiles, quartile_chart),
            Block(benchmarks, collapsed=len(benchmarks.rows) > LONG_TABLE),
            Block(below),
        ),
        has_data=compared > 0,
        empty=_(
            "Nobody on staff could be compared with the market yet: import market survey data for their positions or grades."
        ),
        empty_action=_("Import market data"),
        empty_url="payroll:market_import",
    )


# ---------------------------------------------------------------------------------------------
# internal equity


def _most_spread(groups: Sequence[a.EquityGroup]) -> list[a.EquityGroup]:
    """At most CHART_GROUPS groups, those with the highest coefficient of variation, in table order."""
    if len(groups) <= CHART_GROUPS:
        return list(groups)
    ranked = sorted(range(len(groups)), key=lambda i: (-(groups[i].cv or 0), i))[:CHART_GROUPS]
    return [groups[i] for i in sorted(ranked)]


def _equity_section(r: a.EquityReport, g: a.GenderReport) -> Section:
    def group_label(group: a.EquityGroup) -> str:
        return f"{position_label(group.position_title, group.position_id)} · {grade_label(group.grade_code, group.grade_name)}"

    groups = Table(
        key="equity_groups",
        title=_("Pay spread by position and grade"),
        columns=(
            Column(_("Position")),
            Column(_("Role family")),
            Column(_("Grade")),
            Column(_("People"), True),
            Column(_("Minimum"), True, _("CNY")),
            Column(_("Median"), True, _("CNY")),
            Column(_("Maximum"), True, _("CNY")),
            Column(_("Mean"), True, _("CNY")),
            Column(_("Coefficient of variation"), True, "%"),
            Column(_("Maximum ÷ minimum"), True),
            Column(_("Outliers"), True),
        ),
        rows=tuple(
            (
                text_cell(position_label(group.position_title, group.position_id)),
                text_cell(family_text(group.role_family)),
                text_cell(grade_label(group.grade_code, group.grade_name)),
                count_cell(group.people),
                money_cell(group.minimum),
                money_cell(group.median),
                money_cell(group.maximum),
                money_cell(group.mean),
                percent_cell(group.cv),
                ratio_cell(group.max_to_min),
                count_cell(len(group.outliers)) if group.fences else Cell(text="—", value=None, numeric=True),
            )
            for group in r.groups
        ),
        empty=_("No position and grade has two or more people paid in the window."),
    )
    charted = _most_spread(r.groups)
    groups_chart = Chart(
        id="chart-equity",
        label=_("Pay range and median by position and grade"),
        height=max(240, 28 * len(charted) + 70),
        spec={
            "type": "bar",
            "horizontal": True,
            "labels": [group_label(group) for group in charted],
            "datasets": [
                {
                    "type": "bar",
                    "label": _("Lowest to highest"),
                    "data": [[_num(group.minimum), _num(group.maximum)] for group in charted],
                    "backgroundColor": "rgba(96, 165, 250, 0.55)",
                    "order": 2,
                },
                {
                    "type": "line",
                    "label": _("Median"),
                    "data": [_num(group.median) for group in charted],
                    "showLine": False,
                    "pointStyle": "rectRot",
                    "pointRadius": 6,
                    "borderColor": MEDIAN_COLOUR,
                    "backgroundColor": MEDIAN_COLOUR,
                    "order": 1,
                },
            ],
            "options": {
                "plugins": {"legend": {"position": "bottom"}},
                "scales": {"x": {"title": {"display": True, "text": _("Average monthly gross (CNY)")}}},
            },
        },
    )
    outliers = Table(
        key="equity_outliers",
        title=_("Pay outliers within position and grade"),
        columns=(
            Column(_("Employee no.")),
            Column(_("Name")),
            Column(_("Position")),
            Column(_("Grade")),
            Column(_("Average monthly gross"), True, _("CNY")),
            Column(_("Group median"), True, _("CNY")),
            Column(_("Outside")),
            Column(_("Fence"), True, _("CNY")),
        ),
        rows=tuple(
            (
                text_cell(o.person.employee_no),
                text_cell(o.person.name),
                text_cell(position_label(group.position_title, group.position_id)),
                text_cell(grade_label(group.grade_code, group.grade_name)),
                money_cell(o.pay),
                money_cell(o.group_median),
                text_cell(_("Above Q3 + 1.5 × IQR") if o.high else _("Below Q1 − 1.5 × IQR")),
                money_cell(o.fence),
            )
            for group, o in r.outliers
        ),
        empty=_("No outliers."),
    )

    def gap_row(line: a.GenderGap) -> tuple[Cell, ...]:
        label = _("Company total") if line.total else grade_label(line.grade_code, line.grade_name)
        if not line.shown:
            figures = tuple(hidden_cell() for _i in range(6))
            note = _("Fewer than %(n)s men or women: not shown") % {"n": a.MIN_GENDER_GROUP}
        else:
            figures = (
                money_cell(line.men_median),
                money_cell(line.women_median),
                signed_percent_cell(line.median_gap),
                money_cell(line.men_mean),
                money_cell(line.women_mean),
                signed_percent_cell(line.mean_gap),
            )
            note = ""
        return (text_cell(label), count_cell(line.men), count_cell(line.women), *figures, text_cell(note))

    gender = Table(
        key="gender_gap",
        title=_("Gender pay gap by grade"),
        columns=(
            Column(_("Grade")),
            Column(_("Men"), True),
            Column(_("Women"), True),
            Column(_("Men's median"), True, _("CNY")),
            Column(_("Women's median"), True, _("CNY")),
            Column(_("Median gap"), True, "%"),
            Column(_("Men's mean"), True, _("CNY")),
            Column(_("Women's mean"), True, _("CNY")),
            Column(_("Mean gap"), True, "%"),
            Column(_("Note")),
        ),
        rows=tuple(gap_row(line) for line in g.lines),
        total=gap_row(g.total),
        empty=_("Nobody with a recorded gender was paid in the window."),
    )
    shown = [line for line in g.lines if line.shown]
    gender_chart = Chart(
        id="chart-gender-gap",
        label=_("Median pay of men and women by grade"),
        spec={
            "type": "bar",
            "labels": [grade_label(line.grade_code, line.grade_name) for line in shown],
            "datasets": [
                {
                    "label": _("Men's median"),
                    "data": [_num(line.men_median) for line in shown],
                    "backgroundColor": MEN_COLOUR,
                },
                {
                    "label": _("Women's median"),
                    "data": [_num(line.women_median) for line in shown],
                    "backgroundColor": WOMEN_COLOUR,
                },
            ],
            "options": {
                "plugins": {"legend": {"position": "bottom"}},
                "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": _("CNY per month")}}},
            },
        },
    )
    notes = [
        _(
            "Pay: the average monthly gross in the window, of the people on staff on the turnover date. Position and grade are the current ones."
        ),
        _(
            "Groups of at least two people with the same position and grade are listed (%(single)s people alone in theirs are not). Coefficient of variation = population standard deviation ÷ mean. Maximum ÷ minimum: two decimals."
        )
        % {"single": r.single},
        _(
            "Quartiles Q1 and Q3 by linear interpolation between ranks (as Excel QUARTILE.INC), IQR = Q3 − Q1. Outliers are paid below Q1 − 1.5 × IQR or above Q3 + 1.5 × IQR; they are looked for in groups of at least %(n)s people (— otherwise)."
        )
        % {"n": a.MIN_OUTLIER_GROUP},
        _(
            "Gender pay gap = (men's median − women's median) ÷ men's median, likewise with means; positive when women are paid less. A grade where either gender has fewer than %(n)s people shows its counts only, so nobody's pay can be read from it."
        )
        % {"n": a.MIN_GENDER_GROUP},
    ]
    if len(charted) < len(r.groups):
        notes.append(
            _(
                "The chart shows the %(n)s groups with the highest coefficient of variation; the table lists all %(count)s."
            )
            % {"n": len(charted), "count": len(r.groups)}
        )
    if g.hidden:
        notes.append(
            _("Grades with fewer than %(n)s men or women, whose gap is not shown: %(count)s.")
            % {"count": g.hidden, "n": a.MIN_GENDER_GROUP}
        )
    if g.without_gender:
        notes.append(
            _("%(count)s people without a recorded gender are left out of the gender gap.")
            % {"count": g.without_gender}
        )
    return PaySection(
        key="equity",
        title=_("Internal equity"),
        icon="distribute-vertical",
        notes=tuple(notes),
        blocks=(
            Block(groups, groups_chart, stacked=True, collapsed=len(groups.rows) > LONG_TABLE),
            Block(outliers, collapsed=len(outliers.rows) > LONG_TABLE),
            Block(gender, gender_chart, stacked=True),
        ),
        has_data=bool(r.groups or r.single or g.lines),
    )


# ---------------------------------------------------------------------------------------------
# pay against turnover


def _turnover_section(r: a.PayTurnoverReport) -> Section:
    start, end = r.start.isoformat(), r.end.isoformat()

    def row(line: a.PayTurnoverLine) -> tuple[Cell, ...]:
        c, t = line.cost, line.turnover
        return (
            text_cell(unit_label(line.unit)),
            count_cell(c.payslips) if c else count_cell(0),
            money_cell(line.monthly_gross),
            percent_cell(c.fixed_share if c else None),
            percent_cell(c.variable_share if c else None),
            count_cell(t.leavers) if t else Cell(text="—", value=None, numeric=True),
            Cell(text=f"{t.average_headcount.quantize(ONE_DECIMAL)}", value=t.average_headcount, numeric=True)
            if t
            else Cell(text="—", value=None, numeric=True),
            percent_cell(t.rate if t else None),
        )

    table = Table(
        key="pay_turnover",
        title=_("Pay structure and 12-month turnover by department"),
        columns=(
            Column(_("Department")),
            Column(_("Payslips"), True),
            Column(_("Gross pay per payslip"), True, _("CNY")),
            Column(_("Fixed share"), True, "%"),
            Column(_("Variable share"), True, "%"),
            Column(_("Leavers"), True),
            Column(_("Average headcount"), True),
            Column(_("Turnover"), True, "%"),
        ),
        rows=tuple(row(line) for line in r.lines),
        total=row(r.total),
        empty=_("No departments yet."),
    )
    points = [line for line in r.lines if line.cost and line.cost.fixed_share is not None and line.turnover]
    chart = Chart(
        id="chart-pay-turnover",
        label=_("Fixed share against 12-month turnover by department"),
        height=320,
        spec={
            "type": "scatter",
            "datasets": [
                {
                    "label": unit_label(line.unit),
                    "data": [
                        {
                            "x": _num(_percent(line.cost.fixed_share)),  # type: ignore[union-attr]
                            "y": _num(_percent(line.turnover.rate)),  # type: ignore[union-attr]
                        }
                    ],
                    "backgroundColor": PALETTE[i % len(PALETTE)],
                    "borderColor": PALETTE[i % len(PALETTE)],
                    "pointRadius": 7,
                    "pointHoverRadius": 9,
                }
                for i, line in enumerate(points)
            ],
            "options": {
                "plugins": {"legend": {"position": "bottom", "labels": {"usePointStyle": True}}},
                "scales": {
                    "x": {
                        "title": {"display": True, "text": _("Fixed share (%)")},
                        "suggestedMin": 50,
                        "suggestedMax": 100,
                    },
                    "y": {"title": {"display": True, "text": _("12-month turnover (%)")}, "beginAtZero": True},
                },
            },
        },
    )
    return PaySection(
        key="turnover",
        title=_("Pay against turnover"),
        icon="arrow-left-right",
        notes=(
            _(
                "Fixed share and gross pay per payslip as in the cost structure (department on the payslip, over the window). Turnover as in the workforce analytics, by the employees' current department."
            ),
            _(
                "Leavers: leave date after %(start)s and on or before %(end)s. Average headcount = (headcount on %(start)s + headcount on %(end)s) ÷ 2. Turnover = leavers ÷ average headcount (0 when the average is 0)."
            )
            % {"start": start, "end": end},
        ),
        blocks=(Block(table, chart, stacked=True),),
        has_data=bool(r.lines),
    )


# ---------------------------------------------------------------------------------------------
# the whole report


def _stats(result: a.PayAnalytics) -> tuple[StatCard, ...]:
    cost, market = result.cost, result.market
    compared = len(market.lines)
    return (
        StatCard(
            label=_("Gross pay in the window"),
            value=money_text(cost.total.gross),
            icon="cash-stack",
            hint=_("%(slips)s payslips in %(months)s finalised months")
            % {"slips": f"{cost.total.payslips:,}", "months": len(cost.paid_months)},
        ),
        StatCard(
            label=_("Fixed share"),
            value="—" if cost.total.fixed_share is None else f"{_percent(cost.total.fixed_share)}%",
            icon="pie-chart",
            hint=""
            if cost.total.variable_share is None
            else _("Variable %(share)s%%") % {"share": _percent(cost.total.variable_share)},
        ),
        StatCard(
            label=_("Median compa-ratio"),
            value="—" if market.median_compa_ratio is None else f"{market.median_compa_ratio}",
            icon="graph-up-arrow",
            hint=_("%(count)s of %(people)s people compared") % {"count": compared, "people": result.people},
        ),
        StatCard(
            label=_("Below P25"),
            value=f"{len(market.below_p25):,}",
            icon="arrow-down-circle",
            hint=_("%(share)s%% of those compared") % {"share": _percent(a.share(len(market.below_p25), compared))}
            if compared
            else "",
        ),
    )


def build_report(result: a.PayAnalytics) -> PayReport:
    months = result.cost.months
    months_note = _(
        "Window: %(start)s to %(end)s (12 months), %(paid)s of them with finalised pay. Only finalised or published pay runs count, and only payslips calculated without an error. Staff and turnover are taken on %(as_of)s."
    ) % {
        "start": month_label(months[0]),
        "end": month_label(months[-1]),
        "paid": len(result.cost.paid_months),
        "as_of": result.as_of.isoformat(),
    }
    return PayReport(
        result=result,
        stats=_stats(result),
        sections=(
            _cost_section(result.cost, months_note=months_note),
            _market_section(result.market, result.people),
            _equity_section(result.equity, result.gender),
            _turnover_section(result.turnover),
        ),
    )

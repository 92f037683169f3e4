"""An employee's pay over twelve months, for the conversations where someone asks for a raise and
HR needs the facts: every earning and deduction line by month with gross and net, the period
inputs behind the variable pay (performance coefficient, contribution share, sales…), bonuses,
the base salary history, and the released performance reviews of those months (rating,
coefficient, OKR completion).

Only slips of finalised (or published) runs count: a run still being calculated may change. The
page, the PDF and the Excel workbook are built from the same `PayHistory`, and its content hash
is taken over the figures, so a printed copy can be checked against the system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from employees.models import Employee
from hrsuite.pdf import content_hash

from .choices import LOCKED_STATUSES, ComponentKind, SlipStatus
from .exports import BONUS_CODE, line_order
from .gather import month_end
from .models import PayComponent, PayRun, PaySlip, PaySlipLine, PeriodInput
from .selectors_people import HistoryRow as AssignmentHistoryRow
from .selectors_people import assignment_history

ZERO = Decimal("0")
MONTHS = 12
BONUS_TAX_CODE = "BONUS_TAX"


def plain(value: Decimal) -> Decimal:
    """4 decimal places as entered (1.2000) shown as written (1.2); 100.0000 stays 100."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Row:
    """One line of a month table: a label and one value per month (None: nothing that month)."""

    label: str
    values: tuple[Decimal | None, ...]
    code: str = ""
    kind: str = ""  # earning, deduction, subtotal, total, input, bonus
    summed: bool = True  # a total over the months makes sense (not for a coefficient)

    @property
    def total(self) -> Decimal | None:
        present = [v for v in self.values if v is not None]
        return sum(present, ZERO) if self.summed and present else None

    def figures(self) -> str:
        return "|".join("" if v is None else f"{v}" for v in self.values)


@dataclass(frozen=True)
class PerformanceRow:
    """A released review whose period ends within the report's months."""

    cycle: str
    period_start: date
    period_end: date
    pay_period: date
    rating: str
    coefficient: Decimal | None
    okr_completion: Decimal | None

    def figures(self) -> str:
        return (
            f"{self.cycle}:{self.period_start}:{self.period_end}:{self.pay_period:%Y-%m}:{self.rating}:"
            f"{'' if self.coefficient is None else self.coefficient}:"
            f"{'' if self.okr_completion is None else self.okr_completion}"
        )


def performance_rows(employee: Employee, first: date, last: date) -> list[PerformanceRow]:
    """The employee's released review results whose review period ends between `first` and
    `last`, oldest first (one query). Imported lazily: performance depends on payroll."""
    from performance.selectors import performance_history

    return [
        PerformanceRow(
            cycle=row.cycle.name,
            period_start=row.cycle.period_start,
            period_end=row.cycle.period_end,
            pay_period=row.cycle.pay_period,
            rating=row.rating,
            coefficient=row.coefficient,
            okr_completion=row.okr_completion,
        )
        for row in reversed(performance_history(employee))
        if first <= row.cycle.period_end <= last
    ]


@dataclass
class PayHistory:
    employee: Employee
    months: list[date]
    pay_rows: list[Row]
    input_rows: list[Row]
    bonus_rows: list[Row]
    assignments: list[AssignmentHistoryRow]
    months_paid: int
    total_gross: Decimal
    total_net: Decimal
    total_variable: Decimal
    performance: list[PerformanceRow] = field(default_factory=list)
    digest: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:
        return self.months[-1]

    @property
    def average_gross(self) -> Decimal | None:
        return (self.total_gross / self.months_paid).quantize(Decimal("0.01")) if self.months_paid else None

    @property
    def variable_share(self) -> Decimal | None:
        return self.total_variable / self.total_gross if self.total_gross else None


def final_slips(slips: QuerySet[PaySlip], employee: Employee) -> QuerySet[PaySlip]:
    return slips.filter(employee=employee, status=SlipStatus.OK, run__status__in=LOCKED_STATUSES)


def default_end(slips: QuerySet[PaySlip], employee: Employee, today: date) -> date:
    """The latest month with a finalised slip of this employee; else the latest finalised run;
    else this month."""
    latest = final_slips(slips, employee).aggregate(m=Max("period"))["m"]
    latest = latest or PayRun.objects.filter(status__in=LOCKED_STATUSES).aggregate(m=Max("period"))["m"]
    return (latest or today).replace(day=1)


def pay_history(*, employee: Employee, end: date, slips: QuerySet[PaySlip]) -> PayHistory:
    """The twelve months ending with `end`, in a fixed number of queries."""
    end = end.replace(day=1)
    months = [add_months(end, i) for i in range(1 - MONTHS, 1)]
    index = {m: i for i, m in enumerate(months)}
    window = list(final_slips(slips, employee).filter(period__gte=months[0], period__lte=end).order_by("period"))
    by_slip = {s.pk: index[s.period] for s in window}

    def blank() -> list[Decimal | None]:
        return [None] * len(months)

    def slip_row(label: str, attr: str, kind: str) -> Row:
        values = blank()
        for s in window:
            values[index[s.period]] = getattr(s, attr)
        return Row(label, tuple(values), kind=kind)

    # lines: code -> (kind, order, name, values)
    lines: dict[str, dict] = {}
    for slip_id, code, name, kind, order, amount in (
        PaySlipLine.objects.filter(slip_id__in=list(by_slip))
        .order_by("slip__period", "display_order", "pk")
        .values_list("slip_id", "code", "name", "kind", "display_order", "amount")
    ):
        entry = lines.setdefault(
            code, {"kind": kind, "order": line_order(code, order, len(lines)), "name": name, "values": blank()}
        )
        entry["name"] = name  # the latest month's name
        i = by_slip[slip_id]
        entry["values"][i] = (entry["values"][i] or ZERO) + amount

    def line_rows(kind: str) -> list[Row]:
        picked = sorted(((c, e) for c, e in lines.items() if e["kind"] == kind), key=lambda ce: (ce[1]["order"], ce[0]))
        return [Row(e["name"], tuple(e["values"]), code=c, kind=kind) for c, e in picked]

    pay_rows = [
        *line_rows(ComponentKind.EARNING),
        slip_row(_("Gross pay"), "gross", "subtotal"),
        *line_rows(ComponentKind.DEDUCTION),
        slip_row(_("Net pay"), "net", "total"),
        slip_row(_("Employer contributions"), "employer_cost", "subtotal"),
    ]

    # period inputs, in the order the inputs were defined (the grid's order)
    inputs: dict[int, dict] = {}
    for value in (
        PeriodInput.objects.filter(employee=employee, period__gte=months[0], period__lte=end)
        .select_related("definition")
        .order_by("definition_id", "period")
    ):
        entry = inputs.setdefault(value.definition_id, {"name": value.definition.name, "values": blank()})
        entry["values"][index[value.period]] = plain(value.value)
    input_rows = [Row(e["name"], tuple(e["values"]), kind="input", summed=False) for _pk, e in sorted(inputs.items())]

    # bonuses: variable-pay components (one-off rewards, performance bonus, commissions) and the
    # annual one-time bonus with its separate tax
    variable_codes = set(PayComponent.objects.filter(variable=True).values_list("code", flat=True))
    bonus_rows = [
        Row(e["name"], tuple(e["values"]), code=c, kind="bonus")
        for c, e in sorted(lines.items(), key=lambda ce: ce[1]["order"])
        if (c in variable_codes and e["kind"] == ComponentKind.EARNING) or c in (BONUS_CODE, BONUS_TAX_CODE)
    ]
    bonus_rows.append(slip_row(_("Variable pay"), "variable_pay", "subtotal"))

    first, last = months[0], month_end(end)
    assignments = [
        row
        for row in reversed(assignment_history(employee))
        if row.assignment.effective_from <= last
        and (row.assignment.effective_to is None or row.assignment.effective_to >= first)
    ]

    history = PayHistory(
        employee=employee,
        months=months,
        pay_rows=pay_rows,
        input_rows=input_rows,
        bonus_rows=bonus_rows,
        assignments=assignments,
        months_paid=len(window),
        total_gross=sum((s.gross for s in window), ZERO),
        total_net=sum((s.net for s in window), ZERO),
        total_variable=sum((s.variable_pay for s in window), ZERO),
        performance=performance_rows(employee, first, last),
    )
    history.digest = digest(history)
    return history


def digest(history: PayHistory) -> str:
    """hrsuite.pdf.content_hash over everything the report states (not when it was made)."""
    e = history.employee
    parts: list[str] = [e.employee_no, e.name, f"{history.start:%Y-%m}", f"{history.end:%Y-%m}"]
    for section, rows in (("pay", history.pay_rows), ("inputs", history.input_rows), ("bonus", history.bonus_rows)):
        parts += [f"{section}:{row.code or row.label}:{row.figures()}" for row in rows]
    for row in history.assignments:
        a = row.assignment
        parts.append(f"assignment:{a.effective_from}:{a.effective_to or ''}:{a.base_salary}:{a.structure.code}")
    parts += [f"performance:{row.figures()}" for row in history.performance]
    return content_hash(*parts)


def sheets(history: PayHistory, *, generated: str) -> list[tuple[str, list[str], list[list]]]:
    """The report as workbook sheets (title, headers, rows) for hrsuite.excel."""
    months = [f"{m:%Y-%m}" for m in history.months]
    e = history.employee

    def table(rows: list[Row], *, totals: bool = True) -> list[list]:
        return [[r.label, *r.values, *([r.total] if totals else [])] for r in rows]

    summary: list[list] = [
        [_("Name"), e.name],
        [_("Employee no."), e.employee_no],
        [_("Department"), e.department.name if e.department else ""],
        [_("Months"), f"{history.start:%Y-%m} – {history.end:%Y-%m}"],
        [_("Months paid"), history.months_paid],
        [_("Gross pay"), history.total_gross],
        [_("Net pay"), history.total_net],
        [_("Average monthly gross pay"), history.average_gross],
        [_("Variable pay"), history.total_variable],
        [_("Generated"), generated],
        [_("Content hash"), history.digest],
    ]
    salary: list[list] = [
        [
            r.assignment.effective_from,
            r.assignment.effective_to,
            r.assignment.structure.name,
            r.assignment.base_salary,
            r.change,
            r.assignment.reason,
        ]
        for r in history.assignments
    ]
    out = [
        (_("Summary"), [_("Item"), _("Value")], summary),
        (_("Pay by month"), [_("Line"), *months, _("Total")], table(history.pay_rows)),
        (_("Period inputs"), [_("Input"), *months], table(history.input_rows, totals=False)),
        (_("Bonuses"), [_("Line"), *months, _("Total")], table(history.bonus_rows)),
        (
            _("Base salary history"),
            [_("Effective from"), _("Effective to"), _("Salary structure"), _("Base salary"), _("Change"), _("Reason")],
            salary,
        ),
    ]
    if history.performance:  # a sheet only when a review was released in these months
        out.append(
            (
                _("Performance"),
                [
                    _("Review cycle"),
                    _("Period from"),
                    _("Period to"),
                    _("Pay month"),
                    _("Rating"),
                    _("Performance coefficient"),
                    _("OKR completion (%)"),
                ],
                [
                    [
                        r.cycle,
                        r.period_start,
                        r.period_end,
                        f"{r.pay_period:%Y-%m}",
                        r.rating,
                        r.coefficient,
                        r.okr_completion,
                    ]
                    for r in history.performance
                ],
            )
        )
    return out

"""The files a finalised pay run produces: the payroll register, the bank transfer file, the
individual income tax declaration sheet (扣缴申报表) and the social insurance and housing fund
contribution sheet.

Pure row builders: each takes the run and a queryset of slips the user may see (from
`payroll.selectors.payslips_visible_to`) and returns an `Export` with headers and a generator of
rows for `hrsuite.excel.workbook_response`. They read in a fixed number of queries whatever the
size of the run: slips and their lines come as two server-side cursors in the same order
(employee number) and are merged in one pass, so a 10,000-person run never sits in memory. While
the rows are written the builder adds up what it wrote (`Export.totals`); the view compares those
sums with the run before it lets the file out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.db.models import Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from .choices import LOCKED_STATUSES, Scheme, SlipStatus
from .engine.money import money
from .models import FlagStatus, PayeeFlag, PayRun, PaySlip, PaySlipLine

ZERO = Decimal("0")
CHUNK = 2000
LINE_CHUNK = 5000

# statutory line codes written by payroll.engine.payslip
IIT_CODE = "IIT"
BONUS_CODE = "ANNUAL_BONUS"
SI_CODES = {
    "SI_PENSION": "pension",
    "SI_MEDICAL": "medical",
    "SI_UNEMPLOYMENT": "unemployment",
    "SI_HOUSING_FUND": "housing_fund",
}

# values the tax office's import (自然人电子税务局 扣缴端) expects verbatim, whatever the UI language
ID_TYPE_RESIDENT_CARD = "居民身份证"
INCOME_ITEM_WAGES = "正常工资薪金所得"


class ExportRefused(Exception):
    """The file cannot be produced; the message says why and what to do."""


@dataclass
class Export:
    title: str
    headers: list[str]
    rows: Iterable[Sequence] = ()
    totals: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0

    def add(self, key: str, value: Decimal | None) -> None:
        if value is not None:
            self.totals[key] = self.totals.get(key, ZERO) + value

    def sheet(self) -> tuple[str, list[str], Iterable[Sequence]]:
        return self.title, self.headers, self.rows


def _paid(slips: QuerySet[PaySlip], run: PayRun) -> QuerySet[PaySlip]:
    return slips.filter(run=run, status=SlipStatus.OK)


def _merge(slips: Iterator[tuple], lines: Iterator[tuple]) -> Iterator[tuple[tuple, list[tuple]]]:
    """Pair each slip row with its line rows. Both streams start with the slip id and come in the
    same order, so one pass over each is enough; a line left over means the orders disagreed,
    which must not pass silently."""
    pending = next(lines, None)
    for slip in slips:
        own = []
        while pending is not None and pending[0] == slip[0]:
            own.append(pending)
            pending = next(lines, None)
        yield slip, own
    if pending is not None:
        raise RuntimeError("payslip lines did not arrive in the order of their slips")


def _lines(slips: QuerySet[PaySlip], *fields: str, codes: Iterable[str] | None = None) -> Iterator[tuple]:
    qs = PaySlipLine.objects.filter(slip__in=slips.values("pk"))
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return (
        qs.order_by("slip__employee__employee_no", "slip_id", "display_order", "pk")
        .values_list("slip_id", *fields)
        .iterator(chunk_size=LINE_CHUNK)
    )


def _dec(value, default: Decimal | None = None) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return default


def line_order(code: str, display_order: int, seen: int = 0) -> tuple:
    """Sort key of slip lines: display order; then contributions by scheme as on a Chinese payslip
    (pension, medical, unemployment, work injury, maternity, housing fund), whatever order the
    city's rates are stored in; then first appearance."""
    rank = _scheme_order(code[3:].lower()) if code.startswith(("SI_", "ER_")) else 0
    return display_order, rank, seen, code


# --- payroll register ---------------------------------------------------------------------------

REGISTER_SUMMARY = ("gross", "si", "hf", "iit", "other", "net", "employer")


def register_columns(slips: QuerySet[PaySlip]) -> list[tuple[str, str]]:
    """(code, header) of every line code present, in display order (see `line_order`). Two codes
    with the same name (adjustments are all called 调整) get their code beside the name."""
    rows = sorted(
        PaySlipLine.objects.filter(slip__in=slips.values("pk"))
        .values("code")
        .annotate(order=Min("display_order"), first=Min("pk"), name=Min("name")),
        key=lambda r: line_order(r["code"], r["order"], r["first"]),
    )
    names = [r["name"] for r in rows]
    return [(r["code"], r["name"] if names.count(r["name"]) == 1 else f"{r['name']} ({r['code']})") for r in rows]


def register(run: PayRun, slips: QuerySet[PaySlip]) -> Export:
    """One row per employee: number, name, department, one column per line code, then the slip's
    gross, contributions, tax, other deductions, net and employer cost; a totals row last."""
    slips = _paid(slips, run)
    columns = register_columns(slips)
    codes = [code for code, _header in columns]
    export = Export(
        title=_("Payroll register %(period)s") % {"period": f"{run.period:%Y-%m}"},
        headers=[
            _("Employee no."),
            _("Name"),
            _("Department"),
            *[header for _code, header in columns],
            _("Gross pay"),
            _("Social insurance (employee)"),
            _("Housing fund (employee)"),
            _("Total income tax"),
            _("Other deductions"),
            _("Net pay"),
            _("Employer contributions"),
        ],
    )

    def rows():
        slip_rows = (
            slips.order_by("employee__employee_no", "pk")
            .values_list(
                "pk",
                "employee__employee_no",
                "employee__name",
                "department__name",
                "gross",
                "si_employee",
                "hf_employee",
                "iit",
                "bonus_tax",
                "other_deductions",
                "net",
                "employer_cost",
            )
            .iterator(chunk_size=CHUNK)
        )
        for slip, lines in _merge(slip_rows, _lines(slips, "code", "amount")):
            _pk, number, name, department, gross, si, hf, iit, bonus_tax, other, net, employer = slip
            amounts: dict[str, Decimal] = {}
            for _slip_id, code, amount in lines:
                amounts[code] = amounts.get(code, ZERO) + amount
            by_code = [amounts.get(code) for code in codes]
            summary = (gross, si, hf, iit + bonus_tax, other, net, employer)
            for code, value in zip(codes, by_code, strict=True):
                export.add(code, value)
            for key, value in zip(REGISTER_SUMMARY, summary, strict=True):
                export.add(key, value)
            export.count += 1
            yield [number, name, department or "", *by_code, *summary]
        yield [
            _("Total"),
            _("%(n)s employees") % {"n": export.count},
            "",
            *[export.totals.get(code, ZERO) for code in codes],
            *[export.totals.get(key, ZERO) for key in REGISTER_SUMMARY],
        ]

    export.rows = rows()
    return export


def register_problems(run: PayRun, export: Export) -> list[str]:
    """What in a written register does not equal the run's totals (empty: it reconciles)."""
    checks = (
        (_("Net pay"), export.totals.get("net", ZERO), run.total_net),
        (_("Gross pay"), export.totals.get("gross", ZERO), run.total_gross),
        (_("Total income tax"), export.totals.get("iit", ZERO), run.total_iit),
        (_("Employer contributions"), export.totals.get("employer", ZERO), run.total_employer_cost),
    )
    return [
        _("%(what)s adds up to %(file)s in the register but is %(run)s on the run.")
        % {"what": what, "file": f"{got:,.2f}", "run": f"{want:,.2f}"}
        for what, got, want in checks
        if got != want
    ]


# --- bank transfer file -------------------------------------------------------------------------


def bank_slips(run: PayRun, slips: QuerySet[PaySlip]) -> QuerySet[PaySlip]:
    """The slips that are paid out: calculated, with a positive net pay."""
    return _paid(slips, run).filter(net__gt=0)


def bank_problems(run: PayRun, slips: QuerySet[PaySlip], *, limit: int = 10) -> list[str]:
    """Why no bank file may be made for the run (empty: go ahead). Three queries."""
    problems = []
    open_flags = PayeeFlag.objects.filter(run=run, status=FlagStatus.OPEN).count()
    if open_flags:
        problems.append(
            _(
                "%(n)s payee checks of this run are open. Fix their cause or override each with a reason on the run page, then generate the bank file."
            )
            % {"n": open_flags}
        )
    paid = bank_slips(run, slips)
    missing = list(
        paid.filter(employee__bank_account_hash="")
        .order_by("employee__employee_no")
        .values_list("employee__name", "employee__employee_no")[: limit + 1]
    )
    if missing:
        names = "、".join(f"{name} ({number})" for name, number in missing[:limit])
        if len(missing) > limit:
            names += "…"
        problems.append(
            _("No bank account is on record for %(names)s. Add the salary account on the employee's record first.")
            % {"names": names}
        )
    total = paid.aggregate(total=Sum("net"))["total"] or ZERO
    if total != run.total_net:
        problems.append(
            _(
                "The payments add up to %(file)s but the run's net pay is %(run)s (a slip with a negative or missing net pay?). No bank file was made."
            )
            % {"file": f"{total:,.2f}", "run": f"{run.total_net:,.2f}"}
        )
    return problems


def bank_file(run: PayRun, slips: QuerySet[PaySlip]) -> Export:
    """Payee name (the account holder, or the employee's name), bank, account number (clear
    text), amount (net pay), employee number; a last row with the count and the total. Raises
    ExportRefused while writing if an account turns out to be empty."""
    paid = bank_slips(run, slips)
    export = Export(
        title=_("Bank transfer %(period)s") % {"period": f"{run.period:%Y-%m}"},
        headers=[_("Payee name"), _("Bank"), _("Account number"), _("Amount"), _("Employee no.")],
    )

    def rows():
        for number, name, holder, bank, account, net in (
            paid.order_by("employee__employee_no")
            .values_list(
                "employee__employee_no",
                "employee__name",
                "employee__bank_account_holder",
                "employee__bank_name",
                "employee__bank_account",
                "net",
            )
            .iterator(chunk_size=CHUNK)
        ):
            if not account:
                raise ExportRefused(
                    _(
                        "No bank account is on record for %(names)s. Add the salary account on the employee's record first."
                    )
                    % {"names": f"{name} ({number})"}
                )
            export.add("net", net)
            export.count += 1
            yield [holder or name, bank, account, net, number]
        yield [
            _("Total"),
            _("%(n)s payments") % {"n": export.count},
            "",
            export.totals.get("net", ZERO),
            "",
        ]

    export.rows = rows()
    return export


def bank_reconciles(run: PayRun, export: Export) -> list[str]:
    total = export.totals.get("net", ZERO)
    if total == run.total_net:
        return []
    return [
        _(
            "The payments add up to %(file)s but the run's net pay is %(run)s (a slip with a negative or missing net pay?). No bank file was made."
        )
        % {"file": f"{total:,.2f}", "run": f"{run.total_net:,.2f}"}
    ]


# --- individual income tax declaration ----------------------------------------------------------


def _tax_headers() -> list[str]:
    return [
        _("Employee no."),
        _("Name"),
        _("ID type"),
        _("ID number"),
        _("Income item"),
        _("Income this month"),
        _("Exempt income this month"),
        _("Basic pension insurance"),
        _("Basic medical insurance"),
        _("Unemployment insurance"),
        _("Housing fund"),
        _("Income year to date"),
        _("Exempt income year to date"),
        _("Basic deduction year to date"),
        _("Special deductions year to date"),
        _("Special additional deductions year to date"),
        _("Other deductions year to date"),
        _("Taxable income year to date"),
        _("Withholding rate"),
        _("Quick deduction"),
        _("Tax due year to date"),
        _("Tax withheld before this month"),
        _("Tax to withhold this month"),
    ]


TAX_COLUMNS = (
    "number",
    "name",
    "id_type",
    "id_number",
    "item",
    "income",
    "exempt",
    "pension",
    "medical",
    "unemployment",
    "housing_fund",
    "ytd_income",
    "ytd_exempt",
    "ytd_basic",
    "ytd_special",
    "ytd_additional",
    "ytd_other",
    "ytd_taxable",
    "rate",
    "quick_deduction",
    "tax_due_ytd",
    "withheld_before",
    "tax_this_month",
)


def _previous_exempt(run: PayRun, slips: QuerySet[PaySlip]) -> dict[int, Decimal]:
    """Each employee's exempt income year to date before this month (from their latest final slip
    of the same year), so this month's exempt income is the difference. One query."""
    return dict(
        PaySlip.objects.filter(
            employee_id__in=slips.values("employee_id"),
            period__year=run.period.year,
            period__lt=run.period,
            status=SlipStatus.OK,
            run__status__in=LOCKED_STATUSES,
        )
        .order_by("employee_id", "-period")
        .distinct("employee_id")
        .values_list("employee_id", "ytd_exempt")
    )


def tax_rows(run: PayRun, slips: QuerySet[PaySlip]) -> Iterator[dict]:
    """One dict per employee with the TAX_COLUMNS keys (the sheet's rows, and what tests read)."""
    slips = _paid(slips, run)
    previous_exempt = _previous_exempt(run, slips)
    slip_rows = (
        slips.order_by("employee__employee_no", "pk")
        .values_list(
            "pk",
            "employee_id",
            "employee__employee_no",
            "employee__name",
            "employee__national_id",
            "taxable_income",
            "ytd_income",
            "ytd_exempt",
            "ytd_basic",
            "ytd_special",
            "ytd_additional",
            "ytd_other",
            "ytd_taxable",
            "ytd_tax",
            "iit",
        )
        .iterator(chunk_size=CHUNK)
    )
    lines = _lines(slips, "code", "amount", "inputs", codes=[*SI_CODES, IIT_CODE])
    for slip, own in _merge(slip_rows, lines):
        (_pk, employee_id, number, name, national_id, income, ytd_income, ytd_exempt, ytd_basic) = slip[:9]
        ytd_special, ytd_additional, ytd_other, ytd_taxable, ytd_tax, iit = slip[9:]
        schemes = dict.fromkeys(SI_CODES.values(), ZERO)
        inputs: dict = {}
        for _slip_id, code, amount, line_inputs in own:
            if code == IIT_CODE:
                inputs = line_inputs or {}
            else:
                schemes[SI_CODES[code]] += amount
        rate = _dec(inputs.get("rate"))
        quick = _dec(inputs.get("quick_deduction"))
        before = _dec(inputs.get("ytd_tax_before"), ytd_tax - iit)
        taxable = _dec(inputs.get("ytd_taxable")) or ytd_taxable
        due = max(money(taxable * rate - quick), ZERO) if rate is not None and quick is not None else ytd_tax
        yield {
            "number": number,
            "name": name,
            "id_type": ID_TYPE_RESIDENT_CARD,
            "id_number": national_id or "",
            "item": INCOME_ITEM_WAGES,
            "income": income,
            "exempt": ytd_exempt - previous_exempt.get(employee_id, ZERO),
            **schemes,
            "ytd_income": ytd_income,
            "ytd_exempt": ytd_exempt,
            "ytd_basic": ytd_basic,
            "ytd_special": ytd_special,
            "ytd_additional": ytd_additional,
            "ytd_other": ytd_other,
            "ytd_taxable": ytd_taxable,
            "rate": rate,
            "quick_deduction": quick,
            "tax_due_ytd": due,
            "withheld_before": before,
            "tax_this_month": iit,
        }


def bonus_rows(run: PayRun, slips: QuerySet[PaySlip]) -> Iterator[list]:
    """The annual one-time bonus taxed on its own (全年一次性奖金收入): one row per employee paid one
    this month and not merging it into wages. One query."""
    return (
        [number, name, ID_TYPE_RESIDENT_CARD, national_id or "", amount, bonus_tax]
        for number, name, national_id, amount, bonus_tax in PaySlipLine.objects.filter(
            slip__in=_paid(slips, run).values("pk"), code=BONUS_CODE, taxable=False
        )
        .order_by("slip__employee__employee_no")
        .values_list(
            "slip__employee__employee_no",
            "slip__employee__name",
            "slip__employee__national_id",
            "amount",
            "slip__bonus_tax",
        )
        .iterator(chunk_size=CHUNK)
    )


def tax_declaration(run: PayRun, slips: QuerySet[PaySlip]) -> list[Export]:
    """Two sheets: wages (正常工资薪金所得, cumulative withholding) and the separately taxed annual
    bonus. No totals rows: the sheets are meant to be imported as they are."""
    period = f"{run.period:%Y-%m}"
    wages = Export(title=_("Wages %(period)s") % {"period": period}, headers=_tax_headers())

    def wage_rows():
        for row in tax_rows(run, slips):
            wages.count += 1
            wages.add("tax", row["tax_this_month"])
            yield [row[c] for c in TAX_COLUMNS]

    wages.rows = wage_rows()
    bonus = Export(
        title=_("Annual bonus %(period)s") % {"period": period},
        headers=[
            _("Employee no."),
            _("Name"),
            _("ID type"),
            _("ID number"),
            _("Annual one-time bonus"),
            _("Tax on the annual bonus"),
        ],
        rows=bonus_rows(run, slips),
    )
    return [wages, bonus]


# --- social insurance and housing fund ----------------------------------------------------------


def _scheme_order(scheme: str) -> int:
    return Scheme.values.index(scheme) if scheme in Scheme.values else len(Scheme.values)


def contribution_rows(run: PayRun, slips: QuerySet[PaySlip]) -> Iterator[tuple]:
    """(employee no., name, department, scheme, base, employee, employer) per employee and scheme,
    in employee-number order and the schemes' order. One query."""
    stream = (
        PaySlipLine.objects.filter(slip__in=_paid(slips, run).values("pk"))
        .filter(Q(code__startswith="SI_") | Q(code__startswith="ER_"))
        .order_by("slip__employee__employee_no", "slip_id")
        .values_list(
            "slip_id",
            "slip__employee__employee_no",
            "slip__employee__name",
            "slip__department__name",
            "code",
            "amount",
            "inputs",
        )
        .iterator(chunk_size=LINE_CHUNK)
    )
    for _slip_id, lines in groupby(stream, key=lambda r: r[0]):
        schemes: dict[str, list] = {}
        person: tuple = ("", "", "")
        for _sid, *who, code, amount, inputs in lines:
            person = tuple(who)
            side, scheme = code[:2], code[3:].lower()
            entry = schemes.setdefault(scheme, [None, ZERO, ZERO])
            entry[0] = entry[0] if entry[0] is not None else _dec((inputs or {}).get("base"))
            entry[1 if side == "SI" else 2] += amount
        for scheme in sorted(schemes, key=_scheme_order):
            base, employee, employer = schemes[scheme]
            number, name, department = person
            yield number, name, department or "", scheme, base, employee, employer


def contributions(run: PayRun, slips: QuerySet[PaySlip]) -> Export:
    labels = dict(Scheme.choices)
    export = Export(
        title=_("Contributions %(period)s") % {"period": f"{run.period:%Y-%m}"},
        headers=[
            _("Employee no."),
            _("Name"),
            _("Department"),
            _("Scheme"),
            _("Contribution base"),
            _("Employee share"),
            _("Employer share"),
        ],
    )
    seen: list[str] = []

    def rows():
        for number, name, department, scheme, base, employee, employer in contribution_rows(run, slips):
            if scheme not in seen:
                seen.append(scheme)
            export.add(f"{scheme}:employee", employee)
            export.add(f"{scheme}:employer", employer)
            export.count += 1
            yield [number, name, department, str(labels.get(scheme, scheme)), base, employee, employer]
        for scheme in sorted(seen, key=_scheme_order):
            yield [
                _("Total"),
                "",
                "",
                str(labels.get(scheme, scheme)),
                None,
                export.totals.get(f"{scheme}:employee", ZERO),
                export.totals.get(f"{scheme}:employer", ZERO),
            ]

    export.rows = rows()
    return export

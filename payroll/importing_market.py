"""Excel import of market survey data: P25, P50 and P75 per position or grade.

The first sheet has one survey line per row with the columns 调研年份 (survey year), 岗位编码
(position code) or 职级编码 (grade code) — exactly one of the two —, 口径 (basis: 月度 monthly or
年度 annual), P25, P50, P75 and 数据来源 (source). English headers are accepted too. Like the other
imports it is two steps:

* `parse_and_validate()` reads the sheet, checks every cell against dictionaries loaded once
  (positions, grades, the survey lines already stored: three queries whatever the size) and
  returns an `ImportPlan` holding every problem as (row, column, reason);
* `apply_plan()` writes a valid plan in one transaction: a new line is created, a line with the
  same survey year, source and position (or grade) is replaced. Every row goes through `save()`
  so the audit log records it with its before and after values, and one more entry records the
  import itself.

Nothing is written unless every row is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.models import Grade, Position
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.sheets import (
    SheetProblem,
    as_file,
    cell_text,
    header_key,
    is_blank,
    is_chinese,
    join_names,
    read_first_sheet,
)
from hrsuite.uploads import check_upload

from .models import MONEY, BenchmarkBasis, MarketBenchmark

MAX_ROWS = 5000
PREVIEW_ROWS = 20
ALLOWED = frozenset({"xlsx"})
FIRST_YEAR = 2000
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"]) - Decimal("0.01")
CENT = Decimal("0.01")
SOURCE_MAX = MarketBenchmark._meta.get_field("source").max_length or 100

# basis as typed -> stored value (both languages, whatever the interface language)
BASIS_WORDS = {
    "月度": BenchmarkBasis.MONTHLY,
    "月": BenchmarkBasis.MONTHLY,
    "月薪": BenchmarkBasis.MONTHLY,
    "monthly": BenchmarkBasis.MONTHLY,
    "month": BenchmarkBasis.MONTHLY,
    "年度": BenchmarkBasis.ANNUAL,
    "年": BenchmarkBasis.ANNUAL,
    "年薪": BenchmarkBasis.ANNUAL,
    "annual": BenchmarkBasis.ANNUAL,
    "annually": BenchmarkBasis.ANNUAL,
    "year": BenchmarkBasis.ANNUAL,
    "yearly": BenchmarkBasis.ANNUAL,
}


# ---------------------------------------------------------------------------------------------
# the columns


@dataclass(frozen=True)
class Column:
    """One column of the file. The headers are part of the file format and both are accepted
    whatever the interface language; `header()` picks the one of the current language."""

    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    hint: Any = ""
    width: int = 14

    def header(self) -> str:
        return self.zh if is_chinese() else self.en


COLUMNS: tuple[Column, ...] = (
    Column(
        "survey_year",
        "调研年份",
        "Survey year",
        aliases=("年份", "Year"),
        hint=gettext_lazy("Required. The year of the survey, four digits."),
        width=12,
    ),
    Column(
        "position",
        "岗位编码",
        "Position code",
        aliases=("岗位代码", "Position"),
        hint=gettext_lazy("The position's code (see the Codes sheet). Fill in this or the grade code, not both."),
        width=16,
    ),
    Column(
        "grade",
        "职级编码",
        "Grade code",
        aliases=("职级代码", "Grade"),
        hint=gettext_lazy("The grade's code (see the Codes sheet). Fill in this or the position code, not both."),
        width=12,
    ),
    Column(
        "basis",
        "口径",
        "Basis",
        aliases=("薪酬口径", "周期"),
        hint=gettext_lazy("Required. 月度 (monthly) or 年度 (annual): whether the figures are per month or per year."),
        width=10,
    ),
    Column("p25", "P25", "P25", aliases=("25分位",), hint=gettext_lazy("Required. In yuan, greater than 0.")),
    Column(
        "p50",
        "P50",
        "P50",
        aliases=("50分位", "中位值"),
        hint=gettext_lazy("Required. In yuan, at least P25."),
    ),
    Column("p75", "P75", "P75", aliases=("75分位",), hint=gettext_lazy("Required. In yuan, at least P50.")),
    Column(
        "source",
        "数据来源",
        "Source",
        aliases=("来源", "调研机构"),
        hint=gettext_lazy("Required. The survey, for example its publisher and edition."),
        width=24,
    ),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
HEADER_INDEX: dict[str, Column] = {header_key(name): c for c in COLUMNS for name in (c.zh, c.en, *c.aliases)}
REQUIRED = ("survey_year", "basis", "p25", "p50", "p75", "source")


# ---------------------------------------------------------------------------------------------
# cell parsers: a raw cell in, a Python value out, or a translated ValidationError


def parse_year(raw: Any, *, today: date) -> int:
    text = cell_text(raw)
    if text.isdigit() and len(text) == 4:
        year = int(text)
        if FIRST_YEAR <= year <= today.year + 1:
            return year
        raise ValidationError(
            _("The survey year %(value)s is outside %(first)s–%(last)s.")
            % {"value": year, "first": FIRST_YEAR, "last": today.year + 1}
        )
    raise ValidationError(_("“%(value)s” is not a year; enter four digits, for example 2026.") % {"value": text})


def parse_basis(raw: Any) -> str:
    text = cell_text(raw)
    basis = BASIS_WORDS.get(header_key(text))
    if basis is None:
        raise ValidationError(_("“%(value)s” is not a basis; enter 月度 (monthly) or 年度 (annual).") % {"value": text})
    return basis


def parse_amount(raw: Any) -> Decimal:
    """A positive amount in yuan with at most two decimals (Excel's binary noise is ignored)."""
    not_a_number = _("“%(value)s” is not a number.") % {"value": cell_text(raw)}
    if isinstance(raw, bool | date | datetime):
        raise ValidationError(not_a_number)
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = "".join(str(raw).split()).replace(",", "").replace("，", "").lstrip("¥￥")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(not_a_number) from None
    if not value.is_finite():
        raise ValidationError(not_a_number)
    rounded = value.quantize(CENT)
    if abs(rounded - value) >= Decimal("1e-9"):
        raise ValidationError(_("At most two decimals (fen) are allowed; this cell has more."))
    if rounded <= 0:
        raise ValidationError(_("The amount must be greater than 0."))
    if rounded > MAX_AMOUNT:
        raise ValidationError(_("The amount is too large."))
    return rounded


def parse_source(raw: Any) -> str:
    text = " ".join(cell_text(raw).split())
    if len(text) > SOURCE_MAX:
        raise ValidationError(
            _("At most %(max)s characters are allowed; this cell has %(count)s.")
            % {"max": SOURCE_MAX, "count": len(text)}
        )
    return text


# ---------------------------------------------------------------------------------------------
# the plan


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    row: int
    survey_year: int
    source: str
    basis: str
    p25: Decimal
    p50: Decimal
    p75: Decimal
    position_id: int | None
    grade_id: int | None
    code: str
    name: str
    existing_id: int | None = None  # the stored line this row replaces
    unchanged: bool = False

    @property
    def key(self) -> tuple[int, str, int | None, int | None]:
        return (self.survey_year, self.source, self.position_id, self.grade_id)

    @property
    def basis_label(self) -> str:
        return str(BenchmarkBasis(self.basis).label)


@dataclass
class ImportPlan:
    filename: str = ""
    sha256: str = ""
    file_error: str = ""
    row_count: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    @property
    def new(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is None)

    @property
    def replaced(self) -> int:
        return sum(1 for r in self.rows if r.existing_id is not None and not r.unchanged)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.unchanged)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def preview_rows(self) -> list[PlannedRow]:
        return self.rows[:PREVIEW_ROWS]

    def add_error(self, row: int, field_name: str, message) -> None:
        column = COLUMN_BY_FIELD[field_name].header() if field_name in COLUMN_BY_FIELD else field_name
        self.errors.append(RowError(row, column, str(message)))


def parse_and_validate(fileobj, *, today: date, filename: str | None = None) -> ImportPlan:
    """Read and check an uploaded workbook. Writes nothing."""
    plan = ImportPlan()
    upload = as_file(fileobj, filename, "market.xlsx")
    try:
        checked = check_upload(upload, allowed=ALLOWED)
    except ValidationError as exc:
        plan.file_error = " ".join(exc.messages)
        return plan
    plan.filename = filename or checked.original_name
    plan.sha256 = checked.sha256
    try:
        sheet = read_first_sheet(
            upload,
            max_rows=MAX_ROWS,
            columns=len(COLUMNS),
            empty_message=_("The first sheet is empty; put the header row in row 1 and one survey line per row."),
            too_many_message=_("The file has more than %(max)s survey lines; split it into several files."),
        )
        header_cells, raw_rows = sheet.header, sheet.rows
        positions = _match_headers(plan, header_cells)
    except SheetProblem as exc:
        plan.file_error = str(exc)
        return plan
    plan.row_count = len(raw_rows)
    if not raw_rows:
        plan.file_error = _("The sheet has a header row but no survey lines below it.")
        return plan
    _validate(plan, positions, raw_rows, today=today)
    return plan


def _match_headers(plan: ImportPlan, header_cells: tuple) -> dict[str, int]:
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    for i, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        column = HEADER_INDEX.get(header_key(cell))
        if column is None:
            plan.ignored_headers.append(cell_text(cell))
        elif column.field in positions:
            duplicated.append(cell_text(cell))
        else:
            positions[column.field] = i
    if duplicated:
        raise SheetProblem(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": join_names(duplicated)}
        )
    missing = [COLUMN_BY_FIELD[f].header() for f in REQUIRED if f not in positions]
    if "position" not in positions and "grade" not in positions:
        missing.append(
            _("%(position)s or %(grade)s")
            % {"position": COLUMN_BY_FIELD["position"].header(), "grade": COLUMN_BY_FIELD["grade"].header()}
        )
    if missing:
        raise SheetProblem(
            _("These columns are missing: %(columns)s. Download the template to see the expected headers.")
            % {"columns": join_names(missing)}
        )
    return positions


def _validate(plan: ImportPlan, positions: dict[str, int], raw_rows: list[tuple[int, tuple]], *, today: date) -> None:
    """Parse every cell and check every row; all problems are collected. Three queries."""
    position_codes: dict[str, tuple[int, str, str]] = {
        c.casefold(): (pk, c, title) for pk, c, title in Position.objects.values_list("pk", "code", "title")
    }
    grade_codes: dict[str, tuple[int, str, str]] = {
        c.casefold(): (pk, c, name) for pk, c, name in Grade.objects.values_list("pk", "code", "name")
    }

    def cell(cells: tuple, name: str):
        i = positions.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    parsed: list[PlannedRow] = []
    first_row: dict[tuple, int] = {}
    for row_number, cells in raw_rows:
        values: dict[str, Any] = {}
        ok = True
        for name, parse in (
            ("survey_year", lambda raw: parse_year(raw, today=today)),
            ("basis", parse_basis),
            ("p25", parse_amount),
            ("p50", parse_amount),
            ("p75", parse_amount),
            ("source", parse_source),
        ):
            raw = cell(cells, name)
            if is_blank(raw):
                plan.add_error(row_number, name, _("This column is required; the cell is empty."))
                ok = False
                continue
            try:
                values[name] = parse(raw)
            except ValidationError as exc:
                for message in exc.messages:
                    plan.add_error(row_number, name, message)
                ok = False

        raw_position, raw_grade = cell(cells, "position"), cell(cells, "grade")
        target: tuple[str, int, str, str] | None = None
        if not is_blank(raw_position) and not is_blank(raw_grade):
            plan.add_error(row_number, "grade", _("Fill in either the position code or the grade code, not both."))
            ok = False
        elif not is_blank(raw_position) or not is_blank(raw_grade):
            kind = "position" if not is_blank(raw_position) else "grade"
            code = cell_text(raw_position if kind == "position" else raw_grade)
            found = (position_codes if kind == "position" else grade_codes).get(code.casefold())
            if found is None:
                message = (
                    _("No position has the code %(value)s.")
                    if kind == "position"
                    else _("No grade has the code %(value)s.")
                )
                plan.add_error(row_number, kind, message % {"value": code})
                ok = False
            else:
                target = (kind, *found)
        else:
            column = "position" if "position" in positions else "grade"
            plan.add_error(row_number, column, _("Fill in the position code or the grade code."))
            ok = False

        p25, p50, p75 = values.get("p25"), values.get("p50"), values.get("p75")
        if p25 is not None and p50 is not None and p25 > p50:
            plan.add_error(
                row_number, "p25", _("P25 (%(p25)s) is above P50 (%(p50)s).") % {"p25": f"{p25:,}", "p50": f"{p50:,}"}
            )
            ok = False
        if p50 is not None and p75 is not None and p50 > p75:
            plan.add_error(
                row_number, "p50", _("P50 (%(p50)s) is above P75 (%(p75)s).") % {"p50": f"{p50:,}", "p75": f"{p75:,}"}
            )
            ok = False
        if not ok or target is None or p25 is None or p50 is None or p75 is None:
            continue
        kind, pk, code, name = target
        planned = PlannedRow(
            row=row_number,
            survey_year=values["survey_year"],
            source=values["source"],
            basis=values["basis"],
            p25=p25,
            p50=p50,
            p75=p75,
            position_id=pk if kind == "position" else None,
            grade_id=pk if kind == "grade" else None,
            code=code,
            name=name,
        )
        key = (planned.survey_year, planned.source.casefold(), planned.position_id, planned.grade_id)
        if key in first_row:
            plan.add_error(
                row_number,
                kind,
                _("The same survey line (year, source and %(what)s) is also in row %(row)s.")
                % {"what": COLUMN_BY_FIELD[kind].header(), "row": first_row[key]},
            )
            continue
        first_row[key] = row_number
        parsed.append(planned)

    _match_stored(parsed)
    plan.rows = parsed


def _stored_lines(rows: list[PlannedRow]) -> dict[tuple, MarketBenchmark]:
    """The stored lines with the same survey year, source and position or grade. One query."""
    if not rows:
        return {}
    q = Q(pk__in=[])
    for year, source in {(r.survey_year, r.source) for r in rows}:
        q |= Q(survey_year=year, source=source)
    return {(b.survey_year, b.source, b.position_id, b.grade_id): b for b in MarketBenchmark.objects.filter(q)}


def _match_stored(rows: list[PlannedRow]) -> None:
    stored = _stored_lines(rows)
    for r in rows:
        existing = stored.get(r.key)
        if existing is not None:
            r.existing_id = existing.pk
            r.unchanged = (existing.basis, existing.p25, existing.p50, existing.p75) == (r.basis, r.p25, r.p50, r.p75)


# ---------------------------------------------------------------------------------------------
# writing


@dataclass(frozen=True)
class ImportSummary:
    new: int
    replaced: int
    unchanged: int
    audit_entry_id: int


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor, request=None) -> ImportSummary:
    """Write a valid plan: every row or none. Each new or changed line is saved on its own (the
    audit log records it with its values); one more entry records the import."""
    if not plan.is_valid:
        raise ValueError("apply_plan needs a plan without errors")
    _match_stored(plan.rows)  # again: the stored lines may have changed since the check
    stored = {
        b.pk: b
        for b in MarketBenchmark.objects.select_for_update()
        .filter(pk__in=[r.existing_id for r in plan.rows if r.existing_id])
        .order_by("pk")
    }
    for r in plan.rows:
        if r.unchanged:
            continue
        line = stored.get(r.existing_id) if r.existing_id else None
        if line is None:
            line = MarketBenchmark(
                survey_year=r.survey_year, source=r.source, position_id=r.position_id, grade_id=r.grade_id
            )
        line.basis, line.p25, line.p50, line.p75 = r.basis, r.p25, r.p50, r.p75
        line.imported_by = actor
        line.full_clean(validate_unique=False, validate_constraints=False)
        line.save()
    entry = audit_record(
        event=AuditEvent.ACTION,
        request=request,
        actor=actor,
        model=MarketBenchmark,
        object_repr=plan.filename,
        details={
            "action": "market_benchmark_import",
            "file": plan.filename,
            "sha256": plan.sha256,
            "rows": len(plan.rows),
            "new": plan.new,
            "replaced": plan.replaced,
            "unchanged": plan.unchanged,
        },
    )
    return ImportSummary(plan.new, plan.replaced, plan.unchanged, entry.pk)


# ---------------------------------------------------------------------------------------------
# the template


def build_template(fileobj, *, max_rows: int = 2000) -> None:
    """Write the import template: the header row in the current language with a hint on each
    header, a drop-down for the basis and the codes, and a second sheet listing the position and
    grade codes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from hrsuite.excel import escape_cell

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Market data")[:31]
    codes = workbook.create_sheet(_("Codes")[:31])
    header_font = Font(bold=True, color="FFFFFF")
    required_fill = PatternFill("solid", fgColor="9C2A2A")
    optional_fill = PatternFill("solid", fgColor="1F4E79")
    last_row = max_rows + 1

    tables = [
        ("position", _("Position code"), _("Position"), Position.objects.order_by("code").values_list("code", "title")),
        ("grade", _("Grade code"), _("Grade"), Grade.objects.order_by("level", "code").values_list("code", "name")),
    ]
    ranges: dict[str, str] = {}
    quoted = codes.title.replace("'", "''")
    for index, (name, code_header, name_header, items) in enumerate(tables):
        col = index * 3 + 1
        for offset, title in enumerate((code_header, name_header)):
            c = codes.cell(row=1, column=col + offset, value=str(title))
            c.font = header_font
            c.fill = optional_fill
            codes.column_dimensions[get_column_letter(col + offset)].width = 20
        count = 0
        for count, (code, label) in enumerate(items, start=1):
            codes.cell(row=count + 1, column=col, value=escape_cell(code)).number_format = "@"
            codes.cell(row=count + 1, column=col + 1, value=escape_cell(label))
        if count:
            letter = get_column_letter(col)
            ranges[name] = f"'{quoted}'!${letter}$2:${letter}${count + 1}"
    codes.freeze_panes = "A2"

    basis_words = ("月度", "年度") if is_chinese() else ("Monthly", "Annual")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        c = sheet.cell(row=1, column=index, value=column.header())
        c.font = header_font
        c.fill = required_fill if column.field in REQUIRED else optional_fill
        c.comment = Comment(str(column.hint), "hrsuite")
        sheet.column_dimensions[letter].width = column.width
        if column.field in ("position", "grade"):
            sheet.column_dimensions[letter].number_format = "@"
        formula = None
        if column.field == "basis":
            formula = '"' + ",".join(basis_words) + '"'
        elif column.field in ranges:
            formula = ranges[column.field]
        if formula:
            rule = DataValidation(type="list", formula1=formula, allow_blank=True)
            rule.error = _("Choose a value from the list.")
            rule.errorTitle = column.header()
            rule.showErrorMessage = True
            rule.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(rule)
        elif column.field in ("p25", "p50", "p75"):
            rule = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
            rule.error = str(column.hint)[:255]
            rule.errorTitle = column.header()
            rule.showErrorMessage = True
            rule.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    workbook.save(fileobj)

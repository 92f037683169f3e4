"""Excel import of period inputs (one month's performance coefficients, overtime hours, sales...).

The file has one row per employee: 工号 (employee number, required), 姓名 (name, optional: when
present it must match the number) and one column per active input definition, headed by the
input's name (or its code). Like the employee import it is two steps:

* `parse_and_validate()` reads the first sheet, parses every cell with the same rules as the
  inline editor (`parse_value` and the service's `validate_input_value`), checks employee
  numbers and finalised months against dictionaries loaded once (no query per row), and returns
  an `ImportPlan` holding every problem as (row, column, reason);
* `apply_plan()` writes a valid plan in one transaction with one bulk upsert and records one
  audit entry for the import.

A blank cell leaves the stored value unchanged; a value equal to the stored one is not written.
Nothing is written unless every row is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

from .choices import InputKind
from .models import InputDefinition, PeriodInput
from .selectors_people import active_definitions, stored_values
from .services.assignments import (
    RATE_SUSPECT_ABOVE,
    VALUE_DECIMALS,
    locked_employee_ids,
    locked_message,
    validate_input_value,
)

MAX_ROWS = 20_000
BATCH_SIZE = 2000
PREVIEW_ROWS = 20
ALLOWED = frozenset({"xlsx"})
SOURCE = "import"

# the two fixed columns; both headers are accepted whatever the interface language
NUMBER_HEADERS = ("工号", "Employee no.", "Employee number", "员工编号")
NAME_HEADERS = ("姓名", "Name")


def number_header() -> str:
    return NUMBER_HEADERS[0] if is_chinese() else NUMBER_HEADERS[1]


def name_header() -> str:
    return NAME_HEADERS[0] if is_chinese() else NAME_HEADERS[1]


# ---------------------------------------------------------------------------------------------
# values


def plain(value: Decimal | None) -> str:
    """A stored value as a person types it: 1.2000 -> "1.2", 48.0000 -> "48"."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def parse_value(raw: Any, definition: InputDefinition) -> Decimal:
    """A cell or form value as a Decimal for `definition`, or a translated ValidationError.
    A rate may be typed with a percent sign ("80%" is 0.8)."""
    not_a_number = _("“%(value)s” is not a number.") % {"value": cell_text(raw)}
    if isinstance(raw, bool | date | datetime):
        raise ValidationError(not_a_number)
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
        rounded = value.quantize(Decimal(1).scaleb(-VALUE_DECIMALS)) if value.is_finite() else value
        if value.is_finite() and abs(rounded - value) < Decimal("1e-9"):
            value = rounded  # binary noise of Excel's arithmetic, e.g. 0.30000000000000004
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = "".join(str(raw).split()).replace(",", "")
        percent = text.endswith(("%", "％"))
        if percent:
            if definition.kind != InputKind.RATE:
                raise ValidationError(not_a_number)
            text = text[:-1]
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(not_a_number) from None
        if not value.is_finite():
            raise ValidationError(not_a_number)
        if percent:
            value = value / 100
    if not value.is_finite():
        raise ValidationError(not_a_number)
    validate_input_value(definition=definition, value=value)
    return value


# ---------------------------------------------------------------------------------------------
# headers


def header_of(definition: InputDefinition, ambiguous: set[str]) -> str:
    """The template's header for a definition: its name, or "name (code)" when two active
    definitions share the name."""
    return f"{definition.name}（{definition.code}）" if header_key(definition.name) in ambiguous else definition.name


def _header_index(definitions: list[InputDefinition]) -> tuple[dict[str, InputDefinition], set[str]]:
    names: dict[str, int] = {}
    for d in definitions:
        names[header_key(d.name)] = names.get(header_key(d.name), 0) + 1
    ambiguous = {k for k, n in names.items() if n > 1}
    index: dict[str, InputDefinition] = {}
    for d in definitions:
        for header in (d.code, f"{d.name}({d.code})", f"{d.name}（{d.code}）"):
            index[header_key(header)] = d
        if header_key(d.name) not in ambiguous:
            index.setdefault(header_key(d.name), d)
    return index, ambiguous


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
    employee_id: int
    employee_no: str
    name: str
    values: dict[int, Decimal]  # definition id -> value to store
    preview: list[str] | None = None  # the cells as shown, for the first rows


@dataclass
class ImportPlan:
    period: date
    filename: str = ""
    sha256: str = ""
    file_error: str = ""
    sheet_title: str = ""
    definitions: list[InputDefinition] = field(default_factory=list)  # the matched columns, in file order
    ignored_headers: list[str] = field(default_factory=list)
    row_count: int = 0
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_values: int = 0
    changed_values: int = 0
    unchanged_values: int = 0
    blank_cells: int = 0
    # (employee id, definition id) -> value, only for new or changed values
    writes: dict[tuple[int, int], Decimal] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def month_mismatch(self) -> bool:
        """The sheet is titled with another month than the one chosen (a template of last month)."""
        match = re.fullmatch(r"\D*(\d{4})-(\d{2})\D*", self.sheet_title or "")
        if match is None:
            return False
        return (int(match[1]), int(match[2])) != (self.period.year, self.period.month)

    def preview_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.preview is not None]

    def add_error(self, row: int, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))


def parse_and_validate(fileobj, *, period: date, employees, filename: str | None = None) -> ImportPlan:
    """Read and check an uploaded workbook for `period`. Writes nothing. `employees` is the
    queryset of employees the user may see (employees_visible_to): any other number is unknown."""
    period = period.replace(day=1)
    plan = ImportPlan(period=period)
    upload = as_file(fileobj, filename, "inputs.xlsx")
    try:
        checked = check_upload(upload, allowed=ALLOWED)
    except ValidationError as exc:
        plan.file_error = " ".join(exc.messages)
        return plan
    plan.filename = filename or checked.original_name
    plan.sha256 = checked.sha256
    definitions = active_definitions()
    try:
        sheet = read_first_sheet(
            upload,
            max_rows=MAX_ROWS,
            columns=2 + len(definitions),  # number, name and one column per input
            empty_message=_("The first sheet is empty; put the header row in row 1 and one employee per row."),
            too_many_message=_("The file has more than %(max)s employee rows; split it into several files."),
        )
        header_cells, raw_rows = sheet.header, sheet.rows
        plan.sheet_title = sheet.title
        positions = _match_headers(plan, header_cells, definitions)
    except SheetProblem as exc:
        plan.file_error = str(exc)
        return plan
    plan.row_count = len(raw_rows)
    if not raw_rows:
        plan.file_error = _("The sheet has a header row but no employee rows below it.")
        return plan
    _validate(plan, positions, raw_rows, employees)
    return plan


@dataclass
class _Positions:
    number: int
    name: int | None
    inputs: list[tuple[int, InputDefinition, str]]  # (cell index, definition, header as in the file)


def _match_headers(plan: ImportPlan, header_cells: tuple, definitions: list[InputDefinition]) -> _Positions:
    index, _ambiguous = _header_index(definitions)
    number_keys = {header_key(h) for h in NUMBER_HEADERS}
    name_keys = {header_key(h) for h in NAME_HEADERS}
    number = name = None
    inputs: list[tuple[int, InputDefinition, str]] = []
    seen: set[int] = set()
    duplicated: list[str] = []
    for i, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        key, text = header_key(cell), cell_text(cell)
        if key in number_keys:
            if number is not None:
                duplicated.append(text)
            number = i
        elif key in name_keys:
            if name is not None:
                duplicated.append(text)
            name = i
        elif key in index:
            definition = index[key]
            if definition.pk in seen:
                duplicated.append(text)
                continue
            seen.add(definition.pk)
            inputs.append((i, definition, text))
        else:
            plan.ignored_headers.append(text)
    if duplicated:
        raise SheetProblem(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": join_names(duplicated)}
        )
    if number is None:
        raise SheetProblem(
            _("The column %(column)s (employee number) is missing. Download the template to see the expected headers.")
            % {"column": number_header()}
        )
    if not inputs:
        raise SheetProblem(
            _(
                "No column is headed with the name of an active period input. Download the template to see the expected headers."
            )
        )
    plan.definitions = [d for _i, d, _t in inputs]
    return _Positions(number, name, inputs)


def _validate(plan: ImportPlan, pos: _Positions, raw_rows: list[tuple[int, tuple]], employees) -> None:
    """Parse every cell and check every row; all problems are collected. Four queries in all."""

    def cell(cells: tuple, i: int | None):
        return cells[i] if i is not None and i < len(cells) else None

    numbers = {cell_text(cell(c, pos.number)) for _n, c in raw_rows if not is_blank(cell(c, pos.number))}
    known = {
        no: (pk, name)
        for pk, no, name in employees.filter(employee_no__in=numbers).values_list("pk", "employee_no", "name")
    }
    ids = [pk for pk, _name in known.values()]
    locked = locked_employee_ids(plan.period, ids) if ids else set()
    stored = stored_values(plan.period, ids, [d.pk for d in plan.definitions]) if ids else {}

    number_col, name_col = number_header(), name_header()
    first_row: dict[str, int] = {}
    for index, (row_number, cells) in enumerate(raw_rows):
        raw_no = cell(cells, pos.number)
        employee = None
        if is_blank(raw_no):
            plan.add_error(row_number, number_col, _("This column is required; the cell is empty."))
        else:
            number = cell_text(raw_no)
            if number in first_row:
                plan.add_error(
                    row_number,
                    number_col,
                    _("The employee number %(value)s is also in row %(row)s.")
                    % {"value": number, "row": first_row[number]},
                )
            else:
                first_row[number] = row_number
            employee = known.get(number)
            if employee is None:
                plan.add_error(row_number, number_col, _("No employee has the number %(value)s.") % {"value": number})
        raw_name = cell(cells, pos.name)
        if employee is not None and not is_blank(raw_name) and header_key(raw_name) != header_key(employee[1]):
            plan.add_error(
                row_number,
                name_col,
                _("The name “%(value)s” does not match employee %(number)s, who is %(name)s.")
                % {"value": cell_text(raw_name), "number": cell_text(raw_no), "name": employee[1]},
            )
        values: dict[int, Decimal] = {}
        preview: list[str] | None = [] if index < PREVIEW_ROWS else None
        for i, definition, header in pos.inputs:
            raw = cell(cells, i)
            if is_blank(raw):
                plan.blank_cells += 1
                if preview is not None:
                    preview.append("")
                continue
            if preview is not None:
                preview.append(cell_text(raw))
            try:
                values[definition.pk] = parse_value(raw, definition)
            except ValidationError as exc:
                for message in exc.messages:
                    plan.add_error(row_number, header, message)
        if employee is None:
            continue
        employee_id = employee[0]
        if employee_id in locked:
            # a finalised month: only values equal to the stored ones pass (a re-uploaded template)
            if any(stored.get((employee_id, d)) != v for d, v in values.items()):
                plan.add_error(row_number, number_col, locked_message(plan.period))
            values = {}
        for definition_id, value in values.items():
            old = stored.get((employee_id, definition_id))
            if old is None:
                plan.new_values += 1
            elif old == value:
                plan.unchanged_values += 1
                continue
            else:
                plan.changed_values += 1
            plan.writes[(employee_id, definition_id)] = value
        plan.rows.append(PlannedRow(row_number, employee_id, cell_text(raw_no), employee[1], values, preview))


# ---------------------------------------------------------------------------------------------
# writing


@dataclass(frozen=True)
class ImportSummary:
    new: int
    changed: int
    unchanged: int
    audit_entry_id: int


class ImportConflict(ValidationError):
    """The data changed between checking and writing (a month was finalised meanwhile)."""


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor, request=None) -> ImportSummary:
    """Write a valid plan: every value or none, in one bulk upsert; one audit entry."""
    if not plan.is_valid:
        raise ValueError("apply_plan needs a plan without errors")
    employee_ids = {r.employee_id for r in plan.rows}
    if locked_employee_ids(plan.period, employee_ids):
        raise ImportConflict(_("Meanwhile a pay run of this month was finalised for some of these employees."))
    rows = [
        PeriodInput(
            employee_id=employee_id,
            period=plan.period,
            definition_id=definition_id,
            value=value,
            source=SOURCE,
            updated_by=actor,
        )
        for (employee_id, definition_id), value in plan.writes.items()
    ]
    PeriodInput.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["employee", "period", "definition"],
        update_fields=["value", "source", "updated_by", "updated_at"],
    )
    entry = audit_record(
        event=AuditEvent.ACTION,
        request=request,
        actor=actor,
        model=PeriodInput,
        object_repr=plan.filename,
        details={
            "action": "period_input_import",
            "period": plan.period.strftime("%Y-%m"),
            "file": plan.filename,
            "sha256": plan.sha256,
            "rows": len(plan.rows),
            "inputs": [d.code for d in plan.definitions],
            "new": plan.new_values,
            "changed": plan.changed_values,
            "unchanged": plan.unchanged_values,
        },
    )
    return ImportSummary(plan.new_values, plan.changed_values, plan.unchanged_values, entry.pk)


# ---------------------------------------------------------------------------------------------
# the template

KIND_HINTS: dict[str, Any] = {
    InputKind.AMOUNT: gettext_lazy("An amount in yuan."),
    InputKind.NUMBER: gettext_lazy("A number."),
    InputKind.RATE: gettext_lazy("A fraction: 0.8 means 80%. Not negative, at most 10."),
    InputKind.HOURS: gettext_lazy("Hours, not negative."),
    InputKind.DAYS: gettext_lazy("Days, not negative."),
}


def build_template(fileobj, *, period: date, employees: Iterable[tuple[int, str, str]], stored: dict) -> None:
    """Write the import template for a month: 工号, 姓名 and one column per active input, one row
    per employee with the values stored so far (blank: the default applies), a hint and a
    data-validation rule on each input column, and a second sheet describing the inputs."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from hrsuite.excel import escape_cell

    definitions = active_definitions()
    _index, ambiguous = _header_index(definitions)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = period.strftime("%Y-%m")
    header_font = Font(bold=True, color="FFFFFF")
    required_fill = PatternFill("solid", fgColor="9C2A2A")
    optional_fill = PatternFill("solid", fgColor="1F4E79")
    headers = [number_header(), name_header(), *[header_of(d, ambiguous) for d in definitions]]
    for col, header in enumerate(headers, start=1):
        c = sheet.cell(row=1, column=col, value=header)
        c.font = header_font
        c.fill = required_fill if col == 1 else optional_fill
        sheet.column_dimensions[get_column_letter(col)].width = 14 if col <= 2 else max(12, len(header) * 2 + 2)
    sheet.cell(row=1, column=1).comment = Comment(str(_("Required. The employee number.")), "hrsuite")
    sheet.cell(row=1, column=2).comment = Comment(
        str(_("Optional. When filled in, it must match the employee number.")), "hrsuite"
    )
    sheet.column_dimensions["A"].number_format = "@"
    count = 0
    for count, (pk, number, name) in enumerate(employees, start=1):
        sheet.cell(row=count + 1, column=1, value=escape_cell(number)).number_format = "@"
        sheet.cell(row=count + 1, column=2, value=escape_cell(name))
        for col, d in enumerate(definitions, start=3):
            value = stored.get((pk, d.pk))
            if value is not None:
                number_value = int(value) if value == value.to_integral() else float(value)
                sheet.cell(row=count + 1, column=col, value=number_value)
    last_row = max(count + 1, 2) + 2000
    blank = str(_("Blank: the stored value stays; without one, the default %(default)s applies."))
    for col, d in enumerate(definitions, start=3):
        letter = get_column_letter(col)
        hint = f"{KIND_HINTS.get(d.kind, '')} {blank % {'default': plain(d.default)}}"
        if d.description:
            hint = f"{d.description}\n{hint}"
        sheet.cell(row=1, column=col).comment = Comment(hint, "hrsuite")
        if d.kind in (InputKind.HOURS, InputKind.DAYS):
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        elif d.kind == InputKind.RATE:
            rule = DataValidation(
                type="decimal", operator="between", formula1="0", formula2=str(RATE_SUSPECT_ABOVE), allow_blank=True
            )
        else:
            rule = DataValidation(
                type="decimal", allow_blank=True, operator="between", formula1="-999999999999", formula2="999999999999"
            )
        rule.promptTitle = d.name[:32]
        rule.prompt = str(KIND_HINTS.get(d.kind, ""))[:255]
        rule.showInputMessage = True
        rule.errorTitle = d.name[:32]
        rule.error = str(KIND_HINTS.get(d.kind, ""))[:255]
        rule.showErrorMessage = True
        rule.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "C2"

    about = workbook.create_sheet(str(_("Inputs"))[:31])
    about_headers = [_("Column"), _("Code"), _("Kind"), _("Default"), _("Description")]
    for col, header in enumerate(about_headers, start=1):
        c = about.cell(row=1, column=col, value=str(header))
        c.font = header_font
        c.fill = optional_fill
        about.column_dimensions[get_column_letter(col)].width = 24 if col in (1, 5) else 14
    for r, d in enumerate(definitions, start=2):
        about.cell(row=r, column=1, value=escape_cell(header_of(d, ambiguous)))
        about.cell(row=r, column=2, value=escape_cell(d.code))
        about.cell(row=r, column=3, value=str(d.get_kind_display()))
        about.cell(row=r, column=4, value=escape_cell(plain(d.default)))
        about.cell(row=r, column=5, value=escape_cell(d.description))
    workbook.save(fileobj)

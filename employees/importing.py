"""Excel import of employee records.

One column specification (`COLUMNS`) drives everything: which headers are recognised (Chinese or
English, in any order), which columns are required, how each cell is parsed, and the import
template. The import is two steps, so a person sees what will happen before anything is written:

* `parse_and_validate()` reads the first sheet, parses every cell with the shared validators of
  `employees.validators`, checks references and duplicates against dictionaries loaded once (no
  query per row), and returns an `ImportPlan` holding every problem as (row, column, reason);
* `apply_plan()` writes a valid plan in one transaction with bulk operations and audits it.

Rules a person can rely on:

* a row whose employee number exists updates that employee, any other row creates one;
* a blank cell leaves an existing employee's value unchanged (a new employee gets the default),
  and a column missing from the file is not touched at all;
* for a new employee, a blank birth date or gender is taken from the national ID number;
* nothing is written unless every row is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.crypto import audit_mask, blind_index
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

from . import validators
from .choices import EducationLevel, EmployeeStatus, EmploymentType, Gender
from .models import Department, Employee, Grade, Location, Position

MAX_ROWS = 20_000  # a larger file is refused with a message asking to split it
BATCH_SIZE = 1000
PREVIEW_ROWS = 20
ALLOWED = frozenset({"xlsx"})

Parser = Callable[[Any, "Lookups"], Any]


# ---------------------------------------------------------------------------------------------
# cell parsers: raw cell value in, Python value out, or a translated ValidationError


def _max_length(name: str) -> int:
    return Employee._meta.get_field(name).max_length or 255


def text(name: str) -> Parser:
    limit = _max_length(name)

    def parse(value: Any, lookups: Lookups) -> str:
        v = cell_text(value)
        if len(v) > limit:
            raise ValidationError(
                _("At most %(max)s characters are allowed; this cell has %(count)s.") % {"max": limit, "count": len(v)}
            )
        return v

    return parse


_DATE_TEXT = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_date(value: Any, lookups: Lookups) -> date:
    """An Excel date, or text YYYY-MM-DD (also YYYY/MM/DD)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE_TEXT.match(value.strip()) if isinstance(value, str) else None
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationError(
        _("“%(value)s” is not a date; enter it as YYYY-MM-DD, for example 2024-03-01.") % {"value": cell_text(value)}
    )


def parse_year(value: Any, lookups: Lookups) -> int:
    v = cell_text(value)
    if re.fullmatch(r"\d{4}", v) and 1900 <= int(v) <= 2100:
        return int(v)
    raise ValidationError(_("“%(value)s” is not a year; enter four digits, for example 2015.") % {"value": v})


def _long_digits(value: Any) -> str:
    """Text of a cell that holds a long digit string. Excel keeps only 15 significant digits of
    a number, so an ID or account number typed into a cell formatted as a number is damaged."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise ValidationError(
            _(
                "Excel stored this as a number and lost its last digits. Format the column as text and type the value again."
            )
        )
    return cell_text(value)


def parse_national_id(value: Any, lookups: Lookups) -> str:
    return validators.validate_national_id(_long_digits(value))


def parse_mobile(value: Any, lookups: Lookups) -> str:
    return validators.validate_mobile(cell_text(value))


def parse_bank_account(value: Any, lookups: Lookups) -> str:
    return validators.validate_bank_account(_long_digits(value))


def parse_email(value: Any, lookups: Lookups) -> str:
    v = cell_text(value)
    if len(v) > _max_length("email"):
        raise ValidationError(_("The e-mail address is too long."))
    validate_email(v)
    return v


def choice(choices: type[models.TextChoices]) -> Parser:
    """A choice column accepts the code, the Chinese label or the English label."""

    def parse(value: Any, lookups: Lookups) -> str:
        v = cell_text(value)
        code = lookups.choices[choices].get(_choice_key(v))
        if code is None:
            labels = join_names(str(label) for label in choices.labels)
            raise ValidationError(
                _("“%(value)s” is not one of the choices: %(choices)s.") % {"value": v, "choices": labels}
            )
        return code

    return parse


def reference(table: str, message) -> Parser:
    """A code (or, for work locations, a name) that must exist; the value is the row's id."""

    def parse(value: Any, lookups: Lookups) -> int:
        v = cell_text(value)
        found = lookups.find(table, v)
        if found is None:
            raise ValidationError(message % {"value": v})
        return found

    return parse


def _choice_key(value: str) -> str:
    return "".join(value.split()).replace("’", "'").casefold()


# ---------------------------------------------------------------------------------------------
# the column specification


@dataclass(frozen=True)
class Column:
    """One column of the import file. The headers are part of the file format and both are
    accepted whatever the interface language, so they are literal data here rather than
    translated strings; `header()` picks the one matching the current language."""

    field: str
    zh: str
    en: str
    parse: Parser
    required: bool = False
    choices: type[models.TextChoices] | None = None
    aliases: tuple[str, ...] = ()
    hint: Any = ""  # lazy translated text shown as a comment on the template's header cell
    width: int = 14
    text_format: bool = False  # the template formats the column as text (long digit strings)

    def header(self, language: str | None = None) -> str:
        return self.zh if is_chinese(language) else self.en


REFERENCE_FIELDS = ("department", "position", "grade", "location")
DATE_HINT = gettext_lazy("A date, or text as YYYY-MM-DD.")
CHOICE_HINT = gettext_lazy("Choose from the list; the code or the label in Chinese or English is accepted.")

COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_no",
        "工号",
        "Employee no.",
        text("employee_no"),
        required=True,
        aliases=("Employee number",),
        hint=gettext_lazy("Required. An existing number updates that employee; a new number creates one."),
        text_format=True,
    ),
    Column("name", "姓名", "Name", text("name"), required=True, hint=gettext_lazy("Required.")),
    Column("gender", "性别", "Gender", choice(Gender), choices=Gender, width=8, hint=CHOICE_HINT),
    Column("birth_date", "出生日期", "Birth date", parse_date, hint=DATE_HINT, width=12),
    Column(
        "national_id",
        "身份证号",
        "National ID number",
        parse_national_id,
        aliases=("身份证号码",),
        width=22,
        text_format=True,
    ),
    Column("phone", "手机号码", "Mobile phone", parse_mobile, aliases=("手机号",), text_format=True),
    Column("email", "电子邮箱", "E-mail", parse_email, aliases=("邮箱", "Email"), width=24),
    Column("address", "家庭住址", "Home address", text("address"), width=30),
    Column(
        "department",
        "部门编码",
        "Department code",
        reference("department", gettext_lazy("No department has the code “%(value)s”.")),
        required=True,
        hint=gettext_lazy("Required. A code from the second sheet."),
    ),
    Column(
        "position",
        "岗位编码",
        "Position code",
        reference("position", gettext_lazy("No position has the code “%(value)s”.")),
        hint=gettext_lazy("A code from the second sheet."),
    ),
    Column(
        "grade",
        "职级编码",
        "Grade code",
        reference("grade", gettext_lazy("No grade has the code “%(value)s”.")),
        hint=gettext_lazy("A code from the second sheet."),
    ),
    Column(
        "location",
        "工作地点",
        "Work location",
        reference("location", gettext_lazy("No work location is called “%(value)s”.")),
        hint=gettext_lazy("A name from the second sheet."),
    ),
    Column(
        "manager",
        "直属上级工号",
        "Manager's employee no.",
        text("employee_no"),
        aliases=("Manager employee no.",),
        hint=gettext_lazy("The employee number of the direct manager; it may be someone in this file."),
        width=16,
        text_format=True,
    ),
    Column("hire_date", "入职日期", "Hire date", parse_date, required=True, hint=DATE_HINT, width=12),
    Column(
        "employment_type",
        "用工类型",
        "Employment type",
        choice(EmploymentType),
        choices=EmploymentType,
        hint=CHOICE_HINT,
    ),
    Column(
        "status",
        "状态",
        "Status",
        choice(EmployeeStatus),
        choices=EmployeeStatus,
        aliases=("员工状态",),
        width=10,
        hint=CHOICE_HINT,
    ),
    Column("education_level", "学历", "Education", choice(EducationLevel), choices=EducationLevel, hint=CHOICE_HINT),
    Column("school", "毕业院校", "School", text("school"), width=20),
    Column("major", "专业", "Major", text("major"), width=16),
    Column("graduation_year", "毕业年份", "Graduation year", parse_year, width=10),
    Column("bank_name", "开户银行", "Bank", text("bank_name"), aliases=("Bank name",), width=20),
    Column("bank_account", "银行账号", "Bank account", parse_bank_account, width=24, text_format=True),
    Column("bank_account_holder", "户名", "Account holder", text("bank_account_holder"), aliases=("账户名",)),
    Column(
        "emergency_contact_name",
        "紧急联系人",
        "Emergency contact",
        text("emergency_contact_name"),
        aliases=("Emergency contact name",),
    ),
    Column(
        "emergency_contact_relation",
        "紧急联系人关系",
        "Relationship",
        text("emergency_contact_relation"),
        aliases=("关系", "与本人关系"),
    ),
    Column(
        "emergency_contact_phone",
        "紧急联系人电话",
        "Emergency contact phone",
        parse_mobile,
        width=16,
        text_format=True,
    ),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
REQUIRED = tuple(c for c in COLUMNS if c.required)
# fields an import can change (for the audit diff), beyond the columns themselves
DERIVED_FIELDS = ("leave_date", "bank_account_changed_at")
SECRET_FIELDS = frozenset(Employee.SECRET_FIELDS)


HEADER_INDEX: dict[str, Column] = {
    header_key(name): column for column in COLUMNS for name in (column.zh, column.en, *column.aliases)
}


# ---------------------------------------------------------------------------------------------
# lookups, loaded once per import


@dataclass
class Lookups:
    departments: dict[str, int] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    grades: dict[str, int] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)
    choices: dict[type[models.TextChoices], dict[str, str]] = field(default_factory=dict)
    _folded: dict[str, dict[str, int | None]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Lookups:
        lookups = cls(
            departments=dict(Department.objects.values_list("code", "id")),
            positions=dict(Position.objects.values_list("code", "id")),
            grades=dict(Grade.objects.values_list("code", "id")),
            locations=dict(Location.objects.values_list("name", "id")),
            choices={c.choices: _choice_map(c.choices) for c in COLUMNS if c.choices},
        )
        for table in REFERENCE_FIELDS:
            folded: dict[str, int | None] = {}
            for key, pk in lookups._table(table).items():
                k = key.strip().casefold()
                folded[k] = None if k in folded else pk  # None: ambiguous without the exact case
            lookups._folded[table] = folded
        return lookups

    def _table(self, table: str) -> dict[str, int]:
        return {
            "department": self.departments,
            "position": self.positions,
            "grade": self.grades,
            "location": self.locations,
        }[table]

    def find(self, table: str, value: str) -> int | None:
        exact = self._table(table).get(value)
        if exact is not None:
            return exact
        return self._folded.get(table, {}).get(value.casefold())


def _choice_map(choices: type[models.TextChoices]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for code, label in choices.choices:
                mapping.setdefault(_choice_key(str(label)), code)
    for code in choices.values:
        mapping[_choice_key(code)] = code
    return mapping


# ---------------------------------------------------------------------------------------------
# the plan


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows
    column: str  # the header in the user's language ("" for a problem with the whole row)
    message: str


@dataclass
class PlannedRow:
    row: int
    employee_no: str
    values: dict[str, Any]  # field -> parsed value; references as ids; manager as employee number
    existing_id: int | None = None
    preview: dict[str, str] | None = None

    @property
    def is_update(self) -> bool:
        return self.existing_id is not None

    @property
    def status(self) -> str:
        """The status after the import ("" when an update leaves it unchanged)."""
        return self.values.get("status") or ("" if self.is_update else EmployeeStatus.ACTIVE)

    @property
    def status_label(self) -> str:
        return str(EmployeeStatus(self.status).label) if self.status else ""


@dataclass
class ImportPlan:
    filename: str = ""
    sha256: str = ""
    file_error: str = ""
    today: date | None = None
    columns: list[Column] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    row_count: int = 0  # non-empty data rows in the file
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    employee_ids: dict[str, int] = field(default_factory=dict)  # employee number -> id, in the database

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    @property
    def creates(self) -> int:
        return sum(1 for r in self.rows if not r.is_update)

    @property
    def updates(self) -> int:
        return sum(1 for r in self.rows if r.is_update)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def preview_rows(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.preview is not None]

    def add_error(self, row: int, column: Column | None, message) -> None:
        self.errors.append(RowError(row, column.header() if column else "", str(message)))


def parse_and_validate(fileobj, *, today: date, filename: str | None = None) -> ImportPlan:
    """Read and check an uploaded workbook. Writes nothing. `fileobj` is an uploaded file, a
    stored file or any binary file object; `filename` overrides its name (for a stored copy)."""
    upload = as_file(fileobj, filename, "import.xlsx")
    plan = ImportPlan(today=today)
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
            empty_message=_("The first sheet is empty; put the header row in row 1 and one employee per row."),
            too_many_message=_("The file has more than %(max)s employee rows; split it into several files."),
        )
        header_cells, rows = sheet.header, sheet.rows
        positions = _match_headers(plan, header_cells)
    except SheetProblem as exc:
        plan.file_error = str(exc)
        return plan
    plan.row_count = len(rows)
    if not rows:
        plan.file_error = _("The sheet has a header row but no employee rows below it.")
        return plan
    _Validator(plan, positions, today).run(rows)
    plan.errors.sort(key=lambda e: (e.row, _column_order(e.column)))
    return plan


def _column_order(header: str) -> int:
    column = HEADER_INDEX.get(header_key(header))
    return COLUMNS.index(column) if column else -1


def _match_headers(plan: ImportPlan, header_cells: tuple) -> list[tuple[int, Column]]:
    positions: list[tuple[int, Column]] = []
    seen: dict[str, Column] = {}
    duplicated = []
    for index, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        column = HEADER_INDEX.get(header_key(cell))
        if column is None:
            plan.ignored_headers.append(cell_text(cell))
            continue
        if column.field in seen:
            duplicated.append(column.header())
            continue
        seen[column.field] = column
        positions.append((index, column))
    if duplicated:
        raise SheetProblem(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": join_names(duplicated)}
        )
    missing = [c.header() for c in REQUIRED if c.field not in seen]
    if missing:
        raise SheetProblem(
            _("These required columns are missing: %(columns)s. Download the template to see the expected headers.")
            % {"columns": join_names(missing)}
        )
    plan.columns = [c for c in COLUMNS if c.field in seen]
    return positions


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    bad: set[str]
    preview: dict[str, str] | None


def _valid_id(value: str) -> bool:
    try:
        validators.validate_national_id(value)
    except ValidationError:
        return False
    return True


class _Validator:
    """Parses cells, then checks each row against the database dictionaries and the rest of the
    file. Every problem is collected; nothing stops at the first one."""

    def __init__(self, plan: ImportPlan, positions: list[tuple[int, Column]], today: date):
        self.plan = plan
        self.positions = positions
        self.today = today

    def error(self, row: _Row, field_name: str, message) -> None:
        row.bad.add(field_name)
        self.plan.add_error(row.number, COLUMN_BY_FIELD.get(field_name), message)

    def run(self, raw_rows: list[tuple[int, tuple]]) -> None:
        lookups = Lookups.load()
        ids_by_no: dict[str, int] = {}
        manager_of: dict[int, int | None] = {}
        id_hash_owner: dict[str, str] = {}
        for pk, number, manager_id, id_hash in Employee.objects.values_list(
            "id", "employee_no", "manager_id", "national_id_hash"
        ):
            ids_by_no[number] = pk
            manager_of[pk] = manager_id
            if id_hash:
                id_hash_owner[id_hash] = number
        self.plan.employee_ids = ids_by_no

        rows = [self.parse_cells(number, cells, lookups, index) for index, (number, cells) in enumerate(raw_rows)]
        existing = self.load_existing(rows, ids_by_no)

        first_row_of_no: dict[str, int] = {}
        first_row_of_id: dict[str, int] = {}
        for row in rows:
            no = row.values.get("employee_no")
            if no is not None:
                if no in first_row_of_no:
                    self.error(
                        row,
                        "employee_no",
                        _("The employee number %(value)s is also in row %(row)s.")
                        % {"value": no, "row": first_row_of_no[no]},
                    )
                else:
                    first_row_of_no[no] = row.number
            national_id = row.values.get("national_id")
            if national_id:
                digest = blind_index(national_id, purpose="national_id")
                owner = id_hash_owner.get(digest)
                if digest in first_row_of_id:
                    self.error(
                        row,
                        "national_id",
                        _("The same national ID number is also in row %(row)s.") % {"row": first_row_of_id[digest]},
                    )
                else:
                    first_row_of_id[digest] = row.number
                if owner is not None and owner != no:
                    self.error(
                        row,
                        "national_id",
                        _("Employee %(value)s already has this national ID number.") % {"value": owner},
                    )
            self.check_fields(row, existing.get(no) if no else None)

        self.check_managers(rows, ids_by_no, manager_of)

        for row in rows:
            no = row.values.get("employee_no")
            if no is None:
                continue
            self.plan.rows.append(
                PlannedRow(
                    row=row.number,
                    employee_no=no,
                    values=row.values,
                    existing_id=ids_by_no.get(no),
                    preview=row.preview,
                )
            )

    def parse_cells(self, number: int, cells: tuple, lookups: Lookups, index: int) -> _Row:
        row = _Row(number, {}, set(), {} if index < PREVIEW_ROWS else None)
        for position, column in self.positions:
            raw = cells[position] if position < len(cells) else None
            if is_blank(raw):
                if column.required:
                    self.error(row, column.field, _("This column is required; the cell is empty."))
                continue
            if row.preview is not None:
                row.preview[column.field] = cell_text(raw)
            try:
                row.values[column.field] = column.parse(raw, lookups)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(row, column.field, message)
        return row

    def load_existing(self, rows: list[_Row], ids_by_no: dict[str, int]) -> dict[str, Employee]:
        """The stored values the cross-field checks need for rows that update an employee."""
        numbers = {r.values["employee_no"] for r in rows if r.values.get("employee_no") in ids_by_no}
        if not numbers:
            return {}
        fields = ("employee_no", "birth_date", "gender", "hire_date", "leave_date", "graduation_year")
        # the national ID is decrypted only for rows that need it to check a birth date or gender
        need_id = {
            r.values["employee_no"]
            for r in rows
            if r.values.get("employee_no") in numbers
            and "national_id" not in r.values
            and {"birth_date", "gender"} & r.values.keys()
        }
        existing = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=numbers - need_id).only(*fields)}
        if need_id:
            for e in Employee.objects.filter(employee_no__in=need_id).only(*fields, "national_id"):
                existing[e.employee_no] = e
        return existing

    def check_fields(self, row: _Row, existing: Employee | None) -> None:
        values = row.values

        def current(name: str):
            if name in values:
                return values[name]
            if existing is None or name in row.bad:
                return None
            if name == "national_id" and "national_id" in existing.get_deferred_fields():
                return None
            return getattr(existing, name)

        national_id = current("national_id")
        if national_id and existing is None and "national_id" not in row.bad:
            # a new employee's blank birth date and gender come from the ID number
            if "birth_date" not in values and "birth_date" not in row.bad:
                values["birth_date"] = validators.birth_date_from_id(national_id)
            if "gender" not in values and "gender" not in row.bad:
                values["gender"] = validators.gender_from_id(national_id)
        if national_id and "national_id" not in values and not _valid_id(national_id):
            national_id = None  # a stored value from before the checks existed: not compared
        if national_id and not {"national_id", "birth_date", "gender"} & row.bad:
            self.collect(row, validators.validate_id_matches, national_id, current("birth_date"), current("gender"))
        if not {"birth_date", "hire_date"} & row.bad:
            self.collect(row, validators.validate_working_age, current("birth_date"), current("hire_date"), self.today)
        if not {"birth_date", "graduation_year"} & row.bad:
            self.collect(
                row, validators.validate_graduation_year, current("graduation_year"), current("birth_date"), self.today
            )
        leave_date, hire_date = current("leave_date"), current("hire_date")
        if leave_date and hire_date and "hire_date" in values and hire_date > leave_date:
            self.error(
                row,
                "hire_date",
                _("The hire date is after the employee's leave date (%(date)s).") % {"date": leave_date.isoformat()},
            )

    def collect(self, row: _Row, check, *args) -> None:
        try:
            check(*args)
        except ValidationError as exc:
            for name, messages in exc.update_error_dict({}).items():
                for message in messages:
                    self.error(row, name if name in COLUMN_BY_FIELD else "", message)

    def check_managers(self, rows: list[_Row], ids_by_no: dict[str, int], manager_of: dict[int, int | None]) -> None:
        """Managers may be employees in the database or rows of this file; the reporting lines
        after the import must not contain a loop."""
        file_numbers = {r.values["employee_no"] for r in rows if "employee_no" in r.values}
        node: dict[str, int] = dict(ids_by_no)
        for index, number in enumerate(sorted(file_numbers - ids_by_no.keys()), start=1):
            node[number] = -index  # not yet in the database: a temporary negative id
        graph = dict(manager_of)
        to_check: list[tuple[_Row, int]] = []
        for row in rows:
            manager_no = row.values.get("manager")
            number = row.values.get("employee_no")
            if manager_no is None or number is None or "manager" in row.bad:
                continue
            if manager_no == number:
                self.error(row, "manager", _("An employee cannot be their own manager."))
            elif manager_no not in node:
                self.error(
                    row,
                    "manager",
                    _("No employee has the number %(value)s, in the database or in this file.") % {"value": manager_no},
                )
            elif "employee_no" not in row.bad:
                graph[node[number]] = node[manager_no]
                to_check.append((row, node[number]))
        for row, employee in to_check:
            if validators.find_manager_loop(employee, graph[employee], graph):
                self.error(
                    row,
                    "manager",
                    _("This would create a loop: the manager reports, directly or indirectly, to this employee."),
                )
            else:
                # proven outside any loop: later walks may stop here (keeps long chains linear)
                graph[employee] = None


# ---------------------------------------------------------------------------------------------
# writing


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    audit_entry_id: int


class ImportConflict(ValidationError):
    """The database changed between checking and writing (an employee was deleted meanwhile)."""


def _attname(name: str) -> str:
    return f"{name}_id" if name in REFERENCE_FIELDS or name == "manager" else name


def _audit_value(employee: Employee, name: str):
    """A value as django-auditlog stores it in JSON: ids for relations, ISO text for dates,
    masked text for encrypted fields."""
    value = getattr(employee, _attname(name))
    if name in SECRET_FIELDS:
        return audit_mask(value)
    if isinstance(value, datetime):
        return str(timezone.make_naive(value, UTC) if timezone.is_aware(value) else value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor, request=None) -> ImportSummary:
    """Write a valid plan: all rows or none. New employees are inserted in bulk, then their
    managers inside the file are set (their ids exist only after the insert); changed employees
    are updated in bulk. The import and every created or changed employee are audited."""
    if not plan.is_valid:
        raise ValueError("apply_plan needs a plan without errors")
    now = timezone.now()
    today = plan.today or timezone.localdate()
    new_rows = [r for r in plan.rows if not r.is_update]
    update_rows = [r for r in plan.rows if r.is_update]

    # 1. create, with managers already in the database
    created: list[Employee] = []
    for r in new_rows:
        employee = Employee()
        _assign(employee, r.values, plan.employee_ids)
        if employee.bank_account:
            employee.bank_account_changed_at = now
        if employee.status == EmployeeStatus.LEFT and not employee.leave_date:
            employee.leave_date = today
        employee.sync_secret_indexes()
        created.append(employee)
    Employee.objects.bulk_create(created, batch_size=BATCH_SIZE)
    ids = {**plan.employee_ids, **{e.employee_no: e.pk for e in created}}

    # 2. managers who are themselves new
    late = []
    for employee, r in zip(created, new_rows, strict=True):
        manager_no = r.values.get("manager")
        if manager_no and employee.manager_id is None:
            employee.manager_id = ids[manager_no]
            late.append(employee)
    Employee.objects.bulk_update(late, ["manager"], batch_size=BATCH_SIZE)

    # 3. update the rows that changed
    locked = {e.pk: e for e in Employee.objects.select_for_update().filter(pk__in=[r.existing_id for r in update_rows])}
    if len(locked) != len(update_rows):
        raise ImportConflict(_("Some employees in the file were deleted meanwhile; check the file again."))
    changed: list[Employee] = []
    changed_fields: set[str] = set()
    diffs: list[tuple[Employee, dict]] = []
    for r in update_rows:
        employee = locked[r.existing_id]
        tracked = [name for name in (*r.values.keys(), *DERIVED_FIELDS) if name != "employee_no"]
        # compare real values (two bank accounts may share their last four digits), record masked ones
        before = {name: (getattr(employee, _attname(name)), _audit_value(employee, name)) for name in tracked}
        _assign(employee, r.values, ids)
        if employee.bank_account != before.get("bank_account", (employee.bank_account,))[0]:
            employee.bank_account_changed_at = now
        if employee.status == EmployeeStatus.LEFT and not employee.leave_date:
            employee.leave_date = today
        diff = {
            name: [old_audit, _audit_value(employee, name)]
            for name, (old, old_audit) in before.items()
            if getattr(employee, _attname(name)) != old
        }
        if not diff:
            continue
        employee.sync_secret_indexes()  # bulk_update skips save(), which would do this
        if SECRET_FIELDS & diff.keys():
            changed_fields |= {"national_id_hash", "national_id_last4", "bank_account_hash", "bank_account_last4"}
        employee.updated_at = now
        changed_fields |= diff.keys()
        changed.append(employee)
        diffs.append((employee, diff))
    if changed:
        Employee.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}), batch_size=BATCH_SIZE)

    # 4. audit: one entry for the import, one per created or changed employee
    summary_entry = audit_record(
        event=AuditEvent.ACTION,
        request=request,
        actor=actor,
        model=Employee,
        object_repr=plan.filename,
        details={
            "action": "employee_import",
            "file": plan.filename,
            "sha256": plan.sha256,
            "rows": len(plan.rows),
            "created": len(created),
            "updated": len(changed),
            "unchanged": len(update_rows) - len(changed),
        },
    )
    _audit_rows(created, diffs, summary_entry)
    return ImportSummary(len(created), len(changed), len(update_rows) - len(changed), summary_entry.pk)


def _assign(employee: Employee, values: dict[str, Any], ids: dict[str, int]) -> None:
    for name, value in values.items():
        if name == "manager":
            employee.manager_id = ids.get(value)
        else:
            setattr(employee, _attname(name), value)


def _audit_rows(created: list[Employee], diffs: list[tuple[Employee, dict]], summary: AuditEntry) -> None:
    from auditlog.cid import get_cid

    content_type = ContentType.objects.get_for_model(Employee)
    common = {
        "content_type": content_type,
        "actor_id": summary.actor_id,
        "actor_email": summary.actor_email,
        "remote_addr": summary.remote_addr,
        "cid": get_cid(),
        "additional_data": {"import_entry": summary.pk},
    }
    entries = []
    for employee in created:
        changes = {}
        for column in COLUMNS:
            value = _audit_value(employee, column.field)
            if value not in (None, ""):
                changes[column.field] = [None, value]
        for name in DERIVED_FIELDS:
            value = _audit_value(employee, name)
            if value not in (None, ""):
                changes[name] = [None, value]
        entries.append(_entry(employee, AuditEntry.Action.CREATE, AuditEvent.CREATE, changes, common))
    for employee, diff in diffs:
        entries.append(_entry(employee, AuditEntry.Action.UPDATE, AuditEvent.UPDATE, diff, common))
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def _entry(employee: Employee, action: int, event: str, changes: dict, common: dict) -> AuditEntry:
    return AuditEntry(
        object_pk=str(employee.pk),
        object_id=employee.pk,
        object_repr=str(employee)[:500],
        action=action,
        event=event,
        changes=changes,
        **common,
    )


# ---------------------------------------------------------------------------------------------
# the template


def example_row(lookups: Lookups | None = None) -> dict[str, Any]:
    """One valid example employee; the codes are the first ones that exist (or placeholders)."""
    lookups = lookups or Lookups.load()

    def first(table: dict[str, int], placeholder: str) -> str:
        return min(table) if table else placeholder

    return {
        "employee_no": "E000001",
        "name": "张三",
        "gender": Gender.FEMALE.label,
        "birth_date": date(1949, 12, 31),
        "national_id": "11010519491231002X",
        "phone": "13812345678",
        "email": "zhangsan@example.com",
        "address": "北京市朝阳区建国路 1 号",
        "department": first(lookups.departments, "HQ"),
        "position": first(lookups.positions, ""),
        "grade": first(lookups.grades, ""),
        "location": first(lookups.locations, ""),
        "manager": "",
        "hire_date": date(2020, 3, 1),
        "employment_type": EmploymentType.RETIREE.label,
        "status": EmployeeStatus.ACTIVE.label,
        "education_level": EducationLevel.BACHELOR.label,
        "school": "北京大学",
        "major": "经济学",
        "graduation_year": 1972,
        "bank_name": "中国工商银行",
        "bank_account": "6222020200112233445",
        "bank_account_holder": "张三",
        "emergency_contact_name": "李四",
        "emergency_contact_relation": "配偶",
        "emergency_contact_phone": "13987654321",
    }


def build_template(fileobj, *, max_rows: int = 5000) -> None:
    """Write the import template to `fileobj`: the header row in the current language, one
    example row, drop-down lists on choice and code columns, and a second sheet listing the
    valid department, position, grade and work-location codes."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from hrsuite.excel import escape_cell

    lookups = Lookups.load()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Employees")[:31]
    codes = workbook.create_sheet(_("Codes")[:31])
    header_font = Font(bold=True, color="FFFFFF")
    required_fill = PatternFill("solid", fgColor="9C2A2A")
    optional_fill = PatternFill("solid", fgColor="1F4E79")
    last_row = max_rows + 1

    # second sheet: the codes, in pairs of columns (code, name)
    tables = [
        (_("Department code"), _("Department"), Department.objects.order_by("code").values_list("code", "name")),
        (_("Position code"), _("Position"), Position.objects.order_by("code").values_list("code", "title")),
        (_("Grade code"), _("Grade"), Grade.objects.order_by("code").values_list("code", "name")),
        (_("Work location"), _("City"), Location.objects.order_by("name").values_list("name", "city")),
    ]
    code_ranges: dict[str, str] = {}
    quoted = codes.title.replace("'", "''")
    for index, (table, (code_header, name_header, items)) in enumerate(zip(REFERENCE_FIELDS, tables, strict=True)):
        col = index * 3 + 1
        for offset, title in enumerate((code_header, name_header)):
            cell = codes.cell(row=1, column=col + offset, value=str(title))
            cell.font = header_font
            cell.fill = optional_fill
            codes.column_dimensions[get_column_letter(col + offset)].width = 18
        count = 0
        for count, (code, name) in enumerate(items, start=1):
            codes.cell(row=count + 1, column=col, value=escape_cell(code)).number_format = "@"
            codes.cell(row=count + 1, column=col + 1, value=escape_cell(name))
        if count:
            letter = get_column_letter(col)
            code_ranges[table] = f"'{quoted}'!${letter}$2:${letter}${count + 1}"
    codes.freeze_panes = "A2"

    example = example_row(lookups)
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header())
        cell.font = header_font
        cell.fill = required_fill if column.required else optional_fill
        if column.hint:
            cell.comment = Comment(str(column.hint), "hrsuite")
        sheet.column_dimensions[letter].width = column.width
        value = example[column.field]
        value = str(value) if isinstance(value, Promise) else value
        example_cell = sheet.cell(row=2, column=index, value=escape_cell(value))
        if isinstance(value, date):
            example_cell.number_format = "yyyy-mm-dd"
        if column.text_format:
            # typed digits stay text: an 18-digit ID number would otherwise lose its last digits
            sheet.column_dimensions[letter].number_format = "@"
            example_cell.number_format = "@"
        formula = None
        if column.choices:
            formula = '"' + ",".join(str(label).replace('"', '""') for label in column.choices.labels) + '"'
        elif column.field in code_ranges:
            formula = code_ranges[column.field]
        if formula:
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.error = _("Choose a value from the list.")
            validation.errorTitle = column.header()
            validation.showErrorMessage = True
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"
    workbook.save(fileobj)

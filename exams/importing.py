"""Excel import of questions into a bank.

One question per row; the columns (headers in Chinese or English, in any order):

    题型 Kind | 题目 Question | 选项A … 选项F Choice A … F | 正确答案 Correct | 分值 Points | 解析 Explanation

Kind is 单选题 / 多选题 / 判断题 (or single / multiple / true_false); Correct lists the letters of
the correct answers (A, ACD, "A,C"); a true-or-false question may leave its choices blank (正确 /
错误 are used) and give 对 or 错 as the answer. Points default to 1.

Two steps, like every import of the suite: `parse_and_validate()` reads the file and returns an
`ImportPlan` with every problem as (row, column, reason) and writes nothing; the service
`services.bank_import()` writes a valid plan, every question or none. Questions already in the
bank (same kind and text) are skipped, so uploading a file again adds only the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

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

from .models import QuestionBank, QuestionKind
from .services import ANSWERS, LETTERS, MAX_POINTS, choice_problems

MAX_ROWS = 2000
PREVIEW_ROWS = 20
ALLOWED = frozenset({"xlsx"})

# column key -> (Chinese header, English header, other accepted headers)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "kind": ("题型", "Kind", ("类型", "题目类型", "type", "question type")),
    "text": ("题目", "Question", ("题干", "试题", "问题", "question text")),
    **{
        letter.lower(): (f"选项{letter}", f"Choice {letter}", (letter, f"选项 {letter}", f"option {letter}"))
        for letter in LETTERS
    },
    "correct": ("正确答案", "Correct", ("答案", "标准答案", "answer", "correct answer", "correct letters")),
    "points": ("分值", "Points", ("分数", "score")),
    "explanation": ("解析", "Explanation", ("答案解析", "说明")),
}
REQUIRED = ("kind", "text", "correct")

KIND_ALIASES = {
    QuestionKind.SINGLE: ("single", "single choice", "单选", "单选题", "单项选择", "单项选择题"),
    QuestionKind.MULTIPLE: ("multiple", "multiple choice", "多选", "多选题", "多项选择", "多项选择题", "不定项选择题"),
    QuestionKind.TRUE_FALSE: ("true_false", "true or false", "true/false", "判断", "判断题", "是非题"),
}
TRUE_WORDS = ("对", "正确", "是", "√", "✓", "✔", "t", "true", "y", "yes")
FALSE_WORDS = ("错", "错误", "否", "×", "✗", "✘", "x", "f", "false", "n", "no")


def question_key(kind: str, text: str) -> tuple[str, str]:
    """Two questions are the same when kind and text agree, whitespace, case and full-width forms
    aside (compared as headers are)."""
    return kind, header_key(text)


def header(key: str) -> str:
    zh, en, _others = COLUMNS[key]
    return zh if is_chinese() else en


def _choices_header() -> str:
    """How an error about the answers as a whole names its columns."""
    return f"选项A–{LETTERS[-1]}" if is_chinese() else f"Choices A–{LETTERS[-1]}"


def _kind_index() -> dict[str, str]:
    index = {}
    for kind, aliases in KIND_ALIASES.items():
        for alias in aliases:
            index[header_key(alias)] = kind
        for language in ("zh-hans", "en"):
            with translation.override(language):
                index[header_key(QuestionKind(kind).label)] = kind
    return index


TEMPLATE_KINDS = {
    QuestionKind.SINGLE: ("单选题", "Single choice"),
    QuestionKind.MULTIPLE: ("多选题", "Multiple choice"),
    QuestionKind.TRUE_FALSE: ("判断题", "True or false"),
}


def kind_labels() -> list[str]:
    """The kinds as written in the template (the current language)."""
    zh = is_chinese()
    return [TEMPLATE_KINDS[k][0 if zh else 1] for k in QuestionKind.values]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlannedQuestion:
    row: int
    kind: str
    text: str
    choices: list[tuple[str, bool]]
    points: int
    explanation: str
    duplicate: bool = False  # already in the bank: skipped

    @property
    def kind_label(self) -> str:
        return str(QuestionKind(self.kind).label)

    @property
    def correct_letters(self) -> str:
        return "".join(LETTERS[i] for i, (_t, c) in enumerate(self.choices) if c)


@dataclass
class ImportPlan:
    filename: str = ""
    sha256: str = ""
    file_error: str = ""
    row_count: int = 0
    rows: list[PlannedQuestion] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.file_error and not self.errors and bool(self.rows)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if not r.duplicate)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for r in self.rows if r.duplicate)

    def preview_rows(self) -> list[PlannedQuestion]:
        return self.rows[:PREVIEW_ROWS]

    def add_error(self, row: int, column: str, message) -> None:
        self.errors.append(RowError(row, column, str(message)))


def parse_and_validate(fileobj, *, bank: QuestionBank, filename: str | None = None) -> ImportPlan:
    """Read and check an uploaded workbook of questions for `bank`. Writes nothing."""
    plan = ImportPlan()
    upload = as_file(fileobj, filename, "questions.xlsx")
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
            empty_message=_("The first sheet is empty; put the header row in row 1 and one question per row."),
            too_many_message=_("The file has more than %(max)s questions; split it into several files."),
        )
        header_cells, raw_rows = sheet.header, sheet.rows
        positions = _match_headers(plan, header_cells)
    except SheetProblem as exc:
        plan.file_error = str(exc)
        return plan
    plan.row_count = len(raw_rows)
    if not raw_rows:
        plan.file_error = _("The sheet has a header row but no questions below it.")
        return plan
    present = {question_key(kind, text) for kind, text in bank.questions.values_list("kind", "text")}
    _validate(plan, positions, raw_rows, present)
    return plan


def _match_headers(plan: ImportPlan, header_cells: tuple) -> dict[str, tuple[int, str]]:
    """Column key -> (cell index, header as written in the file)."""
    index = {}
    for key, (zh, en, others) in COLUMNS.items():
        for name in (zh, en, *others):
            index[header_key(name)] = key
    found: dict[str, tuple[int, str]] = {}
    duplicated = []
    for i, cell in enumerate(header_cells):
        if is_blank(cell):
            continue
        text = cell_text(cell)
        key = index.get(header_key(cell))
        if key is None:
            plan.ignored_headers.append(text)
        elif key in found:
            duplicated.append(text)
        else:
            found[key] = (i, text)
    if duplicated:
        raise SheetProblem(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": join_names(duplicated)}
        )
    missing = [header(k) for k in REQUIRED if k not in found]
    if missing:
        raise SheetProblem(
            _("The file has no column %(columns)s. Download the template to see the expected headers.")
            % {"columns": join_names(missing)}
        )
    return found


def _validate(
    plan: ImportPlan, pos: dict[str, tuple[int, str]], raw_rows: list[tuple[int, tuple]], present: set
) -> None:
    kinds = _kind_index()
    first_row: dict[tuple[str, str], int] = {}

    def cell(cells: tuple, key: str):
        if key not in pos:
            return None
        i = pos[key][0]
        return cells[i] if i < len(cells) else None

    def column(key: str) -> str:
        return pos[key][1] if key in pos else header(key)

    for row, cells in raw_rows:
        errors_before = len(plan.errors)
        # kind
        raw_kind = cell(cells, "kind")
        kind = kinds.get(header_key(raw_kind)) if not is_blank(raw_kind) else None
        if is_blank(raw_kind):
            plan.add_error(row, column("kind"), _("This column is required; the cell is empty."))
        elif kind is None:
            plan.add_error(
                row,
                column("kind"),
                _("“%(value)s” is not a kind of question. Use one of: %(kinds)s.")
                % {"value": cell_text(raw_kind), "kinds": " / ".join(kind_labels())},
            )
        # question
        raw_text = cell(cells, "text")
        text = "" if is_blank(raw_text) else cell_text(raw_text)
        if not text:
            plan.add_error(row, column("text"), _("This column is required; the cell is empty."))
        # answers A-F, without gaps
        texts = ["" if is_blank(cell(cells, k)) else cell_text(cell(cells, k)) for k in "abcdef"]
        last_filled = max((i for i, t in enumerate(texts) if t), default=-1)
        gap = next((i for i in range(last_filled) if not texts[i]), None)
        if gap is not None:
            plan.add_error(
                row,
                column("abcdef"[gap]),
                _("This answer is empty while a later one is filled; fill the answers from A on without gaps."),
            )
        answers = texts[: last_filled + 1]
        if kind == QuestionKind.TRUE_FALSE and not answers:
            answers = [_("True"), _("False")]
        # correct letters
        raw_correct = cell(cells, "correct")
        marked: set[int] = set()
        if is_blank(raw_correct):
            plan.add_error(row, column("correct"), _("This column is required; the cell is empty."))
        else:
            parsed = _parse_correct(raw_correct, kind)
            if parsed is None:
                plan.add_error(
                    row,
                    column("correct"),
                    _("“%(value)s” is not a list of answer letters (A to F), such as A or ACD.")
                    % {"value": cell_text(raw_correct)},
                )
            else:
                for i in sorted(parsed):
                    if i >= len(answers) or not answers[i]:
                        plan.add_error(
                            row,
                            column("correct"),
                            _("Answer %(letter)s is marked correct but has no text.") % {"letter": LETTERS[i]},
                        )
                marked = parsed
        # points
        points = 1
        raw_points = cell(cells, "points")
        if not is_blank(raw_points):
            points = _parse_points(raw_points)
            if points is None:
                plan.add_error(
                    row, column("points"), _("Points are a whole number from 1 to %(max)s.") % {"max": MAX_POINTS}
                )
                points = 1
        raw_explanation = cell(cells, "explanation")
        explanation = "" if is_blank(raw_explanation) else cell_text(raw_explanation)
        choices = [(t, i in marked) for i, t in enumerate(answers) if t]
        if kind is not None and len(plan.errors) == errors_before:
            for problem in choice_problems(kind, choices):
                about = _choices_header() if problem.about == ANSWERS else column("correct")
                plan.add_error(row, about, problem.message)
        if kind is None or not text:
            continue
        qkey = question_key(kind, text)
        if qkey in first_row:
            plan.add_error(
                row, column("text"), _("The same question is also in row %(row)s.") % {"row": first_row[qkey]}
            )
            continue
        first_row[qkey] = row
        plan.rows.append(PlannedQuestion(row, kind, text, choices, points, explanation, qkey in present))


def _parse_correct(raw: Any, kind: str | None) -> set[int] | None:
    """Indexes of the answers marked correct, or None when the cell cannot be read."""
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    text = header_key(raw)
    if kind == QuestionKind.TRUE_FALSE:
        if text in TRUE_WORDS:
            return {0}
        if text in FALSE_WORDS:
            return {1}
    letters = [ch for ch in text.upper() if ch not in ",，、;；/|+&"]
    if not letters or any(ch not in LETTERS for ch in letters):
        return None
    return {LETTERS.index(ch) for ch in letters}


def _parse_points(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value() or not 1 <= value <= MAX_POINTS:
        return None
    return int(value)


# --- the template ----------------------------------------------------------------------------


def build_template(fileobj) -> None:
    """Write the import template: the header row with a hint on each column and a drop-down of
    kinds on sheet 1; on sheet 2, how to fill it in and one example of each kind."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    keys = list(COLUMNS)
    headers = [header(k) for k in keys]
    hints = {
        "kind": _("Required. %(kinds)s.") % {"kinds": " / ".join(kind_labels())},
        "text": _("Required. The question as the taker reads it."),
        "a": _("The answers, from A on without gaps (two to six). A true-or-false question may leave them blank."),
        "correct": _("Required. The letters of the correct answers: A, or ACD for several. 对 / 错 for true or false."),
        "points": _("A whole number from 1 to %(max)s; blank means 1.") % {"max": MAX_POINTS},
        "explanation": _("Optional. Shown to the taker after submitting."),
    }
    header_font = Font(bold=True, color="FFFFFF")
    required_fill = PatternFill("solid", fgColor="9C2A2A")
    optional_fill = PatternFill("solid", fgColor="1F4E79")
    widths = {"kind": 12, "text": 48, "correct": 12, "points": 8, "explanation": 36}

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Questions")[:31]
    for col, (key, text) in enumerate(zip(keys, headers, strict=True), start=1):
        c = sheet.cell(row=1, column=col, value=text)
        c.font = header_font
        c.fill = required_fill if key in REQUIRED else optional_fill
        if key in hints:
            c.comment = Comment(str(hints[key]), "hrsuite")
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(key, 20)
    kinds = DataValidation(type="list", formula1='"' + ",".join(kind_labels()) + '"', allow_blank=True)
    kinds.error = str(hints["kind"])
    kinds.showErrorMessage = True
    kinds.add(f"A2:A{MAX_ROWS + 1}")
    sheet.add_data_validation(kinds)
    sheet.freeze_panes = "C2"

    about = workbook.create_sheet(_("How to fill in")[:31])
    lines = [
        _(
            "One question per row on the first sheet; the first row holds the headers. Nothing is imported unless every row is valid."
        ),
        *[f"{header(k)}: {hints[k]}" for k in ("kind", "text", "a", "correct", "points", "explanation")],
        _("Questions already in the bank (same kind and text) are skipped, so a file can be uploaded again."),
        _("Examples:"),
    ]
    for r, line in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=str(line)).alignment = Alignment(wrap_text=False)
    start = len(lines) + 1
    for col, text in enumerate(headers, start=1):
        c = about.cell(row=start, column=col, value=text)
        c.font = header_font
        c.fill = optional_fill
        about.column_dimensions[get_column_letter(col)].width = widths.get(keys[col - 1], 20)
    labels = kind_labels()
    examples = [
        [labels[0], _("Which law governs anti-money-laundering in China?"), _("The Anti-Money Laundering Law"),
         _("The Company Law"), _("The Labour Law"), "", "", "", "A", 2, ""],
        [labels[1], _("Which of these are signs of a suspicious transaction?"), _("Many cash deposits just under the limit"),
         _("A salary paid monthly"), _("Funds moved on at once to unrelated accounts"), "", "", "", "AC", 3,
         _("No partial credit: both signs must be chosen.")],
        [labels[2], _("A customer's identity must be verified before opening an account."), "", "", "", "", "", "",
         "对" if is_chinese() else "True", 1, ""],
    ]  # fmt: skip
    for r, values in enumerate(examples, start=start + 1):
        for col, value in enumerate(values, start=1):
            about.cell(row=r, column=col, value=str(value) if not isinstance(value, int) else value)
    about.column_dimensions["A"].width = 14
    workbook.save(fileobj)

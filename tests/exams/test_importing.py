"""Excel import of questions: the template, a valid file, problems named by row and column,
all-or-nothing writing, and the pages around it."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from exams import importing, services
from exams.models import Question, QuestionBank
from hrsuite.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ZH_HEADERS = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "正确答案", "分值", "解析"]


def workbook(rows, headers=ZH_HEADERS, name="questions.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=importing.ALLOWED and "application/octet-stream")


VALID = [
    ["单选题", "反洗钱法自何年起施行？", "2005", "2007", "2010", None, None, None, "B", 2, "2007年1月1日起施行。"],
    ["多选题", "下列哪些属于可疑交易？", "频繁存入略低于限额的现金", "按月发放工资", "资金到账后立即转往无关账户", None, None, None, "A、C", 3, None],
    ["判断题", "开户前须核实客户身份。", None, None, None, None, None, None, "对", None, None],
    ["single", "Which document proves identity?", "ID card", "Library card", None, None, None, None, "a", 1, None],
]  # fmt: skip


@pytest.fixture
def empty_bank(db):
    return QuestionBank.objects.create(name="合规题库")


def test_a_valid_file_is_planned_then_written_with_its_answers(empty_bank, people):
    plan = importing.parse_and_validate(workbook(VALID), bank=empty_bank)
    assert plan.errors == [] and plan.file_error == ""
    assert plan.is_valid and plan.new_count == 4 and plan.duplicate_count == 0
    assert [r.correct_letters for r in plan.rows] == ["B", "AC", "A", "A"]
    assert Question.objects.filter(bank=empty_bank).count() == 0  # checking writes nothing

    summary = services.bank_import(bank=empty_bank, plan=plan, actor=people["users"]["hr"])
    assert (summary.created, summary.skipped) == (4, 0)
    single, multiple, true_false, english_q = Question.objects.filter(bank=empty_bank).order_by("pk")
    assert (single.kind, single.points, single.explanation) == ("single", 2, "2007年1月1日起施行。")
    assert [(c.text, c.is_correct) for c in single.choices.all()] == [("2005", False), ("2007", True), ("2010", False)]
    assert [c.is_correct for c in multiple.choices.all()] == [True, False, True] and multiple.points == 3
    assert true_false.kind == "true_false" and true_false.points == 1
    assert [c.is_correct for c in true_false.choices.all()] == [True, False]
    assert english_q.choices.filter(is_correct=True).get().text == "ID card"
    entry = AuditEntry.objects.get(pk=summary.audit_entry_id)
    assert entry.additional_data["created"] == 4 and entry.additional_data["file"] == "questions.xlsx"


def test_problems_are_named_by_row_and_column(empty_bank, english):
    rows = [
        ["问答题", "不支持的题型", "甲", "乙", None, None, None, None, "A", 1, None],  # row 2
        ["single", None, "甲", "乙", None, None, None, None, "A", 1, None],  # row 3: no question
        ["single", "有空档的选项", "甲", None, "丙", None, None, None, "A", 1, None],  # row 4
        ["single", "答案指向空选项", "甲", "乙", None, None, None, None, "D", 1, None],  # row 5
        ["single", "两个正确答案", "甲", "乙", "丙", None, None, None, "AB", 1, None],  # row 6
        ["multiple", "读不懂的答案", "甲", "乙", None, None, None, None, "A?", 1, None],  # row 7
        ["single", "分值不是整数", "甲", "乙", None, None, None, None, "A", 2.5, None],  # row 8
        ["true_false", "判断题三个选项", "对", "错", "不确定", None, None, None, "A", 1, None],  # row 9
        ["single", "只有一个选项", "甲", None, None, None, None, None, "A", 1, None],  # row 10
        ["single", "有效的题", "甲", "乙", None, None, None, None, "A", 1, None],  # row 11
        ["单选题", "有效的题", "丙", "丁", None, None, None, None, "B", 1, None],  # row 12: same question again
    ]
    plan = importing.parse_and_validate(workbook(rows), bank=empty_bank)
    found = {(e.row, e.column): e.message for e in plan.errors}
    assert set(found) == {
        (2, "题型"), (3, "题目"), (4, "选项B"), (5, "正确答案"), (6, "正确答案"), (7, "正确答案"), (8, "分值"),
        (9, "Choices A–F"), (10, "Choices A–F"), (12, "题目"),
    }  # fmt: skip
    assert "“问答题” is not a kind of question" in found[(2, "题型")]
    assert found[(3, "题目")] == "This column is required; the cell is empty."
    assert "fill the answers from A on without gaps" in found[(4, "选项B")]
    assert found[(5, "正确答案")] == "Answer D is marked correct but has no text."
    assert "exactly one correct answer; 2 are marked" in found[(6, "正确答案")]
    assert "“A?” is not a list of answer letters" in found[(7, "正确答案")]
    assert found[(8, "分值")] == "Points are a whole number from 1 to 100."
    assert "exactly two answers" in found[(9, "Choices A–F")]
    assert found[(10, "Choices A–F")] == "Give at least two answers."
    assert found[(12, "题目")] == "The same question is also in row 11."
    assert not plan.is_valid and plan.error_rows == 10


def test_missing_columns_and_non_excel_files_are_file_errors(empty_bank, english):
    plan = importing.parse_and_validate(workbook([["single", "题"]], headers=["题型", "题目"]), bank=empty_bank)
    assert plan.file_error == "The file has no column Correct. Download the template to see the expected headers."
    fake = SimpleUploadedFile("questions.xlsx", b"not a workbook at all" * 10)
    assert "content is not a XLSX file" in importing.parse_and_validate(fake, bank=empty_bank).file_error
    empty = importing.parse_and_validate(workbook([]), bank=empty_bank)
    assert empty.file_error == "The sheet has a header row but no questions below it."


def test_english_headers_and_questions_already_in_the_bank(empty_bank, english):
    services.question_save(
        question=Question(bank=empty_bank, kind="single", text="反洗钱法自何年起施行？"),
        choices=[services.ChoiceInput("2007", True), services.ChoiceInput("2005", False)],
    )
    headers = ["Kind", "Question", "Choice A", "Choice B", "Choice C", "Correct", "Points"]
    rows = [["Single choice", " 反洗钱法自何年起施行？ ", "2005", "2007", "2010", "B", 1],
            ["True or false", "可以代客户签字。", None, None, None, "错", 1]]  # fmt: skip
    plan = importing.parse_and_validate(workbook(rows, headers=headers), bank=empty_bank)
    assert plan.is_valid and (plan.new_count, plan.duplicate_count) == (1, 1)
    assert plan.rows[1].choices == [("True", False), ("False", True)]  # defaults, in the interface language
    summary = services.bank_import(bank=empty_bank, plan=plan, actor=None)
    assert (summary.created, summary.skipped) == (1, 1)
    assert empty_bank.questions.count() == 2


def test_the_template_reads_back_without_errors(empty_bank, client_for):
    response = client_for("hr").get(reverse("exams:bank_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(response.content))
    questions, about = wb.worksheets
    headers = [c.value for c in questions[1]]
    assert headers == ZH_HEADERS
    # the examples on the second sheet, copied under the headers, are a valid file
    rows = [list(r) for r in about.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["题型", "题目"])
    for example in rows[start + 1 :]:
        questions.append(example)
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = importing.parse_and_validate(SimpleUploadedFile("t.xlsx", buffer.getvalue()), bank=empty_bank)
    assert plan.errors == [] and plan.new_count == 3


# --- the pages -----------------------------------------------------------------------------


def test_upload_preview_and_confirm(empty_bank, client_for):
    client = client_for("hr")
    url = reverse("exams:bank_import", args=[empty_bank.pk])
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": workbook(VALID)})
    assert preview.status_code == 200 and preview.context["plan"].is_valid
    token = re.search(r'name="token" value="([^"]+)"', preview.text)[1]
    assert empty_bank.questions.count() == 0
    done = client.post(reverse("exams:bank_import_confirm", args=[empty_bank.pk]), {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("exams:bank_detail", args=[empty_bank.pk])
    assert empty_bank.questions.count() == 4
    # the token is used up: confirming again imports nothing
    again = client.post(reverse("exams:bank_import_confirm", args=[empty_bank.pk]), {"token": token})
    assert again.status_code == 302 and empty_bank.questions.count() == 4


def test_one_bad_row_imports_nothing(empty_bank, client_for):
    client = client_for("hr")
    rows = [*VALID, ["单选题", "坏行", "甲", "乙", None, None, None, None, "C", 1, None]]
    preview = client.post(reverse("exams:bank_import", args=[empty_bank.pk]), {"file": workbook(rows)})
    assert preview.status_code == 200
    assert [(e.row, e.column) for e in preview.context["plan"].errors] == [(6, "正确答案")]
    assert 'name="token"' not in preview.text and 'data-row="6"' in preview.text
    assert empty_bank.questions.count() == 0
    forged = client.post(reverse("exams:bank_import_confirm", args=[empty_bank.pk]), {"token": "made-up"})
    assert forged.status_code == 302 and empty_bank.questions.count() == 0


def test_a_token_of_another_bank_is_refused(empty_bank, client_for):
    other = QuestionBank.objects.create(name="另一个题库")
    client = client_for("hr")
    preview = client.post(reverse("exams:bank_import", args=[empty_bank.pk]), {"file": workbook(VALID)})
    token = re.search(r'name="token" value="([^"]+)"', preview.text)[1]
    client.post(reverse("exams:bank_import_confirm", args=[other.pk]), {"token": token})
    assert other.questions.count() == 0 and empty_bank.questions.count() == 0


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_only_hr_imports(empty_bank, client_for, role):
    client = client_for(role)
    assert client.post(reverse("exams:bank_import", args=[empty_bank.pk]), {"file": workbook(VALID)}).status_code == 403
    assert client.get(reverse("exams:bank_template")).status_code == 403
    assert empty_bank.questions.count() == 0

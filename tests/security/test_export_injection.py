"""Spreadsheet-formula injection in every Excel export (issue 11).

Text a person typed (a name, a title, a survey answer) that starts with = + - @ or a tab or CR
would run as a formula when HR opens the export in Excel or WPS (``=HYPERLINK(...)`` sends the
reader to an attacker's page, ``=cmd|' /C calc'!A0`` starts a program). ``hrsuite.excel`` writes
such text with a leading quote; this module proves every export goes through it: one organisation
is seeded with a payload in every name and title that reaches a spreadsheet, each export is
downloaded through its view, and every cell of every sheet is checked (no formula cell; no text
starting with a formula character), and the seeded payloads must be there, escaped, so a check
that found nothing would fail. A URL-conf walk makes a new export without an entry fail.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hrsuite.excel import FORMULA_PREFIXES, escape_cell, write_workbook
from tests.security.routes import routes

pytestmark = pytest.mark.django_db

D = Decimal
EQ = '=HYPERLINK("http://evil.example/x","点我")'
PLUS = "+1+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+2"
CR = "\r=3+4"
PAYLOADS = (EQ, PLUS, MINUS, AT, TAB, CR)


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))  # not read-only: data_type tells a formula apart
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_neutralised(content: bytes, label: str) -> set[str]:
    """No cell is a formula and no text starts like one; returns the payloads found (escaped)."""
    found = set()
    for cell in _cells(content):
        assert cell.data_type != "f", (label, cell.coordinate, cell.value)
        value = cell.value
        if isinstance(value, str):
            assert not value.startswith(FORMULA_PREFIXES), (label, cell.coordinate, value)
            found.update(p for p in PAYLOADS if value == "'" + p)
            # a payload that is part of a longer text starts no formula: the text begins otherwise
    return found


# --- the hostile rows (not named `world`: that is the shared world of tests/security/conftest.py) --


@pytest.fixture
def formula_world(people, org, assignments, run_factory, quals, hiring, make_application, okr):
    """One organisation with a payload in every name and title that an export shows."""
    from employees.models import Grade, Location
    from exams import services as exam_services
    from exams.models import Exam, Question, QuestionBank
    from payroll.models import PayComponent
    from surveys import services as survey_services
    from surveys.models import Survey, SurveyQuestion
    from training import services as training_services
    from training.models import Course, EmployeeCertificate
    from training.services_qualifications import certificate_save

    emps, users = people["employees"], people["users"]
    org["a"].name, org["a_team"].name, org["b"].name = AT, TAB, CR
    for d in (org["a"], org["a_team"], org["b"]):
        d.save()
    position = quals.sales  # the position whose certificates the compliance export lists
    position.title = MINUS
    position.save()
    grade = Grade.objects.create(code="+G", name=PLUS, level=9)
    location = Location.objects.create(name=EQ, city=AT)
    for key, name in (("employee", EQ), ("team_member", PLUS), ("other_employee", MINUS)):
        e = emps[key]
        e.refresh_from_db()
        e.name = name
        e.bank_account_holder = name
        e.position, e.grade, e.location = position, grade, location
        e.save()
    PayComponent.objects.filter(code="岗位工资").update(name=AT)
    today = timezone.localdate()
    month = today.replace(day=1)
    run = run_factory(month, finalize=True)

    # training: a course, an exam with a hostile question, an attempt; a certificate type
    course = Course.objects.create(code="EVIL-C", title=EQ, hours=D("4"), mode="online")
    bank = QuestionBank.objects.create(name=PLUS)
    question = exam_services.question_save(
        question=Question(bank=bank, kind="single", text=AT, points=1),
        choices=[exam_services.ChoiceInput(MINUS, True), exam_services.ChoiceInput("乙", False)],
    )
    exam = Exam.objects.create(title=EQ, bank=bank, question_count=1, time_limit_minutes=30, pass_mark=60)
    course.exam = exam
    course.save()
    for key in ("employee", "team_member", "other_employee"):
        enrollment = training_services.enroll(employee=emps[key], course=course, source="hr", actor=users["hr"])
        training_services.enrollment_complete(enrollment=enrollment)
        attempt = exam_services.attempt_start(exam=exam, employee=emps[key], now=timezone.now() - timedelta(minutes=20))
        exam_services.attempt_submit(attempt=attempt, answers={str(question.pk): []}, now=timezone.now())
    quals.fund.name = EQ
    quals.fund.save()
    for i, key in enumerate(("employee", "team_member", "other_employee")):
        certificate_save(
            certificate=EmployeeCertificate(
                employee=emps[key], certificate_type=quals.fund, number=f"{PLUS}{i}", issued_on=today - timedelta(days=700),
                expires_on=today + timedelta(days=10),
            ),
            actor=users["hr"], verified=True,
        )  # fmt: skip

    # a named survey with a hostile question and a hostile free-text answer
    now = timezone.now()
    survey = Survey.objects.create(
        title=EQ, kind="needs", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7)
    )
    text_q = SurveyQuestion.objects.create(survey=survey, display_order=1, kind="text", text=TAB)
    staff = [emps[k] for k in ("employee", "team_member", "other_employee", "manager", "other_manager")]
    survey_services.invite(survey=survey, employees=staff)
    for e, answer in zip(staff, (EQ, PLUS, MINUS, AT, CR), strict=True):
        survey_services.respond(survey=survey, employee=e, answers={str(text_q.pk): answer})

    # recruiting: a hostile posting title and candidate, hired
    hiring.posting.title = EQ
    hiring.posting.save()
    make_application(name=AT, email="evil@example.com", stage="interview")

    # OKR: hostile objective and key-result titles
    okr.mine.title = EQ
    okr.mine.save()
    okr.revenue.title = PLUS
    okr.revenue.save()
    return {"run": run, "exam": exam, "survey": survey, "cycle": okr.cycle, "month": month, "today": today,
            "employee": emps["employee"]}  # fmt: skip


# (url name, role, path builder, query) for every spreadsheet the suite writes
EXPORTS = {
    "audit:export": ("hr_admin", lambda w: "/audit/export/", {}),
    "employees:export": ("hr", lambda w: "/employees/export/", {}),
    "employees:team_export": ("manager", lambda w: "/employees/team/export/", {}),
    "employees:analytics_export": ("hr", lambda w: "/employees/analytics/export/", {}),
    "employees:import_template": ("hr", lambda w: "/employees/import/template/", {}),
    "payroll:pay_analytics_export": ("payroll", lambda w: "/payroll/analytics/export/", {}),
    "payroll:market_template": ("payroll", lambda w: "/payroll/analytics/market/template/", {}),
    "payroll:export_register": ("payroll", lambda w: f"/payroll/runs/{w['run'].pk}/export/register/", {}),
    "payroll:export_bank": ("payroll", lambda w: f"/payroll/runs/{w['run'].pk}/export/bank/", {}),
    "payroll:export_tax": ("payroll", lambda w: f"/payroll/runs/{w['run'].pk}/export/tax/", {}),
    "payroll:export_contributions": ("payroll", lambda w: f"/payroll/runs/{w['run'].pk}/export/contributions/", {}),
    "payroll:pay_history_xlsx": ("payroll", lambda w: f"/payroll/history/{w['employee'].pk}/xlsx/", {}),
    "payroll:period_inputs_template": ("payroll", lambda w: "/payroll/inputs/template/", {}),
    "surveys:results_export": ("hr", lambda w: f"/training/surveys/{w['survey'].pk}/results/export/", {}),
    "exams:exam_results_export": ("hr", lambda w: f"/training/exams/{w['exam'].pk}/results/export/", {}),
    "training:analytics_export": ("hr", lambda w: "/training/analytics/export/", {}),
    "training:compliance_export": ("hr", lambda w: "/training/compliance/export/", {}),
    "performance:okr_report_xlsx": ("hr", lambda w: f"/performance/okr/{w['cycle'].pk}/report.xlsx", {}),
    "recruiting:analytics_export": ("hr", lambda w: "/recruiting/analytics/export/", {}),
}
# spreadsheets with no text a person typed: nothing to inject
NO_USER_TEXT = {
    "exams:bank_template": "the question-bank template holds only the column headers and fixed examples",
}
SPREADSHEET_NAME = re.compile(r"export|xlsx|_template$")  # not offboarding's handover "templates"


def test_every_spreadsheet_route_has_an_entry():
    """A new export (a URL named *export*, *xlsx* or *template*) must be added to EXPORTS."""
    named = [r for r in routes() if r.name]
    found = {r.name for r in named if SPREADSHEET_NAME.search(r.name) or ".xlsx" in r.route}
    found = {n for n in found if not n.startswith("admin:") and not n.endswith("_pdf")}
    assert found - set(EXPORTS) - set(NO_USER_TEXT) == set(), "exports without an injection check"
    assert set(EXPORTS) - found == set(), "entries for exports that no longer exist"


def test_every_export_neutralises_formula_text(formula_world, client_for, english):
    missing = {}
    for name, (role, path, query) in EXPORTS.items():
        response = client_for(role).get(path(formula_world), query)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), name
        content = b"".join(response.streaming_content) if response.streaming else response.content
        found = assert_neutralised(content, name)
        if not found:
            missing[name] = "no seeded payload reached this export"
    assert missing == {}, missing


# --- the rule itself ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=60), st.sampled_from((*FORMULA_PREFIXES, "", " ", "'", "＝", "\n")))
def test_escape_cell_neutralises_every_formula_start(text, prefix):
    value = prefix + text
    escaped = escape_cell(value)
    if value.startswith(FORMULA_PREFIXES):
        assert escaped == "'" + value
    else:
        assert escaped == value


def test_a_workbook_of_hostile_text_has_no_formula_cell():
    rows = [[p, f"{p} tail", 1, D("-2.5"), date(2026, 1, 1)] for p in PAYLOADS]
    buffer = io.BytesIO()
    write_workbook([("Sheet", list(PAYLOADS), rows)], buffer)  # hostile headers too
    found = assert_neutralised(buffer.getvalue(), "write_workbook")
    assert found == set(PAYLOADS)
    numbers = [c.value for c in _cells(buffer.getvalue()) if isinstance(c.value, int | float)]
    assert -2.5 in numbers  # numbers are not quoted

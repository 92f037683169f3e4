"""An employee takes the exam of a course in a real browser: starts it, sees the countdown,
answers, submits and reads the result; and an attempt whose time runs out is submitted by the
page itself."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import AttemptStatus, ExamAttempt
from training.models import Enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


@pytest.fixture
def course_exam(people):
    from exams.models import Exam, QuestionBank
    from tests.exams.conftest import add_question
    from training.models import Course

    bank = QuestionBank.objects.create(name="反洗钱题库")
    add_question(bank, "single", "反洗钱法自何年起施行？", [("2005年", False), ("2007年", True), ("2010年", False)],
                 explanation="2007年1月1日起施行。")  # fmt: skip
    add_question(bank, "multiple", "下列哪些属于可疑交易？",
                 [("频繁存入略低于限额的现金", True), ("按月发放工资", False), ("资金到账后立即转往无关账户", True)],
                 points=2)  # fmt: skip
    add_question(bank, "true_false", "开户前须核实客户身份。", [("正确", True), ("错误", False)])
    exam = Exam.objects.create(
        title="反洗钱考试", bank=bank, question_count=3, time_limit_minutes=20, pass_mark=60, attempts_allowed=2
    )
    course = Course.objects.create(code="AML-101", title="反洗钱基础", hours=Decimal("4"), mode="online", exam=exam)
    Enrollment.objects.create(employee=people["employees"]["employee"], course=course, source="hr")
    return exam


def seconds(text: str) -> int:
    minutes, secs = text.strip().split(":")[-2:]
    return int(minutes) * 60 + int(secs)


def answer(page, attempt, *, right=True):
    for item in attempt.paper:
        picks = item["correct"] if right else [c for c in item["choices"] if c not in item["correct"]][:1]
        for choice in picks:
            page.check(f"#q{item['question']}-{choice}")


def test_employee_takes_an_exam_and_reads_the_result(page, login, live_server, people, course_exam):
    page.on("dialog", lambda dialog: dialog.accept())  # "start now?" and "submit now?"
    login(page, "employee")
    page.goto(f"{live_server.url}/me/exams/")
    expect(page.locator(f'tr[data-exam="{course_exam.pk}"]')).to_contain_text("反洗钱考试")
    page.click('[data-testid="exam-start"]')
    page.wait_for_url(re.compile(r"/me/exams/\d+/$"))

    # the countdown shows the time left and runs
    timer = page.locator('[data-testid="exam-timer"] [data-timer-display]')
    expect(timer).to_have_text(re.compile(r"^(19:5\d|20:00)$"))
    first = seconds(timer.inner_text())
    page.wait_for_timeout(2200)
    assert 1 <= first - seconds(timer.inner_text()) <= 4
    page.screenshot(path=f"{SCREENSHOTS}/exams-take.png", full_page=True)

    attempt = ExamAttempt.objects.get(employee=people["employees"]["employee"])
    assert page.locator(".exam-question").count() == 3
    answer(page, attempt)
    expect(page.locator("[data-answered]")).to_have_text("3")
    # within 30 seconds the answers are saved without submitting
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"\d\d:\d\d:\d\d"), timeout=35_000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.answers == {str(i["question"]): i["correct"] for i in attempt.paper}
    page.click('[data-testid="exam-submit"]')
    page.wait_for_url(re.compile(r"/me/exams/\d+/result/$"))
    expect(page.locator('[data-testid="exam-score"]')).to_have_text("100.00%")
    expect(page.locator(".review-question.is-correct")).to_have_count(3)
    expect(page.locator("#content")).to_contain_text("2007年1月1日起施行。")
    page.screenshot(path=f"{SCREENSHOTS}/exams-result.png", full_page=True)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed
    enrolment = Enrollment.objects.get(employee=attempt.employee, course__exam=course_exam)
    assert enrolment.status == "completed" and enrolment.hours == Decimal("4")

    # passing completed the course: the exam is no longer open, the attempt is in the history
    page.goto(f"{live_server.url}/me/exams/")
    expect(page.locator('[data-testid="exam-start"]')).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}/exams-my-list.png", full_page=True)


def test_the_page_submits_by_itself_when_the_time_is_up(page, login, live_server, people, course_exam):
    from exams import services

    login(page, "employee")
    attempt = services.attempt_start(exam=course_exam, employee=people["employees"]["employee"], now=timezone.now())
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=6))
    page.goto(f"{live_server.url}/me/exams/{attempt.pk}/")
    timer = page.locator('[data-testid="exam-timer"] [data-timer-display]')
    assert seconds(timer.inner_text()) <= 6
    answer(page, attempt, right=False)
    page.wait_for_url(re.compile(r"/me/exams/\d+/result/$"), timeout=15_000)
    expect(page.locator('[data-testid="exam-score"]')).to_have_text("0.00%")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED  # within the grace: the answers were accepted
    assert len(attempt.answers) == 3 and not attempt.passed

"""One candidate from the public careers page to their first sign-in as an employee, every step
in a real browser: apply with a resume, ranked by keyword score, moved on by HR, take the
assessment through the e-mailed link, interviewed and scored, offered (a second HR colleague
approves), hired; the new employee sets a password, signs in and sees their onboarding tasks.
(The segments are tested in detail by test_careers_apply, test_recruiting_pipeline and
test_recruiting_hire; this test proves they join up.)"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from employees.models import Employee
from exams.models import Exam, QuestionBank
from recruiting.models import Application, AssessmentInvite, Interview, Offer
from tests.recruiting.fixtures import docx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Ru-zhi-kuai-le-2026!"
RESUME = "王芳\n五年金融风控建模经验，精通 Python，熟悉机器学习与评分卡。\n复旦大学 统计学 硕士"


@pytest.fixture
def posting(hiring):
    from tests.exams.conftest import add_question

    bank = QuestionBank.objects.create(name="风控测评题库")
    add_question(bank, "single", "逾期90天以上的贷款通常归为？", [("正常类", False), ("不良贷款", True)])
    add_question(bank, "true_false", "反欺诈模型上线后需要持续监控。", [("正确", True), ("错误", False)])
    hiring.posting.assessment = Exam.objects.create(
        title="风控建模测评", bank=bank, question_count=2, time_limit_minutes=20, pass_mark=60, attempts_allowed=1
    )
    hiring.posting.save()
    return hiring.posting


def move(page, live_server, app, stage):
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/")
    page.click(f'[data-testid="move-{stage}"]')
    expect(page.locator(".page-header .stage-badge")).to_have_attribute("data-stage", stage)


def test_from_careers_page_to_first_sign_in(page, browser, browser_context_args, login, live_server, people, posting, make_application, tmp_path):  # fmt: skip
    page.on("dialog", lambda dialog: dialog.accept())
    make_application("赵强", "zhaoqiang@example.com", text="十年销售经验。")  # a weaker competitor
    resume = tmp_path / "王芳-简历.docx"
    resume.write_bytes(docx_bytes(RESUME))

    # 1. the candidate applies on the public page
    page.goto(f"{live_server.url}/careers/")
    page.locator(f'[data-posting="{posting.pk}"]').click()
    page.click('[data-testid="apply-link"]')
    page.fill("input[name=name]", "王芳")
    page.fill("input[name=email]", "wangfang@example.com")
    page.fill("input[name=phone]", "13700137000")
    page.set_input_files("input[name=resume]", str(resume))
    page.check("input[name=consent]")
    page.click('[data-testid="apply-submit"]')
    expect(page.locator('[data-testid="thanks"]')).to_be_visible()
    app = Application.objects.get(candidate__email="wangfang@example.com")

    # 2. HR screens by score: she is first, with every keyword matched
    login(page, "hr")
    page.goto(f"{live_server.url}/recruiting/postings/{posting.pk}/applications/")
    first = page.locator('[data-testid="applications"] tbody tr').first
    expect(first).to_contain_text("王芳")
    expect(first.locator('[data-testid="score"]')).to_have_text("100.0")
    move(page, live_server, app, "screening")
    mail.outbox.clear()
    move(page, live_server, app, "assessment")  # sends the assessment link

    # 3. the candidate takes the assessment through the link, without an account
    link = re.search(r"/careers/assessment/[A-Za-z0-9_-]{40,}/", mail.outbox[0].body).group(0)
    candidate = browser.new_context(**browser_context_args)
    cpage = candidate.new_page()
    cpage.on("dialog", lambda dialog: dialog.accept())
    cpage.goto(live_server.url + link)
    cpage.click('[data-testid="assessment-start"]')
    cpage.wait_for_url(re.compile(r"/take/$"))
    attempt = AssessmentInvite.objects.select_related("attempt").get(application=app).attempt
    for item in attempt.paper:
        for choice in item["correct"]:
            cpage.check(f"#q{item['question']}-{choice}")
    cpage.click('[data-testid="exam-submit"]')
    expect(cpage.locator('[data-testid="assessment-done"]')).to_be_visible()
    candidate.close()

    # 4. HR sees the score, moves her to interview and schedules one with the employee as interviewer
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/")
    expect(page.locator('[data-testid="assessment-score"]')).to_have_text("100%")
    move(page, live_server, app, "interview")
    form = page.locator('[data-testid="interview-form"]')
    form.locator('input[name="starts_at"]').fill((timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT10:00"))
    form.locator('select[name="interviewers"]').select_option(str(people["employees"]["employee"].pk))
    form.locator('button[type="submit"]').click()
    expect(page.locator("[data-interview]")).to_have_count(1)
    interview = Interview.objects.get(application=app)
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(hours=1))  # it took place

    # 5. the interviewer fills in the scorecard
    reviewer = browser.new_context(**browser_context_args)
    rpage = reviewer.new_page()
    rpage.on("dialog", lambda dialog: dialog.accept())  # "submit the scorecard?"
    login(rpage, "employee")
    rpage.goto(f"{live_server.url}/recruiting/interviews/{interview.pk}/scorecard/")
    for key in ("skills", "communication", "problem_solving", "teamwork", "fit"):
        rpage.click(f'label[for="id_rating_{key}_3"]')
    rpage.click('label[for="id_recommendation_0"]')
    rpage.fill('textarea[name="comments"]', "建模功底扎实，推荐录用。")
    rpage.click('[data-testid="scorecard-submit"]')
    expect(rpage.locator('[data-testid="scorecard-submitted"]')).to_be_visible()
    reviewer.close()

    # 6. offer: HR drafts it, a second HR colleague approves, the candidate accepts, HR hires
    move(page, live_server, app, "offer")
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/offer/new/")
    page.fill("#id_monthly_salary", "32000")
    page.click('[data-testid="save-offer"]')
    page.wait_for_url(re.compile(r"/recruiting/offers/\d+/$"))
    offer = Offer.objects.get(application=app)
    page.context.clear_cookies()
    login(page, "hr_admin")
    page.goto(f"{live_server.url}/recruiting/offers/{offer.pk}/")
    page.click('[data-testid="approve"]')
    expect(page.locator('[data-testid="letter-hash"]')).to_be_visible()
    page.check("input[name=answer][value=accepted]")
    page.click('[data-testid="record-answer"]')
    page.click('[data-testid="hire"]')
    page.wait_for_url(re.compile(r"/recruiting/onboarding/\d+/$"))
    employee = Employee.objects.get(email="wangfang@example.com")
    app.refresh_from_db()
    assert app.stage == "hired" and app.hired_employee == employee
    assert employee.documents.exists()  # the resume was kept

    # 7. the new employee sets a password, signs in and sees the onboarding tasks
    page.context.clear_cookies()
    welcome = next(m for m in mail.outbox if m.to == ["wangfang@example.com"] and "/me/onboarding/welcome/" in m.body)
    url = re.search(r"https?://\S+/me/onboarding/welcome/\S+", welcome.body).group(0)
    page.goto(live_server.url + url[url.index("/me/onboarding/") :])
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    page.click('[data-testid="set-password"]')
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", employee.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/me/onboarding/")
    expect(page.locator('[data-testid="task"]')).to_have_count(employee.onboarding_tasks.count())
    expect(page.locator("#content")).to_contain_text("提交入职材料")

"""The recruiting pipeline in a real browser: HR moves an application on the board from
screening to assessment (the invitation is e-mailed), the candidate opens the private link
without signing in, answers and submits, HR sees the score on the application page, moves the
candidate to interview and schedules one, and the interviewer signs in and submits the
scorecard, which HR then reads."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Exam, QuestionBank
from recruiting.models import AssessmentInvite, Interview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


@pytest.fixture
def posting_with_assessment(hiring):
    from tests.exams.conftest import add_question

    bank = QuestionBank.objects.create(name="风控测评题库")
    add_question(
        bank, "single", "逾期90天以上的贷款通常归为？", [("正常类", False), ("不良贷款", True), ("关注类", False)]
    )
    add_question(bank, "multiple", "下列哪些指标常用于评估评分卡模型？", [("KS", True), ("AUC", True), ("PUE", False)])
    add_question(bank, "true_false", "反欺诈模型上线后需要持续监控。", [("正确", True), ("错误", False)])
    exam = Exam.objects.create(
        title="风控建模测评", bank=bank, question_count=3, time_limit_minutes=30, pass_mark=60, attempts_allowed=1
    )
    hiring.posting.assessment = exam
    hiring.posting.save()
    return hiring.posting


def test_hr_candidate_and_interviewer_walk_the_pipeline(
    page, browser, browser_context_args, login, live_server, people, make_application, posting_with_assessment
):
    page.on("dialog", lambda dialog: dialog.accept())
    posting = posting_with_assessment
    app = make_application(stage="screening")
    make_application(
        name="李娜", email="lina@example.com", text="熟悉 Java 与数据分析，有银行实习经历。", stage="applied"
    )
    make_application(
        name="王强", email="wangqiang@example.com", text="机器学习 Python 金融风控 三年经验", stage="interview"
    )
    make_application(name="赵敏", email="zhaomin@example.com", stage="rejected")
    mail.outbox.clear()

    # 1. HR moves the card from screening to assessment on the board (htmx)
    login(page, "hr")
    page.goto(f"{live_server.url}/recruiting/postings/{posting.pk}/board/")
    card = page.locator(f'[data-application="{app.pk}"]')
    expect(page.locator('section[data-stage="screening"]')).to_contain_text("张伟")
    card.locator('select[name="to"]').select_option("assessment")
    card.locator('button[type="submit"]').click()
    expect(page.locator('[data-testid="board-message"]')).to_be_visible()
    expect(page.locator(f'section[data-stage="assessment"] [data-application="{app.pk}"]')).to_be_visible()
    expect(page.locator('[data-testid="count-assessment"]')).to_have_text("1")
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-board.png", full_page=True)

    # 2. the invitation e-mail holds the private link
    assert len(mail.outbox) == 1
    path = re.search(r"/careers/assessment/[A-Za-z0-9_-]{40,}/", mail.outbox[0].body).group(0)

    # 3. the candidate opens it without signing in, starts, answers and submits
    candidate = browser.new_context(**browser_context_args)
    cpage = candidate.new_page()
    cpage.on("dialog", lambda dialog: dialog.accept())
    cpage.goto(live_server.url + path)
    expect(cpage.locator('[data-testid="assessment-intro"]')).to_contain_text("风控建模测评")
    expect(cpage.locator('[data-testid="question-count"]')).to_have_text("3")
    cpage.click('[data-testid="assessment-start"]')
    cpage.wait_for_url(re.compile(r"/take/$"))
    expect(cpage.locator('[data-testid="exam-timer"] [data-timer-display]')).to_have_text(
        re.compile(r"^(29:5\d|30:00)$")
    )
    attempt = AssessmentInvite.objects.select_related("attempt").get(application=app).attempt
    for item in attempt.paper:
        for choice in item["correct"]:
            cpage.check(f"#q{item['question']}-{choice}")
    expect(cpage.locator("[data-answered]")).to_have_text("3")
    cpage.screenshot(path=f"{SCREENSHOTS}/recruiting-assessment-take.png", full_page=True)
    cpage.click('[data-testid="exam-submit"]')
    cpage.wait_for_url(re.compile(r"/done/$"))
    expect(cpage.locator('[data-testid="assessment-done"]')).to_be_visible()
    expect(cpage.locator("#content")).not_to_contain_text("100")
    cpage.screenshot(path=f"{SCREENSHOTS}/recruiting-assessment-done.png", full_page=True)
    # the link works once
    response = cpage.goto(live_server.url + path)
    assert response.status == 410
    candidate.close()

    # 4. HR sees the score, moves to interview and schedules one
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/")
    expect(page.locator('[data-testid="assessment-score"]')).to_have_text("100%")
    page.click('[data-testid="move-interview"]')
    expect(page.locator(".page-header .stage-badge")).to_have_attribute("data-stage", "interview")
    when = timezone.localtime() + timedelta(days=2)
    form = page.locator('[data-testid="interview-form"]')
    form.locator('input[name="starts_at"]').fill(when.strftime("%Y-%m-%dT10:00"))
    form.locator('select[name="kind"]').select_option("video")
    form.locator('input[name="location"]').fill("腾讯会议 888-123-456")
    form.locator('select[name="interviewers"]').select_option(str(people["employees"]["employee"].pk))
    form.locator('button[type="submit"]').click()
    expect(page.locator("[data-interview]")).to_contain_text("腾讯会议 888-123-456")
    interview = Interview.objects.get(application=app)
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(hours=1))

    # 5. the interviewer signs in and submits the scorecard
    reviewer = browser.new_context(**browser_context_args)
    rpage = reviewer.new_page()
    rpage.on("dialog", lambda dialog: dialog.accept())
    login(rpage, "employee")
    rpage.goto(f"{live_server.url}/recruiting/interviews/mine/?when=past")
    expect(rpage.locator(f'tr[data-interview="{interview.pk}"]')).to_contain_text("张伟")
    rpage.click('[data-testid="open-scorecard"]')
    rpage.wait_for_url(re.compile(r"/scorecard/$"))
    expect(rpage.locator('[data-testid="resume-text"]')).to_contain_text("金融风控")
    for key, value in (("skills", 5), ("communication", 4), ("problem_solving", 4), ("teamwork", 4), ("fit", 5)):
        rpage.click(f'label[for="id_rating_{key}_{value - 1}"]')
    rpage.click('label[for="id_recommendation_0"]')
    rpage.fill('textarea[name="comments"]', "模型经验扎实，表达清楚，能结合业务讨论风控策略。")
    rpage.mouse.move(0, 0)
    rpage.wait_for_timeout(400)  # let the buttons' colour transitions finish
    rpage.screenshot(path=f"{SCREENSHOTS}/recruiting-scorecard.png", full_page=True)
    rpage.click('[data-testid="scorecard-submit"]')
    expect(rpage.locator('[data-testid="scorecard-submitted"]')).to_be_visible()
    reviewer.close()

    # 6. HR reads the scorecard and the aggregate on the application page
    page.goto(f"{live_server.url}/recruiting/applications/{app.pk}/")
    expect(page.locator('[data-testid="overall-rating"]')).to_contain_text("4.4")
    expect(page.locator("#interviews")).to_contain_text("模型经验扎实")
    page.screenshot(path=f"{SCREENSHOTS}/recruiting-application-detail.png", full_page=True)

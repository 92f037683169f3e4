"""Employee relations end to end, every person in a real browser (issue 14, "Done when").

1. HR opens an engagement round for the whole company (standard questions); the employee answers
   it at /me/surveys/; a second answer (the same form, submitted from a second tab) is refused.
2. The employee posts anonymous feedback (script in the subject) to department A, keeps the one-time
   follow-up code shown on the page; the head of A replies on the thread; the employee follows the
   thread with the code and reads the reply. The stored thread row (raw SQL) holds nothing that
   identifies the poster; the subject is shown escaped everywhere.
3. HR's results page shows department A (5 answers) with figures and department B (2 answers)
   as hidden.
4. HR awards a collaboration bonus to a project member for this month; the month's pay run is
   calculated, finalised and published; the member opens their payslip and finds 协作奖 with the
   amount.

(The segments are tested in detail in tests/relations/ and tests/surveys/; this proves they join up.)"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from hrsuite.audit.models import AuditEntry
from relations.models import FeedbackReply, FeedbackThread
from surveys import services as survey_services
from surveys.models import Survey, SurveyInvitation, SurveyResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT_SUBJECT = "<script>window.__xss = 1</script>加班安排不合理"
INJECTED = "[...document.querySelectorAll('script')].some(s => s.textContent.includes('__xss'))"
HEAD_REPLY = "已与组长沟通，下周起周末值班改为轮换。"


def sign_in_as(page, login, role):
    page.context.clear_cookies()
    login(page, role)


def rate_all(page, survey, value):
    """Click the rating `value` (1–5) of every rating question of the answer form on `page`."""
    for q in survey.questions.filter(kind="rating"):
        page.click(f"label[for='id_q{q.pk}_{value - 1}']")


def test_survey_feedback_and_results_journey(page, login, live_server, people, org):
    emps, users = people["employees"], people["users"]
    base = live_server.url

    # --- 1. HR opens a round for the whole company with the standard questions ---------------
    sign_in_as(page, login, "hr")
    page.goto(f"{base}/relations/engagement/new/")
    page.fill("#id_title", "2026 年第四季度敬业度调查")
    page.check("#id_whole_company")
    page.click('[data-testid="engagement-submit"]')
    expect(page.locator(".alert-success")).to_be_visible()
    survey = Survey.objects.get(kind="engagement")
    assert survey.anonymous and survey.min_group_size == 5
    assert set(survey.questions.exclude(topic="").values_list("topic", flat=True)) == {
        "团队氛围", "管理风格", "工作负荷", "薪酬公平",
    }  # fmt: skip
    assert SurveyInvitation.objects.filter(survey=survey).count() == len(emps)

    # the employee answers in the browser; the same form, still open in a second tab, is refused
    sign_in_as(page, login, "employee")
    page.goto(f"{base}/me/surveys/")
    page.locator(f"#open [data-survey='{survey.pk}'] a").click()
    expect(page.locator("h1.page-title")).to_contain_text(survey.title)
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    rate_all(page, survey, 5)
    page.click("form.survey-form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"#answered [data-survey='{survey.pk}']")).to_be_visible()
    rate_all(second_tab, survey, 1)
    second_tab.click("form.survey-form button[type=submit]")
    expect(second_tab.locator(".alert-danger")).to_be_visible()
    second_tab.close()
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert {v for v in SurveyResponse.objects.get(survey=survey).answers.values() if v != ""} == {5}

    # --- 2. anonymous feedback, the head's reply, following with the code ---------------------
    page.goto(f"{base}/me/feedback/new/")
    audit_before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page.select_option("#id_category", "complaint")
    page.select_option("#id_department", str(org["a"].pk))
    page.fill("#id_subject", SCRIPT_SUBJECT)
    page.fill("#id_body", "最近三个月几乎每个周末都要值班，\n希望能轮换。")
    page.click('[data-testid="feedback-submit"]')
    secret = page.locator('[data-testid="feedback-secret"]').input_value()
    assert len(secret) >= 16
    expect(page.locator(".alert-success")).to_contain_text(SCRIPT_SUBJECT)  # shown as text
    assert not page.evaluate(INJECTED)
    thread = FeedbackThread.objects.get()
    assert thread.subject == SCRIPT_SUBJECT and thread.department == org["a"]

    # the stored row, every column as PostgreSQL has it: nothing of the poster
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM relations_feedbackthread WHERE id = %s", [thread.pk])
        row = " | ".join(str(v) for v in cursor.fetchone())
    poster, poster_user = emps["employee"], users["employee"]
    traces = {poster_user.username, poster.name, poster.employee_no, poster_user.email, poster.email} - {""}
    for trace in traces:
        assert trace not in row, trace
    assert thread.hidden_by_id is None
    # nor in the audit log written while posting
    written = AuditEntry.objects.filter(pk__gt=audit_before)
    assert not written.filter(actor=poster_user).exists()
    for entry in written:
        text = f"{entry.object_repr} {entry.changes} {entry.additional_data}"
        assert not any(trace in text for trace in traces), text

    # the head of department A replies on the thread
    sign_in_as(page, login, "manager")
    page.goto(f"{base}/relations/feedback/{thread.pk}/")
    expect(page.locator("h1.page-title")).to_have_text(SCRIPT_SUBJECT)
    expect(page.locator('[data-testid="feedback-body"]')).to_contain_text("希望能轮换")
    assert not page.evaluate(INJECTED)  # text, not a <script> element
    page.locator('[data-testid="reply-form"] textarea').fill(HEAD_REPLY)
    page.click('[data-testid="reply-submit"]')
    expect(page.locator(".alert-success")).to_be_visible()
    assert FeedbackReply.objects.get(thread=thread).author_kind == "head"

    # the poster follows their thread with the code and reads the head's reply
    sign_in_as(page, login, "employee")
    page.goto(f"{base}/me/feedback/follow/")
    page.fill('[data-testid="follow-form"] input[name=secret]', secret)
    page.click('[data-testid="follow-form"] button[type=submit]')
    expect(page.locator("h1.page-title")).to_have_text(SCRIPT_SUBJECT)
    reply = page.locator('[data-testid="feedback-reply"][data-author="head"]')
    expect(reply).to_contain_text(HEAD_REPLY)
    assert not page.evaluate(INJECTED) and page.evaluate("window.__xss") is None

    # --- 3. results: department A (5 answers) shown, department B (2 answers) hidden ----------
    ratings = list(survey.questions.filter(kind="rating"))
    colleagues = [_colleague(org["a"], i) for i in range(4)]
    survey_services.invite(survey=survey, employees=colleagues)
    # A: the employee (5s) and four colleagues (3s); B: two (1s); HQ itself: three (4s). The rest
    # left over at HQ (HQ's own 3 + B's hidden 2) is 5: A need not be hidden to protect B.
    for employee, value in (
        *((c, 3) for c in colleagues),
        (emps["other_employee"], 1),
        (emps["other_manager"], 1),
        (emps["hr_admin"], 4),
        (emps["hr"], 4),
        (emps["payroll"], 4),
    ):
        survey_services.respond(survey=survey, employee=employee, answers={str(q.pk): value for q in ratings})

    sign_in_as(page, login, "hr")
    page.goto(f"{base}/relations/engagement/{survey.pk}/")
    table = page.locator('[data-testid="topic-table"]')
    row_a = table.locator(f"tr[data-department='{org['a'].pk}']")
    row_b = table.locator(f"tr[data-department='{org['b'].pk}']")
    expect(row_a.locator("td.num").first).to_have_text("5")
    expect(row_a.locator("[data-score]")).to_have_count(4)
    expect(row_a.locator("[data-score]").first).to_contain_text("3.4")  # (5 + 4 × 3) / 5
    expect(row_a.locator("[data-hidden]")).to_have_count(0)
    expect(row_b.locator("[data-hidden]")).to_be_visible()
    expect(row_b.locator("[data-score]")).to_have_count(0)
    expect(row_b).not_to_contain_text("1.0")


def _colleague(department, i):
    from tests.factories import EmployeeFactory

    return EmployeeFactory(department=department, name=f"技术部同事{i}")


@pytest.fixture
def bonus_line(structure):
    from payroll.models import PayComponent, StructureLine

    component = PayComponent.objects.create(code="协作奖", name="协作奖", kind="earning", variable=True)
    StructureLine.objects.create(structure=structure, component=component, formula="协作奖金")
    return component


def test_collaboration_bonus_reaches_the_next_payslip(
    page, login, live_server, people, project, assignments, run_factory, bonus_line
):
    from payroll.models import PaySlip
    from payroll.payslips import payrun_publish
    from relations.models import CollaborationBonus

    member = people["employees"]["other_employee"]
    month = timezone.localdate().replace(day=1)  # no pay run for it yet: the next payslip

    sign_in_as(page, login, "hr")
    page.goto(f"{live_server.url}/relations/projects/{project.project.pk}/")
    form = page.locator('[data-testid="bonus-form"]')
    form.locator("select[name=employee]").select_option(str(member.pk))
    form.locator("input[name=amount]").fill("1288.50")
    form.locator("input[name=month]").fill(f"{month:%Y-%m}")
    form.locator("input[name=reason], textarea[name=reason]").fill("牵头完成 8 家重点客户访谈")
    page.click('[data-testid="bonus-submit"]')
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator('[data-testid="bonuses"]')).to_contain_text(member.name)
    bonus = CollaborationBonus.objects.get()
    assert (bonus.member.employee, bonus.amount, bonus.month) == (member, D("1288.50"), month)

    run = run_factory(month, finalize=True)
    payrun_publish(run=run, actor=people["users"]["payroll"], dispatch=False, render=False)
    slip = PaySlip.objects.get(run=run, employee=member)

    sign_in_as(page, login, "other_employee")
    page.goto(f"{live_server.url}/me/payslips/")
    page.click(f"a[href='/me/payslips/{slip.pk}/']")
    line = page.locator("tr", has=page.locator("td", has_text="协作奖"))
    expect(line).to_have_count(1)
    expect(line.locator("td.num")).to_have_text("¥1,288.50")

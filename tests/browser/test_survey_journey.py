"""An employee, in the browser, answers a survey they were invited to (rating buttons, choices,
a free-text answer with its character counter) and then sees it listed as answered."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveys import services
from surveys.models import SurveyInvitation, SurveyResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOTS=<directory> is set."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_employee_answers_an_invited_survey(page, login, live_server, people):
    survey = _survey()
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])

    login(page, "employee")
    page.goto(f"{live_server.url}/me/surveys/")
    open_list = page.locator("#open")
    expect(open_list).to_contain_text(survey.title)
    open_list.locator(f"[data-survey='{survey.pk}'] a").click()
    expect(page.locator("h1.page-title")).to_contain_text(survey.title)

    questions = {q.kind: q for q in survey.questions.all()}
    # nothing chosen: the required questions are named
    page.click("form.survey-form button[type=submit]")
    expect(page.locator(f"#question-{questions['rating'].pk} .invalid-feedback")).to_be_visible()

    page.click(f"label[for='id_q{questions['rating'].pk}_3']")  # the 4th button: a rating of 4
    page.check(f"input[name='q{questions['choice'].pk}'][value='课堂面授']")
    page.check(f"input[name='q{questions['multiple'].pk}'][value='Python 数据分析']")
    page.check(f"input[name='q{questions['multiple'].pk}'][value='沟通与演讲']")
    text = page.locator(f"textarea[name='q{questions['text'].pk}']")
    text.fill("希望增加案例教学")
    expect(page.locator(f"[data-counter-for='id_q{questions['text'].pk}']")).to_have_text("8 / 2000")
    shot(page, "survey-answer")
    page.click("form.survey-form button[type=submit]")

    expect(page.locator(".alert-success")).to_be_visible()
    answered = page.locator("#answered")
    expect(answered.locator(f"[data-survey='{survey.pk}']")).to_contain_text(survey.title)
    expect(page.locator("#open")).not_to_contain_text(survey.title)
    shot(page, "survey-my-list")

    response = SurveyResponse.objects.get(survey=survey)
    assert response.answers[str(questions["rating"].pk)] == 4
    assert response.answers[str(questions["multiple"].pk)] == ["Python 数据分析", "沟通与演讲"]
    assert SurveyInvitation.objects.get(survey=survey, employee=employee).answered_at is not None


def _survey():
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import Survey, SurveyQuestion

    now = timezone.now()
    survey = Survey.objects.create(
        title="2027 年度培训需求调查",
        kind="needs",
        description="您希望明年学习哪些内容？请花两分钟告诉我们。",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=14),
    )
    specs = [
        {"kind": "rating", "text": "今年的培训对您的工作有多大帮助？"},
        {"kind": "choice", "text": "您更喜欢的培训方式", "options": ["线上自学", "课堂面授", "线上线下结合"]},
        {
            "kind": "multiple",
            "text": "您最想学习的主题（可多选）",
            "options": ["Python 数据分析", "信用风险建模", "沟通与演讲"],
        },
        {"kind": "text", "text": "其他建议", "required": False},
    ]
    for i, spec in enumerate(specs, start=1):
        SurveyQuestion.objects.create(survey=survey, display_order=i, **spec)
    return survey

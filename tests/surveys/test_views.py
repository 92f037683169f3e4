"""Survey pages: HR's list, survey and question forms, invitations and results; the employee's
own surveys and the answer page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Survey, SurveyInvitation, SurveyResponse
from surveys.results import Hidden
from tests.surveys.conftest import good_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(make_survey):
    return make_survey()


def manage_urls(survey):
    q = survey.questions.first().pk
    return [
        reverse("surveys:list"),
        reverse("surveys:create"),
        reverse("surveys:edit", args=[survey.pk]),
        reverse("surveys:question_add", args=[survey.pk]),
        reverse("surveys:question_edit", args=[survey.pk, q]),
        reverse("surveys:invite", args=[survey.pk]),
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:results_export", args=[survey.pk]),
    ]


def post_urls(survey):
    q = survey.questions.first().pk
    return [
        reverse("surveys:question_delete", args=[survey.pk, q]),
        reverse("surveys:question_move", args=[survey.pk, q]),
    ]


def test_urls_are_where_hrsuite_mounts_them(survey):
    assert reverse("surveys:list") == "/training/surveys/"
    assert reverse("surveys:results_export", args=[survey.pk]) == f"/training/surveys/{survey.pk}/results/export/"
    assert reverse("mysurveys:list") == "/me/surveys/"
    assert reverse("mysurveys:answer", args=[survey.pk]) == f"/me/surveys/{survey.pk}/"


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "hr_admin"])
def test_hr_opens_every_survey_page(client_for, survey, role):
    client = client_for(role)
    for url in manage_urls(survey):
        assert client.get(url).status_code == 200, url
    for url in post_urls(survey):
        assert client.get(url).status_code == 405, url


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_other_roles_get_403_on_manage_pages(client_for, survey, role):
    client = client_for(role)
    for url in manage_urls(survey):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "x", "by": "employees", "e-numbers": "T0001"}).status_code == 403, url
    for url in post_urls(survey):
        assert client.post(url).status_code == 403, url
    assert survey.questions.count() == 4 and not SurveyInvitation.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, survey):
    urls = [*manage_urls(survey), reverse("mysurveys:list"), reverse("mysurveys:answer", args=[survey.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


# --- list -----------------------------------------------------------------------------------


def test_list_searches_filters_and_pages(client_for, make_survey):
    for i in range(52):
        make_survey(title=f"课程反馈 {i:02d}", kind="feedback", questions=[])
    make_survey(title="离职面谈", kind="exit", questions=[])
    client = client_for("hr")
    first = client.get(reverse("surveys:list"))
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].paginator.count == 53
    assert len(client.get(reverse("surveys:list"), {"page": 2}).context["page_obj"]) == 3
    assert [s.title for s in client.get(reverse("surveys:list"), {"q": "离职"}).context["page_obj"]] == ["离职面谈"]
    assert client.get(reverse("surveys:list"), {"kind": "feedback"}).context["page_obj"].paginator.count == 52
    assert "empty-state" in client.get(reverse("surveys:list"), {"q": "没有这个"}).text


def test_list_query_count_does_not_grow(client_for, make_survey, people):
    client = client_for("hr")
    make_survey()
    client.get(reverse("surveys:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("surveys:list"))
    for _i in range(15):
        s = make_survey()
        services.invite(survey=s, employees=[people["employees"]["employee"]])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("surveys:list"))
    assert len(many.captured_queries) <= len(few.captured_queries)


# --- survey and questions -------------------------------------------------------------------


def _survey_post(**overrides):
    now = timezone.localtime()
    data = {
        "title": "2027 年度培训需求调查",
        "kind": "needs",
        "description": "您希望明年学习哪些内容？",
        "min_group_size": "1",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_creating_a_survey(client_for, people):
    response = client_for("hr").post(reverse("surveys:create"), _survey_post(anonymous="on"))
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("surveys:edit", args=[survey.pk])
    assert survey.anonymous and survey.min_group_size == 5 and survey.created_by == people["users"]["hr"]


def test_a_survey_closing_before_it_opens_shows_the_error_on_the_field(client_for, people, english):
    now = timezone.localtime()
    response = client_for("hr").post(
        reverse("surveys:create"), _survey_post(closes_at=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"] == ["The survey must close after it opens."]
    assert 'aria-invalid="true"' in response.text
    assert not Survey.objects.exists()


def test_adding_editing_moving_and_deleting_questions(client_for, survey, english):
    client = client_for("hr")
    bad = client.post(
        reverse("surveys:question_add", args=[survey.pk]), {"kind": "choice", "text": "是否满意", "options_text": "是"}
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors["options_text"] == ["A choice question needs at least two options, one per line."]
    ok = client.post(
        reverse("surveys:question_add", args=[survey.pk]),
        {"kind": "choice", "text": "是否满意", "options_text": "是\n否\n", "required": "on", "topic": "满意"},
    )
    assert ok.status_code == 302
    added = survey.questions.get(text="是否满意")
    assert added.options == ["是", "否"] and added.display_order == 5 and added.topic == "满意"
    client.post(
        reverse("surveys:question_edit", args=[survey.pk, added.pk]),
        {"kind": "choice", "text": "您是否满意？", "options_text": "是\n否\n说不清"},
    )
    added.refresh_from_db()
    assert added.text == "您是否满意？" and added.options == ["是", "否", "说不清"] and not added.required
    client.post(reverse("surveys:question_move", args=[survey.pk, added.pk]), {"direction": "up"})
    assert list(survey.questions.values_list("pk", flat=True))[3] == added.pk
    client.post(reverse("surveys:question_delete", args=[survey.pk, added.pk]))
    assert not survey.questions.filter(pk=added.pk).exists()


def test_questions_cannot_change_once_answered(client_for, survey, people, english):
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    services.respond(survey=survey, employee=employee, answers=good_answers(survey))
    client = client_for("hr")
    question = survey.questions.first()
    page = client.get(reverse("surveys:edit", args=[survey.pk]))
    assert "its questions can no longer change" in page.text
    assert reverse("surveys:question_delete", args=[survey.pk, question.pk]) not in page.text
    response = client.post(reverse("surveys:question_delete", args=[survey.pk, question.pk]), follow=True)
    assert "People have already answered this survey, so its questions can no longer change." in response.text
    assert survey.questions.filter(pk=question.pk).exists()


# --- invitations ----------------------------------------------------------------------------


def test_inviting_departments_and_employee_numbers(client_for, survey, people, org, english):
    client = client_for("hr")
    url = reverse("surveys:invite", args=[survey.pk])
    response = client.post(url, {"by": "departments", "d-departments": [org["b"].pk]}, follow=True)
    assert "Invited now: 2; invited before: 0; skipped because they have left: 0." in response.text
    numbers = f"{people['employees']['employee'].employee_no}，{people['employees']['other_employee'].employee_no}"
    response = client.post(url, {"by": "employees", "e-numbers": numbers}, follow=True)
    assert "Invited now: 1; invited before: 1;" in response.text
    assert response.context["counts"] == {"invited": 3, "answered": 0}
    unknown = client.post(url, {"by": "employees", "e-numbers": "NOPE1 NOPE2"})
    assert unknown.context["employees_form"].errors["numbers"] == [
        "No employee has these numbers: NOPE1、NOPE2. Check them and try again."
    ]
    assert SurveyInvitation.objects.filter(survey=survey).count() == 3


def test_anonymous_survey_invitations_show_counts_not_who_answered(client_for, make_survey, people):
    survey = make_survey(anonymous=True)
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee, people["employees"]["manager"]])
    services.respond(survey=survey, employee=employee, answers=good_answers(survey))
    page = client_for("hr").get(reverse("surveys:invite", args=[survey.pk]))
    assert page.context["counts"] == {"invited": 2, "answered": 1}
    assert page.text.count('data-testid="invitee"') == 2 and "answered-badge" not in page.text
    named = make_survey()
    answer_as(named, [employee])
    page = client_for("hr").get(reverse("surveys:invite", args=[named.pk]))
    assert page.text.count("answered-badge") == 1


# --- results --------------------------------------------------------------------------------


def answer_as(survey, employees, **overrides):
    services.invite(survey=survey, employees=employees)
    for e in employees:
        services.respond(survey=survey, employee=e, answers=good_answers(survey, **overrides))


def test_results_page_of_a_named_survey(client_for, survey, people):
    answer_as(survey, [people["employees"]["employee"], people["employees"]["other_employee"]])
    page = client_for("hr").get(reverse("surveys:results", args=[survey.pk]))
    results = page.context["results"]
    assert results.responses == 2 and results.questions[0].result.mean == 4
    assert page.text.count("data-chart=") == 3  # rating, choice, multiple
    assert "希望增加案例教学" in page.text and "— employee" in page.text  # free text with the name
    assert [r["row"].name for r in page.context["rows"]][1:] == ["总部", "技术部", "销售部"]


def test_anonymous_results_are_hidden_below_five_answers_and_shown_at_five(client_for, make_survey, people, english):
    survey = make_survey(anonymous=True)
    staff = [people["employees"][r] for r in ("employee", "manager", "team_member", "other_employee")]
    answer_as(survey, staff)
    client = client_for("hr")
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert isinstance(page.context["results"].hidden, Hidden)
    assert "Results are shown once at least 5 people have answered" in page.text
    assert "希望增加案例教学" not in page.text and "data-chart=" not in page.text
    answer_as(survey, [people["employees"]["other_manager"]])
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.context["results"].hidden is None
    assert "希望增加案例教学" in page.text and "— " not in page.text.split("text-answers")[1].split("</ul>")[0]
    rows = {r["row"].name: r for r in page.context["rows"]}
    assert rows["技术部"]["hidden"] == "Hidden: fewer than 5 answers"  # 3 answers (with 平台组)
    assert rows["总部"]["row"].responses == 5


def test_results_show_the_trend_when_there_are_earlier_rounds(client_for, make_survey, people):
    first = make_survey(opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() + timedelta(days=1))
    answer_as(first, [people["employees"]["employee"]])
    second = make_survey(round_of=first)
    answer_as(second, [people["employees"]["employee"]])
    page = client_for("hr").get(reverse("surveys:results", args=[second.pk]))
    assert page.context["trends"] and 'id="trends"' in page.text
    only = client_for("hr").get(reverse("surveys:results", args=[first.pk]))
    assert not only.context["trends"] and 'id="trends"' not in only.text


# --- the employee's surveys -----------------------------------------------------------------


def test_employee_answers_an_invited_survey_and_sees_it_answered(client_for, survey, people):
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    client = client_for("employee")
    listing = client.get(reverse("mysurveys:list"))
    assert [i.survey for i in listing.context["open"]] == [survey]
    page = client.get(reverse("mysurveys:answer", args=[survey.pk]))
    assert page.status_code == 200 and 'class="btn-check"' in page.text and "data-counter" in page.text
    q = {q.kind: q for q in survey.questions.all()}
    response = client.post(
        reverse("mysurveys:answer", args=[survey.pk]),
        {
            f"q{q['rating'].pk}": "5",
            f"q{q['choice'].pk}": "课堂面授",
            f"q{q['multiple'].pk}": ["Python 数据分析", "沟通与演讲"],
            f"q{q['text'].pk}": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("mysurveys:list")
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"  # kept out of error reports
    saved = SurveyResponse.objects.get()
    assert saved.answers == {
        str(q["rating"].pk): 5,
        str(q["choice"].pk): "课堂面授",
        str(q["multiple"].pk): ["Python 数据分析", "沟通与演讲"],
    }
    listing = client.get(reverse("mysurveys:list"))
    assert listing.context["open"] == [] and [i.survey for i in listing.context["answered"]] == [survey]
    mine = client.get(reverse("mysurveys:answer", args=[survey.pk]))
    assert "课堂面授" in mine.text and "survey-form" not in mine.text


def test_answering_twice_is_refused(client_for, survey, people, english):
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    client = client_for("employee")
    data = {f"q{k}": v for k, v in good_answers(survey).items()}
    client.post(reverse("mysurveys:answer", args=[survey.pk]), data)
    again = client.post(reverse("mysurveys:answer", args=[survey.pk]), data, follow=True)
    assert "You have already answered this survey round: each person answers once." in again.text
    assert SurveyResponse.objects.count() == 1


def test_an_employee_cannot_answer_a_survey_they_were_not_invited_to(client_for, survey, people, english):
    services.invite(survey=survey, employees=[people["employees"]["employee"]])
    client = client_for("other_employee")
    message = "You were not invited to this survey, so you cannot answer it. If you think you should have been, ask HR."
    page = client.get(reverse("mysurveys:answer", args=[survey.pk]))
    assert page.status_code == 403 and message in page.text and survey.title not in page.text
    data = {f"q{k}": v for k, v in good_answers(survey).items()}
    posted = client.post(reverse("mysurveys:answer", args=[survey.pk]), data)
    assert posted.status_code == 403 and message in posted.text
    assert not SurveyResponse.objects.exists()
    assert client.get(reverse("mysurveys:answer", args=[99999])).status_code == 404


def test_invalid_answers_are_shown_on_their_question(client_for, survey, people, english):
    services.invite(survey=survey, employees=[people["employees"]["employee"]])
    q = {q.kind: q for q in survey.questions.all()}
    response = client_for("employee").post(
        reverse("mysurveys:answer", args=[survey.pk]),
        {f"q{q['rating'].pk}": "9", f"q{q['choice'].pk}": "线上自学", f"q{q['multiple'].pk}": ["不存在的主题"]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"q{q['rating'].pk}"] == ["Rate “课程内容对工作的帮助” with a whole number from 1 to 5."]
    assert errors[f"q{q['multiple'].pk}"] == ["“不存在的主题” is not one of the options of “您最想学习的主题”."]
    assert 'aria-invalid="true"' in response.text
    assert not SurveyResponse.objects.exists()


def test_a_survey_not_open_yet_shows_when_it_opens_and_takes_no_answer(client_for, make_survey, people, english):
    survey = make_survey(opens_at=timezone.now() + timedelta(days=2))
    services.invite(survey=survey, employees=[people["employees"]["employee"]])
    client = client_for("employee")
    assert [i.survey for i in client.get(reverse("mysurveys:list")).context["upcoming"]] == [survey]
    page = client.get(reverse("mysurveys:answer", args=[survey.pk]))
    assert "answers are accepted from then on" in page.text and "survey-form" not in page.text
    data = {f"q{k}": v for k, v in good_answers(survey).items()}
    posted = client.post(reverse("mysurveys:answer", args=[survey.pk]), data)
    assert "answers are accepted from then on" in posted.text
    assert not SurveyResponse.objects.exists()


def test_anonymous_answer_page_says_so_and_the_list_shows_no_date(client_for, make_survey, people, english):
    survey = make_survey(anonymous=True)
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    client = client_for("employee")
    assert "This survey is anonymous." in client.get(reverse("mysurveys:answer", args=[survey.pk])).text
    data = {f"q{k}": v for k, v in good_answers(survey).items()}
    client.post(reverse("mysurveys:answer", args=[survey.pk]), data)
    listing = client.get(reverse("mysurveys:list"))
    assert "Answered anonymously" in listing.text
    page = client.get(reverse("mysurveys:answer", args=[survey.pk]))
    assert "cannot be shown to you either" in page.text and "希望增加案例教学" not in page.text


def test_my_surveys_query_count_does_not_grow(client_for, make_survey, people):
    employee = people["employees"]["employee"]
    client = client_for("employee")
    services.invite(survey=make_survey(), employees=[employee])
    client.get(reverse("mysurveys:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("mysurveys:list"))
    for _i in range(10):
        services.invite(survey=make_survey(), employees=[employee])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("mysurveys:list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_question_form_has_no_inline_script(client_for, survey):
    for url in (reverse("surveys:question_add", args=[survey.pk]), reverse("surveys:results", args=[survey.pk])):
        text = client_for("hr").get(url).text
        assert "<script>" not in text and " onclick=" not in text and " onchange=" not in text

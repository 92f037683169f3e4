"""The engagement pages: the round list, a new round, a round's results by department and topic.

Small groups: a department with 4 answers is hidden for HR and for its manager, one with 5 is
shown; a manager sees only the departments they head (never another department's rows, never
the whole company). Answering goes through the self-service answer page: once, invited only."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from relations.engagement import TOPICS, engagement_round_create
from surveys.models import Survey, SurveyInvitation, SurveyResponse
from surveys.results import ROOT
from surveys.services import respond
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

ATMOSPHERE, STYLE, WORKLOAD, PAY = TOPICS
LIST = reverse("relations:engagement")
NEW = reverse("relations:engagement_new")


def results_url(survey):
    return reverse("relations:engagement_results", args=[survey.pk])


def open_round(people, *, title="2026 年第二季度敬业度调查", previous=None, departments=None, days_ago=1):
    now = timezone.now()
    survey, _ = engagement_round_create(
        title=title,
        opens_at=now - timedelta(days=days_ago),
        closes_at=now + timedelta(days=7),
        previous=previous,
        departments=departments or [],
        whole_company=departments is None,
        actor=people["users"]["hr"],
    )
    return survey


def answer(survey, employee, scores: dict[str, int], *, when=None):
    """scores per topic (every question of the topic gets the same score)."""
    answers = {str(q.pk): scores[q.topic] for q in survey.questions.all() if q.kind == "rating"}
    kwargs = {"now": when, "today": when.date()} if when else {}
    return respond(survey=survey, employee=employee, answers=answers, **kwargs)


def flat(score):
    return dict.fromkeys(TOPICS, score)


@pytest.fixture
def extra(org):
    """One more person in A and three more in B (so A + its sub-team A1 can reach 4 or 5)."""
    return {
        "a": [EmployeeFactory(department=org["a"], name="甲一"), EmployeeFactory(department=org["a"], name="甲二")],
        "b": [EmployeeFactory(department=org["b"], name=n) for n in ("乙一", "乙二", "乙三")],
    }


@pytest.fixture
def four_and_five(people, org, extra):
    """A (with A1) has 4 answers, B has 5, the three HR/payroll people at headquarters 3."""
    survey = open_round(people)
    e = people["employees"]
    for person in (e["manager"], e["employee"], e["team_member"], extra["a"][0]):
        answer(survey, person, flat(2))
    b_scores = [(4, 2), (4, 2), (5, 3), (5, 3), (3, 5)]  # (other topics, workload): means 4.20 and 3.00
    for person, (score, load) in zip([e["other_manager"], e["other_employee"], *extra["b"]], b_scores, strict=True):
        answer(survey, person, {**flat(score), WORKLOAD: load})
    for key in ("hr_admin", "hr", "payroll"):
        answer(survey, e[key], flat(3))
    return survey


@pytest.fixture
def five_and_five(people, org, extra):
    """A (with A1) has 5 answers, B has 5; nobody at headquarters itself."""
    survey = open_round(people)
    e = people["employees"]
    for person in (e["manager"], e["employee"], e["team_member"], *extra["a"]):
        answer(survey, person, flat(4))
    for person in (e["other_manager"], e["other_employee"], *extra["b"]):
        answer(survey, person, flat(3))
    return survey


def rows(response):
    return {r["row"].department_id: r for r in response.context["rows"]}


def topic(row, key):
    return next(c["cell"] for c in row["cells"] if c["cell"].key == key)


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("hr", 200), ("hr_admin", 200), ("manager", 200), ("employee", 403), ("payroll", 403), (None, 302)],
)
def test_who_opens_the_list_and_the_results(client_for, people, four_and_five, role, status):
    c = client_for(role)
    assert c.get(LIST).status_code == status
    assert c.get(results_url(four_and_five)).status_code == status


@pytest.mark.parametrize("role,status", [("hr", 200), ("manager", 403), ("employee", 403), (None, 302)])
def test_only_hr_opens_a_new_round(client_for, people, role, status):
    assert client_for(role).get(NEW).status_code == status
    # HR's incomplete form comes back with its errors; the others are turned away before the form
    assert client_for(role).post(NEW, {"title": "x", "whole_company": "on"}).status_code == status
    assert not Survey.objects.exists()


def test_a_manager_sees_only_rounds_that_invited_their_people(client_for, people, org):
    for_a = open_round(people, title="技术部专项调查", departments=[org["a"]])
    for_b = open_round(people, title="销售部专项调查", departments=[org["b"]])
    other = client_for("other_manager")
    listed = [s.pk for s in other.get(LIST).context["page_obj"]]
    assert listed == [for_b.pk]
    assert other.get(results_url(for_a)).status_code == 404
    assert other.get(results_url(for_b)).status_code == 200
    assert [s.pk for s in client_for("hr").get(LIST).context["page_obj"]] == sorted([for_a.pk, for_b.pk], reverse=True)


def test_a_survey_of_another_kind_is_not_an_engagement_round(client_for, people):
    needs = Survey.objects.create(
        title="培训需求", kind="needs", opens_at=timezone.now(), closes_at=timezone.now() + timedelta(days=1)
    )
    assert client_for("hr").get(results_url(needs)).status_code == 404


# --- the list -------------------------------------------------------------------------------


def test_list_shows_status_and_response_rate_with_search(client_for, people, four_and_five):
    earlier = Survey.objects.create(
        title="2025 年敬业度调查",
        kind="engagement",
        anonymous=True,
        min_group_size=5,
        opens_at=timezone.now() - timedelta(days=300),
        closes_at=timezone.now() - timedelta(days=290),
    )
    c = client_for("hr")
    page = {s.pk: s for s in c.get(LIST).context["page_obj"]}
    current = page[four_and_five.pk]
    assert (current.invited, current.answered, current.rate, current.state) == (13, 12, D(12) / D(13), "open")
    assert "92%" in c.get(LIST).content.decode()
    assert page[earlier.pk].state == "closed" and page[earlier.pk].rate is None
    assert [s.pk for s in c.get(LIST, {"q": "2025"}).context["page_obj"]] == [earlier.pk]
    assert [s.pk for s in c.get(LIST, {"state": "closed"}).context["page_obj"]] == [earlier.pk]
    assert [s.pk for s in c.get(LIST, {"state": "open"}).context["page_obj"]] == [four_and_five.pk]


def test_list_pages_and_keeps_its_query_count(client_for, people, settings, django_assert_max_num_queries):
    settings.HRSUITE_PAGE_SIZE = 3
    for i in range(5):
        open_round(people, title=f"第 {i} 轮")
    c = client_for("manager")
    c.get(LIST)  # warm the session
    with django_assert_max_num_queries(12):
        first = c.get(LIST)
    assert len(first.context["page_obj"]) == 3 and first.context["page_obj"].paginator.count == 5
    assert len(c.get(LIST, {"page": 2}).context["page_obj"]) == 2


# --- results: small groups and scope ---------------------------------------------------------


def test_hr_sees_five_answers_but_not_four(client_for, people, org, four_and_five, english):
    response = client_for("hr").get(results_url(four_and_five))
    got = rows(response)
    assert got[org["a"].pk]["row"].hidden and got[org["a"].pk]["hidden"] == "Hidden: fewer than 5 answers"
    assert got[org["a_team"].pk]["row"].hidden  # inside a hidden department
    b = got[org["b"].pk]
    assert b["row"].responses == 5
    assert [topic(b, t).score for t in TOPICS] == [D("4.20"), D("4.20"), D("3.00"), D("4.20")]
    # the whole company: 4×2 + (4+4+5+5+3) + 3×3 = 38 over 12 answers; workload 8 + 15 + 9 = 32
    whole = got[ROOT]
    assert whole["row"].responses == 12
    assert topic(whole, ATMOSPHERE).score == D("3.17") and topic(whole, WORKLOAD).score == D("2.67")
    html = response.content.decode()
    a_row = html.split(f'data-department="{org["a"].pk}"')[1].split("</tr>")[0]
    assert "Hidden: fewer than 5 answers" in a_row and "data-score" not in a_row
    assert 'data-hidden="1"' in a_row  # the survey engine's marker (surveys/manage/_hidden.html)
    assert 'data-hidden="1"' not in html.split(f'data-department="{org["b"].pk}"')[1].split("</tr>")[0]
    # per-question detail: 11 rating questions, the company-wide cards for HR, comments included
    assert len(response.context["data"].rating_questions) == 11 and len(response.context["cards"]) == 12


def test_a_manager_sees_their_department_hidden_at_four_answers(client_for, people, org, four_and_five):
    response = client_for("manager").get(results_url(four_and_five))
    got = rows(response)
    assert set(got) == {org["a"].pk, org["a_team"].pk}
    assert all(r["row"].hidden for r in got.values())
    assert response.context["cards"] == []  # no company-wide figures for a manager
    html = response.content.decode()
    assert "data-score" not in html and f'data-department="{org["b"].pk}"' not in html


def test_the_manager_of_b_sees_b_and_nothing_of_a(client_for, people, org, four_and_five):
    response = client_for("other_manager").get(results_url(four_and_five))
    got = rows(response)
    assert set(got) == {org["b"].pk}  # not A, not its sub-team, not the whole company
    assert topic(got[org["b"].pk], WORKLOAD).score == D("3.00")
    html = response.content.decode()
    assert f'data-department="{org["a"].pk}"' not in html and f'data-department="{ROOT}"' not in html
    assert org["a"].name not in html and org["a_team"].name not in html


def test_five_answers_are_shown_to_hr_and_the_manager(client_for, people, org, five_and_five):
    for role in ("hr", "manager"):
        got = rows(client_for(role).get(results_url(five_and_five)))
        a = got[org["a"].pk]
        assert not a["row"].hidden and a["row"].responses == 5
        assert [topic(a, t).score for t in TOPICS] == [D("4.00")] * 4
        assert got[org["a_team"].pk]["row"].hidden  # one answer in the sub-team


def test_trend_and_change_since_the_previous_round(client_for, people, org, five_and_five, extra):
    later = open_round(people, title="2026 年第三季度敬业度调查", previous=five_and_five, days_ago=0)
    Survey.objects.filter(pk=five_and_five.pk).update(opens_at=timezone.now() - timedelta(days=60))
    e = people["employees"]
    for person in (e["manager"], e["employee"], e["team_member"], *extra["a"]):
        answer(later, person, {**flat(4), WORKLOAD: 2})
    for person in (e["other_manager"], e["other_employee"], *extra["b"]):
        answer(later, person, flat(5))
    response = client_for("manager").get(results_url(later))
    a = rows(response)[org["a"].pk]
    load = topic(a, WORKLOAD)
    assert (load.score, load.previous, load.change, load.direction) == (D("2.00"), D("4.00"), D("-2.00"), "down")
    assert topic(a, ATMOSPHERE).direction == "same"
    trends = {t["trend"].topic.key: t for t in response.context["trends"]}
    assert set(trends) == set(TOPICS)
    # the manager's trend: their department only, oldest round first
    assert trends[WORKLOAD]["chart"]["datasets"] == [{"label": "技术部", "data": [4.0, 2.0], "spanGaps": True}]
    hr = client_for("hr").get(results_url(later))
    assert [d["data"] for d in {t["trend"].topic.key: t for t in hr.context["trends"]}[PAY]["chart"]["datasets"]] == [
        [3.5, 4.5]
    ]
    focused = client_for("hr").get(results_url(later), {"focus": org["b"].pk})
    assert len(focused.context["trends"][0]["chart"]["datasets"]) == 2  # the company and B
    # a manager asking for another department's trend gets their own
    other = client_for("other_manager").get(results_url(later), {"focus": org["a"].pk})
    assert [d["label"] for d in other.context["trends"][0]["chart"]["datasets"]] == [org["b"].name]


@pytest.mark.usefixtures("own_cache")
def test_results_keep_their_query_count(client_for, people, org, four_and_five, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("manager")
    c.get(results_url(four_and_five))
    cache.clear()  # both measured requests aggregate the answers (no cached round)
    with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as before:
        c.get(results_url(four_and_five))
    for person in [EmployeeFactory(department=org["b"]) for _ in range(10)]:
        SurveyInvitation.objects.create(survey=four_and_five, employee=person)
        answer(four_and_five, person, flat(4))
    with CaptureQueriesContext(connection) as after:
        assert c.get(results_url(four_and_five)).status_code == 200
    assert len(after) == len(before)
    # the next request takes the aggregate from the cache: the answers are not read again
    with CaptureQueriesContext(connection) as warm:
        assert c.get(results_url(four_and_five)).status_code == 200
    assert len(warm) == len(after) - 1
    assert not [q for q in warm.captured_queries if '"answers"' in q["sql"]]


# --- a new round through the page -----------------------------------------------------------


def _form(**overrides):
    now = timezone.localtime()
    data = {
        "title": "2026 年第四季度敬业度调查",
        "previous": "",
        "description": "",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "min_group_size": "5",
    }
    data.update(overrides)
    return data


def test_hr_opens_a_round_for_departments(client_for, people, org):
    response = client_for("hr").post(NEW, _form(departments=[org["b"].pk]))
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == results_url(survey)
    assert survey.kind == "engagement" and survey.anonymous and survey.questions.count() == 12
    assert SurveyInvitation.objects.filter(survey=survey).count() == 2


def test_hr_opens_the_next_round_of_an_earlier_one(client_for, people, org, five_and_five):
    Survey.objects.filter(pk=five_and_five.pk).update(opens_at=timezone.now() - timedelta(days=90))
    response = client_for("hr").post(NEW, _form(previous=five_and_five.pk, whole_company="on"))
    assert response.status_code == 302
    later = Survey.objects.exclude(pk=five_and_five.pk).get()
    assert later.round_of_id == five_and_five.pk
    assert list(later.questions.values_list("topic", "text")) == list(
        five_and_five.questions.values_list("topic", "text")
    )


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({}, "departments"),  # neither departments nor the whole company
        ({"whole_company": "on", "min_group_size": "4"}, "min_group_size"),
        ({"whole_company": "on", "min_group_size": "abc"}, "min_group_size"),
        ({"whole_company": "on", "title": ""}, "title"),
    ],
)
def test_bad_input_on_a_new_round_changes_nothing(client_for, people, overrides, field):
    response = client_for("hr").post(NEW, _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Survey.objects.exists() and not SurveyInvitation.objects.exists()


def test_the_minimum_group_refusal_speaks_to_people(client_for, people, english):
    response = client_for("hr").post(NEW, _form(whole_company="on", min_group_size="3"))
    assert response.context["form"].errors["min_group_size"] == [
        "An engagement round is anonymous: its smallest group shown must be at least 5 answers."
    ]


# --- answering (the survey engine's self-service page) ----------------------------------------


def test_a_second_answer_and_an_uninvited_answer_are_refused(client_for, people, org, english):
    survey = open_round(people, departments=[org["a"]])
    url = reverse("mysurveys:answer", args=[survey.pk])
    form = {f"q{q.pk}": "4" for q in survey.questions.all() if q.kind == "rating"}
    me = client_for("employee")
    assert me.post(url, form).status_code == 302
    again = me.post(url, form, follow=True)
    assert "You have already answered this survey round: each person answers once." in again.content.decode()
    outsider = client_for("other_employee").post(url, form)
    assert outsider.status_code == 403
    assert "You were not invited to this survey" in outsider.content.decode()
    assert SurveyResponse.objects.filter(survey=survey).count() == 1

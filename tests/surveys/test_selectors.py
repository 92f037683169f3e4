"""Survey selectors: results read with a constant number of queries, rounds, counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import selectors
from surveys.models import SurveyInvitation, SurveyResponse
from surveys.results import Hidden, RatingResult
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def add_responses(survey, n, departments, *, rating=4):
    questions = {q.kind: q for q in survey.questions.all()}
    for i in range(n):
        SurveyResponse.objects.create(
            survey=survey,
            department=departments[i % len(departments)],
            submitted_on=survey.opens_at.date(),
            answers={
                str(questions["rating"].pk): rating,
                str(questions["choice"].pk): questions["choice"].options[i % 3],
                str(questions["multiple"].pk): questions["multiple"].options[:2],
                str(questions["text"].pk): f"建议 {i}",
            },
        )


def queries_for(survey) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.survey_results(survey)
    return len(ctx.captured_queries)


def test_results_take_the_same_number_of_queries_for_5_and_50_answers(make_survey, org):
    teams = [DepartmentFactory(parent=org["a"]) for _i in range(4)] + [org["b"]]
    few, many = make_survey(anonymous=True), make_survey(anonymous=True)
    add_responses(few, 5, teams)
    add_responses(many, 50, teams)
    assert queries_for(few) == queries_for(many) <= 6
    assert selectors.survey_results(many).responses == 50


def test_rounds_are_read_in_one_query_and_give_a_trend(make_survey, org):
    first = make_survey(anonymous=True, opens_at=None)
    first.opens_at -= timedelta(days=400)
    first.closes_at -= timedelta(days=390)
    first.save()
    second = make_survey(anonymous=True)
    second.round_of = first
    second.save()
    add_responses(first, 6, [org["a"]], rating=3)
    add_responses(second, 5, [org["a"]], rating=5)
    assert selectors.round_ids(second) == [first.pk, second.pk]
    assert selectors.round_ids(first) == [first.pk]
    single = queries_for(first)
    assert queries_for(second) == single
    outcome = selectors.survey_results(second)
    (trend,) = [t for t in outcome.trends if t.key == "帮助"]
    assert [str(p.value) for p in trend.points] == ["3.00", "5.00"]


def test_an_earlier_round_pointing_back_does_not_loop(make_survey):
    a, b = make_survey(), make_survey()
    a.round_of, b.round_of = b, a
    a.save()
    b.save()
    assert set(selectors.round_ids(a)) == {a.pk, b.pk}


def test_results_group_by_department_with_suppression(make_survey, org):
    survey = make_survey(anonymous=True)
    add_responses(survey, 6, [org["a"]])
    add_responses(survey, 2, [org["a_team"]])
    add_responses(survey, 5, [org["b"]])
    outcome = selectors.survey_results(survey)
    rows = {r.name: r for r in outcome.departments}
    assert (rows["总部"].responses, rows["技术部"].responses, rows["销售部"].responses) == (13, 8, 5)
    assert isinstance(rows["平台组"].responses, Hidden)
    assert isinstance(outcome.questions[0].result, RatingResult)


def test_survey_list_counts(make_survey, people):
    survey = make_survey()
    for role in ("employee", "manager"):
        SurveyInvitation.objects.create(survey=survey, employee=people["employees"][role])
    SurveyInvitation.objects.filter(employee=people["employees"]["employee"]).update(answered_at=survey.opens_at)
    row = selectors.surveys_with_counts().get(pk=survey.pk)
    assert (row.question_count, row.invited, row.answered) == (4, 2, 1)
    assert selectors.invitation_counts(survey) == {"invited": 2, "answered": 1}

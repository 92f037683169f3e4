"""Survey selectors: results read with a constant number of queries, rounds, counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import selectors
from surveys.models import SurveyInvitation, SurveyResponse
from surveys.results import Hidden, RatingResult
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]  # own_cache: tests/relations/fixtures.py


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


# --- aggregated rounds: each round aggregated once per change of what it is computed from ------


def _answers_read(survey) -> tuple[int, object]:
    """(queries that read the answers column, the result) of one aggregated_rounds call."""
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.aggregated_rounds(survey)
    return sum('"answers"' in q["sql"] for q in ctx.captured_queries), result


def _round_pair(make_survey, org):
    first = make_survey(anonymous=True)
    first.opens_at -= timedelta(days=400)
    first.closes_at -= timedelta(days=390)
    first.save()
    second = make_survey(anonymous=True, round_of=first)
    add_responses(first, 6, [org["a"]], rating=3)
    add_responses(second, 7, [org["a"], org["b"]], rating=5)
    return first, second


def test_aggregated_rounds_give_the_same_figures_as_the_engine_on_the_answers(make_survey, org):
    from surveys import results

    _first, second = _round_pair(make_survey, org)
    rounds, outcomes, departments = selectors.aggregated_rounds(second)
    direct_rounds, direct_departments = selectors.results_input(second)
    assert [r.survey_id for r in rounds] == [r.survey_id for r in direct_rounds]
    assert [r.questions for r in rounds] == [r.questions for r in direct_rounds]
    assert all(r.responses == () for r in rounds)  # the answers are not handed on
    expected = [results.aggregate(r, departments=direct_departments) for r in direct_rounds]
    # the free-text list of an anonymous round is shuffled; every other figure must agree
    strip = [o.questions[:-1] for o in outcomes], [o.departments for o in outcomes]
    assert strip == ([o.questions[:-1] for o in expected], [o.departments for o in expected])
    assert [o.responses for o in outcomes] == [6, 7]
    assert set(departments) == set(direct_departments)


def test_a_second_read_takes_the_aggregate_from_the_cache_without_reading_the_answers(make_survey, org):
    _first, second = _round_pair(make_survey, org)
    read, first_result = _answers_read(second)
    assert read == 1
    read, again = _answers_read(second)
    assert read == 0
    assert again[1][-1].departments == first_result[1][-1].departments


def test_a_new_answer_recomputes_only_its_round(make_survey, org):
    first, second = _round_pair(make_survey, org)
    selectors.aggregated_rounds(second)
    add_responses(second, 1, [org["b"]], rating=1)
    with CaptureQueriesContext(connection) as ctx:
        _rounds, outcomes, _d = selectors.aggregated_rounds(second)
    (read,) = [q["sql"] for q in ctx.captured_queries if '"answers"' in q["sql"]]
    assert str(second.pk) in read and str(first.pk) not in read
    assert [o.responses for o in outcomes] == [6, 8]


def test_a_renamed_department_and_an_edited_question_are_not_served_stale(make_survey, org):
    _first, second = _round_pair(make_survey, org)
    selectors.aggregated_rounds(second)
    org["a"].name = "合规部（新）"
    org["a"].save()
    _rounds, outcomes, departments = selectors.aggregated_rounds(second)
    assert departments[org["a"].pk].name == "合规部（新）"
    assert any(row.name == "合规部（新）" for row in outcomes[-1].departments)
    question = second.questions.get(kind="rating")
    question.text = "培训对工作的帮助（修订）"
    question.save()
    rounds, outcomes, _d = selectors.aggregated_rounds(second)
    assert rounds[-1].questions[0].text == "培训对工作的帮助（修订）"
    assert outcomes[-1].questions[0].question.text == "培训对工作的帮助（修订）"


def test_a_changed_group_size_or_anonymity_recomputes_the_round(make_survey, org):
    first, second = _round_pair(make_survey, org)
    _rounds, before, _d = selectors.aggregated_rounds(second)
    assert not isinstance(before[-1].questions[0].result, Hidden)
    assert _answers_read(second)[0] == 0
    second.min_group_size = 8  # more than the round's 7 answers: its figures are now hidden
    second.save()
    with CaptureQueriesContext(connection) as ctx:
        _rounds, outcomes, _d = selectors.aggregated_rounds(second)
    (read,) = [q["sql"] for q in ctx.captured_queries if '"answers"' in q["sql"]]
    assert str(second.pk) in read and str(first.pk) not in read
    assert isinstance(outcomes[-1].questions[0].result, Hidden)
    assert _answers_read(second)[0] == 0
    second.anonymous = False
    second.save()
    read, (_r, outcomes, _d) = _answers_read(second)
    assert read == 1
    assert outcomes[-1].anonymous is False
    assert _answers_read(second)[0] == 0


def test_a_new_aggregate_version_recomputes_every_round(make_survey, org, monkeypatch):
    _first, second = _round_pair(make_survey, org)
    selectors.aggregated_rounds(second)
    monkeypatch.setattr(selectors, "AGGREGATE_VERSION", selectors.AGGREGATE_VERSION + 1)
    with CaptureQueriesContext(connection) as ctx:
        selectors.aggregated_rounds(second)
    (read,) = [q["sql"] for q in ctx.captured_queries if '"answers"' in q["sql"]]
    assert str(_first.pk) in read and str(second.pk) in read

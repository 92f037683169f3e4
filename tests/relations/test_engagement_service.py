"""Opening an engagement round (relations.engagement.engagement_round_create) through the survey
services, and answering it through surveys.services.respond: once per invited person."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relations.engagement import STANDARD_QUESTIONS, TOPICS, EngagementRefused, engagement_round_create
from surveys.models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse
from surveys.services import respond

pytestmark = pytest.mark.django_db


def _open(people, **kwargs):
    now = timezone.now()
    kwargs.setdefault("title", "2026 年第二季度敬业度调查")
    kwargs.setdefault("opens_at", now - timedelta(hours=1))
    kwargs.setdefault("closes_at", now + timedelta(days=14))
    kwargs.setdefault("actor", people["users"]["hr"])
    return engagement_round_create(**kwargs)


def _nothing_created():
    return not Survey.objects.exists() and not SurveyQuestion.objects.exists() and not SurveyInvitation.objects.exists()


def _survey(*, kind="engagement", days_ago=200, questions=()):
    opens = timezone.now() - timedelta(days=days_ago)
    survey = Survey.objects.create(
        title="早先的调查",
        kind=kind,
        anonymous=True,
        min_group_size=5,
        opens_at=opens,
        closes_at=opens + timedelta(days=14),
    )
    for i, spec in enumerate(questions, start=1):
        SurveyQuestion.objects.create(survey=survey, display_order=i, **spec)
    return survey


def _answers(survey, score=4):
    return {str(q.pk): score for q in survey.questions.all() if q.kind == "rating"}


def test_standard_round_for_departments_invites_their_subtrees(people, org):
    survey, outcome = _open(people, departments=[org["a"]])
    assert survey.kind == "engagement" and survey.anonymous and survey.min_group_size == 5
    assert survey.round_of is None and survey.created_by == people["users"]["hr"]
    questions = list(survey.questions.order_by("display_order"))
    assert [(q.kind, q.text, q.topic) for q in questions] == [(q.kind, q.text, q.topic) for q in STANDARD_QUESTIONS]
    ratings = [q for q in questions if q.kind == "rating"]
    assert {q.topic for q in ratings} == set(TOPICS) and all(q.required for q in ratings)
    assert all(2 <= sum(q.topic == t for q in ratings) <= 3 for t in TOPICS)
    assert [q.required for q in questions if q.kind == "text"] == [False]
    invited = set(SurveyInvitation.objects.filter(survey=survey).values_list("employee__user__username", flat=True))
    assert invited == {"manager", "employee", "teammember"}  # A and its sub-team A1
    assert outcome.invited == 3


def test_whole_company_round_skips_people_who_left(people):
    gone = people["employees"]["other_employee"]
    gone.status = "left"
    gone.save()
    survey, outcome = _open(people, whole_company=True)
    assert outcome.invited == 7
    assert not SurveyInvitation.objects.filter(survey=survey, employee=gone).exists()


def test_next_round_copies_questions_and_topics(people, org):
    earlier = _survey(
        questions=[
            {"kind": "rating", "text": "团队氛围融洽", "topic": "团队氛围"},
            {"kind": "choice", "text": "最希望改进的方面", "options": ["薪酬", "培训"], "topic": "改进"},
            {"kind": "text", "text": "建议", "required": False},
        ],
    )
    survey, _outcome = _open(people, departments=[org["b"]], previous=earlier)
    assert survey.round_of == earlier
    copied = list(
        survey.questions.order_by("display_order").values_list("kind", "text", "topic", "options", "required")
    )
    assert copied == [
        ("rating", "团队氛围融洽", "团队氛围", [], True),
        ("choice", "最希望改进的方面", "改进", ["薪酬", "培训"], True),
        ("text", "建议", "", [], False),
    ]
    assert earlier.questions.count() == 3  # the earlier round keeps its own


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"departments": []}, "departments"),
        ({"whole_company": True, "min_group_size": 4}, "min_group_size"),
        ({"whole_company": True, "min_group_size": 1}, "min_group_size"),
        ({"whole_company": True, "title": "  "}, "title"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(people, kwargs, field):
    with pytest.raises(EngagementRefused) as refused:
        _open(people, **kwargs)
    assert field in refused.value.message_dict
    assert _nothing_created()


def test_an_earlier_survey_of_another_kind_is_refused(people):
    needs = _survey(kind="needs", questions=[{"kind": "rating", "text": "课程有帮助"}])
    with pytest.raises(EngagementRefused) as refused:
        _open(people, whole_company=True, previous=needs)
    assert "previous" in refused.value.message_dict
    assert Survey.objects.count() == 1


def test_the_survey_engine_refusals_roll_everything_back(people, org):
    now = timezone.now()
    # closing before opening: survey_save refuses
    with pytest.raises(ValidationError) as refused:
        _open(people, whole_company=True, opens_at=now, closes_at=now - timedelta(days=1))
    assert "closes_at" in refused.value.message_dict
    # already closed: invite refuses, and the survey and its questions are rolled back
    with pytest.raises(ValidationError) as refused:
        _open(people, whole_company=True, opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    assert refused.value.code == "closed"
    assert _nothing_created()


def test_departments_without_people_are_refused(people, db):
    from tests.factories import DepartmentFactory

    empty = DepartmentFactory(name="新设部门")
    with pytest.raises(EngagementRefused) as refused:
        _open(people, departments=[empty])
    assert "departments" in refused.value.message_dict
    assert _nothing_created()


def test_each_invited_person_answers_once_and_nobody_else(people, org):
    survey, _ = _open(people, departments=[org["a"]])
    emps = people["employees"]
    respond(survey=survey, employee=emps["employee"], answers=_answers(survey))
    response = SurveyResponse.objects.get(survey=survey)
    assert response.invitation_id is None and response.department_id == org["a"].pk  # anonymous
    with pytest.raises(ValidationError) as twice:
        respond(survey=survey, employee=emps["employee"], answers=_answers(survey, 2))
    assert twice.value.code == "already_answered"
    with pytest.raises(ValidationError) as outsider:
        respond(survey=survey, employee=emps["other_employee"], answers=_answers(survey))  # B was not invited
    assert outsider.value.code == "not_invited"
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.get().answers == {k: 4 for k in _answers(survey)}

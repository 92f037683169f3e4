"""Survey services: surveys and questions, invitations, answers (each refusal with its message),
and what an anonymous answer leaves behind."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from hrsuite.audit.models import AuditEntry
from hrsuite.notifications.models import Notification
from surveys import services
from surveys.models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse
from tests.surveys.conftest import good_answers

pytestmark = pytest.mark.django_db


def messages_of(exc: ValidationError) -> list[str]:
    return exc.value.messages


def field_errors(exc, field):
    return exc.value.message_dict[field]


# --- surveys --------------------------------------------------------------------------------


def test_survey_must_close_after_it_opens(people, english):
    now = timezone.now()
    survey = Survey(title="反馈", kind="feedback", opens_at=now, closes_at=now - timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.survey_save(survey=survey)
    assert field_errors(exc, "closes_at") == ["The survey must close after it opens."]
    assert not Survey.objects.exists()


def test_anonymous_survey_gets_a_minimum_group_of_five(people):
    now = timezone.now()
    survey = services.survey_save(
        survey=Survey(
            title="敬业度",
            kind="engagement",
            anonymous=True,
            min_group_size=2,
            opens_at=now,
            closes_at=now + timedelta(7),
        ),
        actor=people["users"]["hr"],
    )
    assert survey.min_group_size == 5 and survey.created_by == people["users"]["hr"]
    survey.min_group_size = 8
    assert services.survey_save(survey=survey).min_group_size == 8


def test_the_database_refuses_an_anonymous_survey_showing_small_groups(db):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Survey.objects.create(
            title="x", kind="engagement", anonymous=True, min_group_size=3, opens_at=now, closes_at=now + timedelta(1)
        )


def test_anonymity_and_minimum_are_fixed_once_people_answered(make_survey, people, english):
    survey = make_survey(anonymous=True)
    services.invite(survey=survey, employees=[people["employees"]["employee"]])
    services.respond(survey=survey, employee=people["employees"]["employee"], answers=good_answers(survey))
    survey.anonymous = False
    survey.min_group_size = 1
    with pytest.raises(ValidationError) as exc:
        services.survey_save(survey=survey)
    assert field_errors(exc, "anonymous") == [
        "People have already answered, so the survey cannot switch between anonymous and named."
    ]
    assert field_errors(exc, "min_group_size") == [
        "People have already answered, so the smallest group shown cannot go below 5."
    ]
    assert Survey.objects.get(pk=survey.pk).anonymous


@pytest.mark.parametrize(
    ("kind", "offset", "message"),
    [
        ("feedback", -30, "The earlier round must be a survey of the same kind."),
        ("needs", +30, "The earlier round must open before this survey."),
    ],
)
def test_earlier_round_rules(make_survey, english, kind, offset, message):
    earlier = make_survey(kind=kind, opens_at=timezone.now() + timedelta(days=offset))
    now = timezone.now()
    survey = Survey(title="第二轮", kind="needs", opens_at=now, closes_at=now + timedelta(7), round_of=earlier)
    with pytest.raises(ValidationError) as exc:
        services.survey_save(survey=survey)
    assert field_errors(exc, "round_of") == [message]


# --- questions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("choice", ["只有一个"], "A choice question needs at least two options, one per line."),
        ("multiple", ["", "  "], "A choice question needs at least two options, one per line."),
        ("choice", ["是", "否", "是"], "Each option must be different: “是” appears twice."),
    ],
)
def test_choice_questions_need_two_different_options(make_survey, english, kind, options, message):
    survey = make_survey(questions=[])
    with pytest.raises(ValidationError) as exc:
        services.question_save(question=SurveyQuestion(survey=survey, kind=kind, text="问题", options=options))
    assert message in field_errors(exc, "options")
    assert not survey.questions.exists()


def test_question_save_cleans_options_and_numbers_new_questions(make_survey):
    survey = make_survey()
    choice = services.question_save(
        question=SurveyQuestion(survey=survey, kind="choice", text=" 满意吗？ ", options=[" 是", "否 ", ""])
    )
    rating = services.question_save(
        question=SurveyQuestion(survey=survey, kind="rating", text="打分", options=["x", "y"])
    )
    assert choice.text == "满意吗？" and choice.options == ["是", "否"]
    assert rating.options == []
    assert [choice.display_order, rating.display_order] == [5, 6]


def test_questions_are_locked_once_anyone_answered(make_survey, people, english):
    survey = make_survey()
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    services.respond(survey=survey, employee=employee, answers=good_answers(survey))
    question = survey.questions.first()
    message = "People have already answered this survey, so its questions can no longer change."
    question.text = "改过的问题"
    for call in (
        lambda: services.question_save(question=question),
        lambda: services.question_save(question=SurveyQuestion(survey=survey, kind="text", text="新问题")),
        lambda: services.question_delete(question=question),
        lambda: services.question_reorder(
            survey=survey, question_ids=list(reversed(survey.questions.values_list("pk", flat=True)))
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert messages_of(exc) == [message]
    assert survey.questions.count() == 4
    assert SurveyQuestion.objects.get(pk=question.pk).text == "课程内容对工作的帮助"


def test_reorder_and_move(make_survey, english):
    survey = make_survey()
    ids = list(survey.questions.values_list("pk", flat=True))
    services.question_reorder(survey=survey, question_ids=[ids[3], ids[0], ids[1], ids[2]])
    assert list(survey.questions.values_list("pk", flat=True)) == [ids[3], ids[0], ids[1], ids[2]]
    services.question_move(question=SurveyQuestion.objects.get(pk=ids[0]), up=True)
    assert list(survey.questions.values_list("pk", flat=True)) == [ids[0], ids[3], ids[1], ids[2]]
    with pytest.raises(ValidationError) as exc:
        services.question_reorder(survey=survey, question_ids=ids[:3])
    assert messages_of(exc) == ["The new order must list every question of the survey once."]


# --- invitations ----------------------------------------------------------------------------


def test_invite_is_idempotent_and_notifies_once(make_survey, people):
    survey = make_survey()
    staff = [people["employees"]["employee"], people["employees"]["other_employee"]]
    first = services.invite(survey=survey, employees=staff)
    second = services.invite(survey=survey, employees=[*staff, people["employees"]["manager"]])
    assert (first.invited, first.already) == (2, 0)
    assert (second.invited, second.already) == (1, 2)
    assert SurveyInvitation.objects.filter(survey=survey).count() == 3
    notes = Notification.objects.filter(key=f"survey:{survey.pk}")
    assert notes.count() == 3
    assert notes.filter(recipient=people["users"]["employee"]).count() == 1
    note = notes.get(recipient=people["users"]["employee"])
    assert note.url == f"/me/surveys/{survey.pk}/"
    assert survey.title in note.text


def test_the_database_allows_one_invitation_per_person(make_survey, people):
    survey = make_survey()
    SurveyInvitation.objects.create(survey=survey, employee=people["employees"]["employee"])
    with pytest.raises(IntegrityError):
        SurveyInvitation.objects.create(survey=survey, employee=people["employees"]["employee"])


def test_invite_departments_takes_the_whole_subtree_and_skips_leavers(make_survey, people, org):
    from tests.factories import EmployeeFactory

    EmployeeFactory(department=org["a_team"], status="left", leave_date=date(2025, 1, 1))
    survey = make_survey()
    outcome = services.invite_departments(survey=survey, departments=[org["a"]])
    invited = set(SurveyInvitation.objects.filter(survey=survey).values_list("employee__name", flat=True))
    assert invited == {"manager", "employee", "teammember"}  # 技术部 and its 平台组; not 销售部
    assert outcome.invited == 3
    gone = EmployeeFactory(department=org["b"], status="left", leave_date=date(2025, 1, 1))
    assert services.invite(survey=survey, employees=[gone]).skipped == 1


def test_invite_refused_when_closed_or_without_questions(make_survey, people, english):
    closed = make_survey(opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        services.invite(survey=closed, employees=[people["employees"]["employee"]])
    assert messages_of(exc)[0].startswith("This survey closed on ")
    with pytest.raises(ValidationError) as exc:
        services.invite(survey=make_survey(questions=[]), employees=[people["employees"]["employee"]])
    assert messages_of(exc) == ["Add at least one question before inviting people."]
    assert not SurveyInvitation.objects.exists() and not Notification.objects.filter(key__startswith="survey:").exists()


# --- answers --------------------------------------------------------------------------------


@pytest.fixture
def invited(make_survey, people):
    survey = make_survey()
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    return survey, employee


def test_answer_without_an_invitation_is_refused(make_survey, people, english):
    survey = make_survey()
    with pytest.raises(ValidationError) as exc:
        services.respond(survey=survey, employee=people["employees"]["other_employee"], answers=good_answers(survey))
    assert messages_of(exc) == [
        "You were not invited to this survey, so you cannot answer it. If you think you should have been, ask HR."
    ]
    assert not SurveyResponse.objects.exists()


def test_second_answer_to_the_same_round_is_refused(invited, english):
    survey, employee = invited
    services.respond(survey=survey, employee=employee, answers=good_answers(survey))
    with pytest.raises(ValidationError) as exc:
        services.respond(survey=survey, employee=employee, answers=good_answers(survey))
    assert messages_of(exc) == ["You have already answered this survey round: each person answers once."]
    assert SurveyResponse.objects.count() == 1


def test_answers_before_opening_and_after_closing_are_refused(invited, english):
    survey, employee = invited
    with pytest.raises(ValidationError) as exc:
        services.respond(
            survey=survey, employee=employee, answers=good_answers(survey), now=survey.opens_at - timedelta(minutes=1)
        )
    assert messages_of(exc) == [
        f"This survey opens on {timezone.localtime(survey.opens_at):%Y-%m-%d %H:%M}; answers are accepted from then on."
    ]
    with pytest.raises(ValidationError) as exc:
        services.respond(survey=survey, employee=employee, answers=good_answers(survey), now=survey.closes_at)
    assert messages_of(exc) == [
        f"This survey closed on {timezone.localtime(survey.closes_at):%Y-%m-%d %H:%M}; answers are no longer accepted."
    ]
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get(survey=survey, employee=employee).answered_at is None


def _question(survey, kind):
    return survey.questions.get(kind=kind)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("rating", None, "“课程内容对工作的帮助” is required: please answer it."),
        ("rating", 0, "Rate “课程内容对工作的帮助” with a whole number from 1 to 5."),
        ("rating", 6, "Rate “课程内容对工作的帮助” with a whole number from 1 to 5."),
        ("rating", "五", "Rate “课程内容对工作的帮助” with a whole number from 1 to 5."),
        ("choice", "", "“您更喜欢的培训方式” is required: please answer it."),
        ("choice", "在家自学", "“在家自学” is not one of the options of “您更喜欢的培训方式”."),
        ("choice", ["线上自学", "课堂面授"], "Choose one option only for “您更喜欢的培训方式”."),
        ("multiple", [], "“您最想学习的主题” is required: please answer it."),
        ("multiple", ["Python 数据分析", "炒股"], "“炒股” is not one of the options of “您最想学习的主题”."),
        ("text", "长" * 2001, "The answer to “其他建议” has 2001 characters; shorten it to 2,000 at most."),
    ],
)
def test_invalid_answers_are_refused_with_a_message_on_the_question(invited, english, kind, value, message):
    survey, employee = invited
    question = _question(survey, kind)
    with pytest.raises(ValidationError) as exc:
        services.respond(survey=survey, employee=employee, answers=good_answers(survey, **{str(question.pk): value}))
    assert field_errors(exc, services.answer_field(question.pk)) == [message]
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get(survey=survey, employee=employee).answered_at is None


def test_optional_question_may_be_skipped_and_text_of_2000_characters_is_accepted(invited):
    survey, employee = invited
    text = _question(survey, "text")
    services.respond(survey=survey, employee=employee, answers=good_answers(survey, **{str(text.pk): ""}))
    assert str(text.pk) not in SurveyResponse.objects.get().answers
    SurveyResponse.objects.all().delete()
    SurveyInvitation.objects.update(answered_at=None)
    services.respond(survey=survey, employee=employee, answers=good_answers(survey, **{str(text.pk): "好" * 2000}))
    assert SurveyResponse.objects.get().answers[str(text.pk)] == "好" * 2000


def test_named_response_is_linked_to_the_invitation(invited):
    survey, employee = invited
    response = services.respond(survey=survey, employee=employee, answers=good_answers(survey), today=date(2026, 3, 2))
    invitation = SurveyInvitation.objects.get(survey=survey, employee=employee)
    assert response.invitation == invitation
    assert response.department == employee.department and response.submitted_on == date(2026, 3, 2)
    assert abs(invitation.answered_at - timezone.now()) < timedelta(minutes=1)
    rating = _question(survey, "rating")
    assert response.answers[str(rating.pk)] == 4


def test_anonymous_response_keeps_no_link_no_time_and_no_audit_entry(make_survey, people):
    survey = make_survey(anonymous=True)
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    notes_before = Notification.objects.count()
    audit_before = AuditEntry.objects.count()
    secret = "我的经理从不听取意见"
    text = _question(survey, "text")
    response = services.respond(
        survey=survey, employee=employee, answers=good_answers(survey, **{str(text.pk): secret})
    )

    response = SurveyResponse.objects.get(pk=response.pk)
    assert response.invitation is None
    assert response.department == employee.department
    assert type(response.submitted_on) is date and response.submitted_on == timezone.localdate()
    assert response.pk >= 2**40  # a random key: the rows' order does not tell who answered when
    assert {f.name for f in SurveyResponse._meta.concrete_fields} == {
        "id", "survey", "invitation", "department", "answers", "submitted_on"
    }  # fmt: skip
    invitation = SurveyInvitation.objects.get(survey=survey, employee=employee)
    assert invitation.answered_at == survey.opens_at  # the same value for every respondent: no date of theirs
    assert not hasattr(invitation, "response") or invitation.response is None

    # nothing in the audit log, nothing in notifications
    assert AuditEntry.objects.count() == audit_before
    for model in (SurveyResponse, SurveyInvitation):
        assert not AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model)).exists()
    dump = json.dumps(list(AuditEntry.objects.values("object_repr", "changes", "additional_data")), default=str)
    assert secret not in dump and f'"{response.pk}"' not in dump
    assert Notification.objects.count() == notes_before


def test_two_anonymous_answers_of_one_day_cannot_be_told_apart_from_the_invitations(make_survey, people):
    survey = make_survey(anonymous=True)
    a, b = people["employees"]["employee"], people["employees"]["other_employee"]
    services.invite(survey=survey, employees=[a, b])
    services.respond(survey=survey, employee=a, answers=good_answers(survey), now=survey.opens_at + timedelta(hours=1))
    services.respond(survey=survey, employee=b, answers=good_answers(survey), now=survey.opens_at + timedelta(hours=5))
    stamps = set(SurveyInvitation.objects.filter(survey=survey).values_list("answered_at", flat=True))
    assert stamps == {survey.opens_at}


def test_answers_stay_out_of_logs_and_error_reports(make_survey, people, caplog, monkeypatch):
    import logging
    import sys

    from django.views.debug import ExceptionReporter

    survey = make_survey(anonymous=True)
    employee = people["employees"]["employee"]
    services.invite(survey=survey, employees=[employee])
    secret = "部门负责人经常不在"
    answers = good_answers(survey, **{str(_question(survey, "text").pk): secret})

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SurveyResponse.objects, "create", broken)
    caplog.set_level(logging.DEBUG)
    try:
        services.respond(survey=survey, employee=employee, answers=answers)
    except RuntimeError:
        frames = ExceptionReporter(None, *sys.exc_info()).get_traceback_data()["frames"]
    # what an error e-mail lists, frame by frame (this test's own frame holds the answers, of course)
    shown = repr([(f["function"], f.get("vars")) for f in frames if "/tests/" not in f["filename"]])
    assert "respond" in shown and "'********************'" in shown
    assert secret not in shown
    assert secret not in caplog.text

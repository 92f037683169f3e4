"""The exam engine's services: questions, exams, and attempts (start, autosave, submit,
expiry), with the signal training listens to."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exams import services
from exams.models import AttemptStatus, Choice, Exam, ExamAttempt, Question
from exams.services import ChoiceInput
from exams.signals import attempt_graded
from tests.exams.conftest import add_question, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def graded_signals():
    received = []

    def listener(sender, attempt, **kwargs):
        received.append(attempt)

    attempt_graded.connect(listener, dispatch_uid="test_exam_listener")
    yield received
    attempt_graded.disconnect(dispatch_uid="test_exam_listener")


# --- questions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "answers", "message"),
    [
        ("single", [("甲", True), ("乙", True), ("丙", False)], "exactly one correct answer; 2 are marked"),
        ("single", [("甲", False), ("乙", False)], "Mark the correct answer"),
        ("single", [("甲", True)], "at least two answers"),
        ("multiple", [("甲", False), ("乙", False), ("丙", False)], "at least one answer as correct"),
        ("true_false", [("对", True), ("错", False), ("不确定", False)], "exactly two answers"),
        ("true_false", [("对", True), ("错", True)], "exactly one correct answer"),
        ("single", [("甲", True), (" 甲 ", False)], "Two answers read the same"),
    ],
)
def test_a_question_with_wrong_answers_is_refused(bank, english, kind, answers, message):
    before = Question.objects.count()
    with pytest.raises(ValidationError) as caught:
        add_question(bank, kind, "新题目", answers)
    assert message in " ".join(caught.value.message_dict["choices"])
    assert Question.objects.count() == before


def test_multiple_choice_may_have_several_correct_answers(bank):
    q = add_question(bank, "multiple", "哪些属于可疑交易？", [("甲", True), ("乙", True), ("丙", True), ("丁", False)])
    assert q.choices.filter(is_correct=True).count() == 3


def test_editing_keeps_choice_ids_drops_blank_rows_and_adds_new_ones(bank):
    q = bank.questions.get(text="单选题1")
    first, second, third = q.choices.all()
    services.question_save(
        question=q,
        choices=[
            ChoiceInput("甲（改）", False, first.pk),
            ChoiceInput("", False, second.pk),  # blanked: removed
            ChoiceInput(third.text, True, third.pk),
            ChoiceInput("丁", False),
        ],
    )
    choices = list(q.choices.all())
    assert [c.text for c in choices] == ["甲（改）", "丙0", "丁"]
    assert choices[0].pk == first.pk and choices[1].pk == third.pk and choices[1].is_correct
    assert not Choice.objects.filter(pk=second.pk).exists()


def test_a_drawn_question_cannot_be_deleted_but_can_be_deactivated(exam, people, now, english):
    exam.question_count = 5
    exam.save()
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    drawn = Question.objects.get(pk=attempt.paper[0]["question"])
    with pytest.raises(ValidationError, match="drawn in 1 attempts"):
        services.question_delete(question=drawn)
    services.question_set_active(question=drawn, active=False)
    assert not Question.objects.get(pk=drawn.pk).is_active


def test_deactivating_below_an_active_exams_count_is_refused(exam, english):
    q = exam.bank.questions.first()
    with pytest.raises(ValidationError, match="draws 6 questions from this bank"):
        services.question_set_active(question=q, active=False)
    with pytest.raises(ValidationError, match="draws 6 questions"):
        services.question_delete(question=q)
    exam.is_active = False
    exam.save()
    services.question_delete(question=q)  # no active exam needs it any more
    assert not Question.objects.filter(pk=q.pk).exists()


# --- exams ---------------------------------------------------------------------------------


def test_an_exam_cannot_draw_more_than_the_active_questions(bank, english):
    add_question(bank, "single", "停用的题", [("甲", True), ("乙", False)], active=False)
    exam = Exam(title="太多题", bank=bank, question_count=7, time_limit_minutes=10)
    with pytest.raises(ValidationError) as caught:
        services.exam_save(exam=exam)
    assert "has 6 active questions; the exam cannot draw 7" in caught.value.message_dict["question_count"][0]
    assert not Exam.objects.filter(title="太多题").exists()
    exam.question_count = 6
    services.exam_save(exam=exam)
    assert exam.pk


@pytest.mark.parametrize(
    ("field", "value"), [("pass_mark", 101), ("time_limit_minutes", 0), ("attempts_allowed", 0), ("question_count", 0)]
)
def test_exam_settings_out_of_range_are_refused_by_field(exam, field, value):
    setattr(exam, field, value)
    with pytest.raises(ValidationError) as caught:
        services.exam_save(exam=exam)
    assert field in caught.value.message_dict


# --- attempts ------------------------------------------------------------------------------


def test_starting_freezes_a_paper_and_a_deadline(exam, people, now):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now, rng=random.Random(5))
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.number == 1
    assert attempt.deadline == now + timedelta(minutes=30)
    assert len(attempt.paper) == 6 and len({p["question"] for p in attempt.paper}) == 6
    first = attempt.paper[0]
    question = Question.objects.get(pk=first["question"])
    assert first["text"] == question.text and first["points"] == question.points
    assert first["correct"] == [c.pk for c in question.choices.filter(is_correct=True) if c.pk in first["choices"]]
    # the bank changes afterwards: the attempt's paper does not
    question.text = "改过的题目"
    question.save()
    attempt.refresh_from_db()
    assert attempt.paper[0]["text"] != "改过的题目"


def test_an_attempt_in_progress_is_returned_instead_of_a_new_one(exam, people, now):
    employee = people["employees"]["employee"]
    first = services.attempt_start(exam=exam, employee=employee, now=now)
    again = services.attempt_start(exam=exam, employee=employee, now=now + timedelta(minutes=5))
    assert again.pk == first.pk
    assert ExamAttempt.objects.filter(exam=exam, employee=employee).count() == 1


def test_attempts_beyond_the_limit_are_refused_with_a_message(exam, people, now, english):
    employee = people["employees"]["employee"]
    first = services.attempt_start(exam=exam, employee=employee, now=now)
    services.attempt_submit(attempt=first, answers=wrong_answers(first), now=now + timedelta(minutes=1))
    # the second one runs out of time: an expired attempt counts as used
    second = services.attempt_start(exam=exam, employee=employee, now=now + timedelta(minutes=2))
    assert second.number == 2
    later = now + timedelta(hours=1)
    with pytest.raises(services.AttemptRefused) as caught:
        services.attempt_start(exam=exam, employee=employee, now=later)
    assert caught.value.code == "attempts_used"
    assert caught.value.messages == ["All 2 attempts allowed at “反洗钱考试” have been used."]
    second.refresh_from_db()
    assert second.status == AttemptStatus.EXPIRED  # expired on the way, graded on nothing saved
    assert ExamAttempt.objects.filter(exam=exam, employee=employee).count() == 2
    # another employee is not affected
    assert services.attempt_start(exam=exam, employee=people["employees"]["other_employee"], now=later).number == 1


def test_a_closed_exam_cannot_be_started(exam, people, now, english):
    exam.is_active = False
    exam.save()
    with pytest.raises(services.AttemptRefused, match="is closed"):
        services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)


def test_submitting_grades_and_sends_the_signal_once(exam, people, now, graded_signals):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    answers = right_answers(attempt)
    single = next(p for p in attempt.paper if p["kind"] == "single")
    answers[str(single["question"])] = [c for c in single["choices"] if c not in single["correct"]][:1]
    done = services.attempt_submit(attempt=attempt, answers=answers, now=now + timedelta(minutes=12))
    assert done.status == AttemptStatus.SUBMITTED
    assert (done.points, done.max_points) == (Decimal(7), Decimal(8))  # 3×1 + 2×2 + 1, one single wrong
    assert done.score == Decimal("87.50") and done.passed is True
    assert done.submitted_at == now + timedelta(minutes=12)
    assert [a.pk for a in graded_signals] == [done.pk]
    # submitted twice (a double click, a resent form): the same result, no second signal
    again = services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt), now=now + timedelta(minutes=13))
    assert (again.pk, again.score, again.passed, again.submitted_at) == (done.pk, done.score, True, done.submitted_at)
    assert len(graded_signals) == 1


def test_a_submission_within_the_grace_is_accepted(exam, people, now):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    at = attempt.deadline + services.GRACE
    done = services.attempt_submit(attempt=attempt, answers=right_answers(attempt), now=at)
    assert done.status == AttemptStatus.SUBMITTED and done.score == Decimal("100.00")


def test_a_late_submission_is_refused_expired_and_graded_on_the_saved_answers(
    exam, people, now, graded_signals, english
):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    saved = right_answers(attempt)
    first_three = dict(list(saved.items())[:3])
    services.attempt_save_answers(attempt=attempt, answers=first_three, now=now + timedelta(minutes=10))
    late = attempt.deadline + services.GRACE + timedelta(seconds=1)
    with pytest.raises(services.AttemptRefused) as caught:
        services.attempt_submit(attempt=attempt, answers=saved, now=late)
    assert caught.value.code == "time_over"
    assert "The time limit had passed when the answers arrived" in caught.value.messages[0]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.answers == first_three  # not the late answers
    assert attempt.submitted_at == attempt.deadline
    expected = sum(p["points"] for p in attempt.paper[:3])
    assert attempt.points == expected and attempt.passed is (attempt.score >= 60)
    assert caught.value.attempt.pk == attempt.pk
    assert [a.pk for a in graded_signals] == [attempt.pk]
    # submitting again is refused the same way and grades nothing again
    with pytest.raises(services.AttemptRefused):
        services.attempt_submit(attempt=attempt, answers=saved, now=late)
    assert len(graded_signals) == 1


def test_autosave_keeps_only_answers_on_the_paper_and_is_refused_after_the_deadline(exam, people, now, english):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    item = attempt.paper[0]
    saved = services.attempt_save_answers(
        attempt=attempt, answers={str(item["question"]): [item["choices"][0], 999999], "424242": [1]}, now=now
    )
    assert saved.answers == {str(item["question"]): [item["choices"][0]]}
    with pytest.raises(services.AttemptRefused, match="The time is up") as caught:
        services.attempt_save_answers(attempt=attempt, answers={}, now=attempt.deadline + timedelta(seconds=1))
    assert caught.value.code == "time_over"
    attempt.refresh_from_db()
    assert attempt.answers == saved.answers and attempt.status == AttemptStatus.IN_PROGRESS


def test_autosave_after_submitting_is_refused(exam, people, now):
    attempt = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    services.attempt_submit(attempt=attempt, answers={}, now=now)
    with pytest.raises(services.AttemptRefused) as caught:
        services.attempt_save_answers(attempt=attempt, answers=right_answers(attempt), now=now)
    assert caught.value.code == "closed"


def test_the_periodic_job_expires_abandoned_attempts_once(exam, people, now, graded_signals):
    a = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)
    b = services.attempt_start(
        exam=exam, employee=people["employees"]["other_employee"], now=now + timedelta(minutes=20)
    )
    services.attempt_save_answers(attempt=a, answers=right_answers(a), now=now + timedelta(minutes=1))
    at = a.deadline + services.GRACE + timedelta(seconds=1)
    assert services.expire_overdue_attempts(now=at) == 1
    assert services.expire_overdue_attempts(now=at) == 0
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == AttemptStatus.EXPIRED and a.score == Decimal("100.00") and a.passed
    assert b.status == AttemptStatus.IN_PROGRESS
    assert [x.pk for x in graded_signals] == [a.pk]


def test_passing_completes_the_course_through_trainings_listener(exam, enrolled, people, now):
    from training.models import Enrollment

    employee = people["employees"]["employee"]
    attempt = services.attempt_start(exam=exam, employee=employee, now=now)
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt), now=now + timedelta(minutes=3))
    enrollment = Enrollment.objects.get(employee=employee, course=enrolled)
    assert enrollment.status == "completed" and enrollment.hours == Decimal("4.0")
    other = Enrollment.objects.get(employee=people["employees"]["other_employee"], course=enrolled)
    assert other.status == "enrolled"


def test_a_candidate_without_an_account_takes_an_exam(exam, now):
    """Recruiting's online assessment: no employee; the caller passes the candidate's earlier
    attempts to enforce the limit."""
    first = services.attempt_start(exam=exam, taker_label="候选人 王五", now=now)
    assert first.employee is None and first.taker_label == "候选人 王五" and first.number == 1
    mine = ExamAttempt.objects.filter(pk=first.pk)
    assert services.attempt_start(exam=exam, previous=mine, now=now).pk == first.pk  # in progress: the same
    done = services.attempt_submit(attempt=first, answers=right_answers(first), now=now + timedelta(minutes=5))
    assert done.passed
    second = services.attempt_start(exam=exam, taker_label="候选人 王五", previous=mine, now=now)
    assert second.number == 2
    services.attempt_submit(attempt=second, answers={}, now=now)
    with pytest.raises(services.AttemptRefused):
        services.attempt_start(exam=exam, previous=ExamAttempt.objects.filter(pk__in=[first.pk, second.pk]), now=now)


def test_too_few_active_questions_refuse_the_start(exam, people, now, english):
    Question.objects.filter(pk=exam.bank.questions.first().pk).update(is_active=False)  # behind the service's back
    with pytest.raises(services.AttemptRefused, match="has 5 active questions for 6 to draw"):
        services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now)

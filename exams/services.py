"""Writes of the exam engine: question banks and questions, exams, Excel imports, and attempts
(start, autosave, submit, expiry). Every change goes through here, whoever the caller: HR pages,
the employee's pages, recruiting's online assessments, the periodic job.

Attempts follow one timeline: `attempt_start` freezes a paper and sets the deadline; answers are
autosaved until the deadline; `attempt_submit` is accepted until the deadline plus GRACE (the
network may delay a submission made at the last second); after that the attempt expires and is
graded on the answers saved before the deadline. Every grading sends `signals.attempt_graded`.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from employees.models import Employee

from . import grading
from .models import AttemptStatus, Choice, Exam, ExamAttempt, Question, QuestionBank, QuestionKind
from .signals import attempt_graded

if TYPE_CHECKING:
    from .importing import ImportPlan

GRACE = timedelta(seconds=30)
MAX_CHOICES = 6
MIN_CHOICES = 2
CHOICE_MAX_LENGTH = 500
MAX_POINTS = 100
LETTERS = "ABCDEF"
ANSWERS, CORRECT = "answers", "correct"
USED_UP = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


# --- questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceInput:
    """One answer of a question as entered: its text, whether it is correct, and the id of the
    stored choice it edits (None: a new one)."""

    text: str
    is_correct: bool = False
    id: int | None = None


class ChoiceProblem(NamedTuple):
    about: str  # "answers" (their number or texts) or "correct" (which ones are marked)
    message: str


def choice_problems(kind: str, choices: Sequence[tuple[str, bool]]) -> list[ChoiceProblem]:
    """What is wrong with a question's answers (text, correct), in words; [] when nothing is.
    Shared by the question form and the Excel import, so the rule is written once."""
    problems: list[ChoiceProblem] = []
    texts = [t.strip() for t, _correct in choices]
    correct = sum(1 for _t, c in choices if c)
    if kind == QuestionKind.TRUE_FALSE:
        if len(texts) != 2:
            problems.append(
                ChoiceProblem(ANSWERS, _("A true-or-false question has exactly two answers, such as True and False."))
            )
    elif len(texts) < MIN_CHOICES:
        problems.append(ChoiceProblem(ANSWERS, _("Give at least two answers.")))
    elif len(texts) > MAX_CHOICES:
        problems.append(ChoiceProblem(ANSWERS, _("A question has at most %(max)s answers.") % {"max": MAX_CHOICES}))
    seen: set[str] = set()
    for text in texts:
        key = "".join(text.split()).casefold()
        if key in seen:
            problems.append(ChoiceProblem(ANSWERS, _("Two answers read the same: “%(text)s”.") % {"text": text}))
            break
        seen.add(key)
    if any(len(t) > CHOICE_MAX_LENGTH for t in texts):
        problems.append(
            ChoiceProblem(ANSWERS, _("An answer is at most %(max)s characters long.") % {"max": CHOICE_MAX_LENGTH})
        )
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        if correct == 0:
            problems.append(ChoiceProblem(CORRECT, _("Mark the correct answer.")))
        elif correct > 1:
            problems.append(
                ChoiceProblem(
                    CORRECT,
                    _("This kind of question has exactly one correct answer; %(count)s are marked.")
                    % {"count": correct},
                )
            )
    elif correct == 0:
        problems.append(ChoiceProblem(CORRECT, _("Mark at least one answer as correct.")))
    return problems


def _lock_bank(bank_id: int) -> None:
    """Serialise changes that affect how many active questions a bank has (questions, imports)
    with the exams drawing from it."""
    list(QuestionBank.objects.select_for_update().filter(pk=bank_id).values_list("pk"))


def _check_capacity(bank_id: int, *, active_after: int) -> None:
    """Refuse a change that would leave an active exam unable to draw its questions."""
    exam = (
        Exam.objects.filter(bank_id=bank_id, is_active=True, question_count__gt=active_after)
        .order_by("-question_count")
        .first()
    )
    if exam is not None:
        raise ValidationError(
            _(
                "The exam “%(exam)s” draws %(count)s questions from this bank; this change would leave %(active)s active questions. Lower the exam's number of questions or add questions first."
            )
            % {"exam": exam.title, "count": exam.question_count, "active": active_after},
            code="capacity",
        )


def _active_count(bank_id: int) -> int:
    return Question.objects.filter(bank_id=bank_id, is_active=True).count()


@transaction.atomic
def bank_save(*, bank: QuestionBank) -> QuestionBank:
    bank.name = (bank.name or "").strip()
    bank.full_clean()
    bank.save()
    return bank


@transaction.atomic
def question_save(*, question: Question, choices: Sequence[ChoiceInput]) -> Question:
    """Create or edit a question with its answers (blank answers are ignored). Single choice and
    true/false need exactly one correct answer, multiple choice at least one; true/false has
    exactly two answers. Answers keep their ids when edited, so nothing else has to follow."""
    _lock_bank(question.bank_id)
    question.text = (question.text or "").strip()
    question.explanation = (question.explanation or "").strip()
    entered = [ChoiceInput(c.text.strip(), bool(c.is_correct), c.id) for c in choices if (c.text or "").strip()]
    errors: dict[str, list] = {}
    if not question.points or question.points < 1 or question.points > MAX_POINTS:
        errors["points"] = [_("Points are a whole number from 1 to %(max)s.") % {"max": MAX_POINTS}]
    try:
        question.full_clean(exclude=["points"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    problems = choice_problems(question.kind, [(c.text, c.is_correct) for c in entered])
    if problems:
        errors["choices"] = [p.message for p in problems]
    if errors:
        raise ValidationError(errors)
    if question.pk:
        was_active = Question.objects.filter(pk=question.pk).values_list("is_active", flat=True).first()
        if was_active and not question.is_active:
            _check_capacity(question.bank_id, active_after=_active_count(question.bank_id) - 1)
    question.save()
    existing = {c.pk: c for c in question.choices.all()} if question.pk else {}
    keep: list[Choice] = []
    for order, c in enumerate(entered):
        choice = existing.pop(c.id, None) if c.id is not None else None
        if choice is None:
            choice = Choice(question=question)
        choice.text, choice.is_correct, choice.display_order = c.text, c.is_correct, order
        keep.append(choice)
    if existing:
        Choice.objects.filter(pk__in=list(existing)).delete()
    for choice in keep:
        choice.save()
    return question


def question_attempt_count(question: Question) -> int:
    """How many attempts drew this question (their papers keep a copy of it)."""
    return ExamAttempt.objects.filter(paper__contains=[{"question": question.pk}]).count()


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question that no attempt has drawn; one that was drawn is deactivated instead
    (refused here with that advice), so results keep pointing at it."""
    _lock_bank(question.bank_id)
    used = question_attempt_count(question)
    if used:
        raise ValidationError(
            _(
                "This question was drawn in %(count)s attempts, so it cannot be deleted. Deactivate it: it will no longer be drawn."
            )
            % {"count": used},
            code="used",
        )
    if question.is_active:
        _check_capacity(question.bank_id, active_after=_active_count(question.bank_id) - 1)
    question.delete()


@transaction.atomic
def question_set_active(*, question: Question, active: bool) -> Question:
    _lock_bank(question.bank_id)
    question = Question.objects.get(pk=question.pk)
    if question.is_active == active:
        return question
    if not active:
        _check_capacity(question.bank_id, active_after=_active_count(question.bank_id) - 1)
    question.is_active = active
    question.save(update_fields=["is_active"])
    return question


# --- exams -----------------------------------------------------------------------------------


@transaction.atomic
def exam_save(*, exam: Exam) -> Exam:
    """Create or edit an exam. It cannot draw more questions than its bank has active ones."""
    exam.title = (exam.title or "").strip()
    errors: dict[str, list] = {}
    try:
        exam.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    checks = (
        ("question_count", exam.question_count, 1, None, _("Draw at least one question.")),
        ("time_limit_minutes", exam.time_limit_minutes, 1, None, _("The time limit is at least one minute.")),
        ("pass_mark", exam.pass_mark, 0, 100, _("The pass mark is a percentage from 0 to 100.")),
        ("attempts_allowed", exam.attempts_allowed, 1, None, _("Allow at least one attempt.")),
    )
    for field, value, low, high, message in checks:
        if field not in errors and value is not None and (value < low or (high is not None and value > high)):
            errors[field] = [message]
    if exam.bank_id and "question_count" not in errors and exam.question_count:
        _lock_bank(exam.bank_id)
        active = _active_count(exam.bank_id)
        if exam.question_count > active:
            errors["question_count"] = [
                _(
                    "The bank “%(bank)s” has %(active)s active questions; the exam cannot draw %(count)s. Lower the number or add questions to the bank."
                )
                % {"bank": exam.bank.name, "active": active, "count": exam.question_count}
            ]
    if errors:
        raise ValidationError(errors)
    exam.save()
    return exam


# --- attempts --------------------------------------------------------------------------------


class AttemptRefused(ValidationError):
    """A refused step of an attempt. `attempt` is its state after the refusal (None when no
    attempt exists), so the caller can show the result of an attempt that expired."""

    def __init__(self, message, *, code: str, attempt: ExamAttempt | None = None):
        super().__init__(message, code=code)
        self.attempt = attempt


def is_overdue(attempt: ExamAttempt, now: datetime) -> bool:
    """Past the deadline and the grace for a submission on its way."""
    return attempt.status == AttemptStatus.IN_PROGRESS and now > attempt.deadline + GRACE


def freeze_item(item: dict, question: Question) -> dict:
    """Copy onto a drawn paper item what grading and review need, so later edits of the bank
    change neither (see grading's module docstring)."""
    choices = {c.pk: c for c in question.choices.all()}
    return {
        **item,
        "points": question.points,
        "correct": [pk for pk in item["choices"] if choices[pk].is_correct],
        "text": question.text,
        "explanation": question.explanation,
        "choice_texts": [choices[pk].text for pk in item["choices"]],
    }


def _late_refusal(attempt: ExamAttempt) -> AttemptRefused:
    return AttemptRefused(
        _(
            "The time limit had passed when the answers arrived, so they were not accepted. The attempt was graded on the answers saved before %(deadline)s."
        )
        % {"deadline": _local_time(attempt.deadline)},
        code="time_over",
        attempt=attempt,
    )


def _local_time(value: datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%H:%M:%S")


def _grade(attempt: ExamAttempt, answers: Mapping | None, *, status: str, at: datetime) -> ExamAttempt:
    """Grade and close a locked attempt, then tell the listeners (training completes a course)."""
    attempt.answers = grading.clean_answers(attempt.paper, answers)
    result = grading.grade_paper(attempt.paper, attempt.answers, pass_mark=attempt.exam.pass_mark)
    attempt.points, attempt.max_points = result.points, result.max_points
    attempt.score, attempt.passed = result.score, result.passed
    attempt.status, attempt.submitted_at = status, at
    attempt.save(update_fields=["answers", "points", "max_points", "score", "passed", "status", "submitted_at"])
    attempt_graded.send(sender=ExamAttempt, attempt=attempt)
    return attempt


def _expire(attempt: ExamAttempt) -> ExamAttempt:
    """Time ran out: grade what was saved before the deadline; closed at the deadline."""
    return _grade(attempt, attempt.answers, status=AttemptStatus.EXPIRED, at=attempt.deadline)


def _locked(attempt: ExamAttempt) -> ExamAttempt:
    return ExamAttempt.objects.select_for_update(of=("self",)).select_related("exam", "employee").get(pk=attempt.pk)


def attempt_start(
    *,
    exam: Exam,
    employee: Employee | None = None,
    taker_label: str = "",
    now: datetime,
    previous: QuerySet[ExamAttempt] | None = None,
    rng: random.Random | None = None,
) -> ExamAttempt:
    """Start an attempt and freeze its paper; or return the taker's attempt in progress.

    Refused (AttemptRefused) when the exam is closed, when the taker has used every attempt
    allowed (submitted and expired ones count) or when the bank has too few active questions.
    An employee's attempts are found by `employee`; a taker without an employee record (a
    candidate) is known only to the caller, who passes the taker's earlier attempts as
    `previous` (without it, every call starts attempt 1). `rng` fixes the draw in tests.

    An attempt of the taker left open past its time is expired first, in its own transaction,
    so that a refusal does not undo it."""
    with transaction.atomic():
        for attempt in _earlier(exam, employee, previous).filter(status=AttemptStatus.IN_PROGRESS):
            if is_overdue(attempt, now):
                _expire(attempt)
    return _start(exam=exam, employee=employee, taker_label=taker_label, now=now, previous=previous, rng=rng)


def _earlier(exam: Exam, employee: Employee | None, previous: QuerySet[ExamAttempt] | None) -> QuerySet[ExamAttempt]:
    """The taker's attempts at `exam`, locked, oldest first (call inside a transaction)."""
    if employee is not None:
        # one start at a time per employee: two clicks cannot both pass the checks below
        list(Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk"))
        earlier = ExamAttempt.objects.filter(exam=exam, employee=employee)
    elif previous is not None:
        earlier = previous.filter(exam=exam)
    else:
        earlier = ExamAttempt.objects.none()
    return earlier.select_for_update(of=("self",)).select_related("exam").order_by("number")


@transaction.atomic
def _start(
    *,
    exam: Exam,
    employee: Employee | None,
    taker_label: str,
    now: datetime,
    previous: QuerySet[ExamAttempt] | None,
    rng: random.Random | None,
) -> ExamAttempt:
    attempts = list(_earlier(exam, employee, previous))
    for attempt in attempts:
        if attempt.status == AttemptStatus.IN_PROGRESS:
            if not is_overdue(attempt, now):
                return attempt
            _expire(attempt)
    exam = Exam.objects.select_related("bank").get(pk=exam.pk)
    if not exam.is_active:
        raise AttemptRefused(_("The exam “%(exam)s” is closed.") % {"exam": exam.title}, code="exam_closed")
    used = sum(1 for a in attempts if a.status in USED_UP)
    if used >= exam.attempts_allowed:
        raise AttemptRefused(
            _("All %(allowed)s attempts allowed at “%(exam)s” have been used.")
            % {"allowed": exam.attempts_allowed, "exam": exam.title},
            code="attempts_used",
        )
    questions = {q.pk: q for q in exam.bank.questions.filter(is_active=True).prefetch_related("choices")}
    specs = [grading.QuestionSpec(q.pk, q.kind, tuple(c.pk for c in q.choices.all())) for q in questions.values()]
    try:
        paper = grading.draw_paper(
            specs,
            count=exam.question_count,
            rng=rng or random.Random(secrets.randbits(64)),  # noqa: S311 (a draw, not a secret)
            shuffle=exam.shuffle,
        )
    except grading.NotEnoughQuestions as exc:
        raise AttemptRefused(
            _(
                "The exam “%(exam)s” cannot be started: its question bank has %(available)s active questions for %(wanted)s to draw. Tell HR."
            )
            % {"exam": exam.title, "available": exc.available, "wanted": exc.wanted},
            code="not_enough_questions",
        ) from exc
    number = max((a.number for a in attempts), default=0) + 1
    return ExamAttempt.objects.create(
        exam=exam,
        employee=employee,
        taker_label=(taker_label or "").strip()[:100],
        number=number,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline=now + timedelta(minutes=exam.time_limit_minutes),
        paper=[freeze_item(item, questions[item["question"]]) for item in paper],
        answers={},
    )


@transaction.atomic
def attempt_save_answers(*, attempt: ExamAttempt, answers: Mapping | None, now: datetime) -> ExamAttempt:
    """Autosave: replace the saved answers. Refused once the attempt is closed or its deadline
    has passed (what was saved before stays)."""
    attempt = _locked(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptRefused(_("This attempt is already closed."), code="closed", attempt=attempt)
    if now > attempt.deadline:
        raise AttemptRefused(_("The time is up: answers can no longer be saved."), code="time_over", attempt=attempt)
    attempt.answers = grading.clean_answers(attempt.paper, answers)
    attempt.save(update_fields=["answers"])
    return attempt


def attempt_submit(*, attempt: ExamAttempt, answers: Mapping | None, now: datetime) -> ExamAttempt:
    """Submit and grade an attempt (answers None: those saved). Submitting twice returns the
    graded attempt unchanged. After the deadline plus GRACE the answers are refused: the attempt
    is expired, graded on the answers saved before the deadline, and AttemptRefused is raised
    with the expired attempt. The expiry is committed before raising, so this function runs its
    own transaction instead of being decorated."""
    attempt, refusal = _submit(attempt=attempt, answers=answers, now=now)
    if refusal is not None:
        raise refusal
    return attempt


@transaction.atomic
def _submit(
    *, attempt: ExamAttempt, answers: Mapping | None, now: datetime
) -> tuple[ExamAttempt, AttemptRefused | None]:
    attempt = _locked(attempt)
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt, None
    if attempt.status == AttemptStatus.EXPIRED:
        return attempt, _late_refusal(attempt)
    if is_overdue(attempt, now):
        return _expire(attempt), _late_refusal(attempt)
    return _grade(
        attempt, attempt.answers if answers is None else answers, status=AttemptStatus.SUBMITTED, at=now
    ), None


@transaction.atomic
def attempt_expire_if_overdue(*, attempt: ExamAttempt, now: datetime) -> ExamAttempt:
    """Close an attempt whose time ran out (idempotent); others are returned as they are."""
    attempt = _locked(attempt)
    if is_overdue(attempt, now):
        _expire(attempt)
    return attempt


def expire_overdue_attempts(*, now: datetime) -> int:
    """Periodic: expire and grade every attempt left open past its deadline (the taker closed
    the page). Each attempt in its own transaction; returns how many were expired."""
    expired = 0
    overdue = ExamAttempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=now - GRACE)
    for pk in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            # skip_locked: an attempt being submitted right now is left to its submission
            attempt = (
                ExamAttempt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("exam")
                .filter(pk=pk)
                .first()
            )
            if attempt is not None and is_overdue(attempt, now):
                _expire(attempt)
                expired += 1
    return expired


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    created: int
    skipped: int
    audit_entry_id: int


class ImportConflict(ValidationError):
    """The bank changed between checking and writing."""


@transaction.atomic
def bank_import(*, bank: QuestionBank, plan: ImportPlan, actor, request=None) -> ImportSummary:
    """Write a checked import plan into `bank`: every question or none. Questions already in the
    bank (same kind and text) are skipped. One audit entry records the import."""
    from hrsuite.audit.models import AuditEvent
    from hrsuite.audit.services import audit_record

    from .importing import question_key

    if not plan.is_valid:
        raise ValueError("bank_import needs a plan without errors")
    _lock_bank(bank.pk)
    present = {question_key(kind, text) for kind, text in bank.questions.values_list("kind", "text")}
    new = [row for row in plan.rows if question_key(row.kind, row.text) not in present]
    questions = Question.objects.bulk_create(
        [
            Question(
                bank=bank, kind=row.kind, text=row.text, explanation=row.explanation, points=row.points, is_active=True
            )
            for row in new
        ]
    )
    Choice.objects.bulk_create(
        [
            Choice(question=question, text=text, is_correct=correct, display_order=order)
            for question, row in zip(questions, new, strict=True)
            for order, (text, correct) in enumerate(row.choices)
        ]
    )
    entry = audit_record(
        event=AuditEvent.ACTION,
        request=request,
        actor=actor,
        obj=bank,
        details={
            "action": "question_import",
            "file": plan.filename,
            "sha256": plan.sha256,
            "rows": len(plan.rows),
            "created": len(new),
            "skipped": len(plan.rows) - len(new),
        },
    )
    return ImportSummary(len(new), len(plan.rows) - len(new), entry.pk)

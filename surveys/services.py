"""Writes of the survey engine: surveys and their questions, invitations, answers.

Used by the survey pages and, unchanged, by training (needs and course-feedback surveys),
offboarding (exit interviews) and employee relations (anonymous engagement surveys).

Anonymous surveys: `respond` stores the answers with the department and the date only
(`invitation` empty, a random primary key so the rows' order says nothing about who answered
when), marks the invitation answered with the same value for everyone, writes no audit entry
(SurveyResponse and SurveyInvitation are not registered with the audit log), sends no
notification and logs nothing. The answers are kept out of error reports too.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from employees.choices import EmployeeStatus
from employees.models import Department, Employee

from . import results
from .models import QuestionKind, Survey, SurveyInvitation, SurveyQuestion, SurveyResponse

MAX_TEXT_LENGTH = 2000
MAX_OPTIONS = 30
MAX_OPTION_LENGTH = 200
CHOICE_KINDS = (QuestionKind.CHOICE, QuestionKind.MULTIPLE)
# primary keys of anonymous responses: random, far above anything the sequence will reach
_RANDOM_PK_RANGE = (2**40, 2**62)


def answer_field(question_id: int) -> str:
    """The name under which an answer's error is reported (and the answer form's field name)."""
    return f"q{question_id}"


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def has_responses(survey: Survey) -> bool:
    return SurveyResponse.objects.filter(survey=survey).exists()


def _refuse_if_answered(survey: Survey) -> None:
    if has_responses(survey):
        raise ValidationError(
            _("People have already answered this survey, so its questions can no longer change."),
            code="has_responses",
        )


# --- surveys --------------------------------------------------------------------------------


@transaction.atomic
def survey_save(*, survey: Survey, actor=None) -> Survey:
    """Create or update a survey. Closing must come after opening; an anonymous survey shows no
    group of fewer than five answers (a smaller minimum is raised to five). Once people have
    answered, anonymity cannot be switched and the minimum group cannot be lowered."""
    errors: dict[str, list[str]] = {}
    if survey.opens_at and survey.closes_at and survey.closes_at <= survey.opens_at:
        errors.setdefault("closes_at", []).append(_("The survey must close after it opens."))
    if not survey.min_group_size or survey.min_group_size < 1:
        survey.min_group_size = 1
    if survey.anonymous and survey.min_group_size < results.ANONYMOUS_MIN_GROUP:
        survey.min_group_size = results.ANONYMOUS_MIN_GROUP
    earlier = survey.round_of
    if earlier is not None:
        if survey.pk and earlier.pk == survey.pk:
            errors.setdefault("round_of", []).append(_("A survey cannot be its own earlier round."))
        elif earlier.kind != survey.kind:
            errors.setdefault("round_of", []).append(_("The earlier round must be a survey of the same kind."))
        elif survey.opens_at and earlier.opens_at >= survey.opens_at:
            errors.setdefault("round_of", []).append(_("The earlier round must open before this survey."))
    if survey.pk:
        before = Survey.objects.select_for_update().get(pk=survey.pk)
        if has_responses(survey):
            if before.anonymous != survey.anonymous:
                errors.setdefault("anonymous", []).append(
                    _("People have already answered, so the survey cannot switch between anonymous and named.")
                )
            if survey.min_group_size < before.min_group_size:
                errors.setdefault("min_group_size", []).append(
                    _("People have already answered, so the smallest group shown cannot go below %(n)s.")
                    % {"n": before.min_group_size}
                )
    if errors:
        raise ValidationError(errors)
    if survey.pk is None and actor is not None and getattr(actor, "is_authenticated", False):
        survey.created_by = actor
    survey.save()
    return survey


# --- questions ------------------------------------------------------------------------------


def _clean_options(question: SurveyQuestion) -> list[str]:
    options = [str(o).strip() for o in (question.options or []) if str(o).strip()]
    if question.kind not in CHOICE_KINDS:
        return []
    errors = []
    if len(options) < 2:
        errors.append(_("A choice question needs at least two options, one per line."))
    if len(options) > MAX_OPTIONS:
        errors.append(_("A question can have at most %(n)s options.") % {"n": MAX_OPTIONS})
    seen = set()
    for o in options:
        if o in seen:
            errors.append(_("Each option must be different: “%(option)s” appears twice.") % {"option": o})
        seen.add(o)
        if len(o) > MAX_OPTION_LENGTH:
            errors.append(
                _("The option “%(option)s…” is longer than %(n)s characters.")
                % {"option": o[:20], "n": MAX_OPTION_LENGTH}
            )
    if errors:
        raise ValidationError({"options": errors})
    return options


@transaction.atomic
def question_save(*, question: SurveyQuestion) -> SurveyQuestion:
    """Add or change a question. Choice questions need two different options or more; rating and
    text questions keep none. Refused once anyone has answered the survey."""
    Survey.objects.select_for_update().filter(pk=question.survey_id).first()
    _refuse_if_answered(question.survey)
    question.text = (question.text or "").strip()
    if not question.text:
        raise ValidationError({"text": _("Write the question.")})
    if question.kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose the kind of question.")})
    question.options = _clean_options(question)
    question.topic = (question.topic or "").strip()
    if question.pk is None and not question.display_order:
        last = SurveyQuestion.objects.filter(survey_id=question.survey_id).aggregate(m=Max("display_order"))["m"]
        question.display_order = (last or 0) + 1
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: SurveyQuestion) -> None:
    Survey.objects.select_for_update().filter(pk=question.survey_id).first()
    _refuse_if_answered(question.survey)
    question.delete()


@transaction.atomic
def question_reorder(*, survey: Survey, question_ids: Sequence[int]) -> None:
    """Put the survey's questions in the given order (every question of the survey, once)."""
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    _refuse_if_answered(survey)
    current = list(SurveyQuestion.objects.filter(survey=survey).values_list("pk", flat=True))
    wanted = [int(i) for i in question_ids]
    if sorted(current) != sorted(wanted) or len(set(wanted)) != len(wanted):
        raise ValidationError(_("The new order must list every question of the survey once."), code="bad_order")
    for position, pk in enumerate(wanted, start=1):
        SurveyQuestion.objects.filter(pk=pk).update(display_order=position)


@transaction.atomic
def question_move(*, question: SurveyQuestion, up: bool) -> None:
    """Swap a question with the one before (up) or after it."""
    ids = list(SurveyQuestion.objects.filter(survey_id=question.survey_id).values_list("pk", flat=True))
    i = ids.index(question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    question_reorder(survey=question.survey, question_ids=ids)


# --- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    invited: int  # new invitations
    already: int  # people invited before
    skipped: int  # people who have left


def _answer_url(survey: Survey) -> str:
    try:
        return reverse("mysurveys:answer", args=[survey.pk])
    except NoReverseMatch:  # the self-service pages are not mounted (a project without them)
        return ""


@transaction.atomic
def invite(*, survey: Survey, employees: Iterable[Employee]) -> InviteResult:
    """Invite people to a survey. Inviting someone twice changes nothing (one invitation per
    person: a unique constraint); each invitee is notified once (notification key
    "survey:<id>"). People who have left are skipped. Refused once the survey has closed or
    while it has no questions."""
    from hrsuite.notifications.services import notify

    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.closes_at <= timezone.now():
        raise ValidationError(
            _("This survey closed on %(date)s. Move its closing time later before inviting more people.")
            % {"date": _local(survey.closes_at)},
            code="closed",
        )
    if not SurveyQuestion.objects.filter(survey=survey).exists():
        raise ValidationError(_("Add at least one question before inviting people."), code="no_questions")
    people = {e.pk: e for e in employees}
    left = {pk for pk, e in people.items() if e.status == EmployeeStatus.LEFT}
    wanted = [pk for pk in people if pk not in left]
    existing = set(
        SurveyInvitation.objects.filter(survey=survey, employee_id__in=wanted).values_list("employee_id", flat=True)
    )
    new = [pk for pk in wanted if pk not in existing]
    SurveyInvitation.objects.bulk_create(
        [SurveyInvitation(survey=survey, employee_id=pk) for pk in new], ignore_conflicts=True, batch_size=1000
    )
    users = [
        e.user
        for e in Employee.objects.filter(pk__in=wanted, user__isnull=False, user__is_active=True).select_related("user")
    ]
    if users:
        notify(
            recipients=users,
            key=f"survey:{survey.pk}",
            message=gettext_noop("Please answer the survey “%(title)s” by %(closes)s."),
            params={"title": survey.title, "closes": _local(survey.closes_at)},
            url=_answer_url(survey),
        )
    return InviteResult(invited=len(new), already=len(existing), skipped=len(left))


@transaction.atomic
def invite_departments(*, survey: Survey, departments: Iterable[Department]) -> InviteResult:
    """Invite everyone (who has not left) in the departments and all their sub-departments."""
    from django.db.models import Q

    condition = Q()
    for d in departments:
        condition |= Q(department__path__startswith=d.path)
    if not condition:
        return InviteResult(0, 0, 0)
    people = Employee.objects.filter(condition).exclude(status=EmployeeStatus.LEFT).only("pk", "status", "user_id")
    return invite(survey=survey, employees=people)


# --- answers --------------------------------------------------------------------------------


@sensitive_variables("answers", "value", "clean")
def clean_answers(*, questions: Sequence[SurveyQuestion], answers: Mapping[Any, Any]) -> dict[str, Any]:
    """The answers as they are stored ({"<question id>": value}), or a ValidationError naming
    each question that is missing or wrong (keys from `answer_field`)."""
    by_key = {str(q.pk): q for q in questions}
    given = {str(k): v for k, v in answers.items()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = [k for k in given if k not in by_key and results.answered(given[k])]
    if unknown:
        errors["__all__"] = [
            _("Some answers do not belong to a question of this survey. Reload the page and try again.")
        ]
    for key, q in by_key.items():
        value = given.get(key)
        field = answer_field(q.pk)
        if isinstance(value, str):
            value = value.strip() if q.kind != QuestionKind.TEXT else value
        if not results.answered(value) or (isinstance(value, str) and not value.strip()):
            if q.required:
                errors[field] = [_("“%(question)s” is required: please answer it.") % {"question": q.text}]
            continue
        if q.kind == QuestionKind.RATING:
            score = results.rating_value(value)
            if score is None:
                errors[field] = [_("Rate “%(question)s” with a whole number from 1 to 5.") % {"question": q.text}]
            else:
                clean[key] = score
        elif q.kind in CHOICE_KINDS:
            values = value if isinstance(value, list | tuple) else [value]
            if q.kind == QuestionKind.CHOICE and len(values) > 1:
                errors[field] = [_("Choose one option only for “%(question)s”.") % {"question": q.text}]
                continue
            bad = [str(v) for v in values if v not in q.options]
            if bad:
                errors[field] = [
                    _("“%(answer)s” is not one of the options of “%(question)s”.")
                    % {"answer": bad[0][:50], "question": q.text}
                ]
                continue
            picked = list(dict.fromkeys(values))
            clean[key] = picked if q.kind == QuestionKind.MULTIPLE else picked[0]
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT_LENGTH:
                errors[field] = [
                    _("The answer to “%(question)s” has %(length)s characters; shorten it to %(max)s at most.")
                    % {"question": q.text, "length": len(text), "max": f"{MAX_TEXT_LENGTH:,}"}
                ]
            else:
                clean[key] = text
    if errors:
        raise ValidationError(errors)
    return clean


def _random_pk() -> int:
    return secrets.randbelow(_RANDOM_PK_RANGE[1] - _RANDOM_PK_RANGE[0]) + _RANDOM_PK_RANGE[0]


@sensitive_variables()  # every local of every frame below, the atomic wrapper's arguments included
@transaction.atomic
def respond(
    *,
    survey: Survey,
    employee: Employee,
    answers: Mapping[Any, Any],
    today: date | None = None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Store one person's answers to a survey.

    Refused (ValidationError with a translated message) when the person was not invited, has
    already answered this survey round, the survey is not open at `now` (default: the current
    time), or an answer is missing or invalid (errors keyed by `answer_field`). `today` is the
    date stored with the response (default: the local date of `now`).

    Anonymous survey: the response keeps the department and the date only; the invitation is
    marked answered with the survey's opening time (the same for everyone)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    invitation = SurveyInvitation.objects.select_for_update().filter(survey=survey, employee=employee).first()
    if invitation is None:
        raise ValidationError(
            _(
                "You were not invited to this survey, so you cannot answer it. If you think you should have been, ask HR."
            ),
            code="not_invited",
        )
    if invitation.answered_at is not None:
        raise ValidationError(
            _("You have already answered this survey round: each person answers once."), code="already_answered"
        )
    if now < survey.opens_at:
        raise ValidationError(
            _("This survey opens on %(date)s; answers are accepted from then on.") % {"date": _local(survey.opens_at)},
            code="not_open",
        )
    if now >= survey.closes_at:
        raise ValidationError(
            _("This survey closed on %(date)s; answers are no longer accepted.") % {"date": _local(survey.closes_at)},
            code="closed",
        )
    clean = clean_answers(questions=list(survey.questions.all()), answers=answers)
    if survey.anonymous:
        response = SurveyResponse.objects.create(
            pk=_random_pk(),
            survey=survey,
            invitation=None,
            department_id=employee.department_id,
            answers=clean,
            submitted_on=today,
        )
        invitation.answered_at = survey.opens_at
    else:
        response = SurveyResponse.objects.create(
            survey=survey,
            invitation=invitation,
            department_id=employee.department_id,
            answers=clean,
            submitted_on=today,
        )
        invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    return response

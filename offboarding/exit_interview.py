"""The exit interview (离职面谈): a short named survey of kind "exit" sent to the leaver alone,
built with the surveys app's services, once per case and linked on case.exit_survey.

The leaver answers at /me/surveys/ (the surveys self-service pages) while their login works, so
HR sends it before access is revoked. The answers are HR's only: the survey results pages
(/training/surveys/<id>/results/) require "hrsuite.manage_training", which only HR holds, and
nothing in offboarding shows the answers to the department head or the successor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.choices import EmployeeStatus
from surveys import services as survey_services
from surveys.models import QuestionKind, Survey, SurveyKind, SurveyQuestion

from .choices import CaseStatus, EventKind
from .models import SeparationCase
from .services import CaseRefused, lock_case, record_event

MIN_OPEN_DAYS = 3  # the leaver gets at least three days to answer

# (kind, text, options, required, topic): English sources, stored in the company's language
QUESTIONS = [
    (
        QuestionKind.CHOICE,
        gettext_lazy("What is the main reason you are leaving?"),
        [
            gettext_lazy("Pay and benefits"),
            gettext_lazy("Career growth"),
            gettext_lazy("My manager"),
            gettext_lazy("Workload and work–life balance"),
            gettext_lazy("Personal or family reasons"),
            gettext_lazy("A better offer elsewhere"),
            gettext_lazy("Other"),
        ],
        True,
        "exit_reason",
    ),
    (QuestionKind.TEXT, gettext_lazy("What would have kept you with us?"), [], False, "exit_keep"),
    (QuestionKind.RATING, gettext_lazy("How satisfied were you with your manager?"), [], True, "exit_manager"),
    (QuestionKind.RATING, gettext_lazy("How satisfied were you with your pay and benefits?"), [], True, "exit_pay"),
    (QuestionKind.RATING, gettext_lazy("How satisfied were you with your growth here?"), [], True, "exit_growth"),
    (
        QuestionKind.CHOICE,
        gettext_lazy("Would you recommend us as an employer?"),
        [gettext_lazy("Yes"), gettext_lazy("Maybe"), gettext_lazy("No")],
        True,
        "exit_recommend",
    ),
]


@dataclass(frozen=True)
class ExitInterviewResult:
    survey: Survey
    created: bool  # False: it had been sent before, nothing changed


def _closes_at(case: SeparationCase, now: datetime) -> datetime:
    """Midnight after the last working day, and at least three days from now."""
    end_of_last_day = timezone.make_aware(datetime.combine(case.last_working_day + timedelta(days=1), time.min))
    return max(end_of_last_day, now + timedelta(days=MIN_OPEN_DAYS))


@transaction.atomic
def exit_interview_send(*, case: SeparationCase, actor) -> ExitInterviewResult:
    """Create the case's exit interview and invite the leaver (HR). Sent once per case: a second
    call returns the existing survey. Refused for a cancelled case and when the leaver cannot
    answer (no login, access revoked, or already left)."""
    locked = lock_case(case)
    if locked.exit_survey_id:
        case.exit_survey_id = locked.exit_survey_id
        return ExitInterviewResult(survey=Survey.objects.get(pk=locked.exit_survey_id), created=False)
    if locked.status == CaseStatus.CANCELLED:
        raise CaseRefused(_("This case was cancelled; no exit interview is sent."), code="cancelled")
    employee = locked.employee
    user = employee.user if employee.user_id else None
    if user is None or not user.is_active or locked.revoked_at is not None:
        raise CaseRefused(
            _(
                "%(name)s can no longer sign in (no login, or access already revoked), so they cannot answer the "
                "exit interview. Hold it in person instead."
            )
            % {"name": employee.name},
            code="no_login",
        )
    if employee.status == EmployeeStatus.LEFT:
        raise CaseRefused(_("%(name)s has already left.") % {"name": employee.name}, code="left")
    now = timezone.now()
    # stored in the company's language, as HR would have typed it
    with translation.override(settings.LANGUAGE_CODE):
        survey = survey_services.survey_save(
            survey=Survey(
                title=_("Exit interview · %(name)s") % {"name": employee.name},
                kind=SurveyKind.EXIT,
                description=_(
                    "Thank you for your time with us. Your answers help us improve; only HR reads them, and they do "
                    "not affect your separation or your references."
                ),
                anonymous=False,
                min_group_size=1,
                opens_at=now,
                closes_at=_closes_at(locked, now),
            ),
            actor=actor,
        )
        for order, (kind, text, options, required, topic) in enumerate(QUESTIONS, start=1):
            survey_services.question_save(
                question=SurveyQuestion(
                    survey=survey,
                    kind=kind,
                    text=str(text),
                    options=[str(o) for o in options],
                    required=required,
                    display_order=order,
                    topic=topic,
                )
            )
    survey_services.invite(survey=survey, employees=[employee])
    locked.exit_survey = survey
    locked.save(update_fields=["exit_survey"])
    case.exit_survey = survey
    record_event(
        case=locked,
        kind=EventKind.EXIT_INTERVIEW,
        actor=actor,
        comment=_("Exit interview sent to %(name)s (open until %(closes)s).")
        % {"name": employee.name, "closes": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")},
    )
    return ExitInterviewResult(survey=survey, created=True)

"""Interviews and scorecards: HR schedules an interview of an application at the interview
stage with one or more interviewers (employees who can sign in), who are told in-app; each
interviewer submits one scorecard (a 1–5 rating per criterion of recruiting.scorecards, a
recommendation, comments); the interview is done when every interviewer has submitted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.notifications.models import Level
from hrsuite.notifications.services import notify, source_text
from hrsuite.roles import Role, users_with_role

from .choices import InterviewKind, InterviewStatus, Recommendation, Stage
from .models import Application, Interview, Scorecard
from .scorecards import CRITERIA, RATING_MAX, RATING_MIN
from .services_pipeline import require_manager_of_recruiting

DURATION_MIN, DURATION_MAX = 10, 480
MAX_INTERVIEWERS = 10
COMMENTS_MAX = 5000


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def interview_schedule(
    *,
    application: Application,
    starts_at: datetime,
    duration_minutes: int,
    kind: str,
    location: str,
    interviewers: Sequence[Employee],
    actor,
    now: datetime | None = None,
) -> Interview:
    """Schedule an interview (HR). The application must be at the interview stage, the time in
    the future, and every interviewer an active employee who can sign in."""
    require_manager_of_recruiting(actor)
    now = now or timezone.now()
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("candidate", "posting")
        .get(pk=application.pk)
    )
    errors: dict[str, list[str]] = {}
    if locked.stage != Stage.INTERVIEW:
        raise ValidationError(
            _("Interviews can be scheduled only while the application is at the interview stage."), code="stage"
        )
    if starts_at is None or starts_at <= now:
        errors["starts_at"] = [_("Choose a time in the future.")]
    if duration_minutes is None or not DURATION_MIN <= duration_minutes <= DURATION_MAX:
        errors["duration_minutes"] = [
            _("The duration is from %(min)s to %(max)s minutes.") % {"min": DURATION_MIN, "max": DURATION_MAX}
        ]
    if kind not in InterviewKind.values:
        errors["kind"] = [_("Choose the kind of interview.")]
    people = list({e.pk: e for e in interviewers}.values())
    if not people:
        errors["interviewers"] = [_("Choose at least one interviewer.")]
    elif len(people) > MAX_INTERVIEWERS:
        errors["interviewers"] = [_("Choose at most %(max)s interviewers.") % {"max": MAX_INTERVIEWERS}]
    else:
        found = {
            e.pk: e
            for e in Employee.objects.filter(pk__in=[p.pk for p in people], user__isnull=False, user__is_active=True)
            .exclude(status=EmployeeStatus.LEFT)
            .select_related("user")
        }
        unable = [p.name for p in people if p.pk not in found]
        if unable:
            errors["interviewers"] = [
                _("These people cannot sign in to submit a scorecard: %(names)s.") % {"names": "、".join(unable)}
            ]
        people = list(found.values())
    location = (location or "").strip()
    if len(location) > 200:
        errors["location"] = [_("The place or link is at most 200 characters long.")]
    if errors:
        raise ValidationError(errors)
    interview = Interview.objects.create(
        application=locked,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        kind=kind,
        location=location,
        scheduled_by=actor,
    )
    interview.interviewers.set(people)
    users = [p.user for p in people]
    params = {
        "name": locked.candidate.name,
        "posting": locked.posting.title,
        "when": _when(starts_at),
        "kind": source_text(interview.get_kind_display()),
        "_i18n": ["kind"],
    }
    transaction.on_commit(
        lambda: notify(
            recipients=users,
            key=f"interview:{interview.pk}:scheduled",
            message=gettext_noop("You interview %(name)s for %(posting)s on %(when)s (%(kind)s)."),
            params=params,
            url=reverse("recruiting:scorecard", args=[interview.pk]),
        )
    )
    return interview


@transaction.atomic
def interview_cancel(*, interview: Interview, actor) -> Interview:
    """Cancel a scheduled interview (HR); its interviewers are told."""
    require_manager_of_recruiting(actor)
    locked = (
        Interview.objects.select_for_update(of=("self",)).select_related("application__candidate").get(pk=interview.pk)
    )
    if locked.status != InterviewStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled interview can be cancelled."), code="status")
    locked.status = InterviewStatus.CANCELLED
    locked.save(update_fields=["status"])
    interview.status = locked.status
    users = [e.user for e in locked.interviewers.select_related("user") if e.user_id]
    name, when = locked.application.candidate.name, _when(locked.starts_at)
    transaction.on_commit(
        lambda: notify(
            recipients=users,
            key=f"interview:{locked.pk}:cancelled",
            message=gettext_noop("The interview with %(name)s on %(when)s was cancelled."),
            params={"name": name, "when": when},
            level=Level.WARNING,
        )
    )
    return locked


def clean_ratings(ratings: Mapping | None) -> dict[str, int]:
    """Every criterion rated with a whole number 1–5 (ValidationError naming what is missing)."""
    ratings = ratings or {}
    clean: dict[str, int] = {}
    missing = []
    for criterion in CRITERIA:
        value = ratings.get(criterion.key)
        number: int | None
        try:
            number = int(value) if value is not None else None
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or not RATING_MIN <= number <= RATING_MAX:
            missing.append(str(criterion.label))
        else:
            clean[criterion.key] = number
    if missing:
        raise ValidationError(
            _("Rate every criterion from %(min)s to %(max)s: %(names)s.")
            % {"min": RATING_MIN, "max": RATING_MAX, "names": "、".join(missing)},
            code="ratings",
        )
    return clean


@transaction.atomic
def scorecard_submit(
    *,
    interview: Interview,
    interviewer: Employee,
    ratings: Mapping,
    recommendation: str,
    comments: str = "",
    now: datetime | None = None,
) -> Scorecard:
    """An interviewer's scorecard, once per interviewer and interview. When the last
    interviewer submits, the interview is done and HR is told."""
    now = now or timezone.now()
    locked = (
        Interview.objects.select_for_update(of=("self",))
        .select_related("application__candidate", "application__posting")
        .get(pk=interview.pk)
    )
    interviewer_ids = set(locked.interviewers.values_list("pk", flat=True))
    if interviewer is None or interviewer.pk not in interviewer_ids:
        raise PermissionDenied(_("Only an interviewer of this interview can submit a scorecard."))
    if locked.status == InterviewStatus.CANCELLED:
        raise ValidationError(_("This interview was cancelled."), code="cancelled")
    if Scorecard.objects.filter(interview=locked, interviewer=interviewer).exists():
        raise ValidationError(_("You have already submitted your scorecard for this interview."), code="twice")
    if locked.starts_at > now:
        raise ValidationError(
            _("The interview starts at %(when)s; submit the scorecard after it.") % {"when": _when(locked.starts_at)},
            code="too_early",
        )
    errors: dict[str, list[str]] = {}
    try:
        clean = clean_ratings(ratings)
    except ValidationError as exc:
        errors["ratings"] = exc.messages
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [_("Choose a recommendation.")]
    comments = (comments or "").strip()
    if len(comments) > COMMENTS_MAX:
        errors["comments"] = [_("Comments are at most %(max)s characters long.") % {"max": COMMENTS_MAX}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            card = Scorecard.objects.create(
                interview=locked,
                interviewer=interviewer,
                ratings=clean,
                recommendation=recommendation,
                comments=comments,
            )
    except IntegrityError as exc:  # submitted a moment ago from another tab
        raise ValidationError(_("You have already submitted your scorecard for this interview."), code="twice") from exc
    submitted = set(locked.scorecards.values_list("interviewer_id", flat=True))
    if locked.status == InterviewStatus.SCHEDULED and interviewer_ids <= submitted:
        locked.status = InterviewStatus.DONE
        locked.save(update_fields=["status"])
        application = locked.application
        transaction.on_commit(
            lambda: notify(
                recipients=users_with_role(Role.HR),
                key=f"interview:{locked.pk}:scorecards",
                message=gettext_noop("Every scorecard of the interview with %(name)s (%(posting)s) is in."),
                params={"name": application.candidate.name, "posting": application.posting.title},
                url=reverse("recruiting:application_detail", args=[application.pk]),
            )
        )
    interview.status = locked.status
    return card

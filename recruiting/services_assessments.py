"""Online assessments by private, expiring link.

HR (or the move to the assessment stage) sends an invitation: a random token (256 bits,
`secrets.token_urlsafe(32)`) goes into the link e-mailed to the candidate; only its SHA-256 is
stored, so the database does not hold a usable link. The link works until `expires_at`
(posting.assessment_days after sending) and for one attempt: starting takes an attempt of the
posting's exam through the exam engine (its time limit, autosave and grading apply); submitting
grades it, marks the link used, puts the score on the application and tells HR in-app.

A new invitation closes the earlier open one (expires_at = now). A rejected application, or one
that has left the assessment stage, no longer opens its link.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from exams import services as exam_services
from exams.models import AttemptStatus, ExamAttempt
from hrsuite.notifications.services import notify
from hrsuite.roles import Role, users_with_role

from .choices import Stage
from .models import Application, AssessmentInvite

TOKEN_BYTES = 32


class InviteClosed(ValidationError):
    """A link that cannot be used (any more). `code` is "expired", "used" or "closed"."""


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invite_for_token(token: str) -> AssessmentInvite | None:
    """The invitation a link's token names (None for an unknown or malformed token)."""
    if not token or len(token) > 100:
        return None
    return (
        AssessmentInvite.objects.select_related("exam", "application__candidate", "application__posting", "attempt")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invite_url(token: str) -> str:
    from django.conf import settings

    return settings.HRSUITE_BASE_URL + reverse("assessment:intro", args=[token])


def invite_problem(invite: AssessmentInvite, now: datetime) -> InviteClosed | None:
    """Why the link cannot be used now, or None. A started attempt is governed by the exam's time
    limit, not by the link's expiry."""
    if invite.used_at is not None:
        return InviteClosed(_("This assessment has already been completed. Thank you."), code="used")
    application = invite.application
    if application.stage != Stage.ASSESSMENT:
        return InviteClosed(_("This assessment link is no longer valid."), code="closed")
    in_progress = invite.attempt is not None and invite.attempt.status == AttemptStatus.IN_PROGRESS
    if invite.expires_at <= now and not in_progress:
        return InviteClosed(
            _("This assessment link has expired. Please contact HR if you need a new one."), code="expired"
        )
    return None


@transaction.atomic
def invite_send(*, application: Application, actor) -> AssessmentInvite:
    """Send (or resend) the posting's assessment to the candidate. The returned invitation
    carries the token in `.token` (not stored) for the caller that needs the link itself."""
    from .services_pipeline import require_manager_of_recruiting

    require_manager_of_recruiting(actor)
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("posting__assessment", "candidate")
        .get(pk=application.pk)
    )
    exam = locked.posting.assessment
    if exam is None:
        raise ValidationError(
            _("This posting has no online assessment. Choose one on the posting first."), code="no_exam"
        )
    if locked.stage != Stage.ASSESSMENT:
        raise ValidationError(
            _("An assessment can be sent only while the application is at the assessment stage."), code="stage"
        )
    if not exam.is_active:
        raise ValidationError(_("The exam “%(exam)s” is closed.") % {"exam": exam.title}, code="exam_closed")
    now = timezone.now()
    locked.assessment_invites.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invite = AssessmentInvite.objects.create(
        application=locked,
        exam=exam,
        token_hash=token_hash(token),
        expires_at=now + timedelta(days=locked.posting.assessment_days),
        created_by=actor,
    )
    from .tasks import send_assessment_invite

    transaction.on_commit(lambda: send_assessment_invite.delay(invite.pk, token))
    invite.token = token  # type: ignore[attr-defined]  # for the caller only; never stored
    return invite


def invite_start(*, invite: AssessmentInvite, now: datetime) -> ExamAttempt:
    """Start (or continue) the candidate's attempt. Raises InviteClosed or the exam engine's
    AttemptRefused. The engine commits an overdue attempt's expiry on its own, so this function
    is not one transaction; the invitation is attached to the attempt in one."""
    problem = invite_problem(invite, now)
    if problem is not None:
        raise problem
    application = invite.application
    attempt = exam_services.attempt_start(
        exam=invite.exam,
        employee=None,
        taker_label=application.candidate.name,
        now=now,
        previous=ExamAttempt.objects.filter(assessment_invite__application=application),
    )
    with transaction.atomic():
        locked = AssessmentInvite.objects.select_for_update().get(pk=invite.pk)
        if locked.attempt_id != attempt.pk:
            # an attempt begun from an earlier link continues under this one
            AssessmentInvite.objects.filter(attempt=attempt).exclude(pk=locked.pk).update(attempt=None)
            locked.attempt = attempt
        locked.started_at = locked.started_at or now
        locked.save(update_fields=["attempt", "started_at"])
    invite.attempt, invite.started_at = attempt, locked.started_at
    return attempt


def invite_submit(*, invite: AssessmentInvite, answers: Mapping | None, now: datetime) -> ExamAttempt:
    """Submit and grade the candidate's answers, then record the result on the application.
    Past the time limit the engine grades the answers saved before the deadline (and refuses the
    late ones); the result is recorded either way. Returns the graded attempt."""
    current = invite.attempt
    if current is None:
        raise InviteClosed(_("This assessment has not been started."), code="not_started")
    try:
        attempt = exam_services.attempt_submit(attempt=current, answers=answers, now=now)
    except exam_services.AttemptRefused as exc:
        attempt = exc.attempt or current
    invite.attempt = attempt
    invite_record_result(invite=invite)
    return attempt


@transaction.atomic
def invite_record_result(*, invite: AssessmentInvite) -> bool:
    """Once the attempt is graded (submitted or expired): mark the link used, put the score on
    the application and tell HR. Idempotent; returns whether it recorded now."""
    locked = (
        AssessmentInvite.objects.select_for_update(of=("self",))
        .select_related("attempt", "application__candidate", "application__posting")
        .get(pk=invite.pk)
    )
    attempt = locked.attempt
    if locked.used_at is not None or attempt is None or attempt.status not in exam_services.USED_UP:
        return False
    locked.used_at = attempt.submitted_at or timezone.now()
    locked.save(update_fields=["used_at"])
    application = Application.objects.select_for_update().get(pk=locked.application_id)
    application.assessment_score = attempt.score
    application.save(update_fields=["assessment_score"])
    invite.used_at = locked.used_at
    candidate, posting = locked.application.candidate, locked.application.posting
    transaction.on_commit(
        lambda: notify(
            recipients=users_with_role(Role.HR),
            key=f"assessment-done:{locked.pk}",
            message=gettext_noop("%(name)s completed the assessment for %(posting)s: %(score)s%%."),
            params={"name": candidate.name, "posting": posting.title, "score": str(attempt.score)},
            url=reverse("recruiting:application_detail", args=[application.pk]),
        )
    )
    return True


def on_attempt_graded(sender, attempt, **kwargs) -> None:
    """Receiver for exams.signals.attempt_graded (an assessment expired by the periodic job):
    record the result of the invitation that owns the attempt."""
    invite = AssessmentInvite.objects.filter(attempt=attempt, used_at__isnull=True).first()
    if invite is not None:
        invite_record_result(invite=invite)


def results_sync_one(*, invite: AssessmentInvite, now: datetime) -> bool:
    """Expire the invitation's attempt if its time ran out, then record a graded result."""
    attempt = invite.attempt
    if attempt is None or invite.used_at is not None:
        return False
    if exam_services.is_overdue(attempt, now):
        invite.attempt = exam_services.attempt_expire_if_overdue(attempt=attempt, now=now)
    return invite_record_result(invite=invite)


def results_sync(*, now: datetime) -> int:
    """Periodic safety net: record the results of graded attempts not yet recorded (the
    candidate closed the page and the time ran out). Returns how many were recorded."""
    pending = AssessmentInvite.objects.filter(used_at__isnull=True, attempt__isnull=False).select_related("attempt")
    return sum(results_sync_one(invite=invite, now=now) for invite in pending)


def latest_invite(application: Application) -> AssessmentInvite | None:
    return application.assessment_invites.select_related("attempt", "exam").first()

"""Writes of the pipeline pages (the application page and the board): moving an application,
rejecting it (optionally telling the candidate by e-mail) and adding a note. Every stage change
goes through recruiting.services.move_stage; these add who may do it and the side effects
(an assessment invitation on a move to "assessment", the rejection e-mail)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import InterviewStatus, Stage
from .models import Application, AssessmentInvite, StageChange
from .services import StageRefused, move_stage

MANAGE = "hrsuite.manage_recruiting"
NOTE_MAX = 2000


def require_manager_of_recruiting(actor) -> None:
    """Only HR moves applications (managers follow them read-only)."""
    if actor is None or not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Only HR can change an application."))


@transaction.atomic
def application_move(*, application: Application, to: str, actor, note: str = "") -> Application:
    """Move to an allowed next stage (not "hired": hiring goes through the offer's hire service;
    a rejection goes through application_reject). A move to "assessment" e-mails the posting's
    assessment to the candidate."""
    require_manager_of_recruiting(actor)
    if to == Stage.HIRED:
        raise StageRefused(_("A candidate is hired by recording the accepted offer, not from the board."), code="hire")
    if to == Stage.REJECTED:
        return application_reject(application=application, reason=note, notify_candidate=False, actor=actor)
    moved = move_stage(application=application, to=to, actor=actor, note=(note or "").strip()[:NOTE_MAX])
    if to == Stage.ASSESSMENT and moved.posting.assessment_id:
        from .services_assessments import invite_send

        invite_send(application=moved, actor=actor)
    return moved


@transaction.atomic
def application_reject(*, application: Application, reason: str, notify_candidate: bool, actor) -> Application:
    """Reject with a reason (required). Open assessment links are closed and scheduled interviews
    cancelled; when asked, the candidate gets a polite e-mail (once, after the commit)."""
    require_manager_of_recruiting(actor)
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise StageRefused(_("The reason is at most %(max)s characters long.") % {"max": NOTE_MAX}, code="too_long")
    rejected = move_stage(application=application, to=Stage.REJECTED, actor=actor, rejection_reason=reason)
    now = timezone.now()
    AssessmentInvite.objects.filter(application=rejected, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    from .services_interviews import interview_cancel

    for interview in rejected.interviews.filter(status=InterviewStatus.SCHEDULED):
        interview_cancel(interview=interview, actor=actor)
    if notify_candidate:
        from .tasks import send_rejection_email

        transaction.on_commit(lambda: send_rejection_email.delay(rejected.pk))
    return rejected


@transaction.atomic
def application_note_add(*, application: Application, note: str, actor) -> StageChange:
    """A note on the timeline (a StageChange that stays in the current stage)."""
    require_manager_of_recruiting(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write the note first."), code="empty")
    if len(note) > NOTE_MAX:
        raise ValidationError(_("A note is at most %(max)s characters long.") % {"max": NOTE_MAX}, code="too_long")
    locked = Application.objects.select_for_update().get(pk=application.pk)
    return StageChange.objects.create(
        application=locked, from_stage=locked.stage, to_stage=locked.stage, actor=actor, note=note
    )

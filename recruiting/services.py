"""The pipeline's one way to move an application between stages (used by the board, by the
assessment, offer and hire services): checked against workflows.TRANSITIONS under a row lock,
recorded as a StageChange with who and when (and in the audit log, as Application is
registered with django-auditlog)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Stage
from .models import Application, StageChange
from .workflows import can_move


class StageRefused(ValidationError):
    pass


def _label(stage: str) -> str:
    return str(dict(Stage.choices).get(stage, stage))


@transaction.atomic
def move_stage(*, application: Application, to: str, actor, note: str = "", rejection_reason: str = "") -> Application:
    """Move `application` to stage `to`, or raise StageRefused (nothing saved). A rejection
    needs a reason. Hiring goes through recruiting.services_offers.hire, which calls this."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if to not in Stage.values:
        raise StageRefused(_("Unknown stage."), code="unknown_stage")
    if not can_move(locked.stage, to):
        raise StageRefused(
            _("An application cannot move from “%(from)s” to “%(to)s”.")
            % {"from": _label(locked.stage), "to": _label(to)},
            code="transition",
        )
    reason = (rejection_reason or "").strip()
    if to == Stage.REJECTED and not reason:
        raise StageRefused(_("Give a reason for the rejection."), code="reason_required")
    previous = locked.stage
    locked.stage = to
    locked.stage_changed_at = timezone.now()
    if to == Stage.REJECTED:
        locked.rejection_reason = reason
    locked.save(update_fields=["stage", "stage_changed_at", "rejection_reason"])
    StageChange.objects.create(
        application=locked, from_stage=previous, to_stage=to, actor=actor, note=(note or reason).strip()
    )
    application.stage = locked.stage
    application.stage_changed_at = locked.stage_changed_at
    application.rejection_reason = locked.rejection_reason
    return locked

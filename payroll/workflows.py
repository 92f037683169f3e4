"""The pay-run state machine: one table of allowed moves and one guarded transition."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record

from .choices import RunStatus as S
from .models import PayRun

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "calculate": (frozenset({S.DRAFT, S.CALCULATED}), S.CALCULATING),
    "calculation_done": (frozenset({S.CALCULATING}), S.CALCULATED),
    # the chunk tasks could not be queued (the broker was down): back to draft, to calculate again
    "calculation_failed": (frozenset({S.CALCULATING}), S.DRAFT),
    "approve": (frozenset({S.CALCULATED}), S.APPROVED),
    "return": (frozenset({S.APPROVED}), S.CALCULATED),
    "finalize": (frozenset({S.APPROVED}), S.FINALIZED),
    "publish": (frozenset({S.FINALIZED}), S.PUBLISHED),
    "cancel": (frozenset({S.DRAFT, S.CALCULATED, S.APPROVED}), S.CANCELLED),
}


def allowed(run: PayRun, action: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return run.status in sources


@transaction.atomic
def transition(run: PayRun, action: str, *, actor=None, request=None, details: dict | None = None, **changes) -> PayRun:
    """Lock the run, refuse a move not in the table, apply it with `changes`, record it."""
    locked = PayRun.objects.select_for_update().get(pk=run.pk)
    sources, target = TRANSITIONS[action]
    if locked.status not in sources:
        raise ValidationError(
            _("A run that is %(status)s cannot be %(action)s.")
            % {"status": locked.get_status_display(), "action": ACTION_LABELS.get(action, action)}
        )
    before = locked.status
    locked.status = target
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(
        event=AuditEvent.ACTION,
        request=request,
        actor=actor,
        obj=locked,
        details={"action": action, "from": before, "to": target, **(details or {})},
    )
    return locked


ACTION_LABELS = {
    "calculate": pgettext_lazy("run action", "calculated"),
    "calculation_done": pgettext_lazy("run action", "completed"),
    "calculation_failed": pgettext_lazy("run action", "stopped"),
    "approve": pgettext_lazy("run action", "approved"),
    "return": pgettext_lazy("run action", "returned"),
    "finalize": pgettext_lazy("run action", "finalised"),
    "publish": pgettext_lazy("run action", "published"),
    "cancel": pgettext_lazy("run action", "cancelled"),
}

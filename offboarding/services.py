"""The one way to change a case's status (checked against workflows.CASE_TRANSITIONS under a row
lock) and to record what happened on a case (CaseEvent, with who and when)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import CaseStatus
from .models import CaseEvent, HandoverItem, SeparationCase
from .workflows import case_can_move


class CaseRefused(ValidationError):
    pass


def record_event(
    *, case: SeparationCase, kind: str, actor=None, item: HandoverItem | None = None, comment: str = ""
) -> CaseEvent:
    return CaseEvent.objects.create(case=case, item=item, kind=kind, actor=actor, comment=(comment or "").strip())


def lock_case(case: SeparationCase) -> SeparationCase:
    return SeparationCase.objects.select_for_update(of=("self",)).select_related("employee").get(pk=case.pk)


@transaction.atomic
def case_move(*, case: SeparationCase, to: str, actor, event: str, comment: str = "") -> SeparationCase:
    """Move `case` to status `to` (or raise CaseRefused, nothing saved) and record `event`."""
    locked = lock_case(case)
    if not case_can_move(locked.status, to):
        labels = dict(CaseStatus.choices)
        raise CaseRefused(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": labels.get(locked.status, locked.status), "to": labels.get(to, to)},
            code="transition",
        )
    locked.status = to
    locked.save(update_fields=["status"])
    record_event(case=locked, kind=event, actor=actor, comment=comment)
    case.status = to
    return locked

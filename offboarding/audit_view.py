"""Reads for a case's audit page: everything that happened on the case (its CaseEvents) and what
the leaver did in the audit log in the 30 days before the last working day (or before today, if
that comes first): pages and records viewed, exports, downloads, revealed values, sign-ins. Failed
sign-ins carry no actor; they are matched by the login they named. Sign-in attempts after access
was revoked are listed on their own.

Counts per event come from one grouped query; the rows are paged by the view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hrsuite.audit.models import AuditEntry, AuditEvent

from .models import CaseEvent, SeparationCase

WINDOW_DAYS = 30
# what the leaver did (changes to records are on the records' own history)
ACTIVITY_EVENTS = (
    AuditEvent.VIEW,
    AuditEvent.EXPORT,
    AuditEvent.DOWNLOAD,
    AuditEvent.REVEAL,
    AuditEvent.LOGIN,
    AuditEvent.LOGIN_FAILED,
    AuditEvent.LOGOUT,
)
# exports and downloads take data out of the system: the page makes them stand out
SENSITIVE_EVENTS = (AuditEvent.EXPORT, AuditEvent.DOWNLOAD, AuditEvent.REVEAL)


def case_events(case: SeparationCase) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor", "item").order_by("at", "pk")


@dataclass(frozen=True)
class Window:
    start: date  # first day included
    end: date  # last day included

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def activity_window(case: SeparationCase, today: date | None = None) -> Window:
    """The 30 days up to the last working day, or up to today if that is earlier."""
    end = min(case.last_working_day, today or timezone.localdate())
    return Window(start=end - timedelta(days=WINDOW_DAYS - 1), end=end)


def _user_q(user_id: int) -> Q:
    user_type = ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False)
    return Q(actor_id=user_id) | Q(event=AuditEvent.LOGIN_FAILED, content_type=user_type, object_pk=str(user_id))


def leaver_activity(case: SeparationCase, window: Window) -> QuerySet[AuditEntry]:
    """The leaver's own entries in the window, newest first (none when they have no login)."""
    user_id = case.employee.user_id
    if not user_id:
        return AuditEntry.objects.none()
    return (
        AuditEntry.objects.filter(_user_q(user_id), event__in=ACTIVITY_EVENTS)
        .filter(timestamp__gte=window.since, timestamp__lt=window.until)
        .select_related("content_type")
        .order_by("-timestamp", "-pk")
    )


def activity_counts(entries: QuerySet[AuditEntry]) -> dict[str, int]:
    rows = entries.order_by().values("event").annotate(n=Count("pk"))
    return {r["event"]: r["n"] for r in rows}


def attempts_after_revocation(case: SeparationCase) -> QuerySet[AuditEntry]:
    """Failed sign-ins with the leaver's login after their access was revoked."""
    user_id = case.employee.user_id
    if not user_id or case.revoked_at is None:
        return AuditEntry.objects.none()
    user_type = ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False)
    return AuditEntry.objects.filter(
        event=AuditEvent.LOGIN_FAILED,
        content_type=user_type,
        object_pk=str(user_id),
        timestamp__gte=case.revoked_at,
    ).order_by("-timestamp", "-pk")

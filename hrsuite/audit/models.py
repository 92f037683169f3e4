"""The audit log: one append-only table for changes, sensitive reads, exports and logins.

It is django-auditlog's log entry (swapped in via AUDITLOG_LOGENTRY_MODEL) with one extra
indexed column, `event`, so the audit page can filter logins, views and exports without digging
in JSON. A database trigger (migration 0002) makes UPDATE and DELETE on the table fail, even
from a database shell.
"""

from auditlog.models import AbstractLogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    REVEAL = "reveal", _("Revealed a protected value")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    ROLE_CHANGE = "role_change", _("Role change")
    ACTION = "action", _("Action")


_ACTION_TO_EVENT = {
    AbstractLogEntry.Action.CREATE: AuditEvent.CREATE,
    AbstractLogEntry.Action.UPDATE: AuditEvent.UPDATE,
    AbstractLogEntry.Action.DELETE: AuditEvent.DELETE,
    AbstractLogEntry.Action.ACCESS: AuditEvent.VIEW,
}


class AuditEntry(AbstractLogEntry):
    event = models.CharField(_("event"), max_length=20, choices=AuditEvent.choices, db_index=True)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["content_type", "object_pk"], name="audit_object_idx"),
            models.Index(fields=["actor", "timestamp"], name="audit_actor_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(event__in=AuditEvent.values), name="audit_event_valid"),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding is False:
            raise RuntimeError("audit entries are append-only")
        if not self.event:
            self.event = _ACTION_TO_EVENT.get(self.action, AuditEvent.ACTION)
            if (
                self.event == AuditEvent.UPDATE
                and self.changes
                and any(isinstance(v, dict) and v.get("type") == "m2m" for v in self.changes.values())
            ):
                self.event = AuditEvent.ROLE_CHANGE
        super().save(*args, **kwargs)

    @property
    def details(self) -> dict:
        return self.additional_data or {}

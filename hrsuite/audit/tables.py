import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, AuditEvent
from .presentation import describe_changes

EVENT_BADGES = {
    AuditEvent.LOGIN_FAILED: "danger",
    AuditEvent.DELETE: "danger",
    AuditEvent.ROLE_CHANGE: "warning",
    AuditEvent.REVEAL: "warning",
    AuditEvent.EXPORT: "info",
    AuditEvent.DOWNLOAD: "info",
    AuditEvent.VIEW: "secondary",
    AuditEvent.LOGIN: "success",
    AuditEvent.LOGOUT: "secondary",
}


def changes_html(rows, details):
    if rows:
        return format_html_join(
            "",
            '<div class="small"><span class="text-body-secondary">{}</span> {} → <strong>{}</strong></div>',
            rows[:8],
        )
    if details:
        return format_html_join(
            " ", '<span class="text-body-secondary small">{}: {}</span>', ((k, v) for k, v in details.items())
        )
    return ""


class AuditTable(tables.Table):
    timestamp = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("Who"), accessor="actor__username", default="—")
    event = tables.Column(verbose_name=_("Event"))
    content_type = tables.Column(verbose_name=_("Record type"), orderable=False)
    object_repr = tables.Column(verbose_name=_("Record"))
    changes = tables.Column(verbose_name=_("Details"), empty_values=(), orderable=False)
    remote_addr = tables.Column(verbose_name=_("IP address"), default="—")

    class Meta:
        model = AuditEntry
        fields = ("timestamp", "actor", "event", "content_type", "object_repr", "changes", "remote_addr")
        order_by = "-timestamp"
        attrs = {"class": "table table-hover align-middle"}

    def render_event(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            EVENT_BADGES.get(record.event, "primary"),
            record.get_event_display(),
        )

    def render_content_type(self, value):
        model = value.model_class()
        return model._meta.verbose_name if model else value.model

    def render_changes(self, record):
        if not hasattr(self, "_described"):
            # one pass over the whole page: related names are fetched in one query per model
            rows = [row.record for row in self.page.object_list] if self.page else [record]
            self._described = describe_changes(rows)
        return changes_html(self._described.get(record.pk, []), record.details)

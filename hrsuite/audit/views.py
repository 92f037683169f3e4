from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .filters import AuditFilter
from .models import AuditEntry
from .presentation import changes_text, chunked, describe_changes
from .selectors import audit_entries
from .services import audit_export
from .tables import AuditTable


@require_perm("hrsuite.view_audit")
def audit_list(request):
    f = AuditFilter(request.GET, queryset=audit_entries())
    table = AuditTable(f.qs)
    RequestConfig(request, paginate={"per_page": settings.HRSUITE_PAGE_SIZE}).configure(table)
    return render(request, "audit/list.html", {"filter": f, "table": table, "page_title": _("Audit log")})


@require_perm("hrsuite.view_audit")
def audit_export_view(request):
    f = AuditFilter(request.GET, queryset=audit_entries())
    headers = [_("Time"), _("Who"), _("Event"), _("Record type"), _("Record"), _("Changes"), _("IP address")]

    def rows():
        for chunk in chunked(f.qs.iterator(chunk_size=2000), 2000):
            described = describe_changes(chunk)
            for e in chunk:
                model = e.content_type.model_class()
                yield [
                    e.timestamp,
                    e.actor.username if e.actor else "",
                    e.get_event_display(),
                    str(model._meta.verbose_name) if model else e.content_type.model,
                    e.object_repr,
                    changes_text(described.get(e.pk, []), e.details),
                    e.remote_addr or "",
                ]

    response, count = workbook_response([(_("Audit log"), headers, rows())], "audit-log")
    audit_export(request, AuditEntry, name=_("Audit log"), rows=count, filters=request.GET.urlencode())
    return response

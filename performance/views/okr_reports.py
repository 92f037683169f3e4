"""The OKR report of a cycle (HR: everyone; managers: their team) and its Excel download, both
built by performance.okr_report from the same figures."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from employees.models import Department
from hrsuite.audit.services import audit_export
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import okr_report
from ..models import Objective, OkrCycle
from .okr import department_options
from .okr_tree import completion_colour

REPORT = "hrsuite.view_performance"


def _department(request) -> Department | None:
    pk = request.GET.get("department", "")
    return Department.objects.filter(pk=pk).first() if pk.isdigit() else None


@require_GET
@require_perm(REPORT)
def report(request, pk: int):
    cycle = get_object_or_404(OkrCycle, pk=pk)
    department = _department(request)
    q = request.GET.get("q", "").strip()
    built = okr_report.build(cycle, request.user, department=department)
    people = built.search(q)
    page = Paginator(people, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    teams = [{"row": t, "colour": completion_colour(t.completion)} for t in built.teams]
    return render(
        request,
        "performance/okr_report.html",
        {
            "cycle": cycle,
            "report": built,
            "page_obj": page,
            "rows": [{"row": r, "colour": completion_colour(r.completion)} for r in page.object_list],
            "teams": teams,
            "q": q,
            "department": department,
            "departments": department_options(Department.objects.order_by("path").only("pk", "name", "path")),
            "people_total": len(built.people),
            "with_objectives": sum(1 for r in built.people if r.objectives),
            "no_update": sum(1 for r in built.people if r.needs_update),
            "page_title": _("OKR report · %(name)s") % {"name": cycle.name},
        },
    )


@require_GET
@require_perm(REPORT)
def report_xlsx(request, pk: int):
    cycle = get_object_or_404(OkrCycle, pk=pk)
    built = okr_report.build(cycle, request.user, department=_department(request))
    people = built.search(request.GET.get("q", ""))
    response, count = workbook_response(built.sheets(people), f"okr-report-{cycle.pk}")
    audit_export(
        request, Objective, name=_("OKR report · %(name)s") % {"name": cycle.name}, rows=count,
        filters=request.GET.urlencode(),
    )  # fmt: skip
    return response

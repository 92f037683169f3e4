"""Compliance incidents HR records per department (used by the training analytics)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hrsuite.permissions import require_perm

from .. import services
from ..forms import IncidentForm
from ..models import ComplianceIncident


@require_perm("hrsuite.manage_training")
def incident_list(request):
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.incident_record(incident=form.instance, actor=request.user)
        messages.success(request, _("The incident was recorded."))
        return redirect("training:incidents")
    qs = ComplianceIncident.objects.select_related("department", "created_by")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(summary__icontains=q) | Q(department__name__icontains=q))
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/incidents.html",
        {"form": form, "page_obj": page, "q": q, "page_title": _("Compliance incidents")},
    )

"""Pay runs: list, create, calculate with a live progress bar, review, approve, finalise."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from hrsuite.permissions import require_perm

from ..models import PayRun


@require_perm("hrsuite.manage_payroll")
def run_list(request):
    runs = PayRun.objects.select_related("prepared_by", "approved_by").order_by("-period", "-created_at")[:50]
    return render(request, "payroll/run_list.html", {"runs": runs, "page_title": _("Pay runs")})

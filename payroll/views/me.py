"""The employee's own payslips (/me/payslips/): only published runs, only their own; every view
and download is audited."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record, audit_view
from hrsuite.permissions import require_perm

from .. import payslips
from ..choices import RunStatus
from ..models import PaySlip
from ..selectors import payslips_visible_to


def own_published(user):
    from hrsuite.scoping import scope_for

    scope = scope_for(user)
    if scope.employee_id is None:
        return PaySlip.objects.none()
    return payslips_visible_to(user).filter(employee_id=scope.employee_id, run__status=RunStatus.PUBLISHED, status="ok")


@never_cache
@require_perm("hrsuite.self_service")
def my_payslips(request):
    qs = own_published(request.user).order_by("-period")
    years = sorted({d.year for d in qs.values_list("period", flat=True)}, reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(period__year=int(year))
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payroll/me/list.html",
        {"page_obj": page, "years": years, "year": year, "page_title": _("My payslips")},
    )


def _own_or_404(request, pk):
    slip = own_published(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404
    return slip


@never_cache
@require_perm("hrsuite.self_service")
def my_payslip(request, pk: int):
    slip = _own_or_404(request, pk)
    audit_view(request, slip, what="own payslip")
    context = payslips.payslip_context(slip)
    return render(request, "payroll/me/detail.html", {**context, "page_title": _("Payslip")})


@never_cache
@require_perm("hrsuite.self_service")
def my_payslip_pdf(request, pk: int):
    slip = _own_or_404(request, pk)
    return payslip_pdf_response(request, slip)


def payslip_pdf_response(request, slip: PaySlip):
    """The stored PDF if the batch made it, otherwise rendered now; audited as a download."""
    from ..models import PayslipDocument

    document = PayslipDocument.objects.filter(slip=slip).first()
    audit_record(event=AuditEvent.DOWNLOAD, request=request, obj=slip, details={"what": "payslip PDF"})
    filename = f"payslip-{slip.employee.employee_no}-{slip.period:%Y-%m}.pdf"
    if document is not None:
        response = FileResponse(
            document.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
        )
    else:
        response = HttpResponse(payslips.render_payslip_pdf(slip), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

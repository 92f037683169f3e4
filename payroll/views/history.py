"""An employee's pay history over twelve months (payroll administrators): a page, a PDF and an
Excel workbook of the same figures. The employee comes from employees.selectors.employee_visible_to
and the slips from payroll.selectors.payslips_visible_to. Viewing and downloading are audited."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from employees.selectors import employee_visible_to
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record, audit_view
from hrsuite.excel import workbook_response
from hrsuite.pdf import generated_at, render_pdf
from hrsuite.permissions import require_perm

from .. import selectors
from ..forms_people import parse_month
from ..pay_history import PayHistory, default_end, pay_history, sheets

PERM = "hrsuite.manage_payroll"


def _history(request, pk: int) -> PayHistory:
    employee = employee_visible_to(request.user, pk)
    if employee is None:
        raise Http404
    slips = selectors.payslips_visible_to(request.user)
    end = parse_month(request.GET.get("month")) or default_end(slips, employee, timezone.localdate())
    return pay_history(employee=employee, end=end, slips=slips)


def _window(history: PayHistory) -> str:
    return f"{history.start:%Y-%m}–{history.end:%Y-%m}"


def _stem(history: PayHistory) -> str:
    return f"pay-history-{history.employee.employee_no}-{history.end:%Y-%m}"


def _audit_download(request, history: PayHistory, *, what: str, rows: int) -> None:
    audit_record(
        event=AuditEvent.EXPORT,
        request=request,
        obj=history.employee,
        details={"what": what, "months": _window(history), "rows": rows, "content_hash": history.digest},
    )


def _context(history: PayHistory) -> dict:
    return {
        "history": history,
        "employee": history.employee,
        "month_value": f"{history.end:%Y-%m}",
        "page_title": _("Pay history: %(name)s") % {"name": history.employee.name},
    }


@never_cache
@require_GET
@require_perm(PERM)
def pay_history_page(request, pk: int):
    history = _history(request, pk)
    audit_view(request, history.employee, what=f"pay history {_window(history)}")
    return render(request, "payroll/pay_history.html", _context(history))


@never_cache
@require_GET
@require_perm(PERM)
def pay_history_pdf(request, pk: int):
    history = _history(request, pk)
    context = {**_context(history), "generated": generated_at(), "generated_by": request.user}
    pdf = render_pdf("payroll/reports/pay_history_pdf.html", context, request=request)
    _audit_download(request, history, what="pay history PDF", rows=len(history.pay_rows))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{_stem(history)}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
@require_perm(PERM)
def pay_history_xlsx(request, pk: int):
    history = _history(request, pk)
    stamp = f"{generated_at():%Y-%m-%d %H:%M}"
    response, rows = workbook_response(sheets(history, generated=stamp), _stem(history))
    _audit_download(request, history, what="pay history Excel", rows=rows)
    return response

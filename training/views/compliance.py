"""The compliance matrix (who holds which required certificates; HR sees everyone, a manager
their team), its Excel export, and the compliance training report (a page to choose the scope,
and the PDF). Every read goes through employees.selectors.employees_visible_to; exports and
downloads are audited."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from employees.models import Department, Position
from employees.selectors import employees_visible_to
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_export, audit_record
from hrsuite.excel import workbook_response
from hrsuite.pdf import generated_at, render_pdf
from hrsuite.permissions import require_perm
from hrsuite.scoping import scope_for

from .. import selectors_qualifications as sel
from ..choices import CertificateStatus
from ..forms_qualifications import MatrixFilterForm, ReportForm
from ..models import EmployeeCertificate, TrainingSettings
from ..reports import MAX_PEOPLE, ComplianceReport, compliance_report

PERM = "hrsuite.manage_training"
MATRIX_PERMS = (PERM, "hrsuite.view_my_team")
COUNTED = (CertificateStatus.VALID, CertificateStatus.EXPIRING, CertificateStatus.EXPIRED, CertificateStatus.MISSING)


def _matrix(request):
    """The filtered, scoped rows (a queryset), the columns, the filter form and the policy."""
    base = employees_visible_to(request.user)
    if scope_for(request.user).everyone:
        departments = Department.objects.order_by("path")
        positions = Position.objects.order_by("title")
    else:  # a manager chooses among their team's departments and positions only
        departments = Department.objects.filter(pk__in=base.values("department_id")).order_by("path")
        positions = Position.objects.filter(pk__in=base.values("position_id")).order_by("title")
    form = MatrixFilterForm(request.GET or None, departments=departments, positions=positions)
    data = form.cleaned_data if form.is_valid() else {}
    filters = sel.MatrixFilters(
        department=data.get("department"),
        position=data.get("position"),
        certificate_type=data.get("certificate_type"),
        status=data.get("status") or "",
        q=(data.get("q") or "").strip(),
        everyone=bool(data.get("everyone")),
    )
    policy = TrainingSettings.current()
    today = timezone.localdate()
    window = policy.expiring_within_days
    employees = sel.matrix_employees(base, filters, today=today, window=window)
    columns = sel.matrix_columns(employees, filters.certificate_type)
    return employees, columns, form, filters, today, window


@never_cache
@require_GET
@require_perm(*MATRIX_PERMS)
def compliance_matrix(request):
    employees, columns, form, filters, today, window = _matrix(request)
    page = Paginator(employees, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = sel.build_rows(page.object_list, columns, today=today, window=window)
    counts = sel.status_counts(employees, [t.pk for t in columns], today=today, window=window)
    summary = [{"type": t, "counts": [(s, counts[t.pk][s]) for s in COUNTED]} for t in columns]
    is_hr = request.user.has_perm(PERM)
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "rows": rows,
        "columns": columns,
        "summary": summary,
        "window": window,
        "today": today,
        "is_hr": is_hr,
        "page_title": _("Compliance matrix") if is_hr else _("Team certificates"),
    }
    if request.htmx and request.htmx.target == "matrix":
        return render(request, "training/compliance/partials/matrix.html", context)
    return render(request, "training/compliance/matrix.html", context)


def _cell_text(cell) -> tuple[str, object]:
    if cell.status == sel.NOT_REQUIRED:
        label = _("Not required")
    elif cell.grace_until:
        label = _("Missing (due by %(date)s)") % {"date": cell.grace_until.isoformat()}
    else:
        label = str(CertificateStatus(cell.status).label)
        if cell.status == CertificateStatus.EXPIRING and cell.days_left is not None:
            label = _("Expiring (%(days)s days left)") % {"days": cell.days_left}
    if cell.pending:
        label += " · " + _("renewal waiting for HR")
    expires = cell.certificate.expires_on if cell.certificate else None
    return label, expires


@never_cache
@require_GET
@require_perm(*MATRIX_PERMS)
def compliance_export(request):
    employees, columns, _form, _filters, today, window = _matrix(request)
    headers = [_("Employee no."), _("Name"), _("Department"), _("Position")]
    for t in columns:
        headers += [t.name, _("%(type)s: number") % {"type": t.name}, _("%(type)s: expires on") % {"type": t.name}]

    written = [0]

    def rows():
        for row in sel.iter_rows(employees, columns, today=today, window=window):
            written[0] += 1
            e = row.employee
            out = [
                e.employee_no,
                e.name,
                e.department.name if e.department else "",
                e.position.title if e.position else "",
            ]
            for cell in row.cells:
                label, expires = _cell_text(cell)
                out += [label, cell.certificate.number if cell.certificate else "", expires]
            yield out

    counts = sel.status_counts(employees, [t.pk for t in columns], today=today, window=window)
    summary_headers = [_("Certificate type"), *[str(CertificateStatus(s).label) for s in COUNTED]]
    summary_rows = [[t.name, *[counts[t.pk][s] for s in COUNTED]] for t in columns]
    summary_rows.append(
        [_("Status on %(date)s; 'expiring' means within %(days)s days.") % {"date": today, "days": window}]
    )
    name = _("Compliance matrix")
    response, _total = workbook_response(
        [(name, headers, rows()), (_("Summary"), summary_headers, summary_rows)], "compliance-matrix"
    )
    audit_export(request, EmployeeCertificate, name=str(name), rows=written[0], filters=request.GET.urlencode())
    return response


# --- the compliance training report --------------------------------------------------------------


def _report(request) -> tuple[ReportForm, ComplianceReport | None, object]:
    form = ReportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return form, None, None
    base = employees_visible_to(request.user)
    data = form.cleaned_data
    if data["scope"] == "department":
        target = data["department"]
        people = base.filter(department__path__startswith=target.path)
        label = f"{target.name} ({target.code})"
    else:
        target = form.employee
        people = base.filter(pk=target.pk)
        label = f"{target.name} ({target.employee_no})"
    n = people.exclude(status="left").count()
    if n > MAX_PEOPLE:
        form.add_error(
            "department",
            _("This department has %(n)s people; a report covers at most %(max)s. Choose a sub-department.")
            % {"n": n, "max": MAX_PEOPLE},
        )
        return form, None, None
    policy = TrainingSettings.current()
    report = compliance_report(
        employees=people,
        scope_label=label,
        today=timezone.localdate(),
        window=policy.expiring_within_days,
        completed_from=data.get("completed_from"),
        completed_to=data.get("completed_to"),
    )
    return form, report, target


@never_cache
@require_GET
@require_perm(PERM)
def compliance_report_page(request):
    form, report, _target = _report(request)
    counts = report.status_counts if report else {}
    return render(
        request,
        "training/compliance/report.html",
        {
            "form": form,
            "report": report,
            "report_counts": [(s, counts.get(s, 0)) for s in COUNTED],
            "problems": sum(counts.get(s, 0) for s in COUNTED if s != CertificateStatus.VALID),
            "pdf_url": f"{reverse('training:compliance_report_pdf')}?{request.GET.urlencode()}" if report else "",
            "page_title": _("Compliance training report"),
        },
    )


@never_cache
@require_GET
@require_perm(PERM)
def compliance_report_pdf(request):
    form, report, target = _report(request)
    if report is None:
        return redirect(f"{reverse('training:compliance_report')}?{request.GET.urlencode()}")
    context = {
        "report": report,
        "department_scope": form.cleaned_data["scope"] == "department",
        "generated": generated_at(),
        "generated_by": request.user,
        "page_title": _("Compliance training report"),
    }
    pdf = render_pdf("training/reports/compliance_pdf.html", context, request=request)
    audit_record(
        event=AuditEvent.EXPORT,
        request=request,
        obj=target,
        details={
            "what": "compliance training report PDF",
            "scope": report.scope_label,
            "people": len(report.people),
            "content_hash": report.digest,
        },
    )
    code = getattr(target, "code", None) or getattr(target, "employee_no", "")
    name = f"compliance-report-{code}-{report.as_of:%Y%m%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response

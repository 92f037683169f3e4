"""Qualifications for HR: the certificate-type catalogue, which positions require which, every
employee's certificates (list, enter, correct), the verification queue of uploads, the scan
download (HR or the employee themselves, audited) and the reminder settings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from employees.models import Department, Employee
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.permissions import require_perm

from .. import selectors_qualifications as sel
from .. import services_qualifications as services
from ..choices import CertificateStatus, VerificationStatus
from ..compliance import certificate_status
from ..forms_qualifications import (
    CertificateForm,
    CertificateTypeForm,
    RejectForm,
    RequirementForm,
    SettingsForm,
)
from ..models import CertificateRequirement, CertificateType, EmployeeCertificate, TrainingSettings

PERM = "hrsuite.manage_training"


def apply_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: on the field it names (marked invalid), else
    on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
        else:
            form.add_error(None, errors)


# --- catalogue -----------------------------------------------------------------------------------


@require_perm(PERM)
def certificate_types(request):
    types = CertificateType.objects.select_related("refresher_course").order_by("code")
    counts = {
        row["certificate_type_id"]: row
        for row in CertificateRequirement.objects.values("certificate_type_id").order_by().annotate(n=Count("pk"))
    }
    held = {
        row["certificate_type_id"]: row["n"]
        for row in EmployeeCertificate.objects.filter(verification=VerificationStatus.VERIFIED)
        .values("certificate_type_id")
        .order_by()
        .annotate(n=Count("pk"))
    }
    rows = [{"type": t, "positions": counts.get(t.pk, {}).get("n", 0), "held": held.get(t.pk, 0)} for t in types]
    return render(request, "training/compliance/types.html", {"rows": rows, "page_title": _("Certificate types")})


@require_perm(PERM)
def certificate_type_edit(request, pk: int | None = None):
    instance = get_object_or_404(CertificateType, pk=pk) if pk else None
    form = CertificateTypeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_type_save(certificate_type=form.instance)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The certificate type was saved."))
            return redirect("training:certificate_types")
    title = _("Edit certificate type") if instance else _("New certificate type")
    return render(
        request,
        "training/compliance/form.html",
        {"form": form, "page_title": title, "back_url": "training:certificate_types"},
    )


@require_perm(PERM)
def requirements(request):
    """Which positions require which certificate types: list, add, remove."""
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and request.POST.get("delete"):
        req = get_object_or_404(CertificateRequirement, pk=request.POST["delete"])
        services.requirement_delete(requirement=req)
        messages.success(request, _("The requirement was removed."))
        return redirect("training:requirements")
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_save(requirement=form.instance)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The requirement was added."))
            return redirect("training:requirements")
    qs = CertificateRequirement.objects.select_related("position", "position__department", "certificate_type")
    ctype = request.GET.get("type", "")
    if ctype.isdigit():
        qs = qs.filter(certificate_type_id=int(ctype))
    page = Paginator(qs.order_by("certificate_type__code", "position__title"), settings.HRSUITE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "training/compliance/requirements.html",
        {
            "form": form,
            "page_obj": page,
            "types": CertificateType.objects.order_by("code"),
            "type_value": ctype,
            "page_title": _("Certificate requirements"),
        },
    )


# --- certificates --------------------------------------------------------------------------------


def _window() -> int:
    return TrainingSettings.current().expiring_within_days


def _filter_certificates(request, qs, today, window):
    g = request.GET
    q = g.get("q", "").strip()
    if q:
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__iexact=q) | Q(number__icontains=q))
    if g.get("type", "").isdigit():
        qs = qs.filter(certificate_type_id=int(g["type"]))
    if g.get("verification") in VerificationStatus.values:
        qs = qs.filter(verification=g["verification"])
    if g.get("department", "").isdigit():
        dept = Department.objects.filter(pk=int(g["department"])).first()
        if dept is not None:
            qs = qs.filter(employee__department__path__startswith=dept.path)
    limit = today + timedelta(days=window)
    status = g.get("status", "")
    if status == CertificateStatus.EXPIRED:  # those needing attention: not replaced by a later one
        qs = qs.filter(expires_on__lt=today, superseded=False)
    elif status == CertificateStatus.EXPIRING:
        qs = qs.filter(expires_on__gte=today, expires_on__lte=limit, superseded=False)
    elif status == CertificateStatus.VALID:
        qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=limit))
    return qs


@never_cache
@require_perm(PERM)
def certificate_list(request):
    today, window = timezone.localdate(), _window()
    qs = _filter_certificates(request, sel.certificate_list(request.user), today, window)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    for c in page:
        c.status = certificate_status(c.expires_on, today, window)
        c.days_left = (c.expires_on - today).days if c.expires_on else None
    return render(
        request,
        "training/compliance/certificates.html",
        {
            "page_obj": page,
            "types": CertificateType.objects.order_by("code"),
            "departments": [(d.pk, "\u3000" * d.depth + d.name) for d in Department.objects.order_by("path")],
            "statuses": [c for c in CertificateStatus.choices if c[0] != CertificateStatus.MISSING],
            "verifications": VerificationStatus.choices,
            "pending": EmployeeCertificate.objects.filter(verification=VerificationStatus.PENDING).count(),
            "page_title": _("Certificates"),
        },
    )


@never_cache
@require_perm(PERM)
def certificate_create(request):
    initial = {}
    employee = None
    if request.GET.get("employee", "").isdigit():
        employee = Employee.objects.filter(pk=int(request.GET["employee"])).first()
        if employee is not None:
            initial["employee_no"] = employee.employee_no
    if request.GET.get("type", "").isdigit():
        initial["certificate_type"] = int(request.GET["type"])
    form = CertificateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        certificate = form.instance
        certificate.employee = form.employee
        try:
            services.certificate_save(
                certificate=certificate, upload=form.cleaned_data.get("scan"), actor=request.user, verified=True
            )
        except ValidationError as exc:
            certificate.pk = None
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The certificate of %(name)s was recorded.") % {"name": certificate.employee.name}
            )
            return redirect("training:certificate_edit", pk=certificate.pk)
    return render(
        request,
        "training/compliance/certificate_form.html",
        {"form": form, "certificate": None, "page_title": _("Record a certificate")},
    )


@never_cache
@require_perm(PERM)
def certificate_edit(request, pk: int):
    """A certificate's details, its history for the same type, verification, and corrections."""
    certificate = get_object_or_404(sel.certificate_list(request.user), pk=pk)
    form = CertificateForm(request.POST or None, request.FILES or None, instance=certificate, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_save(
                certificate=form.instance, upload=form.cleaned_data.get("scan"), actor=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The certificate was saved."))
            return redirect("training:certificate_edit", pk=pk)
    today, window = timezone.localdate(), _window()
    saved = EmployeeCertificate.objects.select_related("certificate_type", "verified_by", "uploaded_by").get(pk=pk)
    history = (
        EmployeeCertificate.objects.filter(employee_id=saved.employee_id, certificate_type_id=saved.certificate_type_id)
        .exclude(pk=pk)
        .order_by("-issued_on")
    )
    for h in history:
        h.status = certificate_status(h.expires_on, today, window)
    return render(
        request,
        "training/compliance/certificate_form.html",
        {
            "form": form,
            "certificate": saved,
            "employee": certificate.employee,
            "status": certificate_status(saved.expires_on, today, window),
            "days_left": (saved.expires_on - today).days if saved.expires_on else None,
            "history": history,
            "reject_form": RejectForm(),
            "page_title": _("Certificate %(number)s") % {"number": saved.number},
        },
    )


@never_cache
@require_perm(PERM, "hrsuite.self_service")
def certificate_scan(request, pk: int):
    """The only way to a stored scan: HR, or the employee it belongs to; audited. Anyone else
    (a manager included) gets 404."""
    certificate = sel.scans_visible_to(request.user).filter(pk=pk).first()
    if certificate is None or not certificate.scan:
        raise Http404
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        obj=certificate,
        details={"what": "certificate scan", "employee": certificate.employee_id},
    )
    response = FileResponse(
        certificate.scan.open("rb"),
        content_type=certificate.scan_type or "application/octet-stream",
        as_attachment=True,
        filename=certificate.scan_name or f"certificate-{certificate.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- verification --------------------------------------------------------------------------------


@never_cache
@require_perm(PERM)
def verification_queue(request):
    page = Paginator(sel.pending_verification(), settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    today, window = timezone.localdate(), _window()
    for c in page:
        c.status = certificate_status(c.expires_on, today, window)
    return render(
        request,
        "training/compliance/verification_queue.html",
        {"page_obj": page, "reject_form": RejectForm(), "page_title": _("Certificates to verify")},
    )


def _decided(request, certificate: EmployeeCertificate, *, error: str = ""):
    if request.htmx:
        certificate.refresh_from_db()
        certificate.status = certificate_status(certificate.expires_on, timezone.localdate(), _window())
        return render(
            request,
            "training/compliance/partials/queue_row.html",
            {"c": certificate, "reject_form": RejectForm(), "error": error},
        )
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if back.startswith("/training/") and "//" not in back:
        return redirect(back)
    return redirect("training:verification_queue")


@require_POST
@require_perm(PERM)
def certificate_verify(request, pk: int):
    certificate = get_object_or_404(EmployeeCertificate.objects.select_related("employee", "certificate_type"), pk=pk)
    try:
        services.certificate_verify(certificate=certificate, actor=request.user)
    except ValidationError as exc:
        return _decided(request, certificate, error=" ".join(exc.messages))
    if not request.htmx:
        messages.success(request, _("The certificate of %(name)s was verified.") % {"name": certificate.employee.name})
    return _decided(request, certificate)


@require_POST
@require_perm(PERM)
def certificate_reject(request, pk: int):
    certificate = get_object_or_404(EmployeeCertificate.objects.select_related("employee", "certificate_type"), pk=pk)
    try:
        services.certificate_reject(certificate=certificate, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _decided(request, certificate, error=" ".join(exc.messages))
    if not request.htmx:
        messages.success(
            request,
            _("The certificate of %(name)s was rejected; they were told why.") % {"name": certificate.employee.name},
        )
    return _decided(request, certificate)


# --- settings ------------------------------------------------------------------------------------


@require_perm(PERM)
def training_settings(request):
    current = TrainingSettings.current()
    initial = {
        "reminder_days": ", ".join(str(d) for d in current.reminder_days),
        "expiring_within_days": current.expiring_within_days,
        "notify_manager": current.notify_manager,
        "notify_hr": current.notify_hr,
        "auto_enrol_refresher": current.auto_enrol_refresher,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_settings_save(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The reminder settings were saved; the next daily run uses them."))
            return redirect("training:training_settings")
    return render(
        request,
        "training/compliance/settings.html",
        {"form": form, "settings_obj": current, "page_title": _("Certificate reminders")},
    )

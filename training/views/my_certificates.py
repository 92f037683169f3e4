"""The employee's own certificates at /me/certificates/: status of each, the types their position
requires that they do not hold, and uploading a renewed certificate (it waits for HR)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.selectors import employee_for_user
from hrsuite.permissions import require_perm

from .. import selectors_qualifications as sel
from .. import services_qualifications as services
from ..choices import CertificateStatus
from ..compliance import certificate_status
from ..forms_qualifications import UploadForm
from ..models import TrainingSettings
from .certificates import apply_errors

PERM = "hrsuite.self_service"


def _me(request):
    employee = employee_for_user(request.user)
    if employee is None:
        raise Http404
    return employee


def _page(request, employee, form):
    today = timezone.localdate()
    window = TrainingSettings.current().expiring_within_days
    certificates = list(sel.own_certificates(employee.pk))
    counted = sel.current_certificates([employee.pk])
    for c in certificates:
        c.status = certificate_status(c.expires_on, today, window)
        c.days_left = (c.expires_on - today).days if c.expires_on else None
        c.counts = counted.get((employee.pk, c.certificate_type_id)) == c
    pending_types = {c.certificate_type_id for c in certificates if c.verification == "pending"}
    required = []
    for t in sel.required_types(employee.position_id):
        held = counted.get((employee.pk, t.pk))
        status = certificate_status(held.expires_on, today, window) if held else CertificateStatus.MISSING
        days_left = (held.expires_on - today).days if held and held.expires_on else None
        required.append(
            {"type": t, "status": status, "certificate": held, "days_left": days_left, "pending": t.pk in pending_types}
        )
    return render(
        request,
        "training/me/certificates.html",
        {
            "employee": employee,
            "certificates": certificates,
            "required": required,
            "form": form,
            "window": window,
            "page_title": _("My certificates"),
        },
    )


@never_cache
@require_perm(PERM)
def my_certificates(request):
    employee = _me(request)
    initial = {"certificate_type": request.GET["type"]} if request.GET.get("type", "").isdigit() else {}
    return _page(request, employee, UploadForm(initial=initial))


@never_cache
@require_perm(PERM)
def my_certificate_upload(request):
    employee = _me(request)
    if request.method != "POST":
        return redirect("mycertificates:list")
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.certificate_submit(
                employee=employee,
                certificate_type=data["certificate_type"],
                number=data["number"],
                issued_on=data["issued_on"],
                expires_on=data.get("expires_on"),
                upload=data["scan"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your certificate was uploaded. HR will verify it; you will be notified."))
            return redirect("mycertificates:list")
    return _page(request, employee, form)

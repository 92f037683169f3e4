"""Self-service resignation: the employee submits their resignation (reason, notice date, last
working day) and then sees where it stands."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from employees.models import Employee
from hrsuite.core.refusals import add_service_errors
from hrsuite.permissions import require_perm

from ..forms_cases import ResignForm
from ..models import SeparationCase
from ..services_cases import resignation_submit
from ..workflows import OPEN_CASE


@require_perm("hrsuite.self_service")
def resign(request):
    employee = Employee.objects.select_related("department").get(user=request.user)
    cases = SeparationCase.objects.filter(employee=employee).order_by("-created_at", "-pk")
    current = cases.filter(status__in=OPEN_CASE).first()
    form = None
    if current is None:
        form = ResignForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                resignation_submit(
                    employee=employee,
                    reason=d["reason"],
                    notice_date=d["notice_date"],
                    last_working_day=d["last_working_day"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your resignation was submitted; HR will contact you about the handover."))
                return redirect("offboarding:resign")
    return render(
        request,
        "offboarding/resign/resign.html",
        {
            "form": form,
            "current": current,
            "past": cases.exclude(status__in=OPEN_CASE)[:5],
            "employee": employee,
            "page_title": _("Resignation"),
        },
    )

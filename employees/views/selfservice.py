"""The employee's own pages: the /me/ hub and /me/profile/ with change requests."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from hrsuite.audit.services import audit_view
from hrsuite.core.navigation import navigation_for
from hrsuite.permissions import require_login, require_perm

from .. import selectors, services
from ..choices import ChangeKind
from ..forms import ChangeRequestForm
from ..models import ChangeRequest


@require_login
def me_home(request):
    """A hub of everything in "My workspace" the user may open."""
    employee = selectors.employee_for_user(request.user)
    sections = navigation_for(request.user, request.path, only="workspace")
    entries = [i for s in sections for i in s["items"] if i["url"] != request.path]
    return render(
        request, "employees/me_home.html", {"employee": employee, "entries": entries, "page_title": _("My workspace")}
    )


@never_cache
@require_perm("hrsuite.self_service")
def me_profile(request):
    employee = selectors.employee_for_user(request.user)
    audit_view(request, employee, what="self-service profile")
    forms = {kind: ChangeRequestForm(initial=_initial(employee, kind), prefix=kind) for kind in ChangeKind.values}
    return render(
        request,
        "employees/me_profile.html",
        {
            "employee": employee,
            "forms": forms,
            "kinds": ChangeKind.choices,
            "requests": employee.change_requests.all()[:20],
            "contracts": employee.contracts.all(),
            "documents": selectors.documents_visible_to(request.user).filter(employee=employee),
            "page_title": _("My profile"),
        },
    )


def _initial(employee, kind):
    initial = {"kind": kind}
    for field in services.CHANGE_FIELDS[kind]:
        if field != "bank_account":  # never pre-fill the account number
            initial[field] = getattr(employee, field)
    return initial


@require_POST
@require_perm("hrsuite.self_service")
@sensitive_variables()  # the bank-bank_account POST value is starred by hrsuite.error_reports
def me_change_request(request, kind: str):
    if kind not in ChangeKind.values:
        return redirect("selfservice:profile")
    employee = selectors.employee_for_user(request.user)
    form = ChangeRequestForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.change_request_submit(employee=employee, kind=kind, values=form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                label = form.fields[field].label if field in form.fields else ""
                for e in errs:
                    messages.error(request, f"{label}: {e}" if label else e)
        else:
            if kind == ChangeKind.BANK:
                messages.success(
                    request, _("Your request was sent. A new bank account takes effect only after HR approves it.")
                )
            else:
                messages.success(request, _("Your request was sent to HR."))
    return redirect("selfservice:profile")


@require_POST
@require_perm("hrsuite.self_service")
def me_cancel_request(request, pk: int):
    employee = selectors.employee_for_user(request.user)
    change = get_object_or_404(ChangeRequest, pk=pk, employee=employee)
    try:
        services.change_request_cancel(change=change, employee=employee)
        messages.success(request, _("The request was withdrawn."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("selfservice:profile")

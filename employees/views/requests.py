"""HR's queue of self-service change requests."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrsuite.permissions import require_perm

from .. import services
from ..choices import RequestStatus
from ..forms import RejectForm
from ..models import ChangeRequest


@require_perm("hrsuite.manage_employees")
def request_list(request):
    status = request.GET.get("status", RequestStatus.PENDING)
    qs = ChangeRequest.objects.select_related("employee", "employee__department", "decided_by")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "employees/requests.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": RequestStatus.choices,
            "reject_form": RejectForm(),
            "page_title": _("Change requests"),
        },
    )


@require_POST
@require_perm("hrsuite.manage_employees")
def request_approve(request, pk: int):
    change = get_object_or_404(ChangeRequest, pk=pk)
    try:
        services.change_request_approve(change=change, actor=request.user)
        messages.success(request, _("The request was approved and the record updated."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("employees:requests")


@require_POST
@require_perm("hrsuite.manage_employees")
def request_reject(request, pk: int):
    change = get_object_or_404(ChangeRequest, pk=pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the employee a reason for the rejection."))
        services.change_request_reject(change=change, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The request was rejected; the employee was told why."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("employees:requests")

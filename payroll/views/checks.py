"""Payee checks on a run (re-check, override with a reason) and HR's account blocklist."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hrsuite.core.forms import StyledForm
from hrsuite.permissions import require_perm

from .. import checks
from ..models import BlockedAccount, PayeeFlag, PayRun

PERM = "hrsuite.manage_payroll"


@require_POST
@require_perm(PERM)
def run_recheck(request, pk: int):
    run = get_object_or_404(PayRun, pk=pk)
    result = checks.run_payee_checks(run)
    messages.success(
        request,
        _("Payees checked: %(created)s new, %(resolved)s resolved, %(reopened)s reopened.") % result,
    )
    return redirect(f"/payroll/runs/{pk}/#payee-checks")


@require_POST
@require_perm(PERM)
def flag_override(request, pk: int):
    flag = get_object_or_404(PayeeFlag.objects.select_related("run"), pk=pk)
    try:
        checks.flag_override(flag=flag, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The check was overridden; the reason is recorded."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect(f"/payroll/runs/{flag.run_id}/#payee-checks")


class BlockForm(StyledForm):
    account = forms.CharField(label=gettext_lazy("Bank account number"), max_length=40)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


@never_cache
@require_perm(PERM)
def blocklist(request):
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checks.blocklist_add(
                account=form.cleaned_data["account"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The account was added to the blocklist."))
            return redirect("payroll:blocklist")
    qs = BlockedAccount.objects.select_related("created_by")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(last4__endswith=q[-4:]) if q.isdigit() else qs.filter(reason__icontains=q)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "payroll/blocklist.html", {"form": form, "page_obj": page, "q": q, "page_title": _("Blocked accounts")}
    )


@require_POST
@require_perm(PERM)
def blocklist_remove(request, pk: int):
    blocked = get_object_or_404(BlockedAccount, pk=pk)
    blocked.delete()  # audited (registered with the audit log)
    messages.success(request, _("The account was removed from the blocklist."))
    return redirect("payroll:blocklist")

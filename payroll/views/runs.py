"""Pay runs: list and create, calculate with a live progress bar, review against last month,
approve (a second person), finalise, cancel; each slip with how every line was computed."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hrsuite.audit.services import audit_view
from hrsuite.permissions import require_perm

from .. import selectors, workflows
from ..choices import RunStatus
from ..forms_runs import ReasonForm, RunCreateForm
from ..models import PayRun
from ..services import runs as services

PERM = "hrsuite.manage_payroll"


@never_cache
@require_perm(PERM)
def run_list(request):
    qs = PayRun.objects.select_related("prepared_by", "approved_by").prefetch_related("departments")
    status = request.GET.get("status", "")
    if status in RunStatus.values:
        qs = qs.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(period__year=int(year))
    page = Paginator(qs.order_by("-period", "-created_at"), settings.HRSUITE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    form = RunCreateForm(initial={"period": today.replace(day=1)})
    return render(
        request,
        "payroll/run_list.html",
        {
            "page_obj": page,
            "form": form,
            "statuses": RunStatus.choices,
            "status": status,
            "year": year,
            "page_title": _("Pay runs"),
        },
    )


@require_POST
@require_perm(PERM)
def run_create(request):
    form = RunCreateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("payroll:runs")
    try:
        run, created = services.payrun_create(
            period=form.cleaned_data["period"], departments=form.cleaned_data["departments"], actor=request.user
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("payroll:runs")
    if not created:
        messages.info(request, _("A run for this month and scope already exists; here it is."))
    return redirect("payroll:run_detail", pk=run.pk)


def _run(pk) -> PayRun:
    return get_object_or_404(PayRun.objects.select_related("prepared_by", "approved_by", "finalized_by"), pk=pk)


@never_cache
@require_perm(PERM)
def run_detail(request, pk: int):
    run = _run(pk)
    comparison = selectors.compare_with_previous(run)
    only = request.GET.get("only", "")
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    slips = selectors.slips_for_review(run, previous=comparison.previous, q=q, only=only, department=department)
    page = Paginator(slips, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    for slip in page:
        slip.change_ratio = selectors.change_ratio(slip.net, slip.prev_net)
        slip.anomaly = comparison.previous is not None and (
            slip.prev_net is None or selectors.is_anomaly(slip.change_ratio)
        )
    anomaly_count = (
        selectors.slips_for_review(run, previous=comparison.previous, only="anomalies").count()
        if comparison.previous
        else 0
    )
    from ..checks import blocking_issues, recent_change_days
    from ..models import FlagStatus, PayeeFlag

    flags = list(PayeeFlag.objects.filter(run=run).select_related("employee", "decided_by").order_by("status", "kind"))
    return render(
        request,
        "payroll/run_detail.html",
        {
            "run": run,
            "page_obj": page,
            "q": q,
            "only": only,
            "department": department,
            "departments": selectors.department_totals(run),
            "comparison": comparison,
            "anomaly_count": anomaly_count,
            "threshold": int(selectors.ANOMALY_THRESHOLD * 100),
            "can": {
                a: workflows.allowed(run, a)
                for a in ("calculate", "approve", "return", "finalize", "publish", "cancel")
            },
            "documents": run.slips.filter(document__isnull=False).count()
            if run.status == RunStatus.PUBLISHED
            else None,
            "is_preparer": run.prepared_by_id == request.user.pk,
            "issues": blocking_issues(run) if run.status in (RunStatus.CALCULATED, RunStatus.APPROVED) else [],
            "reason_form": ReasonForm(),
            "flags": flags,
            "open_flags": sum(1 for f in flags if f.status == FlagStatus.OPEN),
            "recent_days": recent_change_days(),
            "calc_failure": services.last_calculation_failure(run),
            "page_title": _("Pay run %(period)s") % {"period": run.period.strftime("%Y-%m")},
        },
    )


@never_cache
@require_perm(PERM)
def run_progress(request, pk: int):
    """The progress bar (htmx polls it every second while the run calculates)."""
    run = _run(pk)
    response = render(request, "payroll/partials/run_progress.html", {"run": run})
    if run.status != RunStatus.CALCULATING and request.htmx:
        response["HX-Refresh"] = "true"  # calculation finished: reload the review
    return response


def _act(request, pk, action, message):
    run = _run(pk)
    try:
        action(run)
        messages.success(request, message)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("payroll:run_detail", pk=pk)


@require_POST
@require_perm(PERM)
def run_calculate(request, pk: int):
    return _act(
        request,
        pk,
        lambda run: services.payrun_calculate(run=run, actor=request.user, request=request),
        _("Calculation started."),
    )


@require_POST
@require_perm(PERM)
def run_approve(request, pk: int):
    return _act(
        request,
        pk,
        lambda run: services.payrun_approve(
            run=run, actor=request.user, request=request, calc_token=request.POST.get("calc_token")
        ),
        _("The run was approved."),
    )


@require_POST
@require_perm(PERM)
def run_return(request, pk: int):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        pk,
        lambda run: services.payrun_return(run=run, actor=request.user, reason=reason, request=request),
        _("The run was returned to the preparer."),
    )


@require_POST
@require_perm(PERM)
def run_finalize(request, pk: int):
    return _act(
        request,
        pk,
        lambda run: services.payrun_finalize(run=run, actor=request.user, request=request),
        _("The run is final. Corrections now go into a later month as adjustments."),
    )


@require_POST
@require_perm(PERM)
def run_cancel(request, pk: int):
    return _act(
        request,
        pk,
        lambda run: services.payrun_cancel(run=run, actor=request.user, request=request),
        _("The run was cancelled."),
    )


@never_cache
@require_perm(PERM)
def slip_detail(request, pk: int):
    slip = selectors.payslips_visible_to(request.user).filter(pk=pk).first()
    if slip is None:
        raise Http404
    audit_view(request, slip, what="payslip (payroll review)")
    lines = list(slip.lines.all())
    groups = {
        "earning": [ln for ln in lines if ln.kind == "earning"],
        "deduction": [ln for ln in lines if ln.kind == "deduction"],
        "employer_cost": [ln for ln in lines if ln.kind == "employer_cost"],
        "info": [ln for ln in lines if ln.kind == "info"],
    }
    return render(
        request,
        "payroll/slip_detail.html",
        {"slip": slip, "groups": groups, "run": slip.run, "page_title": f"{slip.employee.name} · {slip.period:%Y-%m}"},
    )


@require_POST
@require_perm(PERM)
def run_publish(request, pk: int):
    from ..payslips import payrun_publish

    return _act(
        request,
        pk,
        lambda run: payrun_publish(run=run, actor=request.user, request=request),
        _("Payslips are being published; employees are notified as each batch is ready."),
    )


@never_cache
@require_perm(PERM)
def slip_pdf(request, pk: int):
    from .me import payslip_pdf_response

    slip = selectors.payslips_visible_to(request.user).filter(pk=pk).first()
    if slip is None or slip.status != "ok":
        raise Http404
    return payslip_pdf_response(request, slip)

"""Workforce analytics for HR: headcount, age and education structure, tenure and turnover
against configurable targets; the Excel export of every table; editing the targets."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrsuite.audit.services import audit_export
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import analytics, selectors_analytics, services_analytics
from ..analytics_report import build_report
from ..forms_analytics import AsOfForm, BaseTargetFormSet, BenchmarkForm, TargetForm, TargetFormSet
from ..models import Employee, Position, WorkforceTarget

PERM = "hrsuite.view_workforce_analytics"


def _as_of(request) -> tuple[AsOfForm, date]:
    """The date the figures are taken on: ?as_of=YYYY-MM-DD, today when absent or invalid."""
    today = timezone.localdate()
    form = AsOfForm(request.GET or None, today=today, initial={"as_of": today})
    if form.is_bound and form.is_valid() and form.cleaned_data.get("as_of"):
        return form, form.cleaned_data["as_of"]
    return form, today


def _report(request, as_of: date):
    data = selectors_analytics.workforce_data(request.user, as_of=as_of)
    return build_report(analytics.analyse(data, as_of=as_of))


@require_perm(PERM)
@require_GET
def workforce_analytics(request):
    form, as_of = _as_of(request)
    report = _report(request, as_of)
    return render(
        request,
        "employees/analytics.html",
        {
            "page_title": _("Workforce analytics"),
            "form": form,
            "as_of": as_of,
            "report": report,
            "has_staff": any(s.has_data for s in report.sections),
        },
    )


@require_perm(PERM)
@require_GET
def workforce_analytics_export(request):
    _form, as_of = _as_of(request)
    report = _report(request, as_of)
    name = _("Workforce analytics")
    response, rows = workbook_response(report.sheets(), f"workforce-analytics-{as_of.isoformat()}")
    audit_export(request, Employee, name=str(name), rows=rows, filters=f"as_of={as_of.isoformat()}")
    return response


@require_perm(PERM)
@require_http_methods(["GET", "POST"])
def workforce_targets(request):
    """Targets (one formset) and tenure benchmarks per position (one form); each saved by its
    own button, all or nothing."""
    targets = list(WorkforceTarget.objects.order_by("metric", "role_family"))
    positions = list(Position.objects.order_by("role_family", "title"))
    action = request.POST.get("action") if request.method == "POST" else None
    formset: BaseTargetFormSet = TargetFormSet(  # type: ignore[assignment]  (formset_factory builds a subclass)
        request.POST if action == "targets" else None,
        initial=[TargetForm.initial_for(t) for t in targets],
        prefix="targets",
    )
    benchmarks = BenchmarkForm(
        request.POST if action == "benchmarks" else None, positions=positions, prefix="benchmarks"
    )

    # the forms check the same rules as the services; a service refusal here is a race
    if action == "targets":
        if formset.is_valid():
            try:
                services_analytics.workforce_targets_replace(targets=formset.targets())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The workforce targets were saved."))
                return redirect("employees:targets")
        else:
            messages.error(request, _("The targets were not saved: correct the marked rows."))
    elif action == "benchmarks":
        if benchmarks.is_valid():
            try:
                changed = services_analytics.position_benchmarks_save(benchmarks=benchmarks.benchmarks())
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("The tenure benchmarks were saved (%(count)s changed).") % {"count": changed}
                )
                return redirect("employees:targets")
        else:
            messages.error(request, _("The benchmarks were not saved: correct the marked positions."))

    return render(
        request,
        "employees/analytics_targets.html",
        {
            "page_title": _("Workforce targets"),
            "formset": formset,
            "benchmarks": benchmarks,
            "default_benchmark": analytics.DEFAULT_TENURE_BENCHMARK,
        },
    )

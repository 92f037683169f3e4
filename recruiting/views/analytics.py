"""Recruiting analytics (/recruiting/analytics/): the funnel overall and per posting, time to
hire, source of hire; charts and an Excel workbook (audited). HR sees every posting, a manager
the postings of the requisitions they follow (recruiting.selectors)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hrsuite.audit.services import audit_export
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import selectors_analytics as sel
from ..choices import Source, Stage
from ..forms_offers import PeriodForm
from ..models import Application

VIEW = "hrsuite.view_recruiting"


def _pct(value):
    return None if value is None else float(value * 100)


def _report(request):
    postings = sel.analytics_postings(request.user)
    form = PeriodForm(request.GET or None, postings=postings)
    period, posting = "180", None
    if form.is_valid():
        period = form.cleaned_data["period"] or "180"
        posting = form.cleaned_data["posting"]
    elif request.GET:
        form = PeriodForm(postings=postings)
    today = timezone.localdate()
    since = sel.since_for(period, today)
    return form, sel.report_for(request.user, since=since, posting=posting), since, posting


@require_GET
@require_perm(VIEW)
def analytics(request):
    form, report, since, posting = _report(request)
    stages = dict(Stage.choices)
    source_labels = dict(Source.choices)
    funnel_rows = [(stages[r.stage], r) for r in report.funnel]
    charts = {
        "funnel": {
            "type": "bar",
            "horizontal": True,
            "labels": [label for label, _r in funnel_rows],
            "datasets": [{"label": str(_("Applications")), "data": [r.reached for _l, r in funnel_rows], "backgroundColor": "#1d4ed8"}],
            "options": {"scales": {"x": {"beginAtZero": True, "ticks": {"precision": 0}}}},
        },
        "sources": {
            "type": "bar",
            "labels": [str(source_labels.get(r.source, r.source)) for r in report.sources],
            "datasets": [
                {"label": str(_("Applications")), "data": [r.applications for r in report.sources], "backgroundColor": "#93c5fd", "yAxisID": "y"},
                {"label": str(_("Hire rate")), "data": [_pct(r.hire_rate) for r in report.sources], "type": "line", "borderColor": "#16a34a", "backgroundColor": "#16a34a", "yAxisID": "y1"},
            ],
            "options": {
                "scales": {
                    "y": {"beginAtZero": True, "ticks": {"precision": 0}},
                    "y1": {"position": "right", "min": 0, "max": 100, "grid": {"drawOnChartArea": False}, "title": {"display": True, "text": "%"}},
                }
            },
        },
        "time": {
            "type": "bar",
            "horizontal": True,
            "labels": [r.label for r in report.time_by_posting],
            "datasets": [
                {"label": str(_("Median days")), "data": [float(r.median_days) for r in report.time_by_posting], "backgroundColor": "#0ea5e9"},
                {"label": str(_("Average days")), "data": [float(r.average_days) for r in report.time_by_posting], "backgroundColor": "#cbd5e1"},
            ],
            "options": {"scales": {"x": {"beginAtZero": True, "ticks": {"precision": 0}}}},
        },
    }  # fmt: skip
    hires = sum(r.hires for r in report.sources)
    tth = report.time_to_hire
    return render(
        request,
        "recruiting/analytics/analytics.html",
        {
            "form": form,
            "report": report,
            "funnel_rows": funnel_rows,
            "stage_labels": stages,
            "source_labels": source_labels,
            "charts": charts,
            "applications": len(report.records),
            "hires": hires,
            "median_label": _("%(days)s days") % {"days": tth.median_days} if tth.hires else "—",
            "average_label": _("%(days)s days") % {"days": tth.average_days} if tth.hires else "—",
            "since": since,
            "posting": posting,
            "page_title": _("Recruiting analytics"),
        },
    )


@require_GET
@require_perm(VIEW)
def analytics_export(request):
    _form, report, since, posting = _report(request)
    stages = dict(Stage.choices)
    sources = dict(Source.choices)
    funnel_headers = [_("Stage"), _("Applications that reached it"), _("Conversion from the previous stage")]
    sheets = [
        (_("Funnel"), funnel_headers, [[stages[r.stage], r.reached, r.conversion] for r in report.funnel]),
        (
            _("Funnel per posting"),
            [_("Job posting"), *funnel_headers],
            [[p.label, stages[r.stage], r.reached, r.conversion] for p in report.by_posting for r in p.rows],
        ),
        (
            _("Time to hire"),
            [_("Job posting"), _("Hires"), _("Median days"), _("Average days")],
            [
                [_("All postings"), report.time_to_hire.hires, report.time_to_hire.median_days, report.time_to_hire.average_days],
                *[[r.label, r.hires, r.median_days, r.average_days] for r in report.time_by_posting],
            ],
        ),
        (
            _("Source of hire"),
            [_("Application source"), _("Applications"), _("Hires"), _("Hire rate")],
            [[str(sources.get(r.source, r.source)), r.applications, r.hires, r.hire_rate] for r in report.sources],
        ),
    ]  # fmt: skip
    response, count = workbook_response(sheets, "recruiting-analytics")
    filters = f"since={since or 'all'} posting={posting.pk if posting else 'all'}"
    audit_export(request, Application, name=_("Recruiting analytics"), rows=count, filters=filters)
    return response

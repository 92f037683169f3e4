"""Training analytics for HR: completion and exam pass rates per course and department,
training hours per employee, compliance incidents; charts and an Excel workbook."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hrsuite.audit.services import audit_export
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import selectors_analytics as sel
from ..models import Enrollment

PERM = "hrsuite.manage_training"


def _pct(value):
    return None if value is None else float(value * 100)


def _data(today):
    courses = sel.course_rates()
    departments = sel.department_rates(today)
    least, most, histogram = sel.employee_hours(today)
    return courses, departments, least, most, histogram


@require_perm(PERM)
def training_analytics(request):
    today = timezone.localdate()
    courses, departments, least, most, histogram = _data(today)
    charts = {
        "courses": {
            "type": "bar",
            "horizontal": True,
            "percent": True,
            "labels": [c.label for c in courses],
            "datasets": [
                {"label": str(_("Completion rate")), "data": [_pct(c.completion) for c in courses], "backgroundColor": "#1d4ed8"},
                {"label": str(_("Exam pass rate")), "data": [_pct(c.pass_rate) for c in courses], "backgroundColor": "#16a34a"},
            ],
        },
        "departments": {
            "type": "bar",
            "labels": [d.label for d in departments],
            "datasets": [
                {"label": str(_("Completion rate")), "data": [_pct(d.completion) for d in departments], "backgroundColor": "#1d4ed8", "yAxisID": "y"},
                {"label": str(_("Compliance incidents (12 months)")), "data": [d.incidents for d in departments], "type": "line", "borderColor": "#dc2626", "backgroundColor": "#dc2626", "yAxisID": "y1"},
            ],
            "options": {
                "scales": {
                    "y": {"min": 0, "max": 100, "title": {"display": True, "text": "%"}},
                    "y1": {"position": "right", "beginAtZero": True, "grid": {"drawOnChartArea": False}, "ticks": {"precision": 0}},
                }
            },
        },
        "hours": {
            "type": "bar",
            "labels": [label for label, _n in histogram],
            "datasets": [{"label": str(_("Employees")), "data": [n for _label, n in histogram], "backgroundColor": "#0ea5e9"}],
        },
    }  # fmt: skip
    return render(
        request,
        "training/analytics.html",
        {
            "courses": courses,
            "departments": departments,
            "least": least,
            "most": most,
            "charts": charts,
            "completed_12m": Enrollment.objects.filter(
                status="completed", completed_at__date__gt=today.replace(year=today.year - 1)
            ).count(),
            "page_title": _("Training analytics"),
        },
    )


@require_perm(PERM)
def training_analytics_export(request):
    today = timezone.localdate()
    courses, departments, least, most, _histogram = _data(today)
    rate_headers = [
        pgettext("enrolments in progress", "Open"),
        _("Completed"),
        _("No-show"),
        _("Completion rate"),
        _("Exam takers"),
        _("Passed"),
        _("Exam pass rate"),
    ]

    def rate_row(r):
        return [r.label, r.open, r.completed, r.no_show, r.completion, r.attempted, r.passed, r.pass_rate]

    sheets = [
        (_("Courses"), [_("Course"), *rate_headers, _("Lagging")], [[*rate_row(r), _("yes") if r.flagged else ""] for r in courses]),
        (
            _("Departments"),
            [_("Department"), *rate_headers[:4], _("Hours per head (12 months)"), _("Compliance incidents (12 months)"), _("Completes but errs")],
            [[*rate_row(r)[:5], r.hours_per_head, r.incidents, _("yes") if r.flagged else ""] for r in departments],
        ),
        (
            _("Least trained"),
            [_("Employee no."), _("Name"), _("Department"), _("Hours (12 months)")],
            [[r["employee_no"], r["name"], r["department__name"] or "", r["hours"]] for r in least],
        ),
        (
            _("Most trained"),
            [_("Employee no."), _("Name"), _("Department"), _("Hours (12 months)")],
            [[r["employee_no"], r["name"], r["department__name"] or "", r["hours"]] for r in most],
        ),
    ]  # fmt: skip
    response, count = workbook_response(sheets, "training-analytics")
    audit_export(request, Enrollment, name=_("Training analytics"), rows=count)
    return response

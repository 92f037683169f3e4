"""Self-service performance home at /me/performance/ (namespace "myperformance"): my objectives in
the open OKR cycles with their key results' completion, my recurring check-in tasks, my review
tasks (a self-assessment to write, a result to acknowledge) and my performance history with a
chart. Everything is read through performance.selectors and filtered to the signed-in employee,
so nobody sees anyone else's data here; a fixed number of queries whatever the rows."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.selectors import employee_for_user
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..choices import OPEN_REVIEW_STAGES, OkrStatus, ReviewStatus
from ..models import CheckIn, CheckInTask


def my_objectives(user, employee) -> list:
    """The employee's own objectives in open OKR cycles, each with `completion` and its key
    results' `completion` set (prefetched: two queries)."""
    objectives = list(
        selectors.objectives_visible_to(user)
        .filter(owner_id=employee.pk, cycle__status=OkrStatus.OPEN)
        .order_by("cycle__starts_on", "cycle_id", "order", "pk")
    )
    for objective in objectives:
        objective.completion = selectors.objective_completion(objective)
        for kr in objective.key_results.all():
            kr.completion = selectors.kr_completion(kr)
    return objectives


def my_check_in_tasks(employee, today) -> list[CheckInTask]:
    """The employee's recurring tasks in open cycles, each with `done` in the current period."""
    tasks = list(
        CheckInTask.objects.filter(owner_id=employee.pk, objective__cycle__status=OkrStatus.OPEN)
        .select_related("objective__cycle")
        .prefetch_related(Prefetch("check_ins", queryset=CheckIn.objects.order_by("-period")))
        .order_by("objective__cycle__starts_on", "pk")
    )
    for task in tasks:
        task.period = services.period_of(task, today)
        task.done = next((c.done_count for c in task.check_ins.all() if c.period == task.period), 0)
    return tasks


def my_review_tasks(user, employee) -> list:
    """The employee's reviews in cycles under way, with `action` (self / acknowledge / wait)."""
    reviews = list(
        selectors.reviews_visible_to(user)
        .filter(employee_id=employee.pk, cycle__status__in=OPEN_REVIEW_STAGES)
        .order_by("cycle__self_due", "pk")
    )
    for review in reviews:
        if services.can_self_assess(user, review):
            review.action = "self"
        elif services.can_acknowledge(user, review):
            review.action = "acknowledge"
        elif review.status == ReviewStatus.ACKNOWLEDGED:
            review.action = "done"
        else:
            review.action = "wait"
    return reviews


def history_chart(rows) -> dict:
    """OKR completion (bars, %) and the performance coefficient (line, right axis) per cycle,
    oldest first; the label carries the rating."""
    rows = list(reversed(rows))
    return {
        "type": "bar",
        "labels": [f"{r.cycle.name} · {r.rating}" for r in rows],
        "datasets": [
            {
                "label": str(_("OKR completion (%)")),
                "data": [None if r.okr_completion is None else float(r.okr_completion) for r in rows],
                "backgroundColor": "#1d4ed8",
                "yAxisID": "y",
            },
            {
                "label": str(_("Performance coefficient")),
                "data": [None if r.coefficient is None else float(r.coefficient) for r in rows],
                "type": "line",
                "borderColor": "#16a34a",
                "backgroundColor": "#16a34a",
                "yAxisID": "y1",
            },
        ],
        "options": {
            "scales": {
                "y": {"min": 0, "max": 100, "title": {"display": True, "text": "%"}},
                "y1": {"position": "right", "beginAtZero": True, "grid": {"drawOnChartArea": False}},
            }
        },
    }


@never_cache
@require_perm("hrsuite.self_service")
def home(request):
    me = employee_for_user(request.user)
    if me is None:
        raise Http404
    today = timezone.localdate()
    objectives = my_objectives(request.user, me)
    reviews = my_review_tasks(request.user, me)
    history = selectors.performance_history(me)
    return render(
        request,
        "performance/me_home.html",
        {
            "me": me,
            "objectives": objectives,
            "tasks": my_check_in_tasks(me, today),
            "reviews": reviews,
            "to_do": sum(1 for r in reviews if r.action in ("self", "acknowledge")),
            "history": history,
            "chart": history_chart(history) if history else None,
            "today": today,
            "page_title": _("My performance"),
        },
    )

"""The background jobs page (/ops/jobs/, HR administrators): every scheduled job with its last
run and next run and a "Run now" button (audited), and below the recent runs of all jobs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import datetime

import django_filters
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hrsuite.core.forms import style_widgets
from hrsuite.permissions import require_perm

from . import jobs as registry
from .models import JobRun, JobStatus

PERM = "hrsuite.view_jobs"


class JobRunFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="search")
    name = django_filters.ChoiceFilter(
        label=gettext_lazy("Background job"), choices=(), empty_label=gettext_lazy("All jobs")
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=JobStatus.choices, empty_label=gettext_lazy("All statuses")
    )

    class Meta:
        model = JobRun
        fields = ["q", "name", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["name"].extra["choices"] = [(j.task, j.label) for j in registry.jobs()]
        self.form.fields["q"].widget.attrs["placeholder"] = _("Result, error, worker or user")
        style_widgets(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(result__icontains=value)
            | Q(error__icontains=value)
            | Q(worker__icontains=value)
            | Q(task_id=value)
            | Q(triggered_by__username__icontains=value)
        )


@dataclass
class RunView:
    """A run as the page shows it: its state read from the row and the clock."""

    run: JobRun
    state: str
    label: str
    colour: str
    duration: str
    job_label: str
    result: str

    @classmethod
    def of(cls, run: JobRun, now: datetime) -> RunView:
        state = registry.run_state(run, now)
        job = registry.job_by_task(run.name)
        end = run.finished_at or (now if state == JobStatus.RUNNING else None)
        return cls(
            run=run,
            state=state,
            label=str(registry.STATE_LABELS.get(state, state)),
            colour=registry.STATE_COLOURS.get(state, "secondary"),
            duration=registry.duration_text(end - run.started_at) if end else "",
            job_label=str(job.label) if job else run.name,
            result=result_text(run.result) if run.result else "",
        )


def result_text(result: str) -> str:
    """A job's result as people read it: a dict repr becomes "due 41 · notifications 37"."""
    try:
        value = ast.literal_eval(result)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return result
    if isinstance(value, dict):
        return " · ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


@dataclass
class JobRow:
    job: registry.Job
    last: RunView | None
    last_success: JobRun | None
    next_run: datetime | None
    busy: bool  # queued or running now: "Run now" is refused


def _latest(tasks: list[str], **filters) -> dict[str, JobRun]:
    """The newest run of each job in one query (PostgreSQL DISTINCT ON)."""
    rows = (
        JobRun.objects.filter(name__in=tasks, **filters)
        .select_related("triggered_by")
        .order_by("name", "-started_at", "-pk")
        .distinct("name")
    )
    return {r.name: r for r in rows}


@never_cache
@require_perm(PERM)
def jobs_page(request):
    now = timezone.now()
    jobs = registry.jobs()
    tasks = [j.task for j in jobs]
    last = _latest(tasks)
    last_success = _latest(tasks, status=JobStatus.SUCCEEDED)
    rows = []
    for job in jobs:
        view = RunView.of(last[job.task], now) if job.task in last else None
        rows.append(
            JobRow(
                job=job,
                last=view,
                last_success=last_success.get(job.task),
                next_run=job.next_run(),
                busy=view is not None and view.state in (registry.QUEUED, JobStatus.RUNNING),
            )
        )
    f = JobRunFilter(request.GET, queryset=JobRun.objects.select_related("triggered_by").order_by("-started_at", "-pk"))
    page = Paginator(f.qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    runs = [RunView.of(r, now) for r in page]
    return render(
        request,
        "ops/jobs.html",
        {
            "rows": rows,
            "filter": f,
            "page_obj": page,
            "runs": runs,
            "busy": any(r.busy for r in rows) or any(r.state in (registry.QUEUED, JobStatus.RUNNING) for r in runs),
            "stale_text": registry.STALE_TEXT,
            "page_title": _("Background jobs"),
        },
    )


@require_POST
@require_perm(PERM)
def job_run(request, key: str):
    job = registry.job_by_key(key)
    if job is None:
        raise Http404
    try:
        run = registry.job_run_now(job=job, actor=request.user, request=request)
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        if run.status == JobStatus.RUNNING:
            messages.success(
                request,
                _("%(job)s was queued. Its run appears below; the page refreshes until it ends.") % {"job": job.label},
            )
        elif run.status == JobStatus.SUCCEEDED:
            messages.success(request, _("%(job)s ran and succeeded.") % {"job": job.label})
        else:
            messages.error(request, _("%(job)s ran and failed; the error is shown below.") % {"job": job.label})
    return redirect("ops:jobs")

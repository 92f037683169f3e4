"""Celery signal receivers that record each run of a background job as a JobRun row (connected
in OpsConfig.ready()). Bookkeeping only: no business rule lives here.

* task_prerun: a "running" row for this attempt. A row queued by "run now" (no worker yet) is
  claimed; a row of the same message still "running" under another worker process is an attempt
  whose worker died (the broker delivered the message again): it is closed as failed, saying so.
* task_success / task_failure / task_retry: the attempt's row becomes succeeded (with a short
  repr of the result), failed (with the exception) or retrying (with the reason).

Only the tasks of the jobs registry are recorded (a set lookup; other tasks cost nothing), each
receiver does one or two small statements, and a failure to record is logged, never raised into
the task. Eager mode (tests) records the same way.
"""

from __future__ import annotations

import logging
import os

from celery.signals import task_failure, task_prerun, task_retry, task_success
from celery.utils.saferepr import saferepr
from django.db import DatabaseError, transaction
from django.db.models import Subquery
from django.utils import timezone

from .jobs import WORKER_LOST, recorded_tasks
from .models import JobRun, JobStatus

log = logging.getLogger(__name__)

RESULT_MAX = 300
ERROR_MAX = 2000


def _worker(task) -> str:
    """Which worker process runs this attempt: "<hostname>:<pid>" (eager: this machine and process)."""
    return f"{getattr(task.request, 'hostname', None) or 'local'}:{os.getpid()}"


def _recorded(task) -> bool:
    return task is not None and task.name in recorded_tasks()


def job_started(sender=None, task_id=None, task=None, **kwargs) -> None:
    task = task or sender
    if not task_id or not _recorded(task):
        return
    now, worker = timezone.now(), _worker(task)
    try:
        with transaction.atomic():
            rows = list(
                JobRun.objects.select_for_update().filter(task_id=task_id, status=JobStatus.RUNNING).order_by("pk")
            )
            queued = next((r for r in rows if not r.worker), None)
            dead = [r for r in rows if r.worker and r.worker != worker]
            if dead:
                JobRun.objects.filter(pk__in=[r.pk for r in dead]).update(
                    status=JobStatus.FAILED, finished_at=now, error=WORKER_LOST
                )
            if queued is not None:
                JobRun.objects.filter(pk=queued.pk).update(worker=worker, started_at=now)
                return
            if rows:
                triggered_by = rows[0].triggered_by_id
            else:
                triggered_by = _first_trigger(task_id) if getattr(task.request, "retries", 0) else None
            JobRun.objects.create(
                task_id=task_id,
                name=task.name,
                started_at=now,
                status=JobStatus.RUNNING,
                worker=worker,
                triggered_by_id=triggered_by,
            )
    except DatabaseError:
        log.exception("could not record the start of %s[%s]", task.name, task_id)


def _first_trigger(task_id: str) -> int | None:
    """A retry or redelivery keeps the person who started the job by hand."""
    return (
        JobRun.objects.filter(task_id=task_id, triggered_by__isnull=False)
        .values_list("triggered_by_id", flat=True)
        .first()
    )


def _finish(task, task_id: str | None, **changes) -> None:
    """Close the newest running row of this attempt."""
    if not task_id or not _recorded(task):
        return
    newest = JobRun.objects.filter(task_id=task_id, status=JobStatus.RUNNING).order_by("-started_at", "-pk")
    try:
        with transaction.atomic():
            JobRun.objects.filter(pk=Subquery(newest.values("pk")[:1])).update(finished_at=timezone.now(), **changes)
    except DatabaseError:
        log.exception("could not record the end of %s[%s]", task.name, task_id)


def job_succeeded(sender=None, result=None, **kwargs) -> None:
    _finish(
        sender, getattr(sender.request, "id", None), status=JobStatus.SUCCEEDED, result=saferepr(result, RESULT_MAX)
    )


def job_failed(sender=None, task_id=None, exception=None, **kwargs) -> None:
    error = f"{type(exception).__name__}: {exception}" if exception is not None else ""
    _finish(sender, task_id, status=JobStatus.FAILED, error=error[:ERROR_MAX])


def job_retrying(sender=None, request=None, reason=None, **kwargs) -> None:
    cause = getattr(reason, "exc", None) or reason  # a Retry carries the exception that caused it
    reason_text = f"{type(cause).__name__}: {cause}" if isinstance(cause, BaseException) else str(cause or "")
    _finish(sender, getattr(request, "id", None), status=JobStatus.RETRYING, error=reason_text[:ERROR_MAX])


def connect() -> None:
    task_prerun.connect(job_started, weak=False, dispatch_uid="hrsuite.ops.job_started")
    task_success.connect(job_succeeded, weak=False, dispatch_uid="hrsuite.ops.job_succeeded")
    task_failure.connect(job_failed, weak=False, dispatch_uid="hrsuite.ops.job_failed")
    task_retry.connect(job_retrying, weak=False, dispatch_uid="hrsuite.ops.job_retrying")

"""The background jobs administrators see at /ops/jobs/: the registry (built from the one beat
schedule in hrsuite/celery.py plus payslip publishing), their schedule in words, and "run now".

A job's runs are recorded as JobRun rows by the Celery signal receivers in hrsuite/ops/signals.py;
only the tasks of this registry are recorded (plus HRSUITE_JOBS_RECORD_ALSO), so the per-message
tasks (e-mails, pay-run chunks) do not flood the history.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module
from inspect import signature

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from .models import JobRun, JobStatus

log = logging.getLogger(__name__)

# What publishing a task raises when the broker (Redis) cannot be reached: kombu's error for the
# message, redis-py's for the result backend's subscription, the socket's own.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.RedisError,
    OSError,
)

HEARTBEAT = "hrsuite.ops.tasks.beat_heartbeat"  # proves beat and a worker live; /ops/health/ shows it
PUBLISH_PAYSLIPS = "payroll.tasks.render_payslip_batch"

# errors the receivers and "run now" store in JobRun.error: English source, translated when shown
WORKER_LOST = gettext_noop(
    "The worker stopped during this run (killed or lost); the job was delivered again to a worker."
)
NOT_QUEUED = gettext_noop("The job could not be queued: the job queue (Redis) was unreachable. Nothing was run.")


@dataclass(frozen=True)
class JobText:
    label: Promise
    description: Promise
    run_now: bool = True


# task -> what people read. A task scheduled in hrsuite/celery.py without an entry here still
# appears (under its task name), so nothing scheduled is hidden.
TEXTS: dict[str, JobText] = {
    "employees.tasks.contract_end_reminders": JobText(
        gettext_lazy("Contract end reminders"),
        gettext_lazy("Reminds HR once of each fixed-term contract that ends within 30 days and is not renewed."),
    ),
    "training.tasks.certificate_reminders": JobText(
        gettext_lazy("Certificate expiry reminders"),
        gettext_lazy(
            "Reminds employees, their managers and HR on the lead days before a certificate expires and enrols them in the refresher course."
        ),
    ),
    "relations.tasks.feedback_digest": JobText(
        gettext_lazy("Feedback digest"),
        gettext_lazy(
            "Tells HR and the addressed department heads how many anonymous feedback threads arrived, hourly and with counts only."
        ),
    ),
    "offboarding.tasks.handover_reminders": JobText(
        gettext_lazy("Handover deadline reminders"),
        gettext_lazy("Reminds whoever holds a handover item 3 days before it is due and on the day."),
    ),
    "offboarding.jobs.revoke_due_access": JobText(
        gettext_lazy("Access revocation"),
        gettext_lazy(
            "Disables the login, sessions and roles of leavers whose revocation day has come and hands their work to the successor."
        ),
    ),
    "hrsuite.ops.tasks.nightly_backup": JobText(
        gettext_lazy("Nightly backup and verification"),
        gettext_lazy(
            "Dumps the database and the uploaded files, then restores the dump into a scratch database to prove it can be restored."
        ),
    ),
    PUBLISH_PAYSLIPS: JobText(
        gettext_lazy("Payslip publishing"),
        gettext_lazy(
            "Renders the payslip PDFs of a published pay run in batches of 200 and tells each employee. Started by publishing a run."
        ),
        run_now=False,
    ),
    "payroll.tasks.render_missing_payslips": JobText(
        gettext_lazy("Missing payslip PDFs"),
        gettext_lazy("Renders any payslip PDF of a published run that a lost publishing batch did not produce."),
    ),
    "training.tasks.required_enrollments": JobText(
        gettext_lazy("Required course enrolment"),
        gettext_lazy("Enrols people in the courses their position or department requires."),
    ),
    "recruiting.tasks.assessment_results_sync": JobText(
        gettext_lazy("Assessment results"),
        gettext_lazy("Records online assessments whose time ran out while the candidate's page was closed."),
    ),
    "exams.tasks.expire_overdue_attempts": JobText(
        gettext_lazy("Overdue exam attempts"),
        gettext_lazy("Closes and grades exam attempts whose time ran out while the page was closed."),
    ),
    "employees.tasks.purge_stale_imports": JobText(
        gettext_lazy("Stale import files"),
        gettext_lazy("Deletes uploaded import files whose preview was never confirmed (older than a day)."),
    ),
    "hrsuite.ops.tasks.backup_watch": JobText(
        gettext_lazy("Backup watch"),
        gettext_lazy("Tells the HR administrators (once a day) when no backup has been verified for too long."),
    ),
    "hrsuite.notifications.tasks.send_pending_emails": JobText(
        gettext_lazy("Pending e-mails"),
        gettext_lazy("Sends the notification e-mails that could not be queued when they were created."),
    ),
}

# the order of the page: the jobs the issue names first, housekeeping after
ORDER = [
    "employees.tasks.contract_end_reminders",
    "training.tasks.certificate_reminders",
    "offboarding.tasks.handover_reminders",
    "offboarding.jobs.revoke_due_access",
    "hrsuite.ops.tasks.nightly_backup",
    PUBLISH_PAYSLIPS,
    "payroll.tasks.render_missing_payslips",
]


@dataclass(frozen=True)
class Job:
    key: str  # the beat entry's name (or "publish-payslips"): used in URLs
    task: str  # the Celery task name, stored in JobRun.name
    label: str | Promise
    description: str | Promise
    schedule: object | None  # a celery schedule, a number of seconds, or None (started by the suite)
    run_now: bool

    @property
    def time_limit(self) -> int:
        """Seconds after which a run that is still "running" cannot be running any more."""
        task = registered_task(self.task)
        return int((task and task.time_limit) or settings.CELERY_TASK_TIME_LIMIT)

    @property
    def installed(self) -> bool:
        return registered_task(self.task) is not None

    @property
    def schedule_text(self) -> str:
        if self.schedule is None:
            return _("When a pay run is published") if self.task == PUBLISH_PAYSLIPS else _("Started by the suite")
        return describe_schedule(self.schedule)

    def next_run(self, now: datetime | None = None) -> datetime | None:
        return next_run(self.schedule, now)


@cache
def jobs() -> tuple[Job, ...]:
    """Every job of the page, in display order (the beat schedule is static: built once)."""
    from hrsuite.celery import app

    found: dict[str, Job] = {}
    for key, entry in app.conf.beat_schedule.items():
        task = entry["task"]
        if task == HEARTBEAT or task in found:
            continue
        text = TEXTS.get(task) or JobText(task, "")  # type: ignore[arg-type]
        found[task] = Job(key, task, text.label, text.description, entry["schedule"], text.run_now)
    text = TEXTS[PUBLISH_PAYSLIPS]
    found[PUBLISH_PAYSLIPS] = Job("publish-payslips", PUBLISH_PAYSLIPS, text.label, text.description, None, False)
    rank = {task: i for i, task in enumerate(ORDER)}
    return tuple(sorted(found.values(), key=lambda j: (rank.get(j.task, len(ORDER)), j.key)))


def job_by_key(key: str) -> Job | None:
    return next((j for j in jobs() if j.key == key), None)


def job_by_task(task: str) -> Job | None:
    return next((j for j in jobs() if j.task == task), None)


@cache
def recorded_tasks() -> frozenset[str]:
    """The task names whose runs the signal receivers record (a set lookup per task: cheap)."""
    return frozenset(j.task for j in jobs()) | frozenset(getattr(settings, "HRSUITE_JOBS_RECORD_ALSO", ()))


def registered_task(name: str):
    """The Celery task object, importing its module first (Celery imports task modules lazily);
    None when the task does not exist (yet)."""
    from hrsuite.celery import app

    if name not in app.tasks:
        try:
            import_module(name.rsplit(".", 1)[0])
        except ImportError:
            return None
    return app.tasks.get(name)


# --- schedules in words -----------------------------------------------------------------------


def _single(field: str) -> int | None:
    return int(field) if str(field).isdigit() else None


def describe_schedule(schedule) -> str:
    from celery.schedules import crontab
    from celery.schedules import schedule as interval

    if isinstance(schedule, int | float | timedelta | interval):
        seconds = int(schedule.run_every.total_seconds() if isinstance(schedule, interval) else _seconds(schedule))
        if seconds % 3600 == 0:
            n = seconds // 3600
            return ngettext("Every hour", "Every %(n)s hours", n) % {"n": n}
        if seconds % 60 == 0:
            n = seconds // 60
            return ngettext("Every minute", "Every %(n)s minutes", n) % {"n": n}
        return ngettext("Every second", "Every %(n)s seconds", seconds) % {"n": seconds}
    if isinstance(schedule, crontab):
        minute, hour = str(schedule._orig_minute), str(schedule._orig_hour)
        rest = (schedule._orig_day_of_week, schedule._orig_day_of_month, schedule._orig_month_of_year)
        if all(str(r) == "*" for r in rest):
            if _single(minute) is not None and _single(hour) is not None:
                return _("Daily at %(time)s") % {"time": f"{int(hour):02d}:{int(minute):02d}"}
            if hour == "*" and minute.startswith("*/") and minute[2:].isdigit():
                n = int(minute[2:])
                return ngettext("Every minute", "Every %(n)s minutes", n) % {"n": n}
            if hour == "*" and _single(minute) is not None:
                return _("Hourly at minute %(minute)s") % {"minute": minute}
        expression = " ".join(str(x) for x in (minute, hour, *rest[1:], rest[0]))
        return _("Cron: %(expression)s") % {"expression": expression}
    return str(schedule)


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def next_run(schedule, now: datetime | None = None) -> datetime | None:
    """When beat will next start the job (to the minute), in the suite's time zone."""
    from celery.schedules import crontab

    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(now or schedule.now())
        return start + delta  # the first matching minute after `now`
    return None


# --- durations and statuses as people read them ---------------------------------------------


def duration_text(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": f"{seconds:.1f}"}
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


# what a run is, read from its row and the clock (a "running" row whose worker is gone is not
# left to claim it is still running)
QUEUED, STALE = "queued", "stale"
STATE_LABELS = {
    QUEUED: gettext_lazy("Queued"),
    JobStatus.RUNNING: gettext_lazy("Running"),
    JobStatus.SUCCEEDED: gettext_lazy("Succeeded"),
    JobStatus.FAILED: gettext_lazy("Failed"),
    JobStatus.RETRYING: gettext_lazy("Retrying"),
    STALE: gettext_lazy("No result"),
}
STATE_COLOURS = {
    QUEUED: "secondary",
    JobStatus.RUNNING: "info",
    JobStatus.SUCCEEDED: "success",
    JobStatus.FAILED: "danger",
    JobStatus.RETRYING: "warning",
    STALE: "danger",
}
STALE_TEXT = gettext_lazy(
    "No result within the time limit: the worker was stopped or lost the job. A later run or a retry takes over."
)


def run_state(run: JobRun, now: datetime | None = None) -> str:
    if run.status != JobStatus.RUNNING:
        return run.status
    job = job_by_task(run.name)
    limit = job.time_limit if job else settings.CELERY_TASK_TIME_LIMIT
    if run.started_at < (now or timezone.now()) - timedelta(seconds=limit):
        return STALE
    return QUEUED if not run.worker else JobStatus.RUNNING


def running_run(job: Job) -> JobRun | None:
    """The run of `job` in progress (or queued), if any: a running row younger than the time limit."""
    since = timezone.now() - timedelta(seconds=job.time_limit)
    return JobRun.objects.filter(name=job.task, status=JobStatus.RUNNING, started_at__gte=since).first()


# --- run now ------------------------------------------------------------------------------


def _lock_job(job: Job) -> None:
    """Serialise "run now" per job until the end of the transaction (a PostgreSQL advisory lock:
    two administrators pressing the button at once queue one run)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"hrsuite.ops.job:{job.task}"])


def job_run_now(*, job: Job, actor, request=None) -> JobRun:
    """Queue `job` now for `actor` (audited) and return its run. Refused (ValidationError) when
    the job cannot be started by hand, is not installed, or already runs. When the queue cannot
    be reached, the run is recorded as failed with the reason and the refusal says so."""
    from hrsuite.audit.models import AuditEvent
    from hrsuite.audit.services import audit_record

    if not job.run_now:
        raise ValidationError(
            _("%(job)s is started by the suite itself and cannot be run by hand.") % {"job": job.label}
        )
    task = registered_task(job.task)
    if task is None:
        raise ValidationError(_("%(job)s is not installed on this server.") % {"job": job.label})
    with transaction.atomic():
        _lock_job(job)
        current = running_run(job)
        if current is not None:
            raise ValidationError(
                _("%(job)s is already running (since %(time)s). Wait until it finishes.")
                % {"job": job.label, "time": timezone.localtime(current.started_at).strftime("%Y-%m-%d %H:%M:%S")}
            )
        run = JobRun.objects.create(
            task_id=str(uuid.uuid4()),
            name=job.task,
            started_at=timezone.now(),
            status=JobStatus.RUNNING,
            worker="",  # queued: the first worker to start it claims this row (signals.py)
            triggered_by=actor,
        )
        with translation.override(None):
            label = str(job.label)
        audit_record(
            event=AuditEvent.ACTION,
            request=request,
            actor=actor,
            obj=run,
            object_repr=f"{label}: run now",
            details={"action": "run_now", "job": job.task, "task_id": run.task_id},
        )
        transaction.on_commit(lambda: _enqueue(task, run))
    run.refresh_from_db()
    if run.status == JobStatus.FAILED and run.error == NOT_QUEUED:
        raise ValidationError(
            _(
                "%(job)s could not be queued: the job queue (Redis) is unreachable. Nothing was run; try again when it is back."
            )
            % {"job": job.label}
        )
    return run


def _enqueue(task, run: JobRun) -> None:
    """Queue the task of a "run now" (after the commit, so the worker finds the row). A broker
    that cannot be reached fails the run with the reason instead of leaving it "queued"."""
    # a job that records who started it (the backup) is told
    kwargs = {"triggered_by_id": run.triggered_by_id} if "triggered_by_id" in signature(task.run).parameters else {}
    try:
        task.apply_async(kwargs=kwargs, task_id=run.task_id)
    except BROKER_ERRORS as exc:
        log.warning("job %s could not be queued: %r", run.name, exc)
        JobRun.objects.filter(pk=run.pk, status=JobStatus.RUNNING, worker="").update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=NOT_QUEUED
        )

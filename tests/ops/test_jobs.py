"""Background jobs: the registry and its schedule in words, the Celery settings that keep jobs
from being lost or run twice, the JobRun records kept by the signal receivers, and the jobs page
with "Run now" (permission, audit, one run at a time, the queue down)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone

from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.celery import app
from hrsuite.ops import jobs as registry
from hrsuite.ops import signals
from hrsuite.ops.models import JobRun, JobStatus
from tests.ops import tasks_for_tests
from tests.ops.broker import broker_down

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TASK_MODULES = [
    "hrsuite.ops.tasks",
    "hrsuite.notifications.tasks",
    "employees.tasks",
    "training.tasks",
    "offboarding.tasks",
    "offboarding.jobs",
    "payroll.tasks",
    "recruiting.tasks",
    "exams.tasks",
]


@pytest.fixture
def record_test_tasks(settings):
    """Record the runs of the test-only tasks too (as the real-worker settings do)."""
    settings.HRSUITE_JOBS_RECORD_ALSO = [tasks_for_tests.flaky.name, tasks_for_tests.slow_notify.name]
    registry.recorded_tasks.cache_clear()
    yield
    registry.recorded_tasks.cache_clear()


def run_row(name="employees.tasks.contract_end_reminders", **fields) -> JobRun:
    fields.setdefault("task_id", f"t-{JobRun.objects.count()}")
    fields.setdefault("started_at", timezone.now() - timedelta(minutes=5))
    fields.setdefault("status", JobStatus.SUCCEEDED)
    fields.setdefault("worker", "worker@host:100")
    return JobRun.objects.create(name=name, **fields)


# --- registry ---------------------------------------------------------------------------------


def test_registry_lists_the_scheduled_jobs_and_payslip_publishing():
    tasks = [j.task for j in registry.jobs()]
    assert tasks[:6] == [
        "employees.tasks.contract_end_reminders",
        "training.tasks.certificate_reminders",
        "offboarding.tasks.handover_reminders",
        "offboarding.jobs.revoke_due_access",
        "hrsuite.ops.tasks.nightly_backup",
        "payroll.tasks.render_payslip_batch",
    ]
    scheduled = {e["task"] for e in app.conf.beat_schedule.values()} - {registry.HEARTBEAT}
    assert scheduled <= set(tasks)  # nothing scheduled is hidden
    assert registry.HEARTBEAT not in tasks  # the heartbeat belongs to /ops/health/
    assert len(set(j.key for j in registry.jobs())) == len(tasks)
    publish = registry.job_by_task(registry.PUBLISH_PAYSLIPS)
    assert publish.schedule is None and publish.run_now is False
    backup = registry.job_by_key("nightly-backup")
    assert backup.task == "hrsuite.ops.tasks.nightly_backup"
    assert backup.schedule == crontab(hour=1, minute=30)


def test_every_job_has_a_label_and_description():
    for job in registry.jobs():
        assert job.task in registry.TEXTS, job.task
        assert str(job.label) and str(job.description)


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (crontab(hour=1, minute=30), "Daily at 01:30"),
        (crontab(hour=20, minute=0), "Daily at 20:00"),
        (crontab(minute="*/10"), "Every 10 minutes"),
        (crontab(minute=5), "Hourly at minute 5"),
        (crontab(hour=8, minute=0, day_of_week=1), "Cron: 0 8 * * 1"),
        (60.0, "Every minute"),
        (timedelta(hours=2), "Every 2 hours"),
        (45, "Every 45 seconds"),
    ],
)
def test_schedule_in_words(english, schedule, text):
    assert registry.describe_schedule(schedule) == text


def test_next_run_of_a_daily_job_is_the_next_occurrence():
    now = datetime(2026, 3, 10, 9, 15, tzinfo=SHANGHAI)
    assert registry.next_run(crontab(hour=8, minute=0), now) == datetime(2026, 3, 11, 8, 0, tzinfo=SHANGHAI)
    assert registry.next_run(crontab(hour=20, minute=0), now) == datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)
    assert registry.next_run(crontab(minute="*/10"), now) == datetime(2026, 3, 10, 9, 20, tzinfo=SHANGHAI)
    assert registry.next_run(None, now) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.42, "0.4 s"), (59.94, "59.9 s"), (61, "1 min 1 s"), (3599, "59 min 59 s"), (3 * 3600 + 125, "3 h 2 min")],
)
def test_duration_in_words(english, seconds, text):
    assert registry.duration_text(timedelta(seconds=seconds)) == text


# --- Celery settings: neither lost nor run twice --------------------------------------------


def test_celery_settings_keep_jobs_from_being_lost():
    conf = app.conf
    assert conf.task_acks_late is True  # acknowledged after the work
    assert conf.task_reject_on_worker_lost is True  # requeued when the worker process dies
    assert conf.worker_prefetch_multiplier == 1  # a long job does not hold others hostage
    assert conf.task_ignore_result is True  # queueing never waits on the result store
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_every_task_ends_and_retries_within_the_visibility_timeout():
    """Redis redelivers an unacknowledged message after the visibility timeout: a task still
    running, or a retry still waiting for its countdown, would then run twice."""
    from importlib import import_module

    for module in TASK_MODULES:
        import_module(module)
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) >= 20
    for task in ours:
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert soft < hard, task.name
        retries = task.max_retries != 0 and (getattr(task, "autoretry_for", ()) or "self.retry" in _source(task))
        longest_wait = 0
        if retries:  # the longest countdown a retry can wait (an upper bound)
            longest_wait = task.default_retry_delay
            if getattr(task, "retry_backoff", False):
                longest_wait = max(longest_wait, getattr(task, "retry_backoff_max", 600))
        assert hard + longest_wait < visibility, (task.name, hard, longest_wait, visibility)


def _source(task) -> str:
    import inspect

    try:
        return inspect.getsource(task.run)
    except (OSError, TypeError):
        return ""


# --- the JobRun records ---------------------------------------------------------------------


def test_a_job_run_is_recorded_with_its_result():
    from employees.tasks import contract_end_reminders

    result = contract_end_reminders.apply()
    assert result.successful()
    run = JobRun.objects.get(task_id=result.id)
    assert run.name == "employees.tasks.contract_end_reminders"
    assert run.status == JobStatus.SUCCEEDED
    assert run.result == "0"
    assert run.finished_at >= run.started_at
    assert run.worker.endswith(f":{os.getpid()}")  # "<host>:<pid>" of the process that ran it


def test_a_failing_job_is_recorded_with_its_error(monkeypatch):
    from employees import services
    from employees.tasks import contract_end_reminders

    def boom():
        raise ValueError("mail template missing")

    monkeypatch.setattr(services, "contract_end_reminders", boom)
    result = contract_end_reminders.apply(throw=False)
    run = JobRun.objects.get(task_id=result.id)
    assert run.status == JobStatus.FAILED
    assert run.error == "ValueError: mail template missing"
    assert run.finished_at is not None


def test_a_retry_is_recorded_then_the_later_attempt(record_test_tasks):
    result = tasks_for_tests.flaky.apply(args=[1], throw=False)
    attempts = list(JobRun.objects.filter(task_id=result.id).order_by("started_at", "pk"))
    assert [a.status for a in attempts] == [JobStatus.RETRYING, JobStatus.SUCCEEDED]
    assert attempts[0].error == "ConnectionError: SMTP server unreachable"
    assert attempts[1].result == "'done'"


def test_tasks_outside_the_registry_are_not_recorded(django_assert_num_queries):
    with django_assert_num_queries(0):
        tasks_for_tests.flaky.apply(args=[0])
    assert not JobRun.objects.exists()


def test_a_running_row_of_a_dead_worker_is_closed_when_the_message_comes_back(record_test_tasks):
    """The same message started again under another worker process: the first attempt's worker
    died (the broker redelivered it). The old row says so; the new attempt gets its own row."""
    task = tasks_for_tests.slow_notify
    dead = run_row(task.name, task_id="m-1", status=JobStatus.RUNNING, worker="w1@host:4242")
    task.push_request(id="m-1", hostname="w2@host", retries=0)
    try:
        signals.job_started(sender=task, task_id="m-1", task=task)
        signals.job_succeeded(sender=task, result=0)
    finally:
        task.pop_request()
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.error == registry.WORKER_LOST and dead.finished_at
    new = JobRun.objects.exclude(pk=dead.pk).get(task_id="m-1")
    assert new.status == JobStatus.SUCCEEDED and new.worker.startswith("w2@host:")


def test_recording_does_not_break_the_task_when_the_database_refuses(monkeypatch, record_test_tasks, caplog):
    from django.db import DatabaseError

    def refuse(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(JobRun.objects, "create", refuse)
    result = tasks_for_tests.flaky.apply(args=[0])
    assert result.get() == "done"
    assert "could not record the start" in caplog.text


def test_run_state_is_read_from_the_clock():
    now = timezone.now()
    assert registry.run_state(run_row(status=JobStatus.RUNNING, started_at=now), now) == JobStatus.RUNNING
    assert registry.run_state(run_row(status=JobStatus.RUNNING, worker="", started_at=now), now) == registry.QUEUED
    old = now - timedelta(hours=2)
    assert registry.run_state(run_row(status=JobStatus.RUNNING, started_at=old), now) == registry.STALE
    assert registry.run_state(run_row(status=JobStatus.FAILED, started_at=old), now) == JobStatus.FAILED


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "payroll", "manager", "employee"])
def test_only_hr_administrators_open_the_jobs_page(client_for, role):
    assert client_for(role).get(reverse("ops:jobs")).status_code == 403
    assert client_for(role).post(reverse("ops:job_run", args=["contract-end-reminders"])).status_code == 403
    assert not JobRun.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("ops:jobs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.post(reverse("ops:job_run", args=["contract-end-reminders"])).status_code == 302


def test_the_page_shows_each_job_with_its_last_run(client_for, english):
    started = timezone.now() - timedelta(hours=3)
    run_row(
        started_at=started - timedelta(days=1), finished_at=started - timedelta(days=1) + timedelta(seconds=1)
    )  # older
    run_row(started_at=started, finished_at=started + timedelta(seconds=75), result="4")
    run_row(
        "training.tasks.certificate_reminders",
        status=JobStatus.FAILED,
        started_at=started,
        finished_at=started + timedelta(seconds=2),
        error="OperationalError: connection to server lost",
    )
    page = client_for("hr_admin").get(reverse("ops:jobs"))
    assert page.status_code == 200
    text = page.text
    for label in ("Contract end reminders", "Certificate expiry reminders", "Handover deadline reminders"):
        assert label in text
    for label in ("Access revocation", "Nightly backup and verification", "Payslip publishing"):
        assert label in text
    assert "Daily at 08:00" in text and "Daily at 01:30" in text and "When a pay run is published" in text
    local = timezone.localtime(started)
    assert local.strftime("%Y-%m-%d %H:%M:%S") in text  # last run's start
    assert (local + timedelta(seconds=75)).strftime("%H:%M:%S") in text  # and end
    assert "1 min 15 s" in text  # duration
    assert "OperationalError: connection to server lost" in text
    assert 'data-testid="run-now"' in text
    assert "Never run" in text  # the jobs without a run yet
    rows = page.context["rows"]
    contract = next(r for r in rows if r.job.key == "contract-end-reminders")
    assert contract.last.run.result == "4" and contract.last.state == JobStatus.SUCCEEDED
    assert contract.next_run is not None and contract.next_run > timezone.now()


def test_recent_runs_filter_search_and_page(client_for, settings):
    settings.HRSUITE_PAGE_SIZE = 5
    for i in range(7):
        run_row(started_at=timezone.now() - timedelta(minutes=i), result=str(i))
    run_row("training.tasks.certificate_reminders", status=JobStatus.FAILED, error="SMTPException: relay denied")
    client = client_for("hr_admin")
    page = client.get(reverse("ops:jobs"))
    assert page.context["page_obj"].paginator.count == 8 and len(page.context["runs"]) == 5
    assert client.get(reverse("ops:jobs"), {"page": 2}).context["page_obj"].object_list.__len__() == 3
    failed = client.get(reverse("ops:jobs"), {"status": "failed"}).context["runs"]
    assert [r.run.name for r in failed] == ["training.tasks.certificate_reminders"]
    by_job = client.get(reverse("ops:jobs"), {"name": "employees.tasks.contract_end_reminders"}).context["page_obj"]
    assert by_job.paginator.count == 7
    found = client.get(reverse("ops:jobs"), {"q": "relay"}).context["runs"]
    assert len(found) == 1 and "relay denied" in found[0].run.error


def test_page_query_count_does_not_grow_with_runs(client_for, django_assert_max_num_queries):
    client = client_for("hr_admin")
    client.get(reverse("ops:jobs"))  # warm the session and the task registry
    hr = client_for("hr_admin")
    for job in registry.jobs():
        for i in range(8):
            run_row(job.task, started_at=timezone.now() - timedelta(hours=i), triggered_by=None)
    with django_assert_max_num_queries(14):
        assert hr.get(reverse("ops:jobs")).status_code == 200


def test_a_stale_running_row_reads_as_no_result(client_for, english):
    run_row(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(hours=3), finished_at=None)
    text = client_for("hr_admin").get(reverse("ops:jobs")).text
    assert "No result" in text and "No result within the time limit" in text


# --- run now ----------------------------------------------------------------------------------


def test_run_now_queues_the_job_records_and_audits_it(client_for, people, django_capture_on_commit_callbacks):
    client = client_for("hr_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ops:job_run", args=["contract-end-reminders"]))
    assert response.status_code == 302 and response["Location"] == reverse("ops:jobs")
    run = JobRun.objects.get()  # one row: the worker (eager here) took over the queued one
    assert run.name == "employees.tasks.contract_end_reminders"
    assert run.triggered_by == people["users"]["hr_admin"]
    assert run.status == JobStatus.SUCCEEDED and run.worker
    entry = AuditEntry.objects.get(event=AuditEvent.ACTION, object_pk=str(run.pk))
    assert entry.actor == people["users"]["hr_admin"]
    assert entry.details == {"action": "run_now", "job": run.name, "task_id": run.task_id}
    assert "Contract end reminders" in entry.object_repr
    page = client.get(reverse("ops:jobs"))
    assert people["users"]["hr_admin"].username in page.text


def test_run_now_needs_post(client_for):
    assert client_for("hr_admin").get(reverse("ops:job_run", args=["contract-end-reminders"])).status_code == 405


def test_run_now_of_an_unknown_job_is_404(client_for):
    assert client_for("hr_admin").post(reverse("ops:job_run", args=["no-such-job"])).status_code == 404


def test_run_now_is_refused_while_the_job_runs(client_for, english):
    running = run_row(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=2), finished_at=None)
    client = client_for("hr_admin")
    response = client.post(reverse("ops:job_run", args=["contract-end-reminders"]), follow=True)
    assert "Contract end reminders is already running" in response.text
    assert list(JobRun.objects.all()) == [running]
    assert not AuditEntry.objects.filter(event=AuditEvent.ACTION, additional_data__action="run_now").exists()
    button = response.text.split('data-job="contract-end-reminders"')[1].split("</tr>")[0]
    assert "disabled" in button and 'data-testid="run-now"' not in button


def test_run_now_is_allowed_again_once_a_running_row_is_past_the_time_limit(
    client_for, django_capture_on_commit_callbacks
):
    job = registry.job_by_key("contract-end-reminders")
    run_row(
        status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=job.time_limit + 60), finished_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for("hr_admin").post(reverse("ops:job_run", args=[job.key]))
    assert JobRun.objects.filter(status=JobStatus.SUCCEEDED).count() == 1


def test_payslip_publishing_cannot_be_run_by_hand(client_for, english):
    response = client_for("hr_admin").post(reverse("ops:job_run", args=["publish-payslips"]), follow=True)
    assert "cannot be run by hand" in response.text
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_run_now_with_the_queue_down_is_a_recorded_failure(client_for, english):
    client = client_for("hr_admin")
    with broker_down():
        response = client.post(reverse("ops:job_run", args=["handover-reminders"]), follow=True)
    assert response.status_code == 200
    assert "could not be queued: the job queue (Redis) is unreachable" in response.text
    run = JobRun.objects.get()
    assert run.status == JobStatus.FAILED and run.error == registry.NOT_QUEUED and run.finished_at
    assert registry.NOT_QUEUED in response.text  # the run's error in the history below


def test_navigation_links_the_jobs_page_for_hr_administrators(client_for):
    assert reverse("ops:jobs") in client_for("hr_admin").get(reverse("core:dashboard")).text
    assert reverse("ops:jobs") not in client_for("hr").get(reverse("core:dashboard")).text


# --- nothing lost when the queue is down: notification e-mails -----------------------------


@pytest.mark.django_db(transaction=True)
def test_an_email_that_could_not_be_queued_is_sent_later_once(caplog):
    from django.core import mail

    from hrsuite.notifications.models import Notification
    from hrsuite.notifications.services import NotificationSpec, notify, notify_many
    from hrsuite.notifications.tasks import send_pending_emails
    from tests.factories import UserFactory

    user = UserFactory(username="mailed", email="mailed@example.cn")
    with broker_down():
        created = notify(recipients=[user], key="queue-down:1", message="Queue down %(n)s", params={"n": 1}, email=True)
        created += notify_many([NotificationSpec(user.pk, "queue-down:2", "Queue down %(n)s", {"n": 2}, email=True)])
    assert len(created) == 2 and "not queued" in caplog.text  # kept, and the caller was not failed
    assert mail.outbox == [] and Notification.objects.filter(emailed_at__isnull=True).count() == 2

    assert send_pending_emails() == 0  # the normal e-mail task gets its chance first
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert send_pending_emails() == 2
    assert sorted(m.body for m in mail.outbox) == ["Queue down 1", "Queue down 2"]
    assert send_pending_emails() == 0 and len(mail.outbox) == 2  # each once

"""Faults, with a real Celery worker process (not a mock): a worker killed in the middle of a job
and Redis down when a pay run is calculated. Each ends in a correct retry or a clear recorded
failure, with nothing lost and nothing done twice.

The worker runs hrsuite.settings.worker_test against this test's database (the pytest-django test
database), its own Redis queue (per xdist worker and process: tests run side by side under
`make test`), on the broker database of this xdist worker (its own under `make test`, each worker
also keeping its unacknowledged messages under its own keys), with a broker visibility timeout of
a few seconds so that the message of a killed worker comes back quickly.

Select them with `pytest -m worker`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.urls import reverse

from hrsuite.notifications.models import Notification
from hrsuite.ops.jobs import WORKER_LOST
from hrsuite.ops.models import JobRun, JobStatus
from tests.ops.broker import broker_down

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TASK = "tests.ops.tasks_for_tests.slow_notify"
XDIST = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
WAIT = 45  # seconds at most for any one step (the whole test takes far less; see the report)


def log(message: str) -> None:
    print(f"[worker-reliability {XDIST}] {message}", flush=True)


class Workers:
    """Real `celery -A hrsuite worker` processes for one test, each in its own process group
    (killed as a group, and always in the end)."""

    def __init__(self, tmp_path: Path, visibility: int):
        self.tmp_path = tmp_path
        self.queue = f"hrsuite-test-{XDIST}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.broker_url = settings.CELERY_BROKER_URL  # this xdist worker's broker database
        self.visibility = visibility
        self.procs: dict[str, subprocess.Popen] = {}
        self.client = Celery("hrsuite-test-client", broker=self.broker_url, set_as_current=False)
        self.redis = redis.Redis.from_url(self.broker_url)
        self._clean()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "TEST_REDIS"))}
        env.update(
            DJANGO_SETTINGS_MODULE="hrsuite.settings.worker_test",
            TEST_DATABASE_NAME=connection.settings_dict["NAME"],
            PYTEST_XDIST_WORKER=XDIST,
            CELERY_BROKER_URL=self.broker_url,
            CELERY_VISIBILITY_TIMEOUT=str(self.visibility),
            WORKER_TEST_QUEUE=self.queue,
        )
        return env

    def start(self, name: str) -> subprocess.Popen:
        logfile = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hrsuite", "worker", "--pool", "prefork", "--concurrency", "1",
             "--queues", self.queue, "--hostname", f"{name}-{self.queue}@%h", "--without-mingle",
             "--without-gossip", "--without-heartbeat", "--loglevel", "INFO"],
            env=self.env(), cwd=settings.BASE_DIR, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        logfile.close()
        self.procs[name] = proc
        return proc

    def send(self, *args) -> str:
        return self.client.send_task(TASK, args=list(args), queue=self.queue).id

    def kill(self, name: str) -> None:
        """kill -9 the worker's whole process group (main process and pool child)."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.tmp_path.glob("*.log"))
        )

    def wait_for(self, what: str, check: Callable[[], object]) -> object:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            for name, proc in self.procs.items():
                if proc.poll() is not None and proc.returncode not in (-signal.SIGKILL,):
                    pytest.fail(f"worker {name} exited ({proc.returncode}) while waiting for {what}\n{self.logs()}")
            time.sleep(0.1)
        pytest.fail(f"timed out after {WAIT} s waiting for {what}\n{self.logs()}")

    def close(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        self.client.close()
        self._clean()
        self.redis.close()

    def _clean(self) -> None:
        """Remove this test's queue and bookkeeping keys (and nothing else: the database may be
        shared with another xdist worker)."""
        queue = self.queue
        keys = [queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"]
        keys += [f"{k}:{queue}" for k in ("unacked", "unacked_index", "unacked_mutex")]
        keys += [k.decode() for k in self.redis.scan_iter(f"{queue}*")]
        self.redis.delete(*keys)


@pytest.fixture
def workers(tmp_path, request):
    made: list[Workers] = []

    def make(visibility: int) -> Workers:
        w = Workers(tmp_path, visibility)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


@pytest.fixture
def recipient(db):
    from tests.factories import UserFactory

    return UserFactory(username="job-recipient")


def attempts(task_id: str) -> list[JobRun]:
    return list(JobRun.objects.filter(task_id=task_id).order_by("started_at", "pk"))


def running_attempt(task_id: str) -> JobRun | None:
    return JobRun.objects.filter(task_id=task_id, status=JobStatus.RUNNING).exclude(worker="").first()


def test_a_job_of_a_killed_worker_is_delivered_again_and_done_once(workers, recipient):
    """kill -9 of the whole worker (main process and pool child) after the job wrote its result
    and before it was acknowledged: the broker hands the message to the next worker after the
    visibility timeout; the second attempt finds the result written (the unique key decides) and
    writes nothing; the history shows the killed attempt as failed and the next as succeeded."""
    w = workers(visibility=5)
    key = f"test-job:{uuid.uuid4()}"
    t0 = time.monotonic()
    w.start("w1")
    task_id = w.send(recipient.pk, key, 2.5)
    first = w.wait_for(
        "the job to start and write its row",
        lambda: Notification.objects.filter(key=key).exists() and running_attempt(task_id),
    )
    t_written = time.monotonic()
    w.kill("w1")
    t_killed = time.monotonic()
    w.start("w2")
    done = w.wait_for(
        "the job to succeed on the second worker",
        lambda: JobRun.objects.filter(task_id=task_id, status=JobStatus.SUCCEEDED).first(),
    )
    t_done = time.monotonic()
    log(
        f"killed worker: first start {t_written - t0:.1f} s, kill at {t_killed - t0:.1f} s, "
        f"redelivered and done at {t_done - t0:.1f} s (visibility timeout {w.visibility} s)"
    )

    assert Notification.objects.filter(recipient=recipient, key=key).count() == 1  # done once
    history = attempts(task_id)
    assert [a.status for a in history] == [JobStatus.FAILED, JobStatus.SUCCEEDED]
    killed, later = history
    assert killed.pk == first.pk and killed.error == WORKER_LOST and killed.finished_at is not None
    assert killed.worker.startswith("w1-") and later.worker.startswith("w2-")
    assert later.pk == done.pk and later.result == "0"  # the second attempt created nothing new
    assert later.started_at - killed.started_at >= timedelta(seconds=w.visibility - 1)


def test_a_killed_pool_process_is_requeued_at_once(workers, recipient):
    """kill -9 of the pool process only: the worker's main process sees the loss and, with
    reject_on_worker_lost, requeues the message at once (no waiting for the visibility timeout);
    a new pool process runs it again and the unique key keeps the result single."""
    w = workers(visibility=30)
    key = f"test-job:{uuid.uuid4()}"
    t0 = time.monotonic()
    main = w.start("w1")
    task_id = w.send(recipient.pk, key, 2.0)
    first = w.wait_for(
        "the job to start and write its row",
        lambda: Notification.objects.filter(key=key).exists() and running_attempt(task_id),
    )
    child = int(first.worker.rsplit(":", 1)[1])
    assert child != main.pid  # the job runs in the pool process
    os.kill(child, signal.SIGKILL)
    t_killed = time.monotonic()
    done = w.wait_for(
        "the job to succeed in a new pool process",
        lambda: JobRun.objects.filter(task_id=task_id, status=JobStatus.SUCCEEDED).first(),
    )
    t_done = time.monotonic()
    log(f"killed pool process: kill at {t_killed - t0:.1f} s, requeued and done at {t_done - t0:.1f} s")

    assert t_done - t_killed < w.visibility  # requeued by the worker, not by the timeout
    assert main.poll() is None  # the worker itself lives on
    assert Notification.objects.filter(recipient=recipient, key=key).count() == 1
    history = attempts(task_id)
    assert [a.status for a in history] == [JobStatus.FAILED, JobStatus.SUCCEEDED]
    assert history[0].error == WORKER_LOST
    assert history[1].pk == done.pk and history[1].result == "0"
    assert history[1].worker.rsplit(":", 1)[1] != str(child)


def test_redis_down_when_a_pay_run_is_calculated(client_for, assignments, english):
    """Redis is down when the chunk tasks are queued: the request ends at once with a clear
    message (no 500, no hang), the run goes back to draft with no payslip kept and the reason in
    its history and on its page; with Redis back, calculating again works."""
    from hrsuite.audit.models import AuditEntry
    from payroll.choices import RunStatus
    from payroll.models import PayRun, PayRunChunk, PaySlip
    from payroll.services import runs

    client = client_for("payroll")
    run, _created = runs.payrun_create(period=date(2026, 1, 1), actor=assignments["payroll"].employee.user)
    t0 = time.monotonic()
    with broker_down():
        response = client.post(reverse("payroll:run_calculate", args=[run.pk]))
    elapsed = time.monotonic() - t0
    log(f"pay run with Redis down: answered in {elapsed:.2f} s")
    assert response.status_code == 302 and elapsed < 10
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "The calculation could not start: the background job queue (Redis) was unreachable." in page.text
    assert 'data-testid="calc-failure"' in page.text

    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert not PaySlip.objects.filter(run=run).exists() and not PayRunChunk.objects.filter(run=run).exists()
    failure = AuditEntry.objects.filter(object_pk=str(run.pk), additional_data__action="calculation_failed").get()
    assert failure.actor == assignments["payroll"].employee.user
    assert "Connection refused" in failure.details["error"] or "connecting" in failure.details["error"]

    # Redis is back (eager tasks in tests): calculating again completes, and the alert is gone
    response = client.post(reverse("payroll:run_calculate", args=[run.pk]))
    run = PayRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.CALCULATED
    assert PaySlip.objects.filter(run=run).count() == len(assignments)
    assert 'data-testid="calc-failure"' not in client.get(reverse("payroll:run_detail", args=[run.pk])).text


def test_redis_down_when_payslips_are_published(client_for, assignments, run_factory, english):
    """Redis is down when the payslip batches are queued: the run is published (that is already
    committed), the page says what happens next instead of an error page, and the nightly
    catch-up renders every PDF and tells every employee, once."""
    from hrsuite.notifications.models import Notification
    from payroll.choices import RunStatus
    from payroll.models import PayRun, PayslipDocument
    from payroll.tasks import render_missing_payslips

    run = run_factory(date(2026, 1, 1), finalize=True)
    client = client_for("payroll")
    with broker_down():
        response = client.post(reverse("payroll:run_publish", args=[run.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "the background job queue (Redis) could not be reached" in page.text
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED
    assert not PayslipDocument.objects.filter(slip__run=run).exists()

    slips = run.slips.filter(status="ok").count()
    assert render_missing_payslips.apply().get() == slips
    assert PayslipDocument.objects.filter(slip__run=run).count() == slips
    told = Notification.objects.filter(key__startswith="payslip:")
    assert told.count() == slips
    assert render_missing_payslips.apply().get() == 0 and told.count() == slips  # once

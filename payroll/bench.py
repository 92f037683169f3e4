"""Benchmark: a month's pay run for the whole generated company, against PostgreSQL COPY of the
same slip lines into the lines table; payslip PDFs and the pay exports of that run."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from hrsuite.bench import Result, Timer, scenario
from hrsuite.bench_web import database_url
from hrsuite.celery import app as celery_app

from .choices import RunStatus
from .models import PayRun, PaySlip, PaySlipLine
from .services import runs

TARGET_SECONDS = 60.0  # the pay run for 10,000 employees on this 2-core machine
TARGET_RATIO = 10.0  # against COPY of the run's lines (copy_baseline)
WORKER_DEADLINE = 600.0  # seconds: a run the workers do not finish by then fails the scenario


def _fresh_run(name: str, size: int) -> tuple[PayRun, object] | Result:
    """The current month's run emptied (both variants start from no slips, like a first
    calculation) and the payroll user, or a skipped result if the run is past calculation."""
    actor = get_user_model().objects.get(username="payroll")
    period = timezone.localdate().replace(day=1)
    run, _created = runs.payrun_create(period=period, actor=actor)
    if run.status not in (RunStatus.DRAFT, RunStatus.CALCULATED):
        return Result(name, size, 0.0, note=f"skipped: the {period:%Y-%m} run is {run.status}", skipped=True)
    runs.delete_slips(run.pk)
    return run, actor


def _run_result(name: str, run: PayRun, seconds: float, how: str) -> Result:
    run.refresh_from_db()
    slips = PaySlip.objects.filter(run=run).count()
    lines = PaySlipLine.objects.filter(slip__run=run).count()
    baseline, bare = copy_baseline(run)
    return Result(
        name,
        slips,
        seconds,
        baseline,
        target_seconds=TARGET_SECONDS,
        target_ratio=TARGET_RATIO,
        note=f"{lines} lines ({lines / max(slips, 1):.1f} per slip), {run.errors_count} slips in error, {how}, "
        f"status {run.status}; baseline: COPY of the run's lines into the lines table (indexes, foreign key, "
        f"trigger, commit); into a bare temporary table {bare:.3f} s, ratio {seconds / bare:.1f}",
        extra={"lines": lines, "errors": run.errors_count, "bare_baseline_seconds": round(bare, 4)},
    )


@scenario("payroll.run", order=40)
def pay_run(size: int) -> Result:
    """Calculate and store the current month's run in one process (chunks computed in turn);
    baseline: COPY of the run's own lines into the lines table, committed (its indexes, foreign
    key and guard trigger included); the note also gives the ratio to COPY into a bare temporary
    table."""
    fresh = _fresh_run("payroll.run", size)
    if isinstance(fresh, Result):
        return fresh
    run, actor = fresh
    with Timer() as t:
        runs.payrun_calculate(run=run, actor=actor, dispatch=False)
    return _run_result("payroll.run", run, t.seconds, "one process")


@scenario("payroll.run_workers", order=41)
def pay_run_workers(size: int) -> Result:
    """The production path: "calculate" queues one task per chunk of 500 employees and two Celery
    worker processes (the Procfile's concurrency on this 2-core machine) compute and store them;
    timed from the click to the run being calculated (totals and payee checks done)."""
    fresh = _fresh_run("payroll.run_workers", size)
    if isinstance(fresh, Result):
        return fresh
    run, actor = fresh
    with celery_workers(concurrency=2), Timer() as t:
        runs.payrun_calculate(run=run, actor=actor, dispatch=True)
        deadline = time.monotonic() + WORKER_DEADLINE
        while PayRun.objects.filter(pk=run.pk, status=RunStatus.CALCULATING).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not finish the run within {WORKER_DEADLINE:.0f} s")
            time.sleep(0.05)
    return _run_result("payroll.run_workers", run, t.seconds, "2 worker processes")


@contextmanager
def celery_workers(concurrency: int = 2):
    """Real Celery worker processes (as the Procfile starts them), on the benchmark's own broker:
    `make bench` sets CELERY_BROKER_URL to a Redis database of its own for this process and the
    workers, so a development worker cannot take the benchmark's tasks (and the reverse)."""
    hostname = f"bench-{os.getpid()}@{socket.gethostname()}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hrsuite", "worker", "--concurrency", str(concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--hostname", hostname],
        env={**os.environ, "DATABASE_URL": database_url()}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[hostname], timeout=1.0):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the benchmark's Celery worker did not start")
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def copy_baseline(run: PayRun) -> tuple[float, float]:
    """The physical reference for storing the run: its own lines, taken out with COPY TO and
    removed (not timed), then written back with COPY into the lines table and committed (timed):
    the table's indexes, its foreign key to the slip and its guard trigger included, as the run
    writes them. Returns that and the bare figure: COPY of the same rows into a temporary table
    with no index, key, trigger or WAL (the floor this benchmark used before; shown in the note)."""
    columns = ", ".join(runs.LINE_COLUMNS)
    of_run = "slip_id IN (SELECT id FROM payroll_payslip WHERE run_id = %s)"
    data = bytearray()
    with connection.cursor() as cursor:
        query = f"COPY (SELECT {columns} FROM payroll_payslipline WHERE {of_run} ORDER BY id) TO STDOUT"  # noqa: S608
        with cursor.cursor.copy(query.replace("%s", str(int(run.pk)))) as copy:
            for block in copy:
                data += block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_lines (LIKE payroll_payslipline INCLUDING DEFAULTS INCLUDING IDENTITY) ON COMMIT DROP"
        )
        with Timer() as bare, cursor.cursor.copy(f"COPY bench_lines ({columns}) FROM STDIN") as copy:
            copy.write(bytes(data))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM payroll_payslipline WHERE {of_run}", [run.pk])  # noqa: S608
    with (
        Timer() as real,
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY payroll_payslipline ({columns}) FROM STDIN") as copy,
    ):
        copy.write(bytes(data))
    return real.seconds, bare.seconds


def current_run() -> PayRun:
    """The current month's run, calculated in this process if no scenario has done it yet (the
    export and payslip scenarios can then run on their own with --only)."""
    period = timezone.localdate().replace(day=1)
    run = PayRun.objects.filter(period=period).exclude(status=RunStatus.CANCELLED).first()
    if run is None or run.status == RunStatus.DRAFT:
        actor = get_user_model().objects.get(username="payroll")
        run = run or runs.payrun_create(period=period, actor=actor)[0]
        run = runs.payrun_calculate(run=run, actor=actor, dispatch=False)
    return run


@scenario("payroll.payslip_pdf", order=50)
def payslip_pdf(size: int) -> Result:
    """WeasyPrint rendering of one payslip (Chinese fonts), averaged over 20 slips."""
    from .payslips import render_payslip_pdf

    slips = list(_sample_slips(20))
    render_payslip_pdf(slips[0])  # fonts and stylesheet loaded once per process
    with Timer() as t:
        for slip in slips:
            render_payslip_pdf(slip)
    return Result("payroll.payslip_pdf", 1, t.seconds / len(slips), note="per payslip, averaged over 20")


@scenario("payroll.payslip_batch", order=51)
def payslip_batch(size: int) -> Result:
    """A batch of 1,000 payslip PDFs rendered in one process (a Celery worker renders batches of
    200; two workers on this machine render two batches at a time)."""
    from .payslips import render_payslip_pdf

    slips = list(_sample_slips(1000))
    with Timer() as t:
        for slip in slips:
            render_payslip_pdf(slip)
    n = len(slips)
    return Result("payroll.payslip_batch", n, t.seconds, note=f"{n / t.seconds:.1f} payslips/s in one process")


def _sample_slips(n: int):
    return (
        PaySlip.objects.filter(run=current_run(), status="ok")
        .select_related("employee", "employee__user", "department", "run")
        .prefetch_related("lines")
        .order_by("pk")[:n]
    )


def _write_export(exports) -> float:
    from hrsuite.excel import write_workbook

    exports = exports if isinstance(exports, list) else [exports]
    with Timer() as t:
        write_workbook([(e.title, e.headers, e.rows) for e in exports], io.BytesIO())
    return t.seconds


@scenario("payroll.export_register", order=60)
def export_register(size: int) -> Result:
    """Payroll register of the current month's run (read and write the workbook)."""
    from . import exports

    run = current_run()
    slips = PaySlip.objects.filter(run=run)
    with Timer() as t:
        _write_export(exports.register(run, slips))
    return Result("payroll.export_register", slips.count(), t.seconds, target_seconds=None)


@scenario("payroll.export_bank", order=61)
def export_bank(size: int) -> Result:
    """Bank transfer file of the current month's run (account numbers decrypted)."""
    from . import exports

    run = current_run()
    slips = PaySlip.objects.filter(run=run)
    with Timer() as t:
        _write_export(exports.bank_file(run, slips))
    return Result("payroll.export_bank", slips.count(), t.seconds)

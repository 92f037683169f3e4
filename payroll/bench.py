"""Benchmark: a month's pay run for the whole generated company, against PostgreSQL COPY of the
same slip lines into the lines table; payslip PDFs and the pay exports of that run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from hrsuite.bench import Result, Timer, scenario
from hrsuite.celery import app as celery_app

from .choices import RunStatus
from .models import PayRun, PaySlip, PaySlipLine
from .services import runs


@scenario("payroll.run", order=40)
def pay_run(size: int) -> Result:
    """Calculate and store the current month's run in one process (chunks computed in turn);
    baseline: COPY of the run's own lines into the lines table, committed (its indexes, foreign
    key and guard trigger included); the note also gives the ratio to COPY into a bare temporary
    table."""
    actor = get_user_model().objects.get(username="payroll")
    period = timezone.localdate().replace(day=1)
    run, _created = runs.payrun_create(period=period, actor=actor)
    if run.status not in (RunStatus.DRAFT, RunStatus.CALCULATED):
        return Result("payroll.run", size, 0.0, note=f"skipped: the {period:%Y-%m} run is {run.status}")
    runs.delete_slips(run.pk)  # a re-run starts from an empty run, like the first one
    with Timer() as t:
        run = runs.payrun_calculate(run=run, actor=actor, dispatch=False)
    slips = PaySlip.objects.filter(run=run).count()
    lines = PaySlipLine.objects.filter(slip__run=run).count()
    baseline, bare = copy_baseline(run)
    return Result(
        "payroll.run",
        slips,
        t.seconds,
        baseline,
        target_seconds=60.0,
        note=f"{lines} lines ({lines / max(slips, 1):.1f} per slip), {run.errors_count} slips in error; target ratio < 10; "
        + _baseline_note(baseline, bare, t.seconds),
        extra={"lines": lines, "errors": run.errors_count, "bare_baseline_seconds": round(bare, 4)},
    )


@contextmanager
def celery_workers(concurrency: int = 2):
    """Real Celery worker processes (as the Procfile starts them), on the benchmark's own broker:
    `make bench` sets CELERY_BROKER_URL to a Redis database of its own for this process and the
    workers, so a development worker cannot take the benchmark's tasks (and the reverse)."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hrsuite", "worker", "--concurrency", str(concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--hostname", f"bench-{os.getpid()}@%h"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(timeout=1.0):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the benchmark's Celery worker did not start")
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@scenario("payroll.run_workers", order=41)
def pay_run_workers(size: int) -> Result:
    """The production path: "calculate" queues one task per chunk of 500 employees and two Celery
    worker processes (the Procfile's concurrency on this 2-core machine) compute and store them;
    timed from the click to the run being calculated (totals and payee checks done)."""
    actor = get_user_model().objects.get(username="payroll")
    period = timezone.localdate().replace(day=1)
    run, _created = runs.payrun_create(period=period, actor=actor)
    if run.status not in (RunStatus.DRAFT, RunStatus.CALCULATED):
        return Result("payroll.run_workers", size, 0.0, note=f"skipped: the {period:%Y-%m} run is {run.status}")
    runs.delete_slips(run.pk)  # both variants start from an empty run
    with celery_workers(concurrency=2), Timer() as t:
        runs.payrun_calculate(run=run, actor=actor, dispatch=True)
        while PayRun.objects.filter(pk=run.pk, status=RunStatus.CALCULATING).exists():
            time.sleep(0.05)
    run.refresh_from_db()
    slips = PaySlip.objects.filter(run=run).count()
    lines = PaySlipLine.objects.filter(slip__run=run).count()
    baseline, bare = copy_baseline(run)
    return Result(
        "payroll.run_workers",
        slips,
        t.seconds,
        baseline,
        target_seconds=60.0,
        note=f"{lines} lines, 2 worker processes, status {run.status}; target ratio < 10; "
        + _baseline_note(baseline, bare, t.seconds),
        extra={"lines": lines, "errors": run.errors_count, "bare_baseline_seconds": round(bare, 4)},
    )


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


def _baseline_note(baseline: float, bare: float, seconds: float) -> str:
    return (
        f"baseline: COPY of the run's lines into the lines table (indexes, foreign key, trigger, commit); "
        f"into a bare temporary table {bare:.3f} s, ratio {seconds / bare:.1f}"
    )


def _current_run() -> PayRun:
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
        PaySlip.objects.filter(run=_current_run(), status="ok")
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

    run = _current_run()
    slips = PaySlip.objects.filter(run=run)
    with Timer() as t:
        _write_export(exports.register(run, slips))
    return Result("payroll.export_register", slips.count(), t.seconds, target_seconds=None)


@scenario("payroll.export_bank", order=61)
def export_bank(size: int) -> Result:
    """Bank transfer file of the current month's run (account numbers decrypted)."""
    from . import exports

    run = _current_run()
    slips = PaySlip.objects.filter(run=run)
    with Timer() as t:
        _write_export(exports.bank_file(run, slips))
    return Result("payroll.export_bank", slips.count(), t.seconds)

"""Pay runs: create, calculate in Celery chunks, approve (four eyes), finalise, cancel.

Calculation is idempotent and concurrency-safe:
* at most one open run per period and scope (a partial unique constraint): two people creating
  the same run get the same run;
* each calculation has a token and starts by removing the run's slips under the run's lock; a
  chunk task writes only if the run is still calculating with the same token and the chunk is
  not done yet, writing its slips together with its done mark (PayRunChunk row) in one
  transaction, so however often Celery delivers it the slips are written once;
* the last chunk to finish computes the totals and moves the run to "calculated".
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import workflows
from ..choices import OPEN_STATUSES, RunStatus, SlipStatus
from ..engine.payslip import calculate
from ..engine.problems import render
from ..gather import gather, in_scope_employees
from ..models import PayRun, PayRunChunk, PaySlip

CHUNK_SIZE = 500


def scope_key_for(departments) -> str:
    ids = sorted({d.pk for d in departments})
    return "all" if not ids else "d:" + ",".join(map(str, ids))


def _paths(run: PayRun) -> list[str] | None:
    if run.scope_key == "all":
        return None
    return list(run.departments.values_list("path", flat=True))


def _overlaps(period: date, departments, key: str) -> bool:
    """Whether another open or finalised run of the month (with a different scope) already
    covers any of these departments. A run with the same scope is not an overlap: it is the
    run itself, perhaps created a moment ago by someone else."""
    others = (
        PayRun.objects.filter(period=period)
        .exclude(status=RunStatus.CANCELLED)
        .exclude(scope_key=key)
        .prefetch_related("departments")
    )
    new_paths = [d.path for d in departments]
    for other in others:
        if other.scope_key == "all" or not new_paths:
            return True
        for old in other.departments.all():
            if any(p.startswith(old.path) or old.path.startswith(p) for p in new_paths):
                return True
    return False


@transaction.atomic
def payrun_create(*, period: date, departments=(), actor) -> tuple[PayRun, bool]:
    """Create the run for a month and scope, or return the open one that exists (created=False)."""
    period = period.replace(day=1)
    departments = list(departments)
    key = scope_key_for(departments)
    existing = PayRun.objects.filter(period=period, scope_key=key).exclude(status=RunStatus.CANCELLED).first()
    if existing:
        return existing, False
    if _overlaps(period, departments, key):
        raise ValidationError(
            _(
                "Another pay run of %(period)s already covers some of these employees. Cancel it or choose other departments."
            )
            % {"period": period.strftime("%Y-%m")}
        )
    try:
        with transaction.atomic():
            run = PayRun.objects.create(period=period, scope_key=key, prepared_by=actor)
    except IntegrityError:  # someone created it a moment ago
        return PayRun.objects.get(
            period=period, scope_key=key, status__in=[*OPEN_STATUSES, RunStatus.FINALIZED, RunStatus.PUBLISHED]
        ), False
    if departments:
        run.departments.set(departments)
    return run, True


@transaction.atomic
def payrun_calculate(*, run: PayRun, actor, request=None, dispatch: bool = True) -> PayRun:
    """(Re)calculate a draft or calculated run: replace its slips, dispatch the chunk tasks
    (or, with dispatch=False, compute the chunks here and now, for the demo data and tests)."""
    token = uuid.uuid4()
    employee_ids = in_scope_employees(run.period, _paths(run))
    run = workflows.transition(
        run,
        "calculate",
        actor=actor,
        request=request,
        calc_token=token,
        calc_started_at=timezone.now(),
        calc_finished_at=None,
        employees_total=len(employee_ids),
        employees_done=0,
        errors_count=0,
        approved_by=None,
        approved_at=None,
    )
    delete_slips(run.pk)
    PayRunChunk.objects.filter(run=run).delete()
    chunks = [
        PayRunChunk(run=run, calc_token=token, index=i, employee_ids=employee_ids[start : start + CHUNK_SIZE])
        for i, start in enumerate(range(0, len(employee_ids), CHUNK_SIZE))
    ]
    PayRunChunk.objects.bulk_create(chunks)
    if not chunks:
        _complete(run.pk, token)
    elif not dispatch:
        for chunk in chunks:
            calculate_chunk_now(run_id=run.pk, token=str(token), index=chunk.index)
        return PayRun.objects.get(pk=run.pk)
    indexes = [chunk.index for chunk in chunks]
    transaction.on_commit(lambda: _dispatch_chunks(run.pk, str(token), indexes, actor=actor))
    return run


# what the run's history records when the chunk tasks could not be queued (English source,
# translated where shown)
NOT_QUEUED = gettext_noop(
    "The calculation could not start: the background job queue (Redis) was unreachable. No payslip was kept; calculate the run again when the queue is back."
)


def _dispatch_chunks(run_id: int, token: str, indexes: list[int], *, actor=None) -> None:
    """Queue the chunk tasks (after the commit). When the broker cannot be reached, the run is
    not left "calculating" for ever: it goes back to draft with its slips removed and the reason
    recorded in its history, and the caller is told (ValidationError)."""
    from hrsuite.ops.jobs import BROKER_ERRORS

    from ..tasks import calculate_chunk

    try:
        for i in indexes:
            calculate_chunk.delay(run_id, token, i)
    except BROKER_ERRORS as exc:
        payrun_calculation_failed(run_id=run_id, token=token, error=f"{type(exc).__name__}: {exc}", actor=actor)
        raise ValidationError(_(NOT_QUEUED)) from exc


@transaction.atomic
def payrun_calculation_failed(*, run_id: int, token: str, error: str, actor=None) -> PayRun | None:
    """Stop a calculation that cannot go on: back to draft, slips and chunks removed (a chunk a
    worker finished meanwhile is removed too; one still running writes nothing, since the run is
    no longer calculating), the reason recorded. None if the run moved on meanwhile."""
    run = PayRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.CALCULATING or str(run.calc_token) != str(token):
        return None
    delete_slips(run.pk)
    PayRunChunk.objects.filter(run=run).delete()
    return workflows.transition(
        run,
        "calculation_failed",
        actor=actor,
        details={"token": str(token), "reason": NOT_QUEUED, "error": error[:500]},
        calc_finished_at=timezone.now(),
        employees_done=0,
        errors_count=0,
    )


def last_calculation_failure(run: PayRun):
    """The audit entry of the last calculation that could not start, if the run has not been
    calculated since (for the alert on the run's page)."""
    from hrsuite.audit.models import AuditEntry, AuditEvent

    if run.status != RunStatus.DRAFT:
        return None
    entry = (
        AuditEntry.objects.filter(
            content_type__app_label="payroll",
            content_type__model="payrun",
            object_pk=str(run.pk),
            event=AuditEvent.ACTION,
            additional_data__action__in=["calculate", "calculation_failed"],
        )
        .order_by("-timestamp", "-pk")
        .first()
    )
    return entry if entry is not None and entry.details.get("action") == "calculation_failed" else None


def calculate_chunk_now(*, run_id: int, token: str, index: int) -> int:
    """Compute and store one chunk. Returns the number of slips written (0 if the chunk is
    stale or already done)."""
    chunk = PayRunChunk.objects.filter(run_id=run_id, calc_token=token, index=index).select_related("run").first()
    if chunk is None or chunk.done_at is not None or chunk.run.status != RunStatus.CALCULATING:
        return 0
    run = chunk.run
    gathered = gather(run.period, chunk.employee_ids)
    results = [(p.employee_id, calculate(p)) for p in gathered.inputs]
    with transaction.atomic():
        locked = PayRun.objects.select_for_update().get(pk=run_id)
        if locked.status != RunStatus.CALCULATING or str(locked.calc_token) != str(token):
            return 0
        done = PayRunChunk.objects.select_for_update().get(pk=chunk.pk)
        if done.done_at is not None:
            return 0
        # no slip of these employees can exist here: payrun_calculate removed the run's slips
        # under the run's lock before this token was set, and a chunk writes only together with
        # its done_at (payslip_one_per_run would refuse a second slip rather than keep it)
        written = _store(locked, token, results, gathered)
        done.done_at = timezone.now()
        done.save(update_fields=["done_at"])
        errors = len(gathered.errors) + sum(1 for _e, r in results if not r.ok)
        PayRun.objects.filter(pk=run_id).update(
            employees_done=locked.employees_done + len(chunk.employee_ids), errors_count=locked.errors_count + errors
        )
        if not PayRunChunk.objects.filter(run_id=run_id, calc_token=token, done_at__isnull=True).exists():
            _complete(run_id, token)
    return written


def delete_slips(run_id: int) -> None:
    """Remove a run's slips and their lines in two statements, without loading them (a run
    holds up to hundreds of thousands of lines)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM payroll_payslipline WHERE slip_id IN (SELECT id FROM payroll_payslip WHERE run_id = %s)",
            [run_id],
        )
        cursor.execute("DELETE FROM payroll_payslip WHERE run_id = %s", [run_id])


SLIP_MONEY_FIELDS = (
    "gross",
    "taxable_income",
    "si_employee",
    "hf_employee",
    "other_deductions",
    "iit",
    "bonus_tax",
    "net",
    "employer_cost",
    "fixed_pay",
    "variable_pay",
)


def _store(run: PayRun, token, results, gathered) -> int:
    """Write a chunk's slips and their lines with COPY, as plain rows (no model instances: a
    run writes ten thousand slips and over a hundred thousand lines)."""
    zero = (Decimal(0),) * (len(SLIP_MONEY_FIELDS) + len(SLIP_YTD_SOURCES))  # a slip in error
    rows = []
    for emp_id, r in results:
        if r.ok:
            rows.append((emp_id, SlipStatus.OK, "", None, _slip_figures(r)))
        else:
            rows.append((emp_id, SlipStatus.ERROR, r.error[:500], r.problem, zero))
    for emp_id, item in gathered.errors.items():
        rows.append((emp_id, SlipStatus.ERROR, render(item)[:500], item, zero))
    ids = _copy_slips(run, token, rows, gathered.departments)
    _copy_lines((ids[emp_id], r) for emp_id, r in results if r.ok)
    return len(rows)


# the slip's year-to-date columns and where the engine's result keeps each
SLIP_YTD_SOURCES = {
    "ytd_income": "ytd.income",
    "ytd_exempt": "ytd.exempt",
    "ytd_special": "ytd.special",
    "ytd_additional": "ytd.additional",
    "ytd_other": "ytd.other",
    "ytd_basic": "ytd.basic_deduction",
    "ytd_taxable": "ytd_taxable",
    "ytd_tax": "ytd.tax_withheld",
}
# a calculated slip's figures, in the order of SLIP_COLUMNS
_slip_figures = attrgetter(*SLIP_MONEY_FIELDS, *SLIP_YTD_SOURCES.values())
SLIP_COLUMNS = (
    "id",
    "run_id",
    "employee_id",
    "period",
    "department_id",
    "status",
    "error",
    "error_detail",
    *SLIP_MONEY_FIELDS,
    *SLIP_YTD_SOURCES,
    "calc_token",
)


def _copy_slips(run: PayRun, token, rows, departments: dict[int, int | None]) -> dict[int, int]:
    """Insert slips with COPY, taking their ids from the table's sequence first (the lines
    need them). `rows`: (employee id, status, error text, error detail, the money then the
    year-to-date figures).
    Returns the slip id of each employee."""
    if not rows:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('payroll_payslip', 'id')) FROM generate_series(1, %s)", [len(rows)]
        )
        ids = {emp_id: pk for (emp_id, *_rest), (pk,) in zip(rows, cursor.fetchall(), strict=True)}
        with cursor.cursor.copy(f"COPY payroll_payslip ({', '.join(SLIP_COLUMNS)}) FROM STDIN") as copy:
            for emp_id, status, error, detail, figures in rows:
                detail_json = json.dumps(detail, ensure_ascii=False, default=str) if detail else "{}"
                head = (ids[emp_id], run.pk, emp_id, run.period, departments.get(emp_id), status, error, detail_json)
                copy.write_row((*head, *figures, token))
    return ids


LINE_COLUMNS = (
    "slip_id",
    "code",
    "name",
    "kind",
    "source",
    "taxable",
    "amount",
    "formula",
    "inputs",
    "explanation",
    "display_order",
)


def _copy_lines(slip_results) -> None:
    """Write slip lines with PostgreSQL COPY (the fastest bulk path; the same path the
    benchmark's baseline measures). The inputs of most lines repeat (every contribution line of a
    slip names the same base), so each distinct set is serialised once."""
    encoded: dict[tuple, str] = {(): "{}"}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY payroll_payslipline ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
            for slip_id, r in slip_results:
                for ln in r.lines:
                    key = tuple(ln.inputs.items())
                    inputs = encoded.get(key)
                    if inputs is None:
                        inputs = encoded[key] = json.dumps(ln.inputs, ensure_ascii=False)
                    copy.write_row(
                        (
                            slip_id,
                            ln.code,
                            ln.name,
                            ln.kind,
                            ln.source,
                            ln.taxable,
                            ln.amount,
                            ln.formula,
                            inputs,
                            ln.explanation,
                            ln.display_order,
                        )
                    )


def _complete(run_id: int, token) -> None:
    totals = PaySlip.objects.filter(run_id=run_id, status=SlipStatus.OK).aggregate(
        gross=Sum("gross"), net=Sum("net"), iit=Sum("iit"), bonus_tax=Sum("bonus_tax"), employer=Sum("employer_cost")
    )
    errors = PaySlip.objects.filter(run_id=run_id, status=SlipStatus.ERROR).count()
    zero = 0
    gross, net = totals["gross"] or zero, totals["net"] or zero
    run = PayRun.objects.get(pk=run_id)
    run = workflows.transition(
        run,
        "calculation_done",
        details={"token": str(token)},
        calc_finished_at=timezone.now(),
        errors_count=errors,
        total_gross=gross,
        total_net=net,
        total_deductions=gross - net,
        total_iit=(totals["iit"] or zero) + (totals["bonus_tax"] or zero),
        total_employer_cost=totals["employer"] or zero,
    )
    from ..checks import run_payee_checks

    run_payee_checks(run)


@transaction.atomic
def payrun_approve(*, run: PayRun, actor, request=None, calc_token=None) -> PayRun:
    """`calc_token`: the calculation the approver reviewed (the run page sends it). A run
    recalculated since then is refused, so nobody approves payslips they have not seen."""
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if calc_token and str(run.calc_token) != str(calc_token):
        raise ValidationError(_("The run was recalculated after you opened it; review the new payslips, then approve."))
    if run.prepared_by_id == actor.pk:
        raise ValidationError(_("The person who prepared a run cannot approve it; ask a colleague."))
    if run.errors_count:
        raise ValidationError(
            _("Fix the %(n)s payslips with errors and recalculate before approving.") % {"n": run.errors_count}
        )
    return workflows.transition(
        run, "approve", actor=actor, request=request, approved_by=actor, approved_at=timezone.now()
    )


@transaction.atomic
def payrun_return(*, run: PayRun, actor, reason: str, request=None) -> PayRun:
    if not reason.strip():
        raise ValidationError(_("Say why the run is returned."))
    return workflows.transition(
        run,
        "return",
        actor=actor,
        request=request,
        details={"reason": reason[:300]},
        approved_by=None,
        approved_at=None,
    )


@transaction.atomic
def payrun_finalize(*, run: PayRun, actor, request=None) -> PayRun:
    run = PayRun.objects.select_for_update().get(pk=run.pk)
    if run.approved_by_id is None:
        raise ValidationError(_("The run must be approved by a second person first."))
    from ..checks import blocking_issues, run_payee_checks

    run_payee_checks(run)  # the accounts may have changed since the calculation
    issues = blocking_issues(run)
    if issues:
        raise ValidationError(issues)
    return workflows.transition(
        run, "finalize", actor=actor, request=request, finalized_by=actor, finalized_at=timezone.now()
    )


@transaction.atomic
def payrun_cancel(*, run: PayRun, actor, request=None) -> PayRun:
    run = workflows.transition(run, "cancel", actor=actor, request=request)
    delete_slips(run.pk)
    return run


def run_counts(run: PayRun) -> dict:
    return PaySlip.objects.filter(run=run).aggregate(
        total=Count("pk"), errors=Count("pk", filter=Q(status=SlipStatus.ERROR))
    )

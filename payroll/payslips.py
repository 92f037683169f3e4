"""Payslips as documents: the HTML/PDF context, rendering in the employee's language, storing
the PDF once (idempotent), publishing a finalised run in Celery batches and telling employees."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hrsuite.core.context_processors import company_name
from hrsuite.notifications.services import notify
from hrsuite.pdf import content_hash, generated_at, render_pdf
from hrsuite.uploads import private_path

from . import workflows
from .models import PayRun, PaySlip, PayslipDocument

BATCH_SIZE = 200

log = logging.getLogger(__name__)


def payslip_context(slip: PaySlip, lines=None) -> dict:
    lines = list(slip.lines.all()) if lines is None else lines
    groups = {
        "earning": [ln for ln in lines if ln.kind == "earning"],
        "deduction": [ln for ln in lines if ln.kind == "deduction"],
        "employer_cost": [ln for ln in lines if ln.kind == "employer_cost"],
    }
    return {
        "slip": slip,
        "employee": slip.employee,
        "groups": groups,
        "company": company_name(),
        "total_deductions": sum((ln.amount for ln in groups["deduction"]), start=slip.gross * 0),
        "generated_at": generated_at(),
        "hash": content_hash(slip.employee.employee_no, slip.period, *[(ln.code, ln.amount) for ln in lines], slip.net),
    }


def render_payslip_pdf(slip: PaySlip) -> bytes:
    user = slip.employee.user
    language = (user.language if user else None) or "zh-hans"
    with translation.override(language):
        return render_pdf("payroll/pdf/payslip.html", payslip_context(slip))


def store_payslip_pdf(slip: PaySlip) -> PayslipDocument:
    """Render and keep the PDF of a published slip, once: a second call (or a concurrent worker)
    returns the stored document."""
    existing = PayslipDocument.objects.filter(slip=slip).first()
    if existing is not None:
        return existing
    data = render_payslip_pdf(slip)
    import hashlib

    path = default_storage.save(private_path("payslips", "pdf"), ContentFile(data))
    try:
        with transaction.atomic():
            return PayslipDocument.objects.create(
                slip=slip, file=path, size=len(data), sha256=hashlib.sha256(data).hexdigest()
            )
    except IntegrityError:
        default_storage.delete(path)
        return PayslipDocument.objects.get(slip=slip)


def slips_for_documents(run: PayRun):
    return (
        PaySlip.objects.filter(run=run, status="ok")
        .select_related("employee", "employee__user", "employee__department", "employee__position", "department", "run")
        .prefetch_related("lines")
        .order_by("pk")
    )


def render_batch(run_id: int, start: int, size: int = BATCH_SIZE) -> int:
    """Render the PDFs of one batch of a published run's slips and tell their employees."""
    run = PayRun.objects.get(pk=run_id)
    if run.status != "published":
        return 0
    done = 0
    for slip in slips_for_documents(run)[start : start + size]:
        _publish_slip(slip)
        done += 1
    return done


def _publish_slip(slip: PaySlip) -> None:
    """Store the slip's PDF and tell its employee, each once (the document's one-to-one slip and
    the notification key decide)."""
    store_payslip_pdf(slip)
    if slip.employee.user_id:
        notify(
            recipients=[slip.employee.user],
            key=f"payslip:{slip.pk}",
            message=gettext_noop("Your payslip for %(period)s is ready."),
            params={"period": slip.period.strftime("%Y-%m")},
            url=f"/me/payslips/{slip.pk}/",
            email=True,
        )


@transaction.atomic
def payrun_publish(*, run: PayRun, actor, request=None, dispatch: bool = True, render: bool = True) -> PayRun:
    """Make a finalised run's payslips visible to employees and render them in batches (with
    render=False the PDFs are left to the nightly catch-up and to on-demand rendering)."""
    from .tasks import render_payslip_batch

    run = workflows.transition(run, "publish", actor=actor, request=request, published_at=timezone.now())
    total = PaySlip.objects.filter(run=run, status="ok").count() if render else 0
    starts = list(range(0, total, BATCH_SIZE))
    if dispatch and starts:
        transaction.on_commit(lambda: _dispatch_batches(render_payslip_batch, run.pk, starts))
    elif not dispatch:
        for start in starts:
            render_batch(run.pk, start)
    return run


def _dispatch_batches(task, run_id: int, starts: list[int]) -> None:
    """Queue the batches (after the commit). When the job queue cannot be reached, the run stays
    published (payslips are visible and render on demand) and the nightly catch-up renders the
    PDFs and tells the employees; the caller is told so (ValidationError), not shown an error page."""
    from hrsuite.ops.jobs import BROKER_ERRORS

    try:
        for start in starts:
            task.delay(run_id, start)
    except BROKER_ERRORS as exc:
        log.warning("payslip batches of run %s not queued (%r): left to render_missing_payslips", run_id, exc)
        raise ValidationError(
            _(
                "The payslips are published, but the background job queue (Redis) could not be reached: the PDFs will be made and the employees told by the nightly job, and each payslip can be opened now."
            )
        ) from exc


def render_missing(limit: int = 500) -> int:
    """Catch-up for the nightly job: render PDFs that a lost batch did not produce."""
    done = 0
    missing = (
        PaySlip.objects.filter(run__status="published", status="ok", document__isnull=True)
        .select_related("employee", "employee__user", "department", "run")
        .prefetch_related("lines")[:limit]
    )
    for slip in missing:
        _publish_slip(slip)  # a lost batch also did not tell its employees
        done += 1
    return done

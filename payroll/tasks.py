from celery import shared_task
from django.db import OperationalError

from .services import runs


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def calculate_chunk(self, run_id: int, token: str, index: int) -> int:
    """One chunk of a pay-run calculation. Idempotent: a stale or repeated delivery writes nothing."""
    return runs.calculate_chunk_now(run_id=run_id, token=token, index=index)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    max_retries=5,
)
def render_payslip_batch(self, run_id: int, start: int) -> int:
    """Render one batch of payslip PDFs of a published run. Idempotent: stored PDFs are skipped
    and each employee is notified once."""
    from .payslips import render_batch

    return render_batch(run_id, start)


@shared_task
def render_missing_payslips() -> int:
    """Nightly: render any PDFs of published runs that a lost batch did not produce."""
    from .payslips import render_missing

    return render_missing()

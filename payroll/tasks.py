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

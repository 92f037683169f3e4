from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=3, retry_backoff=60)
def contract_end_reminders(self) -> int:
    """Daily: remind HR of fixed-term contracts ending within 30 days (each one once)."""
    return services.contract_end_reminders()


@shared_task
def purge_stale_imports() -> int:
    """Daily: delete uploaded import files whose preview was never confirmed (older than a day)."""
    return services.purge_stale_imports()

from celery import shared_task

from .health import record_beat


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled every minute by beat and run by a worker: a fresh value proves both are alive."""
    record_beat()

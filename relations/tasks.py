"""Thin Celery wrappers of the employee-relations services."""

from celery import shared_task

from . import services_feedback


@shared_task
def feedback_digest() -> int:
    """Hourly (Celery beat): tell HR and each addressed department head how many feedback threads
    arrived since the last digest: counts only, never timed with a posting. Idempotent: each
    thread is reported once (its `notified` flag), so a second run or a retry sends nothing."""
    return services_feedback.feedback_digest()

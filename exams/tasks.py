from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def expire_overdue_attempts() -> int:
    """Every few minutes: grade the attempts left open past their time (idempotent)."""
    return services.expire_overdue_attempts(now=timezone.now())

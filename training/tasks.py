from celery import shared_task

from . import services


@shared_task
def required_enrollments() -> int:
    """Daily: enrol people in the courses their position or department requires (idempotent)."""
    return services.required_enrollments()

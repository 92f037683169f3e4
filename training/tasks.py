from celery import shared_task

from . import reminders, services


@shared_task
def required_enrollments() -> int:
    """Daily: enrol people in the courses their position or department requires (idempotent)."""
    return services.required_enrollments()


@shared_task
def certificate_reminders() -> dict:
    """Daily: remind employees, managers and HR of expiring certificates (each lead day once) and
    enrol them in refresher courses. Idempotent: a second run or a retry sends nothing new."""
    return reminders.certificate_reminders().as_dict()

from celery import shared_task

from . import reminders


@shared_task
def handover_reminders() -> dict:
    """Daily: remind whoever holds a handover item 3 days before its due date and on the day
    (in-app and e-mail, each once). Idempotent: a second run or a retry sends nothing new."""
    return reminders.handover_reminders().as_dict()


# the revocation jobs live in jobs.py; importing them here lets Celery autodiscovery find them
from .jobs import revoke_case_access, revoke_due_access  # noqa: E402, F401

"""The Celery application. Beat's schedule is static and lives here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrsuite.settings.dev")

app = Celery("hrsuite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One schedule, in code. Policies that HR edits (lead days, recipients) live in the database;
# the jobs read them when they run.
app.conf.beat_schedule = {
    "beat-heartbeat": {"task": "hrsuite.ops.tasks.beat_heartbeat", "schedule": 60.0},
    "purge-stale-imports": {"task": "employees.tasks.purge_stale_imports", "schedule": crontab(hour=3, minute=30)},
    "render-missing-payslips": {
        "task": "payroll.tasks.render_missing_payslips",
        "schedule": crontab(hour=2, minute=30),
    },
    "required-enrollments": {"task": "training.tasks.required_enrollments", "schedule": crontab(hour=6, minute=30)},
    "expire-overdue-attempts": {"task": "exams.tasks.expire_overdue_attempts", "schedule": crontab(minute="*/5")},
    "assessment-results-sync": {
        "task": "recruiting.tasks.assessment_results_sync",
        "schedule": crontab(minute="*/10"),
    },
    "certificate-reminders": {
        "task": "training.tasks.certificate_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "handover-reminders": {"task": "offboarding.tasks.handover_reminders", "schedule": crontab(hour=8, minute=15)},
    # access ends in the evening of the revocation day, so the leaver keeps their last working day
    "revoke-due-access": {"task": "offboarding.jobs.revoke_due_access", "schedule": crontab(hour=20, minute=0)},
    "backup-watch": {"task": "hrsuite.ops.tasks.backup_watch", "schedule": crontab(minute=15)},
    "contract-end-reminders": {
        "task": "employees.tasks.contract_end_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # dump, checksum and restore-verify while nobody works (before the 02:30 payslip catch-up)
    "nightly-backup": {"task": "hrsuite.ops.tasks.nightly_backup", "schedule": crontab(hour=1, minute=30)},
    # new anonymous feedback is announced in an hourly digest, never at the moment of posting
    "feedback-digest": {"task": "relations.tasks.feedback_digest", "schedule": crontab(minute=5)},
    # e-mails whose task could not be queued (Redis was down) are sent once it is back
    "send-pending-emails": {
        "task": "hrsuite.notifications.tasks.send_pending_emails",
        "schedule": crontab(minute="*/15"),
    },
}
app.conf.beat_schedule_filename = os.environ.get("CELERY_BEAT_SCHEDULE_FILE", "var/celerybeat-schedule")
__all__ = ["app", "crontab"]

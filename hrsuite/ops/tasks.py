from celery import shared_task

from .health import record_beat


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled every minute by beat and run by a worker: a fresh value proves both are alive."""
    record_beat()


# A backup can take long on a big database: its limits stay below the broker's 2-hour visibility
# timeout, so a running backup is never handed to a second worker (the advisory lock in
# backup_run would refuse it anyway).
@shared_task(soft_time_limit=100 * 60, time_limit=110 * 60)
def nightly_backup(triggered_by_id: int | None = None) -> str:
    """Scheduled by beat at night: dump, archive the uploaded files, verify by a test restore,
    apply retention. A failed backup is recorded and notified, then raised so the job shows as
    failed as well."""
    from django.contrib.auth import get_user_model

    from .backups import BackupFailed, backup_run
    from .models import BackupStatus

    user = get_user_model().objects.filter(pk=triggered_by_id).first() if triggered_by_id else None
    run = backup_run(triggered_by=user)
    if run.status != BackupStatus.VERIFIED:
        raise BackupFailed(f"backup {run.pk} failed: {run.error}")
    return f"backup {run.pk} verified: {run.dump_path} ({run.dump_bytes} bytes, restore {run.restore_seconds} s)"


@shared_task(ignore_result=True)
def backup_watch() -> int:
    """Hourly: notify HR administrators (once a day) when no backup has been verified for longer
    than BACKUP_MAX_AGE_HOURS, e.g. because the nightly job stopped running."""
    from .backups import notify_if_stale

    return notify_if_stale()

"""Make a backup now: dump, files archive, test restore, retention (what the nightly job does).

Prints the result; exits with status 1 when the backup failed (the reason is recorded and the HR
administrators are notified, as for the nightly job).
"""

from django.core.management.base import BaseCommand, CommandError

from hrsuite.ops.backups import backup_run, human_bytes
from hrsuite.ops.models import BackupStatus


class Command(BaseCommand):
    help = "Back up the database and the uploaded files now, and verify the backup by a test restore."

    def handle(self, *args, **options):
        run = backup_run()
        if run.status != BackupStatus.VERIFIED:
            raise CommandError(f"Backup {run.pk} failed: {run.error}")
        self.stdout.write(f"Database dump:  {run.dump_path} ({human_bytes(run.dump_bytes)})")
        self.stdout.write(f"  sha256        {run.dump_sha256}")
        self.stdout.write(f"Uploaded files: {run.media_path} ({human_bytes(run.media_bytes)})")
        self.stdout.write(f"  sha256        {run.media_sha256}")
        totals = len((run.details or {}).get("source", {}).get("totals", {}))
        self.stdout.write(
            f"Dump took {run.dump_seconds:.1f} s. Test restore took {run.restore_seconds:.1f} s: all "
            f"{run.tables_checked} tables ({run.rows_checked} rows) and {totals} payroll and staff control totals matched."
        )
        pruned = (run.details or {}).get("pruned") or []
        if pruned:
            self.stdout.write(f"Retention removed the files of {len(pruned)} older backup(s).")
        self.stdout.write(self.style.SUCCESS(f"Backup {run.pk} verified{' (encrypted)' if run.encrypted else ''}."))

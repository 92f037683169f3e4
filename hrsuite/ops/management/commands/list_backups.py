"""List the recorded backups, newest first: when, status, size, checksum, restore time, file."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from hrsuite.ops.backups import human_bytes
from hrsuite.ops.models import BackupRun, BackupStatus


class Command(BaseCommand):
    help = "List backups: when, status, size, SHA-256 prefix, measured restore time, file."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Include backups removed by retention.")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **options):
        runs = BackupRun.objects.order_by("-started_at")
        if not options["all"]:
            runs = runs.exclude(status=BackupStatus.PRUNED)
        rows = []
        for r in runs[: options["limit"]]:
            path = Path(r.dump_path) if r.dump_path else None
            file = path.name if path else "-"
            if path and r.status != BackupStatus.PRUNED and not path.exists():
                file += " (missing)"
            restore = f"{r.restore_seconds:.1f} s" if r.restore_seconds is not None else "-"
            rows.append(
                [
                    f"{timezone.localtime(r.started_at):%Y-%m-%d %H:%M:%S}",
                    r.status,
                    human_bytes(r.dump_bytes + r.media_bytes) if r.dump_bytes else "-",
                    r.dump_sha256[:12] or "-",
                    restore,
                    file,
                ]
            )
        if not rows:
            self.stdout.write("No backups recorded yet. Make one with `manage.py backup_now`.")
            return
        header = ["when", "status", "size", "sha256", "restore", "file"]
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
        for line in [header, *rows]:
            self.stdout.write("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())
        failed = runs.filter(status=BackupStatus.FAILED).first()
        if failed and failed == runs.first():
            self.stdout.write(self.style.ERROR(f"The newest backup failed: {failed.error}"))

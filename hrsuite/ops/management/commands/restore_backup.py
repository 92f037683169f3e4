"""Restore a backup made by `backup_now` or the nightly job.

    manage.py restore_backup FILE [--database NAME] [--force] [--yes] [--media | --media-dir DIR]

* FILE is a `hrsuite-….dump` or `….dump.enc` (a bare name is looked up in BACKUP_DIR). Its
  `<file>.sha256` must exist and match, or nothing is restored. An `.enc` file needs the
  BACKUP_ENCRYPTION_KEY it was made with; it is decrypted to a private temporary file.
* The target is `--database NAME`, created (empty) when missing. A database that already has
  tables is refused unless `--force`, which drops and recreates the objects of the backup
  (pg_restore --clean). Without `--database` the target is the suite's own database, which is
  never empty, so `--force` is required: stop web, worker and beat first.
* You are asked to type the target database's name unless `--yes`.
* pg_restore runs with --exit-on-error; a database this command created is dropped again when
  the restore fails. Afterwards every table's row count and the payroll control totals are
  compared with the backup's manifest (written when the backup was made), when it is present.
* `--media-dir DIR` also restores the uploaded files of the same backup into DIR (after checking
  its own checksum), `--media` into MEDIA_ROOT; a directory that is not empty needs `--force`.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

from hrsuite.ops import backups
from hrsuite.ops.backups import BackupError
from hrsuite.ops.models import BackupStatus

# copied from the source record onto the row the dump holds for its own backup (it was still
# "running" when the snapshot was taken)
OUTCOME_FIELDS = (
    "status", "finished_at", "dump_sha256", "dump_bytes", "media_sha256", "media_bytes", "dump_seconds",
    "restore_seconds", "tables_checked", "rows_checked", "error",
)  # fmt: skip


class Command(BaseCommand):
    help = "Restore a database backup (checksum checked first) into a new or empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .dump or .dump.enc file (a bare name is looked up in BACKUP_DIR).")
        parser.add_argument("--database", help="Target database, created when missing (default: the suite's own).")
        parser.add_argument("--force", action="store_true", help="Restore over a database or folder that is not empty.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        media = parser.add_mutually_exclusive_group()
        media.add_argument("--media", action="store_true", help="Also restore the uploaded files into MEDIA_ROOT.")
        media.add_argument("--media-dir", help="Also restore the uploaded files into this directory.")

    def handle(self, *args, **options):
        path = self.resolve(options["file"])
        self.check_checksum(path)
        live = backups.database_name()
        target = options["database"] or live
        media_dir = Path(settings.MEDIA_ROOT) if options["media"] else options["media_dir"]
        media_archive = self.media_archive(path) if media_dir else None
        if media_archive:
            self.check_checksum(media_archive)

        with backups.connect() as ctl:
            exists = bool(ctl.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone())
            if exists and self.has_tables(target) and not options["force"]:
                raise CommandError(
                    f"Database {target!r} is not empty: refusing to restore over it. Name a new database with "
                    f"--database, or add --force to replace its contents{' (stop the suite first)' if target == live else ''}."
                )
            if media_dir and Path(media_dir).exists() and any(Path(media_dir).iterdir()) and not options["force"]:
                raise CommandError(f"{media_dir} is not empty: refusing to restore the files over it (add --force).")
            self.confirm(target, path, options)

            source_row = self.source_row(path)
            tool = backups.find_tool("pg_restore")
            if not tool:
                raise CommandError("pg_restore was not found: install postgresql-client or set BACKUP_PG_BIN_DIR.")
            if target == live:
                connections.close_all()
            if not exists:
                backups.create_database(ctl, target)
            workdir = Path(tempfile.mkdtemp(prefix="hrsuite-restore-"))
            try:
                started = time.monotonic()
                try:
                    clear = backups.decrypt_to(path, backups.backup_fernet(), workdir / "restore.dump")
                    backups.pg_restore(tool, clear, target, clean=exists)
                except BackupError as err:
                    if not exists:
                        backups.drop_database(ctl, target)
                    raise CommandError(err.english().removeprefix("Backup failed: ")) from None
                seconds = time.monotonic() - started
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

        self.stdout.write(f"Restored {path.name} into database {target!r} in {seconds:.1f} s.")
        self.check_against_manifest(path, target)
        self.mark_own_row(path, target, source_row)
        if media_dir:
            self.restore_media(media_archive, Path(media_dir))
        self.stdout.write(self.style.SUCCESS("Restore finished."))

    # --- steps ---------------------------------------------------------------------------------

    def resolve(self, name: str) -> Path:
        path = Path(name)
        if not path.exists() and not path.is_absolute():
            path = backups.backup_dir() / name
        if not path.is_file():
            raise CommandError(f"{name}: no such backup file (looked here and in {backups.backup_dir()}).")
        if path.name.endswith(".sha256") or path.name.endswith(".manifest.json"):
            raise CommandError(f"{name} is a checksum or manifest: give the .dump file itself.")
        return path.resolve()

    def check_checksum(self, path: Path) -> None:
        expected = backups.read_checksum(path)
        if expected is None:
            raise CommandError(
                f"{path.name}: checksum file {path.name}.sha256 is missing, so the file cannot be checked. Refusing to restore."
            )
        if not expected:
            raise CommandError(f"{path.name}.sha256 holds no SHA-256 digest. Refusing to restore.")
        actual = backups.sha256_of(path)
        if actual != expected:
            raise CommandError(
                f"{path.name}: checksum mismatch (expected {expected[:16]}…, file has {actual[:16]}…): the file is "
                "damaged or was changed. Refusing to restore."
            )
        self.stdout.write(f"Checksum of {path.name} matches.")

    def media_archive(self, dump: Path) -> Path:
        row = self.source_row(dump)
        if row is not None and row.media_path and Path(row.media_path).is_file():
            return Path(row.media_path)
        enc = ".enc" if dump.name.endswith(".enc") else ""
        stem = dump.name.removesuffix(".enc").removesuffix(".dump")
        candidate = dump.with_name(f"{stem}-media.tar.gz{enc}")
        if not candidate.is_file():
            raise CommandError(f"The files archive of this backup ({candidate.name}) was not found.")
        return candidate

    def has_tables(self, dbname: str) -> bool:
        try:
            with backups.connect(dbname) as conn:
                return bool(conn.execute(backups.TABLES_SQL).fetchone())
        except psycopg.OperationalError as exc:
            raise CommandError(f"Cannot connect to database {dbname!r}: {str(exc).strip()}") from None

    def confirm(self, target: str, path: Path, options) -> None:
        if options["yes"]:
            return
        answer = input(f"Restore {path.name} into database {target!r}? Type the database name to confirm: ")
        if answer.strip() != target:
            raise CommandError("Cancelled: the name typed does not match. Nothing was changed.")

    def source_row(self, path: Path):
        """This backup's record in the suite's own database, if it has one."""
        from hrsuite.ops.models import BackupRun

        try:
            return BackupRun.objects.filter(dump_path=str(path)).first()
        except Exception:  # no ops table yet (restoring onto a fresh server)
            return None

    def load_manifest(self, path: Path) -> dict | None:
        try:
            return json.loads(backups.manifest_path(path).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def check_against_manifest(self, path: Path, target: str) -> None:
        manifest = self.load_manifest(path)
        if not manifest:
            self.stdout.write("No manifest beside the backup: row counts were not compared.")
            return
        with backups.connect(target) as conn:
            counts = backups.table_counts(conn)
            totals = backups.control_totals(conn)
        mismatches = backups.compare(manifest["counts"], counts, manifest["totals"], totals)
        if mismatches:
            lines = "\n".join(f"  {m['name']}: backup {m['source']}, restored {m['restored']}" for m in mismatches[:20])
            raise CommandError(f"The restored database differs from the backup's manifest:\n{lines}")
        self.stdout.write(
            f"All {len(counts)} tables ({sum(counts.values())} rows) and {len(totals)} payroll and staff control "
            "totals match the backup."
        )
        if manifest.get("status") != BackupStatus.VERIFIED:
            self.stdout.write(self.style.WARNING(f"Note: this backup was recorded as {manifest.get('status')}."))

    def mark_own_row(self, path: Path, target: str, source_row) -> None:
        """The dump holds its own backup's record as "running" (the snapshot was taken while it
        ran); give it the outcome from the source record or the manifest, so the restored suite
        does not report an interrupted backup."""
        outcome: dict = {}
        if source_row is not None:
            outcome = {f: getattr(source_row, f) for f in OUTCOME_FIELDS}
        else:
            manifest = self.load_manifest(path) or {}
            if manifest.get("status"):
                outcome = {"status": manifest["status"], "error": manifest.get("error") or ""}
        if not outcome:
            return
        from hrsuite.ops.models import BackupRun

        table = BackupRun._meta.db_table
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(BackupRun._meta.get_field(f).column), sql.Placeholder(f))
            for f in outcome
        )
        query = sql.SQL("UPDATE {} SET {} WHERE {} = %(path)s AND {} = %(running)s").format(
            sql.Identifier(table), assignments, sql.Identifier("dump_path"), sql.Identifier("status")
        )
        try:
            with backups.connect(target) as conn:
                conn.execute(query, {**outcome, "path": str(path), "running": BackupStatus.RUNNING.value})
        except psycopg.Error as exc:
            self.stdout.write(self.style.WARNING(f"Could not update the backup's own record: {exc}"))

    def restore_media(self, archive: Path, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = 0
        try:
            with (
                backups.open_backup(archive, backups.backup_fernet()) as stream,
                tarfile.open(fileobj=stream, mode="r|gz") as tar,
            ):
                for member in tar:
                    # the "data" filter refuses absolute paths, links out of the folder and devices
                    tar.extract(member, target, filter="data")
                    files += member.isfile()
        except (BackupError, tarfile.TarError, OSError) as exc:
            raise CommandError(f"The uploaded files could not be restored from {archive.name}: {exc}") from None
        self.stdout.write(f"Restored {files} uploaded files from {archive.name} into {target}.")

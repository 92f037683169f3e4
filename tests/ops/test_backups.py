"""Backups: dump, checksum, encryption, verification by a test restore, retention, the commands,
/healthz and the dashboard.

Tests that run pg_dump need committed data (pg_dump cannot see a test's open transaction), so
they use django_db(transaction=True). The checks that fail before pg_dump stay transactional.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from psycopg import sql

from hrsuite.ops import backups
from hrsuite.ops.backups import BackupError, backup_run
from hrsuite.ops.models import BackupRun, BackupStatus
from hrsuite.ops.retention import Scheme


@pytest.fixture(autouse=True)
def _no_worker_ping(monkeypatch):
    """/healthz pings Celery workers (a second per call without one); only the backup check matters here."""
    from hrsuite.ops import health

    monkeypatch.setattr(health, "check_workers", lambda redis_ok: health.Check(ok=True, count=1))


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.HRSUITE_BACKUP_DIR = tmp_path / "backups"
    settings.HRSUITE_BACKUP_ENCRYPTION_KEY = []
    settings.HRSUITE_BACKUP_RETENTION = "7,4,12"
    settings.HRSUITE_BACKUP_PG_BIN_DIR = ""
    return settings.HRSUITE_BACKUP_DIR


# --- helpers that read a database independently of the code under test -------------------------


def _connect(dbname: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


def _row_counts(dbname: str) -> dict[str, int]:
    with _connect(dbname) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for (t,) in tables
        }


def _payroll_totals(dbname: str) -> list[tuple]:
    with _connect(dbname) as conn:
        return conn.execute(
            "SELECT r.id, r.period, r.total_net, count(s.id), sum(s.net) FROM payroll_payrun r "
            "JOIN payroll_payslip s ON s.run_id = r.id WHERE r.status IN ('finalized', 'published') "
            "GROUP BY r.id ORDER BY r.id"
        ).fetchall()


def _drop(dbname: str) -> None:
    with _connect("postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def _database_exists(dbname: str) -> bool:
    with _connect("postgres") as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone())


def _fresh_name(tag: str) -> str:
    return f"hrsuite_test_restore_{tag}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"


def _document(employee, content: bytes):
    from django.core.files.storage import default_storage

    from employees.models import EmployeeDocument

    name = default_storage.save("documents/2025/diploma.pdf", ContentFile(content))
    return EmployeeDocument.objects.create(
        employee=employee,
        kind="diploma",
        file=name,
        original_name="diploma.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _fake_backup(directory: Path, name="hrsuite-20250101-013000.dump", content=b"PGDMP not really a dump") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(content)
    (directory / f"{name}.sha256").write_text(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
    return path


# --- THE test of the issue ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_now_then_restore_reproduces_every_table_and_the_payroll_totals(
    backup_dir, run_factory, assignments, people, settings, tmp_path
):
    run_factory(date(2025, 3, 1), finalize=True)
    run_factory(date(2025, 4, 1), finalize=True)
    run_factory(date(2025, 5, 1))  # calculated, not finalised: in the counts, not the totals
    pdf = b"%PDF-1.4 diploma of the employee\n%%EOF"
    _document(people["employees"]["employee"], pdf)

    out = io.StringIO()
    call_command("backup_now", stdout=out)
    run = BackupRun.objects.get()
    assert run.status == BackupStatus.VERIFIED, run.error
    assert "verified" in out.getvalue()
    dump = Path(run.dump_path)
    assert dump.parent == backup_dir and dump.name.startswith("hrsuite-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert backups.checksum_path(dump).read_text() == f"{run.dump_sha256}  {dump.name}\n"
    assert hashlib.sha256(dump.read_bytes()).hexdigest() == run.dump_sha256
    assert run.restore_seconds > 0 and run.tables_checked > 50 and run.rows_checked > 0
    assert run.details["mismatches"] == []
    assert run.details["media"]["files"] == 1

    source_counts = _row_counts(connection.settings_dict["NAME"])
    source_totals = _payroll_totals(connection.settings_dict["NAME"])
    assert len(source_totals) == 2 and all(n > 0 and net > 0 for _i, _p, _t, n, net in source_totals)
    assert source_counts["payroll_payslip"] > sum(n for _i, _p, _t, n, _s in source_totals)  # May's too

    fresh = _fresh_name("now")
    media_dir = tmp_path / "restored-files"
    try:
        out = io.StringIO()
        call_command(
            "restore_backup", str(dump), "--database", fresh, "--yes", "--media-dir", str(media_dir), stdout=out
        )
        assert "match the backup" in out.getvalue()
        assert _row_counts(fresh) == source_counts
        assert _payroll_totals(fresh) == source_totals
        with _connect(fresh) as conn:  # the backup's own record, "running" in the dump, got its outcome
            assert conn.execute("SELECT status FROM ops_backuprun").fetchall() == [("verified",)]
    finally:
        _drop(fresh)
    restored = list(media_dir.rglob("*.pdf"))
    assert len(restored) == 1 and restored[0].read_bytes() == pdf


# --- encryption --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_encrypted_backup_round_trip_and_healthz(backup_dir, settings, people, client):
    key = Fernet.generate_key().decode()
    settings.HRSUITE_BACKUP_ENCRYPTION_KEY = [key]
    # backups kept inside MEDIA_ROOT are not archived into themselves
    settings.HRSUITE_BACKUP_DIR = Path(settings.MEDIA_ROOT) / "backups"
    _document(people["employees"]["employee"], b"%PDF-1.4 secret resume")
    run = backup_run()
    assert run.status == BackupStatus.VERIFIED, run.error
    assert run.encrypted
    assert run.details["media"]["files"] == 1
    dump, media = Path(run.dump_path), Path(run.media_path)
    assert dump.name.endswith(".dump.enc") and media.name.endswith("-media.tar.gz.enc")
    assert dump.read_bytes().startswith(backups.ENC_MAGIC) and b"PGDMP" not in dump.read_bytes()[:200]
    assert b"secret resume" not in media.read_bytes()
    assert backups.sha256_of(dump) == run.dump_sha256 == backups.read_checksum(dump)

    body = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert body["ok"] is True and body["age_seconds"] < 600

    fresh = _fresh_name("enc")
    try:
        settings.HRSUITE_BACKUP_ENCRYPTION_KEY = []
        with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY"):
            call_command("restore_backup", str(dump), "--database", fresh, "--yes", stdout=io.StringIO())
        assert not _database_exists(fresh)  # a database the command created is dropped again
        settings.HRSUITE_BACKUP_ENCRYPTION_KEY = [Fernet.generate_key().decode(), key]  # rotated: old key decrypts
        out = io.StringIO()
        call_command("restore_backup", dump.name, "--database", fresh, "--yes", stdout=out)  # name found in BACKUP_DIR
        assert "match the backup" in out.getvalue()
        assert _row_counts(fresh)["employees_employeedocument"] == 1
    finally:
        _drop(fresh)


def test_encryption_detects_reordered_truncated_and_foreign_chunks(monkeypatch):
    monkeypatch.setattr(backups, "ENC_CHUNK", 10)
    key = backups.MultiFernet([Fernet(Fernet.generate_key())])
    data = bytes(range(256)) * 3
    raw = io.BytesIO()
    writer = backups._EncryptingWriter(raw, key)
    writer.write(data[:100])
    writer.write(data[100:])
    writer.close()

    def decrypt(blob: bytes, fernet=key) -> bytes:
        return b"".join(backups.decrypt_chunks(io.BytesIO(blob), fernet))

    blob = raw.getvalue()
    assert decrypt(blob) == data
    with pytest.raises(BackupError, match="damaged or truncated"):
        decrypt(blob[: len(blob) // 2])
    frames = _frames(blob)
    swapped = backups.ENC_MAGIC + b"".join([frames[1], frames[0], *frames[2:]])
    with pytest.raises(BackupError, match="damaged or truncated"):
        decrypt(swapped)
    without_last = backups.ENC_MAGIC + b"".join(frames[:-1])
    with pytest.raises(BackupError, match="damaged or truncated"):
        decrypt(without_last)
    with pytest.raises(BackupError, match="wrong BACKUP_ENCRYPTION_KEY"):
        decrypt(blob, backups.MultiFernet([Fernet(Fernet.generate_key())]))


def _frames(blob: bytes) -> list[bytes]:
    frames, pos = [], len(backups.ENC_MAGIC)
    while pos < len(blob):
        n = int.from_bytes(blob[pos : pos + 4], "big")
        frames.append(blob[pos : pos + 4 + n])
        pos += 4 + n
    return frames


# --- verification catches a difference -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_differs_is_failed_not_verified(backup_dir, people, monkeypatch, client):
    original = backups.table_counts

    def one_row_lost(conn):
        counts = original(conn)
        if conn.info.dbname.startswith("hrsuite_verify_"):
            counts["public.employees_employee"] -= 1
        return counts

    monkeypatch.setattr(backups, "table_counts", one_row_lost)
    run = backup_run()
    assert run.status == BackupStatus.FAILED
    assert run.details["mismatches"] == [
        {
            "kind": "table",
            "name": "public.employees_employee",
            "source": run.details["source"]["counts"]["public.employees_employee"],
            "restored": run.details["source"]["counts"]["public.employees_employee"] - 1,
        }
    ]
    assert "public.employees_employee" in run.error
    assert people["users"]["hr_admin"].notifications.filter(key=f"backup-failed:{run.pk}").exists()
    check = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert check["ok"] is False and check["detail"].startswith("last backup failed: Backup failed: the test restore")
    with _connect("postgres") as conn:  # the scratch database was dropped
        pattern = backups.scratch_prefix() + "%"
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [pattern]).fetchone()[0] == 0


@pytest.mark.django_db
def test_a_scratch_database_left_by_a_killed_run_is_dropped(backup_dir, people, monkeypatch):
    leftover = f"{backups.scratch_prefix()}1_2"
    other = "hrsuite_verify_ffffffff_1_2"  # another installation's, on the same server: left alone
    with _connect("postgres") as conn:
        for name in (leftover, other):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        monkeypatch.setenv("PATH", "/nonexistent")
        run = backup_run()
        assert run.details["dropped_leftover_scratch"] == [leftover]
        assert not _database_exists(leftover) and _database_exists(other)
    finally:
        _drop(leftover)
        _drop(other)


# --- checks that end in a recorded failure -------------------------------------------------------


def _assert_failed(run, people, text):
    assert run.status == BackupStatus.FAILED
    assert text in run.error
    assert run.finished_at is not None
    notes = people["users"]["hr_admin"].notifications.filter(key=f"backup-failed:{run.pk}")
    assert notes.count() == 1
    with translation.override("en"):  # stored as source text and parameters, translated when shown
        assert text in notes.get().text
    assert not people["users"]["employee"].notifications.filter(key=f"backup-failed:{run.pk}").exists()


@pytest.mark.django_db
def test_pg_dump_missing(backup_dir, people, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    run = backup_run()
    _assert_failed(run, people, "pg_dump was not found")
    assert not backup_dir.exists() or not list(backup_dir.iterdir())


@pytest.mark.django_db
def test_pg_dump_of_another_major_version(backup_dir, people, monkeypatch):
    monkeypatch.setattr(backups, "tool_version", lambda path: "14.11")
    run = backup_run()
    _assert_failed(run, people, "pg_dump is version 14.11 but the database server is version")
    assert run.details["server_version"].split(".")[0] in run.error


@pytest.mark.django_db
def test_backup_directory_that_cannot_be_created(settings, backup_dir, people, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.HRSUITE_BACKUP_DIR = blocker / "backups"
    run = backup_run()
    _assert_failed(run, people, f"the backup directory {blocker / 'backups'} does not exist and cannot be created")


@pytest.mark.django_db
def test_backup_directory_full(backup_dir, people, monkeypatch):
    monkeypatch.setattr(backups.shutil, "disk_usage", lambda path: type("U", (), {"free": 1024})())
    run = backup_run()
    _assert_failed(run, people, "not enough free space")
    assert not list(backup_dir.glob("hrsuite-*"))


@pytest.mark.django_db
def test_invalid_encryption_key_and_retention(backup_dir, settings, people):
    settings.HRSUITE_BACKUP_ENCRYPTION_KEY = ["not-a-key"]
    _assert_failed(backup_run(), people, "BACKUP_ENCRYPTION_KEY is not a valid Fernet key")
    settings.HRSUITE_BACKUP_ENCRYPTION_KEY = []
    settings.HRSUITE_BACKUP_RETENTION = "7,4"
    _assert_failed(backup_run(), people, "BACKUP_RETENTION must be three whole numbers")


@pytest.mark.django_db
def test_an_interrupted_run_is_recorded_as_failed(backup_dir, people, monkeypatch):
    stale = BackupRun.objects.create(started_at=timezone.now() - timedelta(hours=3), status=BackupStatus.RUNNING)
    monkeypatch.setenv("PATH", "/nonexistent")  # the new run stops early; the stale one is closed first
    backup_run()
    stale.refresh_from_db()
    _assert_failed(stale, people, "did not finish")


@pytest.mark.django_db
def test_backup_now_and_the_nightly_task_report_failure(backup_dir, people, monkeypatch):
    from hrsuite.ops.backups import BackupFailed
    from hrsuite.ops.tasks import nightly_backup

    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup_now", stdout=io.StringIO())
    with pytest.raises(BackupFailed, match="pg_dump was not found"):  # the job shows as failed too
        nightly_backup.apply(throw=True)
    assert BackupRun.objects.filter(status=BackupStatus.FAILED).count() == 2


# --- restore_backup refusals ---------------------------------------------------------------------


@pytest.mark.django_db
def test_restore_refuses_a_changed_file(backup_dir):
    path = _fake_backup(backup_dir)
    data = bytearray(path.read_bytes())
    data[3] ^= 0x01  # flip one bit
    path.write_bytes(bytes(data))
    fresh = _fresh_name("flip")
    with pytest.raises(CommandError, match="checksum mismatch"):
        call_command("restore_backup", str(path), "--database", fresh, "--yes", stdout=io.StringIO())
    assert not _database_exists(fresh)


@pytest.mark.django_db
def test_restore_refuses_a_file_without_checksum(backup_dir):
    path = _fake_backup(backup_dir)
    backups.checksum_path(path).unlink()
    with pytest.raises(CommandError, match=r"\.sha256 is missing"):
        call_command("restore_backup", str(path), "--database", _fresh_name("nosum"), "--yes", stdout=io.StringIO())


@pytest.mark.django_db
def test_restore_refuses_a_database_with_tables_and_asks_for_the_name(backup_dir, monkeypatch):
    path = _fake_backup(backup_dir)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore_backup", str(path), "--database", connection.settings_dict["NAME"], "--yes")
    with pytest.raises(CommandError, match="is not empty"):  # the suite's own database by default
        call_command("restore_backup", str(path), "--yes")
    fresh = _fresh_name("ask")
    monkeypatch.setattr("builtins.input", lambda prompt: "some-other-name")
    with pytest.raises(CommandError, match="Cancelled"):
        call_command("restore_backup", str(path), "--database", fresh, stdout=io.StringIO())
    assert not _database_exists(fresh)


# --- retention on disk -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retention_prunes_files_and_marks_rows(backup_dir):
    now = timezone.now()
    runs = []
    for day in range(10):
        started = now - timedelta(days=day)
        name = f"hrsuite-{timezone.localtime(started):%Y%m%d-%H%M%S}.dump"
        dump = _fake_backup(backup_dir, name)
        backups.manifest_path(dump).write_text("{}")
        runs.append(BackupRun.objects.create(started_at=started, status=BackupStatus.VERIFIED, dump_path=str(dump)))
    old_failed_dump = _fake_backup(backup_dir, "hrsuite-20200101-013000.dump")
    failed = BackupRun.objects.create(
        started_at=now - timedelta(days=20), status=BackupStatus.FAILED, dump_path=str(old_failed_dump)
    )
    foreign = backup_dir / "keep-me.txt"
    foreign.write_text("not ours")
    odd = BackupRun.objects.create(
        started_at=now - timedelta(days=30), status=BackupStatus.VERIFIED, dump_path=str(foreign)
    )

    pruned = backups.apply_retention(scheme=Scheme(3, 0, 0))

    assert set(pruned) == {r.pk for r in runs[3:]} | {odd.pk}
    for r in runs:
        r.refresh_from_db()
    assert [r.status for r in runs[:3]] == [BackupStatus.VERIFIED] * 3
    assert all(r.status == BackupStatus.PRUNED for r in runs[3:])
    assert all(Path(r.dump_path).exists() for r in runs[:3])
    assert not any(Path(r.dump_path).exists() or backups.checksum_path(Path(r.dump_path)).exists() for r in runs[3:])
    assert not any(backups.manifest_path(Path(r.dump_path)).exists() for r in runs[3:])
    assert foreign.exists()  # a row pointing at a file not named like a backup never deletes it
    failed.refresh_from_db()
    assert failed.status == BackupStatus.FAILED and not old_failed_dump.exists()


# --- /healthz, list_backups, the page and the dashboard ------------------------------------------------


@pytest.mark.django_db
def test_healthz_backup_check(client, settings):
    check = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert check["ok"] is False and check["detail"] == "no verified backup yet"

    BackupRun.objects.create(started_at=timezone.now() - timedelta(hours=30), status=BackupStatus.VERIFIED)
    check = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert check["ok"] is False and check["detail"] == "last verified backup is too old"
    assert 30 * 3600 <= check["age_seconds"] < 31 * 3600

    settings.HRSUITE_BACKUP_MAX_AGE_HOURS = 48
    check = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert check["ok"] is True

    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=1), status=BackupStatus.FAILED, error="Backup failed: disk on fire."
    )
    check = client.get(reverse("healthz")).json()["checks"]["backup"]
    assert check["ok"] is False and check["detail"] == "last backup failed: Backup failed: disk on fire."


@pytest.mark.django_db
def test_list_backups(backup_dir):
    out = io.StringIO()
    call_command("list_backups", stdout=out)
    assert "No backups recorded yet" in out.getvalue()
    dump = _fake_backup(backup_dir)
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=2),
        status=BackupStatus.VERIFIED,
        dump_path=str(dump),
        dump_sha256="ab" * 32,
        dump_bytes=3 * 1024 * 1024,
        restore_seconds=4.25,
    )
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=1), status=BackupStatus.FAILED, error="Backup failed: no disk."
    )
    out = io.StringIO()
    call_command("list_backups", stdout=out)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0].split() == ["when", "status", "size", "sha256", "restore", "file"]
    assert "failed" in lines[1]
    assert "verified" in lines[2] and "3.0 MB" in lines[2] and "abababababab" in lines[2] and "4.2 s" in lines[2]
    assert dump.name in lines[2]
    assert "The newest backup failed: Backup failed: no disk." in text


@pytest.mark.django_db
def test_backups_page_and_dashboard_widget(client_for):
    BackupRun.objects.create(
        started_at=timezone.now() - timedelta(hours=2),
        finished_at=timezone.now() - timedelta(hours=2),
        status=BackupStatus.VERIFIED,
        dump_path="/srv/backups/hrsuite-20250101-013000.dump",
        dump_bytes=2048,
        restore_seconds=12.5,
        tables_checked=80,
        rows_checked=12345,
    )
    failed = BackupRun.objects.create(started_at=timezone.now() - timedelta(minutes=5), status=BackupStatus.FAILED)
    backups._fail(
        failed,
        BackupError("Backup failed: pg_dump ended with exit code %(code)s: %(stderr)s", code=1, stderr="boom"),
        notify=False,
    )

    admin = client_for("hr_admin")
    page = admin.get(reverse("ops:backups"))
    assert page.status_code == 200
    assert "hrsuite-20250101-013000.dump" in page.text and "12.5" in page.text and "boom" in page.text
    dashboard = admin.get(reverse("core:dashboard")).text
    assert 'data-widget="ops.backups"' in dashboard and "12.5" in dashboard and "boom" in dashboard

    assert client_for("employee").get(reverse("ops:backups")).status_code == 403
    assert client_for("hr").get(reverse("ops:backups")).status_code == 403
    assert 'data-widget="ops.backups"' not in client_for("hr").get(reverse("core:dashboard")).text


@pytest.mark.django_db
def test_missing_backup_notifies_administrators_once_a_day(people):
    from django.db.migrations.recorder import MigrationRecorder

    installed = MigrationRecorder.Migration.objects.get(app="ops", name="0001_initial").applied
    # a new installation gets BACKUP_MAX_AGE_HOURS before the first warning
    assert backups.notify_if_stale(now=installed + timedelta(hours=1)) == 0
    later = installed + timedelta(days=2)
    assert backups.notify_if_stale(now=later) == 1
    assert backups.notify_if_stale(now=later) == 0
    note = people["users"]["hr_admin"].notifications.get()
    assert note.key.startswith("backup-missing:")

"""Backups of the database and the uploaded files, each one restore-tested before it counts.

One backup (`backup_run`) is:

1. **Checks** that end in a recorded failure with a clear reason (and a notification to the HR
   administrators) rather than a half-made file: no other backup running (a PostgreSQL advisory
   lock), pg_dump and pg_restore found (PATH, or BACKUP_PG_BIN_DIR) and of the server's major
   version, a valid encryption key if one is set, a valid retention scheme, a backup directory
   that exists or can be created and is writable, and free space for twice the database size
   plus the uploaded files.
2. **The dump**: a REPEATABLE READ transaction exports its snapshot (pg_export_snapshot); every
   table's row count and the payroll control totals are read inside that transaction and
   `pg_dump --format=custom --snapshot=…` dumps exactly the same snapshot, so counts and dump
   agree even while people keep working. The dump is written to a temporary name, hashed
   (SHA-256, streamed), optionally encrypted, fsynced and renamed atomically to
   `hrsuite-YYYYmmdd-HHMMSS.dump[.enc]`, with `<file>.sha256` beside it in sha256sum format.
3. **The uploaded files** (MEDIA_ROOT: documents, resumes, certificates, handover files) go into
   a streamed `hrsuite-YYYYmmdd-HHMMSS-media.tar.gz[.enc]` with its own `.sha256`. They are not
   part of the database snapshot: a file uploaded while the backup runs may or may not be in it.
4. **Verification**: the stored dump (decrypted to a temporary file if encrypted) is restored
   with pg_restore into a scratch database `hrsuite_verify_<pid>_<time>`, the restore is timed
   (decrypting included), and every table's row count and every control total is compared with
   the source. The scratch database is always dropped. The files archive is read back and its
   file count and size compared with what was written. Only when everything matches is the run
   "verified"; anything else is "failed" with the differences in `details`.
5. **A manifest** `<dump>.manifest.json` beside the dump records the counts, the totals and the
   outcome, so `manage.py restore_backup` can check a restore on a server that has no record of
   the backup (disaster recovery).
6. **Retention** (`hrsuite.ops.retention`, BACKUP_RETENTION "daily,weekly,monthly") removes the
   files of verified backups no rule keeps (the row stays, marked "pruned"), and the files of
   failed backups older than the newest verified one.

Encryption (BACKUP_ENCRYPTION_KEY, Fernet keys, comma separated: the first encrypts, all
decrypt) is chunked so that a dump of any size is encrypted in constant memory: after the
magic line `HRSUITE-BACKUP-ENC1\\n` come frames of a 4-byte big-endian length and a Fernet token,
each token holding an 8-byte chunk index, a last-chunk flag and up to 4 MiB of data. Fernet
authenticates each chunk; the index and the flag make reordering, dropping or truncating chunks
detectable. The checksum is over the file as stored, so it can be checked without the key.
Keep a copy of the key away from the server: without it the backups cannot be read. While a
backup is made, its clear dump exists only in a private (0700) work folder inside BACKUP_DIR,
removed when the run ends; a restore decrypts into a private temporary folder likewise.

Error texts are English source strings (gettext_noop) stored with their parameters in
`details["error"]`, translated where they are shown; `BackupRun.error` holds the English text.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from psycopg import sql

from . import retention
from .models import BackupRun, BackupStatus

log = logging.getLogger(__name__)

LOCK_KEY = 0x6872_7362_6B75_70  # "hrsbkup": one backup at a time, across processes and hosts
FREE_SPACE_FACTOR = 2
READ_CHUNK = 1 << 20
ENC_CHUNK = 4 << 20
ENC_MAGIC = b"HRSUITE-BACKUP-ENC1\n"
STDERR_TAIL = 600
DUMP_NAME = re.compile(r"^hrsuite-\d{8}-\d{6}(?:-\d+)?\.dump(?:\.enc)?$")
MEDIA_NAME = re.compile(r"^hrsuite-\d{8}-\d{6}(?:-\d+)?-media\.tar\.gz(?:\.enc)?$")


# --- errors ----------------------------------------------------------------------------------


class BackupError(Exception):
    """A backup or restore that cannot go on. `message` is an English source string marked with
    gettext_noop; `params` fill its %(name)s placeholders."""

    def __init__(self, message: str, **params: Any):
        self.message = message
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(self.english())

    def english(self) -> str:
        return self.message % self.params if self.params else self.message

    def translated(self) -> str:
        return gettext(self.message) % self.params if self.params else gettext(self.message)


class BackupFailed(RuntimeError):
    """Raised by the Celery task after the failure is recorded, so the job shows as failed too."""


def error_text(run: BackupRun) -> str:
    """The reason a run failed, in the current language."""
    err = (run.details or {}).get("error") or {}
    message, params = err.get("message"), err.get("params") or {}
    if message:
        try:
            return gettext(message) % params if params else gettext(message)
        except (KeyError, TypeError, ValueError):
            pass
    return run.error


def _tail(stderr: bytes | str) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    text = text.strip()
    return text[-STDERR_TAIL:] if text else "-"


def human_bytes(n: int | float) -> str:
    """1536 -> '1.5 KB' (unit symbols, not words, so it needs no translation)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover


# --- settings and connections ------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(settings.HRSUITE_BACKUP_DIR)


def _db() -> dict:
    # the connection's own settings: under tests they name the test database
    return connections["default"].settings_dict


def database_name() -> str:
    return _db()["NAME"]


def conninfo(dbname: str | None = None) -> dict[str, Any]:
    db = _db()
    info: dict[str, Any] = {
        "dbname": dbname or db["NAME"],
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "sslmode": (db.get("OPTIONS") or {}).get("sslmode"),
    }
    return {k: v for k, v in info.items() if v is not None}


def connect(dbname: str | None = None) -> psycopg.Connection:
    return psycopg.connect(autocommit=True, connect_timeout=10, **conninfo(dbname))


def tool_env() -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password travels in PGPASSWORD, never argv."""
    env = dict(os.environ)
    info = conninfo()
    if info.get("password"):
        env["PGPASSWORD"] = str(info["password"])
    if info.get("sslmode"):
        env["PGSSLMODE"] = str(info["sslmode"])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def tool_conn_args(dbname: str) -> list[str]:
    info = conninfo(dbname)
    args = []
    if info.get("host"):
        args += ["--host", str(info["host"])]
    if info.get("port"):
        args += ["--port", str(info["port"])]
    if info.get("user"):
        args += ["--username", str(info["user"])]
    return [*args, "--no-password", f"--dbname={dbname}"]


def find_tool(name: str) -> str | None:
    """pg_dump/pg_restore from BACKUP_PG_BIN_DIR when set (Debian: /usr/lib/postgresql/15/bin),
    otherwise from PATH."""
    bin_dir = getattr(settings, "HRSUITE_BACKUP_PG_BIN_DIR", "")
    if bin_dir:
        path = Path(bin_dir) / name
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    return shutil.which(name)


def tool_version(path: str) -> str:
    """'15.20' from `pg_dump --version` ('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')."""
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+(?:\.\d+)*)", out) or re.search(r"(\d+(?:\.\d+)+)", out)
    if not match:
        raise BackupError(
            gettext_noop("Backup failed: cannot tell the version of %(tool)s (it printed %(output)s)."),
            tool=path,
            output=out.strip()[:200] or "-",
        )
    return match.group(1)


def scalar(conn: psycopg.Connection, query: str, params: list | None = None) -> Any:
    row = conn.execute(query, params).fetchone()
    if row is None:  # pragma: no cover - the queries used here always return one row
        raise RuntimeError(f"no row from {query!r}")
    return row[0]


def server_version(conn: psycopg.Connection) -> str:
    num = int(scalar(conn, "SELECT current_setting('server_version_num')"))
    return f"{num // 10000}.{num % 10000}"


def major(version: str) -> int:
    return int(version.split(".", 1)[0])


def encryption_keys() -> list[str]:
    keys = getattr(settings, "HRSUITE_BACKUP_ENCRYPTION_KEY", None) or []
    if isinstance(keys, str):
        keys = keys.split(",")
    return [k.strip() for k in keys if k and k.strip()]


def backup_fernet() -> MultiFernet | None:
    keys = encryption_keys()
    if not keys:
        return None
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError):
        raise BackupError(
            gettext_noop(
                "Backup failed: BACKUP_ENCRYPTION_KEY is not a valid Fernet key (32 bytes, URL-safe base64; "
                "generate one with Fernet.generate_key())."
            )
        ) from None


def retention_scheme() -> retention.Scheme:
    text = getattr(settings, "HRSUITE_BACKUP_RETENTION", "7,4,12")
    try:
        return retention.Scheme.parse(text)
    except ValueError:
        raise BackupError(
            gettext_noop(
                "Backup failed: BACKUP_RETENTION must be three whole numbers 'daily,weekly,monthly' such as "
                "'7,4,12', not %(value)s."
            ),
            value=repr(text),
        ) from None


# --- counts and control totals ----------------------------------------------------------------

TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2
"""


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Exact row count of every table ("schema.table" -> rows), in as few statements as possible."""
    tables = conn.execute(TABLES_SQL).fetchall()
    counts: dict[str, int] = {}
    for start in range(0, len(tables), 200):
        parts = [
            sql.SQL("SELECT {}, count(*) FROM {}.{}").format(
                sql.Literal(f"{schema}.{name}"), sql.Identifier(schema), sql.Identifier(name)
            )
            for schema, name in tables[start : start + 200]
        ]
        for key, n in conn.execute(sql.SQL(" UNION ALL ").join(parts)).fetchall():
            counts[key] = int(n)
    return counts


def control_totals(conn: psycopg.Connection) -> dict[str, str]:
    """Figures that must survive a restore exactly: for every finalised (or published) pay run
    its number of payslips, the sum of their net pay and the run's recorded net total; the
    number of employees in each status. Values are strings (Decimal text) for JSON."""
    from employees.models import Employee
    from payroll.choices import LOCKED_STATUSES
    from payroll.models import PayRun, PaySlip

    def col(model, field: str) -> sql.Identifier:
        return sql.Identifier(model._meta.get_field(field).column)

    query = sql.SQL(
        "SELECT r.id, r.{period}, r.{status}, r.{total_net}, count(s.id), coalesce(sum(s.{net}), 0) "
        "FROM {runs} r LEFT JOIN {slips} s ON s.{run} = r.id "
        "WHERE r.{status} = ANY(%s) GROUP BY r.id ORDER BY r.id"
    ).format(
        period=col(PayRun, "period"),
        status=col(PayRun, "status"),
        total_net=col(PayRun, "total_net"),
        net=col(PaySlip, "net"),
        run=col(PaySlip, "run"),
        runs=sql.Identifier(PayRun._meta.db_table),
        slips=sql.Identifier(PaySlip._meta.db_table),
    )
    totals: dict[str, str] = {}
    net_all = Decimal(0)
    for pk, period, status, total_net, slips, net in conn.execute(query, [[str(s) for s in LOCKED_STATUSES]]):
        label = f"pay run {pk} ({period:%Y-%m}, {status})"
        totals[f"{label}: payslips"] = str(slips)
        totals[f"{label}: net pay of payslips"] = str(net)
        totals[f"{label}: recorded net total"] = str(total_net)
        net_all += net
    totals["finalised pay runs: net pay of payslips"] = str(net_all)
    by_status = sql.SQL("SELECT {status}, count(*) FROM {table} GROUP BY 1 ORDER BY 1").format(
        status=col(Employee, "status"), table=sql.Identifier(Employee._meta.db_table)
    )
    for status, n in conn.execute(by_status):
        totals[f"employees: {status}"] = str(n)
    return totals


def compare(
    source_counts: dict[str, int],
    restored_counts: dict[str, int],
    source_totals: dict[str, str],
    restored_totals: dict[str, str],
) -> list[dict[str, Any]]:
    """Every difference between source and restore, as {kind, name, source, restored}."""
    out: list[dict[str, Any]] = []
    for kind, a, b in (("table", source_counts, restored_counts), ("total", source_totals, restored_totals)):
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                out.append({"kind": kind, "name": name, "source": a.get(name), "restored": b.get(name)})
    return out


def mismatch_error(mismatches: list[dict[str, Any]]) -> BackupError:
    first = mismatches[0]
    return BackupError(
        gettext_noop(
            "Backup failed: the test restore differs from the database in %(count)s places; first %(name)s: "
            "%(source)s in the database, %(restored)s restored."
        ),
        count=len(mismatches),
        name=first["name"],
        source="-" if first["source"] is None else first["source"],
        restored="-" if first["restored"] is None else first["restored"],
    )


# --- files: hashing, encryption, atomic writes -------------------------------------------------


class _HashingWriter:
    """Writes through to a file while hashing and counting the bytes as stored."""

    def __init__(self, fp: BinaryIO):
        self.fp = fp
        self.sha = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        self.fp.write(data)
        self.sha.update(data)
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        self.fp.flush()


class _EncryptingWriter:
    """Chunked Fernet encryption (format in the module docstring), constant memory."""

    def __init__(self, out, fernet: MultiFernet):
        self.out = out
        self.fernet = fernet
        self.buf = bytearray()
        self.index = 0
        self.closed = False
        out.write(ENC_MAGIC)

    def _frame(self, data: bytes, last: bool) -> None:
        token = self.fernet.encrypt(struct.pack(">QB", self.index, 1 if last else 0) + data)
        self.out.write(struct.pack(">I", len(token)) + token)
        self.index += 1

    def write(self, data) -> int:
        self.buf += data
        while len(self.buf) > ENC_CHUNK:
            self._frame(bytes(self.buf[:ENC_CHUNK]), last=False)
            del self.buf[:ENC_CHUNK]
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._frame(bytes(self.buf), last=True)
            self.buf = bytearray()
            self.closed = True


def decrypt_chunks(fp: BinaryIO, fernet: MultiFernet) -> Iterator[bytes]:
    damaged = gettext_noop("The encrypted backup %(file)s is damaged or truncated.")
    name = getattr(fp, "name", "?")
    if fp.read(len(ENC_MAGIC)) != ENC_MAGIC:
        raise BackupError(gettext_noop("%(file)s is not an encrypted hrsuite backup."), file=name)
    index = 0
    while True:
        head = fp.read(4)
        if len(head) < 4:
            raise BackupError(damaged, file=name)
        (length,) = struct.unpack(">I", head)
        token = fp.read(length)
        if len(token) < length:
            raise BackupError(damaged, file=name)
        try:
            plain = fernet.decrypt(token)
        except InvalidToken:
            raise BackupError(
                gettext_noop("%(file)s cannot be decrypted: wrong BACKUP_ENCRYPTION_KEY, or the file is damaged."),
                file=name,
            ) from None
        chunk_index, last = struct.unpack(">QB", plain[:9])
        if chunk_index != index:
            raise BackupError(damaged, file=name)
        yield plain[9:]
        index += 1
        if last:
            if fp.read(1):
                raise BackupError(damaged, file=name)
            return


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks (for tarfile's stream mode)."""

    def __init__(self, chunks: Iterator[bytes], source: BinaryIO | None = None):
        self._chunks = chunks
        self._source = source
        self._view = memoryview(b"")

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not len(self._view):
            try:
                self._view = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(b), len(self._view))
        b[:n] = self._view[:n]
        self._view = self._view[n:]
        return n


def open_backup(path: Path, fernet: MultiFernet | None) -> BinaryIO:
    """A readable stream of a stored backup file, decrypted when it is an .enc file."""
    fp = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if path.suffix != ".enc":
        return fp
    if fernet is None:
        fp.close()
        raise BackupError(
            gettext_noop("%(file)s is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with."),
            file=path.name,
        )
    return io.BufferedReader(_ChunkReader(decrypt_chunks(fp, fernet), fp), buffer_size=READ_CHUNK)


def sha256_of(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as fp:
        while chunk := fp.read(READ_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".manifest.json")


def read_checksum(path: Path) -> str | None:
    """The hex digest recorded in '<file>.sha256' (sha256sum format), or None when absent."""
    try:
        text = checksum_path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    digest = text.split()[0].lower() if text else ""
    return digest if re.fullmatch(r"[0-9a-f]{64}", digest) else ""


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fp:
        fp.write(data)
        fp.flush()
        os.fsync(fp.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _publish(tmp: Path, final: Path, digest: str) -> None:
    """Move a finished, fsynced file to its final name and write its checksum beside it."""
    os.replace(tmp, final)
    _write_atomic(checksum_path(final), f"{digest}  {final.name}\n".encode())
    _fsync_dir(final.parent)


# --- the steps ---------------------------------------------------------------------------------


@dataclass
class _Tools:
    pg_dump: str
    pg_restore: str


def check_tools(conn: psycopg.Connection, details: dict) -> _Tools:
    server = server_version(conn)
    details["server_version"] = server
    found = {}
    for name in ("pg_dump", "pg_restore"):
        path = find_tool(name)
        if not path:
            raise BackupError(
                gettext_noop(
                    "Backup failed: %(tool)s was not found. Install the PostgreSQL %(server)s client "
                    "(Debian: postgresql-client-%(server)s) or set BACKUP_PG_BIN_DIR."
                ),
                tool=name,
                server=major(server),
            )
        version = tool_version(path)
        details[f"{name}_version"] = version
        if major(version) != major(server):
            raise BackupError(
                gettext_noop(
                    "Backup failed: %(tool)s is version %(client)s but the database server is version "
                    "%(server)s; install postgresql-client-%(server_major)s or set BACKUP_PG_BIN_DIR."
                ),
                tool=name,
                client=version,
                server=server,
                server_major=major(server),
            )
        found[name] = path
    return _Tools(**found)


def prepare_directory() -> Path:
    directory = backup_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(
            gettext_noop(
                "Backup failed: the backup directory %(path)s does not exist and cannot be created (%(reason)s)."
            ),
            path=directory,
            reason=exc.strerror or exc,
        ) from None
    if not directory.is_dir():
        raise BackupError(gettext_noop("Backup failed: %(path)s is not a directory."), path=directory)
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe-") as probe:
            probe.write(b"x")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        raise BackupError(
            gettext_noop("Backup failed: the backup directory %(path)s is not writable (%(reason)s)."),
            path=directory,
            reason=exc.strerror or exc,
        ) from None
    return directory


def media_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
            except OSError:
                continue
    return files, size


def check_space(conn: psycopg.Connection, directory: Path, details: dict) -> None:
    db_bytes = int(scalar(conn, "SELECT pg_database_size(current_database())"))
    _files, files_bytes = media_size(Path(settings.MEDIA_ROOT))
    needed = FREE_SPACE_FACTOR * db_bytes + files_bytes
    free = shutil.disk_usage(directory).free
    details["database_bytes"] = db_bytes
    details["free_bytes"] = free
    if free < needed:
        raise BackupError(
            gettext_noop(
                "Backup failed: not enough free space in %(path)s: %(free)s free, %(needed)s needed (twice the "
                "database size plus the uploaded files)."
            ),
            path=directory,
            free=human_bytes(free),
            needed=human_bytes(needed),
        )


def _final_names(directory: Path, stamp: str, encrypted: bool) -> tuple[Path, Path]:
    enc = ".enc" if encrypted else ""
    base, n = f"hrsuite-{stamp}", 1
    while (directory / f"{base}.dump{enc}").exists() or (directory / f"{base}-media.tar.gz{enc}").exists():
        n += 1
        base = f"hrsuite-{stamp}-{n}"
    return directory / f"{base}.dump{enc}", directory / f"{base}-media.tar.gz{enc}"


def dump_database(ctl: psycopg.Connection, tools: _Tools, target: Path, details: dict) -> dict[str, Any]:
    """Counts, totals and pg_dump from one exported snapshot. Returns the source figures."""
    ctl.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    try:
        snapshot = scalar(ctl, "SELECT pg_export_snapshot()")
        counts = table_counts(ctl)
        totals = control_totals(ctl)
        args = [
            tools.pg_dump,
            "--format=custom",
            f"--file={target}",
            f"--snapshot={snapshot}",
            *tool_conn_args(database_name()),
        ]
        proc = subprocess.run(args, capture_output=True, env=tool_env(), check=False)
    finally:
        ctl.execute("ROLLBACK")  # read only: nothing to commit; ends the snapshot
    if proc.returncode != 0:
        raise BackupError(
            gettext_noop("Backup failed: pg_dump ended with exit code %(code)s: %(stderr)s"),
            code=proc.returncode,
            stderr=_tail(proc.stderr),
        )
    details["snapshot"] = snapshot
    return {"counts": counts, "totals": totals}


def seal_dump(clear: Path, tmp: Path, fernet: MultiFernet | None) -> tuple[str, int]:
    """Hash (and encrypt) the clear dump into `tmp`, fsynced. Returns (sha256, bytes) as stored."""
    if fernet is None:
        with open(clear, "rb") as fp:
            os.fsync(fp.fileno())
        os.chmod(clear, 0o600)
        if clear != tmp:
            os.replace(clear, tmp)
        return sha256_of(tmp), tmp.stat().st_size
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, open(clear, "rb") as src:
        hashing = _HashingWriter(out)
        enc = _EncryptingWriter(hashing, fernet)
        while chunk := src.read(READ_CHUNK):
            enc.write(chunk)
        enc.close()
        out.flush()
        os.fsync(out.fileno())
    clear.unlink()
    return hashing.sha.hexdigest(), hashing.bytes


def archive_media(tmp: Path, fernet: MultiFernet | None) -> tuple[str, int, dict[str, int]]:
    """tar.gz of MEDIA_ROOT, streamed (and encrypted). Returns (sha256, bytes, {files, bytes})."""
    root = Path(settings.MEDIA_ROOT)
    stats = {"files": 0, "bytes": 0}
    # a BACKUP_DIR inside MEDIA_ROOT must not be archived into itself night after night
    skip = ""
    if backup_dir().resolve().is_relative_to(root.resolve()):
        skip = backup_dir().resolve().relative_to(root.resolve()).as_posix()

    def count(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if skip and (info.name == skip or info.name.startswith(skip + "/")):
            return None
        if info.isfile():
            stats["files"] += 1
            stats["bytes"] += info.size
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        hashing = _HashingWriter(out)
        sink: Any = _EncryptingWriter(hashing, fernet) if fernet else hashing
        with tarfile.open(fileobj=sink, mode="w|gz", format=tarfile.PAX_FORMAT) as tar:
            if root.is_dir():
                for entry in sorted(root.iterdir()):
                    tar.add(entry, arcname=entry.name, filter=count)
        if fernet:
            sink.close()
        out.flush()
        os.fsync(out.fileno())
    return hashing.sha.hexdigest(), hashing.bytes, stats


def read_archive(path: Path, fernet: MultiFernet | None) -> dict[str, int]:
    stats = {"files": 0, "bytes": 0}
    with open_backup(path, fernet) as stream, tarfile.open(fileobj=stream, mode="r|gz") as tar:
        for member in tar:
            if member.isfile():
                stats["files"] += 1
                stats["bytes"] += member.size
                extracted = tar.extractfile(member)
                if extracted is not None:  # read the data: a damaged archive fails here
                    while extracted.read(READ_CHUNK):
                        pass
    return stats


def decrypt_to(path: Path, fernet: MultiFernet | None, target: Path) -> Path:
    """The clear dump to restore: the file itself, or its decryption written to `target`."""
    if path.suffix != ".enc":
        return path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, open_backup(path, fernet) as stream:
        shutil.copyfileobj(stream, out, READ_CHUNK)
    return target


def create_database(ctl: psycopg.Connection, name: str) -> None:
    ctl.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))


def drop_database(ctl: psycopg.Connection, name: str) -> None:
    ctl.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pg_restore(tool: str, dump: Path, dbname: str, *, clean: bool = False) -> None:
    args = [tool, *tool_conn_args(dbname), "--no-owner", "--no-privileges", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    proc = subprocess.run([*args, str(dump)], capture_output=True, env=tool_env(), check=False)
    if proc.returncode != 0:
        raise BackupError(
            gettext_noop("Backup failed: pg_restore ended with exit code %(code)s: %(stderr)s"),
            code=proc.returncode,
            stderr=_tail(proc.stderr),
        )


def scratch_prefix() -> str:
    """Scratch databases are named after the source database (a short hash), so leftovers of a
    killed run can be dropped without touching another installation's on the same server."""
    return f"hrsuite_verify_{hashlib.sha256(database_name().encode()).hexdigest()[:8]}_"


def drop_leftover_scratch(ctl: psycopg.Connection) -> list[str]:
    """Only called while holding the backup lock: no verification of this database is running."""
    pattern = scratch_prefix().replace("_", "\\_") + "%"
    names = [r[0] for r in ctl.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])]
    for name in names:
        drop_database(ctl, name)
    return names


def verify_dump(
    ctl: psycopg.Connection, tools: _Tools, dump: Path, fernet: MultiFernet | None, workdir: Path
) -> tuple[float, dict[str, int], dict[str, str]]:
    """Restore into a scratch database (always dropped). Returns (seconds, counts, totals)."""
    scratch = f"{scratch_prefix()}{os.getpid()}_{int(time.time() * 1000)}"
    try:
        create_database(ctl, scratch)
    except psycopg.Error as exc:
        raise BackupError(
            gettext_noop(
                "Backup failed: the scratch database for the test restore could not be created (%(reason)s); "
                "the database user needs the CREATEDB privilege."
            ),
            reason=_tail(str(exc)),
        ) from None
    try:
        started = time.monotonic()
        clear = decrypt_to(dump, fernet, workdir / "verify.dump")
        pg_restore(tools.pg_restore, clear, scratch)
        seconds = time.monotonic() - started
        if clear != dump:
            clear.unlink()
        with connect(scratch) as conn:
            counts = table_counts(conn)
            try:
                totals = control_totals(conn)
            except psycopg.Error as exc:
                totals = {"control totals": f"unreadable: {type(exc).__name__}"}
        return seconds, counts, totals
    finally:
        drop_database(ctl, scratch)


# --- the run -----------------------------------------------------------------------------------


def _hr_admins():
    from hrsuite.roles import Role, users_with_role

    return users_with_role(Role.HR_ADMIN)


def backups_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("ops:backups")
    except NoReverseMatch:  # pragma: no cover - the URL is part of this module's app
        return reverse("ops:health_page")


def _notify_failure(run: BackupRun, err: BackupError) -> None:
    from hrsuite.notifications.models import Level
    from hrsuite.notifications.services import notify

    try:
        notify(
            recipients=list(_hr_admins()),
            key=f"backup-failed:{run.pk}",
            message=err.message,
            params=err.params,
            url=backups_url(),
            level=Level.DANGER,
            email=True,
        )
    except Exception:  # a failing notification must not hide the recorded failure
        log.exception("could not notify administrators of failed backup %s", run.pk)


def _fail(run: BackupRun, err: BackupError, *, notify: bool = True) -> None:
    run.status = BackupStatus.FAILED
    run.finished_at = timezone.now()
    run.error = err.english()
    run.details = {**(run.details or {}), "error": {"message": err.message, "params": err.params}}
    run.save()
    log.error("backup %s failed: %s", run.pk, run.error)
    if notify:
        _notify_failure(run, err)


def _fail_interrupted(exclude_pk: int) -> None:
    """Runs still "running" while we hold the lock were stopped midway (a killed worker)."""
    err = BackupError(gettext_noop("Backup failed: it did not finish (the process was stopped)."))
    for stale in BackupRun.objects.filter(status=BackupStatus.RUNNING).exclude(pk=exclude_pk):
        _fail(stale, err)


def _write_manifest(run: BackupRun, source: dict) -> None:
    dump = Path(run.dump_path)
    manifest = {
        "format": 1,
        "dump": dump.name,
        "dump_sha256": run.dump_sha256,
        "media": Path(run.media_path).name if run.media_path else "",
        "media_sha256": run.media_sha256,
        "encrypted": run.encrypted,
        "started_at": run.started_at.isoformat(),
        "status": run.status,
        "restore_seconds": run.restore_seconds,
        "counts": source["counts"],
        "totals": source["totals"],
        "media_files": (run.details or {}).get("media", {}),
        "error": run.error,
    }
    _write_atomic(manifest_path(dump), json.dumps(manifest, indent=1, ensure_ascii=False).encode())


def backup_run(*, triggered_by=None) -> BackupRun:
    """Make, verify and record one backup (see the module docstring). Never raises for a failed
    backup: the run comes back "failed" with the reason, and HR administrators are notified.
    Not atomic on purpose: the run row is saved as it progresses so a crash leaves a trace."""
    started = timezone.now()
    run = BackupRun.objects.create(
        started_at=started,
        status=BackupStatus.RUNNING,
        triggered_by=triggered_by,
        encrypted=bool(encryption_keys()),
        details={"database": database_name()},
    )
    try:
        _perform(run, timezone.localtime(started).strftime("%Y%m%d-%H%M%S"))
    except BackupError as err:
        _fail(run, err)
    except Exception as exc:
        log.exception("backup %s: unexpected error", run.pk)
        _fail(
            run,
            BackupError(
                gettext_noop("Backup failed: unexpected error: %(error)s"), error=f"{type(exc).__name__}: {exc}"
            ),
        )
    return run


def _perform(run: BackupRun, stamp: str) -> None:
    details = run.details
    try:
        ctl = connect()
    except psycopg.OperationalError as exc:
        raise BackupError(
            gettext_noop("Backup failed: cannot connect to the database: %(reason)s"), reason=_tail(str(exc))
        ) from None
    with ctl:
        if not scalar(ctl, "SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]):
            raise BackupError(gettext_noop("Backup failed: another backup is running."))
        _fail_interrupted(run.pk)
        if leftovers := drop_leftover_scratch(ctl):
            details["dropped_leftover_scratch"] = leftovers
        tools = check_tools(ctl, details)
        fernet = backup_fernet()
        scheme = retention_scheme()
        directory = prepare_directory()
        check_space(ctl, directory, details)

        dump_final, media_final = _final_names(directory, stamp, encrypted=fernet is not None)
        # named before the snapshot, so the row inside the dump names its own file
        run.dump_path, run.media_path = str(dump_final), str(media_final)
        run.save(update_fields=["dump_path", "media_path", "details"])

        workdir = Path(tempfile.mkdtemp(prefix=".work-", dir=directory))
        try:
            t0 = time.monotonic()
            clear = workdir / "dump.clear"
            source = dump_database(ctl, tools, clear, details)
            tmp = workdir / dump_final.name
            try:
                run.dump_sha256, run.dump_bytes = seal_dump(clear, tmp, fernet)
                _publish(tmp, dump_final, run.dump_sha256)
            except OSError as exc:
                raise BackupError(
                    gettext_noop("Backup failed: the dump could not be written to %(path)s (%(reason)s)."),
                    path=directory,
                    reason=exc.strerror or exc,
                ) from None
            run.dump_seconds = round(time.monotonic() - t0, 3)

            tmp_media = workdir / media_final.name
            try:
                run.media_sha256, run.media_bytes, written = archive_media(tmp_media, fernet)
                _publish(tmp_media, media_final, run.media_sha256)
            except OSError as exc:
                raise BackupError(
                    gettext_noop("Backup failed: the uploaded files could not be archived (%(reason)s)."),
                    reason=exc.strerror or exc,
                ) from None
            details["media"] = written
            details["source"] = source
            run.tables_checked = len(source["counts"])
            run.rows_checked = sum(source["counts"].values())
            run.save()

            seconds, counts, totals = verify_dump(ctl, tools, dump_final, fernet, workdir)
            run.restore_seconds = round(seconds, 3)
            mismatches = compare(source["counts"], counts, source["totals"], totals)
            read_back = read_archive(media_final, fernet)
            if read_back != written:
                mismatches.append({"kind": "files", "name": "uploaded files", "source": written, "restored": read_back})
            details["mismatches"] = mismatches
            if mismatches:
                run.save()
                err = mismatch_error(mismatches)
                _fail(run, err)
                _write_manifest(run, source)
                return
            run.status = BackupStatus.VERIFIED
            run.finished_at = timezone.now()
            run.save()
            _write_manifest(run, source)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

        try:
            details["pruned"] = apply_retention(scheme=scheme)
        except Exception as exc:  # a verified backup stays verified; the problem is recorded
            log.exception("backup retention failed")
            details["retention_error"] = f"{type(exc).__name__}: {exc}"
        run.save(update_fields=["details"])


# --- retention ---------------------------------------------------------------------------------


def _remove_files(run: BackupRun) -> list[str]:
    """Delete a run's files, but only files named like ours (never a path a row was edited to)."""
    removed = []
    for value, pattern in ((run.dump_path, DUMP_NAME), (run.media_path, MEDIA_NAME)):
        if not value:
            continue
        path = Path(value)
        if not pattern.match(path.name):
            continue
        for p in (path, checksum_path(path), manifest_path(path)):
            try:
                p.unlink()
                removed.append(p.name)
            except FileNotFoundError:
                continue
    return removed


def apply_retention(*, scheme: retention.Scheme) -> list[int]:
    """Prune verified backups that no rule keeps; delete the files of failed backups older than
    the newest verified one. Returns the ids of the runs pruned."""
    verified = list(BackupRun.objects.filter(status=BackupStatus.VERIFIED))
    if not verified:
        return []
    keep, prune = retention.plan({r.pk: timezone.localtime(r.started_at) for r in verified}, scheme)
    for r in verified:
        if r.pk in prune:
            _remove_files(r)
            r.status = BackupStatus.PRUNED
            r.details = {**(r.details or {}), "pruned_at": timezone.now().isoformat()}
            r.save(update_fields=["status", "details"])
    newest = max(r.started_at for r in verified if r.pk in keep)
    for r in BackupRun.objects.filter(status=BackupStatus.FAILED, started_at__lt=newest).exclude(
        details__has_key="files_removed_at"
    ):
        if _remove_files(r):
            r.details = {**(r.details or {}), "files_removed_at": timezone.now().isoformat()}
            r.save(update_fields=["details"])
    return sorted(prune)


# --- health and dashboard ----------------------------------------------------------------------


def max_age() -> timedelta:
    return timedelta(hours=getattr(settings, "HRSUITE_BACKUP_MAX_AGE_HOURS", 26))


@dataclass
class BackupState:
    last_verified: BackupRun | None
    newest: BackupRun | None  # the newest finished run, verified or failed
    age: timedelta | None  # of the last verified backup
    ok: bool

    @property
    def failing(self) -> bool:
        return self.newest is not None and self.newest.status == BackupStatus.FAILED


def backup_state() -> BackupState:
    last_verified = BackupRun.objects.filter(status=BackupStatus.VERIFIED).order_by("-started_at").first()
    newest = (
        BackupRun.objects.filter(status__in=[BackupStatus.VERIFIED, BackupStatus.FAILED])
        .order_by("-started_at")
        .first()
    )
    age = timezone.now() - last_verified.started_at if last_verified else None
    ok = age is not None and age <= max_age() and not (newest and newest.status == BackupStatus.FAILED)
    return BackupState(last_verified, newest, age, ok)


def last_backup_check():
    """The "backup" entry of /healthz: ok only when the last verified backup is younger than
    BACKUP_MAX_AGE_HOURS and the newest backup did not fail."""
    from hrsuite.ops.health import Check

    try:
        state = backup_state()
    except Exception as exc:  # the table missing, say: reported, not raised
        return Check(ok=False, detail=type(exc).__name__, essential=False)
    age = round(state.age.total_seconds(), 1) if state.age is not None else None
    if state.failing and state.newest is not None:
        return Check(ok=False, detail=f"last backup failed: {state.newest.error}", essential=False, age_seconds=age)
    if state.last_verified is None:
        return Check(ok=False, detail=gettext_noop("no verified backup yet"), essential=False)
    if not state.ok:
        return Check(ok=False, detail=gettext_noop("last verified backup is too old"), essential=False, age_seconds=age)
    return Check(ok=True, detail=gettext_noop("verified by a test restore"), essential=False, age_seconds=age)


def notify_if_stale(*, now=None) -> int:
    """Tell HR administrators (once a day) when there has been no verified backup for longer
    than BACKUP_MAX_AGE_HOURS. A new installation gets that long before the first warning."""
    from django.db.migrations.recorder import MigrationRecorder

    from hrsuite.notifications.models import Level
    from hrsuite.notifications.services import notify

    now = now or timezone.now()
    state = backup_state()
    if state.last_verified is not None and state.age is not None and state.age <= max_age():
        return 0
    if state.last_verified is None:
        installed = (
            MigrationRecorder.Migration.objects.filter(app="ops", name="0001_initial").values_list("applied", flat=True)
        ).first()
        if installed is not None and now - installed < max_age():
            return 0
    created = notify(
        recipients=list(_hr_admins()),
        key=f"backup-missing:{timezone.localtime(now):%Y-%m-%d}",
        message=gettext_noop("No verified backup in the last %(hours)s hours: check the backups page."),
        params={"hours": str(int(max_age().total_seconds() // 3600))},
        url=backups_url(),
        level=Level.DANGER,
        email=True,
    )
    return len(created)


def recent_runs(limit: int = 5) -> list[BackupRun]:
    runs = list(BackupRun.objects.select_related("triggered_by").order_by("-started_at")[:limit])
    for r in runs:
        r.error_display = error_text(r)  # type: ignore[attr-defined]
    return runs


def dashboard_context() -> dict:
    state = backup_state()
    failure = state.newest if state.failing else None
    if failure is not None:
        failure.error_display = error_text(failure)  # type: ignore[attr-defined]
    return {
        "state": state,
        "last": state.last_verified,
        "age_hours": round(state.age.total_seconds() / 3600, 1) if state.age is not None else None,
        "max_age_hours": int(max_age().total_seconds() // 3600),
        "failure": failure,
        "link": True,
    }

"""Checks that PostgreSQL and Redis are reachable and creates the database if it is missing.

Run by `make run` and `make test` before anything touches the database, so a missing service
ends in one clear sentence (which service, where we looked, how to start it), not a traceback.
"""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

START_PG = (
    "Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "(or `docker compose up -d db redis`), or point DATABASE_URL in .env at your server."
)
START_REDIS = (
    "Start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379` "
    "(or `docker compose up -d db redis`), or point REDIS_URL in .env at your server."
)


class Command(BaseCommand):
    help = "Check PostgreSQL and Redis, and create the database if it does not exist."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--database", default=None, help="Database name to create (default: settings)")

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        name = options["database"] or db["NAME"]
        where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
        conninfo = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 3,
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if not exists:
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
                    )
                    self.stdout.write(f"Created database {name!r} on {where}.")
                server_major = conn.info.server_version // 10000
        except psycopg.OperationalError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(
                f"PostgreSQL is not reachable at {where} (user {db.get('USER')!r}): {first_line}. {START_PG}"
            ) from None

        url = settings.CELERY_BROKER_URL
        try:
            redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
        except redis.RedisError as exc:
            raise CommandError(f"Redis is not reachable at {_safe_url(url)}: {exc}. {START_REDIS}") from None

        self._check_pg_dump(server_major)
        self.stdout.write(
            self.style.SUCCESS(f"PostgreSQL {server_major} at {where} and Redis at {_safe_url(url)} are reachable.")
        )

    def _check_pg_dump(self, server_major: int) -> None:
        tool = shutil.which("pg_dump")
        if tool is None:
            self.stderr.write("Note: pg_dump is not installed; backups will fail until postgresql-client is installed.")
            return
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout
        digits = "".join(ch if ch.isdigit() or ch == "." else " " for ch in out).split()
        major = int(digits[0].split(".")[0]) if digits else 0
        if major and major < server_major:
            self.stderr.write(
                f"Note: pg_dump {major} is older than the server ({server_major}); install postgresql-client-{server_major}."
            )


def _safe_url(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url

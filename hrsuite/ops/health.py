"""Health of the services the suite depends on, for /healthz and the administrators' dashboard."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_noop

BEAT_KEY = "ops:beat:last"
BEAT_MAX_AGE_SECONDS = 180


@dataclass
class Check:
    ok: bool
    detail: str = ""
    essential: bool = True
    age_seconds: float | None = None
    count: int | None = None


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Check(ok=True)
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Check(ok=False, detail=type(exc).__name__)


def check_redis() -> Check:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        return Check(ok=True)
    except redis.RedisError as exc:
        return Check(ok=False, detail=type(exc).__name__)


def check_workers(redis_ok: bool) -> Check:
    if not redis_ok:
        return Check(ok=False, detail=gettext_noop("broker unreachable"))
    from hrsuite.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # a broker error while pinging is reported, not raised
        return Check(ok=False, detail=type(exc).__name__)
    if not replies:
        return Check(ok=False, detail=gettext_noop("no worker answered"), count=0)
    return Check(ok=True, count=len(replies))


def record_beat() -> None:
    cache.set(BEAT_KEY, time.time(), timeout=None)


def check_beat(redis_ok: bool) -> Check:
    if not redis_ok:
        return Check(ok=False, detail=gettext_noop("broker unreachable"), essential=False)
    try:
        last = cache.get(BEAT_KEY)
    except Exception as exc:  # cache backend down
        return Check(ok=False, detail=type(exc).__name__, essential=False)
    if last is None:
        return Check(ok=False, detail=gettext_noop("no heartbeat yet"), essential=False)
    age = time.time() - float(last)
    return Check(ok=age <= BEAT_MAX_AGE_SECONDS, essential=False, age_seconds=round(age, 1))


def check_backup() -> Check:
    from hrsuite.ops.backups import last_backup_check

    return last_backup_check()


def health() -> tuple[bool, dict]:
    db = check_database()
    rd = check_redis()
    checks = {
        "database": db,
        "redis": rd,
        "celery_workers": check_workers(rd.ok),
        "celery_beat": check_beat(rd.ok),
        "backup": check_backup() if db.ok else Check(ok=False, detail=gettext_noop("database down"), essential=False),
    }
    essential_ok = all(c.ok for c in checks.values() if c.essential)
    all_ok = all(c.ok for c in checks.values())
    status = "ok" if all_ok else ("degraded" if essential_ok else "down")
    return essential_ok, {"status": status, "checks": {k: asdict(v) for k, v in checks.items()}}

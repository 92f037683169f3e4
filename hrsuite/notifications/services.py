from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation

from .models import Level, Notification

log = logging.getLogger(__name__)


@transaction.atomic
def notify(
    *,
    recipients: Iterable,
    key: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    level: str = Level.INFO,
    email: bool = False,
) -> list[Notification]:
    """Notify each recipient once per `key`. Returns only the notifications created now, so a
    job that runs twice (or is retried) sends nothing the second time.

    `message` is an English source string marked with gettext_noop; `%(name)s` placeholders are
    filled from `params` when shown.
    """
    key = key[:200]
    by_pk = {r.pk: r for r in recipients if r is not None and r.is_active}
    already = set(Notification.objects.filter(recipient_id__in=by_pk, key=key).values_list("recipient_id", flat=True))
    recipients = [r for pk, r in by_pk.items() if pk not in already]
    if not recipients:
        return []
    rows = [
        Notification(
            recipient=r,
            key=key,
            message=message,
            params=params or {},
            url=url,
            level=level,
            send_email=email and bool(r.email),
        )
        for r in recipients
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # the unique constraint decides under concurrency; the e-mail task is guarded separately
    created = list(Notification.objects.filter(recipient__in=recipients, key=key))
    if email:
        from .tasks import send_notification_email

        for n in created:
            if n.send_email and n.emailed_at is None:
                transaction.on_commit(lambda pk=n.pk: queue_email(send_notification_email, pk))
    return created


@dataclass(frozen=True)
class NotificationSpec:
    """One notification for notify_many(): the same fields as notify(), for one recipient."""

    recipient_id: int
    key: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    level: str = Level.INFO
    email: bool = False


NOTIFY_BATCH = 5000
EMAIL_BATCH = 200

# One statement per batch: the rows arrive as arrays (unnest), inactive recipients are dropped by
# the join, a row whose (recipient, key) exists is skipped by the unique constraint, and RETURNING
# names exactly the rows this statement created, even with another run inserting concurrently.
_INSERT_SQL = """
INSERT INTO {table} (recipient_id, key, message, params, url, level, created_at, send_email)
SELECT t.recipient_id, t.key, t.message, t.params::jsonb, t.url, t.level, %s, t.email AND u.email <> ''
FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::text[], %s::varchar[], %s::varchar[], %s::boolean[])
     AS t(recipient_id, key, message, params, url, level, email)
JOIN {users} u ON u.id = t.recipient_id AND u.is_active
ON CONFLICT DO NOTHING
RETURNING id, recipient_id, key, send_email, created_at
"""


@transaction.atomic
def notify_many(items: Iterable[NotificationSpec]) -> list[Notification]:
    """notify() for many recipients and keys at once, in a constant number of queries: one
    INSERT … ON CONFLICT DO NOTHING RETURNING per batch of 5,000. Each (recipient, key) is stored
    once; the notifications created now are returned (a second run returns none), inactive
    recipients are skipped, and e-mail (for specs with email=True, when the recipient has an
    address) is scheduled on commit for the created ones only, in batches of 200 per task."""
    seen: set[tuple[int, str]] = set()
    batch: list[NotificationSpec] = []
    created: list[Notification] = []
    for spec in items:
        spec_key = (spec.recipient_id, spec.key[:200])
        if spec.recipient_id is None or spec_key in seen:
            continue
        seen.add(spec_key)
        batch.append(spec)
        if len(batch) >= NOTIFY_BATCH:
            created += _insert_batch(batch)
            batch = []
    if batch:
        created += _insert_batch(batch)
    to_email = [n.pk for n in created if n.send_email]
    if to_email:
        from .tasks import send_notification_emails

        for start in range(0, len(to_email), EMAIL_BATCH):
            chunk = to_email[start : start + EMAIL_BATCH]
            transaction.on_commit(lambda chunk=chunk: queue_email(send_notification_emails, chunk))
    return created


def _insert_batch(batch: list[NotificationSpec]) -> list[Notification]:
    sql = _INSERT_SQL.format(
        table=connection.ops.quote_name(Notification._meta.db_table),
        users=connection.ops.quote_name(get_user_model()._meta.db_table),
    )
    params = [
        timezone.now(),
        [s.recipient_id for s in batch],
        [s.key[:200] for s in batch],
        [s.message for s in batch],
        [json.dumps(s.params or {}, ensure_ascii=False) for s in batch],
        [s.url for s in batch],
        [str(s.level) for s in batch],
        [bool(s.email) for s in batch],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    specs = {(s.recipient_id, s.key[:200]): s for s in batch}
    out = []
    for pk, recipient_id, key, send_email, created_at in rows:
        spec = specs[(recipient_id, key)]
        out.append(
            Notification(
                pk=pk,
                recipient_id=recipient_id,
                key=key,
                message=spec.message,
                params=spec.params or {},
                url=spec.url,
                level=spec.level,
                created_at=created_at,
                send_email=send_email,
            )
        )
    return out


def queue_email(task, *args) -> bool:
    """Queue an e-mail task (after the commit). When the job queue cannot be reached the
    notification is kept, not yet e-mailed, and the action that made it is not undone or turned
    into an error page: send_pending_emails (every 15 minutes) sends it once the queue is back."""
    from hrsuite.ops.jobs import BROKER_ERRORS

    try:
        task.delay(*args)
    except BROKER_ERRORS as exc:
        log.warning("e-mail task %s%r not queued (%r): left to send_pending_emails", task.name, args, exc)
        return False
    return True


def mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def source_text(label) -> str:
    """The English source of a lazily translated label (a choice label, say), for storing in
    notification parameters listed under "_i18n" so they are translated when shown."""
    with translation.override(None):
        return str(label)


def send_once(key: str, send) -> bool:
    """Call `send()` (which sends one e-mail) unless an e-mail with `key` was sent already.

    The key's row is locked while sending, so a duplicate or redelivered task waits and then
    sends nothing; if `send()` raises, the row is rolled back and a retry sends. (A worker killed
    after the mail server accepted and before the commit can still send twice: SMTP offers no
    way around that.) Returns whether it sent."""
    from django.utils import timezone

    from .models import SentEmail

    with transaction.atomic():
        SentEmail.objects.bulk_create([SentEmail(key=key[:200])], ignore_conflicts=True)
        row = SentEmail.objects.select_for_update().get(key=key[:200])
        if row.sent_at is not None:
            return False
        send()
        row.sent_at = timezone.now()
        row.save(update_fields=["sent_at"])
    return True

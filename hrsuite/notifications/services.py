from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from .models import Level, Notification


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
                transaction.on_commit(lambda pk=n.pk: send_notification_email.delay(pk))
    return created


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

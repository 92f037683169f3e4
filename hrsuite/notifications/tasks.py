from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_notification_email(self, notification_id: int) -> bool:
    """Send one notification by e-mail, at most once: the row is locked and stamped in the same
    transaction as the send, so a retry or a duplicate delivery of this task sends nothing."""
    try:
        with transaction.atomic():
            n = (
                Notification.objects.select_for_update()
                .select_related("recipient")
                .filter(pk=notification_id, emailed_at__isnull=True, send_email=True)
                .first()
            )
            if n is None:
                return False
            with translation.override(n.recipient.language or settings.LANGUAGE_CODE):
                subject = _("[hrsuite] %(text)s") % {"text": n.text[:120]}
                body = n.text
                if n.url:
                    body += "\n\n" + _("Open: %(url)s") % {"url": settings.HRSUITE_BASE_URL + n.url}
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
            n.emailed_at = timezone.now()
            n.save(update_fields=["emailed_at"])
            return True
    except OSError as exc:  # SMTP unreachable: retry with backoff
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """Send a batch of notifications by e-mail (notify_many schedules one task per 200 instead of
    one per message). Each is sent at most once, exactly as send_notification_email does; when the
    mail server is unreachable the task is retried with the ones not yet sent."""
    sent = 0
    for i, pk in enumerate(notification_ids):
        try:
            sent += bool(send_notification_email(pk))
        except OSError as exc:
            raise self.retry(exc=exc, args=(notification_ids[i:],)) from exc
    return sent


PENDING_AFTER = timedelta(minutes=10)  # the normal e-mail task has had its chance
PENDING_WITHIN = timedelta(days=1)  # older reminders are not worth an e-mail any more
PENDING_BATCH = 1000


@shared_task(ignore_result=True)
def send_pending_emails() -> int:
    """Every 15 minutes: e-mail the notifications whose e-mail task never ran (the job queue was
    down when they were made, or the message was lost). Each at most once, exactly as
    send_notification_email does (the row is locked and stamped); stops at the first SMTP error,
    for the next run to try again."""
    now = timezone.now()
    pending = Notification.objects.filter(
        send_email=True,
        emailed_at__isnull=True,
        created_at__lt=now - PENDING_AFTER,
        created_at__gte=now - PENDING_WITHIN,
    ).order_by("created_at")
    sent = 0
    for pk in pending.values_list("pk", flat=True)[:PENDING_BATCH]:
        try:
            sent += bool(send_notification_email(pk))
        except OSError:  # the mail server is unreachable: the next run tries again
            break
    return sent

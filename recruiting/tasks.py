"""Celery tasks of the recruiting pipeline: thin wrappers (ids in, idempotent) around the
e-mails to candidates and the assessment results' safety net."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# Candidates have no language setting: they are written to in the suite's default language
# (Simplified Chinese).
SENT_TTL = 7 * 24 * 60 * 60


def _company() -> str:
    from hrsuite.core.context_processors import company_name

    return company_name()


def _once(key: str) -> bool:
    """True the first time `key` is seen (a retried or duplicated task sends nothing twice)."""
    return cache.add(f"recruiting-mail:{key}", 1, SENT_TTL)


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_rejection_email(self, application_id: int) -> bool:
    from .choices import Stage
    from .models import Application

    application = (
        Application.objects.select_related("candidate", "posting")
        .filter(pk=application_id, stage=Stage.REJECTED)
        .first()
    )
    if application is None or not _once(f"rejection:{application_id}"):
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"candidate": application.candidate, "posting": application.posting, "company": _company()}
        subject = _("Your application for %(posting)s") % {"posting": application.posting.title}
        body = render_to_string("recruiting/pipeline/email_rejection.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.candidate.email])
    except OSError as exc:
        cache.delete(f"recruiting-mail:rejection:{application_id}")
        raise self.retry(exc=exc) from exc
    return True


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_assessment_invite(self, invite_id: int, token: str) -> bool:
    """E-mail the assessment link (the token travels only here and in the e-mail)."""
    from .models import AssessmentInvite
    from .services_assessments import invite_url, token_hash

    invite = (
        AssessmentInvite.objects.select_related("exam", "application__candidate", "application__posting")
        .filter(pk=invite_id, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invite is None or invite.token_hash != token_hash(token) or not _once(f"invite:{invite_id}"):
        return False
    application = invite.application
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "candidate": application.candidate,
            "posting": application.posting,
            "exam": invite.exam,
            "url": invite_url(token),
            "expires_at": timezone.localtime(invite.expires_at),
            "company": _company(),
        }
        subject = _("Online assessment for %(posting)s") % {"posting": application.posting.title}
        body = render_to_string("recruiting/assessment/email_invite.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.candidate.email])
    except OSError as exc:
        cache.delete(f"recruiting-mail:invite:{invite_id}")
        raise self.retry(exc=exc) from exc
    return True


@shared_task
def assessment_results_sync() -> int:
    """Every few minutes: record assessments whose time ran out while the page was closed."""
    from .services_assessments import results_sync

    return results_sync(now=timezone.now())


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_offer_letter(self, offer_id: int) -> bool:
    """E-mail the approved offer letter (re-rendered from the locked terms) to the candidate."""
    from .services_offers import email_offer_letter

    return email_offer_letter(offer_id)


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_welcome_email(self, employee_id: int) -> bool:
    """E-mail a new employee their user name and a set-password link."""
    from .services_onboarding import welcome_email

    return welcome_email(employee_id=employee_id)

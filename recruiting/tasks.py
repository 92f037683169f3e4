"""Celery tasks of the recruiting pipeline: thin wrappers (ids in, idempotent) around the
e-mails to candidates and the assessment results' safety net."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hrsuite.notifications.services import send_once

# Candidates have no language setting: they are written to in the suite's default language
# (Simplified Chinese). Each e-mail goes out once: hrsuite.notifications.services.send_once.


def _company() -> str:
    from hrsuite.core.context_processors import company_name

    return company_name()


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_rejection_email(self, application_id: int) -> bool:
    from .choices import Stage
    from .models import Application

    application = (
        Application.objects.select_related("candidate", "posting")
        .filter(pk=application_id, stage=Stage.REJECTED)
        .first()
    )
    if application is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"candidate": application.candidate, "posting": application.posting, "company": _company()}
        subject = _("Your application for %(posting)s") % {"posting": application.posting.title}
        body = render_to_string("recruiting/pipeline/email_rejection.txt", context)
    try:
        return send_once(
            f"recruiting:rejection:{application_id}",
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.candidate.email]),
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc


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
    if invite is None or invite.token_hash != token_hash(token):
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
        return send_once(
            f"recruiting:invite:{invite_id}",
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [application.candidate.email]),
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def assessment_results_sync() -> int:
    """Every few minutes: record assessments whose time ran out while the page was closed."""
    from .services_assessments import results_sync

    return results_sync(now=timezone.now())


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_offer_letter(self, offer_id: int) -> bool:
    """E-mail the approved offer letter (re-rendered from the locked terms) to the candidate."""
    from .models import Offer
    from .services_offers import email_offer_letter

    offer = Offer.objects.filter(pk=offer_id).only("letter_hash").first()
    if offer is None:
        return False
    sent = []
    send_once(f"recruiting:offer:{offer_id}:{offer.letter_hash}", lambda: sent.append(email_offer_letter(offer_id)))
    return bool(sent and sent[0])


@shared_task(bind=True, max_retries=5, retry_backoff=30, retry_backoff_max=600)
def send_welcome_email(self, employee_id: int, key: str = "") -> bool:
    """E-mail a new employee their user name and a set-password link, once per `key` (each
    hire or "send a new link" gives its own key; a redelivered task carries the same one)."""
    from .services_onboarding import welcome_email

    if not key:
        return welcome_email(employee_id=employee_id)
    sent = []
    send_once(f"recruiting:welcome:{key}", lambda: sent.append(welcome_email(employee_id=employee_id)))
    return bool(sent and sent[0])

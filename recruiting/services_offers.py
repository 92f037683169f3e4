"""Offers: HR drafts an offer for an application at the "offer" stage, a second HR person
approves it (four eyes), which renders the offer letter PDF (录用通知书), stores its content
hash and e-mails it to the candidate; HR then records the candidate's answer. Hiring an
accepted offer is recruiting.services_onboarding.hire.

Decisions (documented for HR and the tests):

* One offer per application (the model's OneToOne). A *withdrawn* offer may be replaced: a new
  offer for the same application rewrites that row as a fresh draft (its earlier terms stay in
  the audit log, Offer being registered with django-auditlog, and on the timeline note written
  when it was withdrawn). A *declined* offer is never replaced: declining rejects the
  application, and a rejected application is closed.
* A monthly salary outside the requisition's budget range is refused unless a written
  justification is given; the justification is recorded on the application's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.models import Grade, Position
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.notifications.services import notify
from hrsuite.pdf import content_hash, generated_at, render_pdf
from hrsuite.roles import Role, users_with_role

from . import tasks as recruiting_tasks
from .choices import OfferStatus, Stage
from .models import Application, Offer, StageChange
from .services import move_stage

MANAGE = "hrsuite.manage_recruiting"
LETTER_TEMPLATE = "recruiting/pdf/offer_letter.html"
REASON_MAX = 2000
MAX_PROBATION_MONTHS = 6


def require_hr(actor) -> None:
    if actor is None or not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Only HR can prepare, approve or change offers."))


def _company() -> str:
    from hrsuite.core.context_processors import company_name

    return company_name()


def _note(application: Application, actor, text: str) -> None:
    """A note on the application's timeline (a StageChange that stays in the stage)."""
    StageChange.objects.create(
        application=application, from_stage=application.stage, to_stage=application.stage, actor=actor, note=text
    )


def _money(value: Decimal) -> str:
    return f"¥{Decimal(value).quantize(Decimal('0.01')):,.2f}"


# ---------------------------------------------------------------------------------------------
# drafting


@transaction.atomic
def offer_create(
    *,
    application: Application,
    position: Position,
    grade: Grade | None,
    monthly_salary: Decimal,
    start_date: date,
    probation_months: int,
    respond_by: date,
    actor,
    budget_justification: str = "",
    today: date | None = None,
) -> Offer:
    """Draft an offer (awaiting a second HR person's approval). Raises ValidationError with
    field errors for bad terms; nothing is saved then."""
    require_hr(actor)
    today = today or timezone.localdate()
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("posting__requisition", "candidate")
        .get(pk=application.pk)
    )
    if locked.stage != Stage.OFFER:
        raise ValidationError(
            _("An offer can be made only while the application is at the offer stage (it is at “%(stage)s”).")
            % {"stage": locked.get_stage_display()},
            code="stage",
        )
    existing = Offer.objects.select_for_update().filter(application=locked).first()
    if existing is not None and existing.status != OfferStatus.WITHDRAWN:
        raise ValidationError(
            _("This application already has an offer (%(status)s). Withdraw it first to make a new one.")
            % {"status": existing.get_status_display()},
            code="exists",
        )
    requisition = locked.posting.requisition
    errors: dict[str, list[str]] = {}
    justification = (budget_justification or "").strip()
    if monthly_salary is None or monthly_salary <= 0:
        errors.setdefault("monthly_salary", []).append(_("The monthly salary must be more than zero."))
    elif not (requisition.budget_min <= monthly_salary <= requisition.budget_max) and not justification:
        errors.setdefault("monthly_salary", []).append(
            _(
                "The salary is outside the requisition's budget (%(min)s – %(max)s a month). "
                "Change it, or give a justification for the exception."
            )
            % {"min": _money(requisition.budget_min), "max": _money(requisition.budget_max)}
        )
    if len(justification) > REASON_MAX:
        errors.setdefault("budget_justification", []).append(
            _("The justification is at most %(max)s characters long.") % {"max": REASON_MAX}
        )
    if start_date is None or start_date < today:
        errors.setdefault("start_date", []).append(_("The start date cannot be in the past."))
    if respond_by is None or respond_by < today:
        errors.setdefault("respond_by", []).append(_("The date to respond by cannot be in the past."))
    elif start_date is not None and respond_by > start_date:
        errors.setdefault("respond_by", []).append(_("The candidate must answer before the start date."))
    if probation_months is None or not 0 <= probation_months <= MAX_PROBATION_MONTHS:
        errors.setdefault("probation_months", []).append(
            _("Probation is between 0 and %(max)s months (Labour Contract Law).") % {"max": MAX_PROBATION_MONTHS}
        )
    if errors:
        raise ValidationError(errors)

    offer = existing or Offer(application=locked)
    offer.position = position
    offer.grade = grade
    offer.monthly_salary = monthly_salary
    offer.start_date = start_date
    offer.probation_months = probation_months
    offer.respond_by = respond_by
    offer.status = OfferStatus.DRAFT
    offer.created_by = actor
    offer.approved_by = None
    offer.approved_at = None
    offer.responded_at = None
    offer.decline_reason = ""
    offer.letter_hash = ""
    offer.save()
    if not (requisition.budget_min <= monthly_salary <= requisition.budget_max):
        _note(
            locked,
            actor,
            _("Offer salary %(salary)s is outside the budget (%(min)s – %(max)s). Justification: %(why)s")
            % {
                "salary": _money(monthly_salary),
                "min": _money(requisition.budget_min),
                "max": _money(requisition.budget_max),
                "why": justification,
            },
        )
    approvers = [u for u in users_with_role(Role.HR, Role.HR_ADMIN) if u.pk != actor.pk]
    transaction.on_commit(
        lambda: notify(
            recipients=approvers,
            key=f"offer-draft:{offer.pk}:{int(timezone.now().timestamp())}",
            message=gettext_noop("The offer to %(name)s for %(position)s awaits your approval."),
            params={"name": locked.candidate.name, "position": position.title},
            url=reverse("recruiting:offer_detail", args=[offer.pk]),
        )
    )
    return offer


# ---------------------------------------------------------------------------------------------
# approval and the letter


@dataclass(frozen=True)
class Letter:
    pdf: bytes
    digest: str
    filename: str


def _letter_context(offer: Offer) -> dict:
    application = offer.application
    requisition = application.posting.requisition
    return {
        "offer": offer,
        "company_name": _company(),
        "candidate": application.candidate,
        "position": offer.position,
        "department": requisition.department,
        "grade": offer.grade,
        "hiring_manager": requisition.hiring_manager,
        "location": application.posting.location,
    }


def letter_digest(offer: Offer) -> str:
    """The content hash of the letter: every term it states and who approved it when (not the
    PDF bytes, which embed the generation time)."""
    ctx = _letter_context(offer)
    return content_hash(
        "offer",
        offer.pk,
        ctx["company_name"],
        offer.application.candidate.name,
        offer.application.candidate.email,
        offer.position.title,
        ctx["department"].name,
        offer.grade.code if offer.grade else "",
        offer.monthly_salary,
        offer.start_date.isoformat(),
        offer.probation_months,
        offer.respond_by.isoformat(),
        offer.approved_by_id,
        offer.approved_at.isoformat() if offer.approved_at else "",
    )


def _render_letter(offer: Offer) -> Letter:
    digest = letter_digest(offer)
    # the letter is written in the company's language, whoever clicks
    with translation.override(settings.LANGUAGE_CODE):
        context = {**_letter_context(offer), "generated": generated_at(), "content_hash": digest}
        pdf = render_pdf(LETTER_TEMPLATE, context)
    filename = f"offer-{offer.pk}-{offer.start_date:%Y%m%d}.pdf"
    return Letter(pdf=pdf, digest=digest, filename=filename)


def _offer_for_update(offer: Offer) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related(
            "application__candidate",
            "application__posting__requisition__department",
            "application__posting__requisition__hiring_manager__user",
            "position",
            "grade",
        )
        .get(pk=offer.pk)
    )


@transaction.atomic
def offer_approve(*, offer: Offer, actor) -> Offer:
    """A second HR person approves the draft: the letter is rendered, its hash stored, and it is
    e-mailed to the candidate after the commit."""
    require_hr(actor)
    locked = _offer_for_update(offer)
    if locked.status != OfferStatus.DRAFT:
        raise ValidationError(
            _("Only an offer awaiting approval can be approved (this one is “%(status)s”).")
            % {"status": locked.get_status_display()},
            code="status",
        )
    if locked.created_by_id == actor.pk:
        raise ValidationError(
            _("You prepared this offer, so another HR colleague must approve it (four-eyes principle)."),
            code="four_eyes",
        )
    if locked.application.stage != Stage.OFFER:
        raise ValidationError(_("The application is no longer at the offer stage."), code="stage")
    locked.status = OfferStatus.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    letter = _render_letter(locked)
    locked.letter_hash = letter.digest
    locked.save(update_fields=["status", "approved_by", "approved_at", "letter_hash"])
    _note(locked.application, actor, _("Offer approved and sent to the candidate."))
    transaction.on_commit(lambda: recruiting_tasks.send_offer_letter.delay(locked.pk))
    offer.status, offer.approved_by, offer.approved_at = locked.status, locked.approved_by, locked.approved_at
    offer.letter_hash = locked.letter_hash
    return locked


def email_offer_letter(offer_pk: int) -> bool:
    """Send the approved letter to the candidate (a Celery task after the commit; a mail failure
    does not undo the approval: HR can download the letter and send it by hand)."""
    import logging

    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    offer = Offer.objects.select_related("application__candidate", "position").get(pk=offer_pk)
    letter = _render_letter(offer)
    candidate = offer.application.candidate
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Offer of employment: %(position)s") % {"position": offer.position.title}
        body = render_to_string(
            "recruiting/offers/email_offer.txt", {"offer": offer, "candidate": candidate, "company": _company()}
        )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [candidate.email])
    message.attach(letter.filename, letter.pdf, "application/pdf")
    try:
        message.send()
    except OSError:
        logging.getLogger(__name__).exception("offer letter %s could not be e-mailed", offer_pk)
        return False
    return True


def offer_letter_pdf(*, offer: Offer, actor, request=None) -> Letter:
    """The approved letter for download (HR), recorded in the audit log. Re-rendered from the
    stored terms; its content hash is the one stored at approval."""
    require_hr(actor)
    offer = (
        Offer.objects.select_related(
            "application__candidate",
            "application__posting__requisition__department",
            "application__posting__requisition__hiring_manager",
            "position",
            "grade",
        )
        .filter(pk=offer.pk)
        .first()
    )
    if offer is None or not offer.letter_hash:
        raise ValidationError(_("The letter exists once the offer is approved."), code="no_letter")
    letter = _render_letter(offer)
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        actor=actor,
        obj=offer,
        details={"what": "offer letter PDF", "content_hash": letter.digest, "stored_hash": offer.letter_hash},
    )
    return letter


# ---------------------------------------------------------------------------------------------
# the candidate's answer, withdrawal


@transaction.atomic
def offer_record_answer(*, offer: Offer, accepted: bool, reason: str = "", actor) -> Offer:
    """HR records the candidate's answer to an approved (sent) offer. Declining needs the
    candidate's reason and rejects the application with it."""
    require_hr(actor)
    locked = _offer_for_update(offer)
    if locked.status != OfferStatus.APPROVED:
        raise ValidationError(
            _("An answer can be recorded only for an approved, sent offer (this one is “%(status)s”).")
            % {"status": locked.get_status_display()},
            code="status",
        )
    reason = (reason or "").strip()
    application = locked.application
    if accepted:
        locked.status = OfferStatus.ACCEPTED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        _note(application, actor, _("The candidate accepted the offer."))
        manager = application.posting.requisition.hiring_manager
        recipients = [*users_with_role(Role.HR, Role.HR_ADMIN), manager.user if manager.user_id else None]
        transaction.on_commit(
            lambda: notify(
                recipients=[r for r in recipients if r is not None],
                key=f"offer-accepted:{locked.pk}",
                message=gettext_noop("%(name)s accepted the offer for %(position)s (starts %(date)s)."),
                params={
                    "name": application.candidate.name,
                    "position": locked.position.title,
                    "date": str(locked.start_date),
                },
                url=reverse("recruiting:offer_detail", args=[locked.pk]),
            )
        )
    else:
        if not reason:
            raise ValidationError({"reason": [_("Give the candidate's reason for declining.")]}, code="reason")
        if len(reason) > REASON_MAX:
            raise ValidationError(
                {"reason": [_("The reason is at most %(max)s characters long.") % {"max": REASON_MAX}]}
            )
        locked.status = OfferStatus.DECLINED
        locked.responded_at = timezone.now()
        locked.decline_reason = reason
        locked.save(update_fields=["status", "responded_at", "decline_reason"])
        move_stage(
            application=application,
            to=Stage.REJECTED,
            actor=actor,
            rejection_reason=_("Declined the offer: %(reason)s") % {"reason": reason},
        )
    offer.status, offer.responded_at, offer.decline_reason = locked.status, locked.responded_at, locked.decline_reason
    return locked


@transaction.atomic
def offer_withdraw(*, offer: Offer, reason: str, actor) -> Offer:
    """HR withdraws an offer not yet turned into a hire (draft, sent or accepted). The
    application stays at the offer stage: HR may make a new offer, move it back to interview or
    reject it. The reason and the withdrawn terms go on the timeline."""
    require_hr(actor)
    locked = _offer_for_update(offer)
    if locked.status not in (OfferStatus.DRAFT, OfferStatus.APPROVED, OfferStatus.ACCEPTED):
        raise ValidationError(
            _("This offer is “%(status)s” and cannot be withdrawn.") % {"status": locked.get_status_display()},
            code="status",
        )
    if locked.application.hired_employee_id or locked.application.stage == Stage.HIRED:
        raise ValidationError(_("The candidate has been hired; the offer can no longer be withdrawn."), code="hired")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the offer is withdrawn.")]}, code="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("The reason is at most %(max)s characters long.") % {"max": REASON_MAX}]})
    locked.status = OfferStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    _note(
        locked.application,
        actor,
        _("Offer withdrawn (%(salary)s a month, start %(date)s): %(reason)s")
        % {"salary": _money(locked.monthly_salary), "date": locked.start_date.isoformat(), "reason": reason},
    )
    offer.status = locked.status
    return locked


# ---------------------------------------------------------------------------------------------
# reads of the offer pages


def offers_visible_to(user):
    """Offers of the applications the user may see (recruiting.selectors scopes them)."""
    from .selectors import applications_visible_to

    return Offer.objects.filter(application__in=applications_visible_to(user).values("pk")).select_related(
        "application__candidate",
        "application__posting__requisition__department",
        "application__posting__requisition__hiring_manager",
        "position",
        "grade",
        "created_by",
        "approved_by",
    )

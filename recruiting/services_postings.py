"""Writes of the front of recruiting: requisitions (a manager asks for headcount, HR decides),
job postings and their weighted keywords, and applications from the careers page (with the
resume stored privately, its text extracted and scored against the posting's keywords).

Every service refuses bad input with a translated ValidationError and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.models import Department, Employee, Position
from hrsuite.notifications.services import notify
from hrsuite.roles import Role, users_with_role
from hrsuite.scoping import scope_for
from hrsuite.uploads import check_upload, private_path

from .choices import PostingStatus, RequisitionStatus, Source, Stage
from .models import Application, Candidate, JobPosting, PostingKeyword, Requisition, StageChange
from .resume_text import extract
from .scoring import Keyword, Screener, normalise_term

logger = logging.getLogger(__name__)

RESUME_TYPES = frozenset({"pdf", "docx"})
TERM_MAX = 60
RESCORE_BATCH = 500
CLOSED_MESSAGE = gettext_noop("This position is no longer accepting applications.")


def resume_max_bytes() -> int:
    return int(getattr(settings, "RECRUITING_RESUME_MAX_BYTES", 5 * 1024 * 1024))


def _is_hr(user) -> bool:
    return bool(user is not None and user.has_perm("hrsuite.manage_recruiting"))


def _hr_users():
    return users_with_role(Role.HR, Role.HR_ADMIN)


# --- requisitions ---------------------------------------------------------------------------


def _in_reach(user, department: Department) -> bool:
    scope = scope_for(user)
    return scope.everyone or any(department.path.startswith(p) for p in scope.subtree_paths)


@transaction.atomic
def requisition_submit(
    *,
    actor,
    position: Position,
    department: Department,
    headcount: int,
    reason: str,
    budget_min: Decimal,
    budget_max: Decimal,
    hiring_manager: Employee,
) -> Requisition:
    """A manager (for a department they head, or below it) or HR asks for headcount; HR is
    notified in the app."""
    if not actor.has_perm("hrsuite.request_headcount"):
        raise ValidationError(_("You may not request headcount."), code="permission")
    errors: dict[str, str] = {}
    if not _is_hr(actor) and not _in_reach(actor, department):
        errors["department"] = _("You can request headcount only for the departments you manage.")
    if not _is_hr(actor) and not scope_for(actor).covers_employee(hiring_manager):
        errors["hiring_manager"] = _("Choose yourself or someone in your team as the hiring manager.")
    if hiring_manager.status == "left":
        errors["hiring_manager"] = _("%(name)s has left the company.") % {"name": hiring_manager.name}
    if headcount is None or headcount < 1:
        errors["headcount"] = _("Ask for at least one person.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Explain why the headcount is needed.")
    if budget_min is None or budget_min < 0:
        errors["budget_min"] = _("The budget cannot be negative.")
    elif budget_max is None or budget_max < budget_min:
        errors["budget_max"] = _("The upper end of the budget must not be below the lower end.")
    if errors:
        raise ValidationError(errors)
    requisition = Requisition.objects.create(
        position=position,
        department=department,
        headcount=headcount,
        reason=reason,
        budget_min=budget_min,
        budget_max=budget_max,
        hiring_manager=hiring_manager,
        requested_by=actor,
    )
    url = reverse("recruiting:requisition_detail", args=[requisition.pk])
    who = actor.get_full_name() or actor.get_username()
    transaction.on_commit(
        lambda: notify(
            recipients=[u for u in _hr_users() if u.pk != actor.pk],
            key=f"requisition:{requisition.pk}:submitted",
            message=gettext_noop("%(who)s asks for %(n)s × %(position)s in %(department)s; please decide."),
            params={"who": who, "n": headcount, "position": position.title, "department": department.name},
            url=url,
        )
    )
    return requisition


@transaction.atomic
def requisition_decide(*, requisition: Requisition, actor, decision: str, note: str = "") -> Requisition:
    """HR approves or rejects a submitted requisition (a rejection needs a note); the requester
    is notified."""
    if not _is_hr(actor):
        raise ValidationError(_("Only HR decides on requisitions."), code="permission")
    if decision not in ("approve", "reject"):
        raise ValidationError(_("Unknown decision."), code="decision")
    note = (note or "").strip()
    if decision == "reject" and not note:
        raise ValidationError({"note": _("Say why the requisition is rejected.")})
    locked = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if locked.status != RequisitionStatus.SUBMITTED:
        raise ValidationError(
            _("This requisition was already decided (%(status)s).") % {"status": locked.get_status_display()},
            code="state",
        )
    locked.status = RequisitionStatus.APPROVED if decision == "approve" else RequisitionStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    status = locked.status
    message = (
        gettext_noop("Your requisition for %(position)s was approved.")
        if status == RequisitionStatus.APPROVED
        else gettext_noop("Your requisition for %(position)s was rejected: %(note)s")
    )
    url = reverse("recruiting:requisition_detail", args=[locked.pk])
    position = str(locked.position)
    requester = locked.requested_by
    transaction.on_commit(
        lambda: notify(
            recipients=[requester],
            key=f"requisition:{locked.pk}:{status}",
            message=message,
            params={"position": position, "note": note},
            url=url,
            level="success" if status == RequisitionStatus.APPROVED else "warning",
        )
    )
    requisition.status, requisition.decided_by, requisition.decided_at = status, actor, locked.decided_at
    requisition.decision_note = note
    return locked


@transaction.atomic
def requisition_cancel(*, requisition: Requisition, actor) -> Requisition:
    """The requester or HR withdraws a requisition that is waiting or approved and has no
    published posting."""
    if not (_is_hr(actor) or requisition.requested_by_id == actor.pk):
        raise ValidationError(_("Only HR or the person who asked may cancel a requisition."), code="permission")
    locked = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if locked.status not in (RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED):
        raise ValidationError(
            _("A requisition that is %(status)s cannot be cancelled.") % {"status": locked.get_status_display()},
            code="state",
        )
    if locked.postings.filter(status=PostingStatus.PUBLISHED).exists():
        raise ValidationError(_("Close the published job postings of this requisition first."), code="published")
    locked.status = RequisitionStatus.CANCELLED
    locked.save(update_fields=["status"])
    requisition.status = locked.status
    return locked


# --- postings -------------------------------------------------------------------------------


@transaction.atomic
def posting_save(*, posting: JobPosting, actor) -> JobPosting:
    """Create or edit a posting; only from an approved requisition."""
    if not _is_hr(actor):
        raise ValidationError(_("Only HR edits job postings."), code="permission")
    errors: dict[str, str] = {}
    requisition = Requisition.objects.get(pk=posting.requisition_id) if posting.requisition_id else None
    if requisition is None:
        errors["requisition"] = _("Choose the approved requisition this posting fills.")
    elif requisition.status != RequisitionStatus.APPROVED:
        errors["requisition"] = _("A job posting needs an approved requisition; this one is %(status)s.") % {
            "status": requisition.get_status_display()
        }
    posting.title = (posting.title or "").strip()
    posting.description = (posting.description or "").strip()
    if not posting.title:
        errors["title"] = _("Give the posting a title.")
    if not posting.description:
        errors["description"] = _("Describe the job.")
    if posting.closes_on and posting.status != PostingStatus.CLOSED:
        previous = JobPosting.objects.filter(pk=posting.pk).values_list("closes_on", flat=True).first()
        if posting.closes_on != previous and posting.closes_on < timezone.localdate():
            errors["closes_on"] = _("The closing date is in the past.")
    if errors:
        raise ValidationError(errors)
    if not posting.pk:
        posting.created_by = actor
    posting.full_clean(exclude=["created_by", "requisition"])
    posting.save()
    return posting


@transaction.atomic
def posting_publish(*, posting: JobPosting, actor, now: dt.datetime | None = None) -> JobPosting:
    """Put a draft (or a closed posting again) on the careers page."""
    if not _is_hr(actor):
        raise ValidationError(_("Only HR publishes job postings."), code="permission")
    now = now or timezone.now()
    locked = JobPosting.objects.select_for_update().select_related("requisition").get(pk=posting.pk)
    if locked.status == PostingStatus.PUBLISHED:
        raise ValidationError(_("The posting is already published."), code="state")
    if locked.requisition.status != RequisitionStatus.APPROVED:
        raise ValidationError(
            _("The requisition is %(status)s; only postings of approved requisitions can be published.")
            % {"status": locked.requisition.get_status_display()},
            code="requisition",
        )
    if locked.closes_on and locked.closes_on < timezone.localdate(now):
        raise ValidationError(_("The closing date has passed; set a later one before publishing."), code="closed")
    locked.status = PostingStatus.PUBLISHED
    locked.published_at = now
    locked.save(update_fields=["status", "published_at"])
    posting.status, posting.published_at = locked.status, locked.published_at
    return locked


@transaction.atomic
def posting_close(*, posting: JobPosting, actor) -> JobPosting:
    """Take a published posting off the careers page; its applications stay."""
    if not _is_hr(actor):
        raise ValidationError(_("Only HR closes job postings."), code="permission")
    locked = JobPosting.objects.select_for_update().get(pk=posting.pk)
    if locked.status != PostingStatus.PUBLISHED:
        raise ValidationError(_("Only a published posting can be closed."), code="state")
    locked.status = PostingStatus.CLOSED
    locked.save(update_fields=["status"])
    posting.status = locked.status
    return locked


# --- keywords and scoring -------------------------------------------------------------------


@dataclass(frozen=True)
class KeywordRow:
    term: str
    weight: int = 1
    must_have: bool = False


def _keyword_rows(rows: Iterable[KeywordRow | Mapping]) -> list[KeywordRow]:
    out: list[KeywordRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        if isinstance(row, Mapping):
            term, weight, must = row.get("term"), row.get("weight"), row.get("must_have", False)
        else:
            term, weight, must = row.term, row.weight, row.must_have
        term = " ".join(str(term or "").split())
        if not term:
            errors.append(_("Row %(n)s: the keyword is empty.") % {"n": n})
            continue
        if len(term) > TERM_MAX:
            errors.append(_("Row %(n)s: a keyword has at most %(max)s characters.") % {"n": n, "max": TERM_MAX})
            continue
        try:
            weight = int(weight)  # type: ignore[arg-type]  # anything not a number is refused below
        except (TypeError, ValueError):
            weight = 0
        if not 1 <= weight <= 10:
            errors.append(_("Row %(n)s: the weight must be a whole number from 1 to 10.") % {"n": n})
            continue
        key = normalise_term(term).casefold()
        if key in seen:
            errors.append(
                _("Row %(n)s: “%(term)s” repeats row %(first)s.") % {"n": n, "term": term, "first": seen[key]}
            )
            continue
        seen[key] = n
        out.append(KeywordRow(term, weight, bool(must)))
    if errors:
        raise ValidationError(errors, code="keywords")
    return out


def screener_for(posting: JobPosting) -> Screener:
    return Screener(Keyword(k.term, k.weight, k.must_have) for k in posting.keywords.all())


def applications_rescore(*, posting: JobPosting, screener: Screener | None = None) -> int:
    """Score every application of the posting again with one Screener (bulk update, in
    batches); returns the number of applications. Call inside a transaction."""
    screener = screener or screener_for(posting)
    batch: list[Application] = []
    total = 0
    rows = Application.objects.filter(posting=posting).only("pk", "resume_text").order_by("pk")
    for app in rows.iterator(chunk_size=RESCORE_BATCH):
        result = screener.score(app.resume_text)
        app.score = result.score
        app.matched_terms = result.matched
        app.missing_must_haves = result.missing_must_haves
        batch.append(app)
        if len(batch) >= RESCORE_BATCH:
            Application.objects.bulk_update(batch, ["score", "matched_terms", "missing_must_haves"])
            total += len(batch)
            batch = []
    if batch:
        Application.objects.bulk_update(batch, ["score", "matched_terms", "missing_must_haves"])
        total += len(batch)
    return total


@transaction.atomic
def keywords_replace(*, posting: JobPosting, rows: Iterable[KeywordRow | Mapping], actor=None) -> int:
    """Replace the posting's keywords (each 1–60 characters, weight 1–10, no repeats ignoring
    case) and rescore all its applications; returns how many were rescored."""
    if actor is not None and not _is_hr(actor):
        raise ValidationError(_("Only HR edits the keywords of a posting."), code="permission")
    clean = _keyword_rows(rows)
    locked = JobPosting.objects.select_for_update().get(pk=posting.pk)  # new applications wait
    PostingKeyword.objects.filter(posting=locked).delete()
    PostingKeyword.objects.bulk_create(
        [PostingKeyword(posting=locked, term=r.term, weight=r.weight, must_have=r.must_have) for r in clean]
    )
    screener = Screener(Keyword(r.term, r.weight, r.must_have) for r in clean)
    return applications_rescore(posting=locked, screener=screener)


# --- applications ---------------------------------------------------------------------------


def _accepting(posting: JobPosting, today: dt.date) -> bool:
    return posting.status == PostingStatus.PUBLISHED and (posting.closes_on is None or posting.closes_on >= today)


def application_submit(
    *,
    posting: JobPosting,
    name: str,
    email: str,
    phone: str = "",
    source: str = Source.CAREERS,
    cover_letter: str = "",
    resume,
    consent: bool,
    now: dt.datetime | None = None,
) -> Application:
    """A candidate applies: checked, the resume stored privately and scored, the application
    and its first stage change created, HR and the hiring manager notified on commit. All or
    nothing: if anything fails after the file was stored, the file is deleted again."""
    now = now or timezone.now()
    name, email, phone = (name or "").strip(), (email or "").strip().lower(), (phone or "").strip()
    cover_letter = (cover_letter or "").strip()
    if not _accepting(posting, timezone.localdate(now)):
        raise ValidationError(_(CLOSED_MESSAGE), code="closed")
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > 100:
        errors["name"] = _("The name is too long (at most 100 characters).")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address, for example name@example.com.")
    if len(phone) > 30:
        errors["phone"] = _("The phone number is too long (at most 30 characters).")
    if source not in Source.values:
        errors["source"] = _("Choose where you heard about the position.")
    if not consent:
        errors["consent"] = _("Please agree to the processing of your data so we can consider your application.")
    if resume is None:
        errors["resume"] = _("Attach your resume as a PDF or Word (DOCX) file.")
    else:
        try:
            checked = check_upload(resume, allowed=RESUME_TYPES, max_bytes=resume_max_bytes())
        except ValidationError as exc:
            errors["resume"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    if Application.objects.filter(posting=posting, candidate__email=email).exists():
        raise ValidationError(_("You have already applied for this position with this e-mail address."), code="dup")
    extracted = extract(resume, checked.extension)  # before any lock: parsing can take a moment
    stored = default_storage.save(private_path("resumes", checked.extension), resume)
    try:
        return _application_create(
            posting=posting,
            name=name,
            email=email,
            phone=phone,
            source=source,
            cover_letter=cover_letter,
            stored=stored,
            original_name=checked.original_name,
            sha256=checked.sha256,
            text=extracted.text,
            now=now,
        )
    except BaseException:
        default_storage.delete(stored)
        raise


@transaction.atomic
def _application_create(
    *,
    posting: JobPosting,
    name: str,
    email: str,
    phone: str,
    source: str,
    cover_letter: str,
    stored: str,
    original_name: str,
    sha256: str,
    text: str,
    now: dt.datetime,
) -> Application:
    # the lock orders this against posting_close and keywords_replace: no application slips
    # into a closed posting, none is scored with keywords being replaced
    locked = (
        JobPosting.objects.select_for_update(of=("self",))
        .select_related("requisition__hiring_manager")
        .get(pk=posting.pk)
    )
    if not _accepting(locked, timezone.localdate(now)):
        raise ValidationError(_(CLOSED_MESSAGE), code="closed")
    candidate, created = Candidate.objects.get_or_create(email=email, defaults={"name": name, "phone": phone})
    if not created and (candidate.name != name or (phone and candidate.phone != phone)):
        candidate.name = name
        candidate.phone = phone or candidate.phone
        candidate.save(update_fields=["name", "phone"])
    result = screener_for(locked).score(text)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                posting=locked,
                candidate=candidate,
                stage=Stage.APPLIED,
                source=source,
                cover_letter=cover_letter,
                resume=stored,
                resume_name=original_name,
                resume_sha256=sha256,
                resume_text=text,
                consent_at=now,
                score=result.score,
                matched_terms=result.matched,
                missing_must_haves=result.missing_must_haves,
            )
    except IntegrityError as exc:  # the same person, a moment ago, in another request
        raise ValidationError(
            _("You have already applied for this position with this e-mail address."), code="dup"
        ) from exc
    StageChange.objects.create(application=application, from_stage="", to_stage=Stage.APPLIED, actor=None)
    recipients = list(_hr_users())
    manager_user = locked.requisition.hiring_manager.user
    if manager_user is not None:
        recipients.append(manager_user)
    params = {"candidate": candidate.name, "posting": locked.title}
    url = reverse("recruiting:application_detail", args=[application.pk])
    transaction.on_commit(
        lambda: notify(
            recipients=recipients,
            key=f"application:{application.pk}:new",
            message=gettext_noop("New application from %(candidate)s for %(posting)s."),
            params=params,
            url=url,
        )
    )
    return application

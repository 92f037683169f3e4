"""The handover items: the leaver fills in and submits each item (with uploads), the successor
confirms it or sends it back with a comment. Every step is checked against
workflows.ITEM_TRANSITIONS under row locks (the case first, then the item, in every service, so
two confirmations of a case's last items cannot both miss that the checklist is complete) and
recorded as a CaseEvent with who, when and the comment."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hrsuite.notifications.models import Level
from hrsuite.notifications.services import notify
from hrsuite.uploads import check_upload, private_path

from . import items as item_fields
from .choices import CaseStatus, EventKind, ItemKind, ItemStatus
from .models import CustomerAccount, HandoverAttachment, HandoverItem, SeparationCase
from .services import CaseRefused, lock_case, record_event
from .workflows import item_can_move

HANDOVER_TYPES = frozenset({"pdf", "docx", "xlsx", "jpg", "png"})
MAX_ATTACHMENTS = 20
COMMENT_MAX = 2000


class ItemRefused(CaseRefused):
    pass


def _upload_limit() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def item_url(item: HandoverItem) -> str:
    return reverse("offboarding:item_detail", args=[item.pk])


# --- locking and checks ----------------------------------------------------------------------------


def _lock(item: HandoverItem) -> HandoverItem:
    """Lock the item's case, then the item (always in this order), and return the fresh item with
    its case, leaver and successor loaded."""
    case = lock_case(SeparationCase(pk=item.case_id))
    locked = (
        HandoverItem.objects.select_for_update(of=("self",))
        .select_related("successor__user", "customer")
        .get(pk=item.pk)
    )
    locked.case = case
    return locked


def _status_label(status: str) -> str:
    return str(dict(ItemStatus.choices).get(status, status))


def _case_in_handover(item: HandoverItem) -> None:
    if item.case.status != CaseStatus.HANDOVER:
        raise ItemRefused(
            _("The handover can be changed only while the case is in handover (the case is now “%(status)s”).")
            % {"status": item.case.get_status_display()},
            code="case_status",
        )


def _leaver_editing(item: HandoverItem, actor) -> None:
    leaver = item.case.employee
    if actor is None or leaver.user_id != actor.pk:
        raise ItemRefused(
            _("Only %(name)s, who is leaving, can fill in this handover item.") % {"name": leaver.name},
            code="not_leaver",
        )
    _case_in_handover(item)
    if item.status not in (ItemStatus.TODO, ItemStatus.RETURNED):
        raise ItemRefused(
            _("This item is “%(status)s”; it can be changed only while it is to be filled in or sent back.")
            % {"status": _status_label(item.status)},
            code="item_status",
        )


def _successor_reviewing(item: HandoverItem, actor, to: str) -> None:
    if actor is None or item.successor.user_id != actor.pk:
        raise ItemRefused(
            _("Only the successor (%(name)s) can review this handover item.") % {"name": item.successor.name},
            code="not_successor",
        )
    _case_in_handover(item)
    if not item_can_move(item.status, to):
        raise ItemRefused(
            _("Only a submitted item can be confirmed or sent back; this one is “%(status)s”.")
            % {"status": _status_label(item.status)},
            code="item_status",
        )


def _notify_on_commit(user, *, key: str, message: str, params: dict, url: str, level: str = Level.INFO) -> None:
    if user is None:
        return
    transaction.on_commit(
        lambda: notify(recipients=[user], key=key, message=message, params=params, url=url, level=level, email=True)
    )


# --- the leaver ------------------------------------------------------------------------------------


def _link_customer(item: HandoverItem) -> None:
    """A customer item names a customer: link the leaver's CustomerAccount of that name (or
    create it, owned by the leaver) and keep its basic information in step, so that access
    revocation can hand the account to the successor."""
    data = item.data
    name = (data.get("customer_name") or "").strip()
    if item.kind != ItemKind.CUSTOMER or not name:
        return
    leaver_id = item.case.employee_id
    account = item.customer
    if account is None or account.name.casefold() != name.casefold():
        account = (
            CustomerAccount.objects.select_for_update()
            .filter(owner_id=leaver_id, name__iexact=name)
            .order_by("pk")
            .first()
        )
    if account is None:
        account = CustomerAccount(owner_id=leaver_id)
    account.name = name[:200]
    account.contact = (data.get("contact") or "")[:200]
    account.company_size = (data.get("company_size") or "")[:50]
    account.industry = (data.get("industry") or "")[:100]
    if account.owner_id is None:
        account.owner_id = leaver_id
    account.save()
    item.customer = account


def _save_data(item: HandoverItem, data: dict, actor) -> None:
    cleaned, errors = item_fields.clean_item_data(item.kind, data)
    if errors:
        raise ItemRefused(errors, code="invalid")
    item.data = cleaned
    _link_customer(item)
    item.save(update_fields=["data", "customer"])
    record_event(case=item.case, kind=EventKind.ITEM_SAVED, actor=actor, item=item)


@transaction.atomic
def item_save(*, item: HandoverItem, data: dict, actor) -> HandoverItem:
    """The leaver saves a draft of the item's fields (required ones may still be empty). Values
    that are not valid (a date that is not a date, a negative amount) are refused, field by field,
    and nothing is saved."""
    locked = _lock(item)
    _leaver_editing(locked, actor)
    _save_data(locked, data, actor)
    return locked


@transaction.atomic
def item_submit(*, item: HandoverItem, actor, data: dict | None = None) -> HandoverItem:
    """The leaver submits the item to the successor: every required field filled in and, where
    the item requires an upload, at least one file attached. With `data`, the fields are saved
    first (in the same transaction: a refused submission saves nothing). The successor is
    notified."""
    locked = _lock(item)
    _leaver_editing(locked, actor)
    if data is not None:
        _save_data(locked, data, actor)
    _cleaned, errors = item_fields.clean_item_data(locked.kind, locked.data, complete=True)
    if locked.attachment_required and not locked.attachments.exists():
        errors["attachments"] = _(
            "This item needs at least one uploaded file (for example the contract scan or the communication "
            "records) before it can be submitted. Upload it under Attachments."
        )
    if errors:
        raise ItemRefused(errors, code="incomplete")
    locked.status = ItemStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at"])
    event = record_event(case=locked.case, kind=EventKind.ITEM_SUBMITTED, actor=actor, item=locked)
    _notify_on_commit(
        locked.successor.user,
        key=f"handover:submitted:{event.pk}",
        message=gettext_noop("%(name)s submitted the handover item “%(title)s” for your review."),
        params={"name": locked.case.employee.name, "title": locked.title},
        url=item_url(locked),
    )
    item.status, item.submitted_at, item.data = locked.status, locked.submitted_at, locked.data
    return locked


@transaction.atomic
def attachment_add(*, item: HandoverItem, upload, actor) -> HandoverAttachment:
    """The leaver attaches a file (PDF, Word, Excel, JPG or PNG, checked by content, within the
    size limit) while the item can be changed. It is stored privately under a random name; a
    refused upload leaves no row and no file."""
    locked = _lock(item)
    _leaver_editing(locked, actor)
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ItemRefused(
            {"file": _("An item takes at most %(max)s files; remove one first.") % {"max": MAX_ATTACHMENTS}},
            code="too_many",
        )
    try:
        checked = check_upload(upload, allowed=HANDOVER_TYPES, max_bytes=_upload_limit())
    except ValidationError as exc:
        raise ItemRefused({"file": exc.messages}, code="upload") from exc
    path = default_storage.save(private_path("handover", checked.extension), upload)
    try:
        with transaction.atomic():
            attachment = HandoverAttachment.objects.create(
                item=locked,
                file=path,
                name=checked.original_name,
                sha256=checked.sha256,
                size=checked.size,
                uploaded_by=actor,
            )
            record_event(case=locked.case, kind=EventKind.ATTACHMENT, actor=actor, item=locked, comment=attachment.name)
    except Exception:
        default_storage.delete(path)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: HandoverAttachment, actor) -> None:
    """The leaver removes a file while the item can be changed (the file goes on commit)."""
    locked = _lock(attachment.item)
    _leaver_editing(locked, actor)
    row = HandoverAttachment.objects.filter(pk=attachment.pk, item=locked).first()
    if row is None:
        return
    path, name = row.file.name or "", row.name
    row.delete()
    record_event(
        case=locked.case,
        kind=EventKind.ATTACHMENT,
        actor=actor,
        item=locked,
        comment=_("Removed: %(name)s") % {"name": name},
    )
    if path:
        transaction.on_commit(lambda: default_storage.delete(path))


# --- the successor ---------------------------------------------------------------------------------


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ItemRefused(
            {"comment": _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}}, code="comment"
        )
    return comment


@transaction.atomic
def item_confirm(*, item: HandoverItem, actor, comment: str = "") -> HandoverItem:
    """The item's successor confirms a submitted item. When every item of the case is confirmed,
    the case moves on (offboarding.services_cases.items_all_confirmed)."""
    comment = _clean_comment(comment)
    locked = _lock(item)
    _successor_reviewing(locked, actor, ItemStatus.CONFIRMED)
    locked.status = ItemStatus.CONFIRMED
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    record_event(case=locked.case, kind=EventKind.ITEM_CONFIRMED, actor=actor, item=locked, comment=comment)
    _notify_on_commit(
        locked.case.employee.user,
        key=f"handover:confirmed:{locked.pk}",
        message=gettext_noop("%(name)s confirmed your handover item “%(title)s”."),
        params={"name": locked.successor.name, "title": locked.title},
        url=item_url(locked),
        level=Level.SUCCESS,
    )
    item.status, item.confirmed_by, item.confirmed_at = locked.status, actor, locked.confirmed_at
    open_items = HandoverItem.objects.filter(case_id=locked.case_id).exclude(status=ItemStatus.CONFIRMED)
    if not open_items.exists():
        _items_all_confirmed(locked.case, actor)
    return locked


def _items_all_confirmed(case: SeparationCase, actor) -> None:
    """Hand the complete checklist on (offboarding.services_cases, written by the cases helper;
    tolerated absent while the items are tested alone)."""
    try:
        from .services_cases import items_all_confirmed
    except ImportError:
        return
    items_all_confirmed(case=case, actor=actor)


@transaction.atomic
def item_send_back(*, item: HandoverItem, actor, comment: str) -> HandoverItem:
    """The item's successor sends a submitted item back to the leaver, saying what is missing."""
    comment = _clean_comment(comment)
    if not comment:
        raise ItemRefused(
            {"comment": _("Say what is missing or wrong, so the leaver knows what to fix.")}, code="comment"
        )
    locked = _lock(item)
    _successor_reviewing(locked, actor, ItemStatus.RETURNED)
    locked.status = ItemStatus.RETURNED
    locked.save(update_fields=["status"])
    event = record_event(case=locked.case, kind=EventKind.ITEM_RETURNED, actor=actor, item=locked, comment=comment)
    _notify_on_commit(
        locked.case.employee.user,
        key=f"handover:returned:{event.pk}",
        message=gettext_noop("%(name)s sent the handover item “%(title)s” back: %(comment)s"),
        params={"name": locked.successor.name, "title": locked.title, "comment": comment[:300]},
        url=item_url(locked),
        level=Level.WARNING,
    )
    item.status = locked.status
    return locked

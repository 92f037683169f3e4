"""The handover item page (/offboarding/items/<pk>/): the leaver fills it in, uploads files and
submits it; the successor confirms it or sends it back with a comment; HR and the leaver's
department head read it. Who sees an item at all is decided by selectors.items_visible_to
(everyone else: 404); what each person may do is decided by the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.core.refusals import add_service_errors, flash_refusal
from hrsuite.permissions import require_login
from hrsuite.uploads import KNOWN_TYPES

from .. import items as item_fields
from .. import services_items as services
from ..choices import CaseStatus, EventKind, ItemStatus
from ..forms_items import AttachmentForm, ItemDataForm, ReviewForm
from ..models import CaseEvent, HandoverAttachment, HandoverItem
from ..selectors import items_visible_to, may_read_item_content

REMIND_WITHIN_DAYS = 3


def _item_or_404(request, pk: int) -> HandoverItem:
    item = (
        items_visible_to(request.user)
        .select_related(
            "case__employee__user", "case__employee__department", "successor__user", "confirmed_by__employee"
        )
        .prefetch_related(
            Prefetch("attachments", queryset=HandoverAttachment.objects.select_related("uploaded_by")),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor__employee").order_by("at", "pk")),
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def due_info(item: HandoverItem, today=None) -> dict:
    """How the due date reads: overdue, due today, due within a few days, or just the date."""
    today = today or timezone.localdate()
    days_left = (item.due_on - today).days
    open_ = item.status != ItemStatus.CONFIRMED
    return {
        "days_left": days_left,
        "overdue": open_ and days_left < 0,
        "days_overdue": -days_left,
        "due_today": open_ and days_left == 0,
        "due_soon": open_ and 0 < days_left <= REMIND_WITHIN_DAYS,
    }


def _roles(item: HandoverItem, user) -> dict:
    in_handover = item.case.status == CaseStatus.HANDOVER
    is_leaver = item.case.employee.user_id == user.pk
    is_successor = item.successor.user_id == user.pk
    return {
        "is_leaver": is_leaver,
        "is_successor": is_successor,
        "editable": is_leaver and in_handover and item.status in (ItemStatus.TODO, ItemStatus.RETURNED),
        "reviewable": is_successor and in_handover and item.status == ItemStatus.SUBMITTED,
        # the successor reads the leaver's answers once they were submitted, not a first draft
        "show_data": not (is_successor and not is_leaver and item.status == ItemStatus.TODO),
    }


def person_name(user) -> str:
    """The employee name of a login (its user name if it has no employee record)."""
    if user is None:
        return _("System")
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else (user.get_full_name() or user.username)


def _render(request, item: HandoverItem, *, form=None, upload_form=None, review_form=None, status: int = 200):
    roles = _roles(item, request.user)
    events = list(item.events.all())
    for event in events:
        event.actor_name = person_name(event.actor)  # type: ignore[attr-defined]
    returned = [e for e in events if e.kind == EventKind.ITEM_RETURNED]
    if form is None and roles["editable"]:
        form = ItemDataForm(item.kind, initial=item.data)
    context = {
        "item": item,
        "case": item.case,
        "leaver": item.case.employee,
        "rows": item_fields.display_rows(item.kind, item.data),
        "filled": bool(item.data),
        "attachments": list(item.attachments.all()),
        "events": events,
        "last_return": returned[-1] if returned and item.status == ItemStatus.RETURNED else None,
        "form": form,
        "upload_form": upload_form or AttachmentForm(),
        "review_form": review_form or ReviewForm(),
        "due": due_info(item),
        "confirmed_by_name": person_name(item.confirmed_by) if item.confirmed_by_id else "",
        "page_title": item.title,
        **roles,
    }
    return render(request, "offboarding/items/detail.html", context, status=status)


@never_cache
@require_login
def item_detail(request, pk: int):
    """GET: the item. POST (the leaver): action=save keeps a draft, action=submit sends it to the
    successor."""
    item = _item_or_404(request, pk)
    if request.method != "POST":
        return _render(request, item)
    form = ItemDataForm(item.kind, request.POST)
    if form.is_valid():
        try:
            if request.POST.get("action") == "submit":
                services.item_submit(item=item, actor=request.user, data=form.item_data())
                messages.success(
                    request, _("The item was submitted to %(name)s for review.") % {"name": item.successor.name}
                )
            else:
                services.item_save(item=item, data=form.item_data(), actor=request.user)
                messages.success(request, _("Draft saved."))
        except ValidationError as exc:
            if not _roles(item, request.user)["editable"]:
                flash_refusal(request, exc, form)
                return redirect("offboarding:item_detail", pk=item.pk)
            add_service_errors(form, exc)
        else:
            return redirect("offboarding:item_detail", pk=item.pk)
    return _render(request, _item_or_404(request, pk), form=form, status=400)


@never_cache
@require_login
@require_POST
def item_upload(request, pk: int):
    item = _item_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(item=item, upload=form.cleaned_data.get("file"), actor=request.user)
        except ValidationError as exc:
            flash_refusal(request, exc, form)
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": attachment.name})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(f"{item_url(item)}#attachments")


def item_url(item: HandoverItem) -> str:
    return services.item_url(item)


def _attachment_or_404(request, pk: int) -> HandoverAttachment:
    attachment = (
        HandoverAttachment.objects.select_related("item__case__employee")
        .filter(pk=pk, item__in=items_visible_to(request.user).values("pk"))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


@never_cache
@require_login
@require_POST
def attachment_delete(request, pk: int):
    attachment = _attachment_or_404(request, pk)
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": attachment.name})
    return redirect(f"{item_url(attachment.item)}#attachments")


@never_cache
@require_login
def attachment_download(request, pk: int):
    """The only way to a handover file: whoever may see the item; audited."""
    attachment = _attachment_or_404(request, pk)
    if not may_read_item_content(request.user, attachment.item):
        raise Http404
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        obj=attachment,
        details={"what": "handover attachment", "item": attachment.item_id, "case": attachment.item.case_id},
    )
    ext = (attachment.file.name or "").rsplit(".", 1)[-1].lower()
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=KNOWN_TYPES.get(ext, "application/octet-stream"),
        as_attachment=True,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_login
@require_POST
def item_review(request, pk: int):
    """The successor: action=confirm or action=send_back (with a comment)."""
    item = _item_or_404(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data.get("comment") or ""
        try:
            if request.POST.get("action") == "send_back":
                services.item_send_back(item=item, actor=request.user, comment=comment)
                messages.success(request, _("The item was sent back to %(name)s.") % {"name": item.case.employee.name})
            else:
                services.item_confirm(item=item, actor=request.user, comment=comment)
                messages.success(request, _("The item was confirmed."))
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
                add_service_errors(form, exc)
            else:
                flash_refusal(request, exc, form)
                return redirect("offboarding:item_detail", pk=item.pk)
        else:
            return redirect("offboarding:item_detail", pk=item.pk)
    return _render(request, item, review_form=form, status=400)

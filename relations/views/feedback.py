"""The feedback box for HR and department heads (/relations/feedback/): the list (HR every thread,
hidden ones too; a head the threads addressed to the departments they head, and a tab of the
public ones), the thread with its replies, and the actions: a public reply and closing (HR and
the addressed head), hiding with a reason and showing again (HR).

Reads go through relations.selectors (a thread out of reach is a 404); every write is one call of
relations.services_feedback, which decides who may do what. Replies are signed with the role
("HR", "department head"); HR also sees which colleague wrote them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from employees.models import Department
from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr

from .. import selectors, services_feedback
from ..choices import ThreadStatus
from ..forms_feedback import HideForm, InboxFilter, ReplyForm
from ..models import FeedbackThread

VIEW = "hrsuite.view_team_relations"
MANAGE = "hrsuite.manage_relations"
MINE, PUBLIC = "mine", "public"


@require_GET
@require_perm(VIEW)
def listing(request):
    user = request.user
    hr = is_hr(user)
    tab = ""
    counts = selectors.inbox_counts(user)
    if hr:
        base, departments = selectors.threads_visible_to(user), Department.objects.order_by("path")
    else:
        tab = PUBLIC if request.GET.get("tab") == PUBLIC else MINE
        if tab == MINE:
            base, departments = selectors.threads_addressed_to(user), selectors.departments_headed_by(user)
        else:
            base, departments = selectors.public_board(user), []
    base = selectors.with_reply_counts(base)
    f = InboxFilter(request.GET, queryset=base.order_by("-posted_on", "id"), departments=departments, hr=hr)
    page = Paginator(f.qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "relations/feedback_list.html",
        {
            "filter": f,
            "page_obj": page,
            "is_hr": hr,
            "tab": tab,
            "counts": counts,
            "page_title": _("Feedback box"),
        },
    )


def _visible(request, pk) -> FeedbackThread:
    return get_object_or_404(selectors.threads_visible_to(request.user), pk=pk)


def _back(item: FeedbackThread):
    return redirect("relations:feedback_thread", pk=item.pk)


def _detail(request, item: FeedbackThread, *, reply_form: ReplyForm | None = None, hide_form: HideForm | None = None):
    user = request.user
    hr = is_hr(user)
    may_reply = services_feedback.can_reply(user, item)
    replies = item.replies.order_by("seq")
    if hr:
        replies = replies.select_related("author")
    is_closed = item.status == ThreadStatus.CLOSED
    return render(
        request,
        "relations/feedback_thread.html",
        {
            "thread": item,
            "replies": list(replies),
            "is_hr": hr,
            "is_closed": is_closed,
            "can_reply": may_reply and not is_closed,
            "can_close": may_reply and not is_closed,
            "reply_form": reply_form or ReplyForm(),
            "hide_form": hide_form or HideForm(),
            "page_title": item.subject,
        },
    )


@require_GET
@require_perm(VIEW)
def thread(request, pk):
    return _detail(request, _visible(request, pk))


def _form_action(request, item, form_class, form_key: str, action, success: str):
    """Bind `form_class` to the POST, call `action(cleaned_data)` (a service): a refusal about the
    text goes under the field with the draft kept, any other is flashed; success redirects."""
    form = form_class(request.POST)
    if not form.is_valid():
        return _detail(request, item, **{form_key: form})
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_service_errors(form, exc)
            return _detail(request, item, **{form_key: form})
        flash_refusal(request, exc, form)
        return _back(item)
    messages.success(request, success)
    return _back(item)


@require_POST
@require_perm(VIEW)
def reply(request, pk):
    item = _visible(request, pk)
    return _form_action(
        request,
        item,
        ReplyForm,
        "reply_form",
        lambda data: services_feedback.feedback_reply(thread=item, body=data["body"], actor=request.user),
        _("Your reply was published on the thread."),
    )


@require_POST
@require_perm(VIEW)
def close(request, pk):
    item = _visible(request, pk)
    perform(
        request,
        lambda: services_feedback.feedback_close(thread=item, actor=request.user),
        success=_("The thread is closed; it takes no more replies."),
    )
    return _back(item)


@require_POST
@require_perm(MANAGE)
def hide(request, pk):
    item = _visible(request, pk)
    return _form_action(
        request,
        item,
        HideForm,
        "hide_form",
        lambda data: services_feedback.feedback_hide(thread=item, reason=data["reason"], actor=request.user),
        _("The thread is hidden from the board. Its poster can still read it."),
    )


@require_POST
@require_perm(MANAGE)
def unhide(request, pk):
    item = _visible(request, pk)
    perform(
        request,
        lambda: services_feedback.feedback_unhide(thread=item, actor=request.user),
        success=_("The thread is shown again."),
    )
    return _back(item)

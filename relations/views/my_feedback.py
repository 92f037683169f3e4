"""The feedback box in self-service (namespace "myfeedback", /me/feedback/): the public board, a
reader's thread page, posting, and following one's own thread with the one-time code.

Posting and following are anonymous (settings.HRSUITE_ANONYMOUS_PATHS): these views never
pass `request.user` to anything, write nothing to the session, flash no message and keep the
follow-up code out of URLs (the code is shown on the rendered answer to the POST and travels back
only as a POST field). The pages are never cached, and error reports leave out what was posted.
The readers' pages do not link the poster to their own thread from the posting page: a visit to
a thread right after posting would sit in the ordinary access log next to the poster's address."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from hrsuite.core.refusals import add_service_errors
from hrsuite.permissions import require_perm

from .. import selectors, services_feedback
from ..forms_feedback import BoardFilter, FeedbackPostForm, FollowForm, PosterReplyForm
from ..models import BODY_MAX, SUBJECT_MAX, FeedbackThread

PERM = "hrsuite.self_service"
INBOX = "hrsuite.view_team_relations"


@require_GET
@require_perm(PERM)
def home(request):
    f = BoardFilter(
        request.GET,
        queryset=selectors.with_reply_counts(selectors.public_board(request.user)).order_by("-posted_on", "id"),
    )
    page = Paginator(f.qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "relations/my_feedback.html",
        {
            "filter": f,
            "page_obj": page,
            "follow_form": FollowForm(),
            "can_inbox": request.user.has_perm(INBOX),
            "page_title": _("Feedback box"),
        },
    )


@require_GET
@require_perm(PERM)
def thread(request, pk):
    item = get_object_or_404(selectors.public_board(request.user), pk=pk)
    return render(
        request,
        "relations/my_feedback_thread.html",
        {
            "thread": item,
            "replies": list(item.replies.order_by("seq")),
            "can_inbox": request.user.has_perm(INBOX) and services_feedback.can_reply(request.user, item),
            "page_title": item.subject,
        },
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
@sensitive_variables()
def new(request):
    form = FeedbackPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            posted, secret = services_feedback.feedback_post(
                category=d["category"],
                subject=d["subject"],
                body=d["body"],
                department=d["department"],
                is_public=d["is_public"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # rendered, not redirected: the code never travels in a URL, a session or a cookie
            return render(
                request,
                "relations/my_feedback_posted.html",
                {"thread": posted, "secret": secret, "page_title": _("Your feedback was posted")},
            )
    return render(
        request,
        "relations/my_feedback_new.html",
        {"form": form, "subject_max": SUBJECT_MAX, "body_max": BODY_MAX, "page_title": _("Post anonymous feedback")},
    )


def _follow_page(request, form: FollowForm, status: int = 200):
    return render(
        request, "relations/my_feedback_follow.html", {"form": form, "page_title": _("Follow my thread")}, status=status
    )


def _own_thread_page(request, item: FeedbackThread, reply_form: PosterReplyForm, replied: bool = False):
    return render(
        request,
        "relations/my_feedback_own.html",
        {
            "thread": item,
            "replies": list(item.replies.order_by("seq")),
            "reply_form": reply_form,
            "may_reply": services_feedback.poster_may_reply(item),
            "replied": replied,
            "page_title": item.subject,
        },
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
@sensitive_variables()
def follow(request):
    """GET: the code form. POST `secret`: the thread. POST `secret` + `body`: the poster's reply."""
    if request.method != "POST":
        return _follow_page(request, FollowForm())
    if "body" in request.POST:
        return _poster_reply(request)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _follow_page(request, form)
    secret = form.cleaned_data["secret"]
    try:
        item = services_feedback.thread_for_secret(secret)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _follow_page(request, form)
    return _own_thread_page(request, item, PosterReplyForm(initial={"secret": secret}))


@sensitive_variables()
def _poster_reply(request):
    reply_form = PosterReplyForm(request.POST)
    secret = request.POST.get("secret", "")
    try:
        item = services_feedback.thread_for_secret(secret)
    except ValidationError as exc:
        form = FollowForm({"secret": secret})
        if form.is_valid():
            add_service_errors(form, exc)
        return _follow_page(request, form)
    if reply_form.is_valid():
        try:
            services_feedback.feedback_poster_reply(secret=secret, body=reply_form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(reply_form, exc)
        else:
            item = services_feedback.thread_for_secret(secret)
            return _own_thread_page(request, item, PosterReplyForm(initial={"secret": secret}), replied=True)
    return _own_thread_page(request, item, reply_form)

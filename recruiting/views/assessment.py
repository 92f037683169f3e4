"""The candidate's online assessment, reached by the private link in the invitation e-mail
(/careers/assessment/<token>/), without signing in.

The pages show only what the candidate needs: the exam's title, number of questions and time
limit, the paper (the exam engine's own taking page, timer and autosave, through a `Taker` that
finds the attempt by the link's token) and a confirmation. No HR names, no score. An unknown
token is a 404; an expired, used or closed link a 410 page that says so."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exams import services as exam_services
from exams.models import AttemptStatus
from exams.views.take import Taker, answers_from, exam_autosave, exam_take

from ..models import AssessmentInvite
from ..services_assessments import InviteClosed, invite_for_token, invite_problem, invite_start, invite_submit

BASE = "recruiting/assessment/base.html"
URL_NAMES = {"take": "take", "autosave": "autosave", "submit": "submit", "result": "done"}


def private_page(view):
    """No caching, no referrer to other sites (the token is in the URL), no indexing. ("no-referrer"
    would make browsers send Origin: null, which CSRF protection refuses.)"""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _refusal(request, message: str, *, status: int, title: str | None = None) -> HttpResponse:
    return render(
        request,
        "recruiting/assessment/closed.html",
        {"message": message, "page_title": title or _("Online assessment")},
        status=status,
    )


def _unknown(request) -> HttpResponse:
    return _refusal(
        request,
        _("This assessment link is not valid. Check that you opened the whole link from the e-mail."),
        status=404,
        title=_("Link not found"),
    )


def _closed(request, problem: InviteClosed) -> HttpResponse:
    return _refusal(request, problem.messages[0], status=410, title=_("Link no longer available"))


def _taker(token: str, invite: AssessmentInvite) -> Taker:
    def find(request, key):
        return invite.attempt

    return Taker(
        find=find,
        url=lambda name, attempt: reverse(f"assessment:{URL_NAMES[name]}", args=[token]),
        base_template=BASE,
        back_url=None,
    )


def _open_invite(request, token: str):
    """(invite, None) when the link may be used now, else (None, the refusal page)."""
    invite = invite_for_token(token)
    if invite is None:
        return None, _unknown(request)
    problem = invite_problem(invite, timezone.now())
    if problem is not None:
        return None, _closed(request, problem)
    return invite, None


@private_page
@require_http_methods(["GET", "POST"])
def intro(request, token: str):
    invite, refusal = _open_invite(request, token)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            invite_start(invite=invite, now=timezone.now())
        except (InviteClosed, exam_services.AttemptRefused) as exc:
            return _refusal(request, exc.messages[0], status=410)
        return redirect("assessment:take", token=token)
    exam = invite.exam
    in_progress = invite.attempt_id is not None and invite.attempt.status == AttemptStatus.IN_PROGRESS
    return render(
        request,
        "recruiting/assessment/intro.html",
        {
            "invite": invite,
            "exam": exam,
            "candidate_name": invite.application.candidate.name,
            "posting_title": invite.application.posting.title,
            "in_progress": in_progress,
            "token": token,
            "page_title": exam.title,
        },
    )


@private_page
@require_GET
def take(request, token: str):
    invite, refusal = _open_invite(request, token)
    if refusal is not None:
        return refusal
    if invite.attempt_id is None:
        return redirect("assessment:intro", token=token)
    return exam_take(request, token, taker=_taker(token, invite))


@private_page
@require_POST
def autosave(request, token: str):
    invite = invite_for_token(token)
    if invite is None or invite.attempt_id is None:
        return _unknown(request)
    if invite.used_at is not None:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("assessment:done", args=[token])
        return response
    problem = invite_problem(invite, timezone.now())
    if problem is not None:
        return render(request, "exams/take/_autosave.html", {"error": problem.messages[0]}, status=410)
    return exam_autosave(request, token, taker=_taker(token, invite))


@private_page
@require_POST
def submit(request, token: str):
    invite = invite_for_token(token)
    if invite is None or invite.attempt_id is None:
        return _unknown(request)
    if invite.used_at is not None:
        return redirect("assessment:done", token=token)
    problem = invite_problem(invite, timezone.now())
    if problem is not None:
        return _closed(request, problem)
    invite_submit(invite=invite, answers=answers_from(request, invite.attempt), now=timezone.now())
    return redirect("assessment:done", token=token)


@private_page
@require_GET
def done(request, token: str):
    invite = invite_for_token(token)
    if invite is None:
        return _unknown(request)
    if invite.used_at is None:
        if invite.attempt_id is not None:
            # time ran out while the page was open: the engine grades what was saved
            from ..services_assessments import results_sync_one

            results_sync_one(invite=invite, now=timezone.now())
        if invite.used_at is None:
            problem = invite_problem(invite, timezone.now())
            if problem is not None:
                return _closed(request, problem)
            return redirect("assessment:take" if invite.attempt_id else "assessment:intro", token=token)
    return render(
        request,
        "recruiting/assessment/done.html",
        {
            "exam": invite.exam,
            "candidate_name": invite.application.candidate.name,
            "posting_title": invite.application.posting.title,
            "page_title": _("Assessment submitted"),
        },
    )

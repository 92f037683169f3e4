"""The application page and the pipeline board.

Both read through recruiting.selectors (an application or posting outside the user's scope is a
404). HR (hrsuite.manage_recruiting) moves, rejects and annotates; the requisition's managers
(hrsuite.view_recruiting) follow read-only. Every write is one service call of
recruiting.services_pipeline (or services_assessments / services_interviews)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exams.models import AttemptStatus
from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record, audit_view
from hrsuite.core.refusals import flash_refusal as flash
from hrsuite.permissions import require_perm
from hrsuite.scoping import scope_for

from .. import selectors, services_assessments
from ..choices import InterviewStatus, Stage
from ..forms_pipeline import BoardMoveForm, InterviewForm, MoveForm, NoteForm, RejectForm, move_choices
from ..models import Application, Interview, Scorecard
from ..scorecards import CRITERIA, Aggregate, aggregate
from ..scoring import Keyword, Screener, highlight
from ..services_pipeline import application_move, application_note_add, application_reject
from ..workflows import OPEN_STAGES

VIEW = "hrsuite.view_recruiting"
MANAGE = "hrsuite.manage_recruiting"
OFFER_PARTIAL = "recruiting/offers/partials/application_offer.html"


def visible_application(request, pk: int) -> Application:
    return get_object_or_404(
        selectors.applications_visible_to(request.user).select_related(
            "posting__assessment", "posting__requisition__hiring_manager"
        ),
        pk=pk,
    )


def offer_template() -> str | None:
    """The offers' box on the application page, once that template exists."""
    try:
        select_template([OFFER_PARTIAL])
    except TemplateDoesNotExist:
        return None
    return OFFER_PARTIAL


# --- the application page --------------------------------------------------------------------


@dataclass
class InterviewView:
    interview: Interview
    interviewers: list
    cards: list[Scorecard]  # those the viewer may read
    hidden: bool  # the viewer sits on it and has not submitted: the others' cards stay hidden
    pending: list  # interviewers who have not submitted
    summary: Aggregate | None = None


@dataclass
class Detail:
    interviews: list[InterviewView] = field(default_factory=list)
    cards: list[Scorecard] = field(default_factory=list)


def _interviews(application: Application, viewer_employee_id: int | None) -> Detail:
    interviews = application.interviews.select_related("scheduled_by").prefetch_related(
        "interviewers", Prefetch("scorecards", queryset=Scorecard.objects.select_related("interviewer"))
    )
    detail = Detail()
    for interview in interviews:
        interviewers = list(interview.interviewers.all())
        cards = list(interview.scorecards.all())
        submitted = {c.interviewer_id for c in cards}
        sits = viewer_employee_id in {e.pk for e in interviewers}
        hidden = sits and viewer_employee_id not in submitted
        shown = [] if hidden else cards
        detail.interviews.append(
            InterviewView(
                interview=interview,
                interviewers=interviewers,
                cards=shown,
                hidden=hidden,
                pending=[e for e in interviewers if e.pk not in submitted]
                if interview.status != InterviewStatus.CANCELLED
                else [],
                summary=aggregate(shown) if shown else None,
            )
        )
        detail.cards += shown
    return detail


def _sync_assessment(application: Application):
    """The latest invitation; a graded attempt not yet recorded (time ran out with the page
    closed) is recorded first, so HR sees the score."""
    invite = services_assessments.latest_invite(application)
    if invite is not None and invite.used_at is None and invite.attempt_id is not None:
        now = timezone.now()
        if invite.attempt.status != AttemptStatus.IN_PROGRESS or services_assessments.exam_services.is_overdue(
            invite.attempt, now
        ):
            services_assessments.results_sync_one(invite=invite, now=now)
            application.refresh_from_db(fields=["assessment_score"])
            invite = services_assessments.latest_invite(application)
    return invite


@require_GET
@require_perm(VIEW)
def application_detail(request, pk: int):
    application = visible_application(request, pk)
    posting = application.posting
    can_manage = request.user.has_perm(MANAGE)
    keywords = list(posting.keywords.all())
    screener = Screener(Keyword(k.term, k.weight, k.must_have) for k in keywords)
    result = screener.score(application.resume_text, with_positions=True)
    invite = _sync_assessment(application)
    detail = _interviews(application, scope_for(request.user).employee_id)
    audit_view(request, application, what="application")
    context: dict[str, Any] = {
        "application": application,
        "candidate": application.candidate,
        "posting": posting,
        "keywords": keywords,
        "resume_html": highlight(application.resume_text, result.matches),
        "live_matched": result.matched,
        "invite": invite,
        "now": timezone.now(),
        "timeline": application.stage_changes.select_related("actor").order_by("-at", "-pk"),
        "interviews": detail.interviews,
        "summary": aggregate(detail.cards) if detail.cards else None,
        "criteria": CRITERIA,
        "can_manage": can_manage,
        "is_open": application.stage in OPEN_STAGES,
        "offer_template": offer_template(),
        "page_title": application.candidate.name,
    }
    if can_manage:
        context.update(
            moves=move_choices(application.stage, include_rejected=False),
            move_form=MoveForm(),
            can_reject=Stage.REJECTED in dict(move_choices(application.stage, include_rejected=True)),
            reject_form=RejectForm(),
            note_form=NoteForm(),
            interview_form=InterviewForm() if application.stage == Stage.INTERVIEW else None,
            can_invite=application.stage == Stage.ASSESSMENT and posting.assessment_id is not None,
        )
    return render(request, "recruiting/pipeline/application_detail.html", context)


def _back(application: Application, anchor: str = ""):
    return redirect(reverse("recruiting:application_detail", args=[application.pk]) + anchor)


@require_POST
@require_perm(MANAGE)
def application_move_view(request, pk: int):
    application = visible_application(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
        return _back(application)
    try:
        moved = application_move(
            application=application, to=form.cleaned_data["to"], actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            _("%(name)s moved to “%(stage)s”.") % {"name": moved.candidate.name, "stage": moved.get_stage_display()},
        )
    return _back(application)


@require_POST
@require_perm(MANAGE)
def application_reject_view(request, pk: int):
    application = visible_application(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
        return _back(application, "#actions")
    try:
        application_reject(
            application=application,
            reason=form.cleaned_data["reason"],
            notify_candidate=form.cleaned_data["notify_candidate"],
            actor=request.user,
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        if form.cleaned_data["notify_candidate"]:
            messages.success(request, _("The application was rejected and the candidate will be e-mailed."))
        else:
            messages.success(request, _("The application was rejected."))
    return _back(application)


@require_POST
@require_perm(MANAGE)
def application_note_view(request, pk: int):
    application = visible_application(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
    else:
        try:
            application_note_add(application=application, note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("The note was added."))
    return _back(application, "#timeline")


@require_POST
@require_perm(MANAGE)
def assessment_invite_view(request, pk: int):
    application = visible_application(request, pk)
    try:
        services_assessments.invite_send(application=application, actor=request.user)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            _("The assessment link was e-mailed to %(email)s; an earlier link no longer works.")
            % {"email": application.candidate.email},
        )
    return _back(application, "#assessment")


@require_GET
@require_perm(VIEW)
def resume_download(request, pk: int):
    application = visible_application(request, pk)
    if not application.resume:
        raise Http404
    try:
        handle = application.resume.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        obj=application,
        details={"what": "resume", "file": application.resume_name},
    )
    response = FileResponse(handle, as_attachment=True, filename=application.resume_name or "resume")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the board -------------------------------------------------------------------------------


@dataclass
class Column:
    stage: str
    label: str
    count: int
    cards: list = field(default_factory=list)
    closed: bool = False


def _board_context(request, posting, *, message: tuple[str, str] | None = None) -> dict:
    can_manage = request.user.has_perm(MANAGE)
    q = request.GET.get("q", "").strip() if request.method == "GET" else request.POST.get("q", "").strip()
    flagged = (request.GET if request.method == "GET" else request.POST).get("flagged") == "1"
    visible = selectors.applications_visible_to(request.user).filter(posting=posting)
    counts = dict(visible.order_by().values_list("stage").annotate(n=Count("pk")))
    cards = visible.filter(stage__in=OPEN_STAGES).order_by("-score", "applied_at")
    if q:
        cards = cards.filter(Q(candidate__name__icontains=q) | Q(candidate__email__icontains=q))
    if flagged:
        cards = cards.exclude(missing_must_haves=[])
    now = timezone.now()
    labels = dict(Stage.choices)
    columns = {s: Column(s, labels[s], counts.get(s, 0)) for s in OPEN_STAGES}
    for app in cards:
        app.days_in_stage = (now - app.stage_changed_at).days
        if can_manage:
            app.moves = move_choices(app.stage, include_rejected=True)
        columns[app.stage].cards.append(app)
    for s in (Stage.HIRED, Stage.REJECTED):
        columns[s] = Column(s, labels[s], counts.get(s, 0), closed=True)
    return {
        "posting": posting,
        "columns": list(columns.values()),
        "total": sum(counts.values()),
        "can_manage": can_manage,
        "q": q,
        "flagged": flagged,
        "board_message": message,
        "page_title": _("Pipeline: %(title)s") % {"title": posting.title},
    }


@require_GET
@require_perm(VIEW)
def board(request, pk: int):
    posting = get_object_or_404(selectors.postings_visible_to(request.user), pk=pk)
    return render(request, "recruiting/pipeline/board.html", _board_context(request, posting))


@require_POST
@require_perm(MANAGE)
def board_move(request, pk: int, application_pk: int):
    """A card's move (htmx: the board re-renders with the outcome; without htmx: a redirect)."""
    posting = get_object_or_404(selectors.postings_visible_to(request.user), pk=pk)
    application = get_object_or_404(
        selectors.applications_visible_to(request.user).filter(posting=posting), pk=application_pk
    )
    form = BoardMoveForm(request.POST)
    if not form.is_valid():
        message = ("danger", " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            moved = application_move(
                application=application,
                to=form.cleaned_data["to"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            message = ("danger", " ".join(exc.messages))
        else:
            message = (
                "success",
                _("%(name)s moved to “%(stage)s”.")
                % {"name": moved.candidate.name, "stage": moved.get_stage_display()},
            )
    if not request.htmx:
        getattr(messages, "success" if message[0] == "success" else "error")(request, message[1])
        return redirect("recruiting:board", pk=posting.pk)
    return render(request, "recruiting/pipeline/board.html#board", _board_context(request, posting, message=message))

"""Interviews: HR schedules and cancels them from the application page; an interviewer lists
the interviews they sit on (/recruiting/interviews/mine/) and submits a scorecard for each.
An interviewer sees the candidate's name, the posting and the resume text of their own
interviews only, never the contact details or another interviewer's scorecard."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrsuite.permissions import require_perm
from hrsuite.scoping import scope_for

from .. import selectors
from ..choices import InterviewStatus
from ..forms_pipeline import InterviewForm, ScorecardForm
from ..models import Interview, Scorecard
from ..scorecards import CRITERIA
from ..services_interviews import interview_cancel, interview_schedule, scorecard_submit
from .pipeline import MANAGE, flash, visible_application

SELF_SERVICE = "hrsuite.self_service"


@require_POST
@require_perm(MANAGE)
def interview_schedule_view(request, pk: int):
    application = visible_application(request, pk)
    form = InterviewForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
    else:
        data = form.cleaned_data
        try:
            interview_schedule(
                application=application,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                kind=data["kind"],
                location=data["location"],
                interviewers=list(data["interviewers"]),
                actor=request.user,
            )
        except ValidationError as exc:
            flash(request, exc, form)
        else:
            messages.success(request, _("The interview was scheduled and the interviewers were notified."))
    return redirect(reverse("recruiting:application_detail", args=[application.pk]) + "#interviews")


@require_POST
@require_perm(MANAGE)
def interview_cancel_view(request, pk: int):
    visible = selectors.applications_visible_to(request.user).values("pk")
    interview = get_object_or_404(Interview.objects.filter(application__in=visible), pk=pk)
    try:
        interview_cancel(interview=interview, actor=request.user)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("The interview was cancelled and the interviewers were told."))
    return redirect(reverse("recruiting:application_detail", args=[interview.application_id]) + "#interviews")


@require_perm(SELF_SERVICE)
def my_interviews(request):
    employee_id = scope_for(request.user).employee_id
    when = request.GET.get("when", "upcoming")
    q = request.GET.get("q", "").strip()
    now = timezone.now()
    qs = selectors.interviews_for_interviewer(request.user).annotate(
        submitted=Exists(Scorecard.objects.filter(interview=OuterRef("pk"), interviewer_id=employee_id))
    )
    if q:
        qs = qs.filter(Q(application__candidate__name__icontains=q) | Q(application__posting__title__icontains=q))
    if when == "past":
        qs = qs.filter(Q(starts_at__lt=now) | Q(status=InterviewStatus.CANCELLED)).order_by("-starts_at")
    else:
        when = "upcoming"
        qs = qs.filter(starts_at__gte=now).exclude(status=InterviewStatus.CANCELLED).order_by("starts_at")
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recruiting/interviews/my_interviews.html",
        {"page_obj": page, "q": q, "when": when, "now": now, "page_title": _("My interviews")},
    )


@require_http_methods(["GET", "POST"])
@require_perm(SELF_SERVICE)
def scorecard(request, pk: int):
    interview = get_object_or_404(
        Interview.objects.select_related("application__candidate", "application__posting"), pk=pk
    )
    me = scope_for(request.user).employee_id
    if me is None or not interview.interviewers.filter(pk=me).exists():
        raise PermissionDenied
    mine = Scorecard.objects.filter(interview=interview, interviewer_id=me).first()
    form = ScorecardForm(request.POST or None) if mine is None else None
    if request.method == "POST":
        if mine is not None:
            messages.error(request, _("You have already submitted your scorecard for this interview."))
            return redirect("recruiting:scorecard", pk=interview.pk)
        if form.is_valid():
            try:
                scorecard_submit(
                    interview=interview,
                    interviewer=interview.interviewers.get(pk=me),
                    ratings=form.ratings(),
                    recommendation=form.cleaned_data["recommendation"],
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as exc:
                flash(request, exc, form)
            else:
                messages.success(request, _("Thank you: your scorecard was submitted."))
                return redirect("recruiting:scorecard", pk=interview.pk)
    application = interview.application
    return render(
        request,
        "recruiting/interviews/scorecard.html",
        {
            "interview": interview,
            "application": application,
            "interviewers": interview.interviewers.all(),
            "form": form,
            "mine": mine,
            "criteria": CRITERIA,
            "ratings": [(c, mine.ratings.get(c.key)) for c in CRITERIA] if mine else [],
            "too_early": interview.starts_at > timezone.now(),
            "page_title": _("Scorecard: %(name)s") % {"name": application.candidate.name},
        },
    )

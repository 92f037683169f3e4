"""Requisitions, job postings with their keywords, and a posting's applications ranked by
keyword score (namespace "recruiting", /recruiting/).

Every read goes through recruiting.selectors (a row outside the user's scope is a 404); HR
(hrsuite.manage_recruiting) decides requisitions and edits postings; managers
(hrsuite.view_recruiting) follow their own; asking for headcount needs
hrsuite.request_headcount. Each write is one call of recruiting.services_postings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal
from hrsuite.permissions import require_perm

from .. import selectors, services_postings
from ..choices import PostingStatus, RequisitionStatus, Stage
from ..forms_postings import DecisionForm, KeywordFormSet, PostingForm, RequisitionForm, keyword_initial
from ..models import JobPosting

VIEW = "hrsuite.view_recruiting"
MANAGE = "hrsuite.manage_recruiting"
REQUEST = "hrsuite.request_headcount"

STAGE_COLOURS = {
    Stage.APPLIED: "primary",
    Stage.SCREENING: "info",
    Stage.ASSESSMENT: "info",
    Stage.INTERVIEW: "warning",
    Stage.OFFER: "success",
    Stage.HIRED: "success",
    Stage.REJECTED: "secondary",
}
REQUISITION_COLOURS = {
    RequisitionStatus.SUBMITTED: "warning",
    RequisitionStatus.APPROVED: "success",
    RequisitionStatus.REJECTED: "danger",
    RequisitionStatus.FILLED: "primary",
    RequisitionStatus.CANCELLED: "secondary",
}
POSTING_COLOURS = {PostingStatus.DRAFT: "secondary", PostingStatus.PUBLISHED: "success", PostingStatus.CLOSED: "dark"}


def _page(request, qs):
    return Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))


# --- requisitions ---------------------------------------------------------------------------


@require_perm(VIEW, REQUEST)
def requisitions(request):
    qs = selectors.requisitions_visible_to(request.user).annotate(posting_count=Count("postings"))
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(
            Q(position__title__icontains=q) | Q(department__name__icontains=q) | Q(hiring_manager__name__icontains=q)
        )
    if status in RequisitionStatus.values:
        qs = qs.filter(status=status)
    page = _page(request, qs.order_by("-created_at", "-pk"))
    for r in page:
        r.colour = REQUISITION_COLOURS.get(r.status, "secondary")
    waiting = (
        selectors.requisitions_visible_to(request.user).filter(status=RequisitionStatus.SUBMITTED).count()
        if request.user.has_perm(MANAGE)
        else 0
    )
    return render(
        request,
        "recruiting/postings/requisition_list.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "statuses": RequisitionStatus.choices,
            "waiting": waiting,
            "can_request": request.user.has_perm(REQUEST),
            "page_title": _("Requisitions"),
        },
    )


@require_perm(REQUEST)
def requisition_create(request):
    form = RequisitionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            requisition = services_postings.requisition_submit(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The requisition was submitted; HR has been notified."))
            return redirect("recruiting:requisition_detail", pk=requisition.pk)
    return render(
        request,
        "recruiting/postings/form.html",
        {"form": form, "page_title": _("New requisition"), "back_url": "recruiting:requisitions"},
    )


@require_perm(VIEW, REQUEST)
def requisition_detail(request, pk: int):
    requisition = get_object_or_404(
        selectors.requisitions_visible_to(request.user).select_related("decided_by", "hiring_manager__department"),
        pk=pk,
    )
    postings = requisition.postings.annotate(application_count=Count("applications")).order_by("-created_at")
    for p in postings:
        p.colour = POSTING_COLOURS.get(p.status, "secondary")
    is_hr = request.user.has_perm(MANAGE)
    can_cancel = requisition.status in (RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED) and (
        is_hr or requisition.requested_by_id == request.user.pk
    )
    return render(
        request,
        "recruiting/postings/requisition_detail.html",
        {
            "requisition": requisition,
            "colour": REQUISITION_COLOURS.get(requisition.status, "secondary"),
            "postings": postings,
            "decision_form": DecisionForm() if is_hr and requisition.status == RequisitionStatus.SUBMITTED else None,
            "can_post": is_hr and requisition.status == RequisitionStatus.APPROVED,
            "can_cancel": can_cancel,
            "page_title": _("Requisition #%(pk)s") % {"pk": requisition.pk},
        },
    )


@require_POST
@require_perm(MANAGE)
def requisition_decide(request, pk: int):
    requisition = get_object_or_404(selectors.requisitions_visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services_postings.requisition_decide(
                requisition=requisition,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            flash_refusal(request, exc, form)
        else:
            if requisition.status == RequisitionStatus.APPROVED:
                messages.success(request, _("The requisition was approved. You can now create its job posting."))
            else:
                messages.success(request, _("The requisition was rejected; the requester has been notified."))
    else:
        flash_refusal(request, ValidationError(form.errors), form)
    return redirect("recruiting:requisition_detail", pk=pk)


@require_POST
@require_perm(VIEW, REQUEST)
def requisition_cancel(request, pk: int):
    requisition = get_object_or_404(selectors.requisitions_visible_to(request.user), pk=pk)
    try:
        services_postings.requisition_cancel(requisition=requisition, actor=request.user)
    except ValidationError as exc:
        if exc.code == "permission":
            raise PermissionDenied from exc
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The requisition was cancelled."))
    return redirect("recruiting:requisition_detail", pk=pk)


# --- postings -------------------------------------------------------------------------------


@require_perm(VIEW)
def postings(request):
    qs = selectors.postings_visible_to(request.user).annotate(
        application_count=Count("applications", distinct=True),
        new_count=Count("applications", filter=Q(applications__stage=Stage.APPLIED), distinct=True),
    )
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(location__icontains=q) | Q(requisition__department__name__icontains=q))
    if status in PostingStatus.values:
        qs = qs.filter(status=status)
    page = _page(request, qs.order_by("-created_at", "-pk"))
    for p in page:
        p.colour = POSTING_COLOURS.get(p.status, "secondary")
    return render(
        request,
        "recruiting/postings/posting_list.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "statuses": PostingStatus.choices,
            "can_manage": request.user.has_perm(MANAGE),
            "page_title": _("Job postings"),
        },
    )


@require_perm(MANAGE)
def posting_create(request):
    initial = {}
    if request.GET.get("requisition", "").isdigit():
        initial["requisition"] = int(request.GET["requisition"])
    form = PostingForm(request.POST or None, user=request.user, initial=initial)
    if not request.POST and "requisition" in initial:
        requisition = form.fields["requisition"].queryset.filter(pk=initial["requisition"]).first()
        if requisition is not None:
            form.initial.setdefault("title", requisition.position.title)
    if request.method == "POST" and form.is_valid():
        try:
            posting = services_postings.posting_save(posting=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The posting was saved as a draft. Add keywords, then publish it."))
            return redirect("recruiting:posting_detail", pk=posting.pk)
    return render(
        request,
        "recruiting/postings/form.html",
        {"form": form, "page_title": _("New job posting"), "back_url": "recruiting:postings"},
    )


@require_perm(MANAGE)
def posting_edit(request, pk: int):
    posting = get_object_or_404(selectors.postings_visible_to(request.user), pk=pk)
    form = PostingForm(request.POST or None, instance=posting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services_postings.posting_save(posting=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The posting was saved."))
            return redirect("recruiting:posting_detail", pk=posting.pk)
    return render(
        request,
        "recruiting/postings/form.html",
        {
            "form": form,
            "page_title": _("Edit job posting"),
            "back_url": "recruiting:posting_detail",
            "back_pk": posting.pk,
        },
    )


def _posting_context(request, posting: JobPosting, formset=None) -> dict:
    can_manage = request.user.has_perm(MANAGE)
    stages = dict(posting.applications.order_by().values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    keywords = list(posting.keywords.all())
    if can_manage and formset is None:
        formset = KeywordFormSet(initial=keyword_initial(posting), prefix="kw")
    return {
        "posting": posting,
        "requisition": posting.requisition,
        "colour": POSTING_COLOURS.get(posting.status, "secondary"),
        "keywords": keywords,
        "total_weight": sum(k.weight for k in keywords),
        "formset": formset,
        "can_manage": can_manage,
        "stage_counts": [(value, label, stages.get(value, 0)) for value, label in Stage.choices],
        "application_count": sum(stages.values()),
        "is_public": selectors.public_postings().filter(pk=posting.pk).exists(),
        "page_title": posting.title,
    }


@require_perm(VIEW)
def posting_detail(request, pk: int):
    posting = get_object_or_404(
        selectors.postings_visible_to(request.user).select_related(
            "requisition__hiring_manager", "assessment", "created_by"
        ),
        pk=pk,
    )
    return render(request, "recruiting/postings/posting_detail.html", _posting_context(request, posting))


@require_POST
@require_perm(MANAGE)
def posting_keywords(request, pk: int):
    posting = get_object_or_404(
        selectors.postings_visible_to(request.user).select_related("requisition__hiring_manager"), pk=pk
    )
    formset = KeywordFormSet(request.POST, prefix="kw")
    if formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and (f.cleaned_data.get("term") or "").strip()
        ]
        try:
            n = services_postings.keywords_replace(posting=posting, rows=rows, actor=request.user)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("The keywords were saved and %(n)s applications were scored again.") % {"n": n})
            return redirect("recruiting:posting_detail", pk=pk)
    else:
        messages.error(request, _("Check the keywords: each needs a term and a weight from 1 to 10."))
    context = _posting_context(request, posting, formset=formset)
    return render(request, "recruiting/postings/posting_detail.html", context, status=400)


@require_POST
@require_perm(MANAGE)
def posting_status(request, pk: int, action: str):
    posting = get_object_or_404(selectors.postings_visible_to(request.user), pk=pk)
    try:
        if action == "publish":
            services_postings.posting_publish(posting=posting, actor=request.user)
            messages.success(request, _("The posting is now on the careers page."))
        elif action == "close":
            services_postings.posting_close(posting=posting, actor=request.user)
            messages.success(request, _("The posting was closed; it no longer accepts applications."))
        else:
            raise PermissionDenied
    except ValidationError as exc:
        flash_refusal(request, exc)
    return redirect("recruiting:posting_detail", pk=pk)


@require_perm(VIEW)
def posting_applications(request, pk: int):
    posting = get_object_or_404(selectors.postings_visible_to(request.user), pk=pk)
    qs = (
        selectors.applications_visible_to(request.user)
        .filter(posting=posting)
        .defer("resume_text", "cover_letter")
        .order_by("-score", "applied_at", "pk")
    )
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    must = request.GET.get("must") == "1"
    if q:
        qs = qs.filter(Q(candidate__name__icontains=q) | Q(candidate__email__icontains=q))
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    if must:
        qs = qs.filter(missing_must_haves=[])
    page = _page(request, qs)
    for a in page:
        a.stage_colour = STAGE_COLOURS.get(a.stage, "secondary")
        a.score_colour = "success" if a.score >= 70 else "warning" if a.score >= 40 else "danger"
    return render(
        request,
        "recruiting/postings/posting_applications.html",
        {
            "posting": posting,
            "page_obj": page,
            "q": q,
            "stage": stage,
            "must": must,
            "stages": Stage.choices,
            "has_must_haves": posting.keywords.filter(must_have=True).exists(),
            "page_title": _("Applications: %(title)s") % {"title": posting.title},
        },
    )

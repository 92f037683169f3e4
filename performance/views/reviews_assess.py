"""Assessing reviews: the review page of an assessor or HR (self-assessment, OKR completion, the
rating form, the raise guideline, the trail) and HR's calibration page (the distribution of the
ratings per department against the guideline, and the adjustments with their reasons).

The employee themself reads their review in self-service (myperformance:review)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr

from .. import selectors, services
from ..choices import ReviewCycleStatus, ReviewStatus
from ..forms_reviews import CalibrateForm, RateForm
from .reviews import MANAGE, VIEW, _review_filters, with_rating_visibility

SELF = "hrsuite.self_service"


def event_labels() -> dict[str, str]:
    return {
        "launched": _("Review cycle launched"),
        "self_submitted": _("Self-assessment submitted"),
        "rated": _("Rated by the manager"),
        "calibration": _("Calibration started"),
        "calibrated": _("Rating calibrated"),
        "released": _("Results released"),
        "acknowledged": _("Result acknowledged"),
        "closed": _("Review cycle closed"),
    }


@require_perm(VIEW, SELF)
def review_detail(request, pk: int):
    user = request.user
    review = get_object_or_404(
        selectors.reviews_visible_to(user).select_related("cycle__okr_cycle", "employee__user", "rated_by"), pk=pk
    )
    if review.employee.user_id == user.pk:
        return redirect("myperformance:review", pk=review.pk)
    if not user.has_perm(VIEW):
        raise Http404
    cycle = review.cycle
    scale = selectors.rating_scale()
    can_assess = selectors.can_assess(user, review)
    refusal = services.rate_refusal(user, review)
    can_rate = refusal is None
    self_pending = refusal is not None and refusal.code == "self_pending"
    current = review.final_rating or review.manager_rating
    form = None
    if can_rate or request.method == "POST":
        initial = {"rating": current.code if current else "", "manager_comment": review.manager_comment}
        form = RateForm(request.POST or None, initial=initial, scale=scale)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_rate(
                    review=review,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["manager_comment"],
                    actor=user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The rating of %(name)s was saved.") % {"name": review.employee.name})
                return redirect("performance:review_detail", pk=review.pk)
        can_rate = True  # show the refused form with its messages
    objectives, completion = selectors.review_okr_summary(user, review)
    labels = event_labels()
    events = list(review.events.select_related("actor").order_by("at", "pk"))
    for event in events:
        event.label = labels.get(event.action, event.action)
    return render(
        request,
        "performance/review_detail.html",
        {
            "review": review,
            "cycle": cycle,
            "form": form,
            "can_assess": can_assess,
            "can_rate": can_rate,
            "self_pending": self_pending,
            "self_submitted": review.self_submitted_at is not None,
            "scale": scale,
            "current": current,
            "okr_cycle": cycle.okr_cycle,
            "objectives": objectives,
            "completion": completion,
            "events": events,
            "is_hr": is_hr(user),
            "released": cycle.status in selectors.RESULT_STATUSES,
            "page_title": _("Review of %(name)s") % {"name": review.employee.name},
        },
    )


def _distribution_chart(chart_id: str, rows) -> dict:
    return {
        "type": "bar",
        "percent": True,
        "labels": [r.code for r in rows],
        "datasets": [
            {"label": str(_("Share")), "data": [float(r.share) for r in rows], "backgroundColor": "#1d4ed8"},
            {
                "label": str(_("Guideline")),
                "data": [None if r.guideline is None else float(r.guideline) for r in rows],
                "backgroundColor": "#cbd5e1",
            },
        ],
    }


def _group(chart_id: str, label: str, rows) -> dict:
    return {
        "id": chart_id,
        "label": label,
        "rows": rows,
        "rated": sum(r.count for r in rows),
        "over": any(r.over for r in rows),
        "chart": _distribution_chart(chart_id, rows),
    }


@require_GET
@require_perm(MANAGE)
def calibration(request, pk: int):
    user = request.user
    cycle = get_object_or_404(selectors.review_cycles_visible_to(user), pk=pk)
    if cycle.status == ReviewCycleStatus.DRAFT:
        messages.info(request, _("The review cycle has not been launched yet: there is nothing to calibrate."))
        return redirect("performance:review_cycle", pk=cycle.pk)
    reviews = selectors.reviews_visible_to(user).filter(cycle=cycle)
    distributions = selectors.rating_distributions(reviews)
    company = _group("dist-company", _("Whole company"), distributions.company)
    departments = list(selectors.departments_of(reviews))
    groups = [_group(f"dist-dept-{d.pk}", d.name, distributions.of(d.pk)) for d in departments]
    listed, filters = _review_filters(request, reviews)
    page = Paginator(listed.order_by("department__path", "employee__name", "pk"), settings.HRSUITE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    with_rating_visibility(user, page)
    scale = selectors.rating_scale()
    adjusting = cycle.status == ReviewCycleStatus.CALIBRATION
    for review in page:
        review.can_adjust = services.can_calibrate(user, review)
        if review.can_adjust:
            review.adjust_form = CalibrateForm(
                initial={"rating": review.final_rating.code if review.final_rating_id else ""},
                scale=scale,
                auto_id=f"id_r{review.pk}_%s",
            )
    return render(
        request,
        "performance/calibration.html",
        {
            "cycle": cycle,
            "company": company,
            "groups": groups,
            "page_obj": page,
            "filters": filters,
            "departments": departments,
            "review_statuses": ReviewStatus.choices,
            "adjusting": adjusting,
            "page_title": _("Calibration: %(name)s") % {"name": cycle.name},
        },
    )


@require_POST
@require_perm(MANAGE)
def review_calibrate(request, pk: int):
    review = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    form = CalibrateForm(request.POST, scale=selectors.rating_scale())
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
    else:
        perform(
            request,
            lambda: services.review_calibrate(
                review=review,
                rating=form.cleaned_data["rating"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            ),
            success=_("The rating of %(name)s was adjusted.") % {"name": review.employee.name},
            form=form,
        )
    back = reverse("performance:calibration", args=[review.cycle_id])
    query = QueryDict(request.POST.get("back", "")).urlencode()  # the list's filters, re-encoded
    return redirect(f"{back}?{query}#review-{review.pk}" if query else f"{back}#review-{review.pk}")

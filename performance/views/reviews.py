"""Review cycle pages for HR and managers: the list of cycles, the cycle form (HR), the cycle
page with its stages, progress and reviews, the stage actions (HR) and the team's reviews.

Reads go through performance.selectors (a review outside the user's reach is a 404; a cycle is
visible to a manager when one of its reviews is); every write is one service call."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr

from .. import selectors, services
from ..choices import OPEN_REVIEW_STAGES, ReviewCycleStatus, ReviewStatus
from ..forms_reviews import ReviewCycleForm
from ..models import Review, ReviewCycle

MANAGE = "hrsuite.manage_performance"
VIEW = "hrsuite.view_performance"

RATED = (ReviewStatus.RATED, ReviewStatus.RELEASED, ReviewStatus.ACKNOWLEDGED)
STAGES = [
    ReviewCycleStatus.DRAFT,
    ReviewCycleStatus.ASSESSMENT,
    ReviewCycleStatus.CALIBRATION,
    ReviewCycleStatus.RELEASED,
    ReviewCycleStatus.CLOSED,
]
# action name -> the stages it is offered in (the service decides; this only picks the buttons)
ACTIONS = {
    "launch": (ReviewCycleStatus.DRAFT,),
    "calibrate": (ReviewCycleStatus.ASSESSMENT,),
    "release": (ReviewCycleStatus.ASSESSMENT, ReviewCycleStatus.CALIBRATION),
    "close": (ReviewCycleStatus.RELEASED,),
}


def with_rating_visibility(user, reviews):
    """Marks each review with whether this user may see its ratings (the viewer's own review
    shows them only once the results are released)."""
    for review in reviews:
        review.show_rating = selectors.rating_visible(user, review)
        review.hide_rating = not review.show_rating
    return reviews


def review_search_q(q: str) -> Q:
    return Q(employee__name__icontains=q) | Q(employee__employee_no__icontains=q) | Q(reviewer__name__icontains=q)


@require_GET
@require_perm(VIEW)
def cycles(request):
    user = request.user
    visible = selectors.review_cycles_visible_to(user)
    qs = visible.select_related("okr_cycle").order_by("-period_end", "-pk")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(name__icontains=q)
    if status in ReviewCycleStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    progress = {
        row["cycle_id"]: row
        for row in selectors.reviews_visible_to(user)
        .filter(cycle_id__in=[c.pk for c in page])
        .order_by()
        .values("cycle_id")
        .annotate(total=Count("pk"), rated=Count("pk", filter=Q(status__in=RATED)))
    }
    for cycle in page:
        row = progress.get(cycle.pk, {})
        cycle.n_total, cycle.n_rated = row.get("total", 0), row.get("rated", 0)
    counts = dict.fromkeys(ReviewCycleStatus.values, 0)
    for row in visible.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "performance/review_cycles.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "statuses": [(v, label, counts[v]) for v, label in ReviewCycleStatus.choices],
            "can_manage": user.has_perm(MANAGE),
            "page_title": _("Review cycles"),
        },
    )


@require_perm(MANAGE)
def cycle_edit(request, pk: int | None = None):
    cycle = get_object_or_404(ReviewCycle, pk=pk) if pk else None
    if cycle is not None and cycle.status != ReviewCycleStatus.DRAFT and request.method != "POST":
        messages.info(request, _("A launched review cycle's settings cannot be changed."))
        return redirect("performance:review_cycle", pk=cycle.pk)
    form = ReviewCycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.review_cycle_save(
                cycle=form.instance, actor=request.user, departments=form.cleaned_data["departments"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The review cycle “%(name)s” was saved.") % {"name": saved.name})
            return redirect("performance:review_cycle", pk=saved.pk)
    title = _("Edit the review cycle") if cycle else _("New review cycle")
    return render(request, "performance/review_cycle_form.html", {"form": form, "cycle": cycle, "page_title": title})


def _stages(cycle: ReviewCycle) -> list[dict]:
    current = STAGES.index(cycle.status)
    labels = dict(ReviewCycleStatus.choices)
    return [
        {
            "code": code,
            "label": labels[code],
            "number": i + 1,
            "done": i < current,
            "current": i == current,
            "optional": code == ReviewCycleStatus.CALIBRATION and not cycle.calibration_required,
        }
        for i, code in enumerate(STAGES)
    ]


def _review_filters(request, reviews: QuerySet[Review]):
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    status = request.GET.get("status", "")
    if q:
        reviews = reviews.filter(review_search_q(q))
    if department.isdigit():
        reviews = reviews.filter(department_id=int(department))
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    return reviews, {"q": q, "department": department, "status": status}


@require_GET
@require_perm(VIEW)
def cycle_detail(request, pk: int):
    user = request.user
    cycle = get_object_or_404(
        selectors.review_cycles_visible_to(user).select_related("okr_cycle", "coefficient_input"), pk=pk
    )
    in_reach = selectors.reviews_visible_to(user).filter(cycle=cycle)
    counts = dict.fromkeys(ReviewStatus.values, 0)
    for row in in_reach.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    total = sum(counts.values())
    reviews, filters = _review_filters(request, in_reach)
    page = Paginator(reviews.order_by("department__path", "employee__name", "pk"), settings.HRSUITE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    with_rating_visibility(user, page)
    hr = is_hr(user)
    actions = []
    if hr:
        skip_release = cycle.status == ReviewCycleStatus.ASSESSMENT and cycle.calibration_required
        actions = [
            name
            for name, stages in ACTIONS.items()
            if cycle.status in stages and not (name == "release" and skip_release)
        ]
    return render(
        request,
        "performance/review_cycle.html",
        {
            "cycle": cycle,
            "stages": _stages(cycle),
            "statuses": [(v, label, counts[v]) for v, label in ReviewStatus.choices],
            "total": total,
            "rated": sum(counts[s] for s in RATED),
            "acknowledged": counts[ReviewStatus.ACKNOWLEDGED],
            "page_obj": page,
            "filters": filters,
            "departments": selectors.departments_of(in_reach),
            "review_statuses": ReviewStatus.choices,
            "departments_of_cycle": list(cycle.departments.order_by("path")),
            "is_hr": hr,
            "actions": actions,
            "released": cycle.status in selectors.RESULT_STATUSES,
            "page_title": cycle.name,
        },
    )


ACTION_SUCCESS = {
    "launch": lambda c: _("The review cycle is open: everyone in it was asked for their self-assessment."),
    "calibrate": lambda c: _("The cycle is in calibration: compare the ratings with the guideline, then release."),
    "release": lambda c: (
        _("The results are released; the performance coefficients are the payroll input of %(month)s.")
        % {"month": date_format(c.pay_period, "YEAR_MONTH_FORMAT")}
    ),
    "close": lambda c: _("The review cycle is closed."),
}
ACTION_SERVICE = {
    "launch": services.review_cycle_launch,
    "calibrate": services.review_cycle_start_calibration,
    "release": services.review_cycle_release,
    "close": services.review_cycle_close,
}


@require_POST
@require_perm(MANAGE)
def cycle_action(request, pk: int, name: str):
    if name not in ACTION_SERVICE:
        raise Http404
    cycle = get_object_or_404(ReviewCycle, pk=pk)
    service = ACTION_SERVICE[name]
    perform(request, lambda: service(cycle=cycle, actor=request.user), success=ACTION_SUCCESS[name](cycle))
    return redirect("performance:review_cycle", pk=cycle.pk)


@require_GET
@require_perm(VIEW)
def team_reviews(request):
    user = request.user
    waiting = list(
        selectors.waiting_for(user).order_by("cycle__manager_due", "employee__name", "pk")[: settings.HRSUITE_PAGE_SIZE]
    )
    own = [r for r in waiting if r.employee.user_id == user.pk]
    to_rate = [r for r in waiting if r.employee.user_id != user.pk]
    team = selectors.reviews_visible_to(user).filter(cycle__status__in=OPEN_REVIEW_STAGES).exclude(employee__user=user)
    team, filters = _review_filters(request, team)
    page = Paginator(
        team.order_by("-cycle__period_end", "cycle_id", "department__path", "employee__name", "pk"),
        settings.HRSUITE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    with_rating_visibility(user, page)
    return render(
        request,
        "performance/review_team.html",
        {
            "own": own,
            "to_rate": to_rate,
            "page_obj": page,
            "filters": filters,
            "review_statuses": ReviewStatus.choices,
            "page_title": _("Team reviews"),
        },
    )

"""Dashboard widgets of performance, read through performance.selectors with a fixed number of
queries each:

* HR: each review cycle under way with its progress (rated / total, acknowledged) and where the
  calibration stands;
* managers: their team's reviews waiting for their rating;
* anyone with an employee record: their self-assessment due or their result to acknowledge.

A widget with nothing to say returns None and is not shown."""

from __future__ import annotations


def review_progress(request):
    from django.db.models import Count, Q

    from .choices import OPEN_REVIEW_STAGES, ReviewCycleStatus, ReviewStatus
    from .models import ReviewCycle
    from .selectors import reviews_visible_to

    # an HR widget: review cycles are HR's; the counts still go through the review scope
    cycles = list(ReviewCycle.objects.filter(status__in=OPEN_REVIEW_STAGES).order_by("self_due", "pk")[:3])
    if not cycles:
        return None
    counts = {
        row["cycle_id"]: row
        for row in reviews_visible_to(request.user)
        .filter(cycle__in=cycles)
        .order_by()
        .values("cycle_id")
        .annotate(
            total=Count("pk"),
            rated=Count("pk", filter=Q(final_rating__isnull=False)),
            calibrated=Count("pk", filter=Q(calibrated_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(status=ReviewStatus.ACKNOWLEDGED)),
            self_done=Count("pk", filter=~Q(status=ReviewStatus.SELF)),
        )
    }
    rows = []
    for cycle in cycles:
        c = counts.get(cycle.pk, {})
        if not cycle.calibration_required:
            calibration = "not_required"
        elif cycle.status == ReviewCycleStatus.ASSESSMENT:
            calibration = "pending"
        elif cycle.status == ReviewCycleStatus.CALIBRATION:
            calibration = "in_progress"
        else:
            calibration = "done"
        rows.append(
            {
                "cycle": cycle,
                "total": c.get("total", 0),
                "rated": c.get("rated", 0),
                "self_done": c.get("self_done", 0),
                "calibrated": c.get("calibrated", 0),
                "acknowledged": c.get("acknowledged", 0),
                "calibration": calibration,
            }
        )
    return {"cycles": rows}


def team_reviews(request):
    from hrsuite.scoping import scope_for

    from .choices import ReviewStatus
    from .selectors import waiting_for

    me = scope_for(request.user).employee_id
    waiting = list(
        waiting_for(request.user)
        .filter(status=ReviewStatus.MANAGER)
        .exclude(employee_id=me)
        .order_by("cycle__manager_due", "employee__name", "pk")[:50]
    )
    if not waiting:
        return None
    return {"reviews": waiting[:5], "count": len(waiting)}


def my_review(request):
    from hrsuite.scoping import scope_for

    from .choices import OPEN_REVIEW_STAGES, ReviewStatus
    from .selectors import reviews_visible_to
    from .services import can_acknowledge, can_self_assess

    user = request.user
    me = scope_for(user).employee_id
    if not me:
        return None
    candidates = (
        reviews_visible_to(user)
        .filter(
            employee_id=me, cycle__status__in=OPEN_REVIEW_STAGES, status__in=[ReviewStatus.SELF, ReviewStatus.RELEASED]
        )
        .order_by("cycle__self_due", "pk")
    )
    mine = []
    for review in candidates:
        if can_self_assess(user, review):
            review.action = "self"
        elif can_acknowledge(user, review):
            review.action = "acknowledge"
        else:
            continue
        mine.append(review)
    if not mine:
        return None
    return {"reviews": mine}


def register_widgets() -> None:
    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    dashboard.register(
        "performance.review_progress",
        template="performance/widgets/review_progress.html",
        roles={Role.HR, Role.HR_ADMIN},
        context=review_progress,
        order=50,
    )
    dashboard.register(
        "performance.team_reviews",
        template="performance/widgets/team_reviews.html",
        roles={Role.MANAGER},
        context=team_reviews,
        order=46,
    )
    dashboard.register(
        "performance.my_review",
        template="performance/widgets/my_review.html",
        roles={Role.EMPLOYEE, Role.MANAGER, Role.HR, Role.HR_ADMIN, Role.PAYROLL},
        context=my_review,
        order=85,
    )

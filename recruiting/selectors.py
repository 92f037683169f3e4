"""Scoped reads of recruiting data, built on hrsuite.scoping like every other selector.

* HR sees every requisition, posting, candidate and application.
* A manager sees the requisitions they asked for or whose hiring manager they are or reach
  (their departments' subtree and their reports), and the postings and applications of those.
* An interviewer who is neither sees only the interviews they sit on (recruiting.selectors
  .interviews_for_interviewer) and never a resume or another interviewer's scorecard.
* Everyone else sees nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .choices import PostingStatus
from .models import Application, Interview, JobPosting, Requisition


def _requisition_q(user, prefix: str = "") -> Q | None:
    """None means every row. Otherwise the requisitions the user asked for, or whose hiring
    manager is the user or someone in their reach (hrsuite.scoping, the one scoping rule)."""
    if is_hr(user):
        return None
    from employees.models import Employee

    scope = scope_for(user)
    q = Q(**{f"{prefix}requested_by_id": user.pk}) if user.is_authenticated else Q(pk__in=[])
    if not scope.is_empty:
        reach = Employee.objects.filter(scope.employees_q()).values("pk")
        q |= Q(**{f"{prefix}hiring_manager__in": reach})
    return q


def requisitions_visible_to(user) -> QuerySet[Requisition]:
    q = _requisition_q(user)
    qs = Requisition.objects.select_related("position", "department", "hiring_manager", "requested_by")
    return qs if q is None else qs.filter(q)


def postings_visible_to(user) -> QuerySet[JobPosting]:
    q = _requisition_q(user, "requisition__")
    qs = JobPosting.objects.select_related("requisition__position", "requisition__department")
    return qs if q is None else qs.filter(q)


def applications_visible_to(user) -> QuerySet[Application]:
    q = _requisition_q(user, "posting__requisition__")
    qs = Application.objects.select_related("candidate", "posting", "posting__requisition")
    return qs if q is None else qs.filter(q)


def interviews_for_interviewer(user) -> QuerySet[Interview]:
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return Interview.objects.none()
    return Interview.objects.filter(interviewers=employee_id).select_related(
        "application__candidate", "application__posting"
    )


def public_postings() -> QuerySet[JobPosting]:
    """What the careers page shows: published and not past its closing date."""
    from django.utils import timezone

    today = timezone.localdate()
    return (
        JobPosting.objects.filter(status=PostingStatus.PUBLISHED)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .select_related("requisition__department", "requisition__position")
        .order_by("-published_at")
    )

"""Scoped reads of employee-relations data, built on hrsuite.scoping.

* Feedback: HR reads every thread (hidden ones too); a department head reads the threads
  addressed to the departments they head; every employee reads the public threads that are not
  hidden. Nobody can list "the threads of a person": threads have no person.
* Projects: HR sees all; others the projects they created, lead or belong to, and a manager also
  those with members in their reach.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from employees.models import Department
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .choices import ThreadStatus
from .models import CollaborationProject, FeedbackThread, ProjectMember


def departments_headed_by(user) -> QuerySet[Department]:
    """The departments the user heads and every department below them (none for someone who
    heads none, HR included): the departments of a head's inbox and team views."""
    return Department.objects.filter(scope_for(user).headed_departments_q()).order_by("path")


def threads_visible_to(user) -> QuerySet[FeedbackThread]:
    qs = FeedbackThread.objects.select_related("department")
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    return qs.filter(Q(is_public=True, hidden=False) | scope.headed_departments_q("department__"))


def threads_addressed_to(user) -> QuerySet[FeedbackThread]:
    """The threads addressed to departments the user heads (the manager's inbox)."""
    return FeedbackThread.objects.select_related("department").filter(
        scope_for(user).headed_departments_q("department__")
    )


def public_board(user) -> QuerySet[FeedbackThread]:
    """The public board: public threads HR has not hidden (the same for every employee)."""
    return threads_visible_to(user).filter(is_public=True, hidden=False)


def with_reply_counts(threads: QuerySet[FeedbackThread]) -> QuerySet[FeedbackThread]:
    """For a list of threads: each with its number of replies (`n_replies`). Only for lists: it
    groups the query, which counts and aggregates over threads do not need."""
    return threads.annotate(n_replies=Count("replies"))


def inbox_counts(user) -> dict[str, int]:
    """The figures of the inbox and the dashboard widget, in one query. HR: the threads awaiting a
    reply (open and not hidden) and the hidden ones. A department head: the threads addressed to
    the departments they head and how many of them await a reply."""
    if is_hr(user):
        return (
            threads_visible_to(user)
            .order_by()
            .aggregate(
                awaiting=Count("pk", filter=Q(status=ThreadStatus.OPEN, hidden=False)),
                hidden=Count("pk", filter=Q(hidden=True)),
            )
        )
    return (
        threads_addressed_to(user)
        .order_by()
        .aggregate(addressed=Count("pk"), awaiting=Count("pk", filter=Q(status=ThreadStatus.OPEN)))
    )


def projects_visible_to(user) -> QuerySet[CollaborationProject]:
    qs = CollaborationProject.objects.select_related("lead__department", "created_by").annotate(
        n_members=Count("members", distinct=True), n_departments=Count("members__department", distinct=True)
    )
    if is_hr(user):
        return qs
    scope = scope_for(user)
    q = Q(created_by_id=user.pk)
    if scope.employee_id:
        q |= Q(lead_id=scope.employee_id) | Q(members__employee_id=scope.employee_id)
    if scope.subtree_paths or scope.report_ids:
        member_ids = ProjectMember.objects.filter(scope.employees_q("employee__")).values("project_id")
        q |= Q(pk__in=member_ids)
    return qs.filter(q).distinct()


def members_of(project: CollaborationProject) -> QuerySet[ProjectMember]:
    return project.members.select_related("employee__department", "department").annotate(n_bonuses=Count("bonuses"))

"""Scoped reads of employee-relations data, built on hrsuite.scoping.

* Feedback: HR reads every thread (hidden ones too); a department head reads the threads
  addressed to the departments they head; every employee reads the public threads that are not
  hidden. Nobody can list "the threads of a person": threads have no person.
* Projects: HR sees all; others the projects they created, lead or belong to, and a manager also
  those with members in their reach.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .models import CollaborationProject, FeedbackThread, ProjectMember


def threads_visible_to(user) -> QuerySet[FeedbackThread]:
    qs = FeedbackThread.objects.select_related("department").annotate(n_replies=Count("replies"))
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    q = Q(is_public=True, hidden=False)
    for path in scope.subtree_paths:
        q |= Q(department__path__startswith=path)
    return qs.filter(q)


def threads_addressed_to(user) -> QuerySet[FeedbackThread]:
    """The threads addressed to departments the user heads (the manager's inbox)."""
    scope = scope_for(user)
    if not scope.subtree_paths:
        return FeedbackThread.objects.none()
    q = Q(pk__in=[])
    for path in scope.subtree_paths:
        q |= Q(department__path__startswith=path)
    return threads_visible_to(user).filter(q)


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

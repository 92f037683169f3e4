"""Scoped reads of offboarding data, built on hrsuite.scoping like every other selector.

* HR sees every case.
* A manager sees the cases of the employees in their reach (the departments they head and their
  reports): they approve as department head.
* The leaver sees their own case and items.
* A successor sees the cases they take over and, of those, the items they review.
* Everyone else sees nothing (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .choices import ItemStatus
from .models import HandoverItem, SeparationCase


def cases_visible_to(user) -> QuerySet[SeparationCase]:
    qs = SeparationCase.objects.select_related("employee__department", "employee__position", "template")
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    q = scope.employees_q("employee__") | Q(successors=scope.employee_id)
    return qs.filter(q).distinct()


def items_visible_to(user) -> QuerySet[HandoverItem]:
    """Items: HR and the leaver's managers all of them; the leaver their own; a successor the
    items they review."""
    qs = HandoverItem.objects.select_related("case__employee", "successor", "customer")
    if is_hr(user):
        return qs
    scope = scope_for(user)
    if not scope.employee_id:
        return qs.none()
    return qs.filter(scope.employees_q("case__employee__") | Q(successor_id=scope.employee_id))


def is_department_head_for(user, case: SeparationCase) -> bool:
    """The head of the leaver's department (or of a department above it), or their manager."""
    scope = scope_for(user)
    if not scope.employee_id or scope.employee_id == case.employee_id:
        return False
    employee = case.employee
    if employee.manager_id == scope.employee_id:
        return True
    path = employee.department.path if employee.department_id else ""
    return any(path.startswith(p) for p in scope.subtree_paths)


def may_read_item_content(user, item: HandoverItem) -> bool:
    """The item's fields and files: HR, the leaver and the leaver's managers always; the
    successor only once the leaver has submitted it (a never-submitted draft stays private)."""
    if is_hr(user):
        return True
    scope = scope_for(user)
    if scope.covers_employee(item.case.employee):
        return True
    return item.successor_id == scope.employee_id and item.status != ItemStatus.TODO

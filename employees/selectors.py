"""Reads of employee data, always scoped by hrsuite.scoping."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from hrsuite.scoping import scope_for

from .models import Department, Employee

LIST_RELATIONS = ("department", "position", "grade", "location", "manager")


def employees_visible_to(user) -> QuerySet[Employee]:
    """Employees the user may see, with the relations every list shows, without decrypting the
    encrypted columns (lists show the masked last four characters)."""
    scope = scope_for(user)
    if scope.is_empty:
        return Employee.objects.none()
    return (
        Employee.objects.filter(scope.employees_q())
        .select_related(*LIST_RELATIONS)
        .defer(*Employee.SECRET_FIELDS, "manager__national_id", "manager__bank_account")
    )


def employee_visible_to(user, pk: int) -> Employee | None:
    """One employee, with encrypted fields loadable, if the user may see them."""
    scope = scope_for(user)
    if scope.is_empty:
        return None
    return Employee.objects.filter(scope.employees_q()).select_related(*LIST_RELATIONS).filter(pk=pk).first()


def employee_for_user(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.select_related(*LIST_RELATIONS).filter(user=user).first()


def department_subtree(department: Department) -> QuerySet[Department]:
    return Department.objects.filter(path__startswith=department.path)


_CHAIN_SQL = """
WITH RECURSIVE chain(id, manager_id) AS (
    SELECT id, manager_id FROM employees_employee WHERE id = %s
    UNION
    SELECT e.id, e.manager_id FROM employees_employee e JOIN chain c ON e.id = c.manager_id
)
SELECT id FROM chain
"""


def management_chain_ids(employee_id: int) -> set[int]:
    """The employee and everyone above them in the reporting line (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [employee_id])
        return {row[0] for row in cursor.fetchall()}


def team_of(user) -> QuerySet[Employee]:
    """A manager's own team (the departments they head and their reporting line), whatever
    other roles they hold; used by "My team"."""
    from hrsuite.scoping import Scope, manager_reach

    me = employee_for_user(user)
    if me is None:
        return Employee.objects.none()
    paths, reports = manager_reach(me.pk)
    scope = Scope(user_id=user.pk, employee_id=None, subtree_paths=paths, report_ids=reports)
    if scope.is_empty:
        return Employee.objects.none()
    return (
        Employee.objects.filter(scope.employees_q())
        .exclude(pk=me.pk)
        .select_related(*LIST_RELATIONS)
        .defer(*Employee.SECRET_FIELDS, "manager__national_id", "manager__bank_account")
    )


def documents_visible_to(user):
    """HR sees every employee document; everyone else only their own."""
    from hrsuite.roles import Role, has_role

    from .models import EmployeeDocument

    qs = EmployeeDocument.objects.select_related("employee", "uploaded_by")
    if has_role(user, Role.HR, Role.HR_ADMIN):
        return qs
    scope = scope_for(user)
    return qs.filter(employee_id=scope.employee_id) if scope.employee_id else qs.none()


def employee_history(employee: Employee, limit: int = 200):
    """Audit entries about the employee and their contracts, documents and change requests."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from hrsuite.audit.selectors import audit_entries

    from .models import ChangeRequest, Contract, EmployeeDocument

    q = Q(content_type=ContentType.objects.get_for_model(Employee), object_pk=str(employee.pk))
    for model, ids in (
        (Contract, Contract.objects.filter(employee=employee).values_list("pk", flat=True)),
        (EmployeeDocument, EmployeeDocument.objects.filter(employee=employee).values_list("pk", flat=True)),
        (ChangeRequest, ChangeRequest.objects.filter(employee=employee).values_list("pk", flat=True)),
    ):
        q |= Q(content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(i) for i in ids])
    return audit_entries().filter(q)[:limit]

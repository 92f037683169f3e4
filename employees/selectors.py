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

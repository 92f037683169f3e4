"""Reads of employee data, always scoped by hrsuite.scoping."""

from __future__ import annotations

from django.db.models import QuerySet

from hrsuite.scoping import scope_for

from .models import Department, Employee


def employees_visible_to(user) -> QuerySet[Employee]:
    scope = scope_for(user)
    if scope.is_empty:
        return Employee.objects.none()
    return Employee.objects.filter(scope.employees_q()).select_related("department", "manager")


def employee_for_user(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.select_related("department", "manager").filter(user=user).first()


def department_subtree(department: Department) -> QuerySet[Department]:
    return Department.objects.filter(path__startswith=department.path)

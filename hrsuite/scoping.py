"""Who may see which rows: the one data-scoping mechanism of the suite.

Every selector that lists, shows or exports data about people builds its queryset from the
`Scope` of the requesting user. A permission bug then has one place to live and one place to be
fixed. The rules:

* HR staff and HR administrators see every employee record, but not pay, unless they also hold
  the payroll role.
* Payroll administrators see every employee record and everyone's pay.
* A manager sees the employees of the departments they head (the whole subtree) and their direct
  and indirect reports; not their pay.
* Everyone with an employee record sees their own record and their own pay.
* Anyone else sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from hrsuite.roles import Role, roles_of


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    employee_id: int | None
    everyone: bool = False
    subtree_paths: tuple[str, ...] = ()
    report_ids: frozenset[int] = field(default_factory=frozenset)
    pay_everyone: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.everyone or self.employee_id or self.subtree_paths or self.report_ids)

    def employees_q(self, prefix: str = "") -> Q:
        """A filter selecting the employees this scope may see, relative to `prefix`
        (for example ``prefix="employee__"`` on a document queryset)."""
        if self.everyone:
            return Q()
        q = Q(pk__in=[])
        if self.employee_id:
            q |= Q(**{f"{prefix}pk": self.employee_id})
        q |= self.headed_departments_q(f"{prefix}department__")
        if self.report_ids:
            q |= Q(**{f"{prefix}pk__in": sorted(self.report_ids)})
        return q

    def headed_departments_q(self, prefix: str = "") -> Q:
        """A filter selecting the departments this scope's user heads and every department below
        them, relative to `prefix` (for example ``prefix="department__"`` on a queryset of rows
        addressed to a department). Matches nothing for someone who heads no department, HR
        included: it is about heading departments, not about seeing everyone (`everyone`)."""
        q = Q(pk__in=[])
        for path in self.subtree_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def pay_q(self, prefix: str = "employee__") -> Q:
        """A filter selecting whose pay this scope may see (payslips, pay history)."""
        if self.pay_everyone:
            return Q()
        if self.employee_id:
            return Q(**{f"{prefix}pk": self.employee_id})
        return Q(pk__in=[])

    def covers_employee(self, employee) -> bool:
        """Whether a single, already loaded employee is inside this scope."""
        if self.everyone or employee.pk == self.employee_id or employee.pk in self.report_ids:
            return True
        path = getattr(employee.department, "path", "") if employee.department_id else ""
        return any(path.startswith(p) for p in self.subtree_paths)


_REPORTS_SQL = """
WITH RECURSIVE reports(id) AS (
    SELECT id FROM employees_employee WHERE manager_id = %s
    UNION
    SELECT e.id FROM employees_employee e JOIN reports r ON e.manager_id = r.id
)
SELECT id FROM reports
"""


def scope_for(user) -> Scope:
    """The scope of a user, computed once per request and cached on the user object."""
    cached = getattr(user, "_hrsuite_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    if user is not None and getattr(user, "is_authenticated", False):
        user._hrsuite_scope = scope
    return scope


def forget_scope(user) -> None:
    user.__dict__.pop("_hrsuite_scope", None)


def manager_reach(employee_id: int) -> tuple[tuple[str, ...], frozenset[int]]:
    """The paths of the departments an employee heads, and their direct and indirect reports."""
    from employees.models import Department

    paths = tuple(Department.objects.filter(head_id=employee_id).order_by("path").values_list("path", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_REPORTS_SQL, [employee_id])
        reports = frozenset(row[0] for row in cursor.fetchall())
    return paths, reports


def _compute_scope(user) -> Scope:
    roles = roles_of(user)
    if not roles:
        return Scope(user_id=None, employee_id=None)
    from employees.models import Employee

    employee = Employee.objects.filter(user_id=user.pk).only("id").first()
    employee_id = employee.pk if employee else None
    everyone = bool(roles & {Role.HR, Role.HR_ADMIN, Role.PAYROLL})
    pay_everyone = Role.PAYROLL in roles
    subtree_paths: tuple[str, ...] = ()
    report_ids: frozenset[int] = frozenset()
    if Role.MANAGER in roles and employee_id and not everyone:
        subtree_paths, report_ids = manager_reach(employee_id)
    return Scope(
        user_id=user.pk,
        employee_id=employee_id,
        everyone=everyone,
        subtree_paths=subtree_paths,
        report_ids=report_ids,
        pay_everyone=pay_everyone,
    )

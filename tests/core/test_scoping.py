"""The one scoping mechanism: who sees which employees, and whose pay."""

import pytest

from employees.models import Employee
from employees.selectors import employees_visible_to
from hrsuite.scoping import forget_scope, scope_for

pytestmark = pytest.mark.django_db


def visible(user):
    return set(employees_visible_to(user).values_list("user__username", flat=True)) - {None}


def test_hr_sees_everyone_but_not_pay(people):
    scope = scope_for(people["users"]["hr"])
    assert scope.everyone
    assert not scope.pay_everyone
    assert visible(people["users"]["hr"]) == set(u.username for u in people["users"].values())


def test_payroll_sees_everyone_and_pay(people):
    scope = scope_for(people["users"]["payroll"])
    assert scope.everyone and scope.pay_everyone


def test_manager_sees_own_subtree_and_reports_only(people):
    assert visible(people["users"]["manager"]) == {"manager", "employee", "teammember"}


def test_manager_of_other_department_sees_only_that_department(people):
    assert visible(people["users"]["other_manager"]) == {"othermanager", "other"}


def test_employee_sees_only_self(people):
    assert visible(people["users"]["employee"]) == {"employee"}


def test_manager_sees_indirect_reports_outside_subtree(people, org):
    # a report of the manager's report who sits in another department is still in scope
    far = people["employees"]["other_employee"]
    far.manager = people["employees"]["employee"]
    far.save()
    user = people["users"]["manager"]
    forget_scope(user)
    assert "other" in visible(user)


def test_user_without_roles_sees_nothing(people):
    user = people["users"]["employee"]
    user.groups.clear()
    from hrsuite.roles import forget_roles

    forget_roles(user)
    forget_scope(user)
    assert scope_for(user).is_empty
    assert employees_visible_to(user).count() == 0


def test_anonymous_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert employees_visible_to(AnonymousUser()).count() == 0


def test_pay_scope_filters_to_own_pay(people):
    emp_scope = scope_for(people["users"]["employee"])
    own = people["employees"]["employee"]
    rows = Employee.objects.filter(emp_scope.pay_q(prefix=""))
    assert list(rows) == [own]
    mgr_scope = scope_for(people["users"]["manager"])
    # a manager sees their team's records, but pay only their own
    assert set(Employee.objects.filter(mgr_scope.pay_q(prefix=""))) == {people["employees"]["manager"]}


def test_covers_employee_matches_queryset(people):
    for role, user in people["users"].items():
        scope = scope_for(user)
        in_qs = set(employees_visible_to(user))
        for emp in Employee.objects.select_related("department"):
            assert scope.covers_employee(emp) == (emp in in_qs), (role, emp)


def test_headed_departments_are_the_subtrees_a_manager_heads_and_nothing_for_others(people, org):
    from employees.models import Department

    def headed(role):
        return set(Department.objects.filter(scope_for(people["users"][role]).headed_departments_q()))

    assert headed("manager") == {org["a"], org["a_team"]}
    assert headed("other_manager") == {org["b"]}
    for role in ("employee", "hr", "hr_admin", "payroll"):  # HR sees everyone, but heads nothing
        assert headed(role) == set()
    # relative to a prefix: rows that belong to a department
    q = scope_for(people["users"]["manager"]).headed_departments_q("department__")
    in_a = Employee.objects.filter(department__in=[org["a"], org["a_team"]])
    assert in_a.exists()
    assert set(Employee.objects.filter(q)) == set(in_a)

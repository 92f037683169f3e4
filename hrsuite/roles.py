"""Roles are Django groups with fixed codes. This module is the only place that names them.

A user may hold several roles (an HR administrator is also HR staff; a manager is also an
employee). Permission predicates for the `rules` library are built from these roles; data
scoping (who sees which rows) lives in `hrsuite.scoping`.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.db import models
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", pgettext_lazy("role", "HR administrator")
    HR = "hr", pgettext_lazy("role", "HR staff")
    PAYROLL = "payroll", pgettext_lazy("role", "Payroll administrator")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    EMPLOYEE = "employee", pgettext_lazy("role", "Employee")


def roles_of(user) -> frozenset[str]:
    """The role codes a user holds, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hrsuite_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._hrsuite_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user).intersection(roles))


def forget_roles(user) -> None:
    user.__dict__.pop("_hrsuite_roles", None)


def users_with_role(*roles: str):
    """Active users holding any of the roles (for notifications to "HR" or "payroll")."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__name__in=roles).distinct()


def role_labels(codes: Iterable[str]) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[c]) for c in Role.values if c in codes]


@rules.predicate
def is_hr(user) -> bool:
    return has_role(user, Role.HR, Role.HR_ADMIN)


@rules.predicate
def is_hr_admin(user) -> bool:
    return has_role(user, Role.HR_ADMIN)


@rules.predicate
def is_payroll(user) -> bool:
    return has_role(user, Role.PAYROLL)


@rules.predicate
def is_manager(user) -> bool:
    return has_role(user, Role.MANAGER)


@rules.predicate
def is_employee(user) -> bool:
    return has_role(user, Role.EMPLOYEE)


@rules.predicate
def has_employee_record(user) -> bool:
    from hrsuite.scoping import scope_for

    return scope_for(user).employee_id is not None


# Page-level permissions. Object-level visibility is decided by hrsuite.scoping.
rules.add_perm("hrsuite.view_audit", is_hr_admin)
rules.add_perm("hrsuite.view_jobs", is_hr_admin)
rules.add_perm("hrsuite.manage_users", is_hr_admin)
rules.add_perm("hrsuite.view_employees", is_hr | is_manager | is_payroll)
rules.add_perm("hrsuite.manage_employees", is_hr)
rules.add_perm("hrsuite.import_employees", is_hr)
rules.add_perm("hrsuite.view_personal_data", is_hr | is_payroll)  # ID number, bank, address
rules.add_perm("hrsuite.view_workforce_analytics", is_hr)
rules.add_perm("hrsuite.view_my_team", is_manager)
rules.add_perm("hrsuite.self_service", has_employee_record)
rules.add_perm("hrsuite.manage_payroll", is_payroll)
rules.add_perm("hrsuite.manage_training", is_hr)
# Recruiting: HR runs it; managers request headcount and follow their own requisitions'
# candidates (recruiting.selectors scopes them); interviewers reach only their scorecards.
rules.add_perm("hrsuite.manage_recruiting", is_hr)
rules.add_perm("hrsuite.request_headcount", is_manager | is_hr)
rules.add_perm("hrsuite.view_recruiting", is_manager | is_hr)
# Offboarding: HR runs cases; department heads (managers) approve checklists of their people;
# leavers and successors reach their own items through the self-service pages.
rules.add_perm("hrsuite.manage_offboarding", is_hr)
rules.add_perm("hrsuite.approve_handover", is_manager | is_hr)
# Performance: HR runs OKR and review cycles and calibrates; managers set their team's
# objectives and rate their team (performance.selectors scopes them); employees reach their own
# objectives and reviews through the self-service pages.
rules.add_perm("hrsuite.manage_performance", is_hr)
rules.add_perm("hrsuite.view_performance", is_manager | is_hr)
rules.add_perm("hrsuite.view_okrs", has_employee_record | is_manager | is_hr)
# Employee relations: HR runs engagement surveys, moderates the feedback box and sees every team's
# dependence signal; managers see their department's results, the feedback addressed to them and
# their team's signal, and run collaboration projects; employees post feedback and see their
# projects through the self-service pages.
rules.add_perm("hrsuite.manage_relations", is_hr)
rules.add_perm("hrsuite.view_team_relations", is_manager | is_hr)
rules.add_perm("hrsuite.manage_projects", is_manager | is_hr)

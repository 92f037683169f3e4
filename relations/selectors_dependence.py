"""Gathering the inputs of the team dependence signal (relations.dependence), scoped.

HR (manage_relations) sees every team; a manager the teams of the departments they head and
their sub-departments. A team is the people attached to one department who have not left.

Five queries whatever the number of teams, people, accounts and certificates: the departments,
their members, the members' key accounts, the certificate requirements of the members'
positions, and the certificate that counts per member and type (training's rule: the verified
certificate with the latest expiry, through training.selectors_qualifications).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from offboarding.models import CustomerAccount
from training.choices import CertificateStatus
from training.compliance import certificate_status
from training.models import CertificateRequirement
from training.selectors_qualifications import current_certificates

from . import dependence
from .selectors import departments_headed_by

MANAGE = "hrsuite.manage_relations"


def departments_visible_to(user) -> QuerySet[Department]:
    if user.has_perm(MANAGE):
        return Department.objects.order_by("path")
    return departments_headed_by(user)


def is_valid(expires_on: date | None, today: date) -> bool:
    """A verified certificate counts when it has not expired (expiring soon still counts), the
    compliance matrix's status rule."""
    return certificate_status(expires_on, today) != CertificateStatus.EXPIRED


def gather(
    departments: QuerySet[Department], *, today: date
) -> tuple[list[dependence.Team], dict[int, dependence.CertificateType]]:
    """The teams (departments with at least one member) and the certificate types they need."""
    depts = list(departments.values_list("pk", "name", "path"))
    ids = [pk for pk, _n, _p in depts]
    members: dict[int, list[dependence.Member]] = {pk: [] for pk in ids}
    rows = (
        Employee.objects.filter(department_id__in=ids)
        .exclude(status=EmployeeStatus.LEFT)
        .order_by("employee_no")
        .values_list("pk", "name", "department_id", "position_id")
    )
    member_ids: list[int] = []
    position_ids: set[int] = set()
    for pk, name, department_id, position_id in rows:
        members[department_id].append(dependence.Member(id=pk, name=name, position_id=position_id))
        member_ids.append(pk)
        if position_id:
            position_ids.add(position_id)

    accounts: dict[int, list[dependence.KeyAccount]] = {pk: [] for pk in ids}
    for owner_id, department_id, revenue in (
        CustomerAccount.objects.filter(is_key=True, owner__department_id__in=ids)
        .exclude(owner__status=EmployeeStatus.LEFT)
        .values_list("owner_id", "owner__department_id", "annual_revenue")
    ):
        accounts[department_id].append(dependence.KeyAccount(owner_id=owner_id, annual_revenue=revenue or Decimal(0)))

    requirements: dict[int, list[int]] = {}
    types: dict[int, dependence.CertificateType] = {}
    for position_id, type_id, type_name in CertificateRequirement.objects.filter(
        position_id__in=sorted(position_ids)
    ).values_list("position_id", "certificate_type_id", "certificate_type__name"):
        requirements.setdefault(position_id, []).append(type_id)
        types[type_id] = dependence.CertificateType(id=type_id, name=type_name)

    department_of = {m.id: pk for pk, team in members.items() for m in team}
    valid: dict[int, set[tuple[int, int]]] = {pk: set() for pk in ids}
    if types and member_ids:
        for (employee_id, type_id), cert in current_certificates(member_ids, sorted(types)).items():
            if is_valid(cert.expires_on, today):
                valid[department_of[employee_id]].add((employee_id, type_id))

    teams = []
    for pk, name, path in depts:
        if not members[pk]:
            continue
        team_positions = {m.position_id for m in members[pk] if m.position_id}
        teams.append(
            dependence.Team(
                department_id=pk,
                name=name,
                path=path,
                members=tuple(members[pk]),
                key_accounts=tuple(accounts[pk]),
                requirements=tuple((p, tuple(requirements.get(p, ()))) for p in sorted(team_positions)),
                valid_certificates=frozenset(valid[pk]),
            )
        )
    return teams, types


def team_signals(user, *, today: date, q: str = "") -> list[dependence.TeamSignal]:
    """Every team in the user's reach (narrowed by a search on the department's name or code)."""
    departments = departments_visible_to(user)
    q = (q or "").strip()
    if q:
        departments = departments.filter(Q(name__icontains=q) | Q(code__icontains=q))
    teams, types = gather(departments, today=today)
    return dependence.signals(teams, types)

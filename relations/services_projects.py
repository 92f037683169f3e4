"""Cross-department collaboration projects: creation, members, the lead's record of each
member's participation and contribution, and collaboration bonuses that become the payroll
period input of the month they are awarded.

Decisions worth knowing:

* A project is managed by HR, by whoever created it, and by its lead.
* A project starts (planned -> active) only with members from at least two departments: that is
  what makes it cross-department.
* A member's bonuses of one month are summed into the payroll input named by
  settings.HRSUITE_COLLABORATION_BONUS_INPUT through payroll's own service, so a month whose pay
  run is finalised refuses the award, and the input always equals the sum of the bonus rows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.models import Employee
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .choices import ProjectStatus
from .models import CollaborationBonus, CollaborationProject, ProjectMember

BONUS_LIMIT = Decimal("100000")
MIN_DEPARTMENTS = 2  # what makes a project cross-department
TRANSITIONS = {
    ProjectStatus.PLANNED: (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED),
    ProjectStatus.ACTIVE: (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED),
    ProjectStatus.COMPLETED: (),
    ProjectStatus.CANCELLED: (),
}


class ProjectRefused(ValidationError):
    pass


def can_manage_project(user, project: CollaborationProject) -> bool:
    if is_hr(user):
        return True
    if project.pk is None:
        return user.has_perm("hrsuite.manage_projects")
    scope = scope_for(user)
    return project.created_by_id == user.pk or (scope.employee_id is not None and scope.employee_id == project.lead_id)


def can_award_bonus(user, project: CollaborationProject) -> bool:
    """HR, or the project's creator while they hold the projects permission (the lead cannot
    award themselves or their team a bonus)."""
    return is_hr(user) or (project.created_by_id == user.pk and user.has_perm("hrsuite.manage_projects"))


def _require_manager(user, project: CollaborationProject) -> None:
    if not can_manage_project(user, project):
        raise ProjectRefused(_("Only HR, the project's creator and its lead can change it."), code="permission")


# --- what a project's status allows: pure, used by the services below and the project pages ---


def may_change(project: CollaborationProject) -> bool:
    """The project and its members change until it is completed or cancelled."""
    return project.status not in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED)


def may_assess(project: CollaborationProject) -> bool:
    """Members are assessed while the project runs and after it is completed, not once cancelled."""
    return project.status != ProjectStatus.CANCELLED


def may_award(project: CollaborationProject) -> bool:
    """Bonuses are awarded on a project in progress or completed."""
    return project.status in (ProjectStatus.ACTIVE, ProjectStatus.COMPLETED)


def may_start(n_departments: int) -> bool:
    """A project starts only with members from at least MIN_DEPARTMENTS departments."""
    return n_departments >= MIN_DEPARTMENTS


def remaining_budget(budget: Decimal | None, awarded: Decimal) -> Decimal | None:
    """What is left of a bonus budget after `awarded`; None when the project has no budget."""
    return budget - awarded if budget else None


def finished_message(project: CollaborationProject) -> str:
    return _("The project is %(status)s; it can no longer be changed.") % {"status": project.get_status_display()}


def _refuse_if_finished(project: CollaborationProject) -> None:
    if not may_change(project):
        raise ProjectRefused(finished_message(project), code="finished")


@transaction.atomic
def project_save(*, project: CollaborationProject, actor) -> CollaborationProject:
    _require_manager(actor, project)
    if project.pk:
        _refuse_if_finished(CollaborationProject.objects.select_for_update().get(pk=project.pk))
    if project.ends_on and project.ends_on < project.starts_on:
        raise ProjectRefused({"ends_on": _("The project cannot end before it starts.")})
    creating = project.pk is None
    if creating:
        project.created_by = actor
    project.save()
    # the lead is always a member (also when an edit names a new lead)
    ProjectMember.objects.get_or_create(
        project=project,
        employee=project.lead,
        defaults={
            "department_id": project.lead.department_id,
            "role": _("Project lead"),
            "joined_on": project.starts_on if creating else max(project.starts_on, timezone.localdate()),
        },
    )
    return project


def _lock(project: CollaborationProject) -> CollaborationProject:
    return CollaborationProject.objects.select_for_update().get(pk=project.pk)


@transaction.atomic
def project_member_add(
    *, project: CollaborationProject, employee: Employee, actor, role: str = "", time_share: int = 20
) -> ProjectMember:
    project = _lock(project)
    _require_manager(actor, project)
    _refuse_if_finished(project)
    if not 1 <= time_share <= 100:
        raise ProjectRefused({"time_share": _("The time share is a percentage from 1 to 100.")})
    if project.members.filter(employee=employee).exists():
        raise ProjectRefused({"employee": _("%(name)s is already a member.") % {"name": employee.name}})
    return ProjectMember.objects.create(
        project=project,
        employee=employee,
        department_id=employee.department_id,
        role=role.strip(),
        time_share=time_share,
        joined_on=max(project.starts_on, timezone.localdate()),
    )


@transaction.atomic
def project_member_assess(
    *, member: ProjectMember, actor, participation: int | None, contribution: int | None, note: str = ""
) -> ProjectMember:
    project = _lock(member.project)
    _require_manager(actor, project)
    if not may_assess(project):
        raise ProjectRefused(finished_message(project), code="finished")
    if participation is not None and not 0 <= participation <= 100:
        raise ProjectRefused({"participation": _("Participation is a percentage from 0 to 100.")})
    if contribution is not None and not 1 <= contribution <= 5:
        raise ProjectRefused({"contribution": _("Contribution is rated from 1 to 5.")})
    member.participation, member.contribution, member.contribution_note = participation, contribution, note.strip()
    member.save(update_fields=["participation", "contribution", "contribution_note"])
    return member


@transaction.atomic
def project_member_remove(*, member: ProjectMember, actor) -> None:
    project = _lock(member.project)
    _require_manager(actor, project)
    _refuse_if_finished(project)
    if member.employee_id == project.lead_id:
        raise ProjectRefused(_("The project lead cannot be removed; choose another lead first."), code="lead")
    if member.bonuses.exists():
        raise ProjectRefused(_("A member who was awarded a bonus stays on the project."), code="has_bonus")
    member.delete()


def department_count(project: CollaborationProject) -> int:
    return project.members.exclude(department__isnull=True).values("department").distinct().count()


@transaction.atomic
def project_move(*, project: CollaborationProject, to: str, actor) -> CollaborationProject:
    locked = _lock(project)
    _require_manager(actor, locked)
    if to not in TRANSITIONS.get(locked.status, ()):
        labels = dict(ProjectStatus.choices)
        raise ProjectRefused(
            _("A project cannot go from “%(from)s” to “%(to)s”.")
            % {"from": labels.get(locked.status), "to": labels.get(to, to)},
            code="transition",
        )
    if to == ProjectStatus.ACTIVE and not may_start(department_count(locked)):
        raise ProjectRefused(
            _("A collaboration project needs members from at least two departments before it starts."),
            code="one_department",
        )
    locked.status = to
    if to == ProjectStatus.COMPLETED and not locked.ends_on:
        locked.ends_on = max(timezone.localdate(), locked.starts_on)
    locked.save(update_fields=["status", "ends_on"])
    project.status, project.ends_on = locked.status, locked.ends_on
    return locked


def bonus_input():
    from payroll.models import InputDefinition

    code = settings.HRSUITE_COLLABORATION_BONUS_INPUT
    definition = InputDefinition.objects.filter(code=code, is_active=True).first()
    if definition is None:
        raise ProjectRefused(
            _("Payroll has no active input “%(code)s” for collaboration bonuses; ask payroll to create it.")
            % {"code": code},
            code="no_input",
        )
    return definition


def budget_left(project: CollaborationProject) -> Decimal | None:
    if not project.bonus_budget:
        return None
    return remaining_budget(project.bonus_budget, project.bonuses.aggregate(s=Sum("amount"))["s"] or Decimal(0))


@transaction.atomic
def collaboration_bonus_award(
    *, project: CollaborationProject, employee: Employee, amount: Decimal, reason: str, actor, month: date | None = None
) -> CollaborationBonus:
    """Award `amount` to a member for the pay month `month` (default: this month) and set the
    member's payroll input for that month to the sum of their collaboration bonuses."""
    from payroll.services.assignments import period_input_set

    project = _lock(project)
    if not can_award_bonus(actor, project):
        raise ProjectRefused(_("Only HR and the project's creator can award a bonus."), code="permission")
    if not may_award(project):
        raise ProjectRefused(_("Bonuses are awarded on a project in progress or completed."), code="status")
    member = project.members.filter(employee=employee).first()
    if member is None:
        raise ProjectRefused(
            {"employee": _("%(name)s is not a member of this project.") % {"name": employee.name}}, code="not_member"
        )
    if not amount.is_finite() or amount <= 0:
        raise ProjectRefused({"amount": _("The bonus must be more than zero.")})
    if amount >= BONUS_LIMIT or amount != amount.quantize(Decimal("0.01")):
        raise ProjectRefused({"amount": _("Enter an amount under 100,000 with at most two decimals.")})
    left = budget_left(project)
    if left is not None and amount > left:
        raise ProjectRefused({"amount": _("Only %(left)s of the project's bonus budget is left.") % {"left": left}})
    reason = reason.strip()
    if not reason:
        raise ProjectRefused({"reason": _("Say what the bonus is for.")})
    month = (month or timezone.localdate()).replace(day=1)
    bonus = CollaborationBonus.objects.create(
        project=project, member=member, amount=amount, month=month, reason=reason[:300], awarded_by=actor
    )
    # another project may be awarding this member a bonus for the same month right now: lock the
    # member before summing, so the later award's sum includes the earlier one (no lost update)
    list(Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk", flat=True))
    total = CollaborationBonus.objects.filter(member__employee=employee, month=month).aggregate(s=Sum("amount"))["s"]
    period_input_set(
        employee=employee, period=month, definition=bonus_input(), value=total, actor=actor, source="collaboration"
    )
    return bonus

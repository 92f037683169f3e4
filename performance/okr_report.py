"""The OKR report of a cycle, per person and per department, for the people within the
requesting user's reach (HR: everyone; a manager: their team, themselves included).

* A person: the objectives they own in the cycle, their mean completion, the number of monthly
  progress updates on those objectives' key results, and the last update.
* A department (the person's own department): the number of people, how many have objectives,
  their mean completion (the mean of the people's means), and how many people with objectives
  have no progress update in the report month (this month, or the cycle's nearest month).

The people are the working employees in reach plus anyone in reach who owns an objective of the
cycle (someone who has left since). Everything is gathered in a constant number of queries; the
page and the Excel download use the same figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from employees.selectors import employees_visible_to

from . import engine, selectors
from .models import KeyResult, Objective, OkrCycle, ProgressUpdate

WORKING = [EmployeeStatus.PROBATION, EmployeeStatus.ACTIVE, EmployeeStatus.LEAVING]
NO_OBJECTIVES = selectors.Completion(objectives=0, mean=None)


@dataclass(frozen=True)
class PersonRow:
    employee: Employee
    department: str
    objectives: int
    completion: Decimal | None
    updates: int
    last_update: datetime | None
    updated_this_month: bool

    @property
    def needs_update(self) -> bool:
        return self.objectives > 0 and not self.updated_this_month


@dataclass(frozen=True)
class TeamRow:
    department_id: int | None
    name: str
    path: str
    people: int
    with_objectives: int
    completion: Decimal | None
    no_update: int


@dataclass(frozen=True)
class OkrReport:
    cycle: OkrCycle
    month: date
    people: list[PersonRow]
    teams: list[TeamRow]

    def search(self, q: str) -> list[PersonRow]:
        """People whose name, employee number or department contains `q`."""
        needle = (q or "").strip().casefold()
        if not needle:
            return self.people
        return [
            row
            for row in self.people
            if needle in row.employee.name.casefold()
            or needle in row.employee.employee_no.casefold()
            or needle in row.department.casefold()
        ]

    def sheets(self, people: list[PersonRow] | None = None):
        """The Excel sheets (title, headers, rows) with the page's figures."""
        month = self.month.strftime("%Y-%m")
        people_headers = [
            _("Employee number"),
            _("Name"),
            _("Department"),
            _("Objectives"),
            _("Average completion (%)"),
            _("Progress updates"),
            _("Last update"),
            _("Updated in %(month)s") % {"month": month},
        ]
        team_headers = [
            _("Department"),
            _("People"),
            _("With objectives"),
            _("Mean completion (%)"),
            _("No update in %(month)s") % {"month": month},
        ]
        yes, no = _("Yes"), _("No")
        people_rows = (
            [
                r.employee.employee_no,
                r.employee.name,
                r.department,
                r.objectives,
                r.completion,
                r.updates,
                r.last_update,
                (yes if r.updated_this_month else no) if r.objectives else "",
            ]
            for r in (self.people if people is None else people)
        )
        team_rows = ([t.name, t.people, t.with_objectives, t.completion, t.no_update] for t in self.teams)
        return [(_("People"), people_headers, people_rows), (_("Departments"), team_headers, team_rows)]


def report_month(cycle: OkrCycle, today: date | None = None) -> date:
    """This month, or the cycle's nearest month when today lies outside it (also the month a
    progress form offers)."""
    today = today or timezone.localdate()
    return min(max(today, cycle.starts_on), cycle.ends_on).replace(day=1)


def people_in_reach(user, cycle: OkrCycle, department: Department | None = None):
    """The people of the report, read through employees.selectors (scoped, encrypted columns
    deferred)."""
    owners = Objective.objects.filter(cycle=cycle, owner__isnull=False).values("owner_id")
    qs = employees_visible_to(user).filter(Q(status__in=WORKING) | Q(pk__in=owners))
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    return qs.select_related("department").order_by("department__path", "name", "employee_no")


def build(cycle: OkrCycle, user, *, department: Department | None = None, today: date | None = None) -> OkrReport:
    month = report_month(cycle, today)
    people = list(people_in_reach(user, cycle, department))
    ids = [e.pk for e in people]

    completions = selectors.okr_completion_by(Objective.objects.filter(cycle=cycle, owner_id__in=ids))

    updates = (
        ProgressUpdate.objects.filter(
            key_result__in=KeyResult.objects.filter(objective__cycle=cycle, objective__owner_id__in=ids)
        )
        .values("key_result__objective__owner_id")
        .annotate(n=Count("pk"), last=Max("updated_at"), this_month=Count("pk", filter=Q(month=month)))
    )
    per_owner: dict[int, dict] = {row["key_result__objective__owner_id"]: dict(row) for row in updates}

    rows = []
    for e in people:
        u = per_owner.get(e.pk, {})
        own = completions.get(e.pk, NO_OBJECTIVES)
        rows.append(
            PersonRow(
                employee=e,
                department=e.department.name if e.department_id else "",
                objectives=own.objectives,
                completion=own.mean,
                updates=u.get("n", 0),
                last_update=u.get("last"),
                updated_this_month=bool(u.get("this_month")),
            )
        )

    groups: dict[int | None, list[PersonRow]] = defaultdict(list)
    for row in rows:
        groups[row.employee.department_id].append(row)
    teams = []
    for department_id, members in groups.items():
        dept = members[0].employee.department
        teams.append(
            TeamRow(
                department_id=department_id,
                name=dept.name if dept is not None else "—",
                path=dept.path if dept is not None else "~",
                people=len(members),
                with_objectives=sum(1 for r in members if r.objectives),
                completion=engine.mean_completion(r.completion for r in members if r.completion is not None),
                no_update=sum(1 for r in members if r.needs_update),
            )
        )
    teams.sort(key=lambda t: t.path)
    return OkrReport(cycle=cycle, month=month, people=rows, teams=teams)

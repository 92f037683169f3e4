"""Reads for workforce analytics: the rows the pure calculations in `analytics` need, in a fixed
number of queries (employees, departments, locations, positions, targets) whatever the size of
the company. Employees come through the scoped selector like every other report."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from .analytics import (
    DepartmentRow,
    LocationRow,
    PersonRow,
    PositionRow,
    TargetRow,
    WorkforceData,
    window_start,
)
from .models import Department, Location, Position, WorkforceTarget
from .selectors import employees_visible_to

PERSON_FIELDS = (
    "id",
    "status",
    "department_id",
    "department__path",
    "location_id",
    "position_id",
    "position__role_family",
    "birth_date",
    "hire_date",
    "leave_date",
    "education_level",
)


def person_rows(user, *, as_of: date) -> tuple[PersonRow, ...]:
    """Employees the user may see who can matter on `as_of`: everyone except those who left
    on or before the start of the turnover window (they count nowhere). One query."""
    qs = (
        employees_visible_to(user)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=window_start(as_of)))
        .order_by("id")
        .values(*PERSON_FIELDS)
    )
    return tuple(
        PersonRow(
            id=r["id"],
            status=r["status"],
            department_id=r["department_id"],
            department_path=r["department__path"] or "",
            location_id=r["location_id"],
            position_id=r["position_id"],
            role_family=r["position__role_family"] or "",
            birth_date=r["birth_date"],
            hire_date=r["hire_date"],
            leave_date=r["leave_date"],
            education_level=r["education_level"] or "",
        )
        for r in qs
    )


def department_rows() -> tuple[DepartmentRow, ...]:
    return tuple(
        DepartmentRow(**r)
        for r in Department.objects.order_by("path").values("id", "name", "path", "kind", "location_id")
    )


def location_rows() -> tuple[LocationRow, ...]:
    return tuple(LocationRow(**r) for r in Location.objects.order_by("name").values("id", "name"))


def position_rows() -> tuple[PositionRow, ...]:
    return tuple(
        PositionRow(**r)
        for r in Position.objects.order_by("role_family", "title").values(
            "id", "title", "role_family", "tenure_benchmark_years", "code"
        )
    )


def target_rows() -> tuple[TargetRow, ...]:
    return tuple(TargetRow(**r) for r in WorkforceTarget.objects.values("metric", "role_family", "target"))


def workforce_data(user, *, as_of: date) -> WorkforceData:
    """Everything the analytics page and its export need: five queries."""
    return WorkforceData(
        people=person_rows(user, as_of=as_of),
        departments=department_rows(),
        locations=location_rows(),
        positions=position_rows(),
        targets=target_rows(),
    )

"""Reads behind the per-person pay pages (assignments, period inputs, declarations,
adjustments). Employees always come from `employees.selectors.employees_visible_to`, so the one
scoping mechanism decides who is listed; each function runs a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from employees.choices import EmployeeStatus
from employees.models import Employee
from employees.selectors import employees_visible_to

from .gather import month_end
from .models import (
    InputDefinition,
    PayAdjustment,
    PayAssignment,
    PeriodInput,
    SalaryStructure,
    TaxDeclaration,
)
from .services.assignments import locked_employee_ids, raise_against


def people_for_pay(user) -> QuerySet[Employee]:
    return employees_visible_to(user).order_by("employee_no")


def paid_in_month(employees: QuerySet[Employee], period: date) -> QuerySet[Employee]:
    """Employees paid for the month (as in payroll.gather.in_scope_employees): hired by its end,
    not gone before it started."""
    end = month_end(period)
    return (
        employees.filter(Q(hire_date__isnull=True) | Q(hire_date__lte=end))
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=period))
        .exclude(status=EmployeeStatus.LEFT, leave_date__isnull=True)
    )


# --- assignments ----------------------------------------------------------------------------


def with_current_assignments(employees: QuerySet[Employee], today: date) -> QuerySet[Employee]:
    """Prefetch (one query) the assignments that are in effect today or start later, as
    `pay_assignments_now`; `split_current` picks the current and the upcoming one."""
    rows = (
        PayAssignment.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("structure")
        .order_by("effective_from")
    )
    return employees.prefetch_related(Prefetch("pay_assignments", queryset=rows, to_attr="pay_assignments_now"))


def split_current(employee: Employee, today: date) -> tuple[PayAssignment | None, PayAssignment | None]:
    """(assignment in effect today, the next one starting later) from the prefetched rows."""
    current = upcoming = None
    for a in getattr(employee, "pay_assignments_now", []):
        if a.effective_from <= today:
            current = a
        elif upcoming is None:
            upcoming = a
    return current, upcoming


def filter_by_structure(employees: QuerySet[Employee], code: str, today: date) -> QuerySet[Employee]:
    current = PayAssignment.objects.filter(
        employee=OuterRef("pk"), structure__code=code, effective_from__lte=today
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    return employees.filter(Exists(current))


def with_any_assignment(employees: QuerySet[Employee], has: bool) -> QuerySet[Employee]:
    """Employees with (has=True) or without ("no assignment yet") any pay assignment."""
    exists = Exists(PayAssignment.objects.filter(employee=OuterRef("pk")))
    return employees.filter(exists) if has else employees.exclude(exists)


def structure_codes() -> list[tuple[str, str]]:
    """(code, name) of every structure, newest name per code."""
    seen: dict[str, str] = {}
    for code, name in SalaryStructure.objects.order_by("code", "-effective_from").values_list("code", "name"):
        seen.setdefault(code, name)
    return sorted(seen.items())


@dataclass
class HistoryRow:
    assignment: PayAssignment
    previous_base: Decimal | None
    change: Decimal | None
    change_ratio: Decimal | None
    items: list


def assignment_history(employee: Employee) -> list[HistoryRow]:
    """Every version, newest first, with its items and the change against the version before."""
    versions = list(
        PayAssignment.objects.filter(employee=employee)
        .select_related("structure", "created_by")
        .prefetch_related("items__component")
        .order_by("effective_from")
    )
    rows = []
    previous = None
    for a in versions:
        change, ratio = raise_against(previous.base_salary if previous else None, a.base_salary)
        items = sorted(a.items.all(), key=lambda i: (i.component.display_order, i.component.code))
        rows.append(HistoryRow(a, previous.base_salary if previous else None, change, ratio, items))
        previous = a
    rows.reverse()
    return rows


def open_assignment(employee: Employee) -> PayAssignment | None:
    return (
        PayAssignment.objects.filter(employee=employee, effective_to__isnull=True)
        .select_related("structure")
        .prefetch_related("items__component")
        .first()
    )


# --- period inputs --------------------------------------------------------------------------


def active_definitions() -> list[InputDefinition]:
    """Active inputs in the order they were defined (the grid's and the template's columns)."""
    return list(InputDefinition.objects.filter(is_active=True).order_by("pk"))


@dataclass
class GridRow:
    employee: Employee
    locked: bool
    values: list[tuple[InputDefinition, Decimal | None]]


def input_grid(employees: list[Employee], period: date, definitions: list[InputDefinition]) -> list[GridRow]:
    """The stored values of a page of employees for a month (two queries whatever the page size)."""
    ids = [e.pk for e in employees]
    stored: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for employee_id, definition_id, value in PeriodInput.objects.filter(
        employee_id__in=ids, period=period, definition__in=definitions
    ).values_list("employee_id", "definition_id", "value"):
        stored[employee_id][definition_id] = value
    locked = locked_employee_ids(period, ids) if ids else set()
    return [GridRow(e, e.pk in locked, [(d, stored[e.pk].get(d.pk)) for d in definitions]) for e in employees]


def stored_values(period: date, employee_ids, definition_ids) -> dict[tuple[int, int], Decimal]:
    return {
        (e, d): v
        for e, d, v in PeriodInput.objects.filter(
            period=period, employee_id__in=list(employee_ids), definition_id__in=list(definition_ids)
        ).values_list("employee_id", "definition_id", "value")
    }


# --- declarations ---------------------------------------------------------------------------


def with_declarations(employees: QuerySet[Employee], year: int) -> QuerySet[Employee]:
    return employees.prefetch_related(
        Prefetch("tax_declarations", queryset=TaxDeclaration.objects.filter(year=year), to_attr="declarations_of_year")
    )


def declared_filter(employees: QuerySet[Employee], year: int, declared: bool) -> QuerySet[Employee]:
    has = Exists(TaxDeclaration.objects.filter(employee=OuterRef("pk"), year=year))
    return employees.filter(has) if declared else employees.exclude(has)


# --- adjustments ----------------------------------------------------------------------------


def adjustments_visible_to(user) -> QuerySet[PayAdjustment]:
    return (
        PayAdjustment.objects.filter(employee__in=employees_visible_to(user).values("pk"))
        .select_related("employee", "employee__department", "corrects_run", "created_by")
        .order_by("-period", "employee__employee_no", "-created_at")
    )


def raise_guideline(employee) -> dict | None:
    """The employee's latest released performance rating and the raise it allows (the rating
    table's raise guideline), or None without a released rating. performance is imported here:
    it depends on payroll."""
    from performance.selectors import latest_rating

    review = latest_rating(employee)
    if review is None:
        return None
    level = review.final_rating
    limit = level.raise_up_to
    shown = limit.quantize(Decimal(1)) if limit == limit.to_integral() else limit.normalize()
    return {
        "review": review,
        "rating": level.code,
        "cycle": review.cycle.name,
        "limit": limit,
        "limit_text": f"{shown:f}%",
    }

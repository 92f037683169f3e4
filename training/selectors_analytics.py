"""Rows for the training analytics, in a fixed number of queries whatever the headcount."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from employees.analytics import DepartmentRow, DepartmentTree
from employees.models import Department, Employee
from exams.models import ExamAttempt

from . import analytics as a
from .models import ComplianceIncident, Course, Enrollment


def tree() -> DepartmentTree:
    return DepartmentTree(
        [
            DepartmentRow(id=d.pk, name=d.name, path=d.path, kind=d.kind, location_id=d.location_id)
            for d in Department.objects.all()
        ]
    )


def course_rates() -> list[a.Rate]:
    courses = {c.pk: c.title for c in Course.objects.filter(is_active=True).order_by("title")}
    counts = [
        a.EnrolmentCount(row["course_id"], row["status"], row["n"])
        for row in Enrollment.objects.values("course_id", "status").annotate(n=Count("pk"))
    ]
    exam_of = dict(Course.objects.filter(exam__isnull=False).values_list("pk", "exam_id"))
    people = defaultdict(lambda: [set(), set()])
    for exam_id, employee_id, passed in ExamAttempt.objects.filter(
        employee__isnull=False, exam_id__in=set(exam_of.values()), status__in=["submitted", "expired"]
    ).values_list("exam_id", "employee_id", "passed"):
        people[exam_id][0].add(employee_id)
        if passed:
            people[exam_id][1].add(employee_id)
    exam_people = {cid: (len(people[eid][0]), len(people[eid][1])) for cid, eid in exam_of.items()}
    return a.flag_lagging(a.completion_rates(counts, courses, exam_people))


def department_rates(today: date) -> list[a.Rate]:
    t = tree()
    paths = dict(Department.objects.values_list("pk", "path"))
    labels = {u.id: u.name for u in t.units}

    def unit(dept_id):
        return t.unit_of(paths[dept_id]) if dept_id in paths else None

    counts = defaultdict(int)
    for row in Enrollment.objects.values("employee__department_id", "status").annotate(n=Count("pk")):
        counts[(unit(row["employee__department_id"]), row["status"])] += row["n"]
    since = today - timedelta(days=365)
    hours = defaultdict(Decimal)
    for dept_id, h in (
        Enrollment.objects.filter(status="completed", completed_at__date__gt=since)
        .values("employee__department_id")
        .annotate(h=Sum("hours"))
        .values_list("employee__department_id", "h")
    ):
        hours[unit(dept_id)] += h or 0
    heads = defaultdict(int)
    for dept_id, n in (
        Employee.objects.exclude(status="left")
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    ):
        heads[unit(dept_id)] += n
    incidents = defaultdict(int)
    for dept_id, n in (
        ComplianceIncident.objects.filter(occurred_on__gt=since)
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    ):
        incidents[unit(dept_id)] += n
    rates = a.completion_rates([a.EnrolmentCount(k[0], k[1], n) for k, n in counts.items()], labels)
    return a.flag_departments(rates, incidents, heads, hours)


def employee_hours(today: date, *, limit: int = 20):
    """Hours per current employee in the last 12 months: the least and the most trained."""
    since = today - timedelta(days=365)
    qs = (
        Employee.objects.exclude(status="left")
        .annotate(
            hours=Sum(
                "enrollments__hours",
                filter=Q(enrollments__status="completed", enrollments__completed_at__date__gt=since),
            )
        )
        .values("pk", "name", "employee_no", "department__name", "hours")
    )
    rows = [{**r, "hours": r["hours"] or Decimal("0")} for r in qs]
    rows.sort(key=lambda r: (r["hours"], r["employee_no"]))
    return rows[:limit], list(reversed(rows[-limit:])), a.hours_histogram(r["hours"] for r in rows)

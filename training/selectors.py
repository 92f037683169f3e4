"""Reads of training data, scoped by hrsuite.scoping (HR: everyone; a manager: their team; an
employee: themselves)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from hrsuite.scoping import scope_for

from .choices import EnrollmentStatus
from .models import Course, Enrollment


def courses_with_stats() -> QuerySet[Course]:
    return Course.objects.select_related("exam").annotate(
        enrolled=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)),
        completed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.COMPLETED)),
        closed=Count(
            "enrollments",
            filter=Q(
                enrollments__status__in=[
                    EnrollmentStatus.COMPLETED,
                    EnrollmentStatus.NO_SHOW,
                    EnrollmentStatus.CANCELLED,
                ]
            ),
        ),
    )


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    scope = scope_for(user)
    if scope.is_empty:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(scope.employees_q(prefix="employee__")).select_related(
        "employee", "employee__department", "course", "session"
    )


def my_enrollments(employee_id: int) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(employee_id=employee_id)
        .select_related("course", "course__exam", "session")
        .prefetch_related("course__materials")  # listed under each course on /me/training/
        .order_by("status", "due_date", "-enrolled_at")
    )


def open_courses_for_self_enrolment(employee_id: int) -> QuerySet[Course]:
    taken = Enrollment.objects.filter(
        employee_id=employee_id, status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED]
    )
    return (
        Course.objects.filter(is_active=True, self_enrol=True)
        .exclude(pk__in=taken.values("course_id"))
        .prefetch_related("sessions")
        .order_by("title")
    )


def overdue(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    return qs.filter(status=EnrollmentStatus.ENROLLED, due_date__lt=timezone.localdate())


def hours_by_employee(qs: QuerySet[Enrollment]):
    return (
        qs.filter(status=EnrollmentStatus.COMPLETED)
        .values("employee_id", "employee__name", "employee__employee_no", "employee__department__name")
        .annotate(hours=Sum("hours"), courses=Count("pk"))
        .order_by("-hours")
    )

"""Courses, sessions, materials, requirements and enrolments: the writes of the course side of
training (qualifications live in services_qualifications.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.models import Employee
from hrsuite.notifications.services import notify
from hrsuite.uploads import MATERIAL_TYPES, check_upload, private_path

from .choices import EnrollmentSource, EnrollmentStatus
from .models import Course, CourseMaterial, CourseRequirement, CourseSession, Enrollment


@transaction.atomic
def course_save(*, course: Course) -> Course:
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def session_save(*, session: CourseSession) -> CourseSession:
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    if session.pk:
        taken = session.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
        if session.capacity < taken:
            raise ValidationError(
                {"capacity": _("%(n)s people are already enrolled; the capacity cannot be lower.") % {"n": taken}}
            )
    session.save()
    return session


@transaction.atomic
def material_add(*, course: Course, title: str, url: str = "", upload=None) -> CourseMaterial:
    if not url and upload is None:
        raise ValidationError(_("Give a link or choose a file."))
    material = CourseMaterial(course=course, title=title, url=url)
    if upload is not None:
        checked = check_upload(upload, allowed=MATERIAL_TYPES)
        material.file = default_storage.save(private_path("course-materials", checked.extension), upload)
        material.original_name = checked.original_name
        material.content_type = checked.content_type
    material.save()
    return material


@transaction.atomic
def requirement_save(*, requirement: CourseRequirement) -> CourseRequirement:
    requirement.full_clean()
    requirement.save()
    return requirement


def _due_for(requirement: CourseRequirement, hire_date: date | None, today: date) -> date:
    """A fixed date, or N days after hire; people hired before the requirement existed get the
    same N days from today."""
    if requirement.due_date:
        return requirement.due_date
    start = max(hire_date or today, today)
    return start + timedelta(days=requirement.due_days_after_hire or 0)


@transaction.atomic
def enroll(
    *,
    employee: Employee,
    course: Course,
    source: str,
    actor=None,
    session: CourseSession | None = None,
    due_date: date | None = None,
) -> Enrollment:
    """Enrol someone; an open enrolment of the same course is returned instead of a second one."""
    if not course.is_active:
        raise ValidationError(_("This course is closed for enrolment."))
    if source == EnrollmentSource.SELF and not course.self_enrol:
        raise ValidationError(_("This course is by invitation only; ask HR or your manager to enrol you."))
    if employee.status == "left":
        raise ValidationError(_("%(name)s has left the company.") % {"name": employee.name})
    existing = Enrollment.objects.filter(employee=employee, course=course, status=EnrollmentStatus.ENROLLED).first()
    if existing is not None:
        if session is not None and existing.session_id != session.pk:
            _check_capacity(session)
            existing.session = session
            existing.save(update_fields=["session"])
        return existing
    if session is not None:
        if session.course_id != course.pk:
            raise ValidationError(_("This session belongs to another course."))
        _check_capacity(session)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                employee=employee, course=course, session=session, source=source, due_date=due_date, enrolled_by=actor
            )
    except IntegrityError:  # enrolled a moment ago by someone else
        return Enrollment.objects.get(employee=employee, course=course, status=EnrollmentStatus.ENROLLED)
    if employee.user_id and source != EnrollmentSource.SELF:
        transaction.on_commit(
            lambda: notify(
                recipients=[employee.user],
                key=f"enrolment:{enrollment.pk}",
                message=gettext_noop("You were enrolled in the course %(course)s."),
                params={"course": course.title},
                url="/me/training/",
            )
        )
    return enrollment


def _check_capacity(session: CourseSession) -> None:
    locked = CourseSession.objects.select_for_update().get(pk=session.pk)
    taken = locked.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
    if taken >= locked.capacity:
        raise ValidationError(
            _("This session is full (%(n)s places). Choose another session.") % {"n": locked.capacity}
        )
    if locked.starts_at <= timezone.now():
        raise ValidationError(_("This session has already started."))


@transaction.atomic
def enroll_many(*, employees, course: Course, source: str, actor=None, due_date: date | None = None) -> int:
    made = 0
    for employee in employees:
        before = Enrollment.objects.filter(employee=employee, course=course, status=EnrollmentStatus.ENROLLED).exists()
        enroll(employee=employee, course=course, source=source, actor=actor, due_date=due_date)
        made += 0 if before else 1
    return made


@transaction.atomic
def attendance_set(*, enrollment: Enrollment, attended: bool) -> Enrollment:
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Attendance can only be recorded for an open enrolment."))
    enrollment.attended = attended
    enrollment.save(update_fields=["attended"])
    return enrollment


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, when=None) -> Enrollment:
    """Mark a course completed and credit its hours (idempotent)."""
    enrollment = Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment.pk)
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return enrollment
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Only an open enrolment can be completed."))
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = when or timezone.now()
    enrollment.hours = enrollment.course.hours
    enrollment.attended = enrollment.attended or enrollment.session_id is not None
    enrollment.save(update_fields=["status", "completed_at", "hours", "attended"])
    return enrollment


@transaction.atomic
def enrollment_close(*, enrollment: Enrollment, status: str) -> Enrollment:
    """No-show or cancellation."""
    if status not in (EnrollmentStatus.NO_SHOW, EnrollmentStatus.CANCELLED):
        raise ValueError(status)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("This enrolment is already closed."))
    enrollment.status = status
    enrollment.save(update_fields=["status"])
    return enrollment


def complete_by_exam(attempt) -> int:
    """An employee passed an exam: complete their open enrolments of courses that use it."""
    if not attempt.passed or attempt.employee_id is None:
        return 0
    done = 0
    for enrollment in Enrollment.objects.filter(
        employee_id=attempt.employee_id, course__exam_id=attempt.exam_id, status=EnrollmentStatus.ENROLLED
    ):
        enrollment_complete(enrollment=enrollment, when=attempt.submitted_at)
        done += 1
    return done


def required_enrollments(*, today: date | None = None) -> int:
    """Daily: enrol everyone a requirement applies to who has neither an open nor a completed
    enrolment of the course. Idempotent (the open-enrolment constraint decides)."""
    today = today or timezone.localdate()
    created = 0
    for req in CourseRequirement.objects.select_related("course", "department").filter(course__is_active=True):
        # nobody leaving (or whose access was revoked) is enrolled in new required courses
        people = Employee.objects.exclude(status__in=["left", "leaving"])
        cond = Q()
        if req.position_id:
            cond |= Q(position_id=req.position_id)
        if req.department_id:
            cond |= Q(department__path__startswith=req.department.path)
        people = people.filter(cond).exclude(
            enrollments__course=req.course,
            enrollments__status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED],
        )
        rows = [
            Enrollment(
                employee_id=pk,
                course=req.course,
                source=EnrollmentSource.REQUIREMENT,
                due_date=_due_for(req, hire, today),
            )
            for pk, hire in people.values_list("pk", "hire_date")
        ]
        Enrollment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        created += len(rows)
    return created


def hours_of(enrollments) -> Decimal:
    return sum((e.hours for e in enrollments), Decimal("0"))


@transaction.atomic
def incident_record(*, incident, actor):
    """Record a compliance incident (audited through the audit-log registration)."""
    incident.created_by = actor
    incident.full_clean()
    incident.save()
    return incident

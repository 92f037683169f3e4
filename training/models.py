"""Training and qualification compliance: courses, sessions, enrolments and requirements;
certificate types, which positions require which, employees' certificates (status computed from
dates when read); compliance incidents for the analytics; HR's reminder settings."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Position
from hrsuite.constraints import one_of

from .choices import (
    CourseMode,
    EnrollmentSource,
    EnrollmentStatus,
    IncidentSeverity,
    VerificationStatus,
)


class Course(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=CourseMode.choices, default=CourseMode.ONLINE)
    category = models.CharField(_("category"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    self_enrol = models.BooleanField(_("open for self-enrolment"), default=True)
    exam = models.ForeignKey(
        "exams.Exam", verbose_name=_("exam"), null=True, blank=True, on_delete=models.SET_NULL, related_name="courses",
        help_text=_("Passing it completes the course (online courses)."),
    )  # fmt: skip
    feedback_survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("feedback survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=one_of("mode", CourseMode), name="course_mode_valid"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class CourseMaterial(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), blank=True, max_length=255)
    original_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["course", "display_order", "pk"]
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        constraints = [models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="material_has_link_or_file")]

    def __str__(self) -> str:
        return self.title


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} {self.starts_at:%Y-%m-%d %H:%M}"


class CourseRequirement(models.Model):
    """A course required for a position or a department (subtree), due some days after hire or
    by a fixed date."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="requirements")
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_days_after_hire = models.PositiveSmallIntegerField(_("due within days of hire"), null=True, blank=True)

    class Meta:
        verbose_name = _("course requirement")
        verbose_name_plural = _("course requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=False) | Q(department__isnull=False), name="requirement_has_target"
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=False) | Q(due_days_after_hire__isnull=False), name="requirement_has_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} ← {self.position or self.department}"


class Enrollment(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrollments")
    session = models.ForeignKey(
        CourseSession,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    source = models.CharField(_("source"), max_length=20, choices=EnrollmentSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1, default=0)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(condition=one_of("source", EnrollmentSource), name="enrollment_source_valid"),
            models.CheckConstraint(condition=one_of("status", EnrollmentStatus), name="enrollment_status_valid"),
            # one open enrolment per person and course: enrolling twice (or a reminder job
            # running twice) cannot duplicate it
            models.UniqueConstraint(
                fields=["employee", "course"], condition=Q(status="enrolled"), name="enrollment_one_open"
            ),
        ]
        indexes = [models.Index(fields=["course", "status"], name="enrollment_course_status_idx")]

    def __str__(self) -> str:
        return f"{self.employee.name} · {self.course.code}"


class TrainingSettings(models.Model):
    """HR-editable policy (one row): when certificate reminders go out."""

    reminder_days = models.JSONField(
        _("reminder days before expiry"), default=list, help_text=_("For example 30, 7 and 0 (the day itself).")
    )
    expiring_within_days = models.PositiveSmallIntegerField(_("'expiring' means within days"), default=30)
    notify_manager = models.BooleanField(_("also remind the manager"), default=True)
    notify_hr = models.BooleanField(_("also remind HR"), default=True)
    auto_enrol_refresher = models.BooleanField(_("enrol in the refresher course automatically"), default=True)

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self) -> str:
        return "training settings"

    @classmethod
    def current(cls) -> TrainingSettings:
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create(reminder_days=[30, 7, 0])
        return obj


class CertificateType(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True, help_text=_("Empty: does not expire.")
    )
    refresher_course = models.ForeignKey(
        Course, verbose_name=_("refresher course"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")

    def __str__(self) -> str:
        return self.name


class CertificateRequirement(models.Model):
    """Which positions require which certificates."""

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.CASCADE, related_name="certificate_requirements"
    )
    certificate_type = models.ForeignKey(
        CertificateType, verbose_name=_("certificate type"), on_delete=models.CASCADE, related_name="requirements"
    )
    grace_days = models.PositiveSmallIntegerField(_("days a new hire has to obtain it"), default=0)

    class Meta:
        verbose_name = _("certificate requirement")
        verbose_name_plural = _("certificate requirements")
        constraints = [
            models.UniqueConstraint(fields=["position", "certificate_type"], name="certificate_requirement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position} → {self.certificate_type}"


class EmployeeCertificate(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="certificates"
    )
    certificate_type = models.ForeignKey(
        CertificateType, verbose_name=_("certificate type"), on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(_("certificate number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    scan = models.FileField(_("scan"), blank=True, max_length=255)
    scan_name = models.CharField(max_length=120, blank=True)
    scan_type = models.CharField(max_length=100, blank=True)
    verification = models.CharField(
        _("verification"), max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "certificate_type", "-expires_on"]
        verbose_name = _("employee certificate")
        verbose_name_plural = _("employee certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="certificate_expiry_after_issue",
            ),
            models.CheckConstraint(
                condition=one_of("verification", VerificationStatus), name="certificate_verification_valid"
            ),
            models.UniqueConstraint(fields=["certificate_type", "number"], name="certificate_number_unique"),
        ]
        indexes = [models.Index(fields=["employee", "certificate_type"], name="certificate_employee_type_idx")]

    def __str__(self) -> str:
        return f"{self.employee.name} · {self.certificate_type.name} · {self.number}"

    def status_on(self, day: date, expiring_within_days: int = 30) -> str:
        from .compliance import certificate_status

        return certificate_status(self.expires_on, day, expiring_within_days)


class ComplianceIncident(models.Model):
    """A compliance incident HR records against a department (for the training analytics:
    "a branch with 100% completion but more incidents")."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("occurred on"))
    severity = models.CharField(_("severity"), max_length=10, choices=IncidentSeverity.choices)
    summary = models.CharField(_("summary"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("compliance incident")
        verbose_name_plural = _("compliance incidents")
        constraints = [
            models.CheckConstraint(condition=one_of("severity", IncidentSeverity), name="incident_severity_valid")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.occurred_on} {self.summary[:30]}"

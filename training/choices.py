from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseMode(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Classroom")
    BLENDED = "blended", _("Blended")


class EnrollmentSource(models.TextChoices):
    HR = "hr", _("Enrolled by HR")
    MANAGER = "manager", _("Enrolled by the manager")
    SELF = "self", _("Self-enrolled")
    REQUIREMENT = "requirement", _("Required for the role")
    REFRESHER = "refresher", _("Certificate refresher")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Did not attend")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_ENROLLMENT = (EnrollmentStatus.ENROLLED,)


class CertificateStatus(models.TextChoices):
    """Computed from dates when read, never stored."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    MISSING = "missing", _("Missing")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for HR")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")


class OkrStatus(models.TextChoices):
    """An OKR cycle: objectives are drafted, then progress is updated while open; closed is final."""

    DRAFT = "draft", _("Planning")
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class ObjectiveLevel(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    INDIVIDUAL = "individual", _("Individual")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReviewCycleStatus(models.TextChoices):
    """A review cycle's stage; the moves between them are in workflows.py."""

    DRAFT = "draft", _("Draft")
    ASSESSMENT = "assessment", _("Self and manager assessment")
    CALIBRATION = "calibration", _("Calibration")
    RELEASED = "released", _("Results released")
    CLOSED = "closed", _("Closed")


# the stages of a review cycle under way (launched, not yet closed)
OPEN_REVIEW_STAGES = (ReviewCycleStatus.ASSESSMENT, ReviewCycleStatus.CALIBRATION, ReviewCycleStatus.RELEASED)


class ReviewStatus(models.TextChoices):
    SELF = "self", _("Awaiting self-assessment")
    MANAGER = "manager", _("Awaiting manager assessment")
    RATED = "rated", _("Rated")
    RELEASED = "released", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")

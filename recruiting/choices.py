from django.db import models
from django.utils.translation import gettext_lazy as _


class RequisitionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FILLED = "filled", _("Filled")
    CANCELLED = "cancelled", _("Cancelled")


class PostingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Stage(models.TextChoices):
    """Pipeline stages, in board order. The moves allowed between them are in workflows.py."""

    APPLIED = "applied", _("Applied")
    SCREENING = "screening", _("Screening")
    ASSESSMENT = "assessment", _("Assessment")
    INTERVIEW = "interview", _("Interview")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")


class Source(models.TextChoices):
    CAREERS = "careers", _("Careers page")
    REFERRAL = "referral", _("Employee referral")
    JOB_BOARD = "job_board", _("Job board")
    AGENCY = "agency", _("Agency")
    CAMPUS = "campus", _("Campus recruiting")
    OTHER = "other", _("Other")


class InterviewKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    ONSITE = "onsite", _("On site")


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Recommendation(models.TextChoices):
    STRONG_YES = "strong_yes", _("Strong hire")
    YES = "yes", _("Hire")
    NO = "no", _("No hire")
    STRONG_NO = "strong_no", _("Strong no hire")


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting HR approval")
    APPROVED = "approved", _("Approved, sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TaskOwner(models.TextChoices):
    HR = "hr", _("HR")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("New employee")


class TaskKind(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    ACCOUNT = "account", _("Accounts and access")
    TRAINING = "training", _("Required training")
    PAPERWORK = "paperwork", _("Paperwork")
    OTHER = "other", _("Other")

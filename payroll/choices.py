from django.db import models
from django.utils.translation import gettext_lazy as _


class ComponentKind(models.TextChoices):
    EARNING = "earning", _("Earning")
    DEDUCTION = "deduction", _("Deduction")
    EMPLOYER_COST = "employer_cost", _("Employer cost")
    INFO = "info", _("Information only")


class Rounding(models.TextChoices):
    FEN = "fen", _("To the fen (0.01)")
    JIAO = "jiao", _("To the jiao (0.1)")
    YUAN = "yuan", _("To the yuan (1)")
    NONE = "none", _("No rounding")


class InputKind(models.TextChoices):
    AMOUNT = "amount", _("Amount (CNY)")
    NUMBER = "number", _("Number")
    RATE = "rate", _("Rate or share")
    HOURS = "hours", _("Hours")
    DAYS = "days", _("Days")


class Scheme(models.TextChoices):
    PENSION = "pension", _("Pension")
    MEDICAL = "medical", _("Medical")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    WORK_INJURY = "work_injury", _("Work injury")
    MATERNITY = "maternity", _("Maternity")
    HOUSING_FUND = "housing_fund", _("Housing fund")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CALCULATING = "calculating", _("Calculating")
    CALCULATED = "calculated", _("Calculated")
    APPROVED = "approved", _("Approved")
    FINALIZED = "finalized", _("Finalized")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


# statuses in which a run and its slips can no longer change (enforced by a database trigger)
LOCKED_STATUSES = (RunStatus.FINALIZED, RunStatus.PUBLISHED)
OPEN_STATUSES = (RunStatus.DRAFT, RunStatus.CALCULATING, RunStatus.CALCULATED, RunStatus.APPROVED)


class SlipStatus(models.TextChoices):
    OK = "ok", _("Calculated")
    ERROR = "error", _("Error")


class LineSource(models.TextChoices):
    COMPONENT = "component", _("Component")
    SYSTEM = "system", _("Statutory")
    ADJUSTMENT = "adjustment", _("Adjustment")

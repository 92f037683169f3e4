from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeedbackCategory(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", pgettext_lazy("feedback", "Question")  # not an exam's question
    PRAISE = "praise", _("Praise")


class ThreadStatus(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    ANSWERED = "answered", pgettext_lazy("feedback", "Answered")  # replied to, not a survey answered
    CLOSED = "closed", _("Closed")


class ReplyAuthor(models.TextChoices):
    POSTER = "poster", _("The poster")
    HR = "hr", _("HR")
    HEAD = "head", _("Department head")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", pgettext_lazy("project", "Cancelled")  # not a withdrawn resignation

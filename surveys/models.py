"""Surveys: questions, invitations to the targeted people, one response each.

For an anonymous survey the response is stored without any link to the person: the invitation
only records *that* it was answered (so nobody answers twice), and the response keeps the
department for group results, which are shown only above a minimum group size.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee
from hrsuite.constraints import one_of


class SurveyKind(models.TextChoices):
    NEEDS = "needs", _("Training needs")
    FEEDBACK = "feedback", _("Course feedback")
    ENGAGEMENT = "engagement", _("Engagement")
    EXIT = "exit", _("Exit interview")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    CHOICE = "choice", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Free text")


class Survey(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices)
    description = models.TextField(_("introduction"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown"), default=1, help_text=_("Results of a group with fewer answers are hidden.")
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    round_of = models.ForeignKey(
        "self",
        verbose_name=_("earlier round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="later_rounds",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", SurveyKind), name="survey_kind_valid"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="survey_closes_after_opening"),
            models.CheckConstraint(condition=Q(min_group_size__gte=1), name="survey_min_group_positive"),
            # an anonymous survey never shows a group of fewer than five (surveys.results.ANONYMOUS_MIN_GROUP)
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(min_group_size__gte=5), name="survey_anonymous_min_group"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    display_order = models.PositiveSmallIntegerField(default=0)
    topic = models.CharField(_("topic"), max_length=50, blank=True, help_text=_("Groups questions across rounds."))

    class Meta:
        ordering = ["survey", "display_order", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", QuestionKind), name="survey_question_kind_valid")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class SurveyInvitation(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="survey_invitations")
    invited_at = models.DateTimeField(auto_now_add=True)
    # Set when the person answers. For an anonymous survey every respondent gets the same value,
    # the survey's opening time: it only records *that* they answered. Their own date would match
    # the response's `submitted_on` on any day with a single answer and so single them out.
    answered_at = models.DateTimeField(
        null=True, blank=True, help_text="Anonymous surveys: the survey's opening time for everyone (answered: yes/no)."
    )

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "employee"], name="survey_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.employee}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # empty for anonymous surveys: nothing ties the answers to the person
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answers = models.JSONField(default=dict)
    submitted_on = models.DateField(help_text="A date only: a timestamp could single out an anonymous answer.")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey} {self.submitted_on}"

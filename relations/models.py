"""Employee relations: the anonymous feedback box and cross-department collaboration projects.

The feedback box stores no identity. A thread has no user, employee, IP address, user agent or
session; its key is random (a sequence would order posts against other tables' rows) and it
keeps the day it was posted, not the time (a timestamp could be matched against someone's
activity). The poster follows the thread with a one-time secret shown once at posting; only a
hash of it is stored. Engagement surveys reuse the survey engine (surveys.*)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee
from hrsuite.constraints import one_of

from .choices import FeedbackCategory, ProjectStatus, ReplyAuthor, ThreadStatus

USER = settings.AUTH_USER_MODEL
BODY_MAX = 2000
SUBJECT_MAX = 120


class FeedbackThread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    category = models.CharField(_("category"), max_length=12, choices=FeedbackCategory.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The department whose head should answer; empty: HR."),
    )
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(_("feedback"), max_length=BODY_MAX)
    is_public = models.BooleanField(
        _("visible to all employees"),
        default=True,
        help_text=_("Otherwise only HR and the addressed department head read it."),
    )
    posted_on = models.DateField(_("posted on"))
    secret_hash = models.CharField(max_length=128, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_on = models.DateField(_("hidden on"), null=True, blank=True)
    notified = models.BooleanField(default=False, editable=False)  # included in a digest to HR / the head

    class Meta:
        ordering = ["-posted_on", "id"]
        verbose_name = _("feedback thread")
        verbose_name_plural = _("feedback threads")
        constraints = [
            models.CheckConstraint(condition=one_of("category", FeedbackCategory), name="feedback_category_valid"),
            models.CheckConstraint(condition=one_of("status", ThreadStatus), name="feedback_status_valid"),
            models.CheckConstraint(condition=Q(hidden=False) | ~Q(hidden_reason=""), name="feedback_hidden_has_reason"),
        ]

    def __str__(self) -> str:
        return self.subject


class FeedbackReply(models.Model):
    """A public reply on a thread: by HR or the addressed department head (named by role, with
    the replying user kept for accountability), or by the poster through their secret (no user)."""

    thread = models.ForeignKey(FeedbackThread, on_delete=models.CASCADE, related_name="replies")
    author_kind = models.CharField(_("from"), max_length=10, choices=ReplyAuthor.choices)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("reply"), max_length=BODY_MAX)
    posted_on = models.DateField(_("posted on"))
    seq = models.PositiveIntegerField(default=0)  # order within the thread (no timestamps: see the module docstring)

    class Meta:
        ordering = ["thread", "seq"]
        verbose_name = _("feedback reply")
        verbose_name_plural = _("feedback replies")
        constraints = [
            models.CheckConstraint(condition=one_of("author_kind", ReplyAuthor), name="feedback_reply_author_valid"),
            # the poster's replies carry no user
            models.CheckConstraint(
                condition=~Q(author_kind=ReplyAuthor.POSTER) | Q(author__isnull=True), name="poster_reply_has_no_user"
            ),
            models.UniqueConstraint(fields=["thread", "seq"], name="feedback_reply_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.thread} #{self.seq}"


class CollaborationProject(models.Model):
    """A cross-department project (sales and product studying customer needs, say)."""

    name = models.CharField(_("project"), max_length=200)
    goal = models.TextField(_("goal"), max_length=2000, blank=True)
    lead = models.ForeignKey(
        Employee, verbose_name=_("project lead"), on_delete=models.PROTECT, related_name="led_projects"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    bonus_budget = models.DecimalField(
        _("bonus budget (CNY)"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("collaboration project")
        verbose_name_plural = _("collaboration projects")
        constraints = [
            models.CheckConstraint(condition=one_of("status", ProjectStatus), name="project_status_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="project_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(bonus_budget__gte=0), name="project_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    """A member's part in a project: their role, share of time, and the lead's record of their
    participation and contribution. `department` is the member's department when they joined."""

    project = models.ForeignKey(CollaborationProject, on_delete=models.CASCADE, related_name="members")
    employee = models.ForeignKey(
        Employee, verbose_name=_("member"), on_delete=models.PROTECT, related_name="project_memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(_("role in the project"), max_length=100, blank=True)
    time_share = models.PositiveSmallIntegerField(_("time share (%)"), default=20, validators=[MinValueValidator(1)])
    participation = models.PositiveSmallIntegerField(
        _("participation (%)"), null=True, blank=True, help_text=_("Meetings and tasks attended, 0–100.")
    )
    contribution = models.PositiveSmallIntegerField(
        _("contribution (1–5)"), null=True, blank=True, help_text=_("The lead's rating of the member's contribution.")
    )
    contribution_note = models.CharField(_("contribution"), max_length=500, blank=True)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        ordering = ["project", "department", "employee"]
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "employee"], name="project_member_unique"),
            models.CheckConstraint(condition=Q(time_share__gte=1, time_share__lte=100), name="member_time_share_range"),
            models.CheckConstraint(
                condition=Q(participation__isnull=True) | Q(participation__lte=100), name="member_participation_range"
            ),
            models.CheckConstraint(
                condition=Q(contribution__isnull=True) | Q(contribution__gte=1, contribution__lte=5),
                name="member_contribution_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.employee}"


class CollaborationBonus(models.Model):
    """A collaboration bonus for a member, paid in the pay run of `month`: the member's bonuses of
    a month are summed into the payroll period input (settings.HRSUITE_COLLABORATION_BONUS_INPUT)."""

    project = models.ForeignKey(CollaborationProject, on_delete=models.PROTECT, related_name="bonuses")
    member = models.ForeignKey(
        ProjectMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="bonuses"
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    month = models.DateField(_("pay month"), help_text=_("The first day of the month whose pay includes it."))
    reason = models.CharField(_("reason"), max_length=300)
    awarded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-pk"]
        verbose_name = _("collaboration bonus")
        verbose_name_plural = _("collaboration bonuses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="collaboration_bonus_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="collaboration_bonus_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.amount} ({self.month:%Y-%m})"

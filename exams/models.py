"""Question banks, exams drawn from them, and attempts graded automatically.

An attempt belongs to an employee (training) or to nobody (a candidate's online assessment,
linked from recruiting); the questions drawn and the order of their choices are frozen on the
attempt when it starts, so grading and review never depend on later edits of the bank.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from employees.models import Employee
from hrsuite.constraints import one_of


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Time ran out")


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("Shown after submitting."))
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["bank", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", QuestionKind), name="question_kind_valid"),
            models.CheckConstraint(condition=Q(points__gt=0), name="question_points_positive"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "display_order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text[:60]


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=200)
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="exams"
    )
    question_count = models.PositiveSmallIntegerField(_("questions drawn"))
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=2)
    shuffle = models.BooleanField(_("shuffle questions and answers"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="exam_pass_mark_percent"),
            models.CheckConstraint(condition=Q(question_count__gt=0), name="exam_has_questions"),
            models.CheckConstraint(condition=Q(time_limit_minutes__gt=0), name="exam_has_time_limit"),
            models.CheckConstraint(condition=Q(attempts_allowed__gt=0), name="exam_allows_an_attempt"),
        ]

    def __str__(self) -> str:
        return self.title


class ExamAttempt(models.Model):
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="attempts")
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exam_attempts",
    )
    taker_label = models.CharField(
        _("taker"), max_length=100, blank=True, help_text=_("A candidate's name, for assessments.")
    )
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    paper = models.JSONField(default=list, help_text="[{question, choices: [ids in shown order]}]")
    answers = models.JSONField(default=dict, blank=True, help_text="{question id: [choice ids]}")
    points = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    max_points = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        constraints = [
            models.CheckConstraint(condition=one_of("status", AttemptStatus), name="attempt_status_valid"),
            models.UniqueConstraint(
                fields=["exam", "employee", "number"], condition=Q(employee__isnull=False), name="attempt_number_unique"
            ),
            # one attempt in progress per employee and exam
            models.UniqueConstraint(
                fields=["exam", "employee"],
                condition=Q(employee__isnull=False, status="in_progress"),
                name="attempt_one_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam} #{self.number}"

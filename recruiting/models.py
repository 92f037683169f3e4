"""Recruiting: requisitions (headcount requests HR approves), job postings with weighted
keywords, candidates and their applications (a private resume, its extracted text and keyword
score), the pipeline's recorded moves, online assessments by expiring link, interviews with
scorecards, offers, and the onboarding checklist of a hire."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Grade, Position
from hrsuite.constraints import one_of

from .choices import (
    InterviewKind,
    InterviewStatus,
    OfferStatus,
    PostingStatus,
    Recommendation,
    RequisitionStatus,
    Source,
    Stage,
    TaskKind,
    TaskOwner,
)

USER = settings.AUTH_USER_MODEL


class Requisition(models.Model):
    """A manager's request for headcount; HR approves or rejects it."""

    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT)
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1)
    reason = models.TextField(_("reason"))
    budget_min = models.DecimalField(_("monthly budget from (CNY)"), max_digits=10, decimal_places=2)
    budget_max = models.DecimalField(_("monthly budget to (CNY)"), max_digits=10, decimal_places=2)
    hiring_manager = models.ForeignKey(
        Employee, verbose_name=_("hiring manager"), on_delete=models.PROTECT, related_name="requisitions"
    )
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=RequisitionStatus.choices, default=RequisitionStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        constraints = [
            models.CheckConstraint(condition=one_of("status", RequisitionStatus), name="requisition_status_valid"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="requisition_headcount_positive"),
            models.CheckConstraint(
                condition=Q(budget_min__gte=0) & Q(budget_max__gte=F("budget_min")), name="requisition_budget_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} × {self.headcount}"


class JobPosting(models.Model):
    """A job advertised from an approved requisition. Only published postings that have not
    closed are reachable on the public careers page."""

    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.PROTECT, related_name="postings"
    )
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("location"), max_length=100, blank=True)
    description = models.TextField(_("description"))
    requirements = models.TextField(_("requirements"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PostingStatus.choices, default=PostingStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    assessment = models.ForeignKey(
        "exams.Exam",
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
        help_text=_("The online assessment sent to candidates at the assessment stage."),
    )
    assessment_days = models.PositiveSmallIntegerField(
        _("assessment link valid for (days)"), default=7, help_text=_("How long an assessment link stays valid.")
    )
    created_by = models.ForeignKey(USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        constraints = [
            models.CheckConstraint(condition=one_of("status", PostingStatus), name="posting_status_valid"),
            models.CheckConstraint(
                condition=Q(assessment_days__gte=1) & Q(assessment_days__lte=60), name="posting_assessment_days_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PostingKeyword(models.Model):
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="keywords")
    term = models.CharField(_("term"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    must_have = models.BooleanField(_("must have"), default=False)

    class Meta:
        ordering = ["-must_have", "-weight", "term"]
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
        constraints = [
            models.UniqueConstraint(Lower("term"), "posting", name="keyword_unique_per_posting"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10), name="keyword_weight_range"),
        ]

    def __str__(self) -> str:
        return self.term


class Candidate(models.Model):
    """A person who applied; one record per e-mail address (lower-cased)."""

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    posting = models.ForeignKey(
        JobPosting, verbose_name=_("job posting"), on_delete=models.PROTECT, related_name="applications"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="applications"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.CAREERS)
    cover_letter = models.TextField(_("cover letter"), blank=True)
    # the resume: private storage, random name (hrsuite.uploads.private_path), served only through
    # a permission-checked, audited view
    resume = models.FileField(_("resume"), max_length=255)
    resume_name = models.CharField(_("resume file name"), max_length=255)
    resume_sha256 = models.CharField(max_length=64)
    resume_text = models.TextField(_("resume text"), blank=True)
    consent_at = models.DateTimeField(_("consent to data processing"))
    # keyword screening (recruiting.scoring), recomputed when the posting's keywords change
    score = models.DecimalField(_("keyword score"), max_digits=5, decimal_places=1, default=0)
    matched_terms = models.JSONField(default=list, blank=True)
    missing_must_haves = models.JSONField(default=list, blank=True)
    assessment_score = models.DecimalField(
        _("assessment score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    hired_employee = models.OneToOneField(
        Employee, verbose_name=_("employee record"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"), auto_now_add=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), auto_now_add=True)

    class Meta:
        ordering = ["-score", "applied_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(condition=one_of("stage", Stage), name="application_stage_valid"),
            models.CheckConstraint(condition=one_of("source", Source), name="application_source_valid"),
            models.UniqueConstraint(fields=["posting", "candidate"], name="application_once_per_posting"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.REJECTED) | ~Q(rejection_reason=""), name="application_rejection_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["posting", "stage", "-score"])]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.posting}"

    @property
    def must_haves_met(self) -> bool:
        return not self.missing_must_haves


class StageChange(models.Model):
    """One recorded move of an application (append-only)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_stage} → {self.to_stage}"


class AssessmentInvite(models.Model):
    """A private, expiring, single-use link to an online assessment. Only the SHA-256 of the
    token is stored; the token itself is in the link e-mailed to the candidate."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assessment_invites")
    exam = models.ForeignKey("exams.Exam", verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    used_at = models.DateTimeField(_("completed"), null=True, blank=True)
    attempt = models.OneToOneField(
        "exams.ExamAttempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="assessment_invite"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment invitation")
        verbose_name_plural = _("assessment invitations")

    def __str__(self) -> str:
        return f"{self.exam} → {self.application}"


class Interview(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(_("kind"), max_length=10, choices=InterviewKind.choices, default=InterviewKind.ONSITE)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place or link"), max_length=200, blank=True)
    interviewers = models.ManyToManyField(Employee, verbose_name=_("interviewers"), related_name="interviews")
    status = models.CharField(
        _("status"), max_length=20, choices=InterviewStatus.choices, default=InterviewStatus.SCHEDULED
    )
    scheduled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", InterviewKind), name="interview_kind_valid"),
            models.CheckConstraint(condition=one_of("status", InterviewStatus), name="interview_status_valid"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10) & Q(duration_minutes__lte=480), name="interview_duration_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Scorecard(models.Model):
    """An interviewer's structured assessment: a 1–5 rating per criterion (recruiting.scorecards
    names them), a recommendation and comments. One per interviewer and interview."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="scorecards")
    interviewer = models.ForeignKey(Employee, verbose_name=_("interviewer"), on_delete=models.PROTECT)
    ratings = models.JSONField(_("ratings"), default=dict)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices)
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["submitted_at"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(fields=["interview", "interviewer"], name="scorecard_once_per_interviewer"),
            models.CheckConstraint(condition=one_of("recommendation", Recommendation), name="scorecard_recommendation"),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} / {self.interview}"


class Offer(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="offer")
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT)
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT)
    monthly_salary = models.DecimalField(_("monthly salary (CNY)"), max_digits=10, decimal_places=2)
    start_date = models.DateField(_("start date"))
    probation_months = models.PositiveSmallIntegerField(_("probation (months)"), default=3)
    respond_by = models.DateField(_("respond by"))
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    letter_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(condition=one_of("status", OfferStatus), name="offer_status_valid"),
            models.CheckConstraint(condition=Q(monthly_salary__gt=0), name="offer_salary_positive"),
            models.CheckConstraint(condition=Q(probation_months__lte=6), name="offer_probation_max_6"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.monthly_salary}"


class OnboardingTask(models.Model):
    """One item of a new hire's onboarding checklist, owned by HR, the manager or the new
    employee; required-training items point at the course."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="onboarding_tasks")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="onboarding_tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.OTHER)
    owner = models.CharField(_("owner"), max_length=20, choices=TaskOwner.choices)
    due_on = models.DateField(_("due"))
    course = models.ForeignKey(
        "training.Course", null=True, blank=True, on_delete=models.SET_NULL, related_name="onboarding_tasks"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("onboarding task")
        verbose_name_plural = _("onboarding tasks")
        constraints = [
            models.CheckConstraint(condition=one_of("owner", TaskOwner), name="onboarding_owner_valid"),
            models.CheckConstraint(condition=one_of("kind", TaskKind), name="onboarding_kind_valid"),
            models.UniqueConstraint(fields=["employee", "title"], name="onboarding_task_once"),
        ]

    def __str__(self) -> str:
        return self.title

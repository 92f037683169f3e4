"""Performance: OKR cycles whose objectives cascade from the company to departments and people,
key results with weights and monthly progress, recurring check-in tasks; review cycles with a
self-assessment, a manager's rating, HR's calibration and the employee's acknowledgement; and
the rating table that turns a rating into the payroll performance coefficient and a raise
guideline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee
from hrsuite.constraints import one_of

from .choices import CycleKind, Frequency, ObjectiveLevel, OkrStatus, ReviewCycleStatus, ReviewStatus

USER = settings.AUTH_USER_MODEL
VALUE = {"max_digits": 16, "decimal_places": 4}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class OkrCycle(models.Model):
    """A year or a quarter of objectives."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CycleKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(_("status"), max_length=10, choices=OkrStatus.choices, default=OkrStatus.DRAFT)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-starts_on"]
        verbose_name = _("OKR cycle")
        verbose_name_plural = _("OKR cycles")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", CycleKind), name="okr_cycle_kind_valid"),
            models.CheckConstraint(condition=one_of("status", OkrStatus), name="okr_cycle_status_valid"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="okr_cycle_dates_ordered"),
            models.CheckConstraint(
                condition=(Q(kind=CycleKind.YEAR, quarter__isnull=True))
                | Q(kind=CycleKind.QUARTER, quarter__gte=1, quarter__lte=4),
                name="okr_cycle_quarter_matches_kind",
            ),
            models.UniqueConstraint(fields=["year"], condition=Q(kind=CycleKind.YEAR), name="okr_cycle_one_per_year"),
            models.UniqueConstraint(
                fields=["year", "quarter"], condition=Q(kind=CycleKind.QUARTER), name="okr_cycle_one_per_quarter"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == OkrStatus.CLOSED


class Objective(models.Model):
    """An objective of the company, a department or a person; `parent` is the objective it
    contributes to (company -> department -> individual)."""

    cycle = models.ForeignKey(OkrCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="objectives")
    level = models.CharField(_("level"), max_length=12, choices=ObjectiveLevel.choices)
    title = models.CharField(_("objective"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("aligned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner = models.ForeignKey(
        Employee,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "level", "order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.CheckConstraint(condition=one_of("level", ObjectiveLevel), name="objective_level_valid"),
            # a company objective belongs to nobody in particular; a department's names the
            # department; a person's names its owner (and the department they were in)
            models.CheckConstraint(
                condition=Q(level=ObjectiveLevel.COMPANY, owner__isnull=True, department__isnull=True)
                | Q(level=ObjectiveLevel.DEPARTMENT, department__isnull=False)
                | Q(level=ObjectiveLevel.INDIVIDUAL, owner__isnull=False),
                name="objective_level_fields",
            ),
            models.CheckConstraint(
                condition=~Q(level=ObjectiveLevel.COMPANY) | Q(parent__isnull=True),
                name="company_objective_has_no_parent",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "owner"], name="objective_cycle_owner_idx")]

    def __str__(self) -> str:
        return self.title


class KeyResult(models.Model):
    """A measurable result of an objective. Completion runs from `start_value` to
    `target_value` (either direction: a cost to bring down works too); the objective's
    completion is the weighted mean, weights totalling 100."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="key_results"
    )
    title = models.CharField(_("key result"), max_length=200)
    metric = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("For example: 万元, customers, %"))
    start_value = models.DecimalField(_("start"), **VALUE, default=Decimal(0))
    target_value = models.DecimalField(_("target"), **VALUE)
    current_value = models.DecimalField(_("current value"), **VALUE, default=Decimal(0))
    weight = models.DecimalField(
        _("weight (%)"),
        **PERCENT,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    owner = models.ForeignKey(
        Employee, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["objective", "order", "pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="key_result_weight_range"),
            models.CheckConstraint(condition=~Q(target_value=F("start_value")), name="key_result_target_differs"),
        ]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    """A month's progress on a key result: the value reached and a comment. One per month
    (a second update that month replaces the first); the latest sets the current value."""

    key_result = models.ForeignKey(
        KeyResult, verbose_name=_("key result"), on_delete=models.CASCADE, related_name="updates"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("value reached"), **VALUE)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key_result", "month"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(fields=["key_result", "month"], name="progress_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="progress_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.key_result} {self.month:%Y-%m} = {self.value}"


class CheckInTask(models.Model):
    """A recurring task behind an objective ("visit 10 key customers a month"): a target count
    per week or month, checked in by its owner."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="check_in_tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    target_count = models.PositiveIntegerField(_("target per period"), validators=[MinValueValidator(1)])
    owner = models.ForeignKey(Employee, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["objective", "pk"]
        verbose_name = _("check-in task")
        verbose_name_plural = _("check-in tasks")
        constraints = [
            models.CheckConstraint(condition=one_of("frequency", Frequency), name="check_in_frequency_valid"),
            models.CheckConstraint(condition=Q(target_count__gte=1), name="check_in_target_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class CheckIn(models.Model):
    """What was done for a check-in task in one period (the Monday of the week, or the first of
    the month)."""

    task = models.ForeignKey(CheckInTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="check_ins")
    period = models.DateField(_("period"))
    done_count = models.PositiveIntegerField(_("done"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["task", "period"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="check_in_one_per_period")]

    def __str__(self) -> str:
        return f"{self.task} {self.period:%Y-%m-%d}: {self.done_count}"


class RatingLevel(models.Model):
    """One row of the rating table: the rating's code, the payroll performance coefficient it
    gives, the raise guideline shown when a raise is discussed, and the share of a department
    the calibration guideline expects at most."""

    code = models.CharField(_("rating"), max_length=5, unique=True)
    label = models.CharField(_("meaning"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("1 is the best rating."))
    coefficient = models.DecimalField(
        _("performance coefficient"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5))],
    )
    raise_up_to = models.DecimalField(
        _("raise up to (%)"), **PERCENT, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
    )
    guideline_share = models.DecimalField(
        _("guideline share (%)"),
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The share of a department expected at this rating; empty: no guideline."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("rating level")
        verbose_name_plural = _("rating levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(coefficient__gte=0, coefficient__lte=5), name="rating_coefficient_range"
            ),
            models.CheckConstraint(condition=Q(raise_up_to__gte=0, raise_up_to__lte=100), name="rating_raise_range"),
        ]

    def __str__(self) -> str:
        return self.code


class ReviewCycle(models.Model):
    """A performance review of a set of departments for a period. Its ratings become the
    payroll input `coefficient_input` of `pay_period` when the results are released."""

    name = models.CharField(_("name"), max_length=100)
    okr_cycle = models.ForeignKey(
        OkrCycle,
        verbose_name=_("OKR cycle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_cycles",
        help_text=_("Its OKR completion is shown beside each assessment."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("departments"),
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole company. A department includes its sub-departments."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    self_due = models.DateField(_("self-assessment due"))
    manager_due = models.DateField(_("manager assessment due"))
    calibration_required = models.BooleanField(_("HR calibrates before release"), default=True)
    pay_period = models.DateField(
        _("pay month"), help_text=_("The month whose pay run uses the performance coefficients.")
    )
    coefficient_input = models.ForeignKey(
        "payroll.InputDefinition",
        verbose_name=_("payroll input for the coefficient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewCycleStatus.choices, default=ReviewCycleStatus.DRAFT
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.CheckConstraint(condition=one_of("status", ReviewCycleStatus), name="review_cycle_status_valid"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="review_cycle_dates_ordered"),
            models.CheckConstraint(condition=Q(pay_period__day=1), name="review_cycle_pay_period_first_day"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewCycleStatus.CLOSED


class Review(models.Model):
    """One employee's review in a cycle. `reviewer` is the manager when the cycle was launched;
    `final_rating` is the manager's rating, or HR's after calibration; `coefficient` and
    `okr_completion` are frozen when the results are released."""

    cycle = models.ForeignKey(ReviewCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reviews")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        Employee, verbose_name=_("reviewer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SELF)
    self_assessment = models.TextField(_("self-assessment"), blank=True, max_length=5000)
    self_rating = models.ForeignKey(
        RatingLevel, verbose_name=_("self rating"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_submitted_at = models.DateTimeField(_("self-assessment submitted"), null=True, blank=True)
    manager_comment = models.TextField(_("manager's assessment"), blank=True, max_length=5000)
    manager_rating = models.ForeignKey(
        RatingLevel,
        verbose_name=_("manager's rating"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager_rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    rated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    final_rating = models.ForeignKey(
        RatingLevel, verbose_name=_("final rating"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calibration_reason = models.CharField(_("calibration reason"), max_length=500, blank=True)
    calibrated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    calibrated_at = models.DateTimeField(_("calibrated"), null=True, blank=True)
    okr_completion = models.DecimalField(_("OKR completion (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    coefficient = models.DecimalField(
        _("performance coefficient"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    employee_comment = models.CharField(_("employee's comment"), max_length=1000, blank=True)

    class Meta:
        ordering = ["cycle", "department", "employee"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee"], name="review_one_per_cycle"),
            models.CheckConstraint(condition=one_of("status", ReviewStatus), name="review_status_valid"),
            models.CheckConstraint(
                condition=~Q(calibration_reason="") | Q(calibrated_at__isnull=True),
                name="review_calibration_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.employee}"


class ReviewEvent(models.Model):
    """The review trail: who moved a review cycle or changed a rating, when, and why."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="events")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")

    def __str__(self) -> str:
        return f"{self.cycle} {self.action}"

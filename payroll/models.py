"""Payroll data: components, structures, assignments, period inputs, city policies, tax
declarations, adjustments, pay runs and their slips.

Money is DecimalField(max_digits=14, decimal_places=2). Anything used in pay that changes over
time (structures, assignments, social-insurance policies) is effective-dated; history is never
edited: a revision is a new row. Finalised runs and their slips are immutable in the database
(trigger in migration 0002).
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Grade, Position
from hrsuite.constraints import one_of

from .choices import ComponentKind, InputKind, LineSource, Rounding, RunStatus, Scheme, SlipStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 5}
IDENTIFIER = re.compile(r"^[A-Za-z_\u3400-\u4dbf\u4e00-\u9fff][A-Za-z0-9_\u3400-\u4dbf\u4e00-\u9fff]*$")


def validate_identifier(value: str) -> None:
    if not IDENTIFIER.match(value or ""):
        raise ValidationError(
            _("Use letters, digits, underscores or Chinese characters, starting with a letter or a Chinese character.")
        )


class DateRange(Func):
    function = "DATERANGE"
    output_field = models.DateField()


class PayComponent(models.Model):
    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[validate_identifier], help_text=_("The name formulas use.")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ComponentKind.choices)
    taxable = models.BooleanField(
        _("taxable"),
        default=True,
        help_text=_("Earnings: counted in taxable income. Deductions: taken before tax (reduce taxable income)."),
    )
    variable = models.BooleanField(
        _("variable pay"), default=False, help_text=_("Bonuses and commissions (for the fixed/variable pay analysis).")
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.FEN)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("pay component")
        verbose_name_plural = _("pay components")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", ComponentKind), name="component_kind_valid"),
            models.CheckConstraint(condition=one_of("rounding", Rounding), name="component_rounding_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class InputDefinition(models.Model):
    """A value entered per employee per month that formulas use (performance coefficient, sales…)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_identifier])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=InputKind.choices, default=InputKind.NUMBER)
    default = models.DecimalField(_("default"), max_digits=16, decimal_places=4, default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("period input")
        verbose_name_plural = _("period inputs")
        constraints = [models.CheckConstraint(condition=one_of("kind", InputKind), name="input_kind_valid")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SalaryStructure(models.Model):
    """A versioned list of components with a fixed amount or a formula, for a grade or position.
    A change is a new version (same code, later effective_from); the previous version is closed."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT)
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("salary structure")
        verbose_name_plural = _("salary structures")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="structure_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="structure_dates_ordered",
            ),
            ExclusionConstraint(
                name="structure_versions_do_not_overlap",
                expressions=[
                    ("code", RangeOperators.EQUAL),
                    (DateRange("effective_from", "effective_to", models.Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


class StructureLine(models.Model):
    structure = models.ForeignKey(SalaryStructure, on_delete=models.CASCADE, related_name="lines")
    component = models.ForeignKey(PayComponent, verbose_name=_("component"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("fixed amount"), null=True, blank=True, **MONEY)
    formula = models.TextField(_("formula"), blank=True, max_length=2000)

    class Meta:
        ordering = ["component__display_order", "component__code"]
        verbose_name = _("structure line")
        verbose_name_plural = _("structure lines")
        constraints = [
            models.UniqueConstraint(fields=["structure", "component"], name="structure_line_unique"),
            models.CheckConstraint(
                condition=(Q(amount__isnull=False) & Q(formula="")) | (Q(amount__isnull=True) & ~Q(formula="")),
                name="structure_line_amount_xor_formula",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component.code} = {self.formula or self.amount}"


class SocialInsurancePolicy(models.Model):
    """A city's social-insurance and housing-fund rules for a period (HR maintains these)."""

    city = models.CharField(_("city"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    si_floor = models.DecimalField(_("social insurance base floor"), **MONEY)
    si_ceiling = models.DecimalField(_("social insurance base ceiling"), **MONEY)
    hf_floor = models.DecimalField(_("housing fund base floor"), **MONEY)
    hf_ceiling = models.DecimalField(_("housing fund base ceiling"), **MONEY)
    si_rounding = models.CharField(
        _("social insurance rounding"), max_length=10, choices=Rounding.choices, default=Rounding.FEN
    )
    hf_rounding = models.CharField(
        _("housing fund rounding"), max_length=10, choices=Rounding.choices, default=Rounding.YUAN
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["city", "-effective_from"]
        verbose_name = _("social insurance policy")
        verbose_name_plural = _("social insurance policies")
        constraints = [
            models.CheckConstraint(condition=Q(si_ceiling__gte=F("si_floor")), name="si_policy_si_range"),
            models.CheckConstraint(condition=Q(hf_ceiling__gte=F("hf_floor")), name="si_policy_hf_range"),
            ExclusionConstraint(
                name="si_policy_periods_do_not_overlap",
                expressions=[
                    ("city", RangeOperators.EQUAL),
                    (DateRange("effective_from", "effective_to", models.Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.name}"


class SocialInsuranceRate(models.Model):
    policy = models.ForeignKey(SocialInsurancePolicy, on_delete=models.CASCADE, related_name="rates")
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    employee_rate = models.DecimalField(_("employee rate"), **RATE)
    employer_rate = models.DecimalField(_("employer rate"), **RATE)

    class Meta:
        ordering = ["policy", "scheme"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.UniqueConstraint(fields=["policy", "scheme"], name="si_rate_unique"),
            models.CheckConstraint(condition=one_of("scheme", Scheme), name="si_rate_scheme_valid"),
            models.CheckConstraint(
                condition=Q(employee_rate__gte=0, employee_rate__lte=1, employer_rate__gte=0, employer_rate__lte=1),
                name="si_rate_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.employee_rate}/{self.employer_rate}"


class PayAssignment(models.Model):
    """An employee's pay for a period of time. A salary revision closes this row and creates a
    new one; rows never overlap (exclusion constraint)."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="pay_assignments"
    )
    structure = models.ForeignKey(SalaryStructure, verbose_name=_("salary structure"), on_delete=models.PROTECT)
    base_salary = models.DecimalField(_("base salary"), **MONEY)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    si_policy_city = models.CharField(
        _("social insurance city"), max_length=50, blank=True, help_text=_("Empty: the city of the work location.")
    )
    si_base = models.DecimalField(
        _("contribution base"),
        null=True,
        blank=True,
        help_text=_(
            "Last year's average monthly wage (a new hire: the first month's wage). Empty: base salary plus fixed allowances."
        ),
        **MONEY,
    )
    first_income_this_year = models.BooleanField(
        _("first wage income of the year is from us"),
        default=False,
        help_text=_("Counts the 5,000 monthly deduction from January (2020 No. 13)."),
    )
    prior_year_low_income = models.BooleanField(
        _("prior-year wages here at most 60,000"),
        default=False,
        help_text=_("Takes the 60,000 deduction from January (2020 No. 19)."),
    )
    merge_annual_bonus = models.BooleanField(
        _("tax the annual bonus with wages"),
        default=False,
        help_text=_("Otherwise it is taxed separately (Cai Shui [2018] 164)."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-effective_from"]
        verbose_name = _("pay assignment")
        verbose_name_plural = _("pay assignments")
        constraints = [
            models.CheckConstraint(condition=Q(base_salary__gte=0), name="assignment_salary_not_negative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="assignment_dates_ordered",
            ),
            ExclusionConstraint(
                name="assignments_do_not_overlap",
                expressions=[
                    ("employee", RangeOperators.EQUAL),
                    (DateRange("effective_from", "effective_to", models.Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.base_salary} ({self.effective_from:%Y-%m-%d})"


class AssignmentItem(models.Model):
    """A fixed allowance (or deduction) of an assignment that overrides the structure's line."""

    assignment = models.ForeignKey(PayAssignment, on_delete=models.CASCADE, related_name="items")
    component = models.ForeignKey(PayComponent, verbose_name=_("component"), on_delete=models.PROTECT)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("assignment item")
        verbose_name_plural = _("assignment items")
        constraints = [models.UniqueConstraint(fields=["assignment", "component"], name="assignment_item_unique")]

    def __str__(self) -> str:
        return f"{self.component.code} {self.amount}"


class PeriodInput(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="period_inputs"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month."))
    definition = models.ForeignKey(InputDefinition, verbose_name=_("input"), on_delete=models.PROTECT)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True, help_text=_("manual, import, performance, …"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "employee", "definition"]
        verbose_name = _("period input value")
        verbose_name_plural = _("period input values")
        constraints = [
            models.UniqueConstraint(fields=["employee", "period", "definition"], name="period_input_unique"),
            models.CheckConstraint(condition=Q(period__day=1), name="period_input_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.definition.code} = {self.value}"


class TaxDeclaration(models.Model):
    """Special additional deductions an employee declared for a tax year."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="tax_declarations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    children = models.PositiveSmallIntegerField(_("children in education"), default=0)
    child_share = models.DecimalField(_("share for children"), max_digits=3, decimal_places=2, default=1)
    infants = models.PositiveSmallIntegerField(_("children under three"), default=0)
    infant_share = models.DecimalField(_("share for infants"), max_digits=3, decimal_places=2, default=1)
    continuing_education = models.BooleanField(_("continuing academic education"), default=False)
    vocational_certificate_month = models.PositiveSmallIntegerField(
        _("month a vocational certificate was obtained"), null=True, blank=True
    )
    housing_loan = models.BooleanField(_("first-home loan interest"), default=False)
    housing_loan_share = models.DecimalField(_("share of loan interest"), max_digits=3, decimal_places=2, default=1)
    rent_city_class = models.PositiveSmallIntegerField(
        _("housing rent city class"), default=0, help_text=_("0: none; 1: 1,500; 2: 1,100; 3: 800 a month.")
    )
    elderly_only_child = models.BooleanField(_("only child supporting parents"), default=False)
    elderly_share = models.DecimalField(
        _("monthly share of elderly support"), max_digits=8, decimal_places=2, default=0
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee", "-year"]
        verbose_name = _("tax declaration")
        verbose_name_plural = _("tax declarations")
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="tax_declaration_unique"),
            models.CheckConstraint(
                condition=~(Q(housing_loan=True) & Q(rent_city_class__gt=0)), name="tax_loan_or_rent"
            ),
            models.CheckConstraint(condition=Q(rent_city_class__lte=3), name="tax_rent_class_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.year}"


class PayAdjustment(models.Model):
    """A correction paid (or recovered) in a later period, e.g. after a finalised run."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="pay_adjustments"
    )
    period = models.DateField(_("paid in period"))
    amount = models.DecimalField(_("amount"), help_text=_("Negative to recover an overpayment."), **MONEY)
    taxable = models.BooleanField(_("taxable"), default=True)
    reason = models.CharField(_("reason"), max_length=300)
    corrects_run = models.ForeignKey(
        "PayRun", verbose_name=_("corrects run"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "employee"]
        verbose_name = _("pay adjustment")
        verbose_name_plural = _("pay adjustments")
        constraints = [models.CheckConstraint(condition=Q(period__day=1), name="adjustment_first_of_month")]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.period:%Y-%m} {self.amount}"


class PayRun(models.Model):
    period = models.DateField(_("period"))
    scope_key = models.CharField(max_length=200, editable=False, help_text="'all' or 'd:<ids>'")
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finalized_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    calc_token = models.UUIDField(default=uuid.uuid4, editable=False)
    calc_started_at = models.DateTimeField(null=True, blank=True)
    calc_finished_at = models.DateTimeField(null=True, blank=True)
    employees_total = models.PositiveIntegerField(default=0)
    employees_done = models.PositiveIntegerField(default=0)
    errors_count = models.PositiveIntegerField(default=0)
    total_gross = models.DecimalField(_("gross pay"), default=0, **MONEY)
    total_deductions = models.DecimalField(_("deductions"), default=0, **MONEY)
    total_iit = models.DecimalField(_("income tax"), default=0, **MONEY)
    total_net = models.DecimalField(_("net pay"), default=0, **MONEY)
    total_employer_cost = models.DecimalField(_("employer contributions"), default=0, **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "-created_at"]
        verbose_name = _("pay run")
        verbose_name_plural = _("pay runs")
        constraints = [
            models.CheckConstraint(condition=one_of("status", RunStatus), name="payrun_status_valid"),
            models.CheckConstraint(condition=Q(period__day=1), name="payrun_first_of_month"),
            # at most one run per period and scope that is not cancelled: two people pressing
            # "calculate" at once get one run
            models.UniqueConstraint(
                fields=["period", "scope_key"],
                condition=~Q(status=RunStatus.CANCELLED),
                name="payrun_one_per_period_scope",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")), name="payrun_four_eyes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        return 100 if not self.employees_total else round(100 * self.employees_done / self.employees_total)


class PayRunChunk(models.Model):
    """One Celery task's share of a calculation. The row decides idempotency: a chunk of a given
    calculation is counted done once, however often its task is delivered."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="chunks")
    calc_token = models.UUIDField()
    index = models.PositiveIntegerField()
    employee_ids = models.JSONField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "calc_token", "index"], name="payrun_chunk_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index}"


class PaySlip(models.Model):
    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="slips")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="payslips")
    period = models.DateField()
    department = models.ForeignKey(Department, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=SlipStatus.choices, default=SlipStatus.OK)
    error = models.CharField(max_length=500, blank=True)  # in English, for the record
    # the same problem as data (payroll.engine.problems), shown translated: {{ slip|slip_error }}
    error_detail = models.JSONField(default=dict, blank=True)
    gross = models.DecimalField(_("gross pay"), default=0, **MONEY)
    taxable_income = models.DecimalField(_("taxable income"), default=0, **MONEY)
    si_employee = models.DecimalField(_("social insurance (employee)"), default=0, **MONEY)
    hf_employee = models.DecimalField(_("housing fund (employee)"), default=0, **MONEY)
    other_deductions = models.DecimalField(_("other deductions"), default=0, **MONEY)
    iit = models.DecimalField(_("income tax"), default=0, **MONEY)
    bonus_tax = models.DecimalField(_("annual bonus tax"), default=0, **MONEY)
    net = models.DecimalField(_("net pay"), default=0, **MONEY)
    employer_cost = models.DecimalField(_("employer contributions"), default=0, **MONEY)
    fixed_pay = models.DecimalField(_("fixed pay"), default=0, **MONEY)
    variable_pay = models.DecimalField(_("variable pay"), default=0, **MONEY)
    # year to date, through this month (cumulative withholding carries these forward)
    ytd_income = models.DecimalField(default=0, **MONEY)
    ytd_exempt = models.DecimalField(default=0, **MONEY)
    ytd_special = models.DecimalField(default=0, **MONEY)
    ytd_additional = models.DecimalField(default=0, **MONEY)
    ytd_other = models.DecimalField(default=0, **MONEY)
    ytd_basic = models.DecimalField(default=0, **MONEY)
    ytd_taxable = models.DecimalField(default=0, **MONEY)
    ytd_tax = models.DecimalField(default=0, **MONEY)
    calc_token = models.UUIDField()

    class Meta:
        ordering = ["run", "employee__employee_no"]
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        constraints = [
            models.UniqueConstraint(fields=["run", "employee"], name="payslip_one_per_run"),
            # nobody is paid twice for a month, whatever the runs' scopes
            models.UniqueConstraint(fields=["employee", "period"], name="payslip_one_per_period"),
            models.CheckConstraint(condition=one_of("status", SlipStatus), name="payslip_status_valid"),
        ]
        indexes = [models.Index(fields=["employee", "-period"], name="payslip_employee_period_idx")]

    def __str__(self) -> str:
        return f"{self.employee.name} {self.period:%Y-%m}"

    @property
    def contributions_employee(self):
        """Social insurance and housing fund taken from the employee."""
        return self.si_employee + self.hf_employee

    @property
    def income_tax(self):
        """Income tax of the month including the separately taxed annual bonus."""
        return self.iit + self.bonus_tax


class PaySlipLine(models.Model):
    """One line of a slip and how it was computed: the formula, the inputs it used, the result."""

    slip = models.ForeignKey(PaySlip, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ComponentKind.choices)
    source = models.CharField(max_length=20, choices=LineSource.choices, default=LineSource.COMPONENT)
    taxable = models.BooleanField(default=True)
    amount = models.DecimalField(**MONEY)
    formula = models.TextField(blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    explanation = models.CharField(max_length=300, blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["slip", "display_order", "id"]
        verbose_name = _("payslip line")
        verbose_name_plural = _("payslip lines")

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"


class PayslipDocument(models.Model):
    """The PDF of a published payslip, rendered once in a Celery batch and kept privately."""

    slip = models.OneToOneField(PaySlip, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payslip PDF")
        verbose_name_plural = _("payslip PDFs")

    def __str__(self) -> str:
        return str(self.slip)


class FlagKind(models.TextChoices):
    HOLDER_NAME = "holder_name", _("Account holder differs from the employee")
    SHARED_ACCOUNT = "shared_account", _("Account shared by several employees")
    RECENT_CHANGE = "recent_change", _("Account changed shortly before the run")
    BLOCKLISTED = "blocklisted", _("Account on the blocklist")
    LEFT = "left", _("Payee has left")
    NO_ACCOUNT = "no_account", _("No bank account")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    OVERRIDDEN = "overridden", _("Overridden")


class BlockedAccount(models.Model):
    """A bank account HR has blocked (fraud, sanctions, a closed account). Stored as its blind
    index and last four digits: the list itself holds no account numbers."""

    account_hash = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(_("last four digits"), max_length=4, editable=False)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blocked account")
        verbose_name_plural = _("blocked accounts")

    def __str__(self) -> str:
        return f"****{self.last4}"


class PayeeFlag(models.Model):
    """A payee check that failed for a slip of a run. Open flags block finalisation until the
    cause is fixed (the flag then resolves on the next check) or someone overrides it with a
    written reason."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="flags")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("check"), max_length=20, choices=FlagKind.choices)
    detail = models.CharField(_("detail"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "status", "kind", "employee"]
        verbose_name = _("payee check")
        verbose_name_plural = _("payee checks")
        constraints = [
            models.UniqueConstraint(fields=["run", "employee", "kind"], name="payee_flag_unique"),
            models.CheckConstraint(condition=one_of("kind", FlagKind), name="payee_flag_kind_valid"),
            models.CheckConstraint(condition=one_of("status", FlagStatus), name="payee_flag_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="overridden") | ~Q(reason=""), name="payee_flag_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_kind_display()}"


class BenchmarkBasis(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class MarketBenchmark(models.Model):
    """A market survey's pay percentiles for a position or a grade (exactly one), monthly or
    annual, imported from Excel. A later import of the same survey year, source and position
    (or grade) replaces the figures."""

    survey_year = models.PositiveSmallIntegerField(_("survey year"))
    source = models.CharField(_("source"), max_length=100, help_text=_("The survey, e.g. its publisher and edition."))
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.ForeignKey(
        Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=10, choices=BenchmarkBasis.choices)
    p25 = models.DecimalField(_("P25"), **MONEY)
    p50 = models.DecimalField(_("P50"), **MONEY)
    p75 = models.DecimalField(_("P75"), **MONEY)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-survey_year", "source", "position__code", "grade__code"]
        verbose_name = _("market benchmark")
        verbose_name_plural = _("market benchmarks")
        constraints = [
            models.CheckConstraint(
                condition=(Q(position__isnull=False) & Q(grade__isnull=True))
                | (Q(position__isnull=True) & Q(grade__isnull=False)),
                name="benchmark_position_xor_grade",
            ),
            models.CheckConstraint(
                condition=Q(p25__gte=0, p25__lte=F("p50"), p50__lte=F("p75")), name="benchmark_percentiles_ordered"
            ),
            models.CheckConstraint(condition=one_of("basis", BenchmarkBasis), name="benchmark_basis_valid"),
            models.CheckConstraint(
                condition=Q(survey_year__gte=2000, survey_year__lte=2100), name="benchmark_year_plausible"
            ),
            models.UniqueConstraint(
                fields=["survey_year", "source", "position"],
                condition=Q(position__isnull=False),
                name="benchmark_one_per_position",
            ),
            models.UniqueConstraint(
                fields=["survey_year", "source", "grade"],
                condition=Q(grade__isnull=False),
                name="benchmark_one_per_grade",
            ),
        ]

    def __str__(self) -> str:
        target = self.position.code if self.position_id else self.grade.code if self.grade_id else ""
        return f"{self.survey_year} {self.source} {target}"

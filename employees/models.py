from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrsuite.constraints import one_of
from hrsuite.crypto import EncryptedCharField, EncryptedTextField, blind_index, last4, mask

from .choices import (
    ChangeKind,
    ContractKind,
    DepartmentKind,
    DocumentKind,
    EducationLevel,
    EmployeeStatus,
    EmploymentType,
    Gender,
    LocationKind,
    RequestStatus,
    RoleFamily,
    WorkforceMetric,
)


class Location(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=50, help_text=_("Used to pick the social-insurance policy."))
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices, default=LocationKind.OFFICE)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("work location")
        verbose_name_plural = _("work locations")
        constraints = [models.CheckConstraint(condition=one_of("kind", LocationKind), name="location_kind_valid")]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A node of the organisation tree. `path` ("/1/4/9/") is maintained by the services so a
    subtree is one indexed prefix query."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    head = models.ForeignKey(
        "Employee",
        verbose_name=_("department head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    location = models.ForeignKey(
        Location, verbose_name=_("work location"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.CheckConstraint(condition=one_of("kind", DepartmentKind), name="department_kind_valid")]
        indexes = [models.Index(fields=["path"], name="department_path_idx", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Grade(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("Higher is more senior."))

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Position(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=100)
    role_family = models.CharField(_("role family"), max_length=20, choices=RoleFamily.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    tenure_benchmark_years = models.DecimalField(
        _("tenure benchmark (years)"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["role_family", "title"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            models.CheckConstraint(condition=one_of("role_family", RoleFamily), name="position_family_valid")
        ]

    def __str__(self) -> str:
        return self.title


class Employee(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # national ID: encrypted; exact search through the blind index; shown as the last four
    national_id = EncryptedCharField(_("national ID number"), max_length=18, blank=True, default="")
    national_id_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    national_id_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("home address"), max_length=200, blank=True)
    education_level = models.CharField(_("education"), max_length=20, choices=EducationLevel.choices, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("graduation year"), null=True, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    status = models.CharField(_("status"), max_length=20, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    grade = models.ForeignKey(
        Grade, verbose_name=_("grade"), null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("work location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedCharField(_("bank account"), max_length=30, blank=True, default="")
    bank_account_hash = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    bank_account_holder = models.CharField(_("account holder"), max_length=50, blank=True)
    bank_account_changed_at = models.DateTimeField(_("bank account changed"), null=True, blank=True, editable=False)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_contact_relation = models.CharField(_("relationship"), max_length=20, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # fields never loaded for lists and exports (decrypting is needless work there)
    SECRET_FIELDS = ("national_id", "bank_account")

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.CheckConstraint(condition=one_of("status", EmployeeStatus), name="employee_status_valid"),
            models.CheckConstraint(condition=one_of("employment_type", EmploymentType), name="employee_type_valid"),
            models.CheckConstraint(condition=~Q(manager=models.F("pk")), name="employee_not_own_manager"),
            models.UniqueConstraint(
                fields=["national_id_hash"], condition=~Q(national_id_hash=""), name="employee_national_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "department"], name="employee_status_dept_idx"),
            models.Index(fields=["national_id_hash"], name="employee_national_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    def save(self, *args, **kwargs):
        self.sync_secret_indexes()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"national_id", "bank_account"} & set(update_fields):
            kwargs["update_fields"] = {
                *update_fields,
                "national_id_hash",
                "national_id_last4",
                "bank_account_hash",
                "bank_account_last4",
            }
        super().save(*args, **kwargs)

    def sync_secret_indexes(self) -> None:
        """Derive the blind indexes and last-four columns from the encrypted values."""
        self.national_id_hash = blind_index(self.national_id, purpose="national_id")
        self.national_id_last4 = last4(self.national_id)
        self.bank_account_hash = blind_index(self.bank_account, purpose="bank_account")
        self.bank_account_last4 = last4(self.bank_account)

    @property
    def national_id_masked(self) -> str:
        return mask(self.national_id_last4, total=18)

    @property
    def bank_account_masked(self) -> str:
        return mask(self.bank_account_last4, total=12)


class Contract(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="contracts"
    )
    kind = models.CharField(_("contract type"), max_length=20, choices=ContractKind.choices)
    number = models.CharField(_("contract number"), max_length=50, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    probation_end = models.DateField(_("end of probation"), null=True, blank=True)
    renewal_of = models.OneToOneField(
        "self", verbose_name=_("renews"), null=True, blank=True, on_delete=models.SET_NULL, related_name="renewed_by"
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-start_date"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", ContractKind), name="contract_kind_valid"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ContractKind.FIXED_TERM) | Q(end_date__isnull=False),
                name="contract_fixed_term_has_end",
            ),
        ]
        indexes = [models.Index(fields=["kind", "end_date"], name="contract_end_idx")]

    def __str__(self) -> str:
        return f"{self.employee.name} · {self.get_kind_display()} · {self.start_date}"


class EmployeeDocument(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document type"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    file = models.FileField(_("file"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("employee document")
        verbose_name_plural = _("employee documents")
        constraints = [models.CheckConstraint(condition=one_of("kind", DocumentKind), name="document_kind_valid")]

    def __str__(self) -> str:
        return self.title or self.original_name


class ChangeRequest(models.Model):
    """An employee's request to change their own contact, emergency or bank details. The new
    values are held encrypted until HR decides; a bank-account change needs HR approval."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField(_("what"), max_length=20, choices=ChangeKind.choices)
    payload = EncryptedTextField(_("requested values"))
    summary = models.CharField(_("summary"), max_length=200, help_text=_("Masked description of the change."))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", ChangeKind), name="change_kind_valid"),
            models.CheckConstraint(condition=one_of("status", RequestStatus), name="change_status_valid"),
            # one open request per employee and kind
            models.UniqueConstraint(
                fields=["employee", "kind"], condition=Q(status="pending"), name="change_one_pending_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} · {self.get_kind_display()}"


class WorkforceTarget(models.Model):
    """A target HR plans against, e.g. 60% of technology staff aged 25–35."""

    metric = models.CharField(_("metric"), max_length=30, choices=WorkforceMetric.choices)
    role_family = models.CharField(_("role family"), max_length=20, choices=RoleFamily.choices, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=6, decimal_places=3, help_text=_("A share as a fraction (0.6 = 60%) or years.")
    )

    class Meta:
        ordering = ["metric", "role_family"]
        verbose_name = _("workforce target")
        verbose_name_plural = _("workforce targets")
        constraints = [
            models.UniqueConstraint(fields=["metric", "role_family"], name="workforce_target_unique"),
            models.CheckConstraint(condition=one_of("metric", WorkforceMetric), name="workforce_metric_valid"),
            models.CheckConstraint(condition=Q(target__gte=0), name="workforce_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_role_family_display() or ''}".strip()

"""Offboarding: a separation case per leaver, its handover checklist (made from HR's templates of
typed items), the review of each item by a successor, the department head's and HR's approvals,
every step recorded as a CaseEvent, the revocation of access, and the customer accounts whose
ownership moves to the successor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Position
from hrsuite.constraints import one_of

from .choices import CaseStatus, EventKind, ItemKind, ItemStatus, SeparationKind

USER = settings.AUTH_USER_MODEL


class CustomerAccount(models.Model):
    """A customer relationship an employee holds (sales, account management). Handover items of
    the customer kinds point at it; revocation moves its owner to the successor; the team
    dependence signal counts how concentrated key accounts are."""

    name = models.CharField(_("customer"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    company_size = models.CharField(_("company size"), max_length=50, blank=True)
    contact = models.CharField(_("contact person"), max_length=200, blank=True)
    owner = models.ForeignKey(
        Employee, verbose_name=_("owner"), null=True, on_delete=models.SET_NULL, related_name="customer_accounts"
    )
    is_key = models.BooleanField(_("key account"), default=False)
    annual_revenue = models.DecimalField(_("annual revenue (CNY)"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")

    def __str__(self) -> str:
        return self.name


class HandoverTemplate(models.Model):
    """A checklist template HR configures for a position or a department (or both empty: the
    default)."""

    name = models.CharField(_("name"), max_length=100)
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("handover template")
        verbose_name_plural = _("handover templates")

    def __str__(self) -> str:
        return self.name


class TemplateItem(models.Model):
    template = models.ForeignKey(HandoverTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    attachment_required = models.BooleanField(_("upload required"), default=False)
    due_offset_days = models.SmallIntegerField(
        _("due (days before the last working day)"),
        default=3,
        help_text=_("0 means on the last working day; 5 means five days before it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", ItemKind), name="template_item_kind_valid"),
            models.CheckConstraint(
                condition=Q(due_offset_days__gte=0) & Q(due_offset_days__lte=60), name="template_item_offset_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SeparationCase(models.Model):
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="separation_cases"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SeparationKind.choices)
    reason = models.TextField(_("reason"))
    notice_date = models.DateField(_("notice date"))
    last_working_day = models.DateField(_("last working day"))
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.HANDOVER)
    template = models.ForeignKey(
        HandoverTemplate, verbose_name=_("checklist template"), null=True, blank=True, on_delete=models.SET_NULL
    )
    successors = models.ManyToManyField(Employee, verbose_name=_("successors"), related_name="successor_cases")
    # access revocation: on revoke_on (the last working day by default; earlier for sensitive roles)
    revoke_on = models.DateField(_("revoke access on"))
    revoked_at = models.DateTimeField(_("access revoked"), null=True, blank=True)
    revocation = models.JSONField(_("revocation summary"), default=dict, blank=True)
    head_approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    head_approved_at = models.DateTimeField(_("department head approved"), null=True, blank=True)
    hr_approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hr_approved_at = models.DateTimeField(_("HR approved"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    economic_compensation = models.DecimalField(
        _("economic compensation (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    exit_survey = models.ForeignKey(
        "surveys.Survey", verbose_name=_("exit interview"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("separation case")
        verbose_name_plural = _("separation cases")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", SeparationKind), name="case_kind_valid"),
            models.CheckConstraint(condition=one_of("status", CaseStatus), name="case_status_valid"),
            models.CheckConstraint(
                condition=Q(last_working_day__gte=F("notice_date")), name="case_last_day_after_notice"
            ),
            models.CheckConstraint(condition=Q(revoke_on__lte=F("last_working_day")), name="case_revoke_by_last_day"),
            # one open case per employee
            models.UniqueConstraint(
                fields=["employee"],
                condition=~Q(status__in=[CaseStatus.COMPLETED, CaseStatus.CANCELLED]),
                name="case_one_open_per_employee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.last_working_day}"


class HandoverItem(models.Model):
    case = models.ForeignKey(SeparationCase, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    attachment_required = models.BooleanField(_("upload required"), default=False)
    due_on = models.DateField(_("due"))
    successor = models.ForeignKey(
        Employee, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="handover_reviews"
    )
    customer = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # the fields the kind needs (offboarding.items.FIELDS), filled in by the leaver
    data = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.TODO)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        constraints = [
            models.CheckConstraint(condition=one_of("kind", ItemKind), name="handover_item_kind_valid"),
            models.CheckConstraint(condition=one_of("status", ItemStatus), name="handover_item_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class HandoverAttachment(models.Model):
    """A file on an item (contract scans, communication records): private storage, served only
    through a permission-checked, audited view."""

    item = models.ForeignKey(HandoverItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CaseEvent(models.Model):
    """Everything that happened on a case, with who and when (append-only)."""

    case = models.ForeignKey(SeparationCase, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(HandoverItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [models.CheckConstraint(condition=one_of("kind", EventKind), name="case_event_kind_valid")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"

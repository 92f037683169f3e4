"""Forms of qualification compliance: catalogue, requirements, certificates (HR and
self-service), verification, reminder settings, the matrix filters and the report's scope."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee, Position
from hrsuite.core.forms import StyledForm, StyledModelForm, style_widgets

from .models import CertificateRequirement, CertificateType, Course, EmployeeCertificate
from .selectors_qualifications import PROBLEM_STATUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCAN_HELP = _("A scan or photo of the certificate: PDF, JPG or PNG, at most 10 MB.")
EXPIRY_HELP = _(
    "Leave empty to use the issue date plus the type's validity (empty for a certificate that does not expire)."
)


class ServiceValidated:
    """Model forms whose uniqueness and constraints are checked by the service, which names the
    field and the fix; the model's own constraint messages would be a second, vaguer one."""

    def _post_clean(self):
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except forms.ValidationError as e:
            self._update_errors(e)


def _tree_label(d: Department) -> str:
    return "\u3000" * d.depth + d.name


class CertificateTypeForm(StyledModelForm):
    class Meta:
        model = CertificateType
        fields = ["code", "name", "issuer", "validity_months", "refresher_course"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refresher_course"].queryset = Course.objects.filter(is_active=True).order_by("title")
        self.fields["refresher_course"].help_text = _(
            "Employees whose certificate is about to expire are enrolled in it automatically (if the setting is on)."
        )


class RequirementForm(ServiceValidated, StyledModelForm):
    class Meta:
        model = CertificateRequirement
        fields = ["position", "certificate_type", "grace_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = Position.objects.order_by("role_family", "title")
        self.fields["certificate_type"].queryset = CertificateType.objects.order_by("code")


class CertificateFields(ServiceValidated, StyledModelForm):
    class Meta:
        model = EmployeeCertificate
        fields = ["certificate_type", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    scan = forms.FileField(label=_("scan"), required=False, help_text=SCAN_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate_type"].queryset = CertificateType.objects.order_by("code")
        self.fields["expires_on"].help_text = EXPIRY_HELP


class CertificateForm(CertificateFields):
    """HR enters or corrects a certificate; a new one names the employee by number."""

    employee_no = forms.CharField(label=_("Employee number"), max_length=20)

    field_order = ["employee_no", "certificate_type", "number", "issued_on", "expires_on", "scan"]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["employee_no"]

    def clean_employee_no(self):
        value = self.cleaned_data["employee_no"].strip()
        employee = Employee.objects.filter(employee_no__iexact=value).first()
        if employee is None:
            raise forms.ValidationError(_("No employee has the number %(no)s.") % {"no": value})
        if employee.status == "left":
            raise forms.ValidationError(_("%(name)s has left the company.") % {"name": employee.name})
        self.employee = employee
        return value


class UploadForm(CertificateFields):
    """An employee uploads their own (renewed) certificate; the scan is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].required = True


class RejectForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SettingsForm(StyledForm):
    reminder_days = forms.CharField(
        label=_("Reminder days before expiry"),
        max_length=100,
        help_text=_(
            "Numbers of days from 0 (the expiry day itself) to 365, separated by commas, for example 30, 7, 0."
        ),
    )
    expiring_within_days = forms.IntegerField(
        label=_("'Expiring' means within days"),
        min_value=0,
        max_value=365,
        help_text=_("Certificates expiring within this many days are shown as expiring in the matrix."),
    )
    notify_manager = forms.BooleanField(label=_("Also remind the employee's manager"), required=False)
    notify_hr = forms.BooleanField(label=_("Also remind HR"), required=False)
    auto_enrol_refresher = forms.BooleanField(
        label=_("Enrol the employee in the certificate type's refresher course automatically"), required=False
    )


STATUS_CHOICES = [
    ("", _("All")),
    ("problems", _("Only problems (expiring, expired or missing)")),
    ("expired", _("Expired")),
    ("expiring", _("Expiring")),
    ("missing", _("Missing")),
    ("ok", _("All valid")),
]
assert {c for c, _label in STATUS_CHOICES if c} >= set(PROBLEM_STATUSES)


class MatrixFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or employee number"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department (with sub-departments)"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    position = forms.ModelChoiceField(
        label=_("Position"), queryset=Position.objects.none(), required=False, empty_label=_("All positions")
    )
    certificate_type = forms.ModelChoiceField(
        label=_("Certificate type"),
        queryset=CertificateType.objects.order_by("code"),
        required=False,
        empty_label=_("All required types"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    everyone = forms.BooleanField(label=_("Include people with no required certificate"), required=False)

    def __init__(self, *args, departments=None, positions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["department"].label_from_instance = _tree_label
        self.fields["position"].queryset = positions if positions is not None else Position.objects.none()
        style_widgets(self)


class ReportForm(StyledForm):
    SCOPES = [("department", _("A department (with sub-departments)")), ("employee", _("One employee"))]

    scope = forms.ChoiceField(label=_("Report on"), choices=SCOPES, widget=forms.RadioSelect, initial="department")
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("path"), required=False
    )
    employee_no = forms.CharField(label=_("Employee number"), max_length=20, required=False)
    completed_from = forms.DateField(label=_("Courses completed from"), required=False, widget=DATE)
    completed_to = forms.DateField(label=_("Courses completed until"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].label_from_instance = _tree_label
        self.employee = None

    def clean(self):
        data = super().clean()
        if data.get("scope") == "department" and not data.get("department"):
            self.add_error("department", _("Choose the department to report on."))
        if data.get("scope") == "employee":
            no = (data.get("employee_no") or "").strip()
            self.employee = Employee.objects.filter(employee_no__iexact=no).first() if no else None
            if self.employee is None:
                self.add_error(
                    "employee_no",
                    _("No employee has the number %(no)s.") % {"no": no} if no else _("Enter the employee number."),
                )
        start, end = data.get("completed_from"), data.get("completed_to")
        if start and end and end < start:
            self.add_error("completed_to", _("The end of the period is before its start."))
        return data

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import StyledForm, StyledModelForm

from .choices import ChangeKind, ContractKind, DocumentKind
from .models import Contract, Department, Employee, Grade, Location, Position

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EmployeeForm(StyledModelForm):
    """HR's form for a whole record. Cross-field rules (ID checksum and its agreement with the
    birth date and gender, minimum age, manager loops, duplicates) run in the service, whose
    errors are attached to the fields here."""

    national_id = forms.CharField(
        label=_("national ID number"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bank_account = forms.CharField(
        label=_("bank account"), required=False, max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    class Meta:
        model = Employee
        fields = [
            "employee_no",
            "name",
            "gender",
            "birth_date",
            "national_id",
            "phone",
            "email",
            "address",
            "department",
            "position",
            "grade",
            "location",
            "manager",
            "employment_type",
            "status",
            "hire_date",
            "leave_date",
            "education_level",
            "school",
            "major",
            "graduation_year",
            "bank_name",
            "bank_account",
            "bank_account_holder",
            "emergency_contact_name",
            "emergency_contact_relation",
            "emergency_contact_phone",
        ]
        widgets = {"birth_date": DATE, "hire_date": DATE, "leave_date": DATE}

    SECTIONS = (
        (_("Identity"), ("employee_no", "name", "gender", "birth_date", "national_id")),
        (_("Contact"), ("phone", "email", "address")),
        (
            _("Job"),
            (
                "department",
                "position",
                "grade",
                "location",
                "manager",
                "employment_type",
                "status",
                "hire_date",
                "leave_date",
            ),
        ),
        (_("Education"), ("education_level", "school", "major", "graduation_year")),
        (_("Bank account for salary"), ("bank_name", "bank_account", "bank_account_holder")),
        (_("Emergency contact"), ("emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (
            Employee.objects.exclude(status="left").only("id", "name", "employee_no").order_by("name")
        )
        self.fields["department"].queryset = Department.objects.order_by("path")
        self.fields["department"].required = True
        self.fields["hire_date"].required = True
        if self.instance.pk:
            self.fields["manager"].queryset = self.fields["manager"].queryset.exclude(pk=self.instance.pk)
            # secrets are not pre-filled: leave empty to keep the stored value
            self.initial["national_id"] = ""
            self.initial["bank_account"] = ""
            self.fields["national_id"].help_text = _("Stored encrypted (%(masked)s). Leave empty to keep it.") % {
                "masked": self.instance.national_id_masked or "—"
            }
            self.fields["bank_account"].help_text = _("Stored encrypted (%(masked)s). Leave empty to keep it.") % {
                "masked": self.instance.bank_account_masked or "—"
            }

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def _post_clean(self):
        keep = {}
        if self.instance.pk:
            for secret in Employee.SECRET_FIELDS:
                if not self.cleaned_data.get(secret):
                    keep[secret] = getattr(self.instance, secret)
        super()._post_clean()
        for field, value in keep.items():
            setattr(self.instance, field, value)
        if not self.errors:
            # the service's rules, so every problem is shown at once; it checks again on save
            from .services import employee_validate

            try:
                employee_validate(employee=self.instance)
            except ValidationError as exc:
                self.add_service_errors(exc)

    def validate_unique(self):
        """Duplicates (employee number, ID number) are checked by the service with clear
        messages; the model's generic unique message is not needed."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class ContractForm(StyledModelForm):
    class Meta:
        model = Contract
        fields = ["kind", "number", "start_date", "end_date", "probation_end", "notes"]
        widgets = {"start_date": DATE, "end_date": DATE, "probation_end": DATE}


class ContractRenewForm(StyledForm):
    kind = forms.ChoiceField(label=_("contract type"), choices=ContractKind.choices, initial=ContractKind.FIXED_TERM)
    number = forms.CharField(label=_("contract number"), required=False, max_length=50)
    end_date = forms.DateField(label=_("end date"), required=False, widget=DATE)


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("document type"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("title"), required=False, max_length=100)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, JPG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ChangeRequestForm(StyledForm):
    """One form for the three kinds; the service validates the fields of the chosen kind."""

    kind = forms.ChoiceField(choices=ChangeKind.choices, widget=forms.HiddenInput)
    phone = forms.CharField(label=_("mobile phone"), required=False, max_length=20)
    address = forms.CharField(label=_("home address"), required=False, max_length=200)
    emergency_contact_name = forms.CharField(label=_("emergency contact"), required=False, max_length=50)
    emergency_contact_relation = forms.CharField(label=_("relationship"), required=False, max_length=20)
    emergency_contact_phone = forms.CharField(label=_("emergency contact phone"), required=False, max_length=20)
    bank_name = forms.CharField(label=_("bank"), required=False, max_length=100)
    bank_account = forms.CharField(
        label=_("bank account"), required=False, max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    bank_account_holder = forms.CharField(label=_("account holder"), required=False, max_length=50)


class RejectForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.TextInput)


class DepartmentForm(StyledModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "kind", "parent", "head", "location"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = Employee.objects.exclude(status="left").only("id", "name", "employee_no")
        if self.instance.pk:
            self.fields["parent"].queryset = Department.objects.exclude(path__startswith=self.instance.path)


class PositionForm(StyledModelForm):
    class Meta:
        model = Position
        fields = ["code", "title", "role_family", "department", "tenure_benchmark_years"]


class GradeForm(StyledModelForm):
    class Meta:
        model = Grade
        fields = ["code", "name", "level"]


class LocationForm(StyledModelForm):
    class Meta:
        model = Location
        fields = ["name", "city", "kind", "address"]


__all__ = [
    "ChangeRequestForm",
    "ContractForm",
    "ContractRenewForm",
    "DepartmentForm",
    "DocumentForm",
    "EmployeeForm",
    "GradeForm",
    "LocationForm",
    "PositionForm",
    "RejectForm",
]

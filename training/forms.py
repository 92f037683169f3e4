from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Department, Employee
from hrsuite.core.forms import StyledForm, StyledModelForm

from .models import ComplianceIncident, Course, CourseRequirement, CourseSession

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CourseForm(StyledModelForm):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "mode",
            "category",
            "hours",
            "self_enrol",
            "exam",
            "feedback_survey",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class SessionForm(StyledModelForm):
    class Meta:
        model = CourseSession
        fields = ["starts_at", "ends_at", "place", "trainer", "capacity"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}


class MaterialForm(StyledForm):
    title = forms.CharField(label=_("title"), max_length=200)
    url = forms.URLField(label=_("link"), required=False, assume_scheme="https")
    file = forms.FileField(
        label=_("file"), required=False, help_text=_("PDF, Word, Excel, PowerPoint or an image, at most 10 MB.")
    )


class RequirementForm(StyledModelForm):
    class Meta:
        model = CourseRequirement
        fields = ["position", "department", "due_date", "due_days_after_hire"]
        widgets = {"due_date": DATE}

    def clean(self):
        data = super().clean()
        if not data.get("position") and not data.get("department"):
            raise forms.ValidationError(_("Choose a position or a department."))
        if not data.get("due_date") and data.get("due_days_after_hire") is None:
            raise forms.ValidationError(_("Give a due date or a number of days after hire."))
        return data


class EnrollForm(StyledForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Everyone in these departments"), queryset=Department.objects.order_by("path"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )  # fmt: skip
    employees = forms.ModelMultipleChoiceField(
        label=_("Or these people"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    due_date = forms.DateField(label=_("due date"), required=False, widget=DATE)

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].queryset = employees if employees is not None else Employee.objects.none()
        self.fields["employees"].label_from_instance = lambda e: f"{e.name} · {e.employee_no}"
        self.fields["departments"].label_from_instance = lambda d: "\u3000" * d.depth + d.name


class IncidentForm(StyledModelForm):
    class Meta:
        model = ComplianceIncident
        fields = ["department", "occurred_on", "severity", "summary"]
        widgets = {"occurred_on": DATE}

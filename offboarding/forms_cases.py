"""Forms of the case, template and resignation pages. They bind and describe the input; the rules
(dates, successors, one open case, approvals) are in offboarding.services_cases."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Department, Employee, Position
from hrsuite.core.forms import StyledForm, StyledModelForm

from .choices import SeparationKind
from .models import HandoverItem, HandoverTemplate, TemplateItem

TEXT_MAX = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        dept = f" · {obj.department.name}" if obj.department_id else ""
        return f"{obj.name}（{obj.employee_no}）{dept}"


class EmployeeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        dept = f" · {obj.department.name}" if obj.department_id else ""
        return f"{obj.name}（{obj.employee_no}）{dept}"


def active_employees():
    return (
        Employee.objects.filter(status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION])
        .select_related("department")
        .only("pk", "name", "employee_no", "status", "department__name")
        .order_by("name", "employee_no")
    )


def active_templates():
    return HandoverTemplate.objects.filter(is_active=True).order_by("name")


class HandoverSetupForm(StyledForm):
    """The successors, template and revocation choice (shared by "open a case" and "start the
    handover" of a submitted resignation)."""

    successors = EmployeeMultipleChoiceField(
        label=_("Successors"),
        queryset=Employee.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The colleagues who review and take over the handover items (the first reviews them all)."),
    )
    template = forms.ModelChoiceField(
        label=_("Checklist template"),
        queryset=HandoverTemplate.objects.none(),
        required=False,
        empty_label=_("Automatic (position, then department, then default)"),
    )
    revoke_early = forms.BooleanField(
        label=_("Revoke access a week early (sensitive role)"),
        required=False,
        help_text=_("Access is revoked seven days before the last working day (not before today)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successors"].queryset = active_employees()
        self.fields["template"].queryset = active_templates()


class CaseOpenForm(HandoverSetupForm):
    employee = EmployeeChoiceField(label=_("Employee"), queryset=Employee.objects.none(), required=False)
    employee_no = forms.CharField(
        label=_("or employee number"), max_length=20, required=False, help_text=_("For example E0042.")
    )
    kind = forms.ChoiceField(label=_("Kind of separation"), choices=SeparationKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    notice_date = forms.DateField(label=_("Notice date"), widget=DateInput())
    last_working_day = forms.DateField(label=_("Last working day"), widget=DateInput())

    field_order = [
        "employee",
        "employee_no",
        "kind",
        "reason",
        "notice_date",
        "last_working_day",
        "successors",
        "template",
        "revoke_early",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = active_employees()
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        number = (data.get("employee_no") or "").strip()
        if not data.get("employee") and number:
            found = Employee.objects.filter(employee_no__iexact=number).select_related("department").first()
            if found is None:
                self.add_error("employee_no", _("No employee has the number %(no)s.") % {"no": number})
            else:
                data["employee"] = found
        if not data.get("employee") and not self.has_error("employee_no"):
            self.add_error("employee", _("Choose the employee, or enter their employee number."))
        return data


class ResignForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for leaving"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    notice_date = forms.DateField(label=_("Notice date"), widget=DateInput())
    last_working_day = forms.DateField(
        label=_("Last working day"),
        widget=DateInput(),
        help_text=_("Usually 30 days after the notice date (3 days during probation)."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("notice_date", timezone.localdate())
        super().__init__(*args, **kwargs)


class CommentForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SendBackForm(StyledForm):
    items = forms.ModelMultipleChoiceField(
        label=_("Items to redo"), queryset=HandoverItem.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("What must be redone"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["items"].queryset = case.items.order_by("order", "pk")


class CancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class TemplateForm(StyledModelForm):
    class Meta:
        model = HandoverTemplate
        fields = ["name", "position", "department", "is_active"]
        help_texts = {
            "position": _("Used for leavers in this position (takes precedence over the department)."),
            "department": _("Used for leavers in this department or below it. Leave both empty for the default."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = Position.objects.order_by("title")
        self.fields["department"].queryset = Department.objects.order_by("path")


class TemplateItemForm(StyledModelForm):
    class Meta:
        model = TemplateItem
        fields = ["kind", "title", "instructions", "attachment_required", "due_offset_days", "order"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["due_offset_days"]
        self.fields["due_offset_days"] = forms.IntegerField(
            label=field.label,
            min_value=0,
            max_value=60,
            initial=3,
            widget=forms.NumberInput(attrs={"min": 0, "max": 60, "class": "form-control"}),
        )


TemplateItemFormSet = forms.inlineformset_factory(
    HandoverTemplate, TemplateItem, form=TemplateItemForm, extra=2, can_delete=True
)


def case_search_q(term: str) -> Q:
    return (
        Q(employee__name__icontains=term)
        | Q(employee__employee_no__icontains=term)
        | Q(employee__department__name__icontains=term)
    )

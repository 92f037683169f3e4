from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Department
from hrsuite.core.forms import MonthField, StyledForm


class RunCreateForm(StyledForm):
    period = MonthField(label=_("Month"))
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("path"),
        required=False,
        help_text=_("Leave empty for the whole company; sub-departments are included."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].label_from_instance = lambda d: "\u3000" * d.depth + d.name


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)

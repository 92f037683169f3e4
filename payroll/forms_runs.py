from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Department
from hrsuite.core.forms import StyledForm


class MonthField(forms.DateField):
    """A month picker (<input type="month">) giving the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        d = super().to_python(value)
        return d.replace(day=1) if isinstance(d, date) else d


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

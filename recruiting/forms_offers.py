"""Forms of the offer and onboarding pages. They bind and describe the input; the rules (stage,
budget, dates, four eyes) are in recruiting.services_offers."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Grade, Position
from hrsuite.core.forms import StyledForm

from .choices import OfferStatus

REASON_MAX = 2000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OfferForm(StyledForm):
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.order_by("title"))
    grade = forms.ModelChoiceField(label=_("Grade"), queryset=Grade.objects.order_by("level"), required=False)
    monthly_salary = forms.DecimalField(
        label=_("Monthly salary (CNY, before tax)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    probation_months = forms.IntegerField(
        label=_("Probation (months)"), min_value=0, max_value=6, initial=3, help_text=_("0 to 6 months.")
    )
    respond_by = forms.DateField(label=_("Respond by"), widget=DateInput())
    budget_justification = forms.CharField(
        label=_("Justification for a salary outside the budget"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the salary is outside the requisition's budget range."),
    )


class AnswerForm(StyledForm):
    answer = forms.ChoiceField(
        label=_("The candidate's answer"),
        choices=[(OfferStatus.ACCEPTED, _("Accepted")), (OfferStatus.DECLINED, _("Declined"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the candidate declines."),
    )


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the offer withdrawn?"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskDoneForm(StyledForm):
    done = forms.BooleanField(required=False)


class PeriodForm(StyledForm):
    """The analytics' filter: the period applications were received in, and one posting."""

    PERIODS = [("90", _("Last 90 days")), ("180", _("Last 180 days")), ("365", _("Last 12 months")), ("all", _("All"))]

    period = forms.ChoiceField(label=_("Applications received"), choices=PERIODS, required=False, initial="180")
    posting = forms.ModelChoiceField(
        label=_("Job posting"), queryset=None, required=False, empty_label=_("All postings")
    )

    def __init__(self, *args, postings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posting"].queryset = postings

"""Forms of the engagement pages: the round list's search, a new round, the dependence filter.

The new-round form only parses what was sent; relations.engagement.engagement_round_create and
the survey services decide (minimum group, departments, dates) and explain a refusal."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.models import Department
from hrsuite.core.forms import StyledForm
from surveys.forms import DATETIME, DATETIME_FORMATS

from . import dependence
from .engagement import MIN_GROUP_SIZE
from .selectors_engagement import CLOSED, OPEN, UPCOMING, earlier_rounds


class RoundFilterForm(StyledForm):
    q = forms.CharField(label=_("Title"), required=False)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (OPEN, _("Open for answers")), (CLOSED, _("Closed")), (UPCOMING, _("Not open yet"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class NewRoundForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    previous = forms.ModelChoiceField(
        label=_("Questions"),
        queryset=None,
        required=False,
        empty_label=_("The standard question set"),
        help_text=_(
            "The standard set: ratings 1–5 on team atmosphere, management style, workload and pay fairness, "
            "plus an optional comment. Or choose an earlier round: its questions are copied and this round "
            "becomes its next round, so results show the change."
        ),
    )
    description = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the questions. Empty: a standard note on anonymity and the rating scale."),
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    min_group_size = forms.IntegerField(
        label=_("Smallest group shown"),
        initial=MIN_GROUP_SIZE,
        help_text=_("Results of a department with fewer answers are hidden. At least 5."),
    )
    whole_company = forms.BooleanField(label=_("Invite the whole company"), required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("path"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Everyone in the chosen departments and their sub-departments is invited."),
    )

    def __init__(self, *args, **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {"opens_at": now, "closes_at": now + timedelta(days=14)})
        super().__init__(*args, **kwargs)
        self.fields["previous"].queryset = earlier_rounds()
        self.fields["previous"].label_from_instance = lambda s: (
            f"{s.title}（{timezone.localtime(s.opens_at):%Y-%m-%d}）"
        )
        self.fields["departments"].label_from_instance = lambda d: "\u3000" * d.depth + d.name


RISK_CHOICES = [
    ("", _("Every level")),
    (dependence.HIGH, _("High")),
    (dependence.MEDIUM, _("Medium")),
    (dependence.LOW, _("Low")),
]
SORT_CHOICES = [("risk", _("Highest risk first")), ("name", _("Department order"))]


class DependenceFilterForm(StyledForm):
    q = forms.CharField(label=_("Department"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False, choices=RISK_CHOICES)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""

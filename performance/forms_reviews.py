"""Forms of the review pages: the rating table, review cycles, the manager's rating, HR's
calibration, the self-assessment and the acknowledgement. They bind and describe the input;
the rules (the scale, the team, the stage, the dates) are in performance.services, whose
refusals name the field and the fix."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.models import Department
from hrsuite.core.forms import DateInput, MonthField, ServiceValidatedModelForm, StyledForm, tree_label

from .models import OkrCycle, RatingLevel, ReviewCycle

COEFFICIENT_INPUT_CODE = "绩效系数"


def rating_choices(scale: list[RatingLevel], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(level.code, f"{level.code} · {level.label}") for level in scale]
    return [("", blank), *choices] if blank is not None else choices


class RatingField(forms.CharField):
    """A select of the active scale that hands the code to the service as typed, so a code
    outside the scale (a forged request) gets the service's message naming the scale."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(widget=forms.Select, **kwargs)


class RatingLevelForm(ServiceValidatedModelForm):
    class Meta:
        model = RatingLevel
        fields = ["code", "label", "rank", "coefficient", "raise_up_to", "guideline_share", "is_active"]
        help_texts = {
            "coefficient": _(
                "Becomes the employee's payroll input when the results are released (B = 1.0: no change)."
            ),
            "raise_up_to": _("Shown to managers and HR when a raise is discussed."),
        }


class _TreeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return tree_label(obj)


class ReviewCycleForm(ServiceValidatedModelForm):
    departments = _TreeChoices(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Empty: the whole company. A department includes its sub-departments."),
    )
    pay_period = MonthField(
        label=_("Pay month"), help_text=_("The month whose pay run uses the performance coefficients.")
    )

    class Meta:
        model = ReviewCycle
        fields = [
            "name",
            "okr_cycle",
            "departments",
            "period_start",
            "period_end",
            "self_due",
            "manager_due",
            "calibration_required",
            "pay_period",
            "coefficient_input",
        ]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "self_due": DateInput(),
            "manager_due": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        from payroll.models import InputDefinition

        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.order_by("path")
        self.fields["okr_cycle"].queryset = OkrCycle.objects.order_by("-year", "-starts_on")
        self.fields["okr_cycle"].empty_label = _("None")
        inputs = InputDefinition.objects.filter(is_active=True).order_by("code")
        self.fields["coefficient_input"].queryset = inputs
        if not self.instance.pk and not self.is_bound:
            default = inputs.filter(code=COEFFICIENT_INPUT_CODE).first()
            if default is not None:
                self.initial["coefficient_input"] = default.pk


class RateForm(StyledForm):
    rating = RatingField(label=_("Rating"), error_messages={"required": _("Choose a rating.")})
    manager_comment = forms.CharField(
        label=_("Assessment comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What went well, what should improve: the employee reads it once the results are released."),
    )

    def __init__(self, *args, scale: list[RatingLevel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.choices = rating_choices(scale, blank="—")


class CalibrateForm(StyledForm):
    rating = RatingField(label=_("New rating"), error_messages={"required": _("Choose a rating.")})
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, scale: list[RatingLevel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.choices = rating_choices(scale)
        self.fields["rating"].widget.attrs["class"] += " form-select-sm"
        self.fields["reason"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": _("Reason for the adjustment")}
        )


class SelfAssessmentForm(StyledForm):
    self_assessment = forms.CharField(
        label=_("Self-assessment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Your results in the period, what you are proud of and what you want to improve."),
    )
    rating = RatingField(label=_("Your own rating (optional)"), required=False)

    def __init__(self, *args, scale: list[RatingLevel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.choices = rating_choices(scale, blank="—")


class AcknowledgeForm(StyledForm):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

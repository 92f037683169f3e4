"""Forms of the survey pages: the survey, a question, invitations, the list filter, and the
answer form built from a survey's questions."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from hrsuite.core.forms import StyledForm, StyledModelForm, style_widgets
from hrsuite.core.refusals import add_service_errors  # noqa: F401  (re-exported)

from .models import QuestionKind, Survey, SurveyKind, SurveyQuestion
from .services import MAX_TEXT_LENGTH, answer_field

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class SurveyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or introduction"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SurveyKind.choices, empty_label=_("All kinds"))

    class Meta:
        model = Survey
        fields = ["q", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.form)
        self.form.fields["q"].widget.attrs.setdefault("type", "search")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class SurveyForm(StyledForm):
    """A plain form: the service checks the rules (closing after opening, the minimum group of an
    anonymous survey, the earlier round) and explains a refusal in words."""

    title = forms.CharField(label=capfirst(_("title")), max_length=200)
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=SurveyKind.choices)
    description = forms.CharField(
        label=capfirst(_("introduction")), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(label=capfirst(_("anonymous")), required=False)
    min_group_size = forms.IntegerField(
        label=capfirst(_("smallest group shown")), min_value=1, max_value=1000, initial=1
    )
    opens_at = forms.DateTimeField(label=capfirst(_("opens")), widget=DATETIME, input_formats=DATETIME_FORMATS)
    closes_at = forms.DateTimeField(label=capfirst(_("closes")), widget=DATETIME, input_formats=DATETIME_FORMATS)
    round_of = forms.ModelChoiceField(
        label=capfirst(_("earlier round")), queryset=Survey.objects.none(), required=False
    )

    FIELDS = ("title", "kind", "description", "anonymous", "min_group_size", "opens_at", "closes_at", "round_of")

    def __init__(self, *args, survey: Survey | None = None, answered: bool = False, **kwargs):
        if survey is not None and "initial" not in kwargs:
            kwargs["initial"] = {f: getattr(survey, f) for f in self.FIELDS}
        super().__init__(*args, **kwargs)
        self.survey = survey
        others = Survey.objects.order_by("-opens_at")
        if survey is not None and survey.pk:
            others = others.exclude(pk=survey.pk)
        self.fields["round_of"].queryset = others
        self.fields["round_of"].help_text = _("Choose the previous round to see trends between rounds.")
        self.fields["anonymous"].help_text = _(
            "Answers are stored without names, with the department and the date only; groups of fewer than five answers are never shown."
        )
        self.fields["min_group_size"].help_text = _(
            "Results of a department with fewer answers are hidden. At least 5 for an anonymous survey."
        )
        if answered:
            self.fields["anonymous"].disabled = True
            self.fields["anonymous"].help_text = _("People have already answered: anonymity can no longer change.")

    def fill(self, survey: Survey) -> Survey:
        for f in self.FIELDS:
            setattr(survey, f, self.cleaned_data[f])
        survey.description = survey.description or ""
        return survey


class QuestionForm(StyledModelForm):
    options_text = forms.CharField(
        label=capfirst(_("options")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One option per line, at least two (for one or several choices)."),
    )

    class Meta:
        model = SurveyQuestion
        fields = ["kind", "text", "options_text", "required", "topic"]
        widgets = {"text": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = QuestionKind.choices  # no empty choice: a rating by default
        self.fields["kind"].initial = self.instance.kind or QuestionKind.RATING
        self.fields["kind"].widget.attrs["data-question-kind"] = "1"
        self.fields["options_text"].widget.attrs["data-options-field"] = "1"
        self.fields["topic"].help_text = _(
            "Optional. Questions with the same topic are compared between rounds (otherwise: the same wording)."
        )
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = "\n".join(self.instance.options or [])

    def save_options(self) -> SurveyQuestion:
        """The question with its options from the text box (the service checks them)."""
        question = self.instance
        question.options = [line.strip() for line in self.cleaned_data.get("options_text", "").splitlines()]
        return question


class InviteDepartmentsForm(StyledForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("path"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Everyone in the chosen departments and their sub-departments is invited."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].label_from_instance = lambda d: "\u3000" * d.depth + d.name


class InviteEmployeesForm(StyledForm):
    numbers = forms.CharField(
        label=_("Employee numbers"),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_("Separated by spaces, commas or new lines (paste a column from Excel)."),
    )

    def clean_numbers(self) -> list[Employee]:
        numbers = [n for n in re.split(r"[\s,，;；、]+", self.cleaned_data["numbers"]) if n]
        if not numbers:
            raise ValidationError(_("Enter at least one employee number."))
        found = {
            e.employee_no: e
            for e in Employee.objects.filter(employee_no__in=numbers).only("pk", "employee_no", "status", "user_id")
        }
        unknown = [n for n in dict.fromkeys(numbers) if n not in found]
        if unknown:
            raise ValidationError(
                _("No employee has these numbers: %(numbers)s. Check them and try again.")
                % {"numbers": "、".join(unknown[:10])}
            )
        gone = [n for n in dict.fromkeys(numbers) if found[n].status == EmployeeStatus.LEFT]
        if gone:
            raise ValidationError(
                _("These people have left the company and cannot be invited: %(numbers)s.")
                % {"numbers": "、".join(gone[:10])}
            )
        return [found[n] for n in dict.fromkeys(numbers)]


RATING_CHOICES = [(str(i), str(i)) for i in range(1, 6)]


class _SentChoices(forms.MultipleChoiceField):
    """Several choices, passed on as sent: the service names an option that does not exist."""

    def validate(self, value):
        pass


class AnswerForm(forms.Form):
    """One field per question ("q<id>"). The fields accept what is sent; the service checks the
    answers (required, options, 1-5, length) and its errors are shown on each question."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            if q.kind == QuestionKind.RATING:
                field: forms.Field = forms.CharField(required=False, widget=forms.RadioSelect(choices=RATING_CHOICES))
            elif q.kind == QuestionKind.CHOICE:
                field = forms.CharField(required=False, widget=forms.RadioSelect(choices=[(o, o) for o in q.options]))
            elif q.kind == QuestionKind.MULTIPLE:
                field = _SentChoices(
                    choices=[(o, o) for o in q.options], required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.CharField(
                    required=False,
                    strip=False,
                    widget=forms.Textarea(
                        attrs={
                            "rows": 4,
                            "maxlength": MAX_TEXT_LENGTH,
                            "data-counter": MAX_TEXT_LENGTH,
                            "class": "form-control",
                        }
                    ),
                )
            field.label = q.text
            self.fields[answer_field(q.pk)] = field

    def answers(self) -> dict[str, object]:
        return {str(q.pk): self.cleaned_data.get(answer_field(q.pk)) for q in self.questions}

    def rows(self):
        """(question, bound field) in the survey's order, for the template."""
        return [(q, self[answer_field(q.pk)]) for q in self.questions]

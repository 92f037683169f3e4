"""Forms and list filters of the exam pages (HR): banks, questions with their answers, exams,
the Excel import, and the filters over lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import StyledForm, StyledModelForm, style_widgets

from .models import AttemptStatus, Choice, Exam, ExamAttempt, Question, QuestionBank, QuestionKind
from .services import CHOICE_MAX_LENGTH, MAX_CHOICES, MAX_POINTS, ChoiceInput


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> list[str]:
    """Attach a service's ValidationError to the form: on the field it names, else on top.
    Returns the messages about the answers ("choices"), which the page shows above them."""
    loose: list[str] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field == "choices":
                loose.extend(m for e in errors for m in e.messages)
            else:
                form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    return loose


class BankForm(StyledModelForm):
    class Meta:
        model = QuestionBank
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(StyledModelForm):
    points = forms.IntegerField(label=capfirst(_("points")), min_value=1, max_value=MAX_POINTS, initial=1)

    class Meta:
        model = Question
        fields = ["kind", "text", "points", "explanation", "is_active"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"is_active": _("Only active questions are drawn into new attempts.")}


class ChoiceForm(StyledForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=capfirst(_("answer")), required=False, max_length=CHOICE_MAX_LENGTH)
    is_correct = forms.BooleanField(label=capfirst(_("correct")), required=False)


ChoiceFormSet = forms.formset_factory(
    ChoiceForm, extra=0, min_num=MAX_CHOICES, max_num=MAX_CHOICES, absolute_max=MAX_CHOICES, validate_max=True
)


def choice_formset(data=None, *, question=None, kind: str = "") -> forms.BaseFormSet:
    """Six answer rows: the question's answers first, then blank rows. A new true-or-false
    question starts with True and False filled in."""
    initial = []
    if question is not None and question.pk:
        initial = [{"id": c.pk, "text": c.text, "is_correct": c.is_correct} for c in question.choices.all()]
    elif kind == QuestionKind.TRUE_FALSE:
        initial = [{"text": _("True")}, {"text": _("False")}]
    return ChoiceFormSet(data, initial=initial, prefix="choices")


def choices_from(formset: forms.BaseFormSet) -> list[ChoiceInput]:
    """The answers typed into the rows (blank rows left out)."""
    choices = []
    for f in formset.forms:
        text = (f.cleaned_data.get("text") or "").strip()
        if text:
            choices.append(
                ChoiceInput(text=text, is_correct=f.cleaned_data.get("is_correct", False), id=f.cleaned_data.get("id"))
            )
    return choices


class _BankChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _("%(name)s (%(count)s active questions)") % {"name": obj.name, "count": obj.active_total}


class ExamForm(StyledModelForm):
    bank = _BankChoice(
        label=capfirst(_("question bank")),
        queryset=QuestionBank.objects.annotate(
            active_total=Count("questions", filter=Q(questions__is_active=True))
        ).order_by("name"),
    )
    question_count = forms.IntegerField(label=capfirst(_("questions drawn")), min_value=1, max_value=500)
    time_limit_minutes = forms.IntegerField(label=capfirst(_("time limit (minutes)")), min_value=1, max_value=1440)
    pass_mark = forms.IntegerField(label=capfirst(_("pass mark (%)")), min_value=0, max_value=100, initial=60)
    attempts_allowed = forms.IntegerField(label=capfirst(_("attempts allowed")), min_value=1, max_value=99, initial=2)

    class Meta:
        model = Exam
        fields = [
            "title",
            "bank",
            "question_count",
            "time_limit_minutes",
            "pass_mark",
            "attempts_allowed",
            "shuffle",
            "is_active",
        ]
        help_texts = {"shuffle": _("Each attempt gets the questions, and their answers, in its own order.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_count"].help_text = _("Drawn at random from the bank's active questions.")
        self.fields["pass_mark"].help_text = _(
            "The share of points needed to pass. Changing it does not regrade attempts already taken."
        )
        self.fields["attempts_allowed"].help_text = _("Submitted attempts and attempts whose time ran out both count.")


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


# --- list filters ----------------------------------------------------------------------------


class _Search(django_filters.FilterSet):
    """A free-text search first (the filter bar gives it the wide column), then filters."""

    search_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self.form)
        self.form.fields["q"].widget.attrs.setdefault("type", "search")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


ACTIVE_CHOICES = (("yes", _("Enabled")), ("no", _("Disabled")))


class BankFilter(_Search):
    q = django_filters.CharFilter(label=_("Name or description"), method="search")
    search_fields = ("name", "description")

    class Meta:
        model = QuestionBank
        fields = ["q"]


class QuestionFilter(_Search):
    q = django_filters.CharFilter(label=_("Question, answer or explanation"), method="search_question")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=QuestionKind.choices, empty_label=_("All kinds"))
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("All"), method="by_active"
    )

    class Meta:
        model = Question
        fields = ["q", "kind", "active"]

    def search_question(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        in_choices = Choice.objects.filter(text__icontains=value).values("question_id")
        return queryset.filter(Q(text__icontains=value) | Q(explanation__icontains=value) | Q(pk__in=in_choices))

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


class ExamFilter(_Search):
    q = django_filters.CharFilter(label=_("Title"), method="search")
    bank = django_filters.ModelChoiceFilter(
        label=_("Question bank"), queryset=QuestionBank.objects.order_by("name"), empty_label=_("All banks")
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("All"), method="by_active"
    )
    search_fields = ("title",)

    class Meta:
        model = Exam
        fields = ["q", "bank", "active"]

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


RESULT_CHOICES = (("passed", _("Passed")), ("failed", _("Not passed")))


class AttemptFilter(_Search):
    q = django_filters.CharFilter(label=_("Name, employee number or candidate"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AttemptStatus.choices, empty_label=_("All"))
    result = django_filters.ChoiceFilter(
        label=_("Result"), choices=RESULT_CHOICES, empty_label=_("All"), method="by_result"
    )
    search_fields = ("employee__name", "employee__employee_no", "taker_label")

    class Meta:
        model = ExamAttempt
        fields = ["q", "status", "result"]

    def by_result(self, queryset, name, value):
        return queryset.filter(passed=value == "passed")

"""Forms of the feedback box: posting, following with the one-time code, the poster's reply, HR's
and the head's reply, hiding, and the list filters.

The forms only shape input: the lengths and the emptiness rules live in
relations.services_feedback, which explains a refusal per field (add_service_errors puts it
under the field). The browser's `maxlength` and the live counter are a convenience on top."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from employees.models import Department
from hrsuite.core.forms import StyledForm, style_widgets

from .choices import FeedbackCategory, ThreadStatus
from .models import BODY_MAX, SUBJECT_MAX, FeedbackThread

HIDDEN_MAX = 300


def _text(value: str | None) -> str:
    """Browsers send a textarea's line breaks as CRLF but count them as one character: count
    them as the service stores them."""
    return (value or "").replace("\r\n", "\n")


def _body_widget(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": BODY_MAX, "data-counter": BODY_MAX})


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return "\u3000" * obj.depth + obj.name


class FeedbackPostForm(StyledForm):
    category = forms.ChoiceField(label=capfirst(_("category")), choices=FeedbackCategory.choices)
    department = DepartmentChoiceField(
        label=capfirst(_("addressed to")),
        queryset=Department.objects.order_by("path"),
        required=False,
        empty_label=_("HR (no department)"),
        help_text=_("The head of this department and HR can read and answer it. Leave empty to address HR only."),
    )
    subject = forms.CharField(
        label=capfirst(_("subject")),
        widget=forms.TextInput(attrs={"maxlength": SUBJECT_MAX, "autocomplete": "off", "data-counter": SUBJECT_MAX}),
    )
    body = forms.CharField(label=capfirst(_("feedback")), widget=_body_widget(8), strip=False)
    is_public = forms.BooleanField(
        label=capfirst(_("visible to all employees")),
        required=False,
        initial=True,
        help_text=_("Otherwise only HR and the addressed department head read it."),
    )

    def clean_body(self) -> str:
        return _text(self.cleaned_data.get("body"))


class FollowForm(StyledForm):
    secret = forms.CharField(
        label=_("Follow-up code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-EFGH-JKLM-NPQR",
            }
        ),
        error_messages={"required": _("Enter the follow-up code you were given when you posted.")},
    )


class PosterReplyForm(StyledForm):
    """The poster's answer on their thread: the code travels as a hidden POST field."""

    secret = forms.CharField(widget=forms.HiddenInput, max_length=40)
    body = forms.CharField(label=_("Your reply"), widget=_body_widget(4), strip=False)

    def clean_body(self) -> str:
        return _text(self.cleaned_data.get("body"))


class ReplyForm(StyledForm):
    body = forms.CharField(
        label=_("Public reply"),
        widget=_body_widget(4),
        strip=False,
        help_text=_("Every reader of the thread sees the reply, signed with your role; only HR sees your name on it."),
    )

    def clean_body(self) -> str:
        return _text(self.cleaned_data.get("body"))


class HideForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for hiding"),
        max_length=HIDDEN_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Give the reason for hiding this thread.")},
    )


def thread_search_q(text: str) -> Q:
    return Q(subject__icontains=text) | Q(body__icontains=text)


class BoardFilter(django_filters.FilterSet):
    """The public board at /me/feedback/."""

    q = django_filters.CharFilter(label=_("Subject or text"), method="search")
    category = django_filters.ChoiceFilter(
        label=capfirst(_("category")), choices=FeedbackCategory.choices, empty_label=_("All categories")
    )

    class Meta:
        model = FeedbackThread
        fields = ["q", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare()
        style_widgets(self.form)
        self.form.fields["q"].widget.attrs.setdefault("type", "search")

    def prepare(self) -> None:
        """Adjust `self.filters` before the form is built from them."""

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(thread_search_q(value)) if value else queryset


class InboxFilter(BoardFilter):
    """The HR and head list at /relations/feedback/: HR also filters by hidden."""

    status = django_filters.ChoiceFilter(
        label=capfirst(_("status")), choices=ThreadStatus.choices, empty_label=_("All statuses")
    )
    department = django_filters.ChoiceFilter(label=capfirst(_("addressed to")), method="addressed", empty_label=None)
    hidden = django_filters.ChoiceFilter(
        label=capfirst(_("hidden")),
        choices=[("no", _("Shown")), ("yes", _("Hidden"))],
        method="by_hidden",
        empty_label=_("Shown and hidden"),
    )

    HR_ADDRESSEE = "hr"

    class Meta:
        model = FeedbackThread
        fields = ["q", "category", "status", "department", "hidden"]

    def __init__(self, *args, departments=(), hr: bool = True, **kwargs):
        self.departments, self.hr = list(departments), hr
        super().__init__(*args, **kwargs)

    def prepare(self) -> None:
        choices = [("", _("All addressees"))]
        if self.hr:
            choices.append((self.HR_ADDRESSEE, _("HR (no department)")))
        choices += [(str(d.pk), "\u3000" * d.depth + d.name) for d in self.departments]
        self.filters["department"].extra["choices"] = choices
        if not self.hr:  # only HR moderates: the hidden filter is theirs
            del self.filters["hidden"]

    def addressed(self, queryset, name, value):
        if value == self.HR_ADDRESSEE:
            return queryset.filter(department__isnull=True)
        if value and value.isdigit():
            return queryset.filter(department_id=int(value))
        return queryset

    def by_hidden(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(hidden=True)
        if value == "no":
            return queryset.filter(hidden=False)
        return queryset

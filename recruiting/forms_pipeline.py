"""Forms of the pipeline pages: moves, rejection, notes, interview scheduling and scorecards.
The rules live in the services; the forms only bind and describe the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.core.forms import StyledForm

from .choices import InterviewKind, Recommendation, Stage
from .scorecards import CRITERIA, RATINGS
from .workflows import allowed_moves

REASON_MAX = 2000


def move_choices(stage: str, *, include_rejected: bool) -> list[tuple[str, str]]:
    """The stages the pipeline pages offer from `stage`: never "hired" (the offer's hire
    service does that), and "rejected" only where a reason can be given."""
    labels = dict(Stage.choices)
    return [
        (s, labels[s]) for s in allowed_moves(stage) if s != Stage.HIRED and (include_rejected or s != Stage.REJECTED)
    ]


class MoveForm(StyledForm):
    """A move: the page offers move_choices(); any stage is accepted here so that a move the
    pipeline does not allow is refused by the service with its own message."""

    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_MAX, widget=forms.TextInput())


class BoardMoveForm(MoveForm):
    """The small form on a board card: a rejection takes its reason from the note."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Note or reason for rejection")


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the record; the candidate does not see it."),
        error_messages={"required": _("Give a reason for the rejection.")},
    )
    notify_candidate = forms.BooleanField(
        label=_("E-mail the candidate a polite rejection"), required=False, initial=True
    )


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the note first.")},
    )


def interviewer_queryset():
    """Employees who can sign in to submit a scorecard."""
    return (
        Employee.objects.filter(user__isnull=False, user__is_active=True)
        .exclude(status=EmployeeStatus.LEFT)
        .select_related("department")
        .order_by("department__name", "name")
    )


class InterviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.name}（{obj.department.name}）" if obj.department_id else obj.name


class InterviewForm(StyledForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=60, min_value=10, max_value=480)
    kind = forms.ChoiceField(label=_("Kind"), choices=InterviewKind.choices, initial=InterviewKind.ONSITE)
    location = forms.CharField(label=_("Place or link"), required=False, max_length=200)
    interviewers = InterviewerChoiceField(
        label=_("Interviewers"),
        queryset=Employee.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
        error_messages={"required": _("Choose at least one interviewer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewers"].queryset = interviewer_queryset()


class ScorecardForm(StyledForm):
    """One radio group 1–5 per criterion, the recommendation and comments."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a recommendation.")},
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Evidence for your ratings: what the candidate said or did."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rating_choices = [(str(n), str(n)) for n in RATINGS]
        for criterion in CRITERIA:
            self.fields[f"rating_{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.label,
                help_text=criterion.help,
                choices=rating_choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "rating-input"}),
                error_messages={"required": _("Rate this criterion from 1 to 5.")},
            )
        self.order_fields([f"rating_{c.key}" for c in CRITERIA] + ["recommendation", "comments"])

    @property
    def rating_fields(self):
        return [self[f"rating_{c.key}"] for c in CRITERIA]

    def ratings(self) -> dict[str, int]:
        return {c.key: self.cleaned_data[f"rating_{c.key}"] for c in CRITERIA}

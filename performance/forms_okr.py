"""Forms of the OKR pages. They bind and describe the input and offer only the choices a user
may make (departments and people within their reach); the rules (dates, levels, alignment,
weights, closed cycles, who may set whose objectives) are checked by performance.services, whose
refusals the views put back on these forms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from hrsuite.core.forms import DateInput, MonthField, ServiceValidatedModelForm, StyledForm, tree_label
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from . import engine
from .choices import CycleKind, ObjectiveLevel
from .models import CheckInTask, KeyResult, Objective, OkrCycle

WORKING = [EmployeeStatus.PROBATION, EmployeeStatus.ACTIVE, EmployeeStatus.LEAVING]
LEVEL_ORDER: list[str] = [ObjectiveLevel.COMPANY, ObjectiveLevel.DEPARTMENT, ObjectiveLevel.INDIVIDUAL]


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        dept = f" · {obj.department.name}" if obj.department_id else ""
        return f"{obj.name}（{obj.employee_no}）{dept}"


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return tree_label(obj)


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        where = obj.department.name if obj.department_id else obj.get_level_display()
        return f"{obj.title}（{where}）"


# --- people and departments within reach --------------------------------------------------------


def employees_within_reach(user, *, also=()) -> Q:
    """Working employees the user may set objectives for (Scope.employees_q), plus `also` (the
    people already chosen, so an edit keeps them)."""
    scope = scope_for(user)
    q = scope.employees_q() & Q(status__in=WORKING) if scope.employee_id or scope.everyone else Q(pk__in=[])
    also = [pk for pk in also if pk]
    return q | Q(pk__in=also) if also else q


def employee_queryset(user, *, also=()):
    return (
        Employee.objects.filter(employees_within_reach(user, also=also))
        .select_related("department")
        .only("pk", "name", "employee_no", "department__name")
        .order_by("name", "employee_no")
    )


def department_queryset(user, *, also=None):
    """HR: every department; a department head: the departments they head with everything
    below; anyone else: their own department."""
    qs = Department.objects.order_by("path")
    if is_hr(user):
        return qs
    scope = scope_for(user)
    q = Q(pk__in=[])
    for path in scope.subtree_paths:
        q |= Q(path__startswith=path)
    if scope.employee_id:
        q |= Q(pk__in=Employee.objects.filter(pk=scope.employee_id).values("department_id"))
    if also:
        q |= Q(pk=also)
    return qs.filter(q)


def levels_for(user) -> list[str]:
    """The levels of objective a user may set: HR all; a department head departments' and
    people's; everyone else people's (their own or their reports')."""
    if is_hr(user):
        return list(LEVEL_ORDER)
    if scope_for(user).subtree_paths:
        return [ObjectiveLevel.DEPARTMENT, ObjectiveLevel.INDIVIDUAL]
    return [ObjectiveLevel.INDIVIDUAL]


def higher_levels(level: str) -> list[str]:
    if level not in LEVEL_ORDER:
        return [ObjectiveLevel.COMPANY, ObjectiveLevel.DEPARTMENT]
    return LEVEL_ORDER[: LEVEL_ORDER.index(level)]


# --- cycles ---------------------------------------------------------------------------------------


class OkrCycleForm(ServiceValidatedModelForm):
    """A year or a quarter. The name and the dates default from the year and quarter."""

    year = forms.IntegerField(label=_("Year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", "—"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for a quarterly cycle."),
    )

    class Meta:
        model = OkrCycle
        fields = ["kind", "year", "quarter", "name", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        help_texts = {
            "name": _("Empty: for example “2026 Q3”."),
            "starts_on": _("Empty: the first day of the year or quarter."),
            "ends_on": _("Empty: the last day of the year or quarter."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "starts_on", "ends_on"):
            self.fields[name].required = False
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("kind", CycleKind.QUARTER)
            self.initial.setdefault("year", date.today().year)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        year, kind, quarter = data.get("year"), data.get("kind"), data.get("quarter")
        if year and kind:
            # a quarterly cycle without its quarter gets the year's dates: the service then
            # names the missing quarter
            start, end = engine.quarter_dates(year, quarter if kind == CycleKind.QUARTER else None)
            data["starts_on"] = data.get("starts_on") or start
            data["ends_on"] = data.get("ends_on") or end
            if not data.get("name"):
                data["name"] = f"{year} Q{quarter}" if kind == CycleKind.QUARTER and quarter else str(year)
        return data


class CycleMoveForm(StyledForm):
    to = forms.CharField(max_length=10)


# --- objectives -------------------------------------------------------------------------------------


class ObjectiveForm(ServiceValidatedModelForm):
    """An objective of `cycle`. The level choices, departments and owners are those within the
    user's reach; the parent is a same-cycle objective of a higher level."""

    parent = ObjectiveChoiceField(
        label=_("Aligned to"),
        queryset=Objective.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose an objective of this cycle at a higher level.")},
    )
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your departments.")},
        help_text=_("A person's objective: empty means the owner's department."),
    )
    owner = EmployeeChoiceField(
        label=_("Owner"),
        queryset=Employee.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose yourself or someone in your team.")},
    )

    class Meta:
        model = Objective
        fields = ["level", "title", "description", "parent", "department", "owner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, cycle: OkrCycle, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.instance.cycle = cycle
        levels = levels_for(user)
        if self.instance.pk and self.instance.level not in levels:
            levels.append(self.instance.level)
        labels = dict(ObjectiveLevel.choices)
        self.fields["level"].choices = [(v, labels[v]) for v in LEVEL_ORDER if v in levels]
        if self.instance.pk and self.instance.children.exists():
            self.fields["level"].disabled = True
            self.fields["level"].help_text = _("Objectives are aligned to this one, so its level stays.")
        self.fields["owner"].queryset = employee_queryset(user, also=[self.instance.owner_id])
        self.fields["department"].queryset = department_queryset(user, also=self.instance.department_id)
        # the parents offered on the page are those of a higher level than the level shown; a
        # posted parent of the same cycle but the wrong level is refused by the service
        parents = Objective.objects.filter(cycle=cycle).select_related("department").order_by("level", "order", "pk")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        if self.is_bound:
            parents = parents.filter(level__in=[ObjectiveLevel.COMPANY, ObjectiveLevel.DEPARTMENT])
        else:
            parents = parents.filter(level__in=higher_levels(self.initial.get("level") or self.instance.level))
        self.fields["parent"].queryset = parents


class KeyResultForm(StyledForm):
    """One key result row of the key results page (saved with its siblings in one call)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=KeyResult._meta.get_field("title").verbose_name, max_length=200)
    metric = forms.CharField(label=KeyResult._meta.get_field("metric").verbose_name, max_length=30, required=False)
    start_value = forms.DecimalField(
        label=KeyResult._meta.get_field("start_value").verbose_name, max_digits=16, decimal_places=4, initial=0
    )
    target_value = forms.DecimalField(
        label=KeyResult._meta.get_field("target_value").verbose_name, max_digits=16, decimal_places=4
    )
    weight = forms.DecimalField(
        label=KeyResult._meta.get_field("weight").verbose_name,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs={"step": "any", "data-kr-weight": ""}),
    )
    owner = EmployeeChoiceField(
        label=KeyResult._meta.get_field("owner").verbose_name,
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("The objective's owner"),
        error_messages={"invalid_choice": _("Choose yourself or someone in your team.")},
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners
        self.fields["start_value"].widget.attrs["step"] = "any"
        self.fields["target_value"].widget.attrs["step"] = "any"


class BaseKeyResultFormSet(forms.BaseFormSet):
    def __init__(self, *args, owners=None, **kwargs):
        self.owners = owners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "owners": self.owners}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete")
            form.fields["DELETE"].widget.attrs.update({"class": "form-check-input", "data-kr-delete": ""})

    def refuse(self, exc: ValidationError) -> None:
        """Show a service's refusal of the whole set above the rows."""
        self._non_form_errors = self.error_class(exc.messages, error_class="nonform", renderer=self.renderer)

    def kept_rows(self) -> list[dict]:
        """The cleaned rows to save: filled in and not marked for deletion."""
        return [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


KeyResultFormSet: type[BaseKeyResultFormSet] = forms.formset_factory(  # type: ignore[assignment]
    KeyResultForm, formset=BaseKeyResultFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


# --- progress and check-ins -------------------------------------------------------------------------


class ProgressForm(StyledForm):
    month = MonthField(label=_("Month"))
    value = forms.DecimalField(label=_("Value reached"), max_digits=16, decimal_places=4)
    comment = forms.CharField(
        label=_("Remarks"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["step"] = "any"


class CheckInTaskForm(ServiceValidatedModelForm):
    owner = EmployeeChoiceField(
        label=_("Owner"),
        queryset=Employee.objects.none(),
        error_messages={"invalid_choice": _("Choose yourself or someone in your team.")},
    )

    class Meta:
        model = CheckInTask
        fields = ["title", "frequency", "target_count", "owner"]
        help_texts = {"title": _("For example: visit 10 key customers a month.")}

    def __init__(self, *args, objective: Objective, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
        self.fields["owner"].queryset = employee_queryset(user, also=[objective.owner_id, self.instance.owner_id])
        if not self.is_bound and not self.instance.pk and objective.owner_id:
            self.initial.setdefault("owner", objective.owner_id)


class CheckInForm(StyledForm):
    done_count = forms.IntegerField(label=_("Done"), min_value=0, max_value=100000)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

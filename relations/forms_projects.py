"""Forms of the collaboration-project pages. They bind and describe the input; the rules (who
manages a project, two departments to start, members only for a bonus, the budget, locked pay
months) are in relations.services_projects."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.core.forms import MonthField, StyledForm, StyledModelForm
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .models import CollaborationProject, ProjectMember

ACTIVE = [EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def employee_label(obj: Employee) -> str:
    dept = f" · {obj.department.name}" if obj.department_id else ""
    return f"{obj.name}（{obj.employee_no}）{dept}"


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return employee_label(obj)


def _employees():
    return (
        Employee.objects.select_related("department")
        .only("pk", "name", "employee_no", "status", "department__name")
        .order_by("department__name", "name", "employee_no")
    )


def lead_choices(user, current: Employee | None = None):
    """Who may lead a project chosen by `user`: HR any active employee; anyone else the active
    employees of their scope (a manager's departments and reports, and themselves). The current
    lead stays choosable so an edit by someone else does not silently change it."""
    qs = _employees().filter(status__in=ACTIVE)
    if not is_hr(user):
        qs = qs.filter(scope_for(user).employees_q())
    if current is not None:
        qs = qs | _employees().filter(pk=current.pk)
    return qs


class ProjectForm(StyledModelForm):
    lead = EmployeeChoiceField(
        label=_("Project lead"),
        queryset=Employee.objects.none(),
        error_messages={"invalid_choice": _("Choose an active employee within your reach as the lead.")},
    )

    class Meta:
        model = CollaborationProject
        fields = ["name", "goal", "lead", "starts_on", "ends_on", "bonus_budget"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "bonus_budget": _("The most the project may award in collaboration bonuses; 0 means no cap."),
            "ends_on": _("Optional; set automatically when the project is completed."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.lead if self.instance.pk else None
        self.fields["lead"].queryset = lead_choices(user, current)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            # on the field, before the model's date-order constraint would report it at the top
            self.add_error("ends_on", _("The project cannot end before it starts."))
        return data


class MemberAddForm(StyledForm):
    employee = EmployeeChoiceField(
        label=_("Employee"),
        queryset=Employee.objects.none(),
        error_messages={"invalid_choice": _("Choose an active employee who is not yet a member.")},
    )
    role = forms.CharField(label=_("Role in the project"), max_length=100, required=False)
    time_share = forms.IntegerField(
        label=_("Time share (%)"), min_value=1, max_value=100, initial=20, help_text=_("Share of working time, 1–100.")
    )

    def __init__(self, *args, project: CollaborationProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = (
            _employees().filter(status__in=ACTIVE).exclude(project_memberships__project=project)
        )


class MemberAssessForm(StyledForm):
    participation = forms.IntegerField(
        label=_("Participation (%)"), min_value=0, max_value=100, required=False, help_text=_("0–100")
    )
    contribution = forms.TypedChoiceField(
        label=_("Contribution"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    @classmethod
    def for_member(cls, member: ProjectMember) -> MemberAssessForm:
        return cls(
            prefix=f"m{member.pk}",
            initial={
                "participation": member.participation,
                "contribution": member.contribution,
                "note": member.contribution_note,
            },
        )


class BonusForm(StyledForm):
    """The member list offered is the project's members; a posted employee who is not one is
    bound anyway, so the service refuses it by name ("… is not a member of this project")."""

    employee = EmployeeChoiceField(label=_("Member"), queryset=Employee.objects.none())
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=0)
    month = MonthField(label=_("Pay month"), help_text=_("Paid with the pay of this month."))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, members: list[ProjectMember], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["employee"]
        field.queryset = Employee.objects.select_related("department")
        field.widget.choices = [("", "---------")] + [(m.employee_id, employee_label(m.employee)) for m in members]
        if not self.is_bound:
            self.initial.setdefault("month", timezone.localdate().replace(day=1))

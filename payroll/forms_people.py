"""Forms and filters of the per-person pay pages. The rules live in the services
(payroll.services.assignments); the forms only parse input and show the services' errors on
the right fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from employees.choices import EmployeeStatus
from employees.models import Department
from hrsuite.core.forms import MonthField, StyledForm, style_widgets
from hrsuite.core.refusals import add_service_errors  # noqa: F401  (re-exported)

from .choices import LOCKED_STATUSES
from .models import PayAssignment, PayComponent, PayRun, SalaryStructure, SocialInsurancePolicy, TaxDeclaration

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_INPUT = {"inputmode": "decimal", "class": "text-end"}


def month_start(value: date | None = None) -> date:
    return (value or timezone.localdate()).replace(day=1)


def parse_month(text: str | None, default: date | None = None) -> date | None:
    """The first day of the month written as 2026-07 (or a date in it); anything else: default."""
    from datetime import datetime

    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return datetime.strptime((text or "").strip(), fmt).date().replace(day=1)
        except ValueError:
            continue
    return default


def _department_filter(label=None):
    return django_filters.ModelChoiceFilter(
        label=label or _("Department (with sub-departments)"),
        queryset=Department.objects.order_by("path"),
        method="in_subtree",
        empty_label=_("All departments"),
    )


class _PeopleFilter(django_filters.FilterSet):
    """Search by name or employee number, department subtree."""

    q = django_filters.CharFilter(label=_("Name or employee number"), method="search")
    department = _department_filter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].field.label_from_instance = lambda d: "\u3000" * d.depth + d.name
        style_widgets(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        prefix = getattr(self, "employee_prefix", "")
        return queryset.filter(Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}employee_no__iexact": value}))

    def in_subtree(self, queryset, name, value):
        prefix = getattr(self, "employee_prefix", "")
        return queryset.filter(**{f"{prefix}department__path__startswith": value.path}) if value else queryset


class AssignmentFilter(_PeopleFilter):
    structure = django_filters.ChoiceFilter(
        label=_("Salary structure"), method="by_structure", empty_label=_("All structures")
    )
    assignment = django_filters.ChoiceFilter(
        label=_("Pay assignment"),
        method="by_assignment",
        empty_label=_("Everyone"),
        choices=[("none", _("No assignment yet")), ("has", _("With an assignment"))],
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EmployeeStatus.choices, empty_label=_("All statuses")
    )

    class Meta:
        fields = ["q", "department", "structure", "assignment", "status"]

    def __init__(self, *args, today: date, structures: list[tuple[str, str]], **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        self.form.fields["structure"].choices = [("", _("All structures")), *structures]

    def by_structure(self, queryset, name, value):
        from .selectors_people import filter_by_structure

        return filter_by_structure(queryset, value, self.today) if value else queryset

    def by_assignment(self, queryset, name, value):
        from .selectors_people import with_any_assignment

        return with_any_assignment(queryset, value == "has") if value in ("none", "has") else queryset


MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def _keep_queryset(queryset, name, value):
    """For a filter the view applies itself (the month, the year): it only has to be on the bar."""
    return queryset


class PeopleFilter(_PeopleFilter):
    month = django_filters.CharFilter(label=_("Month"), method=_keep_queryset, widget=MONTH_WIDGET)

    class Meta:
        fields = ["q", "month", "department"]

    def __init__(self, data=None, *args, month: date, **kwargs):
        data = data.copy() if data is not None else {}
        data["month"] = month.strftime("%Y-%m")  # the month shown, also when the field was empty
        super().__init__(data, *args, **kwargs)


class DeclarationFilter(_PeopleFilter):
    year = django_filters.ChoiceFilter(label=_("Tax year"), method=_keep_queryset, empty_label=None)
    declared = django_filters.ChoiceFilter(
        label=_("Declaration"),
        method="by_declared",
        empty_label=_("Everyone"),
        choices=[("yes", _("Declared")), ("no", _("Not declared"))],
    )

    class Meta:
        fields = ["q", "year", "department", "declared"]

    def __init__(self, data=None, *args, year: int, years: list[int], **kwargs):
        self.year = year
        data = data.copy() if data is not None else {}
        data["year"] = str(year)
        super().__init__(data, *args, **kwargs)
        self.form.fields["year"].choices = [(str(y), str(y)) for y in years]

    def by_declared(self, queryset, name, value):
        from .selectors_people import declared_filter

        return declared_filter(queryset, self.year, value == "yes") if value in ("yes", "no") else queryset


class AdjustmentFilter(_PeopleFilter):
    employee_prefix = "employee__"
    month = django_filters.CharFilter(label=_("Paid in month"), method="by_month", widget=MONTH_WIDGET)
    taxable = django_filters.BooleanFilter(
        label=_("Taxable"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Taxable")), ("false", _("Not taxable"))]),
    )

    class Meta:
        fields = ["q", "month", "department", "taxable"]

    def by_month(self, queryset, name, value):
        period = parse_month(value)
        return queryset.filter(period=period) if period else queryset


# --- assignments ----------------------------------------------------------------------------


def structure_label(s: SalaryStructure) -> str:
    since = s.effective_from.isoformat()
    return f"{s.name} · {s.code}（{since}）"


def si_city_choices(current: str = "") -> list[tuple[str, str]]:
    cities = sorted(set(SocialInsurancePolicy.objects.values_list("city", flat=True)))
    if current and current not in cities:
        cities.append(current)
    return [("", _("The city of the work location")), *[(c, c) for c in cities]]


def _field(model, name: str, **kwargs) -> forms.Field:
    """The model field's form field, so labels and help texts are written once (on the model)."""
    return model._meta.get_field(name).formfield(**kwargs)


class AssignmentForm(StyledForm):
    """The first assignment of an employee (or one after a gap) and, with `revision=True`, a
    salary revision: the same fields, a later start date and a required reason. A plain form:
    the overlap and date rules are the service's, with messages that say what to do."""

    effective_from = _field(PayAssignment, "effective_from", widget=DATE)
    structure = forms.ModelChoiceField(
        label=capfirst(_("salary structure")), queryset=SalaryStructure.objects.none(), empty_label=None
    )
    base_salary = _field(
        PayAssignment,
        "base_salary",
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", **MONEY_INPUT}),
    )
    si_policy_city = forms.ChoiceField(label=capfirst(_("social insurance city")), required=False)
    si_base = _field(
        PayAssignment,
        "si_base",
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", **MONEY_INPUT}),
    )
    first_income_this_year = _field(PayAssignment, "first_income_this_year")
    prior_year_low_income = _field(PayAssignment, "prior_year_low_income")
    merge_annual_bonus = _field(PayAssignment, "merge_annual_bonus")
    reason = _field(PayAssignment, "reason")

    FLAGS = ("si_policy_city", "si_base", "first_income_this_year", "prior_year_low_income", "merge_annual_bonus")

    @classmethod
    def initial_from(cls, current: PayAssignment) -> dict:
        return {
            "structure": current.structure_id,
            "base_salary": current.base_salary,
            **{name: getattr(current, name) for name in cls.FLAGS},
        }

    def __init__(self, *args, revision: bool = False, current: PayAssignment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = current.structure_id if current else None
        self.fields["structure"].queryset = SalaryStructure.objects.filter(
            Q(effective_to__isnull=True) | Q(pk=keep)
        ).order_by("code", "-effective_from")
        self.fields["structure"].label_from_instance = structure_label
        self.fields["si_policy_city"].choices = si_city_choices(current.si_policy_city if current else "")
        self.fields["si_policy_city"].help_text = PayAssignment._meta.get_field("si_policy_city").help_text
        self.fields["base_salary"].help_text = _("Monthly, in yuan.")
        if revision:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _("For example: annual review, promotion, transfer.")
            self.fields["effective_from"].help_text = _(
                "The current assignment ends the day before. It must be after the last finalised month."
            )
            if current is not None:
                self.fields["base_salary"].widget.attrs["data-previous-base"] = str(current.base_salary)

    def flags(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FLAGS}

    def sections(self):
        return [
            (_("Pay"), [self["effective_from"], self["structure"], self["base_salary"], self["reason"]]),
            (_("Social insurance"), [self["si_policy_city"], self["si_base"]]),
            (
                _("Income tax"),
                [self["first_income_this_year"], self["prior_year_low_income"], self["merge_annual_bonus"]],
            ),
        ]


class ItemForm(StyledForm):
    component = forms.ModelChoiceField(
        label=capfirst(_("component")), queryset=PayComponent.objects.none(), required=False, empty_label="—"
    )
    amount = forms.DecimalField(
        label=capfirst(_("amount")),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", **MONEY_INPUT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = PayComponent.objects.filter(is_active=True).order_by(
            "display_order", "code"
        )

    def clean(self):
        data = super().clean()
        if data.get("component") and data.get("amount") is None:
            self.add_error("amount", _("Enter the amount of this item."))
        if data.get("amount") is not None and not data.get("component"):
            self.add_error("component", _("Choose the component this amount is for."))
        return data


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            component = form.cleaned_data.get("component")
            if component is None:
                continue
            if component.pk in seen:
                raise ValidationError(
                    _("%(component)s appears twice; keep one line per component.") % {"component": component.name}
                )
            seen.add(component.pk)

    def items(self) -> dict[int, Decimal]:
        return {
            f.cleaned_data["component"].pk: f.cleaned_data["amount"]
            for f in self.forms
            if f.cleaned_data.get("component") is not None
        }


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=2, max_num=30, validate_max=True)


def item_formset(data=None, *, items=None) -> BaseItemFormSet:
    initial = [{"component": i.component_id, "amount": i.amount} for i in (items or [])]
    return ItemFormSet(data, initial=initial, prefix="items")


# --- period inputs --------------------------------------------------------------------------


class InputImportForm(StyledForm):
    period = MonthField(label=_("Month"))
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


# --- declarations ---------------------------------------------------------------------------

SHARE_CHOICES = [(Decimal("1"), _("100% (all of it)")), (Decimal("0.5"), _("50% (split)"))]
RENT_CHOICES = [
    (0, _("No rent deduction")),
    (1, _("Class 1 city: 1,500 a month")),
    (2, _("Class 2 city: 1,100 a month")),
    (3, _("Class 3 city: 800 a month")),
]


class DeclarationForm(StyledForm):
    """A plain form: the tax rules (loan or rent, the 1,500 share limit...) are checked by the
    service, whose messages name the rule."""

    children = _field(TaxDeclaration, "children")
    child_share = forms.TypedChoiceField(label=capfirst(_("share for children")), choices=SHARE_CHOICES, coerce=Decimal)
    infants = _field(TaxDeclaration, "infants")
    infant_share = forms.TypedChoiceField(label=capfirst(_("share for infants")), choices=SHARE_CHOICES, coerce=Decimal)
    continuing_education = _field(TaxDeclaration, "continuing_education")
    vocational_certificate_month = forms.TypedChoiceField(
        label=capfirst(_("month a vocational certificate was obtained")),
        choices=[("", "—"), *[(m, str(m)) for m in range(1, 13)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("3,600 is deducted once, in that month."),
    )
    housing_loan = _field(TaxDeclaration, "housing_loan")
    housing_loan_share = forms.TypedChoiceField(
        label=capfirst(_("share of loan interest")), choices=SHARE_CHOICES, coerce=Decimal
    )
    rent_city_class = forms.TypedChoiceField(
        label=capfirst(_("housing rent city class")), choices=RENT_CHOICES, coerce=int
    )
    elderly_only_child = _field(TaxDeclaration, "elderly_only_child")
    elderly_share = _field(
        TaxDeclaration,
        "elderly_share",
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", **MONEY_INPUT}),
    )

    FIELDS = (
        "children",
        "child_share",
        "infants",
        "infant_share",
        "continuing_education",
        "vocational_certificate_month",
        "housing_loan",
        "housing_loan_share",
        "rent_city_class",
        "elderly_only_child",
        "elderly_share",
    )

    def __init__(self, *args, instance: TaxDeclaration | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in self.FIELDS}
        super().__init__(*args, **kwargs)
        self.fields["children"].help_text = _("2,000 a month per child in education.")
        self.fields["infants"].help_text = _("2,000 a month per child under three.")
        self.fields["continuing_education"].help_text = _("Academic continuing education: 400 a month.")
        self.fields["housing_loan"].help_text = _("1,000 a month; not together with housing rent.")
        self.fields["elderly_only_child"].help_text = _("An only child deducts 3,000 a month.")
        self.fields["elderly_share"].help_text = _(
            "Not an only child: the monthly share agreed with siblings, at most 1,500."
        )

    def clean_elderly_share(self):
        return self.cleaned_data["elderly_share"] or Decimal(0)

    def apply_to(self, declaration: TaxDeclaration) -> TaxDeclaration:
        for name in self.FIELDS:
            setattr(declaration, name, self.cleaned_data[name])
        return declaration

    SECTIONS = (
        (_("Children"), ("children", "child_share", "infants", "infant_share")),
        (_("Continuing education"), ("continuing_education", "vocational_certificate_month")),
        (_("Housing"), ("housing_loan", "housing_loan_share", "rent_city_class")),
        (_("Elderly support"), ("elderly_only_child", "elderly_share")),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


# --- adjustments ----------------------------------------------------------------------------


class AdjustmentForm(StyledForm):
    employee_no = forms.CharField(label=_("Employee number"), max_length=20)
    period = MonthField(label=_("Paid in month"))
    amount = forms.DecimalField(
        label=capfirst(_("amount")),
        max_digits=14,
        decimal_places=2,
        help_text=_("Negative to recover an overpayment."),
        widget=forms.NumberInput(attrs={"step": "0.01", **MONEY_INPUT}),
    )
    taxable = forms.BooleanField(label=capfirst(_("taxable")), required=False, initial=True)
    reason = forms.CharField(label=capfirst(_("reason")), max_length=300, help_text=_("What does it correct?"))
    corrects_run = forms.ModelChoiceField(
        label=capfirst(_("corrects run")),
        queryset=PayRun.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The finalised run this corrects, if any."),
    )

    def __init__(self, *args, employees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.employees = employees
        self.fields["corrects_run"].queryset = PayRun.objects.filter(status__in=LOCKED_STATUSES).order_by(
            "-period", "-created_at"
        )
        self.fields["corrects_run"].label_from_instance = lambda r: f"{r.period:%Y-%m} · {r.get_status_display()}"
        self.fields["reason"].required = False  # the service says what is missing, in one place
        self.employee = None

    def clean_employee_no(self):
        number = self.cleaned_data["employee_no"].strip()
        employee = self.employees.filter(employee_no=number).first() if self.employees is not None else None
        if employee is None:
            raise ValidationError(_("No employee has the number %(value)s.") % {"value": number})
        self.employee = employee
        return number

"""Forms and list filters of the pay set-up pages: components, period-input definitions,
salary structures and their lines, the try-it box, social-insurance policies.

Structure lines, structures and policies use plain forms: their database constraints (one
version per date, lines with an amount or a formula, periods that do not overlap) are checked by
the services, which explain a refusal in words instead of naming a constraint."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from employees.models import Grade, Position
from hrsuite.core.forms import StyledForm, StyledModelForm, style_widgets
from hrsuite.core.refusals import add_service_errors  # noqa: F401  (re-exported)

from .choices import ComponentKind, InputKind, Rounding, Scheme
from .gather import ANNUAL_BONUS_INPUT
from .models import InputDefinition, PayComponent, SalaryStructure, SocialInsurancePolicy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HUNDRED = Decimal(100)


# --- list filters ------------------------------------------------------------------------


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


class ComponentFilter(_Search):
    q = django_filters.CharFilter(label=_("Code, name or description"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ComponentKind.choices, empty_label=_("All kinds"))
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("All"), method="by_active"
    )
    search_fields = ("code", "name", "description")

    class Meta:
        model = PayComponent
        fields = ["q", "kind", "active"]

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


class InputDefinitionFilter(_Search):
    q = django_filters.CharFilter(label=_("Code, name or description"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InputKind.choices, empty_label=_("All kinds"))
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, empty_label=_("All"), method="by_active"
    )
    search_fields = ("code", "name", "description")

    class Meta:
        model = InputDefinition
        fields = ["q", "kind", "active"]

    def by_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")


class StructureFilter(_Search):
    q = django_filters.CharFilter(label=_("Code, name, grade or position"), method="search")
    search_fields = ("code", "name", "grade__code", "grade__name", "position__title")

    class Meta:
        model = SalaryStructure
        fields = ["q"]


class PolicyFilter(_Search):
    q = django_filters.CharFilter(label=_("City, name or source"), method="search")
    city = django_filters.ChoiceFilter(label=_("City"), choices=(), empty_label=_("All cities"))
    search_fields = ("city", "name", "source")

    class Meta:
        model = SocialInsurancePolicy
        fields = ["q", "city"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = SocialInsurancePolicy.objects.order_by("city").values_list("city", flat=True).distinct()
        self.filters["city"].extra["choices"] = [(c, c) for c in cities]
        self.form.fields["city"].choices = [("", _("All cities")), *((c, c) for c in cities)]


# --- components and period inputs ---------------------------------------------------------


class ComponentForm(StyledModelForm):
    class Meta:
        model = PayComponent
        fields = [
            "code",
            "name",
            "kind",
            "taxable",
            "variable",
            "rounding",
            "display_order",
            "description",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["display_order"].help_text = _("Lines of a payslip are listed in this order.")


class InputDefinitionForm(StyledModelForm):
    class Meta:
        model = InputDefinition
        fields = ["code", "name", "kind", "default", "description", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["code"].help_text = _("The name formulas use.")
        self.fields["default"].help_text = _("Used for an employee when no value is entered for the month.")
        self.reserved = bool(self.instance.pk) and self.instance.code == ANNUAL_BONUS_INPUT
        if self.reserved:
            for name in ("code", "is_active"):
                self.fields[name].disabled = True
            self.fields["code"].help_text = _(
                "Reserved for the annual one-time bonus (taxed separately): it cannot be renamed or deactivated."
            )


# --- salary structures -------------------------------------------------------------------


class StructureForm(StyledForm):
    code = forms.CharField(
        label=capfirst(_("code")),
        max_length=40,
        help_text=_("Short and stable, e.g. STD or SALES. Later versions keep the code."),
    )
    name = forms.CharField(label=capfirst(_("name")), max_length=100)
    grade = forms.ModelChoiceField(label=capfirst(_("grade")), queryset=Grade.objects.all(), required=False)
    position = forms.ModelChoiceField(label=capfirst(_("position")), queryset=Position.objects.all(), required=False)
    effective_from = forms.DateField(label=capfirst(_("effective from")), widget=DATE)
    notes = forms.CharField(label=capfirst(_("notes")), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["grade"].help_text = _("Optional: the grade or position this structure is meant for.")

    def instance(self) -> SalaryStructure:
        d = self.cleaned_data
        return SalaryStructure(
            code=d["code"].strip(),
            name=d["name"].strip(),
            grade=d["grade"],
            position=d["position"],
            effective_from=d["effective_from"],
            notes=d["notes"],
        )


class NewVersionForm(StyledForm):
    effective_from = forms.DateField(
        label=capfirst(_("new version effective from")),
        widget=DATE,
        help_text=_("The current version ends the day before; its lines are copied and its employees move over."),
    )


class StructureLineForm(StyledForm):
    AMOUNT, FORMULA = "amount", "formula"

    component = forms.ModelChoiceField(label=capfirst(_("component")), queryset=PayComponent.objects.none())
    mode = forms.ChoiceField(
        label=capfirst(_("calculated by")),
        choices=((AMOUNT, _("a fixed amount")), (FORMULA, _("a formula"))),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=FORMULA,
    )
    amount = forms.DecimalField(
        label=capfirst(_("fixed amount")), max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    formula = forms.CharField(
        label=capfirst(_("formula")),
        max_length=2000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off", "class": "font-monospace formula-input"}
        ),
        help_text=_(
            "Like Excel: + - * / ( ), percentages, comparisons, IF MIN MAX ROUND FLOOR CEILING ABS AND OR NOT. Click a name to insert it."
        ),
    )

    def __init__(self, *args, structure: SalaryStructure, line=None, **kwargs):
        if line is not None:
            kwargs.setdefault(
                "initial",
                {
                    "component": line.component_id,
                    "mode": self.FORMULA if line.formula else self.AMOUNT,
                    "amount": line.amount,
                    "formula": line.formula,
                },
            )
        super().__init__(*args, **kwargs)
        taken = structure.lines.exclude(pk=getattr(line, "pk", None)).values("component_id")
        queryset = PayComponent.objects.exclude(pk__in=taken)
        if line is not None:
            queryset = queryset.filter(Q(is_active=True) | Q(pk=line.component_id))
            self.fields["component"].disabled = True
        else:
            queryset = queryset.filter(is_active=True)
        self.fields["component"].queryset = queryset.order_by("display_order", "code")
        self.fields["component"].label_from_instance = lambda c: f"{c.name}（{c.code}）· {c.get_kind_display()}"
        self.fields["formula"].widget.attrs.update(
            {
                "aria-describedby": "formula-feedback",
                # checked as HR types (payroll.views.setup.formula_check); the form's fields travel along
                "hx-post": reverse("payroll:formula_check"),
                "hx-trigger": "keyup changed delay:400ms, formula-changed delay:100ms",
                "hx-target": "#formula-feedback",
                "hx-sync": "this:replace",
            }
        )

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.AMOUNT:
            data["formula"] = ""
            if data.get("amount") is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter the fixed amount, or choose a formula."))
        elif mode == self.FORMULA:
            data["amount"] = None
            data["formula"] = (data.get("formula") or "").strip()
            if not data["formula"] and "formula" not in self.errors:
                self.add_error("formula", _("Enter a formula, or choose a fixed amount."))
        return data


class TryForm(StyledForm):
    """The try-it box: a base salary, the period inputs the structure's formulas use, and
    optionally a city policy (then social insurance, tax and net pay are shown too)."""

    base_salary = forms.DecimalField(
        label=capfirst(_("base salary")), max_digits=14, decimal_places=2, min_value=Decimal(0), initial=Decimal(10000)
    )
    policy = forms.ModelChoiceField(
        label=capfirst(_("social insurance policy")),
        queryset=SocialInsurancePolicy.objects.none(),
        required=False,
        empty_label=_("None (components only)"),
    )

    def __init__(self, *args, inputs: list[InputDefinition], on: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_names = []
        for definition in inputs:
            name = f"input_{definition.pk}"
            self.fields[name] = forms.DecimalField(
                label=definition.name
                if definition.name == definition.code
                else f"{definition.name}（{definition.code}）",
                max_digits=16,
                decimal_places=4,
                initial=format(definition.default.normalize(), "f"),
                required=False,
            )
            self.fields[name].widget.attrs.update({"class": "form-control", "step": "any"})
            self.input_names.append((name, definition.code, definition.default))
        self.fields["policy"].queryset = (
            SocialInsurancePolicy.objects.filter(effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
            .order_by("city")
        )
        self.fields["policy"].label_from_instance = lambda p: f"{p.city} · {p.name}"

    def input_values(self) -> dict[str, Decimal]:
        values = {}
        for field, code, default in self.input_names:
            value = self.cleaned_data.get(field)
            values[code] = default if value is None else value
        return values


# --- social-insurance policies ------------------------------------------------------------


class PolicyForm(StyledForm):
    city = forms.CharField(label=capfirst(_("city")), max_length=50)
    name = forms.CharField(
        label=capfirst(_("name")), max_length=100, help_text=_("For example: 上海 2025-07 至 2026-06.")
    )
    effective_from = forms.DateField(label=capfirst(_("effective from")), widget=DATE)
    effective_to = forms.DateField(
        label=capfirst(_("effective to")),
        widget=DATE,
        required=False,
        help_text=_("Empty: until a newer policy is entered."),
    )
    si_floor = forms.DecimalField(
        label=capfirst(_("social insurance base floor")), max_digits=14, decimal_places=2, min_value=0
    )
    si_ceiling = forms.DecimalField(
        label=capfirst(_("social insurance base ceiling")), max_digits=14, decimal_places=2, min_value=0
    )
    hf_floor = forms.DecimalField(
        label=capfirst(_("housing fund base floor")), max_digits=14, decimal_places=2, min_value=0
    )
    hf_ceiling = forms.DecimalField(
        label=capfirst(_("housing fund base ceiling")), max_digits=14, decimal_places=2, min_value=0
    )
    si_rounding = forms.ChoiceField(
        label=capfirst(_("social insurance rounding")), choices=Rounding.choices, initial=Rounding.FEN
    )
    hf_rounding = forms.ChoiceField(
        label=capfirst(_("housing fund rounding")), choices=Rounding.choices, initial=Rounding.YUAN
    )
    source = forms.CharField(
        label=capfirst(_("source")),
        max_length=300,
        required=False,
        help_text=_("The notice the figures come from, so others can check them."),
    )

    def __init__(self, *args, with_close_previous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for scheme in Scheme:
            for side, label in (
                ("employee", _("%(scheme)s, employee (%%)")),
                ("employer", _("%(scheme)s, employer (%%)")),
            ):
                text = label % {"scheme": scheme.label}
                self.fields[f"{scheme.value}_{side}"] = forms.DecimalField(
                    label=text,
                    max_digits=8,
                    decimal_places=3,
                    min_value=Decimal(0),
                    max_value=HUNDRED,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"step": "0.001", "class": "form-control text-end", "aria-label": text}
                    ),
                )
        if with_close_previous:
            self.fields["close_previous"] = forms.BooleanField(
                label=_("End the city's current policy the day before this one starts"),
                required=False,
                initial=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    MAIN_FIELDS = ("city", "name", "effective_from", "effective_to", "source")
    BASE_FIELDS = ("si_floor", "si_ceiling", "si_rounding", "hf_floor", "hf_ceiling", "hf_rounding")

    def main_fields(self):
        return [self[n] for n in self.MAIN_FIELDS]

    def base_fields_bound(self):
        return [self[n] for n in self.BASE_FIELDS]

    def rate_rows(self):
        return [(scheme.label, self[f"{scheme.value}_employee"], self[f"{scheme.value}_employer"]) for scheme in Scheme]

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The end date cannot be before the start date."))
        for floor, ceiling in (("si_floor", "si_ceiling"), ("hf_floor", "hf_ceiling")):
            low, high = data.get(floor), data.get(ceiling)
            if low is not None and high is not None and high < low:
                self.add_error(ceiling, _("The ceiling cannot be below the floor."))
        filled = any(data.get(f"{s.value}_employee") or data.get(f"{s.value}_employer") for s in Scheme)
        rate_errors = any(f"{s.value}_{side}" in self.errors for s in Scheme for side in ("employee", "employer"))
        if not filled and not rate_errors:
            self.add_error(None, _("Enter the contribution rates of at least one scheme."))
        return data

    def rates(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Rates of the schemes filled in, as fractions (8 -> 0.08). A scheme left empty on
        both sides does not apply in this city."""
        out = {}
        for scheme in Scheme:
            employee = self.cleaned_data.get(f"{scheme.value}_employee")
            employer = self.cleaned_data.get(f"{scheme.value}_employer")
            if employee is None and employer is None:
                continue
            out[scheme.value] = ((employee or Decimal(0)) / HUNDRED, (employer or Decimal(0)) / HUNDRED)
        return out

    def fill(self, policy: SocialInsurancePolicy) -> SocialInsurancePolicy:
        for name in (*self.MAIN_FIELDS, *self.BASE_FIELDS):
            value = self.cleaned_data[name]
            setattr(policy, name, value.strip() if isinstance(value, str) else value)
        return policy

    @staticmethod
    def initial_from(policy: SocialInsurancePolicy) -> dict:
        initial = {name: getattr(policy, name) for name in (*PolicyForm.MAIN_FIELDS, *PolicyForm.BASE_FIELDS)}
        for rate in policy.rates.all():
            initial[f"{rate.scheme}_employee"] = _percent(rate.employee_rate)
            initial[f"{rate.scheme}_employer"] = _percent(rate.employer_rate)
        return initial


def _percent(fraction: Decimal) -> Decimal:
    """0.08000 -> 8, 0.00500 -> 0.5 (no trailing zeros in the form)."""
    value = (fraction * HUNDRED).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value

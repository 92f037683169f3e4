"""Forms of the workforce analytics pages: the date the figures are taken on, the targets
(shares typed as percentages, tenure in years) and the tenure benchmark per position."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import StyledForm, style_widgets

from .choices import RoleFamily, WorkforceMetric
from .services_analytics import TargetInput, benchmark_error, is_share, target_error

HUNDRED = Decimal(100)


class AsOfForm(StyledForm):
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_as_of(self):
        value = self.cleaned_data.get("as_of")
        if value and value > self.today:
            raise forms.ValidationError(_("Choose a date no later than today."))
        return value


class TargetForm(StyledForm):
    metric = forms.ChoiceField(label=_("Metric"), choices=[("", "—"), *WorkforceMetric.choices])
    role_family = forms.ChoiceField(
        label=_("Role family"), choices=[("", _("Company-wide")), *RoleFamily.choices], required=False
    )
    target = forms.DecimalField(
        label=_("Target"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "class": "target-input"}),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        metric, family, value = data.get("metric"), data.get("role_family") or "", data.get("target")
        if metric and value is not None:
            stored = value / HUNDRED if is_share(metric) else value
            error = target_error(metric, family, stored)
            if error:
                self.add_error(*error)
            else:
                data["stored"] = stored
        return data

    @property
    def unit(self) -> str:
        """The unit of this row's target: percent for shares, years for tenure; "" when unknown."""
        metric = (self.data.get(self.add_prefix("metric")) if self.is_bound else None) or self.initial.get("metric")
        if not metric:
            return ""
        return "%" if is_share(metric) else str(_("years"))

    def to_input(self) -> TargetInput:
        d = self.cleaned_data
        return TargetInput(metric=d["metric"], role_family=d.get("role_family") or "", target=d["stored"])

    @staticmethod
    def initial_for(target) -> dict:
        value = target.target * HUNDRED if is_share(target.metric) else target.target
        return {
            "metric": target.metric,
            "role_family": target.role_family,
            "target": value.quantize(Decimal("0.1")),
        }


class BaseTargetFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _kept_forms(self):
        """Rows that stay: the existing ones not ticked for removal, and the empty rows that
        were filled in."""
        for i, form in enumerate(self.forms):
            if getattr(form, "cleaned_data", {}).get("DELETE"):
                continue
            if i >= self.initial_form_count() and not form.has_changed():
                continue
            yield form

    def clean(self):
        if any(self.errors):
            return
        seen: set[tuple[str, str]] = set()
        for form in self._kept_forms():
            key = (form.cleaned_data["metric"], form.cleaned_data.get("role_family") or "")
            if key in seen:
                raise forms.ValidationError(
                    _("%(metric)s has two targets for %(family)s: keep one row per metric and role family."),
                    params={
                        "metric": WorkforceMetric(key[0]).label,
                        "family": RoleFamily(key[1]).label if key[1] else _("Company-wide"),
                    },
                )
            seen.add(key)

    def targets(self) -> list[TargetInput]:
        """The complete set of targets to keep (valid formset only)."""
        return [form.to_input() for form in self._kept_forms()]


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True)


class BenchmarkForm(StyledForm):
    """One optional field per position: its tenure benchmark in years."""

    def __init__(self, *args, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions = list(positions)
        for position in self.positions:
            self.fields[self.field_name(position)] = forms.DecimalField(
                label=position.title,
                required=False,
                min_value=0,
                max_digits=4,
                decimal_places=1,
                initial=position.tenure_benchmark_years,
                widget=forms.NumberInput(attrs={"step": "0.1", "class": "target-input"}),
            )
        style_widgets(self)

    @staticmethod
    def field_name(position) -> str:
        return f"position_{position.pk}"

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for position in self.positions:
            name = self.field_name(position)
            message = benchmark_error(data.get(name))
            if message:
                self.add_error(name, message)
        return data

    def benchmarks(self) -> dict[int, Decimal | None]:
        return {p.pk: self.cleaned_data.get(self.field_name(p)) for p in self.positions}

    def rows(self):
        """(position, bound field) pairs for the table on the page."""
        return [(p, self[self.field_name(p)]) for p in self.positions]

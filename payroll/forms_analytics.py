"""Forms of the pay analytics pages: the window's last month, the market data upload and the
market data list's filter."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import StyledForm, style_widgets

from .models import BenchmarkBasis, MarketBenchmark


class WindowForm(StyledForm):
    """The last month of the 12-month window: one of the months with finalised pay."""

    month = forms.ChoiceField(label=_("12 months up to"), required=False)

    def __init__(self, *args, months: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.months = months
        field = self.fields["month"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months]

    def chosen(self) -> date | None:
        """The chosen month, else the latest month with finalised pay (None: there is none)."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("month"):
            wanted = self.cleaned_data["month"]
            return next(m for m in self.months if m.strftime("%Y-%m") == wanted)
        return self.months[0] if self.months else None


class MarketImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class MarketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Source, position or grade"), method="search")
    survey_year = django_filters.ChoiceFilter(label=_("Survey year"), empty_label=_("All years"))
    basis = django_filters.ChoiceFilter(label=_("Basis"), choices=BenchmarkBasis.choices, empty_label=_("Both"))

    class Meta:
        model = MarketBenchmark
        fields = ["q", "survey_year", "basis"]

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["survey_year"].extra["choices"] = [(y, y) for y in years]
        self.form.fields["survey_year"].choices = [("", _("All years")), *((str(y), str(y)) for y in years)]
        style_widgets(self.form)

    def search(self, queryset, name, value):
        from .selectors_analytics import search_benchmarks

        return search_benchmarks(queryset, value)

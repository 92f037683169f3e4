import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import style_widgets

from .models import AuditEntry, AuditEvent


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    event = django_filters.ChoiceFilter(label=_("Event"), choices=AuditEvent.choices, empty_label=_("All events"))
    content_type = django_filters.ModelChoiceFilter(
        label=_("Record type"),
        queryset=ContentType.objects.none(),
        empty_label=_("All record types"),
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="timestamp", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="timestamp", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["q", "event", "content_type", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = AuditEntry.objects.values("content_type").distinct()
        self.filters["content_type"].queryset = ContentType.objects.filter(pk__in=used).order_by("app_label", "model")
        self.filters["content_type"].field.label_from_instance = lambda ct: str(
            ct.model_class()._meta.verbose_name if ct.model_class() else ct.model
        )
        style_widgets(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(object_repr__icontains=value) | Q(actor__username__icontains=value)
        if _looks_like_ip(value):
            condition |= Q(remote_addr=value)
        return queryset.filter(condition)


def _looks_like_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True

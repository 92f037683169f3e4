"""Search and filters of the employee lists (HR list, my team, export)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrsuite.core.forms import style_widgets
from hrsuite.crypto import blind_index

from .choices import EducationLevel, EmployeeStatus, RoleFamily
from .models import Department, Employee, Location, Position
from .validators import ID_SHAPE, normalise_national_id


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, number, phone or ID number"), method="search")
    department = django_filters.ModelChoiceFilter(
        label=_("Department (with sub-departments)"),
        queryset=Department.objects.order_by("path"),
        method="in_subtree",
        empty_label=_("All departments"),
    )
    position = django_filters.ModelChoiceFilter(
        label=_("Position"), queryset=Position.objects.all(), empty_label=_("All positions")
    )
    role_family = django_filters.ChoiceFilter(
        label=_("Role family"),
        field_name="position__role_family",
        choices=RoleFamily.choices,
        empty_label=_("All families"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EmployeeStatus.choices, empty_label=_("All statuses")
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Work location"), queryset=Location.objects.all(), empty_label=_("All locations")
    )
    education_level = django_filters.ChoiceFilter(
        label=_("Education"), choices=EducationLevel.choices, empty_label=_("Any education")
    )

    class Meta:
        model = Employee
        fields = ["q", "department", "position", "role_family", "status", "location", "education_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].field.label_from_instance = lambda d: "\u3000" * d.depth + d.name
        style_widgets(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        candidate = normalise_national_id(value)
        if ID_SHAPE.fullmatch(candidate):
            # an ID number is looked up by its blind index alone: the clear number never reaches
            # the database (its statement log, pg_stat_statements) or the SQL debug log
            return queryset.filter(national_id_hash=blind_index(candidate, purpose="national_id"))
        return queryset.filter(Q(name__icontains=value) | Q(employee_no__iexact=value) | Q(phone__startswith=value))

    def in_subtree(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path) if value else queryset

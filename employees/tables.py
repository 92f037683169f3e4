import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hrsuite.core.templatetags.ui import status_badge

from .models import Employee


class EmployeeTable(tables.Table):
    employee_no = tables.Column(verbose_name=_("Employee no."), linkify=("employees:detail", {"pk": tables.A("pk")}))
    name = tables.Column(verbose_name=_("Name"), linkify=("employees:detail", {"pk": tables.A("pk")}))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name", default="—")
    position = tables.Column(verbose_name=_("Position"), accessor="position__title", default="—")
    grade = tables.Column(verbose_name=_("Grade"), accessor="grade__code", default="—")
    location = tables.Column(verbose_name=_("Work location"), accessor="location__name", default="—")
    manager = tables.Column(verbose_name=_("Manager"), accessor="manager__name", default="—")
    status = tables.Column(verbose_name=_("Status"))
    hire_date = tables.DateColumn(verbose_name=_("Hire date"), format="Y-m-d")

    class Meta:
        model = Employee
        fields = (
            "employee_no",
            "name",
            "department",
            "position",
            "grade",
            "location",
            "manager",
            "status",
            "hire_date",
        )
        attrs = {"class": "table table-hover align-middle"}
        order_by = "employee_no"

    def render_status(self, record):
        return status_badge(record.status, record.get_status_display())

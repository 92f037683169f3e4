from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "employees"
    verbose_name = _("Employees")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        register(models.Department)
        register(models.Employee)
        widgets.register_widgets()

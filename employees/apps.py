from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmployeesConfig(AppConfig):
    name = "employees"
    verbose_name = _("Employees")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        register(models.Department)
        register(models.Location)
        register(models.Grade)
        register(models.Position)
        register(
            models.Employee,
            mask=models.Employee.SECRET_FIELDS,
            exclude=("national_id_hash", "bank_account_hash", "national_id_last4", "bank_account_last4", "updated_at"),
        )
        register(models.Contract)
        register(models.EmployeeDocument, exclude=("file",))
        register(models.ChangeRequest, exclude=("payload",))
        register(models.WorkforceTarget)
        widgets.register_widgets()

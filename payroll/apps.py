from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = _("Payroll")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        for model in (
            models.PayComponent,
            models.InputDefinition,
            models.SalaryStructure,
            models.StructureLine,
            models.PayAssignment,
            models.AssignmentItem,
            models.PeriodInput,
            models.SocialInsurancePolicy,
            models.SocialInsuranceRate,
            models.TaxDeclaration,
            models.PayAdjustment,
            models.BlockedAccount,
            models.PayeeFlag,
            models.MarketBenchmark,
        ):
            register(model)
        register(models.PayRun, exclude=("employees_done", "calc_token", "calc_started_at", "calc_finished_at"))
        widgets.register_widgets()

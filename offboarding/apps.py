from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffboardingConfig(AppConfig):
    name = "offboarding"
    verbose_name = _("Offboarding and handover")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        for model in (models.HandoverTemplate, models.TemplateItem, models.SeparationCase, models.CustomerAccount):
            register(model)
        register(models.HandoverItem, exclude=("data",))
        widgets.register_widgets()

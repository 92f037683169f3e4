from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance and OKR")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        for model in (
            models.OkrCycle,
            models.Objective,
            models.KeyResult,
            models.ReviewCycle,
            models.RatingLevel,
            models.Review,
        ):
            register(model)
        widgets.register_widgets()

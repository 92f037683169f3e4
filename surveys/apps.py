from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """The survey engine (targeted invitations, one answer each, aggregated results), shared by
    training (needs and feedback surveys), offboarding (exit interviews) and employee relations
    (anonymous engagement surveys)."""

    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models

        register(models.Survey)
        register(models.SurveyQuestion)

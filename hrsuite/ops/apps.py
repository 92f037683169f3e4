from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "hrsuite.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import signals, widgets

        widgets.register_widgets()
        signals.connect()  # record each run of a background job (JobRun)

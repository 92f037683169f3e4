from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "hrsuite.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import receivers, registry, widgets  # noqa: F401  (connect signals, register models)

        widgets.register_widgets()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hrsuite.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from hrsuite import roles  # noqa: F401  (registers the permission rules)

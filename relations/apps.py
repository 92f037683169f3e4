from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationsConfig(AppConfig):
    name = "relations"
    verbose_name = _("Employee relations")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models

        # Projects and bonuses are audited like every pay-relevant change. The feedback box is
        # deliberately NOT registered: an audit entry names the acting user, and a poster must not
        # be named anywhere (HR's hide and reply actions are recorded on the thread itself).
        for model in (models.CollaborationProject, models.ProjectMember, models.CollaborationBonus):
            register(model)

        from .widgets import register_widgets

        register_widgets()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and qualifications")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, receivers, widgets  # noqa: F401  (receivers connect on import)

        for model in (
            models.Course,
            models.CourseSession,
            models.CourseRequirement,
            models.Enrollment,
            models.CertificateType,
            models.CertificateRequirement,
            models.EmployeeCertificate,
            models.ComplianceIncident,
            models.TrainingSettings,
        ):
            register(model)
        widgets.register_widgets()

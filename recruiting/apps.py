from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitingConfig(AppConfig):
    name = "recruiting"
    verbose_name = _("Recruiting")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models, widgets

        for model in (models.Requisition, models.JobPosting, models.Offer, models.Interview):
            register(model)
        # the resume file and its extracted text stay out of the audit log's change records
        register(models.Application, exclude=("resume", "resume_text", "cover_letter", "matched_terms"))
        register(models.Candidate)
        widgets.register_widgets()
        # an assessment that runs out of time with the page closed is graded by the exams job;
        # the receiver puts its score on the application
        from exams.signals import attempt_graded

        from . import services_assessments

        attempt_graded.connect(services_assessments.on_attempt_graded, dispatch_uid="recruiting_assessment_graded")

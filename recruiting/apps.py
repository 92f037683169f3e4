from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitingConfig(AppConfig):
    name = "recruiting"
    verbose_name = _("Recruiting")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models

        for model in (models.Requisition, models.JobPosting, models.Offer, models.Interview):
            register(model)
        # the resume file and its extracted text stay out of the audit log's change records
        register(models.Application, exclude=("resume", "resume_text", "cover_letter", "matched_terms"))
        register(models.Candidate)

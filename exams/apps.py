from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    """The exam engine (question banks, exams, graded attempts), shared by training and by the
    online assessments of recruiting."""

    name = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from hrsuite.audit.registry import register

        from . import models

        for model in (models.QuestionBank, models.Question, models.Exam):
            register(model)

"""Training listens to the exam engine: passing a course's exam completes the course."""

from django.dispatch import receiver

from exams.signals import attempt_graded

from .services import complete_by_exam


@receiver(attempt_graded, dispatch_uid="training_complete_by_exam")
def on_attempt_graded(sender, attempt, **kwargs):
    complete_by_exam(attempt)

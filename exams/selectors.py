"""Reads of the exam engine. Question banks, exams and results are HR's (hrsuite.manage_training:
HR sees all of them); an employee reads only their own attempts and the exams of the courses
they are enrolled in."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import AttemptStatus, Exam, ExamAttempt, Question, QuestionBank

GRADED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def banks_with_counts() -> QuerySet[QuestionBank]:
    return QuestionBank.objects.annotate(
        question_total=Count("questions", distinct=True),
        active_total=Count("questions", filter=Q(questions__is_active=True), distinct=True),
        exam_total=Count("exams", distinct=True),
    ).order_by("name")


def bank_questions(bank: QuestionBank) -> QuerySet[Question]:
    return bank.questions.prefetch_related("choices").order_by("pk")


def exams_with_stats() -> QuerySet[Exam]:
    return (
        Exam.objects.select_related("bank")
        .prefetch_related("courses")
        .annotate(
            graded_total=Count("attempts", filter=Q(attempts__status__in=GRADED)),
            passed_total=Count("attempts", filter=Q(attempts__status__in=GRADED, attempts__passed=True)),
            open_total=Count("attempts", filter=Q(attempts__status=AttemptStatus.IN_PROGRESS)),
        )
        .order_by("title")
    )


def exam_attempts(exam: Exam) -> QuerySet[ExamAttempt]:
    return (
        ExamAttempt.objects.filter(exam=exam)
        .select_related("employee", "employee__department")
        .order_by("-started_at", "-pk")
    )


def graded_papers(exam: Exam) -> QuerySet:
    """(paper, answers) of every graded attempt, for the per-question statistics."""
    return ExamAttempt.objects.filter(exam=exam, status__in=GRADED).values_list("paper", "answers")


def attempts_of_employee(employee_id: int) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(employee_id=employee_id).select_related("exam").order_by("-started_at", "-pk")


def exams_open_to(employee_id: int) -> QuerySet[Exam]:
    """The active exams an employee may start: those of active courses they are enrolled in
    (enrolment open). Completing the course (by passing) closes the enrolment, so a passed
    exam drops out of this list."""
    from training.choices import EnrollmentStatus
    from training.models import Enrollment

    course_exams = Enrollment.objects.filter(
        employee_id=employee_id,
        status=EnrollmentStatus.ENROLLED,
        course__is_active=True,
        course__exam__isnull=False,
    ).values("course__exam_id")
    return Exam.objects.filter(is_active=True, pk__in=course_exams).order_by("title")

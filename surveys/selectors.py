"""Reads of the survey engine. Results are read with a fixed number of queries (the round chain,
the surveys, their questions, their responses, the departments), however many people answered,
and handed to the pure functions of `surveys.results`."""

from __future__ import annotations

import dataclasses
import random

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from employees.models import Department, Employee

from . import results
from .models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse

MAX_ROUNDS = 50

_ROUNDS_SQL = """
WITH RECURSIVE chain(id, round_of_id, depth) AS (
    SELECT id, round_of_id, 0 FROM surveys_survey WHERE id = %s
    UNION ALL
    SELECT s.id, s.round_of_id, c.depth + 1 FROM surveys_survey s JOIN chain c ON s.id = c.round_of_id
    WHERE c.depth < %s
)
SELECT id FROM chain ORDER BY depth DESC
"""


def _count(queryset, field: str = "survey") -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def surveys_with_counts() -> QuerySet[Survey]:
    """Surveys with their number of questions, invitations and answers (one query)."""
    return Survey.objects.annotate(
        question_count=_count(SurveyQuestion.objects.all()),
        invited=_count(SurveyInvitation.objects.all()),
        answered=_count(SurveyInvitation.objects.filter(answered_at__isnull=False)),
    )


def invitation_counts(survey: Survey) -> dict[str, int]:
    return SurveyInvitation.objects.filter(survey=survey).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )


def invitations_of(survey: Survey) -> QuerySet[SurveyInvitation]:
    return (
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("employee", "employee__department")
        .defer(*(f"employee__{f}" for f in Employee.SECRET_FIELDS))
        .order_by("employee__department__path", "employee__employee_no")
    )


def round_ids(survey: Survey) -> list[int]:
    """The survey and its earlier rounds (`round_of`, transitively), oldest first. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_ROUNDS_SQL, [survey.pk, MAX_ROUNDS])
        ids: list[int] = []
        for (pk,) in cursor.fetchall():
            if pk not in ids:
                ids.append(pk)
    return ids


def _path(text: str | None) -> tuple[int, ...]:
    return tuple(int(p) for p in (text or "").strip("/").split("/") if p)


def results_input(survey: Survey) -> tuple[list[results.Round], dict[int, results.Department]]:
    """The rounds (oldest first, this survey last) and the departments named in their answers."""
    ids = round_ids(survey)
    surveys = Survey.objects.in_bulk(ids)
    questions: dict[int, list[results.Question]] = {pk: [] for pk in ids}
    for q in SurveyQuestion.objects.filter(survey_id__in=ids).order_by("survey_id", "display_order", "pk"):
        questions[q.survey_id].append(
            results.Question(
                id=q.pk, kind=q.kind, text=q.text, options=tuple(q.options or ()), topic=q.topic, required=q.required
            )
        )
    responses: dict[int, list[results.Response]] = {pk: [] for pk in ids}
    department_ids: set[int] = set()
    rows = (
        SurveyResponse.objects.filter(survey_id__in=ids)
        .order_by("submitted_on", "pk")
        .values_list("survey_id", "department__path", "answers", "invitation__employee__name")
    )
    for survey_id, path_text, answers, name in rows:
        path = _path(path_text)
        department_ids.update(path)
        anonymous = surveys[survey_id].anonymous
        responses[survey_id].append(
            results.Response(answers=answers or {}, department_path=path, respondent="" if anonymous else name or "")
        )
    departments = {
        pk: results.Department(id=pk, name=name, path=_path(path))
        for pk, name, path in Department.objects.filter(pk__in=department_ids).values_list("pk", "name", "path")
    }
    rounds = [
        results.Round(
            survey_id=pk,
            title=surveys[pk].title,
            label=timezone.localtime(surveys[pk].opens_at).strftime("%Y-%m-%d"),
            anonymous=surveys[pk].anonymous,
            min_group_size=surveys[pk].min_group_size,
            questions=tuple(questions[pk]),
            responses=tuple(responses[pk]),
        )
        for pk in ids
        if pk in surveys
    ]
    return rounds, departments


def survey_results(
    survey: Survey, *, max_depth: int | None = None, rng: random.Random | None = None
) -> results.SurveyResults:
    """Every figure of the survey's results page and export, trends over its earlier rounds included."""
    rounds, departments = results_input(survey)
    outcome = results.aggregate(rounds[-1], departments=departments, max_depth=max_depth, rng=rng)
    return dataclasses.replace(outcome, trends=results.trends(rounds))


# --- the employee's own surveys -------------------------------------------------------------


def invitations_for(employee: Employee) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(employee=employee).select_related("survey").order_by("survey__closes_at")


def invitation_of(survey: Survey, employee: Employee | None) -> SurveyInvitation | None:
    if employee is None:
        return None
    return SurveyInvitation.objects.filter(survey=survey, employee=employee).first()


def own_response(invitation: SurveyInvitation) -> SurveyResponse | None:
    """A named survey's answers of the invited person (an anonymous response is linked to nobody)."""
    return SurveyResponse.objects.filter(invitation=invitation).first()

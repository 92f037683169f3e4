"""Reads of the survey engine. Results are read with a fixed number of queries (the round chain,
the surveys, their questions, their responses, the departments), however many people answered,
and handed to the pure functions of `surveys.results`."""

from __future__ import annotations

import dataclasses
import hashlib
import random

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from employees.models import Department, Employee

from . import results
from .models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse

MAX_ROUNDS = 50
AGGREGATE_CACHE_SECONDS = 7 * 24 * 3600  # the key changes with the data; this only frees memory
# Part of every cached aggregate's key (aggregated_rounds). Bump it whenever the output shape or
# the logic of results.aggregate changes (a new field, a new rule for hiding small groups...),
# so no aggregate computed by the old code is served by the new one.
AGGREGATE_VERSION = 1

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


def _round_questions(ids: list[int]) -> dict[int, list[results.Question]]:
    questions: dict[int, list[results.Question]] = {pk: [] for pk in ids}
    for q in SurveyQuestion.objects.filter(survey_id__in=ids).order_by("survey_id", "display_order", "pk"):
        questions[q.survey_id].append(
            results.Question(
                id=q.pk, kind=q.kind, text=q.text, options=tuple(q.options or ()), topic=q.topic, required=q.required
            )
        )
    return questions


def _round_responses(ids: list[int], surveys: dict[int, Survey]) -> tuple[dict[int, list[results.Response]], set[int]]:
    """The answers of the surveys `ids`, oldest first, and every department on their paths."""
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
    return responses, department_ids


def _round(survey: Survey, questions: list[results.Question], responses=()) -> results.Round:
    return results.Round(
        survey_id=survey.pk,
        title=survey.title,
        label=timezone.localtime(survey.opens_at).strftime("%Y-%m-%d"),
        anonymous=survey.anonymous,
        min_group_size=survey.min_group_size,
        questions=tuple(questions),
        responses=tuple(responses),
    )


def results_input(survey: Survey) -> tuple[list[results.Round], dict[int, results.Department]]:
    """The rounds (oldest first, this survey last) and the departments named in their answers."""
    ids = round_ids(survey)
    surveys = Survey.objects.in_bulk(ids)
    questions = _round_questions(ids)
    responses, department_ids = _round_responses(ids, surveys)
    departments = {
        pk: results.Department(id=pk, name=name, path=_path(path))
        for pk, name, path in Department.objects.filter(pk__in=department_ids).values_list("pk", "name", "path")
    }
    rounds = [_round(surveys[pk], questions[pk], responses[pk]) for pk in ids if pk in surveys]
    return rounds, departments


def aggregated_rounds(
    survey: Survey,
) -> tuple[list[results.Round], list[results.SurveyResults], dict[int, results.Department]]:
    """The rounds of `survey` (oldest first, this survey last; without their answers), each one
    aggregated by `results.aggregate`, and the departments named in them.

    A round's aggregate is kept in the cache under a key made of everything it is computed from:
    the engine's version (AGGREGATE_VERSION), the survey's settings, its questions, the number and the last id of its answers, and the
    department tree (names and paths). A new answer, an edited question or a moved or renamed
    department therefore gives a new key, and a closed round is read from its answers once rather
    than on every request. What is cached is the engine's output, small groups already hidden."""
    ids = round_ids(survey)
    surveys = Survey.objects.in_bulk(ids)
    ids = [pk for pk in ids if pk in surveys]
    questions = _round_questions(ids)
    answered = {
        pk: (n, last)
        for pk, n, last in SurveyResponse.objects.filter(survey_id__in=ids)
        .order_by()
        .values("survey_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .values_list("survey_id", "n", "last")
    }
    tree = list(Department.objects.order_by("pk").values_list("pk", "name", "path"))
    tree_key = _digest(tree)
    rounds = {pk: _round(surveys[pk], questions[pk]) for pk in ids}
    # rounds[pk] carries the survey's settings (anonymous, min_group_size) and its questions
    keys = {
        pk: f"surveys:aggregate:v{AGGREGATE_VERSION}:"
        + _digest((pk, surveys[pk].created_at.isoformat(), rounds[pk], answered.get(pk), tree_key))
        for pk in ids
    }
    cached = cache.get_many(list(keys.values()))
    outcomes = {pk: cached[keys[pk]] for pk in ids if keys[pk] in cached}
    missing = [pk for pk in ids if pk not in outcomes]
    departments = {pk: results.Department(id=pk, name=name, path=_path(path)) for pk, name, path in tree}
    if missing:
        responses, _named = _round_responses(missing, surveys)
        fresh = {
            pk: results.aggregate(
                dataclasses.replace(rounds[pk], responses=tuple(responses[pk])), departments=departments
            )
            for pk in missing
        }
        cache.set_many({keys[pk]: outcome for pk, outcome in fresh.items()}, timeout=AGGREGATE_CACHE_SECONDS)
        outcomes.update(fresh)
    named = {node.department_id for o in outcomes.values() for node in o.departments}
    return (
        [rounds[pk] for pk in ids],
        [outcomes[pk] for pk in ids],
        {pk: d for pk, d in departments.items() if pk in named},
    )


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


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

"""What the results page and the export show, built from `surveys.results` dataclasses: chart
specifications for templates/components/chart.html and the survey's state at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from . import results
from .models import Survey

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def survey_state(survey: Survey, now: datetime) -> str:
    """Computed when read: a survey is upcoming, open or closed by its times."""
    if now < survey.opens_at:
        return UPCOMING
    return OPEN if now < survey.closes_at else CLOSED


def hidden_text(marker: results.Hidden) -> str:
    if marker.reason == results.COMPLEMENT:
        return _("Hidden, so that a smaller group cannot be worked out from the others")
    return _("Hidden: fewer than %(n)s answers") % {"n": marker.min_size}


def percent(share: Decimal | None) -> float | None:
    return None if share is None else float(share * 100)


def _no_legend() -> dict:
    return {"plugins": {"legend": {"display": False}}}


def question_chart(qr: results.QuestionResult) -> dict | None:
    r = qr.result
    if isinstance(r, results.RatingResult) and r.count:
        return {
            "type": "bar",
            "labels": [str(s) for s in results.RATING_SCALE],
            "datasets": [{"label": _("Answers"), "data": list(r.distribution)}],
            "options": {**_no_legend(), "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}},
        }
    if isinstance(r, results.ChoiceResult) and r.count:
        return {
            "type": "bar",
            "horizontal": True,
            "percent": True,
            "labels": [o.label for o in r.options],
            "datasets": [
                {"label": _("Share of the people who answered"), "data": [percent(o.share) for o in r.options]}
            ],
            "options": _no_legend(),
        }
    return None


def trend_chart(trend: results.TopicTrend) -> dict:
    labels = [p.label for p in trend.points]
    if trend.kind == results.RATING:
        data = [None if p.hidden or p.value is None else float(p.value) for p in trend.points]  # type: ignore[arg-type]
        return {
            "type": "line",
            "labels": labels,
            "datasets": [{"label": _("Mean (1–5)"), "data": data, "spanGaps": True}],
            "options": {**_no_legend(), "scales": {"y": {"min": 1, "max": 5}}},
        }
    datasets = []
    for i, option in enumerate(trend.options):
        data = [None if p.hidden else percent(p.shares[i]) for p in trend.points]  # type: ignore[index]
        datasets.append({"label": option, "data": data, "spanGaps": True})
    return {"type": "line", "percent": True, "labels": labels, "datasets": datasets}


def question_cards(questions: Iterable[results.QuestionResult]) -> list[dict]:
    """One card per question of a results page (numbered from 1): its result, or the text that
    says why it is hidden, and its chart."""
    cards = []
    for i, qr in enumerate(questions, start=1):
        height = 280
        if isinstance(qr.result, results.ChoiceResult):
            height = max(160, 44 * len(qr.result.options) + 50)
        cards.append(
            {
                "number": i,
                "question": qr.question,
                "result": qr.result,
                "hidden": hidden_text(qr.result) if isinstance(qr.result, results.Hidden) else "",
                "chart": None if isinstance(qr.result, results.Hidden) else question_chart(qr),
                "chart_id": f"chart-q{qr.question.id}",
                "height": height,
            }
        )
    return cards


def results_context(survey: Survey, outcome: results.SurveyResults) -> dict:
    cards = question_cards(outcome.questions)
    table_questions = [q for q in (qr.question for qr in outcome.questions) if q.kind != results.TEXT]
    rows = []
    for row in outcome.departments:
        cells = [
            {"hidden": hidden_text(c)} if isinstance(c, results.Hidden) else {"cell": c, "kind": q.kind}
            for q, c in zip(table_questions, row.cells, strict=True)
        ]
        rows.append(
            {
                "row": row,
                "hidden": hidden_text(row.responses) if isinstance(row.responses, results.Hidden) else "",
                "cells": cells,
                "indent": max(row.depth, 0),
            }
        )
    trends = [
        {
            "trend": t,
            "chart": trend_chart(t),
            "chart_id": f"chart-trend-{n}",
            "points": [
                {"point": p, "hidden": hidden_text(p.value) if isinstance(p.value, results.Hidden) else ""}
                for p in t.points
            ],
        }
        for n, t in enumerate(outcome.trends, start=1)
    ]
    return {
        "survey": survey,
        "results": outcome,
        "all_hidden": hidden_text(outcome.hidden) if outcome.hidden else "",
        "cards": cards,
        "table_questions": table_questions,
        "rows": rows,
        "trends": trends,
    }

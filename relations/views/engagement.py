"""Engagement rounds: the list (HR every round; a manager the rounds that invited people in their
reach), a new round (HR: one call of relations.engagement.engagement_round_create) and a round's
results by department and topic (a manager: only the departments they head).

Figures come from the survey engine (surveys.selectors.aggregated_rounds + surveys.results, small
groups suppressed there) reshaped by topic in relations.engagement_results; nothing here counts
answers itself."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hrsuite.core.refusals import add_service_errors
from hrsuite.permissions import require_perm
from surveys import results as engine
from surveys import selectors as survey_selectors
from surveys.presentation import hidden_text, question_cards, survey_state

from .. import selectors_engagement as selectors
from ..engagement import engagement_round_create
from ..engagement_results import EngagementResults, engagement_results, in_scope
from ..forms_engagement import NewRoundForm, RoundFilterForm

MANAGE = "hrsuite.manage_relations"
VIEW = "hrsuite.view_team_relations"


def _rate(invited: int, answered: int) -> Decimal | None:
    return (Decimal(answered) / Decimal(invited)) if invited else None


# --- list -----------------------------------------------------------------------------------


@require_GET
@require_perm(MANAGE, VIEW)
def rounds(request):
    form = RoundFilterForm(request.GET or None)
    now = timezone.now()
    qs = selectors.filter_rounds(
        selectors.rounds_visible_to(request.user), q=form.value("q"), state=form.value("state"), now=now
    ).order_by("-opens_at", "-pk")
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        s.state = survey_state(s, now)
        s.rate = _rate(s.invited, s.answered)
    return render(
        request,
        "relations/engagement_list.html",
        {
            "filter": SimpleNamespace(form=form),
            "page_obj": page,
            "can_manage": request.user.has_perm(MANAGE),
            "filtered": bool(form.value("q") or form.value("state")),
            "page_title": _("Engagement surveys"),
        },
    )


# --- a new round ----------------------------------------------------------------------------


@require_perm(MANAGE)
def new_round(request):
    form = NewRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey, outcome = engagement_round_create(
                title=d["title"],
                description=d["description"],
                opens_at=d["opens_at"],
                closes_at=d["closes_at"],
                min_group_size=d["min_group_size"],
                previous=d["previous"],
                departments=d["departments"],
                whole_company=d["whole_company"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The round “%(title)s” was opened and %(n)s people were invited.")
                % {"title": survey.title, "n": outcome.invited},
            )
            return redirect("relations:engagement_results", pk=survey.pk)
    return render(request, "relations/engagement_form.html", {"form": form, "page_title": _("New engagement round")})


# --- results --------------------------------------------------------------------------------


def _focus(request, departments, visible) -> tuple[int, ...]:
    """The groups whose trend is drawn: HR the whole company (and a chosen department); a manager
    the departments they head (or the chosen one in their reach)."""
    chosen: int | None = None
    try:
        chosen = int(request.GET.get("focus", ""))
    except ValueError:
        chosen = None
    if visible is None:
        return (engine.ROOT, chosen) if chosen and chosen in departments else (engine.ROOT,)
    if chosen and in_scope(chosen, departments, visible):
        return (chosen,)
    return tuple(visible)


def _score(value) -> float | None:
    return None if value is None else float(value)


def _trend_chart(trend, labels) -> dict:
    datasets = [
        {
            "label": s.name or _("Whole company"),
            "data": [None if p.hidden else _score(p.score) for p in s.points],
            "spanGaps": True,
        }
        for s in trend.series
    ]
    return {
        "type": "line",
        "labels": list(labels),
        "datasets": datasets,
        "options": {
            "plugins": {"legend": {"display": len(datasets) > 1, "position": "bottom"}},
            "scales": {"y": {"min": 1, "max": 5}},
        },
    }


def _context(data: EngagementResults) -> dict:
    rows = []
    for row in data.rows:
        rows.append(
            {
                "row": row,
                "name": row.name or _("Whole company"),
                "indent": max(row.depth, 0),
                "hidden": hidden_text(row.responses) if isinstance(row.responses, engine.Hidden) else "",
                "cells": [{"cell": c, "hidden": hidden_text(c.hidden) if c.hidden else ""} for c in row.cells],
                "questions": [
                    {"hidden": hidden_text(c)} if isinstance(c, engine.Hidden) else {"cell": c}
                    for c in row.question_cells
                ],
            }
        )
    trends = []
    for n, t in enumerate(data.trends, start=1):
        trends.append(
            {
                "trend": t,
                "chart": _trend_chart(t, data.labels),
                "chart_id": f"chart-topic-{n}",
                "series": [
                    {
                        "name": s.name or _("Whole company"),
                        "points": [{"point": p, "hidden": hidden_text(p.marker) if p.marker else ""} for p in s.points],
                    }
                    for s in t.series
                ],
            }
        )
    return {
        "data": data,
        "rows": rows,
        "cards": question_cards(data.questions),
        "trends": trends,
        "all_hidden": hidden_text(data.hidden) if data.hidden else "",
    }


@require_GET
@require_perm(MANAGE, VIEW)
def round_results(request, pk: int):
    survey = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    visible = selectors.headed_department_ids(request.user)
    rounds_input, outcomes, departments = survey_selectors.aggregated_rounds(survey)
    focus = _focus(request, departments, visible)
    data = engagement_results(rounds_input, departments, visible=visible, focus=focus, outcomes=outcomes)
    context = _context(data)
    context.update(
        {
            "survey": survey,
            "scoped": visible is not None,
            "state": survey_state(survey, timezone.now()),
            "rate": _rate(survey.invited, survey.answered),
            "focus": focus,
            "page_title": survey.title,
        }
    )
    return render(request, "relations/engagement_results.html", context)

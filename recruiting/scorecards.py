"""Interview scorecards: the criteria every interviewer rates (1–5) and the pure aggregation HR
and the hiring manager read on an application (no ORM, no clock: objects or mappings in,
a frozen dataclass out)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import Recommendation

RATING_MIN = 1
RATING_MAX = 5
RATINGS = tuple(range(RATING_MIN, RATING_MAX + 1))


@dataclass(frozen=True)
class Criterion:
    key: str  # stored in Scorecard.ratings; never renamed
    label: Any  # lazily translated
    help: Any = ""


CRITERIA: tuple[Criterion, ...] = (
    Criterion("skills", _("Professional skill"), _("Knowledge and experience the role needs.")),
    Criterion("communication", _("Communication"), _("Explains clearly, listens, answers to the point.")),
    Criterion("problem_solving", _("Problem solving"), _("Analyses a problem and reaches a sound solution.")),
    Criterion("teamwork", _("Teamwork"), _("Works with others, shares, takes responsibility.")),
    Criterion("fit", _("Fit for the role"), _("Motivation and fit with the role and the team.")),
)
CRITERIA_KEYS: tuple[str, ...] = tuple(c.key for c in CRITERIA)

ONE_PLACE = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionAverage:
    key: str
    label: Any
    average: Decimal | None  # None: nobody rated it


@dataclass(frozen=True)
class Aggregate:
    count: int
    criteria: tuple[CriterionAverage, ...]
    overall: Decimal | None
    recommendations: dict[str, int] = field(default_factory=dict)  # every Recommendation value, in order

    @property
    def averages(self) -> dict[str, Decimal | None]:
        return {c.key: c.average for c in self.criteria}

    @property
    def recommendation_rows(self) -> list[tuple[str, Any, int]]:
        labels = dict(Recommendation.choices)
        return [(key, labels[key], n) for key, n in self.recommendations.items()]

    @property
    def hire_votes(self) -> int:
        return self.recommendations.get(Recommendation.STRONG_YES, 0) + self.recommendations.get(Recommendation.YES, 0)


def _get(card: Any, name: str) -> Any:
    return card.get(name) if isinstance(card, Mapping) else getattr(card, name)


def aggregate(scorecards: Iterable[Any]) -> Aggregate:
    """Average rating per criterion (0.1, half up), the overall average of every rating given,
    and how many scorecards made each recommendation. Ratings outside 1–5 or of unknown
    criteria are ignored (the service never stores them)."""
    sums = {key: 0 for key in CRITERIA_KEYS}
    counts = {key: 0 for key in CRITERIA_KEYS}
    recommendations = {value: 0 for value in Recommendation.values}
    count = 0
    for card in scorecards:
        count += 1
        ratings = _get(card, "ratings") or {}
        for key in CRITERIA_KEYS:
            value = ratings.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX:
                sums[key] += value
                counts[key] += 1
        rec = _get(card, "recommendation")
        if rec in recommendations:
            recommendations[rec] += 1
    total, given = sum(sums.values()), sum(counts.values())
    return Aggregate(
        count=count,
        criteria=tuple(
            CriterionAverage(c.key, c.label, _round(Decimal(sums[c.key]) / counts[c.key]) if counts[c.key] else None)
            for c in CRITERIA
        ),
        overall=_round(Decimal(total) / given) if given else None,
        recommendations=recommendations,
    )

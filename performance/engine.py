"""Pure OKR and rating arithmetic: Decimal in, Decimal out, no ORM, no clock.

* A key result's completion runs linearly from its start to its target, in either direction
  (a cost brought down from 100 to 80 is 50% done at 90), clamped to 0–100%.
* An objective's completion is the weighted mean of its key results; weights must total 100.
* A person's (or team's) completion over a cycle is the plain mean of their objectives.
* A rating distribution compares each rating's share of a group with the guideline share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def round_pct(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quarter_dates(year: int, quarter: int | None) -> tuple[date, date]:
    """The first and last day of the quarter (1–4), or of the year when `quarter` is empty."""
    if not quarter:
        return date(year, 1, 1), date(year, 12, 31)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def kr_completion(start: Decimal, target: Decimal, current: Decimal) -> Decimal:
    """The share of the way from start to target reached, in percent, 0–100."""
    if target == start:
        return HUNDRED if current == target else ZERO
    share = (current - start) / (target - start) * HUNDRED
    return round_pct(min(max(share, ZERO), HUNDRED))


def weights_total(weights: Iterable[Decimal]) -> Decimal:
    return sum((Decimal(w) for w in weights), ZERO)


def weights_valid(weights: Sequence[Decimal]) -> bool:
    """Key result weights of one objective: at least one, each positive, totalling exactly 100."""
    return bool(weights) and all(w > 0 for w in weights) and weights_total(weights) == HUNDRED


def objective_completion(parts: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of (weight, completion) pairs; weights are normalised by their total, so a
    half-edited objective still shows a sensible figure."""
    parts = list(parts)
    total = weights_total(w for w, _ in parts)
    if total <= 0:
        return ZERO
    return round_pct(sum((w * c for w, c in parts), ZERO) / total)


def mean_completion(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return round_pct(sum(values, ZERO) / len(values))


@dataclass(frozen=True)
class DistributionRow:
    code: str
    count: int
    share: Decimal  # percent of the group
    guideline: Decimal | None  # percent, None: no guideline
    over: bool  # more than the guideline allows


def distribution(
    counts: Mapping[str, int], codes: Sequence[str], guidelines: Mapping[str, Decimal | None]
) -> list[DistributionRow]:
    """One row per rating code (in scale order) with the count, its share of the group and
    whether the share is above the guideline."""
    total = sum(counts.get(c, 0) for c in codes)
    rows = []
    for code in codes:
        n = counts.get(code, 0)
        share = round_pct(Decimal(n) * HUNDRED / total) if total else ZERO
        guideline = guidelines.get(code)
        rows.append(DistributionRow(code, n, share, guideline, guideline is not None and share > guideline))
    return rows

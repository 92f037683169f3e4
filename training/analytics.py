"""Training analytics: pure calculations (rows in, frozen results out; shares rounded once).

Definitions (shown as footnotes on the page):
* completion rate = completed ÷ (open + completed + no-show) enrolments; cancelled ones are left out;
* exam pass rate = people who passed at least once ÷ people who submitted at least one attempt;
* training hours = hours of courses completed in the last 12 months;
* a course "lags" when its completion rate is at least 20 points below the average of the other
  courses (courses with fewer than 5 enrolments are not judged);
* a department "completes but errs" when its completion rate is at least 95% and it had at least
  twice the median number of compliance incidents of all departments (and at least 2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

ZERO = Decimal("0")
LAG_POINTS = Decimal("0.20")
MIN_JUDGED = 5
HIGH_COMPLETION = Decimal("0.95")


def share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EnrolmentCount:
    key: object  # course id or department unit id
    status: str
    n: int


@dataclass(frozen=True)
class Rate:
    key: object
    label: str
    open: int
    completed: int
    no_show: int
    completion: Decimal | None
    attempted: int = 0
    passed: int = 0
    pass_rate: Decimal | None = None
    flagged: bool = False
    incidents: int = 0
    hours_per_head: Decimal | None = None


def completion_rates(
    counts: Iterable[EnrolmentCount],
    labels: dict,
    exam_people: dict | None = None,
) -> list[Rate]:
    """`exam_people`: key -> (people who submitted, people who passed)."""
    table: dict = defaultdict(lambda: {"enrolled": 0, "completed": 0, "no_show": 0})
    for c in counts:
        if c.status in ("enrolled", "completed", "no_show"):
            table[c.key][c.status] += c.n
    exam_people = exam_people or {}
    rates = []
    for key, label in labels.items():
        t = table.get(key, {"enrolled": 0, "completed": 0, "no_show": 0})
        total = t["enrolled"] + t["completed"] + t["no_show"]
        attempted, passed = exam_people.get(key, (0, 0))
        rates.append(
            Rate(
                key=key,
                label=label,
                open=t["enrolled"],
                completed=t["completed"],
                no_show=t["no_show"],
                completion=share(t["completed"], total),
                attempted=attempted,
                passed=passed,
                pass_rate=share(passed, attempted),
            )
        )
    return rates


def flag_lagging(rates: list[Rate]) -> list[Rate]:
    """Mark courses whose completion is LAG_POINTS below the average of the others."""
    judged = [r for r in rates if r.completion is not None and r.open + r.completed + r.no_show >= MIN_JUDGED]
    out = []
    for r in rates:
        others = [o.completion for o in judged if o.key != r.key]
        lag = (
            r in judged and others and r.completion <= sum(others, ZERO) / len(others) - LAG_POINTS  # type: ignore[operator]
        )
        out.append(_replace(r, flagged=bool(lag)))
    return out


def flag_departments(rates: list[Rate], incidents: dict, headcount: dict, hours: dict) -> list[Rate]:
    counts = [incidents.get(r.key, 0) for r in rates]
    mid = median(counts) if counts else 0
    out = []
    for r in rates:
        n = incidents.get(r.key, 0)
        heads = headcount.get(r.key, 0)
        per_head = (Decimal(hours.get(r.key, ZERO)) / heads).quantize(Decimal("0.1")) if heads else None
        flagged = r.completion is not None and r.completion >= HIGH_COMPLETION and n >= max(2, 2 * mid)
        out.append(_replace(r, incidents=n, hours_per_head=per_head, flagged=flagged))
    return out


def hours_histogram(hours: Iterable[Decimal]) -> list[tuple[str, int]]:
    buckets = [("0", 0), ("1–8", 0), ("9–16", 0), ("17–32", 0), ("33+", 0)]
    counts = [0] * len(buckets)
    for h in hours:
        h = Decimal(h)
        if h <= 0:
            counts[0] += 1
        elif h <= 8:
            counts[1] += 1
        elif h <= 16:
            counts[2] += 1
        elif h <= 32:
            counts[3] += 1
        else:
            counts[4] += 1
    return [(label, counts[i]) for i, (label, _n) in enumerate(buckets)]


def _replace(rate: Rate, **changes) -> Rate:
    from dataclasses import replace

    return replace(rate, **changes)

"""Recruiting analytics: pure computations over plain records (no ORM, no clock), tested with
tables of cases. recruiting.selectors_analytics gathers the records, scoped to the user.

Definitions (also footnoted on the page):

* Funnel: an application *reached* a stage when the pipeline recorded a move into it (its
  StageChange history), or into a later stage of the order applied → screening → assessment →
  interview → offer → hired (so a rejected application still counts for every stage it passed,
  and a move that skipped a step counts for the skipped step). The assessment is optional: it
  counts only applications that were actually moved into it, and the interview's conversion is
  measured from screening. Conversion = reached this stage ÷ reached the previous one.
* Time to hire: whole days from the application's arrival to its move into "hired"; median and
  average over the hires.
* Source of hire: applications and hires per source; hire rate = hires ÷ applications.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

APPLIED, SCREENING, ASSESSMENT, INTERVIEW, OFFER, HIRED = (
    "applied",
    "screening",
    "assessment",
    "interview",
    "offer",
    "hired",
)
FUNNEL = (APPLIED, SCREENING, ASSESSMENT, INTERVIEW, OFFER, HIRED)
OPTIONAL = frozenset({ASSESSMENT})
# the stage each conversion is measured from
PREVIOUS = {SCREENING: APPLIED, ASSESSMENT: SCREENING, INTERVIEW: SCREENING, OFFER: INTERVIEW, HIRED: OFFER}


@dataclass(frozen=True)
class AppRecord:
    id: int
    posting_id: int
    posting: str
    source: str
    applied_at: datetime
    entered: frozenset[str]  # stages the application was moved into (its StageChange to_stage values)
    hired_at: datetime | None = None


@dataclass(frozen=True)
class FunnelRow:
    stage: str
    reached: int
    conversion: Decimal | None  # from PREVIOUS[stage]; None for "applied" or when nothing reached it


@dataclass(frozen=True)
class HireTime:
    label: str
    hires: int
    median_days: Decimal | None
    average_days: Decimal | None


@dataclass(frozen=True)
class SourceRow:
    source: str
    applications: int
    hires: int
    hire_rate: Decimal | None


@dataclass(frozen=True)
class PostingFunnel:
    posting_id: int
    label: str
    rows: tuple[FunnelRow, ...]


def ratio(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a fraction rounded to 4 places (0.1234 = 12.34%); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def days(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reached(record: AppRecord) -> frozenset[str]:
    """The funnel stages an application reached (see the module's definition)."""
    entered = set(record.entered) | {APPLIED}
    furthest = max(FUNNEL.index(s) for s in entered if s in FUNNEL)
    return frozenset(s for i, s in enumerate(FUNNEL) if (s in entered if s in OPTIONAL else i <= furthest))


def funnel(records: Iterable[AppRecord]) -> tuple[FunnelRow, ...]:
    counts = dict.fromkeys(FUNNEL, 0)
    for record in records:
        for stage in reached(record):
            counts[stage] += 1
    return tuple(
        FunnelRow(
            stage=s, reached=counts[s], conversion=ratio(counts[s], counts[PREVIOUS[s]]) if s in PREVIOUS else None
        )
        for s in FUNNEL
    )


def funnel_by_posting(records: Sequence[AppRecord]) -> tuple[PostingFunnel, ...]:
    groups: dict[int, list[AppRecord]] = defaultdict(list)
    for r in records:
        groups[r.posting_id].append(r)
    out = [PostingFunnel(pid, rs[0].posting, funnel(rs)) for pid, rs in groups.items()]
    return tuple(sorted(out, key=lambda p: (-p.rows[0].reached, p.label)))


def hire_days(record: AppRecord) -> int | None:
    if record.hired_at is None:
        return None
    return max((record.hired_at.date() - record.applied_at.date()).days, 0)


def time_to_hire(records: Iterable[AppRecord], label: str = "") -> HireTime:
    values = [d for d in (hire_days(r) for r in records) if d is not None]
    if not values:
        return HireTime(label, 0, None, None)
    return HireTime(label, len(values), days(statistics.median(values)), days(statistics.fmean(values)))


def time_to_hire_by_posting(records: Sequence[AppRecord]) -> tuple[HireTime, ...]:
    groups: dict[int, list[AppRecord]] = defaultdict(list)
    for r in records:
        groups[r.posting_id].append(r)
    rows = [time_to_hire(rs, rs[0].posting) for rs in groups.values()]
    return tuple(sorted((r for r in rows if r.hires), key=lambda r: (r.median_days, r.label)))


def sources(records: Iterable[AppRecord], order: Sequence[str] = ()) -> tuple[SourceRow, ...]:
    apps: dict[str, int] = defaultdict(int)
    hires: dict[str, int] = defaultdict(int)
    for r in records:
        apps[r.source] += 1
        if r.hired_at is not None:
            hires[r.source] += 1
    keys = [s for s in order if s in apps] + sorted(s for s in apps if s not in order)
    return tuple(SourceRow(s, apps[s], hires[s], ratio(hires[s], apps[s])) for s in keys)

"""Which backups to keep: a pure function over datetimes (no ORM, no clock, no files).

The scheme "7,4,12" keeps the newest backup of each of the 7 most recent days that have a
backup, of each of the 4 most recent ISO weeks that have one, and of each of the 12 most recent
months that have one (the rule borg and restic call keep-daily / keep-weekly / keep-monthly).
A backup kept by any rule is kept, and the newest backup is always kept.

Periods are counted among those that have backups, not as calendar days back from today: if
backups stop for two weeks, the last good ones are not deleted one by one in the meantime.
Pass local datetimes; a day, an ISO week and a month are taken from them as given.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Scheme:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12

    @classmethod
    def parse(cls, text: str) -> Scheme:
        """ "7,4,12" -> Scheme(7, 4, 12). Raises ValueError naming the expected form."""
        parts = [p.strip() for p in str(text).split(",")]
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"expected three whole numbers 'daily,weekly,monthly' such as '7,4,12', got {text!r}")
        daily, weekly, monthly = (int(p) for p in parts)
        return cls(daily, weekly, monthly)

    def __str__(self) -> str:
        return f"{self.daily},{self.weekly},{self.monthly}"


def _day(d: datetime) -> Hashable:
    return d.date()


def _iso_week(d: datetime) -> Hashable:
    iso = d.isocalendar()
    return (iso.year, iso.week)


def _month(d: datetime) -> Hashable:
    return (d.year, d.month)


def plan(backups: Mapping[K, datetime], scheme: Scheme) -> tuple[set[K], set[K]]:
    """Split backups (any key -> when it was taken) into (keep, prune)."""
    newest_first = sorted(backups.items(), key=lambda item: item[1], reverse=True)
    keep: set[K] = set()
    if newest_first:
        keep.add(newest_first[0][0])
    rules: tuple[tuple[int, Callable[[datetime], Hashable]], ...] = (
        (scheme.daily, _day),
        (scheme.weekly, _iso_week),
        (scheme.monthly, _month),
    )
    for count, period_of in rules:
        seen: set[Hashable] = set()
        for key, when in newest_first:
            if len(seen) >= count:
                break
            period = period_of(when)
            if period in seen:
                continue  # an older backup of a period already represented by a newer one
            seen.add(period)
            keep.add(key)
    return keep, set(backups) - keep

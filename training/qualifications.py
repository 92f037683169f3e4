"""Pure rules of qualification compliance (no ORM, no clock): default expiry dates, which
reminder is due, and HR's reminder lead days. The certificate status itself is
training.compliance.certificate_status."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date

MAX_LEAD_DAYS = 365


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month
    (2024-01-31 + 1 month -> 2024-02-29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def default_expiry(issued_on: date, validity_months: int | None) -> date | None:
    """Issue date plus the type's validity; None for a certificate that does not expire."""
    if not validity_months:
        return None
    return add_months(issued_on, validity_months)


def due_lead(days_left: int, leads: Sequence[int]) -> int | None:
    """The reminder due for a certificate expiring in `days_left` days: the smallest lead day at
    or above `days_left`. A job that missed a day still finds the reminder it missed; a lead
    whose day has passed without a run is skipped for the nearer one. None: nothing due (not yet
    within the largest lead, or already expired)."""
    if days_left < 0:
        return None
    candidates = [lead for lead in leads if lead >= days_left]
    return min(candidates) if candidates else None


_SEPARATORS = re.compile(r"[\s,，、;；]+")


class LeadDaysError(ValueError):
    """A problem with HR's lead days; `code` names it, `params` fill the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def parse_lead_days(value: str | Sequence[int]) -> list[int]:
    """HR's reminder lead days from "30, 7, 0" (Chinese commas and 、 accepted) or a list: whole
    numbers from 0 to 365, each once, at least one; returned largest first."""
    raw = _SEPARATORS.split(value.strip()) if isinstance(value, str) else [str(p) for p in value]
    parts = [p for p in raw if p]
    if not parts:
        raise LeadDaysError("empty")
    days: list[int] = []
    for part in parts:
        if not re.fullmatch(r"\d+", part):
            raise LeadDaysError("not_a_number", value=part)
        n = int(part)
        if n > MAX_LEAD_DAYS:
            raise LeadDaysError("out_of_range", value=n, limit=MAX_LEAD_DAYS)
        if n in days:
            raise LeadDaysError("duplicate", value=n)
        days.append(n)
    return sorted(days, reverse=True)

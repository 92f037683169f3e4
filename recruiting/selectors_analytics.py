"""Reads of the recruiting analytics: the applications the user may see (recruiting.selectors),
turned into plain records for recruiting.analytics. Two queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from . import analytics
from .choices import Source, Stage
from .models import JobPosting, StageChange
from .selectors import applications_visible_to, postings_visible_to


@dataclass(frozen=True)
class Report:
    records: tuple[analytics.AppRecord, ...]
    funnel: tuple[analytics.FunnelRow, ...]
    by_posting: tuple[analytics.PostingFunnel, ...]
    time_to_hire: analytics.HireTime
    time_by_posting: tuple[analytics.HireTime, ...]
    sources: tuple[analytics.SourceRow, ...]


def analytics_postings(user) -> QuerySet[JobPosting]:
    return postings_visible_to(user).order_by("-created_at")


def since_for(period: str, today: date) -> date | None:
    return None if period == "all" else today - timedelta(days=int(period or 180))


def records_for(user, *, since: date | None = None, posting: JobPosting | None = None) -> list[analytics.AppRecord]:
    apps = applications_visible_to(user)
    if since is not None:
        apps = apps.filter(applied_at__date__gte=since)
    if posting is not None:
        apps = apps.filter(posting=posting)
    rows = list(apps.order_by().values_list("pk", "posting_id", "posting__title", "source", "applied_at"))
    entered: dict[int, set[str]] = defaultdict(set)
    hired_at: dict[int, object] = {}
    changes = (
        StageChange.objects.filter(application_id__in=[r[0] for r in rows])
        .exclude(to_stage=Stage.REJECTED)
        .order_by("at")
        .values_list("application_id", "to_stage", "at")
    )
    for app_id, to_stage, at in changes:
        entered[app_id].add(to_stage)
        if to_stage == Stage.HIRED and app_id not in hired_at:
            hired_at[app_id] = at
    return [
        analytics.AppRecord(
            id=pk,
            posting_id=posting_id,
            posting=title,
            source=source,
            applied_at=timezone.localtime(applied),
            entered=frozenset(entered.get(pk, ())),
            hired_at=timezone.localtime(hired_at[pk]) if pk in hired_at else None,  # type: ignore[arg-type]
        )
        for pk, posting_id, title, source, applied in rows
    ]


def report_for(user, *, since: date | None = None, posting: JobPosting | None = None) -> Report:
    records = records_for(user, since=since, posting=posting)
    return Report(
        records=tuple(records),
        funnel=analytics.funnel(records),
        by_posting=analytics.funnel_by_posting(records),
        time_to_hire=analytics.time_to_hire(records),
        time_by_posting=analytics.time_to_hire_by_posting(records),
        sources=analytics.sources(records, order=Source.values),
    )

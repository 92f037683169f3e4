"""Writes of the workforce-planning settings: targets and per-position tenure benchmarks. The
only place that changes them; the models are registered with the audit log, so every change is
recorded with its before and after values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import RoleFamily, WorkforceMetric
from .models import Position, WorkforceTarget

SHARE_METRICS = frozenset(
    {WorkforceMetric.AGE_25_35_SHARE, WorkforceMetric.MASTER_PLUS_SHARE, WorkforceMetric.TURNOVER}
)
COMPANY_WIDE_ONLY = frozenset({WorkforceMetric.TURNOVER})  # turnover is measured by department
MAX_YEARS = Decimal("50")


@dataclass(frozen=True)
class TargetInput:
    metric: str
    role_family: str  # "" = company-wide
    target: Decimal  # a fraction for shares (0.6 = 60 %), years for tenure


def is_share(metric: str) -> bool:
    return metric in SHARE_METRICS


def target_error(metric: str, role_family: str, target: Decimal) -> tuple[str, str] | None:
    """(field, message) saying why a target cannot be saved, or None. Shares are fractions
    here (the form converts the percentage people type)."""
    if metric not in WorkforceMetric.values:
        return "metric", _("Choose a metric.")
    if role_family and role_family not in RoleFamily.values:
        return "role_family", _("Choose a role family, or leave it blank for a company-wide target.")
    if metric in COMPANY_WIDE_ONLY and role_family:
        return "role_family", _("Turnover is measured by department: leave the role family blank (company-wide).")
    if is_share(metric) and not (Decimal(0) <= target <= Decimal(1)):
        return "target", _("Enter a percentage between 0 and 100.")
    if not is_share(metric) and not (Decimal(0) <= target <= MAX_YEARS):
        return "target", _("Enter a number of years between 0 and 50.")
    return None


def benchmark_error(years: Decimal | None) -> str | None:
    if years is not None and not (Decimal(0) <= years <= MAX_YEARS):
        return _("Enter a number of years between 0 and 50.")
    return None


@transaction.atomic
def workforce_targets_replace(*, targets: Sequence[TargetInput]) -> list[WorkforceTarget]:
    """Make the stored targets exactly `targets`: create, update and delete as needed (each
    change goes through save()/delete() so the audit log records it). All or nothing."""
    errors = []
    seen: set[tuple[str, str]] = set()
    for t in targets:
        error = target_error(t.metric, t.role_family, t.target)
        if error:
            errors.append(error[1])
        if (t.metric, t.role_family) in seen:
            errors.append(_("Each metric may have one target per role family."))
        seen.add((t.metric, t.role_family))
    if errors:
        raise ValidationError(errors)

    existing = {(t.metric, t.role_family): t for t in WorkforceTarget.objects.select_for_update()}
    for key, obj in existing.items():
        if key not in seen:
            obj.delete()
    saved = []
    for t in targets:
        current = existing.get((t.metric, t.role_family))
        if current is None:
            current = WorkforceTarget.objects.create(metric=t.metric, role_family=t.role_family, target=t.target)
        elif current.target != t.target:
            current.target = t.target
            current.save(update_fields=["target"])
        saved.append(current)
    return saved


@transaction.atomic
def position_benchmarks_save(*, benchmarks: Mapping[int, Decimal | None]) -> int:
    """Set the tenure benchmark (years, or None for "use the target") of the given positions.
    Returns how many changed."""
    errors = [message for years in benchmarks.values() if (message := benchmark_error(years))]
    if errors:
        raise ValidationError(errors)
    changed = 0
    for position in Position.objects.select_for_update().filter(pk__in=list(benchmarks)).order_by("pk"):
        years = benchmarks[position.pk]
        if position.tenure_benchmark_years != years:
            position.tenure_benchmark_years = years
            position.save(update_fields=["tenure_benchmark_years"])
            changed += 1
    return changed

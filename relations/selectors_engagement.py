"""Scoped reads of engagement rounds (surveys of kind "engagement").

* HR (manage_relations) sees every round and every department's results.
* A manager sees the rounds that invited someone in their reach (hrsuite.scoping), and in the
  results only the departments they head and their sub-departments: never the whole company.
* Nobody else reads them here (employees answer through /me/surveys/).

The figures themselves are read by `surveys.selectors.aggregated_rounds` (a fixed number of queries;
a round is aggregated once per change of its answers, questions or the department tree)
and computed by the survey engine (`surveys.results`), small groups suppressed there.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from hrsuite.scoping import scope_for
from surveys.models import Survey, SurveyInvitation, SurveyKind
from surveys.presentation import CLOSED, OPEN, UPCOMING
from surveys.selectors import surveys_with_counts

MANAGE = "hrsuite.manage_relations"


def sees_everything(user) -> bool:
    return user.has_perm(MANAGE)


def rounds_visible_to(user) -> QuerySet[Survey]:
    """Engagement rounds with their counts (question_count, invited, answered), scoped."""
    qs = surveys_with_counts().filter(kind=SurveyKind.ENGAGEMENT).select_related("round_of")
    if sees_everything(user):
        return qs
    scope = scope_for(user)
    if not (scope.subtree_paths or scope.report_ids):
        return qs.none()
    reached = SurveyInvitation.objects.filter(scope.employees_q("employee__"), survey_id=OuterRef("pk"))
    return qs.filter(Exists(reached))


def filter_rounds(qs: QuerySet[Survey], *, q: str = "", state: str = "", now: datetime) -> QuerySet[Survey]:
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if state == OPEN:
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif state == CLOSED:
        qs = qs.filter(closes_at__lte=now)
    elif state == UPCOMING:
        qs = qs.filter(opens_at__gt=now)
    return qs


def headed_department_ids(user) -> tuple[int, ...] | None:
    """The ids of the departments whose subtrees the user may see results of: None for HR (every
    department and the whole company), else the departments the manager heads (maybe none)."""
    if sees_everything(user):
        return None
    scope = scope_for(user)
    ids = []
    for path in scope.subtree_paths:
        parts = [p for p in path.strip("/").split("/") if p]
        if parts:
            ids.append(int(parts[-1]))
    return tuple(ids)


def earlier_rounds() -> QuerySet[Survey]:
    """Rounds a new round can follow (HR's form)."""
    return Survey.objects.filter(kind=SurveyKind.ENGAGEMENT).order_by("-opens_at", "-pk")

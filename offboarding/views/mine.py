"""Self-service handover at /me/handover/ (namespace "myhandover"): a leaver's own items with their
progress, and the items a successor has to review (submitted ones first)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.selectors import employee_for_user
from hrsuite.permissions import require_perm

from ..choices import ItemStatus
from ..selectors import items_visible_to
from ..workflows import OPEN_CASE
from .items import due_info

PAGE_SIZE = 20
RELATIONS = ("case__employee", "successor")


def _pager(request, qs, param: str) -> dict:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + urlencode(sorted(query.items()))

    return {
        "page": page,
        "prev_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def _with_due(page, today) -> None:
    for item in page:
        item.due = due_info(item, today)


@never_cache
@require_perm("hrsuite.self_service")
def my_handover(request):
    me = employee_for_user(request.user)
    if me is None:
        raise Http404
    today = timezone.localdate()
    visible = items_visible_to(request.user).filter(case__status__in=OPEN_CASE).select_related(*RELATIONS)

    mine_qs = visible.filter(case__employee_id=me.pk).order_by("due_on", "order", "pk")
    progress = mine_qs.aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(status=ItemStatus.CONFIRMED)),
        submitted=Count("pk", filter=Q(status=ItemStatus.SUBMITTED)),
        returned=Count("pk", filter=Q(status=ItemStatus.RETURNED)),
    )
    mine = _pager(request, mine_qs, "mine")
    _with_due(mine["page"], today)
    last_day = mine["page"][0].case.last_working_day if mine["page"] else None

    review_qs = (
        visible.filter(successor_id=me.pk)
        .exclude(case__employee_id=me.pk)
        .annotate(
            rank=Case(
                When(status=ItemStatus.SUBMITTED, then=Value(0)),
                When(status=ItemStatus.CONFIRMED, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "due_on", "pk")
    )
    to_review = review_qs.aggregate(waiting=Count("pk", filter=Q(status=ItemStatus.SUBMITTED)))["waiting"]
    review = _pager(request, review_qs, "review")
    _with_due(review["page"], today)

    return render(
        request,
        "offboarding/me/list.html",
        {
            "me": me,
            "mine": mine,
            "progress": progress,
            "last_day": last_day,
            "review": review,
            "to_review": to_review,
            "page_title": _("My handover"),
        },
    )

"""The team dependence signal (HR: every team; a manager: the teams of the departments they head):
per team the concentration of key customers and the holders of required certificates, with a
risk badge and its reasons in words. Computed by relations.dependence from inputs gathered by
relations.selectors_dependence (a fixed number of queries), sorted, filtered, then paged."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hrsuite.permissions import require_perm

from .. import dependence
from ..forms_engagement import DependenceFilterForm
from ..selectors_dependence import team_signals

MANAGE = "hrsuite.manage_relations"
VIEW = "hrsuite.view_team_relations"


@require_GET
@require_perm(MANAGE, VIEW)
def teams(request):
    form = DependenceFilterForm(request.GET or None)
    everything = team_signals(request.user, today=timezone.localdate(), q=form.value("q"))
    counts = {level: sum(1 for s in everything if s.risk == level) for level in dependence.RISK_ORDER}
    risk = form.value("risk")
    shown = [s for s in everything if s.risk == risk] if risk else everything
    shown = dependence.sort_signals(shown, form.value("sort") or "risk")
    page = Paginator(shown, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "relations/dependence_list.html",
        {
            "filter": SimpleNamespace(form=form),
            "page_obj": page,
            "counts": counts,
            "total": len(everything),
            "filtered": bool(form.value("q") or risk),
            "thresholds": {
                "concentration": dependence.CONCENTRATION_SHARE,
                "watch": dependence.WATCH_SHARE,
                "min_accounts": dependence.MIN_ACCOUNTS_FOR_SHARE,
                "thin": dependence.THIN_HOLDERS,
            },
            "page_title": _("Team dependence"),
        },
    )

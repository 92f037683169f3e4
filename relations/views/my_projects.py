"""The employee's own collaboration projects (/me/projects/): the projects they belong to with
their role, time share and the lead's record of their participation and contribution, and their
collaboration bonuses with the pay month that includes them. Only their own rows: every read is
filtered on the signed-in user's employee record."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hrsuite.permissions import require_perm
from hrsuite.scoping import scope_for

from ..models import CollaborationBonus, ProjectMember


@never_cache
@require_GET
@require_perm("hrsuite.self_service")
def home(request):
    me = scope_for(request.user).employee_id
    memberships = (
        ProjectMember.objects.filter(employee_id=me)
        .select_related("project__lead__department", "department")
        .order_by("-project__starts_on", "-project_id")
    )
    q = request.GET.get("q", "").strip()
    if q:
        memberships = memberships.filter(project__name__icontains=q)
    page = Paginator(memberships, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [m.project_id for m in page]
    others: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for project_id, department_id, name in (
        ProjectMember.objects.filter(project_id__in=ids, department__isnull=False)
        .values_list("project_id", "department_id", "department__name")
        .distinct()
        .order_by("project_id", "department__name")
    ):
        others[project_id].append((department_id, name))
    bonuses_by_project = dict(
        CollaborationBonus.objects.filter(member__employee_id=me, project_id__in=ids)
        .values("project_id")
        .annotate(s=Sum("amount"))
        .values_list("project_id", "s")
    )
    for m in page:
        m.other_departments = [name for pk, name in others.get(m.project_id, []) if pk != m.department_id]
        m.bonus_total = bonuses_by_project.get(m.project_id) or Decimal(0)
    bonuses = (
        CollaborationBonus.objects.filter(member__employee_id=me).select_related("project").order_by("-month", "-pk")
    )
    bonus_page = Paginator(bonuses, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("bpage"))
    return render(
        request,
        "relations/my_projects.html",
        {
            "page_obj": page,
            "bonus_page": bonus_page,
            "bonus_sum": bonuses.aggregate(s=Sum("amount"))["s"] or Decimal(0),
            "q": q,
            "page_title": _("My projects"),
        },
    )

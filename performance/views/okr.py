"""OKR cycles: the list (everyone with an employee record, managers, HR), creating, editing,
opening and closing a cycle (HR), and a cycle's alignment tree (company -> department ->
individual objectives, individual ones as far as performance.selectors lets the user see).

Reads go through performance.selectors; every write is one call of performance.services."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from employees.models import Department, Employee
from hrsuite.core.forms import tree_label
from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .. import engine, selectors, services
from ..choices import ObjectiveLevel, OkrStatus
from ..forms_okr import CycleMoveForm, OkrCycleForm
from ..models import OkrCycle
from .okr_tree import SHOW_MINE, SHOW_TEAM, TreeFilter, build_tree, completion_colour, reach_for

VIEW = "hrsuite.view_okrs"
MANAGE = "hrsuite.manage_performance"
REPORT = "hrsuite.view_performance"


@require_GET
@require_perm(VIEW)
def cycles(request):
    qs = OkrCycle.objects.all()
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | (Q(year=int(q)) if q.isdigit() and len(q) <= 4 else Q(pk__in=[])))
    if status in OkrStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    figures = selectors.okr_completion_by(
        selectors.objectives_visible_to(request.user).filter(cycle__in=list(page.object_list)), "cycle_id"
    )
    rows = []
    for cycle in page.object_list:
        figure = figures.get(cycle.pk)
        rows.append(
            {
                "cycle": cycle,
                "objectives": figure.objectives if figure else 0,
                "completion": figure.mean if figure else None,
            }
        )
    counts = dict(OkrCycle.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return render(
        request,
        "performance/okr_cycles.html",
        {
            "page_obj": page,
            "rows": rows,
            "q": q,
            "status": status,
            "statuses": [(v, label, counts.get(v, 0)) for v, label in OkrStatus.choices],
            "can_manage": request.user.has_perm(MANAGE),
            "page_title": _("OKR cycles"),
        },
    )


@require_perm(MANAGE)
def cycle_edit(request, pk: int | None = None):
    cycle = get_object_or_404(OkrCycle, pk=pk) if pk else OkrCycle()
    name, closed = cycle.name, cycle.is_closed  # before the form writes the input onto the cycle
    form = OkrCycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.okr_cycle_save(cycle=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The OKR cycle “%(name)s” was saved.") % {"name": saved.name})
            return redirect("performance:okr_cycle", pk=saved.pk)
    title = _("Edit the OKR cycle “%(name)s”") % {"name": name} if pk else _("New OKR cycle")
    return render(
        request,
        "performance/okr_cycle_form.html",
        {"form": form, "cycle_pk": pk, "cycle_name": name, "closed": closed, "page_title": title},
    )


@require_POST
@require_perm(MANAGE)
def cycle_move(request, pk: int):
    cycle = get_object_or_404(OkrCycle, pk=pk)
    form = CycleMoveForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
        return redirect("performance:okr_cycle", pk=cycle.pk)
    to = form.cleaned_data["to"]
    label = dict(OkrStatus.choices).get(to, to)
    perform(
        request,
        lambda: services.okr_cycle_move(cycle=cycle, to=to, actor=request.user),
        success=_("The OKR cycle “%(name)s” is now “%(status)s”.") % {"name": cycle.name, "status": label},
    )
    return redirect("performance:okr_cycle", pk=cycle.pk)


def department_options(departments) -> list[tuple[int, str]]:
    """(id, name indented by depth) for a department filter."""
    return [(d.pk, tree_label(d)) for d in departments]


def _own_department_path(scope) -> str:
    if not scope.employee_id:
        return ""
    employee = (
        Employee.objects.filter(pk=scope.employee_id).select_related("department").only("department__path").first()
    )
    department = employee.department if employee is not None else None
    return department.path if department is not None else ""


@require_GET
@require_perm(VIEW)
def cycle_detail(request, pk: int):
    """The alignment tree, with filters by department, title or owner, and "my team" / "mine"."""
    cycle = get_object_or_404(OkrCycle, pk=pk)
    user = request.user
    scope = scope_for(user)
    departments = list(Department.objects.order_by("path").only("pk", "name", "path"))
    department = next((d for d in departments if str(d.pk) == request.GET.get("department", "")), None)
    show = request.GET.get("show", "")
    is_manager = bool(scope.subtree_paths or scope.report_ids)
    if show not in (SHOW_TEAM, SHOW_MINE) or (show == SHOW_TEAM and not is_manager):
        show = ""
    filters = TreeFilter(
        q=request.GET.get("q", "").strip(), department_path=department.path if department else "", show=show
    )
    objectives = list(selectors.objectives_visible_to(user, cycle))
    reach = reach_for(user, scope, _own_department_path(scope))
    roots, nodes = build_tree(objectives, user=user, scope=scope, reach=reach, filters=filters)
    page = Paginator(roots, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))

    company = [n.completion for n in nodes.values() if n.objective.level == ObjectiveLevel.COMPANY]
    mine = [n.completion for n in nodes.values() if scope.employee_id and n.objective.owner_id == scope.employee_id]
    levels: dict[str, int] = defaultdict(int)
    for node in nodes.values():
        levels[node.objective.level] += 1
    company_completion = engine.mean_completion(company)
    my_completion = engine.mean_completion(mine)
    return render(
        request,
        "performance/okr_cycle.html",
        {
            "cycle": cycle,
            "page_obj": page,
            "departments": department_options(departments),
            "department": department,
            "filters": filters,
            "q": filters.q,
            "show": show,
            "is_manager": is_manager,
            "has_employee": bool(scope.employee_id),
            "total": len(nodes),
            "levels": [(v, label, levels[v]) for v, label in ObjectiveLevel.choices],
            "company_completion": company_completion,
            "company_colour": completion_colour(company_completion),
            "my_completion": my_completion,
            "my_colour": completion_colour(my_completion),
            "my_count": len(mine),
            "can_add": not cycle.is_closed,
            "can_add_company": not cycle.is_closed and is_hr(user),
            "can_manage": user.has_perm(MANAGE),
            "can_report": user.has_perm(REPORT),
            "page_title": cycle.name,
        },
    )

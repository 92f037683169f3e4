"""Collaboration-project pages (/relations/projects/): the list (projects the user may see),
creating and editing a project, the project page with its members grouped by department, the
moves (start, complete, cancel), member add/assess/remove and collaboration bonuses.

Reads go through relations.selectors (a project outside the user's reach is a 404); every write
is one call of relations.services_projects, which decides who may do what. The lead of a project
is often a plain employee: the project page and its member actions are open to anyone with an
employee record who can see the project, and the service refuses those who cannot manage it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.scoping import scope_for

from .. import selectors, services_projects
from ..choices import ProjectStatus
from ..forms_projects import BonusForm, MemberAddForm, MemberAssessForm, ProjectForm
from ..models import CollaborationBonus, CollaborationProject, ProjectMember

MANAGE = "hrsuite.manage_projects"
SELF = "hrsuite.self_service"
# the label and button style of each move, by target status
MOVES = {
    ProjectStatus.ACTIVE: (_("Start the project"), "success", "play-circle"),
    ProjectStatus.COMPLETED: (_("Mark as completed"), "primary", "check2-all"),
    ProjectStatus.CANCELLED: (_("Cancel the project"), "outline-danger", "x-circle"),
}
MOVE_DONE = {
    ProjectStatus.ACTIVE: _("The project has started."),
    ProjectStatus.COMPLETED: _("The project is completed."),
    ProjectStatus.CANCELLED: _("The project was cancelled."),
}


def _visible(request, pk: int) -> CollaborationProject:
    return get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)


def _member(project: CollaborationProject, member_pk: int) -> ProjectMember:
    return get_object_or_404(ProjectMember.objects.select_related("employee", "project"), pk=member_pk, project=project)


def _back(project: CollaborationProject):
    return redirect("relations:project_detail", pk=project.pk)


def _search_q(q: str) -> Q:
    members = ProjectMember.objects.filter(
        Q(employee__name__icontains=q) | Q(employee__employee_no__iexact=q) | Q(department__name__icontains=q)
    ).values("project_id")
    return Q(name__icontains=q) | Q(goal__icontains=q) | Q(lead__name__icontains=q) | Q(pk__in=members)


@require_GET
@require_perm(MANAGE)
def listing(request):
    visible = selectors.projects_visible_to(request.user)
    qs = visible.order_by("-starts_on", "-pk")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(_search_q(q))
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p.pk for p in page]
    departments: dict[int, list[str]] = defaultdict(list)
    for project_id, name in (
        ProjectMember.objects.filter(project_id__in=ids, department__isnull=False)
        .values_list("project_id", "department__name")
        .distinct()
        .order_by("project_id", "department__name")
    ):
        departments[project_id].append(name)
    awarded = dict(
        CollaborationBonus.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(s=Sum("amount"))
        .values_list("project_id", "s")
    )
    for p in page:
        p.department_names = departments.get(p.pk, [])
        p.awarded = awarded.get(p.pk) or Decimal(0)
    counts = dict.fromkeys(ProjectStatus.values, 0)
    rows = (
        CollaborationProject.objects.filter(pk__in=visible.values("pk"))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return render(
        request,
        "relations/project_list.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "total": sum(counts.values()),
            "statuses": [(v, label, counts[v]) for v, label in ProjectStatus.choices],
            "page_title": _("Collaboration projects"),
        },
    )


def _save(request, form: ProjectForm, *, success: str):
    if request.method == "POST" and form.is_valid():
        try:
            project = services_projects.project_save(project=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success % {"name": project.name})
            return _back(project)
    return None


@require_perm(MANAGE)
def new(request):
    form = ProjectForm(request.POST or None, user=request.user)
    done = _save(
        request, form, success=_("The project “%(name)s” was created; now add members from other departments.")
    )
    if done:
        return done
    return render(request, "relations/project_form.html", {"form": form, "page_title": _("New collaboration project")})


@require_perm(MANAGE, SELF)
def edit(request, pk: int):
    project = _visible(request, pk)
    if not services_projects.can_manage_project(request.user, project):
        raise PermissionDenied
    if not services_projects.may_change(project):
        messages.error(request, services_projects.finished_message(project))
        return _back(project)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    done = _save(request, form, success=_("The project “%(name)s” was saved."))
    if done:
        return done
    return render(
        request,
        "relations/project_form.html",
        {"form": form, "project": project, "page_title": _("Edit %(name)s") % {"name": project.name}},
    )


def _detail_context(request, project: CollaborationProject, *, add_form=None, bonus_form=None) -> dict:
    user = request.user
    members = list(
        selectors.members_of(project).order_by(F("department__name").asc(nulls_last=True), "employee__name", "pk")
    )
    can_manage = services_projects.can_manage_project(user, project)
    can_award = services_projects.can_award_bonus(user, project)
    # bonus amounts are pay: those who run the project see them all, a member their own
    sees_all_pay = can_manage or can_award
    me = scope_for(user).employee_id
    bonuses = list(project.bonuses.select_related("member__employee", "awarded_by").order_by("-month", "-pk"))
    awarded = sum((b.amount for b in bonuses), Decimal(0))
    per_member: dict[int, Decimal] = defaultdict(Decimal)
    for b in bonuses:
        per_member[b.member_id] += b.amount
    if not sees_all_pay:
        bonuses = [b for b in bonuses if b.member.employee_id == me]
    can_edit = can_manage and services_projects.may_change(project)
    can_assess = can_manage and services_projects.may_assess(project)
    for m in members:
        m.bonus_total = per_member.get(m.pk, Decimal(0))
        m.show_bonus = sees_all_pay or m.employee_id == me
        m.is_lead = m.employee_id == project.lead_id
        m.removable = can_edit and not m.is_lead and not m.n_bonuses
        if can_assess:
            m.assess_form = MemberAssessForm.for_member(m)
    groups = [
        (dept, list(rows))
        for dept, rows in groupby(members, key=lambda m: m.department)  # ordered by department above
    ]
    n_departments = len({m.department_id for m in members if m.department_id})
    context = {
        "project": project,
        "groups": groups,
        "n_members": len(members),
        "n_departments": n_departments,
        "bonuses": bonuses,
        "sees_all_pay": sees_all_pay,
        "awarded": awarded,
        "budget_left": services_projects.remaining_budget(project.bonus_budget, awarded),
        "can_manage": can_manage,
        "can_edit": can_edit,
        "can_edit_members": can_edit,  # the project and its members change under the same rule
        "can_assess": can_assess,
        "moves": [(to, *MOVES[to]) for to in services_projects.TRANSITIONS[project.status]] if can_manage else [],
        "start_blocked": project.status == ProjectStatus.PLANNED and not services_projects.may_start(n_departments),
        "can_award": can_award and services_projects.may_award(project),
        "award_later": can_award and project.status == ProjectStatus.PLANNED,
        "page_title": project.name,
    }
    if can_edit:
        context["add_form"] = add_form or MemberAddForm(project=project)
    if context["can_award"]:
        context["bonus_form"] = bonus_form or BonusForm(members=members)
    return context


@never_cache
@require_GET
@require_perm(MANAGE, SELF)
def detail(request, pk: int):
    project = _visible(request, pk)
    return render(request, "relations/project_detail.html", _detail_context(request, project))


@require_POST
@require_perm(MANAGE, SELF)
def move(request, pk: int):
    project = _visible(request, pk)
    to = request.POST.get("to", "")
    perform(
        request,
        lambda: services_projects.project_move(project=project, to=to, actor=request.user),
        success=MOVE_DONE.get(to, _("The project was updated.")),
    )
    return _back(project)


def _form_refused(request, project: CollaborationProject, form, exc: ValidationError | None, key: str, **ctx):
    """After a refused form post: field errors are shown on the form of the re-rendered page when
    the user may still use that form there; otherwise (and for a refusal that names no field, such
    as "only the creator can award") they are flashed on the project page."""
    if exc is not None and not hasattr(exc, "error_dict"):
        flash_refusal(request, exc, form)
        return _back(project)
    if exc is not None:
        add_service_errors(form, exc)
    context = _detail_context(request, project, **ctx)
    if key not in context:
        flash_refusal(request, exc or ValidationError(form.errors), form)
        return _back(project)
    return render(request, "relations/project_detail.html", context)


@require_POST
@require_perm(MANAGE, SELF)
def member_add(request, pk: int):
    project = _visible(request, pk)
    form = MemberAddForm(request.POST, project=project)
    if not form.is_valid():
        return _form_refused(request, project, form, None, "add_form", add_form=form)
    d = form.cleaned_data
    try:
        member = services_projects.project_member_add(
            project=project, employee=d["employee"], actor=request.user, role=d["role"], time_share=d["time_share"]
        )
    except ValidationError as exc:
        return _form_refused(request, project, form, exc, "add_form", add_form=form)
    messages.success(request, _("%(name)s joined the project.") % {"name": member.employee.name})
    return _back(project)


@require_POST
@require_perm(MANAGE, SELF)
def member_assess(request, pk: int, member_pk: int):
    project = _visible(request, pk)
    member = _member(project, member_pk)
    form = MemberAssessForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
        return _back(project)
    d = form.cleaned_data
    perform(
        request,
        lambda: services_projects.project_member_assess(
            member=member,
            actor=request.user,
            participation=d["participation"],
            contribution=d["contribution"],
            note=d["note"],
        ),
        success=_("The assessment of %(name)s was saved.") % {"name": member.employee.name},
        form=form,
    )
    return _back(project)


@require_POST
@require_perm(MANAGE, SELF)
def member_remove(request, pk: int, member_pk: int):
    project = _visible(request, pk)
    member = _member(project, member_pk)
    perform(
        request,
        lambda: services_projects.project_member_remove(member=member, actor=request.user),
        success=_("%(name)s left the project.") % {"name": member.employee.name},
    )
    return _back(project)


@require_POST
@require_perm(MANAGE)
def bonus_award(request, pk: int):
    project = _visible(request, pk)
    members = list(selectors.members_of(project).order_by("employee__name"))
    form = BonusForm(request.POST, members=members)
    if not form.is_valid():
        return _form_refused(request, project, form, None, "bonus_form", bonus_form=form)
    d = form.cleaned_data
    try:
        bonus = services_projects.collaboration_bonus_award(
            project=project,
            employee=d["employee"],
            amount=d["amount"],
            reason=d["reason"],
            month=d["month"],
            actor=request.user,
        )
    except ValidationError as exc:
        return _form_refused(request, project, form, exc, "bonus_form", bonus_form=form)
    messages.success(
        request,
        _("A collaboration bonus of ¥%(amount)s for %(name)s will be paid with the pay of %(month)s.")
        % {"amount": f"{bonus.amount:,.2f}", "name": d["employee"].name, "month": f"{bonus.month:%Y-%m}"},
    )
    return _back(project)

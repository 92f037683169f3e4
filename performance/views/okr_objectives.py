"""An objective's pages: create and edit (level, alignment, department, owner), its key results
(saved together so the weights total 100%), its detail page with the monthly progress of each key
result and the recurring check-in tasks, and the POST actions behind them.

An objective is reached only through performance.selectors.objectives_visible_to (another
person's individual objective outside the user's reach is a 404); who may change what is decided
by performance.services (can_edit_objective, can_update_progress, can_check_in), whose refusals are shown on the
form or flashed."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr
from hrsuite.scoping import scope_for

from .. import engine, selectors, services
from ..choices import ObjectiveLevel, OkrStatus
from ..forms_okr import (
    CheckInForm,
    CheckInTaskForm,
    KeyResultFormSet,
    ObjectiveForm,
    ProgressForm,
    employee_queryset,
    levels_for,
)
from ..models import CheckIn, CheckInTask, KeyResult, Objective, OkrCycle, ProgressUpdate
from ..okr_report import report_month
from .okr_tree import completion_colour, key_result_lines

VIEW = "hrsuite.view_okrs"
RECENT_CHECK_INS = 6


def _visible(request, pk: int) -> Objective:
    return get_object_or_404(selectors.objectives_visible_to(request.user), pk=pk)


def _editable(request, pk: int) -> Objective:
    objective = _visible(request, pk)
    if not services.can_edit_objective(request.user, objective):
        raise PermissionDenied
    return objective


def _detail(objective: Objective, anchor: str = ""):
    url = reverse("performance:objective_detail", args=[objective.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _plain(value: Decimal) -> Decimal:
    """1000.0000 -> 1000 and 12.5000 -> 12.5 (never 1E+3) for the inputs."""
    return Decimal(f"{value.normalize():f}")


# --- create and edit -------------------------------------------------------------------------------


def _new_initial(request, cycle: OkrCycle) -> dict:
    user = request.user
    allowed = levels_for(user)
    level = request.GET.get("level", "")
    initial: dict = {"level": level if level in allowed else allowed[0]}
    parent_pk = request.GET.get("parent", "")
    parent = (
        selectors.objectives_visible_to(user, cycle).filter(pk=parent_pk).prefetch_related(None).first()
        if parent_pk.isdigit()
        else None
    )
    if parent is not None:
        initial["parent"] = parent.pk
        if parent.level == ObjectiveLevel.DEPARTMENT and initial["level"] != ObjectiveLevel.INDIVIDUAL:
            initial["level"] = ObjectiveLevel.INDIVIDUAL if ObjectiveLevel.INDIVIDUAL in allowed else initial["level"]
    scope = scope_for(user)
    if initial["level"] == ObjectiveLevel.INDIVIDUAL and scope.employee_id and not is_hr(user):
        initial["owner"] = scope.employee_id
    return initial


@require_perm(VIEW)
def objective_new(request, cycle_pk: int):
    cycle = get_object_or_404(OkrCycle, pk=cycle_pk)
    initial = _new_initial(request, cycle) if request.method == "GET" else {}
    form = ObjectiveForm(request.POST or None, cycle=cycle, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.objective_save(objective=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The objective “%(title)s” was saved; now set its key results.") % {"title": saved.title}
            )
            return redirect("performance:objective_key_results", pk=saved.pk)
    return render(
        request,
        "performance/okr_objective_form.html",
        {"form": form, "cycle": cycle, "objective": None, "page_title": _("New objective")},
    )


@require_perm(VIEW)
def objective_edit(request, pk: int):
    objective = _editable(request, pk)
    title = objective.title
    form = ObjectiveForm(request.POST or None, instance=objective, cycle=objective.cycle, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.objective_save(objective=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The objective “%(title)s” was saved.") % {"title": saved.title})
            return _detail(saved)
    return render(
        request,
        "performance/okr_objective_form.html",
        {
            "form": form,
            "cycle": objective.cycle,
            "objective": objective,
            "objective_title": title,
            "page_title": _("Edit the objective “%(title)s”") % {"title": title},
        },
    )


@require_POST
@require_perm(VIEW)
def objective_delete(request, pk: int):
    objective = _visible(request, pk)
    cycle_pk, title = objective.cycle_id, objective.title
    if perform(
        request,
        lambda: services.objective_delete(objective=objective, actor=request.user),
        success=_("The objective “%(title)s” was deleted.") % {"title": title},
    ):
        return redirect("performance:okr_cycle", pk=cycle_pk)
    return _detail(objective)


# --- key results ------------------------------------------------------------------------------------


@require_perm(VIEW)
def objective_key_results(request, pk: int):
    """All key results of the objective on one page, saved in one call: the weights must total
    exactly 100%, or nothing is saved."""
    objective = _editable(request, pk)
    existing = list(objective.key_results.all())
    owners = employee_queryset(request.user, also=[kr.owner_id for kr in existing] + [objective.owner_id])
    initial = [
        {
            "id": kr.pk,
            "title": kr.title,
            "metric": kr.metric,
            "start_value": _plain(kr.start_value),
            "target_value": _plain(kr.target_value),
            "weight": _plain(kr.weight),
            "owner": kr.owner_id,
        }
        for kr in existing
    ]
    formset = KeyResultFormSet(request.POST or None, initial=initial, prefix="kr", owners=owners)
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.KeyResultData(
                pk=row.get("id"),
                title=row["title"].strip(),
                metric=row.get("metric", "").strip(),
                start_value=row["start_value"],
                target_value=row["target_value"],
                weight=row["weight"],
                owner=row.get("owner"),
            )
            for row in formset.kept_rows()
        ]
        try:
            services.key_results_save(objective=objective, rows=rows, actor=request.user)
        except ValidationError as exc:
            formset.refuse(exc)
        else:
            messages.success(request, _("The key results of “%(title)s” were saved.") % {"title": objective.title})
            return _detail(objective)
    if request.method == "POST":
        weights = []
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE") and data.get("weight") is not None:
                weights.append(data["weight"])
    else:
        weights = [kr.weight for kr in existing]
    total = engine.weights_total(weights)
    return render(
        request,
        "performance/okr_key_results.html",
        {
            "objective": objective,
            "formset": formset,
            "total": total,
            "total_ok": total == engine.HUNDRED,
            "page_title": _("Key results of “%(title)s”") % {"title": objective.title},
        },
    )


# --- detail, progress and check-ins --------------------------------------------------------------------


@require_GET
@require_perm(VIEW)
def objective_detail(request, pk: int):
    user = request.user
    objective = _visible(request, pk)
    cycle = objective.cycle
    is_open = cycle.status == OkrStatus.OPEN
    lines = key_result_lines(objective)
    completion = engine.objective_completion((line.kr.weight, line.completion) for line in lines)

    history: dict[int, list[ProgressUpdate]] = defaultdict(list)
    updates = ProgressUpdate.objects.filter(key_result__objective=objective).select_related("author")
    for update in updates.order_by("-month"):
        history[update.key_result_id].append(update)
    month = report_month(cycle)
    key_results = []
    for line in lines:
        can_update = is_open and services.can_update_progress(user, line.kr)
        key_results.append(
            {
                "line": line,
                "history": history.get(line.kr.pk, []),
                "form": ProgressForm(initial={"month": month}, auto_id=f"id_kr{line.kr.pk}_%s") if can_update else None,
            }
        )

    can_edit = services.can_edit_objective(user, objective)
    today = timezone.localdate()
    tasks = list(objective.check_in_tasks.select_related("owner"))
    recent: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in CheckIn.objects.filter(task__objective=objective).select_related("author").order_by("-period"):
        recent[check_in.task_id].append(check_in)
    task_rows = []
    for task in tasks:
        period = services.period_of(task, today)
        done = next((c.done_count for c in recent.get(task.pk, []) if c.period == period), 0)
        can_check_in = is_open and services.can_check_in(user, task)
        task_rows.append(
            {
                "task": task,
                "period": period,
                "done": done,
                "recent": recent.get(task.pk, [])[:RECENT_CHECK_INS],
                "form": CheckInForm(initial={"done_count": done}, auto_id=f"id_task{task.pk}_%s")
                if can_check_in
                else None,
            }
        )

    children = []
    for child in selectors.objectives_visible_to(user, cycle).filter(parent=objective):
        value = selectors.objective_completion(child)
        children.append({"objective": child, "completion": value, "colour": completion_colour(value)})
    return render(
        request,
        "performance/okr_objective_detail.html",
        {
            "objective": objective,
            "cycle": cycle,
            "completion": completion,
            "colour": completion_colour(completion),
            "key_results": key_results,
            "weights_ok": engine.weights_valid([line.kr.weight for line in lines]),
            "tasks": task_rows,
            "children": children,
            "can_edit": can_edit and not cycle.is_closed,
            "can_delete": can_edit and not cycle.is_closed and not children,
            "is_open": is_open,
            "page_title": objective.title,
        },
    )


@require_POST
@require_perm(VIEW)
def progress_update(request, pk: int):
    visible = selectors.objectives_visible_to(request.user).prefetch_related(None).values("pk")
    kr = get_object_or_404(KeyResult.objects.select_related("objective__cycle"), pk=pk, objective__in=visible)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
    else:
        d = form.cleaned_data
        perform(
            request,
            lambda: services.progress_update(
                key_result=kr, month=d["month"], value=d["value"], comment=d["comment"], actor=request.user
            ),
            success=_("The progress of “%(title)s” for %(month)s was saved.")
            % {"title": kr.title, "month": d["month"].strftime("%Y-%m")},
            form=form,
        )
    return _detail(kr.objective, f"kr-{kr.pk}")


@require_perm(VIEW)
def check_in_task_new(request, pk: int):
    objective = _editable(request, pk)
    form = CheckInTaskForm(request.POST or None, objective=objective, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.check_in_task_save(task=form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The check-in task “%(title)s” was added.") % {"title": task.title})
            return _detail(objective, "tasks")
    return render(
        request,
        "performance/okr_task_form.html",
        {"form": form, "objective": objective, "page_title": _("New check-in task")},
    )


@require_POST
@require_perm(VIEW)
def check_in(request, pk: int):
    visible = selectors.objectives_visible_to(request.user).prefetch_related(None).values("pk")
    task = get_object_or_404(CheckInTask.objects.select_related("objective"), pk=pk, objective__in=visible)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
    else:
        d = form.cleaned_data
        perform(
            request,
            lambda: services.check_in_record(
                task=task,
                day=timezone.localdate(),
                done_count=d["done_count"],
                note=d["note"],
                actor=request.user,
            ),
            success=_("Your check-in for “%(title)s” was saved.") % {"title": task.title},
            form=form,
        )
    return _detail(task.objective, f"task-{task.pk}")

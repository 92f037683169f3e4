"""Separation case pages: the list (HR all, managers their people's), opening a case (HR), the
case page with its checklist, approvals, open points and timeline, the approval actions, and the
overdue list (HR).

Reads go through offboarding.selectors (a case outside the user's reach is a 404); every write is
one call of offboarding.services_cases, which decides who may do what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors, flash_refusal, perform
from hrsuite.permissions import require_perm
from hrsuite.roles import is_hr

from .. import selectors, services_cases
from ..choices import CaseStatus, ItemStatus
from ..forms_cases import CancelForm, CaseOpenForm, CommentForm, HandoverSetupForm, SendBackForm, case_search_q
from ..models import CaseEvent, SeparationCase
from ..workflows import OPEN_CASE

MANAGE = "hrsuite.manage_offboarding"
APPROVE = "hrsuite.approve_handover"


def _visible_case(request, pk: int) -> SeparationCase:
    return get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)


def _back(case: SeparationCase):
    return redirect("offboarding:case_detail", pk=case.pk)


@require_GET
@require_perm(MANAGE, APPROVE)
def cases(request):
    visible = selectors.cases_visible_to(request.user)
    qs = visible.annotate(
        n_items=Count("items", distinct=True),
        n_confirmed=Count("items", filter=Q(items__status=ItemStatus.CONFIRMED), distinct=True),
    ).order_by("-created_at", "-pk")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(case_search_q(q))
    if status == "open":
        qs = qs.filter(status__in=OPEN_CASE)
    elif status in CaseStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict.fromkeys(CaseStatus.values, 0)
    for row in visible.order_by().values("status").annotate(n=Count("pk", distinct=True)):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "offboarding/cases/list.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "open_count": sum(counts[s] for s in OPEN_CASE),
            "statuses": [(v, label, counts[v]) for v, label in CaseStatus.choices],
            "can_manage": request.user.has_perm(MANAGE),
            "today": timezone.localdate(),
            "open_statuses": OPEN_CASE,
            "page_title": _("Separation cases"),
        },
    )


@require_perm(MANAGE)
def case_create(request):
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services_cases.case_open(
                employee=d["employee"],
                kind=d["kind"],
                reason=d["reason"],
                notice_date=d["notice_date"],
                last_working_day=d["last_working_day"],
                successors=d["successors"],
                template=d["template"],
                actor=request.user,
                revoke_early=d["revoke_early"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The case of %(name)s was opened and the handover checklist sent.") % {"name": case.employee.name},
            )
            return _back(case)
    return render(request, "offboarding/cases/form.html", {"form": form, "page_title": _("Open a separation case")})


@require_GET
@require_perm(MANAGE, APPROVE)
def case_detail(request, pk: int):
    case = get_object_or_404(
        selectors.cases_visible_to(request.user).select_related(
            "employee__manager", "employee__user", "head_approved_by", "hr_approved_by", "created_by"
        ),
        pk=pk,
    )
    user = request.user
    hr = is_hr(user)
    items = list(case.items.select_related("successor").annotate(n_files=Count("attachments")).order_by("order", "pk"))
    today = timezone.localdate()
    confirmed = sum(1 for i in items if i.status == ItemStatus.CONFIRMED)
    own = user.pk == case.employee.user_id
    can_approve_head = case.status == CaseStatus.HEAD_APPROVAL and services_cases.may_approve_as_head(user, case)
    can_approve_hr = hr and not own and case.status == CaseStatus.HR_APPROVAL and case.head_approved_by_id != user.pk
    context = {
        "case": case,
        "items": items,
        "confirmed": confirmed,
        "today": today,
        "successors": list(case.successors.select_related("department").order_by("name")),
        "events": CaseEvent.objects.filter(case=case).select_related("actor", "item").order_by("at", "pk"),
        "open_points": services_cases.open_points(case) if case.status in OPEN_CASE else [],
        "is_open": case.status in OPEN_CASE,
        "is_hr": hr,
        "can_approve_head": can_approve_head,
        "hr_stands_in": can_approve_head and hr and not selectors.is_department_head_for(user, case),
        "can_send_back": services_cases.may_send_back(user, case) and not own,
        "can_approve_hr": can_approve_hr,
        "four_eyes_block": hr and case.status == CaseStatus.HR_APPROVAL and case.head_approved_by_id == user.pk,
        "can_cancel": hr and not own and case.status in OPEN_CASE,
        "can_start": hr and not own and case.status == CaseStatus.SUBMITTED,
        "head": services_cases.department_head_of(case.employee),
        "page_title": _("Separation case of %(name)s") % {"name": case.employee.name},
    }
    if context["can_start"]:
        context["setup_form"] = HandoverSetupForm(initial={"template": services_cases.pick_template(case.employee)})
    if context["can_send_back"]:
        context["send_back_form"] = SendBackForm(case=case)
    if context["can_approve_head"] or context["can_approve_hr"]:
        context["comment_form"] = CommentForm()
    if context["can_cancel"]:
        context["cancel_form"] = CancelForm()
    return render(request, "offboarding/cases/detail.html", context)


@require_POST
@require_perm(MANAGE)
def case_start_handover(request, pk: int):
    case = _visible_case(request, pk)
    form = HandoverSetupForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
        return _back(case)
    d = form.cleaned_data
    perform(
        request,
        lambda: services_cases.case_start_handover(
            case=case,
            template=d["template"],
            successors=d["successors"],
            actor=request.user,
            revoke_early=d["revoke_early"],
        ),
        success=_("The handover has started; the checklist was sent."),
        form=form,
    )
    return _back(case)


@require_POST
@require_perm(MANAGE, APPROVE)
def case_approve_head(request, pk: int):
    case = _visible_case(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    perform(
        request,
        lambda: services_cases.case_approve_head(
            case=case, actor=request.user, comment=form.cleaned_data.get("comment", "")
        ),
        success=_("You approved the checklist; HR gives the final approval."),
        form=form,
    )
    return _back(case)


@require_POST
@require_perm(MANAGE)
def case_approve_hr(request, pk: int):
    case = _visible_case(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    perform(
        request,
        lambda: services_cases.case_approve_hr(
            case=case, actor=request.user, comment=form.cleaned_data.get("comment", "")
        ),
        success=_("The case is approved and completed."),
        form=form,
    )
    return _back(case)


@require_POST
@require_perm(MANAGE, APPROVE)
def case_send_back(request, pk: int):
    case = _visible_case(request, pk)
    form = SendBackForm(request.POST, case=case)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
        return _back(case)
    perform(
        request,
        lambda: services_cases.case_send_back(
            case=case, actor=request.user, comment=form.cleaned_data["comment"], items=form.cleaned_data["items"]
        ),
        success=_("The checklist was sent back to the handover."),
        form=form,
    )
    return _back(case)


@require_POST
@require_perm(MANAGE)
def case_cancel(request, pk: int):
    case = _visible_case(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        flash_refusal(request, ValidationError(form.errors), form)
        return _back(case)
    perform(
        request,
        lambda: services_cases.case_cancel(case=case, actor=request.user, reason=form.cleaned_data["reason"]),
        success=_("The case was cancelled."),
        form=form,
    )
    return _back(case)


@require_GET
@require_perm(MANAGE)
def overdue(request):
    today = timezone.localdate()
    qs = (
        selectors.items_visible_to(request.user)
        .filter(due_on__lt=today, case__status=CaseStatus.HANDOVER)
        .exclude(status=ItemStatus.CONFIRMED)
        .select_related("case__employee__department", "successor")
        .order_by("due_on", "pk")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(case__employee__name__icontains=q)
            | Q(case__employee__employee_no__icontains=q)
            | Q(successor__name__icontains=q)
        )
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.days_overdue = (today - item.due_on).days
        item.holder = item.successor if item.status == ItemStatus.SUBMITTED else item.case.employee
        item.holder_role = _("successor") if item.status == ItemStatus.SUBMITTED else _("leaver")
    return render(
        request,
        "offboarding/cases/overdue.html",
        {"page_obj": page, "q": q, "today": today, "page_title": _("Overdue handover items")},
    )

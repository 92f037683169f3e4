"""Offer pages: the list, drafting an offer from an application, the offer page with its
actions (approve, download the letter, record the answer, withdraw, hire).

Reads go through recruiting.selectors (an offer of an application outside the user's scope is a
404): HR sees every offer, a manager the offers of the requisitions they follow (read-only).
Every write is one service call (recruiting.services_offers / services_onboarding) and is HR's.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hrsuite.core.refusals import add_service_errors
from hrsuite.core.refusals import flash_refusal as flash
from hrsuite.permissions import require_perm

from .. import selectors
from ..choices import OfferStatus, Stage
from ..forms_offers import AnswerForm, OfferForm, WithdrawForm
from ..models import Application, Offer
from ..services_offers import (
    offer_approve,
    offer_create,
    offer_letter_pdf,
    offer_record_answer,
    offer_withdraw,
    offers_visible_to,
)
from ..services_onboarding import hire

VIEW = "hrsuite.view_recruiting"
MANAGE = "hrsuite.manage_recruiting"


def _visible_offer(request, pk: int) -> Offer:
    return get_object_or_404(offers_visible_to(request.user), pk=pk)


@never_cache
@require_GET
@require_perm(VIEW)
def offers(request):
    qs = offers_visible_to(request.user).order_by("-created_at")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(
            Q(application__candidate__name__icontains=q)
            | Q(application__candidate__email__icontains=q)
            | Q(position__title__icontains=q)
            | Q(application__posting__title__icontains=q)
        )
    if status in OfferStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict.fromkeys(OfferStatus.values, 0)
    for s in offers_visible_to(request.user).order_by().values_list("status", flat=True):
        counts[s] += 1
    return render(
        request,
        "recruiting/offers/list.html",
        {
            "page_obj": page,
            "q": q,
            "status": status,
            "statuses": [(v, label, counts[v]) for v, label in OfferStatus.choices],
            "can_manage": request.user.has_perm(MANAGE),
            "page_title": _("Offers"),
        },
    )


@require_perm(MANAGE)
def offer_create_view(request, pk: int):
    application = get_object_or_404(
        selectors.applications_visible_to(request.user).select_related(
            "posting__requisition__position", "posting__requisition__department", "candidate"
        ),
        pk=pk,
    )
    existing = Offer.objects.filter(application=application).first()
    if existing is not None and existing.status != OfferStatus.WITHDRAWN:
        messages.info(request, _("This application already has an offer."))
        return redirect("recruiting:offer_detail", pk=existing.pk)
    requisition = application.posting.requisition
    today = timezone.localdate()
    initial = {
        "position": requisition.position_id,
        "monthly_salary": ((requisition.budget_min + requisition.budget_max) / 2).quantize(requisition.budget_min),
        "start_date": today + timedelta(days=30),
        "respond_by": today + timedelta(days=7),
        "probation_months": 3,
    }
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            offer = offer_create(
                application=application,
                position=d["position"],
                grade=d["grade"],
                monthly_salary=d["monthly_salary"],
                start_date=d["start_date"],
                probation_months=d["probation_months"],
                respond_by=d["respond_by"],
                budget_justification=d["budget_justification"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The offer was saved; another HR colleague must approve it."))
            return redirect("recruiting:offer_detail", pk=offer.pk)
    return render(
        request,
        "recruiting/offers/form.html",
        {
            "form": form,
            "application": application,
            "requisition": requisition,
            "wrong_stage": application.stage != Stage.OFFER,
            "page_title": _("New offer"),
        },
    )


@never_cache
@require_GET
@require_perm(VIEW)
def offer_detail(request, pk: int):
    offer = _visible_offer(request, pk)
    application = offer.application
    requisition = application.posting.requisition
    can_manage = request.user.has_perm(MANAGE)
    in_budget = requisition.budget_min <= offer.monthly_salary <= requisition.budget_max
    context = {
        "offer": offer,
        "application": application,
        "candidate": application.candidate,
        "requisition": requisition,
        "in_budget": in_budget,
        "can_manage": can_manage,
        "timeline": application.stage_changes.select_related("actor").order_by("-at", "-pk")[:20],
        "page_title": _("Offer to %(name)s") % {"name": application.candidate.name},
    }
    if can_manage:
        context.update(
            can_approve=offer.status == OfferStatus.DRAFT and offer.created_by_id != request.user.pk,
            four_eyes_block=offer.status == OfferStatus.DRAFT and offer.created_by_id == request.user.pk,
            can_answer=offer.status == OfferStatus.APPROVED,
            can_withdraw=offer.status in (OfferStatus.DRAFT, OfferStatus.APPROVED, OfferStatus.ACCEPTED)
            and application.stage == Stage.OFFER,
            can_hire=offer.status == OfferStatus.ACCEPTED
            and application.stage == Stage.OFFER
            and not application.hired_employee_id,
            can_replace=offer.status == OfferStatus.WITHDRAWN and application.stage == Stage.OFFER,
            answer_form=AnswerForm(),
            withdraw_form=WithdrawForm(),
        )
    return render(request, "recruiting/offers/detail.html", context)


def _back(offer: Offer):
    return redirect(reverse("recruiting:offer_detail", args=[offer.pk]))


@require_POST
@require_perm(MANAGE)
def offer_approve_view(request, pk: int):
    offer = _visible_offer(request, pk)
    try:
        offer_approve(offer=offer, actor=request.user)
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            _("The offer was approved; the letter is being e-mailed to %(email)s.")
            % {"email": offer.application.candidate.email},
        )
    return _back(offer)


@never_cache
@require_GET
@require_perm(MANAGE)
def offer_letter(request, pk: int):
    offer = _visible_offer(request, pk)
    try:
        letter = offer_letter_pdf(offer=offer, actor=request.user, request=request)
    except ValidationError as exc:
        flash(request, exc)
        return _back(offer)
    response = HttpResponse(letter.pdf, content_type="application/pdf")
    name = f"录用通知书-{offer.application.candidate.name}.pdf"
    response["Content-Disposition"] = f"attachment; filename=\"{letter.filename}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@require_perm(MANAGE)
def offer_answer(request, pk: int):
    offer = _visible_offer(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
        return _back(offer)
    accepted = form.cleaned_data["answer"] == OfferStatus.ACCEPTED
    try:
        offer_record_answer(offer=offer, accepted=accepted, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        flash(request, exc, form)
    else:
        if accepted:
            messages.success(request, _("The acceptance was recorded. You can now hire the candidate."))
        else:
            messages.success(request, _("The refusal was recorded and the application closed."))
    return _back(offer)


@require_POST
@require_perm(MANAGE)
def offer_withdraw_view(request, pk: int):
    offer = _visible_offer(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        flash(request, ValidationError(form.errors), form)
        return _back(offer)
    try:
        offer_withdraw(offer=offer, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        flash(request, exc, form)
    else:
        messages.success(request, _("The offer was withdrawn."))
    return _back(offer)


@require_POST
@require_perm(MANAGE)
def offer_hire(request, pk: int):
    offer = _visible_offer(request, pk)
    application: Application = offer.application
    try:
        employee = hire(application=application, actor=request.user)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        flash(request, exc)
        return _back(offer)
    messages.success(
        request,
        _("%(name)s is now employee %(no)s. A link to set a password was e-mailed to %(email)s.")
        % {"name": employee.name, "no": employee.employee_no, "email": employee.email},
    )
    return redirect("recruiting:onboarding_detail", employee_pk=employee.pk)

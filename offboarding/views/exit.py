"""HR's pages for the end of a case: documents and access (the separation certificate, the final
settlement, revoking access now or on a chosen day, the exit interview) and the case's audit
page. Every page needs "hrsuite.manage_offboarding" and reaches the case through
offboarding.selectors.cases_visible_to (anything else: 404)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrsuite.audit.models import AuditEvent
from hrsuite.core.forms import StyledForm
from hrsuite.core.refusals import add_service_errors, flash_refusal
from hrsuite.permissions import require_perm

from .. import audit_view, documents
from ..choices import CaseStatus, SeparationKind
from ..exit_interview import exit_interview_send as send_exit_interview
from ..models import SeparationCase
from ..revocation import revoke_access, schedule_revocation, week_early
from ..selectors import cases_visible_to
from ..settlement import NOTICE_PAY_KINDS, compensation_due

PERM = "hrsuite.manage_offboarding"


# --- forms -----------------------------------------------------------------------------------


class RevokeNowForm(StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("for example: sensitive role, leaves today")}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: the login is disabled and every open session ends at once."),
        error_messages={"required": gettext_lazy("Tick the box to confirm that access is revoked now.")},
    )


class ScheduleForm(StyledForm):
    on_date = forms.DateField(
        label=gettext_lazy("Revoke access on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Choose the day access is revoked.")},
    )


NOTICE_CHOICES = [
    ("yes", gettext_lazy("Yes: 30 days' written notice was given")),
    ("no", gettext_lazy("No: one more month's wage is paid instead (代通知金)")),
]


class SettlementForm(StyledForm):
    unused_leave_days = forms.DecimalField(
        label=gettext_lazy("Unused annual leave (days)"),
        min_value=0,
        max_value=365,
        decimal_places=1,
        required=False,
        help_text=gettext_lazy("This year's entitlement pro-rated to the last working day, minus the days taken."),
    )
    other_amount = forms.DecimalField(
        label=gettext_lazy("Other amounts (CNY)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Bonuses or expenses owed; a deduction as a negative amount."),
    )
    other_label = forms.CharField(label=gettext_lazy("What the other amounts are"), max_length=100, required=False)
    local_avg_monthly_wage = forms.DecimalField(
        label=gettext_lazy("Local average monthly wage (CNY)"),
        min_value=1,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy(
            "Last year's figure published by the city; economic compensation is capped at three times it."
        ),
    )
    notice_given = forms.ChoiceField(label=gettext_lazy("Notice given"), choices=NOTICE_CHOICES, required=False)
    no_compensation = forms.BooleanField(
        label=gettext_lazy(
            "No compensation is due (dismissal for serious misconduct, or renewal refused on equal terms)"
        ),
        required=False,
    )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {
            "unused_leave_days": data.get("unused_leave_days") or Decimal(0),
            "other_amount": data.get("other_amount") or Decimal(0),
            "other_label": data.get("other_label") or "",
            "local_avg": data.get("local_avg_monthly_wage") or documents.local_avg_monthly_wage(),
            "notice_given": (data.get("notice_given") or "yes") != "no",
            "no_compensation": bool(data.get("no_compensation")),
        }


# --- helpers ---------------------------------------------------------------------------------


def _case_for(request, pk: int) -> SeparationCase:
    return get_object_or_404(cases_visible_to(request.user).prefetch_related("successors"), pk=pk)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _documents(case: SeparationCase):
    return redirect("offboarding:case_documents", case.pk)


def _nav(case: SeparationCase, active: str) -> dict:
    return {
        "active_tab": active,
        "case_url": _url("offboarding:case_detail", case.pk),
        "cases_url": _url("offboarding:cases"),
    }


def _pdf(document: documents.Document) -> HttpResponse:
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{document.filename}\"; filename*=UTF-8''{quote(document.download_name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- documents and access --------------------------------------------------------------------


@never_cache
@require_GET
@require_perm(PERM)
def case_documents(request, pk: int):
    case = _case_for(request, pk)
    today = timezone.localdate()
    early = max(week_early(case), today)
    schedule_form = ScheduleForm(initial={"on_date": case.revoke_on if case.revoke_on >= today else today})
    survey = case.exit_survey
    invitation = survey.invitations.filter(employee_id=case.employee_id).first() if survey else None
    revocation = case.revocation or {}
    return render(
        request,
        "offboarding/exit/documents.html",
        {
            "case": case,
            "employee": case.employee,
            "successors": list(case.successors.all()),
            "certificate_refusal": documents.certificate_refusal(case),
            "revocation": revocation,
            "revoke_form": RevokeNowForm(),
            "schedule_form": schedule_form,
            "week_early": early,
            "can_schedule_early": early < case.revoke_on,
            "is_open": case.status not in (CaseStatus.CANCELLED,),
            "survey": survey,
            "invitation": invitation,
            "survey_results_url": _url("surveys:results", survey.pk) if survey else "",
            "compensation_due": compensation_due(case.kind),
            "today": today,
            "page_title": _("Documents and access · %(name)s") % {"name": case.employee.name},
            **_nav(case, "documents"),
        },
    )


@require_POST
@require_perm(PERM)
def revoke_now(request, pk: int):
    case = _case_for(request, pk)
    form = RevokeNowForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _documents(case)
    try:
        result = revoke_access(case=case, actor=request.user, reason=form.cleaned_data["reason"] or "now")
    except ValidationError as exc:
        flash_refusal(request, exc, form)
        return _documents(case)
    (messages.success if result.done else messages.info)(request, result.message)
    return _documents(case)


@require_POST
@require_perm(PERM)
def revocation_schedule(request, pk: int):
    case = _case_for(request, pk)
    if request.POST.get("preset") == "week_early":
        form = ScheduleForm({"on_date": max(week_early(case), timezone.localdate()).isoformat()})
    else:
        form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _documents(case)
    try:
        schedule_revocation(case=case, on_date=form.cleaned_data["on_date"], actor=request.user)
    except ValidationError as exc:
        flash_refusal(request, exc, form)
        return _documents(case)
    on_date = form.cleaned_data["on_date"]
    if on_date <= timezone.localdate():
        messages.success(request, _("Access is revoked today; the revocation has been started."))
    else:
        messages.success(request, _("Access will be revoked on %(date)s.") % {"date": on_date.isoformat()})
    return _documents(case)


@require_POST
@require_perm(PERM)
def exit_interview_send(request, pk: int):
    case = _case_for(request, pk)
    try:
        result = send_exit_interview(case=case, actor=request.user)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return _documents(case)
    if result.created:
        messages.success(
            request,
            _("The exit interview was sent to %(name)s; they answer it under My surveys.")
            % {"name": case.employee.name},
        )
    else:
        messages.info(request, _("The exit interview was already sent; nothing was changed."))
    return _documents(case)


@never_cache
@require_GET
@require_perm(PERM)
def certificate_pdf(request, pk: int):
    case = _case_for(request, pk)
    try:
        document = documents.separation_certificate_pdf(case=case, actor=request.user, request=request)
    except ValidationError as exc:
        flash_refusal(request, exc)
        return _documents(case)
    return _pdf(document)


# --- final settlement ------------------------------------------------------------------------


def _settlement_form(case: SeparationCase, data) -> SettlementForm:
    initial = {
        "unused_leave_days": Decimal(0),
        "other_amount": Decimal(0),
        "local_avg_monthly_wage": documents.local_avg_monthly_wage(),
        "notice_given": "yes",
    }
    if data:  # a field left out (a hand-made link, a field hidden for this kind) takes its default
        data = data.copy()
        for name, value in initial.items():
            if data.get(name) in (None, ""):
                data[name] = str(value)
    return SettlementForm(data or None, initial=initial)


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def settlement(request, pk: int):
    case = _case_for(request, pk)
    form = _settlement_form(case, request.POST if request.method == "POST" else request.GET)
    valid = form.is_valid() if form.is_bound else True
    facts = documents.pay_facts(case)
    values = form.values() if valid else SettlementForm(None).values()
    sheet = documents.settlement_for(
        case,
        facts,
        unused_leave_days=values["unused_leave_days"],
        other_amount=values["other_amount"],
        local_avg=values["local_avg"],
        notice_given=values["notice_given"],
        no_compensation=values["no_compensation"],
    )
    if request.method == "POST" and valid:
        try:
            documents.settlement_save(case=case, actor=request.user, sheet=sheet)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The settlement was saved: economic compensation %(amount)s.")
                % {"amount": f"¥{sheet.compensation_total:,.2f}"},
            )
            query = request.POST.copy()
            query.pop("csrfmiddlewaretoken", None)
            return redirect(f"{reverse('offboarding:settlement', args=[case.pk])}?{query.urlencode()}")
    query = (request.POST if request.method == "POST" else request.GET).copy()
    query.pop("csrfmiddlewaretoken", None)
    return render(
        request,
        "offboarding/exit/settlement.html",
        {
            "case": case,
            "employee": case.employee,
            "form": form,
            "valid": valid,
            "facts": facts,
            "sheet": sheet,
            "values": values,
            "notice_applies": case.kind in NOTICE_PAY_KINDS,
            "is_resignation": case.kind == SeparationKind.RESIGNATION,
            "pdf_url": f"{reverse('offboarding:settlement_pdf', args=[case.pk])}?{query.urlencode()}",
            "page_title": _("Final settlement · %(name)s") % {"name": case.employee.name},
            **_nav(case, "settlement"),
        },
    )


@never_cache
@require_GET
@require_perm(PERM)
def settlement_pdf(request, pk: int):
    case = _case_for(request, pk)
    form = _settlement_form(case, request.GET)
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{reverse('offboarding:settlement', args=[case.pk])}?{request.GET.urlencode()}")
    values = form.values()
    facts = documents.pay_facts(case)
    sheet = documents.settlement_for(
        case,
        facts,
        unused_leave_days=values["unused_leave_days"],
        other_amount=values["other_amount"],
        local_avg=values["local_avg"],
        notice_given=values["notice_given"],
        no_compensation=values["no_compensation"],
    )
    inputs = {k: str(v) for k, v in values.items()}
    document = documents.settlement_pdf(
        case=case, actor=request.user, sheet=sheet, facts=facts, inputs=inputs, request=request
    )
    return _pdf(document)


# --- audit -----------------------------------------------------------------------------------


@never_cache
@require_GET
@require_perm(PERM)
def case_audit(request, pk: int):
    case = _case_for(request, pk)
    window = audit_view.activity_window(case)
    activity = audit_view.leaver_activity(case, window)
    counts = audit_view.activity_counts(activity)
    page = Paginator(activity, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(AuditEvent.choices)
    count_rows = [
        {"event": e, "label": labels[e], "count": counts.get(e, 0), "sensitive": e in audit_view.SENSITIVE_EVENTS}
        for e in audit_view.ACTIVITY_EVENTS
    ]
    return render(
        request,
        "offboarding/exit/audit.html",
        {
            "case": case,
            "employee": case.employee,
            "events": list(audit_view.case_events(case)),
            "window": window,
            "page_obj": page,
            "count_rows": count_rows,
            "total": sum(counts.values()),
            "sensitive_total": sum(counts.get(e, 0) for e in audit_view.SENSITIVE_EVENTS),
            "sensitive_events": audit_view.SENSITIVE_EVENTS,
            "attempts": list(audit_view.attempts_after_revocation(case)[:20]),
            "page_title": _("Audit · %(name)s") % {"name": case.employee.name},
            **_nav(case, "audit"),
        },
    )

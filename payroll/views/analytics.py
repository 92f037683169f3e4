"""Pay analytics for payroll administrators: cost structure, market comparison, internal equity
and pay against turnover, with the Excel export of every table; the market survey data (list,
Excel import with a dry run, template)."""

from __future__ import annotations

import calendar
import io
import secrets
import time
from dataclasses import replace
from datetime import date
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_export, audit_record
from hrsuite.excel import XLSX_CONTENT_TYPE, workbook_response
from hrsuite.permissions import require_perm
from hrsuite.uploads import private_path

from .. import analytics, importing_market, selectors_analytics
from ..analytics_report import BELOW_P25_TABLE, PayReport, build_report
from ..forms_analytics import MarketFilter, MarketImportForm, WindowForm
from ..models import PaySlip

PERM = "hrsuite.manage_payroll"
BELOW_PER_PAGE = 25
SESSION_KEY = "market_imports"
TOKEN_TTL_SECONDS = 60 * 60
MAX_ERRORS_SHOWN = 500


# =============================================================================================
# the analytics page and its export


def _window(request) -> tuple[WindowForm, date | None, date | None]:
    """The form, the window's last month (?month=YYYY-MM, else the latest month with finalised
    pay) and the date staff and turnover are taken on (that month's last day, at most today)."""
    form = WindowForm(request.GET or None, months=selectors_analytics.finalised_months())
    end = form.chosen()
    if end is None:
        return form, None, None
    last_day = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return form, end, min(last_day, timezone.localdate())


def _report(request, end: date, as_of: date) -> PayReport:
    data = selectors_analytics.pay_data(request.user, end=end, as_of=as_of)
    return build_report(analytics.analyse(data, as_of=as_of))


@never_cache
@require_GET
@require_perm(PERM)
def pay_analytics(request):
    form, end, as_of = _window(request)
    context = {"page_title": _("Pay analytics"), "form": form, "end": end, "as_of": as_of, "report": None}
    if end is not None and as_of is not None:
        report = _report(request, end, as_of)
        below = report.table(BELOW_P25_TABLE)
        page = Paginator(below.rows, BELOW_PER_PAGE).get_page(request.GET.get("page"))
        # a sensitive read: the page names people and their pay
        audit_record(
            event=AuditEvent.VIEW,
            request=request,
            model=PaySlip,
            object_repr=_("Pay analytics"),
            details={"month": f"{end:%Y-%m}", "page": page.number},
        )
        context.update(
            report=report,
            below_key=BELOW_P25_TABLE,
            below_page=page,
            below_table=replace(below, rows=tuple(page.object_list)),
            has_pay=any(s.has_data for s in report.sections),
        )
    return render(request, "payroll/analytics/pay_analytics.html", context)


@never_cache
@require_GET
@require_perm(PERM)
def pay_analytics_export(request):
    _form, end, as_of = _window(request)
    if end is None or as_of is None:
        messages.info(request, _("There is no finalised pay to export yet."))
        return redirect("payroll:pay_analytics")
    report = _report(request, end, as_of)
    response, rows = workbook_response(report.sheets(), f"pay-analytics-{end:%Y-%m}")
    audit_export(request, PaySlip, name=_("Pay analytics"), rows=rows, filters=f"month={end:%Y-%m}")
    return response


# =============================================================================================
# market data


@never_cache
@require_GET
@require_perm(PERM)
def market_list(request):
    f = MarketFilter(
        request.GET or None, queryset=selectors_analytics.market_benchmarks(), years=selectors_analytics.survey_years()
    )
    page = Paginator(f.qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payroll/analytics/market_list.html",
        {"filter": f, "page_obj": page, "page_title": _("Market pay data")},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def market_import(request):
    form = MarketImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = importing_market.parse_and_validate(upload, today=timezone.localdate())
        if plan.file_error:
            form.add_error("file", plan.file_error)
        else:
            token = _keep(request, upload, plan) if plan.is_valid else ""
            return _preview(request, plan, token)
    return render(
        request,
        "payroll/analytics/market_import.html",
        {
            "form": form,
            "columns": importing_market.COLUMNS,
            "max_rows": importing_market.MAX_ROWS,
            "page_title": _("Import market pay data"),
        },
    )


@never_cache
@require_POST
@require_perm(PERM)
def market_import_confirm(request):
    stored = _take(request, request.POST.get("token", ""))
    expired = _("This import has expired or has already been done; upload the file again.")
    if stored is None:
        messages.error(request, expired)
        return redirect("payroll:market_import")
    path = stored["path"]
    try:
        with default_storage.open(path, "rb") as fileobj:
            plan = importing_market.parse_and_validate(fileobj, today=timezone.localdate(), filename=stored["name"])
        if not plan.is_valid:
            messages.error(request, _("The file no longer passes the checks; nothing was imported."))
            return _preview(request, plan, "")
        try:
            summary = importing_market.apply_plan(plan, actor=request.user, request=request)
        except (ValidationError, IntegrityError):
            messages.error(request, _("Other changes got in the way; nothing was imported. Upload the file again."))
            return redirect("payroll:market_import")
    except FileNotFoundError:
        messages.error(request, expired)
        return redirect("payroll:market_import")
    finally:
        default_storage.delete(path)
    messages.success(
        request,
        _("Market data imported: %(new)s survey lines added, %(replaced)s replaced, %(unchanged)s unchanged.")
        % {"new": summary.new, "replaced": summary.replaced, "unchanged": summary.unchanged},
    )
    return redirect("payroll:market_list")


@require_GET
@require_perm(PERM)
def market_template(request):
    buffer = io.BytesIO()
    importing_market.build_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"{_('market-data-template')}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"market-data-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _preview(request, plan: importing_market.ImportPlan, token: str):
    return render(
        request,
        "payroll/analytics/market_preview.html",
        {
            "plan": plan,
            "token": token,
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(plan.errors) - MAX_ERRORS_SHOWN, 0),
            "preview_rows": plan.preview_rows(),
            "page_title": _("Check the market data"),
        },
    )


def _keep(request, upload, plan: importing_market.ImportPlan) -> str:
    """Store a checked file privately and return the one-time token naming it in this session."""
    tokens = _prune(request.session.get(SESSION_KEY, {}))
    upload.seek(0)
    path = default_storage.save(private_path("imports", "xlsx"), upload)
    token = secrets.token_urlsafe(24)
    tokens[token] = {"path": path, "name": plan.filename, "sha256": plan.sha256, "at": time.time()}
    request.session[SESSION_KEY] = tokens
    return token


def _take(request, token: str) -> dict | None:
    tokens = request.session.get(SESSION_KEY, {})
    stored = tokens.pop(token, None) if token else None
    request.session[SESSION_KEY] = _prune(tokens)
    if stored is None:
        return None
    if time.time() - stored.get("at", 0) > TOKEN_TTL_SECONDS:
        default_storage.delete(stored["path"])
        return None
    return stored


def _prune(tokens: dict) -> dict:
    now = time.time()
    kept = {}
    for token, stored in tokens.items():
        if now - stored.get("at", 0) > TOKEN_TTL_SECONDS:
            default_storage.delete(stored["path"])
        else:
            kept[token] = stored
    return kept

"""The per-person pay pages (payroll administrators): pay assignments and salary revisions,
period inputs (a grid with inline editing and an Excel import), tax declarations, pay
adjustments. Employees come from `employees_visible_to(request.user)`; every change goes
through one service of payroll.services.assignments."""

from __future__ import annotations

import io
import secrets
import time
from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from employees.models import Employee
from employees.selectors import employees_visible_to
from hrsuite.audit.services import audit_view
from hrsuite.core.templatetags.ui import money
from hrsuite.excel import XLSX_CONTENT_TYPE
from hrsuite.permissions import require_perm
from hrsuite.uploads import private_path

from .. import importing
from .. import selectors_people as sel
from ..forms_people import (
    AdjustmentFilter,
    AdjustmentForm,
    AssignmentFilter,
    AssignmentForm,
    DeclarationFilter,
    DeclarationForm,
    InputImportForm,
    PeopleFilter,
    add_service_errors,
    item_formset,
    month_start,
    parse_month,
)
from ..models import InputDefinition, PayAdjustment, PayAssignment, TaxDeclaration
from ..services import assignments as services

PERM = "hrsuite.manage_payroll"
SESSION_KEY = "period_input_imports"
TOKEN_TTL_SECONDS = 60 * 60
MAX_ERRORS_SHOWN = 500
FIRST_TAX_YEAR = 2019  # special additional deductions exist since 2019


def _page(request, queryset, per_page: int | None = None):
    return Paginator(queryset, per_page or settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))


def _visible_employee(request, pk: int) -> Employee:
    employee = employees_visible_to(request.user).filter(pk=pk).first()
    if employee is None:
        raise Http404
    return employee


# =============================================================================================
# pay assignments


@never_cache
@require_GET
@require_perm(PERM)
def assignment_list(request):
    today = timezone.localdate()
    f = AssignmentFilter(
        request.GET, queryset=sel.people_for_pay(request.user), today=today, structures=sel.structure_codes()
    )
    page = _page(request, sel.with_current_assignments(f.qs, today))
    rows = []
    for employee in page:
        current, upcoming = sel.split_current(employee, today)
        rows.append({"employee": employee, "current": current, "upcoming": upcoming})
    return render(
        request,
        "payroll/people/assignments.html",
        {"filter": f, "page_obj": page, "rows": rows, "today": today, "page_title": _("Pay assignments")},
    )


@never_cache
@require_GET
@require_perm(PERM)
def assignment_detail(request, pk: int):
    employee = _visible_employee(request, pk)
    audit_view(request, employee, what="pay assignments")
    history = sel.assignment_history(employee)
    today = timezone.localdate()
    open_one = next((r.assignment for r in history if r.assignment.effective_to is None), None)
    current = next(
        (
            r
            for r in history
            if r.assignment.effective_from <= today
            and (r.assignment.effective_to is None or r.assignment.effective_to >= today)
        ),
        None,
    )
    return render(
        request,
        "payroll/people/assignment_detail.html",
        {
            "employee": employee,
            "history": history,
            "current": current,
            "open_assignment": open_one,
            "last_locked": services.last_locked_period(employee),
            "today": today,
            "page_title": employee.name,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def assignment_create(request, pk: int):
    employee = _visible_employee(request, pk)
    if PayAssignment.objects.filter(employee=employee, effective_to__isnull=True).exists():
        messages.info(
            request, _("%(name)s already has a current pay assignment; revise it instead.") % {"name": employee.name}
        )
        return redirect("payroll:assignment_revise", pk=employee.pk)
    today = timezone.localdate()
    initial = {"effective_from": max(employee.hire_date or today, date(today.year, 1, 1))}
    form = AssignmentForm(request.POST or None, initial=initial)
    items = item_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = form.cleaned_data
        assignment = PayAssignment(
            employee=employee,
            structure=data["structure"],
            base_salary=data["base_salary"],
            effective_from=data["effective_from"],
            reason=data["reason"],
            created_by=request.user,
            **form.flags(),
        )
        try:
            services.assignment_create(assignment=assignment, items=items.items())
        except ValidationError as exc:
            _service_errors(form, items, exc)
        else:
            messages.success(
                request,
                _("The pay assignment of %(name)s was created: %(salary)s from %(date)s.")
                % {"name": employee.name, "salary": money(assignment.base_salary), "date": assignment.effective_from},
            )
            return redirect("payroll:assignment_detail", pk=employee.pk)
    return render(
        request,
        "payroll/people/assignment_form.html",
        {
            "employee": employee,
            "form": form,
            "items": items,
            "revision": False,
            "page_title": _("New pay assignment"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def assignment_revise(request, pk: int):
    employee = _visible_employee(request, pk)
    current = sel.open_assignment(employee)
    if current is None:
        messages.info(request, _("%(name)s has no current pay assignment; create one first.") % {"name": employee.name})
        return redirect("payroll:assignment_create", pk=employee.pk)
    locked = services.last_locked_period(employee)
    start = max(  # a date the revision may take: next month, after anything finalised
        _shift(month_start(), 1),
        _shift(locked, 1) if locked else date.min,
        _shift(current.effective_from.replace(day=1), 1),
    )
    form = AssignmentForm(
        request.POST or None,
        revision=True,
        current=current,
        initial={**AssignmentForm.initial_from(current), "effective_from": start},
    )
    items = item_formset(request.POST or None, items=list(current.items.all()))
    guideline = sel.raise_guideline(employee)
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = form.cleaned_data
        try:
            new = services.assignment_revise(
                assignment=current,
                effective_from=data["effective_from"],
                base_salary=data["base_salary"],
                structure=data["structure"],
                items=items.items(),
                reason=data["reason"],
                actor=request.user,
                **form.flags(),
            )
        except ValidationError as exc:
            _service_errors(form, items, exc)
        except IntegrityError:
            form.add_error(None, _("Someone changed this pay assignment at the same time; open it again."))
        else:
            change, ratio = services.raise_against(current.base_salary, new.base_salary)
            messages.success(
                request,
                _("Salary revised from %(old)s to %(new)s (%(change)s, %(percent)s) from %(date)s.")
                % {
                    "old": money(current.base_salary),
                    "new": money(new.base_salary),
                    "change": ("+" if change > 0 else "") + money(change),
                    "percent": _percent(ratio),
                    "date": new.effective_from,
                },
            )
            warning = guideline_warning(guideline, ratio)
            if warning:
                messages.warning(request, warning)
            return redirect("payroll:assignment_detail", pk=employee.pk)
    return render(
        request,
        "payroll/people/assignment_form.html",
        {
            "employee": employee,
            "form": form,
            "items": items,
            "current": current,
            "revision": True,
            "last_locked": locked,
            "guideline": guideline,
            "guideline_warning": _entered_raise_warning(form, current, guideline),
            "page_title": _("Revise salary"),
        },
    )


def guideline_warning(guideline: dict | None, ratio) -> str:
    """A translated note when a raise (a fraction of the old base) exceeds the guideline; ''
    otherwise. Informational: the revision is saved all the same."""
    if guideline is None or not services.above_guideline(ratio, guideline["limit"]):
        return ""
    return _(
        "The raise of %(percent)s is above the raise guideline for rating %(rating)s (up to %(limit)s). "
        "Make sure the reason explains it."
    ) % {"percent": _percent(ratio), "rating": guideline["rating"], "limit": guideline["limit_text"]}


def _entered_raise_warning(form, current, guideline) -> str:
    """The guideline warning for the new base salary typed in a form shown again."""
    entered = getattr(form, "cleaned_data", {}).get("base_salary") if form.is_bound else None
    if entered is None:
        return ""
    _change, ratio = services.raise_against(current.base_salary, entered)
    return guideline_warning(guideline, ratio)


def _percent(ratio) -> str:
    if ratio is None:
        return "—"
    return f"{'+' if ratio > 0 else ''}{ratio * 100:.1f}%"


def _service_errors(form, items, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict") and "items" in exc.error_dict:
        errors = dict(exc.error_dict)
        for error in errors.pop("items"):
            items._non_form_errors = items.error_class([*items.non_form_errors(), *error.messages])
        if errors:
            add_service_errors(form, ValidationError(errors))
    else:
        add_service_errors(form, exc)


# =============================================================================================
# period inputs


def _period_from(request, source=None) -> date:
    source = source if source is not None else request.GET
    return parse_month(source.get("month"), month_start())


@never_cache
@require_GET
@require_perm(PERM)
def period_inputs(request):
    period = _period_from(request)
    f = PeopleFilter(request.GET, queryset=sel.paid_in_month(sel.people_for_pay(request.user), period), month=period)
    definitions = sel.active_definitions()
    page = _page(request, f.qs)
    rows = sel.input_grid(list(page), period, definitions)
    return render(
        request,
        "payroll/people/period_inputs.html",
        {
            "filter": f,
            "page_obj": page,
            "rows": rows,
            "definitions": definitions,
            "period": period,
            "month": period.strftime("%Y-%m"),
            "previous_month": _shift(period, -1).strftime("%Y-%m"),
            "next_month": _shift(period, 1).strftime("%Y-%m"),
            "query_without_month": _query_without(request, "month", "page"),
            "query": _query_without(request, "page"),
            "page_title": _("Period inputs"),
        },
    )


def _shift(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _query_without(request, *names: str) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in names and v])


@require_POST
@require_perm(PERM)
def period_input_cell(request, pk: int, definition: int):
    """Save one cell of the grid (blank: back to the default). htmx gets the cell back, with the
    problem written in it when the value is refused; a plain form post goes back to the grid."""
    employee = _visible_employee(request, pk)
    definition_obj = get_object_or_404(InputDefinition, pk=definition, is_active=True)
    period = parse_month(request.POST.get("month"))
    if period is None:
        return HttpResponseBadRequest(_("Choose a month."))
    raw = request.POST.get("value", "")
    error = ""
    value = None
    try:
        if raw.strip():
            value = importing.parse_value(raw, definition_obj)
            services.period_input_set(
                employee=employee, period=period, definition=definition_obj, value=value, actor=request.user
            )
        else:
            services.period_input_clear(employee=employee, period=period, definition=definition_obj)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, f"{employee.name} · {definition_obj.name}: {error}")
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{reverse('payroll:period_inputs')}?month={period:%Y-%m}")
    locked = bool(error) and employee.pk in services.locked_employee_ids(period, [employee.pk])
    return render(
        request,
        "payroll/people/partials/input_cell.html",
        {
            "employee": employee,
            "definition": definition_obj,
            "value": value,
            "typed": raw if error else importing.plain(value),
            "error": error,
            "saved": not error,
            "locked": locked,
            "month": period.strftime("%Y-%m"),
        },
    )  # 200 also with an error: htmx swaps only successful responses, and the cell shows the problem


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def period_inputs_import(request):
    period = _period_from(request, request.POST if request.method == "POST" else request.GET)
    form = InputImportForm(request.POST or None, request.FILES or None, initial={"period": period})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        period = form.cleaned_data["period"]
        plan = importing.parse_and_validate(upload, period=period, employees=employees_visible_to(request.user))
        if plan.file_error:
            form.add_error("file", plan.file_error)
        else:
            token = _keep(request, upload, plan) if plan.is_valid else ""
            return _import_preview(request, plan, token)
    return render(
        request,
        "payroll/people/import_upload.html",
        {
            "form": form,
            "period": period,
            "definitions": sel.active_definitions(),
            "max_rows": importing.MAX_ROWS,
            "page_title": _("Import period inputs"),
        },
    )


@never_cache
@require_POST
@require_perm(PERM)
def period_inputs_import_confirm(request):
    stored = _take(request, request.POST.get("token", ""))
    expired = _("This import has expired or has already been done; upload the file again.")
    if stored is None:
        messages.error(request, expired)
        return redirect("payroll:period_inputs_import")
    path = stored["path"]
    period = date.fromisoformat(stored["period"])
    try:
        with default_storage.open(path, "rb") as fileobj:
            plan = importing.parse_and_validate(
                fileobj, period=period, employees=employees_visible_to(request.user), filename=stored["name"]
            )
        if not plan.is_valid:
            messages.error(request, _("The file no longer passes the checks; nothing was imported."))
            return _import_preview(request, plan, "")
        try:
            summary = importing.apply_plan(plan, actor=request.user, request=request)
        except (ValidationError, IntegrityError):
            messages.error(request, _("Other changes got in the way; nothing was imported. Upload the file again."))
            return redirect(f"{reverse('payroll:period_inputs_import')}?month={period:%Y-%m}")
    except FileNotFoundError:
        messages.error(request, expired)
        return redirect("payroll:period_inputs_import")
    finally:
        default_storage.delete(path)
    messages.success(
        request,
        _("Import done for %(month)s: %(new)s values added, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "month": period.strftime("%Y-%m"),
            "new": summary.new,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
        },
    )
    return redirect(f"{reverse('payroll:period_inputs')}?month={period:%Y-%m}")


@require_GET
@require_perm(PERM)
def period_inputs_template(request):
    period = _period_from(request)
    f = PeopleFilter(request.GET, queryset=sel.paid_in_month(sel.people_for_pay(request.user), period), month=period)
    people = list(f.qs.values_list("pk", "employee_no", "name"))
    definitions = sel.active_definitions()
    stored = sel.stored_values(period, [p[0] for p in people], [d.pk for d in definitions])
    buffer = io.BytesIO()
    importing.build_template(buffer, period=period, employees=people, stored=stored)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"{_('period-inputs')}-{period:%Y-%m}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"period-inputs-{period:%Y-%m}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _import_preview(request, plan: importing.ImportPlan, token: str):
    return render(
        request,
        "payroll/people/import_preview.html",
        {
            "plan": plan,
            "token": token,
            "month": plan.period.strftime("%Y-%m"),
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(plan.errors) - MAX_ERRORS_SHOWN, 0),
            "preview_rows": plan.preview_rows(),
            "page_title": _("Check the import"),
        },
    )


def _keep(request, upload, plan: importing.ImportPlan) -> str:
    """Store a checked file privately and return the one-time token naming it in this session."""
    tokens = _prune(request.session.get(SESSION_KEY, {}))
    upload.seek(0)
    path = default_storage.save(private_path("imports", "xlsx"), upload)
    token = secrets.token_urlsafe(24)
    tokens[token] = {
        "path": path,
        "name": plan.filename,
        "sha256": plan.sha256,
        "period": plan.period.isoformat(),
        "at": time.time(),
    }
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


# =============================================================================================
# tax declarations


def _year_from(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if FIRST_TAX_YEAR <= year <= this_year + 1 else this_year


@never_cache
@require_GET
@require_perm(PERM)
def declaration_list(request):
    year = _year_from(request)
    this_year = timezone.localdate().year
    years = list(range(this_year + 1, FIRST_TAX_YEAR - 1, -1))
    f = DeclarationFilter(request.GET, queryset=sel.people_for_pay(request.user), year=year, years=years)
    page = _page(request, sel.with_declarations(f.qs, year))
    rows = []
    for employee in page:
        declaration = employee.declarations_of_year[0] if employee.declarations_of_year else None
        total = services.declaration_monthly_total(declaration) if declaration else None
        rows.append({"employee": employee, "declaration": declaration, "total": total})
    return render(
        request,
        "payroll/people/declarations.html",
        {
            "filter": f,
            "page_obj": page,
            "rows": rows,
            "year": year,
            "page_title": _("Tax declarations"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def declaration_edit(request, pk: int, year: int):
    employee = _visible_employee(request, pk)
    this_year = timezone.localdate().year
    if not FIRST_TAX_YEAR <= year <= this_year + 1:
        raise Http404
    declaration = TaxDeclaration.objects.filter(employee=employee, year=year).first()
    is_new = declaration is None
    declaration = declaration or TaxDeclaration(employee=employee, year=year)
    form = DeclarationForm(request.POST or None, instance=declaration)
    total = None
    if request.method == "POST" and form.is_valid():
        form.apply_to(declaration)
        try:
            services.declaration_save(declaration=declaration)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The %(year)s declaration of %(name)s was saved: %(total)s a month.")
                % {
                    "year": year,
                    "name": employee.name,
                    "total": money(services.declaration_monthly_total(declaration)),
                },
            )
            return redirect(f"{reverse('payroll:declarations')}?year={year}")
    elif not is_new:
        total = services.declaration_monthly_total(declaration)
    return render(
        request,
        "payroll/people/declaration_form.html",
        {
            "employee": employee,
            "year": year,
            "form": form,
            "is_new": is_new,
            "total": total,
            "page_title": _("%(year)s tax declaration of %(name)s") % {"year": year, "name": employee.name},
        },
    )


# =============================================================================================
# pay adjustments


@never_cache
@require_GET
@require_perm(PERM)
def adjustment_list(request):
    f = AdjustmentFilter(request.GET, queryset=sel.adjustments_visible_to(request.user))
    page = _page(request, f.qs)
    return render(
        request,
        "payroll/people/adjustments.html",
        {"filter": f, "page_obj": page, "page_title": _("Pay adjustments")},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def adjustment_create(request):
    visible = employees_visible_to(request.user)
    initial = {"period": month_start(), "taxable": True}
    employee_pk = request.GET.get("employee", "")
    if employee_pk.isdigit():
        chosen = visible.filter(pk=int(employee_pk)).first()
        if chosen is not None:
            initial["employee_no"] = chosen.employee_no
    form = AdjustmentForm(request.POST or None, employees=visible, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        adjustment = PayAdjustment(
            employee=form.employee,
            period=data["period"],
            amount=data["amount"],
            taxable=data["taxable"],
            reason=data["reason"].strip(),
            corrects_run=data["corrects_run"],
            created_by=request.user,
        )
        try:
            services.adjustment_create(adjustment=adjustment)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Adjustment of %(amount)s for %(name)s in %(month)s recorded.")
                % {
                    "amount": money(adjustment.amount),
                    "name": adjustment.employee.name,
                    "month": adjustment.period.strftime("%Y-%m"),
                },
            )
            return redirect(f"{reverse('payroll:adjustments')}?month={adjustment.period:%Y-%m}")
    return render(request, "payroll/people/adjustment_form.html", {"form": form, "page_title": _("New pay adjustment")})

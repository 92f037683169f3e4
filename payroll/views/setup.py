"""Pay set-up pages for payroll administrators: pay components, period-input definitions,
salary structures (lines, formulas with live checking, versions, a try-it box) and city
social-insurance policies. Each view checks the permission, binds a form, calls one service."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrsuite.permissions import require_perm

from ..choices import ComponentKind, Scheme
from ..engine.formula import FormulaError, compile_formula
from ..engine.payslip import BASE_LINE_CODE, COMPONENT, PayInput, calculate
from ..forms_setup import (
    ComponentFilter,
    ComponentForm,
    InputDefinitionFilter,
    InputDefinitionForm,
    NewVersionForm,
    PolicyFilter,
    PolicyForm,
    StructureFilter,
    StructureForm,
    StructureLineForm,
    TryForm,
    add_service_errors,
)
from ..gather import ANNUAL_BONUS_INPUT, load_structure, policy_dataclass
from ..models import (
    InputDefinition,
    PayAssignment,
    PayComponent,
    SalaryStructure,
    SocialInsurancePolicy,
    StructureLine,
)
from ..services import structures as services
from ..services.formula_messages import problem_message

PERM = "hrsuite.manage_payroll"


def _page(request, queryset):
    return Paginator(queryset, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))


def _current_lines_with_formulas():
    today = timezone.localdate()
    return (
        StructureLine.objects.exclude(formula="")
        .filter(Q(structure__effective_to__isnull=True) | Q(structure__effective_to__gte=today))
        .values_list("structure__code", "formula")
    )


# --- pay components ----------------------------------------------------------------------


@require_perm(PERM)
def component_list(request):
    today = timezone.localdate()
    in_force = Q(structureline__structure__effective_to__isnull=True) | Q(
        structureline__structure__effective_to__gte=today
    )
    queryset = PayComponent.objects.annotate(
        used_in=Count("structureline__structure__code", filter=in_force, distinct=True)
    ).order_by("display_order", "code")
    f = ComponentFilter(request.GET, queryset=queryset)
    return render(
        request,
        "payroll/setup/component_list.html",
        {"filter": f, "page_obj": _page(request, f.qs), "page_title": _("Pay components")},
    )


def _component_form_page(request, component: PayComponent | None):
    form = ComponentForm(request.POST or None, instance=component)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.component_save(component=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The pay component %(code)s was saved.") % {"code": saved.code})
            return redirect("payroll:components")
    usage = services.component_usage(component) if component else []
    title = _("Edit pay component %(code)s") % {"code": component.code} if component else _("New pay component")
    return render(
        request,
        "payroll/setup/component_form.html",
        {"form": form, "component": component, "usage": usage, "page_title": title},
    )


@require_perm(PERM)
def component_create(request):
    return _component_form_page(request, None)


@require_perm(PERM)
def component_edit(request, pk: int):
    return _component_form_page(request, get_object_or_404(PayComponent, pk=pk))


@require_POST
@require_perm(PERM)
def component_delete(request, pk: int):
    component = get_object_or_404(PayComponent, pk=pk)
    try:
        services.component_delete(component=component)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("payroll:component_edit", pk=pk)
    messages.success(request, _("The pay component %(code)s was deleted.") % {"code": component.code})
    return redirect("payroll:components")


@require_POST
@require_perm(PERM)
def component_deactivate(request, pk: int):
    component = get_object_or_404(PayComponent, pk=pk)
    services.component_deactivate(component=component)
    messages.success(
        request,
        _("%(code)s was deactivated: existing structure lines keep it; new lines cannot use it.")
        % {"code": component.code},
    )
    return redirect("payroll:components")


# --- period-input definitions --------------------------------------------------------------


@require_perm(PERM)
def input_definition_list(request):
    f = InputDefinitionFilter(request.GET, queryset=InputDefinition.objects.order_by("code"))
    page = _page(request, f.qs)
    codes = {d.code for d in page}
    used: dict[str, set[str]] = defaultdict(set)
    for structure_code, formula in _current_lines_with_formulas():
        try:
            refs = compile_formula(formula).references
        except FormulaError:
            continue
        for name in refs & codes:
            used[name].add(structure_code)
    rows = [(d, sorted(used.get(d.code, ())), _plain(d.default)) for d in page]
    return render(
        request,
        "payroll/setup/input_list.html",
        {
            "filter": f,
            "page_obj": page,
            "rows": rows,
            "reserved": ANNUAL_BONUS_INPUT,
            "page_title": _("Input definitions"),
        },
    )


def _input_form_page(request, definition: InputDefinition | None):
    form = InputDefinitionForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.input_definition_save(definition=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The period input %(code)s was saved.") % {"code": saved.code})
            return redirect("payroll:input_definitions")
    users = services.formula_users(definition.code) if definition else []
    title = _("Edit period input %(code)s") % {"code": definition.code} if definition else _("New period input")
    return render(
        request,
        "payroll/setup/input_form.html",
        {"form": form, "definition": definition, "users": users, "page_title": title},
    )


@require_perm(PERM)
def input_definition_create(request):
    return _input_form_page(request, None)


@require_perm(PERM)
def input_definition_edit(request, pk: int):
    return _input_form_page(request, get_object_or_404(InputDefinition, pk=pk))


# --- salary structures ---------------------------------------------------------------------


def _in_force(today: date) -> Q:
    return Q(effective_to__isnull=True) | Q(effective_to__gte=today)


def _current_version_ids(today: date) -> tuple[list[int], dict[str, int]]:
    """Per code, the version in force today (else the latest one), and how many versions each
    code has. One query: structures are few, versions fewer than a hundred per code."""
    best: dict[str, tuple] = {}
    counts: dict[str, int] = defaultdict(int)
    for pk, code, start, end in SalaryStructure.objects.values_list("pk", "code", "effective_from", "effective_to"):
        counts[code] += 1
        in_force = start <= today and (end is None or end >= today)
        key = (in_force, start)
        if code not in best or key > best[code][0]:
            best[code] = (key, pk)
    return [pk for _key, pk in best.values()], counts


def _assigned_count():
    today = timezone.localdate()
    return Coalesce(
        Subquery(
            PayAssignment.objects.filter(structure=OuterRef("pk"))
            .filter(_in_force(today))
            .order_by()
            .values("structure")
            .annotate(n=Count("employee", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


@require_perm(PERM)
def structure_list(request):
    today = timezone.localdate()
    ids, version_counts = _current_version_ids(today)
    queryset = (
        SalaryStructure.objects.filter(pk__in=ids)
        .select_related("grade", "position")
        .annotate(line_count=Count("lines"), assigned=_assigned_count())
        .order_by("code")
    )
    f = StructureFilter(request.GET, queryset=queryset)
    page = _page(request, f.qs)
    for s in page:
        s.version_count = version_counts.get(s.code, 1)
        s.in_force = s.effective_from <= today and (s.effective_to is None or s.effective_to >= today)
    return render(
        request,
        "payroll/setup/structure_list.html",
        {"filter": f, "page_obj": page, "today": today, "page_title": _("Salary structures")},
    )


@require_perm(PERM)
def structure_create(request):
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            structure = services.structure_create(structure=form.instance())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The structure %(code)s was created. Add its components now.") % {"code": structure.code}
            )
            return redirect("payroll:structure_detail", pk=structure.pk)
    return render(
        request,
        "payroll/setup/simple_form.html",
        {
            "form": form,
            "page_title": _("New salary structure"),
            "back_url": reverse("payroll:structures"),
            "intro": _(
                "A structure lists the components paid on top of the base salary, each with a fixed amount or a formula. Employees are assigned to a structure with their base salary."
            ),
        },
    )


@dataclass
class LineRow:
    order: int
    line: StructureLine
    references: list[tuple[str, str]]  # (name, kind)


def _structure_context(structure: SalaryStructure, **extra) -> dict:
    """What the structure page shows: lines in evaluation order, versions, lock state, try-it."""
    today = timezone.localdate()
    lines = {ln.component.code: ln for ln in structure.lines.select_related("component")}
    names = services.formula_names(structure=structure)
    order_error = ""
    try:
        order = [spec.code for spec in load_structure(structure).components]
    except FormulaError as exc:
        order_error = services.formula_error_message(exc)
        order = sorted(lines, key=lambda c: (lines[c].component.display_order, c))
    rows = []
    for i, code in enumerate(order, start=1):
        line = lines[code]
        refs = []
        if line.formula:
            try:
                refs = [(n, names.kind_of(n)) for n in sorted(compile_formula(line.formula).references)]
            except FormulaError:
                refs = []
        rows.append(LineRow(i, line, refs))
    finalised = services.structure_finalised_through(structure)
    versions = list(services.structure_versions(structure).annotate(line_count=Count("lines")))
    latest = versions[0] if versions else structure
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    if finalised is not None:
        next_month = max(next_month, (finalised.replace(day=28) + timedelta(days=4)).replace(day=1))
    context = {
        "structure": structure,
        "rows": rows,
        "order_error": order_error,
        "finalised": finalised,
        "versions": versions,
        "is_latest": latest.pk == structure.pk,
        "assigned": PayAssignment.objects.filter(structure=structure)
        .filter(_in_force(today))
        .values("employee")
        .distinct()
        .count(),
        "today": today,
        "version_form": NewVersionForm(
            initial={"effective_from": max(next_month, structure.effective_from + timedelta(days=1))}
        ),
        "page_title": structure.name,
    }
    if "try_form" not in extra:
        extra["try_form"] = _try_form(structure, None)
    context.update(extra)
    return context


@require_perm(PERM)
def structure_detail(request, pk: int):
    structure = get_object_or_404(SalaryStructure.objects.select_related("grade", "position"), pk=pk)
    return render(request, "payroll/setup/structure_detail.html", _structure_context(structure))


@require_perm(PERM)
def structure_new_version(request, pk: int):
    structure = get_object_or_404(SalaryStructure, pk=pk)
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.structure_new_version(
                structure=structure, effective_from=form.cleaned_data["effective_from"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(date)s of %(code)s was created with the same lines; the previous version ends on %(end)s.")
                % {
                    "date": new.effective_from.strftime("%Y-%m-%d"),
                    "code": new.code,
                    "end": (new.effective_from - timedelta(days=1)).strftime("%Y-%m-%d"),
                },
            )
            return redirect("payroll:structure_detail", pk=new.pk)
    return render(
        request,
        "payroll/setup/simple_form.html",
        {
            "form": form,
            "page_title": _("New version of %(code)s") % {"code": structure.code},
            "back_url": reverse("payroll:structure_detail", args=[structure.pk]),
            "intro": _(
                "Use a new version to change a structure from a date on: pay before that date keeps being calculated with the current version."
            ),
        },
    )


def _line_form_page(request, structure: SalaryStructure, line: StructureLine | None):
    form = StructureLineForm(request.POST or None, structure=structure, line=line)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = line or StructureLine(structure=structure, component=data["component"])
        target.amount, target.formula = data["amount"], data["formula"]
        try:
            services.structure_line_save(line=target)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The line %(code)s was saved.") % {"code": target.component.code})
            return redirect("payroll:structure_detail", pk=structure.pk)
    component = line.component if line else None
    if component is None and form.is_bound:
        component = PayComponent.objects.filter(pk=_int_or_none(form.data.get("component"))).first()
    names = services.formula_names(structure=structure, component_code=component.code if component else "")
    check = None
    if form.is_bound:
        if form.data.get("mode") != StructureLineForm.AMOUNT:
            check = _run_check(structure, component, form.data.get("formula", ""), getattr(line, "pk", None), names)
    elif line is not None and line.formula:
        check = _run_check(structure, component, line.formula, line.pk, names)
    if check and not check.get("ok") and check.get("message") in form.errors.get("formula", []):
        check["on_field"] = True  # the field already shows the sentence; the panel adds the caret
    title = (
        _("Edit %(component)s in %(code)s") % {"component": line.component.name, "code": structure.code}
        if line
        else _("Add a component to %(code)s") % {"code": structure.code}
    )
    return render(
        request,
        "payroll/setup/line_form.html",
        {
            "form": form,
            "structure": structure,
            "line": line,
            "names": names,
            "check": check,
            "finalised": services.structure_finalised_through(structure),
            "page_title": title,
        },
    )


@require_perm(PERM)
def structure_line_add(request, pk: int):
    return _line_form_page(request, get_object_or_404(SalaryStructure, pk=pk), None)


@require_perm(PERM)
def structure_line_edit(request, pk: int, line_pk: int):
    structure = get_object_or_404(SalaryStructure, pk=pk)
    line = get_object_or_404(StructureLine.objects.select_related("component"), pk=line_pk, structure=structure)
    return _line_form_page(request, structure, line)


@require_POST
@require_perm(PERM)
def structure_line_delete(request, pk: int, line_pk: int):
    structure = get_object_or_404(SalaryStructure, pk=pk)
    line = get_object_or_404(StructureLine.objects.select_related("component"), pk=line_pk, structure=structure)
    try:
        services.structure_line_delete(line=line)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(code)s was removed from the structure.") % {"code": line.component.code})
    return redirect("payroll:structure_detail", pk=structure.pk)


# --- live formula check ------------------------------------------------------------------


def _caret(formula: str, position: int | None) -> dict:
    """The line of the formula holding the error and the text before the error on that line
    (rendered invisibly under it, so the caret lines up whatever the characters' widths)."""
    if not position:
        return {}
    at = max(0, min(position - 1, len(formula)))
    start = formula.rfind("\n", 0, at) + 1
    end = formula.find("\n", at)
    end = len(formula) if end == -1 else end
    return {"line": formula[start:end], "prefix": formula[start:at]}


def _check_context(formula: str, exc: FormulaError | None, *, names, compiled=None) -> dict:
    if exc is None:
        refs = sorted(compiled.references) if compiled is not None else []
        return {
            "ok": True,
            "formula": formula,
            "references": [(n, names.kind_of(n) if names else "") for n in refs],
        }
    context = {
        "ok": False,
        "formula": formula,
        "message": services.formula_error_message(exc),
        "column": exc.position,
        "caret": _caret(formula, exc.position),
        "unknown": [],
        "cycle": exc.params.get("cycle", "") if exc.code == "circular" else "",
    }
    if exc.code == "unknown_variable":
        known = sorted(names.all) if names else []
        for name in str(exc.params.get("names", "")).split(", "):
            if name:
                close = difflib.get_close_matches(name, known, n=2, cutoff=0.5)
                context["unknown"].append((name, close))
    return context


def _run_check(structure, component, formula: str, line_pk, names) -> dict:
    formula = (formula or "").strip()
    if not formula:
        return {"empty": True}
    try:
        compiled = services.check_line_formula(
            structure=structure, component_code=component.code if component else "", formula=formula, line_pk=line_pk
        )
    except FormulaError as exc:
        return _check_context(formula, exc, names=names)
    return _check_context(formula, None, names=names, compiled=compiled)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@require_perm(PERM)
def formula_check(request):
    """htmx: check the formula being typed against its structure; a small partial back."""
    structure = get_object_or_404(SalaryStructure, pk=_int_or_none(request.POST.get("check_structure")))
    line_pk = _int_or_none(request.POST.get("check_line"))
    component_pk = _int_or_none(request.POST.get("check_component") or request.POST.get("component"))
    component = PayComponent.objects.filter(pk=component_pk).first() if component_pk else None
    names = services.formula_names(structure=structure, component_code=component.code if component else "")
    check = _run_check(structure, component, request.POST.get("formula", ""), line_pk, names)
    return render(request, "payroll/setup/partials/formula_check.html", {"check": check})


# --- try it --------------------------------------------------------------------------------


def _inputs_used(structure: SalaryStructure) -> list[InputDefinition]:
    names: set[str] = set()
    for formula in structure.lines.exclude(formula="").values_list("formula", flat=True):
        try:
            names |= compile_formula(formula).references
        except FormulaError:
            continue
    return list(InputDefinition.objects.filter(code__in=names).order_by("code"))


def _try_form(structure: SalaryStructure, data) -> TryForm:
    return TryForm(data, inputs=_inputs_used(structure), on=timezone.localdate(), prefix="try")


@dataclass
class TryRow:
    code: str
    name: str
    kind: str
    kind_label: str
    amount: Decimal
    formula: str
    inputs: dict


def try_structure(structure: SalaryStructure, form: TryForm) -> dict:
    """Run the pure engine on the form's figures: no database writes. Income tax is shown as
    for an employee's first month of the year (basic deduction 5,000, nothing withheld yet)."""
    try:
        spec = load_structure(structure)
    except FormulaError as exc:
        return {"error": services.formula_error_message(exc)}
    values = form.input_values()
    policy = form.cleaned_data.get("policy")
    pay = PayInput(
        employee_id=0,
        month=1,
        base_salary=form.cleaned_data["base_salary"],
        structure=spec,
        inputs=values,
        policy=policy_dataclass(policy) if policy else None,
        basic_deduction_ytd=Decimal(5000),
        annual_bonus=values.get(ANNUAL_BONUS_INPUT, Decimal(0)),
    )
    result = calculate(pay)
    if not result.ok:
        return {"error": problem_message(result.problem) or result.error}
    kinds = dict(ComponentKind.choices)
    by_code = {ln.code: ln for ln in result.lines if ln.source == COMPONENT}
    rows = []
    for spec_line in spec.components:
        ln = by_code.get(spec_line.code)
        rows.append(
            TryRow(
                spec_line.code,
                spec_line.name,
                spec_line.kind,
                kinds.get(spec_line.kind, spec_line.kind),
                ln.amount if ln else Decimal("0.00"),
                spec_line.formula_text,
                dict(ln.inputs) if ln else {},
            )
        )
    schemes = [s.value.upper() for s in Scheme]

    def scheme_order(code: str) -> int:  # SI_PENSION, ER_HOUSING_FUND: in the order of the schemes
        return schemes.index(code[3:]) if code[3:] in schemes else len(schemes)

    statutory = [
        TryRow(ln.code, ln.name, ln.kind, kinds.get(ln.kind, ln.kind), ln.amount, "", dict(ln.inputs))
        for ln in sorted(
            (ln for ln in result.lines if ln.source != COMPONENT and ln.code != BASE_LINE_CODE),
            key=lambda ln: (ln.display_order, scheme_order(ln.code)),
        )
    ]
    return {
        "result": result,
        "rows": rows,
        "statutory": statutory,
        "policy": policy,
        "income_tax": result.iit + result.bonus_tax,
    }


@require_POST
@require_perm(PERM)
def structure_try(request, pk: int):
    structure = get_object_or_404(SalaryStructure.objects.select_related("grade", "position"), pk=pk)
    form = _try_form(structure, request.POST)
    outcome = try_structure(structure, form) if form.is_valid() else {}
    if request.htmx:
        context = {"structure": structure, "try_form": form, "outcome": outcome}
        return render(request, "payroll/setup/partials/try_result.html", context)
    context = _structure_context(structure, try_form=form, outcome=outcome)
    return render(request, "payroll/setup/structure_detail.html", context)


# --- social-insurance policies ------------------------------------------------------------


@require_perm(PERM)
def policy_list(request):
    f = PolicyFilter(
        request.GET,
        queryset=SocialInsurancePolicy.objects.annotate(rate_count=Count("rates")).order_by("city", "-effective_from"),
    )
    return render(
        request,
        "payroll/setup/policy_list.html",
        {
            "filter": f,
            "page_obj": _page(request, f.qs),
            "today": timezone.localdate(),
            "page_title": _("Social insurance policies"),
        },
    )


def _rate_rows(policy: SocialInsurancePolicy) -> list[dict]:
    rates = {r.scheme: r for r in policy.rates.all()}
    rows = []
    for scheme in Scheme:
        r = rates.get(scheme.value)
        rows.append(
            {
                "label": scheme.label,
                "housing_fund": scheme == Scheme.HOUSING_FUND,
                "employee": _pct(r.employee_rate) if r else None,
                "employer": _pct(r.employer_rate) if r else None,
            }
        )
    return rows


def _plain(value: Decimal) -> str:
    """1.0000 -> "1", 0.0050 -> "0.005", 10 -> "10" (no exponent)."""
    return format(value.normalize(), "f")


def _pct(fraction: Decimal) -> str:
    value = (fraction * 100).quantize(Decimal("0.001")).normalize()
    return f"{value:f}%"


@require_perm(PERM)
def policy_detail(request, pk: int):
    policy = get_object_or_404(SocialInsurancePolicy, pk=pk)
    others = SocialInsurancePolicy.objects.filter(city=policy.city).order_by("-effective_from")
    return render(
        request,
        "payroll/setup/policy_detail.html",
        {
            "policy": policy,
            "rates": _rate_rows(policy),
            "finalised": services.policy_is_locked(policy),
            "others": others,
            "today": timezone.localdate(),
            "page_title": f"{policy.city} · {policy.name}",
        },
    )


def _suggested_start(source: SocialInsurancePolicy) -> date:
    if source.effective_to is not None:
        return source.effective_to + timedelta(days=1)
    try:
        return source.effective_from.replace(year=source.effective_from.year + 1)
    except ValueError:  # 29 February
        return source.effective_from + timedelta(days=365)


@require_perm(PERM)
def policy_create(request):
    source = None
    copy = _int_or_none(request.GET.get("copy"))
    if copy:
        source = get_object_or_404(SocialInsurancePolicy, pk=copy)
    initial = {}
    if source is not None:
        initial = PolicyForm.initial_from(source)
        initial.update(
            {
                "effective_from": _suggested_start(source),
                "effective_to": None,
                "name": "",
                "close_previous": source.effective_to is None,
            }
        )
    form = PolicyForm(request.POST or None, initial=initial, with_close_previous=True)
    if request.method == "POST" and form.is_valid():
        policy = form.fill(SocialInsurancePolicy())
        try:
            services.policy_create(
                policy=policy, rates=form.rates(), close_previous=form.cleaned_data.get("close_previous", False)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The policy %(name)s was created.") % {"name": policy.name})
            return redirect("payroll:policy_detail", pk=policy.pk)
    return render(
        request,
        "payroll/setup/policy_form.html",
        {"form": form, "source": source, "policy": None, "page_title": _("New social insurance policy")},
    )


@require_perm(PERM)
def policy_edit(request, pk: int):
    policy = get_object_or_404(SocialInsurancePolicy, pk=pk)
    finalised = services.policy_is_locked(policy)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(policy))
    if request.method == "POST":
        if finalised is not None:
            messages.error(
                request,
                _(
                    "A finalised pay run of %(period)s used this policy for %(city)s, so it cannot be changed. Create a new policy from the next period instead."
                )
                % {"period": finalised.strftime("%Y-%m"), "city": policy.city},
            )
            return redirect("payroll:policy_detail", pk=policy.pk)
        if form.is_valid():
            try:
                services.policy_update(policy=form.fill(policy), rates=form.rates())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The policy %(name)s was saved.") % {"name": policy.name})
                return redirect("payroll:policy_detail", pk=policy.pk)
    return render(
        request,
        "payroll/setup/policy_form.html",
        {
            "form": form,
            "policy": policy,
            "finalised": finalised,
            "page_title": _("Edit policy %(name)s") % {"name": policy.name},
        },
    )

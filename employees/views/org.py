"""Organisation set-up for HR: the department tree and the reference lists (positions,
grades, work locations)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrsuite.permissions import require_perm

from .. import services
from ..choices import EmployeeStatus
from ..forms import DepartmentForm, GradeForm, LocationForm, PositionForm
from ..models import Department, Grade, Location, Position


@require_perm("hrsuite.view_employees")
def org_chart(request):
    active = ~Q(employees__status=EmployeeStatus.LEFT)
    departments = list(
        Department.objects.select_related("head", "location", "parent")
        .annotate(headcount=Count("employees", filter=active & Q(employees__isnull=False)))
        .order_by("path")
    )
    # roll headcounts up the tree (paths make ancestors cheap to find)
    by_path = {d.path: d for d in departments}
    for d in departments:
        d.total = 0
    for d in departments:
        parts = d.path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            ancestor = by_path.get("/" + "/".join(parts[:i]) + "/")
            if ancestor is not None:
                ancestor.total += d.headcount
    return render(
        request,
        "employees/org_chart.html",
        {
            "departments": departments,
            "can_manage": request.user.has_perm("hrsuite.manage_employees"),
            "page_title": _("Organisation"),
        },
    )


@require_perm("hrsuite.manage_employees")
def department_edit(request, pk: int | None = None):
    department = get_object_or_404(Department, pk=pk) if pk else None
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(department=form.instance)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The department was saved."))
            return redirect("employees:org")
    title = _("Edit department") if department else _("New department")
    return render(request, "employees/simple_form.html", {"form": form, "page_title": title, "back": "employees:org"})


@dataclass(frozen=True)
class Reference:
    model: type
    form: type
    title: str | Promise
    columns: tuple[tuple[str, str | Promise], ...]


REFERENCES = {
    "positions": Reference(
        Position,
        PositionForm,
        gettext_lazy("Positions"),
        (
            ("code", gettext_lazy("Code")),
            ("title", gettext_lazy("Title")),
            ("get_role_family_display", gettext_lazy("Role family")),
            ("department", gettext_lazy("Department")),
            ("tenure_benchmark_years", gettext_lazy("Tenure benchmark (years)")),
        ),
    ),
    "grades": Reference(
        Grade,
        GradeForm,
        gettext_lazy("Grades"),
        (("code", gettext_lazy("Code")), ("name", gettext_lazy("Name")), ("level", gettext_lazy("Level"))),
    ),
    "locations": Reference(
        Location,
        LocationForm,
        gettext_lazy("Work locations"),
        (
            ("name", gettext_lazy("Name")),
            ("city", gettext_lazy("City")),
            ("get_kind_display", gettext_lazy("Kind")),
            ("address", gettext_lazy("Address")),
        ),
    ),
}


def _reference(kind: str) -> Reference:
    if kind not in REFERENCES:
        raise Http404
    return REFERENCES[kind]


@require_perm("hrsuite.view_employees")
def reference_list(request, kind: str):
    ref = _reference(kind)
    qs = ref.model.objects.all()
    if ref.model is Position:
        qs = qs.select_related("department")
    q = request.GET.get("q", "").strip()
    if q:
        text_fields = [
            f
            for f, _label in ref.columns
            if not f.startswith("get_") and f not in {"level", "department", "tenure_benchmark_years"}
        ]
        cond = Q()
        for f in text_fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    page = Paginator(qs, settings.HRSUITE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(obj, [_cell(obj, f) for f, _label in ref.columns]) for obj in page]
    return render(
        request,
        "employees/reference_list.html",
        {
            "ref": ref,
            "kind": kind,
            "rows": rows,
            "page_obj": page,
            "q": q,
            "can_manage": request.user.has_perm("hrsuite.manage_employees"),
            "page_title": ref.title,
        },
    )


def _cell(obj, field):
    value = getattr(obj, field)
    value = value() if callable(value) else value
    return "—" if value in (None, "") else value


@require_perm("hrsuite.manage_employees")
def reference_edit(request, kind: str, pk: int | None = None):
    ref = _reference(kind)
    obj = get_object_or_404(ref.model, pk=pk) if pk else None
    form = ref.form(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        services.reference_save(obj=form.instance)
        messages.success(request, _("Saved."))
        return redirect("employees:reference_list", kind=kind)
    return render(
        request,
        "employees/simple_form.html",
        {"form": form, "page_title": ref.title, "back_url": f"/employees/org/{kind}/"},
    )

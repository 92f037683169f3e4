"""Employee lists, the profile, create and edit (HR), revealing encrypted values, export."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from hrsuite.audit.services import audit_export, audit_view
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import selectors, services
from ..filters import EmployeeFilter
from ..forms import ContractForm, ContractRenewForm, DocumentForm, EmployeeForm
from ..models import Employee
from ..tables import EmployeeTable


def _list_page(request, queryset, *, title, export_url_name, team=False):
    f = EmployeeFilter(request.GET, queryset=queryset)
    table = EmployeeTable(f.qs)
    RequestConfig(request, paginate={"per_page": settings.HRSUITE_PAGE_SIZE}).configure(table)
    return render(
        request,
        "employees/list.html",
        {"filter": f, "table": table, "page_title": title, "export_url_name": export_url_name, "team": team},
    )


@require_perm("hrsuite.view_employees")
def employee_list(request):
    return _list_page(
        request, selectors.employees_visible_to(request.user), title=_("Employees"), export_url_name="employees:export"
    )


@require_perm("hrsuite.view_my_team")
def team_list(request):
    return _list_page(
        request, selectors.team_of(request.user), title=_("My team"), export_url_name="employees:team_export", team=True
    )


EXPORT_COLUMNS = (
    ("employee_no", "Employee no."),
    ("name", "Name"),
    ("gender", "Gender"),
    ("department", "Department"),
    ("position", "Position"),
    ("grade", "Grade"),
    ("location", "Work location"),
    ("manager", "Manager"),
    ("employment_type", "Employment type"),
    ("status", "Status"),
    ("hire_date", "Hire date"),
    ("phone", "Mobile phone"),
    ("email", "E-mail"),
    ("education_level", "Education"),
)


def _export(request, queryset, name):
    f = EmployeeFilter(request.GET, queryset=queryset)
    headers = [_(label) for _field, label in EXPORT_COLUMNS]

    def rows():
        for e in f.qs.order_by("employee_no").iterator(chunk_size=2000):
            yield [
                e.employee_no,
                e.name,
                e.get_gender_display(),
                e.department.name if e.department else "",
                e.position.title if e.position else "",
                e.grade.code if e.grade else "",
                e.location.name if e.location else "",
                e.manager.name if e.manager else "",
                e.get_employment_type_display(),
                e.get_status_display(),
                e.hire_date,
                e.phone,
                e.email,
                e.get_education_level_display(),
            ]

    response, count = workbook_response([(name, headers, rows())], "employees")
    audit_export(request, Employee, name=name, rows=count, filters=request.GET.urlencode())
    return response


@require_perm("hrsuite.view_employees")
def employee_export(request):
    return _export(request, selectors.employees_visible_to(request.user), _("Employees"))


@require_perm("hrsuite.view_my_team")
def team_export(request):
    return _export(request, selectors.team_of(request.user), _("My team"))


def _visible_or_404(request, pk) -> Employee:
    employee = selectors.employee_visible_to(request.user, pk)
    if employee is None:
        raise Http404
    return employee


@never_cache
@require_perm("hrsuite.view_employees")
def employee_detail(request, pk: int):
    employee = _visible_or_404(request, pk)
    audit_view(request, employee, what="profile")
    can_manage = request.user.has_perm("hrsuite.manage_employees")
    context = {
        "employee": employee,
        "page_title": employee.name,
        "can_manage": can_manage,
        "can_see_personal": request.user.has_perm("hrsuite.view_personal_data"),
        "contracts": employee.contracts.select_related("renewed_by").all() if can_manage else None,
        "documents": selectors.documents_visible_to(request.user).filter(employee=employee) if can_manage else None,
        "history": selectors.employee_history(employee) if can_manage else None,
        "reports": employee.reports.exclude(status="left").only("id", "name", "employee_no")[:20],
        "contract_form": ContractForm() if can_manage else None,
        "renew_form": ContractRenewForm() if can_manage else None,
        "document_form": DocumentForm() if can_manage else None,
    }
    if context["history"] is not None:
        from hrsuite.audit.presentation import describe_changes

        context["history"] = list(context["history"])
        context["history_changes"] = describe_changes(context["history"])
    return render(request, "employees/detail.html", context)


@never_cache
@require_POST
@require_perm("hrsuite.view_personal_data")
@sensitive_variables()  # the clear value, in an error report
def employee_reveal(request, pk: int, field: str):
    employee = _visible_or_404(request, pk)
    if field not in Employee.SECRET_FIELDS:
        raise Http404
    value = services.employee_reveal(request=request, employee=employee, field=field)
    return render(request, "employees/partials/revealed.html", {"value": value or "—", "employee": employee})


@never_cache
@require_perm("hrsuite.manage_employees")
@sensitive_variables()  # every local of the view and below (the POST values are starred in settings)
def employee_create(request):
    form = EmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_save(employee=form.instance)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The record of %(name)s was created.") % {"name": employee.name})
            return redirect("employees:detail", pk=employee.pk)
    return render(request, "employees/form.html", {"form": form, "page_title": _("New employee")})


@never_cache
@require_perm("hrsuite.manage_employees")
@sensitive_variables()
def employee_edit(request, pk: int):
    employee = _visible_or_404(request, pk)
    form = EmployeeForm(request.POST or None, instance=employee)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_save(employee=form.instance)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("employees:detail", pk=employee.pk)
    return render(
        request,
        "employees/form.html",
        {"form": form, "employee": employee, "page_title": _("Edit %(name)s") % {"name": employee.name}},
    )

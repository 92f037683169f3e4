from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_tables2 import RequestConfig

from hrsuite.audit.services import audit_view
from hrsuite.permissions import require_login, require_perm

from .. import selectors
from ..tables import EmployeeTable


@require_perm("hrsuite.view_employees")
def employee_list(request):
    qs = selectors.employees_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(employee_no__icontains=q) | qs.filter(phone__icontains=q)
    table = EmployeeTable(qs)
    RequestConfig(request, paginate={"per_page": settings.HRSUITE_PAGE_SIZE}).configure(table)
    return render(request, "employees/list.html", {"table": table, "q": q, "page_title": _("Employees")})


@never_cache
@require_perm("hrsuite.view_employees", "hrsuite.self_service")
def employee_detail(request, pk: int):
    employee = selectors.employees_visible_to(request.user).filter(pk=pk).first()
    if employee is None:
        raise Http404
    audit_view(request, employee, what="profile")
    return render(request, "employees/detail.html", {"employee": employee, "page_title": employee.name})


@never_cache
@require_login
def me_home(request):
    employee = selectors.employee_for_user(request.user)
    if employee is not None:
        audit_view(request, employee, what="self-service profile")
    return render(request, "employees/me_home.html", {"employee": employee, "page_title": _("My profile")})

"""Dashboard widgets of the employees app."""

from django.db.models import Count, Q
from django.utils import timezone

from hrsuite.core import dashboard
from hrsuite.roles import Role

from . import selectors
from .choices import EmployeeStatus


def my_profile(request):
    employee = selectors.employee_for_user(request.user)
    if employee is None:
        return None
    return {"employee": employee}


def workforce(request):
    qs = selectors.employees_visible_to(request.user)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    counts = qs.aggregate(
        total=Count("pk", filter=~Q(status=EmployeeStatus.LEFT)),
        probation=Count("pk", filter=Q(status=EmployeeStatus.PROBATION)),
        leaving=Count("pk", filter=Q(status=EmployeeStatus.LEAVING)),
        new_this_month=Count("pk", filter=Q(hire_date__gte=month_start)),
    )
    return counts


def hr_attention(request):
    from datetime import timedelta

    from .choices import ContractKind, RequestStatus
    from .models import ChangeRequest, Contract

    today = timezone.localdate()
    return {
        "pending_requests": ChangeRequest.objects.filter(status=RequestStatus.PENDING).count(),
        "pending_bank": ChangeRequest.objects.filter(status=RequestStatus.PENDING, kind="bank").count(),
        "contracts_ending": list(
            Contract.objects.filter(
                kind=ContractKind.FIXED_TERM,
                end_date__gte=today,
                end_date__lte=today + timedelta(days=30),
                renewed_by__isnull=True,
            )
            .exclude(employee__status=EmployeeStatus.LEFT)
            .select_related("employee")
            .order_by("end_date")[:8]
        ),
    }


def my_team(request):
    employee = selectors.employee_for_user(request.user)
    if employee is None:
        return None
    team = selectors.team_of(request.user).exclude(status=EmployeeStatus.LEFT)
    return {"count": team.count(), "members": list(team.order_by("name")[:8])}


def register_widgets() -> None:
    dashboard.register(
        "employees.workforce",
        template="employees/widgets/workforce.html",
        roles={Role.HR, Role.HR_ADMIN},
        context=workforce,
        order=10,
        width="col-12",
    )
    dashboard.register(
        "employees.hr_attention",
        template="employees/widgets/hr_attention.html",
        roles={Role.HR, Role.HR_ADMIN},
        context=hr_attention,
        order=15,
    )
    dashboard.register(
        "employees.my_team",
        template="employees/widgets/my_team.html",
        roles={Role.MANAGER},
        context=my_team,
        order=20,
    )
    dashboard.register(
        "employees.my_profile",
        template="employees/widgets/my_profile.html",
        roles={Role.EMPLOYEE, Role.MANAGER, Role.HR, Role.HR_ADMIN, Role.PAYROLL},
        context=my_profile,
        order=90,
    )

"""Dashboard widgets of the payroll app."""

from django.utils import timezone

from hrsuite.core import dashboard
from hrsuite.roles import Role

from .models import PayRun


def current_runs(request):
    period = timezone.localdate().replace(day=1)
    runs = list(
        PayRun.objects.filter(period__gte=period.replace(month=1)).exclude(status="cancelled").order_by("-period")[:4]
    )
    return {"runs": runs, "period": period, "has_current": any(r.period == period for r in runs)}


def register_widgets() -> None:
    dashboard.register(
        "payroll.runs",
        template="payroll/widgets/runs.html",
        roles={Role.PAYROLL},
        context=current_runs,
        order=10,
    )

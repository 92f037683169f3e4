"""Reads of payroll data. Pay is visible only through `hrsuite.scoping.Scope.pay_q`: payroll
administrators see everyone's, everyone else only their own."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Func, OuterRef, Q, QuerySet, Subquery, Sum

from hrsuite.scoping import scope_for

from .choices import LOCKED_STATUSES, RunStatus, SlipStatus
from .models import PayRun, PaySlip

ANOMALY_THRESHOLD = Decimal("0.20")  # net pay changed by more than 20% against last month


def payslips_visible_to(user) -> QuerySet[PaySlip]:
    scope = scope_for(user)
    return PaySlip.objects.filter(scope.pay_q(prefix="employee__")).select_related("employee", "department", "run")


def previous_run(run: PayRun) -> PayRun | None:
    """The last finalised run before this one covering the same scope (or the whole company)."""
    return (
        PayRun.objects.filter(period__lt=run.period, status__in=LOCKED_STATUSES, scope_key__in=[run.scope_key, "all"])
        .order_by("-period")
        .first()
    )


def department_totals(run: PayRun) -> list[dict]:
    return list(
        PaySlip.objects.filter(run=run, status=SlipStatus.OK)
        .values("department__name")
        .annotate(
            headcount=Count("pk"),
            gross=Sum("gross"),
            si=Sum("si_employee") + Sum("hf_employee"),
            iit=Sum("iit") + Sum("bonus_tax"),
            net=Sum("net"),
            employer=Sum("employer_cost"),
        )
        .order_by("department__name")
    )


@dataclass
class Comparison:
    previous: PayRun | None
    new_employees: list
    missing_employees: list
    anomalies: int


def compare_with_previous(run: PayRun) -> Comparison:
    prev = previous_run(run)
    if prev is None:
        return Comparison(None, [], [], 0)
    now = set(PaySlip.objects.filter(run=run).values_list("employee_id", flat=True))
    before = set(PaySlip.objects.filter(run=prev).values_list("employee_id", flat=True))
    from employees.models import Employee

    new = list(
        Employee.objects.filter(pk__in=now - before).only("id", "name", "employee_no").order_by("employee_no")[:50]
    )
    missing = list(
        Employee.objects.filter(pk__in=before - now).only("id", "name", "employee_no").order_by("employee_no")[:50]
    )
    return Comparison(prev, new, missing, 0)


def change_ratio(now: Decimal, before: Decimal | None) -> Decimal | None:
    if before is None or before == 0:
        return None
    return (now - before) / before


def is_anomaly(ratio: Decimal | None) -> bool:
    return ratio is not None and abs(ratio) > ANOMALY_THRESHOLD


def slips_for_review(
    run: PayRun, *, previous: PayRun | None = None, q: str = "", only: str = "", department: str = ""
) -> QuerySet[PaySlip]:
    """The run's slips with last month's net pay beside each (`prev_net`, one subquery), filtered
    to errors, anomalies (net changed by more than 20%, or new), a department, or a search."""
    prev_net = PaySlip.objects.filter(run=previous, employee=OuterRef("employee")).values("net")[:1]
    qs = (
        PaySlip.objects.filter(run=run)
        .select_related("employee", "department")
        .annotate(prev_net=Subquery(prev_net), change=Func(F("net") - F("prev_net"), function="ABS"))
        .order_by("employee__employee_no")
    )
    if q:
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__iexact=q))
    if only == "errors":
        qs = qs.filter(status=SlipStatus.ERROR)
    elif only == "anomalies" and previous is not None:
        qs = qs.filter(Q(prev_net__isnull=True) | Q(change__gt=Func(F("prev_net"), function="ABS") * ANOMALY_THRESHOLD))
    if department:
        qs = qs.filter(department_id=department)
    return qs


def open_runs() -> QuerySet[PayRun]:
    return PayRun.objects.exclude(status__in=[RunStatus.CANCELLED, *LOCKED_STATUSES])

"""Reads for pay analytics: the rows the pure calculations in `analytics` need, in a fixed
number of queries whatever the size of the company. Pay comes only from the slips of finalised
or published runs (LOCKED_STATUSES), through the scoped slip selector like every other pay read;
staff and departments come from the workforce analytics' own selectors."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from employees import selectors_analytics as workforce

from .analytics import BenchmarkRow, CostRow, PaidPerson, PayData, window_months
from .choices import LOCKED_STATUSES, SlipStatus
from .models import MarketBenchmark, PayRun, PaySlip
from .selectors import payslips_visible_to


def finalised_months() -> list[date]:
    """The months with a finalised or published run, latest first. One query."""
    return list(
        PayRun.objects.filter(status__in=LOCKED_STATUSES)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )


def locked_slips(user, *, end: date) -> QuerySet[PaySlip]:
    """The slips the user may see of finalised or published runs in the window ending with
    `end`'s month, calculated without an error."""
    months = window_months(end)
    return payslips_visible_to(user).filter(
        run__status__in=LOCKED_STATUSES,
        status=SlipStatus.OK,
        period__gte=months[0],
        period__lte=months[-1],
    )


def cost_rows(user, *, end: date) -> tuple[CostRow, ...]:
    """Slips summed per month, department on the slip and current role family. One query."""
    qs = (
        locked_slips(user, end=end)
        .order_by()
        .values("period", "department_id", "employee__position__role_family")
        .annotate(payslips=Count("id"), gross=Sum("gross"), fixed=Sum("fixed_pay"), variable=Sum("variable_pay"))
        .order_by("period", "department_id", "employee__position__role_family")
    )
    return tuple(
        CostRow(
            period=r["period"],
            department_id=r["department_id"],
            role_family=r["employee__position__role_family"] or "",
            payslips=r["payslips"],
            gross=r["gross"],
            fixed=r["fixed"],
            variable=r["variable"],
        )
        for r in qs
    )


PAID_FIELDS = (
    "employee_id",
    "employee__employee_no",
    "employee__name",
    "employee__gender",
    "employee__department__name",
    "employee__position_id",
    "employee__position__code",
    "employee__position__title",
    "employee__position__role_family",
    "employee__grade_id",
    "employee__grade__code",
    "employee__grade__name",
    "employee__grade__level",
)


def paid_people(user, *, end: date) -> tuple[PaidPerson, ...]:
    """Everyone paid in the window with their months paid and gross summed, and their current
    department, position and grade. One query."""
    qs = (
        locked_slips(user, end=end)
        .order_by()
        .values(*PAID_FIELDS)
        .annotate(months=Count("id"), gross=Sum("gross"))
        .order_by("employee__employee_no")
    )
    return tuple(
        PaidPerson(
            id=r["employee_id"],
            employee_no=r["employee__employee_no"],
            name=r["employee__name"],
            months=r["months"],
            gross=r["gross"],
            gender=r["employee__gender"] or "",
            department_name=r["employee__department__name"] or "",
            position_id=r["employee__position_id"],
            position_code=r["employee__position__code"] or "",
            position_title=r["employee__position__title"] or "",
            role_family=r["employee__position__role_family"] or "",
            grade_id=r["employee__grade_id"],
            grade_code=r["employee__grade__code"] or "",
            grade_name=r["employee__grade__name"] or "",
            grade_level=r["employee__grade__level"] or 0,
        )
        for r in qs
    )


def benchmark_rows() -> tuple[BenchmarkRow, ...]:
    """Every survey line, newest survey year first, then the latest import first. One query."""
    qs = MarketBenchmark.objects.order_by("-survey_year", "-imported_at", "-id").values(
        "id",
        "survey_year",
        "source",
        "basis",
        "p25",
        "p50",
        "p75",
        "position_id",
        "grade_id",
        "position__code",
        "position__title",
        "grade__code",
        "grade__name",
    )
    return tuple(
        BenchmarkRow(
            id=r["id"],
            survey_year=r["survey_year"],
            source=r["source"],
            basis=r["basis"],
            p25=r["p25"],
            p50=r["p50"],
            p75=r["p75"],
            position_id=r["position_id"],
            grade_id=r["grade_id"],
            code=r["position__code"] or r["grade__code"] or "",
            name=r["position__title"] or r["grade__name"] or "",
        )
        for r in qs
    )


def pay_data(user, *, end: date, as_of: date) -> PayData:
    """Everything the pay analytics page and its export need: five queries (slips twice,
    staff, departments, survey lines), plus the user's scope once per request."""
    return PayData(
        end=end.replace(day=1),
        costs=cost_rows(user, end=end),
        paid=paid_people(user, end=end),
        staff=workforce.person_rows(user, as_of=as_of),
        departments=workforce.department_rows(),
        benchmarks=benchmark_rows(),
    )


def market_benchmarks() -> QuerySet[MarketBenchmark]:
    """The survey lines for the market data list, with what each row shows."""
    return MarketBenchmark.objects.select_related("position", "grade", "imported_by").order_by(
        "-survey_year", "source", "position__code", "grade__code", "id"
    )


def search_benchmarks(queryset: QuerySet[MarketBenchmark], q: str) -> QuerySet[MarketBenchmark]:
    """Survey lines whose source, position (code or title) or grade (code or name) contain `q`."""
    q = (q or "").strip()
    if not q:
        return queryset
    return queryset.filter(
        Q(source__icontains=q)
        | Q(position__code__icontains=q)
        | Q(position__title__icontains=q)
        | Q(grade__code__icontains=q)
        | Q(grade__name__icontains=q)
    )


def survey_years() -> list[int]:
    return list(MarketBenchmark.objects.order_by("-survey_year").values_list("survey_year", flat=True).distinct())

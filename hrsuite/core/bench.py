"""Benchmark: the main list pages served by gunicorn to a real HTTP client (hrsuite.bench_web),
each for one user and for 4 concurrent users, p50 and p95 of the time a user waits; target p95
< 0.3 s at 10,000 employees with 4 users. Each page is requested with a mix of its filters,
searches and a later page, signed in as the role that uses it. The data a page needs at company
scale is topped up first (committed, idempotent) by its app's generator."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from employees.models import Department, Employee
from hrsuite.bench import Result, scenario
from hrsuite.bench_web import time_page


def _dept(code: str = "HQ-TECH") -> int | str:
    pk = Department.objects.filter(code=code).values_list("pk", flat=True).first()
    return pk or ""


def _analyze(*tables: str) -> None:
    """Planner statistics of the tables a top-up just filled, as autovacuum would gather them."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _skipped(name: str, size: int, why: str) -> list[Result]:
    return [Result(name, size, 0.0, note=f"skipped: {why}", skipped=True)]


@scenario("pages.employees", order=90)
def employees_list(size: int) -> list[Result]:
    """The employee list (/employees/, 50 rows a page) as HR: unfiltered, active only, one department,
    a name search and page 7 sorted by hire date; through gunicorn, 1 user and 4 concurrent users,
    target p95 0.3 s."""
    rows = Employee.objects.count()
    paths = ["/employees/", "/employees/?status=active", f"/employees/?department={_dept()}", "/employees/?q=王"]
    paths.append("/employees/?sort=-hire_date&page=7")
    return time_page("pages.employees", size, username="hr", paths=paths, rows=rows, what="employee list")


@scenario("pages.payrun_review", order=91)
def payrun_review(size: int) -> list[Result]:
    """The review page of the current month's pay run (the run with its slip list, previous month's
    net beside each, department totals, checks) as payroll: first page, page 5, anomalies only, one
    department, a name search; through gunicorn, 1 and 4 users, target p95 0.3 s."""
    from payroll.bench import current_run
    from payroll.models import PaySlip

    period = timezone.localdate().replace(day=1)
    try:  # the payroll.run scenario calculates it; alone (--only pages) current_run() does
        run = current_run()
    except Exception as exc:  # reported in the table; the other pages still run
        return _skipped("pages.payrun_review", size, f"no calculated {period:%Y-%m} run ({exc})")
    rows = PaySlip.objects.filter(run=run).count()
    base = f"/payroll/runs/{run.pk}/"
    paths = [base, f"{base}?page=5", f"{base}?only=anomalies", f"{base}?department={_dept()}", f"{base}?q=王"]
    return time_page(
        "pages.payrun_review", size, username="payroll", paths=paths, rows=rows, what=f"{period:%Y-%m} run review"
    )


@scenario("pages.compliance_matrix", order=92)
def compliance_matrix(size: int) -> list[Result]:
    """The compliance matrix (employees × required certificates, status counts) as HR over 100,000
    certificates: unfiltered, problems only, one department, page 20, everyone; through gunicorn, 1
    and 4 users, target p95 0.3 s."""
    from training.bench import ensure_certificates

    certificates = ensure_certificates()
    _analyze("training_employeecertificate")
    base = "/training/compliance/"
    paths = [base, f"{base}?status=problems", f"{base}?department={_dept()}", f"{base}?page=20", f"{base}?everyone=on"]
    return time_page(
        "pages.compliance_matrix",
        size,
        username="hr",
        paths=paths,
        rows=certificates,
        what="compliance matrix over the certificates",
    )


@scenario("pages.candidates", order=93)
def candidates(size: int) -> list[Result]:
    """The candidates of a posting with 2,000 applications (scored, across the stages) as HR:
    unfiltered, one stage, must-haves met, a name search, page 9; through gunicorn, 1 and 4 users,
    target p95 0.3 s."""
    from recruiting.bench import ensure_applications

    posting = ensure_applications()
    _analyze("recruiting_candidate", "recruiting_application")
    rows = posting.applications.count()
    base = f"/recruiting/postings/{posting.pk}/applications/"
    paths = [base, f"{base}?stage=screening", f"{base}?must=1", f"{base}?q=张", f"{base}?page=9"]
    return time_page(
        "pages.candidates", size, username="hr", paths=paths, rows=rows, what="applications of one posting"
    )


@scenario("pages.review_cycle", order=94)
def review_cycle(size: int) -> list[Result]:
    """The page of the largest review cycle (progress per status, the reviews in pages) as HR:
    unfiltered, one status, one department, a name search, page 3; through gunicorn, 1 and 4 users,
    target p95 0.3 s."""
    from django.db.models import Count

    from performance.models import ReviewCycle

    cycle = ReviewCycle.objects.annotate(n=Count("reviews")).filter(n__gt=0).order_by("-n", "-pk").first()
    if cycle is None:
        return _skipped("pages.review_cycle", size, "no review cycle (seed_demo's performance demo)")
    base = f"/performance/reviews/{cycle.pk}/"
    paths = [base, f"{base}?status=manager", f"{base}?department={_dept()}", f"{base}?q=王", f"{base}?page=3"]
    return time_page(
        "pages.review_cycle", size, username="hr", paths=paths, rows=cycle.n, what="review cycle with its reviews"
    )


@scenario("pages.engagement_results", order=95)
def engagement_results(size: int) -> list[Result]:
    """The results of the latest engagement round (departments × topics with small groups hidden,
    change since the previous round, trends) as HR, whole company and two departments in focus;
    through gunicorn, 1 and 4 users, target p95 0.3 s."""
    from surveys.models import Survey, SurveyKind, SurveyResponse

    survey = Survey.objects.filter(kind=SurveyKind.ENGAGEMENT).order_by("-opens_at", "-pk").first()
    if survey is None:
        return _skipped("pages.engagement_results", size, "no engagement round (seed_demo's relations demo)")
    answers = SurveyResponse.objects.filter(survey=survey).count()
    base = f"/relations/engagement/{survey.pk}/"
    paths = [base, f"{base}?focus={_dept()}", f"{base}?focus={_dept('HQ-SALES')}"]
    return time_page(
        "pages.engagement_results",
        size,
        username="hr",
        paths=paths,
        rows=answers,
        what="engagement round results (departments × topics, trend) over the answers",
    )

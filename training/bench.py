"""Benchmark: the daily certificate reminder scan over 100,000 certificates (target 5 s, and a
query count that does not grow with the number of certificates)."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.bench import Result, Timer, scenario

from .choices import VerificationStatus
from .models import CertificateType, Course, EmployeeCertificate, TrainingSettings
from .qualifications import add_months
from .reminders import certificate_reminders

CERTIFICATES = 100_000
EXPIRING_SHARE = 0.03  # within the largest lead day
EXPIRED_SHARE = 0.08


def ensure_certificates(total: int = CERTIFICATES) -> int:
    """Top the benchmark company up to `total` certificates (bulk, idempotent): one per employee
    and benchmark type, ~3% expiring within the lead days, ~8% expired, the rest later."""
    have = EmployeeCertificate.objects.count()
    if have >= total:
        return have
    people = list(Employee.objects.exclude(status=EmployeeStatus.LEFT).order_by("pk").values_list("pk", flat=True))
    if not people:
        return have
    today = timezone.localdate()
    refresher, _ = Course.objects.get_or_create(
        code="BENCH-REFRESH", defaults={"title": "基准复训课程", "hours": Decimal("2"), "self_enrol": False}
    )
    n_types = math.ceil((total - have) / len(people))
    rng = random.Random(70)  # noqa: S311  (benchmark data)
    rows = []
    for i in range(n_types):
        ctype, _ = CertificateType.objects.get_or_create(
            code=f"BENCH-{i + 1:02d}",
            defaults={
                "name": f"基准资格证书 {i + 1:02d}",
                "validity_months": 24,
                "refresher_course": refresher if i % 3 == 0 else None,
            },
        )
        for pk in people:
            if have + len(rows) >= total:
                break
            roll = rng.random()
            if roll < EXPIRING_SHARE:
                expires = today + timedelta(days=rng.randint(0, 30))
            elif roll < EXPIRING_SHARE + EXPIRED_SHARE:
                expires = today - timedelta(days=rng.randint(1, 400))
            else:
                expires = today + timedelta(days=rng.randint(31, 700))
            rows.append(
                EmployeeCertificate(
                    employee_id=pk,
                    certificate_type=ctype,
                    number=f"B{i + 1:02d}{pk:09d}",
                    issued_on=add_months(expires, -24),
                    expires_on=expires,
                    verification=VerificationStatus.VERIFIED,
                )
            )
    EmployeeCertificate.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return EmployeeCertificate.objects.count()


def _logins_for_people_due(today, horizon) -> int:
    """Give everyone with a certificate due (and their manager) a login, as in a company where
    every employee has one, so each reminder goes to the employee, the manager and HR. Runs inside
    the scenario's rolled-back transaction, before the timing."""
    due = EmployeeCertificate.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
    ids = set(due.values_list("employee_id", flat=True)) | set(
        due.exclude(employee__manager_id=None).values_list("employee__manager_id", flat=True)
    )
    people = list(Employee.objects.filter(pk__in=ids, user__isnull=True).only("pk", "employee_no"))
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-{e.employee_no}", email=f"{e.employee_no.lower()}@bench.example.cn") for e in people],
        batch_size=5000,
    )
    for e, u in zip(people, users, strict=True):
        e.user_id = u.pk
    Employee.objects.bulk_update(people, ["user"], batch_size=5000)
    return len(people)


@scenario("training.reminder_scan", order=70)
def reminder_scan(size: int) -> Result:
    """certificate_reminders() over 100,000 certificates: first run timed (every reminder due
    today is created), second run must create nothing; both rolled back. E-mail tasks are
    scheduled on commit, so the rollback also keeps them out of the broker."""
    total = ensure_certificates()
    today = timezone.localdate()
    policy = TrainingSettings.current()
    horizon = today + timedelta(days=max(policy.reminder_days or [0]))
    with transaction.atomic():
        logins = _logins_for_people_due(today, horizon)
        with CaptureQueriesContext(connection) as queries, Timer() as first_run:
            first = certificate_reminders(today=today)
        with CaptureQueriesContext(connection) as queries_again, Timer() as second_run:
            second = certificate_reminders(today=today)
        transaction.set_rollback(True)
    assert second.notifications == 0 and second.enrolments == 0, second.as_dict()
    return Result(
        "training.reminder_scan",
        total,
        first_run.seconds,
        target_seconds=5.0,
        note=(
            f"{first.due} certificates due, {first.notifications} reminders created "
            f"({first.enrolments} refresher enrolments) in {len(queries)} queries; "
            f"second run {second_run.seconds:.2f} s, nothing new"
        ),
        extra={
            "first": first.as_dict(),
            "second": second.as_dict(),
            "queries": len(queries),
            "queries_second_run": len(queries_again),
            "second_run_seconds": round(second_run.seconds, 4),
            "logins_added_for_the_run": logins,
        },
    )

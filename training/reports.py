"""The compliance training report: evidence for an inspection, per department (subtree) or per
employee. For each person: the courses completed (date, hours, best exam score) and each
certificate (number, dates, status on the report date). The figures are gathered in a constant
number of queries and hashed (hrsuite.pdf.content_hash) so a printed copy can be checked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Max, QuerySet
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Employee
from exams.models import AttemptStatus, ExamAttempt
from hrsuite.pdf import content_hash

from .choices import CertificateStatus, EnrollmentStatus
from .compliance import certificate_status
from .models import CertificateRequirement, Enrollment
from .selectors_qualifications import current_certificates

MAX_PEOPLE = 1000  # a larger department is reported per sub-department


@dataclass(frozen=True)
class CourseLine:
    code: str
    title: str
    completed_on: date | None
    hours: Decimal
    has_exam: bool
    best_score: Decimal | None


@dataclass(frozen=True)
class CertificateLine:
    code: str
    name: str
    required: bool
    status: str
    number: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    days_left: int | None = None
    grace_until: date | None = None

    @property
    def status_label(self) -> str:
        return str(CertificateStatus(self.status).label)


@dataclass
class PersonSection:
    employee: Employee
    courses: list[CourseLine] = field(default_factory=list)
    certificates: list[CertificateLine] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.courses), Decimal("0"))


@dataclass
class ComplianceReport:
    scope_label: str
    as_of: date
    completed_from: date | None
    completed_to: date | None
    people: list[PersonSection]
    status_counts: Counter
    digest: str = ""

    @property
    def courses(self) -> int:
        return sum(len(p.courses) for p in self.people)

    @property
    def hours(self) -> Decimal:
        return sum((p.hours for p in self.people), Decimal("0"))


def _bounds(start: date | None, end: date | None):
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(datetime.combine(start, time.min), tz) if start else None
    hi = timezone.make_aware(datetime.combine(end, time.max), tz) if end else None
    return lo, hi


def compliance_report(
    *,
    employees: QuerySet[Employee],
    scope_label: str,
    today: date,
    window: int,
    completed_from: date | None = None,
    completed_to: date | None = None,
) -> ComplianceReport:
    """Gather the report of `employees` (already scoped and narrowed by the caller): six queries
    whatever the number of people."""
    people = list(
        employees.exclude(status=EmployeeStatus.LEFT)
        .select_related("department", "position")
        .order_by("department__path", "employee_no")
    )
    ids = [e.pk for e in people]
    enrollments = (
        Enrollment.objects.filter(employee_id__in=ids, status=EnrollmentStatus.COMPLETED)
        .select_related("course")
        .order_by("employee_id", "completed_at", "pk")
    )
    lo, hi = _bounds(completed_from, completed_to)
    if lo:
        enrollments = enrollments.filter(completed_at__gte=lo)
    if hi:
        enrollments = enrollments.filter(completed_at__lte=hi)
    enrollments = list(enrollments)
    exam_ids = {e.course.exam_id for e in enrollments if e.course.exam_id}
    best = {
        (row["employee_id"], row["exam_id"]): row["best"]
        for row in ExamAttempt.objects.filter(
            employee_id__in=ids, exam_id__in=exam_ids, status=AttemptStatus.SUBMITTED, score__isnull=False
        )
        .values("employee_id", "exam_id")
        .annotate(best=Max("score"))
        .order_by()
    }
    by_person: dict[int, PersonSection] = {e.pk: PersonSection(employee=e) for e in people}
    for en in enrollments:
        by_person[en.employee_id].courses.append(
            CourseLine(
                code=en.course.code,
                title=en.course.title,
                completed_on=timezone.localtime(en.completed_at).date() if en.completed_at else None,
                hours=en.hours,
                has_exam=bool(en.course.exam_id),
                best_score=best.get((en.employee_id, en.course.exam_id)) if en.course.exam_id else None,
            )
        )
    requirements: dict[int, list[CertificateRequirement]] = {}
    for req in CertificateRequirement.objects.filter(
        position_id__in={e.position_id for e in people if e.position_id}
    ).select_related("certificate_type"):
        requirements.setdefault(req.position_id, []).append(req)
    current = current_certificates(ids)
    counts: Counter = Counter()
    for e in people:
        section = by_person[e.pk]
        required_ids = set()
        for req in sorted(requirements.get(e.position_id, []), key=lambda r: r.certificate_type.code):
            t = req.certificate_type
            required_ids.add(t.pk)
            line = _certificate_line(current.get((e.pk, t.pk)), t, True, today, window)
            if line.status == CertificateStatus.MISSING and req.grace_days and e.hire_date:
                until = e.hire_date + timedelta(days=req.grace_days)
                if until >= today:
                    line = replace(line, grace_until=until)
            section.certificates.append(line)
            counts[line.status] += 1
        extra = [c for (emp, tid), c in current.items() if emp == e.pk and tid not in required_ids]
        for cert in sorted(extra, key=lambda c: c.certificate_type.code):
            section.certificates.append(_certificate_line(cert, cert.certificate_type, False, today, window))
    report = ComplianceReport(
        scope_label=scope_label,
        as_of=today,
        completed_from=completed_from,
        completed_to=completed_to,
        people=[by_person[e.pk] for e in people],
        status_counts=counts,
    )
    report.digest = digest(report)
    return report


def _certificate_line(cert, ctype, required: bool, today: date, window: int) -> CertificateLine:
    if cert is None:
        return CertificateLine(code=ctype.code, name=ctype.name, required=required, status=CertificateStatus.MISSING)
    return CertificateLine(
        code=ctype.code,
        name=ctype.name,
        required=required,
        status=certificate_status(cert.expires_on, today, window),
        number=cert.number,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        days_left=(cert.expires_on - today).days if cert.expires_on else None,
    )


def digest(report: ComplianceReport) -> str:
    """content_hash over everything the report states (not when or by whom it was made)."""
    parts: list = [
        "compliance-training-report",
        report.scope_label,
        report.as_of.isoformat(),
        report.completed_from or "",
        report.completed_to or "",
    ]
    for p in report.people:
        e = p.employee
        parts += [e.employee_no, e.name, e.department.name if e.department else "", e.position or ""]
        for c in p.courses:
            parts += ["course", c.code, c.title, c.completed_on or "", c.hours, c.best_score if c.has_exam else "-"]
        for c in p.certificates:
            parts += ["cert", c.code, c.required, c.status, c.number, c.issued_on or "", c.expires_on or ""]
    return content_hash(*parts)

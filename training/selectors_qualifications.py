"""Reads of qualification compliance, scoped by hrsuite.scoping.

Which certificate counts: for an employee and a certificate type, the *verified* certificate
with the latest expiry (one without an expiry date counts as the latest). A pending upload does
not count until HR verifies it, a rejected one never. The status of a required certificate is
computed from that expiry when read (training.compliance.certificate_status in Python; the same
rule as a SQL expression here, for filtering and counting), never stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.roles import Role, has_role
from hrsuite.scoping import scope_for

from .choices import CertificateStatus, VerificationStatus
from .compliance import certificate_status
from .models import CertificateRequirement, CertificateType, EmployeeCertificate

FAR_FUTURE = date(9999, 12, 31)  # "does not expire", for MAX() over expiry dates
PROBLEM_STATUSES = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED, CertificateStatus.MISSING)
NOT_REQUIRED = "not_required"


# --- who sees which certificates ----------------------------------------------------------------


def certificates_visible_to(user) -> QuerySet[EmployeeCertificate]:
    """HR: every certificate; a manager: their team's; everyone: their own."""
    scope = scope_for(user)
    if scope.is_empty:
        return EmployeeCertificate.objects.none()
    return EmployeeCertificate.objects.filter(scope.employees_q(prefix="employee__")).select_related(
        "employee", "employee__department", "employee__position", "certificate_type", "verified_by", "uploaded_by"
    )


def scans_visible_to(user) -> QuerySet[EmployeeCertificate]:
    """Certificates whose scan the user may download: HR all, anyone else only their own (not a
    manager: a scan is a personal document)."""
    qs = EmployeeCertificate.objects.select_related("employee", "certificate_type")
    if has_role(user, Role.HR, Role.HR_ADMIN):
        return qs
    scope = scope_for(user)
    return qs.filter(employee_id=scope.employee_id) if scope.employee_id else qs.none()


def superseded() -> Exists:
    """For an outer certificate: a later verified one of the same employee and type exists (it
    no longer counts, so its expiry needs nobody's attention)."""
    return Exists(
        EmployeeCertificate.objects.filter(
            employee_id=OuterRef("employee_id"),
            certificate_type_id=OuterRef("certificate_type_id"),
            verification=VerificationStatus.VERIFIED,
        )
        .exclude(pk=OuterRef("pk"))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    )


def certificate_list(user) -> QuerySet[EmployeeCertificate]:
    """Every certificate the user may see, most urgent first, each marked `superseded` when a
    later verified certificate of the same type replaced it."""
    return (
        certificates_visible_to(user)
        .annotate(superseded=superseded())
        .order_by(F("expires_on").asc(nulls_last=True), "employee__employee_no", "pk")
    )


def pending_verification() -> QuerySet[EmployeeCertificate]:
    return (
        EmployeeCertificate.objects.filter(verification=VerificationStatus.PENDING)
        .select_related("employee", "employee__department", "certificate_type", "uploaded_by")
        .order_by("created_at", "pk")
    )


def own_certificates(employee_id: int) -> QuerySet[EmployeeCertificate]:
    return (
        EmployeeCertificate.objects.filter(employee_id=employee_id)
        .select_related("certificate_type", "verified_by")
        .order_by("certificate_type__name", F("expires_on").desc(nulls_first=True), "-pk")
    )


# --- status as SQL -------------------------------------------------------------------------------


def status_expression(employee_ref, type_ref, today: date, window: int) -> Coalesce:
    """The status of one employee's certificate of one type as SQL, from a single index lookup
    (employee, type): MAX(COALESCE(expires_on, 9999-12-31)) over the verified certificates,
    classified by the same rule as training.compliance.certificate_status; 'missing' when there
    is none."""
    best = Max(Coalesce("expires_on", Value(FAR_FUTURE)))
    classified = (
        EmployeeCertificate.objects.filter(
            employee_id=employee_ref, certificate_type_id=type_ref, verification=VerificationStatus.VERIFIED
        )
        .order_by()
        .values("employee_id")
        .annotate(best=best)
        .annotate(
            st=Case(
                When(best__lt=today, then=Value(CertificateStatus.EXPIRED)),
                When(best__lte=today + timedelta(days=window), then=Value(CertificateStatus.EXPIRING)),
                default=Value(CertificateStatus.VALID),
                output_field=CharField(),
            )
        )
        .values("st")[:1]
    )
    return Coalesce(Subquery(classified, output_field=CharField()), Value(CertificateStatus.MISSING))


def requirement_statuses(today: date, window: int, type_id: int | None = None) -> QuerySet:
    """The requirements of an outer employee's position, each annotated with `st`, its status for
    that employee (for Exists() filters on an Employee queryset)."""
    qs = CertificateRequirement.objects.filter(position_id=OuterRef("position_id"))
    if type_id:
        qs = qs.filter(certificate_type_id=type_id)
    return qs.annotate(st=status_expression(OuterRef(OuterRef("pk")), OuterRef("certificate_type_id"), today, window))


# --- the compliance matrix -----------------------------------------------------------------------


@dataclass
class MatrixFilters:
    department: object | None = None  # a Department: its whole subtree
    position: object | None = None
    certificate_type: CertificateType | None = None
    status: str = ""  # "", "problems", "ok", or one of expiring / expired / missing
    q: str = ""
    everyone: bool = False  # also people whose position requires none of the columns


STATUS_FILTERS = ("problems", "ok", *PROBLEM_STATUSES)


def matrix_employees(base: QuerySet[Employee], f: MatrixFilters, *, today: date, window: int) -> QuerySet[Employee]:
    """The matrix's rows: `base` (already scoped to the user) narrowed by the filters, in SQL."""
    qs = base.exclude(status=EmployeeStatus.LEFT)
    if f.department is not None:
        qs = qs.filter(department__path__startswith=f.department.path)
    if f.position is not None:
        qs = qs.filter(position=f.position)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(employee_no__iexact=f.q))
    type_id = f.certificate_type.pk if f.certificate_type else None
    if not f.everyone or type_id:
        requires = CertificateRequirement.objects.filter(position_id=OuterRef("position_id"))
        if type_id:
            requires = requires.filter(certificate_type_id=type_id)
        qs = qs.filter(Exists(requires))
    if f.status in STATUS_FILTERS:
        reqs = requirement_statuses(today, window, type_id)
        if f.status == "problems":
            qs = qs.filter(Exists(reqs.filter(st__in=PROBLEM_STATUSES)))
        elif f.status == "ok":
            qs = qs.exclude(Exists(reqs.filter(st__in=PROBLEM_STATUSES)))
        else:
            qs = qs.filter(Exists(reqs.filter(st=f.status)))
        # worked out once: the page's count, columns, rows and summary then select these people
        # by id instead of classifying every certificate of the company again, query after query
        # (as one array parameter: a list of thousands of ids costs more to build than to run)
        ids = list(qs.values_list("pk", flat=True))
        qs = base.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
    # a row shows the number, name, department and position (the hire date gives the grace days):
    # narrow rows sort and travel faster than the full rows of the employee list
    return (
        qs.select_related(None)
        .select_related("department", "position")
        .only(*MATRIX_FIELDS)
        .order_by("department__path", "employee_no")
    )


MATRIX_FIELDS = (
    "employee_no",
    "name",
    "hire_date",
    "position_id",
    "department__name",
    "department__path",
    "position__title",
)


def matrix_columns(employees: QuerySet[Employee], certificate_type: CertificateType | None) -> list[CertificateType]:
    """The certificate types required by any position among the filtered employees."""
    if certificate_type is not None:
        return [certificate_type]
    positions = employees.order_by().values("position_id")
    return list(CertificateType.objects.filter(requirements__position_id__in=positions).distinct().order_by("code"))


def status_counts(employees: QuerySet[Employee], type_ids: list[int], *, today: date, window: int):
    """{type id: Counter(status -> people)} over every (employee, required type) pair of the
    filtered employees: one grouped query."""
    counts: dict[int, Counter] = {t: Counter() for t in type_ids}
    if not type_ids:
        return counts
    # one row per (employee, requirement of their position): join through the employee table
    qs = (
        employees.order_by()
        .filter(position__certificate_requirements__certificate_type_id__in=type_ids)
        .annotate(ctype=F("position__certificate_requirements__certificate_type_id"))
        .annotate(st=status_expression(OuterRef("pk"), OuterRef("ctype"), today, window))
        .values("ctype", "st")
        .annotate(n=Count("pk"))
    )
    for row in qs:
        counts[row["ctype"]][row["st"]] += row["n"]
    return counts


@dataclass
class Cell:
    certificate_type: CertificateType
    required: bool
    status: str  # a CertificateStatus, or NOT_REQUIRED
    certificate: EmployeeCertificate | None = None
    days_left: int | None = None
    pending: bool = False  # an upload waits for HR
    grace_until: date | None = None  # missing, but a new hire still within the grace days

    @property
    def is_problem(self) -> bool:
        return self.required and self.status in PROBLEM_STATUSES


@dataclass
class MatrixRow:
    employee: Employee
    cells: list[Cell] = field(default_factory=list)


def requirements_by_position(position_ids, type_ids) -> dict[int, dict[int, int]]:
    """{position id: {type id: grace days}}."""
    out: dict[int, dict[int, int]] = {}
    for pos, ctype, grace in CertificateRequirement.objects.filter(
        position_id__in=position_ids, certificate_type_id__in=type_ids
    ).values_list("position_id", "certificate_type_id", "grace_days"):
        out.setdefault(pos, {})[ctype] = grace
    return out


def current_certificates(employee_ids, type_ids=None) -> dict[tuple[int, int], EmployeeCertificate]:
    """{(employee id, type id): the certificate that counts} in one query (DISTINCT ON)."""
    qs = EmployeeCertificate.objects.filter(employee_id__in=employee_ids, verification=VerificationStatus.VERIFIED)
    if type_ids is not None:
        qs = qs.filter(certificate_type_id__in=type_ids)
    qs = qs.order_by("employee_id", "certificate_type_id", F("expires_on").desc(nulls_first=True), "-pk").distinct(
        "employee_id", "certificate_type_id"
    )
    return {(c.employee_id, c.certificate_type_id): c for c in qs}


def pending_pairs(employee_ids) -> set[tuple[int, int]]:
    return set(
        EmployeeCertificate.objects.filter(
            employee_id__in=employee_ids, verification=VerificationStatus.PENDING
        ).values_list("employee_id", "certificate_type_id")
    )


def build_rows(employees, columns: list[CertificateType], *, today: date, window: int) -> list[MatrixRow]:
    """The cells of a page of employees: three queries whatever the number of rows."""
    employees = list(employees)
    ids = [e.pk for e in employees]
    type_ids = [t.pk for t in columns]
    reqs = requirements_by_position({e.position_id for e in employees if e.position_id}, type_ids)
    current = current_certificates(ids, type_ids)
    pending = pending_pairs(ids)
    rows = []
    for e in employees:
        required = reqs.get(e.position_id, {})
        row = MatrixRow(employee=e)
        for t in columns:
            cert = current.get((e.pk, t.pk))
            cell = Cell(certificate_type=t, required=t.pk in required, status=NOT_REQUIRED, certificate=cert)
            cell.pending = (e.pk, t.pk) in pending
            if cert is not None:
                cell.status = certificate_status(cert.expires_on, today, window)
                cell.days_left = (cert.expires_on - today).days if cert.expires_on else None
            elif cell.required:
                cell.status = CertificateStatus.MISSING
                grace = required[t.pk]
                if grace and e.hire_date and e.hire_date + timedelta(days=grace) >= today:
                    cell.grace_until = e.hire_date + timedelta(days=grace)
            row.cells.append(cell)
        rows.append(row)
    return rows


def iter_rows(employees: QuerySet[Employee], columns, *, today: date, window: int, chunk: int = 2000):
    """Every row of a filtered matrix, a chunk of employees at a time (for the export)."""
    start = 0
    while True:
        page = list(employees[start : start + chunk])
        if not page:
            return
        yield from build_rows(page, columns, today=today, window=window)
        start += chunk


# --- one employee --------------------------------------------------------------------------------


def required_types(position_id: int | None) -> QuerySet[CertificateType]:
    if not position_id:
        return CertificateType.objects.none()
    return CertificateType.objects.filter(requirements__position_id=position_id).order_by("code")


def company_counts(*, today: date, window: int) -> Counter:
    """Statuses of every required certificate of every current employee (the HR widget)."""
    employees = Employee.objects.exclude(status=EmployeeStatus.LEFT)
    qs = (
        employees.order_by()
        .filter(position__certificate_requirements__isnull=False)
        .annotate(ctype=F("position__certificate_requirements__certificate_type_id"))
        .annotate(st=status_expression(OuterRef("pk"), OuterRef("ctype"), today, window))
        .values("st")
        .annotate(n=Count("pk"))
    )
    return Counter({row["st"]: row["n"] for row in qs})

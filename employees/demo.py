"""Demo organisation: departments, about 200 employees with Chinese names, and the demo logins.

Idempotent: departments and employees are keyed by code and employee number, so running it
again changes nothing; `--employees N` adds employees up to N.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from faker import Faker

from hrsuite.roles import Role

from .choices import DepartmentKind, EmployeeStatus, Gender
from .models import Department, Employee
from .services import department_save

DEMO_PASSWORD = "hrsuite-demo"  # noqa: S105  (documented demo password, demo data only)

# (code, name, kind, parent code, share of employees)
DEPARTMENTS = [
    ("HQ", "总部", DepartmentKind.HEADQUARTERS, None, 0.0),
    ("HQ-TECH", "技术部", DepartmentKind.DEPARTMENT, "HQ", 0.22),
    ("HQ-PROD", "产品部", DepartmentKind.DEPARTMENT, "HQ", 0.08),
    ("HQ-RISK", "风险控制部", DepartmentKind.DEPARTMENT, "HQ", 0.10),
    ("HQ-COMP", "合规部", DepartmentKind.DEPARTMENT, "HQ", 0.05),
    ("HQ-SALES", "销售部", DepartmentKind.DEPARTMENT, "HQ", 0.14),
    ("HQ-HR", "人力资源部", DepartmentKind.DEPARTMENT, "HQ", 0.04),
    ("HQ-FIN", "财务部", DepartmentKind.DEPARTMENT, "HQ", 0.05),
    ("HQ-OPS", "运营部", DepartmentKind.DEPARTMENT, "HQ", 0.07),
    ("SH", "上海分公司", DepartmentKind.BRANCH, "HQ", 0.0),
    ("SH-SALES", "上海分公司销售部", DepartmentKind.DEPARTMENT, "SH", 0.12),
    ("SH-OPS", "上海分公司运营部", DepartmentKind.DEPARTMENT, "SH", 0.05),
    ("REMOTE", "远程研发团队", DepartmentKind.REMOTE, "HQ-TECH", 0.05),
    ("HK", "香港团队", DepartmentKind.OVERSEAS, "HQ", 0.03),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: tuple[str, ...]
    department: str
    name: str
    heads: str | None = None


DEMO_LOGINS = [
    DemoLogin("hr", (Role.HR_ADMIN, Role.HR, Role.EMPLOYEE), "HQ-HR", "林晓梅", heads="HQ-HR"),
    DemoLogin("hrstaff", (Role.HR, Role.EMPLOYEE), "HQ-HR", "周静"),
    DemoLogin("payroll", (Role.PAYROLL, Role.EMPLOYEE), "HQ-FIN", "陈建国", heads="HQ-FIN"),
    DemoLogin("manager", (Role.MANAGER, Role.EMPLOYEE), "HQ-TECH", "王志强", heads="HQ-TECH"),
    DemoLogin("employee", (Role.EMPLOYEE,), "HQ-TECH", "李小龙"),
]


def seed_organisation() -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for code, name, kind, parent_code, _share in DEPARTMENTS:
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            dept = Department(code=code, name=name, kind=kind, parent=departments.get(parent_code))
            department_save(department=dept)
        departments[code] = dept
    return departments


def _ensure_groups() -> dict[str, Group]:
    return {code: Group.objects.get_or_create(name=code)[0] for code in Role.values}


def seed_logins(departments: dict[str, Department]) -> dict[str, Employee]:
    User = get_user_model()
    groups = _ensure_groups()
    people: dict[str, Employee] = {}
    for i, login in enumerate(DEMO_LOGINS, start=1):
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = User(username=login.username, first_name=login.name, email=f"{login.username}@demo.hrsuite.cn")
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[r] for r in login.roles])
        employee = Employee.objects.filter(user=user).first()
        if employee is None:
            employee = Employee.objects.create(
                user=user,
                employee_no=f"D{i:04d}",
                name=login.name,
                gender=Gender.FEMALE if login.name in {"林晓梅", "周静"} else Gender.MALE,
                email=user.email,
                phone=f"1380000{i:04d}",
                department=departments[login.department],
                status=EmployeeStatus.ACTIVE,
                hire_date=date(2019, 3, 1) + timedelta(days=97 * i),
            )
        people[login.username] = employee
    for login in DEMO_LOGINS:
        if login.heads:
            dept = departments[login.heads]
            if dept.head_id != people[login.username].pk:
                dept.head = people[login.username]
                dept.save(update_fields=["head"])
    # the demo employee reports to the demo manager
    emp = people["employee"]
    if emp.manager_id != people["manager"].pk:
        emp.manager = people["manager"]
        emp.save(update_fields=["manager"])
    return people


def seed_employees(departments: dict[str, Department], count: int, *, seed: int = 20260101) -> int:
    """Add generated employees until there are `count` with a generated number (E00001…)."""
    existing = set(Employee.objects.filter(employee_no__startswith="E").values_list("employee_no", flat=True))
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    weighted = [(code, share) for code, _n, _k, _p, share in DEPARTMENTS if share > 0]
    codes = [c for c, _ in weighted]
    shares = [s for _, s in weighted]
    today = date.today()
    new = []
    for n in range(1, count + 1):
        # draw every value even for existing rows so the sequence (and the data) is stable
        gender = Gender.FEMALE if rng.random() < 0.46 else Gender.MALE
        name = fake.name_female() if gender == Gender.FEMALE else fake.name_male()
        code = rng.choices(codes, shares)[0]
        hired = today - timedelta(days=int(rng.triangular(20, 12 * 365, 2 * 365)))
        status_roll = rng.random()
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        number = f"E{n:05d}"
        if number in existing:
            continue
        if (today - hired).days < 180:
            status = EmployeeStatus.PROBATION
        elif status_roll < 0.03:
            status = EmployeeStatus.LEAVING
        elif status_roll < 0.08:
            status = EmployeeStatus.LEFT
        else:
            status = EmployeeStatus.ACTIVE
        new.append(
            Employee(
                employee_no=number,
                name=name,
                gender=gender,
                email=f"{number.lower()}@demo.hrsuite.cn",
                phone=phone,
                department=departments[code],
                status=status,
                hire_date=hired,
            )
        )
    Employee.objects.bulk_create(new, batch_size=2000)
    _assign_managers(departments)
    return len(new)


def _assign_managers(departments: dict[str, Department]) -> None:
    """Every department without a head gets its longest-serving member as head; everyone
    reports to their department's head (heads report to the parent department's head)."""
    for dept in departments.values():
        if dept.head_id is None:
            senior = (
                Employee.objects.filter(department=dept, status=EmployeeStatus.ACTIVE)
                .order_by("hire_date", "pk")
                .first()
            )
            if senior is not None:
                dept.head = senior
                dept.save(update_fields=["head"])
    heads = {d.pk: d.head_id for d in Department.objects.all()}
    parents = {d.pk: d.parent_id for d in Department.objects.all()}
    changed = []
    for e in Employee.objects.filter(manager__isnull=True).exclude(department__isnull=True).only("id", "department_id"):
        dept_id = e.department_id
        boss = heads.get(dept_id)
        while (boss is None or boss == e.pk) and parents.get(dept_id):
            dept_id = parents[dept_id]
            boss = heads.get(dept_id)
        if boss and boss != e.pk:
            e.manager_id = boss
            changed.append(e)
    Employee.objects.bulk_update(changed, ["manager"], batch_size=2000)


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    departments = seed_organisation()
    people = seed_logins(departments)
    added = seed_employees(departments, employees)
    return {"departments": len(departments), "employees_added": added, "logins": sorted(people)}

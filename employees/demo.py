"""Demo organisation: departments, about 200 employees with Chinese names, and the demo logins.

Idempotent: departments and employees are keyed by code and employee number, so running it
again changes nothing; `--employees N` adds employees up to N.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from faker import Faker

from hrsuite.roles import Role

from .choices import (
    ContractKind,
    DepartmentKind,
    EducationLevel,
    EmployeeStatus,
    EmploymentType,
    Gender,
    LocationKind,
    RoleFamily,
    WorkforceMetric,
)
from .models import Contract, Department, Employee, Grade, Location, Position, WorkforceTarget
from .services import department_save
from .validators import id_check_character

DEMO_PASSWORD = "hrsuite-demo"  # noqa: S105  (documented demo password, demo data only)

LOCATIONS = [
    ("北京总部", "北京", LocationKind.OFFICE, "北京市朝阳区建国路 88 号"),
    ("上海办公室", "上海", LocationKind.OFFICE, "上海市浦东新区世纪大道 100 号"),
    ("远程办公", "杭州", LocationKind.REMOTE, ""),
    ("香港办公室", "香港", LocationKind.OVERSEAS, "香港中环皇后大道中 99 号"),
]

# (code, name, kind, parent code, share of employees, location, role family)
DEPARTMENTS = [
    ("HQ", "总部", DepartmentKind.HEADQUARTERS, None, 0.0, "北京总部", None),
    ("HQ-TECH", "技术部", DepartmentKind.DEPARTMENT, "HQ", 0.22, "北京总部", RoleFamily.TECHNOLOGY),
    ("HQ-PROD", "产品部", DepartmentKind.DEPARTMENT, "HQ", 0.08, "北京总部", RoleFamily.PRODUCT),
    ("HQ-RISK", "风险控制部", DepartmentKind.DEPARTMENT, "HQ", 0.10, "北京总部", RoleFamily.RISK_CONTROL),
    ("HQ-COMP", "合规部", DepartmentKind.DEPARTMENT, "HQ", 0.05, "北京总部", RoleFamily.COMPLIANCE),
    ("HQ-SALES", "销售部", DepartmentKind.DEPARTMENT, "HQ", 0.14, "北京总部", RoleFamily.SALES),
    ("HQ-HR", "人力资源部", DepartmentKind.DEPARTMENT, "HQ", 0.04, "北京总部", RoleFamily.FUNCTIONS),
    ("HQ-FIN", "财务部", DepartmentKind.DEPARTMENT, "HQ", 0.05, "北京总部", RoleFamily.FUNCTIONS),
    ("HQ-OPS", "运营部", DepartmentKind.DEPARTMENT, "HQ", 0.07, "北京总部", RoleFamily.OPERATIONS),
    ("SH", "上海分公司", DepartmentKind.BRANCH, "HQ", 0.0, "上海办公室", None),
    ("SH-SALES", "上海分公司销售部", DepartmentKind.DEPARTMENT, "SH", 0.12, "上海办公室", RoleFamily.SALES),
    ("SH-OPS", "上海分公司运营部", DepartmentKind.DEPARTMENT, "SH", 0.05, "上海办公室", RoleFamily.OPERATIONS),
    ("REMOTE", "远程研发团队", DepartmentKind.REMOTE, "HQ-TECH", 0.05, "远程办公", RoleFamily.TECHNOLOGY),
    ("HK", "香港团队", DepartmentKind.OVERSEAS, "HQ", 0.03, "香港办公室", RoleFamily.SALES),
]

GRADES = [
    ("P3", "助理", 3),
    ("P4", "专员", 4),
    ("P5", "高级专员", 5),
    ("P6", "主管", 6),
    ("P7", "经理", 7),
    ("P8", "高级经理", 8),
    ("M1", "总监", 9),
]

# (code, title, role family, benchmark years)
POSITIONS = [
    ("TECH-BE", "后端开发工程师", RoleFamily.TECHNOLOGY, "3.0"),
    ("TECH-DATA", "数据工程师", RoleFamily.TECHNOLOGY, "3.0"),
    ("TECH-ML", "算法工程师", RoleFamily.TECHNOLOGY, "3.0"),
    ("PROD-PM", "产品经理", RoleFamily.PRODUCT, "3.0"),
    ("RISK-ANALYST", "风险分析师", RoleFamily.RISK_CONTROL, "4.0"),
    ("RISK-APPROVER", "信贷审批专员", RoleFamily.RISK_CONTROL, "4.0"),
    ("COMP-OFFICER", "合规专员", RoleFamily.COMPLIANCE, "5.0"),
    ("SALES-AM", "客户经理", RoleFamily.SALES, "2.5"),
    ("SALES-FA", "理财顾问", RoleFamily.SALES, "2.5"),
    ("OPS-SPEC", "运营专员", RoleFamily.OPERATIONS, "3.0"),
    ("FUNC-HR", "人力资源专员", RoleFamily.FUNCTIONS, "4.0"),
    ("FUNC-FIN", "会计", RoleFamily.FUNCTIONS, "4.0"),
]

REGIONS = ["110105", "110108", "310115", "310104", "440305", "330106", "320102", "510107", "420106", "610113"]
SCHOOLS = [
    "清华大学",
    "北京大学",
    "复旦大学",
    "上海交通大学",
    "浙江大学",
    "中国人民大学",
    "上海财经大学",
    "中央财经大学",
    "武汉大学",
    "南开大学",
    "厦门大学",
    "西南财经大学",
]
MAJORS = {
    RoleFamily.TECHNOLOGY: ["计算机科学与技术", "软件工程", "数学与应用数学"],
    RoleFamily.PRODUCT: ["信息管理", "工业设计", "计算机科学与技术"],
    RoleFamily.RISK_CONTROL: ["金融学", "统计学", "金融工程"],
    RoleFamily.COMPLIANCE: ["法学", "金融学"],
    RoleFamily.SALES: ["市场营销", "金融学", "工商管理"],
    RoleFamily.OPERATIONS: ["工商管理", "电子商务"],
    RoleFamily.FUNCTIONS: ["人力资源管理", "会计学", "财务管理"],
}
BANKS = ["中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "浦发银行"]
RELATIONS = ["配偶", "父亲", "母亲", "兄弟", "姐妹"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: tuple[str, ...]
    department: str
    name: str
    gender: str
    position: str
    grade: str
    heads: str | None = None


DEMO_LOGINS = [
    DemoLogin(
        "hr", (Role.HR_ADMIN, Role.HR, Role.EMPLOYEE), "HQ-HR", "林晓梅", Gender.FEMALE, "FUNC-HR", "P8", heads="HQ-HR"
    ),
    DemoLogin("hrstaff", (Role.HR, Role.EMPLOYEE), "HQ-HR", "周静", Gender.FEMALE, "FUNC-HR", "P5"),
    DemoLogin(
        "payroll", (Role.PAYROLL, Role.EMPLOYEE), "HQ-FIN", "陈建国", Gender.MALE, "FUNC-FIN", "P7", heads="HQ-FIN"
    ),
    DemoLogin(
        "manager", (Role.MANAGER, Role.EMPLOYEE), "HQ-TECH", "王志强", Gender.MALE, "TECH-BE", "M1", heads="HQ-TECH"
    ),
    DemoLogin("employee", (Role.EMPLOYEE,), "HQ-TECH", "李小龙", Gender.MALE, "TECH-BE", "P5"),
    DemoLogin("payroll2", (Role.PAYROLL, Role.EMPLOYEE), "HQ-FIN", "孙丽", Gender.FEMALE, "FUNC-FIN", "P6"),
]


def seed_organisation() -> dict[str, Department]:
    locations = {}
    for name, city, kind, address in LOCATIONS:
        locations[name] = Location.objects.get_or_create(
            name=name, defaults={"city": city, "kind": kind, "address": address}
        )[0]
    departments: dict[str, Department] = {}
    for code, name, kind, parent_code, _share, location, _family in DEPARTMENTS:
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            dept = Department(
                code=code, name=name, kind=kind, parent=departments.get(parent_code), location=locations[location]
            )
            department_save(department=dept)
        departments[code] = dept
    for code, name, level in GRADES:
        Grade.objects.get_or_create(code=code, defaults={"name": name, "level": level})
    family_dept = {family: code for code, *_rest, family in DEPARTMENTS if family}
    for code, title, family, years in POSITIONS:
        Position.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "role_family": family,
                "department": departments[family_dept[family]],
                "tenure_benchmark_years": years,
            },
        )
    for metric, family, target in [
        (WorkforceMetric.AGE_25_35_SHARE, RoleFamily.TECHNOLOGY, "0.600"),
        (WorkforceMetric.AGE_25_35_SHARE, RoleFamily.PRODUCT, "0.600"),
        (WorkforceMetric.MASTER_PLUS_SHARE, RoleFamily.RISK_CONTROL, "0.300"),
        (WorkforceMetric.AVERAGE_TENURE, "", "3.000"),
        (WorkforceMetric.TURNOVER, "", "0.150"),
    ]:
        WorkforceTarget.objects.get_or_create(metric=metric, role_family=family, defaults={"target": target})
    return departments


def national_id(rng: random.Random, birth: date, gender: str) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if gender == Gender.MALE else 0)
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return first17 + id_check_character(first17)


def fill_profile(e: Employee, rng: random.Random, family: str, today: date, used_ids: set[str] | None = None) -> None:
    """Complete a generated employee with plausible personal, education and bank data."""
    age = int(rng.triangular(22, 58, 31))
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    if e.hire_date and (e.hire_date - birth).days < 22 * 365:
        birth = e.hire_date - timedelta(days=22 * 365 + rng.randint(0, 900))
    e.birth_date = birth
    e.national_id = national_id(rng, birth, e.gender)
    while used_ids is not None and e.national_id in used_ids:  # unique, like real ones
        e.national_id = national_id(rng, birth, e.gender)
    if used_ids is not None:
        used_ids.add(e.national_id)
    roll = rng.random()
    master_share = {RoleFamily.RISK_CONTROL: 0.32, RoleFamily.TECHNOLOGY: 0.35, RoleFamily.COMPLIANCE: 0.3}.get(
        family, 0.15
    )
    if roll < 0.04:
        e.education_level = EducationLevel.DOCTORATE
    elif roll < 0.04 + master_share:
        e.education_level = EducationLevel.MASTER
    elif roll < 0.9:
        e.education_level = EducationLevel.BACHELOR
    else:
        e.education_level = EducationLevel.ASSOCIATE
    e.school = rng.choice(SCHOOLS)
    e.major = rng.choice(MAJORS.get(family, MAJORS[RoleFamily.FUNCTIONS]))
    extra = {"doctorate": 28, "master": 25, "bachelor": 22, "associate": 21}[e.education_level]
    e.graduation_year = min(birth.year + extra, today.year)
    e.bank_name = rng.choice(BANKS)
    e.bank_account = "6222" + "".join(str(rng.randrange(10)) for _ in range(15))
    e.bank_account_holder = e.name
    e.bank_account_changed_at = datetime.combine(e.hire_date or today, datetime.min.time(), tzinfo=UTC)
    e.emergency_contact_name = e.name[0] + rng.choice("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚")
    e.emergency_contact_relation = rng.choice(RELATIONS)
    e.emergency_contact_phone = f"139{rng.randrange(10**8):08d}"
    e.address = (
        rng.choice(["北京市朝阳区", "北京市海淀区", "上海市浦东新区", "上海市徐汇区", "杭州市西湖区"])
        + f"{rng.randint(1, 300)}号"
    )
    e.sync_secret_indexes()


def _ensure_groups() -> dict[str, Group]:
    return {code: Group.objects.get_or_create(name=code)[0] for code in Role.values}


def seed_logins(departments: dict[str, Department]) -> dict[str, Employee]:
    User = get_user_model()
    groups = _ensure_groups()
    positions = {p.code: p for p in Position.objects.all()}
    grades = {g.code: g for g in Grade.objects.all()}
    rng = random.Random(7)  # noqa: S311  (demo data)
    today = date.today()
    used_ids = set(Employee.objects.exclude(national_id="").values_list("national_id", flat=True))
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
            dept = departments[login.department]
            employee = Employee(
                user=user,
                employee_no=f"D{i:04d}",
                name=login.name,
                gender=login.gender,
                email=user.email,
                phone=f"1380000{i:04d}",
                department=dept,
                position=positions[login.position],
                grade=grades[login.grade],
                location=dept.location,
                status=EmployeeStatus.ACTIVE,
                hire_date=date(2019, 3, 1) + timedelta(days=97 * i),
            )
            fill_profile(employee, rng, positions[login.position].role_family, today, used_ids)
            employee.save()
            Contract.objects.create(
                employee=employee,
                kind=ContractKind.OPEN_ENDED if i <= 3 else ContractKind.FIXED_TERM,
                number=f"HT-{employee.hire_date.year}-{i:04d}",
                start_date=employee.hire_date,
                end_date=None if i <= 3 else employee.hire_date.replace(year=employee.hire_date.year + 7),
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
    weighted = [(code, share) for code, _n, _k, _p, share, _l, _f in DEPARTMENTS if share > 0]
    codes = [c for c, _ in weighted]
    shares = [s for _, s in weighted]
    family_of = {code: family for code, *_rest, family in DEPARTMENTS}
    positions_by_family: dict[str, list[Position]] = {}
    for p in Position.objects.all():
        positions_by_family.setdefault(p.role_family, []).append(p)
    grades = list(Grade.objects.order_by("level"))
    today = date.today()
    used_ids = set(Employee.objects.exclude(national_id="").values_list("national_id", flat=True))
    new = []
    for n in range(1, count + 1):
        # draw every value even for existing rows so the sequence (and the data) is stable
        gender = Gender.FEMALE if rng.random() < 0.46 else Gender.MALE
        name = fake.name_female() if gender == Gender.FEMALE else fake.name_male()
        code = rng.choices(codes, shares)[0]
        recent = rng.random() < 0.08
        hired = today - timedelta(days=int(rng.uniform(3, 200) if recent else rng.triangular(200, 12 * 365, 2 * 365)))
        status_roll = rng.random()
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        number = f"E{n:05d}"
        family = family_of[code]
        position = rng.choice(positions_by_family[family])
        years = (today - hired).days / 365
        grade = grades[min(len(grades) - 2, int(years / 2.2) + rng.randint(0, 1))]
        type_roll = rng.random()
        profile_seed = rng.randrange(10**9)
        if number in existing:
            continue
        leave_date = None
        if (today - hired).days < 180:
            status = EmployeeStatus.PROBATION
        elif status_roll < 0.03:
            status = EmployeeStatus.LEAVING
        elif status_roll < 0.10:
            status = EmployeeStatus.LEFT
            leave_date = today - timedelta(days=int(rng.uniform(5, 500)))
            if leave_date <= hired:
                leave_date = hired + timedelta(days=90)
        else:
            status = EmployeeStatus.ACTIVE
        e = Employee(
            employee_no=number,
            name=name,
            gender=gender,
            email=f"{number.lower()}@demo.hrsuite.cn",
            phone=phone,
            department=departments[code],
            position=position,
            grade=grade,
            location=departments[code].location,
            employment_type=EmploymentType.INTERN if type_roll < 0.03 else EmploymentType.FULL_TIME,
            status=status,
            hire_date=hired,
            leave_date=leave_date,
        )
        fill_profile(e, random.Random(profile_seed), family, today, used_ids)  # noqa: S311
        new.append(e)
    Employee.objects.bulk_create(new, batch_size=2000)
    _assign_managers(departments)
    _seed_contracts(new, today)
    return len(new)


def _seed_contracts(employees: list[Employee], today: date) -> None:
    """A first three-year fixed-term contract for everyone; long-serving staff got a renewal
    and then an open-ended one. About 3% end within the next 30 days (contract reminders)."""
    contracts = []
    rng = random.Random(99)  # noqa: S311
    for e in employees:
        start = e.hire_date
        end = (
            start.replace(year=start.year + 3) - timedelta(days=1)
            if not (start.month == 2 and start.day == 29)
            else start + timedelta(days=3 * 365)
        )
        contracts.append(
            Contract(
                employee=e,
                kind=ContractKind.FIXED_TERM,
                number=f"HT-{e.employee_no}-1",
                start_date=start,
                end_date=end,
                probation_end=start + timedelta(days=180),
            )
        )
        if end < today and e.status != EmployeeStatus.LEFT:
            second_end = end + timedelta(days=3 * 365)
            contracts.append(
                Contract(
                    employee=e,
                    kind=ContractKind.FIXED_TERM,
                    number=f"HT-{e.employee_no}-2",
                    start_date=end + timedelta(days=1),
                    end_date=second_end,
                )
            )
            if second_end < today:
                contracts.append(
                    Contract(
                        employee=e,
                        kind=ContractKind.OPEN_ENDED,
                        number=f"HT-{e.employee_no}-3",
                        start_date=second_end + timedelta(days=1),
                    )
                )
        elif e.status != EmployeeStatus.LEFT and rng.random() < 0.03:
            contracts[-1].end_date = today + timedelta(days=rng.randint(3, 29))
    Contract.objects.bulk_create(contracts, batch_size=2000)
    # link renewals
    by_employee: dict[int, list[Contract]] = {}
    for c in Contract.objects.filter(employee__in=[e.pk for e in employees]).order_by("employee_id", "start_date"):
        by_employee.setdefault(c.employee_id, []).append(c)
    links = []
    for chain in by_employee.values():
        for prev, nxt in itertools.pairwise(chain):
            nxt.renewal_of = prev
            links.append(nxt)
    Contract.objects.bulk_update(links, ["renewal_of"], batch_size=2000)


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


DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def seed_requests_and_documents(people: dict[str, Employee]) -> None:
    """A pending bank-account change and a contact change for HR's queue, and a contract scan."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .choices import ChangeKind, DocumentKind
    from .models import ChangeRequest, EmployeeDocument
    from .services import change_request_submit, document_upload

    if not ChangeRequest.objects.exists():
        others = list(Employee.objects.filter(employee_no__in=["E00003", "E00007"]).order_by("employee_no"))
        if len(others) == 2:
            change_request_submit(
                employee=others[0],
                kind=ChangeKind.BANK,
                values={
                    "bank_name": "招商银行",
                    "bank_account": "6225880123456789",
                    "bank_account_holder": others[0].name,
                },
            )
            change_request_submit(
                employee=others[1],
                kind=ChangeKind.CONTACT,
                values={"phone": "13911223344", "address": "上海市徐汇区漕溪北路 8 号"},
            )
    emp = people["employee"]
    if not EmployeeDocument.objects.filter(employee=emp).exists():
        document_upload(
            employee=emp,
            kind=DocumentKind.CONTRACT_SCAN,
            title="劳动合同（首签）",
            upload=SimpleUploadedFile("劳动合同.pdf", DEMO_PDF),
        )


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    departments = seed_organisation()
    people = seed_logins(departments)
    added = seed_employees(departments, employees)
    seed_requests_and_documents(people)
    return {"departments": len(departments), "employees_added": added, "logins": sorted(people)}

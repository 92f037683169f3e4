"""Demo payroll: components with formulas, period inputs, structures per role family, Shanghai
and Beijing policies, an assignment for everyone, monthly inputs, finalised runs for the months
of this year so far and a calculated draft for the current month. Idempotent."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from employees.choices import EmployeeStatus, RoleFamily
from employees.models import Employee

from .choices import ComponentKind, InputKind, Rounding, RunStatus, Scheme
from .engine import china
from .models import (
    InputDefinition,
    PayAssignment,
    PayComponent,
    PayRun,
    PeriodInput,
    SalaryStructure,
    SocialInsurancePolicy,
    SocialInsuranceRate,
    StructureLine,
    TaxDeclaration,
)

D = Decimal

# code, name, kind, default
INPUTS = [
    ("绩效系数", "绩效系数", InputKind.RATE, "1"),
    ("项目贡献占比", "项目贡献占比", InputKind.RATE, "1"),
    ("销售额", "销售额", InputKind.AMOUNT, "0"),
    ("逾期率", "逾期率", InputKind.RATE, "0"),
    ("项目金额", "项目金额", InputKind.AMOUNT, "0"),
    ("提成比例", "提成比例", InputKind.RATE, "0"),
    ("不良率目标", "不良率目标（%）", InputKind.NUMBER, "0"),
    ("不良率实际", "不良率实际（%）", InputKind.NUMBER, "0"),
    ("审批时效目标", "审批时效目标（小时）", InputKind.HOURS, "0"),
    ("审批时效实际", "审批时效实际（小时）", InputKind.HOURS, "0"),
    ("工作日加班小时", "工作日加班（小时）", InputKind.HOURS, "0"),
    ("休息日加班小时", "休息日加班（小时）", InputKind.HOURS, "0"),
    ("节假日加班小时", "法定节假日加班（小时）", InputKind.HOURS, "0"),
    ("事假天数", "事假（天）", InputKind.DAYS, "0"),
    ("一次性奖金", "一次性奖金", InputKind.AMOUNT, "0"),
    ("年终奖", "全年一次性奖金", InputKind.AMOUNT, "0"),
    ("协作奖金", "跨部门协作奖金", InputKind.AMOUNT, "0"),
]

# code, name, kind, taxable, variable, rounding, order
COMPONENTS = [
    ("岗位工资", "岗位工资", ComponentKind.EARNING, True, False, Rounding.FEN, 10),
    ("交通补贴", "交通补贴", ComponentKind.EARNING, True, False, Rounding.FEN, 20),
    ("餐补", "餐费补贴", ComponentKind.EARNING, True, False, Rounding.FEN, 25),
    ("绩效奖金", "绩效奖金", ComponentKind.EARNING, True, True, Rounding.FEN, 30),
    ("销售提成", "销售提成", ComponentKind.EARNING, True, True, Rounding.FEN, 35),
    ("风控奖金", "风控团队奖金", ComponentKind.EARNING, True, True, Rounding.FEN, 36),
    ("项目提成", "项目提成", ComponentKind.EARNING, True, True, Rounding.FEN, 37),
    ("加班费", "加班工资", ComponentKind.EARNING, True, True, Rounding.FEN, 40),
    ("一次性奖励", "一次性奖励", ComponentKind.EARNING, True, True, Rounding.FEN, 45),
    ("协作奖", "跨部门协作奖金", ComponentKind.EARNING, True, True, Rounding.FEN, 46),
    ("事假扣款", "事假扣款", ComponentKind.DEDUCTION, True, False, Rounding.FEN, 60),
    ("工会会费", "工会会费", ComponentKind.DEDUCTION, False, False, Rounding.FEN, 70),
    ("企业年金单位", "企业年金（单位）", ComponentKind.EMPLOYER_COST, False, False, Rounding.FEN, 95),
]

OVERTIME = "ROUND(基本工资 / 174 * (工作日加班小时 * 1.5 + 休息日加班小时 * 2 + 节假日加班小时 * 3), 2)"
COMMON = [
    ("岗位工资", "基本工资 * 0.3", None),
    ("交通补贴", "", "500"),
    ("餐补", "", "600"),
    ("绩效奖金", "基本工资 * 绩效系数 * 项目贡献占比 * 0.2", None),
    ("加班费", OVERTIME, None),
    ("一次性奖励", "一次性奖金", None),
    ("协作奖", "协作奖金", None),
    ("事假扣款", "ROUND(基本工资 / 21.75 * 事假天数, 2)", None),
    ("工会会费", "", "20"),
    ("企业年金单位", "基本工资 * 4%", None),
]
STRUCTURES = {
    "STD": ("通用薪资结构", []),
    "SALES": ("销售薪资结构", [("销售提成", "MAX(销售额 * 1% - 销售额 * 逾期率 * 5%, 0)", None)]),
    "RISK": (
        "风控薪资结构",
        [
            (
                "风控奖金",
                "MAX(基本工资 * ((不良率目标 - 不良率实际) * 20% + (审批时效目标 - 审批时效实际) * 1%), 0)",
                None,
            )
        ],
    ),
    "TECH": ("技术与产品薪资结构", [("项目提成", "项目金额 * 提成比例", None)]),
}
FAMILY_STRUCTURE = {
    RoleFamily.SALES: "SALES",
    RoleFamily.RISK_CONTROL: "RISK",
    RoleFamily.TECHNOLOGY: "TECH",
    RoleFamily.PRODUCT: "TECH",
}
BASE_BY_GRADE = {"P3": 8000, "P4": 11000, "P5": 15000, "P6": 20000, "P7": 26000, "P8": 34000, "M1": 45000}

POLICIES = [
    (china.SHANGHAI_2025, "上海 2025-07 至 2026-06", date(2025, 7, 1), date(2026, 6, 30)),
    (china.BEIJING_2025, "北京 2025 年度", date(2025, 7, 1), date(2026, 6, 30)),
]


def seed_setup() -> dict:
    for code, name, kind, default in INPUTS:
        InputDefinition.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "default": D(default)})
    components = {}
    for code, name, kind, taxable, variable, rounding, order in COMPONENTS:
        components[code] = PayComponent.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "taxable": taxable,
                "variable": variable,
                "rounding": rounding,
                "display_order": order,
            },
        )[0]
    structures = {}
    for code, (name, extra) in STRUCTURES.items():
        s = SalaryStructure.objects.filter(code=code).order_by("-effective_from").first()
        if s is None:
            s = SalaryStructure.objects.create(code=code, name=name, effective_from=date(2025, 1, 1))
            for comp, formula, amount in [*COMMON, *extra]:
                StructureLine.objects.create(
                    structure=s, component=components[comp], formula=formula, amount=D(amount) if amount else None
                )
        structures[code] = s
    for policy, name, start, end in POLICIES:
        _policy(policy, name, start, end)
        # the same rates continue for the following year until HR enters the new bases
        _policy(
            policy,
            name.replace("2025-07 至 2026-06", "2026-07 起（沿用上年基数，待更新）").replace(
                "2025 年度", "2026 年度（沿用上年基数，待更新）"
            ),
            date(2026, 7, 1),
            None,
        )
    return structures


def _policy(policy: china.Policy, name: str, start: date, end: date | None) -> None:
    if SocialInsurancePolicy.objects.filter(city=policy.city, effective_from=start).exists():
        return
    p = SocialInsurancePolicy.objects.create(
        city=policy.city,
        name=name,
        effective_from=start,
        effective_to=end,
        si_floor=policy.si_floor,
        si_ceiling=policy.si_ceiling,
        hf_floor=policy.hf_floor,
        hf_ceiling=policy.hf_ceiling,
        si_rounding=policy.si_rounding,
        hf_rounding=policy.hf_rounding,
        source="shared/data/cn-social-insurance.md",
    )
    for r in policy.rates:
        SocialInsuranceRate.objects.create(
            policy=p, scheme=Scheme(r.scheme), employee_rate=r.employee_rate, employer_rate=r.employer_rate
        )


def seed_assignments(structures: dict, rng: random.Random) -> int:
    have = set(PayAssignment.objects.values_list("employee_id", flat=True))
    new = []
    for e in Employee.objects.select_related("position", "grade", "location").exclude(pk__in=have):
        family = e.position.role_family if e.position else None
        structure = structures[FAMILY_STRUCTURE.get(family, "STD")]
        base = BASE_BY_GRADE.get(e.grade.code if e.grade else "P4", 11000)
        base = D(round(base * rng.uniform(0.9, 1.15), -2))
        city = e.location.city if e.location and e.location.city in ("北京", "上海") else "上海"
        start = max(e.hire_date or date(2025, 1, 1), date(2025, 1, 1))
        new.append(
            PayAssignment(
                employee=e,
                structure=structure,
                base_salary=base,
                effective_from=start,
                si_policy_city=city,
                prior_year_low_income=base * 12 <= 60000,
                reason="入职定薪",
            )
        )
    PayAssignment.objects.bulk_create(new, batch_size=2000)
    return len(new)


def seed_inputs(period: date, rng: random.Random) -> None:
    if PeriodInput.objects.filter(period=period).exists():
        return
    defs = {d.code: d for d in InputDefinition.objects.all()}
    rows = []
    employees = Employee.objects.exclude(status=EmployeeStatus.LEFT).select_related("position")
    for e in employees:
        family = e.position.role_family if e.position else None

        def add(code, value, e=e):
            rows.append(
                PeriodInput(employee=e, period=period, definition=defs[code], value=D(str(value)), source="demo")
            )

        add("绩效系数", rng.choice(["0.8", "1.0", "1.0", "1.2", "1.2", "1.5"]))
        add("项目贡献占比", round(rng.uniform(0.6, 1.0), 2))
        if family == RoleFamily.SALES:
            add("销售额", rng.randrange(80_000, 900_000, 1000))
            add("逾期率", round(rng.uniform(0, 0.08), 3))
        if family == RoleFamily.RISK_CONTROL:
            add("不良率目标", "1.8")
            add("不良率实际", round(rng.uniform(1.2, 2.2), 2))
            add("审批时效目标", "48")
            add("审批时效实际", rng.randrange(30, 60))
        if family in (RoleFamily.TECHNOLOGY, RoleFamily.PRODUCT) and rng.random() < 0.2:
            add("项目金额", rng.randrange(100_000, 2_000_000, 10_000))
            add("提成比例", "0.005")
        if rng.random() < 0.25:
            add("工作日加班小时", rng.randrange(2, 30))
        if rng.random() < 0.05:
            add("事假天数", rng.randint(1, 3))
        if period.month == 1 and rng.random() < 0.9:
            add("年终奖", rng.randrange(5_000, 120_000, 500))
    PeriodInput.objects.bulk_create(rows, batch_size=5000)


def seed_declarations(year: int, rng: random.Random) -> None:
    if TaxDeclaration.objects.filter(year=year).exists():
        return
    rows = []
    for e in Employee.objects.exclude(status=EmployeeStatus.LEFT).only("pk"):
        if rng.random() < 0.6:
            loan = rng.random() < 0.3
            rows.append(
                TaxDeclaration(
                    employee=e,
                    year=year,
                    children=rng.choice([0, 0, 1, 1, 2]),
                    child_share=D("1"),
                    housing_loan=loan,
                    rent_city_class=0 if loan else rng.choice([0, 1]),
                    elderly_only_child=rng.random() < 0.3,
                    elderly_share=D("0") if rng.random() < 0.5 else D("1500"),
                )
            )
    for d in rows:
        if d.elderly_only_child:
            d.elderly_share = D("0")
    TaxDeclaration.objects.bulk_create(rows, batch_size=2000)


def seed_payee_cases() -> None:
    """Two cases for the payee checks of the current month: an account in someone else's name and
    an account HR has blocked."""
    from .checks import blocklist_add
    from .models import BlockedAccount

    payroll = get_user_model().objects.get(username="payroll")
    odd = Employee.objects.filter(employee_no="E00010").first()
    if odd is not None and odd.bank_account_holder == odd.name:
        odd.bank_account_holder = odd.name[0] + "某某"
        odd.save(update_fields=["bank_account_holder"])
    if not BlockedAccount.objects.exists():
        blocklist_add(account="6222020200112233445", reason="银行通报：涉嫌电信诈骗账户", actor=payroll)
        suspect = Employee.objects.filter(employee_no="E00020").first()
        if suspect is not None:
            suspect.bank_account = "6222020200112233445"
            suspect.save()


def seed_runs(today: date) -> list[PayRun]:
    """Finalised runs for the months of this year so far, a calculated draft for this month."""
    from .services import runs

    User = get_user_model()
    preparer = User.objects.get(username="payroll")
    approver = User.objects.get(username="payroll2")
    made = []
    for month in range(1, today.month + 1):
        period = date(today.year, month, 1)
        if month == today.month:
            seed_payee_cases()
        run, _created = runs.payrun_create(period=period, actor=preparer)
        if run.status == RunStatus.DRAFT:
            run = runs.payrun_calculate(run=run, actor=preparer, dispatch=False)
        if month < today.month and run.status == RunStatus.CALCULATED and not run.errors_count:
            from .checks import flag_override
            from .models import PayeeFlag
            from .payslips import payrun_publish

            run = runs.payrun_approve(run=run, actor=approver)
            for flag in PayeeFlag.objects.filter(run=run, status="open"):
                flag_override(flag=flag, actor=approver, reason="演示数据：已电话核实账户信息")
            run = runs.payrun_finalize(run=run, actor=approver)
            # employees see their payslips; the PDFs are rendered on demand or by the nightly job
            run = payrun_publish(run=run, actor=approver, dispatch=False, render=False)
        made.append(run)
    return made


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    rng = random.Random(2026)  # noqa: S311  (demo data)
    today = date.today()
    structures = seed_setup()
    added = seed_assignments(structures, rng)
    seed_declarations(today.year, rng)
    for month in range(1, today.month + 1):
        seed_inputs(date(today.year, month, 1), rng)
    made = seed_runs(today) if employees <= 2000 else []
    return {"assignments_added": added, "runs": [f"{r.period:%Y-%m} {r.status}" for r in made]}

"""Payroll fixtures (registered in tests/conftest.py as a plugin, so browser tests can use them too): a Beijing policy, a small structure with formulas, and an assignment for
every person of the `people` fixture."""

from datetime import date
from decimal import Decimal

import pytest

D = Decimal


@pytest.fixture
def policy(db):
    from payroll.engine import china
    from payroll.models import SocialInsurancePolicy, SocialInsuranceRate

    p = SocialInsurancePolicy.objects.create(
        city="北京",
        name="北京测试政策",
        effective_from=date(2025, 1, 1),
        si_floor=D("7162"),
        si_ceiling=D("35811"),
        hf_floor=D("2540"),
        hf_ceiling=D("35811"),
        si_rounding="fen",
        hf_rounding="yuan",
    )
    for r in china.BEIJING_2025.rates:
        SocialInsuranceRate.objects.create(
            policy=p, scheme=r.scheme, employee_rate=r.employee_rate, employer_rate=r.employer_rate
        )
    return p


@pytest.fixture
def structure(db):
    from payroll.models import InputDefinition, PayComponent, SalaryStructure, StructureLine

    for code, default in (("绩效系数", "1"), ("销售额", "0"), ("年终奖", "0"), ("出勤率", "1")):
        InputDefinition.objects.get_or_create(code=code, defaults={"name": code, "default": D(default)})
    comps = {
        "岗位工资": PayComponent.objects.create(code="岗位工资", name="岗位工资", kind="earning"),
        "绩效奖金": PayComponent.objects.create(code="绩效奖金", name="绩效奖金", kind="earning", variable=True),
        "销售提成": PayComponent.objects.create(code="销售提成", name="销售提成", kind="earning", variable=True),
        "工会会费": PayComponent.objects.create(code="工会会费", name="工会会费", kind="deduction", taxable=False),
    }
    s = SalaryStructure.objects.create(code="T", name="测试结构", effective_from=date(2025, 1, 1))
    # listed in an order that is not the dependency order on purpose
    StructureLine.objects.create(structure=s, component=comps["绩效奖金"], formula="岗位工资 * 绩效系数")
    StructureLine.objects.create(structure=s, component=comps["岗位工资"], formula="基本工资 * 10%")
    StructureLine.objects.create(structure=s, component=comps["销售提成"], formula="销售额 * 1% / 出勤率")
    StructureLine.objects.create(structure=s, component=comps["工会会费"], amount=D("20"))
    return s


@pytest.fixture
def assignments(people, structure, policy):
    from payroll.models import PayAssignment

    made = {}
    for i, (role, employee) in enumerate(people["employees"].items()):
        # a salary account of their own, opened long ago: the payee checks pass
        employee.refresh_from_db()  # other fixtures may have changed the row (hire dates)
        employee.bank_name = "招商银行"
        employee.bank_account = f"62258800000000{i:04d}"
        employee.bank_account_holder = employee.name
        employee.save()
        made[role] = PayAssignment.objects.create(
            employee=employee,
            structure=structure,
            base_salary=D("20000"),
            effective_from=date(2025, 1, 1),
            si_policy_city="北京",
        )
    return made


@pytest.fixture
def run_factory(people):
    """run_factory(month, finalize=False) -> a calculated (or finalised) whole-company run."""
    from payroll.services import runs

    def make(period: date, *, finalize: bool = False):
        run, _created = runs.payrun_create(period=period, actor=people["users"]["payroll"])
        run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
        if finalize:
            second = _second_payroll_user()
            run = runs.payrun_approve(run=run, actor=second)
            run = runs.payrun_finalize(run=run, actor=second)
        return run

    return make


def _second_payroll_user():
    from hrsuite.roles import Role
    from tests.factories import UserFactory

    return UserFactory(username="payroll2", roles=[Role.PAYROLL])


@pytest.fixture
def tests_second_payroll(people):
    """A client signed in as a second payroll administrator (the approver)."""
    from django.test import Client

    client = Client()
    client.force_login(_second_payroll_user())
    return client

"""Fixtures of the performance tests (registered in tests/conftest.py, so browser tests use them
too): the rating table of the issue (A+ 1.5 … D 0), the payroll input that receives the
coefficient, an open quarter of OKRs with a company -> department -> individual chain, and
`review_cycle`, which makes a review cycle of department A in a chosen stage through plain model
writes (the services are tested on their own)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

SCALE = [
    # code, label, rank, coefficient, raise up to %, guideline share %
    ("A+", "卓越", 1, "1.5", "15", "10"),
    ("A", "优秀", 2, "1.2", "10", "20"),
    ("B", "达标", 3, "1.0", "5", "50"),
    ("C", "待改进", 4, "0.8", "0", "15"),
    ("D", "不合格", 5, "0", "0", "5"),
]


@pytest.fixture
def rating_scale(db):
    from performance.models import RatingLevel

    return {
        code: RatingLevel.objects.create(
            code=code, label=label, rank=rank, coefficient=D(coef), raise_up_to=D(raise_), guideline_share=D(share)
        )
        for code, label, rank, coef, raise_, share in SCALE
    }


@pytest.fixture
def coefficient_input(db):
    from payroll.models import InputDefinition

    return InputDefinition.objects.get_or_create(code="绩效系数", defaults={"name": "绩效系数", "default": D("1")})[0]


@pytest.fixture
def okr(people, org):
    """An open quarter (this quarter) with company "grow revenue 20%" -> department A
    "120 million revenue" -> `employee` "10 million revenue" (two key results 60/40)."""
    from django.utils import timezone

    from performance.models import KeyResult, Objective, OkrCycle

    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    start = date(today.year, 3 * q - 2, 1)
    end = (date(today.year + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
    cycle = OkrCycle.objects.create(
        name=f"{today.year} Q{q}",
        kind="quarter",
        year=today.year,
        quarter=q,
        starts_on=start,
        ends_on=end,
        status="open",
    )
    company = Objective.objects.create(cycle=cycle, level="company", title="营收增长 20%")
    KeyResult.objects.create(objective=company, title="全年营收", metric="亿元", target_value=D("12"), weight=D("100"))
    dept = Objective.objects.create(
        cycle=cycle, level="department", title="部门营收 1.2 亿", parent=company, department=org["a"]
    )
    KeyResult.objects.create(objective=dept, title="部门营收", metric="万元", target_value=D("12000"), weight=D("100"))
    emp = people["employees"]["employee"]
    mine = Objective.objects.create(
        cycle=cycle, level="individual", title="个人营收 1000 万", parent=dept, owner=emp, department=org["a"]
    )
    revenue = KeyResult.objects.create(
        objective=mine, title="签约营收", metric="万元", target_value=D("1000"), weight=D("60"), owner=emp
    )
    visits = KeyResult.objects.create(
        objective=mine, title="拜访重点客户", metric="家", target_value=D("30"), weight=D("40"), owner=emp
    )
    return SimpleNamespace(cycle=cycle, company=company, department=dept, mine=mine, revenue=revenue, visits=visits)


@pytest.fixture
def review_cycle(people, org, rating_scale, coefficient_input):
    """review_cycle(status="assessment", pay_period=None, calibration_required=True) -> a cycle of
    department A (manager, employee, team_member) with one review each, reviewer = their manager."""
    from django.utils import timezone

    from performance.models import Review, ReviewCycle

    def make(status="assessment", pay_period=None, calibration_required=True, okr_cycle=None):
        today = timezone.localdate()
        cycle = ReviewCycle.objects.create(
            name="2026 上半年绩效考核",
            okr_cycle=okr_cycle,
            period_start=date(today.year, 1, 1),
            period_end=today,
            self_due=today + timedelta(days=7),
            manager_due=today + timedelta(days=14),
            calibration_required=calibration_required,
            pay_period=pay_period or date(today.year, today.month, 1),
            coefficient_input=coefficient_input,
            status=status,
            created_by=people["users"]["hr"],
        )
        cycle.departments.add(org["a"])
        emps = people["employees"]
        reviews = {}
        if status != "draft":
            for key in ("manager", "employee", "team_member"):
                e = emps[key]
                reviews[key] = Review.objects.create(
                    cycle=cycle, employee=e, department=e.department, reviewer=e.manager
                )
        return SimpleNamespace(cycle=cycle, reviews=reviews)

    return make

"""Fixtures of the employee-relations tests (registered in tests/conftest.py): the payroll input
that receives collaboration bonuses, `project` (an active project led by `employee` (dept A) with
`other_employee` (dept B) as a member, created by `manager`) and `thread` (a posted feedback
thread addressed to department A, with its secret)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest


@pytest.fixture
def bonus_input(db):
    from payroll.models import InputDefinition

    return InputDefinition.objects.get_or_create(
        code="协作奖金", defaults={"name": "跨部门协作奖金", "kind": "amount", "default": D("0")}
    )[0]


@pytest.fixture
def project(people, bonus_input):
    from relations.models import CollaborationProject, ProjectMember

    emps = people["employees"]
    p = CollaborationProject.objects.create(
        name="客户需求调研",
        goal="销售与产品共同访谈 20 家重点客户",
        lead=emps["employee"],
        starts_on=date(2026, 1, 1),
        status="active",
        bonus_budget=D("20000"),
        created_by=people["users"]["manager"],
    )
    lead = ProjectMember.objects.create(
        project=p,
        employee=emps["employee"],
        department=emps["employee"].department,
        role="负责人",
        joined_on=p.starts_on,
    )
    member = ProjectMember.objects.create(
        project=p, employee=emps["other_employee"], department=emps["other_employee"].department, role="销售代表",
        joined_on=p.starts_on,
    )  # fmt: skip
    return SimpleNamespace(project=p, lead=lead, member=member)


@pytest.fixture
def thread(org):
    from relations.services_feedback import feedback_post

    t, secret = feedback_post(
        category="suggestion", subject="加班太多", body="最近三个月周末都在加班。", department=org["a"]
    )
    return SimpleNamespace(thread=t, secret=secret)


@pytest.fixture
def own_cache(settings, request):
    """A cache of the test's own (in memory) for tests that count what the cache saves: with a
    fixed TEST_REDIS_DB the xdist workers share one Redis database, and another worker's
    cache.clear() between two requests would make a cached read look like a recomputation."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }

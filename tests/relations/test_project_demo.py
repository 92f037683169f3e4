"""The collaboration-project demo: the issue's example (sales and product with the demo employee as
lead) in progress with participation and contribution recorded and one bonus in a pay month that
is not finalised (and on the recalculated draft payslip), plus a completed project; idempotent."""

import pytest
from django.test import Client

from relations import demo_projects
from relations.models import CollaborationBonus, CollaborationProject, ProjectMember

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(m.objects.count() for m in (CollaborationProject, ProjectMember, CollaborationBonus))


def test_projects_demo(django_capture_on_commit_callbacks):
    from importlib import import_module

    from hrsuite.core.management.commands.seed_demo import SEEDERS
    from payroll.choices import LOCKED_STATUSES
    from payroll.models import PaySlip, PaySlipLine, PeriodInput

    for path in SEEDERS:
        if path != "relations.demo":  # the demo company without this module's projects
            import_module(path).seed(employees=60)
    with django_capture_on_commit_callbacks(execute=True):
        result = demo_projects.seed()
    first = _counts()
    assert demo_projects.seed() == {"skipped": "collaboration project demo data exists"}
    assert _counts() == first

    example = CollaborationProject.objects.get(name="客户需求调研")
    completed = CollaborationProject.objects.get(name="新员工入职流程优化")
    assert (example.status, completed.status) == ("active", "completed")
    assert example.lead.user.username == "employee" and example.created_by.username == "manager"
    codes = set(example.members.values_list("department__code", flat=True))
    assert {"HQ-TECH", "HQ-PROD"} <= codes and codes & {"HQ-SALES", "SH-SALES"}
    for p in (example, completed):
        assert not p.members.filter(participation__isnull=True).exists()
        assert not p.members.filter(contribution__isnull=True).exists()
        assert not p.members.filter(joined_on__gt=p.starts_on).exists()

    bonus = CollaborationBonus.objects.get()
    member = bonus.member.employee
    assert member == example.lead
    # the pay month is one whose run is not finalised, and the input equals the bonus
    assert not PaySlip.objects.filter(employee=member, period=bonus.month, run__status__in=LOCKED_STATUSES).exists()
    assert (
        PeriodInput.objects.get(employee=member, period=bonus.month, definition__code="协作奖金").value == bonus.amount
    )
    # payroll's demo leaves this month's run calculated, not finalised: the bonus goes there and
    # the recalculated draft has it on the member's next payslip
    assert result["recalculated"] == f"{bonus.month:%Y-%m} calculated"
    line = PaySlipLine.objects.get(slip__employee=member, slip__period=bonus.month, code="协作奖")
    assert line.amount == bonus.amount

    c = Client()
    c.force_login(example.lead.user)
    body = c.get("/me/projects/").content.decode()
    assert "客户需求调研" in body and "新员工入职流程优化" in body
    assert f'data-month="{bonus.month:%Y-%m}"' in body
    c.force_login(example.created_by)
    page = c.get(f"/relations/projects/{example.pk}/").content.decode()
    assert 'data-testid="bonus-form"' in page

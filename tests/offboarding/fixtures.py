"""Fixtures of the offboarding tests (registered in tests/conftest.py, so browser tests use them
too): a handover template with the four typed items of a sales position and `open_case`, which
opens a case for `employee` (department A, manager = the head of A) with `team_member` as the
successor, through plain model writes (the services are tested on their own)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest


@pytest.fixture
def handover_template(org):
    from offboarding.models import HandoverTemplate, TemplateItem

    template = HandoverTemplate.objects.create(name="客户经理交接清单", department=org["a"])
    rows = [
        ("customer", "客户基本信息", False, 5),
        ("cooperation", "合作情况", False, 5),
        ("preferences", "客户偏好", False, 3),
        ("documents", "交接文件（合同扫描件、沟通记录）", True, 2),
    ]
    for order, (kind, title, upload, offset) in enumerate(rows):
        TemplateItem.objects.create(
            template=template, kind=kind, title=title, attachment_required=upload, due_offset_days=offset, order=order
        )
    return template


@pytest.fixture
def open_case(people, handover_template):
    """open_case(employee_key="employee", successor_key="team_member", last_day_in=14, status="handover")
    -> SimpleNamespace(case, items, leaver, successor)."""
    from django.utils import timezone

    from offboarding.models import HandoverItem, SeparationCase

    def make(employee_key="employee", successor_key="team_member", last_day_in=14, status="handover"):
        emps, users = people["employees"], people["users"]
        today = timezone.localdate()
        last_day = today + timedelta(days=last_day_in)
        case = SeparationCase.objects.create(
            employee=emps[employee_key],
            kind="resignation",
            reason="个人发展",
            notice_date=today,
            last_working_day=last_day,
            revoke_on=last_day,
            status=status,
            template=handover_template,
            created_by=users["hr"],
        )
        case.successors.add(emps[successor_key])
        items = [
            HandoverItem.objects.create(
                case=case,
                kind=t.kind,
                title=t.title,
                attachment_required=t.attachment_required,
                due_on=last_day - timedelta(days=t.due_offset_days),
                successor=emps[successor_key],
                order=t.order,
            )
            for t in handover_template.items.all()
        ]
        emps[employee_key].status = "leaving"
        emps[employee_key].save(update_fields=["status"])
        return SimpleNamespace(case=case, items=items, leaver=emps[employee_key], successor=emps[successor_key])

    return make

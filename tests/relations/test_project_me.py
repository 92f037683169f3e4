"""/me/projects/: an employee sees their own projects (role, time share, status, lead, the other
departments), the lead's record of their participation and contribution, and their own
collaboration bonuses with the pay month; nobody sees another person's rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from relations.models import CollaborationBonus, CollaborationProject, ProjectMember
from relations.services_projects import collaboration_bonus_award, project_member_assess

pytestmark = pytest.mark.django_db
URL = "/me/projects/"


def test_url_name():
    assert reverse("myprojects:home") == URL


@pytest.mark.parametrize(
    "role, expected", [("employee", 200), ("other_employee", 200), ("team_member", 200), ("hr", 200), (None, 302)]
)
def test_permissions(client_for, project, role, expected):
    assert client_for(role).get(URL).status_code == expected


def test_user_without_employee_record_is_refused(client, db):
    from hrsuite.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody", roles=[Role.HR]))
    assert client.get(URL).status_code == 403


def test_member_sees_their_project_record_and_bonus(client_for, project, people, english):
    hr = people["users"]["hr"]
    other = people["employees"]["other_employee"]
    project_member_assess(member=project.member, actor=hr, participation=85, contribution=4, note="访谈 9 家")
    collaboration_bonus_award(
        project=project.project,
        employee=other,
        amount=D("800"),
        reason="访谈 9 家客户",
        actor=hr,
        month=date(2026, 6, 1),
    )
    lead_bonus = collaboration_bonus_award(
        project=project.project, employee=people["employees"]["employee"], amount=D("3333"), reason="牵头", actor=hr,
        month=date(2026, 6, 1),
    )  # fmt: skip
    body = client_for("other_employee").get(URL).content.decode()
    row = body[body.index(f'data-project="{project.project.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "客户需求调研" in row and "销售代表" in row and "20%" in row
    assert 'data-status="active"' in row
    assert "employee" in row  # the lead
    assert "技术部" in row and "销售部" not in row  # the other departments, not their own
    assert 'data-participation="85"' in row and 'data-contribution="4"' in row and "访谈 9 家" in row
    assert "¥800.00" in row
    bonuses = body[body.index('data-testid="my-bonuses"') :]
    assert "paid with the pay of 2026-06" in bonuses and "¥800.00" in bonuses
    assert f'data-bonus="{lead_bonus.pk}"' not in body and "3,333" not in body  # not another member's


def test_the_lead_sees_their_bonus_not_the_members(client_for, project, people):
    hr = people["users"]["hr"]
    collaboration_bonus_award(
        project=project.project, employee=people["employees"]["other_employee"], amount=D("800"), reason="x",
        actor=hr, month=date(2026, 6, 1),
    )  # fmt: skip
    body = client_for("employee").get(URL).content.decode()
    assert f'data-project="{project.project.pk}"' in body and "¥800.00" not in body


def test_non_member_sees_nothing(client_for, project, people):
    collaboration_bonus_award(
        project=project.project, employee=people["employees"]["other_employee"], amount=D("800"), reason="x",
        actor=people["users"]["hr"], month=date(2026, 6, 1),
    )  # fmt: skip
    for role in ("team_member", "manager", "hr"):
        body = client_for(role).get(URL).content.decode()
        assert "客户需求调研" not in body and "data-project=" not in body and "data-bonus=" not in body, role


def test_search(client_for, project, people):
    emps = people["employees"]
    p = CollaborationProject.objects.create(
        name="年会筹备", lead=emps["other_employee"], starts_on=date(2026, 3, 1), created_by=people["users"]["hr"]
    )
    ProjectMember.objects.create(project=p, employee=emps["other_employee"], department=emps["other_employee"].department,
                                 joined_on=p.starts_on)  # fmt: skip
    c = client_for("other_employee")
    assert c.get(URL).content.decode().count("data-project=") == 2
    body = c.get(URL, {"q": "年会"}).content.decode()
    assert f'data-project="{p.pk}"' in body and f'data-project="{project.project.pk}"' not in body


def test_query_budget(client_for, people, bonus_input, django_assert_max_num_queries):
    emps = people["employees"]
    me = emps["other_employee"]

    def make(n, start):
        for i in range(n):
            p = CollaborationProject.objects.create(
                name=f"项目{start + i}", lead=emps["employee"], starts_on=date(2026, 3, 1), status="active",
                created_by=people["users"]["hr"],
            )  # fmt: skip
            ProjectMember.objects.create(project=p, employee=emps["employee"], department=emps["employee"].department,
                                         joined_on=p.starts_on)  # fmt: skip
            m = ProjectMember.objects.create(project=p, employee=me, department=me.department, joined_on=p.starts_on)
            CollaborationBonus.objects.create(project=p, member=m, amount=D("100"), month=date(2026, 6, 1), reason="x")

    c = client_for("other_employee")
    make(2, 0)
    with django_assert_max_num_queries(18) as small:
        c.get(URL)
    make(10, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = c.get(URL).content.decode()
    assert body.count("data-project=") == 12 and body.count("data-bonus=") == 12

"""The collaboration-project pages for HR and managers: who reaches the list, the project page and
its actions (HR, the creating manager, the lead, a member, a manager with a member in reach, and
nobody else), creating and editing with the lead scoped to the creator's reach, the start refused
with one department, member add/assess/remove, and the list's query budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from relations.models import CollaborationProject, ProjectMember

pytestmark = pytest.mark.django_db


def _url(name, project, **kw):
    return reverse(f"relations:{name}", kwargs={"pk": project.pk, **kw})


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected",
    [
        ("hr", 200),
        ("manager", 200),
        ("other_manager", 200),
        ("employee", 403),
        ("other_employee", 403),
        ("team_member", 403),
        (None, 302),
    ],
)
def test_list_permissions(client_for, project, role, expected):
    response = client_for(role).get(reverse("relations:project_list"))
    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


def _hq_project(people, name="总部内部项目"):
    """A project of HQ people only, created by HR: outside both managers' reach."""
    emps = people["employees"]
    p = CollaborationProject.objects.create(
        name=name, lead=emps["hr"], starts_on=date(2026, 2, 1), created_by=people["users"]["hr"]
    )
    ProjectMember.objects.create(
        project=p, employee=emps["hr"], department=emps["hr"].department, joined_on=p.starts_on
    )
    ProjectMember.objects.create(
        project=p, employee=emps["payroll"], department=emps["payroll"].department, joined_on=p.starts_on
    )
    return p


def test_list_shows_only_projects_in_reach(client_for, people, project, english):
    hidden = _hq_project(people)
    hr_body = client_for("hr").get(reverse("relations:project_list")).content.decode()
    assert f'data-project="{project.project.pk}"' in hr_body and f'data-project="{hidden.pk}"' in hr_body
    for role in ("manager", "other_manager"):
        body = client_for(role).get(reverse("relations:project_list")).content.decode()
        assert f'data-project="{project.project.pk}"' in body
        assert f'data-project="{hidden.pk}"' not in body and "总部内部项目" not in body


def test_list_columns_search_and_status_filter(client_for, people, project, english):
    from relations.models import CollaborationBonus

    CollaborationBonus.objects.create(
        project=project.project, member=project.member, amount=D("1200"), month=date(2026, 6, 1), reason="访谈",
        awarded_by=people["users"]["manager"],
    )  # fmt: skip
    other = _hq_project(people, name="年会筹备")
    c = client_for("hr")
    body = c.get(reverse("relations:project_list")).content.decode()
    row = body[body.index(f'data-project="{project.project.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "技术部" in row and "销售部" in row  # the departments involved, by name
    assert "¥1,200.00 / ¥20,000.00" in row  # bonus awarded / budget
    assert "employee" in row  # the lead
    assert 'data-status="active"' in row
    # search by a member's name, by a department, by the project name
    for q in ("other", "销售部", "需求"):
        body = c.get(reverse("relations:project_list"), {"q": q}).content.decode()
        assert f'data-project="{project.project.pk}"' in body and f'data-project="{other.pk}"' not in body, q
    body = c.get(reverse("relations:project_list"), {"status": "planned"}).content.decode()
    assert f'data-project="{other.pk}"' in body and f'data-project="{project.project.pk}"' not in body


def _many_projects(people, n, start=0):
    emps = people["employees"]
    for i in range(n):
        p = CollaborationProject.objects.create(
            name=f"项目{start + i}",
            lead=emps["employee"],
            starts_on=date(2026, 3, 1),
            created_by=people["users"]["manager"],
        )
        for key in ("employee", "other_employee", "team_member"):
            ProjectMember.objects.create(
                project=p, employee=emps[key], department=emps[key].department, joined_on=p.starts_on
            )


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_list_query_budget(client_for, people, role, django_assert_max_num_queries):
    c = client_for(role)
    _many_projects(people, 2)
    with django_assert_max_num_queries(18) as small:
        c.get(reverse("relations:project_list"))
    _many_projects(people, 10, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(reverse("relations:project_list"))
    assert response.content.decode().count("data-project=") == 12


# --- the project page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, expected, manages, awards",
    [
        ("hr", 200, True, True),
        ("manager", 200, True, True),  # the creator
        ("employee", 200, True, False),  # the lead: manages members, cannot award
        ("other_employee", 200, False, False),  # a member: read-only
        ("other_manager", 200, False, False),  # a member in their department: read-only
        ("team_member", 404, False, False),
        ("payroll", 404, False, False),
        (None, 302, False, False),
    ],
)
def test_detail_permissions(client_for, project, role, expected, manages, awards):
    response = client_for(role).get(_url("project_detail", project.project))
    assert response.status_code == expected
    if expected != 200:
        return
    body = response.content.decode()
    assert "客户需求调研" in body
    assert ('data-testid="member-add-form"' in body) is manages
    assert ('data-testid="assess-' in body) is manages
    assert ('data-testid="move-completed"' in body) is manages
    assert ('data-testid="project-edit"' in body) is manages
    assert ('data-testid="bonus-form"' in body) is awards


def test_detail_groups_members_by_department(client_for, project, people, english):
    from relations.services_projects import project_member_assess

    project_member_assess(
        member=project.member, actor=people["users"]["employee"], participation=80, contribution=4, note="访谈 8 家"
    )
    body = client_for("hr").get(_url("project_detail", project.project)).content.decode()
    a = body.index(f'data-department="{people["employees"]["employee"].department_id}"')
    b = body.index(f'data-department="{people["employees"]["other_employee"].department_id}"')
    row = body.index(f'data-member="{project.member.pk}"')
    assert b < row and not b < a < row  # the member is listed under their own department's heading
    member_row = body[row : body.index("</tr>", row)]
    assert 'data-participation="80"' in member_row and 'data-contribution="4"' in member_row
    assert "访谈 8 家" in member_row and "销售代表" in member_row and "20%" in member_row


def test_member_sees_only_own_bonuses(client_for, project, people):
    from relations.models import CollaborationBonus

    lead_bonus = CollaborationBonus.objects.create(
        project=project.project, member=project.lead, amount=D("3333"), month=date(2026, 6, 1), reason="牵头",
        awarded_by=people["users"]["manager"],
    )  # fmt: skip
    own = CollaborationBonus.objects.create(
        project=project.project, member=project.member, amount=D("777"), month=date(2026, 6, 1), reason="访谈",
        awarded_by=people["users"]["manager"],
    )  # fmt: skip
    body = client_for("other_employee").get(_url("project_detail", project.project)).content.decode()
    assert f'data-bonus="{own.pk}"' in body and "¥777.00" in body
    assert f'data-bonus="{lead_bonus.pk}"' not in body and "3,333" not in body
    body = client_for("other_manager").get(_url("project_detail", project.project)).content.decode()
    assert "3,333" not in body and "¥777.00" not in body  # a manager sees no pay
    body = client_for("manager").get(_url("project_detail", project.project)).content.decode()
    assert "¥3,333.00" in body and "¥777.00" in body and 'data-testid="budget-left"' in body


def test_detail_query_budget(client_for, project, people, django_assert_max_num_queries):
    from tests.factories import EmployeeFactory

    c = client_for("hr")
    with django_assert_max_num_queries(30) as small:
        c.get(_url("project_detail", project.project))
    for i in range(8):
        e = EmployeeFactory(name=f"成员{i}", department=people["employees"]["other_employee"].department)
        ProjectMember.objects.create(
            project=project.project, employee=e, department=e.department, joined_on=date.today()
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(_url("project_detail", project.project))
    assert response.content.decode().count("data-member=") == 10


# --- creating and editing -------------------------------------------------------------------


@pytest.mark.parametrize("role, expected", [("hr", 200), ("manager", 200), ("employee", 403), (None, 302)])
def test_new_permissions(client_for, people, role, expected):
    assert client_for(role).get(reverse("relations:project_new")).status_code == expected


def _form(lead, **extra):
    return {
        "name": "客户需求调研二期",
        "goal": "访谈华东区客户",
        "lead": lead.pk,
        "starts_on": "2026-07-01",
        "ends_on": "",
        "bonus_budget": "5000",
        **extra,
    }


def test_manager_creates_a_project_led_by_someone_in_reach(client_for, people):
    lead = people["employees"]["team_member"]  # in a sub-team of the manager's department
    response = client_for("manager").post(reverse("relations:project_new"), _form(lead))
    p = CollaborationProject.objects.get(name="客户需求调研二期")
    assert response.status_code == 302 and response["Location"] == _url("project_detail", p)
    assert (p.lead, p.created_by, p.status, p.bonus_budget) == (lead, people["users"]["manager"], "planned", D("5000"))
    assert list(p.members.values_list("employee", flat=True)) == [lead.pk]  # the lead is a member


def test_manager_cannot_pick_a_lead_outside_their_reach(client_for, people, english):
    outside = people["employees"]["other_employee"]
    c = client_for("manager")
    page = c.get(reverse("relations:project_new")).content.decode()
    assert f'value="{people["employees"]["team_member"].pk}"' in page and f'value="{outside.pk}"' not in page
    response = c.post(reverse("relations:project_new"), _form(outside))
    assert response.status_code == 200
    assert "Choose an active employee within your reach as the lead." in response.content.decode()
    assert not CollaborationProject.objects.exists()


def test_hr_may_pick_any_active_employee_as_lead(client_for, people):
    response = client_for("hr").post(reverse("relations:project_new"), _form(people["employees"]["other_employee"]))
    assert response.status_code == 302
    assert CollaborationProject.objects.get().lead == people["employees"]["other_employee"]


def test_end_before_start_refused_on_the_field(client_for, people, english):
    response = client_for("hr").post(
        reverse("relations:project_new"), _form(people["employees"]["employee"], ends_on="2026-06-01")
    )
    assert response.status_code == 200
    assert "The project cannot end before it starts." in response.content.decode()
    assert not CollaborationProject.objects.exists()


@pytest.mark.parametrize(
    "role, expected",
    [("hr", 200), ("manager", 200), ("employee", 200), ("other_employee", 403), ("other_manager", 403),
     ("team_member", 404), (None, 302)],
)  # fmt: skip
def test_edit_permissions(client_for, project, role, expected):
    assert client_for(role).get(_url("project_edit", project.project)).status_code == expected


def test_edit_saves_and_a_new_lead_becomes_a_member(client_for, project, people):
    new_lead = people["employees"]["team_member"]
    response = client_for("manager").post(
        _url("project_edit", project.project),
        _form(new_lead, name="客户需求调研（华北）", starts_on="2026-01-01", bonus_budget="20000"),
    )
    assert response.status_code == 302
    project.project.refresh_from_db()
    assert (project.project.name, project.project.lead) == ("客户需求调研（华北）", new_lead)
    assert project.project.members.filter(employee=new_lead).exists()


def test_read_only_member_cannot_edit_by_post(client_for, project, people):
    response = client_for("other_employee").post(
        _url("project_edit", project.project), _form(people["employees"]["other_employee"], name="改名")
    )
    assert response.status_code == 403
    project.project.refresh_from_db()
    assert project.project.name == "客户需求调研"


# --- moves ----------------------------------------------------------------------------------


def test_start_refused_with_one_department(client_for, people, english):
    from relations.services_projects import project_save

    p = project_save(
        project=CollaborationProject(name="单部门", lead=people["employees"]["employee"], starts_on=date(2026, 1, 1)),
        actor=people["users"]["manager"],
    )
    c = client_for("manager")
    page = c.get(_url("project_detail", p)).content.decode()
    assert 'data-testid="start-blocked"' in page
    response = c.post(_url("project_move", p), {"to": "active"}, follow=True)
    assert "needs members from at least two departments before it starts" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "planned"
    # a member from another department: now it starts
    response = c.post(
        _url("project_member_add", p),
        {"employee": people["employees"]["other_employee"].pk, "role": "销售", "time_share": 30},
    )
    assert response.status_code == 302
    c.post(_url("project_move", p), {"to": "active"})
    p.refresh_from_db()
    assert p.status == "active"


def test_member_cannot_move_the_project(client_for, project, english):
    response = client_for("other_employee").post(
        _url("project_move", project.project), {"to": "cancelled"}, follow=True
    )
    assert "Only HR, the project&#x27;s creator and its lead can change it." in response.content.decode()
    project.project.refresh_from_db()
    assert project.project.status == "active"


def test_outsider_gets_404_on_every_action(client_for, project, people):
    c = client_for("team_member")
    p = project.project
    for url, data in [
        (_url("project_move", p), {"to": "cancelled"}),
        (_url("project_member_add", p), {"employee": people["employees"]["team_member"].pk, "time_share": 20}),
        (_url("project_member_assess", p, member_pk=project.member.pk), {f"m{project.member.pk}-participation": 1}),
        (_url("project_member_remove", p, member_pk=project.member.pk), {}),
    ]:
        assert c.post(url, data).status_code == 404, url
    p.refresh_from_db()
    assert p.status == "active" and p.members.count() == 2


def test_complete_then_no_more_member_changes(client_for, project, people, english):
    c = client_for("employee")  # the lead
    c.post(_url("project_move", project.project), {"to": "completed"})
    project.project.refresh_from_db()
    assert project.project.status == "completed" and project.project.ends_on is not None
    page = c.get(_url("project_detail", project.project)).content.decode()
    assert 'data-testid="member-add-form"' not in page and 'data-testid="assess-' in page  # still assessable
    response = c.post(
        _url("project_member_add", project.project),
        {"employee": people["employees"]["team_member"].pk, "time_share": 10},
        follow=True,
    )
    assert "it can no longer be changed" in response.content.decode()
    assert project.project.members.count() == 2


# --- members --------------------------------------------------------------------------------


def test_lead_adds_assesses_and_removes_a_member(client_for, project, people):
    c = client_for("employee")  # the lead, a plain employee
    newcomer = people["employees"]["team_member"]
    page = c.get(_url("project_detail", project.project)).content.decode()
    assert f'value="{newcomer.pk}"' in page and "平台组" in page  # offered, with their department
    response = c.post(
        _url("project_member_add", project.project), {"employee": newcomer.pk, "role": "数据分析", "time_share": 25}
    )
    assert response.status_code == 302
    member = ProjectMember.objects.get(project=project.project, employee=newcomer)
    assert (member.role, member.time_share, member.department) == ("数据分析", 25, newcomer.department)
    prefix = f"m{member.pk}"
    c.post(
        _url("project_member_assess", project.project, member_pk=member.pk),
        {f"{prefix}-participation": "70", f"{prefix}-contribution": "3", f"{prefix}-note": "数据清洗"},
    )
    member.refresh_from_db()
    assert (member.participation, member.contribution, member.contribution_note) == (70, 3, "数据清洗")
    c.post(_url("project_member_remove", project.project, member_pk=member.pk))
    assert not ProjectMember.objects.filter(pk=member.pk).exists()


def test_bad_assessment_refused_and_nothing_changed(client_for, project, english):
    prefix = f"m{project.member.pk}"
    response = client_for("employee").post(
        _url("project_member_assess", project.project, member_pk=project.member.pk),
        {f"{prefix}-participation": "150", f"{prefix}-contribution": "9"},
        follow=True,
    )
    body = response.content.decode()
    assert "Participation (%)" in body and "Contribution" in body
    project.member.refresh_from_db()
    assert (project.member.participation, project.member.contribution) == (None, None)


def test_member_of_another_project_cannot_be_targeted(client_for, project, people):
    other = _hq_project(people)
    foreign = other.members.first()
    response = client_for("employee").post(_url("project_member_remove", project.project, member_pk=foreign.pk))
    assert response.status_code == 404
    assert ProjectMember.objects.filter(pk=foreign.pk).exists()


def test_adding_twice_or_a_non_active_employee_refused(client_for, project, people, english):
    c = client_for("manager")
    response = c.post(
        _url("project_member_add", project.project),
        {"employee": people["employees"]["other_employee"].pk, "time_share": 20},
    )
    assert response.status_code == 200
    assert "Choose an active employee who is not yet a member." in response.content.decode()
    left = people["employees"]["team_member"]
    left.status = "left"
    left.save()
    response = c.post(_url("project_member_add", project.project), {"employee": left.pk, "time_share": 20})
    assert "Choose an active employee who is not yet a member." in response.content.decode()
    assert project.project.members.count() == 2


def test_lead_cannot_be_removed(client_for, project, english):
    response = client_for("hr").post(
        _url("project_member_remove", project.project, member_pk=project.lead.pk), follow=True
    )
    assert "The project lead cannot be removed" in response.content.decode()
    assert ProjectMember.objects.filter(pk=project.lead.pk).exists()


def test_read_only_member_cannot_add(client_for, project, people, english):
    response = client_for("other_employee").post(
        _url("project_member_add", project.project), {"employee": people["employees"]["team_member"].pk, "time_share": 20},
        follow=True,
    )  # fmt: skip
    assert "Only HR, the project&#x27;s creator and its lead can change it." in response.content.decode()
    assert project.project.members.count() == 2

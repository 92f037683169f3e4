"""OKR pages: who reaches which page (HR, the manager of department A, `employee` in A whose
individual objective the `okr` fixture holds, `other_employee` in B, anonymous), and the happy
paths through them (cycle, objective, key results, progress, check-in task and check-in)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import CheckIn, CheckInTask, KeyResult, Objective, OkrCycle, ProgressUpdate

pytestmark = pytest.mark.django_db

ROLES = ["hr", "manager", "employee", "other_employee", None]


def _get(client_for, role, url):
    return client_for(role).get(url)


def _assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


# --- permissions per page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,expected", [("hr", 200), ("manager", 200), ("employee", 200), ("other_employee", 200), (None, "login")]
)
def test_cycle_list_and_tree_open_to_everyone_with_an_employee_record(client_for, okr, role, expected):
    _assert_status(_get(client_for, role, reverse("performance:okr_cycles")), expected)
    _assert_status(_get(client_for, role, reverse("performance:okr_cycle", args=[okr.cycle.pk])), expected)
    _assert_status(_get(client_for, role, reverse("performance:objective_new", args=[okr.cycle.pk])), expected)


def test_user_without_an_employee_record_is_refused(okr, client):
    from hrsuite.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="outsider", roles=[Role.PAYROLL]))
    assert client.get(reverse("performance:okr_cycles")).status_code == 403
    assert client.get(reverse("performance:okr_cycle", args=[okr.cycle.pk])).status_code == 403


@pytest.mark.parametrize(
    "role,expected", [("hr", 200), ("manager", 403), ("employee", 403), ("other_employee", 403), (None, "login")]
)
def test_cycle_forms_are_hr_only(client_for, okr, role, expected):
    _assert_status(_get(client_for, role, reverse("performance:okr_cycle_new")), expected)
    _assert_status(_get(client_for, role, reverse("performance:okr_cycle_edit", args=[okr.cycle.pk])), expected)


@pytest.mark.parametrize("role,expected", [("manager", 403), ("employee", 403), (None, "login")])
def test_cycle_move_is_hr_only(client_for, people, role, expected):
    cycle = OkrCycle.objects.create(
        name="2030", kind="year", year=2030, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31)
    )
    response = client_for(role).post(reverse("performance:okr_cycle_move", args=[cycle.pk]), {"to": "open"})
    _assert_status(response, expected)
    cycle.refresh_from_db()
    assert cycle.status == "draft"


@pytest.mark.parametrize(
    "role,expected", [("hr", 200), ("manager", 200), ("employee", 200), ("other_employee", 404), (None, "login")]
)
def test_individual_objective_pages_follow_the_employee_scope(client_for, okr, role, expected):
    pk = okr.mine.pk
    for name in ("objective_detail", "objective_edit", "objective_key_results", "check_in_task_new"):
        _assert_status(_get(client_for, role, reverse(f"performance:{name}", args=[pk])), expected)


@pytest.mark.parametrize(
    "role,detail,edit", [("hr", 200, 200), ("manager", 200, 403), ("employee", 200, 403), ("other_employee", 200, 403)]
)
def test_company_objective_is_visible_to_all_and_edited_by_hr(client_for, okr, role, detail, edit):
    c = client_for(role)
    assert c.get(reverse("performance:objective_detail", args=[okr.company.pk])).status_code == detail
    assert c.get(reverse("performance:objective_edit", args=[okr.company.pk])).status_code == edit
    assert c.get(reverse("performance:objective_key_results", args=[okr.company.pk])).status_code == edit


@pytest.mark.parametrize("role,edit", [("hr", 200), ("manager", 200), ("employee", 403), ("other_employee", 403)])
def test_department_objective_is_edited_by_its_head(client_for, okr, role, edit):
    assert client_for(role).get(reverse("performance:objective_edit", args=[okr.department.pk])).status_code == edit


def test_other_manager_and_team_member_cannot_reach_the_employee_objective(client_for, okr):
    for role in ("other_manager", "team_member"):
        c = client_for(role)
        assert c.get(reverse("performance:objective_detail", args=[okr.mine.pk])).status_code == 404


@pytest.mark.parametrize(
    "role,expected", [("hr", 200), ("manager", 200), ("employee", 403), ("other_employee", 403), (None, "login")]
)
def test_report_is_for_hr_and_managers(client_for, okr, role, expected):
    _assert_status(_get(client_for, role, reverse("performance:okr_report", args=[okr.cycle.pk])), expected)
    _assert_status(_get(client_for, role, reverse("performance:okr_report_xlsx", args=[okr.cycle.pk])), expected)


@pytest.mark.parametrize("role,expected", [("employee", 302), ("manager", 302), ("other_employee", 404)])
def test_progress_update_reach(client_for, okr, role, expected):
    month = date.today().replace(day=1)
    response = client_for(role).post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": month.strftime("%Y-%m"), "value": "250", "comment": "签约两单"},
    )
    assert response.status_code == expected
    saved = ProgressUpdate.objects.filter(key_result=okr.revenue).count()
    assert saved == (1 if expected == 302 else 0)


@pytest.mark.parametrize("role,expected", [("employee", 302), ("hr", 302), ("other_employee", 404), (None, "login")])
def test_check_in_reach(client_for, okr, people, role, expected):
    task = CheckInTask.objects.create(
        objective=okr.mine, title="拜访重点客户", target_count=10, owner=people["employees"]["employee"]
    )
    response = client_for(role).post(reverse("performance:check_in", args=[task.pk]), {"done_count": "3"})
    _assert_status(response, expected)
    assert CheckIn.objects.filter(task=task).count() == (1 if expected == 302 else 0)


def test_other_employee_cannot_delete_or_change_someone_elses_objective(client_for, okr):
    c = client_for("other_employee")
    assert c.post(reverse("performance:objective_delete", args=[okr.mine.pk])).status_code == 404
    assert c.post(reverse("performance:objective_edit", args=[okr.mine.pk]), {"title": "x"}).status_code == 404
    assert Objective.objects.filter(pk=okr.mine.pk, title="个人营收 1000 万").exists()


def test_employee_cannot_delete_the_company_objective(client_for, okr, english):
    response = client_for("employee").post(reverse("performance:objective_delete", args=[okr.company.pk]), follow=True)
    assert "You cannot change this objective." in response.content.decode()
    assert Objective.objects.filter(pk=okr.company.pk).exists()


# --- the cycle list ------------------------------------------------------------------------------------


def _set_current(kr, value):
    KeyResult.objects.filter(pk=kr.pk).update(current_value=D(value))


def test_cycle_list_counts_and_completion_follow_what_the_user_sees(client_for, okr):
    _set_current(okr.company.key_results.get(), "6")  # 50%
    _set_current(okr.revenue, "1000")  # 100% x 60 + 0% x 40 = 60%
    hr = client_for("hr").get(reverse("performance:okr_cycles"))
    row = next(r for r in hr.context["rows"] if r["cycle"].pk == okr.cycle.pk)
    assert (row["objectives"], row["completion"]) == (3, D("36.67"))  # (50 + 0 + 60) / 3
    other = client_for("other_employee").get(reverse("performance:okr_cycles"))
    row = next(r for r in other.context["rows"] if r["cycle"].pk == okr.cycle.pk)
    assert (row["objectives"], row["completion"]) == (2, D("25.00"))  # the individual one is not theirs
    assert 'data-value="36.67"' in hr.content.decode()


def test_cycle_list_search_and_status(client_for, okr):
    OkrCycle.objects.create(
        name="2019 全年", kind="year", year=2019, starts_on=date(2019, 1, 1), ends_on=date(2019, 12, 31)
    )
    c = client_for("employee")
    names = [r["cycle"].name for r in c.get(reverse("performance:okr_cycles"), {"q": "2019"}).context["rows"]]
    assert names == ["2019 全年"]
    names = [r["cycle"].name for r in c.get(reverse("performance:okr_cycles"), {"status": "open"}).context["rows"]]
    assert names == [okr.cycle.name]


def test_cycle_list_paginates(client_for, people, settings):
    settings.HRSUITE_PAGE_SIZE = 2
    for year in (2021, 2022, 2023):
        OkrCycle.objects.create(
            name=str(year), kind="year", year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31)
        )
    response = client_for("hr").get(reverse("performance:okr_cycles"), {"page": 2})
    assert [r["cycle"].name for r in response.context["rows"]] == ["2021"]


# --- cycles: create, edit, open, close ---------------------------------------------------------------------


def test_hr_creates_a_quarter_with_the_name_and_dates_filled_in(client_for, people):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_new"), {"kind": "quarter", "year": "2031", "quarter": "4"}
    )
    cycle = OkrCycle.objects.get(year=2031)
    assert response.status_code == 302 and response["Location"] == reverse("performance:okr_cycle", args=[cycle.pk])
    assert (cycle.name, cycle.starts_on, cycle.ends_on, cycle.status) == (
        "2031 Q4",
        date(2031, 10, 1),
        date(2031, 12, 31),
        "draft",
    )
    assert cycle.created_by == people["users"]["hr"]


def test_hr_edits_a_cycle(client_for, okr):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_edit", args=[okr.cycle.pk]),
        {
            "kind": "quarter",
            "year": okr.cycle.year,
            "quarter": okr.cycle.quarter,
            "name": "本季度 OKR",
            "starts_on": okr.cycle.starts_on.isoformat(),
            "ends_on": okr.cycle.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    okr.cycle.refresh_from_db()
    assert okr.cycle.name == "本季度 OKR"


def test_hr_opens_then_closes_a_cycle_with_confirmation(client_for, people):
    cycle = OkrCycle.objects.create(
        name="2030", kind="year", year=2030, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31)
    )
    c = client_for("hr")
    page = c.get(reverse("performance:okr_cycle", args=[cycle.pk])).content.decode()
    assert 'data-testid="okr-cycle-open"' in page and "data-confirm=" in page
    c.post(reverse("performance:okr_cycle_move", args=[cycle.pk]), {"to": "open"})
    cycle.refresh_from_db()
    assert cycle.status == "open"
    c.post(reverse("performance:okr_cycle_move", args=[cycle.pk]), {"to": "closed"})
    cycle.refresh_from_db()
    assert cycle.status == "closed"


# --- the alignment tree --------------------------------------------------------------------------------


def _tree_ids(response):
    ids = []

    def walk(nodes):
        for n in nodes:
            ids.append(n.objective.pk)
            walk(n.children)

    walk(response.context["page_obj"].object_list)
    return ids


def test_tree_nests_company_department_individual(client_for, okr):
    response = client_for("employee").get(reverse("performance:okr_cycle", args=[okr.cycle.pk]))
    roots = response.context["page_obj"].object_list
    assert [n.objective.pk for n in roots] == [okr.company.pk]
    dept = roots[0].children
    assert [n.objective.pk for n in dept] == [okr.department.pk]
    assert [n.objective.pk for n in dept[0].children] == [okr.mine.pk]
    mine = dept[0].children[0]
    assert [line.kr.title for line in mine.key_results] == ["签约营收", "拜访重点客户"]
    page = response.content.decode()
    assert "个人营收 1000 万" in page and "签约营收" in page


def test_tree_hides_other_peoples_individual_objectives(client_for, okr):
    response = client_for("other_employee").get(reverse("performance:okr_cycle", args=[okr.cycle.pk]))
    assert _tree_ids(response) == [okr.company.pk, okr.department.pk]
    assert "个人营收 1000 万" not in response.content.decode()


def test_tree_shows_completion_of_each_objective(client_for, okr):
    _set_current(okr.revenue, "500")  # 50% x 60
    _set_current(okr.visits, "30")  # 100% x 40
    response = client_for("manager").get(reverse("performance:okr_cycle", args=[okr.cycle.pk]))
    assert 'data-value="70.00"' in response.content.decode()  # 30 + 40


def test_tree_filters(client_for, okr, org, people):
    url = reverse("performance:okr_cycle", args=[okr.cycle.pk])
    manager = client_for("manager")
    team = manager.get(url, {"show": "team"})
    assert _tree_ids(team) == [okr.company.pk, okr.department.pk, okr.mine.pk]
    assert [n.matched for n in team.context["page_obj"].object_list] == [False]  # the company one is context
    by_owner = manager.get(url, {"q": people["employees"]["employee"].name})
    assert _tree_ids(by_owner) == [okr.company.pk, okr.department.pk, okr.mine.pk]
    by_title = manager.get(url, {"q": "部门营收"})
    assert _tree_ids(by_title) == [okr.company.pk, okr.department.pk]
    in_b = manager.get(url, {"department": org["b"].pk})
    assert _tree_ids(in_b) == []
    mine = client_for("employee").get(url, {"show": "mine"})
    assert _tree_ids(mine) == [okr.company.pk, okr.department.pk, okr.mine.pk]
    # "my team" is for managers only: an employee's request shows everything
    assert client_for("employee").get(url, {"show": "team"}).context["show"] == ""


def test_tree_add_buttons_follow_who_may_add(client_for, okr):
    url = reverse("performance:okr_cycle", args=[okr.cycle.pk])

    def adds(role):
        nodes = {}

        def walk(ns):
            for n in ns:
                nodes[n.objective.pk] = n.add_child
                walk(n.children)

        walk(client_for(role).get(url).context["page_obj"].object_list)
        return nodes[okr.company.pk], nodes[okr.department.pk]

    assert adds("hr") == ("department", "individual")
    assert adds("manager") == ("department", "individual")
    assert adds("employee") == ("", "individual")  # their own objective under their department's
    assert adds("other_employee") == ("", "")  # department A is not theirs


def test_tree_paginates_root_objectives(client_for, okr, settings):
    settings.HRSUITE_PAGE_SIZE = 1
    Objective.objects.create(cycle=okr.cycle, level="company", title="客户满意度", order=1)
    response = client_for("hr").get(reverse("performance:okr_cycle", args=[okr.cycle.pk]), {"page": 2})
    assert [n.objective.title for n in response.context["page_obj"].object_list] == ["客户满意度"]


def _add_objectives(cycle, org, people, n):
    emp = people["employees"]["employee"]
    for i in range(n):
        dept = Objective.objects.create(cycle=cycle, level="department", title=f"部门目标 {i}", department=org["a"])
        KeyResult.objects.create(objective=dept, title="x", target_value=D(10), weight=D(100))
        mine = Objective.objects.create(
            cycle=cycle, level="individual", title=f"个人目标 {i}", parent=dept, owner=emp, department=org["a"]
        )
        KeyResult.objects.create(objective=mine, title="a", target_value=D(10), weight=D(50), owner=emp)
        KeyResult.objects.create(objective=mine, title="b", target_value=D(10), weight=D(50), owner=emp)


@pytest.mark.parametrize("role", ["hr", "manager", "employee"])
def test_tree_query_count_does_not_grow_with_objectives(client_for, okr, org, people, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(role)
    url = reverse("performance:okr_cycle", args=[okr.cycle.pk])
    c.get(url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    _add_objectives(okr.cycle, org, people, 15)
    with CaptureQueriesContext(connection) as many:
        response = c.get(url)
    assert len(_tree_ids(response)) == 3 + 30
    assert len(many) == len(few)


def test_tree_query_budget(client_for, okr, org, people, django_assert_max_num_queries):
    _add_objectives(okr.cycle, org, people, 20)
    c = client_for("manager")
    url = reverse("performance:okr_cycle", args=[okr.cycle.pk])
    with django_assert_max_num_queries(18):
        assert c.get(url).status_code == 200


# --- objectives, key results, progress, tasks ---------------------------------------------------------------


def test_employee_sets_their_own_objective_aligned_to_the_department(client_for, okr, people):
    c = client_for("employee")
    url = reverse("performance:objective_new", args=[okr.cycle.pk])
    form = c.get(url, {"level": "individual", "parent": okr.department.pk}).context["form"]
    assert form.initial["parent"] == okr.department.pk
    assert list(form.fields["owner"].queryset) == [people["employees"]["employee"]]
    assert [v for v, _label in form.fields["level"].choices] == ["individual"]
    response = c.post(
        url,
        {
            "level": "individual",
            "title": "新客户 5 家",
            "parent": okr.department.pk,
            "owner": people["employees"]["employee"].pk,
        },
    )
    new = Objective.objects.get(title="新客户 5 家")
    assert response["Location"] == reverse("performance:objective_key_results", args=[new.pk])
    assert (new.level, new.parent, new.owner, new.department) == (
        "individual",
        okr.department,
        people["employees"]["employee"],
        people["employees"]["employee"].department,
    )


def test_manager_sets_an_objective_for_a_team_member(client_for, okr, people):
    team_member = people["employees"]["team_member"]
    response = client_for("manager").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "individual", "title": "平台稳定性 99.9%", "parent": okr.department.pk, "owner": team_member.pk},
    )
    assert response.status_code == 302
    assert Objective.objects.get(title="平台稳定性 99.9%").owner == team_member


def test_manager_department_choices_are_their_subtree(client_for, okr, org):
    form = (
        client_for("manager")
        .get(reverse("performance:objective_new", args=[okr.cycle.pk]), {"level": "department"})
        .context["form"]
    )
    assert set(form.fields["department"].queryset) == {org["a"], org["a_team"]}
    assert [v for v, _label in form.fields["level"].choices] == ["department", "individual"]
    assert set(form.fields["parent"].queryset) == {okr.company}  # a department's aligns to the company's


def test_objective_edit_saves(client_for, okr, people):
    response = client_for("employee").post(
        reverse("performance:objective_edit", args=[okr.mine.pk]),
        {
            "level": "individual",
            "title": "个人营收 1200 万",
            "description": "含续约",
            "parent": okr.department.pk,
            "owner": people["employees"]["employee"].pk,
        },
    )
    assert response["Location"] == reverse("performance:objective_detail", args=[okr.mine.pk])
    okr.mine.refresh_from_db()
    assert (okr.mine.title, okr.mine.description) == ("个人营收 1200 万", "含续约")


def _kr_post(rows, *, initial=0):
    data = {"kr-TOTAL_FORMS": str(len(rows)), "kr-INITIAL_FORMS": str(initial), "kr-MIN_NUM_FORMS": "0",
            "kr-MAX_NUM_FORMS": "20"}  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"kr-{i}-{key}"] = value
    return data


def test_key_results_page_shows_the_running_total(client_for, okr):
    response = client_for("employee").get(reverse("performance:objective_key_results", args=[okr.mine.pk]))
    assert response.context["total"] == D(100) and response.context["total_ok"]
    page = response.content.decode()
    assert "data-kr-total" in page and "performance/okr.js" in page
    assert len(response.context["formset"].forms) == 2 + 2  # the two key results and two empty rows


def test_key_results_saved_together(client_for, okr, people):
    emp = people["employees"]["employee"]
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "metric": "万元", "start_value": "0", "target_value": "1000",
         "weight": "50", "owner": emp.pk},
        {"id": okr.visits.pk, "title": "拜访重点客户", "metric": "家", "start_value": "0", "target_value": "30",
         "weight": "30", "DELETE": "on"},
        {"title": "回款率", "metric": "%", "start_value": "80", "target_value": "95", "weight": "50"},
    ]  # fmt: skip
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert response.status_code == 302
    krs = list(okr.mine.key_results.order_by("order").values_list("title", "weight", "owner_id"))
    assert krs == [("签约营收", D("50.00"), emp.pk), ("回款率", D("50.00"), emp.pk)]
    assert not KeyResult.objects.filter(pk=okr.visits.pk).exists()


def test_progress_update_is_shown_in_the_history(client_for, okr, people):
    month = date.today().replace(day=1)
    c = client_for("employee")
    response = c.post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": month.strftime("%Y-%m"), "value": "400", "comment": "签约两单"},
    )
    assert response["Location"].endswith(f"#kr-{okr.revenue.pk}")
    okr.revenue.refresh_from_db()
    assert okr.revenue.current_value == D(400)
    page = c.get(reverse("performance:objective_detail", args=[okr.mine.pk]))
    update = page.context["key_results"][0]["history"][0]
    assert (update.month, update.value, update.comment, update.author) == (
        month,
        D(400),
        "签约两单",
        people["users"]["employee"],
    )
    html = page.content.decode()
    assert "签约两单" in html and 'data-value="24.00"' in html  # 40% of the 60% revenue weight


def test_detail_shows_progress_forms_only_to_those_who_may_update(client_for, okr):
    url = reverse("performance:objective_detail", args=[okr.mine.pk])
    assert all(kr["form"] is not None for kr in client_for("employee").get(url).context["key_results"])
    company = client_for("employee").get(reverse("performance:objective_detail", args=[okr.company.pk]))
    assert all(kr["form"] is None for kr in company.context["key_results"])
    assert 'data-testid="progress-form"' not in company.content.decode()


def test_check_in_task_and_check_in(client_for, okr, people):
    c = client_for("employee")
    response = c.post(
        reverse("performance:check_in_task_new", args=[okr.mine.pk]),
        {"title": "拜访 10 家重点客户", "frequency": "monthly", "target_count": "10",
         "owner": people["employees"]["employee"].pk},
    )  # fmt: skip
    task = CheckInTask.objects.get(objective=okr.mine)
    assert response["Location"].endswith("#tasks")
    c.post(reverse("performance:check_in", args=[task.pk]), {"done_count": "3", "note": "华东区"})
    check_in = CheckIn.objects.get(task=task)
    assert (check_in.period, check_in.done_count, check_in.note) == (date.today().replace(day=1), 3, "华东区")
    detail = c.get(reverse("performance:objective_detail", args=[okr.mine.pk]))
    row = detail.context["tasks"][0]
    assert (row["done"], row["task"].target_count) == (3, 10)
    assert "3 / 10" in detail.content.decode()


def test_hr_deletes_an_objective_without_aligned_ones(client_for, okr):
    response = client_for("hr").post(reverse("performance:objective_delete", args=[okr.mine.pk]))
    assert response["Location"] == reverse("performance:okr_cycle", args=[okr.cycle.pk])
    assert not Objective.objects.filter(pk=okr.mine.pk).exists()

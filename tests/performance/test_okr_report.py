"""The OKR report of a cycle, with figures worked out by hand: last year's cycle (so the report
month is its December whatever today is), objectives of the manager, `employee`, `team_member`
(sub-team A1) and `other_employee` (B), and monthly progress entered through the service.

                 objectives  completion             updates  updated in December
  manager        1           25.00                  1        yes
  employee       2           (56.00 + 0) / 2 = 28   3        yes
  team_member    1           50.00 (a cost 100→50)  1        no (October)
  other_employee 1           100.00                 1        yes
  HQ (hr_admin, hr, payroll), other_manager: no objectives
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from performance import okr_report
from performance.models import KeyResult, Objective, OkrCycle
from performance.services import progress_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_data(people, org):
    year = timezone.localdate().year - 1
    cycle = OkrCycle.objects.create(
        name=f"{year} 年度", kind="year", year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
        status="open",
    )  # fmt: skip
    emps, hr = people["employees"], people["users"]["hr"]
    company = Objective.objects.create(cycle=cycle, level="company", title="公司目标")
    KeyResult.objects.create(objective=company, title="营收", target_value=D(100), weight=D(100))

    def objective(owner, title, krs, level="individual"):
        o = Objective.objects.create(
            cycle=cycle, level=level, title=title, owner=owner, department=owner.department,
            parent=company,
        )  # fmt: skip
        return [
            KeyResult.objects.create(objective=o, title=t, start_value=D(s), target_value=D(tv), weight=D(w))
            for t, s, tv, w in krs
        ]

    def update(kr, month, value):
        progress_update(key_result=kr, month=date(year, month, 1), value=D(value), comment="", actor=hr)

    (dept_kr,) = objective(emps["manager"], "部门目标", [("交付", 0, 100, 100)], level="department")
    update(dept_kr, 12, 25)
    revenue, visits = objective(emps["employee"], "营收", [("签约", 0, 1000, 60), ("拜访", 0, 30, 40)])
    update(revenue, 11, 300)
    update(revenue, 12, 600)
    update(visits, 12, 15)
    objective(emps["employee"], "新渠道", [("渠道", 0, 10, 100)])
    (cost,) = objective(emps["team_member"], "降本", [("成本", 100, 50, 100)])
    update(cost, 10, 75)
    (deals,) = objective(emps["other_employee"], "销售", [("成交", 0, 10, 100)])
    update(deals, 12, 10)
    return cycle


def _role(people):
    return {e.pk: role for role, e in people["employees"].items()}


def _people(report, people):
    role = _role(people)
    return {
        role[r.employee.pk]: (r.objectives, r.completion, r.updates, r.updated_this_month, r.needs_update)
        for r in report.people
    }


def _teams(report):
    return [(t.name, t.people, t.with_objectives, t.completion, t.no_update) for t in report.teams]


def test_report_figures_for_hr(report_data, people, org):
    report = okr_report.build(report_data, people["users"]["hr"])
    assert report.month == date(report_data.year, 12, 1)
    rows = _people(report, people)
    assert rows["manager"] == (1, D("25.00"), 1, True, False)
    assert rows["employee"] == (2, D("28.00"), 3, True, False)
    assert rows["team_member"] == (1, D("50.00"), 1, False, True)
    assert rows["other_employee"] == (1, D("100.00"), 1, True, False)
    assert rows["hr"] == (0, None, 0, False, False)
    assert len(rows) == 8
    assert _teams(report) == [
        ("总部", 3, 0, None, 0),
        ("技术部", 2, 2, D("26.50"), 0),
        ("平台组", 1, 1, D("50.00"), 1),
        ("销售部", 2, 1, D("100.00"), 0),
    ]
    last = next(r for r in report.people if r.employee.name == "employee").last_update
    assert last is not None and timezone.localdate(last) == timezone.localdate()


def test_report_for_a_manager_is_their_team(report_data, people):
    report = okr_report.build(report_data, people["users"]["manager"])
    assert set(_people(report, people)) == {"manager", "employee", "team_member"}
    assert _teams(report) == [("技术部", 2, 2, D("26.50"), 0), ("平台组", 1, 1, D("50.00"), 1)]


def test_report_department_filter_includes_sub_departments(report_data, people, org):
    report = okr_report.build(report_data, people["users"]["hr"], department=org["a"])
    assert set(_people(report, people)) == {"manager", "employee", "team_member"}


def test_report_counts_someone_who_left_but_owned_objectives(report_data, people):
    from employees.models import Employee

    Employee.objects.filter(pk=people["employees"]["other_employee"].pk).update(status="left")
    report = okr_report.build(report_data, people["users"]["hr"])
    assert _people(report, people)["other_employee"][:2] == (1, D("100.00"))
    Employee.objects.filter(pk=people["employees"]["other_manager"].pk).update(status="left")
    assert "other_manager" not in _people(okr_report.build(report_data, people["users"]["hr"]), people)


def test_report_page_shows_the_figures(client_for, report_data, people):
    response = client_for("hr").get(reverse("performance:okr_report", args=[report_data.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    emp = people["employees"]["employee"]
    assert f'data-employee="{emp.pk}"' in html
    assert 'data-value="28.00"' in html and 'data-value="26.50"' in html
    assert (response.context["people_total"], response.context["with_objectives"], response.context["no_update"]) == (
        8,
        4,
        1,
    )
    assert html.count('data-testid="needs-update"') == 1


def test_report_page_for_a_manager_hides_other_departments(client_for, report_data, people):
    html = client_for("manager").get(reverse("performance:okr_report", args=[report_data.pk])).content.decode()
    assert f'data-employee="{people["employees"]["other_employee"].pk}"' not in html
    assert f'data-employee="{people["employees"]["team_member"].pk}"' in html


def test_report_search_and_paging(client_for, report_data, people, settings):
    c = client_for("hr")
    url = reverse("performance:okr_report", args=[report_data.pk])
    found = c.get(url, {"q": people["employees"]["team_member"].employee_no})
    assert [item["row"].employee for item in found.context["rows"]] == [people["employees"]["team_member"]]
    assert len(found.context["teams"]) == 4  # the search narrows the people, not the departments
    by_dept = c.get(url, {"q": "销售部"})
    assert {item["row"].employee for item in by_dept.context["rows"]} == {
        people["employees"]["other_manager"],
        people["employees"]["other_employee"],
    }
    settings.HRSUITE_PAGE_SIZE = 3
    second = c.get(url, {"page": 2})
    assert len(second.context["rows"]) == 3 and second.context["page_obj"].paginator.num_pages == 3


def test_report_query_count_is_constant(client_for, report_data, people, org, django_assert_max_num_queries):
    from tests.factories import EmployeeFactory

    c = client_for("hr")
    url = reverse("performance:okr_report", args=[report_data.pk])
    c.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(10):
        e = EmployeeFactory(department=org["b"], name=f"新人{i}")
        o = Objective.objects.create(cycle=report_data, level="individual", title=f"目标{i}", owner=e)
        KeyResult.objects.create(objective=o, title="x", target_value=D(10), weight=D(100), current_value=D(5))
    with CaptureQueriesContext(connection) as many:
        response = c.get(url)
    assert response.context["people_total"] == 18
    assert len(many) == len(few)
    with django_assert_max_num_queries(18):
        c.get(url)


def _workbook(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_excel_has_the_same_figures(client_for, report_data, people, english):
    response = client_for("hr").get(reverse("performance:okr_report_xlsx", args=[report_data.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = _workbook(response)
    assert wb.sheetnames == ["People", "Departments"]
    rows = list(wb["People"].iter_rows(values_only=True))
    month = f"{report_data.year}-12"
    assert rows[0] == (
        "Employee number",
        "Name",
        "Department",
        "Objectives",
        "Average completion (%)",
        "Progress updates",
        "Last update",
        f"Updated in {month}",
    )
    role = {e.employee_no: r for r, e in people["employees"].items()}
    by_name = {role[r[0]]: r for r in rows[1:]}
    emp = by_name["employee"]
    assert (emp[0], emp[2], emp[3], float(emp[4]), emp[5], emp[7]) == (
        people["employees"]["employee"].employee_no,
        "技术部",
        2,
        28.0,
        3,
        "Yes",
    )
    assert emp[6] is not None
    assert by_name["team_member"][7] == "No"
    assert by_name["hr"][3:6] == (0, None, 0)
    assert len(rows) == 1 + 8
    teams = list(wb["Departments"].iter_rows(values_only=True))
    assert teams[0] == ("Department", "People", "With objectives", "Mean completion (%)", f"No update in {month}")
    assert [(t[0], t[1], t[2], None if t[3] is None else float(t[3]), t[4]) for t in teams[1:]] == [
        ("总部", 3, 0, None, 0),
        ("技术部", 2, 2, 26.5, 0),
        ("平台组", 1, 1, 50.0, 1),
        ("销售部", 2, 1, 100.0, 0),
    ]


def test_excel_for_a_manager_and_with_a_search(client_for, report_data, people):
    wb = _workbook(client_for("manager").get(reverse("performance:okr_report_xlsx", args=[report_data.pk])))
    numbers = {r[0] for r in list(wb.worksheets[0].iter_rows(values_only=True))[1:]}
    assert numbers == {people["employees"][k].employee_no for k in ("manager", "employee", "team_member")}
    wb = _workbook(
        client_for("hr").get(
            reverse("performance:okr_report_xlsx", args=[report_data.pk]),
            {"q": people["employees"]["other_employee"].employee_no},
        )
    )
    rows = list(wb.worksheets[0].iter_rows(values_only=True))[1:]
    assert [r[0] for r in rows] == [people["employees"]["other_employee"].employee_no]


def test_excel_download_is_audited(client_for, report_data):
    from hrsuite.audit.models import AuditEntry

    client_for("hr").get(reverse("performance:okr_report_xlsx", args=[report_data.pk]))
    entry = AuditEntry.objects.latest("pk")
    assert entry.details["rows"] == 8 + 4

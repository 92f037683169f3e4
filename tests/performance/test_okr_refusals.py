"""Bad input on the OKR pages: refused with a clear message on the page, nothing changed. Key
result weights other than 100%, a closed cycle, a parent of the wrong level or cycle, a manager
reaching outside their team, impossible cycle dates, moves the workflow does not allow."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from performance.models import CheckIn, CheckInTask, KeyResult, Objective, OkrCycle, ProgressUpdate

pytestmark = pytest.mark.django_db


def _kr_post(rows, *, initial=0):
    data = {"kr-TOTAL_FORMS": str(len(rows)), "kr-INITIAL_FORMS": str(initial), "kr-MIN_NUM_FORMS": "0",
            "kr-MAX_NUM_FORMS": "20"}  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"kr-{i}-{key}"] = value
    return data


def _snapshot(objective):
    return list(
        KeyResult.objects.filter(objective=objective)
        .order_by("pk")
        .values_list("pk", "title", "target_value", "weight", "current_value")
    )


def _close(cycle):
    OkrCycle.objects.filter(pk=cycle.pk).update(status="closed")


def _messages(response):
    return [str(m) for m in response.context["messages"]]


# --- key result weights ------------------------------------------------------------------------------------


def test_weights_totalling_90_are_refused_and_nothing_is_saved(client_for, okr, english):
    before = _snapshot(okr.mine)
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收（改）", "start_value": "0", "target_value": "1200", "weight": "50"},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "30"},
        {"title": "新增渠道", "start_value": "0", "target_value": "3", "weight": "10"},
    ]
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The key result weights total 90%; they must total exactly 100%." in page
    assert "Nothing was saved." in page
    assert response.context["total"] == D(90) and not response.context["total_ok"]
    assert _snapshot(okr.mine) == before


def test_deleting_a_key_result_without_rebalancing_is_refused(client_for, okr, english):
    before = _snapshot(okr.mine)
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "start_value": "0", "target_value": "1000", "weight": "60"},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "40",
         "DELETE": "on"},
    ]  # fmt: skip
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert "total 60%" in response.content.decode()
    assert _snapshot(okr.mine) == before


def test_no_key_results_at_all_is_refused(client_for, okr, english):
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "start_value": "0", "target_value": "1000", "weight": "60",
         "DELETE": "on"},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "40",
         "DELETE": "on"},
    ]  # fmt: skip
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert "An objective needs at least one key result." in response.content.decode()
    assert okr.mine.key_results.count() == 2


def test_target_equal_to_start_is_refused(client_for, okr, english):
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "start_value": "5", "target_value": "5", "weight": "60"},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "40"},
    ]
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert "the target must differ from the start value" in response.content.decode()
    okr.revenue.refresh_from_db()
    assert okr.revenue.target_value == D(1000)


def test_a_weight_above_100_is_refused_by_the_form(client_for, okr):
    rows = [{"id": okr.revenue.pk, "title": "签约营收", "start_value": "0", "target_value": "1000", "weight": "150"}]
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=1)
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["weight"]
    assert _snapshot(okr.mine)[0][3] == D(60)


def test_key_result_owner_outside_the_team_is_refused(client_for, okr, people):
    other = people["employees"]["other_employee"]
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "start_value": "0", "target_value": "1000", "weight": "60",
         "owner": other.pk},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "40"},
    ]  # fmt: skip
    response = client_for("manager").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["owner"]
    okr.revenue.refresh_from_db()
    assert okr.revenue.owner == people["employees"]["employee"]


# --- closed cycles -------------------------------------------------------------------------------------------


def test_closed_cycle_refuses_a_new_objective(client_for, okr, people, english):
    _close(okr.cycle)
    count = Objective.objects.count()
    response = client_for("employee").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "individual", "title": "迟到的目标", "parent": okr.department.pk,
         "owner": people["employees"]["employee"].pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert f"The OKR cycle “{okr.cycle.name}” is closed; it can no longer be changed." in response.content.decode()
    assert Objective.objects.count() == count


def test_closed_cycle_refuses_key_results(client_for, okr, english):
    _close(okr.cycle)
    before = _snapshot(okr.mine)
    rows = [
        {"id": okr.revenue.pk, "title": "签约营收", "start_value": "0", "target_value": "2000", "weight": "70"},
        {"id": okr.visits.pk, "title": "拜访重点客户", "start_value": "0", "target_value": "30", "weight": "30"},
    ]
    response = client_for("employee").post(
        reverse("performance:objective_key_results", args=[okr.mine.pk]), _kr_post(rows, initial=2)
    )
    assert "is closed; it can no longer be changed." in response.content.decode()
    assert _snapshot(okr.mine) == before


def test_closed_cycle_refuses_progress(client_for, okr, english):
    _close(okr.cycle)
    response = client_for("employee").post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": date.today().strftime("%Y-%m"), "value": "300"},
        follow=True,
    )
    assert any("is closed; it can no longer be changed." in m for m in _messages(response))
    assert not ProgressUpdate.objects.exists()
    okr.revenue.refresh_from_db()
    assert okr.revenue.current_value == 0
    # and the page no longer offers the form
    assert 'data-testid="progress-form"' not in response.content.decode()


def test_closed_cycle_refuses_check_ins_and_tasks(client_for, okr, people, english):
    task = CheckInTask.objects.create(
        objective=okr.mine, title="拜访", target_count=10, owner=people["employees"]["employee"]
    )
    _close(okr.cycle)
    c = client_for("employee")
    response = c.post(reverse("performance:check_in", args=[task.pk]), {"done_count": "2"}, follow=True)
    assert any("is closed" in m for m in _messages(response))
    assert not CheckIn.objects.exists()
    response = c.post(
        reverse("performance:check_in_task_new", args=[okr.mine.pk]),
        {"title": "电话回访", "frequency": "weekly", "target_count": "5", "owner": people["employees"]["employee"].pk},
    )
    assert "is closed" in response.content.decode()
    assert CheckInTask.objects.count() == 1


def test_closed_cycle_cannot_be_edited(client_for, okr, english):
    _close(okr.cycle)
    response = client_for("hr").post(
        reverse("performance:okr_cycle_edit", args=[okr.cycle.pk]),
        {"kind": "quarter", "year": okr.cycle.year, "quarter": okr.cycle.quarter, "name": "改名"},
    )
    assert response.status_code == 200
    assert "is closed; it can no longer be changed." in response.content.decode()
    okr.cycle.refresh_from_db()
    assert okr.cycle.name != "改名"


def test_draft_cycle_refuses_progress(client_for, okr, english):
    OkrCycle.objects.filter(pk=okr.cycle.pk).update(status="draft")
    response = client_for("employee").post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": date.today().strftime("%Y-%m"), "value": "300"},
        follow=True,
    )
    assert "Progress is updated once the cycle is in progress." in _messages(response)
    assert not ProgressUpdate.objects.exists()


# --- alignment and reach -------------------------------------------------------------------------------------


def test_parent_of_the_wrong_level_is_refused(client_for, okr, org, english):
    count = Objective.objects.count()
    response = client_for("hr").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "department", "title": "平台组目标", "department": org["a_team"].pk, "parent": okr.department.pk},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["parent"]
    assert any("An objective aligns to a higher level" in e for e in errors)
    assert Objective.objects.count() == count


def test_parent_from_another_cycle_is_refused(client_for, okr, org, english):
    other = OkrCycle.objects.create(
        name="2030", kind="year", year=2030, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31)
    )
    foreign = Objective.objects.create(cycle=other, level="company", title="远期目标")
    response = client_for("hr").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "department", "title": "平台组目标", "department": org["a_team"].pk, "parent": foreign.pk},
    )
    assert "Choose an objective of this cycle at a higher level." in response.context["form"].errors["parent"]
    assert not Objective.objects.filter(title="平台组目标").exists()


def test_manager_cannot_choose_an_owner_outside_their_team(client_for, okr, people, english):
    other = people["employees"]["other_employee"]
    response = client_for("manager").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "individual", "title": "销售部的目标", "parent": okr.department.pk, "owner": other.pk},
    )
    assert response.status_code == 200
    assert "Choose yourself or someone in your team." in response.context["form"].errors["owner"]
    assert not Objective.objects.filter(title="销售部的目标").exists()
    assert other not in response.context["form"].fields["owner"].queryset


def test_manager_cannot_set_another_departments_objective(client_for, okr, org, english):
    response = client_for("manager").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "department", "title": "销售部目标", "department": org["b"].pk, "parent": okr.company.pk},
    )
    assert "Choose one of your departments." in response.context["form"].errors["department"]
    assert not Objective.objects.filter(title="销售部目标").exists()


def test_employee_cannot_set_a_company_objective(client_for, okr, english):
    response = client_for("employee").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]), {"level": "company", "title": "我的公司目标"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["level"]
    assert not Objective.objects.filter(title="我的公司目标").exists()


def test_individual_objective_needs_an_owner(client_for, okr, english):
    response = client_for("hr").post(
        reverse("performance:objective_new", args=[okr.cycle.pk]),
        {"level": "individual", "title": "无主目标", "parent": okr.department.pk},
    )
    assert "Choose whose objective this is." in response.context["form"].errors["owner"]
    assert not Objective.objects.filter(title="无主目标").exists()


def test_objective_with_aligned_ones_cannot_be_deleted(client_for, okr, english):
    response = client_for("hr").post(reverse("performance:objective_delete", args=[okr.department.pk]), follow=True)
    assert "Other objectives are aligned to this one; align them elsewhere first." in _messages(response)
    assert Objective.objects.filter(pk=okr.department.pk).exists()


# --- cycles ---------------------------------------------------------------------------------------------------


def test_cycle_ending_before_it_starts_is_refused(client_for, people, english):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_new"),
        {"kind": "year", "year": "2032", "starts_on": "2032-06-01", "ends_on": "2032-03-01"},
    )
    assert "The cycle cannot end before it starts." in response.context["form"].errors["ends_on"]
    assert not OkrCycle.objects.filter(year=2032).exists()


def test_quarter_cycle_without_a_quarter_is_refused(client_for, people, english):
    response = client_for("hr").post(reverse("performance:okr_cycle_new"), {"kind": "quarter", "year": "2032"})
    assert "Choose the quarter (1–4)." in response.context["form"].errors["quarter"]
    assert not OkrCycle.objects.filter(year=2032).exists()


def test_dates_outside_the_year_are_refused(client_for, people, english):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_new"),
        {"kind": "year", "year": "2032", "starts_on": "2031-12-01", "ends_on": "2032-12-31"},
    )
    assert "The date must be in 2032." in response.context["form"].errors["starts_on"]


def test_a_second_cycle_for_the_same_quarter_is_refused(client_for, okr, english):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_new"),
        {"kind": "quarter", "year": okr.cycle.year, "quarter": okr.cycle.quarter, "name": "重复"},
    )
    assert response.status_code == 200
    assert "There is already an OKR cycle for this year or quarter." in response.content.decode()
    assert OkrCycle.objects.count() == 1


def test_a_move_the_workflow_does_not_allow_is_refused(client_for, okr, english):
    response = client_for("hr").post(
        reverse("performance:okr_cycle_move", args=[okr.cycle.pk]), {"to": "draft"}, follow=True
    )
    assert "An OKR cycle cannot go from “In progress” to “Planning”." in _messages(response)
    okr.cycle.refresh_from_db()
    assert okr.cycle.status == "open"


# --- progress and check-ins -----------------------------------------------------------------------------------


def test_progress_month_outside_the_cycle_is_refused(client_for, okr, english):
    response = client_for("employee").post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": f"{okr.cycle.year - 1}-01", "value": "300"},
        follow=True,
    )
    assert any("The month must fall inside the cycle." in m for m in _messages(response))
    assert not ProgressUpdate.objects.exists()


def test_progress_value_must_be_a_number(client_for, okr, english):
    response = client_for("employee").post(
        reverse("performance:progress_update", args=[okr.revenue.pk]),
        {"month": date.today().strftime("%Y-%m"), "value": "很多"},
        follow=True,
    )
    assert any(m.startswith("Value reached:") for m in _messages(response))
    assert not ProgressUpdate.objects.exists()


def test_progress_on_someone_elses_key_result_by_a_colleague_is_refused(client_for, okr, people, english):
    """A department objective is visible to everyone in the company, but only its department's
    head (and HR) update it."""
    dept_kr = okr.department.key_results.get()
    response = client_for("employee").post(
        reverse("performance:progress_update", args=[dept_kr.pk]),
        {"month": date.today().strftime("%Y-%m"), "value": "100"},
        follow=True,
    )
    assert "You cannot update this key result." in _messages(response)
    assert not ProgressUpdate.objects.exists()


def test_negative_check_in_is_refused(client_for, okr, people, english):
    task = CheckInTask.objects.create(
        objective=okr.mine, title="拜访", target_count=10, owner=people["employees"]["employee"]
    )
    response = client_for("employee").post(
        reverse("performance:check_in", args=[task.pk]), {"done_count": "-1"}, follow=True
    )
    assert any(m.startswith("Done:") for m in _messages(response))
    assert not CheckIn.objects.exists()


def test_check_in_task_with_zero_target_is_refused(client_for, okr, people):
    response = client_for("employee").post(
        reverse("performance:check_in_task_new", args=[okr.mine.pk]),
        {"title": "拜访", "frequency": "monthly", "target_count": "0", "owner": people["employees"]["employee"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_count"]
    assert not CheckInTask.objects.exists()

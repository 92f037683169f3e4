"""Awarding a collaboration bonus from the project page: who may, the member-only rule against a
forged post, the budget, a finalised pay month, and the whole way into payroll: the member's
period input, the 协作奖 line of their payslip and their own /me/payslips/ page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from payroll.models import PeriodInput
from relations.models import CollaborationBonus

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)


def _award_url(project):
    return reverse("relations:collaboration_bonus_award", kwargs={"pk": project.pk})


def _post(client, project, employee, amount="800", month="2026-06", reason="访谈 8 家客户", **kw):
    data = {"employee": employee.pk, "amount": amount, "month": month, "reason": reason}
    return client.post(_award_url(project), data, **kw)


def _nothing_stored():
    return (
        not CollaborationBonus.objects.exists() and not PeriodInput.objects.filter(definition__code="协作奖金").exists()
    )


def test_form_offers_only_members_and_defaults_to_this_month(client_for, project, people):
    from django.utils import timezone

    body = client_for("hr").get(reverse("relations:project_detail", kwargs={"pk": project.project.pk})).content.decode()
    form = body[body.index('data-testid="bonus-form"') :]
    form = form[: form.index("</form>")]
    emps = people["employees"]
    assert f'value="{emps["employee"].pk}"' in form and f'value="{emps["other_employee"].pk}"' in form
    assert f'value="{emps["team_member"].pk}"' not in form and f'value="{emps["hr"].pk}"' not in form
    assert f'value="{timezone.localdate():%Y-%m}"' in form


def test_hr_awards_a_bonus_that_becomes_the_period_input(client_for, project, people, english):
    other = people["employees"]["other_employee"]
    response = _post(client_for("hr"), project.project, other, follow=True)
    body = response.content.decode()
    assert "will be paid with the pay of 2026-06" in body
    bonus = CollaborationBonus.objects.get()
    assert (bonus.member, bonus.amount, bonus.month, bonus.awarded_by) == (
        project.member, D("800"), JUNE, people["users"]["hr"],
    )  # fmt: skip
    value = PeriodInput.objects.get(employee=other, period=JUNE, definition__code="协作奖金")
    assert (value.value, value.source) == (D("800"), "collaboration")
    assert f'data-bonus="{bonus.pk}"' in body  # listed in the bonuses table


def test_creator_may_award(client_for, project, people):
    assert _post(client_for("manager"), project.project, people["employees"]["employee"]).status_code == 302
    assert CollaborationBonus.objects.get().member == project.lead


def test_forged_post_for_a_non_member_refused_and_nothing_stored(client_for, project, people, english):
    outsider = people["employees"]["team_member"]
    response = _post(client_for("hr"), project.project, outsider)
    assert response.status_code == 200
    assert "teammember is not a member of this project." in response.content.decode()
    assert _nothing_stored()


def test_budget_exceeded_refused_and_nothing_stored(client_for, project, people, english):
    c = client_for("manager")
    response = _post(c, project.project, people["employees"]["other_employee"], amount="20000.01")
    assert response.status_code == 200
    assert "Only 20000.00 of the project&#x27;s bonus budget is left." in response.content.decode()
    assert _nothing_stored()
    assert _post(c, project.project, people["employees"]["other_employee"], amount="15000").status_code == 302
    response = _post(c, project.project, people["employees"]["employee"], amount="5000.01")
    assert "Only 5000.00 of the project&#x27;s bonus budget is left." in response.content.decode()
    assert CollaborationBonus.objects.count() == 1
    page = c.get(reverse("relations:project_detail", kwargs={"pk": project.project.pk})).content.decode()
    assert "¥5,000.00" in page[page.index('data-testid="budget-left"') :][:200]


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", ""])
def test_bad_amount_refused(client_for, project, people, amount):
    response = _post(client_for("hr"), project.project, people["employees"]["other_employee"], amount=amount)
    assert response.status_code == 200
    assert 'data-testid="bonus-form"' in response.content.decode()
    assert _nothing_stored()


def test_missing_reason_refused(client_for, project, people):
    response = _post(client_for("hr"), project.project, people["employees"]["other_employee"], reason="  ")
    assert response.status_code == 200 and _nothing_stored()


@pytest.mark.parametrize(
    "role, expected",
    [("employee", 403), ("other_employee", 403), ("team_member", 403), ("other_manager", 302), (None, 302)],
)
def test_others_cannot_award(client_for, project, people, role, expected):
    """The lead and members lack the projects permission (403); a manager who can see the
    project but did not create it is refused by the service (flashed, nothing stored)."""
    response = _post(client_for(role), project.project, people["employees"]["other_employee"])
    assert response.status_code == expected
    assert _nothing_stored()


def test_manager_who_is_not_the_creator_gets_a_clear_message(client_for, project, people, english):
    response = _post(client_for("other_manager"), project.project, people["employees"]["other_employee"], follow=True)
    assert "Only HR and the project&#x27;s creator can award a bonus." in response.content.decode()


def test_outsider_manager_gets_404(client_for, people, project):
    from relations.models import CollaborationProject, ProjectMember

    emps = people["employees"]
    hq = CollaborationProject.objects.create(
        name="总部项目", lead=emps["hr"], starts_on=date(2026, 1, 1), status="active", created_by=people["users"]["hr"]
    )
    ProjectMember.objects.create(
        project=hq, employee=emps["hr"], department=emps["hr"].department, joined_on=hq.starts_on
    )
    assert _post(client_for("manager"), hq, emps["hr"]).status_code == 404
    assert _nothing_stored()


def test_planned_project_takes_no_bonus(client_for, project, people, english):
    project.project.status = "planned"
    project.project.save()
    response = _post(client_for("hr"), project.project, people["employees"]["other_employee"], follow=True)
    assert "Bonuses are awarded on a project in progress or completed." in response.content.decode()
    assert _nothing_stored()


@pytest.fixture
def paid_bonus_line(structure):
    from payroll.models import PayComponent, StructureLine

    component = PayComponent.objects.create(code="协作奖", name="协作奖", kind="earning", variable=True)
    StructureLine.objects.create(structure=structure, component=component, formula="协作奖金")
    return component


def test_bonus_reaches_the_payslip_and_my_payslips(
    client_for, project, people, assignments, run_factory, paid_bonus_line, english, django_capture_on_commit_callbacks
):
    from payroll.models import PaySlip, PaySlipLine
    from payroll.payslips import payrun_publish

    other = people["employees"]["other_employee"]
    assert _post(client_for("manager"), project.project, other, amount="1000.50").status_code == 302
    run = run_factory(JUNE, finalize=True)
    line = PaySlipLine.objects.get(slip__run=run, slip__employee=other, code="协作奖")
    assert line.amount == D("1000.50")
    # nobody else is paid one
    assert not PaySlipLine.objects.filter(slip__run=run, code="协作奖").exclude(slip__employee=other).exclude(amount=0)
    with django_capture_on_commit_callbacks(execute=True):
        payrun_publish(run=run, actor=people["users"]["payroll"], dispatch=False, render=False)
    slip = PaySlip.objects.get(run=run, employee=other)
    c = client_for("other_employee")
    listing = c.get(reverse("mypay:list")).content.decode()
    assert reverse("mypay:detail", kwargs={"pk": slip.pk}) in listing
    page = c.get(reverse("mypay:detail", kwargs={"pk": slip.pk})).content.decode()
    assert "协作奖" in page and "¥1,000.50" in page
    # the month is now finalised: a further bonus for it is refused, nothing stored
    response = _post(client_for("hr"), project.project, other, amount="100", month="2026-06", follow=True)
    assert "2026-06 is finalised for this employee" in response.content.decode()
    assert CollaborationBonus.objects.count() == 1
    assert PeriodInput.objects.get(employee=other, period=JUNE, definition__code="协作奖金").value == D("1000.50")

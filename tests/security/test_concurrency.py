"""Two people doing the same thing to the same object at the same moment get one correct result:
one succeeds, the other is refused (or its work is a no-op), and the totals are right.

Each test starts two threads at a barrier; each thread has its own database connection, so the
two transactions really overlap in PostgreSQL and only the services' row locks order them.
Already covered elsewhere and not repeated: two `payrun_create` of one month, two inline
(`dispatch=False`) calculations of one run (tests/payroll/test_runs.py), two confirmations of
one handover item (tests/offboarding/test_items.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

pytestmark = pytest.mark.django_db(transaction=True)

JAN = date(2026, 1, 1)


def at_once(*actions: Callable[[], object], refusals: tuple[type[Exception], ...] = (ValidationError,)) -> list:
    """Run the actions in threads released together; returns each one's result, or ("refused",
    the exception) for an expected refusal. Any other exception fails the test."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)
    errors: list = []

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            results[i] = action()
        except refusals as exc:
            results[i] = ("refused", exc)
        except Exception as exc:  # reported below with its thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (a deadlock?)"
    assert errors == [], errors
    return results


def refused(results) -> list:
    return [r for r in results if isinstance(r, tuple) and r and r[0] == "refused"]


def second_payroll():
    from hrsuite.roles import Role
    from tests.factories import UserFactory

    return [UserFactory(username=f"payroll-{n}", roles=[Role.PAYROLL]) for n in ("b", "c")]


# --- pay runs ---------------------------------------------------------------------------------------


def slip_state(run):
    from payroll.models import PaySlip, PaySlipLine

    slips = PaySlip.objects.filter(run=run)
    return {
        "slips": slips.count(),
        "employees": slips.values("employee").distinct().count(),
        "lines": PaySlipLine.objects.filter(slip__run=run).count(),
        "net": slips.aggregate(s=Sum("net"))["s"],
        "gross": slips.aggregate(s=Sum("gross"))["s"],
    }


def test_two_calculations_through_the_job_queue_leave_one_set_of_slips_and_right_totals(
    people, assignments, run_factory
):
    """The path the Calculate button takes (chunk jobs queued after the commit; eager in tests)."""
    from payroll.choices import RunStatus
    from payroll.models import PayRun, PayRunChunk
    from payroll.services import runs

    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    b, c = second_payroll()
    results = at_once(
        lambda: runs.payrun_calculate(run=run, actor=b, dispatch=True),
        lambda: runs.payrun_calculate(run=run, actor=c, dispatch=True),
    )
    assert len(refused(results)) <= 1  # the second is refused while the first calculates, or redoes it after
    run = PayRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.CALCULATED
    state = slip_state(run)
    n = len(people["employees"])
    assert state["slips"] == state["employees"] == n == run.employees_total == run.employees_done
    assert run.total_net == state["net"] and run.total_gross == state["gross"]
    assert PayRunChunk.objects.filter(run=run).exclude(calc_token=run.calc_token).count() == 0
    # the same numbers as one calculation on its own
    runs.payrun_calculate(run=run, actor=b, dispatch=False)
    assert slip_state(run) == state


def test_approval_racing_a_recalculation_never_approves_other_slips(people, assignments):
    """Approve and Recalculate pressed together: either the run is approved with the slips that
    were reviewed, or it is recalculated and no longer approved; never approved new slips."""
    from payroll.choices import RunStatus
    from payroll.models import PayRun, PaySlip
    from payroll.services import runs

    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    reviewed = set(PaySlip.objects.filter(run=run).values_list("pk", flat=True))
    b, c = second_payroll()
    reviewed_token = run.calc_token  # the approver's page shows this calculation
    at_once(
        lambda: runs.payrun_approve(run=run, actor=b, calc_token=reviewed_token),
        lambda: runs.payrun_calculate(run=run, actor=c, dispatch=False),
    )
    run = PayRun.objects.get(pk=run.pk)
    slips = set(PaySlip.objects.filter(run=run).values_list("pk", flat=True))
    if run.status == RunStatus.APPROVED:
        assert slips == reviewed and run.approved_by_id == b.pk
    else:
        assert run.status == RunStatus.CALCULATED and run.approved_by_id is None
        assert len(slips) == len(reviewed)


def test_two_approvals_finalisations_and_publications_of_one_run_each_happen_once(people, assignments):
    from hrsuite.notifications.models import Notification
    from payroll.choices import RunStatus
    from payroll.models import PayRun
    from payroll.payslips import payrun_publish
    from payroll.services import runs

    run, _ = runs.payrun_create(period=JAN, actor=people["users"]["payroll"])
    run = runs.payrun_calculate(run=run, actor=people["users"]["payroll"], dispatch=False)
    b, c = second_payroll()
    results = at_once(lambda: runs.payrun_approve(run=run, actor=b), lambda: runs.payrun_approve(run=run, actor=c))
    assert len(refused(results)) == 1
    winner = next(r for r in results if not isinstance(r, tuple))
    run = PayRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.APPROVED and run.approved_by_id == winner.approved_by_id
    assert _actions(run).count("approve") == 1
    results = at_once(lambda: runs.payrun_finalize(run=run, actor=b), lambda: runs.payrun_finalize(run=run, actor=c))
    assert len(refused(results)) == 1
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.FINALIZED
    before = Notification.objects.count()
    results = at_once(
        lambda: payrun_publish(run=run, actor=b, dispatch=False),
        lambda: payrun_publish(run=run, actor=c, dispatch=False),
    )
    assert len(refused(results)) == 1
    run = PayRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.PUBLISHED
    assert _actions(run).count("publish") == 1 and _actions(run).count("finalize") == 1
    # each employee is told about their payslip once
    told = Notification.objects.count() - before
    assert told <= len(people["employees"])
    keys = list(Notification.objects.values_list("recipient", "key"))
    assert len(keys) == len(set(keys))


def _actions(run) -> list[str]:
    from hrsuite.audit.models import AuditEntry, AuditEvent

    entries = AuditEntry.objects.filter(event=AuditEvent.ACTION, object_pk=str(run.pk))
    return [e.details.get("action") for e in entries if e.details]


# --- handover ---------------------------------------------------------------------------------------


def test_the_last_two_handover_items_confirmed_at_once_move_the_case_on_once(people, open_case):
    """Two tabs confirm the last two open items together: each sees the other's item still open
    unless the case is locked, and the case would then never go to the head."""
    from offboarding import services_items as svc
    from offboarding.models import CaseEvent, HandoverItem
    from tests.offboarding.test_items import FILLED, pdf

    hc = open_case()
    leaver, successor = people["users"]["employee"], people["users"]["team_member"]
    items = list(hc.items)
    for item in items:
        if item.attachment_required:
            svc.attachment_add(item=item, upload=pdf(), actor=leaver)
        svc.item_submit(item=item, actor=leaver, data=FILLED[item.kind])
    for item in items[:-2]:
        svc.item_confirm(item=HandoverItem.objects.get(pk=item.pk), actor=successor)
    last_two = items[-2:]
    results = at_once(
        *[lambda i=i: svc.item_confirm(item=HandoverItem.objects.get(pk=i.pk), actor=successor) for i in last_two],
        refusals=(svc.ItemRefused,),
    )
    assert refused(results) == []
    hc.case.refresh_from_db()
    assert set(HandoverItem.objects.filter(case=hc.case).values_list("status", flat=True)) == {"confirmed"}
    assert hc.case.status == "head_approval"
    assert CaseEvent.objects.filter(case=hc.case, kind="ready_for_approval").count() == 1


def test_confirm_and_send_back_of_one_item_at_once_do_one_of_the_two(people, open_case):
    from offboarding import services_items as svc
    from offboarding.models import CaseEvent, HandoverItem
    from tests.offboarding.test_items import FILLED

    hc = open_case()
    leaver, successor = people["users"]["employee"], people["users"]["team_member"]
    item = next(i for i in hc.items if not i.attachment_required)
    svc.item_submit(item=item, actor=leaver, data=FILLED[item.kind])
    results = at_once(
        lambda: svc.item_confirm(item=HandoverItem.objects.get(pk=item.pk), actor=successor),
        lambda: svc.item_send_back(item=HandoverItem.objects.get(pk=item.pk), actor=successor, comment="缺少合同"),
        refusals=(svc.ItemRefused,),
    )
    assert len(refused(results)) == 1
    status = HandoverItem.objects.get(pk=item.pk).status
    events = set(CaseEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert (status, events & {"item_confirmed", "item_returned"}) in [
        ("confirmed", {"item_confirmed"}),
        ("returned", {"item_returned"}),
    ]


# --- performance: releasing a review cycle ------------------------------------------------------------


def test_two_releases_of_one_review_cycle_write_the_coefficients_once(people, review_cycle, rating_scale):
    from payroll.models import PeriodInput
    from performance.models import Review, ReviewCycle
    from performance.services import PerformanceRefused, review_cycle_release

    made = review_cycle(status="calibration")
    for key, code in (("manager", "B"), ("employee", "A"), ("team_member", "C")):
        r = made.reviews[key]
        r.status, r.final_rating = "rated", rating_scale[code]
        r.save()
    hr, hr_admin = people["users"]["hr"], people["users"]["hr_admin"]
    results = at_once(
        lambda: review_cycle_release(cycle=ReviewCycle.objects.get(pk=made.cycle.pk), actor=hr),
        lambda: review_cycle_release(cycle=ReviewCycle.objects.get(pk=made.cycle.pk), actor=hr_admin),
        refusals=(PerformanceRefused, ValidationError),
    )
    assert len(refused(results)) == 1 and 3 in results
    assert ReviewCycle.objects.get(pk=made.cycle.pk).status == "released"
    inputs = PeriodInput.objects.filter(period=made.cycle.pay_period, definition=made.cycle.coefficient_input)
    assert inputs.count() == 3
    by_employee = {i.employee_id: i.value for i in inputs}
    for key, coefficient in (("manager", "1.0"), ("employee", "1.2"), ("team_member", "0.8")):
        review = Review.objects.get(pk=made.reviews[key].pk)
        assert review.status == "released" and review.coefficient == D(coefficient)
        assert by_employee[review.employee_id] == D(coefficient)


# --- relations: collaboration bonuses against the budget -------------------------------------------------


def test_two_bonuses_that_together_exceed_the_budget_award_only_one(people, project):
    from payroll.models import PeriodInput
    from relations.models import CollaborationBonus
    from relations.services_projects import ProjectRefused, collaboration_bonus_award

    p = project.project  # budget 20,000
    hr, creator = people["users"]["hr"], people["users"]["manager"]
    member = people["employees"]["other_employee"]
    results = at_once(
        lambda: collaboration_bonus_award(project=p, employee=member, amount=D("15000"), reason="客户访谈", actor=hr),
        lambda: collaboration_bonus_award(
            project=p, employee=member, amount=D("12000"), reason="需求整理", actor=creator
        ),
        refusals=(ProjectRefused,),
    )
    assert len(refused(results)) == 1
    awarded = CollaborationBonus.objects.filter(project=p)
    assert awarded.count() == 1
    total = awarded.aggregate(s=Sum("amount"))["s"]
    assert total in {D("15000"), D("12000")} and total <= p.bonus_budget
    value = PeriodInput.objects.get(employee=member, definition__code="协作奖金").value
    assert value == total


def test_bonuses_from_two_projects_at_once_sum_into_the_members_pay_input(people, project):
    """Two projects award the same member a bonus for the same month at the same moment: the
    payroll input must be the sum of both (each award re-sums the member's month)."""
    from payroll.models import PeriodInput
    from relations.models import CollaborationProject, ProjectMember
    from relations.services_projects import collaboration_bonus_award

    first = project.project
    member = people["employees"]["other_employee"]
    second = CollaborationProject.objects.create(
        name="渠道共建", goal="销售与技术共建渠道", lead=people["employees"]["employee"], starts_on=first.starts_on,
        status="active", bonus_budget=D("20000"), created_by=people["users"]["manager"],
    )  # fmt: skip
    for emp in (people["employees"]["employee"], member):
        ProjectMember.objects.create(
            project=second, employee=emp, department=emp.department, role="成员", joined_on=first.starts_on
        )
    hr, hr_admin = people["users"]["hr"], people["users"]["hr_admin"]
    results = at_once(
        lambda: collaboration_bonus_award(project=first, employee=member, amount=D("3000"), reason="访谈", actor=hr),
        lambda: collaboration_bonus_award(
            project=second, employee=member, amount=D("2000"), reason="渠道", actor=hr_admin
        ),
    )
    assert refused(results) == []
    assert PeriodInput.objects.get(employee=member, definition__code="协作奖金").value == D("5000")


@pytest.mark.django_db
def test_the_approve_button_approves_only_the_calculation_on_the_page(people, assignments, tests_second_payroll):
    """The run page sends the calculation it shows; a recalculation in between refuses the approval."""
    import re

    from django.urls import reverse

    from payroll.choices import RunStatus
    from payroll.models import PayRun
    from payroll.services import runs

    preparer = people["users"]["payroll"]
    run, _ = runs.payrun_create(period=JAN, actor=preparer)
    run = runs.payrun_calculate(run=run, actor=preparer, dispatch=False)
    page = tests_second_payroll.get(reverse("payroll:run_detail", args=[run.pk])).text
    shown = re.search(r'name="calc_token" value="([0-9a-f-]+)"', page).group(1)
    assert shown == str(run.calc_token)
    runs.payrun_calculate(run=run, actor=preparer, dispatch=False)  # meanwhile, the preparer recalculates
    tests_second_payroll.post(reverse("payroll:run_approve", args=[run.pk]), {"calc_token": shown})
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.CALCULATED
    fresh = PayRun.objects.get(pk=run.pk).calc_token
    tests_second_payroll.post(reverse("payroll:run_approve", args=[run.pk]), {"calc_token": str(fresh)})
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.APPROVED

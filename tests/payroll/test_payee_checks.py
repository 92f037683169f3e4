"""Payee checks before finalisation: each check, resolution, override with a reason, the
blocklist, and finalisation blocked while a check is open."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee
from hrsuite.audit.models import AuditEntry
from payroll import checks
from payroll.models import FlagKind, FlagStatus, PayeeFlag
from payroll.services import runs

pytestmark = pytest.mark.django_db
JAN = date(2026, 1, 1)


def flags(run, status=None):
    qs = PayeeFlag.objects.filter(run=run)
    if status:
        qs = qs.filter(status=status)
    return {(f.employee.name, f.kind) for f in qs.select_related("employee")}


def test_clean_run_has_no_flags(assignments, run_factory):
    run = run_factory(JAN)
    assert flags(run) == set()


def test_each_check(assignments, run_factory, people):
    e = people["employees"]
    Employee.objects.filter(pk=e["employee"].pk).update(bank_account_holder="王某某")
    shared = Employee.objects.get(pk=e["other_employee"].pk)
    shared.bank_account = Employee.objects.get(pk=e["manager"].pk).bank_account
    shared.save()
    Employee.objects.filter(pk=e["hr"].pk).update(bank_account_changed_at=timezone.now() - timedelta(days=3))
    no_account = Employee.objects.get(pk=e["team_member"].pk)
    no_account.bank_account = ""
    no_account.save()
    checks.blocklist_add(
        account=Employee.objects.get(pk=e["payroll"].pk).bank_account, reason="银行通报", actor=people["users"]["hr"]
    )
    run = run_factory(JAN)
    assert flags(run) == {
        ("employee", FlagKind.HOLDER_NAME),
        ("other", FlagKind.SHARED_ACCOUNT),
        ("manager", FlagKind.SHARED_ACCOUNT),
        ("hrstaff", FlagKind.RECENT_CHANGE),
        ("teammember", FlagKind.NO_ACCOUNT),
        ("payroll", FlagKind.BLOCKLISTED),
    }


def test_names_are_compared_without_width_and_spacing(assignments, run_factory, people):
    Employee.objects.filter(pk=people["employees"]["employee"].pk).update(bank_account_holder=" EMPLOYEE ")
    assert flags(run_factory(JAN)) == set()


def test_a_payee_who_left_before_the_month_is_flagged(assignments, run_factory, people):
    Employee.objects.filter(pk=people["employees"]["other_employee"].pk).update(
        status="left", leave_date=date(2026, 1, 20)
    )
    run = run_factory(JAN)
    assert flags(run) == set()  # paid for the month they left in
    Employee.objects.filter(pk=people["employees"]["other_employee"].pk).update(leave_date=date(2025, 12, 31))
    run = run_factory(date(2026, 2, 1))
    assert ("other", FlagKind.LEFT) not in flags(run)  # not even in scope any more: not paid at all


def test_open_flag_blocks_finalisation_until_fixed_and_rechecked(assignments, run_factory, people):
    Employee.objects.filter(pk=people["employees"]["employee"].pk).update(bank_account_holder="王某某")
    run = run_factory(JAN)
    approver = _approver()
    run = runs.payrun_approve(run=run, actor=approver)
    with pytest.raises(ValidationError):
        runs.payrun_finalize(run=run, actor=approver)
    Employee.objects.filter(pk=people["employees"]["employee"].pk).update(bank_account_holder="employee")
    run = runs.payrun_finalize(run=run, actor=approver)  # finalise re-checks and the flag resolves
    assert flags(run, FlagStatus.RESOLVED) == {("employee", FlagKind.HOLDER_NAME)}
    assert run.status == "finalized"


def test_override_needs_a_reason_and_is_audited(assignments, run_factory, people):
    Employee.objects.filter(pk=people["employees"]["employee"].pk).update(bank_account_holder="王某某")
    run = run_factory(JAN)
    flag = PayeeFlag.objects.get(run=run)
    with pytest.raises(ValidationError):
        checks.flag_override(flag=flag, actor=people["users"]["payroll"], reason=" ")
    checks.flag_override(flag=flag, actor=people["users"]["payroll"], reason="配偶代收，已核实授权书")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OVERRIDDEN and flag.decided_by == people["users"]["payroll"]
    entry = AuditEntry.objects.filter(object_pk=str(flag.pk), event="update").latest("timestamp")
    assert entry.changes["status"] == ["open", "overridden"]
    approver = _approver()
    run = runs.payrun_approve(run=run, actor=approver)
    assert runs.payrun_finalize(run=run, actor=approver).status == "finalized"


def test_recheck_reopens_a_resolved_flag_when_the_problem_returns(assignments, run_factory, people):
    pk = people["employees"]["employee"].pk
    Employee.objects.filter(pk=pk).update(bank_account_holder="王某某")
    run = run_factory(JAN)
    Employee.objects.filter(pk=pk).update(bank_account_holder="employee")
    assert checks.run_payee_checks(run)["resolved"] == 1
    Employee.objects.filter(pk=pk).update(bank_account_holder="李某某")
    assert checks.run_payee_checks(run)["reopened"] == 1
    assert flags(run, FlagStatus.OPEN) == {("employee", FlagKind.HOLDER_NAME)}


def test_blocklist_stores_no_account_number_and_refuses_duplicates(people):
    entry = checks.blocklist_add(account="6222 0202 0011 2233 445", reason="诈骗", actor=people["users"]["payroll"])
    assert entry.last4 == "3445" and "6222020200112233445" not in entry.account_hash
    with pytest.raises(ValidationError):
        checks.blocklist_add(account="6222020200112233445", reason="again", actor=people["users"]["payroll"])
    with pytest.raises(ValidationError):
        checks.blocklist_add(account="12", reason="bad", actor=people["users"]["payroll"])


def test_pages_show_flags_and_accept_an_override(client_for, assignments, run_factory, people):
    Employee.objects.filter(pk=people["employees"]["employee"].pk).update(bank_account_holder="王某某")
    run = run_factory(JAN)
    client = client_for("payroll")
    page = client.get(reverse("payroll:run_detail", args=[run.pk]))
    assert 'data-testid="open-flags">1<' in page.text
    flag = PayeeFlag.objects.get(run=run)
    client.post(reverse("payroll:flag_override", args=[flag.pk]), {"reason": "配偶代收，已核实授权书"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OVERRIDDEN
    assert (
        client_for("hr").post(reverse("payroll:flag_override", args=[flag.pk]), {"reason": "xxxxxx"}).status_code == 403
    )
    assert client_for("employee").get(reverse("payroll:blocklist")).status_code == 403
    response = client.post(reverse("payroll:blocklist"), {"account": "6222020200112233445", "reason": "银行通报"})
    assert response.status_code == 302


def _approver():
    from tests.payroll.fixtures import _second_payroll_user

    return _second_payroll_user()

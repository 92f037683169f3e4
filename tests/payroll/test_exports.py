"""Pay files of a finalised run: who may download them, that they add up to the run, that the bank
file holds clear account numbers and the register none, that names cannot run as formulas, that
the tax sheet carries the year to date forward, and that a large run streams."""

import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hrsuite.audit.models import AuditEntry, AuditEvent
from payroll import exports
from payroll.engine.money import money
from payroll.models import (
    FlagKind,
    FlagStatus,
    InputDefinition,
    PayComponent,
    PayeeFlag,
    PaySlip,
    PaySlipLine,
    PeriodInput,
)
from tests.payroll.export_helpers import cells, national_id, rows, workbook

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
EXPORTS = ("export_register", "export_bank", "export_tax", "export_contributions")
EVIL = '=HYPERLINK("http://evil.example/x","点我")'


def url(name, run):
    return reverse(f"payroll:{name}", args=[run.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def export_entries():
    return AuditEntry.objects.filter(event=AuditEvent.EXPORT)


@pytest.fixture
def final_run(assignments, run_factory):
    return run_factory(JAN, finalize=True)


# --- who may download ---------------------------------------------------------------------------


def test_payroll_downloads_every_file(client_for, final_run):
    client = client_for("payroll")
    for name in EXPORTS:
        response = client.get(url(name, final_run))
        assert response.status_code == 200, name
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_other_roles_get_403(client_for, final_run, role):
    client = client_for(role)
    for name in EXPORTS:
        assert client.get(url(name, final_run)).status_code == 403, name


def test_anonymous_goes_to_login(client, final_run):
    for name in EXPORTS:
        response = client.get(url(name, final_run))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_a_run_that_is_not_final_gives_no_file(client_for, assignments, run_factory):
    run = run_factory(JAN)  # calculated, not approved or finalised
    client = client_for("payroll")
    for name in EXPORTS:
        response = client.get(url(name, run), follow=True)
        assert response.redirect_chain == [(reverse("payroll:run_detail", args=[run.pk]), 302)], name
        assert not response.has_header("Content-Disposition")
        assert any("finalised" in m or "定稿" in m for m in messages_of(response)), name
    assert not export_entries().exists()


def test_every_download_is_audited(client_for, people, final_run):
    client = client_for("payroll")
    for name in EXPORTS:
        workbook(client.get(url(name, final_run)))
    entries = export_entries().filter(actor=people["users"]["payroll"])
    assert entries.count() == len(EXPORTS)
    slips = PaySlip.objects.filter(run=final_run).count()
    for entry in entries:
        assert f"run={final_run.pk}" in entry.additional_data["filters"]
        assert entry.additional_data["rows"] >= slips  # data rows (a totals row may come on top)


# --- payroll register ---------------------------------------------------------------------------


def test_register_totals_equal_the_run_totals(client_for, final_run):
    wb = workbook(client_for("payroll").get(url("export_register", final_run)))
    table = rows(wb.active)
    header, body, totals = table[0], table[1:-1], table[-1]
    slips = PaySlip.objects.filter(run=final_run)
    assert len(body) == slips.count()
    assert [r[0] for r in body] == sorted(slips.values_list("employee__employee_no", flat=True))
    col = {h: i for i, h in enumerate(header)}
    # one column per line code present, statutory lines included, in display order
    names = list(PaySlipLine.objects.filter(slip__run=final_run).values_list("name", flat=True).distinct())
    assert set(names) <= set(header)
    assert (
        header.index("基本工资")
        < header.index("岗位工资")
        < header.index("养老保险（个人）")
        < header.index("个人所得税")
    )
    # contributions as on a Chinese payslip, not in the order the city's rates happen to be stored
    personal = [header.index(f"{s}（个人）") for s in ("养老保险", "医疗保险", "失业保险", "住房公积金")]
    assert personal == sorted(personal) and header.count("个人所得税") == 1
    gross, si, hf, iit, other, net, employer = (Decimal(str(v)) for v in totals[-7:])
    assert gross == final_run.total_gross and net == final_run.total_net
    assert iit == final_run.total_iit and employer == final_run.total_employer_cost
    assert gross == sum(Decimal(str(r[-7])) for r in body)
    assert si == slips.aggregate(s=Sum("si_employee"))["s"] and hf == slips.aggregate(s=Sum("hf_employee"))["s"]
    assert other == slips.aggregate(s=Sum("other_deductions"))["s"]
    # a line column's total is the sum of that line over the run
    pension = PaySlipLine.objects.filter(slip__run=final_run, code="SI_PENSION").aggregate(s=Sum("amount"))["s"]
    assert Decimal(str(totals[col["养老保险（个人）"]])) == pension


def test_register_is_refused_when_net_pay_does_not_add_up(client_for, people, final_run, monkeypatch):
    """A register that does not reconcile (here: slips missing from the reader's scope) is not
    handed out."""
    from payroll import selectors

    visible = selectors.payslips_visible_to
    left_out = people["employees"]["other_employee"]
    monkeypatch.setattr(selectors, "payslips_visible_to", lambda user: visible(user).exclude(employee=left_out))
    response = client_for("payroll").get(url("export_register", final_run), follow=True)
    assert response.redirect_chain[-1][0] == reverse("payroll:run_detail", args=[final_run.pk])
    assert not response.has_header("Content-Disposition")
    assert any(f"{final_run.total_net:,.2f}" in m for m in messages_of(response))
    assert not export_entries().exists()


def test_register_reads_a_fixed_number_of_queries(final_run):
    slips = PaySlip.objects.filter(run=final_run)
    with CaptureQueriesContext(connection) as ctx:
        export = exports.register(final_run, slips)
        list(export.rows)
    assert len(ctx.captured_queries) <= 3


# --- bank transfer file -------------------------------------------------------------------------


def test_bank_file_reconciles_and_holds_clear_account_numbers(client_for, final_run):
    client = client_for("payroll")
    table = rows(workbook(client.get(url("export_bank", final_run))).active)
    body, last = table[1:-1], table[-1]
    paid = PaySlip.objects.filter(run=final_run, net__gt=0).select_related("employee")
    assert len(body) == paid.count()
    assert Decimal(str(last[3])) == final_run.total_net == sum(Decimal(str(r[3])) for r in body)
    assert str(paid.count()) in last[1]
    by_number = {r[4]: r for r in body}
    accounts = []
    for slip in paid:
        payee, bank, account, amount, _number = by_number[slip.employee.employee_no]
        assert account == slip.employee.bank_account and len(account) >= 12  # decrypted, as text
        assert payee == slip.employee.bank_account_holder and bank == "招商银行"
        assert Decimal(str(amount)) == slip.net
        accounts.append(account)
    register = workbook(client.get(url("export_register", final_run)))
    text = " ".join(str(c.value) for c in cells(register) if c.value is not None)
    assert accounts and not any(a in text for a in accounts)


def test_bank_file_is_refused_when_a_paid_slip_has_no_account(client_for, people, final_run, english):
    employee = people["employees"]["other_employee"]
    employee.bank_account = ""
    employee.save()
    response = client_for("payroll").get(url("export_bank", final_run), follow=True)
    assert response.redirect_chain[-1][0] == reverse("payroll:run_detail", args=[final_run.pk])
    assert not response.has_header("Content-Disposition")
    assert any(
        m.startswith("No bank account is on record for") and f"{employee.name} ({employee.employee_no})" in m
        for m in messages_of(response)
    )
    assert not export_entries().exists()


def test_bank_file_is_refused_while_a_payee_check_is_open(client_for, people, final_run, english):
    flag = PayeeFlag.objects.create(
        run=final_run, employee=people["employees"]["employee"], kind=FlagKind.HOLDER_NAME, detail="张三 ≠ employee"
    )
    client = client_for("payroll")
    response = client.get(url("export_bank", final_run), follow=True)
    assert not response.has_header("Content-Disposition")
    assert [m for m in messages_of(response) if m.startswith("1 payee checks of this run are open")]
    assert not export_entries().exists()
    flag.status, flag.reason = FlagStatus.OVERRIDDEN, "本人确认的工资卡"
    flag.save()
    assert client.get(url("export_bank", final_run)).status_code == 200


# --- formula injection --------------------------------------------------------------------------


def test_names_that_look_like_formulas_come_out_as_text_in_every_file(
    client_for, people, org, assignments, run_factory
):
    employee = people["employees"]["other_employee"]
    employee.name = employee.bank_account_holder = EVIL
    employee.national_id = national_id(1)
    employee.save()
    org["b"].name = "-2+3"
    org["b"].save()
    PayComponent.objects.filter(code="岗位工资").update(name="@SUM(A1)")  # a column header
    run = run_factory(JAN, finalize=True)
    client = client_for("payroll")
    for name in EXPORTS:
        wb = workbook(client.get(url(name, run)))
        values = [c.value for c in cells(wb)]
        assert "'" + EVIL in values, name
        assert EVIL not in values, name
        for c in cells(wb):
            assert c.data_type != "f", (name, c.coordinate, c.value)
            if isinstance(c.value, str):
                assert not c.value.startswith(("=", "+", "-", "@")), (name, c.value)
    register = rows(workbook(client.get(url("export_register", run))).active)
    assert "'-2+3" in [r[2] for r in register] and "'@SUM(A1)" in register[0]


# --- income tax declaration ---------------------------------------------------------------------


def test_tax_sheet_carries_the_year_to_date_into_the_second_month(client_for, people, assignments, run_factory):
    for i, employee in enumerate(people["employees"].values()):
        employee.national_id = national_id(i + 1)
        employee.save()
    bonus_to = people["employees"]["employee"]
    PeriodInput.objects.create(
        employee=bonus_to, period=FEB, definition=InputDefinition.objects.get(code="年终奖"), value=Decimal("36000")
    )
    jan = run_factory(JAN, finalize=True)
    feb = run_factory(FEB, finalize=True)
    client = client_for("payroll")

    def sheet(run):
        wb = workbook(client.get(url("export_tax", run)))
        table = rows(wb.worksheets[0])
        return {r[0]: dict(zip(exports.TAX_COLUMNS, r, strict=True)) for r in table[1:]}, wb

    before, _wb = sheet(jan)
    after, wb = sheet(feb)
    assert (
        set(before)
        == set(after)
        == set(PaySlip.objects.filter(run=feb).values_list("employee__employee_no", flat=True))
    )
    for number, now in after.items():
        then = before[number]
        d = {k: Decimal(str(v)) for k, v in now.items() if isinstance(v, int | float | Decimal)}
        p = {k: Decimal(str(v)) for k, v in then.items() if isinstance(v, int | float | Decimal)}
        assert now["id_type"] == "居民身份证" and len(now["id_number"]) == 18
        assert d["ytd_income"] == p["ytd_income"] + d["income"]
        this_month_special = d["pension"] + d["medical"] + d["unemployment"] + d["housing_fund"]
        assert d["ytd_special"] == p["ytd_special"] + this_month_special
        assert d["ytd_basic"] == p["ytd_basic"] + 5000
        assert d["withheld_before"] == p["withheld_before"] + p["tax_this_month"]
        assert d["tax_due_ytd"] == d["withheld_before"] + d["tax_this_month"]
        assert d["ytd_taxable"] == max(
            d["ytd_income"]
            - d["ytd_exempt"]
            - d["ytd_basic"]
            - d["ytd_special"]
            - d["ytd_additional"]
            - d["ytd_other"],
            0,
        )
        assert money(d["ytd_taxable"] * d["rate"] - d["quick_deduction"]) == d["tax_due_ytd"] > 0
    # the clear ID number matches the employee's
    employee = people["employees"]["employee"]
    assert after[employee.employee_no]["id_number"] == employee.national_id
    # the separately taxed annual bonus is on the second sheet
    bonus = rows(wb.worksheets[1])
    assert len(bonus) == 2
    slip = PaySlip.objects.get(run=feb, employee=bonus_to)
    assert bonus[1][0] == bonus_to.employee_no and bonus[1][3] == bonus_to.national_id
    assert Decimal(str(bonus[1][4])) == Decimal("36000") and Decimal(str(bonus[1][5])) == slip.bonus_tax > 0
    # the monthly withholding sums to the run's tax less the bonus tax
    month_tax = sum(Decimal(str(r["tax_this_month"])) for r in after.values())
    assert month_tax + slip.bonus_tax == feb.total_iit


# --- social insurance and housing fund ----------------------------------------------------------


def test_contribution_totals_equal_the_contribution_lines(client_for, final_run):
    table = rows(workbook(client_for("payroll").get(url("export_contributions", final_run))).active)
    header, body = table[0], table[1:]
    totals = {r[3]: r for r in body if r[0] in ("Total", "合计")}
    details = [r for r in body if r[0] not in ("Total", "合计")]
    lines = PaySlipLine.objects.filter(slip__run=final_run)
    schemes = {
        "pension": "养老保险",
        "medical": "医疗保险",
        "unemployment": "失业保险",
        "work_injury": "工伤保险",
        "housing_fund": "住房公积金",
    }
    from payroll.choices import Scheme

    labels = dict(Scheme.choices)
    assert len(header) == 7
    for scheme in schemes:
        label = str(labels[scheme])
        employee = lines.filter(code=f"SI_{scheme}".upper()).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        employer = lines.filter(code=f"ER_{scheme}".upper()).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        assert label in totals, label
        assert Decimal(str(totals[label][5])) == employee
        assert Decimal(str(totals[label][6])) == employer
        assert employee + employer > 0
        assert sum(Decimal(str(r[5])) for r in details if r[3] == label) == employee
    # each person's base comes from the line and is within the policy's limits
    bases = {Decimal(str(r[4])) for r in details}
    assert all(Decimal("2540") <= b <= Decimal("35811") for b in bases)
    slips = PaySlip.objects.filter(run=final_run)
    total_employee = sum(Decimal(str(r[5])) for r in totals.values())
    assert total_employee == slips.aggregate(s=Sum("si_employee"))["s"] + slips.aggregate(s=Sum("hf_employee"))["s"]


# --- a large run --------------------------------------------------------------------------------


@pytest.fixture
def thousand(people, structure, policy, org):
    """1,000 more employees with accounts and assignments, written in bulk."""
    from employees.models import Employee
    from payroll.models import PayAssignment

    staff = []
    for i in range(1000):
        e = Employee(
            employee_no=f"B{i:05d}",
            name=f"员工{i:04d}",
            department=org["b"],
            status="active",
            hire_date=date(2020, 1, 1),
            bank_name="工商银行",
            bank_account=f"6222020000{i:06d}",
            bank_account_holder=f"员工{i:04d}",
        )
        e.sync_secret_indexes()
        staff.append(e)
    staff = Employee.objects.bulk_create(staff)
    PayAssignment.objects.bulk_create(
        PayAssignment(
            employee=e,
            structure=structure,
            base_salary=Decimal(9000 + (i % 40) * 500),
            effective_from=date(2025, 1, 1),
            si_policy_city="北京",
        )
        for i, e in enumerate(staff)
    )
    return staff


def test_a_thousand_slips_stream_in_modest_memory(client_for, thousand, assignments, run_factory):
    run = run_factory(JAN, finalize=True)
    slips = PaySlip.objects.filter(run=run)
    assert slips.count() >= 1000
    with CaptureQueriesContext(connection) as ctx:
        list(exports.register(run, slips).rows)
    assert len(ctx.captured_queries) <= 3  # the same as for eight slips
    client = client_for("payroll")
    client.get(url("export_register", run))  # warm imports and caches before measuring
    for name in ("export_register", "export_bank"):
        tracemalloc.start()
        response = client.get(url(name, run))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert response.status_code == 200, name
        assert peak < 8 * 1024 * 1024, f"{name}: peak {peak / 1e6:.1f} MB"
        table = rows(workbook(response).active)
        assert len(table) == slips.count() + 2, name  # header, rows, totals

"""A payroll administrator, in the browser, sets up a component and a structure with a formula,
assigns pay, imports period inputs from Excel, runs the month, reviews it; a second person
approves and it is finalised."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from payroll.choices import RunStatus
from payroll.models import PayRun, PaySlip, PeriodInput

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, user, password):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_payroll_administrator_runs_a_month_end_to_end(browser, live_server, people, policy, tmp_path):
    from hrsuite.roles import Role
    from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

    team = DepartmentFactory(name="演示组", code="DEMO")
    zhang_user = UserFactory(username="zhangsan", roles=[Role.EMPLOYEE])
    staff = [
        EmployeeFactory(department=team, name="张三", hire_date=date(2020, 1, 1), user=zhang_user,
                        bank_name="招商银行", bank_account="6225880000001111", bank_account_holder="张三"),
        # an account in someone else's name: the payee check flags it
        EmployeeFactory(department=team, name="李四", hire_date=date(2020, 1, 1),
                        bank_name="中国银行", bank_account="6216610000002222", bank_account_holder="王某某"),
    ]  # fmt: skip
    approver = UserFactory(username="payroll2", roles=[Role.PAYROLL])
    page = signed_in(browser, live_server, people["users"]["payroll"], people["password"])
    base = live_server.url

    # an input and a component
    page.goto(f"{base}/payroll/input-definitions/new/")
    page.fill("#id_code", "绩效系数")
    page.fill("#id_name", "绩效系数")
    page.fill("#id_default", "1")
    page.click("#content form button[type=submit]")
    page.goto(f"{base}/payroll/components/new/")
    page.fill("#id_code", "绩效奖金")
    page.fill("#id_name", "绩效奖金")
    page.select_option("#id_kind", "earning")
    page.click("#content form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()

    # a structure with a formula; a syntax error is shown with its column first
    page.goto(f"{base}/payroll/structures/new/")
    page.fill("#id_code", "DEMO")
    page.fill("#id_name", "演示结构")
    page.fill("#id_effective_from", "2025-01-01")
    page.click("#content form button[type=submit]")
    expect(page.locator("h1.page-title")).to_contain_text("演示结构")
    structure_url = page.url
    page.goto(structure_url.rstrip("/") + "/lines/new/")
    page.select_option(
        "#id_component", index=1 if page.locator("#id_component option").first.get_attribute("value") == "" else 0
    )
    page.fill("#id_formula", "基本工资 * (绩效系数 * 0.2")
    page.click("#content form button[type=submit]")
    expect(page.locator("#content")).to_contain_text("第")  # "…第 N 列…": the column of the error
    page.fill("#id_formula", "基本工资 * 绩效系数 * 0.2")
    page.click("#content form button[type=submit]")
    expect(page.locator("#content")).to_contain_text("基本工资 * 绩效系数 * 0.2")

    # pay assignments for both people
    for person in staff:
        page.goto(f"{base}/payroll/assignments/{person.pk}/new/")
        page.fill("#id_effective_from", "2025-01-01")
        page.select_option("#id_structure", index=0)
        page.fill("#id_base_salary", "10000")
        page.select_option("#id_si_policy_city", "北京")
        page.click("#content form button[type=submit]")
        expect(page.locator(".alert-success")).to_be_visible()

    # period inputs from Excel, checked first, then confirmed
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "绩效系数"])
    ws.append([staff[0].employee_no, staff[0].name, 1.5])
    ws.append([staff[1].employee_no, staff[1].name, 0.8])
    path = tmp_path / "inputs.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    page.goto(f"{base}/payroll/inputs/import/?month=2026-01")
    page.set_input_files("#content input[type=file]", str(path))
    page.click("#content form button[type=submit]")
    page.click("#content form[action$='confirm/'] button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert PeriodInput.objects.get(employee=staff[0], period=date(2026, 1, 1)).value == Decimal("1.5")

    # the run: create for the team, calculate, review
    page.goto(f"{base}/payroll/")
    page.fill("#id_period", "2026-01")
    page.select_option("#id_departments", str(team.pk))
    page.click("form[action$='/runs/new/'] button[type=submit]")
    page.click('[data-testid="calculate"]')
    expect(page.locator('[data-testid="slips"] tbody tr')).to_have_count(2)
    run = PayRun.objects.get(period=date(2026, 1, 1))
    assert run.status == RunStatus.CALCULATED
    slip = PaySlip.objects.get(run=run, employee=staff[0])
    assert slip.lines.get(code="绩效奖金").amount == Decimal("3000.00")  # 10,000 × 1.5 × 0.2
    expect(page.locator('[data-testid="approve"]')).to_be_disabled()  # the preparer cannot approve
    page.click(f"text={staff[0].name}")
    expect(page.locator("#content")).to_contain_text("基本工资 * 绩效系数 * 0.2")

    page.goto(f"{base}/payroll/runs/{run.pk}/")
    expect(page.locator('[data-testid="open-flags"]')).to_have_text("1")  # 李四's account holder

    # a second payroll administrator approves; finalising is refused until the flag is resolved
    second = signed_in(browser, live_server, approver, people["password"])
    second.on("dialog", lambda dialog: dialog.accept())
    second.goto(f"{base}/payroll/runs/{run.pk}/")
    second.click('[data-testid="approve"]')
    expect(second.locator(".alert-success")).to_be_visible()
    second.click('[data-testid="finalize"]')
    expect(second.locator(".alert-danger").first).to_contain_text("收款人检查")
    second.fill("#payee-checks input[name=reason]", "配偶代收工资，已核实授权书")
    second.click("#payee-checks button:has-text('放行')")
    second.click('[data-testid="finalize"]')
    expect(second.locator(".alert-success")).to_be_visible()
    run.refresh_from_db()
    assert run.status == RunStatus.FINALIZED and run.approved_by == approver

    # exports: the register's and the bank file's totals reconcile with the run
    with second.expect_download() as register:
        second.click("a[href$='/export/register/']")
    with second.expect_download() as bank:
        second.click("a[href$='/export/bank/']")
    from openpyxl import load_workbook

    bank_rows = list(load_workbook(io.BytesIO(bank.value.path().read_bytes())).active.iter_rows(values_only=True))
    paid = [r for r in bank_rows[1:] if r and isinstance(r[3], int | float | Decimal) and r[0] != "合计"]
    assert sum(Decimal(str(r[3])) for r in paid[:2]) == run.total_net
    assert load_workbook(io.BytesIO(register.value.path().read_bytes())).active.max_row >= 3

    # publish; the employee downloads their own payslip (Chinese text) and nobody else's
    second.click('[data-testid="publish"]')
    expect(second.locator(".alert-success").first).to_be_visible()
    me = signed_in(browser, live_server, zhang_user, people["password"])
    me.goto(f"{base}/me/payslips/")
    me.click("text=2026-01")
    with me.expect_download() as pdf:
        me.click('[data-testid="payslip-pdf"]')
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.value.path().read_bytes())).pages)
    assert "工资单" in text and "张三" in text and "实发工资" in text
    other = PaySlip.objects.get(run=run, employee=staff[1])
    assert me.goto(f"{base}/me/payslips/{other.pk}/").status == 404
    assert me.goto(f"{base}/me/payslips/{other.pk}/pdf/").status == 404

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
    staff = [EmployeeFactory(department=team, name=n, hire_date=date(2020, 1, 1)) for n in ("张三", "李四")]
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

    # a second payroll administrator approves and finalises
    second = signed_in(browser, live_server, approver, people["password"])
    second.goto(f"{base}/payroll/runs/{run.pk}/")
    second.click('[data-testid="approve"]')
    expect(second.locator(".alert-success")).to_be_visible()
    second.on("dialog", lambda dialog: dialog.accept())
    second.click('[data-testid="finalize"]')
    expect(second.locator(".alert-success")).to_be_visible()
    run.refresh_from_db()
    assert run.status == RunStatus.FINALIZED and run.approved_by == approver

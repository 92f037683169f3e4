"""The lifecycle of an employee record in a real browser, in both languages."""

import pytest
from playwright.sync_api import expect

from employees.models import ChangeRequest, Contract, Employee, EmployeeDocument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_hr_creates_edits_and_documents_a_record(page, login, live_server, org, tmp_path):
    login(page, "hr")
    page.goto(f"{live_server.url}/employees/new/")
    page.fill("#id_employee_no", "B0001")
    page.fill("#id_name", "赵敏")
    page.select_option("#id_gender", "female")
    page.fill("#id_birth_date", "1949-12-31")
    page.fill("#id_national_id", "11010519491231002X")
    page.select_option("#id_department", str(org["a"].pk))
    page.fill("#id_hire_date", "2024-03-01")
    page.fill("#id_phone", "123")  # invalid first
    page.click("#content form button[type=submit]")
    expect(page.locator(".invalid-feedback").first).to_contain_text("11 位")
    assert not Employee.objects.filter(employee_no="B0001").exists()
    page.fill("#id_phone", "13812345678")
    page.fill("#id_bank_account", "6222021234567890123")
    page.click("#content form button[type=submit]")
    expect(page.locator("h1.page-title")).to_have_text("赵敏")
    # the ID number is masked until revealed, and revealing it is recorded
    expect(page.locator("#secret-national_id")).not_to_contain_text("11010519491231002X")
    page.click('[data-testid="reveal-national_id"]')
    expect(page.locator('[data-testid="revealed"]')).to_have_text("11010519491231002X")
    # add a contract and upload a scan
    page.click('button[data-bs-target="#contracts"]')
    page.select_option("#id_kind", "fixed_term")
    page.fill("#id_start_date", "2024-03-01")
    page.fill("#id_end_date", "2027-02-28")
    page.click('#contracts form[action$="/contracts/"] button[type=submit]')
    expect(page.locator(".alert-success")).to_be_visible()
    assert Contract.objects.filter(employee__employee_no="B0001").count() == 1
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(PDF)
    page.click('button[data-bs-target="#documents"]')
    page.select_option("#documents select[name=kind]", "contract_scan")
    page.set_input_files("#documents input[type=file]", str(scan))
    page.click("#documents form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert EmployeeDocument.objects.get(employee__employee_no="B0001").original_name == "合同.pdf"
    # English: edit the record
    page.click("button[name=language][value=en]")
    page.click("text=Edit")
    page.fill("#id_phone", "13912345678")
    page.click("#content form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("The changes were saved")
    assert Employee.objects.get(employee_no="B0001").phone == "13912345678"


def test_employee_asks_for_a_bank_change_and_hr_approves(browser, live_server, people):
    from tests.conftest import CHROMIUM_ARGS  # noqa: F401  (same browser settings)

    def signed_in(role):
        context = browser.new_context(locale="zh-CN")
        p = context.new_page()
        p.goto(f"{live_server.url}/accounts/login/")
        p.fill("input[name=username]", people["users"][role].username)
        p.fill("input[name=password]", people["password"])
        p.click("form:has(input[name=password]) button[type=submit]")
        return p

    me = signed_in("employee")
    me.goto(f"{live_server.url}/me/profile/")
    me.click('button[data-bs-target="#req-bank"]')
    me.fill("#id_bank-bank_name", "招商银行")
    me.fill("#id_bank-bank_account", "6225881234567890")
    me.click("#req-bank button[type=submit]")
    expect(me.locator(".alert-success")).to_contain_text("审批")
    hr = signed_in("hr")
    hr.goto(f"{live_server.url}/employees/requests/")
    expect(hr.locator("tbody tr").first).to_contain_text("7890")
    hr.click('tbody button:has-text("批准")')
    expect(hr.locator(".alert-success")).to_be_visible()
    assert Employee.objects.get(pk=people["employees"]["employee"].pk).bank_account == "6225881234567890"
    assert ChangeRequest.objects.get().status == "approved"
    me.goto(f"{live_server.url}/notifications/")
    expect(me.locator(".list-group-item").first).to_contain_text("工资卡已变更")

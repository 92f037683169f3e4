"""The foundation in a real browser: every role signs in and lands on its dashboard, in both
languages; an employee is refused an HR page."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("role", "widget"),
    [
        ("hr_admin", "audit.security"),
        ("hr", "employees.workforce"),
        ("payroll", "employees.my_profile"),
        ("manager", "employees.my_team"),
        ("employee", "employees.my_profile"),
    ],
)
def test_each_role_signs_in_to_its_dashboard(page, login, role, widget):
    login(page, role)
    expect(page.locator("h1.page-title")).to_have_text("工作台")
    expect(page.locator(f'[data-widget="{widget}"]')).to_be_visible()


def test_language_switch_in_the_browser(page, login):
    login(page, "manager")
    page.click("button[name=language][value=en]")
    expect(page.locator("h1.page-title")).to_have_text("Dashboard")
    expect(page.locator('[data-widget="employees.my_team"]')).to_contain_text("My team")
    page.click("button[name=language][value=zh-hans]")
    expect(page.locator("h1.page-title")).to_have_text("工作台")


def test_employee_gets_403_on_hr_page(page, login, live_server):
    login(page, "employee")
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("无权访问")


def test_wrong_password_shows_message(page, live_server, people):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "employee")
    page.fill("input[name=password]", "wrong")
    page.click("form:has(input[name=password]) button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码不正确")


def test_no_console_errors_or_blocked_scripts_on_dashboard(page, login):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "hr_admin")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert errors == []

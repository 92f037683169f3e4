"""Fixtures for every test: an organisation with one user per role, and the browser."""

import os

import pytest

from tests.constants import PASSWORD

pytest_plugins = [
    "tests.payroll.fixtures",
    "tests.training.qualification_fixtures",
    "tests.recruiting.fixtures",
    "tests.offboarding.fixtures",
    "tests.performance.fixtures",
    "tests.relations.fixtures",
]

# Factories and roles import Django models: they are imported inside the fixtures, so the pure
# engine tests also run without Django (pytest -p no:django).

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _clean_cache_and_media(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.core.cache import cache

    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "private"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    """Headquarters with two departments (A: technology, B: sales) and a sub-team under A."""
    from tests.factories import DepartmentFactory

    hq = DepartmentFactory(name="总部", code="HQ")
    a = DepartmentFactory(name="技术部", code="A", parent=hq)
    a_team = DepartmentFactory(name="平台组", code="A1", parent=a)
    b = DepartmentFactory(name="销售部", code="B", parent=hq)
    return {"hq": hq, "a": a, "a_team": a_team, "b": b}


def _person(username, roles, department, **extra):
    from tests.factories import EmployeeFactory, UserFactory

    user = UserFactory(username=username, roles=roles)
    employee = EmployeeFactory(user=user, department=department, name=extra.pop("name", username), **extra)
    return user, employee


@pytest.fixture
def people(org):
    """One user per role. `manager` heads department A; `employee` is in A and reports to them;
    `other_employee` and `other_manager` are in department B."""
    from hrsuite.roles import Role

    hr_admin, hr_admin_emp = _person("hradmin", [Role.HR_ADMIN, Role.HR, Role.EMPLOYEE], org["hq"])
    hr, hr_emp = _person("hrstaff", [Role.HR, Role.EMPLOYEE], org["hq"])
    payroll, payroll_emp = _person("payroll", [Role.PAYROLL, Role.EMPLOYEE], org["hq"])
    manager, manager_emp = _person("manager", [Role.MANAGER, Role.EMPLOYEE], org["a"])
    org["a"].head = manager_emp
    org["a"].save()
    employee, employee_emp = _person("employee", [Role.EMPLOYEE], org["a"], manager=manager_emp)
    team_member, team_member_emp = _person("teammember", [Role.EMPLOYEE], org["a_team"], manager=employee_emp)
    other_manager, other_manager_emp = _person("othermanager", [Role.MANAGER, Role.EMPLOYEE], org["b"])
    org["b"].head = other_manager_emp
    org["b"].save()
    other, other_emp = _person("other", [Role.EMPLOYEE], org["b"], manager=other_manager_emp)
    users = {
        "hr_admin": hr_admin,
        "hr": hr,
        "payroll": payroll,
        "manager": manager,
        "employee": employee,
        "team_member": team_member,
        "other_manager": other_manager,
        "other_employee": other,
    }
    employees = {
        "hr_admin": hr_admin_emp,
        "hr": hr_emp,
        "payroll": payroll_emp,
        "manager": manager_emp,
        "employee": employee_emp,
        "team_member": team_member_emp,
        "other_manager": other_manager_emp,
        "other_employee": other_emp,
    }
    return {"users": users, "employees": employees, "password": PASSWORD}


@pytest.fixture
def client_for(client, people):
    """client_for("hr") -> a test client signed in as that role's user (None: anonymous)."""
    from django.test import Client

    def make(role):
        c = Client()
        if role is not None:
            c.force_login(people["users"][role])
        return c

    return make


# --- browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def login(live_server, people):
    """login(page, "manager") signs a Playwright page in through the real login form."""

    def do(page, role, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", people["users"][role].username)
        page.fill("input[name=password]", password)
        page.click("form:has(input[name=password]) button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do


@pytest.fixture
def english(settings):
    """Run a test in English (for tests that assert English source messages)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from employees.demo import DEMO_PASSWORD
from employees.models import Department, Employee
from hrsuite.roles import Role, roles_of

pytestmark = pytest.mark.django_db


def counts():
    return (Employee.objects.count(), Department.objects.count(), get_user_model().objects.count())


def test_seed_demo_is_idempotent_and_complete():
    call_command("seed_demo", employees=60)
    first = counts()
    call_command("seed_demo", employees=60)
    assert counts() == first
    hired = Employee.objects.filter(employee_no__startswith="E").count() - 60
    assert first[0] == 66 + hired  # 60 generated + 6 demo logins + the recruiting demo's hires
    assert 1 <= hired <= 5
    names = set(Department.objects.values_list("name", flat=True))
    assert {"总部", "技术部", "产品部", "风险控制部", "合规部", "销售部", "人力资源部", "上海分公司"} <= names


def test_seed_demo_grows_with_employees_option():
    call_command("seed_demo", employees=30)
    call_command("seed_demo", employees=50)
    assert Employee.objects.filter(employee_no__startswith="E").count() == 50


def test_demo_logins_have_roles_and_reporting_line():
    call_command("seed_demo", employees=20)
    expected = {
        "hr": Role.HR_ADMIN,
        "hrstaff": Role.HR,
        "payroll": Role.PAYROLL,
        "manager": Role.MANAGER,
        "employee": Role.EMPLOYEE,
    }
    for username, role in expected.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD), username
        assert role in roles_of(user)
    employee = Employee.objects.get(user__username="employee")
    manager = Employee.objects.get(user__username="manager")
    assert employee.manager == manager
    assert employee.department.head == manager


def test_generated_data_is_chinese_and_plausible():
    call_command("seed_demo", employees=40)
    e = Employee.objects.filter(employee_no__startswith="E").first()
    assert all("\u4e00" <= ch <= "\u9fff" for ch in e.name)
    assert e.phone.startswith("1") and len(e.phone) == 11
    assert Employee.objects.filter(manager__isnull=False).count() > 30


def test_if_empty_does_nothing_when_data_exists():
    call_command("seed_demo", employees=10)
    before = counts()
    call_command("seed_demo", employees=100, if_empty=True)
    assert counts() == before

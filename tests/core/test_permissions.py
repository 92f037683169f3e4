"""Page guards: anonymous users go to the login page, users without the role get 403."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HR_ONLY = ["audit:list", "audit:export", "ops:health_page", "ops:jobs", "ops:backups"]


@pytest.mark.parametrize("name", [*HR_ONLY, "employees:list", "core:dashboard", "notifications:list"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", [*HR_ONLY, "employees:list"])
def test_employee_gets_403_on_hr_pages(client_for, name):
    response = client_for("employee").get(reverse(name))
    assert response.status_code == 403
    assert "无权访问" in response.text


@pytest.mark.parametrize("name", HR_ONLY)
def test_hr_admin_opens_admin_pages(client_for, name):
    assert client_for("hr_admin").get(reverse(name)).status_code == 200


@pytest.mark.parametrize("role", ["hr", "payroll", "manager"])
def test_only_hr_admin_reads_the_audit_log(client_for, role):
    assert client_for(role).get(reverse("audit:list")).status_code == 403


def test_employee_cannot_open_another_employees_record(client_for, people):
    other = people["employees"]["other_employee"]
    response = client_for("employee").get(reverse("employees:detail", args=[other.pk]))
    assert response.status_code == 403  # HR pages; an employee reads their own record at /me/profile/


def test_manager_cannot_open_record_outside_subtree(client_for, people):
    other = people["employees"]["other_employee"]
    assert client_for("manager").get(reverse("employees:detail", args=[other.pk])).status_code == 404
    own = people["employees"]["employee"]
    assert client_for("manager").get(reverse("employees:detail", args=[own.pk])).status_code == 200


def test_navigation_shows_only_allowed_entries(client_for):
    text = client_for("employee").get(reverse("core:dashboard")).text
    assert reverse("audit:list") not in text
    assert reverse("employees:list") not in text
    admin_text = client_for("hr_admin").get(reverse("core:dashboard")).text
    assert reverse("audit:list") in admin_text

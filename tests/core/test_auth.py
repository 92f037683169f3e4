"""Sign-in, lockout, logout, idle timeout and password change."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from hrsuite.accounts.middleware import SESSION_KEY as LAST_SEEN
from hrsuite.audit.models import AuditEntry, AuditEvent

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.parametrize("role", ["hr_admin", "hr", "payroll", "manager", "employee"])
def test_each_role_signs_in_and_lands_on_dashboard(people, role):
    client = Client()
    response = login(client, people["users"][role].username, people["password"])
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    assert 'data-testid="dashboard"' in page.text


@pytest.mark.parametrize("role", ["hr_admin", "hr", "payroll", "manager", "employee"])
def test_each_role_dashboard_in_english(client_for, role):
    client = client_for(role)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    assert '<h1 class="page-title">Dashboard</h1>' in page.text
    assert "工作台" not in page.text


def test_failed_login_is_refused_with_message_and_audited(people):
    client = Client()
    response = login(client, "employee", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    entry = AuditEntry.objects.get(event=AuditEvent.LOGIN_FAILED)
    assert entry.object_repr == "employee"
    assert entry.remote_addr == "127.0.0.1"
    assert entry.details["known_user"] is True


def test_successful_login_is_audited(people):
    login(Client(), "manager", people["password"])
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN, actor=people["users"]["manager"]).count() == 1


def test_lockout_after_five_failures_even_with_right_password(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "employee", "wrong-password")
    response = login(client, "employee", people["password"])
    assert response.status_code == 429
    assert "账号暂时锁定" in response.text
    assert SESSION_KEY not in client.session


def test_unlock_by_reset_allows_sign_in_again(people, settings):
    from axes.utils import reset

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "employee", "wrong-password")
    assert login(client, "employee", people["password"]).status_code == 429
    reset(username="employee")
    assert login(client, "employee", people["password"]).status_code == 302


def test_logout_ends_the_session(people):
    client = Client()
    login(client, "employee", people["password"])
    assert client.get(reverse("core:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_by_get_is_refused(people):
    client = Client()
    login(client, "employee", people["password"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_idle_session_is_ended(people, settings):
    client = Client()
    login(client, "employee", people["password"])
    client.get(reverse("core:dashboard"))
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_password_change_ends_other_sessions(people):
    first, second = Client(), Client()
    login(first, "employee", people["password"])
    login(second, "employee", people["password"])
    response = first.post(
        reverse("accounts:password_change"),
        {
            "old_password": people["password"],
            "new_password1": "a-new-long-pass-2026",
            "new_password2": "a-new-long-pass-2026",
        },
    )
    assert response.status_code == 302
    assert first.get(reverse("core:dashboard")).status_code == 200
    assert second.get(reverse("core:dashboard")).status_code == 302


def test_login_next_does_not_redirect_off_site(people):
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example.com/",
        {"username": "employee", "password": people["password"], "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]

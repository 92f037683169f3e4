import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext_noop, override

from hrsuite.notifications.models import Notification
from hrsuite.notifications.services import notify

pytestmark = pytest.mark.django_db

MESSAGE = gettext_noop("Welcome back, %(name)s.")  # any catalogued msgid with a placeholder


def test_notify_is_idempotent_per_key(people, django_capture_on_commit_callbacks):
    user = people["users"]["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[user], key="k1", message=MESSAGE, params={"name": "李"}, email=True)
        second = notify(recipients=[user], key="k1", message=MESSAGE, params={"name": "李"}, email=True)
    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=user, key="k1").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]


def test_email_task_sends_at_most_once(people, django_capture_on_commit_callbacks):
    from hrsuite.notifications.tasks import send_notification_email

    user = people["users"]["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify(recipients=[user], key="k2", message=MESSAGE, params={"name": "x"}, email=True)
    assert send_notification_email(n.pk) is False  # a duplicate delivery of the task
    assert len(mail.outbox) == 1


def test_text_is_translated_when_read(people):
    (n,) = notify(recipients=[people["users"]["employee"]], key="k3", message=MESSAGE, params={"name": "王"})
    with override("zh-hans"):
        assert n.text == "欢迎回来，王。"
    with override("en"):
        assert n.text == "Welcome back, 王."


def test_unread_count_in_header_and_open_marks_read(people, client_for):
    user = people["users"]["employee"]
    (n,) = notify(recipients=[user], key="k4", message=MESSAGE, params={"name": "x"}, url="/me/")
    client = client_for("employee")
    page = client.get(reverse("core:dashboard"))
    assert 'data-testid="unread-count">1<' in page.text
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == "/me/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'data-testid="unread-count"' not in client.get(reverse("core:dashboard")).text


def test_open_never_redirects_off_site(people, client_for):
    (n,) = notify(recipients=[people["users"]["employee"]], key="k5", message=MESSAGE, url="//evil.example.com/")
    response = client_for("employee").post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_cannot_open_someone_elses_notification(people, client_for):
    (n,) = notify(recipients=[people["users"]["other_employee"]], key="k6", message=MESSAGE)
    client_for("employee").post(reverse("notifications:open", args=[n.pk]))
    n.refresh_from_db()
    assert n.read_at is None


def test_inactive_users_are_not_notified(people):
    user = people["users"]["employee"]
    user.is_active = False
    user.save()
    assert notify(recipients=[user], key="k7", message=MESSAGE) == []

"""The daily certificate reminder scan: each lead day once, idempotent when run twice, a missed
day still sends, recipients per HR's settings, refresher enrolment once, and a query count that
does not grow with the number of certificates. Also notify_many, the bulk notification helper."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from employees.models import Employee
from hrsuite.notifications.models import Notification
from hrsuite.notifications.services import NotificationSpec, notify_many
from tests.training.qualification_fixtures import make_cert
from training.models import EmployeeCertificate, Enrollment, TrainingSettings
from training.reminders import certificate_reminders

pytestmark = pytest.mark.django_db
EXPIRY = date(2026, 6, 30)


def day(days_left: int) -> date:
    return EXPIRY - timedelta(days=days_left)


@pytest.fixture
def fund_cert(quals, people):
    return make_cert(people["employees"]["employee"], quals.fund, "F-1", expires=EXPIRY)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the scan as the daily job would (e-mails sent on commit)."""

    def go(days_left: int):
        with django_capture_on_commit_callbacks(execute=True):
            return certificate_reminders(today=day(days_left))

    return go


def keys_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("key", flat=True))


def recipients_of(key: str) -> set[str]:
    return set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))


EVERYONE = {"employee", "manager", "hrstaff", "hradmin"}  # the employee, their manager, both HR users


def test_each_lead_is_sent_once_to_employee_manager_and_hr(fund_cert, people, run):
    summary = run(30)
    key = f"cert:{fund_cert.pk}:30"
    assert recipients_of(key) == EVERYONE
    assert summary.certificates == 1 and summary.notifications == 4 and summary.by_lead == {30: 1}
    assert len(mail.outbox) == 4
    assert {m.to[0] for m in mail.outbox} == {
        people["users"][r].email for r in ("employee", "manager", "hr", "hr_admin")
    }

    for days_left in (29, 20, 8):  # nothing new between the lead days
        assert run(days_left).notifications == 0
    assert run(7).by_lead == {7: 1}
    assert run(3).notifications == 0
    assert run(0).by_lead == {0: 1}
    assert run(-1).due == 0  # expired: no more reminders
    employee = people["users"]["employee"]
    assert keys_of(employee) == sorted(f"cert:{fund_cert.pk}:{lead}" for lead in (30, 7, 0))
    assert Notification.objects.count() == 12
    assert len(mail.outbox) == 12


def test_running_twice_sends_nothing_new(fund_cert, quals, people, run):
    make_cert(people["employees"]["other_employee"], quals.fund, "F-2", expires=EXPIRY - timedelta(days=23))
    first = run(30)
    notifications, emails = Notification.objects.count(), len(mail.outbox)
    assert first.certificates == 2 and notifications == 8 and emails == 8  # other_manager for the second
    second = run(30)
    assert second.due == 2 and second.certificates == 0 and second.notifications == 0 and second.emails == 0
    assert Notification.objects.count() == notifications and len(mail.outbox) == emails


def test_a_missed_day_still_sends_the_reminder_once(fund_cert, people, run):
    # the job did not run from 30 days before until 5 days before: the 7-day reminder goes out
    summary = run(5)
    assert summary.by_lead == {7: 1}
    assert keys_of(people["users"]["employee"]) == [f"cert:{fund_cert.pk}:7"]  # not the stale 30-day one
    assert run(4).notifications == 0
    run(0)
    assert keys_of(people["users"]["employee"]) == sorted([f"cert:{fund_cert.pk}:7", f"cert:{fund_cert.pk}:0"])


def test_nothing_before_the_largest_lead_day(fund_cert, run):
    summary = run(31)
    assert summary.due == 0 and summary.notifications == 0 and not Notification.objects.exists()


def test_manager_and_hr_only_when_the_settings_say_so(fund_cert, run):
    policy = TrainingSettings.current()
    policy.notify_manager = False
    policy.notify_hr = False
    policy.save()
    run(30)
    assert recipients_of(f"cert:{fund_cert.pk}:30") == {"employee"}
    policy.notify_hr = True
    policy.save()
    run(7)
    assert recipients_of(f"cert:{fund_cert.pk}:7") == {"employee", "hrstaff", "hradmin"}
    policy.notify_manager = True
    policy.save()
    run(0)
    assert recipients_of(f"cert:{fund_cert.pk}:0") == EVERYONE


def test_lead_days_come_from_the_settings(fund_cert, run):
    policy = TrainingSettings.current()
    policy.reminder_days = [60, 14]
    policy.save()
    assert run(45).by_lead == {60: 1}
    assert run(14).by_lead == {14: 1}
    assert run(0).notifications == 0  # no same-day lead: the 14-day reminder was the last


def test_department_head_is_reminded_when_there_is_no_manager(quals, people, run):
    # team_member reports to employee; other_employee's department is headed by other_manager
    other = people["employees"]["other_employee"]
    other.manager = None
    other.save()
    cert = make_cert(other, quals.fund, "F-3", expires=EXPIRY)
    run(30)
    assert recipients_of(f"cert:{cert.pk}:30") == {"other", "othermanager", "hrstaff", "hradmin"}


def test_no_reminder_once_a_renewal_is_uploaded(fund_cert, quals, people, run):
    renewal = make_cert(
        people["employees"]["employee"],
        quals.fund,
        "F-1B",
        expires=EXPIRY + timedelta(days=730),
        verification="pending",
    )
    assert run(30).due == 0
    renewal.verification = "rejected"
    renewal.save()
    assert run(30).by_lead == {30: 1}  # a rejected upload does not replace the old certificate


def test_unverified_certificates_and_people_who_left_are_not_reminded(quals, people, run):
    make_cert(people["employees"]["employee"], quals.fund, "F-PEND", expires=EXPIRY, verification="pending")
    left = people["employees"]["other_employee"]
    left.status = "left"
    left.save()
    make_cert(left, quals.fund, "F-LEFT", expires=EXPIRY)
    assert run(30).due == 0 and not Notification.objects.exists()


def test_an_employee_without_login_still_reminds_manager_and_hr(quals, people, run):
    e = people["employees"]["team_member"]
    e.user = None
    e.save()
    cert = make_cert(e, quals.fund, "F-NOLOGIN", expires=EXPIRY)
    run(30)
    assert recipients_of(f"cert:{cert.pk}:30") == {"employee", "hrstaff", "hradmin"}  # team_member's manager
    assert run(30).notifications == 0


def test_the_message_names_the_certificate_and_the_days(fund_cert, people, run):
    run(7)
    mine = Notification.objects.get(recipient=people["users"]["employee"])
    hr = Notification.objects.get(recipient=people["users"]["hr"])
    with translation.override("en"):
        assert "基金从业资格" in mine.text and "F-1" in mine.text and "2026-06-30" in mine.text and "7" in mine.text
        assert people["employees"]["employee"].employee_no in hr.text
    assert mine.url == "/me/certificates/" and hr.url == f"/training/certificates/{fund_cert.pk}/"
    assert mine.level == "danger"


# --- refresher enrolment -------------------------------------------------------------------------


def test_refresher_enrolment_happens_once(quals, people, run):
    e = people["employees"]["employee"]
    cert = make_cert(e, quals.aml, "A-1", expires=EXPIRY, issued=date(2025, 6, 30))
    summary = run(30)
    assert summary.enrolments == 1
    enrolment = Enrollment.objects.get(employee=e, course=quals.refresher)
    assert enrolment.source == "refresher" and enrolment.status == "enrolled" and enrolment.due_date == EXPIRY
    with translation.override("en"):
        text = Notification.objects.get(recipient=people["users"]["employee"], key=f"cert:{cert.pk}:30").text
    assert "反洗钱年度复训" in text
    run(30)
    run(7)  # a new reminder, but the open enrolment stands
    assert Enrollment.objects.filter(employee=e, course=quals.refresher).count() == 1
    enrolment.status = "completed"
    enrolment.completed_at = "2026-06-25T10:00:00+08:00"
    enrolment.save()
    assert run(0).enrolments == 0  # completed since the certificate was issued
    assert Enrollment.objects.filter(employee=e, course=quals.refresher).count() == 1


def test_no_refresher_enrolment_when_switched_off_or_course_closed(quals, people, run):
    e = people["employees"]["employee"]
    make_cert(e, quals.aml, "A-2", expires=EXPIRY)
    policy = TrainingSettings.current()
    policy.auto_enrol_refresher = False
    policy.save()
    assert run(30).enrolments == 0
    policy.auto_enrol_refresher = True
    policy.save()
    quals.refresher.is_active = False
    quals.refresher.save()
    assert run(7).enrolments == 0
    assert not Enrollment.objects.exists()


def test_a_type_without_refresher_course_enrols_nobody(fund_cert, run):
    assert run(30).enrolments == 0 and not Enrollment.objects.exists()


# --- query count -----------------------------------------------------------------------------------


def _bulk_people(quals, people, n: int, start: int) -> None:
    """n employees with a login, a manager and an AML certificate (refresher) expiring in 30 days."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bulk{start + i}", email=f"bulk{start + i}@example.cn") for i in range(n)]
    )
    dept = people["employees"]["employee"].department
    manager = people["employees"]["manager"]
    employees = Employee.objects.bulk_create(
        [
            Employee(
                user=u,
                employee_no=f"B{start + i:05d}",
                name=f"员工{start + i}",
                department=dept,
                manager=manager,
                position=quals.sales,
            )
            for i, u in enumerate(users)
        ]
    )
    EmployeeCertificate.objects.bulk_create(
        [
            EmployeeCertificate(
                employee=e,
                certificate_type=quals.aml,
                number=f"A{e.employee_no}",
                issued_on=date(2025, 6, 30),
                expires_on=EXPIRY,
                verification="verified",
            )
            for e in employees
        ]
    )


def _count_queries(days_left: int) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        summary = certificate_reminders(today=day(days_left))
    return len(ctx), summary


def test_query_count_does_not_grow_with_the_certificates(quals, people):
    _bulk_people(quals, people, 10, 0)
    few, summary = _count_queries(30)
    assert summary.certificates == 10 and summary.enrolments == 10 and summary.notifications == 10 * 4
    _bulk_people(quals, people, 290, 10)
    many, summary = _count_queries(7)
    assert summary.certificates == 300 and summary.notifications == 300 * 4
    assert summary.enrolments == 290  # the first ten are still enrolled
    assert many == few
    assert few <= 10


# --- the task and the schedule ------------------------------------------------------------------


def test_task_is_a_thin_wrapper_and_scheduled_daily(fund_cert):
    from hrsuite.celery import app
    from training.tasks import certificate_reminders as task

    result = task.delay().get()
    assert set(result) >= {"due", "notifications", "emails", "enrolments", "by_lead"}
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "training.tasks.certificate_reminders")
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {30}


# --- notify_many ---------------------------------------------------------------------------------


MESSAGE = "Welcome back, %(name)s."


def test_notify_many_stores_each_key_once_and_emails_only_new_ones(people, django_capture_on_commit_callbacks):
    users = people["users"]
    specs = [
        NotificationSpec(users["employee"].pk, "k:1", MESSAGE, {"name": "李"}, "/me/", "info", True),
        NotificationSpec(users["employee"].pk, "k:1", MESSAGE, {"name": "again"}, "/me/", "info", True),  # duplicate
        NotificationSpec(users["manager"].pk, "k:1", MESSAGE, {"name": "王"}, "", "warning", False),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        created = notify_many(specs)
    assert len(created) == 2 and all(n.pk for n in created)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [users["employee"].email]
    stored = Notification.objects.get(recipient=users["employee"], key="k:1")
    assert stored.params == {"name": "李"} and stored.emailed_at is not None and stored.url == "/me/"
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many(specs) == []
    assert len(mail.outbox) == 1 and Notification.objects.count() == 2


def test_notify_many_skips_inactive_users_and_mails_only_with_an_address(people, django_capture_on_commit_callbacks):
    users = people["users"]
    users["other_employee"].is_active = False
    users["other_employee"].save()
    users["manager"].email = ""
    users["manager"].save()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify_many(
            [
                NotificationSpec(users["other_employee"].pk, "k:2", MESSAGE, {"name": "x"}, email=True),
                NotificationSpec(users["manager"].pk, "k:2", MESSAGE, {"name": "x"}, email=True),
            ]
        )
    assert [n.recipient_id for n in created] == [users["manager"].pk]
    assert created[0].send_email is False and mail.outbox == []


def test_notify_many_batches_large_inputs(people, monkeypatch):
    from hrsuite.notifications import services

    monkeypatch.setattr(services, "NOTIFY_BATCH", 3)
    user = people["users"]["employee"]
    with CaptureQueriesContext(connection) as ctx:
        created = notify_many(NotificationSpec(user.pk, f"b:{i}", MESSAGE, {"name": i}) for i in range(7))
    assert len(created) == 7
    assert sum(1 for q in ctx.captured_queries if q["sql"].lstrip().startswith("INSERT")) == 3

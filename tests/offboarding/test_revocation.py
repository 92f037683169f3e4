"""Access revocation: the login disabled, every session of the leaver ended (others kept), roles
removed, records reassigned to the successor, enrolments cancelled, idempotent; the daily job
picks only due cases with a constant number of queries per case; a sign-in afterwards fails and
is audited; HR's "revoke now" and scheduling pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hrsuite.audit.models import AuditEntry, AuditEvent
from offboarding import jobs
from offboarding.choices import EventKind
from offboarding.models import CaseEvent, CustomerAccount, SeparationCase
from offboarding.revocation import end_sessions, revoke_access, revoke_due, schedule_revocation
from tests.constants import PASSWORD

pytestmark = pytest.mark.django_db


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id", "")) == str(user.pk))


@pytest.fixture
def owned(people, open_case, hiring, make_application):
    """A case for `employee` (successor team_member) whose leaver owns customers, a requisition,
    interview seats and enrolments."""
    from recruiting.choices import InterviewStatus, RequisitionStatus
    from recruiting.models import Interview, Requisition
    from training.models import Course, Enrollment

    emps, users = people["employees"], people["users"]
    oc = open_case()
    leaver = oc.leaver
    plain = CustomerAccount.objects.create(name="华夏制造", owner=leaver, is_key=True)
    routed = CustomerAccount.objects.create(name="东方物流", owner=leaver)
    untouched = CustomerAccount.objects.create(name="别人的客户", owner=emps["other_employee"])
    # the customer item of `routed` is reviewed by another successor: the account goes to them
    oc.items[0].customer = routed
    oc.items[0].successor = emps["other_employee"]
    oc.items[0].save()
    hiring.requisition.hiring_manager = leaver
    hiring.requisition.status = RequisitionStatus.SUBMITTED
    hiring.requisition.save()
    rejected = Requisition.objects.create(
        position=hiring.position, department=hiring.requisition.department, reason="x", budget_min=Decimal(1),
        budget_max=Decimal(2), hiring_manager=leaver, requested_by=users["manager"], status=RequisitionStatus.REJECTED,
    )  # fmt: skip
    app = make_application()
    upcoming = Interview.objects.create(
        application=app, starts_at=timezone.now() + timedelta(days=2), scheduled_by=users["hr"]
    )
    upcoming.interviewers.set([leaver, emps["manager"]])
    shared = Interview.objects.create(
        application=app, starts_at=timezone.now() + timedelta(days=3), scheduled_by=users["hr"]
    )
    shared.interviewers.set([leaver, oc.successor])  # the successor already sits on it
    done = Interview.objects.create(
        application=app, starts_at=timezone.now() - timedelta(days=3), scheduled_by=users["hr"],
        status=InterviewStatus.DONE,
    )  # fmt: skip
    done.interviewers.set([leaver])
    course = Course.objects.create(code="AML-1", title="反洗钱", hours=Decimal(2))
    course2 = Course.objects.create(code="SEC-1", title="信息安全", hours=Decimal(2))
    open_enrolment = Enrollment.objects.create(employee=leaver, course=course, source="hr")
    finished = Enrollment.objects.create(employee=leaver, course=course2, source="hr", status="completed")
    return {
        "oc": oc, "plain": plain, "routed": routed, "untouched": untouched, "rejected": rejected,
        "requisition": hiring.requisition, "upcoming": upcoming, "shared": shared, "done": done,
        "open_enrolment": open_enrolment, "finished": finished,
    }  # fmt: skip


def test_revoke_access_disables_the_login_and_reassigns_everything(people, owned, django_capture_on_commit_callbacks):
    from hrsuite.notifications.models import Notification

    users, emps = people["users"], people["employees"]
    oc = owned["oc"]
    leaver_user = users["employee"]
    # two browsers of the leaver, one of someone else
    for _i in range(2):
        Client().force_login(leaver_user)
    Client().force_login(users["manager"])
    assert _sessions_of(leaver_user) == 2

    with django_capture_on_commit_callbacks(execute=True):
        result = revoke_access(case=oc.case, actor=users["hr"], reason="sensitive role")
    assert result.done

    leaver_user.refresh_from_db()
    assert not leaver_user.is_active and not leaver_user.has_usable_password()
    assert leaver_user.groups.count() == 0
    assert not leaver_user.has_perm("hrsuite.self_service")
    assert _sessions_of(leaver_user) == 0
    assert _sessions_of(users["manager"]) == 1  # another user's session survives

    owned["plain"].refresh_from_db()
    owned["routed"].refresh_from_db()
    owned["untouched"].refresh_from_db()
    assert owned["plain"].owner == oc.successor
    assert owned["routed"].owner == emps["other_employee"]
    assert owned["untouched"].owner == emps["other_employee"]

    owned["requisition"].refresh_from_db()
    owned["rejected"].refresh_from_db()
    assert owned["requisition"].hiring_manager == oc.successor
    assert owned["rejected"].hiring_manager == oc.leaver  # a decided requisition keeps its history
    assert set(owned["upcoming"].interviewers.all()) == {emps["manager"], oc.successor}
    assert set(owned["shared"].interviewers.all()) == {oc.successor}
    assert set(owned["done"].interviewers.all()) == {oc.leaver}
    owned["open_enrolment"].refresh_from_db()
    owned["finished"].refresh_from_db()
    assert owned["open_enrolment"].status == "cancelled"
    assert owned["finished"].status == "completed"

    case = SeparationCase.objects.get(pk=oc.case.pk)
    assert case.revoked_at is not None
    s = case.revocation
    assert (s["sessions"], s["roles"], s["customers"], s["requisitions"], s["interviews"], s["enrollments"]) == (
        2, 1, 2, 1, 2, 1,
    )  # fmt: skip
    assert s["role_codes"] == ["employee"] and s["by"] == users["hr"].username
    event = CaseEvent.objects.get(case=case, kind=EventKind.ACCESS_REVOKED)
    assert event.actor == users["hr"] and oc.leaver.name in event.comment
    entry = AuditEntry.objects.filter(event=AuditEvent.ROLE_CHANGE, object_pk=str(leaver_user.pk), actor=users["hr"])
    assert entry.filter(additional_data__case=case.pk, additional_data__sessions=2).exists()
    # HR is told
    assert Notification.objects.filter(recipient=users["hr"], key=f"offboarding:revoked:{case.pk}").exists()
    assert not Notification.objects.filter(recipient=users["manager"], key=f"offboarding:revoked:{case.pk}").exists()


def test_revoke_access_is_idempotent(people, open_case):
    oc = open_case()
    first = revoke_access(case=oc.case, actor=people["users"]["hr"])
    events = CaseEvent.objects.filter(case=oc.case).count()
    second = revoke_access(case=oc.case, actor=people["users"]["hr"])
    assert first.done and not second.done
    assert "already revoked" in second.message or "已" in second.message
    assert CaseEvent.objects.filter(case=oc.case).count() == events
    assert SeparationCase.objects.get(pk=oc.case.pk).revoked_at == first.case.revoked_at


def test_a_cancelled_case_is_refused(people, open_case):
    oc = open_case(status="cancelled")
    with pytest.raises(ValidationError):
        revoke_access(case=oc.case, actor=people["users"]["hr"])
    people["users"]["employee"].refresh_from_db()
    assert people["users"]["employee"].is_active


def test_sign_in_after_revocation_fails_and_is_audited(people, open_case):
    oc = open_case()
    user = people["users"]["employee"]
    c = Client()
    ok = c.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert ok.status_code == 302  # the password works before
    revoke_access(case=oc.case, actor=people["users"]["hr"])
    # the open browser is signed out: its next page goes to the login page
    again = c.get("/me/surveys/")
    assert again.status_code == 302 and "/accounts/login/" in again["Location"]
    response = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect to the dashboard
    assert "_auth_user_id" not in Client().session
    failed = AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED, object_pk=str(user.pk))
    assert failed.count() == 1
    assert failed.get().details["username"] == user.username


def test_end_sessions_ignores_expired_and_foreign_rows(people):
    user = people["users"]["employee"]
    Client().force_login(user)
    Client().force_login(people["users"]["hr"])
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    assert end_sessions(user) == 0  # expired rows are not even read
    Client().force_login(user)
    assert end_sessions(user) == 1
    assert Session.objects.count() == 2


# --- the daily job ---------------------------------------------------------------------------


def test_job_revokes_only_due_cases(people, open_case, org):
    from tests.factories import EmployeeFactory, UserFactory

    due = open_case(last_day_in=0)
    later = open_case(employee_key="other_employee", successor_key="other_manager", last_day_in=10)
    done_user = UserFactory(username="done", roles=["employee"])
    done_emp = EmployeeFactory(user=done_user, department=org["a"])
    today = timezone.localdate()
    completed = SeparationCase.objects.create(
        employee=done_emp, kind="resignation", reason="x", notice_date=today - timedelta(days=20),
        last_working_day=today - timedelta(days=1), revoke_on=today - timedelta(days=1), status="completed",
    )  # fmt: skip
    cancelled = SeparationCase.objects.create(
        employee=people["employees"]["payroll"], kind="resignation", reason="x", notice_date=today,
        last_working_day=today, revoke_on=today, status="cancelled",
    )  # fmt: skip

    result = jobs.revoke_due_access.delay().get()
    assert sorted(result["revoked"]) == sorted([due.case.pk, completed.pk])
    assert result["failed"] == []
    assert SeparationCase.objects.get(pk=later.case.pk).revoked_at is None
    assert SeparationCase.objects.get(pk=cancelled.pk).revoked_at is None
    assert people["users"]["other_employee"].__class__.objects.get(pk=people["users"]["other_employee"].pk).is_active
    assert not done_user.__class__.objects.get(pk=done_user.pk).is_active
    # a second run finds nothing
    assert revoke_due().as_dict() == {"revoked": [], "skipped": [], "failed": []}
    # the case's day comes
    assert revoke_due(today + timedelta(days=10)).revoked == [later.case.pk]


def test_job_queries_per_case_are_constant(people, org, handover_template):
    """Each case costs the same number of queries, however many cases are due."""
    from tests.factories import EmployeeFactory, UserFactory

    today = timezone.localdate()
    successor = people["employees"]["team_member"]

    def make_cases(n, tag):
        for i in range(n):
            user = UserFactory(username=f"{tag}{i}", roles=["employee"])
            emp = EmployeeFactory(user=user, department=org["a"])
            case = SeparationCase.objects.create(
                employee=emp, kind="resignation", reason="x", notice_date=today, last_working_day=today,
                revoke_on=today, status="handover",
            )  # fmt: skip
            case.successors.add(successor)
            CustomerAccount.objects.create(name=f"客户{tag}{i}", owner=emp)
            Client().force_login(user)

    make_cases(1, "a")
    with CaptureQueriesContext(connection) as one:
        assert len(revoke_due(today).revoked) == 1
    make_cases(3, "b")
    with CaptureQueriesContext(connection) as three:
        assert len(revoke_due(today).revoked) == 3
    per_case = len(one.captured_queries) - 1  # minus the query listing the due cases
    assert len(three.captured_queries) - 1 == 3 * per_case


# --- scheduling --------------------------------------------------------------------------------


def test_schedule_revocation_between_today_and_the_last_day(people, open_case, english):
    oc = open_case(last_day_in=14)
    hr = people["users"]["hr"]
    today = timezone.localdate()
    schedule_revocation(case=oc.case, on_date=oc.case.last_working_day - timedelta(days=7), actor=hr)
    case = SeparationCase.objects.get(pk=oc.case.pk)
    assert case.revoke_on == case.last_working_day - timedelta(days=7)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REVOCATION_SCHEDULED, actor=hr).exists()
    with pytest.raises(ValidationError) as past:
        schedule_revocation(case=oc.case, on_date=today - timedelta(days=1), actor=hr)
    assert "in the past" in str(past.value.message_dict["on_date"])
    with pytest.raises(ValidationError) as late:
        schedule_revocation(case=oc.case, on_date=case.last_working_day + timedelta(days=1), actor=hr)
    assert "by the last working day" in str(late.value.message_dict["on_date"])
    assert SeparationCase.objects.get(pk=oc.case.pk).revoke_on == case.revoke_on


def test_scheduling_today_revokes_at_once(people, open_case, django_capture_on_commit_callbacks):
    oc = open_case(last_day_in=5)
    with django_capture_on_commit_callbacks(execute=True):
        schedule_revocation(case=oc.case, on_date=timezone.localdate(), actor=people["users"]["hr"])
    assert SeparationCase.objects.get(pk=oc.case.pk).revoked_at is not None
    assert not people["users"]["employee"].__class__.objects.get(pk=people["users"]["employee"].pk).is_active


# --- HR's pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [("hr", 302), ("manager", 403), ("employee", 403), ("team_member", 403)])
def test_revoke_now_permission(client_for, open_case, role, status):
    oc = open_case()
    response = client_for(role).post(
        reverse("offboarding:revoke_now", args=[oc.case.pk]), {"confirm": "on", "reason": "x"}
    )
    assert response.status_code == status
    assert (SeparationCase.objects.get(pk=oc.case.pk).revoked_at is not None) == (status == 302)


def test_revoke_now_needs_the_confirmation_and_is_audited(people, client_for, open_case):
    oc = open_case()
    c = client_for("hr")
    url = reverse("offboarding:revoke_now", args=[oc.case.pk])
    c.post(url, {"reason": "x"})
    assert SeparationCase.objects.get(pk=oc.case.pk).revoked_at is None
    response = c.post(url, {"confirm": "on", "reason": "敏感岗位"}, follow=True)
    assert response.status_code == 200
    case = SeparationCase.objects.get(pk=oc.case.pk)
    assert case.revoked_at is not None and case.revocation["reason"] == "敏感岗位"
    assert AuditEntry.objects.filter(
        event=AuditEvent.ROLE_CHANGE, actor=people["users"]["hr"], object_pk=str(people["users"]["employee"].pk)
    ).exists()
    assert b'data-testid="revoked-badge"' in response.content
    # a second press changes nothing
    c.post(url, {"confirm": "on"})
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ACCESS_REVOKED).count() == 1


def test_schedule_week_early_from_the_page(client_for, open_case):
    oc = open_case(last_day_in=20)
    c = client_for("hr")
    c.post(reverse("offboarding:revocation_schedule", args=[oc.case.pk]), {"preset": "week_early"})
    case = SeparationCase.objects.get(pk=oc.case.pk)
    assert case.revoke_on == case.last_working_day - timedelta(days=7)
    response = c.post(reverse("offboarding:revocation_schedule", args=[oc.case.pk]), {"on_date": "2000-01-01"})
    assert response.status_code == 302
    assert SeparationCase.objects.get(pk=oc.case.pk).revoke_on == case.revoke_on
    assert (
        client_for("manager")
        .post(reverse("offboarding:revocation_schedule", args=[oc.case.pk]), {"preset": "week_early"})
        .status_code
        == 403
    )


def test_revoke_now_of_an_unknown_case_is_404(client_for):
    assert client_for("hr").post(reverse("offboarding:revoke_now", args=[999999]), {"confirm": "on"}).status_code == 404
    assert client_for(None).post(reverse("offboarding:revoke_now", args=[1]), {"confirm": "on"}).status_code == 302

"""The case's audit page: HR only; the case's history; the leaver's own views, exports, downloads
and sign-ins of the 30 days before the last working day (not older ones, not other people's),
counted per event with exports standing out; failed sign-ins after revocation; paging; a query
count that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee
from hrsuite.audit.models import AuditEntry, AuditEvent
from offboarding.audit_view import activity_window, leaver_activity
from offboarding.models import SeparationCase
from offboarding.revocation import revoke_access
from offboarding.services import record_event
from tests.constants import PASSWORD

pytestmark = pytest.mark.django_db


def entry(user, event, days_ago, name="员工名册", **extra):
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Employee),
        object_pk="",
        object_repr=name,
        action=AuditEntry.Action.ACCESS,
        event=event,
        actor=user,
        timestamp=timezone.now() - timedelta(days=days_ago),
        additional_data=extra or None,
    )


@pytest.fixture
def activity(people, open_case):
    oc = open_case(last_day_in=14)
    leaver, other = people["users"]["employee"], people["users"]["manager"]
    entry(leaver, AuditEvent.EXPORT, 5, name="客户名单导出", rows=812)
    entry(leaver, AuditEvent.DOWNLOAD, 3, name="合同扫描件.pdf")
    entry(leaver, AuditEvent.VIEW, 1, name="张三的档案")
    entry(leaver, AuditEvent.EXPORT, 40, name="很久以前的导出")
    entry(other, AuditEvent.EXPORT, 2, name="别人的导出")
    entry(leaver, AuditEvent.UPDATE, 1, name="一次修改")  # a change, not an access
    return oc


def test_window_is_the_30_days_before_the_last_day_or_today(open_case):
    oc = open_case(last_day_in=14)
    today = timezone.localdate()
    assert activity_window(oc.case).end == today
    assert activity_window(oc.case).start == today - timedelta(days=29)
    past = activity_window(oc.case, today=today + timedelta(days=30))
    assert past.end == oc.case.last_working_day


def test_activity_is_the_leavers_own_in_the_window(activity):
    rows = list(leaver_activity(activity.case, activity_window(activity.case)))
    assert [r.object_repr for r in rows] == ["张三的档案", "合同扫描件.pdf", "客户名单导出"]


@pytest.mark.parametrize(
    "role, status",
    [("hr", 200), ("hr_admin", 200), ("manager", 403), ("employee", 403), ("team_member", 403), ("payroll", 403)],
)
def test_audit_page_permissions(client_for, activity, role, status):
    assert client_for(role).get(reverse("offboarding:case_audit", args=[activity.case.pk])).status_code == status


def test_anonymous_is_sent_to_login(client_for, activity):
    response = client_for(None).get(reverse("offboarding:case_audit", args=[activity.case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_case_is_404(client_for):
    assert client_for("hr").get(reverse("offboarding:case_audit", args=[987654])).status_code == 404


def test_audit_page_shows_exports_in_the_window_only(people, client_for, activity):
    record_event(case=activity.case, kind="comment", actor=people["users"]["hr"], comment="与本人面谈，确认交接安排")
    response = client_for("hr").get(reverse("offboarding:case_audit", args=[activity.case.pk]))
    body = response.content.decode()
    assert "客户名单导出" in body and "合同扫描件.pdf" in body and "张三的档案" in body
    assert "很久以前的导出" not in body and "别人的导出" not in body and "一次修改" not in body
    assert "与本人面谈，确认交接安排" in body
    counts = {r["event"]: r["count"] for r in response.context["count_rows"]}
    assert counts["export"] == 1 and counts["download"] == 1 and counts["view"] == 1 and counts["login"] == 0
    assert response.context["sensitive_total"] == 2
    assert 'data-testid="sensitive-alert"' in body
    assert 'data-entry="export"' in body and "812" in body


def test_failed_sign_ins_after_revocation_are_listed(people, client_for, activity):
    revoke_access(case=activity.case, actor=people["users"]["hr"])
    Client().post("/accounts/login/", {"username": people["users"]["employee"].username, "password": PASSWORD})
    response = client_for("hr").get(reverse("offboarding:case_audit", args=[activity.case.pk]))
    assert len(response.context["attempts"]) == 1
    assert 'data-testid="attempts"' in response.content.decode()
    # the revocation itself is on the case's history
    assert b'data-event="access_revoked"' in response.content
    counts = {r["event"]: r["count"] for r in response.context["count_rows"]}
    assert counts["login_failed"] == 1


def test_a_leaver_without_login(client_for, activity):
    Employee.objects.filter(pk=activity.leaver.pk).update(user=None)
    response = client_for("hr").get(reverse("offboarding:case_audit", args=[activity.case.pk]))
    assert response.status_code == 200 and response.context["total"] == 0


def test_paging_and_query_budget(people, client_for, activity, django_assert_max_num_queries):
    url = reverse("offboarding:case_audit", args=[activity.case.pk])
    c = client_for("hr")
    c.get(url)  # warm the content type cache
    with django_assert_max_num_queries(40) as few:
        c.get(url)
    leaver = people["users"]["employee"]
    for i in range(70):
        entry(leaver, AuditEvent.VIEW, 2, name=f"档案{i}")
    for i in range(10):
        record_event(case=activity.case, kind="comment", actor=people["users"]["hr"], comment=f"备注{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get(url)
    assert response.context["page_obj"].paginator.count == 73
    assert len(response.context["page_obj"].object_list) == 50
    second = c.get(url, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 23


def test_case_events_of_another_case_are_not_shown(people, client_for, activity, open_case):
    other = open_case(employee_key="other_employee", successor_key="other_manager")
    record_event(case=other.case, kind="comment", actor=people["users"]["hr"], comment="另一个案件的备注")
    response = client_for("hr").get(reverse("offboarding:case_audit", args=[activity.case.pk]))
    assert "另一个案件的备注" not in response.content.decode()
    assert SeparationCase.objects.count() == 2
    assert get_user_model().objects.filter(pk=people["users"]["employee"].pk, is_active=True).exists()

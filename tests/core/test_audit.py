"""The audit log: what is recorded, who reads it, and that nobody can rewrite it."""

import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_failed_login_and_profile_view_appear_on_the_audit_page(people, client_for):
    Client().post(reverse("accounts:login"), {"username": "employee", "password": "nope"})
    target = people["employees"]["employee"]
    client_for("hr").get(reverse("employees:detail", args=[target.pk]))
    page = client_for("hr_admin").get(reverse("audit:list"))
    assert page.status_code == 200
    rows = page.text
    assert "登录失败" in rows  # failed sign-in
    assert "查看" in rows and target.name in rows  # the profile view
    view = AuditEntry.objects.get(event=AuditEvent.VIEW, object_pk=str(target.pk))
    assert view.actor == people["users"]["hr"]


def test_changes_record_before_and_after(people):
    emp = people["employees"]["employee"]
    emp.phone = "13912345678"
    emp.save()
    entry = AuditEntry.objects.filter(event=AuditEvent.UPDATE, object_pk=str(emp.pk)).latest("timestamp")
    assert entry.changes["phone"][1] == "13912345678"


def test_role_change_is_recorded(people):
    from django.contrib.auth.models import Group

    user = people["users"]["employee"]
    user.groups.add(Group.objects.get(name="manager"))
    entry = AuditEntry.objects.filter(event=AuditEvent.ROLE_CHANGE, object_pk=str(user.pk)).latest("timestamp")
    assert entry.changes["groups"]["objects"] == ["manager"]


def test_audit_rows_cannot_be_updated_or_deleted_in_the_database(people):
    entry = audit_record(event=AuditEvent.ACTION, obj=people["users"]["employee"], details={"n": 1})
    for statement in (
        "UPDATE audit_auditentry SET object_repr = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.object_repr != "tampered"


def test_audit_entry_cannot_be_saved_twice(people):
    entry = audit_record(event=AuditEvent.ACTION, obj=people["users"]["employee"])
    with pytest.raises(RuntimeError):
        entry.save()


def test_audit_filters_by_event(people, client_for):
    Client().post(reverse("accounts:login"), {"username": "ghost", "password": "x"})
    page = client_for("hr_admin").get(reverse("audit:list"), {"event": "login_failed"})
    assert "ghost" in page.text
    page = client_for("hr_admin").get(reverse("audit:list"), {"event": "export"})
    assert "ghost" not in page.text


def test_audit_export_is_excel_escaped_and_audited(people, client_for):
    Client().post(reverse("accounts:login"), {"username": "=HYPERLINK(1)", "password": "x"})
    response = client_for("hr_admin").get(reverse("audit:export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in values
    assert "=HYPERLINK(1)" not in values
    assert AuditEntry.objects.filter(event=AuditEvent.EXPORT, actor=people["users"]["hr_admin"]).exists()


def test_audit_page_query_count_does_not_grow_with_rows(people, client_for, django_assert_max_num_queries):
    client = client_for("hr_admin")
    client.get(reverse("audit:list"))  # warm caches (content types)
    for i in range(5):
        audit_record(event=AuditEvent.ACTION, obj=people["employees"]["employee"], details={"i": i})
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("audit:list"))
    for i in range(60):
        emp = people["employees"]["other_employee"]
        emp.phone = f"1390000{i:04d}"
        emp.save()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("audit:list"))

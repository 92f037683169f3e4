"""Employee pages: lists with search, filters, sorting and paging; the profile; create and
edit; reveal; export; documents; self-service; change requests; organisation."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from employees.choices import ChangeKind, EmployeeStatus, RequestStatus
from employees.models import ChangeRequest, Employee, EmployeeDocument
from hrsuite.audit.models import AuditEntry, AuditEvent
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def table_names(response):
    return (
        [e.name for e in response.context["table"].page.object_list.data]
        if False
        else [row.record.name for row in response.context["table"].page.object_list]
    )


def test_hr_list_shows_everyone_and_searches(client_for, people):
    client = client_for("hr")
    page = client.get(reverse("employees:list"))
    assert page.status_code == 200
    assert len(table_names(page)) == len(people["users"])
    target = people["employees"]["other_employee"]
    target.name = "欧阳娜娜"
    target.save()
    assert table_names(client.get(reverse("employees:list"), {"q": "欧阳"})) == [target.name]
    assert table_names(client.get(reverse("employees:list"), {"q": target.employee_no})) == [target.name]
    assert table_names(client.get(reverse("employees:list"), {"q": target.phone[:7]})) == [target.name]


def test_search_by_national_id_uses_the_blind_index(client_for, people):
    from employees.services import employee_save

    e = people["employees"]["employee"]
    e.national_id, e.birth_date, e.gender = VALID_ID, date(1949, 12, 31), "female"
    employee_save(employee=e)
    page = client_for("hr").get(reverse("employees:list"), {"q": VALID_ID.lower()})
    assert table_names(page) == [e.name]


def test_department_filter_includes_subtree(client_for, people, org):
    page = client_for("hr").get(reverse("employees:list"), {"department": org["a"].pk})
    assert set(table_names(page)) == {"manager", "employee", "teammember"}


def test_status_filter_and_sorting(client_for, people):
    other = people["employees"]["other_employee"]
    other.status = EmployeeStatus.LEAVING
    other.save()
    page = client_for("hr").get(reverse("employees:list"), {"status": "leaving"})
    assert table_names(page) == ["other"]
    page = client_for("hr").get(reverse("employees:list"), {"sort": "-name"})
    names = table_names(page)
    assert names == sorted(names, reverse=True)


def test_pagination(client_for, people, org):
    EmployeeFactory.create_batch(60, department=org["b"])
    client = client_for("hr")
    first = client.get(reverse("employees:list"))
    assert len(table_names(first)) == 50
    second = client.get(reverse("employees:list"), {"page": 2})
    assert len(table_names(second)) == 60 + len(people["users"]) - 50


def test_list_query_count_does_not_grow_with_rows(client_for, org, people, django_assert_max_num_queries):
    client = client_for("hr")
    EmployeeFactory.create_batch(5, department=org["b"])
    client.get(reverse("employees:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("employees:list"))
    EmployeeFactory.create_batch(80, department=org["b"], manager=people["employees"]["other_manager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("employees:list"), {"per_page": 50})


def test_manager_list_is_scoped(client_for, people):
    page = client_for("manager").get(reverse("employees:list"))
    assert set(table_names(page)) == {"manager", "employee", "teammember"}
    team = client_for("manager").get(reverse("employees:team"))
    assert set(table_names(team)) == {"employee", "teammember"}


def test_team_page_needs_manager_role(client_for):
    assert client_for("employee").get(reverse("employees:team")).status_code == 403
    assert client_for("hr").get(reverse("employees:team")).status_code == 403


def test_detail_is_audited_and_masks_secrets(client_for, people):
    from employees.services import employee_save

    e = people["employees"]["employee"]
    e.national_id, e.birth_date, e.gender = VALID_ID, date(1949, 12, 31), "female"
    e.bank_account = "6222021234567890123"
    employee_save(employee=e)
    page = client_for("hr").get(reverse("employees:detail", args=[e.pk]))
    assert page.status_code == 200
    assert VALID_ID not in page.text and "002X" in page.text
    assert "6222021234567890123" not in page.text and "0123" in page.text
    assert "no-store" in page["Cache-Control"]
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW, object_pk=str(e.pk), actor=people["users"]["hr"]).exists()


def test_manager_sees_team_profile_without_personal_data(client_for, people):
    from employees.services import employee_save

    e = people["employees"]["employee"]
    e.national_id, e.birth_date, e.gender = VALID_ID, date(1949, 12, 31), "female"
    employee_save(employee=e)
    page = client_for("manager").get(reverse("employees:detail", args=[e.pk]))
    assert page.status_code == 200
    assert "002X" not in page.text
    assert 'id="contracts"' not in page.text


def test_reveal_is_audited_and_limited(client_for, people):
    from employees.services import employee_save

    e = people["employees"]["employee"]
    e.national_id, e.birth_date, e.gender = VALID_ID, date(1949, 12, 31), "female"
    employee_save(employee=e)
    url = reverse("employees:reveal", args=[e.pk, "national_id"])
    assert client_for("manager").post(url).status_code == 403
    assert client_for("hr").get(url).status_code == 405
    response = client_for("hr").post(url)
    assert VALID_ID in response.text
    assert AuditEntry.objects.filter(event=AuditEvent.REVEAL, object_pk=str(e.pk)).count() == 1
    assert client_for("hr").post(reverse("employees:reveal", args=[e.pk, "name"])).status_code == 404


def test_create_with_errors_changes_nothing_then_succeeds(client_for, org):
    client = client_for("hr")
    data = {
        "employee_no": "N0001",
        "name": "张三",
        "gender": "female",
        "birth_date": "1990-01-01",
        "national_id": VALID_ID,  # belongs to someone born 1949-12-31
        "department": org["a"].pk,
        "employment_type": "full_time",
        "status": "active",
        "hire_date": "2020-01-01",
    }
    response = client.post(reverse("employees:create"), data)
    assert response.status_code == 200
    assert "出生日期与身份证号" in response.text or "does not match" in response.text
    assert not Employee.objects.filter(employee_no="N0001").exists()
    data["birth_date"] = "1949-12-31"
    response = client.post(reverse("employees:create"), data)
    assert response.status_code == 302
    created = Employee.objects.get(employee_no="N0001")
    assert created.national_id == VALID_ID


def test_create_refuses_duplicate_number_and_young_age(client_for, org, people):
    client = client_for("hr")
    data = {
        "employee_no": people["employees"]["employee"].employee_no,
        "name": "李四",
        "birth_date": "2012-01-01",
        "department": org["a"].pk,
        "employment_type": "full_time",
        "status": "active",
        "hire_date": "2026-01-01",
    }
    response = client.post(reverse("employees:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "employee_no" in errors and "birth_date" in errors


def test_edit_manager_loop_is_refused(client_for, people):
    manager = people["employees"]["manager"]
    client = client_for("hr")
    form = client.get(reverse("employees:edit", args=[manager.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"manager": people["employees"]["employee"].pk, "hire_date": "2020-01-01"})
    for k in ("birth_date", "leave_date"):
        data.pop(k, None)
    response = client.post(reverse("employees:edit", args=[manager.pk]), data)
    assert response.status_code == 200
    assert "manager" in response.context["form"].errors
    manager.refresh_from_db()
    assert manager.manager_id is None


def test_edit_keeps_secrets_when_left_empty(client_for, people):
    from employees.services import employee_save

    e = people["employees"]["employee"]
    e.bank_account = "6222021234567890123"
    employee_save(employee=e)
    client = client_for("hr")
    form = client.get(reverse("employees:edit", args=[e.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "") and k in form.fields}
    data["phone"] = "13912345678"
    response = client.post(reverse("employees:edit", args=[e.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    e.refresh_from_db()
    assert e.bank_account == "6222021234567890123" and e.phone == "13912345678"


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_only_hr_creates_and_edits(client_for, people, role):
    assert client_for(role).get(reverse("employees:create")).status_code == 403
    assert client_for(role).get(reverse("employees:edit", args=[people["employees"]["employee"].pk])).status_code in (
        403,
        404,
    )


def test_export_is_scoped_escaped_and_audited(client_for, people):
    e = people["employees"]["employee"]
    e.name = '=HYPERLINK("http://x")'
    e.save()
    response = client_for("manager").get(reverse("employees:export"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c.value for row in wb.active.iter_rows(min_row=2) for c in row]
    assert "'" + e.name in values
    names = {row[1].value for row in wb.active.iter_rows(min_row=2)}
    assert names == {"manager", "'" + e.name, "teammember"}  # only the manager's scope
    assert AuditEntry.objects.filter(event=AuditEvent.EXPORT, actor=people["users"]["manager"]).exists()


# --- documents ---------------------------------------------------------------------------


def upload(client, employee, name, content, kind="id_copy"):
    return client.post(
        reverse("employees:document_upload", args=[employee.pk]),
        {"kind": kind, "title": "", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_document_upload_and_authorised_download(client_for, people):
    e = people["employees"]["employee"]
    response = upload(client_for("hr"), e, "../../etc/身份证.pdf", PDF)
    assert response.status_code == 200
    doc = EmployeeDocument.objects.get(employee=e)
    assert doc.original_name == "身份证.pdf"
    assert "身份证" not in doc.file.name and ".." not in doc.file.name  # random storage name
    url = reverse("employees:document_download", args=[doc.pk])
    assert client_for("hr").get(url).status_code == 200
    assert client_for("employee").get(url).status_code == 200  # their own
    assert client_for("other_employee").get(url).status_code == 404
    assert client_for("manager").get(url).status_code == 404
    assert AuditEntry.objects.filter(event=AuditEvent.DOWNLOAD, object_pk=str(doc.pk)).count() == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.pdf", PNG), ("scan.exe", b"MZ" + b"\x00" * 100), ("scan.pdf", b""), ("notes.txt", b"hello")],
)
def test_bad_uploads_are_refused(client_for, people, name, content):
    response = upload(client_for("hr"), people["employees"]["employee"], name, content)
    assert EmployeeDocument.objects.count() == 0
    assert response.context["messages"]


def test_oversized_upload_is_refused(client_for, people, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(client_for("hr"), people["employees"]["employee"], "big.pdf", PDF + b"0" * 2048)
    assert EmployeeDocument.objects.count() == 0
    assert any("1.0" in str(m) or "KB" in str(m) for m in response.context["messages"])


def test_media_is_not_served_directly(client_for, settings):
    assert client_for("hr").get(settings.MEDIA_URL + "employee-documents/x.pdf").status_code == 404


# --- self-service ------------------------------------------------------------------------


def test_me_profile_shows_own_record_only(client_for, people):
    page = client_for("employee").get(reverse("selfservice:profile"))
    assert page.status_code == 200
    assert page.context["employee"] == people["employees"]["employee"]
    assert "no-store" in page["Cache-Control"]


def test_me_bank_change_request_flow(client_for, people):
    client = client_for("employee")
    response = client.post(
        reverse("selfservice:change_request", args=["bank"]),
        {
            "bank-kind": "bank",
            "bank-bank_name": "招商银行",
            "bank-bank_account": "6225 8812 3456 7890",
            "bank-bank_account_holder": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    req = ChangeRequest.objects.get(employee=people["employees"]["employee"], kind=ChangeKind.BANK)
    assert req.status == RequestStatus.PENDING
    hr = client_for("hr")
    assert "7890" in hr.get(reverse("employees:requests")).text
    hr.post(reverse("employees:request_approve", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    e = Employee.objects.get(pk=people["employees"]["employee"].pk)
    assert e.bank_account == "6225881234567890"


def test_me_change_request_bad_input_is_reported(client_for, people):
    response = client_for("employee").post(
        reverse("selfservice:change_request", args=["contact"]),
        {"contact-kind": "contact", "contact-phone": "123", "contact-address": ""},
        follow=True,
    )
    assert ChangeRequest.objects.count() == 0
    assert any("11" in str(m) for m in response.context["messages"])


def test_employee_cannot_reach_hr_request_queue(client_for):
    assert client_for("employee").get(reverse("employees:requests")).status_code == 403


def test_cannot_cancel_someone_elses_request(client_for, people):
    from employees.services import change_request_submit

    req = change_request_submit(
        employee=people["employees"]["other_employee"], kind=ChangeKind.CONTACT, values={"phone": "13911112222"}
    )
    assert client_for("employee").post(reverse("selfservice:cancel_request", args=[req.pk])).status_code == 404
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING


# --- organisation ------------------------------------------------------------------------


def test_org_chart_rolls_up_headcount(client_for, org, people):
    page = client_for("hr").get(reverse("employees:org"))
    rows = {d.code: d for d in page.context["departments"]}
    assert rows["A"].headcount == 2 and rows["A"].total == 3  # manager, employee + teammember in A1
    assert rows["HQ"].total == len(people["users"])


def test_department_cannot_move_under_its_own_child(client_for, org):
    response = client_for("hr").post(
        reverse("employees:department_edit", args=[org["a"].pk]),
        {"name": org["a"].name, "code": org["a"].code, "kind": "department", "parent": org["a_team"].pk},
    )
    assert response.status_code == 200
    org["a"].refresh_from_db()
    assert org["a"].parent == org["hq"]


def test_reference_lists_and_edit(client_for):
    client = client_for("hr")
    response = client.post(
        reverse("employees:reference_create", args=["grades"]), {"code": "P9", "name": "专家", "level": 9}
    )
    assert response.status_code == 302
    assert "P9" in client.get(reverse("employees:reference_list", args=["grades"]), {"q": "P9"}).text
    assert client_for("employee").get(reverse("employees:reference_list", args=["grades"])).status_code == 403
    assert client.get(reverse("employees:reference_list", args=["nope"])).status_code == 404

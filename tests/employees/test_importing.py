"""Excel import of employees: parsing and validation, writing, the template, the views."""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from employees import importing
from employees.models import Department, Employee, Grade, Location, Position
from employees.validators import id_check_character
from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.crypto import blind_index
from hrsuite.excel import XLSX_CONTENT_TYPE

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # born 1949-12-31, female
TODAY = date(2025, 6, 1)
FIELDS = [c.field for c in importing.COLUMNS]


def national_id(birth: date, seq: int) -> str:
    """A valid ID number; an odd `seq` is a man, an even one a woman."""
    first17 = f"110105{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_character(first17)


def row(no: str, **values) -> dict:
    return {"employee_no": no, "name": f"员工{no}", "department": "A", "hire_date": date(2022, 1, 1), **values}


def workbook(rows: list[dict], *, fields=None, headers=None, language="zh-hans") -> bytes:
    """An xlsx in memory: a header row (in `language`) and one row per dict."""
    if fields is None:
        used = set().union(*(r.keys() for r in rows)) if rows else set()
        fields = [f for f in FIELDS if f in used or importing.COLUMN_BY_FIELD[f].required]
    headers = headers or [importing.COLUMN_BY_FIELD[f].header(language) for f in fields]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for r in rows:
        ws.append([r.get(f) for f in fields])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse(content: bytes, name="employees.xlsx") -> importing.ImportPlan:
    return importing.parse_and_validate(io.BytesIO(content), today=TODAY, filename=name)


def errors_of(plan) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in plan.errors]


def upload(client, content: bytes, name="employees.xlsx"):
    return client.post(
        reverse("employees:import"), {"file": SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)}
    )


@pytest.fixture
def refs(org):
    return {
        "position": Position.objects.create(code="P1", title="工程师", role_family="technology"),
        "grade": Grade.objects.create(code="G1", name="一级", level=1),
        "location": Location.objects.create(name="北京总部", city="北京"),
    }


# ---------------------------------------------------------------------------------------------
# a full import through the pages


def test_valid_file_creates_and_updates_employees(client_for, people, refs, org):
    existing = people["employees"]["employee"]
    old_name, old_hire = existing.name, existing.hire_date
    manager = people["employees"]["manager"]
    new_id = national_id(date(1990, 5, 17), 123)  # odd: male
    content = workbook(
        [
            row(
                "N001",
                name="王小明",
                gender="男",
                birth_date=date(1990, 5, 17),
                national_id=new_id,
                phone="13812345678",
                email="wxm@example.cn",
                address="上海市浦东新区",
                department="B",
                position="P1",
                grade="G1",
                location="北京总部",
                manager=manager.employee_no,
                hire_date="2023-04-01",
                employment_type="全职",
                status="试用期",
                education_level="硕士",
                school="复旦大学",
                major="金融",
                graduation_year=2015,
                bank_name="招商银行",
                bank_account="6225880212345678",
                bank_account_holder="王小明",
                emergency_contact_name="王大明",
                emergency_contact_relation="父亲",
                emergency_contact_phone="13900001111",
            ),
            row("N002", name="李四", manager="N001", hire_date=date(2024, 1, 2)),  # manager in the same file
            {
                "employee_no": existing.employee_no,
                "name": existing.name,
                "department": "A",
                "hire_date": existing.hire_date,
                "phone": "13700000000",
                "position": "P1",
                "national_id": VALID_ID,
            },
        ]
    )
    client = client_for("hr")
    response = upload(client, content)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.errors == [] and plan.creates == 2 and plan.updates == 1
    token = response.context["token"]
    stored = client.session["employee_imports"][token]["path"]
    assert default_storage.exists(stored)

    response = client.post(reverse("employees:import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("employees:list")
    assert not default_storage.exists(stored)

    new = Employee.objects.select_related("manager").get(employee_no="N001")
    assert (new.name, new.gender, new.birth_date) == ("王小明", "male", date(1990, 5, 17))
    assert new.national_id == new_id
    assert new.national_id_hash == blind_index(new_id, purpose="national_id")
    assert new.national_id_last4 == new_id[-4:]
    assert (new.phone, new.email, new.address) == ("13812345678", "wxm@example.cn", "上海市浦东新区")
    assert new.department == org["b"] and new.position == refs["position"] and new.grade == refs["grade"]
    assert new.location == refs["location"] and new.manager == manager
    assert new.hire_date == date(2023, 4, 1)
    assert (new.employment_type, new.status, new.education_level) == ("full_time", "probation", "master")
    assert (new.school, new.major, new.graduation_year) == ("复旦大学", "金融", 2015)
    assert new.bank_account == "6225880212345678"
    assert new.bank_account_hash == blind_index("6225880212345678", purpose="bank_account")
    assert new.bank_account_changed_at is not None
    assert (new.emergency_contact_name, new.emergency_contact_relation, new.emergency_contact_phone) == (
        "王大明",
        "父亲",
        "13900001111",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM employees_employee WHERE id=%s", [new.pk])
        assert cursor.fetchone()[0].startswith("gAAAA")  # encrypted at rest

    second = Employee.objects.get(employee_no="N002")
    assert second.manager_id == new.pk
    assert (second.status, second.employment_type) == ("active", "full_time")  # defaults

    existing.refresh_from_db()
    assert existing.phone == "13700000000" and existing.position == refs["position"]
    assert existing.national_id == VALID_ID
    assert existing.national_id_hash == blind_index(VALID_ID, purpose="national_id")
    assert (existing.name, existing.hire_date, existing.department) == (old_name, old_hire, org["a"])
    assert existing.manager == manager  # blank column: unchanged


def test_blank_birth_date_and_gender_of_a_new_employee_come_from_the_id(org):
    plan = parse(workbook([row("N1", national_id=VALID_ID)]))
    assert plan.is_valid
    assert plan.rows[0].values["birth_date"] == date(1949, 12, 31)
    assert plan.rows[0].values["gender"] == "female"


def test_large_file_with_one_bad_cell_reports_exactly_that_cell_and_writes_nothing(client_for, people, org):
    rows = [
        row(f"B{i:05d}", national_id=national_id(date(1980, 1, 1) + timedelta(days=i), i), phone=f"139{i:08d}")
        for i in range(5000)
    ]
    rows[3000]["phone"] = "12345"  # Excel row 3002 (row 1 is the header)
    before = Employee.objects.count()
    response = upload(client_for("hr"), workbook(rows))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.row_count == 5000
    assert errors_of(plan) == [(3002, "手机号码")]
    assert response.context["token"] == ""
    assert b"import-confirm" not in response.content
    assert Employee.objects.count() == before
    assert not default_storage.exists("imports")


def test_a_file_that_is_not_excel_is_refused(client_for, people):
    fake = b"employee_no,name\nE1,Zhang San\n"
    plan = parse(fake)
    assert plan.file_error and not plan.rows
    before = Employee.objects.count()
    response = upload(client_for("hr"), fake)
    assert response.status_code == 200
    assert "import_preview" not in [t.name for t in response.templates]
    assert response.context["form"].errors["file"]
    assert Employee.objects.count() == before


def test_a_damaged_zip_named_xlsx_is_refused(org):
    plan = parse(b"PK\x03\x04" + b"\x00" * 200)
    assert plan.file_error


def test_missing_required_columns_are_named(org):
    content = workbook([{"employee_no": "E1", "name": "张三"}], fields=["employee_no", "name"])
    plan = parse(content)
    assert "部门编码" in plan.file_error and "入职日期" in plan.file_error
    assert plan.rows == [] and plan.errors == []
    with translation.override("en"):
        plan = parse(content)
    assert "Department code" in plan.file_error and "Hire date" in plan.file_error


def test_empty_sheet_and_header_only_are_refused(org):
    assert parse(workbook([], fields=[], headers=[])).file_error
    assert parse(workbook([], fields=["employee_no", "name", "department", "hire_date"])).file_error


def test_headers_in_english_in_any_order_with_spaces(org):
    headers = ["  Hire date ", "Department code", "Name", " Employee no.", "Gender", "Something else"]
    content = workbook(
        [{"employee_no": "E1", "name": "张三", "department": "A", "hire_date": date(2022, 1, 1), "gender": "Male"}],
        fields=["hire_date", "department", "name", "employee_no", "gender", "other"],
        headers=headers,
    )
    plan = parse(content)
    assert plan.is_valid, plan.errors
    assert plan.rows[0].values["gender"] == "male"
    assert plan.ignored_headers == ["Something else"]


def test_duplicate_employee_number_within_the_file(org):
    plan = parse(workbook([row("E1"), row("E2"), row("E1")]))
    assert errors_of(plan) == [(4, "工号")]
    with translation.override("en"):
        plan = parse(workbook([row("E1"), row("E2"), row("E1")]))
    assert "row 2" in plan.errors[0].message
    assert plan.errors[0].column == "Employee no."


def test_duplicate_national_id_against_the_database(people):
    owner = people["employees"]["other_employee"]
    owner.national_id = VALID_ID
    owner.save()
    with translation.override("en"):
        plan = parse(workbook([row("E1", national_id=VALID_ID)]))
    assert errors_of(plan) == [(2, "National ID number")]
    assert owner.employee_no in plan.errors[0].message
    # the owner's own row may carry their own number
    plan = parse(workbook([row(owner.employee_no, national_id=VALID_ID, department="B")]))
    assert plan.is_valid, plan.errors


def test_duplicate_national_id_within_the_file(org):
    plan = parse(workbook([row("E1", national_id=VALID_ID), row("E2", national_id=VALID_ID)]))
    assert errors_of(plan) == [(3, "身份证号")]


def test_invalid_id_checksum(org):
    with translation.override("en"):
        plan = parse(workbook([row("E1", national_id="110105194912310021")]))
    assert errors_of(plan) == [(2, "National ID number")]
    assert "check character" in plan.errors[0].message


def test_id_number_must_match_birth_date_and_gender(org):
    plan = parse(workbook([row("E1", national_id=VALID_ID, birth_date=date(1950, 1, 1), gender="男")]))
    assert errors_of(plan) == [(2, "性别"), (2, "出生日期")]


def test_a_manager_loop_in_the_file_is_refused(org):
    rows = [row("A", manager="B"), row("B", manager="A"), row("C", manager="A")]
    plan = parse(workbook(rows))
    assert errors_of(plan) == [(2, "直属上级工号"), (3, "直属上级工号")]


def test_a_manager_loop_through_the_database_is_refused(people):
    manager = people["employees"]["manager"]
    employee = people["employees"]["employee"]  # reports to manager
    plan = parse(workbook([row(manager.employee_no, manager=employee.employee_no)]))
    assert errors_of(plan) == [(2, "直属上级工号")]


def test_unknown_manager_and_own_manager(org):
    plan = parse(workbook([row("E1", manager="NOPE"), row("E2", manager="E2")]))
    assert errors_of(plan) == [(2, "直属上级工号"), (3, "直属上级工号")]


def test_someone_younger_than_16_is_refused(org):
    young = date(TODAY.year - 15, 1, 1)
    plan = parse(workbook([row("E1", birth_date=young, hire_date=TODAY)]))
    assert errors_of(plan) == [(2, "出生日期")]


def test_choice_columns_accept_codes_and_chinese_and_english_labels(org):
    rows = [
        row("E1", gender="男", employment_type="全职", status="试用期", education_level="硕士"),
        row("E2", gender="Female", employment_type="Part-time", status="Active", education_level="Master's degree"),
        row("E3", gender="male", employment_type="intern", status="leaving", education_level="doctorate"),
    ]
    plan = parse(workbook(rows))
    assert plan.is_valid, plan.errors
    got = [tuple(r.values[f] for f in ("gender", "employment_type", "status", "education_level")) for r in plan.rows]
    assert got == [
        ("male", "full_time", "probation", "master"),
        ("female", "part_time", "active", "master"),
        ("male", "intern", "leaving", "doctorate"),
    ]
    plan = parse(workbook([row("E4", gender="不知道")]))
    assert errors_of(plan) == [(2, "性别")]


def test_bad_references_dates_and_values_are_each_reported(org):
    rows = [
        row(
            "E1",
            department="NOPE",
            hire_date="2024-13-01",
            email="not-an-email",
            graduation_year="20x5",
            bank_account="12ab",
        ),
        row("E2", position="NOPE", grade="NOPE", location="火星"),
        {"employee_no": "E3", "name": "", "department": "A", "hire_date": date(2022, 1, 1)},
    ]
    plan = parse(workbook(rows))
    assert errors_of(plan) == [
        (2, "电子邮箱"),
        (2, "部门编码"),
        (2, "入职日期"),
        (2, "毕业年份"),
        (2, "银行账号"),
        (3, "岗位编码"),
        (3, "职级编码"),
        (3, "工作地点"),
        (4, "姓名"),
    ]
    assert not plan.is_valid


def test_dates_as_excel_dates_or_text(org):
    plan = parse(workbook([row("E1", hire_date="2023-02-03"), row("E2", hire_date=date(2023, 2, 3))]))
    assert [r.values["hire_date"] for r in plan.rows] == [date(2023, 2, 3), date(2023, 2, 3)]


def test_numbers_typed_into_text_columns_are_read_as_text(org):
    plan = parse(workbook([row(1001, phone=13812345678)]))
    assert plan.is_valid, plan.errors
    assert plan.rows[0].employee_no == "1001" and plan.rows[0].values["phone"] == "13812345678"


def test_errors_name_the_column_in_the_users_language(client_for, people):
    client = client_for("hr")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = upload(client, workbook([row("E1", phone="12345")]))
    assert response.context["plan"].errors[0].column == "Mobile phone"
    assert "11-digit" in response.content.decode()


def test_preview_shows_at_most_500_errors_with_the_total(client_for, people):
    rows = [row(f"E{i}", phone="1") for i in range(600)]
    response = upload(client_for("hr"), workbook(rows))
    assert len(response.context["errors"]) == 500
    assert response.context["errors_hidden"] == 100
    assert "600" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# writing


def test_apply_is_all_or_nothing(people, monkeypatch):
    plan = parse(workbook([row("E1"), row("E2")]))
    assert plan.is_valid

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_audit_rows", boom)
    before = Employee.objects.count()
    with pytest.raises(RuntimeError):
        importing.apply_plan(plan, actor=people["users"]["hr"])
    assert Employee.objects.count() == before


def test_import_is_audited(client_for, people):
    existing = people["employees"]["other_employee"]
    content = workbook(
        [
            row("E1", national_id=VALID_ID),
            {
                "employee_no": existing.employee_no,
                "name": "新名字",
                "department": "B",
                "hire_date": existing.hire_date,
                "bank_account": "6222021234567890123",
            },
        ]
    )
    client = client_for("hr")
    token = upload(client, content).context["token"]
    client.post(reverse("employees:import_confirm"), {"token": token})

    summary = AuditEntry.objects.get(event=AuditEvent.ACTION)
    assert summary.actor == people["users"]["hr"]
    assert summary.details["file"] == "employees.xlsx"
    assert len(summary.details["sha256"]) == 64
    assert (summary.details["created"], summary.details["updated"]) == (1, 1)

    new = Employee.objects.get(employee_no="E1")
    created = AuditEntry.objects.get(event=AuditEvent.CREATE, object_pk=str(new.pk))
    assert created.changes["name"] == [None, "员工E1"]
    assert created.actor == people["users"]["hr"]

    changed = AuditEntry.objects.get(event=AuditEvent.UPDATE, object_pk=str(existing.pk))
    assert changed.action == AuditEntry.Action.UPDATE
    assert changed.changes["name"] == [existing.name, "新名字"]
    assert changed.changes["bank_account"][1].endswith("0123")
    assert changed.additional_data == {"import_entry": summary.pk}
    text = json.dumps(list(AuditEntry.objects.values("changes", "additional_data")), ensure_ascii=False)
    assert VALID_ID not in text and "6222021234567890123" not in text


def test_unchanged_rows_are_not_written_or_audited(people):
    existing = people["employees"]["other_employee"]
    plan = parse(
        workbook(
            [
                {
                    "employee_no": existing.employee_no,
                    "name": existing.name,
                    "department": "B",
                    "hire_date": existing.hire_date,
                }
            ]
        )
    )
    stamp = existing.updated_at
    summary = importing.apply_plan(plan, actor=people["users"]["hr"])
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    existing.refresh_from_db()
    assert existing.updated_at == stamp
    assert not AuditEntry.objects.filter(event=AuditEvent.UPDATE, object_pk=str(existing.pk)).exists()


# ---------------------------------------------------------------------------------------------
# the template


def test_template_downloads_with_example_row_and_drop_downs(client_for, people, refs):
    response = client_for("hr").get(reverse("employees:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    wb = load_workbook(io.BytesIO(response.content))
    sheet, codes = wb.worksheets
    headers = [c.value for c in sheet[1]]
    assert headers == [c.header("zh-hans") for c in importing.COLUMNS]
    example = {importing.COLUMNS[i].field: c.value for i, c in enumerate(sheet[2])}
    assert example["national_id"] == VALID_ID and example["gender"] == "女"
    ranges = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    gender_col = FIELDS.index("gender") + 1
    letter = sheet.cell(row=1, column=gender_col).column_letter
    assert ranges[f"{letter}2:{letter}5001"] == '"男,女"'
    assert len(ranges) == 8  # four choice columns and four code columns
    listed = {c.value for c in codes["A"][1:]}
    assert {"HQ", "A", "A1", "B"} <= listed
    assert codes["D2"].value == "P1" and codes["G2"].value == "G1" and codes["J2"].value == "北京总部"


def test_template_in_english(client_for, people):
    client = client_for("hr_admin")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    wb = load_workbook(io.BytesIO(client.get(reverse("employees:import_template")).content))
    assert [c.value for c in wb.worksheets[0][1]] == [c.header("en") for c in importing.COLUMNS]
    assert wb.worksheets[0]["C2"].value == "Female"


def test_the_templates_example_row_imports_cleanly(client_for, people, refs):
    content = client_for("hr").get(reverse("employees:import_template")).content
    plan = parse(content, name="template.xlsx")
    assert plan.errors == [] and plan.file_error == ""
    assert plan.creates == 1 and plan.ignored_headers == []
    values = plan.rows[0].values
    assert values["national_id"] == VALID_ID and values["department"] and values["position"] == refs["position"].pk


# ---------------------------------------------------------------------------------------------
# permissions and the one-time token


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_only_hr_may_import(client_for, role):
    client = client_for(role)
    assert client.get(reverse("employees:import")).status_code == 403
    assert client.get(reverse("employees:import_template")).status_code == 403
    assert client.post(reverse("employees:import_confirm"), {"token": "x"}).status_code == 403
    assert upload(client, workbook([row("E1")])).status_code == 403


@pytest.mark.parametrize("role", ["hr", "hr_admin"])
def test_hr_opens_the_import_pages(client_for, role):
    client = client_for(role)
    page = client.get(reverse("employees:import"))
    assert page.status_code == 200
    assert reverse("employees:import_template") in page.content.decode()
    assert client.get(reverse("employees:import_template")).status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    login = reverse("accounts:login")
    for response in (
        client.get(reverse("employees:import")),
        client.get(reverse("employees:import_template")),
        client.post(reverse("employees:import_confirm"), {"token": "x"}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(login)


def test_confirm_with_a_bad_token_changes_nothing(client_for, people):
    client = client_for("hr")
    before = Employee.objects.count()
    response = client.post(reverse("employees:import_confirm"), {"token": "forged"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("employees:import")
    assert len(list(response.context["messages"])) == 1
    assert Employee.objects.count() == before
    assert client.get(reverse("employees:import_confirm")).status_code == 405


def test_a_token_works_once_and_only_in_its_own_session(client_for, people):
    hr = client_for("hr")
    token = upload(hr, workbook([row("E1")])).context["token"]
    other = client_for("hr_admin")
    other.post(reverse("employees:import_confirm"), {"token": token})
    assert not Employee.objects.filter(employee_no="E1").exists()
    hr.post(reverse("employees:import_confirm"), {"token": token})
    assert Employee.objects.filter(employee_no="E1").count() == 1
    response = hr.post(reverse("employees:import_confirm"), {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("employees:import")


def test_confirm_rechecks_the_file_against_current_data(client_for, people):
    client = client_for("hr")
    token = upload(client, workbook([row("E1")])).context["token"]
    Department.objects.filter(code="A").update(code="A-OLD")  # meanwhile, the code changes
    response = client.post(reverse("employees:import_confirm"), {"token": token})
    assert response.status_code == 200
    assert errors_of(response.context["plan"]) == [(2, "部门编码")]
    assert not Employee.objects.filter(employee_no="E1").exists()


def test_expired_token_is_refused(client_for, people, monkeypatch):
    client = client_for("hr")
    token = upload(client, workbook([row("E1")])).context["token"]
    real = timezone.now().timestamp()
    monkeypatch.setattr("employees.views.importing.time.time", lambda: real + 2 * 60 * 60)
    client.post(reverse("employees:import_confirm"), {"token": token})
    assert not Employee.objects.filter(employee_no="E1").exists()


def test_an_id_number_that_excel_turned_into_a_number_gets_a_specific_message(org):
    with translation.override("en"):
        plan = parse(workbook([row("E1", national_id=110105194912310020.0)]))
    assert errors_of(plan) == [(2, "National ID number")]
    assert "lost its last digits" in plan.errors[0].message


def test_queries_do_not_grow_with_rows(people, django_assert_max_num_queries):
    existing = [people["employees"][k] for k in ("employee", "other_employee", "team_member")]
    rows = [
        row(f"Q{i:03d}", manager="Q000" if i else None, national_id=national_id(date(1985, 1, 1), i))
        for i in range(300)
    ]
    rows += [
        {
            "employee_no": e.employee_no,
            "name": e.name,
            "department": "B",
            "hire_date": e.hire_date,
            "birth_date": date(1980, 1, 1),
        }
        for e in existing
    ]
    content = workbook(rows)
    with django_assert_max_num_queries(8):
        plan = parse(content)
    assert plan.is_valid and (plan.creates, plan.updates) == (300, 3)
    with django_assert_max_num_queries(12):
        summary = importing.apply_plan(plan, actor=people["users"]["hr"])
    assert (summary.created, summary.updated) == (300, 3)
    assert Employee.objects.filter(manager__employee_no="Q000").count() == 299

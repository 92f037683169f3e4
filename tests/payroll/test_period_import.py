"""Excel import of a month's period inputs: the template, the dry-run check with every problem
by row and column, and the all-or-nothing, audited write."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from employees.models import Employee
from employees.selectors import employees_visible_to
from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.excel import XLSX_CONTENT_TYPE
from payroll import importing
from payroll.models import InputDefinition, PeriodInput

pytestmark = pytest.mark.django_db
D = Decimal
MAY = date(2025, 5, 1)


@pytest.fixture(autouse=True)
def hired_long_ago(db, request):
    """The `people` fixture's hire dates are random; everyone here was paid in 2025."""
    if "people" in request.fixturenames:
        request.getfixturevalue("people")
        Employee.objects.update(hire_date=date(2020, 1, 1))


@pytest.fixture
def inputs(db):
    """Hours, a rate and an amount (the conftest's `structure` may have made the last two already)."""

    def define(code, name, kind, default="0"):
        return InputDefinition.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "default": D(default)}
        )[0]

    return {
        "hours": define("加班小时", "加班（小时）", "hours"),
        "rate": define("绩效系数", "绩效系数", "rate", "1"),
        "sales": define("销售额", "销售额", "amount"),
    }


def workbook(rows: list[list], headers=("工号", "姓名", "加班（小时）", "绩效系数"), title="2025-05") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse(content: bytes, user, period=MAY) -> importing.ImportPlan:
    return importing.parse_and_validate(
        io.BytesIO(content), period=period, employees=employees_visible_to(user), filename="inputs.xlsx"
    )


def errors_of(plan) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in plan.errors]


def upload(client, content: bytes, month="2025-05", name="inputs.xlsx"):
    return client.post(
        reverse("payroll:period_inputs_import"),
        {"period": month, "file": SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)},
    )


def person(people, role="employee"):
    e = people["employees"][role]
    return e.employee_no, e.name


# ---------------------------------------------------------------------------------------------
# through the pages


def test_valid_file_is_checked_then_written_and_audited(client_for, people, inputs):
    employee, other = people["employees"]["employee"], people["employees"]["other_employee"]
    PeriodInput.objects.create(employee=employee, period=MAY, definition=inputs["hours"], value=D("4"))
    PeriodInput.objects.create(employee=other, period=MAY, definition=inputs["rate"], value=D("1.2"))
    content = workbook(
        [
            [employee.employee_no, employee.name, 12.5, 0.8],  # hours changed, rate new
            [other.employee_no, None, None, "1.2"],  # blank hours: unchanged; rate equal: not written
        ]
    )
    client = client_for("payroll")
    response = upload(client, content)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.errors == [] and (plan.new_values, plan.changed_values, plan.unchanged_values) == (1, 1, 1)
    assert plan.blank_cells == 1
    token = response.context["token"]
    stored = client.session["period_input_imports"][token]["path"]
    assert default_storage.exists(stored)
    assert PeriodInput.objects.get(employee=employee, definition=inputs["hours"]).value == D("4")  # not yet

    response = client.post(reverse("payroll:period_inputs_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("payroll:period_inputs") + "?month=2025-05"
    assert not default_storage.exists(stored)
    values = {(p.employee_id, p.definition.code): (p.value, p.source) for p in PeriodInput.objects.all()}
    assert values == {
        (employee.pk, "加班小时"): (D("12.5"), "import"),
        (employee.pk, "绩效系数"): (D("0.8"), "import"),
        (other.pk, "绩效系数"): (D("1.2"), ""),  # equal: left as it was
    }
    entries = AuditEntry.objects.filter(event=AuditEvent.ACTION, additional_data__action="period_input_import")
    assert entries.count() == 1
    details = entries.get().additional_data
    assert details["period"] == "2025-05" and (details["new"], details["changed"], details["unchanged"]) == (1, 1, 1)
    assert entries.get().actor == people["users"]["payroll"]


def test_blank_cell_leaves_the_stored_value(people, inputs):
    employee = people["employees"]["employee"]
    PeriodInput.objects.create(employee=employee, period=MAY, definition=inputs["hours"], value=D("6"))
    plan = parse(workbook([[employee.employee_no, "", "", 1]]), people["users"]["payroll"])
    assert plan.is_valid and plan.blank_cells == 1
    importing.apply_plan(plan, actor=people["users"]["payroll"])
    assert PeriodInput.objects.get(employee=employee, definition=inputs["hours"]).value == D("6")
    assert PeriodInput.objects.get(employee=employee, definition=inputs["rate"]).value == D("1")


def test_large_file_with_one_bad_cell_reports_exactly_that_cell_and_writes_nothing(client_for, people, org, inputs):
    Employee.objects.bulk_create(
        [
            Employee(employee_no=f"B{i:05d}", name=f"员工{i}", department=org["b"], hire_date=date(2020, 1, 1))
            for i in range(3000)
        ]
    )
    rows = [[f"B{i:05d}", f"员工{i}", i % 20, 1] for i in range(3000)]
    rows[2345][3] = 80  # Excel row 2347 (row 1 is the header): a percentage typed into a rate
    response = upload(client_for("payroll"), workbook(rows))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.row_count == 3000
    assert errors_of(plan) == [(2347, "绩效系数")]
    assert "80" in plan.errors[0].message
    assert response.context["token"] == ""
    assert b"import-confirm" not in response.content
    assert 'data-row="2347"' in response.text
    assert not PeriodInput.objects.exists()
    assert not default_storage.exists("imports")


def test_unknown_employee_and_name_not_matching_the_number(people, inputs):
    number, name = person(people)
    plan = parse(
        workbook([["NOPE1", "张三", 1, 1], [number, "李四", 1, 1], [number.lower(), name, 1, 1]]),
        people["users"]["payroll"],
    )
    assert errors_of(plan) == [(2, "工号"), (3, "姓名"), (4, "工号")]
    assert plan.errors[0].message == "没有工号为 NOPE1 的员工。"  # messages are in the default language
    assert "姓名“李四”与工号" in plan.errors[1].message and name in plan.errors[1].message
    assert not plan.is_valid


def test_each_bad_value_is_reported_with_its_row_and_column(people, inputs):
    number, name = person(people)
    other, other_name = person(people, "other_employee")
    with translation.override("en"):
        plan = parse(
            workbook([[number, name, -2, "abc"], [other, other_name, "3天", 12], [other, "", 1, 0.5]]),
            people["users"]["payroll"],
        )
    assert errors_of(plan) == [
        (2, "加班（小时）"),
        (2, "绩效系数"),
        (3, "加班（小时）"),
        (3, "绩效系数"),
        (4, "Employee no."),
    ]
    messages = [e.message for e in plan.errors]
    assert messages[0] == "Hours cannot be negative."
    assert messages[1] == "“abc” is not a number."
    assert "looks like a percentage" in messages[3]
    assert "also in row 3" in messages[4]


def test_percentage_typed_as_80_is_flagged_and_80_percent_sign_is_read(people, inputs):
    number, name = person(people)
    plan = parse(workbook([[number, name, None, 80]]), people["users"]["payroll"])
    assert errors_of(plan) == [(2, "绩效系数")]
    assert "80 不是有效的比例" in plan.errors[0].message and "0.8，而不是 80" in plan.errors[0].message
    plan = parse(workbook([[number, name, None, "80%"]]), people["users"]["payroll"])
    assert plan.is_valid and plan.writes == {(people["employees"]["employee"].pk, inputs["rate"].pk): D("0.8")}


def test_a_finalised_month_is_refused_for_that_employee(people, assignments, run_factory, inputs):
    run_factory(date(2025, 3, 1), finalize=True)
    employee = people["employees"]["employee"]
    plan = parse(
        workbook([[employee.employee_no, employee.name, 3, None]]), people["users"]["payroll"], period=date(2025, 3, 1)
    )
    assert errors_of(plan) == [(2, "工号")]
    assert plan.errors[0].message.startswith("该员工 2025-03 的薪资已定稿")
    april = parse(
        workbook([[employee.employee_no, employee.name, 3, None]]), people["users"]["payroll"], period=date(2025, 4, 1)
    )
    assert april.is_valid


def test_a_file_that_is_not_excel_is_refused(client_for, people, inputs):
    fake = b"\xe5\xb7\xa5\xe5\x8f\xb7,\xe5\xa7\x93\xe5\x90\x8d\nE1,Zhang San\n"
    plan = parse(fake, people["users"]["payroll"])
    assert plan.file_error and not plan.rows
    response = upload(client_for("payroll"), fake, name="inputs.csv")
    assert response.status_code == 200
    assert "payroll/people/import_preview.html" not in [t.name for t in response.templates]
    assert response.context["form"].errors["file"]
    damaged = parse(b"PK\x03\x04" + b"\x00" * 200, people["users"]["payroll"])
    assert damaged.file_error
    assert not PeriodInput.objects.exists()


def test_missing_employee_number_column_is_named(people, inputs):
    plan = parse(workbook([["张三", 1]], headers=("姓名", "绩效系数")), people["users"]["payroll"])
    assert "工号" in plan.file_error and plan.rows == []
    with translation.override("en"):
        plan = parse(workbook([["张三", 1]], headers=("姓名", "绩效系数")), people["users"]["payroll"])
    assert "Employee no." in plan.file_error


def test_no_input_column_empty_sheet_and_header_only(people, inputs):
    number, name = person(people)
    assert (
        "没有任何一列的表头"
        in parse(workbook([[number, name]], headers=("工号", "姓名")), people["users"]["payroll"]).file_error
    )
    assert parse(workbook([], headers=()), people["users"]["payroll"]).file_error
    with translation.override("en"):
        assert "no employee rows" in parse(workbook([]), people["users"]["payroll"]).file_error


def test_headers_by_code_in_english_in_any_order_and_unknown_ones_ignored(people, inputs):
    number, _name = person(people)
    content = workbook([[0.9, "x", number, 100000]], headers=("绩效系数", "备注", "Employee no.", "销售额"))
    plan = parse(content, people["users"]["payroll"])
    assert plan.is_valid and plan.ignored_headers == ["备注"]
    assert [d.code for d in plan.definitions] == ["绩效系数", "销售额"]
    employee_id = people["employees"]["employee"].pk
    assert plan.writes == {(employee_id, inputs["rate"].pk): D("0.9"), (employee_id, inputs["sales"].pk): D("100000")}


def test_full_width_headers_are_accepted(people, inputs):
    """Headers typed with a Chinese input method's full-width letters, digits, spaces and brackets
    match as their plain forms (NFKC), as in the other imports."""
    number, name = person(people)
    content = workbook(
        [[number, name, 2, 0.9]], headers=("Ｅｍｐｌｏｙｅｅ　ｎｏ．", "姓名", "加班(小时)", "绩效系数＊")
    )
    plan = parse(content, people["users"]["payroll"])
    assert plan.file_error == "" and plan.errors == [] and plan.ignored_headers == []
    assert [d.code for d in plan.definitions] == ["加班小时", "绩效系数"]
    employee_id = people["employees"]["employee"].pk
    assert plan.writes == {(employee_id, inputs["hours"].pk): D("2"), (employee_id, inputs["rate"].pk): D("0.9")}


def test_the_unpacking_budget_is_sized_by_the_input_columns(people, inputs, monkeypatch):
    """A period-input file has one column per active input definition (40 and more at some
    companies): the workbook check is given that width, not a fixed one."""
    from hrsuite import sheets
    from payroll.selectors_people import active_definitions

    seen = []
    original = sheets.check_unpacked

    def spy(fileobj, **kwargs):
        seen.append(kwargs)
        return original(fileobj, **kwargs)

    monkeypatch.setattr(sheets, "check_unpacked", spy)
    number, name = person(people)
    plan = parse(workbook([[number, name, 1, 1]]), people["users"]["payroll"])
    assert plan.file_error == ""
    assert seen == [{"max_rows": importing.MAX_ROWS, "columns": 2 + len(active_definitions())}]


def test_excel_float_noise_is_rounded_away(people, inputs):
    number, name = person(people)
    plan = parse(workbook([[number, name, 0.1 + 0.2, None]]), people["users"]["payroll"])
    assert plan.is_valid and list(plan.writes.values()) == [D("0.3000")]


def test_confirm_with_a_bad_token_changes_nothing_and_a_token_works_once(client_for, people, inputs):
    client = client_for("payroll")
    response = client.post(reverse("payroll:period_inputs_import_confirm"), {"token": "forged"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("payroll:period_inputs_import")
    number, name = person(people)
    token = upload(client, workbook([[number, name, 2, None]])).context["token"]
    client_for("hr_admin").post(reverse("payroll:period_inputs_import_confirm"), {"token": token})  # 403, other user
    assert not PeriodInput.objects.exists()
    client.post(reverse("payroll:period_inputs_import_confirm"), {"token": token})
    assert PeriodInput.objects.count() == 1
    again = client.post(reverse("payroll:period_inputs_import_confirm"), {"token": token}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("payroll:period_inputs_import")


def test_confirm_rechecks_the_file(client_for, people, assignments, run_factory, inputs):
    client = client_for("payroll")
    employee = people["employees"]["employee"]
    token = upload(client, workbook([[employee.employee_no, employee.name, 2, None]]), month="2025-03").context["token"]
    assert token
    run_factory(date(2025, 3, 1), finalize=True)  # meanwhile, March is finalised
    response = client.post(reverse("payroll:period_inputs_import_confirm"), {"token": token})
    assert response.status_code == 200
    assert errors_of(response.context["plan"]) == [(2, "工号")]
    assert not PeriodInput.objects.filter(definition=inputs["hours"]).exists()


def test_apply_is_all_or_nothing(people, inputs, monkeypatch):
    number, name = person(people)
    other, other_name = person(people, "other_employee")
    plan = parse(workbook([[number, name, 1, None], [other, other_name, 2, None]]), people["users"]["payroll"])
    assert plan.is_valid

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "audit_record", broken)
    with pytest.raises(RuntimeError):
        importing.apply_plan(plan, actor=people["users"]["payroll"])
    assert not PeriodInput.objects.exists()


def test_queries_do_not_grow_with_rows(people, org, inputs, django_assert_max_num_queries):
    Employee.objects.bulk_create(
        [Employee(employee_no=f"Q{i:04d}", name=f"员工{i}", department=org["b"]) for i in range(400)]
    )
    content = workbook([[f"Q{i:04d}", f"员工{i}", i % 7, 1] for i in range(400)])
    with django_assert_max_num_queries(10):
        plan = parse(content, people["users"]["payroll"])
    assert plan.is_valid and plan.new_values == 800  # a 0 typed in is a value too
    with django_assert_max_num_queries(6):
        importing.apply_plan(plan, actor=people["users"]["payroll"])
    assert PeriodInput.objects.count() == 800


# ---------------------------------------------------------------------------------------------
# the template


def test_template_lists_the_months_employees_with_stored_values_and_hints(client_for, people, inputs):
    employee = people["employees"]["employee"]
    PeriodInput.objects.create(employee=employee, period=MAY, definition=inputs["hours"], value=D("7.5"))
    inputs["sales"].is_active = False
    inputs["sales"].save()
    response = client_for("payroll").get(reverse("payroll:period_inputs_template"), {"month": "2025-05"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb.worksheets[0]
    assert sheet.title == "2025-05"
    headers = [c.value for c in sheet[1]]
    assert headers == ["工号", "姓名", "加班（小时）", "绩效系数"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {e.employee_no for e in people["employees"].values()}
    assert rows[employee.employee_no][1:] == (employee.name, 7.5, None)
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert rules["C2"].operator == "greaterThanOrEqual" and rules["C2"].formula1 == "0"  # hours
    assert (rules["D2"].operator, rules["D2"].formula2) == ("between", "10")  # rate
    assert sheet["D1"].comment is not None and "0.8" in sheet["D1"].comment.text


def test_the_template_imports_back_cleanly(client_for, people, inputs):
    employee = people["employees"]["employee"]
    PeriodInput.objects.create(employee=employee, period=MAY, definition=inputs["rate"], value=D("1.25"))
    client = client_for("payroll")
    content = client.get(reverse("payroll:period_inputs_template"), {"month": "2025-05"}).content
    response = upload(client, content)
    plan = response.context["plan"]
    assert plan.is_valid and (plan.new_values, plan.changed_values, plan.unchanged_values) == (0, 0, 1)
    assert not plan.month_mismatch


def test_a_template_of_another_month_is_pointed_out(client_for, people, inputs):
    number, name = person(people)
    response = upload(client_for("payroll"), workbook([[number, name, 1, None]], title="2025-04"))
    assert response.context["plan"].month_mismatch
    assert 'data-testid="month-mismatch"' in response.text


@pytest.mark.parametrize("role", ["hr", "manager", "employee"])
def test_only_payroll_may_import(client_for, people, inputs, role):
    number, name = person(people)
    response = upload(client_for(role), workbook([[number, name, 1, None]]))
    assert response.status_code == 403
    assert not default_storage.exists("imports")

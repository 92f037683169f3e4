"""The per-person pay pages: who may open them, assignment lists and revisions, the period-input
grid with its inline editing, tax declarations and pay adjustments."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payroll.models import InputDefinition, PayAdjustment, PayAssignment, PeriodInput, TaxDeclaration
from payroll.services import assignments as services
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # asserts English source messages
D = Decimal
MAR, APR = date(2025, 3, 1), date(2025, 4, 1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def hired_long_ago(db, request):
    """The `people` fixture's hire dates are random; everyone here was paid in 2025."""
    if "people" in request.fixturenames:
        from employees.models import Employee

        request.getfixturevalue("people")
        Employee.objects.update(hire_date=date(2020, 1, 1))


@pytest.fixture
def hours(db):
    return InputDefinition.objects.create(code="加班小时", name="加班（小时）", kind="hours", default=D("0"))


@pytest.fixture
def rate(db):
    return InputDefinition.objects.create(code="提成比例", name="提成比例", kind="rate", default=D("0.01"))


def urls(people, assignments) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every page; the GETs answer 200 to payroll."""
    with_assignment = people["employees"]["employee"].pk
    definition = InputDefinition.objects.get(code="绩效系数")
    PayAssignment.objects.filter(employee=people["employees"]["other_employee"]).delete()
    without = people["employees"]["other_employee"].pk
    year = timezone.localdate().year
    return [
        ("get", reverse("payroll:assignments"), {}),
        ("get", reverse("payroll:assignment_detail", args=[with_assignment]), {}),
        ("get", reverse("payroll:assignment_create", args=[without]), {}),
        ("get", reverse("payroll:assignment_revise", args=[with_assignment]), {}),
        ("get", reverse("payroll:period_inputs"), {}),
        ("post", reverse("payroll:period_input_cell", args=[with_assignment, definition.pk]), {"month": "2025-05"}),
        ("get", reverse("payroll:period_inputs_import"), {}),
        ("post", reverse("payroll:period_inputs_import_confirm"), {"token": "x"}),
        ("get", reverse("payroll:period_inputs_template"), {}),
        ("get", reverse("payroll:declarations"), {}),
        ("get", reverse("payroll:declaration_edit", args=[with_assignment, year]), {}),
        ("get", reverse("payroll:adjustments"), {}),
        ("get", reverse("payroll:adjustment_create"), {}),
    ]


def test_payroll_opens_every_page(client_for, people, assignments):
    client = client_for("payroll")
    for method, url, data in urls(people, assignments):
        response = getattr(client, method)(url, data, **(HTMX if "inputs/" in url and method == "post" else {}))
        expected = 302 if url.endswith("confirm/") else 200
        assert response.status_code == expected, url


@pytest.mark.parametrize("role", ["hr", "hr_admin", "manager", "employee"])
def test_other_roles_get_403_everywhere(client_for, people, assignments, role):
    client = client_for(role)
    for method, url, data in urls(people, assignments):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert PeriodInput.objects.count() == 0


def test_anonymous_is_sent_to_login(client, people, assignments):
    for method, url, data in urls(people, assignments):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_changes_need_post(client_for, people, assignments):
    client = client_for("payroll")
    employee = people["employees"]["employee"]
    definition = InputDefinition.objects.get(code="绩效系数")
    assert client.get(reverse("payroll:period_input_cell", args=[employee.pk, definition.pk])).status_code == 405
    assert client.get(reverse("payroll:period_inputs_import_confirm")).status_code == 405


# --- assignments ----------------------------------------------------------------------------


def test_list_shows_current_assignment_searches_filters_and_pages(client_for, people, assignments, org, structure):
    client = client_for("payroll")
    page = client.get(reverse("payroll:assignments"))
    assert page.status_code == 200
    assert '<td class="num">¥20,000.00</td>' in page.text
    names = [r["employee"].name for r in page.context["rows"]]
    assert set(names) == {e.name for e in people["employees"].values()}

    found = client.get(reverse("payroll:assignments"), {"q": people["employees"]["employee"].employee_no})
    assert [r["employee"].name for r in found.context["rows"]] == ["employee"]
    in_a = client.get(reverse("payroll:assignments"), {"department": org["a"].pk})
    assert {r["employee"].name for r in in_a.context["rows"]} == {"manager", "employee", "teammember"}

    PayAssignment.objects.filter(employee=people["employees"]["other_employee"]).delete()
    none_yet = client.get(reverse("payroll:assignments"), {"assignment": "none"})
    assert [r["employee"].name for r in none_yet.context["rows"]] == ["other"]
    assert "No assignment yet" in none_yet.text or "尚无" in none_yet.text
    by_structure = client.get(reverse("payroll:assignments"), {"structure": structure.code})
    assert len(by_structure.context["rows"]) == len(people["employees"]) - 1

    EmployeeFactory.create_batch(55, department=org["b"])
    first = client.get(reverse("payroll:assignments"))
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("payroll:assignments"), {"page": 2})
    assert len(second.context["rows"]) == 55 + len(people["employees"]) - 50


def test_list_query_count_does_not_grow_with_rows(client_for, people, assignments, org, django_assert_max_num_queries):
    client = client_for("payroll")
    client.get(reverse("payroll:assignments"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:assignments"))
    EmployeeFactory.create_batch(45, department=org["b"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("payroll:assignments"))


def test_create_first_assignment_through_the_form(client_for, people, structure, policy):
    employee = people["employees"]["other_employee"]
    client = client_for("payroll")
    data = {
        "effective_from": "2025-02-01",
        "structure": structure.pk,
        "base_salary": "12000",
        "si_policy_city": "北京",
        "si_base": "",
        "reason": "入职定薪",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "30",
    }
    response = client.post(reverse("payroll:assignment_create", args=[employee.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    a = PayAssignment.objects.get(employee=employee)
    assert (a.base_salary, a.effective_from, a.si_policy_city, a.si_base) == (
        D("12000"),
        date(2025, 2, 1),
        "北京",
        None,
    )
    assert a.created_by == people["users"]["payroll"]
    # a second "first" assignment is not possible: the page sends to the revision
    again = client.get(reverse("payroll:assignment_create", args=[employee.pk]))
    assert again["Location"] == reverse("payroll:assignment_revise", args=[employee.pk])


def test_overlapping_create_shows_the_message_and_saves_nothing(client_for, people, assignments, structure):
    old = assignments["employee"]
    services.assignment_revise(assignment=old, effective_from=APR, base_salary=D("21000"), reason="调薪")
    PayAssignment.objects.filter(employee=old.employee, effective_from=APR).delete()  # only Jan–Mar is left
    data = {
        "effective_from": "2025-03-01",
        "structure": structure.pk,
        "base_salary": "1",
        "reason": "",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }
    response = client_for("payroll").post(reverse("payroll:assignment_create", args=[old.employee.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"] == [
        "This overlaps another pay assignment of the employee; revise the current one instead."
    ]
    assert PayAssignment.objects.filter(employee=old.employee).count() == 1


def revise_data(structure, **values) -> dict:
    return {
        "effective_from": "2025-07-01",
        "structure": structure.pk,
        "base_salary": "23000",
        "si_policy_city": "北京",
        "si_base": "",
        "prior_year_low_income": "on",
        "reason": "年度调薪",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-component": "",
        "items-0-amount": "",
        **values,
    }


def test_revise_through_the_form_shows_the_raise(client_for, people, assignments, structure):
    employee = people["employees"]["employee"]
    client = client_for("payroll")
    form_page = client.get(reverse("payroll:assignment_revise", args=[employee.pk]))
    assert 'data-previous-base="20000.00"' in form_page.text
    response = client.post(
        reverse("payroll:assignment_revise", args=[employee.pk]), revise_data(structure), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("payroll:assignment_detail", args=[employee.pk])
    message = str(next(iter(response.context["messages"])))
    assert "¥20,000.00" in message and "¥23,000.00" in message and "+¥3,000.00" in message and "+15.0%" in message
    old, new = PayAssignment.objects.filter(employee=employee).order_by("effective_from")
    assert (old.effective_to, old.base_salary) == (date(2025, 6, 30), D("20000"))
    assert new.prior_year_low_income and new.reason == "年度调薪"
    history = response.context["history"]
    assert [(r.change, r.change_ratio) for r in history] == [(D("3000"), D("0.15")), (None, None)]
    assert "+15.0%" in response.text and "+¥3,000.00" in response.text


def test_back_dated_revision_is_refused_on_the_form(client_for, people, assignments, structure):
    employee = people["employees"]["employee"]
    response = client_for("payroll").post(
        reverse("payroll:assignment_revise", args=[employee.pk]), revise_data(structure, effective_from="2024-12-01")
    )
    assert response.status_code == 200
    assert "cannot be back-dated" in response.context["form"].errors["effective_from"][0]
    assert PayAssignment.objects.filter(employee=employee).count() == 1
    assert PayAssignment.objects.get(employee=employee).effective_to is None


def test_revise_item_outside_the_structure_is_shown_on_the_items(client_for, people, assignments, structure):
    from payroll.models import PayComponent

    other = PayComponent.objects.create(code="餐补", name="餐补", kind="earning")
    employee = people["employees"]["employee"]
    data = revise_data(structure, **{"items-0-component": str(other.pk), "items-0-amount": "300"})
    response = client_for("payroll").post(reverse("payroll:assignment_revise", args=[employee.pk]), data)
    assert response.status_code == 200
    assert "餐补 is not part of the structure" in " ".join(response.context["items"].non_form_errors())
    assert PayAssignment.objects.filter(employee=employee).count() == 1


def test_detail_of_someone_else_is_404_for_a_missing_employee(client_for, people):
    assert client_for("payroll").get(reverse("payroll:assignment_detail", args=[999999])).status_code == 404


# --- period inputs: the grid ----------------------------------------------------------------


def cell(client, employee, definition, value, month="2025-05", **extra):
    return client.post(
        reverse("payroll:period_input_cell", args=[employee.pk, definition.pk]),
        {"month": month, "value": value},
        **{**HTMX, **extra},
    )


def test_grid_shows_stored_values_and_defaults(client_for, people, hours, rate):
    employee = people["employees"]["employee"]
    period = timezone.localdate().replace(day=1)
    PeriodInput.objects.create(employee=employee, period=period, definition=hours, value=D("12.5000"))
    page = client_for("payroll").get(reverse("payroll:period_inputs"))
    assert page.context["period"] == period
    row = next(r for r in page.context["rows"] if r.employee == employee)
    assert row.values == [(hours, D("12.5")), (rate, None)]
    assert re.search(rf'id="v-{employee.pk}-{hours.pk}" name="value" value="12.5"', page.text)
    assert re.search(rf'id="v-{employee.pk}-{rate.pk}" name="value" value="" placeholder="0.01"', page.text)


def test_grid_searches_filters_and_chooses_the_month(client_for, people, org, hours):
    client = client_for("payroll")
    found = client.get(reverse("payroll:period_inputs"), {"q": "teammember"})
    assert [r.employee.name for r in found.context["rows"]] == ["teammember"]
    in_b = client.get(reverse("payroll:period_inputs"), {"department": org["b"].pk, "month": "2025-05"})
    assert {r.employee.name for r in in_b.context["rows"]} == {"othermanager", "other"}
    assert in_b.context["period"] == date(2025, 5, 1)
    assert 'value="2025-05"' in in_b.text


def test_grid_query_count_is_fixed_whatever_the_page_size(
    client_for, people, org, hours, rate, django_assert_max_num_queries
):
    client = client_for("payroll")
    period = timezone.localdate().replace(day=1)
    client.get(reverse("payroll:period_inputs"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("payroll:period_inputs"))
    for e in EmployeeFactory.create_batch(45, department=org["b"]):
        PeriodInput.objects.create(employee=e, period=period, definition=hours, value=D("2"))
        PeriodInput.objects.create(employee=e, period=period, definition=rate, value=D("0.5"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("payroll:period_inputs"))
    assert len(page.context["rows"]) == 50


def test_cell_edit_saves_and_rerenders_the_cell(client_for, people, hours):
    employee = people["employees"]["employee"]
    response = cell(client_for("payroll"), employee, hours, "7.5")
    assert response.status_code == 200
    assert response.templates[0].name == "payroll/people/partials/input_cell.html"
    assert 'value="7.5"' in response.text and "input-saved" in response.text
    stored = PeriodInput.objects.get(employee=employee, definition=hours)
    assert (stored.period, stored.value, stored.source) == (date(2025, 5, 1), D("7.5"), "manual")
    assert stored.updated_by == people["users"]["payroll"]
    cell(client_for("payroll"), employee, hours, "")  # blank: back to the default
    assert not PeriodInput.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "is not a number"), ("-3", "Hours cannot be negative."), ("1.23456", "At most 4 decimal places")],
)
def test_cell_edit_refuses_a_bad_value_with_a_message_in_the_cell(client_for, people, hours, value, message):
    employee = people["employees"]["employee"]
    PeriodInput.objects.create(employee=employee, period=date(2025, 5, 1), definition=hours, value=D("2"))
    response = cell(client_for("payroll"), employee, hours, value)
    assert response.status_code == 200  # htmx swaps only successful responses
    assert message in response.text and "is-invalid" in response.text
    assert f'value="{value}"' in response.text  # what was typed stays, to be corrected
    assert PeriodInput.objects.get(employee=employee).value == D("2")


def test_cell_edit_flags_a_percentage_typed_into_a_rate(client_for, people, rate):
    employee = people["employees"]["employee"]
    response = cell(client_for("payroll"), employee, rate, "80")
    assert "looks like a percentage" in response.text
    assert not PeriodInput.objects.exists()
    cell(client_for("payroll"), employee, rate, "80%")  # with a percent sign it is clear
    assert PeriodInput.objects.get().value == D("0.8")


def test_cell_edit_in_a_finalised_month_is_refused(client_for, people, assignments, run_factory, hours):
    run_factory(MAR, finalize=True)
    employee = people["employees"]["employee"]
    response = cell(client_for("payroll"), employee, hours, "3", month="2025-03")
    assert "2025-03 is finalised for this employee" in response.text
    assert "disabled" in response.text
    assert not PeriodInput.objects.filter(definition=hours).exists()
    grid = client_for("payroll").get(reverse("payroll:period_inputs"), {"month": "2025-03"})
    row = next(r for r in grid.context["rows"] if r.employee == employee)
    assert row.locked


def test_cell_edit_without_htmx_goes_back_to_the_grid(client_for, people, hours):
    employee = people["employees"]["employee"]
    response = client_for("payroll").post(
        reverse("payroll:period_input_cell", args=[employee.pk, hours.pk]), {"month": "2025-05", "value": "-1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2025-05")
    assert not PeriodInput.objects.exists()


def test_cell_edit_of_an_inactive_input_or_without_month(client_for, people, hours):
    employee = people["employees"]["employee"]
    client = client_for("payroll")
    assert cell(client, employee, hours, "1", month="").status_code == 400
    hours.is_active = False
    hours.save()
    assert cell(client, employee, hours, "1").status_code == 404


# --- declarations ---------------------------------------------------------------------------


def declaration_data(**values) -> dict:
    return {
        "children": "0",
        "child_share": "1",
        "infants": "0",
        "infant_share": "1",
        "vocational_certificate_month": "",
        "housing_loan_share": "1",
        "rent_city_class": "0",
        "elderly_share": "0",
        **values,
    }


def test_declaration_list_shows_the_monthly_total_and_searches(client_for, people):
    year = timezone.localdate().year
    employee = people["employees"]["employee"]
    TaxDeclaration.objects.create(employee=employee, year=year, children=1, rent_city_class=1, elderly_only_child=True)
    TaxDeclaration.objects.create(employee=people["employees"]["other_employee"], year=year - 1, children=2)
    client = client_for("payroll")
    page = client.get(reverse("payroll:declarations"))
    rows = {r["employee"].name: r for r in page.context["rows"]}
    assert rows["employee"]["total"] == D("6500.00")  # 2,000 + 1,500 + 3,000
    assert rows["other"]["declaration"] is None  # declared for last year only
    assert '<td class="num fw-semibold">¥6,500.00</td>' in page.text
    last_year = client.get(reverse("payroll:declarations"), {"year": year - 1, "declared": "yes"})
    assert [r["employee"].name for r in last_year.context["rows"]] == ["other"]
    assert [
        r["employee"].name for r in client.get(reverse("payroll:declarations"), {"q": "employ"}).context["rows"]
    ] == ["employee"]


def test_declaration_loan_and_rent_together_are_refused(client_for, people):
    employee = people["employees"]["employee"]
    url = reverse("payroll:declaration_edit", args=[employee.pk, 2025])
    response = client_for("payroll").post(url, declaration_data(housing_loan="on", rent_city_class="2"))
    assert response.status_code == 200
    assert response.context["form"].errors["rent_city_class"] == [
        "Housing loan interest and housing rent cannot both be deducted."
    ]
    assert not TaxDeclaration.objects.exists()


def test_declaration_elderly_share_over_the_limit_is_refused(client_for, people):
    employee = people["employees"]["employee"]
    url = reverse("payroll:declaration_edit", args=[employee.pk, 2025])
    response = client_for("payroll").post(url, declaration_data(elderly_share="2000"))
    assert "at most 1,500 a month" in response.context["form"].errors["elderly_share"][0]
    assert not TaxDeclaration.objects.exists()


def test_declaration_is_saved_and_edited(client_for, people):
    employee = people["employees"]["employee"]
    client = client_for("payroll")
    url = reverse("payroll:declaration_edit", args=[employee.pk, 2025])
    response = client.post(url, declaration_data(children="2", child_share="0.5", housing_loan="on"))
    assert response.status_code == 302 and response["Location"].endswith("?year=2025")
    d = TaxDeclaration.objects.get(employee=employee, year=2025)
    assert (d.children, d.child_share, d.housing_loan) == (2, D("0.5"), True)
    assert services.declaration_monthly_total(d) == D("3000.00")
    page = client.get(url)
    assert page.context["total"] == D("3000.00") and page.context["form"].initial["children"] == 2
    client.post(url, declaration_data(children="1"))
    assert TaxDeclaration.objects.get(employee=employee, year=2025).children == 1
    assert TaxDeclaration.objects.count() == 1


def test_declaration_of_an_impossible_year_is_404(client_for, people):
    employee = people["employees"]["employee"]
    assert client_for("payroll").get(reverse("payroll:declaration_edit", args=[employee.pk, 1990])).status_code == 404


# --- adjustments ----------------------------------------------------------------------------


def adjustment_data(employee, **values) -> dict:
    return {
        "employee_no": employee.employee_no,
        "period": "2025-04",
        "amount": "500",
        "taxable": "on",
        "reason": "补发",
        **values,
    }


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"amount": "0"}, {"amount"}),
        ({"reason": " "}, {"reason"}),
        ({"amount": "0.00", "reason": ""}, {"amount", "reason"}),  # both problems at once
    ],
)
def test_adjustment_zero_or_without_reason_is_refused(client_for, people, values, fields):
    employee = people["employees"]["employee"]
    response = client_for("payroll").post(reverse("payroll:adjustment_create"), adjustment_data(employee, **values))
    assert response.status_code == 200 and set(response.context["form"].errors) == fields
    assert 'aria-invalid="true"' in response.text
    assert not PayAdjustment.objects.exists()


def test_adjustment_in_a_finalised_month_is_refused(client_for, people, assignments, run_factory):
    run = run_factory(MAR, finalize=True)
    employee = people["employees"]["employee"]
    client = client_for("payroll")
    response = client.post(reverse("payroll:adjustment_create"), adjustment_data(employee, period="2025-03"))
    assert "2025-03 is finalised for this employee" in response.context["form"].errors["period"][0]
    assert not PayAdjustment.objects.exists()
    response = client.post(
        reverse("payroll:adjustment_create"), adjustment_data(employee, amount="-120.50", corrects_run=run.pk)
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2025-04")
    made = PayAdjustment.objects.get()
    assert (made.period, made.amount, made.corrects_run, made.created_by) == (
        APR,
        D("-120.50"),
        run,
        people["users"]["payroll"],
    )


def test_adjustment_for_an_unknown_employee_number(client_for, people):
    response = client_for("payroll").post(
        reverse("payroll:adjustment_create"), adjustment_data(people["employees"]["employee"], employee_no="NOPE")
    )
    assert response.context["form"].errors["employee_no"] == ["No employee has the number NOPE."]


def test_adjustment_list_filters_by_month_and_searches(client_for, people):
    employee, other = people["employees"]["employee"], people["employees"]["other_employee"]
    PayAdjustment.objects.create(employee=employee, period=APR, amount=D("-99.5"), reason="多发追回")
    PayAdjustment.objects.create(employee=other, period=date(2025, 5, 1), amount=D("300"), reason="补发")
    client = client_for("payroll")
    everything = client.get(reverse("payroll:adjustments"))
    assert len(everything.context["page_obj"]) == 2
    assert '<td class="num fw-semibold text-danger">-¥99.50</td>' in everything.text
    april = client.get(reverse("payroll:adjustments"), {"month": "2025-04"})
    assert [a.employee for a in april.context["page_obj"]] == [employee]
    found = client.get(reverse("payroll:adjustments"), {"q": other.employee_no})
    assert [a.employee for a in found.context["page_obj"]] == [other]
    empty = client.get(reverse("payroll:adjustments"), {"month": "2024-01"})
    assert len(empty.context["page_obj"]) == 0 and "empty-state" in empty.text


def test_new_adjustment_is_prefilled_from_the_employee_page(client_for, people):
    employee = people["employees"]["employee"]
    page = client_for("payroll").get(reverse("payroll:adjustment_create"), {"employee": employee.pk})
    assert page.context["form"].initial["employee_no"] == employee.employee_no


def test_detail_shows_every_version_with_its_items_and_is_audited(client_for, people, assignments, structure):
    from hrsuite.audit.models import AuditEntry, AuditEvent
    from payroll.models import AssignmentItem, PayComponent

    allowance = PayComponent.objects.create(code="交通补贴", name="交通补贴", kind="earning")
    structure.lines.create(component=allowance, amount=D("300"))
    old = assignments["employee"]
    AssignmentItem.objects.create(assignment=old, component=allowance, amount=D("500"))
    services.assignment_revise(
        assignment=old, effective_from=APR, base_salary=D("19000"), items={allowance.pk: D("650")}, reason="转岗"
    )
    page = client_for("payroll").get(reverse("payroll:assignment_detail", args=[old.employee.pk]))
    rows = page.context["history"]
    assert [(r.assignment.effective_from, r.assignment.effective_to) for r in rows] == [
        (APR, None),
        (date(2025, 1, 1), date(2025, 3, 31)),
    ]
    assert [[(i.component.code, i.amount) for i in r.items] for r in rows] == [
        [("交通补贴", D("650"))],
        [("交通补贴", D("500"))],
    ]
    assert (rows[0].change, rows[0].change_ratio) == (D("-1000"), D("-0.05"))
    assert "-¥1,000.00" in page.text and "-5.0%" in page.text and "¥650.00" in page.text and "转岗" in page.text
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW, object_pk=str(old.employee.pk)).exists()
    with_any = client_for("payroll").get(reverse("payroll:assignments"), {"assignment": "has"})
    assert len(with_any.context["rows"]) == len(people["employees"])

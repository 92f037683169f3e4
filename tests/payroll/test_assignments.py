"""The per-person pay services: assignments and salary revisions (history never edited),
period-input values, tax declarations and pay adjustments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from employees.models import Employee
from payroll.models import (
    AssignmentItem,
    InputDefinition,
    PayAdjustment,
    PayAssignment,
    PayComponent,
    PeriodInput,
    SalaryStructure,
    TaxDeclaration,
)
from payroll.services import assignments as services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # asserts English source messages
D = Decimal
JAN, MAR, APR = date(2025, 1, 1), date(2025, 3, 1), date(2025, 4, 1)


@pytest.fixture(autouse=True)
def hired_long_ago(db, request):
    """The `people` fixture's hire dates are random; everyone here was paid in 2025."""
    if "people" in request.fixturenames:
        from employees.models import Employee

        request.getfixturevalue("people")
        Employee.objects.update(hire_date=date(2020, 1, 1))


def messages_of(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def allowance(structure):
    """A fixed allowance that is a line of the test structure."""
    component = PayComponent.objects.create(code="交通补贴", name="交通补贴", kind="earning")
    structure.lines.create(component=component, amount=D("300"))
    return component


# --- assignments ----------------------------------------------------------------------------


def test_revision_closes_the_old_assignment_the_day_before_and_keeps_its_amounts(
    assignments, people, allowance, structure
):
    old = assignments["employee"]
    AssignmentItem.objects.create(assignment=old, component=allowance, amount=D("500"))
    new = services.assignment_revise(
        assignment=old,
        effective_from=date(2025, 7, 1),
        base_salary=D("23000"),
        items={allowance.pk: D("800")},
        reason="年度调薪",
        actor=people["users"]["payroll"],
        prior_year_low_income=True,
    )
    old.refresh_from_db()
    assert old.effective_to == date(2025, 6, 30)
    assert old.base_salary == D("20000") and old.structure == structure
    assert {i.component_id: i.amount for i in old.items.all()} == {allowance.pk: D("500")}
    assert not old.prior_year_low_income
    assert (new.effective_from, new.effective_to, new.base_salary) == (date(2025, 7, 1), None, D("23000"))
    assert {i.component_id: i.amount for i in new.items.all()} == {allowance.pk: D("800")}
    assert new.prior_year_low_income and new.si_policy_city == "北京"  # flags not given are carried over
    assert new.created_by == people["users"]["payroll"] and new.reason == "年度调薪"
    assert PayAssignment.objects.filter(employee=old.employee).count() == 2


def test_revision_without_items_carries_the_current_ones_over(assignments, allowance):
    old = assignments["employee"]
    AssignmentItem.objects.create(assignment=old, component=allowance, amount=D("500"))
    new = services.assignment_revise(assignment=old, effective_from=APR, base_salary=D("21000"), reason="晋升")
    assert [(i.component_id, i.amount) for i in new.items.all()] == [(allowance.pk, D("500"))]


@pytest.mark.parametrize("start", [JAN, date(2024, 12, 1)])
def test_back_dated_revision_is_refused_and_changes_nothing(assignments, start):
    old = assignments["employee"]
    with pytest.raises(ValidationError) as exc:
        services.assignment_revise(assignment=old, effective_from=start, base_salary=D("1"), reason="x")
    assert "must start after the current assignment started (2025-01-01)" in messages_of(exc)
    old.refresh_from_db()
    assert old.effective_to is None and old.base_salary == D("20000")
    assert PayAssignment.objects.filter(employee=old.employee).count() == 1


def test_a_closed_assignment_cannot_be_revised(assignments):
    old = assignments["employee"]
    services.assignment_revise(assignment=old, effective_from=APR, base_salary=D("21000"), reason="调薪")
    with pytest.raises(ValidationError, match="Only the current assignment"):
        services.assignment_revise(assignment=old, effective_from=date(2025, 9, 1), base_salary=D("1"), reason="x")


def test_revision_needs_a_reason(assignments):
    with pytest.raises(ValidationError) as exc:
        services.assignment_revise(assignment=assignments["employee"], effective_from=APR, base_salary=D("1"))
    assert "reason" in exc.value.error_dict


def test_revision_inside_a_finalised_month_is_refused(assignments, run_factory):
    run_factory(MAR, finalize=True)
    old = assignments["employee"]
    with pytest.raises(ValidationError) as exc:
        services.assignment_revise(assignment=old, effective_from=date(2025, 3, 15), base_salary=D("1"), reason="x")
    assert "2025-03 is finalised" in messages_of(exc) and "2025-04-01" in messages_of(exc)
    old.refresh_from_db()
    assert old.effective_to is None
    new = services.assignment_revise(assignment=old, effective_from=APR, base_salary=D("25000"), reason="调薪")
    assert new.effective_from == APR


def test_overlapping_assignment_is_refused_with_a_message(assignments, structure):
    employee = assignments["employee"].employee
    overlapping = PayAssignment(employee=employee, structure=structure, base_salary=D("1"), effective_from=MAR)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(assignment=overlapping)
    assert exc.value.error_dict["effective_from"][0].messages == [
        "This overlaps another pay assignment of the employee; revise the current one instead."
    ]
    assert PayAssignment.objects.filter(employee=employee).count() == 1


def test_overlap_with_a_closed_assignment_is_refused_too(assignments, structure):
    old = assignments["employee"]
    services.assignment_revise(assignment=old, effective_from=APR, base_salary=D("21000"), reason="调薪")
    PayAssignment.objects.filter(employee=old.employee, effective_from=APR).delete()  # a gap after March
    again = PayAssignment(employee=old.employee, structure=structure, base_salary=D("1"), effective_from=MAR)
    with pytest.raises(ValidationError, match="overlaps"):
        services.assignment_create(assignment=again)
    after_gap = PayAssignment(employee=old.employee, structure=structure, base_salary=D("1"), effective_from=APR)
    assert services.assignment_create(assignment=after_gap).pk


def test_first_assignment_checks_structure_dates_and_items(people, structure, allowance):
    employee = people["employees"]["employee"]
    other = PayComponent.objects.create(code="餐补", name="餐补", kind="earning")
    early = PayAssignment(
        employee=employee, structure=structure, base_salary=D("9000"), effective_from=date(2024, 6, 1)
    )
    with pytest.raises(ValidationError, match="starts on 2025-01-01"):
        services.assignment_create(assignment=early)
    a = PayAssignment(employee=employee, structure=structure, base_salary=D("9000"), effective_from=MAR)
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(assignment=a, items={other.pk: D("100"), allowance.pk: D("-5")})
    text = messages_of(exc)
    assert "餐补 is not part of the structure 测试结构" in text and "cannot be negative" in text
    assert not PayAssignment.objects.filter(employee=employee).exists()
    services.assignment_create(assignment=a, items={allowance.pk: D("450")})
    assert a.items.get().amount == D("450")


def test_ended_structure_version_is_refused(people, structure):
    structure.effective_to = date(2025, 2, 28)
    structure.save()
    a = PayAssignment(
        employee=people["employees"]["employee"], structure=structure, base_salary=D("1"), effective_from=MAR
    )
    with pytest.raises(ValidationError, match="ended before the assignment starts"):
        services.assignment_create(assignment=a)


def test_raise_against_previous_base():
    assert services.raise_against(D("20000"), D("23000")) == (D("3000"), D("0.15"))
    assert services.raise_against(None, D("1")) == (None, None)
    assert services.raise_against(D("0"), D("1")) == (D("1"), None)


# --- period inputs --------------------------------------------------------------------------


@pytest.fixture
def kinds(db):
    return {
        kind: InputDefinition.objects.create(code=f"k_{kind}", name=f"k_{kind}", kind=kind)
        for kind in ("amount", "number", "rate", "hours", "days")
    }


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("hours", "-1", "Hours cannot be negative."),
        ("days", "-0.5", "Days cannot be negative."),
        ("rate", "80", "looks like a percentage"),
        ("rate", "-0.1", "cannot be negative"),
        ("number", "1.23456", "At most 4 decimal places"),
        ("amount", "1e13", "too large"),
    ],
)
def test_bad_values_are_refused(kinds, people, kind, value, message):
    with pytest.raises(ValidationError, match=message):
        services.period_input_set(
            employee=people["employees"]["employee"], period=MAR, definition=kinds[kind], value=D(value)
        )
    assert not PeriodInput.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"), [("rate", "10"), ("rate", "0.8"), ("amount", "-300"), ("number", "-1.5"), ("hours", "0")]
)
def test_good_values_are_stored(kinds, people, kind, value):
    stored = services.period_input_set(
        employee=people["employees"]["employee"], period=date(2025, 3, 17), definition=kinds[kind], value=D(value)
    )
    assert stored.period == MAR and stored.value == D(value)


def test_values_of_a_finalised_month_are_refused_and_cleared_values_go_back_to_default(
    assignments, run_factory, people, kinds
):
    employee = people["employees"]["employee"]
    services.period_input_set(employee=employee, period=APR, definition=kinds["hours"], value=D("3"))
    assert services.period_input_clear(employee=employee, period=APR, definition=kinds["hours"])
    assert not PeriodInput.objects.exists()
    run_factory(MAR, finalize=True)
    with pytest.raises(ValidationError, match="2025-03 is finalised for this employee"):
        services.period_input_set(employee=employee, period=MAR, definition=kinds["hours"], value=D("3"))
    with pytest.raises(ValidationError, match="finalised"):
        services.period_input_clear(employee=employee, period=MAR, definition=kinds["hours"])


# --- declarations ---------------------------------------------------------------------------


def declaration(employee, **values) -> TaxDeclaration:
    return TaxDeclaration(employee=employee, year=2025, **values)


def test_loan_and_rent_together_are_refused(people):
    d = declaration(people["employees"]["employee"], housing_loan=True, rent_city_class=1)
    with pytest.raises(ValidationError) as exc:
        services.declaration_save(declaration=d)
    assert exc.value.error_dict["rent_city_class"][0].messages == [
        "Housing loan interest and housing rent cannot both be deducted."
    ]
    assert not TaxDeclaration.objects.exists()


def test_elderly_share_over_1500_for_a_non_only_child_is_refused(people):
    d = declaration(people["employees"]["employee"], elderly_share=D("2000"))
    with pytest.raises(ValidationError) as exc:
        services.declaration_save(declaration=d)
    assert "at most 1,500" in exc.value.error_dict["elderly_share"][0].messages[0]


def test_valid_declaration_is_saved_with_its_monthly_total(people):
    d = services.declaration_save(
        declaration=declaration(
            people["employees"]["employee"],
            children=2,
            child_share=D("0.5"),
            infants=1,
            continuing_education=True,
            housing_loan=True,
            elderly_share=D("1500"),
        )
    )
    # 2 × 2,000 × 50% + 2,000 + 400 + 1,000 + 1,500
    assert services.declaration_monthly_total(d) == D("6900.00")


# --- adjustments ----------------------------------------------------------------------------


def adjustment(employee, **values) -> PayAdjustment:
    return PayAdjustment(employee=employee, **{"period": APR, "amount": D("100"), "reason": "补发", **values})


@pytest.mark.parametrize(
    ("values", "field"), [({"amount": D("0")}, "amount"), ({"reason": "  "}, "reason"), ({"reason": ""}, "reason")]
)
def test_zero_amount_and_blank_reason_are_refused(people, values, field):
    with pytest.raises(ValidationError) as exc:
        services.adjustment_create(adjustment=adjustment(people["employees"]["employee"], **values))
    assert field in exc.value.error_dict
    assert not PayAdjustment.objects.exists()


def test_adjustment_in_a_finalised_month_is_refused_and_a_later_one_corrects_the_run(assignments, run_factory, people):
    run = run_factory(MAR, finalize=True)
    employee = people["employees"]["employee"]
    with pytest.raises(ValidationError) as exc:
        services.adjustment_create(adjustment=adjustment(employee, period=date(2025, 3, 20)))
    assert "2025-03 is finalised" in exc.value.error_dict["period"][0].messages[0]
    made = services.adjustment_create(adjustment=adjustment(employee, amount=D("-250.5"), corrects_run=run))
    assert made.period == APR and made.amount == D("-250.5")


def test_adjustment_must_correct_a_finalised_earlier_run_that_paid_the_employee(assignments, run_factory, people):
    open_run = run_factory(date(2025, 5, 1))
    with pytest.raises(ValidationError, match="Only a finalised run"):
        services.adjustment_create(
            adjustment=adjustment(people["employees"]["employee"], period=date(2025, 6, 1), corrects_run=open_run)
        )
    final = run_factory(MAR, finalize=True)
    with pytest.raises(ValidationError, match="after the run it corrects"):
        services.adjustment_create(
            adjustment=adjustment(people["employees"]["employee"], period=MAR, corrects_run=final)
        )
    newcomer = Employee.objects.create(  # hired after the March run
        employee_no="N1", name="新人", department=people["employees"]["employee"].department, hire_date=APR
    )
    with pytest.raises(ValidationError, match="not paid in that run"):
        services.adjustment_create(adjustment=adjustment(newcomer, corrects_run=final))


def test_structure_version_change_still_revises_assignments(assignments, structure):
    """The set-up pages' new structure version splits assignments through assignment_revise."""
    from payroll.services.structures import structure_new_version

    new = structure_new_version(structure=structure, effective_from=date(2025, 8, 1))
    employee = assignments["employee"].employee
    versions = list(PayAssignment.objects.filter(employee=employee).order_by("effective_from"))
    assert [(v.structure_id, v.effective_to) for v in versions] == [
        (structure.pk, date(2025, 7, 31)),
        (new.pk, None),
    ]
    assert SalaryStructure.objects.filter(code=structure.code).count() == 2
    assert versions[1].effective_from - versions[0].effective_to == timedelta(days=1)


def test_a_raise_above_the_guideline_is_told_apart_from_one_at_it():
    from payroll.services.assignments import above_guideline

    assert above_guideline(Decimal("0.101"), Decimal("10")) is True
    assert above_guideline(Decimal("0.10"), Decimal("10")) is False  # exactly the guideline
    assert above_guideline(None, Decimal("10")) is False  # no previous base

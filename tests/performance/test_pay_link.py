"""Performance in payroll: the "Performance" section of the pay history report (page, PDF, Excel,
content hash) and the raise guideline on the salary revision page (informational warning)."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from pypdf import PdfReader

from payroll.models import PayAssignment
from payroll.pay_history import PerformanceRow, pay_history
from payroll.selectors import payslips_visible_to
from performance.models import Review
from tests.payroll.export_helpers import rows, workbook

pytestmark = pytest.mark.django_db
MONTH = "2026-10"  # the report: November 2025 to October 2026


def release(rc, key, level, *, okr=None, name=None, start=None, end=None, pay=None, status="released"):
    cycle = rc.cycle
    cycle.status = status
    cycle.name = name or cycle.name
    cycle.period_start, cycle.period_end = start or cycle.period_start, end or cycle.period_end
    cycle.pay_period = pay or cycle.pay_period
    cycle.save()
    Review.objects.filter(pk=rc.reviews[key].pk).update(
        manager_rating=level, final_rating=level, coefficient=level.coefficient, okr_completion=okr,
        status="released", acknowledged_at=None,
    )  # fmt: skip
    return rc


@pytest.fixture
def reviewed(review_cycle, rating_scale):
    """`employee`: A for the first half of 2026 (paid in July), B for Q3 2025 (before the report's
    months); `team_member`: D in the same half (not the employee's)."""
    h1 = review_cycle(status="released")
    release(h1, "employee", rating_scale["A"], okr=D("87.50"), name="2026 上半年绩效考核",
            start=date(2026, 1, 1), end=date(2026, 6, 30), pay=date(2026, 7, 1))  # fmt: skip
    release(h1, "team_member", rating_scale["D"])
    old = review_cycle(status="closed")
    release(old, "employee", rating_scale["B"], name="2025 第三季度绩效考核", start=date(2025, 7, 1),
            end=date(2025, 9, 30), pay=date(2025, 10, 1), status="closed")  # fmt: skip
    return h1


def page(client, employee, name="pay_history"):
    return client.get(reverse(f"payroll:{name}", args=[employee.pk]) + f"?month={MONTH}")


def test_page_lists_the_released_ratings_of_the_months(client_for, people, reviewed):
    response = page(client_for("payroll"), people["employees"]["employee"])
    history = response.context["history"]
    assert history.performance == [
        PerformanceRow(
            cycle="2026 上半年绩效考核", period_start=date(2026, 1, 1), period_end=date(2026, 6, 30),
            pay_period=date(2026, 7, 1), rating="A", coefficient=D("1.20"), okr_completion=D("87.50"),
        )
    ]  # fmt: skip
    text = response.text
    assert 'data-testid="history-performance"' in text and "2026 上半年绩效考核" in text
    assert "87.5%" in text and "2026-07" in text and "2025 第三季度绩效考核" not in text


def test_unreleased_ratings_and_other_people_stay_out(client_for, people, review_cycle, rating_scale, english):
    rc = review_cycle(status="calibration")
    Review.objects.filter(pk=rc.reviews["employee"].pk).update(final_rating=rating_scale["A+"], status="rated")
    rc.cycle.period_end = date(2026, 6, 30)
    rc.cycle.save()
    response = page(client_for("payroll"), people["employees"]["employee"])
    assert response.context["history"].performance == []
    assert "No review result released for a period ending in these months." in response.text
    other = page(client_for("payroll"), people["employees"]["other_employee"]).context["history"]
    assert other.performance == []


def test_the_content_hash_covers_the_performance_figures(people, review_cycle, rating_scale):
    employee = people["employees"]["employee"]

    def digest():
        slips = payslips_visible_to(people["users"]["payroll"])
        return pay_history(employee=employee, end=date(2026, 10, 1), slips=slips).digest

    without = digest()
    rc = review_cycle(status="released")
    release(rc, "employee", rating_scale["A"], start=date(2026, 1, 1), end=date(2026, 6, 30))
    with_a = digest()
    assert with_a != without
    release(rc, "employee", rating_scale["C"])
    assert digest() not in (with_a, without)
    Review.objects.filter(cycle=rc.cycle).update(final_rating=None)  # nothing released any more
    assert digest() == without


def test_excel_has_a_performance_sheet(client_for, people, reviewed):
    wb = workbook(page(client_for("payroll"), people["employees"]["employee"], "pay_history_xlsx"))
    assert len(wb.sheetnames) == 6
    sheet = rows(wb.worksheets[-1])
    assert sheet[1][0] == "2026 上半年绩效考核" and sheet[1][3] == "2026-07" and sheet[1][4] == "A"
    assert D(str(sheet[1][5])) == D("1.2") and D(str(sheet[1][6])) == D("87.5") and len(sheet) == 2
    # no released review in the months: no sheet (the five of the report stay as they were)
    wb = workbook(page(client_for("payroll"), people["employees"]["other_employee"], "pay_history_xlsx"))
    assert len(wb.sheetnames) == 5


def test_pdf_has_the_performance_section(client_for, people, reviewed):
    response = page(client_for("payroll"), people["employees"]["employee"], "pay_history_pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "2026上半年绩效考核" in flat and "87.5%" in flat and "2025第三季度绩效考核" not in flat


# --- the raise guideline on the salary revision ---------------------------------------------------


def revise_data(structure, **values) -> dict:
    return {
        "effective_from": "2025-07-01", "structure": structure.pk, "base_salary": "23000", "si_policy_city": "北京",
        "si_base": "", "prior_year_low_income": "on", "reason": "年度调薪", "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0", "items-0-component": "", "items-0-amount": "", **values,
    }  # fmt: skip


def revise_url(employee):
    return reverse("payroll:assignment_revise", args=[employee.pk])


def test_the_revision_page_shows_the_latest_rating_and_its_guideline(
    client_for, people, assignments, review_cycle, rating_scale, english
):
    employee = people["employees"]["employee"]
    text = client_for("payroll").get(revise_url(employee)).text
    assert "No released performance rating yet, so no raise guideline." in text
    old = review_cycle(status="closed")
    release(
        old, "employee", rating_scale["C"], name="2025 下半年", start=date(2025, 7, 1), end=date(2025, 12, 31),
        status="closed",
    )  # fmt: skip
    new = review_cycle(status="released")
    release(new, "employee", rating_scale["A+"], name="2026 上半年", end=date(2026, 6, 30))
    text = client_for("payroll").get(revise_url(employee)).text
    assert "Raise guideline: rating A+ (2026 上半年) → raise up to 15%" in text
    assert 'data-raise-guideline="15.00"' in text and 'data-testid="raise-guideline-warning"' not in text


def test_a_raise_above_the_guideline_is_saved_with_a_warning(
    client_for, people, assignments, structure, review_cycle, rating_scale, english
):
    employee = people["employees"]["employee"]
    release(review_cycle(status="released"), "employee", rating_scale["A"], name="2026 上半年")
    response = client_for("payroll").post(revise_url(employee), revise_data(structure), follow=True)
    assert response.redirect_chain[-1][0] == reverse("payroll:assignment_detail", args=[employee.pk])
    notes = [(m.level_tag, str(m)) for m in response.context["messages"]]
    warnings = [text for tag, text in notes if tag == "warning"]
    assert warnings == [
        "The raise of +15.0% is above the raise guideline for rating A (up to 10%). Make sure the reason explains it."
    ]
    assert PayAssignment.objects.filter(employee=employee).count() == 2  # informational, not blocking


def test_a_raise_within_the_guideline_has_no_warning(
    client_for, people, assignments, structure, review_cycle, rating_scale
):
    employee = people["employees"]["employee"]
    release(review_cycle(status="released"), "employee", rating_scale["A"])
    response = client_for("payroll").post(
        revise_url(employee), revise_data(structure, base_salary="22000"), follow=True
    )
    assert [m for m in response.context["messages"] if m.level_tag == "warning"] == []
    assert PayAssignment.objects.filter(employee=employee).count() == 2


def test_a_form_shown_again_warns_about_the_entered_salary(
    client_for, people, assignments, structure, review_cycle, rating_scale, english
):
    employee = people["employees"]["employee"]
    release(review_cycle(status="released"), "employee", rating_scale["B"])
    data = revise_data(structure, effective_from="2024-12-01", base_salary="21500")  # back-dated: refused
    response = client_for("payroll").post(revise_url(employee), data)
    assert response.status_code == 200 and PayAssignment.objects.filter(employee=employee).count() == 1
    assert 'data-testid="raise-guideline-warning"' in response.text
    assert "The raise of +7.5% is above the raise guideline for rating B (up to 5%)." in response.text
    response = client_for("payroll").post(revise_url(employee), {**data, "base_salary": "20500"})
    assert 'data-testid="raise-guideline-warning"' not in response.text  # +2.5%: within


def test_only_released_ratings_count_for_the_guideline(
    client_for, people, assignments, review_cycle, rating_scale, english
):
    rc = review_cycle(status="calibration")
    Review.objects.filter(pk=rc.reviews["employee"].pk).update(final_rating=rating_scale["A+"], status="rated")
    text = client_for("payroll").get(revise_url(people["employees"]["employee"])).text
    assert "No released performance rating yet" in text and "raise up to 15%" not in text

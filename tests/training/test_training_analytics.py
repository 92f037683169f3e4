"""Training analytics: the pure figures and the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from training import analytics as a

D = Decimal


def test_completion_and_pass_rates():
    counts = [
        a.EnrolmentCount(1, "completed", 8),
        a.EnrolmentCount(1, "enrolled", 1),
        a.EnrolmentCount(1, "no_show", 1),
        a.EnrolmentCount(1, "cancelled", 5),
    ]
    (rate,) = a.completion_rates(counts, {1: "反洗钱"}, {1: (10, 7)})
    assert rate.completion == D("0.8000")  # cancelled left out
    assert rate.pass_rate == D("0.7000")


def test_a_course_lagging_20_points_is_flagged():
    rates = [
        a.Rate(1, "A", 0, 8, 2, D("0.80")),
        a.Rate(2, "B", 0, 8, 2, D("0.80")),
        a.Rate(3, "C", 5, 5, 0, D("0.50")),
        a.Rate(4, "D", 1, 1, 0, D("0.10")),  # too few to judge
    ]
    flagged = {r.label for r in a.flag_lagging(rates) if r.flagged}
    assert flagged == {"C"}


def test_high_completion_with_many_incidents_is_flagged():
    rates = [
        a.Rate(1, "上海分公司", 0, 20, 0, D("1.00")),
        a.Rate(2, "总部", 5, 15, 0, D("0.75")),
        a.Rate(3, "香港", 0, 10, 0, D("1.00")),
    ]
    out = a.flag_departments(
        rates, incidents={1: 4, 2: 1, 3: 1}, headcount={1: 10, 2: 20, 3: 5}, hours={1: D("80"), 2: D("60")}
    )
    flagged = {r.label: r for r in out}
    assert flagged["上海分公司"].flagged and not flagged["香港"].flagged and not flagged["总部"].flagged
    assert flagged["上海分公司"].hours_per_head == D("8.0") and flagged["香港"].hours_per_head == D("0.0")


def test_hours_histogram():
    assert a.hours_histogram([D("0"), D("4"), D("8"), D("9"), D("40")]) == [
        ("0", 1),
        ("1–8", 2),
        ("9–16", 1),
        ("17–32", 0),
        ("33+", 1),
    ]


@pytest.mark.django_db
def test_analytics_page_and_export(client_for, people):
    from training.models import Course, Enrollment

    course = Course.objects.create(code="X", title="合规年度培训", hours=D("3"))
    Enrollment.objects.create(
        employee=people["employees"]["employee"], course=course, source="hr", status="completed", hours=D("3")
    )
    Enrollment.objects.create(employee=people["employees"]["other_employee"], course=course, source="hr")
    page = client_for("hr").get(reverse("training:analytics"))
    assert page.status_code == 200
    (rate,) = [r for r in page.context["courses"] if r.label == "合规年度培训"]
    assert rate.completion == D("0.5000")
    assert client_for("hr").get(reverse("training:analytics_export")).status_code == 200
    assert client_for("employee").get(reverse("training:analytics")).status_code == 403

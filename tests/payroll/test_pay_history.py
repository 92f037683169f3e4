"""An employee's pay history (page, PDF, Excel): who may see it, twelve finalised months with the
inputs, bonuses and salary changes behind them, the PDF's Chinese text and content hash, audit."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader

from hrsuite.audit.models import AuditEntry, AuditEvent
from payroll.models import InputDefinition, PayAssignment, PaySlip, PeriodInput
from tests.payroll.export_helpers import rows, workbook

pytestmark = pytest.mark.django_db
URLS = ("pay_history", "pay_history_pdf", "pay_history_xlsx")
NAME = "王晓明"
FIRST, LAST = date(2025, 11, 1), date(2026, 10, 1)


def months(first: date, n: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(n)]


@pytest.fixture
def subject(people, assignments):
    """`employee`, renamed to a Chinese name, with a raise in April 2026, inputs and an annual bonus."""
    employee = people["employees"]["employee"]
    employee.name = employee.bank_account_holder = NAME
    employee.save()
    old = assignments["employee"]
    old.effective_to = date(2026, 3, 31)
    old.save()
    PayAssignment.objects.create(
        employee=employee,
        structure=old.structure,
        base_salary=Decimal("23000"),
        effective_from=date(2026, 4, 1),
        si_policy_city="北京",
        reason="晋升 P6",
    )
    coefficient = InputDefinition.objects.get(code="绩效系数")
    sales = InputDefinition.objects.get(code="销售额")
    bonus = InputDefinition.objects.get(code="年终奖")
    for period, value in ((date(2026, 3, 1), "1.2"), (date(2026, 6, 1), "0.8")):
        PeriodInput.objects.create(employee=employee, period=period, definition=coefficient, value=Decimal(value))
    PeriodInput.objects.create(employee=employee, period=date(2026, 5, 1), definition=sales, value=Decimal("150000"))
    PeriodInput.objects.create(employee=employee, period=date(2026, 1, 1), definition=bonus, value=Decimal("48000"))
    return employee


@pytest.fixture
def year(subject, run_factory):
    """Twelve finalised runs, November 2025 to October 2026, and a calculated (not final) November 2026."""
    for period in months(FIRST, 12):
        run_factory(period, finalize=True)
    run_factory(date(2026, 11, 1))
    return subject


def url(name, employee, **params):
    u = reverse(f"payroll:{name}", args=[employee.pk])
    return u + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_only_payroll_opens_pay_history(client_for, people, subject):
    employee = people["employees"]["other_employee"]
    for name in URLS:
        assert client_for("payroll").get(url(name, employee)).status_code == 200, name
        for role in ("hr", "hr_admin", "manager", "employee"):
            assert client_for(role).get(url(name, employee)).status_code == 403, (name, role)
        response = client_for(None).get(url(name, employee))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        assert client_for("payroll").get(reverse(f"payroll:{name}", args=[999999])).status_code == 404


def test_page_shows_twelve_final_months_with_inputs_bonuses_and_raises(client_for, people, year):
    response = client_for("payroll").get(url("pay_history", year))
    assert response.status_code == 200
    history = response.context["history"]
    assert history.months == months(FIRST, 12)  # default: ending with the latest finalised month
    assert history.months_paid == 12
    slips = PaySlip.objects.filter(employee=year, period__gte=FIRST, period__lte=LAST)
    rows_by_label = {r.label: r for r in history.pay_rows}
    gross = next(r for r in history.pay_rows if r.kind == "subtotal")
    assert gross.total == slips.aggregate(s=Sum("gross"))["s"] == history.total_gross
    net = next(r for r in history.pay_rows if r.kind == "total")
    assert net.values[-1] == slips.get(period=LAST).net
    assert {"基本工资", "岗位工资", "绩效奖金", "养老保险（个人）", "个人所得税", "全年一次性奖金"} <= set(
        rows_by_label
    )
    base = rows_by_label["基本工资"].values
    assert base[0] == Decimal("20000") and base[-1] == Decimal("23000")  # the raise from April
    # period inputs, in their months
    inputs = {r.label: r.values for r in history.input_rows}
    assert inputs["绩效系数"][4] == Decimal("1.2") and inputs["绩效系数"][7] == Decimal("0.8")
    assert inputs["绩效系数"][0] is None and inputs["销售额"][6] == Decimal("150000")
    # bonuses: the annual one in January with its own tax, the variable components
    bonuses = {r.code: r for r in history.bonus_rows if r.code}
    assert bonuses["ANNUAL_BONUS"].values[2] == Decimal("48000") and bonuses["BONUS_TAX"].values[2] > 0
    assert "绩效奖金" in bonuses
    # base salary history: the two assignments overlapping the window, the raise shown
    assert [r.assignment.base_salary for r in history.assignments] == [Decimal("20000"), Decimal("23000")]
    assert history.assignments[1].change == Decimal("3000")
    text = response.text
    assert NAME in text and history.digest in text and "晋升 P6" in text and "2025-11" in text
    assert AuditEntry.objects.filter(
        event=AuditEvent.VIEW, actor=people["users"]["payroll"], object_pk=str(year.pk)
    ).exists()


def test_a_chosen_month_and_runs_not_yet_final(client_for, year):
    client = client_for("payroll")
    history = client.get(url("pay_history", year, month="2026-06")).context["history"]
    assert history.months[0] == date(2025, 7, 1) and history.months[-1] == date(2026, 6, 1)
    assert history.months_paid == 8  # November 2025 to June 2026
    history = client.get(url("pay_history", year, month="2026-11")).context["history"]
    assert history.months_paid == 11  # November 2026 is calculated, not final: left out
    assert all(v is None for v in [r.values[-1] for r in history.pay_rows])


def test_page_reads_a_fixed_number_of_queries(client_for, year, django_assert_max_num_queries):
    client = client_for("payroll")
    client.get(url("pay_history", year))
    with django_assert_max_num_queries(18):  # 16 today: session, user, scope, slips, lines, inputs, …
        client.get(url("pay_history", year))


def test_pdf_is_chinese_with_the_figures_and_content_hash(client_for, people, year):
    response = client_for("payroll").get(url("pay_history_pdf", year))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    digest = client_for("payroll").get(url("pay_history", year)).context["history"].digest
    assert NAME in text and "工资" in text and "个人所得税" in text
    assert digest in text.replace("\n", "").replace(" ", "")
    assert "2025-11" in text and "2026-10" in text
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape A4
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT, object_pk=str(year.pk))
    assert entry.actor == people["users"]["payroll"] and entry.additional_data["content_hash"] == digest


def test_excel_holds_the_same_tables(client_for, people, year):
    client = client_for("payroll")
    history = client.get(url("pay_history", year)).context["history"]
    wb = workbook(client.get(url("pay_history_xlsx", year)))
    assert len(wb.sheetnames) == 5
    summary, pay, inputs, bonuses, salary = (rows(ws) for ws in wb.worksheets)
    assert [r[1] for r in summary if r[1] == NAME] == [NAME]
    assert history.digest in [r[1] for r in summary]
    assert pay[0][1] == "2025-11" and pay[0][12] == "2026-10" and len(pay[0]) == 14
    assert len(pay) == len(history.pay_rows) + 1
    by_label = {r[0]: r for r in pay[1:]}
    assert Decimal(str(by_label["基本工资"][12])) == Decimal("23000")
    assert {r[0] for r in inputs[1:]} == {"绩效系数", "销售额", "年终奖"}
    assert any(r[0] == "全年一次性奖金" and Decimal(str(r[3])) == Decimal("48000") for r in bonuses[1:])
    assert [Decimal(str(r[3])) for r in salary[1:]] == [Decimal("20000"), Decimal("23000")]
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT, object_pk=str(year.pk))
    assert entry.additional_data["what"] == "pay history Excel" and entry.additional_data["rows"] > 0


def test_assignment_page_links_to_the_pay_history(client_for, subject):
    page = client_for("payroll").get(reverse("payroll:assignment_detail", args=[subject.pk]))
    assert reverse("payroll:pay_history", args=[subject.pk]) in page.text


def test_a_name_that_looks_like_a_formula_is_text_in_the_workbook(client_for, people, assignments, run_factory):
    employee = people["employees"]["other_employee"]
    employee.name = employee.bank_account_holder = '=HYPERLINK("http://evil.example/x","点我")'
    employee.save()
    run_factory(LAST, finalize=True)
    wb = workbook(client_for("payroll").get(url("pay_history_xlsx", employee)))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "'" + employee.name in values and employee.name not in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)

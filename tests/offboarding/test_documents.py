"""The separation certificate PDF (text read back with pypdf; refused before completion; HR only;
audited) and the final settlement: the pure calculation in tables, the pay facts gathered from
payroll, the page, saving the compensation, and the PDF."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hrsuite.audit.models import AuditEntry, AuditEvent
from offboarding import documents
from offboarding.models import CaseEvent, SeparationCase
from offboarding.settlement import (
    DEFAULT_LOCAL_AVG_MONTHLY_WAGE,
    ServiceLength,
    SettlementInput,
    service_length,
    settle,
    weekdays,
)

D = Decimal
NATIONAL_ID = "110105199003071234"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- pure calculation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hire, last, expected",
    [
        (date(2020, 3, 1), date(2024, 2, 29), ServiceLength(4, 0, 0)),
        (date(2020, 1, 1), date(2024, 6, 30), ServiceLength(4, 6, 0)),
        (date(2023, 1, 10), date(2023, 4, 20), ServiceLength(0, 3, 11)),
        (date(2024, 3, 1), date(2024, 3, 20), ServiceLength(0, 0, 20)),
        (date(2019, 1, 31), date(2019, 2, 27), ServiceLength(0, 0, 28)),
        (date(2024, 5, 1), date(2024, 4, 30), ServiceLength(0, 0, 0)),
    ],
)
def test_service_length(hire, last, expected):
    assert service_length(hire, last) == expected


def test_weekdays():
    assert weekdays(date(2024, 6, 1), date(2024, 6, 30)) == 20  # June 2024 starts on a Saturday
    assert weekdays(date(2024, 6, 3), date(2024, 6, 14)) == 10
    assert weekdays(date(2024, 6, 8), date(2024, 6, 9)) == 0
    assert weekdays(date(2024, 6, 10), date(2024, 6, 9)) == 0


def _input(**kw):
    base = dict(
        kind="termination",
        last_working_day=date(2024, 6, 14),
        hire_date=date(2020, 1, 1),
        monthly_pay=D(10000),
        avg_monthly_wage=None,
        last_month_wage=None,
        local_avg_monthly_wage=DEFAULT_LOCAL_AVG_MONTHLY_WAGE,
    )
    base.update(kw)
    return SettlementInput(**base)


# (case, input overrides, last salary, leave pay, compensation total, total)
SETTLEMENT_TABLE = [
    # half a month worked (10 of June 2024's 20 working days); resignation: no compensation
    ("resignation", dict(kind="resignation"), "5000.00", "0.00", "0", "5000.00"),
    # 4 years 5 months 14 days -> 4.5 months × 10,000
    ("termination", dict(), "5000.00", "0.00", "45000.00", "50000.00"),
    # the 12-month average wins over the monthly pay for compensation and leave
    ("average wage", dict(avg_monthly_wage=D(12000)), "5000.00", "0.00", "54000.00", "59000.00"),
    # 5 unused days × 10,000 / 21.75 × 200%
    ("unused leave", dict(kind="resignation", unused_leave_days=D(5)), "5000.00", "4597.70", "0", "9597.70"),
    ("other amounts", dict(kind="resignation", other_amount=D("-300.50")), "5000.00", "0.00", "0", "4699.50"),
    # no notice: one more month at the last payslip's wage
    ("no notice", dict(notice_given=False, last_month_wage=D(11000)), "5000.00", "0.00", "56000.00", "61000.00"),
    # the notice month is for a termination only
    ("mutual, no notice", dict(kind="mutual", notice_given=False), "5000.00", "0.00", "45000.00", "50000.00"),
    ("contract end", dict(kind="contract_end"), "5000.00", "0.00", "45000.00", "50000.00"),
    ("waived", dict(no_compensation=True), "5000.00", "0.00", "0", "5000.00"),
    # capped: 3 × 12,307 = 36,921 a month, at most 12 years (15 years served)
    (
        "capped",
        dict(hire_date=date(2009, 6, 1), monthly_pay=D(50000)),
        "25000.00",
        "0.00",
        "443052.00",
        "468052.00",
    ),
    # less than six months: half a month
    ("half month", dict(hire_date=date(2024, 2, 1)), "5000.00", "0.00", "5000.00", "10000.00"),
    # only a few days: still half a month (劳动合同法 第四十七条)
    ("days only", dict(hire_date=date(2024, 6, 3)), "5000.00", "0.00", "5000.00", "10000.00"),
    # six months exactly counts as a year
    ("six months", dict(hire_date=date(2023, 12, 15)), "5000.00", "0.00", "10000.00", "15000.00"),
    # hired this month: pro-rated from the hire date
    ("hired this month", dict(kind="resignation", hire_date=date(2024, 6, 10)), "2500.00", "0.00", "0", "2500.00"),
]


@pytest.mark.parametrize("name, overrides, salary, leave, compensation, total", SETTLEMENT_TABLE)
def test_settlement_table(name, overrides, salary, leave, compensation, total):
    sheet = settle(_input(**overrides))
    assert sheet.last_salary == D(salary), name
    assert sheet.leave_pay == D(leave), name
    assert sheet.compensation_total == D(compensation), name
    assert sheet.total == D(total), name


def test_capped_detail():
    sheet = settle(_input(hire_date=date(2009, 6, 1), monthly_pay=D(50000)))
    assert sheet.compensation.capped and sheet.compensation.base == D("36921.00")
    assert sheet.compensation.service_months_counted == D(12)


def test_resignation_never_gets_compensation():
    sheet = settle(_input(kind="resignation", notice_given=False, hire_date=date(2000, 1, 1)))
    assert not sheet.compensation_due and sheet.compensation is None and sheet.compensation_total == 0


def test_no_pay_data_leaves_the_total_open():
    sheet = settle(_input(monthly_pay=None))
    assert sheet.last_salary is None and sheet.total is None and sheet.compensation is None
    assert sheet.wage_basis == ""
    # the payslip average alone still gives the compensation
    sheet = settle(_input(monthly_pay=None, avg_monthly_wage=D(8000)))
    assert sheet.compensation_total == D(36000) and sheet.total is None


def test_negative_leave_days_are_refused():
    with pytest.raises(ValueError):
        settle(_input(unused_leave_days=D(-1)))


# --- pay facts from payroll --------------------------------------------------------------------


@pytest.fixture
def completed(people, open_case):
    oc = open_case(last_day_in=0, status="completed")
    today = timezone.localdate()
    SeparationCase.objects.filter(pk=oc.case.pk).update(
        notice_date=today - timedelta(days=30),
        last_working_day=today - timedelta(days=1),
        revoke_on=today - timedelta(days=1),
    )
    oc.case.refresh_from_db()
    emp = oc.leaver
    emp.national_id = NATIONAL_ID
    emp.hire_date = date(2019, 7, 1)
    from employees.models import Position

    emp.position = Position.objects.create(code="SALES-AM", title="客户经理", role_family="sales")
    emp.save()
    oc.case.completed_at = timezone.now()
    oc.case.save(update_fields=["completed_at"])
    return oc


def _pay(employee, *, base, allowance=None, slips=()):
    from payroll.models import AssignmentItem, PayAssignment, PayComponent, PayRun, PaySlip, SalaryStructure

    structure = SalaryStructure.objects.create(code="S", name="结构", effective_from=date(2015, 1, 1))
    assignment = PayAssignment.objects.create(
        employee=employee, structure=structure, base_salary=base, effective_from=date(2015, 1, 1)
    )
    if allowance:
        comp = PayComponent.objects.create(code="交通补贴", name="交通补贴", kind="earning")
        bonus = PayComponent.objects.create(code="奖金", name="奖金", kind="earning", variable=True)
        AssignmentItem.objects.create(assignment=assignment, component=comp, amount=allowance)
        AssignmentItem.objects.create(assignment=assignment, component=bonus, amount=D(9999))
    prepared = employee.user
    for period, gross in slips:
        run = PayRun.objects.create(period=period, scope_key="all", prepared_by=prepared, status="draft")
        PaySlip.objects.create(
            run=run, employee=employee, period=period, gross=gross, calc_token="00000000-0000-0000-0000-000000000000"
        )
        PayRun.objects.filter(pk=run.pk).update(status="finalized")
    return assignment


def _month(d: date, back: int) -> date:
    y, m = divmod(d.month - 1 - back, 12)
    return date(d.year + y, m + 1, 1)


def test_pay_facts_from_the_assignment_and_finalised_payslips(completed):
    case = completed.case
    month = case.last_working_day.replace(day=1)
    slips = [(_month(month, i), D(12000) if i % 2 else D(14000)) for i in range(1, 13)]
    slips.append((_month(month, 13), D(99999)))  # older than 12 months: ignored
    slips.append((month, D(1)))  # the leaving month itself: ignored
    _pay(completed.leaver, base=D(20000), allowance=D(500), slips=slips)
    facts = documents.pay_facts(case)
    assert facts.monthly_pay == D(20500)  # the variable bonus is not fixed pay
    assert facts.payslip_months == 12
    assert facts.avg_monthly_wage == D(13000)
    assert facts.last_month_wage == D(12000)


def test_pay_facts_without_assignment(completed):
    facts = documents.pay_facts(completed.case)
    assert facts.monthly_pay is None and facts.avg_monthly_wage is None


# --- separation certificate ----------------------------------------------------------------------


def test_certificate_states_the_facts_with_a_masked_id(people, completed):
    doc = documents.separation_certificate_pdf(case=completed.case, actor=people["users"]["hr"])
    text = pdf_text(doc.pdf)
    flat = re.sub(r"\s+", "", text)
    leaver = completed.leaver
    assert leaver.name in text
    assert "1234" in text and NATIONAL_ID not in flat and "19900307" not in flat
    assert "客户经理" in text and leaver.department.name in text
    assert "2019-07-01" in text and completed.case.last_working_day.isoformat() in text
    assert doc.digest in flat
    assert re.search(r"(劳动关系|employment relationship)", text)
    entry = AuditEntry.objects.get(event=AuditEvent.DOWNLOAD, object_pk=str(completed.case.pk))
    assert entry.actor == people["users"]["hr"] and entry.details["content_hash"] == doc.digest


def test_certificate_is_refused_before_completion(people, open_case, english):
    oc = open_case()
    with pytest.raises(ValidationError) as exc:
        documents.separation_certificate_pdf(case=oc.case, actor=people["users"]["hr"])
    assert "once the case is completed" in exc.value.messages[0]
    assert not AuditEntry.objects.filter(event=AuditEvent.DOWNLOAD).exists()


def test_certificate_service_is_hr_only(people, completed):
    with pytest.raises(ValidationError):
        documents.separation_certificate_pdf(case=completed.case, actor=people["users"]["manager"])


@pytest.mark.parametrize(
    "role, status",
    [("hr", 200), ("hr_admin", 200), ("manager", 403), ("employee", 403), ("payroll", 403), ("other_employee", 403)],
)
def test_certificate_view_permissions(client_for, completed, role, status):
    response = client_for(role).get(reverse("offboarding:certificate_pdf", args=[completed.case.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


def test_certificate_view_before_completion_explains(client_for, open_case, english):
    oc = open_case()
    response = client_for("hr").get(reverse("offboarding:certificate_pdf", args=[oc.case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("offboarding:case_documents", args=[oc.case.pk])
    assert b"once the case is completed" in response.content


def test_anonymous_goes_to_login(client_for, completed):
    response = client_for(None).get(reverse("offboarding:certificate_pdf", args=[completed.case.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- settlement pages -----------------------------------------------------------------------------


@pytest.fixture
def terminated(completed):
    SeparationCase.objects.filter(pk=completed.case.pk).update(kind="termination")
    completed.case.refresh_from_db()
    return completed


def test_settlement_page_computes_from_payroll_and_inputs(client_for, terminated):
    _pay(terminated.leaver, base=D(10000))
    url = reverse("offboarding:settlement", args=[terminated.case.pk])
    response = client_for("hr").get(url, {"unused_leave_days": "2", "local_avg_monthly_wage": "12307"})
    assert response.status_code == 200
    sheet = response.context["sheet"]
    service = service_length(date(2019, 7, 1), terminated.case.last_working_day)
    months = service.years + (1 if service.months >= 6 else D("0.5") if service.months or service.days else 0)
    assert sheet.compensation_total == D(10000) * months
    assert sheet.leave_pay == D("1839.08")  # 2 × 10,000 / 21.75 × 2
    assert b'data-testid="settlement-total"' in response.content


def test_settlement_without_assignment_says_so(client_for, completed):
    response = client_for("hr").get(reverse("offboarding:settlement", args=[completed.case.pk]))
    assert response.status_code == 200
    assert b'data-testid="no-assignment"' in response.content


def test_saving_the_settlement_stores_the_compensation(people, client_for, terminated):
    _pay(terminated.leaver, base=D(10000))
    url = reverse("offboarding:settlement", args=[terminated.case.pk])
    response = client_for("hr").post(url, {"local_avg_monthly_wage": "12307", "notice_given": "yes"})
    assert response.status_code == 302
    case = SeparationCase.objects.get(pk=terminated.case.pk)
    assert case.economic_compensation is not None and case.economic_compensation > 0
    assert CaseEvent.objects.filter(case=case, kind="settlement", actor=people["users"]["hr"]).exists()


def test_saving_a_resignation_stores_zero(client_for, completed):
    _pay(completed.leaver, base=D(10000))
    client_for("hr").post(reverse("offboarding:settlement", args=[completed.case.pk]), {"local_avg_monthly_wage": "1"})
    assert SeparationCase.objects.get(pk=completed.case.pk).economic_compensation == D(0)


def test_saving_without_pay_data_is_refused(client_for, terminated):
    response = client_for("hr").post(
        reverse("offboarding:settlement", args=[terminated.case.pk]), {"local_avg_monthly_wage": "12307"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SeparationCase.objects.get(pk=terminated.case.pk).economic_compensation is None


def test_bad_inputs_are_shown_on_the_form(client_for, terminated, english):
    response = client_for("hr").get(
        reverse("offboarding:settlement", args=[terminated.case.pk]), {"unused_leave_days": "-3"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unused_leave_days"]
    response = client_for("hr").post(
        reverse("offboarding:settlement", args=[terminated.case.pk]), {"local_avg_monthly_wage": "0"}
    )
    assert response.status_code == 200
    assert SeparationCase.objects.get(pk=terminated.case.pk).economic_compensation is None


def test_settlement_pdf_is_audited(people, client_for, terminated):
    _pay(terminated.leaver, base=D(10000))
    response = client_for("hr").get(
        reverse("offboarding:settlement_pdf", args=[terminated.case.pk]), {"unused_leave_days": "1"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert terminated.leaver.name in text and "459.77" in text  # 1 day × 10,000 / 21.75 × 2
    entry = AuditEntry.objects.get(event=AuditEvent.DOWNLOAD, object_pk=str(terminated.case.pk))
    assert entry.details["what"] == "final settlement PDF"


@pytest.mark.parametrize("role, status", [("hr", 200), ("manager", 403), ("employee", 403), ("team_member", 403)])
def test_settlement_permissions(client_for, completed, role, status):
    assert client_for(role).get(reverse("offboarding:settlement", args=[completed.case.pk])).status_code == status
    pdf = client_for(role).get(reverse("offboarding:settlement_pdf", args=[completed.case.pk]))
    assert pdf.status_code == status


@pytest.mark.parametrize("role, status", [("hr", 200), ("manager", 403), ("employee", 403), ("other_manager", 403)])
def test_documents_page_permissions(client_for, open_case, role, status):
    oc = open_case()
    assert client_for(role).get(reverse("offboarding:case_documents", args=[oc.case.pk])).status_code == status


def test_documents_page_shows_the_state(client_for, completed):
    response = client_for("hr").get(reverse("offboarding:case_documents", args=[completed.case.pk]))
    assert b'data-testid="certificate-download"' in response.content
    assert b'data-testid="revoke-now"' in response.content
    assert b'data-testid="exit-send"' in response.content


def test_documents_page_of_an_open_case(client_for, open_case):
    oc = open_case(last_day_in=30)
    response = client_for("hr").get(reverse("offboarding:case_documents", args=[oc.case.pk]))
    assert b'data-testid="certificate-refusal"' in response.content
    assert b'data-testid="schedule-week-early"' in response.content
    assert (oc.case.last_working_day - timedelta(days=7)).isoformat().encode() in response.content

"""Publishing payslips: PDFs rendered once in batches with Chinese text, employees notified and
able to see and download only their own, audited."""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.notifications.models import Notification
from payroll.models import PaySlip, PayslipDocument
from payroll.payslips import payrun_publish, render_batch, render_payslip_pdf, store_payslip_pdf

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def published(assignments, run_factory, people, django_capture_on_commit_callbacks):
    run = run_factory(JAN, finalize=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = payrun_publish(run=run, actor=people["users"]["payroll"])
    return run


def test_payslip_pdf_is_chinese_and_complete(assignments, run_factory, people):
    people["employees"]["employee"].name = "李小龙"
    people["employees"]["employee"].save()
    run = run_factory(JAN)
    slip = PaySlip.objects.get(run=run, employee=people["employees"]["employee"])
    text = pdf_text(render_payslip_pdf(slip))
    for expected in (
        "工资单",
        "李小龙",
        "基本工资",
        "养老保险（个人）",
        "个人所得税",
        "实发工资",
        "¥20,000.00",
        "¥421.50",
    ):
        assert expected in text, expected
    assert "\ufffd" not in text


def test_publishing_renders_each_pdf_once_and_notifies(published, people):
    slips = PaySlip.objects.filter(run=published, status="ok")
    assert PayslipDocument.objects.filter(slip__run=published).count() == slips.count()
    before = {d.pk: d.sha256 for d in PayslipDocument.objects.all()}
    assert render_batch(published.pk, 0) == slips.count()  # a repeated batch
    assert {d.pk: d.sha256 for d in PayslipDocument.objects.all()} == before
    note = Notification.objects.get(recipient=people["users"]["employee"])
    assert note.key.startswith("payslip:") and note.url.startswith("/me/payslips/")


def test_store_is_idempotent(assignments, run_factory, people):
    run = run_factory(JAN)
    slip = PaySlip.objects.filter(run=run).first()
    first = store_payslip_pdf(slip)
    assert store_payslip_pdf(slip) == first


def test_employee_sees_and_downloads_only_own_published_payslips(published, client_for, people, run_factory):
    own = PaySlip.objects.get(run=published, employee=people["employees"]["employee"])
    other = PaySlip.objects.get(run=published, employee=people["employees"]["other_employee"])
    client = client_for("employee")
    listing = client.get(reverse("mypay:list"))
    assert [s.pk for s in listing.context["page_obj"]] == [own.pk]
    assert client.get(reverse("mypay:detail", args=[own.pk])).status_code == 200
    response = client.get(reverse("mypay:pdf", args=[own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "工资单" in pdf_text(b"".join(response.streaming_content))
    assert client.get(reverse("mypay:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("mypay:pdf", args=[other.pk])).status_code == 404
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW, object_pk=str(own.pk)).exists()
    assert AuditEntry.objects.filter(event=AuditEvent.DOWNLOAD, object_pk=str(own.pk)).exists()


def test_unpublished_payslips_are_not_shown(assignments, run_factory, client_for, people):
    run = run_factory(FEB, finalize=True)
    slip = PaySlip.objects.get(run=run, employee=people["employees"]["employee"])
    client = client_for("employee")
    assert list(client.get(reverse("mypay:list")).context["page_obj"]) == []
    assert client.get(reverse("mypay:detail", args=[slip.pk])).status_code == 404


def test_a_manager_does_not_see_reports_pay(published, client_for, people):
    report = PaySlip.objects.get(run=published, employee=people["employees"]["employee"])
    client = client_for("manager")
    assert client.get(reverse("mypay:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("payroll:slip_detail", args=[report.pk])).status_code == 403


def test_payroll_can_render_a_single_payslip_on_demand(assignments, run_factory, client_for, people):
    run = run_factory(JAN)
    slip = PaySlip.objects.get(run=run, employee=people["employees"]["employee"])
    response = client_for("payroll").get(reverse("payroll:slip_pdf", args=[slip.pk]))
    assert response.status_code == 200 and b"%PDF" in response.content[:8]

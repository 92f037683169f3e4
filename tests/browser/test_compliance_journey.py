"""HR in a real browser: filters the compliance matrix, downloads its Excel export, previews the
compliance training report of a department and downloads the PDF, whose text is then read."""

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.training.qualification_fixtures import make_cert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


@pytest.fixture
def evidence(quals, people):
    from training.models import Course, Enrollment

    e = people["employees"]
    e["employee"].name = "王晓明"
    e["employee"].save()
    today = timezone.localdate()
    make_cert(e["employee"], quals.fund, "F-E", expires=today + timedelta(days=400))
    make_cert(e["employee"], quals.aml, "A-E", expires=today + timedelta(days=10))
    course = Course.objects.create(code="ETH-1", title="职业道德与合规", hours=Decimal("2.5"))
    Enrollment.objects.create(
        employee=e["employee"],
        course=course,
        source="hr",
        status="completed",
        completed_at=timezone.now() - timedelta(days=3),
        hours=course.hours,
    )
    return e


def test_hr_downloads_the_matrix_export_and_the_report_pdf(page, login, live_server, org, evidence):
    login(page, "hr")
    page.goto(f"{live_server.url}/training/compliance/")
    expect(page.locator("tr", has_text="王晓明")).to_contain_text("10")  # AML expiring in 10 days
    page.select_option("select[name=department]", str(org["a"].pk))
    page.click("button[type=submit]")
    expect(page.locator("tr", has_text="王晓明")).to_have_count(1)
    page.screenshot(path=f"{SCREENSHOTS}/compliance-matrix-journey.png", full_page=True)

    with page.expect_download() as info:
        page.click("a[href*='/training/compliance/export/']")
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True).active
    cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert "王晓明" in cells

    page.click("a[href$='/training/compliance/report/']")
    page.check("input[name=scope][value=department]")
    page.select_option("#content form select[name=department]", str(org["a"].pk))
    page.click("#content form button:has(.bi-eye)")
    expect(page.locator("#content table")).to_contain_text("王晓明")
    with page.expect_download() as info:
        page.click("a[href*='/training/compliance/report/pdf/']")
    assert info.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(info.value.path())
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "").replace(" ", "")
    assert "王晓明" in text and "职业道德与合规" in text and "基金从业资格" in text and "F-E" in text

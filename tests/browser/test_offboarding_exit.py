"""HR ends a leaver's access in a real browser: the leaver's open session is gone on their next
page load and signing in again with the right password fails (and is audited); HR reads the
case's audit page, the final settlement sheet, and downloads the separation certificate of a
completed case. Screenshots go to var/screenshots/."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from hrsuite.audit.models import AuditEntry, AuditEvent
from offboarding.models import CustomerAccount, SeparationCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


@pytest.fixture
def cases(people, open_case):
    from employees.models import Employee, Position
    from payroll.models import PayAssignment, SalaryStructure

    emps, users = people["employees"], people["users"]
    revoke = open_case(last_day_in=10)
    revoke.case.kind = "termination"
    revoke.case.save(update_fields=["kind"])
    CustomerAccount.objects.create(name="华信精密制造有限公司", owner=revoke.leaver, is_key=True)
    # the leaver's last weeks in the audit log: an export and a download stand out
    for event, name, days, rows in [
        (AuditEvent.EXPORT, "客户名单", 3, 312),
        (AuditEvent.DOWNLOAD, "年度框架协议-扫描件.pdf", 2, None),
        (AuditEvent.VIEW, "华信精密制造有限公司", 1, None),
    ]:
        AuditEntry.objects.create(
            content_type=ContentType.objects.get_for_model(CustomerAccount), object_pk="", object_repr=name,
            action=AuditEntry.Action.ACCESS, event=event, actor=users["employee"], remote_addr="10.8.3.57",
            timestamp=timezone.now() - timedelta(days=days), additional_data={"rows": rows} if rows else None,
        )  # fmt: skip

    done = open_case(employee_key="other_employee", successor_key="other_manager", last_day_in=0, status="completed")
    leaver = Employee.objects.get(pk=done.leaver.pk)
    leaver.national_id = "110105199003074321"
    leaver.hire_date = date(2018, 4, 9)
    leaver.position = Position.objects.create(code="SALES-AM", title="客户经理", role_family="sales")
    leaver.save()
    SeparationCase.objects.filter(pk=done.case.pk).update(kind="mutual", completed_at=timezone.now())
    structure = SalaryStructure.objects.create(code="S", name="销售岗", effective_from=date(2015, 1, 1))
    PayAssignment.objects.create(
        employee=leaver, structure=structure, base_salary=Decimal(18000), effective_from=date(2018, 4, 9)
    )
    return {"revoke": revoke, "done": done, "emps": emps}


def test_hr_revokes_access_and_downloads_the_certificate(page, browser, login, live_server, people, cases):
    base = live_server.url
    revoke = cases["revoke"]

    # the leaver is signed in in their own browser
    leaver_context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    leaver_page = leaver_context.new_page()
    login(leaver_page, "employee")
    leaver_page.goto(f"{base}/me/surveys/")
    assert "/accounts/login/" not in leaver_page.url

    # HR revokes now
    login(page, "hr")
    page.goto(f"{base}/offboarding/cases/{revoke.case.pk}/documents/")
    expect(page.locator('[data-testid="certificate-refusal"]')).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/offboarding-documents.png", full_page=True)
    page.fill("input[name=reason]", "敏感岗位，提前回收")
    page.check("input[name=confirm]")
    page.click('[data-testid="revoke-now"]')
    expect(page.locator('[data-testid="revoked-badge"]')).to_be_visible()
    expect(page.locator('[data-testid="revocation-summary"]')).to_contain_text("1")
    page.screenshot(path=f"{SCREENSHOTS}/offboarding-revoked.png", full_page=True)

    # the leaver's next page load goes to the login page
    leaver_page.goto(f"{base}/me/surveys/")
    expect(leaver_page).to_have_url(re.compile(r"/accounts/login/"))
    # and signing in again with the right password fails
    login(leaver_page, "employee")
    expect(leaver_page).to_have_url(re.compile(r"/accounts/login/"))
    expect(leaver_page.locator("input[name=password]")).to_be_visible()
    leaver_user = people["users"]["employee"]
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED, object_pk=str(leaver_user.pk)).exists()
    leaver_context.close()

    # the audit page: the export stands out, the refused sign-in is listed
    page.goto(f"{base}/offboarding/cases/{revoke.case.pk}/audit/")
    expect(page.locator('[data-testid="sensitive-alert"]')).to_be_visible()
    expect(page.locator('[data-testid="activity"]')).to_contain_text("客户名单")
    expect(page.locator('[data-testid="attempts"]')).to_contain_text(leaver_user.username)
    page.screenshot(path=f"{SCREENSHOTS}/offboarding-audit.png", full_page=True)

    # the completed case: settlement sheet and the certificate
    done = cases["done"]
    page.goto(f"{base}/offboarding/cases/{done.case.pk}/settlement/?unused_leave_days=3")
    expect(page.locator('[data-testid="settlement-total"]')).to_contain_text("¥")
    page.screenshot(path=f"{SCREENSHOTS}/offboarding-settlement.png", full_page=True)
    page.click('[data-testid="settlement-save"]')
    expect(page.locator(".alert-success, .alert.alert-success")).to_be_visible()
    assert SeparationCase.objects.get(pk=done.case.pk).economic_compensation > 0

    page.goto(f"{base}/offboarding/cases/{done.case.pk}/documents/")
    with page.expect_download() as download_info:
        page.click('[data-testid="certificate-download"]')
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(str(download.path())).pages)
    assert done.leaver.name in text and "4321" in text and "110105199003074321" not in text.replace("\n", "")
    assert AuditEntry.objects.filter(event=AuditEvent.DOWNLOAD, object_pk=str(done.case.pk)).exists()

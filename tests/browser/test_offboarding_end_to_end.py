"""One separation from resignation to revoked access, every person in a real browser: the
employee resigns, HR starts the handover from the department's template, the leaver fills in the
four typed items and uploads the contract scans, the successor sends one back and then confirms
all, the department head and HR approve, the case completes, the revocation job runs on the last
working day, the leaver can no longer sign in (audited), and HR downloads the separation
certificate. (The segments are tested in detail by test_offboarding_cases, test_handover_items
and test_offboarding_exit; this test proves they join up.)"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from hrsuite.audit.models import AuditEntry
from offboarding.models import SeparationCase
from offboarding.revocation import revoke_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELDS = {
    "customer": {"customer_name": "上海华泰贸易有限公司", "contact": "采购部 王经理 13912345678"},
    "cooperation": {"contract_no": "HT-2026-0318", "outstanding_amount": "125000"},
    "preferences": {"decision_makers": "采购总监 李总；财务经理 陈女士"},
    "documents": {"description": "合同扫描件与近三个月沟通记录"},
}


def sign_in_as(page, login, role):
    page.context.clear_cookies()
    login(page, role)


def fill(page, item, live_server, scan):
    page.goto(f"{live_server.url}/offboarding/items/{item.pk}/")
    if item.attachment_required:
        page.set_input_files("input[name=file]", str(scan))
        page.click('[data-testid="upload-button"]')
        expect(page.locator('[data-testid="attachments"]')).to_contain_text(scan.name)
    for name, value in FIELDS[item.kind].items():
        page.fill(f"[name={name}]", value)
    page.click('[data-testid="item-submit"]')
    expect(page.locator(".status-submitted").first).to_be_visible()


def test_from_resignation_to_revoked_access(page, login, live_server, people, handover_template, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    emps, users = people["employees"], people["users"]
    last_day = timezone.localdate() + timedelta(days=20)
    scan = tmp_path / "合同扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # 1. the employee resigns in self-service
    login(page, "employee")
    page.goto(f"{live_server.url}/offboarding/resign/")
    page.fill("#id_reason", "个人职业发展")
    page.fill("#id_last_working_day", last_day.isoformat())
    page.click('[data-testid="resign-submit"]')
    expect(page.locator('[data-testid="resignation-status"]')).to_contain_text(last_day.isoformat())
    case = SeparationCase.objects.get(employee=emps["employee"])

    # 2. HR starts the handover from the department's template with a successor
    sign_in_as(page, login, "hr")
    page.goto(f"{live_server.url}/offboarding/cases/{case.pk}/")
    form = page.locator('[data-testid="start-handover-form"]')
    form.locator("#id_successors").select_option(value=[str(emps["team_member"].pk)])
    page.click('[data-testid="start-handover"]')
    expect(page.locator('[data-testid="checklist"] tbody tr')).to_have_count(4)
    items = list(case.items.order_by("order"))

    # 3. the leaver fills in every item (the documents item with its upload) and submits
    sign_in_as(page, login, "employee")
    for item in items:
        fill(page, item, live_server, scan)

    # 4. the successor sends the cooperation item back, the leaver fixes it, the successor confirms all
    sign_in_as(page, login, "team_member")
    cooperation = next(i for i in items if i.kind == "cooperation")
    page.goto(f"{live_server.url}/offboarding/items/{cooperation.pk}/")
    page.fill("textarea[name=comment]", "请补充未完成订单的情况。")
    page.click('[data-testid="item-send-back"]')
    expect(page.locator(".status-returned").first).to_be_visible()
    sign_in_as(page, login, "employee")
    page.goto(f"{live_server.url}/offboarding/items/{cooperation.pk}/")
    expect(page.locator('[data-testid="return-comment"]')).to_contain_text("未完成订单")
    page.fill("[name=open_orders]", "订单 PO-7781 待发货，预计 12 月 5 日交付。")
    page.click('[data-testid="item-submit"]')
    expect(page.locator(".status-submitted").first).to_be_visible()
    sign_in_as(page, login, "team_member")
    for item in items:
        page.goto(f"{live_server.url}/offboarding/items/{item.pk}/")
        page.click('[data-testid="item-confirm"]')
        expect(page.locator(".status-confirmed").first).to_be_visible()
    case.refresh_from_db()
    assert case.status == "head_approval"

    # 5. the department head approves, then HR approves and the case completes
    sign_in_as(page, login, "manager")
    page.goto(f"{live_server.url}/offboarding/cases/{case.pk}/")
    page.click('[data-testid="approve-head"]')
    expect(page.locator('[data-testid="case-status"]').first).to_have_class(re.compile(r"status-case-hr_approval"))
    sign_in_as(page, login, "hr")
    page.goto(f"{live_server.url}/offboarding/cases/{case.pk}/")
    page.click('[data-testid="approve-hr"]')
    expect(page.locator('[data-testid="case-status"]').first).to_have_class(re.compile(r"status-case-completed"))
    case.refresh_from_db()
    emps["employee"].refresh_from_db()
    assert case.status == "completed" and emps["employee"].status == "left"
    assert case.revoked_at is None  # access ends on the last working day, by the job

    # 6. the revocation job runs on the last working day; the leaver cannot sign in any more
    assert revoke_due(today=last_day).revoked == [case.pk]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", users["employee"].username)
    page.fill("input[name=password]", people["password"])
    page.click("form:has(input[name=password]) button[type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert AuditEntry.objects.filter(event="login_failed", object_pk=str(users["employee"].pk)).count() == 1

    # 7. HR downloads the separation certificate
    login(page, "hr")
    page.goto(f"{live_server.url}/offboarding/cases/{case.pk}/documents/")
    with page.expect_download() as download:
        page.click('[data-testid="certificate-download"]')
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "").replace(" ", "")
    assert emps["employee"].name in text and "离职证明" in text and last_day.strftime("%Y") in text

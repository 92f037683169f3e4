"""A handover item in a real browser: the leaver uploads a file, fills the item in and submits it;
the successor sends it back with a comment; the leaver fixes and resubmits; the successor
confirms. Screenshots of /me/handover/ for both and of the item page in each state."""

import re

import pytest
from playwright.sync_api import expect

from offboarding.models import CaseEvent, HandoverItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "var/screenshots"


def shot(page, name):
    page.screenshot(path=f"{SCREENSHOTS}/handover-{name}.png", full_page=True)


def switch(page, login, role):
    page.context.clear_cookies()
    login(page, role)


def test_fill_upload_submit_send_back_fix_confirm(page, login, live_server, open_case, tmp_path):
    hc = open_case()
    item = next(i for i in hc.items if i.kind == "documents")
    item_url = f"{live_server.url}/offboarding/items/{item.pk}/"
    scan = tmp_path / "合同扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # the leaver: their items with the progress, then the item
    login(page, "employee")
    page.goto(f"{live_server.url}/me/handover/")
    mine = page.locator('[data-testid="my-items"]')
    expect(mine.locator("tr[data-item]")).to_have_count(4)
    expect(page.locator('[data-testid="progress-text"]')).to_contain_text("0")
    shot(page, "me-leaver-start")
    mine.locator(f'tr[data-item="{item.pk}"] a').first.click()
    page.wait_for_url(re.compile(rf"/offboarding/items/{item.pk}/$"))
    expect(page.locator('[data-testid="item-form"]')).to_be_visible()
    shot(page, "item-todo")

    # submitting without the upload is refused with a clear message
    page.fill("textarea[name=description]", "合同扫描件与近三个月的沟通记录")
    page.click('[data-testid="item-submit"]')
    expect(page.locator(".alert-danger")).to_be_visible()
    assert HandoverItem.objects.get(pk=item.pk).status == "todo"

    page.set_input_files("input[name=file]", str(scan))
    page.click('[data-testid="upload-button"]')
    expect(page.locator('[data-testid="attachments"]')).to_contain_text("合同扫描件.pdf")
    page.fill("textarea[name=description]", "合同扫描件与近三个月的沟通记录")
    page.click('[data-testid="item-submit"]')
    page.wait_for_url(re.compile(rf"/offboarding/items/{item.pk}/$"))
    expect(page.locator(".status-submitted").first).to_be_visible()
    expect(page.locator('[data-testid="item-fields"]')).to_contain_text("近三个月")
    shot(page, "item-submitted")

    # the successor: the item waits for review; sending back needs a comment
    switch(page, login, "team_member")
    page.goto(f"{live_server.url}/me/handover/")
    expect(page.locator('[data-testid="to-review"]')).to_be_visible()
    shot(page, "me-successor")
    page.locator(f'[data-testid="review-items"] tr[data-item="{item.pk}"] a.btn').click()
    expect(page.locator('[data-testid="review-form"]')).to_be_visible()
    shot(page, "item-review")
    page.click('[data-testid="item-send-back"]')
    expect(page.locator('[data-testid="review-form"] .invalid-feedback')).to_be_visible()
    page.fill("textarea[name=comment]", "请补充沟通记录的时间范围和原件存放位置。")
    page.click('[data-testid="item-send-back"]')
    expect(page.locator(".status-returned").first).to_be_visible()

    # the leaver reads the comment, fixes and resubmits
    switch(page, login, "employee")
    page.goto(item_url)
    expect(page.locator('[data-testid="return-comment"]')).to_contain_text("原件存放位置")
    shot(page, "item-returned")
    page.fill("textarea[name=description]", "合同扫描件与2026年9月至11月的沟通记录；原件存放于销售部档案柜B-3。")
    page.click('[data-testid="item-submit"]')
    expect(page.locator(".status-submitted").first).to_be_visible()

    # the successor confirms
    switch(page, login, "team_member")
    page.goto(item_url)
    page.fill("textarea[name=comment]", "资料齐全，已确认。")
    page.click('[data-testid="item-confirm"]')
    expect(page.locator(".status-confirmed").first).to_be_visible()
    expect(page.locator('[data-testid="item-timeline"] li')).to_have_count(7)
    shot(page, "item-confirmed")

    switch(page, login, "employee")
    page.goto(f"{live_server.url}/me/handover/")
    expect(page.locator('[data-testid="progress-text"]')).to_contain_text("1")
    shot(page, "me-leaver-progress")

    item.refresh_from_db()
    assert item.status == "confirmed" and item.confirmed_by.username == "teammember"
    kinds = list(CaseEvent.objects.filter(item=item).order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "attachment",
        "item_saved",
        "item_submitted",
        "item_returned",
        "item_saved",
        "item_submitted",
        "item_confirmed",
    ]

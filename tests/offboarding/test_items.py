"""Handover items: the leaver fills in, uploads and submits; the successor confirms or sends back
with a comment. Every rule and refusal of the services, the events they record, the row lock
under concurrent confirmations, and the pages per role (item page, attachment download,
/me/handover/)."""

from __future__ import annotations

import io
import sys
import threading
import types
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hrsuite.audit.models import AuditEntry
from hrsuite.notifications.models import Notification
from offboarding import services_items as svc
from offboarding.models import CaseEvent, CustomerAccount, HandoverAttachment, HandoverItem
from offboarding.services_items import ItemRefused

pytestmark = pytest.mark.django_db

FILLED = {
    "customer": {
        "customer_name": "华东精密制造有限公司",
        "contact": "李明 采购经理 138 0000 1234",
        "company_size": "200-1000",
    },
    "cooperation": {"contract_no": "HT-2026-018", "contract_end": "2026-12-31", "outstanding_amount": "12,500.50"},
    "preferences": {"decision_makers": "王总（采购总监）"},
    "documents": {"description": "合同扫描件与近三个月沟通记录"},
    "general": {"notes": "见附件"},
}


def pdf(name="合同扫描件.pdf", size=0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\n" + b"0" * size + b"\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx(name="沟通记录.docx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue())


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def hc(open_case, people):
    """The open case with its four items by kind, the leaver's and the successor's users."""
    case = open_case()
    case.by_kind = {i.kind: i for i in case.items}
    case.leaver_user = people["users"]["employee"]
    case.successor_user = people["users"]["team_member"]
    return case


def submitted(hc, kind="customer"):
    item = hc.by_kind[kind]
    if item.attachment_required:
        svc.attachment_add(item=item, upload=pdf(), actor=hc.leaver_user)
    svc.item_submit(item=item, actor=hc.leaver_user, data=FILLED[kind])
    item.refresh_from_db()
    return item


def events(item, kind=None):
    qs = CaseEvent.objects.filter(item=item)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("pk"))


# --- saving ----------------------------------------------------------------------------------------


def test_leaver_saves_a_draft_with_required_fields_missing(hc):
    item = hc.by_kind["cooperation"]
    svc.item_save(item=item, data={"outstanding_amount": "¥3,000"}, actor=hc.leaver_user)
    item.refresh_from_db()
    assert item.data == {"outstanding_amount": "3000.00"}
    assert item.status == "todo"
    [event] = events(item)
    assert event.kind == "item_saved" and event.actor == hc.leaver_user and event.case_id == hc.case.pk


@pytest.mark.parametrize("role", ["team_member", "manager", "hr", "other_employee"])
def test_only_the_leaver_can_save(hc, people, role, english):
    item = hc.by_kind["customer"]
    with pytest.raises(ItemRefused, match="who is leaving, can fill in"):
        svc.item_save(item=item, data=FILLED[item.kind], actor=people["users"][role])
    item.refresh_from_db()
    assert item.data == {} and not events(item)


def test_invalid_values_are_refused_field_by_field_and_nothing_is_saved(hc, english):
    item = hc.by_kind["cooperation"]
    svc.item_save(item=item, data={"contract_no": "HT-1"}, actor=hc.leaver_user)
    with pytest.raises(ItemRefused) as exc:
        svc.item_save(
            item=item,
            data={"contract_no": "HT-2", "contract_end": "明年", "outstanding_amount": "-5"},
            actor=hc.leaver_user,
        )
    assert set(exc.value.message_dict) == {"contract_end", "outstanding_amount"}
    assert "is not a date" in exc.value.message_dict["contract_end"][0]
    item.refresh_from_db()
    assert item.data == {"contract_no": "HT-1"}
    assert len(events(item)) == 1


def test_saving_is_refused_once_submitted_or_when_the_case_left_handover(hc, english):
    item = submitted(hc, "customer")
    with pytest.raises(ItemRefused, match="“Awaiting review”; it can be changed only"):
        svc.item_save(item=item, data={"customer_name": "改名"}, actor=hc.leaver_user)
    other = hc.by_kind["preferences"]
    hc.case.status = "head_approval"
    hc.case.save(update_fields=["status"])
    with pytest.raises(ItemRefused, match="only while the case is in handover"):
        svc.item_save(item=other, data=FILLED["preferences"], actor=hc.leaver_user)
    other.refresh_from_db()
    assert other.data == {}


def test_customer_item_links_or_creates_the_leavers_customer_account(hc):
    item = hc.by_kind["customer"]
    existing = CustomerAccount.objects.create(name="老客户", owner=hc.leaver)
    svc.item_save(item=item, data=FILLED["customer"], actor=hc.leaver_user)
    item.refresh_from_db()
    account = item.customer
    assert account is not None and account != existing
    assert (account.name, account.owner_id, account.company_size) == ("华东精密制造有限公司", hc.leaver.pk, "200-1000")
    assert account.contact == "李明 采购经理 138 0000 1234"
    # saving again keeps the same account (and updates it)
    svc.item_save(item=item, data={**FILLED["customer"], "industry": "汽车零部件"}, actor=hc.leaver_user)
    item.refresh_from_db()
    assert item.customer_id == account.pk and CustomerAccount.objects.count() == 2
    assert CustomerAccount.objects.get(pk=account.pk).industry == "汽车零部件"
    # naming an account the leaver already holds links it instead of making a duplicate
    svc.item_save(item=item, data={"customer_name": "老客户", "contact": "张三"}, actor=hc.leaver_user)
    item.refresh_from_db()
    assert item.customer_id == existing.pk and CustomerAccount.objects.count() == 2


# --- submitting ------------------------------------------------------------------------------------


def test_submit_refuses_missing_required_fields_and_saves_nothing(hc, english):
    item = hc.by_kind["customer"]
    with pytest.raises(ItemRefused) as exc:
        svc.item_submit(item=item, actor=hc.leaver_user, data={"customer_name": "华东精密"})
    assert exc.value.message_dict == {"contact": ["Fill in Contact person and contact details before submitting."]}
    item.refresh_from_db()
    assert item.status == "todo" and item.data == {} and not events(item)


def test_an_item_missing_its_required_upload_is_refused(hc, english):
    item = hc.by_kind["documents"]
    assert item.attachment_required
    with pytest.raises(ItemRefused) as exc:
        svc.item_submit(item=item, actor=hc.leaver_user, data=FILLED["documents"])
    assert "needs at least one uploaded file" in exc.value.message_dict["attachments"][0]
    item.refresh_from_db()
    assert item.status == "todo"
    svc.attachment_add(item=item, upload=pdf(), actor=hc.leaver_user)
    svc.item_submit(item=item, actor=hc.leaver_user, data=FILLED["documents"])
    item.refresh_from_db()
    assert item.status == "submitted"


def test_submit_moves_to_submitted_records_and_notifies_the_successor(hc, django_capture_on_commit_callbacks):
    item = hc.by_kind["cooperation"]
    with django_capture_on_commit_callbacks(execute=True):
        svc.item_submit(item=item, actor=hc.leaver_user, data=FILLED["cooperation"])
    item.refresh_from_db()
    assert item.status == "submitted" and item.submitted_at is not None
    assert item.data["outstanding_amount"] == "12500.50"
    assert [e.kind for e in events(item)] == ["item_saved", "item_submitted"]
    assert all(e.actor == hc.leaver_user for e in events(item))
    note = Notification.objects.get(recipient=hc.successor_user)
    assert note.url == reverse("offboarding:item_detail", args=[item.pk]) and note.send_email
    assert note.params["title"] == item.title


@pytest.mark.parametrize("role", ["team_member", "hr"])
def test_only_the_leaver_submits(hc, people, role, english):
    item = hc.by_kind["preferences"]
    with pytest.raises(ItemRefused, match="can fill in"):
        svc.item_submit(item=item, actor=people["users"][role], data=FILLED[item.kind])
    item.refresh_from_db()
    assert item.status == "todo"


# --- attachments -----------------------------------------------------------------------------------


def test_attachment_is_stored_privately_and_recorded(hc, settings):
    item = hc.by_kind["documents"]
    a = svc.attachment_add(item=item, upload=pdf(), actor=hc.leaver_user)
    b = svc.attachment_add(item=item, upload=docx(), actor=hc.leaver_user)
    assert a.name == "合同扫描件.pdf" and a.file.name.startswith("handover/") and a.file.name.endswith(".pdf")
    assert "合同" not in a.file.name  # random storage name
    assert b.file.name.endswith(".docx") and len(a.sha256) == 64 and a.size > 0
    assert default_storage.exists(a.file.name) and len(stored_files(settings)) == 2
    assert [(e.kind, e.comment) for e in events(item)] == [
        ("attachment", "合同扫描件.pdf"),
        ("attachment", "沟通记录.docx"),
    ]


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"0" * 100), "Files of this type are not accepted here"),
        (SimpleUploadedFile("合同.pdf", b"just some text, not a pdf"), "content is not a PDF file"),
        (SimpleUploadedFile("合同.pdf", b""), "The file is empty"),
        (None, "Choose a file to upload"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(hc, settings, upload, message, english):
    item = hc.by_kind["documents"]
    with pytest.raises(ItemRefused) as exc:
        svc.attachment_add(item=item, upload=upload, actor=hc.leaver_user)
    assert message in exc.value.message_dict["file"][0]
    assert not HandoverAttachment.objects.exists() and not stored_files(settings) and not events(item)


def test_oversize_upload_is_refused(hc, settings, english):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ItemRefused, match=r"the limit is 1\.0"):
        svc.attachment_add(item=hc.by_kind["documents"], upload=pdf(size=2048), actor=hc.leaver_user)
    assert not HandoverAttachment.objects.exists() and not stored_files(settings)


def test_upload_refused_for_others_and_once_submitted(hc, people, settings, english):
    item = hc.by_kind["documents"]
    with pytest.raises(ItemRefused, match="can fill in"):
        svc.attachment_add(item=item, upload=pdf(), actor=people["users"]["team_member"])
    item = submitted(hc, "documents")
    with pytest.raises(ItemRefused, match="can be changed only"):
        svc.attachment_add(item=item, upload=pdf(), actor=hc.leaver_user)
    assert HandoverAttachment.objects.count() == 1 and len(stored_files(settings)) == 1
    with pytest.raises(ItemRefused):
        svc.attachment_delete(attachment=item.attachments.get(), actor=hc.leaver_user)
    assert HandoverAttachment.objects.count() == 1


def test_attachment_delete_removes_the_row_and_the_file(hc, settings, django_capture_on_commit_callbacks):
    item = hc.by_kind["documents"]
    a = svc.attachment_add(item=item, upload=pdf(), actor=hc.leaver_user)
    with pytest.raises(ItemRefused):
        svc.attachment_delete(attachment=a, actor=hc.successor_user)
    with django_capture_on_commit_callbacks(execute=True):
        svc.attachment_delete(attachment=a, actor=hc.leaver_user)
    assert not HandoverAttachment.objects.exists() and not stored_files(settings)
    assert events(item)[-1].comment.endswith("合同扫描件.pdf")


# --- review ----------------------------------------------------------------------------------------


def test_successor_confirms_with_a_comment(hc, django_capture_on_commit_callbacks):
    item = submitted(hc, "customer")
    with django_capture_on_commit_callbacks(execute=True):
        svc.item_confirm(item=item, actor=hc.successor_user, comment="  信息完整  ")
    item.refresh_from_db()
    assert item.status == "confirmed" and item.confirmed_by == hc.successor_user and item.confirmed_at
    event = events(item, "item_confirmed")[0]
    assert (event.actor, event.comment) == (hc.successor_user, "信息完整")
    assert Notification.objects.filter(recipient=hc.leaver_user, key=f"handover:confirmed:{item.pk}").exists()


@pytest.mark.parametrize("role", ["employee", "manager", "hr", "other_employee"])
def test_only_the_successor_reviews(hc, people, role, english):
    item = submitted(hc, "customer")
    with pytest.raises(ItemRefused, match="Only the successor"):
        svc.item_confirm(item=item, actor=people["users"][role])
    with pytest.raises(ItemRefused, match="Only the successor"):
        svc.item_send_back(item=item, actor=people["users"][role], comment="不完整")
    item.refresh_from_db()
    assert item.status == "submitted"


def test_review_needs_a_submitted_item(hc, english):
    item = hc.by_kind["customer"]
    with pytest.raises(ItemRefused, match="Only a submitted item can be confirmed"):
        svc.item_confirm(item=item, actor=hc.successor_user)
    item = submitted(hc, "preferences")
    svc.item_confirm(item=item, actor=hc.successor_user)
    with pytest.raises(ItemRefused, match="this one is “Confirmed”"):
        svc.item_confirm(item=item, actor=hc.successor_user)
    with pytest.raises(ItemRefused, match="this one is “Confirmed”"):
        svc.item_send_back(item=item, actor=hc.successor_user, comment="再看看")
    assert len(events(item, "item_confirmed")) == 1


def test_send_back_needs_a_comment(hc, english):
    item = submitted(hc, "customer")
    for comment in ("", "   "):
        with pytest.raises(ItemRefused) as exc:
            svc.item_send_back(item=item, actor=hc.successor_user, comment=comment)
        assert exc.value.message_dict == {"comment": ["Say what is missing or wrong, so the leaver knows what to fix."]}
    item.refresh_from_db()
    assert item.status == "submitted" and not events(item, "item_returned")


def test_send_back_fix_and_resubmit(hc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = submitted(hc, "cooperation")
    with django_capture_on_commit_callbacks(execute=True):
        svc.item_send_back(item=item, actor=hc.successor_user, comment="请补充未完成订单")
    item.refresh_from_db()
    assert item.status == "returned"
    returned = events(item, "item_returned")[0]
    assert (returned.actor, returned.comment) == (hc.successor_user, "请补充未完成订单")
    note = Notification.objects.get(recipient=hc.leaver_user)
    assert note.params["comment"] == "请补充未完成订单" and note.level == "warning"
    # the leaver fixes and resubmits; the successor is told again (a new key per submission)
    with django_capture_on_commit_callbacks(execute=True):
        svc.item_submit(
            item=item, actor=hc.leaver_user, data={**FILLED["cooperation"], "open_orders": "PO-7781 待发货"}
        )
    item.refresh_from_db()
    assert item.status == "submitted" and item.data["open_orders"] == "PO-7781 待发货"
    assert Notification.objects.filter(recipient=hc.successor_user).count() == 2
    svc.item_confirm(item=item, actor=hc.successor_user)
    kinds = [e.kind for e in events(item)]
    assert kinds == ["item_saved", "item_submitted", "item_returned", "item_saved", "item_submitted", "item_confirmed"]


def test_review_refused_when_the_case_is_not_in_handover(hc, english):
    item = submitted(hc, "customer")
    hc.case.status = "cancelled"
    hc.case.save(update_fields=["status"])
    with pytest.raises(ItemRefused, match="only while the case is in handover"):
        svc.item_confirm(item=item, actor=hc.successor_user)


@pytest.fixture
def all_confirmed_calls(monkeypatch):
    """A stand-in for offboarding.services_cases.items_all_confirmed (the cases helper's)."""
    calls = []
    fake = types.ModuleType("offboarding.services_cases")
    fake.items_all_confirmed = lambda *, case, actor: calls.append((case.pk, actor.pk))
    monkeypatch.setitem(sys.modules, "offboarding.services_cases", fake)
    return calls


def test_items_all_confirmed_is_called_when_the_last_item_is_confirmed(hc, all_confirmed_calls):
    items = [submitted(hc, kind) for kind in hc.by_kind]
    for item in items[:-1]:
        svc.item_confirm(item=item, actor=hc.successor_user)
    assert all_confirmed_calls == []
    svc.item_confirm(item=items[-1], actor=hc.successor_user)
    assert all_confirmed_calls == [(hc.case.pk, hc.successor_user.pk)]


def test_the_last_confirmation_moves_the_case_on(hc):
    """With the cases helper's items_all_confirmed in place, the checklist goes to the head."""
    cases = pytest.importorskip("offboarding.services_cases")
    if not hasattr(cases, "items_all_confirmed"):
        pytest.skip("offboarding.services_cases.items_all_confirmed is not there yet")
    items = [submitted(hc, kind) for kind in hc.by_kind]
    for item in items:
        svc.item_confirm(item=item, actor=hc.successor_user)
    hc.case.refresh_from_db()
    assert hc.case.status == "head_approval"


def test_confirmation_works_without_the_cases_service(hc, monkeypatch):
    monkeypatch.setitem(sys.modules, "offboarding.services_cases", None)  # import fails
    items = [submitted(hc, kind) for kind in hc.by_kind]
    for item in items:
        svc.item_confirm(item=item, actor=hc.successor_user)
    assert set(HandoverItem.objects.filter(case=hc.case).values_list("status", flat=True)) == {"confirmed"}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirmations_give_one(hc, all_confirmed_calls):
    item = submitted(hc, "customer")
    barrier = threading.Barrier(2)
    results: list = []

    def confirm():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            svc.item_confirm(item=HandoverItem.objects.get(pk=item.pk), actor=hc.successor_user, comment="ok")
            results.append("confirmed")
        except ItemRefused as exc:
            results.append(exc.code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["confirmed", "item_status"]
    assert CaseEvent.objects.filter(item=item, kind="item_confirmed").count() == 1


def test_the_item_and_its_case_are_locked(hc):
    item = submitted(hc, "customer")
    with CaptureQueriesContext(connection) as ctx:
        svc.item_confirm(item=item, actor=hc.successor_user)
    updates = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert any('FROM "offboarding_separationcase"' in sql for sql in updates)
    assert any('FROM "offboarding_handoveritem"' in sql for sql in updates)


# --- item page -------------------------------------------------------------------------------------


def item_page(item):
    return reverse("offboarding:item_detail", args=[item.pk])


@pytest.mark.parametrize(
    "role, status, marker",
    [
        ("employee", 200, 'data-testid="item-form"'),
        ("team_member", 200, "has not submitted this item yet"),
        ("manager", 200, 'data-testid="item-fields"'),
        ("hr", 200, 'data-testid="item-fields"'),
        ("other_employee", 404, None),
        ("other_manager", 404, None),
        ("payroll", 404, None),
    ],
)
def test_item_page_per_role(hc, client_for, role, status, marker, english):
    response = client_for(role).get(item_page(hc.by_kind["customer"]))
    assert response.status_code == status
    if marker:
        assert marker in response.content.decode()
        assert ('data-testid="item-form"' in response.content.decode()) == (role == "employee")


def test_item_page_anonymous_goes_to_login(hc, client_for):
    response = client_for(None).get(item_page(hc.by_kind["customer"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_successor_sees_the_submitted_fields_and_review_buttons(hc, client_for, english):
    item = submitted(hc, "cooperation")
    html = client_for("team_member").get(item_page(item)).content.decode()
    assert "HT-2026-018" in html and "¥12,500.50" in html
    assert 'data-testid="item-confirm"' in html and 'data-testid="item-send-back"' in html
    for role in ("employee", "manager", "hr"):
        html = client_for(role).get(item_page(item)).content.decode()
        assert "HT-2026-018" in html and 'data-testid="item-confirm"' not in html


def test_leaver_saves_and_submits_through_the_page(hc, client_for, english):
    item = hc.by_kind["customer"]
    c = client_for("employee")
    response = c.post(item_page(item), {"action": "save", "customer_name": "华东精密"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.data == {"customer_name": "华东精密"} and item.status == "todo"
    response = c.post(item_page(item), {"action": "submit", "customer_name": "华东精密"})
    assert response.status_code == 400
    assert "Fill in Contact person and contact details before submitting." in response.content.decode()
    response = c.post(item_page(item), {"action": "submit", **FILLED["customer"]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "submitted"


def test_a_bad_value_is_shown_on_its_field(hc, client_for, english):
    item = hc.by_kind["cooperation"]
    response = client_for("employee").post(item_page(item), {"action": "save", "outstanding_amount": "-1"})
    assert response.status_code == 400
    assert "cannot be negative" in response.content.decode()
    item.refresh_from_db()
    assert item.data == {}


def test_others_cannot_post_the_item_form(hc, client_for):
    item = hc.by_kind["customer"]
    for role in ("team_member", "manager", "hr"):
        response = client_for(role).post(item_page(item), {"action": "save", **FILLED["customer"]})
        assert response.status_code == 302
    assert client_for("other_employee").post(item_page(item), {"action": "save"}).status_code == 404
    item.refresh_from_db()
    assert item.data == {}


def test_review_through_the_page(hc, client_for, english):
    item = submitted(hc, "customer")
    url = reverse("offboarding:item_review", args=[item.pk])
    c = client_for("team_member")
    response = c.post(url, {"action": "send_back", "comment": ""})
    assert response.status_code == 400 and "Say what is missing or wrong" in response.content.decode()
    response = c.post(url, {"action": "send_back", "comment": "联系人电话不对"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "returned"
    html = client_for("employee").get(item_page(item)).content.decode()
    assert "联系人电话不对" in html and 'data-testid="return-comment"' in html
    # the leaver cannot confirm their own item
    svc.item_submit(item=item, actor=hc.leaver_user)
    client_for("employee").post(url, {"action": "confirm"})
    item.refresh_from_db()
    assert item.status == "submitted"
    assert c.post(url, {"action": "confirm"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "confirmed"


def test_review_get_is_not_allowed(hc, client_for):
    assert (
        client_for("team_member").get(reverse("offboarding:item_review", args=[hc.by_kind["customer"].pk])).status_code
        == 405
    )


def test_upload_download_and_delete_through_the_pages(hc, client_for, settings):
    item = hc.by_kind["documents"]
    c = client_for("employee")
    response = c.post(reverse("offboarding:item_upload", args=[item.pk]), {"file": pdf()})
    assert response.status_code == 302
    a = HandoverAttachment.objects.get()
    download = reverse("offboarding:attachment_download", args=[a.pk])
    # the successor reads the draft's files only once the item is submitted (test_item_privacy)
    assert client_for("team_member").get(download).status_code == 404
    for role in ("employee", "manager", "hr"):
        response = client_for(role).get(download)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    for role in ("other_employee", "other_manager"):
        assert client_for(role).get(download).status_code == 404
    assert client_for(None).get(download).status_code == 302
    entries = AuditEntry.objects.filter(event="download", object_pk=str(a.pk))
    assert entries.count() == 3 and not entries.filter(actor=hc.successor_user).exists()
    # a refused upload via the page: a message, nothing saved
    response = c.post(
        reverse("offboarding:item_upload", args=[item.pk]), {"file": SimpleUploadedFile("x.exe", b"MZ...")}, follow=True
    )
    assert HandoverAttachment.objects.count() == 1
    assert client_for("team_member").post(reverse("offboarding:attachment_delete", args=[a.pk])).status_code == 302
    assert HandoverAttachment.objects.count() == 1
    assert client_for("other_employee").post(reverse("offboarding:attachment_delete", args=[a.pk])).status_code == 404
    c.post(reverse("offboarding:attachment_delete", args=[a.pk]))
    assert not HandoverAttachment.objects.exists()


def test_item_timeline_shows_who_when_and_comment(hc, client_for):
    item = submitted(hc, "customer")
    svc.item_send_back(item=item, actor=hc.successor_user, comment="缺少行业")
    html = client_for("hr").get(item_page(item)).content.decode()
    assert html.count('data-kind="item_') >= 3
    assert "缺少行业" in html and hc.successor.name in html


# --- /me/handover/ ---------------------------------------------------------------------------------

MY = "/me/handover/"


def test_my_handover_url_name():
    assert reverse("myhandover:list") == MY


def test_leaver_sees_their_items_and_progress(hc, client_for, english):
    submitted(hc, "customer")
    svc.item_confirm(item=hc.by_kind["customer"], actor=hc.successor_user)
    html = client_for("employee").get(MY).content.decode()
    assert "1 of 4 items confirmed" in html
    for item in hc.items:
        assert f'data-item="{item.pk}"' in html
    assert "Nobody is handing work over to you." in html


def test_successor_sees_items_to_review_submitted_first(hc, client_for, english):
    later = submitted(hc, "preferences")
    html = client_for("team_member").get(MY).content.decode()
    assert 'data-testid="my-items"' not in html  # not leaving: only the items to review
    assert "1 awaiting your review" in html
    section = html.split('data-testid="review-items"')[1]
    first = section.index(f'data-item="{later.pk}"')
    assert all(first < section.index(f'data-item="{i.pk}"') for i in hc.items if i.pk != later.pk)


def test_other_people_see_empty_states(hc, client_for, english):
    html = client_for("other_employee").get(MY).content.decode()
    assert "You have no handover items." in html and "Nobody is handing work over to you." in html
    assert client_for(None).get(MY).status_code == 302


def test_closed_cases_are_not_listed(hc, client_for):
    hc.case.status = "completed"
    hc.case.save(update_fields=["status"])
    html = client_for("employee").get(MY).content.decode()
    assert f'data-item="{hc.items[0].pk}"' not in html


def add_items(hc, n):
    HandoverItem.objects.bulk_create(
        HandoverItem(
            case=hc.case,
            kind="general",
            title=f"事项{i}",
            due_on=hc.case.last_working_day - timedelta(days=i % 5),
            successor=hc.successor,
            status=["todo", "submitted", "returned", "confirmed"][i % 4],
            order=10 + i,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("role", ["employee", "team_member"])
def test_my_handover_query_budget(hc, client_for, django_assert_max_num_queries, role):
    c = client_for(role)
    c.get(MY)
    with CaptureQueriesContext(connection) as few:
        assert c.get(MY).status_code == 200
    add_items(hc, 45)  # three pages per section
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get(MY)
    assert response.status_code == 200
    assert "1 / 3" in response.content.decode()
    assert c.get(MY + "?mine=3&review=2").status_code == 200

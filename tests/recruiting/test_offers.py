"""Offers: drafting (each refusal), four-eyes approval with the letter PDF and its hash, the
candidate's answer, withdrawal and replacement, and the offer pages' permissions."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hrsuite.audit.models import AuditEntry
from recruiting.choices import OfferStatus, Stage
from recruiting.models import Offer, StageChange
from recruiting.services_offers import (
    letter_digest,
    offer_approve,
    offer_create,
    offer_letter_pdf,
    offer_record_answer,
    offer_withdraw,
)

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def at_offer(make_application):
    return make_application(name="陈思远", email="chensiyuan@example.com", stage="offer")


def _terms(hiring, **overrides):
    today = timezone.localdate()
    terms = {
        "position": hiring.position,
        "grade": None,
        "monthly_salary": Decimal("32000"),
        "start_date": today + timedelta(days=30),
        "probation_months": 3,
        "respond_by": today + timedelta(days=7),
    }
    terms.update(overrides)
    return terms


def _draft(at_offer, hiring, people, **overrides):
    return offer_create(application=at_offer, actor=people["users"]["hr"], **_terms(hiring, **overrides))


# --- drafting -------------------------------------------------------------------------------------


def test_create_draft(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    assert offer.status == OfferStatus.DRAFT and offer.created_by == people["users"]["hr"]
    assert offer.letter_hash == ""


@pytest.mark.parametrize("stage", ["applied", "screening", "interview"])
def test_refused_at_the_wrong_stage(make_application, hiring, people, stage):
    app = make_application(stage=stage)
    with pytest.raises(ValidationError) as exc:
        _draft(app, hiring, people)
    assert exc.value.code == "stage"
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("monthly_salary", {"monthly_salary": Decimal("0")}),
        ("monthly_salary", {"monthly_salary": Decimal("45000")}),  # above the 25,000–40,000 budget
        ("monthly_salary", {"monthly_salary": Decimal("20000")}),  # below it
        ("start_date", {"start_date": timezone.localdate() - timedelta(days=1)}),
        ("respond_by", {"respond_by": timezone.localdate() - timedelta(days=1)}),
        ("respond_by", {"respond_by": timezone.localdate() + timedelta(days=60)}),  # after the start
        ("probation_months", {"probation_months": 7}),
    ],
)
def test_bad_terms_are_refused_with_the_field_named(at_offer, hiring, people, field, overrides):
    with pytest.raises(ValidationError) as exc:
        _draft(at_offer, hiring, people, **overrides)
    assert field in exc.value.message_dict
    assert not Offer.objects.exists()


def test_salary_outside_budget_message_names_the_range(at_offer, hiring, people, english):
    with pytest.raises(ValidationError) as exc:
        _draft(at_offer, hiring, people, monthly_salary=Decimal("45000"))
    assert "¥25,000.00 – ¥40,000.00" in exc.value.message_dict["monthly_salary"][0]


def test_salary_outside_budget_with_justification_is_recorded(at_offer, hiring, people):
    offer = offer_create(
        application=at_offer,
        actor=people["users"]["hr"],
        budget_justification="候选人有8年反欺诈建模经验，市场价高于预算。",
        **_terms(hiring, monthly_salary=Decimal("45000")),
    )
    assert offer.monthly_salary == Decimal("45000")
    note = StageChange.objects.filter(application=at_offer).last().note
    assert "候选人有8年反欺诈建模经验" in note and "45,000.00" in note


def test_only_hr_drafts(at_offer, hiring, people):
    with pytest.raises(PermissionDenied):
        offer_create(application=at_offer, actor=people["users"]["manager"], **_terms(hiring))


def test_one_offer_per_application_but_a_withdrawn_one_is_replaced(at_offer, hiring, people):
    first = _draft(at_offer, hiring, people)
    with pytest.raises(ValidationError) as exc:
        _draft(at_offer, hiring, people)
    assert exc.value.code == "exists"
    offer_withdraw(offer=first, reason="预算调整", actor=people["users"]["hr"])
    replaced = _draft(at_offer, hiring, people, monthly_salary=Decimal("30000"))
    assert replaced.pk == first.pk and replaced.status == OfferStatus.DRAFT
    assert replaced.monthly_salary == Decimal("30000") and replaced.approved_by is None
    assert Offer.objects.count() == 1
    assert StageChange.objects.filter(application=at_offer, note__contains="预算调整").exists()


# --- approval and the letter ----------------------------------------------------------------------


def test_four_eyes(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    with pytest.raises(ValidationError) as exc:
        offer_approve(offer=offer, actor=people["users"]["hr"])
    assert exc.value.code == "four_eyes"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT and offer.letter_hash == ""


def test_approval_renders_the_letter_and_emails_it(at_offer, hiring, people, django_capture_on_commit_callbacks):
    offer = _draft(at_offer, hiring, people)
    with django_capture_on_commit_callbacks(execute=True):
        offer_approve(offer=offer, actor=people["users"]["hr_admin"])
    offer.refresh_from_db()
    assert offer.status == OfferStatus.APPROVED and offer.approved_by == people["users"]["hr_admin"]
    assert len(offer.letter_hash) == 64 and offer.letter_hash == letter_digest(offer)
    sent = [m for m in mail.outbox if m.to == ["chensiyuan@example.com"]]
    assert len(sent) == 1
    (name, content, mimetype) = sent[0].attachments[0]
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    text = _pdf_text(content)
    assert "陈思远" in text and "风控建模工程师" in text and "32,000.00" in text and "技术部" in text
    assert offer.letter_hash[:16] in text.replace("\n", "").replace(" ", "")


def test_letter_download_is_audited_and_carries_the_hash(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    offer_approve(offer=offer, actor=people["users"]["hr_admin"])
    letter = offer_letter_pdf(offer=offer, actor=people["users"]["hr"])
    offer.refresh_from_db()
    assert letter.digest == offer.letter_hash
    flat = _pdf_text(letter.pdf).replace("\n", "").replace(" ", "")
    assert offer.letter_hash in flat and "陈思远" in flat and "32,000.00" in flat
    assert AuditEntry.objects.filter(event="download", object_pk=str(offer.pk)).count() == 1


def test_no_letter_before_approval(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    with pytest.raises(ValidationError):
        offer_letter_pdf(offer=offer, actor=people["users"]["hr"])


# --- answer and withdrawal ---------------------------------------------------------------------


@pytest.fixture
def approved(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    return offer_approve(offer=offer, actor=people["users"]["hr_admin"])


def test_answer_only_for_an_approved_offer(at_offer, hiring, people):
    offer = _draft(at_offer, hiring, people)
    with pytest.raises(ValidationError) as exc:
        offer_record_answer(offer=offer, accepted=True, actor=people["users"]["hr"])
    assert exc.value.code == "status"


def test_accept(approved, people):
    offer_record_answer(offer=approved, accepted=True, actor=people["users"]["hr"])
    approved.refresh_from_db()
    assert approved.status == OfferStatus.ACCEPTED and approved.responded_at is not None
    assert approved.application.stage == Stage.OFFER


def test_decline_needs_a_reason_and_rejects_the_application(approved, people):
    with pytest.raises(ValidationError) as exc:
        offer_record_answer(offer=approved, accepted=False, reason="  ", actor=people["users"]["hr"])
    assert "reason" in exc.value.message_dict
    approved.refresh_from_db()
    assert approved.status == OfferStatus.APPROVED
    offer_record_answer(offer=approved, accepted=False, reason="接受了其他公司的录用", actor=people["users"]["hr"])
    approved.refresh_from_db()
    app = approved.application
    app.refresh_from_db()
    assert approved.status == OfferStatus.DECLINED and approved.decline_reason == "接受了其他公司的录用"
    assert app.stage == Stage.REJECTED and "接受了其他公司的录用" in app.rejection_reason


def test_withdraw_needs_a_reason(approved, people):
    with pytest.raises(ValidationError):
        offer_withdraw(offer=approved, reason="", actor=people["users"]["hr"])
    offer_withdraw(offer=approved, reason="岗位冻结", actor=people["users"]["hr"])
    approved.refresh_from_db()
    assert approved.status == OfferStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        offer_withdraw(offer=approved, reason="again", actor=people["users"]["hr"])


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("hr", 200), ("hr_admin", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), (None, 302)],
)
def test_offer_detail_permissions(approved, client_for, role, expected):
    response = client_for(role).get(reverse("recruiting:offer_detail", args=[approved.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("hr", 200), ("manager", 403), ("employee", 403), (None, 302)])
def test_letter_download_is_hr_only(approved, client_for, role, expected):
    response = client_for(role).get(reverse("recruiting:offer_letter", args=[approved.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"


def test_create_page_prefills_from_the_requisition_and_saves(at_offer, client_for, hiring):
    c = client_for("hr")
    url = reverse("recruiting:offer_create", args=[at_offer.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["position"] == hiring.position.pk
    today = timezone.localdate()
    response = c.post(
        url,
        {
            "position": hiring.position.pk,
            "monthly_salary": "50000",
            "start_date": (today + timedelta(days=20)).isoformat(),
            "probation_months": 3,
            "respond_by": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 200 and "monthly_salary" in response.context["form"].errors
    assert not Offer.objects.exists()
    response = c.post(
        url,
        {
            "position": hiring.position.pk,
            "monthly_salary": "30000",
            "start_date": (today + timedelta(days=20)).isoformat(),
            "probation_months": 3,
            "respond_by": (today + timedelta(days=5)).isoformat(),
        },
    )
    offer = Offer.objects.get()
    assert response.status_code == 302 and response.url == reverse("recruiting:offer_detail", args=[offer.pk])


def test_manager_cannot_create_or_approve(at_offer, approved, client_for):
    c = client_for("manager")
    assert c.get(reverse("recruiting:offer_create", args=[at_offer.pk])).status_code == 403
    assert c.post(reverse("recruiting:offer_approve", args=[approved.pk])).status_code == 403


def test_approve_page_refuses_the_author(at_offer, hiring, people, client_for):
    offer = _draft(at_offer, hiring, people)
    response = client_for("hr").post(reverse("recruiting:offer_approve", args=[offer.pk]), follow=True)
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_offer_list_search_filter_and_query_budget(
    make_application, hiring, people, client_for, django_assert_max_num_queries
):
    for i in range(3):
        app = make_application(name=f"候选人{i}", email=f"c{i}@example.com", stage="offer")
        _draft(app, hiring, people)
    c = client_for("hr")
    with django_assert_max_num_queries(20):
        response = c.get(reverse("recruiting:offers"))
    assert response.status_code == 200 and len(response.context["page_obj"]) == 3
    for i in range(3, 12):
        app = make_application(name=f"候选人{i}", email=f"c{i}@example.com", stage="offer")
        _draft(app, hiring, people)
    with django_assert_max_num_queries(20):
        response = c.get(reverse("recruiting:offers"))
    assert len(response.context["page_obj"]) == 12
    assert len(c.get(reverse("recruiting:offers"), {"q": "候选人1"}).context["page_obj"]) == 3  # 1, 10, 11
    assert len(c.get(reverse("recruiting:offers"), {"status": "approved"}).context["page_obj"]) == 0
    assert client_for("other_manager").get(reverse("recruiting:offers")).context["page_obj"].paginator.count == 0


def test_offer_box_on_the_application_page(at_offer, hiring, people, client_for):
    url = reverse("recruiting:application_detail", args=[at_offer.pk])
    page = client_for("hr").get(url).content.decode()
    assert 'data-testid="offer-box"' in page and reverse("recruiting:offer_create", args=[at_offer.pk]) in page
    offer = _draft(at_offer, hiring, people)
    page = client_for("hr").get(url).content.decode()
    assert reverse("recruiting:offer_detail", args=[offer.pk]) in page
    offer_approve(offer=offer, actor=people["users"]["hr_admin"])
    offer_record_answer(offer=offer, accepted=True, actor=people["users"]["hr"])
    page = client_for("hr").get(url).content.decode()
    assert reverse("recruiting:offer_hire", args=[offer.pk]) in page
    manager_page = client_for("manager").get(url).content.decode()  # follows, read-only
    assert reverse("recruiting:offer_detail", args=[offer.pk]) in manager_page
    assert reverse("recruiting:offer_hire", args=[offer.pk]) not in manager_page

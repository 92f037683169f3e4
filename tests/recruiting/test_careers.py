"""Applying: the application_submit service (every refusal leaves nothing behind) and the
public careers pages (no login; only published, open postings; never a score)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from hrsuite.notifications.models import Notification
from recruiting import services_postings as sp
from recruiting.choices import PostingStatus, Source, Stage
from recruiting.models import Application, Candidate, JobPosting, StageChange
from tests.recruiting.fixtures import RESUME_TEXT, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def docx_upload(text=RESUME_TEXT, name="张伟-简历.docx"):
    return SimpleUploadedFile(name, docx_bytes(text), content_type="application/octet-stream")


def apply(posting, **overrides):
    data = {
        "posting": posting,
        "name": "张伟",
        "email": "ZhangWei@Example.com",
        "phone": "13800138000",
        "source": Source.CAREERS,
        "cover_letter": "我对风控建模很感兴趣。",
        "resume": docx_upload(),
        "consent": True,
        "now": timezone.now(),
    }
    data.update(overrides)
    return sp.application_submit(**data)


def assert_nothing_saved():
    assert not Application.objects.exists()
    assert not Candidate.objects.exists()
    assert not StageChange.objects.exists()
    assert stored_files() == []


# --- the service ----------------------------------------------------------------------------


def test_applying_stores_scores_records_and_notifies(hiring, people, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(hiring.posting, now=now)
    assert app.candidate.email == "zhangwei@example.com" and app.candidate.name == "张伟"
    assert app.stage == Stage.APPLIED and app.consent_at == now
    assert app.resume_text == RESUME_TEXT and app.resume_name == "张伟-简历.docx"
    assert app.score == Decimal("100.0") and app.matched_terms == ["机器学习", "金融风控", "Python"]
    assert app.missing_must_haves == []
    assert len(app.resume_sha256) == 64
    # a private, random file name under resumes/
    assert app.resume.name.startswith("resumes/") and "张伟" not in app.resume.name
    assert [p.name for p in stored_files()] == [Path(app.resume.name).name]
    change = StageChange.objects.get(application=app)
    assert (change.from_stage, change.to_stage, change.actor) == ("", Stage.APPLIED, None)
    notified = set(
        Notification.objects.filter(key=f"application:{app.pk}:new").values_list("recipient__username", flat=True)
    )
    assert notified == {"hrstaff", "hradmin", "manager"}


def test_a_pdf_resume_is_accepted_and_scored(hiring):
    upload = SimpleUploadedFile("cv.pdf", pdf_bytes("Python 与 机器学习"), content_type="application/pdf")
    app = apply(hiring.posting, resume=upload)
    assert app.score == Decimal("70.0") and app.missing_must_haves == []


def test_an_unreadable_resume_is_accepted_with_score_zero(hiring):
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    app = apply(hiring.posting, resume=SimpleUploadedFile("scan.pdf", buf.getvalue()))
    assert app.resume_text == "" and app.score == 0 and app.missing_must_haves == ["机器学习"]


def test_the_same_person_applying_elsewhere_reuses_the_candidate(hiring, people):
    first = apply(hiring.posting)
    other = JobPosting.objects.create(
        requisition=hiring.requisition, title="数据分析师", description="分析。", status=PostingStatus.PUBLISHED,
        published_at=timezone.now(), created_by=people["users"]["hr"],
    )  # fmt: skip
    second = apply(other, name="张 伟", email="zhangwei@example.com", phone="13900139000")
    assert second.candidate_id == first.candidate_id
    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.phone) == ("张 伟", "13900139000")


def closed(posting):
    posting.status = PostingStatus.CLOSED
    posting.save()


def draft(posting):
    posting.status = PostingStatus.DRAFT
    posting.save()


def past_closing(posting):
    posting.closes_on = timezone.localdate() - timedelta(days=1)
    posting.save()


@pytest.mark.parametrize("make_unavailable", [closed, draft, past_closing])
def test_a_posting_not_accepting_applications_refuses(hiring, make_unavailable, english):
    make_unavailable(hiring.posting)
    with pytest.raises(ValidationError, match=r"This position is no longer accepting applications\."):
        apply(hiring.posting)
    assert_nothing_saved()


def test_the_closing_day_itself_still_accepts(hiring):
    hiring.posting.closes_on = timezone.localdate()
    hiring.posting.save()
    assert apply(hiring.posting).pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"resume": None}, "resume"),
        ({"resume": SimpleUploadedFile("cv.docx", b"%PDF-1.4 this is not a docx")}, "resume"),
        ({"resume": SimpleUploadedFile("cv.pdf", b"just some text pretending")}, "resume"),
        ({"resume": SimpleUploadedFile("cv.txt", b"plain text resume")}, "resume"),
        ({"resume": SimpleUploadedFile("cv.docx", b"")}, "resume"),
        ({"email": "not-an-address"}, "email"),
        ({"name": "  "}, "name"),
        ({"source": "billboard"}, "source"),
    ],
)
def test_bad_applications_leave_nothing_behind(hiring, overrides, field):
    with pytest.raises(ValidationError) as exc:
        apply(hiring.posting, **overrides)
    assert field in exc.value.message_dict
    assert_nothing_saved()


def test_a_resume_over_the_size_limit_is_refused(hiring, settings):
    settings.RECRUITING_RESUME_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        apply(hiring.posting)
    assert "resume" in exc.value.message_dict
    assert_nothing_saved()


def test_applying_twice_with_the_same_email_is_refused(hiring, english):
    apply(hiring.posting)
    with pytest.raises(ValidationError, match="already applied"):
        apply(hiring.posting, email="ZHANGWEI@example.com")
    assert Application.objects.count() == 1 and len(stored_files()) == 1


def test_a_failure_after_storing_the_file_deletes_it(hiring, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(StageChange.objects, "create", broken)
    with pytest.raises(IntegrityError):
        apply(hiring.posting)
    assert_nothing_saved()


# --- the public pages -----------------------------------------------------------------------


def test_careers_list_shows_open_postings_without_login(client, hiring, people):
    JobPosting.objects.create(
        requisition=hiring.requisition, title="内部草稿岗位", description="x", created_by=people["users"]["hr"]
    )
    page = client.get(reverse("careers:list"))
    assert page.status_code == 200
    assert "风控建模工程师" in page.text and "技术部" in page.text and "上海" in page.text
    assert "内部草稿岗位" not in page.text
    assert "机器学习" not in page.text  # keywords are internal
    assert "25000" not in page.text and "25,000" not in page.text  # so is the budget
    assert "风控建模工程师" not in client.get(reverse("careers:list"), {"q": "销售"}).text
    assert "风控建模工程师" in client.get(reverse("careers:list"), {"q": "上海"}).text


def test_careers_list_empty_state(client, db):
    page = client.get(reverse("careers:list"))
    assert page.status_code == 200 and "careers-empty" in page.text


def test_careers_detail_and_apply_form(client, hiring):
    detail = client.get(reverse("careers:detail", args=[hiring.posting.pk]))
    assert detail.status_code == 200 and "负责信用风险与反欺诈模型的开发。" in detail.text
    assert "机器学习" not in detail.text
    form = client.get(reverse("careers:apply", args=[hiring.posting.pk]))
    assert form.status_code == 200
    assert 'accept=".pdf,.docx"' in form.text and 'name="website"' in form.text and 'name="consent"' in form.text
    assert "csrfmiddlewaretoken" in form.text


@pytest.mark.parametrize("make_unavailable", [closed, draft, past_closing])
def test_unavailable_postings_are_not_public(client, hiring, make_unavailable):
    make_unavailable(hiring.posting)
    assert client.get(reverse("careers:detail", args=[hiring.posting.pk])).status_code == 404
    apply_page = client.get(reverse("careers:apply", args=[hiring.posting.pk]))
    assert apply_page.status_code == (404 if make_unavailable is draft else 410)


def form_data(**overrides):
    data = {
        "name": "王芳",
        "email": "wangfang@example.com",
        "phone": "13700137000",
        "source": Source.REFERRAL,
        "cover_letter": "",
        "consent": "on",
        "website": "",
        "resume": docx_upload("王芳：机器学习与金融风控"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_applying_through_the_page(client, hiring):
    response = client.post(reverse("careers:apply", args=[hiring.posting.pk]), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("careers:thanks", args=[hiring.posting.pk])
    app = Application.objects.get()
    assert app.source == Source.REFERRAL and app.score == Decimal("80.0")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "风控建模工程师" in thanks.text
    assert "80.0" not in thanks.text  # no score for candidates (a CSRF token has no ".")


def test_a_stale_form_for_a_closed_posting_gets_the_refusal(client, hiring):
    url = reverse("careers:apply", args=[hiring.posting.pk])
    assert client.get(url).status_code == 200
    closed(hiring.posting)
    response = client.post(url, form_data())
    assert response.status_code == 410
    assert "该职位已停止接收申请" in response.text or "no longer accepting" in response.text
    assert_nothing_saved()


def test_form_errors_are_shown_and_nothing_is_saved(client, hiring):
    url = reverse("careers:apply", args=[hiring.posting.pk])
    response = client.post(url, form_data(consent=None, resume=SimpleUploadedFile("cv.docx", b"nope")))
    assert response.status_code == 400 and "is-invalid" in response.text
    assert_nothing_saved()
    response = client.post(url, form_data(resume=SimpleUploadedFile("cv.docx", b"%PDF-1.4 fake")))
    assert response.status_code == 400 and "DOCX" in response.text
    assert_nothing_saved()


def test_a_second_application_is_refused_on_the_page(client, hiring):
    url = reverse("careers:apply", args=[hiring.posting.pk])
    client.post(url, form_data())
    response = client.post(url, form_data(email="WANGFANG@example.com"))
    assert response.status_code == 400 and Application.objects.count() == 1


def test_the_honeypot_drops_bots_quietly(client, hiring):
    response = client.post(reverse("careers:apply", args=[hiring.posting.pk]), form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert_nothing_saved()


def test_careers_pages_need_csrf(hiring):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("careers:apply", args=[hiring.posting.pk]), form_data())
    assert response.status_code == 403
    assert_nothing_saved()


def test_careers_list_keeps_its_query_count(client, hiring, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("careers:list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(10):
        JobPosting.objects.create(
            requisition=hiring.requisition, title=f"岗位{i}", description="x", status=PostingStatus.PUBLISHED,
            published_at=timezone.now(), created_by=people["users"]["hr"],
        )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "岗位9" in page.text
    assert len(many) <= len(few)

"""Fixtures of the recruiting tests (registered in tests/conftest.py, so browser tests use them
too): an approved requisition of department A with the manager as hiring manager, a published
posting with weighted keywords, and `make_application` for candidates at any stage."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest

RESUME_TEXT = "张伟，5年金融风控经验，熟悉机器学习与 Python，曾在银行负责反欺诈模型。"


def docx_bytes(text: str = RESUME_TEXT) -> bytes:
    """A real DOCX (python-docx) holding `text`."""
    from docx import Document

    doc = Document()
    for line in text.splitlines() or [""]:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pdf_bytes(text: str = RESUME_TEXT) -> bytes:
    """A real PDF (WeasyPrint, Noto CJK) holding `text`, for extraction tests."""
    from weasyprint import HTML

    return HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


@pytest.fixture
def hiring(people, org):
    from django.utils import timezone

    from employees.models import Position
    from recruiting.choices import PostingStatus, RequisitionStatus
    from recruiting.models import JobPosting, PostingKeyword, Requisition

    users, emps = people["users"], people["employees"]
    position = Position.objects.create(code="RISK-ML", title="风控建模工程师", role_family="technology")
    requisition = Requisition.objects.create(
        position=position,
        department=org["a"],
        headcount=2,
        reason="业务增长，需要扩充风控建模团队。",
        budget_min=Decimal("25000"),
        budget_max=Decimal("40000"),
        hiring_manager=emps["manager"],
        requested_by=users["manager"],
        status=RequisitionStatus.APPROVED,
        decided_by=users["hr"],
        decided_at=timezone.now(),
    )
    posting = JobPosting.objects.create(
        requisition=requisition,
        title="风控建模工程师",
        location="上海",
        description="负责信用风险与反欺诈模型的开发。",
        status=PostingStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=users["hr"],
    )
    for term, weight, must in (("机器学习", 5, True), ("金融风控", 3, False), ("Python", 2, False)):
        PostingKeyword.objects.create(posting=posting, term=term, weight=weight, must_have=must)
    return SimpleNamespace(position=position, requisition=requisition, posting=posting)


@pytest.fixture
def make_application(hiring):
    """make_application(name, email, text=..., stage="applied", posting=None) -> Application,
    scored with the posting's keywords, with a DOCX resume in private storage."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from hrsuite.uploads import private_path
    from recruiting.models import Application, Candidate, StageChange
    from recruiting.scoring import Keyword, Screener

    def make(name="张伟", email="zhangwei@example.com", text=RESUME_TEXT, stage="applied", posting=None, **extra):
        posting = posting or hiring.posting
        candidate, _ = Candidate.objects.get_or_create(email=email.lower(), defaults={"name": name})
        screener = Screener(Keyword(k.term, k.weight, k.must_have) for k in posting.keywords.all())
        result = screener.score(text)
        app = Application(
            posting=posting,
            candidate=candidate,
            stage=stage,
            resume_name="简历.docx",
            resume_sha256="0" * 64,
            resume_text=text,
            consent_at=timezone.now(),
            score=result.score,
            matched_terms=result.matched,
            missing_must_haves=result.missing_must_haves,
            rejection_reason="不符合岗位要求" if stage == "rejected" else "",
            **extra,
        )
        app.resume.save(private_path("resumes", "docx"), ContentFile(docx_bytes(text)), save=False)
        app.save()
        StageChange.objects.create(application=app, from_stage="", to_stage="applied")
        if stage != "applied":
            StageChange.objects.create(application=app, from_stage="applied", to_stage=stage)
        return app

    return make

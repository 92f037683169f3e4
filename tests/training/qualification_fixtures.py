"""Fixtures and helpers of the qualification tests (registered in tests/conftest.py, so browser
tests use them too): certificate types (fund practitioner, securities, anti-money-laundering with a
refresher course) with a sales position requiring two of them, uploads and certificates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

# the smallest valid PNG and PDF headers: uploads are checked by content, not by name
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "证书扫描.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def make_cert(employee, ctype, number: str, *, expires: date | None, issued: date | None = None, **extra):
    from training.models import EmployeeCertificate

    issued = issued or ((expires - timedelta(days=700)) if expires else date(2020, 1, 1))
    extra.setdefault("verification", "verified")
    return EmployeeCertificate.objects.create(
        employee=employee, certificate_type=ctype, number=number, issued_on=issued, expires_on=expires, **extra
    )


@pytest.fixture
def quals(people):
    """`employee`, `team_member` and `other_employee` are 理财经理 (sales), whose position requires
    the fund and AML certificates; the others hold no position with requirements."""
    from employees.models import Position
    from training.models import CertificateRequirement, CertificateType, Course, TrainingSettings

    sales = Position.objects.create(code="SALES-FA", title="理财经理", role_family="sales")
    tech = Position.objects.create(code="TECH-DEV", title="开发工程师", role_family="technology")
    refresher = Course.objects.create(code="AML-R", title="反洗钱年度复训", hours=Decimal("4"), self_enrol=False)
    fund = CertificateType.objects.create(
        code="FUND", name="基金从业资格", issuer="中国证券投资基金业协会", validity_months=24
    )
    securities = CertificateType.objects.create(code="SEC", name="证券从业资格", validity_months=None)
    aml = CertificateType.objects.create(
        code="AML", name="反洗钱培训合格证", validity_months=12, refresher_course=refresher
    )
    CertificateRequirement.objects.create(position=sales, certificate_type=fund)
    CertificateRequirement.objects.create(position=sales, certificate_type=aml)
    emps = people["employees"]
    for key in ("employee", "team_member", "other_employee"):
        emps[key].position = sales
        emps[key].save()
    emps["manager"].position = tech
    emps["manager"].save()
    policy = TrainingSettings.current()
    return SimpleNamespace(
        sales=sales, tech=tech, refresher=refresher, fund=fund, securities=securities, aml=aml, policy=policy
    )

"""Certificates: status from dates, the rules of recording one (dates, default expiry, unique
number, private scans), HR's pages, the scan download's permissions, self-service upload and
HR's verification, and the reminder settings."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.notifications.models import Notification
from tests.training.qualification_fixtures import PDF, make_cert, png
from training import services_qualifications as services
from training.compliance import certificate_status
from training.models import EmployeeCertificate, TrainingSettings
from training.qualifications import LeadDaysError, add_months, default_expiry, due_lead, parse_lead_days

TODAY = date(2026, 3, 10)


# --- pure rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_on", "window", "expected"),
    [
        (None, 30, "valid"),  # does not expire
        (TODAY + timedelta(days=365), 30, "valid"),
        (TODAY + timedelta(days=31), 30, "valid"),  # one day outside the window
        (TODAY + timedelta(days=30), 30, "expiring"),  # exactly N days: expiring
        (TODAY + timedelta(days=1), 30, "expiring"),
        (TODAY, 30, "expiring"),  # the expiry day itself is still valid, and expiring
        (TODAY - timedelta(days=1), 30, "expired"),  # the day after expiry
        (TODAY - timedelta(days=400), 30, "expired"),
        (TODAY + timedelta(days=7), 7, "expiring"),
        (TODAY + timedelta(days=8), 7, "valid"),
        (TODAY, 0, "expiring"),
        (TODAY + timedelta(days=1), 0, "valid"),
    ],
)
def test_status_from_dates(expires_on, window, expected):
    assert certificate_status(expires_on, TODAY, window) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 3, 15), 24, date(2026, 3, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # clamped to a leap February
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 12, 1), 1, date(2025, 1, 1)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 31), -24, date(2024, 5, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_default_expiry_without_validity_is_none():
    assert default_expiry(TODAY, None) is None
    assert default_expiry(TODAY, 12) == date(2027, 3, 10)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(45, None), (31, None), (30, 30), (29, 30), (8, 30), (7, 7), (3, 7), (1, 7), (0, 0), (-1, None)],
)
def test_due_lead(days_left, expected):
    assert due_lead(days_left, [30, 7, 0]) == expected


def test_due_lead_without_a_same_day_reminder():
    assert due_lead(0, [30, 7]) == 7  # the last lead covers the expiry day itself
    assert due_lead(5, [14]) == 14


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30, 7, 0", [30, 7, 0]), ("0，7、30", [30, 7, 0]), ("60 30 14 7 1 0", [60, 30, 14, 7, 1, 0]), ([7, 30], [30, 7])],
)
def test_lead_days_parsed_and_sorted(text, expected):
    assert parse_lead_days(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty"), ("30, x", "not_a_number"), ("400", "out_of_range"), ("7, 7", "duplicate"), ("-1", "not_a_number")],
)
def test_lead_days_refused(text, code):
    with pytest.raises(LeadDaysError) as exc:
        parse_lead_days(text)
    assert exc.value.code == code


# --- recording a certificate ---------------------------------------------------------------------


def _new(quals, people, **kw):
    data = {
        "employee": people["employees"]["employee"],
        "certificate_type": quals.fund,
        "number": "F2024000123",
        "issued_on": date(2024, 3, 15),
        "expires_on": None,
    }
    data.update(kw)
    return EmployeeCertificate(**data)


@pytest.mark.django_db
def test_expiry_before_issue_is_refused_with_a_clear_message(quals, people, english):
    cert = _new(quals, people, expires_on=date(2024, 3, 14))
    with pytest.raises(ValidationError) as exc:
        services.certificate_save(certificate=cert, actor=people["users"]["hr"], verified=True, today=TODAY)
    message = exc.value.message_dict["expires_on"][0]
    assert "2024-03-14" in message and "2024-03-15" in message and "before the issue date" in message
    assert not EmployeeCertificate.objects.exists()


@pytest.mark.django_db
def test_issue_date_in_the_future_is_refused(quals, people):
    with pytest.raises(ValidationError) as exc:
        services.certificate_save(certificate=_new(quals, people, issued_on=TODAY + timedelta(days=1)), today=TODAY)
    assert "issued_on" in exc.value.message_dict


@pytest.mark.django_db
def test_empty_expiry_defaults_to_issue_plus_validity(quals, people):
    cert = services.certificate_save(certificate=_new(quals, people), verified=True, today=TODAY)
    assert cert.expires_on == date(2026, 3, 15)  # 24 months
    forever = services.certificate_save(
        certificate=_new(quals, people, certificate_type=quals.securities, number="S1"), today=TODAY
    )
    assert forever.expires_on is None


@pytest.mark.django_db
def test_an_explicit_expiry_is_kept(quals, people):
    cert = services.certificate_save(certificate=_new(quals, people, expires_on=date(2025, 1, 1)), today=TODAY)
    assert cert.expires_on == date(2025, 1, 1)


@pytest.mark.django_db
def test_duplicate_number_per_type_is_refused(quals, people, english):
    services.certificate_save(certificate=_new(quals, people), today=TODAY)
    other = people["employees"]["other_employee"]
    with pytest.raises(ValidationError) as exc:
        # typed with full-width characters: still the same number
        services.certificate_save(certificate=_new(quals, people, employee=other, number="Ｆ2024000123 "), today=TODAY)
    message = exc.value.message_dict["number"][0]
    assert "F2024000123" in message and "another employee" in message
    assert people["employees"]["employee"].employee_no not in message  # nobody else's record leaks
    # the same number of another type is a different certificate
    services.certificate_save(certificate=_new(quals, people, certificate_type=quals.aml), today=TODAY)
    assert EmployeeCertificate.objects.count() == 2


@pytest.mark.django_db
def test_duplicate_of_ones_own_certificate_explains_renewal(quals, people, english):
    services.certificate_save(certificate=_new(quals, people), today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.certificate_save(certificate=_new(quals, people, issued_on=date(2026, 3, 1)), today=TODAY)
    assert "already on file for this employee" in exc.value.message_dict["number"][0]


@pytest.mark.django_db
def test_scan_is_checked_by_content_and_stored_privately(quals, people, settings):
    cert = services.certificate_save(certificate=_new(quals, people), upload=png("我的证书.png"), today=TODAY)
    stored = Path(settings.MEDIA_ROOT) / cert.scan.name
    assert stored.is_file() and stored.suffix == ".png"
    assert cert.scan.name.startswith("certificates/") and "我的证书" not in cert.scan.name
    assert cert.scan_name == "我的证书.png" and cert.scan_type == "image/png"
    assert not str(stored).startswith(str(django_settings.STATIC_ROOT))
    as_pdf = _new(quals, people, number="F-PDF", certificate_type=quals.aml)
    as_pdf = services.certificate_save(certificate=as_pdf, upload=SimpleUploadedFile("c.pdf", PDF), today=TODAY)
    assert as_pdf.scan.name.endswith(".pdf") and as_pdf.scan_type == "application/pdf"
    fake = SimpleUploadedFile("scan.pdf", b"just text, not a PDF", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.certificate_save(certificate=_new(quals, people, number="F2"), upload=fake, today=TODAY)
    assert not EmployeeCertificate.objects.filter(number="F2").exists()


@pytest.mark.django_db
def test_replacing_a_scan_deletes_the_old_file(quals, people, settings, django_capture_on_commit_callbacks):
    cert = services.certificate_save(certificate=_new(quals, people), upload=png(), today=TODAY)
    old = Path(settings.MEDIA_ROOT) / cert.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        cert = services.certificate_save(certificate=cert, upload=png("new.png"), today=TODAY)
    assert not old.exists() and (Path(settings.MEDIA_ROOT) / cert.scan.name).is_file()


# --- HR pages ------------------------------------------------------------------------------------

HR_PAGES = [
    "certificates",
    "certificate_create",
    "verification_queue",
    "certificate_types",
    "certificate_type_create",
    "requirements",
    "training_settings",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", HR_PAGES)
def test_hr_pages_open_for_hr(client_for, quals, name):
    assert client_for("hr").get(reverse(f"training:{name}")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
@pytest.mark.parametrize("name", HR_PAGES)
def test_hr_pages_refused_to_others(client_for, quals, role, name):
    assert client_for(role).get(reverse(f"training:{name}")).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, quals):
    response = client.get(reverse("training:certificates"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_hr_records_a_certificate_from_the_form(client_for, quals, people, settings):
    e = people["employees"]["employee"]
    response = client_for("hr").post(
        reverse("training:certificate_create"),
        {
            "employee_no": e.employee_no,
            "certificate_type": quals.fund.pk,
            "number": "F-100",
            "issued_on": "2025-06-01",
            "expires_on": "",
            "scan": png(),
        },
    )
    cert = EmployeeCertificate.objects.get(number="F-100")
    assert response.status_code == 302 and response["Location"] == reverse("training:certificate_edit", args=[cert.pk])
    assert cert.employee == e and cert.expires_on == date(2027, 6, 1) and cert.verification == "verified"
    assert cert.verified_by == people["users"]["hr"] and cert.scan
    assert AuditEntry.objects.filter(event=AuditEvent.CREATE, object_pk=str(cert.pk)).exists()


@pytest.mark.django_db
def test_form_shows_expiry_before_issue_on_the_field(client_for, quals, people, english):
    response = client_for("hr").post(
        reverse("training:certificate_create"),
        {
            "employee_no": people["employees"]["employee"].employee_no,
            "certificate_type": quals.fund.pk,
            "number": "F-101",
            "issued_on": "2025-06-01",
            "expires_on": "2025-05-31",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "before the issue date" in errors["expires_on"][0]
    assert "is-invalid" in response.text and not EmployeeCertificate.objects.exists()


@pytest.mark.django_db
def test_form_names_an_unknown_employee_number(client_for, quals, english):
    response = client_for("hr").post(
        reverse("training:certificate_create"),
        {"employee_no": "NOPE", "certificate_type": quals.fund.pk, "number": "X", "issued_on": "2025-06-01"},
    )
    assert "No employee has the number NOPE." in response.context["form"].errors["employee_no"]


@pytest.mark.django_db
def test_certificate_list_filters_and_query_budget(client_for, quals, people):
    today = timezone.localdate()
    e, other = people["employees"]["employee"], people["employees"]["other_employee"]
    make_cert(e, quals.fund, "F-OLD", expires=today - timedelta(days=3))
    make_cert(other, quals.fund, "F-SOON", expires=today + timedelta(days=10))
    make_cert(other, quals.aml, "A-PEND", expires=today + timedelta(days=200), verification="pending")
    client = client_for("hr")

    def numbers(**params):
        return [c.number for c in client.get(reverse("training:certificates"), params).context["page_obj"]]

    assert numbers(status="expired") == ["F-OLD"]
    assert numbers(status="expiring") == ["F-SOON"]
    assert numbers(verification="pending") == ["A-PEND"]
    assert numbers(q=e.employee_no) == ["F-OLD"]
    assert set(numbers(type=quals.fund.pk)) == {"F-OLD", "F-SOON"}
    assert numbers(department=people["employees"]["employee"].department_id) == ["F-OLD"]
    # a renewal replaces the expired certificate: it no longer needs attention
    make_cert(e, quals.fund, "F-RENEWED", expires=today + timedelta(days=700))
    assert numbers(status="expired") == []
    listed = {c.number: c.superseded for c in client.get(reverse("training:certificates")).context["page_obj"]}
    assert listed["F-OLD"] is True and listed["F-RENEWED"] is False
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training:certificates"))
    for i in range(30):
        make_cert(other, quals.securities, f"S-{i}", expires=None)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("training:certificates"))
    assert len(many) == len(few)


# --- the scan download ---------------------------------------------------------------------------


@pytest.fixture
def scanned(quals, people):
    cert = _new(quals, people, number="F-SCAN")
    return services.certificate_save(certificate=cert, upload=png("扫描件.png"), verified=True, today=TODAY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("employee", 200),
        ("hr", 200),
        ("hr_admin", 200),
        ("other_employee", 404),
        ("manager", 404),
        ("team_member", 404),
        ("payroll", 404),
    ],
)
def test_scan_download_permissions(client_for, scanned, role, status):
    response = client_for(role).get(reverse("training:certificate_scan", args=[scanned.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png" and "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_scan_download_is_audited(client_for, scanned, people):
    client_for("hr").get(reverse("training:certificate_scan", args=[scanned.pk]))
    entry = AuditEntry.objects.get(event=AuditEvent.DOWNLOAD, object_pk=str(scanned.pk))
    assert entry.actor == people["users"]["hr"]


@pytest.mark.django_db
def test_scan_download_of_a_certificate_without_scan_is_404(client_for, quals, people):
    cert = make_cert(people["employees"]["employee"], quals.fund, "F-NOSCAN", expires=None)
    assert client_for("hr").get(reverse("training:certificate_scan", args=[cert.pk])).status_code == 404


# --- self-service upload and verification ------------------------------------------------------


def _upload(client, quals, **kw):
    data = {
        "certificate_type": quals.fund.pk,
        "number": "F-RENEW-1",
        "issued_on": str(timezone.localdate() - timedelta(days=2)),
        "expires_on": "",
        "scan": png(),
    }
    data.update(kw)
    return client.post(reverse("mycertificates:upload"), data)


@pytest.mark.django_db
def test_upload_pending_then_verified_makes_it_valid(client_for, quals, people, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    e = people["employees"]["employee"]
    make_cert(e, quals.fund, "F-EXPIRED", expires=today - timedelta(days=5))
    me = client_for("employee")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(me, quals)
    assert response.status_code == 302 and response["Location"] == reverse("mycertificates:list")
    cert = EmployeeCertificate.objects.get(number="F-RENEW-1")
    assert cert.verification == "pending" and cert.employee == e and cert.uploaded_by == people["users"]["employee"]
    assert cert.expires_on == add_months(today - timedelta(days=2), 24)

    # HR is notified once, each HR user
    hr_users = [people["users"]["hr"], people["users"]["hr_admin"]]
    key = f"cert-upload:{cert.pk}"
    assert Notification.objects.filter(key=key).count() == 2
    assert set(Notification.objects.filter(key=key).values_list("recipient", flat=True)) == {u.pk for u in hr_users}
    assert len(mail.outbox) == 2

    # still expired until HR verifies
    matrix = client_for("hr").get(reverse("training:compliance_matrix"), {"q": e.employee_no})
    (row,) = matrix.context["rows"]
    fund_cell = next(c for c in row.cells if c.certificate_type == quals.fund)
    assert fund_cell.status == "expired" and fund_cell.pending
    page = me.get(reverse("mycertificates:list"))
    assert "F-RENEW-1" in page.text
    assert next(r for r in page.context["required"] if r["type"] == quals.fund)["pending"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("hr").post(reverse("training:certificate_verify", args=[cert.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="queue-' in response.text and "<html" not in response.text
    cert.refresh_from_db()
    assert cert.verification == "verified" and cert.verified_by == people["users"]["hr"]
    assert Notification.objects.filter(recipient=people["users"]["employee"], key=f"cert-verified:{cert.pk}").exists()

    matrix = client_for("hr").get(reverse("training:compliance_matrix"), {"q": e.employee_no})
    fund_cell = next(c for c in matrix.context["rows"][0].cells if c.certificate_type == quals.fund)
    assert fund_cell.status == "valid" and fund_cell.certificate == cert and not fund_cell.pending


@pytest.mark.django_db
def test_upload_needs_a_scan_and_valid_dates(client_for, quals, english):
    me = client_for("employee")
    response = _upload(me, quals, scan="")
    assert response.status_code == 200 and "scan" in response.context["form"].errors
    response = _upload(me, quals, issued_on="2025-06-01", expires_on="2025-01-01")
    assert "before the issue date" in response.context["form"].errors["expires_on"][0]
    assert not EmployeeCertificate.objects.exists()


@pytest.mark.django_db
def test_upload_refuses_a_file_that_is_not_a_scan(client_for, quals):
    response = _upload(client_for("employee"), quals, scan=SimpleUploadedFile("cert.png", b"MZ\x90\x00binary"))
    assert response.status_code == 200 and response.context["form"].errors["scan"]
    assert not EmployeeCertificate.objects.exists()


@pytest.mark.django_db
def test_my_certificates_lists_missing_required_types(client_for, quals, people):
    today = timezone.localdate()
    make_cert(people["employees"]["employee"], quals.fund, "F-MINE", expires=today + timedelta(days=10))
    make_cert(people["employees"]["other_employee"], quals.aml, "A-NOT-MINE", expires=None)
    page = client_for("employee").get(reverse("mycertificates:list"))
    assert page.status_code == 200
    required = {r["type"].code: r["status"] for r in page.context["required"]}
    assert required == {"FUND": "expiring", "AML": "missing"}
    assert "F-MINE" in page.text and "A-NOT-MINE" not in page.text


@pytest.mark.django_db
def test_my_certificates_needs_an_employee_record(client, quals):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("mycertificates:list")).status_code == 403


@pytest.mark.django_db
def test_reject_needs_a_reason_and_tells_the_employee(quals, people, django_capture_on_commit_callbacks):
    cert = make_cert(people["employees"]["employee"], quals.fund, "F-BAD", expires=None, verification="pending")
    hr = people["users"]["hr"]
    with pytest.raises(ValidationError):
        services.certificate_reject(certificate=cert, actor=hr, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_reject(certificate=cert, actor=hr, reason="扫描件模糊，请重新上传")
    cert.refresh_from_db()
    assert cert.verification == "rejected" and cert.rejection_reason == "扫描件模糊，请重新上传"
    n = Notification.objects.get(recipient=people["users"]["employee"], key=f"cert-rejected:{cert.pk}")
    assert "扫描件模糊" in n.text
    with pytest.raises(ValidationError):  # decided already
        services.certificate_verify(certificate=cert, actor=hr)


@pytest.mark.django_db
def test_hr_cannot_verify_their_own_certificate(quals, people):
    cert = make_cert(people["employees"]["hr"], quals.fund, "F-HR", expires=None, verification="pending")
    with pytest.raises(ValidationError):
        services.certificate_verify(certificate=cert, actor=people["users"]["hr"])
    services.certificate_verify(certificate=cert, actor=people["users"]["hr_admin"])
    cert.refresh_from_db()
    assert cert.verification == "verified"


@pytest.mark.django_db
def test_reject_from_the_queue_without_reason_shows_the_error(client_for, quals, people, english):
    cert = make_cert(people["employees"]["employee"], quals.fund, "F-Q", expires=None, verification="pending")
    client = client_for("hr")
    queue = client.get(reverse("training:verification_queue"))
    assert "F-Q" in queue.text
    response = client.post(
        reverse("training:certificate_reject", args=[cert.pk]), {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert "Give the reason" in response.text
    cert.refresh_from_db()
    assert cert.verification == "pending"
    response = client.post(reverse("training:certificate_reject", args=[cert.pk]), {"reason": "号码不符"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.verification == "rejected"


@pytest.mark.django_db
def test_verify_is_post_only_and_hr_only(client_for, quals, people):
    cert = make_cert(people["employees"]["employee"], quals.fund, "F-P", expires=None, verification="pending")
    url = reverse("training:certificate_verify", args=[cert.pk])
    assert client_for("hr").get(url).status_code == 405
    assert client_for("employee").post(url).status_code == 403
    assert client_for("manager").post(url).status_code == 403
    cert.refresh_from_db()
    assert cert.verification == "pending"


# --- catalogue and settings ----------------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_type_and_requirement_from_the_pages(client_for, quals, english):
    client = client_for("hr")
    response = client.post(
        reverse("training:certificate_type_create"),
        {"code": "futures", "name": "期货从业资格", "issuer": "中国期货业协会", "validity_months": "36"},
    )
    assert response.status_code == 302
    from training.models import CertificateRequirement, CertificateType

    futures = CertificateType.objects.get(code="FUTURES")
    response = client.post(
        reverse("training:requirements"), {"position": quals.sales.pk, "certificate_type": futures.pk, "grace_days": 90}
    )
    assert response.status_code == 302 and CertificateRequirement.objects.filter(certificate_type=futures).exists()
    response = client.post(
        reverse("training:requirements"), {"position": quals.sales.pk, "certificate_type": futures.pk, "grace_days": 30}
    )
    assert "already requires" in response.context["form"].errors["certificate_type"][0]
    req = CertificateRequirement.objects.get(certificate_type=futures)
    client.post(reverse("training:requirements"), {"delete": req.pk})
    assert not CertificateRequirement.objects.filter(pk=req.pk).exists()


@pytest.mark.django_db
def test_settings_are_validated_and_sorted(client_for, quals, english):
    client = client_for("hr")
    url = reverse("training:training_settings")
    form = {"expiring_within_days": 45, "notify_manager": "on", "notify_hr": "", "auto_enrol_refresher": "on"}
    response = client.post(url, {**form, "reminder_days": "7, 400"})
    assert "400 days is too far ahead" in response.context["form"].errors["reminder_days"][0]
    response = client.post(url, {**form, "reminder_days": "7, 7"})
    assert "appears twice" in response.context["form"].errors["reminder_days"][0]
    assert TrainingSettings.current().reminder_days == [30, 7, 0]
    response = client.post(url, {**form, "reminder_days": "0、14，60"})
    assert response.status_code == 302
    policy = TrainingSettings.current()
    assert policy.reminder_days == [60, 14, 0] and policy.expiring_within_days == 45
    assert policy.notify_manager and not policy.notify_hr and policy.auto_enrol_refresher
    assert AuditEntry.objects.filter(event=AuditEvent.UPDATE, object_pk=str(policy.pk)).exists()

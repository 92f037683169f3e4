"""Qualifications: the writes of certificate types, position requirements, employees'
certificates (entered by HR, or uploaded by the employee and verified by HR) and HR's reminder
settings. Reminders themselves are in training/reminders.py."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.notifications.models import Level
from hrsuite.notifications.services import notify
from hrsuite.roles import Role, users_with_role
from hrsuite.uploads import SCAN_TYPES, check_upload, private_path

from .choices import VerificationStatus
from .models import CertificateRequirement, CertificateType, EmployeeCertificate, TrainingSettings
from .qualifications import MAX_LEAD_DAYS, LeadDaysError, default_expiry, parse_lead_days

MY_CERTIFICATES_URL = "/me/certificates/"


def _hr_users():
    return list(users_with_role(Role.HR, Role.HR_ADMIN))


# --- catalogue -----------------------------------------------------------------------------------


@transaction.atomic
def certificate_type_save(*, certificate_type: CertificateType) -> CertificateType:
    certificate_type.code = certificate_type.code.strip().upper()
    certificate_type.name = certificate_type.name.strip()
    if certificate_type.validity_months == 0:
        raise ValidationError(
            {
                "validity_months": _(
                    "A validity of 0 months would expire on the issue date; leave it empty if it does not expire."
                )
            }
        )
    certificate_type.full_clean()
    certificate_type.save()
    return certificate_type


@transaction.atomic
def requirement_save(*, requirement: CertificateRequirement) -> CertificateRequirement:
    duplicate = CertificateRequirement.objects.filter(
        position_id=requirement.position_id, certificate_type_id=requirement.certificate_type_id
    ).exclude(pk=requirement.pk)
    if duplicate.exists():
        raise ValidationError(
            {
                "certificate_type": _("%(position)s already requires %(type)s.")
                % {"position": requirement.position, "type": requirement.certificate_type}
            }
        )
    requirement.full_clean(validate_constraints=False)
    requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: CertificateRequirement) -> None:
    requirement.delete()  # audited through the audit-log registration


# --- certificates --------------------------------------------------------------------------------


def normalise_number(number: str) -> str:
    """Full-width characters to half-width, surrounding spaces removed (a number typed with a
    Chinese input method matches the one on file)."""
    return unicodedata.normalize("NFKC", number or "").strip()


def _check_dates(certificate: EmployeeCertificate, today: date) -> None:
    errors = {}
    if certificate.issued_on and certificate.issued_on > today:
        errors["issued_on"] = _(
            "The issue date %(date)s is in the future. Enter the date printed on the certificate."
        ) % {"date": certificate.issued_on.isoformat()}
    if certificate.issued_on and certificate.expires_on and certificate.expires_on < certificate.issued_on:
        errors["expires_on"] = _(
            "The expiry date %(expires)s is before the issue date %(issued)s. Check both dates on the certificate."
        ) % {"expires": certificate.expires_on.isoformat(), "issued": certificate.issued_on.isoformat()}
    if errors:
        raise ValidationError(errors)


def _check_number(certificate: EmployeeCertificate) -> None:
    clash = (
        EmployeeCertificate.objects.filter(
            certificate_type_id=certificate.certificate_type_id, number=certificate.number
        )
        .exclude(pk=certificate.pk)
        .values_list("employee_id", flat=True)
        .first()
    )
    if clash is None:
        return
    params = {"number": certificate.number, "type": certificate.certificate_type.name}
    if clash == certificate.employee_id:
        message = _(
            "%(type)s number %(number)s is already on file for this employee. A renewal under the same number is "
            "recorded by changing the dates of the certificate on file."
        )
    else:
        message = _("%(type)s number %(number)s is already on file for another employee. Check the number.")
    raise ValidationError({"number": message % params})


def _store_scan(certificate: EmployeeCertificate, upload) -> str:
    try:
        checked = check_upload(upload, allowed=SCAN_TYPES)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from exc
    path = default_storage.save(private_path("certificates", checked.extension), upload)
    certificate.scan = path
    certificate.scan_name = checked.original_name
    certificate.scan_type = checked.content_type
    return path


@transaction.atomic
def certificate_save(
    *,
    certificate: EmployeeCertificate,
    upload=None,
    actor=None,
    verified: bool = False,
    today: date | None = None,
) -> EmployeeCertificate:
    """Create or change a certificate. An empty expiry date becomes the issue date plus the
    type's validity; an expiry before the issue date, an issue date in the future and a number
    already on file for the type are refused with a message on the field. A scan is checked by
    content (PDF, JPG, PNG) and stored privately under a random name. `verified`: HR entered it
    from the original, so it counts at once (an employee's upload waits for HR)."""
    today = today or timezone.localdate()
    certificate.number = normalise_number(certificate.number)
    ctype = certificate.certificate_type
    if certificate.expires_on is None and certificate.issued_on:
        certificate.expires_on = default_expiry(certificate.issued_on, ctype.validity_months)
    _check_dates(certificate, today)
    _check_number(certificate)
    old_scan = ""
    if certificate.pk:
        old_scan = EmployeeCertificate.objects.filter(pk=certificate.pk).values_list("scan", flat=True).first() or ""
    new_scan = _store_scan(certificate, upload) if upload is not None else ""
    if certificate.pk is None:
        certificate.uploaded_by = actor
    if verified:
        certificate.verification = VerificationStatus.VERIFIED
        certificate.verified_by = actor
        certificate.verified_at = timezone.now()
        certificate.rejection_reason = ""
    try:
        certificate.full_clean(exclude=["scan"], validate_constraints=False)
        with transaction.atomic():
            certificate.save()
    except (ValidationError, IntegrityError) as exc:
        if new_scan:
            default_storage.delete(new_scan)
        if isinstance(exc, IntegrityError):  # the same number saved a moment ago by someone else
            _check_number(certificate)
        raise
    if new_scan and old_scan and old_scan != new_scan:
        transaction.on_commit(lambda: default_storage.delete(old_scan))
    return certificate


@transaction.atomic
def certificate_submit(
    *,
    employee: Employee,
    certificate_type: CertificateType,
    number: str,
    issued_on: date,
    expires_on: date | None,
    upload,
    actor,
    today: date | None = None,
) -> EmployeeCertificate:
    """An employee uploads a (renewed) certificate of their own: it waits for HR's verification
    and HR is notified once."""
    if upload is None:
        raise ValidationError({"scan": _("Attach a scan or photo of the certificate (PDF, JPG or PNG).")})
    if employee.status == EmployeeStatus.LEFT:
        raise ValidationError(_("%(name)s has left the company.") % {"name": employee.name})
    certificate = EmployeeCertificate(
        employee=employee,
        certificate_type=certificate_type,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        verification=VerificationStatus.PENDING,
    )
    certificate_save(certificate=certificate, upload=upload, actor=actor, today=today)
    recipients = [u for u in _hr_users() if u.pk != employee.user_id]
    transaction.on_commit(
        lambda: notify(
            recipients=recipients,
            key=f"cert-upload:{certificate.pk}",
            message=gettext_noop("%(name)s uploaded a %(type)s certificate (no. %(number)s) for verification."),
            params={"name": employee.name, "type": certificate_type.name, "number": certificate.number},
            url="/training/certificates/verification/",
            email=True,
        )
    )
    return certificate


def _lock_pending(certificate: EmployeeCertificate) -> EmployeeCertificate:
    locked = (
        EmployeeCertificate.objects.select_for_update(of=("self",))
        .select_related("employee", "employee__user", "certificate_type")
        .get(pk=certificate.pk)
    )
    if locked.verification != VerificationStatus.PENDING:
        raise ValidationError(
            _("This certificate was already decided (%(status)s).") % {"status": locked.get_verification_display()}
        )
    return locked


def _not_own(certificate: EmployeeCertificate, actor) -> None:
    if actor is not None and certificate.employee.user_id == actor.pk:
        raise ValidationError(_("You cannot verify your own certificate; another HR colleague has to."))


@transaction.atomic
def certificate_verify(*, certificate: EmployeeCertificate, actor) -> EmployeeCertificate:
    """HR confirms an uploaded certificate against its scan: from now on it counts."""
    certificate = _lock_pending(certificate)
    _not_own(certificate, actor)
    certificate.verification = VerificationStatus.VERIFIED
    certificate.verified_by = actor
    certificate.verified_at = timezone.now()
    certificate.rejection_reason = ""
    certificate.save(update_fields=["verification", "verified_by", "verified_at", "rejection_reason"])
    _tell_employee(
        certificate,
        key=f"cert-verified:{certificate.pk}",
        message=gettext_noop("HR verified your %(type)s certificate (no. %(number)s)."),
        level=Level.SUCCESS,
    )
    return certificate


@transaction.atomic
def certificate_reject(*, certificate: EmployeeCertificate, actor, reason: str) -> EmployeeCertificate:
    """HR refuses an uploaded certificate, with a reason the employee reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason, so the employee knows what to fix.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    certificate = _lock_pending(certificate)
    _not_own(certificate, actor)
    certificate.verification = VerificationStatus.REJECTED
    certificate.verified_by = actor
    certificate.verified_at = timezone.now()
    certificate.rejection_reason = reason
    certificate.save(update_fields=["verification", "verified_by", "verified_at", "rejection_reason"])
    _tell_employee(
        certificate,
        key=f"cert-rejected:{certificate.pk}",
        message=gettext_noop("HR did not accept your %(type)s certificate (no. %(number)s): %(reason)s"),
        params={"reason": reason},
        level=Level.WARNING,
    )
    return certificate


def _tell_employee(certificate: EmployeeCertificate, *, key: str, message: str, params=None, level=Level.INFO):
    user = certificate.employee.user
    if user is None:
        return
    params = {"type": certificate.certificate_type.name, "number": certificate.number, **(params or {})}
    transaction.on_commit(
        lambda: notify(
            recipients=[user], key=key, message=message, params=params, url=MY_CERTIFICATES_URL, level=level, email=True
        )
    )


# --- HR's reminder settings ----------------------------------------------------------------------

LEAD_DAY_MESSAGES = {
    "empty": gettext_noop("Enter at least one number of days, for example 30, 7, 0."),
    "not_a_number": gettext_noop("“%(value)s” is not a whole number of days. Enter numbers such as 30, 7, 0."),
    "out_of_range": gettext_noop("%(value)s days is too far ahead; the most is %(limit)s."),
    "duplicate": gettext_noop("%(value)s appears twice; list each number of days once."),
}


@transaction.atomic
def training_settings_save(
    *,
    reminder_days,
    expiring_within_days: int,
    notify_manager: bool,
    notify_hr: bool,
    auto_enrol_refresher: bool,
) -> TrainingSettings:
    """Change HR's reminder policy: lead days from 0 (the expiry day) to 365, each once, stored
    largest first; 'expiring' within 0 to 365 days."""
    errors = {}
    try:
        days = parse_lead_days(reminder_days)
    except LeadDaysError as exc:
        errors["reminder_days"] = _(LEAD_DAY_MESSAGES[exc.code]) % exc.params
    if expiring_within_days is None or not 0 <= int(expiring_within_days) <= MAX_LEAD_DAYS:
        errors["expiring_within_days"] = _("Enter a number of days from 0 to %(limit)s.") % {"limit": MAX_LEAD_DAYS}
    if errors:
        raise ValidationError(errors)
    obj = TrainingSettings.current()
    obj = TrainingSettings.objects.select_for_update().get(pk=obj.pk)
    obj.reminder_days = days
    obj.expiring_within_days = int(expiring_within_days)
    obj.notify_manager = bool(notify_manager)
    obj.notify_hr = bool(notify_hr)
    obj.auto_enrol_refresher = bool(auto_enrol_refresher)
    obj.save()
    return obj

"""The daily certificate reminder scan (Celery beat, training.tasks.certificate_reminders).

For every certificate that counts (verified, not superseded by a newer upload, of someone who
has not left) expiring within the largest lead day, the reminder due is the smallest lead day at
or above the days left (training.qualifications.due_lead): a run that missed a day still sends
it, and each lead is sent once, because every notification is keyed "cert:<id>:<lead>" and
stored once per recipient and key. The employee, their manager and HR are notified (per HR's
settings) in-app and by e-mail; the employee is enrolled in the type's refresher course.

The scan does a constant number of queries whatever the number of certificates: settings, HR's
users, one query for the certificates due, one INSERT … RETURNING per 5,000 notifications and one
bulk insert per 5,000 enrolments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from employees.choices import EmployeeStatus
from hrsuite.notifications.models import Level
from hrsuite.notifications.services import NotificationSpec, notify_many
from hrsuite.roles import Role, users_with_role

from .choices import EnrollmentSource, EnrollmentStatus, VerificationStatus
from .models import EmployeeCertificate, Enrollment, TrainingSettings
from .qualifications import due_lead

ENROL_BATCH = 5000

MSG_EMPLOYEE = gettext_noop(
    "Your %(type)s certificate (no. %(number)s) expires on %(date)s (days left: %(days)s). "
    "Renew it and upload the new certificate under My certificates."
)
MSG_EMPLOYEE_TODAY = gettext_noop(
    "Your %(type)s certificate (no. %(number)s) expires today. "
    "Renew it and upload the new certificate under My certificates."
)
MSG_EMPLOYEE_ENROLLED = gettext_noop(
    "Your %(type)s certificate (no. %(number)s) expires on %(date)s (days left: %(days)s). "
    "You have been enrolled in the refresher course %(course)s; renew the certificate and upload it under My certificates."
)
MSG_EMPLOYEE_TODAY_ENROLLED = gettext_noop(
    "Your %(type)s certificate (no. %(number)s) expires today. "
    "You have been enrolled in the refresher course %(course)s; renew the certificate and upload it under My certificates."
)
MSG_OTHERS = gettext_noop(
    "The %(type)s certificate of %(name)s (%(employee_no)s, no. %(number)s) expires on %(date)s (days left: %(days)s)."
)
MSG_OTHERS_TODAY = gettext_noop("The %(type)s certificate of %(name)s (%(employee_no)s, no. %(number)s) expires today.")


@dataclass
class ReminderSummary:
    today: date
    leads: list[int]
    due: int = 0  # certificates within the largest lead day
    certificates: int = 0  # certificates that got at least one new reminder
    notifications: int = 0
    emails: int = 0
    enrolments: int = 0
    by_lead: dict[int, int] = field(default_factory=dict)  # certificates reminded, per lead day

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "leads": self.leads,
            "due": self.due,
            "certificates": self.certificates,
            "notifications": self.notifications,
            "emails": self.emails,
            "enrolments": self.enrolments,
            "by_lead": {str(k): v for k, v in sorted(self.by_lead.items(), reverse=True)},
        }


def certificates_due(*, today: date, horizon: date):
    """Certificates that count and expire between today and the horizon (one query)."""
    newer = EmployeeCertificate.objects.filter(
        employee_id=OuterRef("employee_id"), certificate_type_id=OuterRef("certificate_type_id")
    ).exclude(verification=VerificationStatus.REJECTED)
    newer = newer.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    open_or_done = Enrollment.objects.filter(
        employee_id=OuterRef("employee_id"), course_id=OuterRef("certificate_type__refresher_course_id")
    ).filter(
        Q(status=EnrollmentStatus.ENROLLED)
        | Q(status=EnrollmentStatus.COMPLETED, completed_at__date__gte=OuterRef("issued_on"))
    )
    return (
        EmployeeCertificate.objects.filter(
            verification=VerificationStatus.VERIFIED, expires_on__gte=today, expires_on__lte=horizon
        )
        .exclude(employee__status=EmployeeStatus.LEFT)
        .exclude(Exists(newer))
        .annotate(has_refresher=Exists(open_or_done))
        .order_by("expires_on", "pk")
        .values_list(
            "pk",
            "number",
            "expires_on",
            "certificate_type__name",
            "certificate_type__refresher_course_id",
            "certificate_type__refresher_course__title",
            "certificate_type__refresher_course__is_active",
            "has_refresher",
            "employee_id",
            "employee__name",
            "employee__employee_no",
            "employee__user_id",
            "employee__manager__user_id",
            "employee__department__head_id",
            "employee__department__head__user_id",
        )
    )


@transaction.atomic
def certificate_reminders(*, today: date | None = None) -> ReminderSummary:
    """Send the certificate reminders due today (idempotent: running twice sends nothing new)."""
    today = today or timezone.localdate()
    policy = TrainingSettings.current()
    leads = sorted({int(d) for d in policy.reminder_days if int(d) >= 0})
    summary = ReminderSummary(today=today, leads=sorted(leads, reverse=True))
    if not leads:
        return summary
    hr_ids = list(users_with_role(Role.HR, Role.HR_ADMIN).values_list("pk", flat=True)) if policy.notify_hr else []
    specs: list[NotificationSpec] = []
    refreshers: dict[int, tuple[int, int, date]] = {}  # certificate -> (employee, course, due date)
    lead_of: dict[int, int] = {}
    for (
        pk,
        number,
        expires_on,
        type_name,
        course_id,
        course_title,
        course_active,
        has_refresher,
        employee_id,
        name,
        employee_no,
        user_id,
        manager_user_id,
        head_id,
        head_user_id,
    ) in certificates_due(today=today, horizon=today + timedelta(days=leads[-1])):
        days_left = (expires_on - today).days
        lead = due_lead(days_left, leads)
        if lead is None:
            continue
        summary.due += 1
        lead_of[pk] = lead
        key = f"cert:{pk}:{lead}"
        enrol = bool(policy.auto_enrol_refresher and course_id and course_active and not has_refresher)
        if enrol:
            refreshers[pk] = (employee_id, course_id, expires_on)
        params = {"type": type_name, "number": number, "date": expires_on.isoformat(), "days": days_left}
        level = Level.DANGER if days_left <= 7 else Level.WARNING
        if user_id:
            employee_params = dict(params)
            if enrol:
                message = MSG_EMPLOYEE_TODAY_ENROLLED if days_left == 0 else MSG_EMPLOYEE_ENROLLED
                employee_params["course"] = course_title
            else:
                message = MSG_EMPLOYEE_TODAY if days_left == 0 else MSG_EMPLOYEE
            specs.append(NotificationSpec(user_id, key, message, employee_params, "/me/certificates/", level, True))
        others = {"name": name, "employee_no": employee_no, **params}
        message = MSG_OTHERS_TODAY if days_left == 0 else MSG_OTHERS
        url = f"/training/certificates/{pk}/"
        if policy.notify_manager:
            manager = manager_user_id or (head_user_id if head_id != employee_id else None)
            if manager:
                specs.append(NotificationSpec(manager, key, message, others, "/training/compliance/", level, True))
        specs.extend(NotificationSpec(hr, key, message, others, url, level, True) for hr in hr_ids)

    created = notify_many(specs)
    reminded = {int(n.key.split(":")[1]) for n in created}
    summary.notifications = len(created)
    summary.emails = sum(1 for n in created if n.send_email)
    summary.certificates = len(reminded)
    for pk in reminded:
        summary.by_lead[lead_of[pk]] = summary.by_lead.get(lead_of[pk], 0) + 1
    # enrol in the refresher course along with a new reminder (not every day in between, so a
    # cancelled refresher enrolment is not re-made until the next lead day)
    rows = [
        Enrollment(
            employee_id=employee_id,
            course_id=course_id,
            source=EnrollmentSource.REFRESHER,
            status=EnrollmentStatus.ENROLLED,
            due_date=expires_on,
        )
        for pk, (employee_id, course_id, expires_on) in refreshers.items()
        if pk in reminded
    ]
    # one open enrolment per person and course (the partial unique constraint decides)
    unique_rows = list({(r.employee_id, r.course_id): r for r in rows}.values())
    if unique_rows:
        Enrollment.objects.bulk_create(unique_rows, ignore_conflicts=True, batch_size=ENROL_BATCH)
    summary.enrolments = len(unique_rows)
    return summary

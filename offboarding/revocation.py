"""Access revocation (权限回收): on `revoke_on` (the last working day, or earlier for a sensitive
role; the daily job `offboarding.jobs.revoke_due_access`), or at once when HR chooses.

One transaction per case, under the case's row lock:

* the leaver's login is disabled (is_active False, an unusable password, no staff or superuser
  flag, no direct permissions), so a later sign-in with the right password fails: ModelBackend
  refuses inactive users and the failure is audited as "login_failed" by hrsuite.audit.receivers;
* every session of that login is ended. Sessions live in the database (django.contrib.sessions'
  default engine): the unexpired rows are scanned, decoded, and those whose `_auth_user_id` is the
  leaver's are deleted. A scan is fine at company scale (one row per signed-in browser, idle
  sessions end after 30 minutes); with many thousands of concurrent sessions a per-user session
  index would be the next step. AuthenticationMiddleware also drops an inactive user on the next
  request, so even a session missed by the scan signs nobody in;
* every role (group) is removed: page and export permissions are role-based (hrsuite.roles), so
  this withdraws them all;
* what the leaver owned goes to a successor: customer accounts (to the successor of the handover
  item that names the customer, else the case's first successor), recruiting requisitions awaiting
  approval or approved where they are the hiring manager, scheduled interviews where they
  interview (the successor takes their seat); their open training enrolments are cancelled;
* case.revoked_at and case.revocation (a JSON summary of the counts) are set, an ACCESS_REVOKED
  case event and an audit entry are written, and HR is notified.

A second call changes nothing and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.roles import Role, forget_roles, users_with_role

from .choices import CaseStatus, EventKind
from .models import CustomerAccount, HandoverItem, SeparationCase
from .services import CaseRefused, lock_case, record_event
from .workflows import OPEN_CASE

log = logging.getLogger(__name__)

REVOKE_EARLY_DAYS = 7
SESSION_SCAN_CHUNK = 2000


@dataclass(frozen=True)
class RevocationResult:
    case: SeparationCase
    done: bool  # False: it had been revoked before, nothing changed
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        if not self.done:
            when = timezone.localtime(self.case.revoked_at).strftime("%Y-%m-%d %H:%M") if self.case.revoked_at else ""
            return _("Access of %(name)s was already revoked on %(when)s; nothing was changed.") % {
                "name": self.case.employee.name,
                "when": when,
            }
        return _(
            "Access of %(name)s was revoked: %(sessions)s session(s) ended, %(roles)s role(s) removed, "
            "%(customers)s customer account(s), %(requisitions)s requisition(s) and %(interviews)s interview(s) "
            "reassigned, %(enrollments)s enrolment(s) cancelled."
        ) % {"name": self.case.employee.name, **self.summary}


def case_documents_url(case: SeparationCase) -> str:
    try:
        return reverse("offboarding:case_documents", args=[case.pk])
    except NoReverseMatch:
        return ""


def _successor_ids(case: SeparationCase) -> list[int]:
    """The case's successors in the order they were named (the through table's order)."""
    through = SeparationCase.successors.through
    return list(through.objects.filter(separationcase_id=case.pk).order_by("pk").values_list("employee_id", flat=True))


def end_sessions(user) -> int:
    """Delete every unexpired database session signed in as `user`. Returns how many."""
    uid = str(user.pk)
    keys = []
    rows = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    store = Session.get_session_store_class()()
    for key, data in rows.iterator(chunk_size=SESSION_SCAN_CHUNK):
        decoded = store.decode(data)  # a tampered or unreadable row decodes to {}
        if str(decoded.get("_auth_user_id", "")) == uid:
            keys.append(key)
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _disable_login(user) -> dict[str, Any]:
    roles = sorted(user.groups.values_list("name", flat=True))
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "is_staff", "is_superuser", "password"])
    user.groups.clear()  # audited by auditlog as a role change (groups are an audited m2m)
    user.user_permissions.clear()
    forget_roles(user)
    sessions = end_sessions(user)
    return {"roles": len(roles), "role_codes": roles, "sessions": sessions}


def _reassign_customers(case: SeparationCase, leaver_id: int, default_successor: int | None) -> dict[int, list[int]]:
    """Customer accounts of the leaver, by new owner: the successor of the case's item that names
    the customer, else the first successor. One read, one update per new owner."""
    owned = list(CustomerAccount.objects.filter(owner_id=leaver_id).values_list("pk", flat=True))
    if not owned:
        return {}
    per_item = dict(
        HandoverItem.objects.filter(case=case, customer_id__in=owned)
        .order_by("order", "pk")
        .values_list("customer_id", "successor_id")
    )
    moves: dict[int, list[int]] = {}
    for pk in owned:
        owner = per_item.get(pk) or default_successor
        if owner is not None and owner != leaver_id:
            moves.setdefault(owner, []).append(pk)
    for owner, ids in moves.items():
        CustomerAccount.objects.filter(pk__in=ids).update(owner_id=owner)
    return moves


def _reassign_recruiting(leaver_id: int, successor: int | None) -> tuple[int, int]:
    from recruiting.choices import InterviewStatus, RequisitionStatus
    from recruiting.models import Interview, Requisition

    if successor is None:
        return 0, 0
    requisitions = Requisition.objects.filter(
        hiring_manager_id=leaver_id, status__in=[RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED]
    ).update(hiring_manager_id=successor)
    through = Interview.interviewers.through
    seats = through.objects.filter(employee_id=leaver_id, interview__status=InterviewStatus.SCHEDULED)
    interview_ids = list(seats.values_list("interview_id", flat=True))
    if interview_ids:
        has_seat = set(
            through.objects.filter(employee_id=successor, interview_id__in=interview_ids).values_list(
                "interview_id", flat=True
            )
        )
        through.objects.filter(employee_id=leaver_id, interview_id__in=interview_ids).delete()
        through.objects.bulk_create(
            [through(interview_id=i, employee_id=successor) for i in interview_ids if i not in has_seat],
            ignore_conflicts=True,
        )
    return requisitions, len(interview_ids)


def _cancel_enrollments(leaver_id: int) -> int:
    from training.choices import EnrollmentStatus
    from training.models import Enrollment

    return Enrollment.objects.filter(employee_id=leaver_id, status=EnrollmentStatus.ENROLLED).update(
        status=EnrollmentStatus.CANCELLED
    )


@transaction.atomic
def revoke_access(*, case: SeparationCase, actor=None, reason: str = "") -> RevocationResult:
    """Revoke the leaver's access now (see the module docstring). `actor` is HR (None: the daily
    job); `reason` says why ("now", "scheduled", "case_completed" or HR's words). Idempotent."""
    locked = lock_case(case)
    if locked.revoked_at is not None:
        case.revoked_at, case.revocation = locked.revoked_at, locked.revocation
        return RevocationResult(case=locked, done=False, summary=locked.revocation or {})
    if locked.status == CaseStatus.CANCELLED:
        raise CaseRefused(_("This case was cancelled, so there is no access to revoke."), code="cancelled")
    employee = locked.employee
    successors = _successor_ids(locked)
    first = next((pk for pk in successors if pk != employee.pk), None)
    now = timezone.now()

    user = get_user_model().objects.filter(pk=employee.user_id).first() if employee.user_id else None
    login = _disable_login(user) if user is not None else {"roles": 0, "role_codes": [], "sessions": 0}
    moves = _reassign_customers(locked, employee.pk, first)
    requisitions, interviews = _reassign_recruiting(employee.pk, first)
    enrollments = _cancel_enrollments(employee.pk)

    summary: dict[str, Any] = {
        "login": user.username if user is not None else "",
        "login_disabled": user is not None,
        "sessions": login["sessions"],
        "roles": login["roles"],
        "role_codes": login["role_codes"],
        "customers": sum(len(ids) for ids in moves.values()),
        "customer_moves": {str(owner): ids for owner, ids in moves.items()},
        "requisitions": requisitions,
        "interviews": interviews,
        "enrollments": enrollments,
        "successor": first,
        "reason": (reason or "")[:200],
        "by": getattr(actor, "username", "") if actor is not None else "",
    }
    locked.revoked_at = now
    locked.revocation = summary
    locked.save(update_fields=["revoked_at", "revocation"])
    case.revoked_at, case.revocation = now, summary

    result = RevocationResult(case=locked, done=True, summary=summary)
    record_event(case=locked, kind=EventKind.ACCESS_REVOKED, actor=actor, comment=result.message)
    audit_record(
        event=AuditEvent.ROLE_CHANGE if user is not None else AuditEvent.ACTION,
        actor=actor,
        obj=user if user is not None else locked,
        object_repr=f"{employee.name}: access revoked",
        details={"what": "offboarding access revocation", "case": locked.pk, **summary},
    )
    from hrsuite.notifications.services import notify

    params = {"name": employee.name, "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
    url = case_documents_url(locked)
    transaction.on_commit(
        lambda: notify(
            recipients=list(users_with_role(Role.HR, Role.HR_ADMIN)),
            key=f"offboarding:revoked:{locked.pk}",
            message=gettext_noop("Access of %(name)s was revoked on %(when)s."),
            params=params,
            url=url,
        )
    )
    return result


def week_early(case: SeparationCase) -> date:
    """Seven days before the last working day ("a week early", for a sensitive role)."""
    return case.last_working_day - timedelta(days=REVOKE_EARLY_DAYS)


@transaction.atomic
def schedule_revocation(*, case: SeparationCase, on_date: date, actor, today: date | None = None) -> SeparationCase:
    """Set the day the daily job revokes the leaver's access (HR). The date must lie between today
    and the last working day; a date of today revokes at once (the day's job has already run)."""
    today = today or timezone.localdate()
    locked = lock_case(case)
    if locked.revoked_at is not None:
        raise CaseRefused(_("Access was already revoked; there is nothing left to schedule."), code="revoked")
    if locked.status not in (*OPEN_CASE, CaseStatus.COMPLETED):
        raise CaseRefused(_("This case was cancelled, so there is no access to revoke."), code="cancelled")
    if on_date is None:
        raise ValidationError({"on_date": _("Choose the day access is revoked.")})
    if on_date < today:
        raise ValidationError(
            {
                "on_date": _("%(date)s is in the past: choose today or a later day, or revoke access now.")
                % {"date": on_date.isoformat()}
            },
            code="past",
        )
    if on_date > locked.last_working_day:
        raise ValidationError(
            {
                "on_date": _("Access must be revoked by the last working day (%(last)s), not after it.")
                % {"last": locked.last_working_day.isoformat()}
            },
            code="after_last_day",
        )
    before = locked.revoke_on
    locked.revoke_on = on_date
    locked.save(update_fields=["revoke_on"])
    case.revoke_on = on_date
    record_event(
        case=locked,
        kind=EventKind.REVOCATION_SCHEDULED,
        actor=actor,
        comment=_("Access will be revoked on %(date)s (was %(before)s).")
        % {"date": on_date.isoformat(), "before": before.isoformat()},
    )
    if on_date <= today:
        from . import jobs

        transaction.on_commit(lambda: jobs.revoke_case_access.delay(locked.pk, "scheduled"))
    return locked


@dataclass
class DueResult:
    revoked: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {"revoked": self.revoked, "skipped": self.skipped, "failed": self.failed}


def due_cases(today: date):
    return SeparationCase.objects.filter(
        revoke_on__lte=today, revoked_at__isnull=True, status__in=[*OPEN_CASE, CaseStatus.COMPLETED]
    ).order_by("revoke_on", "pk")


def revoke_due(today: date | None = None) -> DueResult:
    """The daily job: revoke every open or completed case whose day has come and which is not
    revoked yet. Each case in its own transaction (one failure does not stop the others); a second
    run finds nothing to do."""
    today = today or timezone.localdate()
    result = DueResult()
    for pk in list(due_cases(today).values_list("pk", flat=True)):
        case = SeparationCase(pk=pk)
        try:
            outcome = revoke_access(case=case, actor=None, reason="scheduled")
        except Exception:  # one broken case must not keep the others signed in
            log.exception("access revocation of separation case %s failed", pk)
            result.failed.append(pk)
            continue
        (result.revoked if outcome.done else result.skipped).append(pk)
    return result

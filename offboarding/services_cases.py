"""Separation cases: handover templates, opening a case (the employee's own resignation in
self-service, or HR), the department head's and HR's approvals, the completion gate and
cancellation. Every status change goes through services.case_move; every step is recorded with
services.record_event.

Decisions worth knowing:

* The department head of a leaver is whoever `selectors.is_department_head_for` accepts (the head
  of their department or of one above it, or their direct manager), never the leaver. HR may stand
  in as department head only when nobody can: no head in the leaver's department chain and no
  manager with an active login (for example the head of a department leaving themselves with no
  head above). HR cannot then also give the final approval (another HR colleague must: four eyes).
* Sending a checklist back reopens chosen items (at least one: with every item confirmed the
  case would otherwise wait in handover for nothing) and clears the approvals already given.
* HR's final approval and the completion are one step: if the gate refuses, nothing is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from hrsuite.notifications.services import notify
from hrsuite.roles import Role, is_hr, users_with_role

from .choices import CaseStatus, EventKind, ItemKind, ItemStatus, SeparationKind
from .models import HandoverItem, HandoverTemplate, SeparationCase, TemplateItem
from .selectors import is_department_head_for
from .services import CaseRefused, case_move, lock_case, record_event
from .workflows import OPEN_CASE

log = logging.getLogger(__name__)

REVOKE_EARLY_DAYS = 7  # "revoke a week early (sensitive role)"
NOTICE_GRACE_DAYS = 3  # a resignation may be dated up to three days back
MAX_OFFSET_DAYS = 60
MY_HANDOVER_URL = "/me/handover/"


# --- helpers ---------------------------------------------------------------------------------


def _hr_users():
    return users_with_role(Role.HR, Role.HR_ADMIN)


def _require_hr(actor) -> None:
    if not is_hr(actor):
        raise CaseRefused(_("Only HR can do this."), code="permission")


def _case_url(case: SeparationCase) -> str:
    return reverse("offboarding:case_detail", args=[case.pk])


def _on_commit_notify(**kwargs) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


def _user_of(employee: Employee | None):
    user = getattr(employee, "user", None) if employee is not None else None
    return user if user is not None and user.is_active else None


def department_head_of(employee: Employee) -> Employee | None:
    """The head of the employee's department, else of the nearest department above it that has one
    (never the employee themselves)."""
    if not employee.department_id:
        return None
    path = employee.department.path or f"/{employee.department_id}/"
    ids = [int(p) for p in path.strip("/").split("/") if p]
    heads = dict(Department.objects.filter(pk__in=ids).values_list("pk", "head_id"))
    for pk in reversed(ids):
        head_id = heads.get(pk)
        if head_id and head_id != employee.pk:
            return Employee.objects.select_related("user").get(pk=head_id)
    return None


def head_approvers(employee: Employee) -> list:
    """The logins that approve a leaver's checklist as department head (for notifications): the
    nearest department head and the direct manager."""
    users = []
    for person in (department_head_of(employee), employee.manager if employee.manager_id else None):
        user = _user_of(person)
        if user is not None and person.pk != employee.pk and user not in users:
            users.append(user)
    return users


def hr_may_stand_in_as_head(case: SeparationCase) -> bool:
    """HR approves as department head only when nobody else can (see the module docstring)."""
    return not head_approvers(case.employee)


def has_open_case(employee: Employee, *, exclude: SeparationCase | None = None) -> bool:
    qs = SeparationCase.objects.filter(employee=employee, status__in=OPEN_CASE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


def assert_can_leave(employee: Employee) -> None:
    """Raise ValidationError (on "status") if the employee may not be set to "left" now: while a
    separation case is open only completing it does that. For employees.services.employee_save."""
    if employee.pk and has_open_case(employee):
        raise ValidationError(
            {
                "status": _(
                    "A separation case is still open for this employee: complete it (handover confirmed and "
                    "approved) first."
                )
            },
            code="case_open",
        )


def _check_dates(errors: dict, notice_date: date | None, last_working_day: date | None) -> None:
    if notice_date is None:
        errors.setdefault("notice_date", []).append(_("Enter the notice date."))
    if last_working_day is None:
        errors.setdefault("last_working_day", []).append(_("Enter the last working day."))
    if notice_date and last_working_day and last_working_day < notice_date:
        errors.setdefault("last_working_day", []).append(
            _("The last working day (%(last)s) is before the notice date (%(notice)s).")
            % {"last": last_working_day.isoformat(), "notice": notice_date.isoformat()}
        )


def _check_successors(errors: dict, employee: Employee, successors: list[Employee]) -> None:
    if not successors:
        errors.setdefault("successors", []).append(_("Choose at least one successor to take over the handover."))
        return
    leaving_ids = set(
        SeparationCase.objects.filter(employee__in=successors, status__in=OPEN_CASE).values_list(
            "employee_id", flat=True
        )
    )
    for person in successors:
        if person.pk == employee.pk:
            message = _("%(name)s is the leaver and cannot be their own successor.")
        elif person.status == EmployeeStatus.LEFT:
            message = _("%(name)s has left the company and cannot take over the handover.")
        elif person.status == EmployeeStatus.LEAVING or person.pk in leaving_ids:
            message = _("%(name)s is leaving the company too and cannot take over the handover.")
        elif _user_of(person) is None:
            message = _("%(name)s has no active login and could not review the handover items.")
        else:
            continue
        errors.setdefault("successors", []).append(message % {"name": person.name})


def pick_template(employee: Employee, explicit: HandoverTemplate | None = None) -> HandoverTemplate | None:
    """The checklist template for a leaver: the explicit one, else the active template for their
    position, else for their department (nearest ancestor first), else the default (neither)."""
    if explicit is not None:
        return explicit
    active = HandoverTemplate.objects.filter(is_active=True).order_by("pk")
    if employee.position_id:
        found = active.filter(position_id=employee.position_id).order_by("department_id", "pk").first()
        if found is not None:
            return found
    if employee.department_id:
        path = employee.department.path or f"/{employee.department_id}/"
        ids = [int(p) for p in path.strip("/").split("/") if p]
        by_dept = {t.department_id: t for t in reversed(active.filter(position__isnull=True, department_id__in=ids))}
        for pk in reversed(ids):
            if pk in by_dept:
                return by_dept[pk]
    return active.filter(position__isnull=True, department__isnull=True).first()


def _revoke_on(last_working_day: date, revoke_early: bool, today: date) -> date:
    if not revoke_early:
        return last_working_day
    return min(last_working_day, max(last_working_day - timedelta(days=REVOKE_EARLY_DAYS), today))


def _create_items(
    case: SeparationCase,
    template: HandoverTemplate,
    successors: list[Employee],
    assignments: Mapping[int, Employee] | None,
    today: date,
) -> list[HandoverItem]:
    last = case.last_working_day
    floor = min(today, last)  # with a short notice nothing falls due before today
    rows = []
    for t in template.items.all():
        successor = (assignments or {}).get(t.pk) or successors[0]
        rows.append(
            HandoverItem(
                case=case,
                kind=t.kind,
                title=t.title,
                instructions=t.instructions,
                attachment_required=t.attachment_required,
                due_on=max(last - timedelta(days=t.due_offset_days), floor),
                successor=successor,
                order=t.order,
            )
        )
    return HandoverItem.objects.bulk_create(rows)


def _set_employee_status(employee: Employee, status: str, leave_date: date | None) -> None:
    # A direct update of these two fields, not employees.services.employee_save: that validates the
    # whole record (national ID, bank account, working age, ...), and a separation must not fail on
    # an unrelated data-quality problem of the record. The audit log still records the change.
    employee.status = status
    employee.leave_date = leave_date
    employee.save(update_fields=["status", "leave_date", "updated_at"])


def _notify_case_started(case: SeparationCase, successors: list[Employee]) -> None:
    params = {
        "name": case.employee.name,
        "last": case.last_working_day.isoformat(),
        "successors": "、".join(s.name for s in successors),
    }
    leaver = _user_of(case.employee)
    if leaver is not None:
        _on_commit_notify(
            recipients=[leaver],
            key=f"offboarding:case:{case.pk}:handover:leaver",
            message=gettext_noop(
                "Your handover checklist is ready: fill in each item before its due date (last working day "
                "%(last)s). Successor: %(successors)s."
            ),
            params=params,
            url=MY_HANDOVER_URL,
            email=True,
        )
    _on_commit_notify(
        recipients=[u for u in (_user_of(s) for s in successors) if u is not None],
        key=f"offboarding:case:{case.pk}:handover:successor",
        message=gettext_noop(
            "You take over the work of %(name)s (last working day %(last)s): review and confirm their handover items."
        ),
        params=params,
        url=MY_HANDOVER_URL,
        email=True,
    )
    _on_commit_notify(
        recipients=head_approvers(case.employee),
        key=f"offboarding:case:{case.pk}:handover:head",
        message=gettext_noop(
            "The handover of %(name)s has started (last working day %(last)s; successor: %(successors)s)."
        ),
        params=params,
        url=_case_url(case),
        email=True,
    )


def _lock_employee(employee: Employee) -> Employee:
    return Employee.objects.select_for_update(of=("self",)).select_related("department", "user").get(pk=employee.pk)


# --- templates -------------------------------------------------------------------------------


def _validate_template_item(item: TemplateItem) -> None:
    errors: dict[str, list] = {}
    if item.kind not in ItemKind.values:
        errors["kind"] = [_("Choose a kind of item.")]
    if not (item.title or "").strip():
        errors["title"] = [_("Enter a title.")]
    if item.due_offset_days is None or not 0 <= item.due_offset_days <= MAX_OFFSET_DAYS:
        errors["due_offset_days"] = [
            _("The due date must be between 0 and %(max)s days before the last working day.") % {"max": MAX_OFFSET_DAYS}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_item_save(*, item: TemplateItem, actor=None) -> TemplateItem:
    if actor is not None:
        _require_hr(actor)
    _validate_template_item(item)
    item.title = item.title.strip()
    item.save()
    return item


@transaction.atomic
def template_item_delete(*, item: TemplateItem, actor=None) -> None:
    """Delete an item of a template. Checklists already made from it keep their own copies."""
    if actor is not None:
        _require_hr(actor)
    item.delete()


@transaction.atomic
def template_save(
    *,
    template: HandoverTemplate,
    items: Iterable[TemplateItem] = (),
    delete: Iterable[TemplateItem] = (),
    actor=None,
) -> HandoverTemplate:
    """Create or update a template and, in the same step, its items (saved) and `delete` (removed).
    One active template per position/department combination (the selection must be unambiguous)."""
    if actor is not None:
        _require_hr(actor)
    errors: dict[str, list] = {}
    if not (template.name or "").strip():
        errors["name"] = [_("Enter a name.")]
    if template.is_active:
        clash = HandoverTemplate.objects.filter(
            is_active=True, position_id=template.position_id, department_id=template.department_id
        ).exclude(pk=template.pk)
        other = clash.first()
        if other is not None:
            errors.setdefault("__all__", []).append(
                _(
                    "The active template “%(other)s” already applies to this position and department; deactivate it first."
                )
                % {"other": other.name}
            )
    items = list(items)
    for item in items:
        try:
            _validate_template_item(item)
        except ValidationError as exc:
            errors.setdefault("__all__", []).extend(
                f"{item.title or _('New item')}: {m}" for m in exc.messages if m not in errors.get("__all__", [])
            )
    if errors:
        raise ValidationError(errors)
    template.name = template.name.strip()
    template.save()
    for item in delete:
        if item.pk and item.template_id == template.pk:
            template_item_delete(item=item)
    for item in items:
        item.template = template
        template_item_save(item=item)
    return template


# --- opening a case --------------------------------------------------------------------------


@transaction.atomic
def resignation_submit(
    *, employee: Employee, reason: str, notice_date: date, last_working_day: date, actor
) -> SeparationCase:
    """The employee resigns in self-service: a case in SUBMITTED (HR starts the handover). HR and
    the department head are told in-app."""
    employee = _lock_employee(employee)
    if actor is not None and getattr(actor, "pk", None) != employee.user_id:
        raise CaseRefused(_("You can only submit your own resignation."), code="permission")
    today = timezone.localdate()
    errors: dict[str, list] = {}
    if employee.status == EmployeeStatus.LEFT:
        raise CaseRefused(_("This employee has already left."), code="left")
    if has_open_case(employee):
        raise CaseRefused(
            _("A separation case is already open for you; HR will contact you about it."), code="open_case"
        )
    if not (reason or "").strip():
        errors["reason"] = [_("Enter the reason for your resignation.")]
    _check_dates(errors, notice_date, last_working_day)
    if notice_date and notice_date < today - timedelta(days=NOTICE_GRACE_DAYS):
        errors.setdefault("notice_date", []).append(
            _("The notice date cannot be more than %(days)s days in the past.") % {"days": NOTICE_GRACE_DAYS}
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            case = SeparationCase.objects.create(
                employee=employee,
                kind=SeparationKind.RESIGNATION,
                reason=reason.strip(),
                notice_date=notice_date,
                last_working_day=last_working_day,
                revoke_on=last_working_day,
                status=CaseStatus.SUBMITTED,
                created_by=actor,
            )
    except IntegrityError as exc:  # a concurrent submission won
        raise CaseRefused(_("A separation case is already open for you."), code="open_case") from exc
    record_event(case=case, kind=EventKind.RESIGNATION, actor=actor, comment=case.reason)
    params = {"name": employee.name, "last": last_working_day.isoformat()}
    _on_commit_notify(
        recipients=[u for u in _hr_users() if u.pk != getattr(actor, "pk", None)] + head_approvers(employee),
        key=f"offboarding:case:{case.pk}:resigned",
        message=gettext_noop("%(name)s has resigned (last working day %(last)s): start the handover."),
        params=params,
        url=_case_url(case),
    )
    return case


def _prepare_handover(
    *,
    employee: Employee,
    successors: list[Employee],
    template: HandoverTemplate | None,
    errors: dict,
) -> HandoverTemplate | None:
    _check_successors(errors, employee, successors)
    chosen = pick_template(employee, template)
    if chosen is None:
        errors.setdefault("template", []).append(
            _("No handover template applies to this employee: choose one, or create a default template.")
        )
    elif not chosen.items.exists():
        errors.setdefault("template", []).append(
            _("The template “%(name)s” has no items: add items to it first.") % {"name": chosen.name}
        )
    return chosen


def _start_checklist(
    case: SeparationCase,
    template: HandoverTemplate,
    successors: list[Employee],
    assignments: Mapping[int, Employee] | None,
    actor,
    today: date,
) -> None:
    case.successors.set(successors)
    items = _create_items(case, template, successors, assignments, today)
    record_event(
        case=case,
        kind=EventKind.CHECKLIST,
        actor=actor,
        comment=_("%(template)s: %(n)s items; successor: %(successors)s")
        % {"template": template.name, "n": len(items), "successors": "、".join(s.name for s in successors)},
    )
    if case.revoke_on < case.last_working_day:
        record_event(
            case=case,
            kind=EventKind.REVOCATION_SCHEDULED,
            actor=actor,
            comment=_("Access will be revoked on %(date)s, before the last working day (sensitive role).")
            % {"date": case.revoke_on.isoformat()},
        )
    _set_employee_status(case.employee, EmployeeStatus.LEAVING, case.last_working_day)
    _notify_case_started(case, successors)


@transaction.atomic
def case_open(
    *,
    employee: Employee,
    kind: str,
    reason: str,
    notice_date: date,
    last_working_day: date,
    successors: Iterable[Employee],
    template: HandoverTemplate | None = None,
    actor,
    revoke_early: bool = False,
    assignments: Mapping[int, Employee] | None = None,
) -> SeparationCase:
    """HR opens a case (a termination, or a resignation HR enters): straight into HANDOVER with the
    checklist made from the template. `assignments` maps template item pk -> successor (default:
    the first successor)."""
    _require_hr(actor)
    employee = _lock_employee(employee)
    successors = list(successors)
    today = timezone.localdate()
    if employee.status == EmployeeStatus.LEFT:
        raise CaseRefused(_("%(name)s has already left.") % {"name": employee.name}, code="left")
    open_case = SeparationCase.objects.filter(employee=employee, status__in=OPEN_CASE).first()
    if open_case is not None:
        if open_case.status == CaseStatus.SUBMITTED:
            message = _("%(name)s has already resigned: start the handover from their resignation instead.")
        else:
            message = _("A separation case is already open for %(name)s.")
        raise CaseRefused(message % {"name": employee.name}, code="open_case")
    errors: dict[str, list] = {}
    if kind not in SeparationKind.values:
        errors["kind"] = [_("Choose the kind of separation.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Enter the reason.")]
    _check_dates(errors, notice_date, last_working_day)
    chosen = _prepare_handover(employee=employee, successors=successors, template=template, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert chosen is not None
    try:
        with transaction.atomic():
            case = SeparationCase.objects.create(
                employee=employee,
                kind=kind,
                reason=reason.strip(),
                notice_date=notice_date,
                last_working_day=last_working_day,
                revoke_on=_revoke_on(last_working_day, revoke_early, today),
                status=CaseStatus.HANDOVER,
                template=chosen,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise CaseRefused(
            _("A separation case is already open for %(name)s.") % {"name": employee.name}, code="open_case"
        ) from exc
    record_event(
        case=case,
        kind=EventKind.CASE_OPENED,
        actor=actor,
        comment=f"{SeparationKind(kind).label}: {case.reason}",
    )
    _start_checklist(case, chosen, successors, assignments, actor, today)
    return case


@transaction.atomic
def case_start_handover(
    *,
    case: SeparationCase,
    template: HandoverTemplate | None,
    successors: Iterable[Employee],
    actor,
    revoke_early: bool = False,
    assignments: Mapping[int, Employee] | None = None,
) -> SeparationCase:
    """HR turns a submitted resignation into a handover: checklist, successors, employee leaving."""
    _require_hr(actor)
    locked = lock_case(case)
    if locked.status != CaseStatus.SUBMITTED:
        raise CaseRefused(_("The handover has already started for this case."), code="status")
    successors = list(successors)
    today = timezone.localdate()
    errors: dict[str, list] = {}
    chosen = _prepare_handover(employee=locked.employee, successors=successors, template=template, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert chosen is not None
    locked.template = chosen
    locked.revoke_on = _revoke_on(locked.last_working_day, revoke_early, today)
    locked.save(update_fields=["template", "revoke_on"])
    case_move(case=locked, to=CaseStatus.HANDOVER, actor=actor, event=EventKind.CASE_OPENED)
    _start_checklist(locked, chosen, successors, assignments, actor, today)
    case.refresh_from_db()
    return locked


# --- approvals -------------------------------------------------------------------------------


@transaction.atomic
def items_all_confirmed(case: SeparationCase, actor) -> bool:
    """Called by the items service after an item is confirmed: when every item of the case is
    confirmed, the checklist goes to the department head (HANDOVER -> HEAD_APPROVAL). Returns
    whether it moved."""
    locked = lock_case(case)
    if locked.status != CaseStatus.HANDOVER:
        return False
    counts = locked.items.aggregate(total=Count("pk"), open=Count("pk", filter=~Q(status=ItemStatus.CONFIRMED)))
    if not counts["total"] or counts["open"]:
        return False
    case_move(
        case=locked,
        to=CaseStatus.HEAD_APPROVAL,
        actor=actor,
        event=EventKind.READY_FOR_APPROVAL,
    )
    case.status = locked.status
    approvers = head_approvers(locked.employee) or list(_hr_users())
    _on_commit_notify(
        recipients=approvers,
        key=f"offboarding:case:{locked.pk}:head_approval:{locked.events.count()}",
        message=gettext_noop("The handover checklist of %(name)s is complete and awaits your approval."),
        params={"name": locked.employee.name},
        url=_case_url(locked),
        email=True,
    )
    return True


def may_approve_as_head(user, case: SeparationCase) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "pk", None) == case.employee.user_id:
        return False
    if is_department_head_for(user, case):
        return True
    return is_hr(user) and hr_may_stand_in_as_head(case)


@transaction.atomic
def case_approve_head(*, case: SeparationCase, actor, comment: str = "") -> SeparationCase:
    """The leaver's department head approves the whole checklist: -> HR_APPROVAL; HR is told."""
    locked = lock_case(case)
    if locked.status != CaseStatus.HEAD_APPROVAL:
        raise CaseRefused(_("This checklist is not awaiting the department head's approval."), code="status")
    if not may_approve_as_head(actor, locked):
        head = department_head_of(locked.employee)
        if getattr(actor, "pk", None) == locked.employee.user_id:
            message = _("You cannot approve your own handover checklist.")
        elif head is not None:
            message = _("Only the department head (%(head)s) can approve this checklist.") % {"head": head.name}
        else:
            message = _("Only the leaver's department head can approve this checklist.")
        raise CaseRefused(message, code="not_head")
    locked.head_approved_by = actor
    locked.head_approved_at = timezone.now()
    locked.save(update_fields=["head_approved_by", "head_approved_at"])
    case_move(case=locked, to=CaseStatus.HR_APPROVAL, actor=actor, event=EventKind.HEAD_APPROVED, comment=comment)
    _on_commit_notify(
        recipients=[u for u in _hr_users() if u.pk != actor.pk],
        key=f"offboarding:case:{locked.pk}:hr_approval:{locked.events.count()}",
        message=gettext_noop(
            "The department head approved the handover checklist of %(name)s: give the final approval."
        ),
        params={"name": locked.employee.name},
        url=_case_url(locked),
    )
    case.refresh_from_db()
    return locked


def may_send_back(user, case: SeparationCase) -> bool:
    if case.status == CaseStatus.HEAD_APPROVAL:
        return may_approve_as_head(user, case) or (is_hr(user) and user.pk != case.employee.user_id)
    if case.status == CaseStatus.HR_APPROVAL:
        return is_hr(user) and user.pk != case.employee.user_id
    return False


@transaction.atomic
def case_send_back(*, case: SeparationCase, actor, comment: str, items: Iterable[HandoverItem] = ()) -> SeparationCase:
    """The department head (or HR) sends the checklist back to the handover with a comment and
    the items to rework (reopened as "sent back"); approvals already given are cleared."""
    locked = lock_case(case)
    if locked.status not in (CaseStatus.HEAD_APPROVAL, CaseStatus.HR_APPROVAL):
        raise CaseRefused(_("Only a checklist awaiting approval can be sent back."), code="status")
    if not may_send_back(actor, locked):
        raise CaseRefused(_("Only the department head or HR can send this checklist back."), code="permission")
    errors: dict[str, list] = {}
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = [_("Say what must be redone: a comment is required.")]
    items = [i for i in items if i.case_id == locked.pk]
    if not items:
        errors["items"] = [_("Choose at least one item to send back.")]
    if errors:
        raise ValidationError(errors)
    for item in items:
        item.status = ItemStatus.RETURNED
        item.confirmed_at = None
        item.confirmed_by = None
        item.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        record_event(case=locked, kind=EventKind.ITEM_RETURNED, actor=actor, item=item, comment=comment)
    locked.head_approved_by = None
    locked.head_approved_at = None
    locked.save(update_fields=["head_approved_by", "head_approved_at"])
    case_move(
        case=locked,
        to=CaseStatus.HANDOVER,
        actor=actor,
        event=EventKind.SENT_BACK,
        comment=comment,
    )
    leaver = _user_of(locked.employee)
    if leaver is not None:
        _on_commit_notify(
            recipients=[leaver],
            key=f"offboarding:case:{locked.pk}:sent_back:{locked.events.count()}",
            message=gettext_noop("Your handover checklist was sent back: %(comment)s"),
            params={"comment": comment},
            url=MY_HANDOVER_URL,
            email=True,
        )
    case.refresh_from_db()
    return locked


def open_points(case: SeparationCase) -> list[str]:
    """What still stands between the case and its completion (empty: it may complete)."""
    points: list[str] = []
    items = list(case.items.annotate(n_files=Count("attachments")).order_by("order", "pk"))
    if not items:
        points.append(_("The checklist has no items."))
    for item in items:
        if item.status != ItemStatus.CONFIRMED:
            points.append(
                _("“%(title)s” is not confirmed (%(status)s).")
                % {"title": item.title, "status": ItemStatus(item.status).label}
            )
        if item.attachment_required and not item.n_files:
            points.append(_("“%(title)s” is missing its required upload.") % {"title": item.title})
    if not case.head_approved_at:
        points.append(_("The department head has not approved the checklist."))
    if not case.hr_approved_at:
        points.append(_("HR has not given the final approval."))
    return points


@transaction.atomic
def case_approve_hr(*, case: SeparationCase, actor, comment: str = "") -> SeparationCase:
    """HR's final approval; completes the case through the gate (refused: nothing saved)."""
    _require_hr(actor)
    locked = lock_case(case)
    if actor.pk == locked.employee.user_id:
        raise CaseRefused(_("You cannot approve your own separation case."), code="own_case")
    if locked.status != CaseStatus.HR_APPROVAL or not locked.head_approved_at:
        raise CaseRefused(
            _("HR gives the final approval after the department head has approved the checklist."), code="order"
        )
    if locked.head_approved_by_id == actor.pk:
        raise CaseRefused(
            _("You approved this checklist as department head; another HR colleague must give the final approval."),
            code="four_eyes",
        )
    locked.hr_approved_by = actor
    locked.hr_approved_at = timezone.now()
    locked.save(update_fields=["hr_approved_by", "hr_approved_at"])
    record_event(case=locked, kind=EventKind.HR_APPROVED, actor=actor, comment=comment)
    completed = case_complete(case=locked, actor=actor)
    case.refresh_from_db()
    return completed


@transaction.atomic
def case_complete(*, case: SeparationCase, actor) -> SeparationCase:
    """THE GATE: refused (listing what is open) unless every item is confirmed, every required
    upload is there and both approvals are recorded. Then the case is completed, the employee has
    left, and access is revoked now if its date has come."""
    _require_hr(actor)
    locked = lock_case(case)
    if locked.status != CaseStatus.HR_APPROVAL:
        points = open_points(locked)
        raise CaseRefused(
            [_("The case cannot be completed yet:")] + (points or [_("it is not awaiting HR's approval.")]),
            code="gate",
        )
    points = open_points(locked)
    if points:
        raise CaseRefused([_("The case cannot be completed yet:"), *points], code="gate")
    locked.completed_at = timezone.now()
    locked.save(update_fields=["completed_at"])
    case_move(case=locked, to=CaseStatus.COMPLETED, actor=actor, event=EventKind.COMPLETED)
    _set_employee_status(locked.employee, EmployeeStatus.LEFT, locked.last_working_day)
    if locked.revoked_at is None and locked.revoke_on <= timezone.localdate():
        try:
            from offboarding.revocation import revoke_access
        except ImportError:  # the revocation service is wired by the lead; the beat job catches up
            log.warning("offboarding.revocation.revoke_access is not available; case %s not revoked", locked.pk)
        else:
            revoke_access(case=locked, actor=actor, reason="case_completed")
    leaver = _user_of(locked.employee)
    recipients = ([leaver] if leaver else []) + head_approvers(locked.employee)
    _on_commit_notify(
        recipients=recipients,
        key=f"offboarding:case:{locked.pk}:completed",
        message=gettext_noop("The separation case of %(name)s is completed."),
        params={"name": locked.employee.name},
        url=_case_url(locked),
    )
    case.status = locked.status
    return locked


@transaction.atomic
def case_cancel(*, case: SeparationCase, actor, reason: str) -> SeparationCase:
    """HR cancels an open case: the employee is active (or on probation) again; the items stay as
    they were, for the record."""
    _require_hr(actor)
    locked = lock_case(case)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Enter the reason for cancelling.")]})
    if locked.status not in OPEN_CASE:
        raise CaseRefused(_("Only an open case can be cancelled."), code="status")
    case_move(case=locked, to=CaseStatus.CANCELLED, actor=actor, event=EventKind.CANCELLED, comment=reason)
    employee = locked.employee
    today = timezone.localdate()
    on_probation = employee.contracts.filter(probation_end__gte=today, start_date__lte=today).exists()
    _set_employee_status(employee, EmployeeStatus.PROBATION if on_probation else EmployeeStatus.ACTIVE, None)
    leaver = _user_of(employee)
    if leaver is not None:
        _on_commit_notify(
            recipients=[leaver],
            key=f"offboarding:case:{locked.pk}:cancelled",
            message=gettext_noop("Your separation case was cancelled: %(reason)s"),
            params={"reason": reason.strip()},
            url=MY_HANDOVER_URL,
        )
    case.refresh_from_db()
    return locked

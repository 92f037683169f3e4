"""Writes of organisation and employee data: the only place that changes them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.notifications.models import Level
from hrsuite.notifications.services import notify, source_text
from hrsuite.roles import Role, users_with_role
from hrsuite.uploads import SCAN_TYPES, check_upload, private_path

from . import validators
from .choices import ChangeKind, ContractKind, EmployeeStatus, RequestStatus
from .models import ChangeRequest, Contract, Department, Employee, EmployeeDocument
from .selectors import management_chain_ids

# ---------------------------------------------------------------------------------------------
# organisation


def _path_for(parent: Department | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Create or move a department, keeping `path` of it and its subtree consistent."""
    parent = department.parent
    moving_under_itself = parent is not None and (parent.pk == department.pk or parent.path.startswith(department.path))
    if department.pk and moving_under_itself:
        raise ValidationError({"parent": _("A department cannot be placed under itself or its own sub-department.")})
    old_path = department.path
    department.save()
    new_path = _path_for(parent, department.pk)
    if new_path != old_path:
        Department.objects.filter(pk=department.pk).update(path=new_path)
        department.path = new_path
        if old_path:
            for child in (
                Department.objects.select_for_update().filter(path__startswith=old_path).exclude(pk=department.pk)
            ):
                child.path = new_path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return department


# ---------------------------------------------------------------------------------------------
# employee records


def employee_validate(*, employee: Employee, today: date | None = None) -> None:
    """Every invariant of an employee record, raised as field errors (translated)."""
    today = today or timezone.localdate()
    errors: dict[str, list] = {}

    def collect(fn, *args):
        try:
            fn(*args)
        except ValidationError as exc:
            for field, messages in exc.update_error_dict({}).items():
                errors.setdefault(field, []).extend(messages)

    if employee.national_id:
        try:
            employee.national_id = validators.validate_national_id(employee.national_id)
        except ValidationError as exc:
            errors.setdefault("national_id", []).extend(exc.messages)
        else:
            collect(validators.validate_id_matches, employee.national_id, employee.birth_date, employee.gender)
    if employee.phone:
        try:
            employee.phone = validators.validate_mobile(employee.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if employee.bank_account:
        try:
            employee.bank_account = validators.validate_bank_account(employee.bank_account)
        except ValidationError as exc:
            errors.setdefault("bank_account", []).extend(exc.messages)
    collect(validators.validate_working_age, employee.birth_date, employee.hire_date, today)
    collect(validators.validate_graduation_year, employee.graduation_year, employee.birth_date, today)
    if employee.leave_date and employee.hire_date and employee.leave_date < employee.hire_date:
        errors.setdefault("leave_date", []).append(_("The leave date is before the hire date."))
    if employee.manager_id:
        if employee.pk and employee.manager_id == employee.pk:
            errors.setdefault("manager", []).append(_("An employee cannot be their own manager."))
        elif employee.pk and employee.pk in management_chain_ids(employee.manager_id):
            errors.setdefault("manager", []).append(
                _(
                    "This would create a loop: the chosen manager already reports (directly or indirectly) to this employee."
                )
            )
    if employee.pk and employee.status == EmployeeStatus.LEFT:
        # the offboarding gate: while a separation case is open, only completing it sets "left"
        from offboarding.services_cases import assert_can_leave

        collect(assert_can_leave, employee)
    dup = Employee.objects.filter(employee_no=employee.employee_no).exclude(pk=employee.pk).exists()
    if dup:
        errors.setdefault("employee_no", []).append(_("Another employee already has this employee number."))
    if employee.national_id:
        from hrsuite.crypto import blind_index

        same_id = Employee.objects.filter(national_id_hash=blind_index(employee.national_id, purpose="national_id"))
        if same_id.exclude(pk=employee.pk).exists():
            errors.setdefault("national_id", []).append(_("Another employee already has this national ID number."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employee_save(*, employee: Employee, today: date | None = None) -> Employee:
    """Validate and save (create or update) an employee record. The audit log records the
    change with before/after values; encrypted fields appear masked."""
    employee_validate(employee=employee, today=today)
    if employee.pk:
        previous = Employee.objects.filter(pk=employee.pk).only("bank_account_hash").first()
        if previous and previous.bank_account_hash != _bank_hash(employee.bank_account):
            employee.bank_account_changed_at = timezone.now()
    elif employee.bank_account:
        employee.bank_account_changed_at = timezone.now()
    if employee.status == EmployeeStatus.LEFT and not employee.leave_date:
        employee.leave_date = timezone.localdate()
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError as exc:  # a concurrent save took the number or ID first
        raise ValidationError(_("The record conflicts with another employee (number or ID).")) from exc
    return employee


def _bank_hash(account: str) -> str:
    from hrsuite.crypto import blind_index

    return blind_index(account, purpose="bank_account")


def employee_reveal(*, request, employee: Employee, field: str) -> str:
    """Return the clear value of an encrypted field and record that it was revealed."""
    if field not in Employee.SECRET_FIELDS:
        raise ValueError(field)
    value = getattr(Employee.objects.only(field).get(pk=employee.pk), field)
    audit_record(event=AuditEvent.REVEAL, request=request, obj=employee, details={"field": field})
    return value


# ---------------------------------------------------------------------------------------------
# contracts


@transaction.atomic
def contract_save(*, contract: Contract) -> Contract:
    errors = {}
    if contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = _("The end date is before the start date.")
    if contract.kind == ContractKind.FIXED_TERM and not contract.end_date:
        errors["end_date"] = _("A fixed-term contract needs an end date.")
    if contract.probation_end and not (
        contract.start_date <= contract.probation_end <= (contract.end_date or contract.probation_end)
    ):
        errors["probation_end"] = _("The end of probation must fall within the contract.")
    overlapping = Contract.objects.filter(employee=contract.employee, start_date__lte=contract.end_date or date.max)
    overlapping = overlapping.exclude(pk=contract.pk).exclude(end_date__lt=contract.start_date)
    if contract.renewal_of_id:
        overlapping = overlapping.exclude(pk=contract.renewal_of_id)
    if overlapping.exists():
        errors["start_date"] = _("This contract overlaps another contract of the same employee.")
    if errors:
        raise ValidationError(errors)
    contract.save()
    return contract


@transaction.atomic
def contract_renew(*, previous: Contract, kind: str, end_date: date | None, number: str = "") -> Contract:
    """A renewal is a new contract starting the day after the previous one ends."""
    if previous.end_date is None:
        raise ValidationError(_("An open-ended contract does not need a renewal."))
    if hasattr(previous, "renewed_by"):
        raise ValidationError(_("This contract has already been renewed."))
    renewal = Contract(
        employee=previous.employee,
        kind=kind,
        number=number,
        start_date=previous.end_date + timedelta(days=1),
        end_date=end_date,
        renewal_of=previous,
    )
    return contract_save(contract=renewal)


CONTRACT_REMINDER_DAYS = 30


def contract_end_reminders(*, today: date | None = None) -> int:
    """Remind HR of fixed-term contracts ending within 30 days that have not been renewed.
    Each contract is reminded once (the notification key decides), however often this runs."""
    today = today or timezone.localdate()
    due = (
        Contract.objects.filter(
            kind=ContractKind.FIXED_TERM,
            end_date__gte=today,
            end_date__lte=today + timedelta(days=CONTRACT_REMINDER_DAYS),
            renewed_by__isnull=True,
        )
        .exclude(employee__status=EmployeeStatus.LEFT)
        .select_related("employee")
    )
    recipients = list(users_with_role(Role.HR, Role.HR_ADMIN))
    sent = 0
    for contract in due:
        created = notify(
            recipients=recipients,
            key=f"contract-end:{contract.pk}",
            message=gettext_noop("The contract of %(name)s (%(number)s) ends on %(date)s and has not been renewed."),
            params={
                "name": contract.employee.name,
                "number": contract.employee.employee_no,
                "date": str(contract.end_date),
            },
            url=f"/employees/{contract.employee_id}/#contracts",
            level=Level.WARNING,
            email=True,
        )
        sent += len(created)
    return sent


# ---------------------------------------------------------------------------------------------
# documents


@transaction.atomic
def document_upload(*, employee: Employee, kind: str, upload, title: str = "", actor=None) -> EmployeeDocument:
    checked = check_upload(upload, allowed=SCAN_TYPES)
    path = default_storage.save(private_path("employee-documents", checked.extension), upload)
    try:
        return EmployeeDocument.objects.create(
            employee=employee,
            kind=kind,
            title=title,
            file=path,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
    except Exception:
        default_storage.delete(path)
        raise


# ---------------------------------------------------------------------------------------------
# self-service change requests

CHANGE_FIELDS = {
    ChangeKind.CONTACT: ("phone", "address"),
    ChangeKind.EMERGENCY: ("emergency_contact_name", "emergency_contact_relation", "emergency_contact_phone"),
    ChangeKind.BANK: ("bank_name", "bank_account", "bank_account_holder"),
}


def _clean_change(kind: str, values: dict[str, Any], employee: Employee) -> dict[str, str]:
    fields = CHANGE_FIELDS[kind]
    cleaned = {f: str(values.get(f, "") or "").strip() for f in fields}
    errors = {}
    if kind == ChangeKind.CONTACT:
        try:
            cleaned["phone"] = validators.validate_mobile(cleaned["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    elif kind == ChangeKind.EMERGENCY:
        if not cleaned["emergency_contact_name"]:
            errors["emergency_contact_name"] = [_("Enter the name of the emergency contact.")]
        try:
            cleaned["emergency_contact_phone"] = validators.validate_mobile(cleaned["emergency_contact_phone"])
        except ValidationError as exc:
            errors["emergency_contact_phone"] = exc.messages
    elif kind == ChangeKind.BANK:
        if not cleaned["bank_name"]:
            errors["bank_name"] = [_("Enter the name of the bank.")]
        try:
            cleaned["bank_account"] = validators.validate_bank_account(cleaned["bank_account"])
        except ValidationError as exc:
            errors["bank_account"] = exc.messages
        if not cleaned["bank_account_holder"]:
            cleaned["bank_account_holder"] = employee.name
    if errors:
        raise ValidationError(errors)
    if all(str(getattr(employee, f) or "") == v for f, v in cleaned.items()):
        raise ValidationError(_("These are already your current details; nothing to change."))
    return cleaned


def _summary(kind: str, cleaned: dict[str, str]) -> str:
    if kind == ChangeKind.BANK:
        from hrsuite.crypto import last4, mask

        return f"{cleaned['bank_name']} {mask(last4(cleaned['bank_account']), total=12)}"
    if kind == ChangeKind.CONTACT:
        return f"{cleaned['phone'][:3]}****{cleaned['phone'][-4:]}"
    return f"{cleaned['emergency_contact_name']} ({cleaned['emergency_contact_relation']})"


@transaction.atomic
def change_request_submit(*, employee: Employee, kind: str, values: dict[str, Any]) -> ChangeRequest:
    cleaned = _clean_change(kind, values, employee)
    if ChangeRequest.objects.filter(employee=employee, kind=kind, status=RequestStatus.PENDING).exists():
        raise ValidationError(_("You already have a pending request of this kind; wait for HR or cancel it first."))
    request = ChangeRequest.objects.create(
        employee=employee, kind=kind, payload=json.dumps(cleaned, ensure_ascii=False), summary=_summary(kind, cleaned)
    )
    transaction.on_commit(
        lambda: notify(
            recipients=users_with_role(Role.HR, Role.HR_ADMIN),
            key=f"change-request:{request.pk}",
            message=gettext_noop("%(name)s asks to change their %(what)s."),
            params={"name": employee.name, "what": source_text(request.get_kind_display()), "_i18n": ["what"]},
            url="/employees/requests/",
            level=Level.WARNING if kind == ChangeKind.BANK else Level.INFO,
        )
    )
    return request


def _lock_pending(change: ChangeRequest) -> ChangeRequest:
    locked = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("employee", "employee__user")
        .get(pk=change.pk)
    )
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return locked


@transaction.atomic
def change_request_approve(*, change: ChangeRequest, actor) -> ChangeRequest:
    change = _lock_pending(change)
    employee = Employee.objects.select_for_update().get(pk=change.employee_id)
    if change.kind == ChangeKind.BANK and employee.user_id == actor.pk:
        raise ValidationError(_("You cannot approve a change of your own bank account."))
    for field, value in json.loads(change.payload).items():
        setattr(employee, field, value)
    employee_save(employee=employee)
    change.status = RequestStatus.APPROVED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    _notify_decision(change)
    return change


@transaction.atomic
def change_request_reject(*, change: ChangeRequest, actor, reason: str) -> ChangeRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the employee a reason for the rejection.")})
    change = _lock_pending(change)
    change.status = RequestStatus.REJECTED
    change.reason = reason.strip()[:300]
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _notify_decision(change)
    return change


@transaction.atomic
def change_request_cancel(*, change: ChangeRequest, employee: Employee) -> ChangeRequest:
    change = _lock_pending(change)
    if change.employee_id != employee.pk:
        raise ValidationError(_("This request is not yours."))
    change.status = RequestStatus.CANCELLED
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_at"])
    return change


def _notify_decision(change: ChangeRequest) -> None:
    user = change.employee.user
    if user is None:
        return
    if change.status == RequestStatus.APPROVED:
        message = gettext_noop("Your request to change your %(what)s was approved.")
        if change.kind == ChangeKind.BANK:
            message = gettext_noop(
                "Your bank account was changed to %(summary)s. If you did not ask for this, tell HR immediately."
            )
    else:
        message = gettext_noop("Your request to change your %(what)s was rejected: %(reason)s")
    transaction.on_commit(
        lambda: notify(
            recipients=[user],
            key=f"change-request-decided:{change.pk}",
            message=message,
            params={
                "what": source_text(change.get_kind_display()),
                "reason": change.reason,
                "summary": change.summary,
                "_i18n": ["what"],
            },
            url="/me/profile/",
            level=Level.WARNING if change.kind == ChangeKind.BANK else Level.INFO,
            email=change.kind == ChangeKind.BANK,
        )
    )


@transaction.atomic
def reference_save(*, obj):
    """Save a position, grade or work location after full model validation."""
    obj.full_clean()
    obj.save()
    return obj


def purge_stale_imports(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete files under MEDIA_ROOT/imports/ left by previews that were never confirmed."""
    import os

    from django.conf import settings

    root = os.path.join(settings.MEDIA_ROOT, "imports")
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if os.path.getmtime(path) < cutoff:
                os.remove(path)
                removed += 1
    return removed

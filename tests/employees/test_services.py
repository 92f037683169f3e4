"""Employee services: validation, history, change requests, contracts and reminders."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from employees import services
from employees.choices import ChangeKind, ContractKind, EmployeeStatus, RequestStatus
from employees.models import ChangeRequest, Contract, Employee
from hrsuite.audit.models import AuditEntry
from hrsuite.crypto import blind_index
from hrsuite.notifications.models import Notification
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def test_national_id_is_encrypted_at_rest_and_searchable_by_blind_index(people):
    e = people["employees"]["employee"]
    e.national_id = VALID_ID
    e.birth_date = date(1949, 12, 31)
    e.gender = "female"
    services.employee_save(employee=e)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id, national_id_hash, national_id_last4 FROM employees_employee WHERE id=%s", [e.pk]
        )
        raw, digest, tail = cursor.fetchone()
    assert VALID_ID not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert digest == blind_index(VALID_ID, purpose="national_id")
    assert tail == "002X"
    assert Employee.objects.get(national_id_hash=digest).national_id == VALID_ID


def test_audit_log_never_holds_clear_secrets(people):
    e = people["employees"]["employee"]
    e.bank_account = "6222021234567890123"
    services.employee_save(employee=e)
    text = json.dumps(list(AuditEntry.objects.values("changes", "serialized_data", "additional_data")), default=str)
    assert "6222021234567890123" not in text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"national_id": "110105194912310021"}, "national_id"),  # bad checksum
        ({"national_id": VALID_ID, "birth_date": date(1990, 1, 1), "gender": "female"}, "birth_date"),
        ({"birth_date": date(2015, 1, 1)}, "birth_date"),  # younger than 16
        ({"phone": "12345"}, "phone"),
        ({"bank_account": "12ab"}, "bank_account"),
        ({"leave_date": date(2000, 1, 1)}, "leave_date"),
    ],
)
def test_invalid_records_are_refused_and_nothing_changes(people, changes, field):
    e = people["employees"]["employee"]
    before = Employee.objects.get(pk=e.pk).updated_at
    for k, v in changes.items():
        setattr(e, k, v)
    with pytest.raises(ValidationError) as exc:
        services.employee_save(employee=e)
    assert field in exc.value.error_dict
    assert Employee.objects.get(pk=e.pk).updated_at == before


def test_duplicate_employee_number_is_refused(people):
    e = EmployeeFactory.build(
        employee_no=people["employees"]["employee"].employee_no, department=people["employees"]["employee"].department
    )
    with pytest.raises(ValidationError) as exc:
        services.employee_save(employee=e)
    assert "employee_no" in exc.value.error_dict


def test_duplicate_national_id_is_refused(people):
    a, b = people["employees"]["employee"], people["employees"]["other_employee"]
    for person in (a, b):
        person.national_id, person.birth_date, person.gender = VALID_ID, date(1949, 12, 31), "female"
    services.employee_save(employee=a)
    with pytest.raises(ValidationError) as exc:
        services.employee_save(employee=b)
    assert "national_id" in exc.value.error_dict


def test_manager_loop_is_refused(people):
    manager, employee = people["employees"]["manager"], people["employees"]["employee"]
    assert employee.manager == manager
    manager.manager = employee  # A manages B manages A
    with pytest.raises(ValidationError) as exc:
        services.employee_save(employee=manager)
    assert "manager" in exc.value.error_dict
    deeper = people["employees"]["team_member"]  # reports to employee, who reports to manager
    manager.manager = deeper
    with pytest.raises(ValidationError):
        services.employee_save(employee=manager)


def test_bank_change_is_timestamped(people):
    e = people["employees"]["employee"]
    assert e.bank_account_changed_at is None
    e.bank_account = "6222021234567890123"
    services.employee_save(employee=e)
    e.refresh_from_db()
    assert e.bank_account_changed_at is not None
    stamp = e.bank_account_changed_at
    e.phone = "13900000000"
    services.employee_save(employee=e)
    e.refresh_from_db()
    assert e.bank_account_changed_at == stamp


def test_setting_left_fills_leave_date(people):
    e = people["employees"]["other_employee"]
    e.status = EmployeeStatus.LEFT
    services.employee_save(employee=e)
    assert e.leave_date == timezone.localdate()


# --- change requests ---------------------------------------------------------------------


def test_bank_change_request_needs_approval_then_notifies(people, django_capture_on_commit_callbacks):
    e = people["employees"]["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        req = services.change_request_submit(
            employee=e,
            kind=ChangeKind.BANK,
            values={"bank_name": "招商银行", "bank_account": "6225881234567890", "bank_account_holder": ""},
        )
    e.refresh_from_db()
    assert e.bank_account == ""  # nothing changes before approval
    assert "6225881234567890" not in req.summary and req.summary.endswith("7890")
    assert Notification.objects.filter(recipient=people["users"]["hr"], key=f"change-request:{req.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request_approve(change=req, actor=people["users"]["hr"])
    e.refresh_from_db()
    assert e.bank_account == "6225881234567890"
    assert e.bank_account_holder == e.name
    assert e.bank_account_changed_at is not None
    note = Notification.objects.get(recipient=people["users"]["employee"], key=f"change-request-decided:{req.pk}")
    assert note.send_email is True


def test_request_cannot_be_decided_twice(people):
    req = services.change_request_submit(
        employee=people["employees"]["employee"],
        kind=ChangeKind.CONTACT,
        values={"phone": "13911112222", "address": "x"},
    )
    services.change_request_reject(change=req, actor=people["users"]["hr"], reason="请提供证明")
    with pytest.raises(ValidationError):
        services.change_request_approve(change=req, actor=people["users"]["hr"])
    req.refresh_from_db()
    assert req.status == RequestStatus.REJECTED and req.reason == "请提供证明"


def test_reject_needs_a_reason(people):
    req = services.change_request_submit(
        employee=people["employees"]["employee"], kind=ChangeKind.CONTACT, values={"phone": "13911112222"}
    )
    with pytest.raises(ValidationError):
        services.change_request_reject(change=req, actor=people["users"]["hr"], reason="  ")
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING


def test_invalid_request_values_are_refused(people):
    with pytest.raises(ValidationError) as exc:
        services.change_request_submit(
            employee=people["employees"]["employee"],
            kind=ChangeKind.BANK,
            values={"bank_name": "", "bank_account": "12"},
        )
    assert {"bank_name", "bank_account"} <= set(exc.value.error_dict)
    assert ChangeRequest.objects.count() == 0


def test_one_pending_request_per_kind(people):
    e = people["employees"]["employee"]
    services.change_request_submit(employee=e, kind=ChangeKind.CONTACT, values={"phone": "13911112222"})
    with pytest.raises(ValidationError):
        services.change_request_submit(employee=e, kind=ChangeKind.CONTACT, values={"phone": "13911113333"})


def test_hr_cannot_approve_their_own_bank_change(people):
    hr_emp = people["employees"]["hr"]
    req = services.change_request_submit(
        employee=hr_emp, kind=ChangeKind.BANK, values={"bank_name": "中国银行", "bank_account": "6216611234567890"}
    )
    with pytest.raises(ValidationError):
        services.change_request_approve(change=req, actor=people["users"]["hr"])


# --- contracts and reminders ---------------------------------------------------------------


def test_contract_rules(people):
    e = people["employees"]["employee"]
    with pytest.raises(ValidationError):
        services.contract_save(contract=Contract(employee=e, kind=ContractKind.FIXED_TERM, start_date=date(2024, 1, 1)))
    first = services.contract_save(
        contract=Contract(
            employee=e, kind=ContractKind.FIXED_TERM, start_date=date(2024, 1, 1), end_date=date(2026, 12, 31)
        )
    )
    with pytest.raises(ValidationError):  # overlaps
        services.contract_save(
            contract=Contract(
                employee=e, kind=ContractKind.FIXED_TERM, start_date=date(2026, 6, 1), end_date=date(2027, 1, 1)
            )
        )
    renewal = services.contract_renew(previous=first, kind=ContractKind.OPEN_ENDED, end_date=None)
    assert renewal.start_date == date(2027, 1, 1) and renewal.renewal_of == first
    with pytest.raises(ValidationError):
        services.contract_renew(previous=first, kind=ContractKind.OPEN_ENDED, end_date=None)


def test_contract_reminder_is_sent_once_to_hr(people, django_capture_on_commit_callbacks):
    from django.core import mail

    today = date(2026, 11, 24)
    e = people["employees"]["employee"]
    ending = Contract.objects.create(
        employee=e, kind=ContractKind.FIXED_TERM, start_date=date(2023, 12, 20), end_date=today + timedelta(days=30)
    )
    Contract.objects.create(  # too far away
        employee=people["employees"]["other_employee"],
        kind=ContractKind.FIXED_TERM,
        start_date=date(2024, 1, 1),
        end_date=today + timedelta(days=31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.contract_end_reminders(today=today)
        second = services.contract_end_reminders(today=today)
    hr_users = {people["users"]["hr"], people["users"]["hr_admin"]}
    assert first == len(hr_users) and second == 0
    notes = Notification.objects.filter(key=f"contract-end:{ending.pk}")
    assert {n.recipient for n in notes} == hr_users
    assert len(mail.outbox) == len(hr_users)


def test_renewed_contract_is_not_reminded(people):
    today = date(2026, 11, 24)
    e = people["employees"]["employee"]
    first = Contract.objects.create(
        employee=e, kind=ContractKind.FIXED_TERM, start_date=date(2023, 12, 10), end_date=today + timedelta(days=10)
    )
    services.contract_renew(previous=first, kind=ContractKind.OPEN_ENDED, end_date=None)
    assert services.contract_end_reminders(today=today) == 0


def test_rotate_field_keys(people, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    e = people["employees"]["employee"]
    e.bank_account = "6222021234567890123"
    services.employee_save(employee=e)
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone
    assert Employee.objects.get(pk=e.pk).bank_account == "6222021234567890123"


def test_stale_import_files_are_purged(settings, tmp_path):
    import os
    import time

    folder = tmp_path / "private" / "imports" / "2026"
    folder.mkdir(parents=True)
    old, fresh = folder / "old.xlsx", folder / "fresh.xlsx"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert services.purge_stale_imports() == 1
    assert not old.exists() and fresh.exists()

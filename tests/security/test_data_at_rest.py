"""Personal data at rest: national ID numbers and bank accounts never appear in clear in the
database, a database dump, a backup (as stored, decrypted, or restored to SQL), the logs or an
error report; the keys come from the environment; key rotation works as SECURITY.md says.

Already covered elsewhere and not repeated: the national_id column holds a Fernet token and is
found through its blind index (tests/employees/test_services.py), the audit log keeps no clear
bank account (same file), an encrypted backup round trip (tests/ops/test_backups.py).
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from employees import services
from employees.demo import national_id as make_national_id
from employees.models import ChangeRequest, Employee
from hrsuite.crypto import DecryptionError

# known values, none of which may appear in clear anywhere at rest
ID_A = make_national_id(random.Random(11), date(1988, 3, 14), "female")
ID_B = make_national_id(random.Random(12), date(1979, 10, 2), "male")
BANK_A = "6222021234567890123"
BANK_B = "6217000011112222333"
BANK_NEW = "6228480402564890018"  # asked for through a change request and approved
SECRETS = (ID_A, ID_B, BANK_A, BANK_B, BANK_NEW)


def needles() -> list[bytes]:
    """Each secret whole, and its part before the last four characters (which are kept in clear
    on purpose, for display and search): neither may occur."""
    out = []
    for s in SECRETS:
        out += [s.encode(), s[:-4].encode()]
    return out


def assert_absent(blob: bytes, where: str) -> None:
    found = [n.decode() for n in needles() if n in blob]
    assert found == [], f"{where} holds personal data in clear: {found}"


def _give(employee, *, national_id: str, bank: str, birth: date, gender: str) -> Employee:
    employee.national_id, employee.birth_date, employee.gender = national_id, birth, gender
    employee.bank_name, employee.bank_account = "招商银行", bank
    return services.employee_save(employee=employee)


def seed(people) -> None:
    """Personal data through the real paths: saves, a bank change request approved by HR, a
    reveal and a bank file download (both audited), and a pay run whose payee checks look at
    the new account."""
    emps, users = people["employees"], people["users"]
    _give(emps["employee"], national_id=ID_A, bank=BANK_A, birth=date(1988, 3, 14), gender="female")
    _give(emps["other_employee"], national_id=ID_B, bank=BANK_B, birth=date(1979, 10, 2), gender="male")
    change = services.change_request_submit(
        employee=emps["employee"],
        kind="bank",
        values={"bank_name": "招商银行", "bank_account": BANK_NEW, "bank_account_holder": ""},
    )
    services.change_request_approve(change=change, actor=users["hr"])
    hr = Client()
    hr.force_login(users["hr"])
    for field in Employee.SECRET_FIELDS:
        assert hr.post(reverse("employees:reveal", args=[emps["employee"].pk, field])).status_code == 200


def pay_run(run_factory) -> None:
    """A finalised January run; the accounts changed by seed() are dated back past the payee
    checks' "recently changed account" window."""
    from datetime import timedelta

    from django.utils import timezone

    Employee.objects.update(bank_account_changed_at=timezone.now() - timedelta(days=400))
    run_factory(date(2026, 1, 1), finalize=True)


# --- the database ----------------------------------------------------------------------------------


def test_bank_account_and_change_request_columns_hold_tokens(people):
    seed(people)
    e = people["employees"]["employee"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, bank_account FROM employees_employee WHERE id = %s", [e.pk])
        raw_id, raw_bank = cursor.fetchone()
        cursor.execute("SELECT payload, summary FROM employees_changerequest WHERE employee_id = %s", [e.pk])
        payload, summary = cursor.fetchone()
    for raw in (raw_id, raw_bank, payload):
        assert raw.startswith("gAAAA")  # a Fernet token
        assert_absent(raw.encode(), "column")
    assert_absent(summary.encode(), "change request summary")
    assert summary.endswith(BANK_NEW[-4:])
    fresh = Employee.objects.get(pk=e.pk)
    assert (fresh.national_id, fresh.bank_account) == (ID_A, BANK_NEW)
    assert json.loads(ChangeRequest.objects.get(employee=e).payload)["bank_account"] == BANK_NEW


def test_no_text_column_of_any_table_holds_a_secret(people, assignments, run_factory):
    """A sweep of every table of the schema (not only the encrypted columns) as text."""
    seed(people)
    pay_run(run_factory)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [t for (t,) in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from the catalogue
            assert_absent("\n".join(r for (r,) in cursor.fetchall()).encode(), f"table {table}")
    assert len(tables) > 50


def _pg(tool: str) -> str:
    from hrsuite.ops import backups

    path = backups.find_tool(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


@pytest.mark.django_db(transaction=True)
def test_a_full_database_dump_holds_no_national_id_or_bank_account(people, assignments, run_factory, tmp_path):
    """pg_dump of the whole (committed) test database, plain SQL, scanned as bytes."""
    from hrsuite.ops import backups

    seed(people)
    pay_run(run_factory)
    payroll = Client()
    payroll.force_login(people["users"]["payroll"])
    run = payroll.get(reverse("payroll:runs")).context["page_obj"][0]
    bank_file = payroll.get(reverse("payroll:export_bank", args=[run.pk]))
    assert bank_file.status_code == 200  # audited as an export
    dbname = backups.database_name()
    result = subprocess.run(
        [_pg("pg_dump"), "--format=plain", *backups.tool_conn_args(dbname)],
        env=backups.tool_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    dump = result.stdout
    assert b"employees_employee" in dump and len(dump) > 100_000
    # the dump does hold the employees: the name and the encrypted value, as a token
    raw_id, _raw_bank = _raw(people["employees"]["employee"].pk)
    assert raw_id.encode() in dump and people["employees"]["employee"].name.encode() in dump
    assert_absent(dump, "pg_dump of the database")


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_holds_no_national_id_or_bank_account(people, settings, tmp_path):
    """`manage.py backup_now` with BACKUP_ENCRYPTION_KEY: the dump and the files archive as stored,
    decrypted, and (the dump) restored to SQL text by pg_restore are all scanned."""
    from hrsuite.ops import backups
    from hrsuite.ops.models import BackupRun, BackupStatus

    key = Fernet.generate_key().decode()
    settings.HRSUITE_BACKUP_DIR = tmp_path / "backups"
    settings.HRSUITE_BACKUP_ENCRYPTION_KEY = [key]
    settings.HRSUITE_BACKUP_PG_BIN_DIR = ""
    _pg("pg_dump")
    seed(people)
    call_command("backup_now", stdout=io.StringIO())
    run = BackupRun.objects.latest("started_at")
    assert run.status == BackupStatus.VERIFIED, run.error
    dump, media = Path(run.dump_path), Path(run.media_path)
    assert dump.suffix == media.suffix == ".enc"
    # 1. the files as stored
    assert_absent(dump.read_bytes(), dump.name)
    assert_absent(media.read_bytes(), media.name)
    # 2. decrypted, before any decompression
    fernet = backups.backup_fernet()
    with backups.open_backup(dump, fernet) as stream:
        clear_dump = stream.read()
    assert clear_dump.startswith(b"PGDMP")
    assert_absent(clear_dump, "decrypted dump")
    with backups.open_backup(media, fernet) as stream:
        clear_media = stream.read()
    assert_absent(clear_media, "decrypted files archive")
    # 3. decompressed: the dump as the SQL a restore would run, every archived file's content
    plain = tmp_path / "clear.dump"
    plain.write_bytes(clear_dump)
    sql = subprocess.run([_pg("pg_restore"), "--file=-", str(plain)], capture_output=True, timeout=120, check=False)
    assert sql.returncode == 0, sql.stderr.decode()
    assert b"COPY public.employees_employee" in sql.stdout
    assert_absent(sql.stdout, "SQL restored from the backup")
    with tarfile.open(fileobj=io.BytesIO(clear_media), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile():
                assert_absent(archive.extractfile(member).read(), f"archived file {member.name}")
    plain.unlink()


# --- logs and error reports --------------------------------------------------------------------------


def _edit_data(client, employee) -> dict:
    form = client.get(reverse("employees:edit", args=[employee.pk])).context["form"]
    return {k: v for k, v in form.initial.items() if v not in (None, "") and k in form.fields}


def test_saving_viewing_revealing_and_searching_log_no_secret(people, caplog):
    """Everything at DEBUG, SQL statements with their parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    e = people["employees"]["employee"]
    hr = Client()
    hr.force_login(people["users"]["hr"])
    connection.force_debug_cursor = True
    try:
        data = _edit_data(hr, e)
        data.update(
            {"national_id": ID_A, "birth_date": "1988-03-14", "gender": "female", "bank_name": "招商银行",
             "bank_account": BANK_A}
        )  # fmt: skip
        response = hr.post(reverse("employees:edit", args=[e.pk]), data)
        assert response.status_code == 302, response.context["form"].errors if response.context else ""
        assert hr.get(reverse("employees:detail", args=[e.pk])).status_code == 200
        for field in Employee.SECRET_FIELDS:
            assert hr.post(reverse("employees:reveal", args=[e.pk, field])).status_code == 200
        found = hr.get(reverse("employees:list"), {"q": ID_A})
        assert found.status_code == 200 and e.name in found.text
        me = Client()
        me.force_login(people["users"]["employee"])
        me.post(
            reverse("selfservice:change_request", args=["bank"]),
            {"bank-kind": "bank", "bank-bank_name": "招商银行", "bank-bank_account": BANK_NEW,
             "bank-bank_account_holder": ""},
        )  # fmt: skip
    finally:
        connection.force_debug_cursor = False
    assert Employee.objects.get(pk=e.pk).national_id == ID_A
    assert ChangeRequest.objects.filter(employee=e, kind="bank").exists()
    assert any(r.name == "django.db.backends" for r in caplog.records)  # the SQL was logged
    assert_absent(caplog.text.encode(), "the log")


def test_an_error_report_of_an_employee_save_holds_no_secret(people, monkeypatch):
    """Django's error report (mailed to ADMINS, shown by error trackers) lists the POST data: the
    views that take an ID number or a bank account mark those parameters sensitive."""
    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    e = people["employees"]["employee"]
    hr = Client(raise_request_exception=False)
    hr.force_login(people["users"]["hr"])
    data = _edit_data(hr, e)
    data.update({"national_id": ID_A, "birth_date": "1988-03-14", "gender": "female", "bank_account": BANK_A})

    def boom(**kwargs):
        raise RuntimeError("the database went away")

    reports = []

    def report(sender, request, **kwargs):
        reports.append(ExceptionReporter(request, *sys.exc_info(), is_email=True).get_traceback_text())

    monkeypatch.setattr("employees.views.records.services.employee_save", boom)
    got_request_exception.connect(report)
    try:
        assert hr.post(reverse("employees:edit", args=[e.pk]), data).status_code == 500
        new = {**data, "employee_no": "SEC-NEW-1", "email": "sec-new-1@example.com", "phone": "13900000001"}
        new["national_id"], new["bank_account"] = ID_B, BANK_B
        new.update({"birth_date": "1979-10-02", "gender": "male", "user": ""})
        response = hr.post(reverse("employees:create"), new)
        assert response.status_code == 500, response.context["form"].errors if response.context else ""
        me = Client(raise_request_exception=False)
        me.force_login(people["users"]["employee"])
        monkeypatch.setattr("employees.views.selfservice.services.change_request_submit", boom)
        bank = {"bank-kind": "bank", "bank-bank_name": "招商银行", "bank-bank_account": BANK_NEW}
        assert me.post(reverse("selfservice:change_request", args=["bank"]), bank).status_code == 500
    finally:
        got_request_exception.disconnect(report)
    assert len(reports) == 3
    assert all("the database went away" in r for r in reports)
    for text in reports:
        assert_absent(text.encode(), "an error report")


def test_an_error_report_of_a_search_by_id_number_holds_no_secret(people, monkeypatch):
    """A search by ID number is a GET: the number is in the URL, the GET parameters, the query
    string and the referrer of the error report, and in the local variables of the frames that
    handle it. The settings' reporter and filter (hrsuite.error_reports) mask long numbers in all
    of them, whichever view failed; none of these views marks anything sensitive."""
    from django.core.signals import got_request_exception
    from django.views.debug import get_exception_reporter_class

    hr = Client(raise_request_exception=False)
    hr.force_login(people["users"]["hr"])
    spaced = " ".join(BANK_A[i : i + 4] for i in range(0, len(BANK_A), 4))
    reports = []

    def boom(*args, **kwargs):
        raise RuntimeError(f"the index service went away while looking up {args[0] if args else ''}")

    def report(sender, request, **kwargs):
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info(), is_email=True)
        reports.append(reporter.get_traceback_text())
        reports.append(reporter.get_traceback_html())

    monkeypatch.setattr("employees.filters.blind_index", boom)  # fails with the number in its frame
    got_request_exception.connect(report)
    try:
        response = hr.get(
            reverse("employees:list"), {"q": ID_A, "bank": spaced}, headers={"referer": f"https://hr/x/?q={BANK_B}"}
        )
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    assert len(reports) == 2
    for text in reports:
        assert "the index service went away" in text and "/employees/" in text  # the report is whole
        assert f"****{ID_A[-4:]}" in text and f"****{BANK_B[-4:]}" in text  # the numbers were there, masked
        assert "candidate" in text  # the search's local variables are listed (masked, not hidden)
        assert_absent(text.encode(), "an error report of a GET")


def test_the_secret_post_fields_of_error_reports_are_the_employees_secret_fields(settings):
    assert tuple(settings.HRSUITE_SECRET_POST_FIELDS) == tuple(Employee.SECRET_FIELDS)
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "hrsuite.error_reports.RedactingReporterFilter"
    assert settings.DEFAULT_EXCEPTION_REPORTER == "hrsuite.error_reports.RedactingExceptionReporter"


def test_the_access_log_line_of_a_search_by_id_number_holds_no_secret(people):
    """A search by ID number is a GET: the number is in the query string of the access log line
    and in the referrer of the next request. hrsuite.gunicorn_conf's logger masks long numbers."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from hrsuite.gunicorn_conf import RedactingLogger

    hr = Client()
    hr.force_login(people["users"]["hr"])
    spaced = " ".join(BANK_A[i : i + 4] for i in range(0, len(BANK_A), 4))
    response = hr.get(
        reverse("employees:list"), {"q": ID_A, "bank": spaced}, headers={"referer": f"https://hr/x/?q={BANK_B}"}
    )
    assert response.status_code == 200
    meta = response.wsgi_request.META
    environ = {k: v for k, v in meta.items() if isinstance(v, str | int)}
    environ["RAW_URI"] = environ["PATH_INFO"] + "?" + environ["QUERY_STRING"]
    environ.setdefault("SERVER_PROTOCOL", "HTTP/1.1")
    headers = [(k[5:].replace("_", "-").upper(), v) for k, v in environ.items() if k.startswith("HTTP_")]
    resp = SimpleNamespace(status="200 OK", sent=len(response.content), headers=list(response.items()))
    logger = RedactingLogger(Config())
    atoms = logger.atoms(resp, SimpleNamespace(headers=headers), environ, timedelta(milliseconds=5))
    line = logger.cfg.access_log_format % atoms
    assert "/employees/" in line and ID_A[-4:] in line  # the request is still logged, its last four kept
    assert_absent(repr(atoms).encode(), "the access log atoms")
    assert_absent(line.encode(), "the access log line")


# --- keys ----------------------------------------------------------------------------------------------


def _read_keys(**env) -> dict:
    full = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full.update(
        {
            "DJANGO_SETTINGS_MODULE": "hrsuite.settings.prod",
            "SECRET_KEY": "r7#Kx2!pQ9@vL4$zW8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-xC4~bN8",
            "ALLOWED_HOSTS": "hr.example.com",
            "BLIND_INDEX_KEY": "blind-index-key-from-the-environment",
        }
    )
    full.update(env)
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.FIELD_ENCRYPTION_KEYS, s.BLIND_INDEX_KEY, s.SECRET_KEY]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {"code": result.returncode, "out": result.stdout, "err": result.stderr}


def test_keys_come_from_the_environment_and_production_refuses_to_start_without_them():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    read = _read_keys(FIELD_ENCRYPTION_KEYS=f"{new},{old}")
    assert read["code"] == 0, read["err"]
    keys, blind, secret = json.loads(read["out"].strip().splitlines()[-1])
    assert keys == [new, old] and blind == "blind-index-key-from-the-environment"
    assert secret not in keys  # field keys are not the site's SECRET_KEY
    missing = _read_keys(FIELD_ENCRYPTION_KEYS="")
    assert missing["code"] != 0 and "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set" in missing["err"]
    # no key is written in the project's settings files
    for name in ("base.py", "prod.py", "dev.py"):
        text = (Path(django_settings.BASE_DIR) / "hrsuite" / "settings" / name).read_text("utf-8")
        assert "FIELD_ENCRYPTION_KEYS = [" not in text.replace('env.list("FIELD_ENCRYPTION_KEYS"', "")


def _raw(employee_pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, bank_account FROM employees_employee WHERE id = %s", [employee_pk])
        return cursor.fetchone()


def _decrypts_with(token: str, key: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_key_rotation_step_by_step(people, settings):
    """SECURITY.md "Rotating the field encryption key": prepend a new key, run
    `manage.py rotate_field_keys`, remove the old key."""
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    emps = people["employees"]
    a = _give(emps["employee"], national_id=ID_A, bank=BANK_A, birth=date(1988, 3, 14), gender="female")
    services.change_request_submit(
        employee=a, kind="bank", values={"bank_name": "招商银行", "bank_account": BANK_NEW, "bank_account_holder": ""}
    )
    assert all(_decrypts_with(t, old) for t in _raw(a.pk))

    # 1. the new key goes first; rows written with the old key still read
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert (Employee.objects.get(pk=a.pk).national_id, Employee.objects.get(pk=a.pk).bank_account) == (ID_A, BANK_A)
    # and anything written now uses the new key
    b = _give(emps["other_employee"], national_id=ID_B, bank=BANK_B, birth=date(1979, 10, 2), gender="male")
    assert all(_decrypts_with(t, new) and not _decrypts_with(t, old) for t in _raw(b.pk))
    assert all(not _decrypts_with(t, new) for t in _raw(a.pk))  # not rewritten yet

    # 2. the command rewrites every encrypted column of every model with the new key
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "employees.Employee" in out.getvalue() and "employees.ChangeRequest" in out.getvalue()
    assert all(_decrypts_with(t, new) and not _decrypts_with(t, old) for t in _raw(a.pk))
    payload = ChangeRequest.objects.filter(employee=a).values_list("payload", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM employees_changerequest WHERE employee_id = %s", [a.pk])
        assert _decrypts_with(cursor.fetchone()[0], new)
    assert json.loads(payload[0])["bank_account"] == BANK_NEW

    # 3. the old key is removed: everything still reads, the blind indexes still find people
    settings.FIELD_ENCRYPTION_KEYS = [new]
    fresh = Employee.objects.get(pk=a.pk)
    assert (fresh.national_id, fresh.bank_account) == (ID_A, BANK_A)
    assert Employee.objects.get(national_id_hash=fresh.national_id_hash).pk == a.pk
    assert Employee.objects.get(pk=b.pk).national_id == ID_B


def test_a_value_no_configured_key_can_read_is_an_error_not_ciphertext(people, settings):
    a = _give(people["employees"]["employee"], national_id=ID_A, bank=BANK_A, birth=date(1988, 3, 14), gender="female")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key was lost
    with pytest.raises(DecryptionError, match="national_id"):
        Employee.objects.get(pk=a.pk)
    # pages that never load the secret columns keep working
    assert Employee.objects.defer(*Employee.SECRET_FIELDS).get(pk=a.pk).name == a.name


def test_rotation_is_idempotent_and_skips_empty_values(people, settings):
    e = people["employees"]["manager"]  # no ID number, no bank account
    assert _raw(e.pk) == ("", "")
    call_command("rotate_field_keys", stdout=io.StringIO())
    call_command("rotate_field_keys", stdout=io.StringIO())
    assert _raw(e.pk) == ("", "")

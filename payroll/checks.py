"""Payee checks before finalisation (anti-money-laundering and fraud).

Each paid slip of a run is checked: an account holder name that differs from the employee's
name; one account shared by several employees; an account changed within the last N days; an
account on HR's blocklist; a payee who has left before the month; no account at all. A failed
check is a PayeeFlag. Open flags block finalisation until the cause is fixed (the next check
resolves the flag) or someone overrides it with a written reason (audited).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees.models import Employee

from .choices import SlipStatus
from .models import BlockedAccount, FlagKind, FlagStatus, PayeeFlag, PayRun, PaySlip


def recent_change_days() -> int:
    return getattr(settings, "HRSUITE_BANK_CHANGE_DAYS", 30)


def _normal(name: str) -> str:
    """Names compared without spaces, width or case differences (全角/半角, 'Li Na' vs 'LI NA')."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


PAYEE_FIELDS = (
    "pk",
    "name",
    "status",
    "leave_date",
    "bank_account_hash",
    "bank_account_last4",
    "bank_account_holder",
    "bank_account_changed_at",
)


def find_problems(run: PayRun) -> dict[tuple[int, str], str]:
    """(employee id, kind) -> detail, for every paid slip of the run. A fixed number of queries."""
    # subqueries rather than lists of ids: a run pays thousands of people
    paid = PaySlip.objects.filter(run=run, status=SlipStatus.OK, net__gt=0).values("employee_id")
    payees = Employee.objects.filter(pk__in=paid)
    people = {e["pk"]: e for e in payees.values(*PAYEE_FIELDS)}
    hashes = payees.exclude(bank_account_hash="").values("bank_account_hash")
    shared = dict(
        Employee.objects.filter(bank_account_hash__in=hashes)
        .order_by()
        .values("bank_account_hash")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("bank_account_hash", "n")
    )
    blocked = dict(BlockedAccount.objects.filter(account_hash__in=hashes).values_list("account_hash", "reason"))
    since = (run.calc_finished_at or timezone.now()) - timedelta(days=recent_change_days())
    problems: dict[tuple[int, str], str] = {}
    for pk, e in people.items():
        account = e["bank_account_hash"]
        tail = e["bank_account_last4"]
        if not account:
            problems[(pk, FlagKind.NO_ACCOUNT)] = gettext_noop("No salary account on record.")
            continue
        holder = e["bank_account_holder"]
        if holder and _normal(holder) != _normal(e["name"]):
            problems[(pk, FlagKind.HOLDER_NAME)] = f"{holder} ≠ {e['name']}"
        if account in shared:
            problems[(pk, FlagKind.SHARED_ACCOUNT)] = f"****{tail} × {shared[account]}"
        if e["bank_account_changed_at"] and e["bank_account_changed_at"] >= since:
            problems[(pk, FlagKind.RECENT_CHANGE)] = (
                f"****{tail} {timezone.localtime(e['bank_account_changed_at']):%Y-%m-%d}"
            )
        if account in blocked:
            problems[(pk, FlagKind.BLOCKLISTED)] = f"****{tail}: {blocked[account]}"[:300]
        if e["status"] == "left" and e["leave_date"] and e["leave_date"] < run.period:
            problems[(pk, FlagKind.LEFT)] = f"{e['leave_date']:%Y-%m-%d}"
    return problems


@transaction.atomic
def run_payee_checks(run: PayRun) -> dict[str, int]:
    """Create flags for new problems, resolve open flags whose problem is gone, reopen resolved
    flags whose problem is back. Overridden flags stay overridden."""
    problems = find_problems(run)
    existing = {(f.employee_id, f.kind): f for f in PayeeFlag.objects.select_for_update().filter(run=run)}
    now = timezone.now()
    created = resolved = reopened = 0
    new = []
    for key, detail in problems.items():
        flag = existing.get(key)
        if flag is None:
            new.append(PayeeFlag(run=run, employee_id=key[0], kind=key[1], detail=detail[:300]))
            created += 1
        elif flag.status == FlagStatus.RESOLVED:
            flag.status, flag.detail, flag.decided_by, flag.decided_at = FlagStatus.OPEN, detail[:300], None, None
            flag.save(update_fields=["status", "detail", "decided_by", "decided_at"])
            reopened += 1
    PayeeFlag.objects.bulk_create(new)
    for key, flag in existing.items():
        if key not in problems and flag.status == FlagStatus.OPEN:
            flag.status, flag.decided_at = FlagStatus.RESOLVED, now
            flag.save(update_fields=["status", "decided_at"])
            resolved += 1
    return {"created": created, "resolved": resolved, "reopened": reopened}


@transaction.atomic
def flag_override(*, flag: PayeeFlag, actor, reason: str) -> PayeeFlag:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError(_("Write why this payment may go ahead (at least a few words)."))
    flag = PayeeFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise ValidationError(_("This check is not open any more."))
    flag.status, flag.reason, flag.decided_by, flag.decided_at = (
        FlagStatus.OVERRIDDEN,
        reason[:300],
        actor,
        timezone.now(),
    )
    flag.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return flag


def blocking_issues(run: PayRun) -> list[str]:
    issues = []
    errors = PaySlip.objects.filter(run=run, status=SlipStatus.ERROR).count()
    if errors:
        issues.append(_("%(n)s payslips have errors.") % {"n": errors})
    open_flags = PayeeFlag.objects.filter(run=run, status=FlagStatus.OPEN).count()
    if open_flags:
        issues.append(
            _("%(n)s payee checks are open: fix the cause and check again, or override each with a reason.")
            % {"n": open_flags}
        )
    return issues


@transaction.atomic
def blocklist_add(*, account: str, reason: str, actor) -> BlockedAccount:
    from employees.validators import validate_bank_account
    from hrsuite.crypto import blind_index, last4

    account = validate_bank_account(account)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the account is blocked.")})
    digest = blind_index(account, purpose="bank_account")
    if BlockedAccount.objects.filter(account_hash=digest).exists():
        raise ValidationError({"account": _("This account is already on the blocklist.")})
    return BlockedAccount.objects.create(
        account_hash=digest, last4=last4(account), reason=reason.strip()[:300], created_by=actor
    )

"""Checks that block finalisation. The payee (anti-money-laundering and fraud) checks are added
by the payslips issue; for now a run is blocked only by slips in error."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import SlipStatus
from .models import PayRun, PaySlip


def blocking_issues(run: PayRun) -> list[str]:
    issues = []
    errors = PaySlip.objects.filter(run=run, status=SlipStatus.ERROR).count()
    if errors:
        issues.append(_("%(n)s payslips have errors.") % {"n": errors})
    return issues

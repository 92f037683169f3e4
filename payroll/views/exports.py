"""Downloads of a finalised pay run (payroll administrators): the payroll register, the bank
transfer file, the income tax declaration sheet and the contribution sheet.

Each view checks the permission, refuses a run that is not final, builds the rows from the
slips the user may see (payroll.selectors.payslips_visible_to), writes the workbook, checks the
written sums against the run, and only then audits and returns the file. A refusal is a message
on the run page and no file.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hrsuite.audit.services import audit_export
from hrsuite.excel import workbook_response
from hrsuite.permissions import require_perm

from .. import exports, selectors
from ..choices import LOCKED_STATUSES
from ..models import PayRun

PERM = "hrsuite.manage_payroll"


def _refuse(request, run: PayRun, problems: list[str]):
    for problem in problems:
        messages.error(request, problem)
    return redirect("payroll:run_detail", pk=run.pk)


def _final_run(pk: int) -> tuple[PayRun, list[str]]:
    run = get_object_or_404(PayRun, pk=pk)
    if run.status in LOCKED_STATUSES:
        return run, []
    return run, [
        _("Pay files are made from finalised runs only. This run is %(status)s: approve and finalise it first.")
        % {"status": run.get_status_display()}
    ]


def _slips(request, run: PayRun):
    return selectors.payslips_visible_to(request.user).filter(run=run)


def _deliver(request, run: PayRun, sheets, *, filename: str, name: str, check=None):
    """Write the sheets; if `check` finds a problem in what was written, refuse instead."""
    try:
        response, rows = workbook_response([s.sheet() for s in sheets], filename)
    except exports.ExportRefused as exc:
        return _refuse(request, run, [str(exc)])
    problems = check() if check else []
    if problems:
        if response.file_to_stream is not None:  # the spooled file; response.close() would end the request
            response.file_to_stream.close()
        return _refuse(request, run, problems)
    audit_export(request, PayRun, name=name, rows=rows, filters=f"run={run.pk} period={run.period:%Y-%m}")
    return response


@never_cache
@require_GET
@require_perm(PERM)
def export_register(request, pk: int):
    run, problems = _final_run(pk)
    if problems:
        return _refuse(request, run, problems)
    export = exports.register(run, _slips(request, run))
    return _deliver(
        request,
        run,
        [export],
        filename=f"payroll-register-{run.period:%Y-%m}",
        name=export.title,
        check=lambda: exports.register_problems(run, export),
    )


@never_cache
@require_GET
@require_perm(PERM)
def export_bank(request, pk: int):
    run, problems = _final_run(pk)
    slips = _slips(request, run)
    problems = problems or exports.bank_problems(run, slips)
    if problems:
        return _refuse(request, run, problems)
    export = exports.bank_file(run, slips)
    return _deliver(
        request,
        run,
        [export],
        filename=f"bank-transfer-{run.period:%Y-%m}",
        name=export.title,
        check=lambda: exports.bank_reconciles(run, export),
    )


@never_cache
@require_GET
@require_perm(PERM)
def export_tax(request, pk: int):
    run, problems = _final_run(pk)
    if problems:
        return _refuse(request, run, problems)
    sheets = exports.tax_declaration(run, _slips(request, run))
    return _deliver(
        request,
        run,
        sheets,
        filename=f"iit-withholding-{run.period:%Y-%m}",
        name=_("Income tax declaration %(period)s") % {"period": f"{run.period:%Y-%m}"},
    )


@never_cache
@require_GET
@require_perm(PERM)
def export_contributions(request, pk: int):
    run, problems = _final_run(pk)
    if problems:
        return _refuse(request, run, problems)
    export = exports.contributions(run, _slips(request, run))
    return _deliver(request, run, [export], filename=f"contributions-{run.period:%Y-%m}", name=export.title)

"""The leaver's documents: the separation certificate (离职证明) PDF and the final settlement sheet
(离职结算单: a page, a PDF, and HR saving the compensation figure on the case).

Both are HR's (hrsuite.manage_offboarding) and every download is written to the audit log with
the document's content hash. The certificate exists once the case is completed; it shows the
national ID only as its last four characters (read from the blind-index column, never
decrypted). The settlement's figures are computed by `offboarding.settlement` from the pay data
gathered here; HR's inputs (unused leave days, other amounts, the local average wage, notice)
come from a form and are not stored, except the resulting compensation when HR saves the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.core.context_processors import company_name
from hrsuite.crypto import mask
from hrsuite.pdf import content_hash, generated_at, render_pdf
from hrsuite.roles import is_hr

from .choices import CaseStatus, EventKind, SeparationKind
from .models import SeparationCase
from .services import CaseRefused, lock_case, record_event
from .settlement import DEFAULT_LOCAL_AVG_MONTHLY_WAGE, Settlement, SettlementInput, settle

CERTIFICATE_TEMPLATE = "offboarding/pdf/separation_certificate.html"
SETTLEMENT_TEMPLATE = "offboarding/pdf/settlement.html"


@dataclass(frozen=True)
class Document:
    pdf: bytes
    digest: str
    filename: str  # ASCII, for the plain filename= parameter
    download_name: str  # the Chinese name, for filename*=


def _require_hr(actor) -> None:
    if not is_hr(actor):
        raise CaseRefused(_("Only HR can do this."), code="permission")


def _case(case: SeparationCase) -> SeparationCase:
    return SeparationCase.objects.select_related("employee__department", "employee__position").get(pk=case.pk)


def local_avg_monthly_wage() -> Decimal:
    """The local average monthly wage for the compensation cap: settings.LOCAL_AVG_MONTHLY_WAGE,
    else Beijing's 2024 figure (12,307)."""
    value = getattr(settings, "LOCAL_AVG_MONTHLY_WAGE", None)
    return Decimal(str(value)) if value else DEFAULT_LOCAL_AVG_MONTHLY_WAGE


# --- separation certificate ------------------------------------------------------------------


def certificate_context(case: SeparationCase, *, today: date | None = None) -> dict:
    employee = case.employee
    return {
        "case": case,
        "company_name": company_name(),
        "name": employee.name,
        "national_id": mask(employee.national_id_last4, total=18) if employee.national_id_last4 else "",
        "position": employee.position.title if employee.position_id else "",
        "department": employee.department.name if employee.department_id else "",
        "hire_date": employee.hire_date,
        "last_working_day": case.last_working_day,
        "issued_on": today or timezone.localdate(),
    }


def certificate_digest(ctx: dict) -> str:
    """The content hash of what the certificate states (not of the PDF bytes, which embed the
    generation time)."""
    return content_hash(
        "separation-certificate",
        ctx["case"].pk,
        ctx["company_name"],
        ctx["name"],
        ctx["national_id"],
        ctx["position"],
        ctx["department"],
        ctx["hire_date"].isoformat() if ctx["hire_date"] else "",
        ctx["last_working_day"].isoformat(),
        ctx["issued_on"].isoformat(),
    )


def certificate_refusal(case: SeparationCase) -> str:
    """Why the certificate cannot be issued yet ("" when it can)."""
    if case.status != CaseStatus.COMPLETED:
        return _(
            "The separation certificate is issued once the case is completed (handover confirmed and approved by "
            "the department head and HR). This case is “%(status)s”."
        ) % {"status": case.get_status_display()}
    return ""


def separation_certificate_pdf(*, case: SeparationCase, actor, request=None) -> Document:
    """The certificate of a completed case, for HR to download; the download is audited."""
    _require_hr(actor)
    case = _case(case)
    refusal = certificate_refusal(case)
    if refusal:
        raise CaseRefused(refusal, code="not_completed")
    # the certificate is written in the company's language, whoever downloads it
    with translation.override(settings.LANGUAGE_CODE):
        ctx = certificate_context(case)
        digest = certificate_digest(ctx)
        pdf = render_pdf(CERTIFICATE_TEMPLATE, {**ctx, "generated": generated_at(), "content_hash": digest})
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        actor=actor,
        obj=case,
        details={"what": "separation certificate PDF", "content_hash": digest},
    )
    return Document(
        pdf=pdf,
        digest=digest,
        filename=f"separation-certificate-{case.pk}.pdf",
        download_name=f"离职证明-{case.employee.name}.pdf",
    )


# --- final settlement ------------------------------------------------------------------------


@dataclass(frozen=True)
class PayFacts:
    """What payroll knows about the leaver's pay (for the settlement)."""

    monthly_pay: Decimal | None
    base_salary: Decimal | None
    allowances: Decimal
    assignment_from: date | None
    avg_monthly_wage: Decimal | None
    payslip_months: int
    last_month_wage: Decimal | None


def pay_facts(case: SeparationCase) -> PayFacts:
    """The pay assignment in force on the last working day (else the latest before it): base
    salary plus its fixed, non-variable allowances; and the average gross of the finalised
    payslips of the 12 whole months before the month of the last working day (实施条例 第二十七条:
    the wages due in the 12 months before the contract ends). Four queries."""
    from payroll.choices import LOCKED_STATUSES, ComponentKind, SlipStatus
    from payroll.models import AssignmentItem, PayAssignment, PaySlip

    last = case.last_working_day
    assignment = (
        PayAssignment.objects.filter(employee_id=case.employee_id, effective_from__lte=last)
        .order_by("-effective_from")
        .first()
    )
    allowances = Decimal(0)
    if assignment is not None:
        allowances = AssignmentItem.objects.filter(
            assignment=assignment, component__kind=ComponentKind.EARNING, component__variable=False
        ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    month = last.replace(day=1)
    start = month.replace(year=month.year - 1)
    slips = PaySlip.objects.filter(
        employee_id=case.employee_id,
        status=SlipStatus.OK,
        run__status__in=LOCKED_STATUSES,
        period__gte=start,
        period__lt=month,
    )
    agg = slips.aggregate(total=Sum("gross"), n=Count("pk"))
    last_slip = slips.order_by("-period").values_list("gross", flat=True).first()
    avg = (agg["total"] / agg["n"]) if agg["n"] else None
    return PayFacts(
        monthly_pay=(assignment.base_salary + allowances) if assignment is not None else None,
        base_salary=assignment.base_salary if assignment is not None else None,
        allowances=allowances,
        assignment_from=assignment.effective_from if assignment is not None else None,
        avg_monthly_wage=avg,
        payslip_months=agg["n"] or 0,
        last_month_wage=last_slip,
    )


def settlement_for(
    case: SeparationCase,
    facts: PayFacts,
    *,
    unused_leave_days: Decimal = Decimal(0),
    other_amount: Decimal = Decimal(0),
    local_avg: Decimal | None = None,
    notice_given: bool = True,
    no_compensation: bool = False,
) -> Settlement:
    return settle(
        SettlementInput(
            kind=case.kind,
            last_working_day=case.last_working_day,
            hire_date=case.employee.hire_date,
            monthly_pay=facts.monthly_pay,
            avg_monthly_wage=facts.avg_monthly_wage,
            last_month_wage=facts.last_month_wage,
            unused_leave_days=unused_leave_days,
            other_amount=other_amount,
            local_avg_monthly_wage=local_avg or local_avg_monthly_wage(),
            notice_given=notice_given,
            no_compensation=no_compensation,
        )
    )


def settlement_digest(case: SeparationCase, sheet: Settlement, inputs: dict) -> str:
    return content_hash(
        "final-settlement",
        case.pk,
        case.employee.name,
        case.kind,
        case.last_working_day.isoformat(),
        sheet.last_salary,
        sheet.leave_pay,
        sheet.other_amount,
        sheet.compensation_total,
        sheet.total,
        sorted(inputs.items()),
    )


def settlement_pdf(
    *, case: SeparationCase, actor, sheet: Settlement, facts: PayFacts, inputs: dict, request=None
) -> Document:
    """The settlement sheet as a PDF (HR); the download is audited with its content hash."""
    _require_hr(actor)
    case = _case(case)
    digest = settlement_digest(case, sheet, inputs)
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_pdf(
            SETTLEMENT_TEMPLATE,
            {
                "case": case,
                "employee": case.employee,
                "company_name": company_name(),
                "sheet": sheet,
                "facts": facts,
                "inputs": inputs,
                "is_resignation": case.kind == SeparationKind.RESIGNATION,
                "generated": generated_at(),
                "content_hash": digest,
            },
        )
    audit_record(
        event=AuditEvent.DOWNLOAD,
        request=request,
        actor=actor,
        obj=case,
        details={"what": "final settlement PDF", "content_hash": digest, "total": str(sheet.total)},
    )
    return Document(
        pdf=pdf,
        digest=digest,
        filename=f"final-settlement-{case.pk}.pdf",
        download_name=f"离职结算单-{case.employee.name}.pdf",
    )


@transaction.atomic
def settlement_save(*, case: SeparationCase, actor, sheet: Settlement) -> SeparationCase:
    """Store the economic compensation of the sheet on the case (0 when none is due) and record
    it on the case's history. Refused when a figure is missing or the case was cancelled."""
    _require_hr(actor)
    locked = lock_case(case)
    if locked.status == CaseStatus.CANCELLED:
        raise CaseRefused(_("This case was cancelled; there is no settlement to save."), code="cancelled")
    if sheet.compensation_due and sheet.compensation is None:
        raise CaseRefused(
            _(
                "The economic compensation cannot be computed: the employee has no pay assignment or finalised "
                "payslips, or no hire date. Complete the pay data first."
            ),
            code="no_pay_data",
        )
    amount = sheet.compensation_total
    locked.economic_compensation = amount
    locked.save(update_fields=["economic_compensation"])
    case.economic_compensation = amount
    if sheet.compensation_due:
        comment = _("Final settlement saved: economic compensation ¥%(amount)s.") % {"amount": f"{amount:,.2f}"}
    else:
        comment = _("Final settlement saved: no economic compensation is due (%(kind)s).") % {
            "kind": dict(SeparationKind.choices).get(locked.kind, locked.kind)
        }
    record_event(case=locked, kind=EventKind.SETTLEMENT, actor=actor, comment=comment)
    return locked

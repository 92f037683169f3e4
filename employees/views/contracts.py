"""Contracts and documents on the employee profile (HR)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hrsuite.audit.models import AuditEvent
from hrsuite.audit.services import audit_record
from hrsuite.permissions import require_login, require_perm

from .. import selectors, services
from ..forms import ContractForm, ContractRenewForm, DocumentForm
from ..models import Contract


def _employee_or_404(request, pk):
    employee = selectors.employee_visible_to(request.user, pk)
    if employee is None:
        raise Http404
    return employee


def _flash_errors(request, form=None, exc: ValidationError | None = None) -> None:
    errors = []
    if form is not None:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            errors += [f"{label}: {e}" if label else str(e) for e in errs]
    if exc is not None:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                label = form.fields[field].label if form is not None and field in form.fields else ""
                errors += [f"{label}: {e}" if label else e for e in errs]
        else:
            errors += exc.messages
    for e in errors:
        messages.error(request, e)


@require_POST
@require_perm("hrsuite.manage_employees")
def contract_add(request, pk: int):
    employee = _employee_or_404(request, pk)
    form = ContractForm(request.POST)
    if form.is_valid():
        form.instance.employee = employee
        try:
            services.contract_save(contract=form.instance)
            messages.success(request, _("The contract was added."))
        except ValidationError as exc:
            _flash_errors(request, form, exc)
    else:
        _flash_errors(request, form)
    return redirect(f"/employees/{employee.pk}/#contracts")


@require_POST
@require_perm("hrsuite.manage_employees")
def contract_renew(request, pk: int, contract_pk: int):
    employee = _employee_or_404(request, pk)
    previous = get_object_or_404(Contract, pk=contract_pk, employee=employee)
    form = ContractRenewForm(request.POST)
    if form.is_valid():
        try:
            services.contract_renew(
                previous=previous,
                kind=form.cleaned_data["kind"],
                end_date=form.cleaned_data["end_date"],
                number=form.cleaned_data["number"],
            )
            messages.success(request, _("The contract was renewed."))
        except ValidationError as exc:
            _flash_errors(request, form, exc)
    else:
        _flash_errors(request, form)
    return redirect(f"/employees/{employee.pk}/#contracts")


@require_POST
@require_perm("hrsuite.manage_employees")
def document_upload(request, pk: int):
    employee = _employee_or_404(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                employee=employee,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
            messages.success(request, _("The document was uploaded."))
        except ValidationError as exc:
            _flash_errors(request, form, exc)
    else:
        _flash_errors(request, form)
    return redirect(f"/employees/{employee.pk}/#documents")


@never_cache
@require_login
def document_download(request, doc_pk: int):
    """The only way to a stored document: HR, or the employee it belongs to; audited."""
    document = selectors.documents_visible_to(request.user).filter(pk=doc_pk).first()
    if document is None:
        raise Http404
    audit_record(event=AuditEvent.DOWNLOAD, request=request, obj=document, details={"employee": document.employee_id})
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

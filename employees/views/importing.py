"""Excel import of employees (HR): upload and check with a preview, confirm, template.

The uploaded file is checked first and nothing is written. When every row is valid the file is
kept under MEDIA_ROOT (private, random name) and the preview page carries a one-time token that
the session maps to it; confirming re-reads the stored file, checks it again against the current
data and writes it in one transaction.
"""

from __future__ import annotations

import io
import secrets
import time
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrsuite.core.forms import StyledForm
from hrsuite.excel import XLSX_CONTENT_TYPE
from hrsuite.permissions import require_perm
from hrsuite.uploads import private_path

from .. import importing

PERM = "hrsuite.import_employees"
SESSION_KEY = "employee_imports"
TOKEN_TTL_SECONDS = 60 * 60
MAX_ERRORS_SHOWN = 500


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(PERM)
@sensitive_variables()  # the rows (ID numbers, bank accounts) stay out of error reports
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = importing.parse_and_validate(upload, today=timezone.localdate())
        if plan.file_error:
            form.add_error("file", plan.file_error)
        else:
            token = _keep(request, upload, plan) if plan.is_valid else ""
            return _preview(request, plan, token)
    return render(
        request,
        "employees/import_upload.html",
        {
            "form": form,
            "page_title": _("Import employees"),
            "columns": importing.COLUMNS,
            "max_rows": importing.MAX_ROWS,
        },
    )


@never_cache
@require_POST
@require_perm(PERM)
@sensitive_variables()
def import_confirm(request):
    stored = _take(request, request.POST.get("token", ""))
    if stored is None:
        messages.error(request, _("This import has expired or has already been done; upload the file again."))
        return redirect("employees:import")
    path = stored["path"]
    try:
        with default_storage.open(path, "rb") as fileobj:
            plan = importing.parse_and_validate(fileobj, today=timezone.localdate(), filename=stored["name"])
        if not plan.is_valid:
            # the data changed since the preview (someone took an employee number, for example)
            messages.error(request, _("The file no longer passes the checks; nothing was imported."))
            return _preview(request, plan, "")
        try:
            summary = importing.apply_plan(plan, actor=request.user, request=request)
        except (ValidationError, IntegrityError):
            messages.error(
                request,
                _("Other changes to employee records got in the way; nothing was imported. Upload the file again."),
            )
            return redirect("employees:import")
    except FileNotFoundError:
        messages.error(request, _("This import has expired or has already been done; upload the file again."))
        return redirect("employees:import")
    finally:
        default_storage.delete(path)
    messages.success(
        request,
        _("Import done: %(created)s employees created, %(updated)s updated, %(unchanged)s unchanged.")
        % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged},
    )
    return redirect("employees:list")


@require_GET
@require_perm(PERM)
def import_template(request):
    buffer = io.BytesIO()
    importing.build_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = _("employee-import-template") + ".xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"employee-import-template.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _preview(request, plan: importing.ImportPlan, token: str):
    return render(
        request,
        "employees/import_preview.html",
        {
            "plan": plan,
            "token": token,
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(plan.errors) - MAX_ERRORS_SHOWN, 0),
            "preview_rows": plan.preview_rows(),
            "page_title": _("Check the import"),
        },
    )


# ---------------------------------------------------------------------------------------------
# the stored file between preview and confirm


def _keep(request, upload, plan: importing.ImportPlan) -> str:
    """Store a checked file and return the one-time token that names it in this session."""
    tokens = _prune(request.session.get(SESSION_KEY, {}))
    upload.seek(0)
    path = default_storage.save(private_path("imports", "xlsx"), upload)
    token = secrets.token_urlsafe(24)
    tokens[token] = {"path": path, "name": plan.filename, "sha256": plan.sha256, "at": time.time()}
    request.session[SESSION_KEY] = tokens
    return token


def _take(request, token: str) -> dict | None:
    """The stored file of a token, removing the token (it is good for one confirmation)."""
    tokens = request.session.get(SESSION_KEY, {})
    stored = tokens.pop(token, None) if token else None
    request.session[SESSION_KEY] = _prune(tokens)
    if stored is None:
        return None
    if time.time() - stored.get("at", 0) > TOKEN_TTL_SECONDS:
        default_storage.delete(stored["path"])
        return None
    return stored


def _prune(tokens: dict) -> dict:
    """Drop expired tokens and delete their files."""
    now = time.time()
    kept = {}
    for token, stored in tokens.items():
        if now - stored.get("at", 0) > TOKEN_TTL_SECONDS:
            default_storage.delete(stored["path"])
        else:
            kept[token] = stored
    return kept

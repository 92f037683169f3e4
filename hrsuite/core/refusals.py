"""How a view shows a service's refusal (a ValidationError with translated messages): on the
form, each message under the field it names (else at the top), or as flash messages prefixed
with the field's label. One place, so every page words refusals the same way."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach `exc` to `form`: keyed errors on their fields (marked invalid for the styling and
    screen readers), the others, and keys the form does not have, at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            known = field in form.fields
            form.add_error(field if known else None, errors)
            if known:
                widget = form.fields[field].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
    else:
        form.add_error(None, exc)


def flash_refusal(request, exc: ValidationError, form: forms.BaseForm | None = None) -> None:
    """Every message of `exc` as an error message; a field's message starts with its label."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            label = form.fields[name].label if form is not None and name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label and name != "__all__" else error)
    else:
        for message in exc.messages:
            messages.error(request, message)


def perform(request, action, *, success: str, form: forms.BaseForm | None = None) -> bool:
    """Run `action()` (a service call) for a POST action: on a refusal flash its messages and
    return False; otherwise flash `success` and return True."""
    try:
        action()
    except ValidationError as exc:
        flash_refusal(request, exc, form)
        return False
    messages.success(request, success)
    return True

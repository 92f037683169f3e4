"""Writing audit entries that django-auditlog does not write by itself: sensitive reads,
exports, downloads, sign-ins. Model changes (create/update/delete with before and after) are
recorded automatically for the models registered in `registry.py`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry, AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is what the server saw; behind a proxy, gunicorn is configured with
    # --forwarded-allow-ips so REMOTE_ADDR is the client's address.
    return request.META.get("REMOTE_ADDR") or None


def _actor(request, actor):
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def audit_record(
    *,
    event: str,
    request=None,
    actor=None,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    object_pk: str = "",
    object_repr: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `obj` (or `model` with `object_pk`) names what the event was about."""
    if obj is not None:
        model = obj._meta.model  # works through lazy wrappers such as request.user
        object_pk = str(obj.pk)
        object_repr = object_repr or str(obj)
    if model is None:
        raise ValueError("audit_record needs obj or model")
    user = _actor(request, actor)
    entry = AuditEntry(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_pk=object_pk,
        object_id=int(object_pk) if object_pk.isdigit() else None,
        object_repr=object_repr[:500],
        action=AuditEntry.Action.ACCESS,
        event=event,
        actor=user,
        actor_email=getattr(user, "email", "") or "" if user else "",
        remote_addr=client_ip(request),
        additional_data=details or None,
    )
    entry.save()
    return entry


def audit_view(request, obj: models.Model, *, what: str = "") -> AuditEntry:
    """Record that the requesting user looked at a sensitive record (a profile, a payslip)."""
    return audit_record(event=AuditEvent.VIEW, request=request, obj=obj, details={"what": what} if what else None)


def audit_export(request, model: type[models.Model], *, name: str, rows: int, filters: str = "") -> AuditEntry:
    """Record that the requesting user exported a list or file."""
    return audit_record(
        event=AuditEvent.EXPORT,
        request=request,
        model=model,
        object_repr=name,
        details={"rows": rows, "filters": filters[:500]},
    )

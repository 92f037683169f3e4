"""Readable before/after values for audit entries: field names as their translated labels,
choice codes as their labels, foreign keys as the related record's name (looked up in one query
per model for a whole page of entries), empty values as a dash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from .models import AuditEntry

EMPTY = "—"


def _is_empty(value) -> bool:
    return value in (None, "", "None")


def describe_changes(entries: Iterable[AuditEntry]) -> dict[int, list[tuple[str, str, str]]]:
    """For each entry id: a list of (field label, before, after)."""
    entries = list(entries)
    wanted: dict[type[models.Model], set] = defaultdict(set)
    plans = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        for name, value in (entry.changes or {}).items():
            field = _field(model, name)
            plans.append((entry, model, name, field, value))
            if isinstance(field, models.ForeignKey) and isinstance(value, list | tuple):
                for v in value:
                    if not _is_empty(v):
                        wanted[field.related_model].add(str(v))
    names: dict[tuple[type, str], str] = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=[p for p in pks if p.isdigit()]):
            names[(related, str(obj.pk))] = str(obj)

    out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for entry, _model, name, field, value in plans:
        label = str(field.verbose_name) if field is not None else name
        if isinstance(value, dict):  # many-to-many: {"type": "m2m", "operation": "add", "objects": [...]}
            sign = "+" if value.get("operation") == "add" else "−"
            out[entry.pk].append((label, "", f"{sign} {', '.join(map(str, value.get('objects', [])))}"))
            continue
        if not isinstance(value, list | tuple) or len(value) != 2:
            continue
        before, after = (_display(field, v, names) for v in value)
        out[entry.pk].append((label, before, after))
    return out


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None


def _display(field, value, names) -> str:
    if _is_empty(value):
        return EMPTY
    if field is None:
        return str(value)
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, str(value)), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if str(value) in ("True", "true", "1") else _("No")
    return str(value)


def changes_text(rows: list[tuple[str, str, str]], details: dict | None) -> str:
    """One line for exports: "field: before → after; …", or the entry's details."""
    if rows:
        return "; ".join(
            f"{label}: {before} → {after}" if before else f"{label}: {after}" for label, before, after in rows
        )
    return ", ".join(f"{k}: {v}" for k, v in (details or {}).items())


def chunked(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

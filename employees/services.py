"""Writes of organisation and employee data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Department


def _path_for(parent: Department | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Create or move a department, keeping `path` of it and its subtree consistent."""
    parent = department.parent
    moving_under_itself = parent is not None and (parent.pk == department.pk or parent.path.startswith(department.path))
    if department.pk and moving_under_itself:
        raise ValidationError({"parent": _("A department cannot be placed under itself or its own sub-department.")})
    old_path = department.path
    department.save()
    new_path = _path_for(parent, department.pk)
    if new_path != old_path:
        Department.objects.filter(pk=department.pk).update(path=new_path)
        department.path = new_path
        if old_path:
            for child in (
                Department.objects.select_for_update().filter(path__startswith=old_path).exclude(pk=department.pk)
            ):
                child.path = new_path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return department

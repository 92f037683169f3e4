"""Backups (dump, checksum, retention, restore verification) are built by the operations issue.
Until then the health check reports that no verified backup exists."""

from __future__ import annotations


def last_backup_check():
    from django.utils.translation import gettext_noop

    from hrsuite.ops.health import Check

    return Check(ok=False, detail=gettext_noop("no verified backup yet"), essential=False)

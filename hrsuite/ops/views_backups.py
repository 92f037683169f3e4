"""The HR administrators' backups page: every backup with its verification result."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from hrsuite.permissions import require_perm

from .backups import backup_dir, dashboard_context, recent_runs


@require_perm("hrsuite.view_jobs")
def backups_page(request):
    directory = str(backup_dir())
    return render(
        request,
        "ops/backups.html",
        {
            "view_ctx": {**dashboard_context(), "link": False},
            "runs": recent_runs(100),
            "backup_dir": directory,
            "backup_prefix": directory.rstrip("/") + "/",
            "retention": settings.HRSUITE_BACKUP_RETENTION,
            "page_title": _("Backups"),
        },
    )

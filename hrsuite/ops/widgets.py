from hrsuite.core import dashboard
from hrsuite.roles import Role

from .health import health


def system_health(request):
    ok, body = health()
    return {"ok": ok, "health": body}


def backup_summary(request):
    from .backups import dashboard_context

    return dashboard_context()


def register_widgets() -> None:
    dashboard.register(
        "ops.health",
        template="ops/widgets/health.html",
        roles={Role.HR_ADMIN},
        context=system_health,
        order=80,
    )
    dashboard.register(
        "ops.backups",
        template="ops/widgets/backups.html",
        roles={Role.HR_ADMIN},
        context=backup_summary,
        order=81,
    )

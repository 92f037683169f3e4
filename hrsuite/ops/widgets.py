from hrsuite.core import dashboard
from hrsuite.roles import Role

from .health import health


def system_health(request):
    ok, body = health()
    return {"ok": ok, "health": body}


def register_widgets() -> None:
    dashboard.register(
        "ops.health",
        template="ops/widgets/health.html",
        roles={Role.HR_ADMIN},
        context=system_health,
        order=80,
    )

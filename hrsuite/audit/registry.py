"""Models whose changes are recorded with before/after values. Each app registers its own
models in its `apps.ready()` through `register()` below, so masking is applied uniformly."""

from auditlog.registry import auditlog
from django.contrib.auth import get_user_model

# fields never written to the audit log in clear
ALWAYS_MASKED = ("password",)


def register(model, *, exclude: tuple[str, ...] = (), mask: tuple[str, ...] = (), m2m: tuple[str, ...] = ()):
    auditlog.register(
        model,
        exclude_fields=list(exclude),
        mask_fields=list(mask),
        m2m_fields=set(m2m),
    )


register(get_user_model(), exclude=("password", "last_login"), m2m=("groups",))

from datetime import timedelta

from django.utils import timezone

from hrsuite.core import dashboard
from hrsuite.roles import Role

from .models import AuditEvent
from .selectors import audit_entries


def security_events(request):
    since = timezone.now() - timedelta(days=7)
    recent = audit_entries().filter(timestamp__gte=since)
    return {
        "failed_logins": recent.filter(event=AuditEvent.LOGIN_FAILED).count(),
        "exports": recent.filter(event=AuditEvent.EXPORT).count(),
        "latest": list(recent.exclude(event__in=[AuditEvent.VIEW, AuditEvent.LOGIN, AuditEvent.LOGOUT])[:6]),
    }


def register_widgets() -> None:
    dashboard.register(
        "audit.security",
        template="audit/widgets/security.html",
        roles={Role.HR_ADMIN},
        context=security_events,
        order=70,
    )

"""Template helpers of qualification compliance: one badge for a certificate status, the same
in the matrix, the lists, self-service and the dashboard."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hrsuite.core.templatetags.ui import STATUS_COLOURS

from ..choices import CertificateStatus

register = template.Library()


@register.simple_tag
def certificate_badge(status, days_left=None, grace_until=None, pending=False):
    """A status badge: valid / expiring (with days left) / expired / missing (with the due date
    of a new hire's grace period) / not required; an hourglass when an upload waits for HR."""
    status = str(status)
    if status == "not_required":
        badge = format_html('<span class="text-body-secondary" title="{}">—</span>', _("Not required"))
    else:
        colour = STATUS_COLOURS.get(status, "secondary")
        label = str(CertificateStatus(status).label) if status in CertificateStatus.values else status
        if status == CertificateStatus.EXPIRING and days_left is not None:
            label = _("Expiring · %(days)s days left") % {"days": days_left} if days_left else _("Expires today")
        elif status == CertificateStatus.MISSING and grace_until:
            colour = "info"
            label = _("Missing · due by %(date)s") % {"date": grace_until.isoformat()}
        badge = format_html('<span class="badge rounded-pill text-bg-{} status-{}">{}</span>', colour, status, label)
    if pending:
        badge = format_html(
            '{} <i class="bi bi-hourglass-split text-warning" title="{}" aria-label="{}"></i>',
            badge,
            _("A renewal waits for HR's verification"),
            _("A renewal waits for HR's verification"),
        )
    return badge


VERIFICATION_COLOURS = {"verified": "success", "pending": "warning", "rejected": "danger"}


@register.simple_tag
def verification_badge(certificate):
    """HR's verification of a certificate: verified (green), waiting for HR, rejected."""
    code = certificate.verification
    return format_html(
        '<span class="badge rounded-pill text-bg-{} verification-{}">{}</span>',
        VERIFICATION_COLOURS.get(code, "secondary"),
        code,
        certificate.get_verification_display(),
    )

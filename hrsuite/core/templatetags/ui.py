"""Template helpers of the shared component set (badges, money, masking)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()

# one colour per status code across every module, so a status looks the same everywhere
STATUS_COLOURS = {
    # people
    "probation": "info",
    "active": "success",
    "leaving": "warning",
    "left": "secondary",
    # workflow
    "draft": "secondary",
    "pending": "warning",
    "submitted": "info",
    "approved": "success",
    "rejected": "danger",
    "returned": "warning",
    "confirmed": "success",
    "completed": "success",
    "cancelled": "secondary",
    "calculating": "info",
    "calculated": "primary",
    "finalized": "dark",
    "published": "success",
    "failed": "danger",
    "ok": "success",
    # compliance
    "valid": "success",
    "expiring": "warning",
    "expired": "danger",
    "missing": "danger",
    # performance: OKR cycles (draft above), review cycles and reviews
    "open": "success",
    "closed": "dark",
    "assessment": "primary",
    "calibration": "warning",
    "released": "success",
    "self": "warning",
    "manager": "info",
    "rated": "primary",
    "acknowledged": "secondary",
}


@register.simple_tag
def status_badge(code: str, label: str | None = None):
    colour = STATUS_COLOURS.get(str(code), "secondary")
    return format_html('<span class="badge rounded-pill text-bg-{} status-{}">{}</span>', colour, code, label or code)


@register.filter
def money(value) -> str:
    """CNY with thousands separators and two decimals: 12345.6 -> ¥12,345.60."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if d < 0 else ""
    return f"{sign}¥{abs(d):,.2f}"


@register.filter
def percent(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)) * 100:.{int(digits)}f}%"


@register.inclusion_tag("components/empty_state.html")
def empty_state(message, icon="inbox", action_url="", action_label=""):
    return {"message": message, "icon": icon, "action_url": action_url, "action_label": action_label}


@register.inclusion_tag("components/progress.html")
def progress(value, total=100, colour="primary", label=""):
    pct = 0 if not total else max(0, min(100, round(float(value) * 100 / float(total))))
    return {"pct": pct, "colour": colour, "label": label}


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} for dictionaries keyed by something other than a name."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def model_label(content_type) -> str:
    """The translated name of the model behind a content type."""
    model = content_type.model_class() if content_type else None
    return str(model._meta.verbose_name) if model else ""

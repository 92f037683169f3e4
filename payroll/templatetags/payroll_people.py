"""Template helpers of the per-person pay pages."""

from django import template

from ..importing import plain as plain_value

register = template.Library()


@register.filter
def plain(value) -> str:
    """A period-input value as a person types it: 1.2000 -> 1.2, 48.0000 -> 48, None -> ""."""
    return plain_value(value)

"""Number formats of the pay history tables (page and PDF): amounts without the currency sign,
so twelve months fit across a page."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """12345.6 -> 12,345.60; None -> an empty cell."""
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,.2f}"


@register.filter
def number(value) -> str:
    """A period input as entered: 1.2000 -> 1.2, 150000 -> 150,000; None -> an empty cell."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    if d == d.to_integral():
        return f"{d.quantize(Decimal(1)):,}"
    return f"{d.normalize():f}"

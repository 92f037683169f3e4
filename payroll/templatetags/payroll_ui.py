"""Labels for the values a statutory payslip line records (how tax and contributions were found)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "base": _("contribution base"),
    "ytd_taxable": _("taxable income year to date"),
    "rate": _("withholding rate"),
    "quick_deduction": _("quick deduction"),
    "ytd_tax_before": _("tax withheld before this month"),
    "additional_deduction": _("special additional deductions this month"),
    "basic_deduction": _("basic deduction this month"),
}
RATES = {"rate"}


@register.filter
def input_label(key: str) -> str:
    return str(LABELS.get(key, key))


@register.filter
def input_value(value, key: str = "") -> str:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if key in RATES:
        return f"{d * 100:.0f}%"
    if key in LABELS:
        return f"¥{d:,.2f}"
    return f"{d.normalize():f}" if d == d.to_integral() else str(d)


@register.filter
def slip_error(slip) -> str:
    """Why a slip could not be calculated, in the reader's language (the English record for slips
    calculated before the problem was kept as data)."""
    from ..services.formula_messages import problem_message

    return problem_message(slip.error_detail) or slip.error

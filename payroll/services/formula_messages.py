"""Translated sentences for the pure engines' error codes (the engines have no Django)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def message_for(exc) -> str:
    """The formula engine's error in the reader's language: its English template (marked for
    makemessages in payroll/engine/formula.py) translated, then filled with its parameters."""
    template = getattr(exc, "template", None)
    if not template:
        return str(exc)
    try:
        return _(template) % getattr(exc, "params", {})
    except (KeyError, TypeError, ValueError):
        return str(exc)


DECLARATION_MESSAGES = {
    "children_negative": gettext_lazy("The number of children cannot be negative."),
    "infants_negative": gettext_lazy("The number of infants cannot be negative."),
    "child_share_invalid": gettext_lazy("The share for children must be 100% or 50%."),
    "infant_share_invalid": gettext_lazy("The share for infants must be 100% or 50%."),
    "housing_loan_share_invalid": gettext_lazy("The share of loan interest must be 100% or 50%."),
    "housing_loan_and_rent": gettext_lazy("Housing loan interest and housing rent cannot both be deducted."),
    "rent_city_class_invalid": gettext_lazy("The rent city class must be 0 to 3."),
    "elderly_share_negative": gettext_lazy("The elderly-support share cannot be negative."),
    "elderly_share_over_limit": gettext_lazy(
        "Someone who is not an only child can deduct at most 1,500 a month for elderly support."
    ),
    "elderly_share_with_only_child": gettext_lazy("An only child deducts the full 3,000; leave the share empty."),
}


def declaration_message(code: str) -> str:
    return str(DECLARATION_MESSAGES.get(code, code))


def problem_message(detail) -> str:
    """A slip's stored problem (payroll.engine.payslip.describe: English source texts with their
    parameters, nested problems inside) in the reader's language; "" for no problem."""
    if not isinstance(detail, dict) or not detail:
        return ""
    if "declaration" in detail:
        return "；".join(declaration_message(str(code)) for code in detail["declaration"] or ())
    template = detail.get("template")
    if not template:
        return str(detail.get("text", ""))
    params = {k: problem_message(v) if isinstance(v, dict) else v for k, v in (detail.get("params") or {}).items()}
    try:
        return _(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)

"""Translated sentences for the pure engines' error codes (the engines have no Django)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from ..engine.problems import describe, render


def message_for(exc) -> str:
    """An engine error (a FormulaError with its English template, marked for makemessages in
    payroll/engine/formula.py) in the reader's language."""
    return problem_message(describe(exc))


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


def problem_message(item) -> str:
    """A stored problem (payroll.engine.problems) in the reader's language; "" for none."""
    return render(item or {}, gettext, lambda codes: " ".join(declaration_message(c) for c in codes))

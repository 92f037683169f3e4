"""The typed fields of each kind of handover item, and their validation (pure: no ORM, no clock).

A handover item stores what the leaver filled in as ``HandoverItem.data``: a dict of the field
names below to JSON-safe strings (a date as ``YYYY-MM-DD``, an amount as ``"1234.50"``). The
form, the service and the read-only page all read the same table, so a field is declared once.

``clean_item_data(kind, data)`` normalises a draft (unknown keys dropped, whitespace stripped,
full-width digits and punctuation folded, dates and amounts parsed) and returns ``(cleaned,
errors)``; ``complete=True`` also reports the required fields that are still empty (used when
the item is submitted). Errors are translated messages keyed by field name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEXT = "text"
TEXTAREA = "textarea"
CHOICE = "choice"
DATE = "date"
DECIMAL = "decimal"

TEXT_MAX = 200
TEXTAREA_MAX = 4000
AMOUNT_MAX = Decimal("999999999999.99")  # fits DecimalField(max_digits=14, decimal_places=2)

COMPANY_SIZES: tuple[tuple[str, object], ...] = (
    ("<50", gettext_lazy("Fewer than 50 people")),
    ("50-200", gettext_lazy("50–200 people")),
    ("200-1000", gettext_lazy("200–1,000 people")),
    (">1000", gettext_lazy("More than 1,000 people")),
)


@dataclass(frozen=True)
class ItemField:
    name: str
    label: object  # a lazily translated label
    type: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, object], ...] = ()
    help_text: object = ""

    @property
    def max_length(self) -> int | None:
        return {TEXT: TEXT_MAX, TEXTAREA: TEXTAREA_MAX}.get(self.type)


FIELDS: dict[str, tuple[ItemField, ...]] = {
    "customer": (
        ItemField("customer_name", gettext_lazy("Customer name"), TEXT, required=True),
        ItemField(
            "contact",
            gettext_lazy("Contact person and contact details"),
            TEXT,
            required=True,
            help_text=gettext_lazy("Name, position, phone or e-mail of the person you deal with."),
        ),
        ItemField("company_size", gettext_lazy("Company size"), CHOICE, choices=COMPANY_SIZES),
        ItemField("industry", gettext_lazy("Industry"), TEXT),
    ),
    "cooperation": (
        ItemField("contract_no", gettext_lazy("Contract number"), TEXT, required=True),
        ItemField("contract_end", gettext_lazy("Contract end date"), DATE),
        ItemField("outstanding_amount", gettext_lazy("Outstanding amount (CNY)"), DECIMAL),
        ItemField("open_orders", gettext_lazy("Open orders"), TEXTAREA),
    ),
    "preferences": (
        ItemField("buying_habits", gettext_lazy("Buying habits"), TEXTAREA),
        ItemField("decision_makers", gettext_lazy("Key decision makers"), TEXTAREA, required=True),
        ItemField("special_requirements", gettext_lazy("Special requirements"), TEXTAREA),
    ),
    "documents": (
        ItemField(
            "description",
            gettext_lazy("Description"),
            TEXTAREA,
            required=True,
            help_text=gettext_lazy(
                "What the files are (contract scans, communication records) and where the originals are kept."
            ),
        ),
    ),
    "general": (ItemField("notes", gettext_lazy("Handover notes"), TEXTAREA, required=True),),
}


def fields_for(kind: str) -> tuple[ItemField, ...]:
    return FIELDS.get(str(kind), ())


def _fold(value) -> str:
    """Full-width characters to half-width (a Chinese input method's １２３，．), trimmed."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(text: str) -> date | None:
    """2026-07-01, 2026/7/1, 2026.7.1 or 2026年7月1日 -> date; anything else -> None."""
    text = _fold(text)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def parse_amount(text: str) -> Decimal | None:
    """ "¥12,345.6" / "12345.60元" / "１２３４" -> Decimal; anything else -> None."""
    text = _fold(text).replace(",", "").replace(" ", "")
    text = text.removeprefix("¥").removeprefix("￥").removeprefix("CNY").removesuffix("元")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None


def _clean_value(field: ItemField, raw) -> tuple[str, str | None]:
    """(stored value, error message or None) for one non-empty value."""
    if field.type in (TEXT, TEXTAREA):
        text = str(raw).strip() if field.type == TEXTAREA else _fold(raw)
        text = text.replace("\r\n", "\n")
        if len(text) > (field.max_length or 0):
            return text, _("%(field)s is too long: at most %(max)s characters (now %(count)s).") % {
                "field": field.label,
                "max": field.max_length,
                "count": len(text),
            }
        return text, None
    value = _fold(raw)
    if field.type == CHOICE:
        allowed = [code for code, _label in field.choices]
        if value not in allowed:
            labels = "、".join(str(label) for _code, label in field.choices)
            return value, _("Choose one of the listed values for %(field)s: %(choices)s.") % {
                "field": field.label,
                "choices": labels,
            }
        return value, None
    if field.type == DATE:
        parsed = parse_date(value)
        if parsed is None:
            return value, _("%(field)s: “%(value)s” is not a date. Enter it as YYYY-MM-DD, for example 2026-07-01.") % {
                "field": field.label,
                "value": value,
            }
        return parsed.isoformat(), None
    if field.type == DECIMAL:
        amount = parse_amount(value)
        if amount is None:
            return value, _("%(field)s: “%(value)s” is not an amount. Enter a number such as 12500.00.") % {
                "field": field.label,
                "value": value,
            }
        if amount < 0:
            return value, _("%(field)s cannot be negative; enter 0 if nothing is outstanding.") % {"field": field.label}
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            return value, _("%(field)s has more than two decimal places (fen); round it to 0.01.") % {
                "field": field.label
            }
        if amount > AMOUNT_MAX:
            return value, _("%(field)s is too large.") % {"field": field.label}
        return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)), None
    raise ValueError(f"unknown field type {field.type!r}")  # pragma: no cover


def clean_item_data(kind: str, data: dict | None, *, complete: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """Normalise the fields of one item of `kind`: (cleaned, errors). Empty fields are left out of
    `cleaned`; with `complete=True` an empty required field is an error."""
    data = data or {}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in fields_for(kind):
        raw = data.get(field.name)
        if raw is None or _fold(raw) == "":
            if complete and field.required:
                errors[field.name] = _("Fill in %(field)s before submitting.") % {"field": field.label}
            continue
        value, error = _clean_value(field, raw)
        if error:
            errors[field.name] = error
        else:
            cleaned[field.name] = value
    return cleaned, errors


def missing_required(kind: str, data: dict | None) -> list[str]:
    """The names of the required fields of `kind` that are empty in `data`."""
    data = data or {}
    return [f.name for f in fields_for(kind) if f.required and _fold(data.get(f.name)) == ""]


def display_value(field: ItemField, value) -> str:
    """The value as a person reads it: a choice's label, an amount as ¥12,345.60."""
    if value in (None, ""):
        return ""
    if field.type == CHOICE:
        return str(dict(field.choices).get(value, value))
    if field.type == DECIMAL:
        amount = parse_amount(str(value))
        return f"¥{amount:,.2f}" if amount is not None else str(value)
    return str(value)


def display_rows(kind: str, data: dict | None) -> list[tuple[ItemField, str]]:
    """(field, shown value) for every field of `kind`, in order (empty ones with "")."""
    data = data or {}
    return [(f, display_value(f, data.get(f.name))) for f in fields_for(kind)]

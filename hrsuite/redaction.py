"""Long numbers (a national ID number, a bank account) cut to their last four characters wherever
text leaves the application for people other than HR: the access log (hrsuite/gunicorn_conf.py)
and Django's error reports (hrsuite/error_reports.py). Pure Python, no Django."""

from __future__ import annotations

import re

# 12 to 30 digits (the last may be an ID number's X), optionally split by spaces, as typed or
# URL-encoded (+, %20): a search box sends "6222 0212 3456 7890" as it was typed
LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d(?:(?:\+|%20| )?\d){10,28}(?:\+|%20| )?[\dXx](?![0-9A-Za-z])")
_SEPARATOR = re.compile(r"\+|%20| ")


def _last_four(match: re.Match) -> str:
    return "****" + _SEPARATOR.sub("", match.group(0))[-4:]


def mask_long_numbers(text: str) -> str:
    """`text` with every ID-number-like or bank-account-like number masked: ****1234."""
    return LONG_NUMBER.sub(_last_four, text)

"""Encryption at rest for personal data (national ID, bank account) and blind indexes.

* Encrypted fields use Fernet (AES-128-CBC + HMAC-SHA256) with keys from FIELD_ENCRYPTION_KEYS,
  which are separate from SECRET_KEY. The first key encrypts; every key decrypts, so a key is
  rotated by prepending a new one and running `manage.py rotate_field_keys`, then removing the
  old key once the command has finished.
* A blind index is an HMAC-SHA256 of the normalised value under BLIND_INDEX_KEY: equal values
  give equal indexes, so "find the employee with this ID number" is one indexed lookup and the
  database never needs the clear value.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with any configured key (a lost or wrong key).
    Raised rather than showing ciphertext or silently re-encrypting it."""


class _EncryptedMixin:
    """Values are clear text in Python and Fernet tokens in the database. Empty stays empty.
    Equality lookups on the column are meaningless (tokens are randomised): search through a
    blind index column instead."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None or value == "":
            return value
        return fernet().encrypt(str(value).encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return fernet().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise DecryptionError(
                f"{self.model.__name__}.{self.name} cannot be decrypted with FIELD_ENCRYPTION_KEYS"  # type: ignore[attr-defined]
            ) from exc


class EncryptedCharField(_EncryptedMixin, models.CharField):
    pass


class EncryptedTextField(_EncryptedMixin, models.TextField):
    pass


def blind_index(value: str | None, *, purpose: str) -> str:
    """HMAC of a normalised value; `purpose` separates indexes of different fields."""
    if not value:
        return ""
    if not settings.BLIND_INDEX_KEY:
        raise ImproperlyConfigured("BLIND_INDEX_KEY is empty.")
    normalised = "".join(str(value).split()).upper()
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{normalised}".encode(), hashlib.sha256).hexdigest()


def last4(value: str | None) -> str:
    return "".join(str(value or "").split())[-4:]


def mask(value_last4: str, *, total: int = 18) -> str:
    """A display form that shows only the last four characters: ************1234."""
    if not value_last4:
        return ""
    return "•" * max(total - len(value_last4), 4) + value_last4


def audit_mask(value) -> str:
    """Used by the audit log for encrypted fields: never more than the last four characters."""
    text = str(value or "")
    return mask(last4(text), total=8) if text else ""

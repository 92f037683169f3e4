"""What keeps the feedback box anonymous outside its own tables.

* `secret_hash`: the poster's one-time secret is stored only as a keyed hash (HMAC with the
  site's SECRET_KEY), so the stored value cannot be turned back into the secret and a lookup
  needs no per-thread scan. Rotating SECRET_KEY invalidates existing secrets (threads stay).
* `new_secret`: 16 characters of an unambiguous alphabet (80 bits), shown in groups of four.
* The posting and following paths are listed in settings.HRSUITE_ANONYMOUS_PATHS: the session
  stamp and the access log's client details are left out for them, by path (hrsuite.anonymity).
* The audit log has no feedback model registered and the notifications go out in a digest
  (relations.services_feedback.feedback_digest), never at the moment of posting.
"""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
SECRET_LENGTH = 16


def new_secret() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def normalise_secret(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch in ALPHABET)


def secret_hash(secret: str) -> str:
    return salted_hmac("hrsuite.relations.feedback", normalise_secret(secret), algorithm="sha256").hexdigest()

"""What keeps the feedback box anonymous outside its own tables.

* `secret_hash`: the poster's one-time secret is stored only as a keyed hash (HMAC with the
  site's SECRET_KEY), so the stored value cannot be turned back into the secret and a lookup
  needs no per-thread scan. Rotating SECRET_KEY invalidates existing secrets (threads stay).
* `new_secret`: 16 characters of an unambiguous alphabet (80 bits), shown in groups of four.
* `ANONYMOUS_PATHS` and `redact_access_log`: gunicorn's access log (hrsuite/gunicorn_conf.py)
  writes "-" for the client address and user agent of these paths, so the line that records a
  posting says nothing about who posted.
* `anonymous_view`: marks the request so nothing below records the user for it; the audit log
  has no feedback model registered and the notifications go out in a digest (relations.services
  .feedback_digest), never at the moment of posting.
"""

from __future__ import annotations

import secrets
from functools import wraps

from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
SECRET_LENGTH = 16
ANONYMOUS_PATHS = ("/me/feedback/new/", "/me/feedback/follow/")


def new_secret() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def normalise_secret(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch in ALPHABET)


def secret_hash(secret: str) -> str:
    return salted_hmac("hrsuite.relations.feedback", normalise_secret(secret), algorithm="sha256").hexdigest()


def is_anonymous_path(path: str) -> bool:
    return any(path.startswith(p) for p in ANONYMOUS_PATHS)


# the atoms an anonymous path keeps: request line, method, path, query, protocol, status, size,
# time, duration and worker. Everything else is "-": the client's address, user, referrer and
# agent, and every request header ({user-agent}i, {cookie}i with the session key,
# {x-forwarded-for}i), response header and WSGI variable ({remote_addr}e, {http_user_agent}e),
# so no access_log_format can print them.
KEPT_ATOMS = frozenset(("l", "t", "r", "s", "m", "U", "q", "H", "b", "B", "T", "D", "M", "L", "p"))


def redact_access_log(atoms: dict) -> dict:
    """Gunicorn access-log atoms with the client's address, user, agent and headers removed for
    the anonymous paths (the request line and status stay: operators still see the traffic)."""
    path = atoms.get("U", "")
    if not is_anonymous_path(path):
        return atoms
    return {key: (value if key in KEPT_ATOMS else "-") for key, value in atoms.items()}


def anonymous_view(view):
    """Mark a request as anonymous (`request.hrsuite_anonymous`); middleware and loggers that
    would otherwise record the user check it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.hrsuite_anonymous = True
        return view(request, *args, **kwargs)

    return wrapper

"""Requests that must leave no trace of who sent them (settings.HRSUITE_ANONYMOUS_PATHS; today
the anonymous feedback box of relations, whose own rules live in relations.anonymity).

* `is_anonymous_path`: the idle-timeout middleware does not stamp the session on these paths,
  where the stamp would date the post against the poster's session.
* `redact_access_log`: gunicorn's access log (hrsuite/gunicorn_conf.py) writes "-" for the client
  address, user, agent and every header of these paths, so the line that records a posting says
  nothing about who posted.
"""

from __future__ import annotations

from django.conf import settings


def is_anonymous_path(path: str) -> bool:
    return any(path.startswith(p) for p in settings.HRSUITE_ANONYMOUS_PATHS)


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

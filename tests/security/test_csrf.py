"""CSRF is enforced on every state-changing request (issue 11).

The URL configuration is walked (the Django admin included); every route is sent a POST, PUT,
PATCH and DELETE without a token, or with a forged one, by an anonymous visitor and by signed-in
users of several roles, through a client that enforces CSRF checks. Each must be refused by the
CSRF check itself (its own 403 page, not a permission 403 or a 405), which also proves that no view
is ``csrf_exempt`` by accident. A route that may take unprotected writes must be listed in
EXEMPT with the reason; the list is empty.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid

import pytest
from django.test import Client

from tests.security.routes import routes

pytestmark = pytest.mark.django_db

# route -> why it may accept a write without a CSRF token. Health checks are GET only.
EXEMPT: dict[str, str] = {}
SAMPLE = {"int": "999999", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def _concrete(route: str) -> str:
    """A URL that resolves to the route: converters get sample values; a regex route (the admin)
    gets a sample path that matches it."""
    if route.startswith("^") or "(?P<" in route:
        path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route).lstrip("^").rstrip("$").replace("\\", "")
        return "/" + path
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)


ROUTES = sorted({r.route: _concrete(r.route) for r in routes()}.items())


def test_the_walk_covers_the_whole_url_configuration():
    names = {r.pattern.name for r in routes() if r.pattern.name}
    assert len(ROUTES) > 300, len(ROUTES)
    for expected in ("login", "logout", "apply", "healthz", "set_language", "run_finalize", "feedback_reply"):
        assert expected in names
    for route, url in ROUTES:
        from django.urls import Resolver404, resolve

        try:
            resolve(url)
        except Resolver404:
            pytest.fail(f"{route}: the sample URL {url} does not resolve")


def test_no_view_is_csrf_exempt():
    exempt = sorted(r.route for r in routes() if getattr(r.pattern.callback, "csrf_exempt", False))
    assert exempt == sorted(EXEMPT), exempt


@pytest.fixture
def clients(people):
    made = {"anonymous": Client(enforce_csrf_checks=True)}
    for role in ("hr_admin", "payroll", "manager", "employee"):
        c = Client(enforce_csrf_checks=True)
        c.force_login(people["users"][role])
        made[role] = c
    return made


class _Rejections(logging.Handler):
    """Django's CSRF check logs every request it refuses on django.security.csrf: counting those
    tells its 403 from a permission 403, whatever the language of the page."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


@pytest.fixture
def rejections():
    handler = _Rejections()
    logger = logging.getLogger("django.security.csrf")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _refused_by_csrf(send, rejections) -> tuple[bool, int]:
    before = rejections.count
    response = send()
    return response.status_code == 403 and rejections.count == before + 1, response.status_code


def test_every_write_without_a_valid_token_is_refused(clients, rejections):
    tried = 0
    allowed = []
    forged = "F" * 64
    for route, url in ROUTES:
        if route in EXEMPT:
            continue
        probes = [(role, "post", {}) for role in clients]
        probes += [("hr_admin", method, {}) for method in ("put", "patch", "delete")]
        probes += [("employee", "post", {"HTTP_X_CSRFTOKEN": forged, "HTTP_HX_REQUEST": "true"})]
        for role, method, headers in probes:
            client = clients[role]
            if headers:
                client.cookies["csrftoken"] = "G" * 32  # a cookie the forged header does not match
            send = functools.partial(getattr(client, method), url, **headers)
            refused, status = _refused_by_csrf(send, rejections)
            tried += 1
            if not refused:
                allowed.append((route, role, method.upper(), status))
    assert allowed == [], allowed
    assert tried > 2000


def test_the_same_request_with_a_valid_token_gets_past_the_check(clients, people, rejections):
    """The probe can tell: with the session's token the login, logout and language forms are
    not refused by CSRF."""
    anonymous = clients["anonymous"]
    anonymous.get("/accounts/login/")
    token = anonymous.cookies["csrftoken"].value
    data = {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    assert _refused_by_csrf(lambda: anonymous.post("/i18n/setlang/", data), rejections) == (False, 302)
    data = {"username": "employee", "password": people["password"], "csrfmiddlewaretoken": token}
    assert _refused_by_csrf(lambda: anonymous.post("/accounts/login/", data), rejections) == (False, 302)
    token = anonymous.cookies["csrftoken"].value  # rotated at login
    send = lambda: anonymous.post("/accounts/logout/", HTTP_X_CSRFTOKEN=token)  # noqa: E731
    assert _refused_by_csrf(send, rejections) == (False, 302)
    # and without the token the same three are refused by the check
    fresh = Client(enforce_csrf_checks=True)
    for url in ("/i18n/setlang/", "/accounts/login/", "/accounts/logout/"):
        assert _refused_by_csrf(functools.partial(fresh.post, url, {"next": "/"}), rejections) == (True, 403)

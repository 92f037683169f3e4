"""The permission matrix, generated from the URL configuration: every URL name of the suite (with
real object ids from tests/security/world.py) × every role (anonymous, employee, another
department's employee, another department's manager, manager, HR, payroll, HR administrator) →
the outcome written in tests/security/matrix.py (200, 302 to the login page, 403, 404, or a
designed redirect). A URL without an entry fails, so nobody can add an unguarded page.

Django's own admin (django-admin/) is checked separately: it is for staff accounts only, and none
of the roles is staff. The sign-in pages and the language switch are the only other URLs left
out, each with its reason in ALLOWED_PUBLIC.

The world is built once per module (one outer transaction, rolled back at the end); each test is
one request in a savepoint of it, so the ~2,500 cases stay fast."""

from __future__ import annotations

from itertools import combinations
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.security.matrix import HEALTH, MATRIX, OK, VARIANTS, L, R, Redirect
from tests.security.routes import routes
from tests.security.world import ROLES, client_as, post_data, url_for

# URL names deliberately outside the matrix, with the reason.
ALLOWED_PUBLIC = {
    "accounts:login": "the sign-in page itself (login lockout and open-redirect tests cover it)",
    "accounts:logout": "signing out: POST only, ends the session, shows nothing (session tests cover it)",
    "accounts:password_change": "changing one's own password: login_required, nobody else's data",
    "set_language": "Django's language switch: stores the choice in a cookie, shows no data",
}
# URL namespaces checked by their own test below.
SEPARATE_NAMESPACES = {"admin": "Django's admin, for is_staff accounts only: test_django_admin_is_staff_only"}


def _names() -> list[str]:
    return list(dict.fromkeys(r.name for r in routes() if r.name))


def url_names() -> list[str]:
    """Every named URL of the URLconf, in order, except the allowed public ones and the
    namespaces checked separately."""
    return [n for n in _names() if n not in ALLOWED_PUBLIC and n.split(":", 1)[0] not in SEPARATE_NAMESPACES]


def admin_url_names() -> list[str]:
    return [n for n in _names() if n.split(":", 1)[0] == "admin"]


URL_NAMES = url_names()


# --- fixtures ---------------------------------------------------------------------------------


# `world` and the media/cache fixture: tests/security/conftest.py


@pytest.fixture(scope="module", autouse=True)
def _no_worker_ping():
    """The health checks ping Celery workers with a 1 s timeout; no worker runs here, so the
    answer ("no worker answered") is given at once. Access, not health, is tested."""
    from hrsuite.ops import health

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(health, "check_workers", lambda redis_ok: health.Check(ok=False, detail="no worker answered"))
        yield


# --- the outcome check ------------------------------------------------------------------------


def _errors_flashed(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    return [str(m.message) for m in getattr(storage, "_queued_messages", []) if m.level >= message_levels.ERROR]


def _refusal_flashed(response, refusal: str) -> bool:
    """The permission guard's message, in the language of the request, is among the errors
    flashed (another error — a form or business rule — is not a refusal of the outsider)."""
    with translation.override(getattr(response.wsgi_request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
        expected = translation.gettext(refusal)
    return expected in _errors_flashed(response)


# tables a refused request may still write: the signed-in session (its flashed message)
UNCHANGED_EXCEPT = {"sessions.session"}


def database_snapshot() -> dict[str, list]:
    """Every row of every table the suite manages, for "nothing changed" after a refusal."""
    snapshot = {}
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower in UNCHANGED_EXCEPT:
            continue
        snapshot[meta.label_lower] = list(model._base_manager.order_by("pk").values_list())
    return snapshot


def _target(redirect: Redirect, kwargs: dict) -> str:
    try:
        return reverse(redirect.target, kwargs=kwargs)
    except NoReverseMatch:
        return reverse(redirect.target)


def describe(expected) -> str:
    return {
        L: "302 to the login page",
        R: "a refusal (403/404 or 302 with the guard's message)",
        HEALTH: "200/503",
    }.get(expected, str(expected))


def outcome_matches(response, expected, *, method: str, kwargs: dict, refusal: str = "") -> bool:
    status = response.status_code
    path = urlsplit(response.get("Location", "")).path
    login = resolve_url(settings.LOGIN_URL)
    if expected == L:
        return status == 302 and path == login
    if expected == OK:
        if method == "GET":
            return status == 200
        return status in (200, 302, 400) and not (status == 302 and path == login)
    if expected == R:
        return status in (403, 404) or (status == 302 and path != login and _refusal_flashed(response, refusal))
    if expected == HEALTH:
        return status in (200, 503) and response["Content-Type"].startswith("application/json")
    if isinstance(expected, Redirect):
        return status == 302 and path == _target(expected, kwargs)
    return status == expected


def probe(world, key: str, role: str):
    entry = MATRIX.get(key) or VARIANTS[key]
    name = key.split("@", 1)[0]
    url, kwargs = url_for(world, name, entry)
    client = client_as(world, role)
    response = client.post(url, post_data(world, entry)) if entry.method == "POST" else client.get(url)
    if response.streaming:  # read to the end: the test client then closes the file (never close()
        b"".join(response.streaming_content)  # by hand: request_finished would close the connection)
    return url, kwargs, response


# --- the tests --------------------------------------------------------------------------------


def test_every_url_has_an_entry():
    missing = [n for n in URL_NAMES if n not in MATRIX]
    stale = sorted(set(MATRIX) - set(URL_NAMES))
    assert not missing, "add " + ", ".join(missing) + " to tests/security/matrix.py"
    assert not stale, "remove " + ", ".join(stale) + " from tests/security/matrix.py (no such URL)"


def test_every_entry_names_every_role_and_real_world_objects(world, db):
    for key in VARIANTS:
        assert key.split("@", 1)[0] in MATRIX, f"{key}: a variant of a URL the matrix does not list"
    for name, entry in {**MATRIX, **VARIANTS}.items():
        assert len(entry.access) == len(ROLES), f"{name}: {len(entry.access)} outcomes for {len(ROLES)} roles"
        assert entry.method in ("GET", "POST"), name
        for spec in entry.kwargs.values():
            if not spec.startswith("="):
                assert getattr(world, spec, None) is not None, f"{name}: the world has no {spec}"


def test_every_refused_row_sends_a_valid_request_and_names_its_refusal():
    """An R row must reach the permission guard: its POST carries a valid body (`data`; {} when
    the action takes no fields), so a form error cannot pass for the refusal, and it names the
    guard's message, so a business-rule refusal cannot either."""
    for name, entry in {**MATRIX, **VARIANTS}.items():
        if R in entry.access:
            assert entry.method == "POST", f"{name}: R is an outcome of a POST"
            assert entry.data is not None, f"{name}: give the R row valid `data` (a refusal must come from the guard)"
            assert entry.refusal, f"{name}: name the permission guard's message in `refusal`"


def test_the_refusals_named_are_translated_messages():
    """Each `refusal` is a message of the suite's catalogue (a typo would never match a flash)."""
    for name, entry in {**MATRIX, **VARIANTS}.items():
        if entry.refusal:
            with translation.override("zh-hans"):
                assert translation.gettext(entry.refusal) != entry.refusal, (
                    f"{name}: {entry.refusal!r} is not translated"
                )


def test_the_refused_rows_pass_for_the_roles_allowed(world, db):
    """Positive control of the R rows: the same valid request, sent by a role the row allows,
    is not refused (no error flashed), so the outsider's refusal comes from the guard alone."""
    for name, entry in {**MATRIX, **VARIANTS}.items():
        if R not in entry.access:
            continue
        for role, expected in zip(ROLES, entry.access, strict=True):
            if expected != OK:
                continue
            with transaction.atomic():
                _url, _kwargs, response = probe(world, name, role)
                assert response.status_code == 302 and not _errors_flashed(response), (
                    f"{name} as {role}: the valid request was refused: {_errors_flashed(response)}"
                )
                transaction.set_rollback(True)


def test_personal_data_of_employee_a_is_closed_to_the_other_department():
    """The table itself never lets another department's employee or manager at A's data."""
    other = (ROLES.index("other_employee"), ROLES.index("other_manager"))
    for name, entry in {**MATRIX, **VARIANTS}.items():
        if entry.personal:
            for i in other:
                assert entry.access[i] in (403, 404, R), f"{name}: {ROLES[i]} may not reach employee A's data"
            assert entry.access[ROLES.index("anonymous")] == L, f"{name}: anonymous must be sent to sign in"


def test_the_world_has_the_roles_the_matrix_assumes(world, db):
    from hrsuite.roles import roles_of

    assert {r for r in ROLES if r != "anonymous"} <= set(world.users)
    assert not any(u.is_staff or u.is_superuser for u in world.users.values())
    assert "manager" in roles_of(world.users["manager"]) and world.department_a.head_id == world.emps["manager"].pk
    assert world.department_b.head_id == world.emps["other_manager"].pk
    assert world.employee_a.department_id == world.department_a.pk
    assert world.employee_b.department_id == world.department_b.pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", URL_NAMES + list(VARIANTS))
def test_access(world, db, name, role):
    if name not in MATRIX and name not in VARIANTS:
        pytest.fail(f"add {name} to tests/security/matrix.py")
    entry = MATRIX.get(name) or VARIANTS[name]
    expected = entry.access[ROLES.index(role)]
    before = database_snapshot() if expected == R else None
    url, kwargs, response = probe(world, name, role)
    got = f"{response.status_code} {response.get('Location', '')}".strip()
    if expected == R:
        got += f" {_errors_flashed(response)}"
    assert response.status_code != 500, f"{entry.method} {url} as {role}: server error"
    assert outcome_matches(response, expected, method=entry.method, kwargs=kwargs, refusal=entry.refusal), (
        f"{entry.method} {url} ({name}) as {role}: expected {describe(expected)}, got {got}"
        + (f" — {entry.note}" if entry.note else "")
    )
    if before is not None:
        after = database_snapshot()
        changed = sorted(label for label in before if before[label] != after[label])
        assert not changed, f"{entry.method} {url} as {role} was refused but changed {', '.join(changed)}"


def admin_url(name: str, world) -> str | None:
    """The admin URL `name` with whichever of its arguments it takes (an existing user's id)."""
    args = {
        "object_id": str(world.users["employee"].pk),
        "id": str(world.users["employee"].pk),
        "content_type_id": "1",
        "app_label": "auth",
    }
    for size in range(len(args), -1, -1):
        for combo in combinations(args, size):
            try:
                return reverse(name, kwargs={k: args[k] for k in combo})
            except NoReverseMatch:
                continue
    return None


@pytest.mark.parametrize("role", ROLES)
def test_django_admin_is_staff_only(world, db, role):
    """Every page of Django's admin sends every role (none is staff) to the admin sign-in page;
    nobody gets a 200 there."""
    login = reverse("admin:login")
    checked = 0
    for name in admin_url_names():
        if name in ("admin:login", "admin:logout"):  # the sign-in form; signing out (a GET does nothing)
            continue
        url = admin_url(name, world)
        assert url is not None, f"cannot build {name}"
        response = client_as(world, role).get(url)
        path = urlsplit(response.get("Location", "")).path
        assert response.status_code == 302 and path == login, (
            f"{url} as {role}: expected 302 to {login}, got {response.status_code} {path}"
        )
        checked += 1
    assert checked >= 20

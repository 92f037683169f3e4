"""Sign-in, sessions and security headers under production settings.

What tests/core/test_auth.py already covers is not repeated here (lockout and its unlock, logout,
idle timeout, password change, the `next` redirect; `check --deploy --fail-level WARNING` is in
tests/core/test_setup_commands.py). This module adds:

* the production settings themselves, read from `hrsuite.settings.prod` in a subprocess with the
  environment a deployment gives it (cookie flags, HSTS, frame denial, nosniff, referrer policy);
* the headers of real responses served with those settings and the production middleware: a CSP
  whose script-src allows no inline script, HSTS on https, frame denial, the HTTPS redirect, the
  Secure/HttpOnly/SameSite flags of the session and CSRF cookies as they are sent;
* session fixation (a new session key at sign-in) and a copied session cookie that stops working
  after sign-out;
* `Cache-Control: no-store` on every page and file that carries pay, ID numbers or bank accounts
  (the list is `NO_STORE` below: one row per URL, each tested);
* a scan of every template for inline script and inline event handlers, which the CSP would block.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "hrsuite.settings.prod",
    "SECRET_KEY": "p4#Lw9!qZ7@vK2$xR8^tY1&uJ6*oP3(aS5)dF0_gH2+jM7=nZ9-cC4~bB8",
    "ALLOWED_HOSTS": "hr.example.com,testserver",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMDEyMzQ1Njc4OSE=",
    "BLIND_INDEX_KEY": "blind-index-key-for-the-headers-test",
}

# the settings a production deployment must have, and the middleware it runs
PROD_NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_IDLE_TIMEOUT",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "X_FRAME_OPTIONS",
    "MIDDLEWARE",
    "PASSWORD_HASHERS",
    "AXES_FAILURE_LIMIT",
]

_READ_SETTINGS = (
    "import json, sys, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}, default=list))"
)


@pytest.fixture(scope="module")
def prod():
    """The production settings as `hrsuite.settings.prod` computes them from the environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(PROD_ENV)
    result = subprocess.run(
        [sys.executable, "-c", _READ_SETTINGS, *PROD_NAMES],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookie_and_transport_settings(prod):
    assert prod["DEBUG"] is False
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert prod["SECURE_REFERRER_POLICY"] in {"same-origin", "strict-origin", "no-referrer"}
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert prod["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert 0 < prod["SESSION_IDLE_TIMEOUT"] <= 60 * 60
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["LANGUAGE_COOKIE_SECURE"] is True
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["AXES_FAILURE_LIMIT"] <= 10
    # a real password hash in production (the test settings use a fast one)
    assert prod["PASSWORD_HASHERS"][0].endswith(("Argon2PasswordHasher", "PBKDF2PasswordHasher"))
    for needed in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "hrsuite.core.middleware.SecurityHeadersMiddleware",
        "hrsuite.accounts.middleware.IdleTimeoutMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert needed in prod["MIDDLEWARE"], needed


# --- responses served with the production settings -------------------------------------------------


@pytest.fixture
def prod_like(prod, settings):
    """This process serves requests with the production values of every setting read above."""
    for name, value in prod.items():
        if name in {"DEBUG", "PASSWORD_HASHERS"}:
            continue  # DEBUG is already False in tests; hashing stays fast
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    settings.ALLOWED_HOSTS = ["hr.example.com", "testserver"]
    return settings


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_security_headers(response):
    csp = csp_directives(response["Content-Security-Policy"])
    script = csp.get("script-src", csp.get("default-src"))
    assert script is not None
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    hsts = response["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains(; preload)?", hsts), hsts
    assert int(re.match(r"max-age=(\d+)", hsts).group(1)) >= 31536000


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S)


def assert_no_inline_script(html: str, where: str):
    assert not INLINE_SCRIPT.search(html), f"{where}: inline <script> {INLINE_SCRIPT.search(html).group(0)}"
    found = INLINE_HANDLER.search(html)
    assert not found, f"{where}: inline event handler in {found.group(0)[-120:]}"


@pytest.mark.django_db
def test_login_page_over_https_carries_every_security_header(prod_like):
    response = Client().get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_inline_script(response.text, "login page")
    csrf = response.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_and_gets_no_hsts(prod_like):
    response = Client().get(reverse("accounts:login"), secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response  # HSTS is only meaningful over https


@pytest.mark.django_db
def test_https_behind_the_proxy_header_counts_as_secure(prod_like):
    response = Client().get(reverse("accounts:login"), headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.django_db
def test_session_cookie_flags_at_sign_in(prod_like, people):
    client = Client()
    client.get(reverse("accounts:login"), secure=True)
    response = client.post(
        reverse("accounts:login"), {"username": "employee", "password": people["password"]}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # ends with the browser


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["employee", "manager", "hr", "payroll", "hr_admin"])
def test_signed_in_pages_carry_the_headers_and_no_inline_script(prod_like, client_for, people, role):
    client = client_for(role)
    for name in ("core:dashboard", "selfservice:home", "selfservice:profile", "mypay:list"):
        response = client.get(reverse(name), secure=True)
        assert response.status_code == 200, (role, name)
        assert_security_headers(response)
        assert_no_inline_script(response.text, f"{name} as {role}")


# --- sessions ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_issues_a_new_session_key(people):
    """Session fixation: a key planted before sign-in is not the key of the signed-in session."""
    client = Client()
    client.get(reverse("accounts:login"))
    session = client.session
    session["planted"] = 1
    session.save()
    before = session.session_key
    client.post(reverse("accounts:login"), {"username": "employee", "password": people["password"]})
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert client.get(reverse("core:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_copied_session_cookie_is_dead_after_sign_out(people):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "employee", "password": people["password"]})
    stolen = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = stolen
    assert thief.get(reverse("core:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    response = thief.get(reverse("core:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_deactivated_user_is_signed_out_at_the_next_request(people):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "employee", "password": people["password"]})
    user = people["users"]["employee"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("mypay:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_lockout_is_lifted_by_the_documented_command(people, settings):
    """SECURITY.md and settings say HR administrators unlock with `manage.py axes_reset_username`."""
    from io import StringIO

    from django.core.management import call_command

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "employee", "password": "wrong-password"})
    blocked = client.post(reverse("accounts:login"), {"username": "employee", "password": people["password"]})
    assert blocked.status_code == 429
    call_command("axes_reset_username", "employee", stdout=StringIO())
    ok = client.post(reverse("accounts:login"), {"username": "employee", "password": people["password"]})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_lockout_does_not_tell_known_from_unknown_user_names(people, settings):
    """An attacker cannot learn which user names exist from the lockout: both lock the same way."""
    pages = []
    for name in ("employee", "no-such-user"):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("accounts:login"), {"username": name, "password": "wrong-password"})
        response = client.post(reverse("accounts:login"), {"username": name, "password": "still-wrong"})
        text = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.text.replace(name, "NAME"))  # CSRF tokens
        pages.append((response.status_code, text))
    assert pages[0][0] == pages[1][0] == 429
    assert pages[0][1] == pages[1][1]


# --- no-store on every page and file with pay, ID numbers or bank accounts ------------------------------


# `world` (built once for the module) and the media/cache fixture: tests/security/conftest.py


def _id(obj):
    return lambda w: [getattr(w, obj).pk]


# (URL name, arguments from the world, role that may see it, method). Pay: payslips and their PDFs,
# runs, pay history, assignments (salary), inputs, declarations, adjustments, pay analytics, the
# bank and tax files, offers (salary), settlements (severance), collaboration bonuses. ID and bank:
# employee detail, edit form, reveal, self-service profile, exports, the bank-account blocklist,
# separation documents.
NO_STORE = [
    ("payroll:runs", None, "payroll", "get"),
    ("payroll:run_detail", _id("run_published"), "payroll", "get"),
    ("payroll:slip_detail", _id("payslip_a"), "payroll", "get"),
    ("payroll:slip_pdf", _id("payslip_a"), "payroll", "get"),
    ("mypay:list", None, "employee", "get"),
    ("mypay:detail", _id("payslip_a"), "employee", "get"),
    ("mypay:pdf", _id("payslip_a"), "employee", "get"),
    ("payroll:pay_history", _id("employee_a"), "payroll", "get"),
    ("payroll:pay_history_pdf", _id("employee_a"), "payroll", "get"),
    ("payroll:pay_history_xlsx", _id("employee_a"), "payroll", "get"),
    ("payroll:assignments", None, "payroll", "get"),
    ("payroll:assignment_detail", _id("employee_a"), "payroll", "get"),
    ("payroll:assignment_create", _id("new_hire"), "payroll", "get"),  # someone without pay yet
    ("payroll:assignment_revise", _id("employee_a"), "payroll", "get"),
    ("payroll:period_inputs", None, "payroll", "get"),
    ("payroll:declarations", None, "payroll", "get"),
    ("payroll:declaration_edit", lambda w: [w.employee_a.pk, 2026], "payroll", "get"),
    ("payroll:adjustments", None, "payroll", "get"),
    ("payroll:adjustment_create", None, "payroll", "get"),
    ("payroll:pay_analytics", None, "payroll", "get"),
    ("payroll:pay_analytics_export", None, "payroll", "get"),
    ("payroll:export_register", _id("run_published"), "payroll", "get"),
    ("payroll:export_bank", _id("run_published"), "payroll", "get"),
    ("payroll:export_tax", _id("run_published"), "payroll", "get"),
    ("payroll:export_contributions", _id("run_published"), "payroll", "get"),
    ("payroll:blocklist", None, "payroll", "get"),
    ("employees:detail", _id("employee_a"), "hr", "get"),
    ("employees:detail", _id("employee_a"), "payroll", "get"),
    ("employees:edit", _id("employee_a"), "hr", "get"),
    ("employees:reveal", lambda w: [w.employee_a.pk, "national_id"], "hr", "post"),
    ("employees:reveal", lambda w: [w.employee_a.pk, "bank_account"], "payroll", "post"),
    ("employees:export", None, "hr", "get"),
    ("employees:team_export", None, "manager", "get"),
    ("employees:document_download", _id("document_a"), "hr", "get"),
    ("selfservice:profile", None, "employee", "get"),
    ("recruiting:offers", None, "hr", "get"),
    ("recruiting:offer_detail", _id("offer"), "hr", "get"),
    ("recruiting:offer_letter", lambda w: [_approved(w.offer, w.users["hr_admin"])], "hr", "get"),
    ("offboarding:case_documents", _id("case"), "hr", "get"),
    ("offboarding:settlement", _id("case"), "hr", "get"),
    ("relations:project_detail", _id("project"), "manager", "get"),
    ("myprojects:home", None, "other_employee", "get"),
]


def _approved(offer, actor) -> int:
    from recruiting.services_offers import offer_approve

    return offer_approve(offer=offer, actor=actor).pk


def _no_store_id(row):
    name, _args, role, _method = row
    return f"{name}-{role}"


@pytest.mark.parametrize("row", NO_STORE, ids=[_no_store_id(r) for r in NO_STORE])
def test_pages_with_pay_or_id_data_are_not_stored(world, db, row):
    name, args, role, method = row
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = reverse(name, args=args(world) if args else None)
    response = getattr(client, method)(url)
    assert response.status_code == 200, (name, response.status_code)
    assert "no-store" in response.get("Cache-Control", ""), (name, response.get("Cache-Control"))


def test_every_payroll_and_self_service_pay_view_is_in_the_list():
    """A new pay page must join NO_STORE: every view of the payroll and my-payslip URLs that
    answers GET is either listed or named here as holding no one's pay."""
    without_personal_pay = {
        # setup: components, structures, policies, input definitions, market data (no person's pay)
        "payroll:components", "payroll:component_create", "payroll:component_edit",
        "payroll:input_definitions", "payroll:input_definition_create", "payroll:input_definition_edit",
        "payroll:structures", "payroll:structure_create", "payroll:structure_detail", "payroll:structure_new_version",
        "payroll:structure_line_add", "payroll:structure_line_edit", "payroll:policies", "payroll:policy_create",
        "payroll:policy_detail", "payroll:policy_edit", "payroll:market_list", "payroll:market_import",
        "payroll:market_template", "payroll:period_inputs_import", "payroll:period_inputs_template",
        "payroll:run_progress",  # a progress bar
    }  # fmt: skip
    listed = {row[0] for row in NO_STORE}
    missing = sorted(_get_views("payroll", "mypay") - listed - without_personal_pay)
    assert missing == [], f"add these pay pages to NO_STORE (or say why they hold no pay): {missing}"


def _get_views(*namespaces: str) -> set[str]:
    """URL names in the namespaces whose view answers GET (POST-only actions answer 405)."""
    from django.test import RequestFactory
    from django.urls import get_resolver

    out = set()
    request = RequestFactory().get("/")
    request.user = _Anonymous()
    for ns in namespaces:
        for pattern in get_resolver().namespace_dict[ns][1].url_patterns:
            response = pattern.callback(request, **dict.fromkeys(pattern.pattern.converters, 1))
            if response.status_code != 405:
                out.add(f"{ns}:{pattern.name}")
    return out


class _Anonymous:
    is_authenticated = False
    is_active = False


# --- templates: no inline script, no inline event handlers --------------------------------------------

TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)


def template_files() -> list[Path]:
    base = Path(django_settings.BASE_DIR)
    roots = [base / "templates", *sorted(p for p in base.glob("*/templates") if p.is_dir())]
    roots += sorted(p for p in (base / "hrsuite").glob("*/templates") if p.is_dir())
    return sorted(f for root in roots for f in root.rglob("*") if f.suffix in {".html", ".txt", ".svg"})


def test_templates_are_found():
    files = template_files()
    assert len(files) > 100
    assert any("relations/templates" in str(f) for f in files)


@pytest.mark.parametrize("kind", ["script", "handler", "javascript-url"])
def test_no_template_has_inline_script_or_event_handlers(kind):
    """The CSP (script-src 'self') blocks inline script and on…= attributes: each would silently
    not run in a browser. Template tags are blanked first so `{% if only == … %}` is not a match;
    the `{% if %}` branches both stay in, so a handler inside a condition is still found."""
    patterns = {
        "script": INLINE_SCRIPT,
        "handler": INLINE_HANDLER,
        "javascript-url": re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
    }
    found = []
    base = Path(django_settings.BASE_DIR)
    for path in template_files():
        text = TEMPLATE_TAG.sub(lambda m: "X" if m.group(0).startswith("{{") else "", path.read_text("utf-8"))
        for match in patterns[kind].finditer(text):
            found.append(f"{path.relative_to(base)}: {match.group(0)[:100]}")
    assert found == [], "move this code into a static JS file:\n" + "\n".join(found)


def test_the_scan_would_find_an_inline_handler():
    sample = """<form {% if x %} data-confirm="a"{% endif %}><button onclick="go()">x</button></form>"""
    text = TEMPLATE_TAG.sub("", sample)
    assert INLINE_HANDLER.search(text)
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/hrsuite.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert not INLINE_HANDLER.search(TEMPLATE_TAG.sub("", '<option{% if only == "x" %} selected{% endif %}>'))

"""THE privacy test of the feedback box: a signed-in employee posts feedback through the real page
(/me/feedback/new/, GET then POST, with CSRF) and nothing written during those requests identifies
them. Captured while the requests run:

(a) every logging record of every logger at DEBUG level (a handler on the root logger and on the
    loggers that do not propagate; every logger's level lowered to DEBUG);
(b) the audit entries created; (c) the notifications and sent e-mails created; (d) mail.outbox;
(e) the stored thread row read back with raw SQL, every column;
(f) gunicorn's access-log atoms for these requests, built by hrsuite.gunicorn_conf.RedactingLogger
    (gunicorn's own Logger.atoms, then the redaction) from the WSGI environ the request had;
(g) the poster's django_session row before and after;
plus a fingerprint of every database table (only the feedback table may change) and the cache.

The identity searched for: user name, user pk and employee pk (as whole words / field values),
employee name, employee number, both e-mail addresses, the client IP (REMOTE_ADDR) and the user
agent. The same harness run over ordinary requests (a profile page, a failed sign-in) finds the
identity in the logs, the audit log, the access log and the session: the capture works."""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from hrsuite.audit.models import AuditEntry
from hrsuite.notifications.models import Notification, SentEmail
from relations.models import FeedbackThread

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
AGENT = "PosterBrowser/9.1 (FeedbackPrivacyProbe; X11)"
NEW = "/me/feedback/new/"


@pytest.fixture
def poster(org, people):
    """An employee of department A with an identity that cannot appear by chance."""
    from hrsuite.roles import Role
    from tests.factories import EmployeeFactory, UserFactory

    user = UserFactory(
        id=987_651, username="zhouniming77", email="zhou.niming77@privacy.example", first_name="周匿名",
        roles=[Role.EMPLOYEE],
    )  # fmt: skip
    employee = EmployeeFactory(
        id=876_541, user=user, department=org["a"], name="周匿名者", employee_no="EPRIV0077",
        email="niming.work77@privacy.example",
    )  # fmt: skip
    return SimpleNamespace(user=user, employee=employee)


def identity_needles(poster) -> tuple[list[str], list[str]]:
    """(substrings, whole-word numbers) that identify the poster."""
    u, e = poster.user, poster.employee
    texts = [u.username, u.email, u.first_name, e.name, e.employee_no, e.email, IP, AGENT]
    return [t for t in texts if t], [str(u.pk), str(e.pk)]


def leaks(text: str, poster) -> list[str]:
    """Which parts of the identity appear in `text` (empty: none)."""
    texts, numbers = identity_needles(poster)
    found = [t for t in texts if t.lower() in text.lower()]
    found += [n for n in numbers if re.search(rf"(?<![\w.-]){n}(?![\w.-])", text)]
    return found


def test_the_leak_detector_finds_every_form_of_the_identity(poster):
    assert leaks("user=987651 ok", poster) == ["987651"]
    assert leaks("id: 876541,", poster) == ["876541"]
    assert leaks("x9876512 and 2026-987651-1 are not the pk", poster) == []
    assert set(leaks(f"{IP} {AGENT} zhouniming77 周匿名者 EPRIV0077", poster)) == {
        IP, AGENT, "zhouniming77", "周匿名者", "EPRIV0077", "周匿名",
    }  # fmt: skip
    assert leaks("ZHOU.NIMING77@privacy.example", poster) == ["zhou.niming77@privacy.example"]


# --- the capture harness ----------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _record_text(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a broken format still has its parts below
        message = str(record.msg)
    return " ".join([record.name, message, repr(record.args), repr(vars(record))])


@contextmanager
def debug_logging():
    """Every logger at DEBUG, enabled, feeding one collecting handler."""
    handler = _Collect()
    root = logging.getLogger()
    loggers = [root] + [
        lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]  # fmt: skip
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    attached = [lg for lg in loggers if lg is root or not lg.propagate]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    for lg in attached:
        lg.addHandler(handler)
    logging.disable(logging.NOTSET)
    try:
        yield handler.records
    finally:
        for lg in attached:
            lg.removeHandler(handler)
        for lg, level, disabled in saved:
            lg.setLevel(level)
            lg.disabled = disabled


def _table_fingerprints() -> dict[str, str]:
    """An md5 over every row of every table: a changed, added or removed row changes it."""
    with connection.cursor() as cursor:
        out = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608
            )
            count, digest = cursor.fetchone()
            out[table] = f"{count}:{digest}"
    return out


def _cache_snapshot() -> dict[bytes, str]:
    """Every key of the cache's Redis database with its stored value as text."""
    client = cache._cache.get_client()
    out = {}
    for key in client.keys("*"):
        value = client.get(key) if client.type(key) == b"string" else client.dump(key)
        out[key] = (value or b"").decode("utf-8", errors="replace") + key.decode("utf-8", errors="replace")
    return out


def _session_row(session_key: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data, expire_date FROM django_session WHERE session_key = %s", [session_key])
        return cursor.fetchone()


def access_log_atoms(response) -> dict:
    """The atoms gunicorn would log for this request: hrsuite.gunicorn_conf's logger (gunicorn's
    Logger.atoms + hrsuite.anonymity.redact_access_log) over the request's WSGI environ and
    headers, as gunicorn passes them."""
    from gunicorn.config import Config

    from hrsuite.gunicorn_conf import RedactingLogger

    meta = response.wsgi_request.META
    environ = {k: v for k, v in meta.items() if isinstance(v, (str, int))}
    query = environ.get("QUERY_STRING", "")
    environ.setdefault("RAW_URI", environ["PATH_INFO"] + (f"?{query}" if query else ""))
    environ.setdefault("SERVER_PROTOCOL", "HTTP/1.1")
    headers = [(k[5:].replace("_", "-").upper(), v) for k, v in environ.items() if k.startswith("HTTP_")]
    req = SimpleNamespace(headers=headers)
    resp = SimpleNamespace(
        status=f"{response.status_code} OK", sent=len(response.content), headers=list(response.items())
    )
    logger = RedactingLogger(Config())
    return logger.atoms(resp, req, environ, timedelta(milliseconds=12))


@dataclass
class Capture:
    logs: list = field(default_factory=list)
    audit: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    emails: list = field(default_factory=list)
    outbox: list = field(default_factory=list)
    atoms: list = field(default_factory=list)
    changed_tables: set = field(default_factory=set)
    cache: dict = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        return {
            "logs": "\n".join(_record_text(r) for r in self.logs),
            "audit": "\n".join(repr(row) for row in self.audit),
            "notifications": "\n".join(repr(row) for row in self.notifications),
            "emails": "\n".join(repr(row) for row in self.emails),
            "outbox": "\n".join(f"{m.subject} {m.body} {m.to} {m.alternatives}" for m in self.outbox),
            "access log": "\n".join(repr(a) for a in self.atoms),
            "cache": "\n".join(repr(v) for v in self.cache.values()),
        }


@contextmanager
def capture():
    """Everything the requests inside the block write, as `Capture` (filled on exit)."""
    got = Capture()
    audit_max = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    notification_max = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    email_max = SentEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outbox_before = len(mail.outbox)
    tables_before = _table_fingerprints()
    cache_before = _cache_snapshot()
    with debug_logging() as records:
        yield got
    got.logs = list(records)
    got.audit = list(AuditEntry.objects.filter(pk__gt=audit_max).values())
    got.notifications = list(Notification.objects.filter(pk__gt=notification_max).values())
    got.emails = list(SentEmail.objects.filter(pk__gt=email_max).values())
    got.outbox = mail.outbox[outbox_before:]
    tables_after = _table_fingerprints()
    got.changed_tables = {t for t in tables_after if tables_after[t] != tables_before.get(t)}
    got.cache = {k: v for k, v in _cache_snapshot().items() if cache_before.get(k) != v}


def _client(user) -> Client:
    c = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
    c.force_login(user)
    return c


def _post_feedback(c: Client, got: Capture, data: dict):
    form = c.get(NEW)
    assert form.status_code == 200
    got.atoms.append(access_log_atoms(form))
    response = c.post(NEW, {**data, "csrfmiddlewaretoken": c.cookies["csrftoken"].value})
    got.atoms.append(access_log_atoms(response))
    return response


FEEDBACK = {
    "category": "complaint",
    "subject": "周末加班没有调休",
    "body": "最近三个月周末加班，调休申请一直没批。\n希望能按制度安排调休。",
    "is_public": "on",
}


# --- the test ---------------------------------------------------------------------------------


def test_posting_leaves_no_trace_of_the_poster(poster, org, people, django_capture_on_commit_callbacks):
    c = _client(poster.user)
    # the poster comes from the board (as in the browser); this also writes the session's
    # once-a-minute idle-timeout stamp, which is about the session, not the feedback
    assert c.get(reverse("myfeedback:home")).status_code == 200
    session_key = c.session.session_key
    session_before = _session_row(session_key)

    with django_capture_on_commit_callbacks(execute=True), capture() as got:
        response = _post_feedback(c, got, {**FEEDBACK, "department": org["a"].pk})

    # the page shows the one-time code, rendered (no redirect, so it is in no URL)
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    thread = FeedbackThread.objects.get()
    assert thread.subject == FEEDBACK["subject"]

    # (a)-(d), (f), the cache: nothing identifies the poster
    for where, text in got.texts().items():
        assert leaks(text, poster) == [], f"the {where} identify the poster: {leaks(text, poster)}"
    assert got.audit == [] and got.notifications == [] and got.emails == [] and got.outbox == []
    # the redacted atoms still record the traffic
    assert [a["r"] for a in got.atoms] == [f"GET {NEW} HTTP/1.1", f"POST {NEW} HTTP/1.1"]
    assert got.atoms[1]["h"] == "-" and got.atoms[1]["a"] == "-" and got.atoms[1].get("{cookie}i", "-") == "-"

    # no table but the feedback table changed: no audit, session, login or other row anywhere
    assert got.changed_tables == {"relations_feedbackthread"}

    # (e) the stored row, every column as PostgreSQL has it
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM relations_feedbackthread WHERE id = %s", [thread.pk])
        columns = [col.name for col in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    assert leaks(repr(row), poster) == []
    for value in row.values():
        assert value not in (poster.user.pk, poster.employee.pk, str(poster.user.pk), str(poster.employee.pk))
    assert row["hidden_by_id"] is None and row["department_id"] == org["a"].pk
    assert secret not in repr(row)

    # (g) the session row is untouched: no key, no value, no new expiry about the feedback
    session_after = _session_row(session_key)
    assert session_after == session_before
    data = SessionStore().decode(session_after[0])
    assert not any(str(thread.pk) in repr(v) or secret in repr(v) for v in data.values())
    assert not any("feedback" in k for k in data)

    # the digest, an hour later: counts only, to HR and the head, never to the poster
    from relations.tasks import feedback_digest

    with django_capture_on_commit_callbacks(execute=True), capture() as digest:
        assert feedback_digest.delay().get() == 1
    notes = digest.notifications
    assert {n["recipient_id"] for n in notes} == {
        people["users"][r].pk for r in ("hr", "hr_admin", "manager")
    }  # fmt: skip
    for n in notes:
        assert n["params"] == {"n": 1}
        assert n["url"] == reverse("relations:feedback_list")
        assert FEEDBACK["subject"] not in repr(n) and str(thread.pk) not in n["url"]
    for where, text in digest.texts().items():
        assert leaks(text, poster) == [], f"the digest's {where} identify the poster"


def test_the_session_gains_no_feedback_key_even_on_the_first_request(poster, org):
    """Without a warm-up request the session only gets its idle-timeout stamp, nothing about
    the feedback."""
    c = _client(poster.user)
    session_key = c.session.session_key
    before = SessionStore().decode(_session_row(session_key)[0])
    got = Capture()
    response = _post_feedback(c, got, FEEDBACK)
    assert response.status_code == 200
    after = SessionStore().decode(_session_row(session_key)[0])
    assert set(after) - set(before) <= {"_hrsuite_last_seen"}
    assert {k: v for k, v in after.items() if k != "_hrsuite_last_seen"} == before
    assert FeedbackThread.objects.get().department_id is None


def test_following_and_replying_leave_no_trace(poster, org, thread):
    """The other anonymous path: the poster opens the thread with the code and replies."""
    c = _client(poster.user)
    assert c.get(reverse("myfeedback:home")).status_code == 200
    with capture() as got:
        page = c.get("/me/feedback/follow/")
        got.atoms.append(access_log_atoms(page))
        token = c.cookies["csrftoken"].value
        opened = c.post("/me/feedback/follow/", {"secret": thread.secret, "csrfmiddlewaretoken": token})
        got.atoms.append(access_log_atoms(opened))
        replied = c.post(
            "/me/feedback/follow/",
            {"secret": thread.secret, "body": "补充：周日也在加班。", "csrfmiddlewaretoken": token},
        )
        got.atoms.append(access_log_atoms(replied))
    assert opened.status_code == replied.status_code == 200
    assert replied.context["replied"] is True
    for where, text in got.texts().items():
        assert leaks(text, poster) == [], f"the {where} identify the poster"
    assert "relations_feedbackreply" in got.changed_tables
    assert got.changed_tables <= {"relations_feedbackthread", "relations_feedbackreply"}
    assert thread.thread.replies.get().author_id is None


def test_refused_posts_and_wrong_codes_leave_no_trace(poster, org, thread):
    """The error paths of the anonymous pages: a post over the length limit and a wrong code."""
    c = _client(poster.user)
    assert c.get(reverse("myfeedback:home")).status_code == 200
    with capture() as got:
        refused = _post_feedback(c, got, {**FEEDBACK, "body": "长" * 2001})
        token = c.cookies["csrftoken"].value
        wrong = c.post("/me/feedback/follow/", {"secret": "ABCD-EFGH-JKLM-NPQR", "csrfmiddlewaretoken": token})
        got.atoms.append(access_log_atoms(wrong))
        reply = c.post(
            "/me/feedback/follow/", {"secret": thread.secret, "body": "长" * 2001, "csrfmiddlewaretoken": token}
        )
        got.atoms.append(access_log_atoms(reply))
    assert "body" in refused.context["form"].errors and "secret" in wrong.context["form"].errors
    assert "body" in reply.context["reply_form"].errors
    for where, text in got.texts().items():
        assert leaks(text, poster) == [], f"the {where} identify the poster"
    assert got.changed_tables == set()


# --- the harness can fail: ordinary requests do show the identity -------------------------------


def test_the_capture_sees_the_identity_in_ordinary_requests(poster, org, people):
    """The same capture over requests that are not anonymous: the workspace and the board (the
    access log carries the address and agent; the session its stamp; at DEBUG, Django's template
    engine logs the whole context, the signed-in user included, when a template reads a variable
    it was not given, as the empty board's shared empty-state component does with `action_url`)
    and a failed sign-in with the poster's user name (the audit log records it). If the capture
    were blind, the tests above would pass for nothing. (The same template logging is why the
    anonymous pages must never read a variable they were not given: the tests above catch it.)"""
    c = _client(poster.user)
    session_key = c.session.session_key
    with capture() as got:
        me = c.get("/me/")
        got.atoms.append(access_log_atoms(me))
        board = c.get(reverse("myfeedback:home"))
        got.atoms.append(access_log_atoms(board))
        stranger = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)
        failed = stranger.post(reverse("accounts:login"), {"username": poster.user.username, "password": "wrong"})
        got.atoms.append(access_log_atoms(failed))
    assert me.status_code == board.status_code == 200
    assert len(board.context["page_obj"]) == 0  # the empty state
    texts = got.texts()
    assert IP in leaks(texts["access log"], poster) and AGENT in leaks(texts["access log"], poster)
    assert poster.user.username in leaks(texts["logs"], poster)
    assert poster.user.username in leaks(texts["audit"], poster)
    assert "django_session" in got.changed_tables
    assert "_hrsuite_last_seen" in SessionStore().decode(_session_row(session_key)[0])
    # and the capture catches a log line naming the user during a request
    with capture() as logged:
        logging.getLogger("hrsuite.probe").debug("served %s", poster.user.pk)
    assert leaks(logged.texts()["logs"], poster) == [str(poster.user.pk)]

"""List pages timed the way people get them: a real gunicorn and a real HTTP client.

`server()` starts gunicorn once per `manage.py bench` run (hrsuite/gunicorn_conf.py, 3 sync workers
as in the Procfile, bound to 127.0.0.1 on a free port, DEBUG off, the database the command runs
against) and stops it when the suite ends. `Browser` is a user of the standard library's
http.client (no extra dependency) that signs in through the login form (GET for the CSRF cookie
and token, POST of the credentials, the session cookie kept) and times each request from sending
it to the last byte of the body. `time_page()` measures one page for one user and for 4 concurrent
users (one thread and one session each), and also reads gunicorn's own request time (%(D)s in an
access log of its own) so the table shows both the time a user waits and the time a worker spent.
"""

from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

from employees.demo import DEMO_PASSWORD  # the documented demo logins of the generated company
from hrsuite.bench import Result, at_finish, percentiles

WORKERS = 3  # the Procfile's default (WEB_WORKERS) on this 2-core machine
USERS = 4
REQUESTS_ONE_USER = 100
REQUESTS_PER_USER = 50  # x 4 users
TARGET_SECONDS = 0.3  # p95 of a list page at 10,000 employees, 4 concurrent users
TAG_HEADER = "X-Bench-Tag"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def database_url() -> str:
    """The URL of the database this process uses, for the server to use the same one."""
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn serving the suite on 127.0.0.1:<free port> until stop()."""

    def __init__(self, *, workers: int = WORKERS):
        self.workers = workers
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hrsuite-bench-"))
        self.access_log = self.dir / "access.log"
        self.error_log = self.dir / "error.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "hrsuite.settings.dev"),
            "DATABASE_URL": database_url(),
            "DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "hrsuite.wsgi",
            "-c",
            str(Path(settings.BASE_DIR) / "hrsuite" / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            # the configured logger, with a log of our own: the tag of each request and its time (µs)
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            f"%({{{TAG_HEADER.lower()}}}i)s %(s)s %(D)s",
            "--error-logfile",
            str(self.error_log),
        ]
        self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
        atexit.register(self.stop)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.errors()}")
            try:
                status, _body, _s = Browser(self).get("/accounts/login/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        errors = self.errors()
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{errors}")

    def errors(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def server_times(self, tag: str) -> list[float]:
        """gunicorn's own time (seconds) of every request sent with this tag."""
        time.sleep(0.2)  # the worker writes the line after the client has the response
        times = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == tag and parts[2].isdigit():
                times.append(int(parts[2]) / 1_000_000)
        return times

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # graceful: workers finish their request
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)  # the logs were read; errors went into exceptions


_server: Server | None = None


def server() -> Server:
    """The suite's one gunicorn, started on first use and stopped when the suite ends."""
    global _server
    if _server is None or _server.process.poll() is not None:
        # the scenarios commit their data before the server reads it; the server's workers open
        # their own connections
        connection.close()
        _server = Server()
        at_finish(stop_server)
    return _server


def stop_server() -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


class Browser:
    """One person's browser: a cookie jar and a new connection per request (gunicorn's sync
    workers close the connection after each response)."""

    def __init__(self, srv: Server, *, tag: str = ""):
        self.server = srv
        self.cookies: dict[str, str] = {}
        self.tag = tag

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = {"Host": f"127.0.0.1:{self.server.port}", "Accept-Language": "zh-hans", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.tag:
            headers[TAG_HEADER] = self.tag
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            conn.request(method, quote(path, safe="/?&=%+:"), body=body, headers=headers)  # 王 -> %E7%8E%8B
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - start
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return response, data, seconds

    def get(self, path: str) -> tuple[int, bytes, float]:
        response, data, seconds = self.request("GET", path)
        return response.status, data, seconds

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Browser:
        """Sign in through the login form, as a person does."""
        status, page, _s = self.get("/accounts/login/")
        match = _CSRF_INPUT.search(page.decode("utf-8", "replace"))
        if status != 200 or not match or "csrftoken" not in self.cookies:
            raise RuntimeError(f"the login page did not offer a form (HTTP {status})")
        form = urlencode({"csrfmiddlewaretoken": match.group(1), "username": username, "password": password})
        response, _data, _s = self.request(
            "POST",
            "/accounts/login/",
            body=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username!r} failed (HTTP {response.status})")
        return self


def _run_user(browser: Browser, paths: list[str], count: int, offset: int, samples: list, failures: list, start):
    start.wait()
    for i in range(count):
        path = paths[(i + offset) % len(paths)]
        status, body, seconds = browser.get(path)
        if status != 200 or len(body) < 500:
            failures.append(f"{path}: HTTP {status}")
        samples.append((path, seconds))


def _measure(srv: Server, *, username: str, paths: list[str], users: int, per_user: int, tag: str) -> dict:
    browsers = [Browser(srv).login(username) for _ in range(users)]
    # warm every worker on every variant (templates, catalogues, connections), untimed
    warm_up = [(browsers[0], path) for path in paths * srv.workers] + [(b, paths[0]) for b in browsers[1:]]
    for b, path in warm_up:
        status, _body, _s = b.get(path)
        if status != 200:
            raise RuntimeError(f"{path} answered HTTP {status} for {username}")
    for b in browsers:
        b.tag = tag
    samples: dict[int, list[tuple[str, float]]] = defaultdict(list)
    failures: list[str] = []
    start = threading.Barrier(users)
    threads = [
        threading.Thread(target=_run_user, args=(b, paths, per_user, i * 3, samples[i], failures, start), daemon=True)
        for i, b in enumerate(browsers)
    ]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, first: {failures[0]}")
    timed = [sample for user_samples in samples.values() for sample in user_samples]
    client = [seconds for _path, seconds in timed]
    by_path = defaultdict(list)
    for path, seconds in timed:
        by_path[path].append(seconds)
    return {
        "requests": len(client),
        "client": percentiles(client),
        "by_path": {path: percentiles(times) for path, times in by_path.items()},
        "server": percentiles(srv.server_times(tag)),
        "per_second": round(len(client) / wall, 1),
    }


def time_page(
    name: str,
    size: int,
    *,
    username: str,
    paths: list[str],
    rows: int,
    what: str,
    one_user: int = REQUESTS_ONE_USER,
    per_user: int = REQUESTS_PER_USER,
    users: int = USERS,
) -> list[Result]:
    """Two results for a page: one user, then `users` concurrent users; seconds = p95 of the time
    a user waits (request sent to last byte received), target 0.3 s."""
    srv = server()
    results = []
    for n, count in ((1, one_user), (users, per_user)):
        m = _measure(srv, username=username, paths=paths, users=n, per_user=count, tag=f"{name}:{n}")
        c, s = m["client"], m["server"]
        label = "1 user" if n == 1 else f"{n} users"
        results.append(
            Result(
                f"{name} ({label})",
                size,
                c["p95"],
                target_seconds=TARGET_SECONDS,
                note=(
                    f"{what}, {rows} rows; p50 {c['p50'] * 1000:.0f} ms, p95 {c['p95'] * 1000:.0f} ms over "
                    f"{m['requests']} requests ({m['per_second']}/s) as {username}; "
                    f"gunicorn's own time p50 {s['p50'] * 1000:.0f} ms, p95 {s['p95'] * 1000:.0f} ms"
                ),
                extra={"users": n, "paths": paths, **m},
            )
        )
    return results

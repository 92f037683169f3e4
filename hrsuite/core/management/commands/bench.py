"""`manage.py bench --size N`: measure the suite at company scale on PostgreSQL.

Run it against its own database (`make bench` uses hrsuite_bench): it loads a generated company
of N employees if the database holds fewer, then runs every registered scenario and prints one
JSON object per line. Scenarios that write roll their changes back.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import platform
import re
import traceback
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from hrsuite.bench import Result, finish, scenarios

BENCH_MODULES = [
    "employees.bench",
    "payroll.bench",
    "training.bench",
    "recruiting.bench",
    "hrsuite.core.bench",  # the list pages through gunicorn
]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class Command(BaseCommand):
    help = "Run the benchmark suite against a generated company."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=10_000, help="employees in the generated company")
        parser.add_argument("--only", default="", help="comma-separated scenario names (prefix match)")
        parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
        parser.add_argument(
            "--write-from",
            nargs="+",
            metavar="FILE",
            help="run nothing: write the table from the JSON lines of earlier runs (a later line of a "
            "scenario replaces an earlier one), e.g. a full run and a re-run of --only pages",
        )

    def handle(self, *args, **options):
        for module in BENCH_MODULES:
            import_module(module)
        size = options["size"]
        if options["write_from"]:
            results = _read_results(options["write_from"])
            self._write_table(results, size, sources=len(options["write_from"]))
            return
        from employees.models import Employee

        have = Employee.objects.filter(employee_no__startswith="E").count()
        if have < size:
            self.stderr.write(f"Generating a company of {size} employees (have {have})…")
            call_command("seed_demo", employees=size, stdout=io.StringIO())
        # dead rows cleared and planner statistics as a running server's autovacuum keeps them:
        # autovacuum is off on some development servers (this machine's among them), and every
        # pay-run scenario replaces some 166,000 lines, which otherwise pile up run after run
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")  # tests run in a transaction
        wanted = [w for w in options["only"].split(",") if w]
        results, failed = [], []
        try:
            for sc in scenarios():
                if wanted and not any(sc.name.startswith(w) for w in wanted):
                    continue
                try:
                    returned = sc.func(size)
                except Exception as exc:  # one broken scenario does not hide the others' figures
                    self.stderr.write(traceback.format_exc())
                    failed.append(sc.name)
                    returned = Result(sc.name, size, 0.0, note=f"**failed**: {type(exc).__name__}: {exc}", skipped=True)
                for result in returned if isinstance(returned, list) else [returned]:
                    result.extra.setdefault("load_average", round(os.getloadavg()[0], 2))  # what else ran
                    results.append(result)
                    self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
                    self.stdout.flush()
        finally:
            finish()  # stop the gunicorn of the page scenarios
        if not options["no_write"] and not wanted:
            self._write_table(results, size)
        if failed:
            raise CommandError(f"scenarios failed: {', '.join(failed)}")

    def _write_table(self, results, size, *, sources: int = 1):
        cpu = _cpu_name()
        pg = connection.pg_version if connection.vendor == "postgresql" else None
        database = f"PostgreSQL {pg // 10000}.{pg % 10000}" if pg else connection.vendor
        lines = [
            f"Measured with `make bench` (size {size}) on {timezone.localdate():%Y-%m-%d}: {cpu}, "
            f"{os.cpu_count()} cores, {_memory()}, Python {platform.python_version()}, {database} on the same "
            "machine. List pages: seconds is the p95 of the time a user waits for the page (gunicorn, "
            "3 sync workers, a real HTTP client signed in through the login form)."
            + _load(results)
            + (f" Assembled from {sources} runs (`manage.py bench --write-from`)." if sources > 1 else ""),
            "",
            "| scenario | size | seconds | baseline (s) | ratio | target | met | note |",
            "|---|---:|---:|---:|---:|---:|:---:|---|",
        ]
        for r in results:
            lines.append(
                f"| {r.scenario} | {r.size} | {r.seconds:.3f} | "
                f"{'' if r.baseline_seconds is None else f'{r.baseline_seconds:.3f}'} | {r.ratio or ''} | "
                f"{_target(r)} | {_met(r)} | {r.note} |"
            )
        judged = [r for r in results if r.met is not None]
        missed = [r for r in judged if not r.met]
        unmeasured = [r.scenario for r in results if r.skipped]
        summary = f"Targets: {len(judged) - len(missed)} of {len(judged)} met"
        if missed:
            summary += "; missed: " + "; ".join(
                f"{r.scenario} {r.seconds:.3f} s {_met(r).removeprefix('**no** ')}" for r in missed
            )
        if unmeasured:
            summary += "; **not measured**: " + ", ".join(unmeasured)
        lines += ["", summary + "."]
        table = "\n".join(lines) + "\n"
        docs = Path(settings.BASE_DIR) / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "benchmarks.md").write_text("# Benchmarks\n\n" + table + _descriptions(results), encoding="utf-8")
        readme = Path(settings.BASE_DIR) / "README.md"
        text = readme.read_text(encoding="utf-8")
        if START in text and END in text:
            text = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", f"{START}\n{table}{END}", text, flags=re.S)
            readme.write_text(text, encoding="utf-8")
        self.stderr.write("Wrote docs/benchmarks.md and the README table.")


def _read_results(paths) -> list[Result]:
    fields = {f.name for f in dataclasses.fields(Result)}
    by_name: dict[str, Result] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                data = json.loads(line)
                by_name[data["scenario"]] = Result(**{k: v for k, v in data.items() if k in fields})
    return list(by_name.values())


def _descriptions(results) -> str:
    """What each scenario measures: the docstring of its function."""
    lines = ["", "## What each scenario measures", ""]
    names = {r.scenario.split(" (")[0] for r in results}
    for sc in scenarios():
        if sc.name in names and sc.func.__doc__:
            lines.append(f"- **{sc.name}**: {' '.join(sc.func.__doc__.split())}")
    return "\n".join(lines) + "\n"


def _load(results) -> str:
    loads = [r.extra["load_average"] for r in results if "load_average" in r.extra]
    if not loads:
        return ""
    return (
        f" Load average (1 minute) as the scenarios finished: {min(loads):.1f} to {max(loads):.1f} on "
        f"{os.cpu_count()} cores (the 4-user phases alone keep both cores busy; more means other work "
        "shared the machine)."
    )


def _target(r) -> str:
    parts = [] if r.target_seconds is None else [f"≤ {r.target_seconds:g} s"]
    if r.target_ratio is not None:
        parts.append(f"ratio < {r.target_ratio:g}")
    return ", ".join(parts)


def _met(r) -> str:
    """Met by how much: "yes (62% under)" or "**no** (0.120 s, 40% over)", per target."""
    if r.skipped:
        return "**not measured**"
    if r.met is None:
        return ""
    parts = []
    if r.target_seconds is not None:
        share = abs(r.seconds - r.target_seconds) / r.target_seconds
        over = r.seconds > r.target_seconds
        parts.append(
            (over, f"{r.seconds - r.target_seconds:.3f} s, {share:.0%} over" if over else f"{share:.0%} under")
        )
    if r.target_ratio is not None:
        over = r.ratio is None or r.ratio >= r.target_ratio
        parts.append((over, f"ratio {r.ratio} against < {r.target_ratio:g}" if over else f"ratio {r.ratio}"))
    text = "; ".join(t for _over, t in parts)
    return f"**no** ({text})" if any(over for over, _t in parts) else f"yes ({text})"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown memory"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"

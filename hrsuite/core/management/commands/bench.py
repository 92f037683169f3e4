"""`manage.py bench --size N`: measure the suite at company scale on PostgreSQL.

Run it against its own database (`make bench` uses hrsuite_bench): it loads a generated company
of N employees if the database holds fewer, then runs every registered scenario and prints one
JSON object per line. Scenarios that write roll their changes back.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hrsuite.bench import scenarios

BENCH_MODULES = ["employees.bench", "payroll.bench", "training.bench", "recruiting.bench"]
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


class Command(BaseCommand):
    help = "Run the benchmark suite against a generated company."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=10_000, help="employees in the generated company")
        parser.add_argument("--only", default="", help="comma-separated scenario names (prefix match)")
        parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")

    def handle(self, *args, **options):
        for module in BENCH_MODULES:
            import_module(module)
        size = options["size"]
        from employees.models import Employee

        have = Employee.objects.filter(employee_no__startswith="E").count()
        if have < size:
            self.stderr.write(f"Generating a company of {size} employees (have {have})…")
            call_command("seed_demo", employees=size, stdout=io.StringIO())
        wanted = [w for w in options["only"].split(",") if w]
        results = []
        for sc in scenarios():
            if wanted and not any(sc.name.startswith(w) for w in wanted):
                continue
            result = sc.func(size)
            results.append(result)
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        if not options["no_write"] and not wanted:
            self._write_table(results, size)

    def _write_table(self, results, size):
        cpu = _cpu_name()
        lines = [
            f"Measured with `make bench` (size {size}) on {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL on the same machine.",
            "",
            "| scenario | size | seconds | baseline (s) | ratio | target | met | note |",
            "|---|---:|---:|---:|---:|---:|:---:|---|",
        ]
        for r in results:
            lines.append(
                f"| {r.scenario} | {r.size} | {r.seconds:.3f} | "
                f"{'' if r.baseline_seconds is None else f'{r.baseline_seconds:.3f}'} | {r.ratio or ''} | "
                f"{'' if r.target_seconds is None else f'≤ {r.target_seconds:g} s'} | "
                f"{'' if r.met is None else ('yes' if r.met else '**no**')} | {r.note} |"
            )
        table = "\n".join(lines) + "\n"
        docs = Path(settings.BASE_DIR) / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "benchmarks.md").write_text("# Benchmarks\n\n" + table, encoding="utf-8")
        readme = Path(settings.BASE_DIR) / "README.md"
        text = readme.read_text(encoding="utf-8")
        if START in text and END in text:
            text = re.sub(f"{re.escape(START)}.*?{re.escape(END)}", f"{START}\n{table}{END}", text, flags=re.S)
            readme.write_text(text, encoding="utf-8")
        self.stderr.write("Wrote docs/benchmarks.md and the README table.")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"

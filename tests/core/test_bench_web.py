"""The list-page benchmark (hrsuite.bench_web): a real gunicorn on a free port, a browser that
signs in through the login form, timings of every request on both sides."""

from types import SimpleNamespace

import pytest

from hrsuite.bench import Result


@pytest.mark.django_db(transaction=True)  # the server's workers read committed rows only
def test_time_page_serves_through_gunicorn_signed_in_for_one_and_four_users(monkeypatch):
    from django.db import connection

    from hrsuite import bench_web
    from hrsuite.bench import finish
    from hrsuite.roles import Role
    from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

    # hrsuite.settings.test names its database by TEST_DATABASE_NAME: the server must use ours
    monkeypatch.setenv("TEST_DATABASE_NAME", connection.settings_dict["NAME"])
    user = UserFactory(username="benchhr", roles=[Role.HR, Role.EMPLOYEE])
    user.set_password(bench_web.DEMO_PASSWORD)
    user.save()
    EmployeeFactory.create_batch(3, department=DepartmentFactory())
    try:
        one, four = bench_web.time_page(
            "pages.test", 3, username="benchhr", paths=["/employees/", "/employees/?q=x"], rows=3, what="test",
            one_user=4, per_user=2,
        )  # fmt: skip
        srv = bench_web.server()
        with pytest.raises(RuntimeError, match="signing in"):
            bench_web.Browser(srv).login("benchhr", "wrong password")
    finally:
        finish()
    assert bench_web._server is None  # stopped when the suite ends
    assert (one.scenario, four.scenario) == ("pages.test (1 user)", "pages.test (4 users)")
    assert one.extra["requests"] == 4 and four.extra["requests"] == 8
    for r in (one, four):
        client, server = r.extra["client"], r.extra["server"]
        assert 0 < server["p50"] <= client["p50"] and r.seconds == client["p95"]
        assert r.target_seconds == 0.3 and "p95" in r.note


@pytest.mark.parametrize(
    ("seconds", "target", "text"),
    [(0.1, 0.3, "yes (67% under)"), (0.42, 0.3, "**no** (0.120 s, 40% over)"), (1.0, None, "")],
)
def test_the_table_says_by_how_much_a_target_is_met_or_missed(seconds, target, text):
    from hrsuite.core.management.commands.bench import _met

    assert _met(Result("x", 1, seconds, target_seconds=target)) == text


@pytest.mark.parametrize(
    ("seconds", "baseline", "text", "met"),
    [
        (4.0, 1.0, "yes (93% under; ratio 4.0)", True),
        (4.0, 0.2, "**no** (93% under; ratio 20.0 against < 10)", False),
        (70.0, 1.0, "**no** (10.000 s, 17% over; ratio 70.0 against < 10)", False),
    ],
)
def test_a_ratio_target_is_judged_with_the_time_target(seconds, baseline, text, met):
    from hrsuite.core.management.commands.bench import _met, _target

    r = Result("payroll.run", 1, seconds, baseline, target_seconds=60.0, target_ratio=10.0)
    assert (_met(r), r.met, _target(r)) == (text, met, "≤ 60 s, ratio < 10")


@pytest.mark.django_db
def test_a_result_not_measured_is_never_counted_as_met(tmp_path, settings):
    import json

    from django.core.management import call_command

    runs = tmp_path / "run.jsonl"
    results = [
        Result("pages.a (4 users)", 10, 0.1, target_seconds=0.3),
        Result("pages.b", 10, 0.0, note="skipped: no review cycle", skipped=True),
    ]
    runs.write_text("\n".join(json.dumps(r.as_json()) for r in results), encoding="utf-8")
    (tmp_path / "README.md").write_text("no table here\n", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    call_command("bench", size=10, write_from=[str(runs)])
    docs = (tmp_path / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "Targets: 1 of 1 met; **not measured**: pages.b." in docs
    assert "| pages.b | 10 | 0.000 |  |  |  | **not measured** | skipped: no review cycle |" in docs


@pytest.mark.django_db
def test_a_scenario_may_return_several_results(monkeypatch, capsys):
    from django.core.management import call_command

    from hrsuite import bench
    from hrsuite.core.management.commands import bench as command

    stopped = []

    def pages(size):
        bench.at_finish(lambda: stopped.append(True))
        return [Result("pages.x (1 user)", size, 0.1), Result("pages.x (4 users)", size, 0.2)]

    monkeypatch.setattr(command, "BENCH_MODULES", [])
    monkeypatch.setattr(command, "scenarios", lambda: [SimpleNamespace(name="pages.x", func=pages)])
    call_command("bench", size=0, only="pages", no_write=True)  # size 0: no company to generate
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split('"scenario": "')[1].split('"')[0] for line in lines] == ["pages.x (1 user)", "pages.x (4 users)"]
    assert stopped == [True]
    assert all('"load_average": ' in line for line in lines)  # what else the machine ran, per result


@pytest.mark.django_db
def test_a_failing_scenario_is_reported_and_the_others_still_run(monkeypatch, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from hrsuite.core.management.commands import bench as command

    def broken(size):
        raise ValueError("no bank account")

    monkeypatch.setattr(command, "BENCH_MODULES", [])
    monkeypatch.setattr(
        command,
        "scenarios",
        lambda: [
            SimpleNamespace(name="a.broken", func=broken),
            SimpleNamespace(name="b.fine", func=lambda size: Result("b.fine", size, 0.5, target_seconds=1)),
        ],
    )
    with pytest.raises(CommandError, match=r"a\.broken"):
        call_command("bench", size=0, only="a,b", no_write=True)
    out = capsys.readouterr().out
    assert '"scenario": "a.broken"' in out and "**failed**: ValueError: no bank account" in out
    assert '"scenario": "b.fine"' in out and '"target_met": true' in out


@pytest.mark.django_db
def test_the_table_can_be_assembled_from_earlier_runs(tmp_path, settings):
    import json

    from django.core.management import call_command

    full, rerun = tmp_path / "full.jsonl", tmp_path / "pages.jsonl"
    full.write_text(
        "\n".join(
            json.dumps(Result(name, 10, seconds, target_seconds=0.3).as_json())
            for name, seconds in (("employees.import", 2.0), ("pages.employees (4 users)", 0.5))
        ),
        encoding="utf-8",
    )
    rerun.write_text(
        "make noise\n" + json.dumps(Result("pages.employees (4 users)", 10, 0.25, target_seconds=0.3).as_json())
    )
    (tmp_path / "README.md").write_text(
        "intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\nrest\n", encoding="utf-8"
    )
    settings.BASE_DIR = tmp_path
    call_command("bench", size=10, write_from=[str(full), str(rerun)])
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "old" not in readme and readme.startswith("intro\n") and readme.endswith("rest\n")
    assert "Assembled from 2 runs" in readme
    assert "Targets: 1 of 2 met; missed: employees.import 2.000 s (1.700 s, 567% over)" in readme
    rows = [line for line in readme.splitlines() if line.startswith("| employees") or line.startswith("| pages")]
    assert len(rows) == 2 and "| 0.250 |" in rows[1] and "yes (17% under)" in rows[1]
    docs = (tmp_path / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "## What each scenario measures" in docs and "- **pages.employees**: The employee list" in docs

"""The pay-run benchmark's baseline: it measures COPY of the run's own lines and leaves the run as
it found it (the benchmark runs on a database people also look at)."""

from datetime import date

import pytest

from payroll import bench
from payroll.models import PaySlipLine
from payroll.services.runs import LINE_COLUMNS

pytestmark = pytest.mark.django_db
MAR = date(2026, 3, 1)


def _lines(run):
    return sorted(PaySlipLine.objects.filter(slip__run=run).values_list(*LINE_COLUMNS))


def test_the_baseline_writes_the_runs_own_lines_back_unchanged(assignments, run_factory):
    run = run_factory(MAR)
    other = run_factory(date(2026, 4, 1))
    before, before_other = _lines(run), _lines(other)
    assert len(before) > 10
    real, bare = bench.copy_baseline(run)
    assert real > 0 and bare > 0
    assert _lines(run) == before  # every line back, byte for byte (new ids only)
    assert _lines(other) == before_other  # another run is not touched


def test_the_current_run_is_calculated_when_no_scenario_did_it(assignments, people, monkeypatch):
    from django.utils import timezone

    from payroll.choices import RunStatus

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 5, 17))
    run = bench.current_run()
    assert run.period == date(2026, 5, 1) and run.status == RunStatus.CALCULATED
    assert run.slips.count() == run.employees_total > 0
    assert bench.current_run().pk == run.pk  # the second call reuses it

"""The benchmark suite behind `manage.py bench` / `make bench`.

Each module registers scenarios with `@scenario(...)`. A scenario receives the size of the
company and returns a `Result`, or a list of them (a page timed for one user and for several).
The command prints one JSON object per result and writes a Markdown table (docs/benchmarks.md,
also copied into the README between markers).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Result:
    scenario: str
    size: int
    seconds: float
    baseline_seconds: float | None = None
    target_seconds: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    target_ratio: float | None = None  # seconds / baseline_seconds must stay under it
    skipped: bool = False  # not measured (failed, or a precondition missing): never counted as met

    @property
    def ratio(self) -> float | None:
        if not self.baseline_seconds:
            return None
        return round(self.seconds / self.baseline_seconds, 2)

    @property
    def met(self) -> bool | None:
        """Whether every target given is met; None if the result has none or was not measured."""
        if self.skipped or (self.target_seconds is None and self.target_ratio is None):
            return None
        in_time = self.target_seconds is None or self.seconds <= self.target_seconds
        in_ratio = self.target_ratio is None or (self.ratio is not None and self.ratio < self.target_ratio)
        return in_time and in_ratio

    def as_json(self) -> dict:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 4)
        if self.baseline_seconds is not None:
            data["baseline_seconds"] = round(self.baseline_seconds, 4)
        data["ratio"] = self.ratio
        data["target_met"] = self.met
        return data


@dataclass(frozen=True)
class Scenario:
    name: str
    func: Callable
    order: int


_SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, *, order: int = 100):
    def register(func):
        _SCENARIOS[name] = Scenario(name, func, order)
        return func

    return register


def scenarios() -> list[Scenario]:
    return sorted(_SCENARIOS.values(), key=lambda s: (s.order, s.name))


_AT_FINISH: list[Callable[[], None]] = []


def at_finish(func: Callable[[], None]) -> None:
    """Run `func` when the suite ends, even after a failed scenario (a server started by a
    scenario and shared by the next ones is stopped there)."""
    _AT_FINISH.append(func)


def finish() -> None:
    while _AT_FINISH:
        _AT_FINISH.pop()()


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0}
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {"p50": round(q[49], 4), "p95": round(q[94], 4), "max": round(ordered[-1], 4)}

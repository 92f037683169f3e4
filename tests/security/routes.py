"""Every URL pattern of the URLconf, walked once for the tests that check every URL (the
permission matrix, CSRF, exports)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str | None  # with its namespaces ("payroll:run_detail"); None for an unnamed pattern
    route: str  # the full pattern text ("payroll/runs/<int:pk>/")
    pattern: URLPattern


def routes(patterns=None, *, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    """Every URLPattern under `patterns` (default: the root URLconf), in order."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from routes(p.url_patterns, prefix=prefix + str(p.pattern), namespace=ns)
        elif isinstance(p, URLPattern):
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
            yield Route(name, prefix + str(p.pattern), p)

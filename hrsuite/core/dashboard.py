"""The dashboard is assembled from widgets that apps register for the roles they serve.

A widget is a template plus a function that returns its context (or None to hide it). Apps
register widgets in their AppConfig.ready(), so the dashboard grows with the modules without
a view that knows every app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hrsuite.roles import roles_of


@dataclass(frozen=True)
class Widget:
    name: str
    template: str
    roles: frozenset[str]  # shown to users holding any of these roles
    context: Callable[[object], dict | None]
    order: int = 100
    width: str = "col-12 col-xl-6"


_WIDGETS: dict[str, Widget] = {}


def register(
    name: str, *, template: str, roles: set[str], context, order: int = 100, width: str = "col-12 col-xl-6"
) -> None:
    _WIDGETS[name] = Widget(name, template, frozenset(roles), context, order, width)


def widgets_for(request) -> list[dict]:
    user = request.user
    roles = roles_of(user)
    out = []
    for w in sorted(_WIDGETS.values(), key=lambda w: (w.order, w.name)):
        if not roles & w.roles:
            continue
        ctx = w.context(request)
        if ctx is None:
            continue
        out.append({"name": w.name, "template": w.template, "width": w.width, "ctx": ctx})
    return out

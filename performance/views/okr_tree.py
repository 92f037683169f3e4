"""The alignment tree of an OKR cycle, built in memory from one scoped query (objectives with
their key results prefetched), so the page costs the same number of queries whatever the number
of objectives. Filters keep the objectives that match and the objectives they align to (shown
muted, for context)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from hrsuite.roles import is_hr
from hrsuite.scoping import Scope

from .. import engine, selectors, services
from ..choices import ObjectiveLevel
from ..models import KeyResult, Objective

SHOW_TEAM = "team"
SHOW_MINE = "mine"


def completion_colour(value: Decimal | None) -> str:
    if value is None:
        return "secondary"
    if value >= 70:
        return "success"
    if value >= 30:
        return "primary"
    return "warning"


@dataclass(frozen=True)
class KeyResultLine:
    kr: KeyResult
    completion: Decimal

    @property
    def colour(self) -> str:
        return completion_colour(self.completion)


@dataclass
class Node:
    objective: Objective
    completion: Decimal
    key_results: list[KeyResultLine]
    children: list[Node] = field(default_factory=list)
    matched: bool = True
    can_edit: bool = False
    add_child: str = ""  # the level that may be added under this objective ("" none)

    @property
    def colour(self) -> str:
        return completion_colour(self.completion)


def key_result_lines(objective: Objective) -> list[KeyResultLine]:
    return [KeyResultLine(kr, selectors.kr_completion(kr)) for kr in objective.key_results.all()]


@dataclass(frozen=True)
class TreeFilter:
    q: str = ""
    department_path: str = ""
    show: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.department_path or self.show)

    def matches(self, o: Objective, scope: Scope) -> bool:
        if self.q:
            needle = self.q.casefold()
            owner = o.owner.name if o.owner is not None else ""
            if needle not in o.title.casefold() and needle not in owner.casefold():
                return False
        if self.department_path:
            path = o.department.path if o.department is not None else ""
            if not path.startswith(self.department_path):
                return False
        if self.show == SHOW_MINE:
            return bool(scope.employee_id) and o.owner_id == scope.employee_id
        if self.show == SHOW_TEAM:
            if o.level == ObjectiveLevel.DEPARTMENT:
                path = o.department.path if o.department is not None else ""
                return any(path.startswith(p) for p in scope.subtree_paths)
            if o.level == ObjectiveLevel.INDIVIDUAL and o.owner_id:
                return o.owner_id != scope.employee_id and scope.covers_employee(o.owner)
            return False
        return True


@dataclass(frozen=True)
class Reach:
    """What the user may add: department objectives (HR, department heads) and individual
    objectives under a department objective of their own department (or one they head)."""

    hr: bool
    scope: Scope
    own_department_path: str

    def add_under(self, o: Objective) -> str:
        if o.level == ObjectiveLevel.COMPANY:
            return ObjectiveLevel.DEPARTMENT if self.hr or self.scope.subtree_paths else ""
        if o.level != ObjectiveLevel.DEPARTMENT:
            return ""
        if self.hr:
            return ObjectiveLevel.INDIVIDUAL
        path = o.department.path if o.department is not None else ""
        if not path or not self.scope.employee_id:
            return ""
        heads = any(path.startswith(p) or p.startswith(path) for p in self.scope.subtree_paths)
        return ObjectiveLevel.INDIVIDUAL if heads or self.own_department_path.startswith(path) else ""


def reach_for(user, scope: Scope, own_department_path: str) -> Reach:
    return Reach(hr=bool(is_hr(user)), scope=scope, own_department_path=own_department_path)


def build_tree(
    objectives: Iterable[Objective], *, user, scope: Scope, reach: Reach, filters: TreeFilter
) -> tuple[list[Node], dict[int, Node]]:
    """(roots, every node by objective id). An objective whose parent is not visible to the
    user, or that aligns to nothing, is a root."""
    nodes: dict[int, Node] = {}
    for o in objectives:
        lines = key_result_lines(o)
        completion = engine.objective_completion((line.kr.weight, line.completion) for line in lines)
        nodes[o.pk] = Node(
            objective=o,
            completion=completion,
            key_results=lines,
            matched=not filters.active or filters.matches(o, scope),
            can_edit=services.can_edit_objective(user, o),
            add_child=reach.add_under(o),
        )
    shown = set(nodes)
    if filters.active:
        shown = set()
        for pk, node in nodes.items():
            if not node.matched:
                continue
            walk: int | None = pk
            while walk is not None and walk in nodes and walk not in shown:
                shown.add(walk)
                walk = nodes[walk].objective.parent_id
    roots: list[Node] = []
    for pk, node in nodes.items():  # the query's order: level, then order, then id
        if pk not in shown:
            continue
        parent = node.objective.parent_id
        if parent in nodes and parent in shown:
            nodes[parent].children.append(node)
        else:
            roots.append(node)
    return roots, nodes

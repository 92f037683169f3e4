"""Why something could not be calculated, as data that can be shown in any language.

A problem is a dict: {"template": English source text, "params": {...}}, where a parameter may
itself be a problem; {"declaration": [codes]} for an invalid tax declaration (the codes of
`china.validate_declaration`); or {"text": "..."} for anything else. The English texts are marked
with `gettext_noop` so makemessages extracts them; `render` fills a problem in after passing each
text through `translate` (the identity for the English record kept beside the data, gettext
where it is shown: payroll.services.formula_messages.problem_message)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from .china import InvalidDeclaration


def problem(template: str, **params) -> dict:
    return {"template": template, "params": params}


def describe(error: Exception) -> dict:
    """An engine error as a problem: a FormulaError keeps its template and parameters, an invalid
    declaration its codes."""
    if isinstance(error, InvalidDeclaration):
        return {"declaration": list(error.codes)}
    template = getattr(error, "template", None)
    if template:
        return problem(template, **dict(getattr(error, "params", {})))
    return {"text": str(error)}


def _english_declaration(codes: Iterable[str]) -> str:
    return "invalid declaration: " + ", ".join(codes)


def render(
    item: Mapping[str, object],
    translate: Callable[[str], str] = str,
    declaration: Callable[[Iterable[str]], str] = _english_declaration,
) -> str:
    """The problem as text (English by default), nested problems first. A translation whose
    placeholders do not fit its parameters falls back to the English text."""
    if not isinstance(item, Mapping) or not item:
        return ""
    if "declaration" in item:
        return declaration([str(c) for c in item["declaration"] or ()])  # type: ignore[union-attr]
    template = item.get("template")
    if not template:
        return str(item.get("text", ""))
    params = {
        k: render(v, translate, declaration) if isinstance(v, Mapping) else v
        for k, v in dict(item.get("params") or {}).items()  # type: ignore[call-overload]
    }
    try:
        return translate(str(template)) % params
    except (KeyError, TypeError, ValueError):
        return str(template) % params

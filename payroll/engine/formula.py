"""Pay-rule formulas: a small, bounded, Excel-like expression language over ``Decimal``.

HR writes rules such as ``基本工资 * 绩效系数 * 项目贡献占比`` or
``IF(绩效等级 >= 4, 基本工资 * 0.2, 0)``. A formula is parsed once (``compile_formula``) into an
immutable AST and a tree of closures, then evaluated many times against a mapping of variable
values. Nothing in a formula can reach Python: there is no eval/exec, no attribute access, no
indexing and no strings; the only values are finite Decimals.

Language
    numbers ``12``, ``0.5``, ``.5``, postfix percent ``5%`` (= 0.05); ``+ - * /`` (``×`` and ``÷``
    too); unary ``-``/``+``; parentheses; comparisons ``= == <> != < > <= >=`` (not chainable);
    ``AND``, ``OR``, ``NOT`` as operators and as functions; functions ``IF MIN MAX ROUND FLOOR
    CEILING ABS AND OR NOT`` (case-insensitive). Booleans are 1 and 0; any non-zero value is true.
    ``IF``, ``AND`` and ``OR`` evaluate only what they need. Full-width ASCII (``（）``, ``，``,
    ``＋``, ``１`` ...), the ideographic space and ``−`` are read as their ASCII forms; a leading
    ``=`` (as typed in Excel) is ignored.
    Precedence, loosest first: OR, AND, NOT, comparison, ``+ -``, ``* /``, unary sign, ``%``.
    ``NOT(`` always calls the function, so ``NOT (a) = b`` compares ``NOT(a)`` with ``b``, as in
    Excel; ``NOT a = b`` is ``NOT (a = b)``. ``AND``/``OR`` are functions where an operand is
    expected (``AND(a, b)``) and operators after one (``a AND (b)``).

Functions
    ``ROUND(x, n)`` rounds half away from zero to ``n`` decimals (``n`` may be negative; a
    fractional ``n`` is truncated, as in Excel). ``FLOOR(x[, s])`` / ``CEILING(x[, s])`` round
    towards minus / plus infinity to a multiple of ``|s|`` (default 1), like Excel's FLOOR.MATH /
    CEILING.MATH; ``s = 0`` is a division by zero. Nothing else rounds: results keep up to 34
    significant digits, and the payroll engine rounds each component by its own rule.

Errors
    Every problem raises ``FormulaError`` (a ``ValueError``) carrying ``code``, ``params`` and,
    for syntax errors, ``position`` (1-based). ``str()`` is English; ``template`` is the English
    source string, marked with ``gettext_noop`` so ``makemessages`` extracts it and a caller can
    show ``gettext(err.template) % err.params``. This module never imports Django.
"""

from __future__ import annotations

import graphlib
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from functools import lru_cache
from typing import NamedTuple, cast

from lark import Lark, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "Formula",
    "FormulaError",
    "check_formula",
    "compile_formula",
    "dependency_order",
    "evaluate",
    "references",
]

MAX_LENGTH = 2000  # characters in one formula
MAX_DEPTH = 40  # nesting of operators, function calls and parentheses
MAX_NODES = 500  # numbers, names, operators and calls in one formula
MAX_MAGNITUDE = Decimal(10) ** 15  # largest |value| of any literal, variable or intermediate result
PRECISION = 34

# All arithmetic goes through this context's methods, never the thread's current context, so a
# caller's decimal settings cannot change a result. Exponent limits are far beyond anything the
# magnitude bound lets through; the traps turn the impossible into exceptions we convert.
CTX = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

ZERO = Decimal(0)
ONE = Decimal(1)
_NEG_MAX = -MAX_MAGNITUDE
_POS_MAX = MAX_MAGNITUDE


def gettext_noop(message: str) -> str:
    """Marks a string for ``makemessages`` (same keyword as Django's) without importing Django."""
    return message


# Every English message. Keys are message ids; most are also the error code, a few variants share
# one (syntax_end -> "syntax", unknown_variables -> "unknown_variable", arguments_* -> "arguments").
MESSAGES: dict[str, str] = {
    "not_text": gettext_noop("The formula must be text."),
    "empty": gettext_noop("The formula is empty."),
    "too_long": gettext_noop("The formula is too long (%(length)s characters; at most %(limit)s)."),
    "too_deep": gettext_noop("The formula is nested too deeply (at most %(limit)s levels)."),
    "too_complex": gettext_noop("The formula is too complex (at most %(limit)s numbers, names and operators)."),
    "syntax": gettext_noop('Syntax error at column %(column)s: unexpected "%(found)s".'),
    "syntax_end": gettext_noop(
        "Syntax error at column %(column)s: the formula ends too early (is an operand or a closing parenthesis missing?)."
    ),
    "unknown_function": gettext_noop("Unknown function %(name)s."),
    "arguments_exactly": gettext_noop("%(name)s takes exactly %(min)s argument(s), not %(given)s."),
    "arguments_at_least": gettext_noop("%(name)s takes at least %(min)s argument(s), not %(given)s."),
    "arguments_between": gettext_noop("%(name)s takes %(min)s or %(max)s arguments, not %(given)s."),
    "unknown_variable": gettext_noop("Unknown name: %(names)s."),
    "unknown_variables": gettext_noop("Unknown names: %(names)s."),
    "not_a_number": gettext_noop("The value of %(name)s is not a number."),
    "too_large": gettext_noop("A value exceeds the allowed magnitude of %(limit)s."),
    "variable_too_large": gettext_noop("The value of %(name)s exceeds the allowed magnitude of %(limit)s."),
    "division_by_zero": gettext_noop("Division by zero."),
    "circular": gettext_noop("Circular reference between components: %(cycle)s."),
}


class FormulaError(ValueError):
    """An invalid or unsafe formula, or a failed evaluation.

    ``code`` is stable for programs (``syntax``, ``too_long``, ``unknown_variable``, ...),
    ``params`` fills ``template`` (the English source message), ``position`` is the 1-based
    column of a syntax error (None otherwise).
    """

    def __init__(
        self,
        code: str,
        params: Mapping[str, object] | None = None,
        *,
        position: int | None = None,
        template: str | None = None,
    ) -> None:
        self.code = code
        self.params: dict[str, object] = dict(params or {})
        self.position = position
        self.template = template if template is not None else MESSAGES[code]  # the English source message
        super().__init__(self.template % self.params)

    @property
    def message(self) -> str:
        return self.template % self.params

    def __reduce__(self):  # picklable across processes (Celery results)
        return (_rebuild_error, (self.code, self.params, self.position, self.template))


def _rebuild_error(code, params, position, template) -> FormulaError:
    return FormulaError(code, params, position=position, template=template)


def _too_large() -> FormulaError:
    return FormulaError("too_large", {"limit": "10^15"})


# --- grammar -----------------------------------------------------------------------------------

_IDENT_START = r"A-Za-z_\u3400-\u4dbf\u4e00-\u9fff"
_IDENT_REST = r"A-Za-z0-9_\u3400-\u4dbf\u4e00-\u9fff"

GRAMMAR = rf"""
?start: expr

?expr: or_expr
?or_expr: and_expr
        | or_expr OR and_expr                  -> or_op
?and_expr: not_expr
         | and_expr AND not_expr               -> and_op
?not_expr: comparison
         | NOT not_expr                        -> not_op
?comparison: sum
           | sum COMP sum                      -> compare
?sum: product
    | sum ADDOP product                        -> chain
?product: unary
        | product MULOP unary                  -> chain
?unary: postfix
      | ADDOP unary                            -> sign
?postfix: atom
        | postfix "%"                          -> percent
?atom: NUMBER                                  -> number
     | NAME                                    -> variable
     | function "(" [arguments] ")"            -> call
     | "(" expr ")"                            -> paren
?function: NAME | AND | OR | NOTCALL
arguments: expr ("," expr)*

NOTCALL.3: /not(?=\s*\()/i
AND.2: /and(?![{_IDENT_REST}])/i
OR.2: /or(?![{_IDENT_REST}])/i
NOT.2: /not(?![{_IDENT_REST}])/i
NAME: /[{_IDENT_START}][{_IDENT_REST}]*/
NUMBER: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
COMP: "<=" | ">=" | "<>" | "!=" | "==" | "=" | "<" | ">"
ADDOP: "+" | "-"
MULOP: "*" | "/"

%ignore /\s+/
"""

# One character for one character, so error columns still point into what HR typed.
_NORMALISE: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII
_NORMALISE.update({0x3000: " ", ord("×"): "*", ord("÷"): "/", 0x2212: "-"})


# --- AST ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Percent:
    operand: Node


@dataclass(frozen=True)
class Chain:
    """A left-associative run of ``+ -`` or of ``* /``: ``first op1 x1 op2 x2 ...``."""

    first: Node
    rest: tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Compare:
    op: str  # one of = <> < > <= >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str  # upper case; the infix AND/OR/NOT become calls too
    args: tuple[Node, ...]


Node = Num | Var | Neg | Percent | Chain | Compare | Call

# name -> (minimum, maximum or None) argument count
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "IF": (3, 3),
    "MIN": (1, None),
    "MAX": (1, None),
    "ROUND": (2, 2),
    "FLOOR": (1, 2),
    "CEILING": (1, 2),
    "ABS": (1, 1),
    "AND": (1, None),
    "OR": (1, None),
    "NOT": (1, 1),
}

_COMPARISONS = {"=": "=", "==": "=", "<>": "<>", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


class _Part(NamedTuple):
    """A node under construction, with the measurements the bounds need."""

    node: Node
    depth: int
    size: int


def _part(node: Node, children: tuple[_Part, ...], extra_size: int = 1, extra_depth: int = 1) -> _Part:
    depth = max((c.depth for c in children), default=0) + extra_depth
    size = sum(c.size for c in children) + extra_size
    if depth > MAX_DEPTH:
        raise FormulaError("too_deep", {"limit": MAX_DEPTH})
    if size > MAX_NODES:
        raise FormulaError("too_complex", {"limit": MAX_NODES})
    return _Part(node, depth, size)


def _extend(node: Node, left: _Part, right: _Part) -> _Part:
    """``left`` (a chain or an AND/OR) with one more operand: as deep as a new child needs."""
    return _part(node, (left._replace(depth=left.depth - 1), right), extra_size=1)


class _Build(Transformer):
    """Runs inside the LALR parser as each rule is reduced: no recursion, limits checked early."""

    def number(self, children):
        (token,) = children
        value = CTX.create_decimal(str(token))
        if not _NEG_MAX <= value <= _POS_MAX:
            raise FormulaError("too_large", {"limit": "10^15"}, position=token.start_pos + 1)
        return _part(Num(value), ())

    def variable(self, children):
        return _part(Var(str(children[0])), ())

    def paren(self, children):
        (inner,) = children
        return _part(inner.node, (inner,), extra_size=0)

    def percent(self, children):
        (operand,) = children
        return _part(Percent(operand.node), (operand,))

    def sign(self, children):
        op, operand = children
        if op == "+":
            return operand
        return _part(Neg(operand.node), (operand,))

    def chain(self, children):
        left, op, right = children
        node = left.node
        # `a - b + c` is one chain; the depth a long sum adds is then one level, not one per term
        if isinstance(node, Chain) and (node.rest[0][0] in "+-") == (op in "+-"):
            return _extend(Chain(node.first, (*node.rest, (str(op), right.node))), left, right)
        return _part(Chain(node, ((str(op), right.node),)), (left, right))

    def compare(self, children):
        left, op, right = children
        return _part(Compare(_COMPARISONS[str(op)], left.node, right.node), (left, right))

    def and_op(self, children):
        return self._logic("AND", children[0], children[2])

    def or_op(self, children):
        return self._logic("OR", children[0], children[2])

    def _logic(self, name, left, right):
        node = left.node
        if isinstance(node, Call) and node.name == name:
            return _extend(Call(name, (*node.args, right.node)), left, right)
        return _part(Call(name, (node, right.node)), (left, right))

    def not_op(self, children):
        operand = children[1]
        return _part(Call("NOT", (operand.node,)), (operand,))

    def arguments(self, children):
        return children

    def call(self, children):
        token, args = children
        args = args or []
        name = str(token).upper()
        if name not in FUNCTIONS:
            raise FormulaError("unknown_function", {"name": str(token)}, position=token.start_pos + 1)
        low, high = FUNCTIONS[name]
        if len(args) < low or (high is not None and len(args) > high):
            variant = "exactly" if high == low else "at_least" if high is None else "between"
            raise FormulaError(
                "arguments",
                {"name": name, "min": low, "max": high, "given": len(args)},
                position=token.start_pos + 1,
                template=MESSAGES[f"arguments_{variant}"],
            )
        return _part(Call(name, tuple(a.node for a in args)), tuple(args))


_PARSER = Lark(GRAMMAR, parser="lalr", lexer="basic", transformer=_Build(), maybe_placeholders=True)


def parse(expression: str) -> Node:
    """The AST of ``expression``; raises FormulaError for anything that is not a valid formula."""
    if not isinstance(expression, str):
        raise FormulaError("not_text")
    if len(expression) > MAX_LENGTH:
        raise FormulaError("too_long", {"length": len(expression), "limit": MAX_LENGTH})
    text = expression.translate(_NORMALISE)
    stripped = text.lstrip()
    if stripped.startswith("=") and not stripped.startswith("=="):
        at = len(text) - len(stripped)
        text = text[:at] + " " + text[at + 1 :]
    if not text.strip():
        raise FormulaError("empty")
    try:
        result = _PARSER.parse(text)
    except FormulaError:
        raise
    except UnexpectedCharacters as exc:
        at = exc.pos_in_stream or 0
        column = at + 1
        found = expression[at]
        raise FormulaError("syntax", {"column": column, "found": found}, position=column) from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            column = len(text) + 1
            raise FormulaError("syntax", {"column": column}, position=column, template=MESSAGES["syntax_end"]) from None
        column = exc.token.start_pos + 1
        found = expression[exc.token.start_pos : exc.token.end_pos][:20] or str(exc.token)[:20]
        raise FormulaError("syntax", {"column": column, "found": found}, position=column) from None
    except (UnexpectedInput, LarkError, RecursionError) as exc:  # defensive: any other parser failure
        raise FormulaError("syntax", {"column": 1, "found": expression[:20]}, position=1) from exc
    return cast(_Part, result).node


# --- compilation to closures -------------------------------------------------------------------

Env = Mapping[str, Decimal]
Fn = Callable[[Env], Decimal]

_ADD = CTX.add
_SUB = CTX.subtract
_MUL = CTX.multiply
_DIV = CTX.divide


def _divide(a: Decimal, b: Decimal) -> Decimal:
    if not b:
        raise FormulaError("division_by_zero")
    return _DIV(a, b)


_ARITH = {"+": _ADD, "-": _SUB, "*": _MUL, "/": _divide}
_RELATIONS = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _exponent(value: Decimal) -> int:
    return cast(int, value.as_tuple().exponent)  # an int for every finite value


def _plain(value: Decimal) -> Decimal:
    """1.2E+3 -> 1200: results of rounding to tens or hundreds print as people expect."""
    if _exponent(value) > 0:
        value = value.quantize(ONE, context=CTX)
    return value


def _checked(value: Decimal) -> Decimal:
    if _NEG_MAX <= value <= _POS_MAX:
        return value
    raise _too_large()


_QUANTUM = {n: Decimal((0, (1,), -n)) for n in range(-16, 19)}  # 10^-n


def _round(x: Decimal, digits: Decimal) -> Decimal:
    n = int(digits)  # truncates towards zero, like Excel
    if n < -16:  # |x| <= 10^15, so rounding to 10^17 or coarser gives 0
        return ZERO
    x = CTX.plus(x)  # at most PRECISION digits
    if n > 18:  # more decimals than a 34-digit value of this size can carry: keep x as it is
        if _exponent(x) >= -n:
            return x
        return x.quantize(Decimal((0, (1,), -n)), rounding=ROUND_HALF_UP, context=CTX)
    result = x.quantize(_QUANTUM[n], rounding=ROUND_HALF_UP, context=CTX)  # ROUND(5, 2) -> 5.00
    return _checked(_plain(result) if n < 0 else result)


def _to_multiple(x: Decimal, significance: Decimal, rounding: str) -> Decimal:
    if not significance:
        raise FormulaError("division_by_zero")
    step = significance.copy_abs()
    if step == ONE:
        return _checked(_plain(x.to_integral_value(rounding=rounding, context=CTX)))
    remainder = CTX.remainder(x, step)  # exact; has the sign of x; raises if the quotient is too long
    result = CTX.subtract(x, remainder)
    if rounding == ROUND_FLOOR and remainder < 0:
        result = CTX.subtract(result, step)
    elif rounding == ROUND_CEILING and remainder > 0:
        result = CTX.add(result, step)
    exponent = _exponent(step)
    if _exponent(result) < exponent:
        result = result.quantize(Decimal((0, (1,), exponent)), context=CTX)  # FLOOR(2.345, 0.01) -> 2.34
    return _checked(_plain(result))


def _compile(node: Node) -> Fn:
    if isinstance(node, Num):
        value = node.value
        return lambda env: value
    if isinstance(node, Var):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, Neg):
        f = _compile(node.operand)
        return lambda env: f(env).copy_negate()
    if isinstance(node, Percent):
        f = _compile(node.operand)
        return lambda env: f(env).scaleb(-2, CTX)
    if isinstance(node, Chain):
        return _compile_chain(node)
    if isinstance(node, Compare):
        relation = _RELATIONS[node.op]
        left, right = _compile(node.left), _compile(node.right)
        return lambda env: ONE if relation(left(env), right(env)) else ZERO
    return _compile_call(node)


def _compile_chain(node: Chain) -> Fn:
    first = _compile(node.first)
    steps = tuple((_ARITH[op], _compile(x), x.value if isinstance(x, Num) else None) for op, x in node.rest)
    if len(steps) == 1:
        ((op, right, constant),) = steps
        if constant is not None:  # `x * 0.2`, `x - 100`: no call for the constant

            def binary_constant(env: Env) -> Decimal:
                result = op(first(env), constant)
                if _NEG_MAX <= result <= _POS_MAX:
                    return result
                raise _too_large()

            return binary_constant

        def binary(env: Env) -> Decimal:
            result = op(first(env), right(env))
            if _NEG_MAX <= result <= _POS_MAX:
                return result
            raise _too_large()

        return binary

    pairs = tuple((op, right) for op, right, _ in steps)

    def chain(env: Env) -> Decimal:
        result = first(env)
        for op, right in pairs:
            result = op(result, right(env))
            if not _NEG_MAX <= result <= _POS_MAX:
                raise _too_large()
        return result

    return chain


def _compile_call(node: Call) -> Fn:
    name = node.name
    fs = tuple(_compile(a) for a in node.args)
    if name == "IF":
        cond, yes, no = fs
        return lambda env: yes(env) if cond(env) else no(env)
    if name == "AND":
        return lambda env: ONE if all(f(env) for f in fs) else ZERO
    if name == "OR":
        return lambda env: ONE if any(f(env) for f in fs) else ZERO
    if name == "NOT":
        (f,) = fs
        return lambda env: ZERO if f(env) else ONE
    if name in ("MIN", "MAX"):
        pick = min if name == "MIN" else max
        if len(fs) == 1:
            return fs[0]
        if len(fs) == 2:
            a, b = fs
            return lambda env: pick(a(env), b(env))
        return lambda env: pick([f(env) for f in fs])
    if name == "ABS":
        (f,) = fs
        return lambda env: f(env).copy_abs()
    if name == "ROUND":
        x, digits = fs
        return lambda env: _round(x(env), digits(env))
    # FLOOR / CEILING
    rounding = ROUND_FLOOR if name == "FLOOR" else ROUND_CEILING
    x = fs[0]
    if len(fs) == 1:
        return lambda env: _to_multiple(x(env), ONE, rounding)
    step = fs[1]
    return lambda env: _to_multiple(x(env), step(env), rounding)


def _fold(node: Node) -> Node:
    """Replace constant sub-expressions (``-5``, ``5%``, ``2 * 3``) by their value.

    A constant part that fails (``1/0``) is kept, so it fails only if evaluation reaches it and
    ``IF(x, 1, 1/0)`` stays valid.
    """
    if isinstance(node, Num | Var):
        return node
    folded: Node
    children: tuple[Node, ...]
    if isinstance(node, Neg):
        folded = Neg(_fold(node.operand))
        children = (folded.operand,)
    elif isinstance(node, Percent):
        folded = Percent(_fold(node.operand))
        children = (folded.operand,)
    elif isinstance(node, Chain):
        folded = Chain(_fold(node.first), tuple((op, _fold(x)) for op, x in node.rest))
        children = (folded.first, *(x for _, x in folded.rest))
    elif isinstance(node, Compare):
        folded = Compare(node.op, _fold(node.left), _fold(node.right))
        children = (folded.left, folded.right)
    else:
        folded = Call(node.name, tuple(_fold(a) for a in node.args))
        children = folded.args
    if all(isinstance(c, Num) for c in children):
        try:
            return Num(_finish(_compile(folded)({})))
        except (FormulaError, ArithmeticError):
            pass
    return folded


def _finish(value: Decimal) -> Decimal:
    if not value and value.is_signed():
        return ZERO  # no "-0" on a payslip
    return value


# --- public API --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A parsed formula: evaluate it as often as needed."""

    expression: str
    ast: Node
    references: frozenset[str]
    _names: tuple[str, ...] = field(repr=False, compare=False)
    _fn: Fn = field(repr=False, compare=False)

    def evaluate(self, variables: Mapping[str, Decimal]) -> Decimal:
        """The value for these variables (Decimal or int; extra keys are ignored)."""
        env: dict[str, Decimal] = {}
        missing = []
        for name in self._names:
            try:
                value = variables[name]
            except KeyError:
                missing.append(name)
                continue
            if type(value) is not Decimal:
                value = _coerce(name, value)
            if not value.is_finite():
                raise FormulaError("not_a_number", {"name": name})
            if not _NEG_MAX <= value <= _POS_MAX:
                raise FormulaError(
                    "too_large", {"name": name, "limit": "10^15"}, template=MESSAGES["variable_too_large"]
                )
            env[name] = value
        if missing:
            raise _unknown(missing)
        try:
            result = self._fn(env)
        except FormulaError:
            raise
        except (ArithmeticError, RecursionError) as exc:  # a quotient too long for FLOOR's precision
            raise _too_large() from exc
        return _finish(result)


def _coerce(name: str, value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):  # exact; floats are refused (money is never float)
        try:
            return CTX.create_decimal(value)
        except ArithmeticError:
            raise FormulaError(
                "too_large", {"name": name, "limit": "10^15"}, template=MESSAGES["variable_too_large"]
            ) from None
    raise FormulaError("not_a_number", {"name": name})


def _unknown(names: Collection[str]) -> FormulaError:
    names = sorted(names)
    code_template = "unknown_variable" if len(names) == 1 else "unknown_variables"
    return FormulaError("unknown_variable", {"names": ", ".join(names)}, template=MESSAGES[code_template])


def _names_in(node: Node, into: set[str]) -> None:
    if isinstance(node, Var):
        into.add(node.name)
    elif isinstance(node, Neg | Percent):
        _names_in(node.operand, into)
    elif isinstance(node, Chain):
        _names_in(node.first, into)
        for _, x in node.rest:
            _names_in(x, into)
    elif isinstance(node, Compare):
        _names_in(node.left, into)
        _names_in(node.right, into)
    elif isinstance(node, Call):
        for a in node.args:
            _names_in(a, into)


@lru_cache(maxsize=2048)
def compile_formula(expression: str) -> Formula:
    """Parse and compile once; raises FormulaError. Results are cached (they are immutable)."""
    ast = parse(expression)
    names: set[str] = set()
    _names_in(ast, names)
    try:
        fn = _compile(_fold(ast))
    except RecursionError as exc:  # cannot happen within MAX_DEPTH; never leak it
        raise FormulaError("too_deep", {"limit": MAX_DEPTH}) from exc
    return Formula(expression, ast, frozenset(names), tuple(sorted(names)), fn)


def evaluate(expression: str, variables: Mapping[str, Decimal]) -> Decimal:
    """Evaluate ``expression`` with ``variables``; any problem raises FormulaError."""
    if not isinstance(expression, str):
        raise FormulaError("not_text")
    return compile_formula(expression).evaluate(variables)


def references(expression: str) -> set[str]:
    """The variable names ``expression`` uses (function names are not included)."""
    if not isinstance(expression, str):
        raise FormulaError("not_text")
    return set(compile_formula(expression).references)


def check_formula(expression: str, known: Collection[str]) -> Formula:
    """Parse ``expression`` and require every name in it to be in ``known`` (for saving a rule)."""
    if not isinstance(expression, str):
        raise FormulaError("not_text")
    formula = compile_formula(expression)
    unknown = [name for name in formula.references if name not in known]
    if unknown:
        raise _unknown(unknown)
    return formula


def dependency_order(formulas: Mapping[str, Collection[str]]) -> list[str]:
    """An evaluation order for ``{component code: codes it references}``.

    Referenced names that are not keys are inputs and ignored. A cycle (including a component
    that references itself) raises FormulaError ``circular`` naming the components in it.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for code, uses in formulas.items():
        sorter.add(code, *sorted(name for name in uses if name in formulas))
    try:
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])[:-1]  # [a, b, c, a]: each node is needed by the next
        cycle.reverse()  # now each component uses the next one
        start = cycle.index(min(cycle))
        cycle = cycle[start:] + cycle[:start]
        raise FormulaError(
            "circular", {"cycle": " → ".join([*cycle, cycle[0]]), "names": ", ".join(sorted(cycle))}
        ) from None

"""Hostile pay-rule formulas (issue 11): whatever HR (or an attacker with HR's session) types,
``payroll.engine.formula.evaluate`` returns a finite Decimal within 10^15 or raises FormulaError,
and never anything else, and it answers quickly.

tests/payroll/test_formula.py already has the language's table of errors, 500 examples of short
random text and 500 arithmetic trees checked against Decimal. This module adds what an attacker
would try beyond that: Python escapes and exponent bombs, inputs up to 10,000 characters, nesting
far beyond the limit, numbers with thousands of digits, well-formed expressions over every
function and operator (with the real payroll variable names) evaluated with hostile variable
values, and the same input through the formula-check page. Every example runs under a hypothesis
deadline, so a slow path (a super-linear parse, an unbounded Decimal operation) fails the test.

No database for the pure part: it also runs with ``-p no:django``.
"""

from __future__ import annotations

import contextlib
import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payroll.engine.formula import MAX_DEPTH, MAX_LENGTH, FormulaError, check_formula, compile_formula, evaluate

D = Decimal
LIMIT = D(10) ** 15
TIME_LIMIT = 0.5  # seconds per evaluation: generous (a normal one takes well under a millisecond)
DEADLINE_MS = int(TIME_LIMIT * 1000)

# names the payroll engine really passes (see payroll.services.structures.formula_names and the
# structure fixture), a plain ASCII name and one at the edge of the magnitude bound
VARIABLES = {
    "基本工资": D("20000"),
    "base_salary": D("20000"),
    "岗位工资": D("2000"),
    "绩效系数": D("1.2"),
    "销售额": D("0"),
    "出勤率": D("1"),
    "a": D("-0.5"),
    "big": D("999999999999999"),
}
CODES = {
    "not_text",
    "empty",
    "too_long",
    "too_deep",
    "too_complex",
    "syntax",
    "unknown_function",
    "arguments",
    "unknown_variable",
    "not_a_number",
    "too_large",
    "division_by_zero",
}
# what a syntactically valid expression over known names may still fail with
EVALUATION_CODES = {"too_large", "division_by_zero", "too_deep", "too_complex", "too_long"}


def outcome(text, variables=VARIABLES) -> Decimal | FormulaError:
    """Evaluate; return the Decimal or the FormulaError. Any other exception fails the test, and so
    does an evaluation slower than TIME_LIMIT (hypothesis' deadline checks it too)."""
    started = time.perf_counter()
    try:
        result = evaluate(text, variables)
    except FormulaError as error:
        result = error
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT, f"{elapsed:.3f}s for {text!r:.80}"
    if isinstance(result, FormulaError):
        assert result.code in CODES, result.code
        assert str(result) == result.template % result.params  # the message formats: no KeyError later
    else:
        assert type(result) is Decimal, type(result)
        assert result.is_finite()
        assert abs(result) <= LIMIT
    return result


def error_code(text, variables=VARIABLES) -> str | None:
    result = outcome(text, variables)
    return result.code if isinstance(result, FormulaError) else None


# --- named attacks ---------------------------------------------------------------------------------

PYTHON_ESCAPES = [
    "__import__('os').system('id')",
    "__import__",
    "__builtins__",
    "__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "[].__class__.__mro__[1].__subclasses__()",
    "open('/etc/passwd').read()",
    "open",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "eval('1+1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "getattr(1, 'real')",
    "setattr(a, 'b', 1)",
    "a.real",
    "基本工资.__class__",
    "基本工资.__class__.__init__.__globals__",
    "a[0]",
    "a['x']",
    "import os",
    "from os import system",
    "os.system('id')",
    "1; import os",
    "1\nimport os",
    "1 # comment",
    "lambda: 0",
    "lambda x: x",
    "(lambda x: x)(1)",
    "(lambda: __import__('os'))()",
    "[x for x in range(10**9)]",
    "[x for x in range(10)]",
    "{x: x for x in 'ab'}",
    "{x for x in (1, 2)}",
    "(x for x in ())",
    "sum(x for x in range(10**9))",
    "a if a else 1",
    "(y := 1)",
    "yield 1",
    "await a",
    "async def f(): pass",
    "def f(): return 1",
    "class A: pass",
    "print(1)",
    "__import__('subprocess').check_output(['id'])",
    "breakpoint()",
    "input()",
    "type(1)",
    "'a' * 10**9",
    "'%s' % 1",
    "f'{1+1}'",
    "b'x'",
    "r'x'",
    "...",
    "None",
    "True + True",
    "not 1",
    "1 is 1",
    "1 in (1,)",
    "~1",
    "1 << 100000",
    "1 >> 1",
    "1 & 1",
    "1 | 1",
    "1 // 1",
    "1 @ 1",
    "7 % 3",
    "`id`",
    "$(id)",
    "${7*7}",
    "{{7*7}}",
    "{% debug %}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x", "y")',
    "@SUM(1, 2)",
    "'; DROP TABLE payroll_payslip; --",
    "1 UNION SELECT 1",
    "\x00",
    "1\x00",
    "\x00__import__('os')",
    "\u202e1 + 2",
    "1\u200b+ 2",
    "\ufeff1 + 1",
    "\ud800",
    "１２３４５６７８９０１２３４５６",
    "١ + ٢",
    "𝟏 + 𝟐",
    "Ⅻ + 1",
    "½",
    "¹",
    "ＩＦ（１，２，３）",
    "ＭＡＸ（" + "９" * 40 + "）",
]

EXPONENT_BOMBS = [
    "9**9**9",
    "9 ** 9 ** 9",
    "10**100000",
    "2**2**2**2**2",
    "(9**9)**9",
    "9^9^9",
    "10^100000",
    "pow(9, 9**9)",
    "POW(10, 100000)",
    "POWER(10, 100000)",
    "EXP(100000)",
    "1e999999",
    "1E+999999",
    "1e-999999",
    "9.9e999999999",
    "9" * 2000,
    "9" * (MAX_LENGTH - 2) + "+1",
    "0." + "0" * 1990 + "1",
    "1." + "9" * 1990,
    "999999999999999 * 999999999999999",
    " * ".join(["999999999999999"] * 100),
    " * ".join(["big"] * 100),
    "big * big * big",
    "big + big",
    "-big - big",
    "big / 0.000000000000000000000000000001",
    "1 / 0.0000000000000000000000000000000000000001",
    "0.0000000000000000000000000000001 * 0.0000000000000000000000000000001",
    "1 / 3 * 3",
    "1 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7 / 7",
    "ROUND(big, 999999999999999)",
    "ROUND(1 / 3, 999999999999999)",
    "ROUND(0.0000000000000000000001, 100)",
    "ROUND(big, -999999999999999)",
    "ROUND(1, 1 / 3)",
    "ROUND(1, -1 / 3)",
    "ROUND(big, big)",
    "ROUND(1 / 3, 34)",
    "ROUND(1 / 3, 35)",
    "FLOOR(big, 0.000000000000000000000000000000001)",
    "CEILING(big, 0.000000000000000000000000000000001)",
    "FLOOR(0.000000000000000000000000000000001, big)",
    "CEILING(-big, big)",
    "CEILING(big, 3)",
    "FLOOR(1, 1%" + "%" * 30 + ")",
    "ABS(-big) + 1",
    "MAX(" + ", ".join(["big"] * 200) + ") * 2",
    "MIN(" + ", ".join(["-big"] * 200) + ") * 2",
    "IF(1, big * big, 0)",
    "IF(0, big * big, 0)",
    "AND(0, big * big)",
    "OR(1, 1 / 0)",
    "big%" + "%" * 38,
]

DIVISIONS_BY_ZERO = [
    "1 / 0",
    "0 / 0",
    "-1 / 0",
    "big / 0",
    "1 / 0%",
    "1 / (1 - 1)",
    "1 / 销售额",
    "1 ÷ 0",
    "1 ／ ０",
    "1 / (a + 0.5)",
    "1 / ROUND(0.4, 0)",
    "1 / FLOOR(0.5)",
    "1 / ABS(0)",
    "1 / MIN(0, 1)",
    "1 / (1 = 2)",
    "1 / (NOT 1)",
    "1 / AND(1, 0)",
    "FLOOR(5, 0)",
    "CEILING(5, 0)",
    "FLOOR(5, 销售额)",
    "IF(1, 1 / 0, 0)",
    "MAX(1, 1 / 0)",
]


@pytest.mark.parametrize("text", PYTHON_ESCAPES)
def test_python_is_unreachable(text):
    """No Python construct evaluates to anything: every one is a FormulaError, except the few that
    are also valid formulas by accident of syntax, which are plain arithmetic."""
    result = outcome(text)
    if not isinstance(result, FormulaError):
        # only text that is also a formula of the language (a NOT, full-width IF) gives a value
        assert text in {"not 1", "ＩＦ（１，２，３）"}, f"{text!r} evaluated to {result}"


@pytest.mark.parametrize("text", EXPONENT_BOMBS)
def test_exponent_bombs_and_huge_numbers_are_refused_quickly(text):
    outcome(text)


def test_the_named_bombs_fail_the_way_they_should():
    assert error_code("9**9**9") == "syntax"
    assert error_code("10**100000") == "syntax"
    assert error_code("9^9^9") == "syntax"
    assert error_code("POW(10, 100000)") == "unknown_function"
    assert error_code("1e999999") == "syntax"
    assert error_code("9" * 2000) == "too_large"
    assert error_code("big * big * big") == "too_large"
    assert error_code(" * ".join(["999999999999999"] * 100)) == "too_large"
    assert error_code("ROUND(big, 999999999999999)") is None
    assert error_code("FLOOR(big, 0.000000000000000000000000000000001)") == "too_large"
    assert error_code("IF(0, big * big, 0)") is None  # the branch not taken is not evaluated


@pytest.mark.parametrize("text", DIVISIONS_BY_ZERO)
def test_division_by_zero_is_a_formula_error(text):
    assert error_code(text) == "division_by_zero"


def test_python_escapes_never_reach_python():
    """Even the texts that name Python functions never call them: the dangerous builtins are
    replaced by tripwires for the duration of each evaluation (and restored at once, so pytest
    itself is not affected)."""
    import builtins

    calls = []

    def tripwire(name):
        def call(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"a formula reached Python's {name}")

        return call

    names = ("__import__", "eval", "exec", "compile", "open", "breakpoint", "input")
    saved = {name: getattr(builtins, name) for name in names}
    compile_formula.cache_clear()  # no result cached before the tripwires were set
    for text in PYTHON_ESCAPES + EXPONENT_BOMBS:
        for name in names:
            setattr(builtins, name, tripwire(name))
        try:
            evaluate(text, VARIABLES)
        except FormulaError:
            pass
        finally:
            for name, original in saved.items():
                setattr(builtins, name, original)
    assert calls == []


# --- property-based: arbitrary text ----------------------------------------------------------------

FRAGMENTS = [
    "a", "big", "基本工资", "绩效系数", "1", "0", "9" * 20, "0.5", ".5", "5%", "(", ")", ",", "+", "-", "*", "/",
    "×", "÷", "（", "）", "，", "=", "<>", "<=", ">=", "!=", "==", " AND ", " OR ", "NOT ", "IF(", "MAX(",
    "MIN(", "ROUND(", "FLOOR(", "CEILING(", "ABS(", "AND(", "OR(", "NOT(", "**", "^", ".", "__", "import",
    "lambda", ":", "[", "]", "{", "}", "'", '"', "\\", "\x00", "\u202e", "\u3000", "\n", "e9", "E+999",
    "for x in", "__class__", ";", "#", "@", "$", "`",
]  # fmt: skip

soup = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)
long_repeats = st.builds(
    lambda fragment, n: (fragment * n)[:10_000],
    st.sampled_from([*FRAGMENTS, "1+", "(1)+", "a*"]),
    st.integers(1, 10_000),
)
at_the_length_limit = st.builds(
    lambda filler, n: "1" + filler * (n - 1),
    st.sampled_from([" ", "+1", "\u3000"]),
    st.integers(MAX_LENGTH - 5, MAX_LENGTH + 5),
)
escapes_in_context = st.builds(
    lambda left, attack, right: left + attack + right,
    st.sampled_from(["", "1 + ", "IF(", "MAX(1, ", "基本工资 * ", "=", "(", "-"]),
    st.sampled_from(PYTHON_ESCAPES + EXPONENT_BOMBS),
    st.sampled_from(["", ")", " + 1", ", 1)", "%", " * 0"]),
)
any_text = st.one_of(
    st.text(max_size=300),  # any unicode (hypothesis includes control, combining, RTL and astral characters)
    st.text(min_size=1_000, max_size=10_000),
    st.text(alphabet=st.characters(codec="ascii"), max_size=500),
    soup,
    long_repeats,
    at_the_length_limit,
    escapes_in_context,
)


@settings(
    max_examples=600,
    deadline=DEADLINE_MS,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(any_text)
def test_any_text_is_a_decimal_or_a_formula_error(text):
    result = outcome(text)
    if len(text) > MAX_LENGTH:
        assert isinstance(result, FormulaError) and result.code == "too_long"
    # the same text through the saving path: a Formula or a FormulaError, nothing else
    with contextlib.suppress(FormulaError):
        check_formula(text, VARIABLES.keys())


# --- property-based: nesting -----------------------------------------------------------------------

WRAPPERS = [("(", ")"), ("ABS(", ")"), ("-", ""), ("+", ""), ("(NOT ", ")"), ("MAX(1, ", ")"), ("IF(1, ", ", 0)"),
            ("ROUND(", ", 2)"), ("FLOOR(", ")"), ("（", "）"), ("NOT(", ")"), ("AND(1, ", ")"), ("", "%")]  # fmt: skip


@settings(max_examples=300, deadline=DEADLINE_MS, database=None)
@given(st.lists(st.sampled_from(WRAPPERS), max_size=400), st.sampled_from(["1", "a", "big", "0", "基本工资"]))
def test_deep_nesting_is_refused_beyond_the_limit(wrappers, core):
    text = core
    for opening, closing in wrappers:
        text = opening + text + closing
    result = outcome(text)
    if len(wrappers) > MAX_DEPTH + 1:
        assert isinstance(result, FormulaError)
        assert result.code in {"too_deep", "too_long", "too_complex"}, (result.code, text[:80])
    elif isinstance(result, FormulaError):
        assert result.code in EVALUATION_CODES, (result.code, text[:80])


# --- property-based: numbers -----------------------------------------------------------------------

number_text = st.one_of(
    st.integers(0, 10**3000).map(str),
    st.builds(lambda i, f: f"{i}.{f}", st.integers(0, 10**20), st.integers(0, 10**2000)),
    st.builds(lambda zeros, d: "0." + "0" * zeros + str(d), st.integers(0, 3000), st.integers(1, 9)),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")[:MAX_LENGTH]),
)


@settings(max_examples=300, deadline=DEADLINE_MS, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(number_text, st.sampled_from(["{}", "{} * {}", "{} / {}", "-{} - {}", "ROUND({}, {})", "FLOOR({}, {})",
                                      "CEILING(big, {})", "{}%", "big * {}", "1 / {}", "IF({} > 1, {}, 0)"]))  # fmt: skip
def test_numbers_of_any_size_are_bounded(number, shape):
    text = shape.replace("{}", number)
    result = outcome(text)
    if isinstance(result, FormulaError):
        assert result.code in {"too_large", "too_long", "division_by_zero", "too_complex", "syntax"}
        if result.code == "syntax":  # only a number written in a form the language does not read
            assert "e" in number.lower() or "-" in number, (number[:40], text[:80])


# --- property-based: well-formed expressions with hostile values ----------------------------------

NAMES = sorted(VARIABLES)
literal = st.one_of(
    st.integers(0, 10**15).map(str),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False).map(str),
    st.integers(0, 500).map(lambda n: f"{n}%"),
    st.sampled_from(["0", "1", ".5", "0.01", "１０", "999999999999999"]),
)
leaf = st.one_of(literal, st.sampled_from(NAMES))


def _extend(children):
    binary = st.builds(
        lambda op, x, y: f"({x} {op} {y})", st.sampled_from(["+", "-", "*", "/", "×", "÷", "－"]), children, children
    )
    compare = st.builds(
        lambda op, x, y: f"({x} {op} {y})",
        st.sampled_from(["=", "==", "<>", "!=", "<", ">", "<=", ">=", "＞＝"]),
        children,
        children,
    )
    logic = st.builds(
        lambda op, x, y: f"({x} {op} {y})", st.sampled_from(["AND", "OR", "and", "Or"]), children, children
    )
    unary = st.builds(lambda op, x: f"{op}({x})", st.sampled_from(["-", "+", "NOT ", "−"]), children)
    percent = children.map(lambda x: f"({x})%")
    fixed = st.one_of(
        st.builds(lambda c, y, n: f"IF({c}, {y}, {n})", children, children, children),
        st.builds(lambda x, n: f"ROUND({x}, {n})", children, children),
        st.builds(lambda x: f"ABS({x})", children),
        st.builds(lambda x: f"NOT({x})", children),
        st.builds(lambda f, x: f"{f}({x})", st.sampled_from(["FLOOR", "CEILING", "floor", "Ceiling"]), children),
        st.builds(lambda f, x, s: f"{f}({x}, {s})", st.sampled_from(["FLOOR", "CEILING"]), children, children),
    )
    variadic = st.builds(
        lambda f, xs: f"{f}({', '.join(xs)})",
        st.sampled_from(["MIN", "MAX", "AND", "OR", "min", "ＭＡＸ"]),
        st.lists(children, min_size=1, max_size=4),
    )
    return st.one_of(binary, compare, logic, unary, percent, fixed, variadic)


expressions = st.recursive(leaf, _extend, max_leaves=25)

hostile_value = st.one_of(
    st.decimals(min_value=-LIMIT, max_value=LIMIT, allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [D(0), D("-0"), LIMIT, -LIMIT, D("1E-999999"), D("0." + "0" * 50 + "1"), D("123456789.123456789123456789")]
    ),
    st.integers(-(10**15), 10**15),
)


@settings(max_examples=700, deadline=DEADLINE_MS, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.fixed_dictionaries({name: hostile_value for name in NAMES}))
def test_generated_expressions_only_fail_at_evaluation(text, values):
    """A generated expression is valid: it may fail only for its values (overflow, a division by
    zero) or its size, never with a syntax, name or arity error, and never with another exception."""
    result = outcome(text, values)
    if isinstance(result, FormulaError):
        assert result.code in EVALUATION_CODES, (result.code, text)


bad_value = st.one_of(
    st.sampled_from([D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), D(10) ** 16, -(D(10) ** 16), D("1E+999999")]),
    st.sampled_from([10**16, 10**100_000, 1.5, float("nan"), float("inf"), "12", "", None, b"1", [1], {"a": 1}]),
)


@settings(max_examples=200, deadline=DEADLINE_MS, database=None)
@given(expressions.filter(lambda t: any(n in t for n in NAMES)), bad_value)
def test_bad_variable_values_are_refused(text, value):
    used = compile_formula(text).references if error_code(text) != "too_deep" else set()
    values = dict(VARIABLES)
    for name in used:
        values[name] = value
    result = outcome(text, values)
    if used:
        assert isinstance(result, FormulaError)
        assert result.code in {"not_a_number", "too_large"}, (result.code, text, value)


def test_missing_variables_are_named_not_a_key_error():
    assert error_code("基本工资 * 绩效系数", {}) == "unknown_variable"
    assert error_code("a + b", {"a": D(1)}) == "unknown_variable"


# --- through the formula check of the structure editor ---------------------------------------------


@pytest.mark.django_db
def test_the_formula_check_page_answers_every_attack_with_a_message(client_for, structure, english):
    """The htmx check a structure editor calls while HR types: hostile text gives a 200 partial with
    the error, escaped, and never a server error or the raw markup."""
    client = client_for("payroll")
    line = structure.lines.select_related("component").first()
    attacks = (
        PYTHON_ESCAPES + EXPONENT_BOMBS[:20] + ["1 + <script>alert(1)</script>", '1 +"><img src=x onerror=alert(1)>']
    )
    attacks = [t for t in attacks if t != "\ud800"]  # a lone surrogate cannot travel in an HTTP request
    for text in attacks:
        response = client.post(
            "/payroll/structures/formula-check/",
            {"check_structure": structure.pk, "check_component": line.component_id, "formula": text},
        )
        assert response.status_code == 200, text
        body = response.content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body, text

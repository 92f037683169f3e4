"""The payroll formula language (payroll.engine.formula): pure Decimal arithmetic.

No database and no Django: runs in the full suite and with
`pytest tests/payroll/test_formula.py -p no:django`.
"""

import ast
import dataclasses
import decimal
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.engine import formula as formula_module
from payroll.engine.formula import (
    MAX_LENGTH,
    MESSAGES,
    Formula,
    FormulaError,
    check_formula,
    compile_formula,
    dependency_order,
    evaluate,
    references,
)

D = Decimal


def ev(expression, **variables):
    return evaluate(expression, {name: D(value) for name, value in variables.items()})


def error_of(expression, variables=None):
    with pytest.raises(FormulaError) as info:
        evaluate(expression, variables or {})
    return info.value


# --- values ------------------------------------------------------------------------------------

VALUES = [
    # arithmetic and precedence
    ("2 + 3 * 4", "14"),
    ("(2 + 3) * 4", "20"),
    ("2 * 3 + 4", "10"),
    ("10 - 4 - 3", "3"),
    ("100 / 10 / 2", "5"),
    ("2 * 6 / 4", "3"),
    ("10 / 4", "2.5"),
    ("1 / 8", "0.125"),
    ("-3 + 5", "2"),
    ("-(3 + 5)", "-8"),
    ("--3", "3"),
    ("2 - -3", "5"),
    ("2--3", "5"),
    ("+4 * -2", "-8"),
    ("-2 * -2", "4"),
    ("0.1 + 0.2", "0.3"),
    (".5 + 5.", "5.5"),
    ("007", "7"),
    ("1000000000000000", "1000000000000000"),
    ("-1000000000000000", "-1000000000000000"),
    ("0 * -5", "0"),
    # percent
    ("5%", "0.05"),
    ("1%", "0.01"),
    ("200 * 1%", "2"),
    ("12.5%", "0.125"),
    ("-5%", "-0.05"),
    ("(50 + 50)%", "1"),
    ("50%%", "0.005"),
    ("100 - 5% * 100", "95"),
    # × ÷, full-width characters, whitespace
    ("6 × 7", "42"),
    ("84 ÷ 2", "42"),
    ("（1 + 2）× 3", "9"),
    ("MAX(1，5，3)", "5"),
    ("１２＋３", "15"),
    ("10 － 4", "6"),
    ("50％", "0.5"),
    ("1\u3000+\t2\n+ 3", "6"),
    ("=1 + 1", "2"),
    ("  = 2 * 3", "6"),
    # comparisons
    ("1 = 1", "1"),
    ("1 == 1.00", "1"),
    ("1 = 2", "0"),
    ("1 <> 2", "1"),
    ("1 != 1", "0"),
    ("1 < 2", "1"),
    ("2 < 1", "0"),
    ("2 > 1", "1"),
    ("2 <= 2", "1"),
    ("3 <= 2", "0"),
    ("2 >= 3", "0"),
    ("1 + 1 = 2", "1"),
    ("（2 ＞ 1）＋ 1", "2"),
    # boolean logic, operators and functions, case-insensitive
    ("1 AND 1", "1"),
    ("1 AND 0", "0"),
    ("2 AND -3", "1"),
    ("0 OR 0", "0"),
    ("0 OR 0.5", "1"),
    ("NOT 0", "1"),
    ("NOT 7", "0"),
    ("NOT NOT 7", "1"),
    ("not 1 = 2", "1"),
    ("1 or 0 and 0", "1"),
    ("(1 or 0) and 0", "0"),
    ("1 = 1 AND 2 > 1", "1"),
    ("AND(1, 2, 3)", "1"),
    ("AND(1, 0, 3)", "0"),
    ("and(1)", "1"),
    ("OR(0, 0, 0)", "0"),
    ("Or(0, 0, 9)", "1"),
    ("NOT(0)", "1"),
    ("NOT (1)", "0"),
    ("1 + NOT(0)", "2"),
    ("AND(1, 1) AND 0", "0"),
    # IF
    ("IF(1, 2, 3)", "2"),
    ("IF(0, 2, 3)", "3"),
    ("IF(0.001, 2, 3)", "2"),
    ("IF(-1, 2, 3)", "2"),
    ("if(2 > 1, 10, 20)", "10"),
    ("If(1 = 2, 10, IF(2 = 2, 20, 30))", "20"),
    ("IF(1, 2, 1 / 0)", "2"),
    ("IF(0, 1 / 0, 3)", "3"),
    # MIN / MAX / ABS
    ("MIN(3, 1, 2)", "1"),
    ("MIN(5)", "5"),
    ("min(-1, -5)", "-5"),
    ("MAX(3, 1, 2)", "3"),
    ("MAX(-1, -5)", "-1"),
    ("Max(0.5, 1%)", "0.5"),
    ("ABS(-3.5)", "3.5"),
    ("ABS(3.5)", "3.5"),
    ("ABS(0)", "0"),
    # ROUND: half away from zero, like Excel
    ("ROUND(2.5, 0)", "3"),
    ("ROUND(-2.5, 0)", "-3"),
    ("ROUND(3.5, 0)", "4"),
    ("ROUND(2.4, 0)", "2"),
    ("ROUND(1.005, 2)", "1.01"),
    ("ROUND(2.345, 2)", "2.35"),
    ("ROUND(-2.345, 2)", "-2.35"),
    ("ROUND(1234.5678, -2)", "1200"),
    ("ROUND(1250, -2)", "1300"),
    ("ROUND(-1250, -2)", "-1300"),
    ("ROUND(1234.5678, 2.9)", "1234.57"),
    ("ROUND(123, -20)", "0"),
    ("ROUND(1/3, 30)", "0.333333333333333333333333333333"),
    ("ROUND(0.1, 40)", "0.1"),
    ("ROUND(-0.4, 0)", "0"),
    # FLOOR / CEILING: towards minus / plus infinity, to a multiple of |significance|
    ("FLOOR(2.7)", "2"),
    ("FLOOR(-2.5)", "-3"),
    ("FLOOR(3)", "3"),
    ("CEILING(2.1)", "3"),
    ("CEILING(-2.5)", "-2"),
    ("CEILING(3)", "3"),
    ("FLOOR(7, 5)", "5"),
    ("CEILING(7, 5)", "10"),
    ("FLOOR(-7, 5)", "-10"),
    ("CEILING(-7, 5)", "-5"),
    ("FLOOR(7, -5)", "5"),
    ("FLOOR(10, 5)", "10"),
    ("FLOOR(2.345, 0.01)", "2.34"),
    ("CEILING(2.341, 0.01)", "2.35"),
    ("CEILING(2.34, 0.01)", "2.34"),
    ("FLOOR(1234, 100)", "1200"),
    ("CEILING(1201, 0.5)", "1201"),
    ("ceiling(1201.1, 0.5)", "1201.5"),
]


@pytest.mark.parametrize(("expression", "expected"), VALUES)
def test_values(expression, expected):
    result = evaluate(expression, {})
    assert isinstance(result, Decimal)
    assert result == D(expected)


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("10 / 4", "2.5"),
        ("1 / 3", "0.3333333333333333333333333333333333"),  # 34 significant digits, not rounded to cents
        ("2 / 3", "0.6666666666666666666666666666666667"),
        ("ROUND(1234.5678, -2)", "1200"),  # not 1.2E+3
        ("FLOOR(2.345, 0.01)", "2.34"),
        ("ROUND(5, 2)", "5.00"),
        ("0 * -5", "0"),  # never "-0"
        ("-(0)", "0"),
    ],
)
def test_results_are_exact_and_print_plainly(expression, text):
    assert str(evaluate(expression, {})) == text


def test_the_callers_decimal_context_does_not_change_results():
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert evaluate("2 / 3", {}) == D("0.6666666666666666666666666666666667")
        assert evaluate("ROUND(2.5, 0) + ABS(-123456.789)", {}) == D("123459.789")


# --- variables and the HR rules -----------------------------------------------------------------


def test_chinese_and_mixed_variable_names():
    variables = {"基本工资": D("10000"), "绩效系数": D("1.2"), "base_salary": D("8000"), "项目贡献占比": D("0.5")}
    assert evaluate("基本工资 * 绩效系数", variables) == D("12000")
    assert evaluate("base_salary * 绩效系数 * 项目贡献占比", variables) == D("4800")
    assert evaluate("x_1 + 工资2 + _私有 + 㐀", {"x_1": D(1), "工资2": D(2), "_私有": D(3), "㐀": D(4)}) == D(10)


def test_names_are_case_sensitive_keywords_and_functions_are_not():
    assert ev("Base + base", Base=1, base=2) == D(3)
    assert ev("iF(a, mAx(a, 2), 0)", a=1) == D(2)
    # words that merely start with a keyword are ordinary names
    assert ev("ANDROID + orders + notes + 与AND", ANDROID=1, orders=2, notes=3, 与AND=4) == D(10)
    assert ev("MAX + 1", MAX=1) == D(2)  # a name is a function only when called


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    [
        # performance bonus: 12,000 × 1.2 × 35%
        (
            "基本工资 * 绩效系数 * 项目贡献占比",
            {"基本工资": "12000", "绩效系数": "1.2", "项目贡献占比": "0.35"},
            "5040",
        ),
        # sales bonus: 1% of 500,000 sales minus 5% of an overdue rate of 2 (points)
        ("销售额 * 1% - 逾期率 * 5%", {"销售额": "500000", "逾期率": "2"}, "4999.9"),
        ("销售额 × 1% － 逾期率 × 5%", {"销售额": "500000", "逾期率": "2"}, "4999.9"),
        # risk team: (2.5 − 1.8) × 2% + (48 − 36) × 1% = 0.014 + 0.12
        (
            "(不良率目标 - 不良率实际) * 2% + (审批时效目标 - 审批时效实际) * 1%",
            {"不良率目标": "2.5", "不良率实际": "1.8", "审批时效目标": "48", "审批时效实际": "36"},
            "0.134",
        ),
        # project commission: 800,000 × 1.5%
        ("项目金额 * 提成比例", {"项目金额": "800000", "提成比例": "0.015"}, "12000"),
        # grade bonus: 20% of base pay from grade 4
        ("IF(绩效等级 >= 4, 基本工资 * 0.2, 0)", {"绩效等级": "4", "基本工资": "12000"}, "2400"),
        ("IF(绩效等级 >= 4, 基本工资 * 0.2, 0)", {"绩效等级": "5", "基本工资": "12000"}, "2400"),
        ("IF(绩效等级 >= 4, 基本工资 * 0.2, 0)", {"绩效等级": "3", "基本工资": "12000"}, "0"),
        ("IF（绩效等级 ＞＝ 4，基本工资 × 0.2，0）", {"绩效等级": "4", "基本工资": "12000"}, "2400"),
    ],
)
def test_hr_rules(expression, variables, expected):
    assert evaluate(expression, {k: D(v) for k, v in variables.items()}) == D(expected)


def test_if_and_logic_evaluate_only_what_they_need():
    assert ev("IF(x = 0, 0, 100 / x)", x=0) == 0
    assert ev("IF(x = 0, 0, 100 / x)", x=4) == 25
    assert ev("x <> 0 AND 100 / x > 5", x=0) == 0
    assert ev("x = 0 OR 100 / x > 5", x=0) == 1
    assert ev("AND(x, 1 / x)", x=0) == 0
    with pytest.raises(FormulaError) as info:
        ev("IF(x = 0, 100 / x, 0)", x=0)
    assert info.value.code == "division_by_zero"


def test_variable_values():
    assert evaluate("a + b", {"a": 1, "b": D("0.5")}) == D("1.5")  # ints are exact, so allowed
    assert evaluate("a", {"a": D("-1000000000000000")}) == D("-1000000000000000")
    assert evaluate("a", {"a": D("1"), "unused": D("NaN")}) == 1  # extra keys are ignored


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.1, "not_a_number"),  # floats are refused: money is never float
        ("12", "not_a_number"),
        (None, "not_a_number"),
        (D("NaN"), "not_a_number"),
        (D("sNaN"), "not_a_number"),
        (D("Infinity"), "not_a_number"),
        (D("-Infinity"), "not_a_number"),
        (D("1000000000000000.01"), "too_large"),
        (10**16, "too_large"),
        pytest.param(10**5000, "too_large", id="10**5000"),
    ],
)
def test_bad_variable_values(value, code):
    error = error_of("a + 1", {"a": value})
    assert error.code == code
    assert error.params["name"] == "a"


def test_unknown_variables_at_evaluation_are_all_named_in_order():
    error = error_of("乙 + b + a + IF(0, c, 1)", {"b": D(1)})
    assert error.code == "unknown_variable"
    assert error.params == {"names": "a, c, 乙"}
    assert str(error) == "Unknown names: a, c, 乙."
    assert str(error_of("a + 1")) == "Unknown name: a."


# --- compiled formulas, references, checks, dependency order --------------------------------------


def test_compile_once_evaluate_many():
    formula = compile_formula("基本工资 * 绩效系数 + MAX(补贴, 100)")
    assert isinstance(formula, Formula)
    assert formula.references == frozenset({"基本工资", "绩效系数", "补贴"})
    assert formula.evaluate({"基本工资": D(1000), "绩效系数": D("1.5"), "补贴": D(50)}) == D(1600)
    assert formula.evaluate({"基本工资": D(2000), "绩效系数": D("1"), "补贴": D(300)}) == D(2300)
    with pytest.raises(dataclasses.FrozenInstanceError):
        formula.references = frozenset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        formula.ast.name = "x"


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("1 + 2", set()),
        ("a + a * b", {"a", "b"}),
        ("IF(绩效等级 >= 4, 基本工资 * 0.2, 奖金)", {"绩效等级", "基本工资", "奖金"}),
        ("MAX(x, MIN(y, ROUND(z, n)))", {"x", "y", "z", "n"}),
        ("NOT a AND b OR c", {"a", "b", "c"}),
        ("-x% = y", {"x", "y"}),
    ],
)
def test_references(expression, names):
    assert references(expression) == names


def test_check_formula_names_every_unknown_variable_sorted():
    known = {"基本工资", "绩效系数"}
    assert check_formula("基本工资 * 绩效系数", known).references == frozenset(known)
    with pytest.raises(FormulaError) as info:
        check_formula("基本工资 * 绩效系数 + 津贴 + bonus + 奖金", known)
    assert info.value.code == "unknown_variable"
    assert info.value.params["names"] == "bonus, 奖金, 津贴"
    assert str(info.value) == "Unknown names: bonus, 奖金, 津贴."


def test_check_formula_also_rejects_syntax_errors():
    with pytest.raises(FormulaError) as info:
        check_formula("基本工资 *", {"基本工资"})
    assert info.value.code == "syntax"


def test_dependency_order():
    formulas = {
        "net": frozenset({"gross", "tax"}),
        "tax": frozenset({"gross", "起征点"}),
        "gross": frozenset({"base", "bonus"}),
        "bonus": frozenset({"base", "绩效系数"}),
        "meal": frozenset(),
    }
    order = dependency_order(formulas)
    assert sorted(order) == sorted(formulas)  # inputs (base, 起征点, 绩效系数) are not components
    for code, uses in formulas.items():
        for used in uses & formulas.keys():
            assert order.index(used) < order.index(code)


def test_dependency_order_from_compiled_formulas():
    rules = {"绩效奖金": "基本工资 * 绩效系数", "应发": "基本工资 + 绩效奖金 + 提成", "提成": "销售额 * 1%"}
    order = dependency_order({code: compile_formula(rule).references for code, rule in rules.items()})
    assert order.index("绩效奖金") < order.index("应发")
    assert order.index("提成") < order.index("应发")


@pytest.mark.parametrize(
    ("formulas", "cycle", "names"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"base"}}, "a → b → c → a", "a, b, c"),
        ({"c": {"a"}, "b": {"c", "x"}, "a": {"b"}}, "a → b → c → a", "a, b, c"),
        ({"a": {"c"}, "c": {"b"}, "b": {"a"}}, "a → c → b → a", "a, b, c"),
        ({"奖金": {"奖金", "base"}, "other": set()}, "奖金 → 奖金", "奖金"),
    ],
)
def test_dependency_cycles_are_named(formulas, cycle, names):
    with pytest.raises(FormulaError) as info:
        dependency_order(formulas)
    assert info.value.code == "circular"
    assert info.value.params == {"cycle": cycle, "names": names}
    assert cycle in str(info.value)


# --- invalid and hostile input -------------------------------------------------------------------

ERRORS = [
    # not formulas at all
    ("", "empty"),
    ("   ", "empty"),
    ("\n\t\u3000", "empty"),
    ("=", "empty"),
    # Python is not reachable
    ("__import__('os')", "syntax"),
    ("__import__(1)", "unknown_function"),
    ("().__class__", "syntax"),
    ("a.b", "syntax"),
    ("a.__class__", "syntax"),
    ('"x"', "syntax"),
    ("'x'", "syntax"),
    ("“x”", "syntax"),
    ("lambda: 1", "syntax"),
    ("lambda x: x", "syntax"),
    ("a[0]", "syntax"),
    ("[1, 2]", "syntax"),
    ("{}", "syntax"),
    ("1 if 1 else 2", "syntax"),
    ("x := 1", "syntax"),
    ("a; b", "syntax"),
    ("2 ** 10", "syntax"),
    ("2 ^ 10", "syntax"),
    ("f'{1}'", "syntax"),
    ("1\x00", "syntax"),
    ("exec('1')", "syntax"),
    ("EXEC(1)", "unknown_function"),
    ("eval(1)", "unknown_function"),
    ("SUM(1, 2)", "unknown_function"),
    ("getattr(a, b)", "unknown_function"),
    # numbers: no exponent notation, no NaN or Infinity, bounded literals
    ("1e308", "syntax"),
    ("1E5", "syntax"),
    ("1_000", "syntax"),
    ("0x10", "syntax"),
    ("1,000", "syntax"),
    ("NaN", "unknown_variable"),
    ("Infinity", "unknown_variable"),
    ("-inf", "unknown_variable"),
    ("9" * 400, "too_large"),
    ("1000000000000001", "too_large"),
    ("0.1 * 10000000000000000", "too_large"),
    # arithmetic beyond the bounds
    ("9999999999 * 9999999999 * 9999999999", "too_large"),
    ("1000000000000000 + 1", "too_large"),
    ("-1000000000000000 - 0.01", "too_large"),
    ("1 / 0.0000000000000001", "too_large"),
    ("CEILING(999999999999999.5, 7)", "too_large"),  # 1000000000000001
    ("ROUND(999999999999999.5, 0) + 1", "too_large"),
    ("FLOOR(1000000000000000, 0.000000000000000000001)", "too_large"),
    ("1 / 0", "division_by_zero"),
    ("0 / 0", "division_by_zero"),
    ("1 / (2 - 2)", "division_by_zero"),
    ("1 / 0%", "division_by_zero"),
    ("FLOOR(5, 0)", "division_by_zero"),
    ("CEILING(5, 0)", "division_by_zero"),
    # structure
    ("(1 + 2", "syntax"),
    ("1 + 2)", "syntax"),
    (")(", "syntax"),
    ("((1)", "syntax"),
    ("1 +", "syntax"),
    ("* 2", "syntax"),
    ("1 2", "syntax"),
    ("1 < 2 < 3", "syntax"),
    ("1 AND", "syntax"),
    ("AND 1", "syntax"),
    ("IF(1, 2,)", "syntax"),
    ("IF(1, , 2)", "syntax"),
    ("MAX(1 2)", "syntax"),
    ("()", "syntax"),
    ("1 = = 1", "syntax"),
    ("1 =< 2", "syntax"),
    ("1 >< 2", "syntax"),
    ("%5", "syntax"),
    ("1 ANDROID", "syntax"),
    # function arity
    ("IF(1, 2)", "arguments"),
    ("IF(1, 2, 3, 4)", "arguments"),
    ("IF()", "arguments"),
    ("ROUND(1.5)", "arguments"),
    ("ROUND(1, 2, 3)", "arguments"),
    ("FLOOR()", "arguments"),
    ("CEILING(1, 2, 3)", "arguments"),
    ("ABS()", "arguments"),
    ("ABS(1, 2)", "arguments"),
    ("MIN()", "arguments"),
    ("MAX()", "arguments"),
    ("NOT(1, 2)", "arguments"),
    ("AND()", "arguments"),
    # size limits
    ("1+" * 1000 + "1", "too_long"),
    ("(" * 10_000 + "1" + ")" * 10_000, "too_long"),
    ("x" * (MAX_LENGTH + 1), "too_long"),
    ("(" * 100 + "1" + ")" * 100, "too_deep"),
    ("(" * 41 + "1" + ")" * 41, "too_deep"),
    ("-" * 100 + "1", "too_deep"),
    ("NOT " * 100 + "1", "too_deep"),
    ("ABS(" * 100 + "1" + ")" * 100, "too_deep"),
    ("1%" + "%" * 100, "too_deep"),
    ("+".join(["1"] * 300), "too_complex"),
    ("MAX(" + ", ".join(["a"] * 600) + ")", "too_complex"),
]


def short_id(value):
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:20]}...({len(value)} chars)"
    return None


@pytest.mark.parametrize(("expression", "code"), ERRORS, ids=short_id)
def test_errors(expression, code):
    error = error_of(expression)
    assert isinstance(error, ValueError)
    assert error.code == code
    assert str(error) == error.template % error.params


@pytest.mark.parametrize("expression", [None, b"1 + 1", 12, ["1"]])
def test_non_text_is_refused(expression):
    for call in (
        lambda: evaluate(expression, {}),
        lambda: references(expression),
        lambda: check_formula(expression, set()),
    ):
        with pytest.raises(FormulaError) as info:
            call()
        assert info.value.code == "not_text"


def test_limits_are_inclusive():
    assert evaluate("(" * 39 + "1" + ")" * 39, {}) == 1
    assert evaluate("+".join(["1"] * 250), {}) == 250
    assert evaluate("1" + " " * (MAX_LENGTH - 1), {}) == 1
    assert evaluate("999999999999999.5 + 0.5", {}) == D("1000000000000000")


def test_long_sums_are_not_too_deep():
    """A long sum is one level of nesting, so a gross-pay formula over many components is fine."""
    names = [f"c{i}" for i in range(150)]
    assert evaluate(" + ".join(names), dict.fromkeys(names, D(1))) == 150
    assert evaluate(" * ".join(names), dict.fromkeys(names, D(1))) == 1
    assert evaluate(" AND ".join(names), dict.fromkeys(names, D(1))) == 1


@pytest.mark.parametrize(
    ("expression", "position", "found"),
    [
        ("a.b", 2, "."),
        ("1 +* 2", 4, "*"),
        ("基本工资 ** 2", 7, "*"),
        ("__import__('os')", 12, "'"),
        ("1 2", 3, "2"),
        ("（1＋2）），", 6, "）"),
        ("1 + 2)", 6, ")"),
        ("1\n+ 2 $", 7, "$"),
    ],
)
def test_syntax_errors_point_at_the_column(expression, position, found):
    error = error_of(expression)
    assert error.code == "syntax"
    assert error.position == position
    assert error.params == {"column": position, "found": found}
    assert str(error) == f'Syntax error at column {position}: unexpected "{found}".'


@pytest.mark.parametrize(("expression", "position"), [("(1 + 2", 7), ("1 +", 4), ("IF(a, b", 8)])
def test_syntax_errors_at_the_end(expression, position):
    error = error_of(expression)
    assert error.code == "syntax"
    assert error.position == position
    assert "ends too early" in str(error)


def test_error_details():
    error = error_of("IF(1, 2)")
    assert (error.params, error.position) == ({"name": "IF", "min": 3, "max": 3, "given": 2}, 1)
    assert str(error) == "IF takes exactly 3 argument(s), not 2."
    error = error_of("exec(1)")
    assert (error.params, error.position) == ({"name": "exec"}, 1)
    assert str(error) == "Unknown function exec."
    assert error_of("1" * 20).position == 1
    assert str(error_of("1 + floor(1, 2, 3)")) == "FLOOR takes 1 or 2 arguments, not 3."
    assert str(error_of("MAX()")) == "MAX takes at least 1 argument(s), not 0."


def test_errors_survive_pickling():
    error = error_of("(1 + 2")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)
    assert (copy.code, copy.params, copy.position, str(copy)) == (error.code, error.params, error.position, str(error))


def test_every_message_formats_with_its_parameters():
    samples = {
        "column": 3,
        "found": "x",
        "length": 3000,
        "limit": 40,
        "name": "IF",
        "names": "a, b",
        "min": 1,
        "max": 2,
        "given": 2,
        "cycle": "a → b → a",
    }
    for template in MESSAGES.values():
        assert "%(" not in template % samples


def test_the_module_never_runs_python_code_and_never_imports_django():
    tree = ast.parse(Path(formula_module.__file__).read_text(encoding="utf-8"))
    modules = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    modules += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in modules if m.split(".")[0] in {"django", "builtins", "importlib", "os", "sys"}]
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not names & {"eval", "exec", "compile", "__import__", "getattr", "setattr", "globals", "locals", "vars"}


# --- property-based --------------------------------------------------------------------------------

VARIABLES = {"a": D("12345.67"), "b": D("-0.5"), "基本工资": D("8000"), "x_1": D("0"), "big": D("999999999999999")}
CODES = {"not_text", "empty", "too_long", "too_deep", "too_complex", "syntax", "unknown_function", "arguments"}
CODES |= {"unknown_variable", "not_a_number", "too_large", "division_by_zero"}
FORMULA_ALPHABET = "0123456789.+-*/%()<>=!, abx_1基本工资×÷（），ANDORTIFMXROUNDFLCEGBS\n'\"[]_:;e$"


@settings(max_examples=500, deadline=200, database=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.text(alphabet=FORMULA_ALPHABET, max_size=200),
        st.lists(
            st.sampled_from(["a", "b", "1", "0", "+", "*", "/", "(", ")", "%", ",", "IF(", "MAX(", " AND "]),
            max_size=60,
        ).map("".join),
    )
)
def test_any_text_gives_a_decimal_or_a_formula_error(text):
    try:
        result = evaluate(text, VARIABLES)
    except FormulaError as error:
        assert error.code in CODES
        assert str(error) == error.template % error.params
    else:
        assert isinstance(result, Decimal)
        assert result.is_finite()
        assert abs(result) <= D(10) ** 15


REF = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)
LIMIT = D(10) ** 15
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


class Stop(Exception):
    def __init__(self, code):
        self.code = code


leaves = st.one_of(
    st.integers(0, 99).map(lambda n: ("num", n)),
    st.integers(0, 300).map(lambda n: ("pct", n)),
    st.sampled_from(sorted(VARIABLES)).map(lambda name: ("var", name)),
    st.sampled_from(sorted(VARIABLES)).map(lambda name: ("negvar", name)),
)
trees = st.recursive(
    leaves,
    lambda children: st.tuples(st.sampled_from("+-*/"), children, children, st.booleans(), st.booleans()),
    max_leaves=8,  # nesting stays well inside MAX_DEPTH
)


def reference(tree):
    """The value of a generated tree, computed directly with Decimal: left before right."""
    kind = tree[0]
    if kind == "num":
        return D(tree[1])
    if kind == "pct":
        return REF.divide(D(tree[1]), D(100))
    if kind == "var":
        return VARIABLES[tree[1]]
    if kind == "negvar":
        return -VARIABLES[tree[1]]
    op, left, right, negate, _ = tree
    x, y = reference(left), reference(right)
    if op == "/" and y == 0:
        raise Stop("division_by_zero")
    value = {"+": REF.add, "-": REF.subtract, "*": REF.multiply, "/": REF.divide}[op](x, y)
    if abs(value) > LIMIT:
        raise Stop("too_large")
    return REF.minus(value) if negate else value


def text_of(tree):
    """Source text with only the parentheses precedence needs (plus some redundant ones)."""
    kind = tree[0]
    if kind == "num":
        return str(tree[1])
    if kind == "pct":
        return f"{tree[1]}%"
    if kind == "var":
        return tree[1]
    if kind == "negvar":
        return f"-{tree[1]}"
    op, left, right, negate, redundant = tree
    level = PRECEDENCE[op]
    left_text, right_text = text_of(left), text_of(right)
    if (left[0] in PRECEDENCE and PRECEDENCE[left[0]] < level) or redundant:
        left_text = f"({left_text})"
    if (right[0] in PRECEDENCE and PRECEDENCE[right[0]] <= level) or redundant:
        right_text = f"({right_text})"
    text = f"{left_text} {op} {right_text}"
    return f"-({text})" if negate else text


@settings(max_examples=500, deadline=200, database=None)
@given(trees)
def test_generated_arithmetic_agrees_with_decimal(tree):
    text = text_of(tree)
    try:
        expected = reference(tree)
    except Stop as stop:
        with pytest.raises(FormulaError) as info:
            evaluate(text, VARIABLES)
        assert info.value.code == stop.code, text
    else:
        assert evaluate(text, VARIABLES) == expected, text

"""The one place where payroll money is rounded.

Every amount the payroll engine produces passes through `money` (to the fen) or `round_to` (a
component's or a city's rounding rule). Rounding is always half-up in the commercial sense
(0.005 -> 0.01, 864.5 -> 865; Python's `round` and Decimal's default would round half to even).
Negative amounts round half away from zero (-0.005 -> -0.01), which is what ROUND_HALF_UP does.

Floats are refused: a float has already lost the fen (0.1 + 0.2 != 0.3), so it must never reach a
pay calculation. Pass `Decimal("...")` or an int.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")

# rule name -> quantum; the names match payroll.choices.Rounding
ROUNDING_QUANTA: dict[str, Decimal] = {
    "fen": Decimal("0.01"),
    "jiao": Decimal("0.1"),
    "yuan": Decimal("1"),
}
ROUNDING_RULES: frozenset[str] = frozenset({*ROUNDING_QUANTA, "none"})


def as_decimal(x: Decimal | int, name: str = "value") -> Decimal:
    """`x` as a Decimal; ints are exact, floats and anything else raise TypeError."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int) and not isinstance(x, bool):
        return Decimal(x)
    raise TypeError(f"{name} must be a Decimal or an int, not {type(x).__name__}")


def money(x: Decimal | int) -> Decimal:
    """`x` rounded half-up to the fen (two decimal places)."""
    return as_decimal(x).quantize(FEN, rounding=ROUND_HALF_UP)


def round_to(x: Decimal | int, rule: str) -> Decimal:
    """`x` rounded half-up by a rounding rule: "fen" (0.01), "jiao" (0.1), "yuan" (1) or "none".

    A rounded result is returned with two decimal places (864.1969 by "yuan" -> Decimal("864.00")),
    the shape of a money column, so values compare, sum and display alike whatever the rule.
    "none" returns `x` unchanged (for intermediate values; round before storing).
    """
    value = as_decimal(x)
    if rule == "none":
        return value
    try:
        quantum = ROUNDING_QUANTA[rule]
    except KeyError:
        raise ValueError(f"unknown rounding rule {rule!r}; expected one of {sorted(ROUNDING_RULES)}") from None
    return value.quantize(quantum, rounding=ROUND_HALF_UP).quantize(FEN)

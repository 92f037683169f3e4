"""Template helpers that carry performance into other pages: the performance history panel of the
employee profile (shown only to those whose review scope covers the employee: HR, the
employee's managers, the employee), and small number formats for completion and coefficients."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def may_see(user, employee) -> bool:
    """Whether `employee` is inside performance.selectors.reviews_visible_to(user): HR, or a user
    with an employee record whose scope covers the employee (the same rule, on one loaded row,
    without a query once the scope is cached)."""
    from hrsuite.roles import is_hr
    from hrsuite.scoping import scope_for

    if user is None or employee is None or not getattr(user, "is_authenticated", False):
        return False
    if is_hr(user):
        return True
    scope = scope_for(user)
    return bool(scope.employee_id) and scope.covers_employee(employee)


@register.simple_tag
def may_see_performance(user, employee) -> bool:
    """{% may_see_performance request.user employee as show %}: whether to show the tab."""
    return may_see(user, employee)


@register.inclusion_tag("performance/partials/history_panel.html")
def performance_history_panel(user, employee):
    """The employee's released results (cycle, period, rating, coefficient, OKR completion,
    acknowledged) for a viewer allowed to see them; nothing for anyone else. One query."""
    if not may_see(user, employee):
        return {"visible": False}
    from performance.selectors import performance_history

    return {"visible": True, "employee": employee, "history": performance_history(employee)}


@register.filter
def pct(value) -> str:
    """A completion in percent (0–100): 85.50 -> 85.5%; None -> —."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{d.normalize() if d == d.to_integral() else d:f}%"


@register.filter
def coefficient(value) -> str:
    """A performance coefficient as written: 1.20 -> 1.2, 1.00 -> 1; None -> —."""
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    return f"{d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize():f}"

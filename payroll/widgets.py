"""Dashboard widgets of the payroll app (filled in with the pay-run pages)."""


def register_widgets() -> None:
    pass

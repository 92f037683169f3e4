"""Dashboard widgets of the training app (filled in with the pages)."""


def register_widgets() -> None:
    pass

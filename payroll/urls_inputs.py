"""URLs of the per-person pay pages: assignments, period inputs, declarations, adjustments."""

urlpatterns: list = []

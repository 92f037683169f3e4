"""Filled in by the recruiting pages."""

app_name = "careers"

urlpatterns: list = []

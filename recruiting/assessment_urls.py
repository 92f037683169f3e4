"""Filled in by the recruiting pages."""

app_name = "assessment"

urlpatterns: list = []

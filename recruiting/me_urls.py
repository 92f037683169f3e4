"""Filled in by the recruiting pages."""

app_name = "myonboarding"

urlpatterns: list = []

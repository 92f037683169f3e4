"""Filled in by the recruiting pages."""

urlpatterns: list = []

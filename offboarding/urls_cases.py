"""Filled in by the offboarding pages."""

urlpatterns: list = []

"""Offboarding pages for HR and managers (namespace "offboarding", /offboarding/)."""

from django.urls import include, path

app_name = "offboarding"

urlpatterns = [
    path("", include("offboarding.urls_cases")),
    path("", include("offboarding.urls_items")),
    path("", include("offboarding.urls_exit")),
]

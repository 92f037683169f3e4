"""Performance pages for HR and managers (namespace "performance", /performance/)."""

from django.urls import include, path

app_name = "performance"

urlpatterns = [
    path("", include("performance.urls_okr")),
    path("", include("performance.urls_reviews")),
]

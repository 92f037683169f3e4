"""Recruiting pages for HR and managers (namespace "recruiting", /recruiting/)."""

from django.urls import include, path

app_name = "recruiting"

urlpatterns = [
    path("", include("recruiting.urls_postings")),
    path("", include("recruiting.urls_pipeline")),
    path("", include("recruiting.urls_offers")),
]

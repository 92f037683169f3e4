"""URLs of the workforce analytics pages (views in views/analytics.py)."""

from django.urls import path

from .views import analytics

urlpatterns: list = [
    path("analytics/", analytics.workforce_analytics, name="analytics"),
    path("analytics/export/", analytics.workforce_analytics_export, name="analytics_export"),
    path("analytics/targets/", analytics.workforce_targets, name="targets"),
]

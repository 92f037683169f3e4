"""URLs of the training analytics and compliance incidents."""

from django.urls import path

from .views import analytics, incidents

urlpatterns = [
    path("analytics/", analytics.training_analytics, name="analytics"),
    path("analytics/export/", analytics.training_analytics_export, name="analytics_export"),
    path("incidents/", incidents.incident_list, name="incidents"),
]

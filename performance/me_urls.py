"""Self-service performance pages (namespace "myperformance", /me/performance/)."""

from django.urls import include, path

app_name = "myperformance"

urlpatterns = [
    path("", include("performance.urls_me_home")),
    path("", include("performance.urls_me_reviews")),
]

"""Employee-relations pages for HR and managers (namespace "relations", /relations/)."""

from django.urls import include, path

app_name = "relations"

urlpatterns = [
    path("feedback/", include("relations.urls_feedback")),
    path("projects/", include("relations.urls_projects")),
    path("", include("relations.urls_engagement")),
]

from django.urls import path

from .views import projects

urlpatterns = [
    path("", projects.listing, name="project_list"),
]

"""Self-service projects pages (namespace "myprojects")."""

from django.urls import path

from .views import my_projects

app_name = "myprojects"

urlpatterns = [
    path("", my_projects.home, name="home"),
]

"""Self-service feedback pages (namespace "myfeedback")."""

from django.urls import path

from .views import my_feedback

app_name = "myfeedback"

urlpatterns = [
    path("", my_feedback.home, name="home"),
]

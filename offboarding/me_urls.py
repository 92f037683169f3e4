"""Self-service handover pages (namespace "myhandover", /me/handover/)."""

from django.urls import path

from .views import mine

app_name = "myhandover"

urlpatterns = [
    path("", mine.my_handover, name="list"),
]

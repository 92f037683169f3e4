from django.urls import path

from .views import feedback

urlpatterns = [
    path("", feedback.listing, name="feedback_list"),
]

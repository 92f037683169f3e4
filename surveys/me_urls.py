"""The employee's own surveys, mounted at /me/surveys/."""

from django.urls import path

from .views import answer

app_name = "mysurveys"

urlpatterns = [
    path("", answer.my_surveys, name="list"),
    path("<int:pk>/", answer.answer, name="answer"),
]

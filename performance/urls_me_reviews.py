"""The employee's own review (joined into namespace "myperformance")."""

from django.urls import path

from .views import my_reviews

urlpatterns = [
    path("reviews/<int:pk>/", my_reviews.review, name="review"),
    path("reviews/<int:pk>/acknowledge/", my_reviews.acknowledge, name="review_acknowledge"),
]

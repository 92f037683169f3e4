from django.urls import path

from .views import my_reviews

urlpatterns = [
    path("reviews/<int:pk>/", my_reviews.review, name="review"),
]

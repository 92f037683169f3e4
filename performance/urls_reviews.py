from django.urls import path

from .views import reviews

urlpatterns = [
    path("reviews/", reviews.cycles, name="review_cycles"),
    path("reviews/review/<int:pk>/", reviews.review_detail, name="review_detail"),
]

"""Review cycle, calibration and rating table pages (joined into namespace "performance")."""

from django.urls import path

from .views import reviews, reviews_assess, reviews_ratings

urlpatterns = [
    path("reviews/", reviews.cycles, name="review_cycles"),
    path("reviews/new/", reviews.cycle_edit, name="review_cycle_new"),
    path("reviews/team/", reviews.team_reviews, name="team_reviews"),
    path("reviews/<int:pk>/", reviews.cycle_detail, name="review_cycle"),
    path("reviews/<int:pk>/edit/", reviews.cycle_edit, name="review_cycle_edit"),
    path("reviews/<int:pk>/action/<slug:name>/", reviews.cycle_action, name="review_cycle_action"),
    path("reviews/<int:pk>/calibration/", reviews_assess.calibration, name="calibration"),
    path("reviews/review/<int:pk>/", reviews_assess.review_detail, name="review_detail"),
    path("reviews/review/<int:pk>/calibrate/", reviews_assess.review_calibrate, name="review_calibrate"),
    path("ratings/", reviews_ratings.ratings, name="ratings"),
    path("ratings/new/", reviews_ratings.rating_edit, name="rating_new"),
    path("ratings/<int:pk>/edit/", reviews_ratings.rating_edit, name="rating_edit"),
]

"""Engagement surveys and the team dependence signal (mounted at /relations/)."""

from django.urls import path

from .views import dependence, engagement

urlpatterns = [
    path("engagement/", engagement.rounds, name="engagement"),
    path("engagement/new/", engagement.new_round, name="engagement_new"),
    path("engagement/<int:pk>/", engagement.round_results, name="engagement_results"),
    path("dependence/", dependence.teams, name="dependence"),
]

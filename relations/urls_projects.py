"""Collaboration projects for HR and managers (/relations/projects/, included by relations/urls.py)."""

from django.urls import path

from .views import projects

urlpatterns = [
    path("", projects.listing, name="project_list"),
    path("new/", projects.new, name="project_new"),
    path("<int:pk>/", projects.detail, name="project_detail"),
    path("<int:pk>/edit/", projects.edit, name="project_edit"),
    path("<int:pk>/move/", projects.move, name="project_move"),
    path("<int:pk>/members/add/", projects.member_add, name="project_member_add"),
    path("<int:pk>/members/<int:member_pk>/assess/", projects.member_assess, name="project_member_assess"),
    path("<int:pk>/members/<int:member_pk>/remove/", projects.member_remove, name="project_member_remove"),
    path("<int:pk>/bonuses/award/", projects.bonus_award, name="collaboration_bonus_award"),
]

"""Requisitions, job postings and their ranked applications (namespace "recruiting")."""

from django.urls import path

from .views import postings

urlpatterns = [
    path("requisitions/", postings.requisitions, name="requisitions"),
    path("requisitions/new/", postings.requisition_create, name="requisition_create"),
    path("requisitions/<int:pk>/", postings.requisition_detail, name="requisition_detail"),
    path("requisitions/<int:pk>/decide/", postings.requisition_decide, name="requisition_decide"),
    path("requisitions/<int:pk>/cancel/", postings.requisition_cancel, name="requisition_cancel"),
    path("postings/", postings.postings, name="postings"),
    path("postings/new/", postings.posting_create, name="posting_create"),
    path("postings/<int:pk>/", postings.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/edit/", postings.posting_edit, name="posting_edit"),
    path("postings/<int:pk>/keywords/", postings.posting_keywords, name="posting_keywords"),
    path("postings/<int:pk>/publish/", postings.posting_status, {"action": "publish"}, name="posting_publish"),
    path("postings/<int:pk>/close/", postings.posting_status, {"action": "close"}, name="posting_close"),
    path("postings/<int:pk>/applications/", postings.posting_applications, name="posting_applications"),
]

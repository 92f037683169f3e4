"""Handover item pages, joined into the "offboarding" namespace at /offboarding/."""

from django.urls import path

from .views import items

urlpatterns = [
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
    path("items/<int:pk>/attachments/", items.item_upload, name="item_upload"),
    path("items/<int:pk>/review/", items.item_review, name="item_review"),
    path("attachments/<int:pk>/", items.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", items.attachment_delete, name="attachment_delete"),
]

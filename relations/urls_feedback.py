"""The feedback box for HR and department heads (joined into namespace "relations" at /relations/feedback/)."""

from django.urls import path

from .views import feedback

urlpatterns = [
    path("", feedback.listing, name="feedback_list"),
    path("<uuid:pk>/", feedback.thread, name="feedback_thread"),
    path("<uuid:pk>/reply/", feedback.reply, name="feedback_reply"),
    path("<uuid:pk>/close/", feedback.close, name="feedback_close"),
    path("<uuid:pk>/hide/", feedback.hide, name="feedback_hide"),
    path("<uuid:pk>/unhide/", feedback.unhide, name="feedback_unhide"),
]

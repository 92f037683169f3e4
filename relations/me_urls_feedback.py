"""Self-service feedback pages (namespace "myfeedback", /me/feedback/). `new/` and `follow/` are
the anonymous paths of settings.HRSUITE_ANONYMOUS_PATHS (their access-log lines carry no address or agent)."""

from django.urls import path

from .views import my_feedback

app_name = "myfeedback"

urlpatterns = [
    path("", my_feedback.home, name="home"),
    path("new/", my_feedback.new, name="new"),
    path("follow/", my_feedback.follow, name="follow"),
    path("<uuid:pk>/", my_feedback.thread, name="thread"),
]

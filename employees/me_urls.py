from django.urls import path

from .views import selfservice

app_name = "selfservice"

urlpatterns = [
    path("", selfservice.me_home, name="home"),
    path("profile/", selfservice.me_profile, name="profile"),
    path("profile/requests/<str:kind>/", selfservice.me_change_request, name="change_request"),
    path("profile/requests/<int:pk>/cancel/", selfservice.me_cancel_request, name="cancel_request"),
]

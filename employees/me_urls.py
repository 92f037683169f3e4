from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    path("", views.me_home, name="home"),
]

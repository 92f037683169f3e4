from django.urls import path

from .views import records

app_name = "selfservice"

urlpatterns = [
    path("", records.me_home, name="home"),
]

from django.urls import path

from .views import mine

urlpatterns = [
    path("", mine.home, name="home"),
]

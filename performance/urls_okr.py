from django.urls import path

from .views import okr

urlpatterns = [
    path("okr/", okr.cycles, name="okr_cycles"),
]

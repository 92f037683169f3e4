from django.urls import path

from .views import engagement

urlpatterns = [
    path("engagement/", engagement.listing, name="engagement"),
    path("dependence/", engagement.listing, name="dependence"),
]

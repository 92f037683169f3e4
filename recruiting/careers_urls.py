"""The public careers page (namespace "careers", /careers/, no login)."""

from django.urls import path

from .views import careers

app_name = "careers"

urlpatterns = [
    path("", careers.posting_list, name="list"),
    path("<int:pk>/", careers.posting_detail, name="detail"),
    path("<int:pk>/apply/", careers.apply, name="apply"),
    path("<int:pk>/apply/thanks/", careers.thanks, name="thanks"),
]

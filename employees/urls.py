from django.urls import path

from . import urls_analytics, urls_importing
from .views import records

app_name = "employees"

urlpatterns = [
    path("", records.employee_list, name="list"),
    path("<int:pk>/", records.employee_detail, name="detail"),
    *urls_importing.urlpatterns,
    *urls_analytics.urlpatterns,
]

from django.urls import path

from . import urls_inputs, urls_setup
from .views import runs

app_name = "payroll"

urlpatterns = [
    path("", runs.run_list, name="runs"),
    *urls_setup.urlpatterns,
    *urls_inputs.urlpatterns,
]

from django.urls import path

from . import urls_analytics, urls_exports, urls_inputs, urls_setup
from .views import checks, runs

app_name = "payroll"

urlpatterns = [
    path("", runs.run_list, name="runs"),
    path("runs/new/", runs.run_create, name="run_create"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:pk>/calculate/", runs.run_calculate, name="run_calculate"),
    path("runs/<int:pk>/approve/", runs.run_approve, name="run_approve"),
    path("runs/<int:pk>/return/", runs.run_return, name="run_return"),
    path("runs/<int:pk>/finalize/", runs.run_finalize, name="run_finalize"),
    path("runs/<int:pk>/cancel/", runs.run_cancel, name="run_cancel"),
    path("runs/<int:pk>/publish/", runs.run_publish, name="run_publish"),
    path("slips/<int:pk>/pdf/", runs.slip_pdf, name="slip_pdf"),
    path("runs/<int:pk>/recheck/", checks.run_recheck, name="run_recheck"),
    path("flags/<int:pk>/override/", checks.flag_override, name="flag_override"),
    path("blocklist/", checks.blocklist, name="blocklist"),
    path("blocklist/<int:pk>/remove/", checks.blocklist_remove, name="blocklist_remove"),
    path("slips/<int:pk>/", runs.slip_detail, name="slip_detail"),
    *urls_setup.urlpatterns,
    *urls_analytics.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_inputs.urlpatterns,
]

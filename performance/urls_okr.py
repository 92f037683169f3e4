"""OKR pages (joined into namespace "performance" at /performance/ by urls.py)."""

from django.urls import path

from .views import okr, okr_objectives, okr_reports

urlpatterns = [
    path("okr/", okr.cycles, name="okr_cycles"),
    path("okr/new/", okr.cycle_edit, name="okr_cycle_new"),
    path("okr/<int:pk>/", okr.cycle_detail, name="okr_cycle"),
    path("okr/<int:pk>/edit/", okr.cycle_edit, name="okr_cycle_edit"),
    path("okr/<int:pk>/move/", okr.cycle_move, name="okr_cycle_move"),
    path("okr/<int:pk>/report/", okr_reports.report, name="okr_report"),
    path("okr/<int:pk>/report.xlsx", okr_reports.report_xlsx, name="okr_report_xlsx"),
    path("okr/<int:cycle_pk>/objectives/new/", okr_objectives.objective_new, name="objective_new"),
    path("okr/objectives/<int:pk>/", okr_objectives.objective_detail, name="objective_detail"),
    path("okr/objectives/<int:pk>/edit/", okr_objectives.objective_edit, name="objective_edit"),
    path("okr/objectives/<int:pk>/delete/", okr_objectives.objective_delete, name="objective_delete"),
    path("okr/objectives/<int:pk>/key-results/", okr_objectives.objective_key_results, name="objective_key_results"),
    path("okr/objectives/<int:pk>/tasks/new/", okr_objectives.check_in_task_new, name="check_in_task_new"),
    path("okr/key-results/<int:pk>/progress/", okr_objectives.progress_update, name="progress_update"),
    path("okr/tasks/<int:pk>/check-in/", okr_objectives.check_in, name="check_in"),
]

from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("health/", views.health_page, name="health_page"),
]

# background jobs (ops-jobs)
from . import views_jobs  # noqa: E402

urlpatterns += [
    path("jobs/", views_jobs.jobs_page, name="jobs"),
    path("jobs/<slug:key>/run/", views_jobs.job_run, name="job_run"),
]

# backups (ops-backups)
from . import views_backups  # noqa: E402

urlpatterns += [
    path("backups/", views_backups.backups_page, name="backups"),
]

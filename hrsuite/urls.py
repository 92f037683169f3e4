from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from hrsuite.core import views as core_views
from hrsuite.ops import views as ops_views

handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500

urlpatterns = [
    path("", include("hrsuite.core.urls")),
    path("accounts/", include("hrsuite.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("ops/", include("hrsuite.ops.urls")),
    path("audit/", include("hrsuite.audit.urls")),
    path("notifications/", include("hrsuite.notifications.urls")),
    path("employees/", include("employees.urls")),
    path("payroll/", include("payroll.urls")),
    path("training/surveys/", include("surveys.urls")),
    path("training/exams/", include("exams.urls")),
    path("training/", include("training.urls")),
    path("recruiting/", include("recruiting.urls")),
    path("offboarding/", include("offboarding.urls")),
    path("performance/", include("performance.urls")),
    path("relations/", include("relations.urls")),
    path("careers/assessment/", include("recruiting.assessment_urls")),
    path("careers/", include("recruiting.careers_urls")),
    path("me/payslips/", include("payroll.me_urls")),
    path("me/training/", include("training.me_urls")),
    path("me/surveys/", include("surveys.me_urls")),
    path("me/exams/", include("exams.me_urls")),
    path("me/certificates/", include("training.me_urls_certificates")),
    path("me/onboarding/", include("recruiting.me_urls")),
    path("me/handover/", include("offboarding.me_urls")),
    path("me/performance/", include("performance.me_urls")),
    path("me/feedback/", include("relations.me_urls_feedback")),
    path("me/projects/", include("relations.me_urls_projects")),
    path("me/", include("employees.me_urls")),
    path("django-admin/", admin.site.urls),
]

"""Case, template and resignation pages (joined into namespace "offboarding" by urls.py)."""

from django.urls import path

from .views import cases, resign, templates_admin

urlpatterns = [
    path("cases/", cases.cases, name="cases"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/start-handover/", cases.case_start_handover, name="case_start_handover"),
    path("cases/<int:pk>/approve-head/", cases.case_approve_head, name="case_approve_head"),
    path("cases/<int:pk>/approve-hr/", cases.case_approve_hr, name="case_approve_hr"),
    path("cases/<int:pk>/send-back/", cases.case_send_back, name="case_send_back"),
    path("cases/<int:pk>/cancel/", cases.case_cancel, name="case_cancel"),
    path("overdue/", cases.overdue, name="overdue"),
    path("templates/", templates_admin.templates, name="templates"),
    path("templates/new/", templates_admin.template_edit, name="template_create"),
    path("templates/<int:pk>/", templates_admin.template_edit, name="template_edit"),
    path("resign/", resign.resign, name="resign"),
]

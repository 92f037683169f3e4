from django.urls import path

from . import urls_analytics, urls_importing
from .views import contracts, org, records, requests

app_name = "employees"

urlpatterns = [
    path("", records.employee_list, name="list"),
    path("export/", records.employee_export, name="export"),
    path("team/", records.team_list, name="team"),
    path("team/export/", records.team_export, name="team_export"),
    path("new/", records.employee_create, name="create"),
    path("<int:pk>/", records.employee_detail, name="detail"),
    path("<int:pk>/edit/", records.employee_edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", records.employee_reveal, name="reveal"),
    path("<int:pk>/contracts/", contracts.contract_add, name="contract_add"),
    path("<int:pk>/contracts/<int:contract_pk>/renew/", contracts.contract_renew, name="contract_renew"),
    path("<int:pk>/documents/", contracts.document_upload, name="document_upload"),
    path("documents/<int:doc_pk>/", contracts.document_download, name="document_download"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/<int:pk>/approve/", requests.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", requests.request_reject, name="request_reject"),
    path("org/", org.org_chart, name="org"),
    path("org/departments/new/", org.department_edit, name="department_create"),
    path("org/departments/<int:pk>/", org.department_edit, name="department_edit"),
    path("org/<str:kind>/", org.reference_list, name="reference_list"),
    path("org/<str:kind>/new/", org.reference_edit, name="reference_create"),
    path("org/<str:kind>/<int:pk>/", org.reference_edit, name="reference_edit"),
    *urls_importing.urlpatterns,
    *urls_analytics.urlpatterns,
]

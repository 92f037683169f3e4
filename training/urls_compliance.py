"""URLs of qualification compliance (certificates, matrix, report), included in training/urls.py
(namespace "training", /training/)."""

from django.urls import path

from .views import certificates, compliance

urlpatterns = [
    path("certificates/", certificates.certificate_list, name="certificates"),
    path("certificates/new/", certificates.certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/", certificates.certificate_edit, name="certificate_edit"),
    path("certificates/<int:pk>/scan/", certificates.certificate_scan, name="certificate_scan"),
    path("certificates/<int:pk>/verify/", certificates.certificate_verify, name="certificate_verify"),
    path("certificates/<int:pk>/reject/", certificates.certificate_reject, name="certificate_reject"),
    path("certificates/verification/", certificates.verification_queue, name="verification_queue"),
    path("certificates/types/", certificates.certificate_types, name="certificate_types"),
    path("certificates/types/new/", certificates.certificate_type_edit, name="certificate_type_create"),
    path("certificates/types/<int:pk>/edit/", certificates.certificate_type_edit, name="certificate_type_edit"),
    path("certificates/requirements/", certificates.requirements, name="requirements"),
    path("certificates/settings/", certificates.training_settings, name="training_settings"),
    path("compliance/", compliance.compliance_matrix, name="compliance_matrix"),
    path("compliance/export/", compliance.compliance_export, name="compliance_export"),
    path("compliance/report/", compliance.compliance_report_page, name="compliance_report"),
    path("compliance/report/pdf/", compliance.compliance_report_pdf, name="compliance_report_pdf"),
]

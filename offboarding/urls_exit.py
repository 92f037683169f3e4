"""HR's pages for the end of a case (namespace "offboarding"): documents and access, the
separation certificate, the final settlement, revocation, the exit interview, the audit page.
All need "hrsuite.manage_offboarding"."""

from django.urls import path

from .views import exit as views

urlpatterns = [
    path("cases/<int:pk>/documents/", views.case_documents, name="case_documents"),
    path("cases/<int:pk>/documents/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("cases/<int:pk>/settlement/", views.settlement, name="settlement"),
    path("cases/<int:pk>/settlement/sheet.pdf", views.settlement_pdf, name="settlement_pdf"),
    path("cases/<int:pk>/access/revoke/", views.revoke_now, name="revoke_now"),
    path("cases/<int:pk>/access/schedule/", views.revocation_schedule, name="revocation_schedule"),
    path("cases/<int:pk>/exit-interview/", views.exit_interview_send, name="exit_interview_send"),
    path("cases/<int:pk>/audit/", views.case_audit, name="case_audit"),
]

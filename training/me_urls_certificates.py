"""The employee's own certificates, included at /me/certificates/."""

from django.urls import path

from .views import my_certificates

app_name = "mycertificates"

urlpatterns = [
    path("", my_certificates.my_certificates, name="list"),
    path("upload/", my_certificates.my_certificate_upload, name="upload"),
]

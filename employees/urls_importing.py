"""URLs of the Excel import and export of employees (views in views/importing.py)."""

from django.urls import path

from .views import importing

urlpatterns: list = [
    path("import/", importing.import_upload, name="import"),
    path("import/confirm/", importing.import_confirm, name="import_confirm"),
    path("import/template/", importing.import_template, name="import_template"),
]

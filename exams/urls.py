"""HR's exam pages, mounted at /training/exams/."""

from django.urls import path

from .views import manage

app_name = "exams"

urlpatterns = [
    path("", manage.exam_list, name="exams"),
    path("new/", manage.exam_create, name="exam_create"),
    path("<int:pk>/edit/", manage.exam_edit, name="exam_edit"),
    path("<int:pk>/results/", manage.exam_results, name="exam_results"),
    path("<int:pk>/results/export/", manage.exam_results_export, name="exam_results_export"),
    path("attempts/<int:pk>/", manage.attempt_detail, name="attempt_detail"),
    path("banks/", manage.bank_list, name="banks"),
    path("banks/new/", manage.bank_create, name="bank_create"),
    path("banks/template/", manage.bank_template, name="bank_template"),
    path("banks/<int:pk>/", manage.bank_detail, name="bank_detail"),
    path("banks/<int:pk>/edit/", manage.bank_edit, name="bank_edit"),
    path("banks/<int:pk>/questions/new/", manage.question_create, name="question_create"),
    path("banks/<int:pk>/import/", manage.bank_import, name="bank_import"),
    path("banks/<int:pk>/import/confirm/", manage.bank_import_confirm, name="bank_import_confirm"),
    path("banks/questions/<int:pk>/edit/", manage.question_edit, name="question_edit"),
    path("banks/questions/<int:pk>/delete/", manage.question_delete, name="question_delete"),
    path("banks/questions/<int:pk>/active/", manage.question_active, name="question_active"),
]

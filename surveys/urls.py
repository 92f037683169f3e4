"""Survey pages for HR, mounted at /training/surveys/."""

from django.urls import path

from .views import manage

app_name = "surveys"

urlpatterns = [
    path("", manage.survey_list, name="list"),
    path("new/", manage.survey_create, name="create"),
    path("<int:pk>/", manage.survey_edit, name="edit"),
    path("<int:pk>/questions/new/", manage.question_add, name="question_add"),
    path("<int:pk>/questions/<int:question_pk>/", manage.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/delete/", manage.question_delete, name="question_delete"),
    path("<int:pk>/questions/<int:question_pk>/move/", manage.question_move, name="question_move"),
    path("<int:pk>/invite/", manage.invite, name="invite"),
    path("<int:pk>/results/", manage.results, name="results"),
    path("<int:pk>/results/export/", manage.results_export, name="results_export"),
]

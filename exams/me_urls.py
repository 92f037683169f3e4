"""An employee's exams, mounted at /me/exams/."""

from django.urls import path

from .views import take

app_name = "myexams"

urlpatterns = [
    path("", take.my_exams, name="list"),
    path("start/<int:exam_pk>/", take.my_exam_start, name="start"),
    path("<int:pk>/", take.my_exam_take, name="take"),
    path("<int:pk>/autosave/", take.my_exam_autosave, name="autosave"),
    path("<int:pk>/submit/", take.my_exam_submit, name="submit"),
    path("<int:pk>/result/", take.my_exam_result, name="result"),
]

from django.urls import path

from . import urls_analytics, urls_compliance
from .views import courses

app_name = "training"

urlpatterns = [
    path("", courses.course_list, name="courses"),
    path("courses/new/", courses.course_edit, name="course_create"),
    path("courses/<int:pk>/", courses.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", courses.course_edit, name="course_edit"),
    path("courses/<int:pk>/sessions/", courses.session_add, name="session_add"),
    path("courses/<int:pk>/materials/", courses.material_add, name="material_add"),
    path("courses/<int:pk>/requirements/", courses.requirement_add, name="requirement_add"),
    path("courses/<int:pk>/requirements/<int:req_pk>/delete/", courses.requirement_delete, name="requirement_delete"),
    path("courses/<int:pk>/enroll/", courses.enroll_people, name="enroll"),
    path("enrollments/<int:pk>/<str:action>/", courses.enrollment_action, name="enrollment_action"),
    path("materials/<int:pk>/", courses.material_download, name="material_download"),
    path("team/", courses.team_training, name="team"),
    path("team/enroll/", courses.team_enroll, name="team_enroll"),
    *urls_analytics.urlpatterns,
    *urls_compliance.urlpatterns,
]

from django.urls import path

from .views import courses

app_name = "mytraining"

urlpatterns = [
    path("", courses.my_training, name="home"),
    path("courses/<int:pk>/enroll/", courses.my_enroll, name="enroll"),
]

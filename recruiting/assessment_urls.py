"""The candidate's online assessment by private link (public, no sign-in; namespace
"assessment", mounted at /careers/assessment/)."""

from django.urls import path

from .views import assessment

app_name = "assessment"

urlpatterns = [
    path("<str:token>/", assessment.intro, name="intro"),
    path("<str:token>/take/", assessment.take, name="take"),
    path("<str:token>/autosave/", assessment.autosave, name="autosave"),
    path("<str:token>/submit/", assessment.submit, name="submit"),
    path("<str:token>/done/", assessment.done, name="done"),
]

"""The new employee's onboarding checklist (/me/onboarding/) and the page of the welcome
e-mail's link where they set their first password (no sign-in: the token is the proof)."""

from django.urls import path

from .views import onboarding

app_name = "myonboarding"

urlpatterns = [
    path("", onboarding.my_onboarding, name="list"),
    path("welcome/<uidb64>/<token>/", onboarding.SetPasswordView.as_view(), name="set_password"),
]

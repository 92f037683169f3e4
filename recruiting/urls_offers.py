"""Offers, hiring, onboarding and analytics (names join the "recruiting" namespace)."""

from django.urls import path

from .views import analytics, offers, onboarding

urlpatterns = [
    path("offers/", offers.offers, name="offers"),
    path("applications/<int:pk>/offer/new/", offers.offer_create_view, name="offer_create"),
    path("offers/<int:pk>/", offers.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/approve/", offers.offer_approve_view, name="offer_approve"),
    path("offers/<int:pk>/letter/", offers.offer_letter, name="offer_letter"),
    path("offers/<int:pk>/answer/", offers.offer_answer, name="offer_answer"),
    path("offers/<int:pk>/withdraw/", offers.offer_withdraw_view, name="offer_withdraw"),
    path("offers/<int:pk>/hire/", offers.offer_hire, name="offer_hire"),
    path("onboarding/", onboarding.onboarding, name="onboarding"),
    path("onboarding/<int:employee_pk>/", onboarding.onboarding_detail, name="onboarding_detail"),
    path(
        "onboarding/<int:employee_pk>/welcome/", onboarding.onboarding_welcome_resend, name="onboarding_welcome_resend"
    ),
    path("onboarding/tasks/<int:pk>/done/", onboarding.onboarding_task_done, name="onboarding_task_done"),
    path("analytics/", analytics.analytics, name="analytics"),
    path("analytics/export/", analytics.analytics_export, name="analytics_export"),
]

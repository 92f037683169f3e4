"""Dashboard widget of recruiting: for HR and managers, what needs a decision (requisitions
awaiting approval, new applications, today's interviews, offers awaiting approval), scoped
through recruiting.selectors. A fixed number of queries."""

from __future__ import annotations


def recruiting_widget() -> None:
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    def context(request):
        from .choices import InterviewStatus, OfferStatus, RequisitionStatus, Stage
        from .models import Interview, Offer
        from .selectors import applications_visible_to, requisitions_visible_to

        user = request.user
        now = timezone.now()
        week_ago = now - timedelta(days=7)
        apps = applications_visible_to(user).aggregate(
            new=Count("pk", filter=Q(stage=Stage.APPLIED)),
            new_week=Count("pk", filter=Q(applied_at__gte=week_ago)),
            interview=Count("pk", filter=Q(stage=Stage.INTERVIEW)),
            offer=Count("pk", filter=Q(stage=Stage.OFFER)),
        )
        visible = applications_visible_to(user).values("pk")
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return {
            "awaiting": requisitions_visible_to(user).filter(status=RequisitionStatus.SUBMITTED).count(),
            "apps": apps,
            "interviews_today": Interview.objects.filter(
                application__in=visible,
                status=InterviewStatus.SCHEDULED,
                starts_at__gte=day_start,
                starts_at__lt=day_start + timedelta(days=1),
            ).count(),
            "offers_to_approve": Offer.objects.filter(application__in=visible, status=OfferStatus.DRAFT).count(),
        }

    dashboard.register(
        "recruiting.pipeline",
        template="recruiting/widgets/pipeline.html",
        roles={Role.HR, Role.HR_ADMIN, Role.MANAGER},
        context=context,
        order=40,
    )


def register_widgets() -> None:
    recruiting_widget()

"""Dashboard widget of the feedback box: for HR the threads awaiting a reply (and how many are
hidden), for a department head the threads addressed to the departments they head. Counts only,
through relations.selectors; one query."""

from __future__ import annotations


def feedback_widget() -> None:
    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    def context(request):
        from django.db.models import Count, Q

        from hrsuite.roles import is_hr

        from .choices import ThreadStatus
        from .selectors import threads_addressed_to, threads_visible_to

        user = request.user
        if is_hr(user):
            counts = (
                threads_visible_to(user)
                .order_by()
                .aggregate(
                    awaiting=Count("pk", filter=Q(status=ThreadStatus.OPEN, hidden=False)),
                    hidden=Count("pk", filter=Q(hidden=True)),
                )
            )
            return {"is_hr": True, "awaiting": counts["awaiting"], "hidden": counts["hidden"]}
        counts = (
            threads_addressed_to(user)
            .order_by()
            .aggregate(addressed=Count("pk"), awaiting=Count("pk", filter=Q(status=ThreadStatus.OPEN)))
        )
        if not counts["addressed"]:
            return None  # a manager with no feedback addressed to them sees no widget
        return {"is_hr": False, "addressed": counts["addressed"], "awaiting": counts["awaiting"]}

    dashboard.register(
        "relations.feedback",
        template="relations/widgets/feedback.html",
        roles={Role.HR, Role.HR_ADMIN, Role.MANAGER},
        context=context,
        order=60,
    )


def register_widgets() -> None:
    feedback_widget()

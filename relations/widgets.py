"""Dashboard widget of the feedback box: for HR the threads awaiting a reply (and how many are
hidden), for a department head the threads addressed to the departments they head. Counts only,
through relations.selectors.inbox_counts (the inbox's own figures); one query."""

from __future__ import annotations


def feedback_widget() -> None:
    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    def context(request):
        from hrsuite.roles import is_hr

        from .selectors import inbox_counts

        counts = inbox_counts(request.user)
        if is_hr(request.user):
            return {"is_hr": True, **counts}
        if not counts["addressed"]:
            return None  # a manager with no feedback addressed to them sees no widget
        return {"is_hr": False, **counts}

    dashboard.register(
        "relations.feedback",
        template="relations/widgets/feedback.html",
        roles={Role.HR, Role.HR_ADMIN, Role.MANAGER},
        context=context,
        order=60,
    )


def register_widgets() -> None:
    feedback_widget()

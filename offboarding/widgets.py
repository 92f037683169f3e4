"""Dashboard widget of offboarding: for managers, the handover checklists awaiting their approval
as department head; for HR also those awaiting HR's final approval and the number of overdue
items. Scoped through offboarding.selectors; a fixed number of queries."""

from __future__ import annotations


def handover_approvals_widget() -> None:
    from hrsuite.core import dashboard
    from hrsuite.roles import Role

    def context(request):
        from django.db.models import Count, Q
        from django.utils import timezone

        from hrsuite.roles import is_hr

        from .choices import CaseStatus, ItemStatus
        from .selectors import cases_visible_to, items_visible_to
        from .services_cases import may_approve_as_head

        user = request.user
        hr = is_hr(user)
        waiting = list(
            cases_visible_to(user)
            .filter(status=CaseStatus.HEAD_APPROVAL)
            .select_related("employee__manager", "employee__department")
            .order_by("last_working_day", "pk")[:50]
        )
        mine = [c for c in waiting if may_approve_as_head(user, c)]
        ctx = {"head": mine[:5], "head_count": len(mine), "is_hr": hr}
        if hr:
            today = timezone.localdate()
            counts = cases_visible_to(user).aggregate(
                hr=Count("pk", filter=Q(status=CaseStatus.HR_APPROVAL), distinct=True),
                submitted=Count("pk", filter=Q(status=CaseStatus.SUBMITTED), distinct=True),
            )
            ctx.update(
                hr_count=counts["hr"],
                submitted_count=counts["submitted"],
                overdue_count=items_visible_to(user)
                .filter(due_on__lt=today, case__status=CaseStatus.HANDOVER)
                .exclude(status=ItemStatus.CONFIRMED)
                .count(),
            )
        elif not mine:
            return None  # a manager with nothing to approve sees no widget
        return ctx

    dashboard.register(
        "offboarding.approvals",
        template="offboarding/widgets/approvals.html",
        roles={Role.HR, Role.HR_ADMIN, Role.MANAGER},
        context=context,
        order=45,
    )


def register_widgets() -> None:
    handover_approvals_widget()

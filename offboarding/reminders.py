"""The daily handover reminder scan (Celery beat, offboarding.tasks.handover_reminders).

For the open cases in handover, every item not yet confirmed whose due date is within three days
(or today) is reminded to whoever holds it: the leaver while it is to be filled in or was sent
back, the successor while it waits for review. The reminder due is the smallest lead day (3 or 0)
at or above the days left, so a run that missed a day still sends it, and each (item, lead,
holder) is sent once, in-app and by e-mail: every notification is keyed
"handover:<item>:<lead>:<holder>" and stored once per recipient and key (the database's unique
constraint decides), so a second run or a retry sends nothing new.

The scan does a constant number of queries whatever the number of items: one for the items due
and one INSERT … RETURNING per 5,000 notifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from hrsuite.notifications.models import Level
from hrsuite.notifications.services import NotificationSpec, notify_many

from .choices import CaseStatus, ItemStatus
from .models import HandoverItem

LEAD_DAYS = (3, 0)  # three days before the due date, and on the day

MSG_LEAVER = gettext_noop(
    "Your handover item “%(title)s” is due on %(date)s (days left: %(days)s). Fill it in and submit it to %(other)s."
)
MSG_LEAVER_TODAY = gettext_noop("Your handover item “%(title)s” is due today. Fill it in and submit it to %(other)s.")
MSG_SUCCESSOR = gettext_noop(
    "The handover item “%(title)s” from %(other)s waits for your review; it is due on %(date)s (days left: %(days)s)."
)
MSG_SUCCESSOR_TODAY = gettext_noop(
    "The handover item “%(title)s” from %(other)s waits for your review and is due today."
)


def due_lead(days_left: int, leads=LEAD_DAYS) -> int | None:
    """The reminder due with `days_left` days to go: the smallest lead day at or above it (None
    when it is past due or further away than the largest lead)."""
    if days_left < 0:
        return None
    candidates = [lead for lead in leads if lead >= days_left]
    return min(candidates) if candidates else None


@dataclass
class ReminderSummary:
    today: date
    due: int = 0  # items within the largest lead day
    notifications: int = 0
    emails: int = 0
    by_holder: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "due": self.due,
            "notifications": self.notifications,
            "emails": self.emails,
            "by_holder": dict(sorted(self.by_holder.items())),
        }


def items_due(*, today: date, horizon: date):
    """The items to remind of (one query)."""
    return (
        HandoverItem.objects.filter(
            case__status=CaseStatus.HANDOVER,
            status__in=(ItemStatus.TODO, ItemStatus.RETURNED, ItemStatus.SUBMITTED),
            due_on__gte=today,
            due_on__lte=horizon,
        )
        .order_by("due_on", "pk")
        .values_list(
            "pk",
            "title",
            "status",
            "due_on",
            "case__employee__name",
            "case__employee__user_id",
            "successor__name",
            "successor__user_id",
        )
    )


@transaction.atomic
def handover_reminders(*, today: date | None = None) -> ReminderSummary:
    """Send the handover reminders due today (idempotent: running twice sends nothing new)."""
    today = today or timezone.localdate()
    summary = ReminderSummary(today=today)
    specs: list[NotificationSpec] = []
    url_template = reverse("offboarding:item_detail", args=[0]).replace("/0/", "/{}/")
    for pk, title, status, due_on, leaver_name, leaver_user, successor_name, successor_user in items_due(
        today=today, horizon=today + timedelta(days=max(LEAD_DAYS))
    ):
        days_left = (due_on - today).days
        lead = due_lead(days_left)
        if lead is None:
            continue
        summary.due += 1
        if status == ItemStatus.SUBMITTED:
            holder, user_id, other = "successor", successor_user, leaver_name
            message = MSG_SUCCESSOR_TODAY if days_left == 0 else MSG_SUCCESSOR
        else:
            holder, user_id, other = "leaver", leaver_user, successor_name
            message = MSG_LEAVER_TODAY if days_left == 0 else MSG_LEAVER
        if not user_id:
            continue
        params = {"title": title, "date": due_on.isoformat(), "days": days_left, "other": other}
        level = Level.DANGER if days_left == 0 else Level.WARNING
        specs.append(
            NotificationSpec(
                user_id, f"handover:{pk}:{lead}:{holder}", message, params, url_template.format(pk), level, True
            )
        )
    created = notify_many(specs)
    summary.notifications = len(created)
    summary.emails = sum(1 for n in created if n.send_email)
    for n in created:
        holder = n.key.rsplit(":", 1)[-1]
        summary.by_holder[holder] = summary.by_holder.get(holder, 0) + 1
    return summary

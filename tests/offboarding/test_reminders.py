"""The daily handover reminder scan: 3 days before an item's due date and on the day, to whoever
holds the item (the leaver while it is to be filled in or sent back, the successor while it
waits for review), in-app and by e-mail, each once however often the scan runs; nothing for
confirmed items, closed cases or items already past due; a constant number of queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrsuite.notifications.models import Notification
from offboarding.models import HandoverItem
from offboarding.reminders import due_lead, handover_reminders
from offboarding.tasks import handover_reminders as reminder_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "days_left, lead", [(5, None), (4, None), (3, 3), (2, 3), (1, 3), (0, 0), (-1, None), (-10, None)]
)
def test_due_lead(days_left, lead):
    assert due_lead(days_left) == lead


@pytest.fixture
def item(open_case):
    """One item of an open case (the customer item), the only one within reach of the scan."""
    hc = open_case()
    first, *rest = hc.items
    HandoverItem.objects.filter(pk__in=[i.pk for i in rest]).update(due_on=first.due_on + timedelta(days=30))
    first.hc = hc
    return first


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go(item, days_left):
        with django_capture_on_commit_callbacks(execute=True):
            return handover_reminders(today=item.due_on - timedelta(days=days_left))

    return go


def keys(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("key", flat=True))


def test_three_days_before_and_on_the_day_to_the_leaver_once(item, people, run):
    leaver = people["users"]["employee"]
    assert run(item, 5).notifications == 0
    assert run(item, 4).notifications == 0
    summary = run(item, 3)
    assert summary.notifications == 1 and summary.emails == 1 and summary.by_holder == {"leaver": 1}
    note = Notification.objects.get()
    assert note.recipient == leaver and note.key == f"handover:{item.pk}:3:leaver"
    assert note.url == f"/offboarding/items/{item.pk}/" and note.params["days"] == 3
    assert mail.outbox[-1].to == [leaver.email]
    for days_left in (3, 2, 1):  # run again, and the days in between: nothing new
        assert run(item, days_left).notifications == 0
    assert run(item, 0).notifications == 1
    assert run(item, 0).notifications == 0
    assert run(item, -1).due == 0  # past due: the overdue list is HR's
    assert keys(leaver) == [f"handover:{item.pk}:0:leaver", f"handover:{item.pk}:3:leaver"]
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_a_missed_day_still_sends_the_reminder(item, people, run):
    assert run(item, 1).notifications == 1  # the scan did not run 3 or 2 days before
    assert keys(people["users"]["employee"]) == [f"handover:{item.pk}:3:leaver"]


def test_a_submitted_item_reminds_the_successor(item, people, run):
    HandoverItem.objects.filter(pk=item.pk).update(status="submitted")
    summary = run(item, 0)
    assert summary.by_holder == {"successor": 1}
    note = Notification.objects.get()
    assert note.recipient == people["users"]["team_member"] and note.key == f"handover:{item.pk}:0:successor"
    assert note.params["other"] == item.hc.leaver.name


def test_a_returned_item_goes_back_to_the_leaver_and_each_holder_is_reminded(item, people, run):
    HandoverItem.objects.filter(pk=item.pk).update(status="submitted")
    run(item, 3)
    HandoverItem.objects.filter(pk=item.pk).update(status="returned")
    assert run(item, 2).by_holder == {"leaver": 1}
    assert keys(people["users"]["team_member"]) == [f"handover:{item.pk}:3:successor"]
    assert keys(people["users"]["employee"]) == [f"handover:{item.pk}:3:leaver"]


def test_nothing_for_confirmed_items(item, run):
    HandoverItem.objects.filter(pk=item.pk).update(status="confirmed")
    assert run(item, 3).due == 0 and run(item, 0).due == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", ["head_approval", "hr_approval", "completed", "cancelled", "submitted"])
def test_nothing_for_cases_not_in_handover(item, run, status):
    item.hc.case.status = status
    item.hc.case.save(update_fields=["status"])
    assert run(item, 0).due == 0
    assert not Notification.objects.exists()


def test_the_task_returns_a_summary(item, people, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = reminder_task.apply().get()
    assert set(result) == {"today", "due", "notifications", "emails", "by_holder"}


def test_constant_number_of_queries(open_case, people):
    hc = open_case(last_day_in=3)
    HandoverItem.objects.filter(case=hc.case).update(due_on=hc.case.last_working_day)
    today = hc.case.last_working_day
    # the scan itself (the e-mails go out afterwards, in batches, from the notifications app)
    with CaptureQueriesContext(connection) as few:
        first = handover_reminders(today=today)
    assert first.notifications == 4  # one per (item, lead, holder)
    Notification.objects.all().delete()
    HandoverItem.objects.bulk_create(
        HandoverItem(case=hc.case, kind="general", title=f"事项{i}", due_on=hc.case.last_working_day,
                     successor=hc.successor, status="submitted" if i % 2 else "todo", order=10 + i)
        for i in range(40)
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        summary = handover_reminders(today=today)
    assert summary.due == 44 and summary.notifications == 44
    assert summary.by_holder == {"leaver": 24, "successor": 20}
    assert len(many.captured_queries) == len(few.captured_queries) <= 6  # 2 of them real: SELECT, INSERT

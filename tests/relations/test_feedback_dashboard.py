"""The feedback box outside its pages: the hourly digest task (counts only, each thread once) and
the dashboard widget (HR: threads awaiting a reply; a head: threads addressed to their
departments)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hrsuite.notifications.models import Notification
from relations.services_feedback import feedback_close, feedback_hide, feedback_post, feedback_reply
from relations.tasks import feedback_digest

pytestmark = pytest.mark.django_db


def _post(subject, department=None, public=True):
    return feedback_post(category="suggestion", subject=subject, body="正文", department=department, is_public=public)[
        0
    ]


def test_digest_counts_only_each_thread_once(org, people):
    _post("食堂", org["a"])
    _post("排班", org["a_team"], public=False)
    _post("报销", org["b"])
    _post("培训")
    assert feedback_digest.delay().get() == 4
    users = people["users"]
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(notes) == {users[r].pk for r in ("hr", "hr_admin", "manager", "other_manager")}
    assert notes[users["hr"].pk].params == {"n": 4}
    assert notes[users["manager"].pk].params == {"n": 2}  # A and its A1 team (which has no head of its own)
    assert notes[users["other_manager"].pk].params == {"n": 1}
    for n in notes.values():
        assert n.url == reverse("relations:feedback_list")
        assert not any(word in n.text + n.key for word in ("食堂", "排班", "报销", "培训"))
    assert users["employee"].pk not in notes
    # idempotent: a second run (or a retry) reports nothing and sends nothing
    assert feedback_digest.delay().get() == 0
    assert Notification.objects.count() == 4
    _post("新的一条")
    assert feedback_digest.delay().get() == 1
    assert Notification.objects.filter(recipient=users["hr"]).count() == 2


def _widget():
    from hrsuite.core import dashboard
    from relations.widgets import register_widgets

    register_widgets()
    return dashboard._WIDGETS["relations.feedback"]


def test_widget_counts(rf, org, people, django_assert_max_num_queries):
    users = people["users"]
    a1 = _post("一", org["a"])
    _post("二", org["a_team"], public=False)
    answered = _post("三", org["a"])
    feedback_reply(thread=answered, body="已处理", actor=users["hr"])
    hidden = _post("四", org["b"])
    feedback_hide(thread=hidden, reason="人身攻击", actor=users["hr"])
    closed = _post("五")
    feedback_close(thread=closed, actor=users["hr"])
    widget = _widget()
    request = rf.get("/")

    request.user = users["hr"]
    with django_assert_max_num_queries(3):
        assert widget.context(request) == {"is_hr": True, "awaiting": 2, "hidden": 1}
    request.user = users["manager"]
    assert widget.context(request) == {"is_hr": False, "addressed": 3, "awaiting": 2}
    request.user = users["other_manager"]
    assert widget.context(request) == {"is_hr": False, "addressed": 1, "awaiting": 1}
    feedback_close(thread=a1, actor=users["manager"])
    request.user = users["manager"]
    assert widget.context(request)["awaiting"] == 1


def test_widget_hidden_for_a_head_without_feedback(rf, people, org):
    _post("给销售部", org["b"])
    request = rf.get("/")
    request.user = people["users"]["manager"]
    assert _widget().context(request) is None


def test_widget_on_the_dashboard(client_for, org):
    _widget()
    _post("给技术部", org["a"])
    body = client_for("manager").get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="widget-feedback"' in body and 'data-testid="feedback-addressed">1<' in body
    hr = client_for("hr").get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="feedback-awaiting">1<' in hr
    for role in ("employee", "other_manager", "payroll"):
        assert 'data-testid="widget-feedback"' not in client_for(role).get(reverse("core:dashboard")).content.decode()


def test_digest_counts_a_thread_once_for_a_head_of_nested_departments(org, people):
    org["a_team"].head = people["employees"]["manager"]
    org["a_team"].save()
    _post("平台组", org["a_team"])
    _post("技术部", org["a"])
    assert feedback_digest() == 2
    assert Notification.objects.get(recipient=people["users"]["manager"]).params == {"n": 2}


def test_a_failure_while_notifying_leaves_the_threads_for_the_next_digest(org, people, monkeypatch):
    from relations import services_feedback
    from relations.models import FeedbackThread

    _post("食堂", org["a"])
    _post("培训")

    def broken(specs):
        list(specs)
        raise RuntimeError("the notifications table is unavailable")

    real = services_feedback.notify_many
    monkeypatch.setattr(services_feedback, "notify_many", broken)
    with pytest.raises(RuntimeError):
        feedback_digest()
    assert FeedbackThread.objects.filter(notified=False).count() == 2
    assert not Notification.objects.exists()
    monkeypatch.setattr(services_feedback, "notify_many", real)
    assert feedback_digest() == 2
    assert not FeedbackThread.objects.filter(notified=False).exists()
    assert Notification.objects.get(recipient=people["users"]["hr"]).params == {"n": 2}


def test_inbox_counts_are_one_query_without_grouping_by_thread(org, people, django_assert_num_queries):
    from relations import selectors

    users = people["users"]
    _post("一", org["a"])
    hidden = _post("二", org["a_team"])
    feedback_hide(thread=hidden, reason="人身攻击", actor=users["hr"])
    _post("三", org["b"])
    for role, expected in (
        ("hr", {"awaiting": 2, "hidden": 1}),
        ("manager", {"addressed": 2, "awaiting": 2}),
        ("employee", {"addressed": 0, "awaiting": 0}),
    ):
        selectors.inbox_counts(users[role])  # the user's roles and scope, cached on the user
        with django_assert_num_queries(1 if role != "employee" else 0) as ctx:
            assert selectors.inbox_counts(users[role]) == expected
        assert all("GROUP BY" not in q["sql"] for q in ctx.captured_queries)
    assert "GROUP BY" not in str(selectors.threads_visible_to(users["hr"]).query)
    assert "GROUP BY" in str(selectors.with_reply_counts(selectors.public_board(users["employee"])).query)

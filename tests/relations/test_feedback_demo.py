"""The feedback demo: six threads of the demo company in Chinese (suggestions, complaints, a
question, praise), addressed to departments and to HR, with HR and head replies, a poster reply,
one hidden with a reason and one private; idempotent."""

import pytest
from django.core.management import call_command

from relations import demo_feedback
from relations.models import FeedbackReply, FeedbackThread
from relations.selectors import threads_addressed_to
from relations.services_feedback import thread_for_secret

pytestmark = pytest.mark.django_db


def test_feedback_demo_is_believable_and_idempotent(monkeypatch):
    from django.contrib.auth import get_user_model

    from hrsuite.core.management.commands import seed_demo

    assert demo_feedback.seed() == {"skipped": "the demo logins or departments are missing (run employees.demo first)"}
    monkeypatch.setattr(seed_demo, "SEEDERS", ["employees.demo"])
    call_command("seed_demo", employees=20)
    result = demo_feedback.seed()
    assert result["threads"] == 6
    counts = (FeedbackThread.objects.count(), FeedbackReply.objects.count())
    assert demo_feedback.seed() == {"skipped": "feedback demo data exists"}
    assert (FeedbackThread.objects.count(), FeedbackReply.objects.count()) == counts

    threads = list(FeedbackThread.objects.select_related("department"))
    assert {"suggestion", "complaint", "praise"} <= {t.category for t in threads}
    assert {t.department.code for t in threads if t.department} == {"HQ-TECH", "HQ-SALES", "HQ-OPS"}
    assert any(t.department is None for t in threads)
    hidden = [t for t in threads if t.hidden]
    assert len(hidden) == 1 and hidden[0].hidden_reason
    assert [t.is_public for t in threads].count(False) == 1
    assert {t.status for t in threads} == {"open", "answered", "closed"}
    kinds = list(FeedbackReply.objects.values_list("author_kind", "author__username"))
    assert ("poster", None) in kinds and ("hr", "hr") in kinds and ("head", "manager") in kinds
    assert all(t.posted_on < t.replies.order_by("seq").first().posted_on for t in threads if t.replies.exists())
    # the demo manager's inbox and the follow-up code
    manager = get_user_model().objects.get(username="manager")
    assert threads_addressed_to(manager).count() == 2
    assert thread_for_secret(result["follow_code"]).subject == demo_feedback.MARKER

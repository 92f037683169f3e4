"""The engagement demo: two finished rounds (the second the next round of the first), answered
anonymously through the survey service, most departments shown, the remote team hidden in the
latest round, trends between the rounds; the dependence page shows a high-risk team. Idempotent."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from employees.models import Department
from relations import demo_engagement
from surveys.models import Survey, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


def _counts():
    return Survey.objects.count(), SurveyInvitation.objects.count(), SurveyResponse.objects.count()


def test_engagement_demo_is_believable_and_idempotent(django_capture_on_commit_callbacks, monkeypatch):
    from django.contrib.auth import get_user_model

    from hrsuite.core.management.commands import seed_demo

    # the other seeders first (not the relations demo, which calls this one): it is called below
    monkeypatch.setattr(seed_demo, "SEEDERS", [s for s in seed_demo.SEEDERS if not s.startswith("relations")])
    call_command("seed_demo", employees=80)
    with django_capture_on_commit_callbacks(execute=True):
        result = demo_engagement.seed()
    first = _counts()
    assert demo_engagement.seed() == {"skipped": "engagement demo data exists"}
    assert _counts() == first

    earlier, latest = (Survey.objects.get(pk=pk) for pk in result["rounds"])
    now = timezone.now()
    assert latest.round_of == earlier and earlier.closes_at < latest.opens_at and latest.closes_at < now
    assert earlier.kind == latest.kind == "engagement" and latest.anonymous and latest.min_group_size == 5
    # answered through the service: anonymous rows, each invitation answered at most once
    responses = SurveyResponse.objects.filter(survey=latest)
    assert responses.count() == result["answers"][1] > 40
    assert not responses.exclude(invitation__isnull=True).exists()
    answered = SurveyInvitation.objects.filter(survey=latest, answered_at__isnull=False)
    assert answered.count() == responses.count() and set(answered.values_list("answered_at", flat=True)) == {
        latest.opens_at
    }
    assert all(latest.opens_at.date() <= r.submitted_on <= latest.closes_at.date() for r in responses)

    User = get_user_model()
    hr = Client()
    hr.force_login(User.objects.get(username="hr"))
    page = hr.get(reverse("relations:engagement_results", args=[latest.pk]))
    rows = {r["row"].department_id: r["row"] for r in page.context["rows"]}
    shown = [r for r in rows.values() if not r.hidden]
    assert len(shown) > len(rows) / 2
    remote = Department.objects.get(code=demo_engagement.HIDDEN_DEPARTMENT)
    assert rows[remote.pk].hidden  # three answers in the latest round
    earlier_page = hr.get(reverse("relations:engagement_results", args=[earlier.pk]))
    assert earlier_page.context["data"].trends == ()  # the first round has nothing to compare with
    company = next(t for t in page.context["data"].trends if t.topic.key == "工作负荷").series[0]
    assert [p.score is not None for p in company.points] == [True, True]

    # the dependence page of the demo company has a high-risk team
    dependence = hr.get(reverse("relations:dependence"))
    assert dependence.context["counts"]["high"] >= 1

    # the demo manager sees their department's results, not the whole company
    manager = Client()
    manager.force_login(User.objects.get(username="manager"))
    scoped = manager.get(reverse("relations:engagement_results", args=[latest.pk]))
    assert scoped.status_code == 200 and 0 not in {r["row"].department_id for r in scoped.context["rows"]}

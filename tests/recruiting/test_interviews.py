"""Interviews and scorecards: scheduling rules, who may submit a scorecard (the interview's
interviewers, once each), the interview done when all have submitted, the pure aggregation,
and the pages (my interviews, the scorecard page, scorecards on the application page)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hrsuite.notifications.models import Notification
from recruiting.models import Interview, Scorecard
from recruiting.scorecards import CRITERIA, CRITERIA_KEYS, aggregate
from recruiting.services_interviews import interview_cancel, interview_schedule, scorecard_submit
from recruiting.services_pipeline import application_reject

ALL_FOUR = dict.fromkeys(CRITERIA_KEYS, 4)


def schedule(app, people, *keys, when=None, capture=None):
    kwargs = dict(
        application=app,
        starts_at=when or timezone.now() + timedelta(days=2),
        duration_minutes=60,
        kind="video",
        location="腾讯会议 123-456",
        interviewers=[people["employees"][k] for k in keys],
        actor=people["users"]["hr"],
    )
    if capture is None:
        return interview_schedule(**kwargs)
    with capture(execute=True):
        return interview_schedule(**kwargs)


def started(interview):
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    interview.refresh_from_db()
    return interview


# --- the pure aggregation --------------------------------------------------------------------


def test_aggregate_numbers():
    cards = [
        SimpleNamespace(
            ratings={"skills": 5, "communication": 4, "problem_solving": 4, "teamwork": 3, "fit": 5},
            recommendation="strong_yes",
        ),
        SimpleNamespace(
            ratings={"skills": 4, "communication": 3, "problem_solving": 3, "teamwork": 3, "fit": 4},
            recommendation="yes",
        ),
        {
            "ratings": {"skills": 2, "communication": 2, "problem_solving": 3, "teamwork": 4, "fit": 2},
            "recommendation": "no",
        },
    ]
    result = aggregate(cards)
    assert result.count == 3
    assert result.averages == {
        "skills": Decimal("3.7"),
        "communication": Decimal("3.0"),
        "problem_solving": Decimal("3.3"),
        "teamwork": Decimal("3.3"),
        "fit": Decimal("3.7"),
    }
    assert result.overall == Decimal("3.4")  # 51 / 15
    assert result.recommendations == {"strong_yes": 1, "yes": 1, "no": 1, "strong_no": 0}
    assert result.hire_votes == 2


def test_aggregate_empty_and_bad_values():
    empty = aggregate([])
    assert empty.count == 0 and empty.overall is None and all(v is None for v in empty.averages.values())
    odd = aggregate(
        [
            {
                "ratings": {"skills": 9, "fit": True, "teamwork": "3", "extra": 5, "communication": 2},
                "recommendation": "maybe",
            }
        ]
    )
    assert odd.averages["communication"] == Decimal("2.0") and odd.averages["skills"] is None
    assert odd.overall == Decimal("2.0") and sum(odd.recommendations.values()) == 0


def test_criteria_have_english_keys_and_labels():
    assert CRITERIA_KEYS == ("skills", "communication", "problem_solving", "teamwork", "fit")
    assert all(str(c.label) for c in CRITERIA)


# --- scheduling ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schedule_notifies_the_interviewers(make_application, people, django_capture_on_commit_callbacks):
    app = make_application(stage="interview")
    iv = schedule(app, people, "manager", "employee", capture=django_capture_on_commit_callbacks)
    assert set(iv.interviewers.all()) == {people["employees"]["manager"], people["employees"]["employee"]}
    assert iv.status == "scheduled" and iv.scheduled_by == people["users"]["hr"]
    notes = Notification.objects.filter(key=f"interview:{iv.pk}:scheduled")
    assert {n.recipient for n in notes} == {people["users"]["manager"], people["users"]["employee"]}
    assert notes.first().url == reverse("recruiting:scorecard", args=[iv.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "past"}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": 600}, "duration_minutes"),
        ({"kind": "carrier pigeon"}, "kind"),
        ({"interviewers": []}, "interviewers"),
        ({"interviewers": "no_login"}, "interviewers"),
    ],
)
def test_schedule_refusals(make_application, people, change, field):
    from tests.factories import EmployeeFactory

    app = make_application(stage="interview")
    kwargs = dict(
        application=app,
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=45,
        kind="onsite",
        location="",
        interviewers=[people["employees"]["manager"]],
        actor=people["users"]["hr"],
    )
    if change.get("starts_at") == "past":
        change = {"starts_at": timezone.now() - timedelta(minutes=1)}
    if change.get("interviewers") == "no_login":
        change = {"interviewers": [EmployeeFactory(user=None, department=people["employees"]["manager"].department)]}
    kwargs.update(change)
    with pytest.raises(ValidationError) as exc:
        interview_schedule(**kwargs)
    assert field in exc.value.message_dict
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_schedule_needs_the_interview_stage_and_hr(make_application, people):
    app = make_application(stage="screening")
    with pytest.raises(ValidationError) as exc:
        schedule(app, people, "manager")
    assert exc.value.code == "stage"
    app2 = make_application(name="李娜", email="lina@example.com", stage="interview")
    with pytest.raises(PermissionDenied):
        interview_schedule(
            application=app2,
            starts_at=timezone.now() + timedelta(days=1),
            duration_minutes=60,
            kind="onsite",
            location="",
            interviewers=[people["employees"]["manager"]],
            actor=people["users"]["manager"],
        )
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_cancel_and_rejection_cancel(make_application, people, django_capture_on_commit_callbacks):
    app = make_application(stage="interview")
    iv = schedule(app, people, "manager")
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(interview=iv, actor=people["users"]["hr"])
    assert Interview.objects.get(pk=iv.pk).status == "cancelled"
    assert Notification.objects.filter(
        key=f"interview:{iv.pk}:cancelled", recipient=people["users"]["manager"]
    ).exists()
    with pytest.raises(ValidationError):
        interview_cancel(interview=iv, actor=people["users"]["hr"])
    second = schedule(app, people, "employee")
    application_reject(application=app, reason="已招满", notify_candidate=False, actor=people["users"]["hr"])
    assert Interview.objects.get(pk=second.pk).status == "cancelled"


# --- scorecards ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_interviewers_submit_once_each_and_the_interview_is_done(
    make_application, people, django_capture_on_commit_callbacks
):
    app = make_application(stage="interview")
    iv = started(schedule(app, people, "manager", "employee"))
    emps = people["employees"]
    with pytest.raises(PermissionDenied):
        scorecard_submit(interview=iv, interviewer=emps["other_employee"], ratings=ALL_FOUR, recommendation="yes")
    scorecard_submit(interview=iv, interviewer=emps["manager"], ratings=ALL_FOUR, recommendation="yes", comments="扎实")
    assert Interview.objects.get(pk=iv.pk).status == "scheduled"
    with pytest.raises(ValidationError) as exc:
        scorecard_submit(interview=iv, interviewer=emps["manager"], ratings=ALL_FOUR, recommendation="no")
    assert exc.value.code == "twice"
    with django_capture_on_commit_callbacks(execute=True):
        scorecard_submit(interview=iv, interviewer=emps["employee"], ratings=ALL_FOUR, recommendation="strong_yes")
    assert Interview.objects.get(pk=iv.pk).status == "done"
    assert Scorecard.objects.filter(interview=iv).count() == 2
    assert Notification.objects.filter(key=f"interview:{iv.pk}:scorecards", recipient=people["users"]["hr"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ratings", "recommendation", "field"),
    [
        ({**ALL_FOUR, "fit": 6}, "yes", "ratings"),
        ({k: v for k, v in ALL_FOUR.items() if k != "teamwork"}, "yes", "ratings"),
        ({**ALL_FOUR, "skills": 0}, "yes", "ratings"),
        (ALL_FOUR, "perhaps", "recommendation"),
    ],
)
def test_scorecard_refusals(make_application, people, ratings, recommendation, field):
    app = make_application(stage="interview")
    iv = started(schedule(app, people, "manager"))
    with pytest.raises(ValidationError) as exc:
        scorecard_submit(
            interview=iv, interviewer=people["employees"]["manager"], ratings=ratings, recommendation=recommendation
        )
    assert field in exc.value.message_dict
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_scorecard_not_before_the_interview_nor_when_cancelled(make_application, people):
    app = make_application(stage="interview")
    iv = schedule(app, people, "manager")
    with pytest.raises(ValidationError) as exc:
        scorecard_submit(
            interview=iv, interviewer=people["employees"]["manager"], ratings=ALL_FOUR, recommendation="yes"
        )
    assert exc.value.code == "too_early"
    interview_cancel(interview=iv, actor=people["users"]["hr"])
    started(iv)
    with pytest.raises(ValidationError) as exc:
        scorecard_submit(
            interview=iv, interviewer=people["employees"]["manager"], ratings=ALL_FOUR, recommendation="yes"
        )
    assert exc.value.code == "cancelled"


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schedule_view(make_application, people, client_for, django_capture_on_commit_callbacks):
    app = make_application(stage="interview")
    url = reverse("recruiting:interview_schedule", args=[app.pk])
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {"starts_at": when, "duration_minutes": 45, "kind": "onsite", "location": "5楼会议室",
            "interviewers": [people["employees"]["employee"].pk]}  # fmt: skip
    assert client_for("manager").post(url, data).status_code == 403
    assert client_for("hr").post(url, {**data, "interviewers": []}).status_code == 302
    assert not Interview.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for("hr").post(url, data).status_code == 302
    iv = Interview.objects.get()
    assert iv.location == "5楼会议室" and list(iv.interviewers.all()) == [people["employees"]["employee"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("employee", 200), ("manager", 403), ("other_employee", 403), ("hr", 403)]
)
def test_scorecard_page_is_for_the_interviewers_of_that_interview(make_application, people, client_for, role, status):
    app = make_application(stage="interview")
    app.candidate.phone = "13900001111"
    app.candidate.save()
    iv = schedule(app, people, "employee")
    response = client_for(role).get(reverse("recruiting:scorecard", args=[iv.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "张伟" in body and "风控建模工程师" in body and "机器学习" in body
        assert "zhangwei@example.com" not in body and "13900001111" not in body  # no contact details


@pytest.mark.django_db
def test_scorecard_page_submits_once(make_application, people, client_for):
    app = make_application(stage="interview")
    iv = started(schedule(app, people, "employee"))
    url = reverse("recruiting:scorecard", args=[iv.pk])
    c = client_for("employee")
    data = {**{f"rating_{k}": "5" for k in CRITERIA_KEYS}, "recommendation": "strong_yes", "comments": "很好"}
    bad = c.post(url, {**data, "rating_fit": ""})
    assert bad.status_code == 200 and not Scorecard.objects.exists()
    assert c.post(url, data).status_code == 302
    card = Scorecard.objects.get()
    assert card.ratings == dict.fromkeys(CRITERIA_KEYS, 5) and card.recommendation == "strong_yes"
    again = c.post(url, {**data, "recommendation": "no"}, follow=True)
    assert any(m.level_tag == "error" for m in again.context["messages"])
    assert Scorecard.objects.get().recommendation == "strong_yes"
    assert 'data-testid="scorecard-submitted"' in c.get(url).content.decode()


@pytest.mark.django_db
def test_my_interviews_lists_mine_with_search_and_paging(make_application, people, client_for):
    app = make_application(stage="interview")
    other = make_application(name="李娜", email="lina@example.com", stage="interview")
    mine = schedule(app, people, "employee")
    schedule(other, people, "manager")
    past = schedule(other, people, "employee")
    started(past)
    c = client_for("employee")
    body = c.get(reverse("recruiting:my_interviews")).content.decode()
    assert f'data-interview="{mine.pk}"' in body and f'data-interview="{past.pk}"' not in body
    past_body = c.get(reverse("recruiting:my_interviews") + "?when=past").content.decode()
    assert f'data-interview="{past.pk}"' in past_body and "李娜" in past_body
    searched = c.get(reverse("recruiting:my_interviews") + "?q=李娜").content.decode()
    assert f'data-interview="{mine.pk}"' not in searched
    assert client_for("other_employee").get(reverse("recruiting:my_interviews")).status_code == 200
    assert "张伟" not in client_for("other_employee").get(reverse("recruiting:my_interviews")).content.decode()
    assert client_for(None).get(reverse("recruiting:my_interviews")).status_code == 302


@pytest.mark.django_db
def test_my_interviews_query_budget(make_application, people, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("employee")
    url = reverse("recruiting:my_interviews")

    def count():
        c.get(url)
        with CaptureQueriesContext(connection) as ctx:
            c.get(url)
        return len(ctx.captured_queries)

    schedule(make_application(stage="interview"), people, "employee")
    small = count()
    for i in range(6):
        schedule(make_application(name=f"候选人{i}", email=f"x{i}@example.com", stage="interview"), people, "employee")
    assert count() == small


@pytest.mark.django_db
def test_detail_hides_others_scorecards_from_an_interviewer_who_has_not_submitted(make_application, people, client_for):
    app = make_application(stage="interview")
    iv = started(schedule(app, people, "manager", "employee"))
    scorecard_submit(
        interview=iv,
        interviewer=people["employees"]["employee"],
        ratings=ALL_FOUR,
        recommendation="yes",
        comments="沟通清晰",
    )
    manager_view = client_for("manager").get(reverse("recruiting:application_detail", args=[app.pk])).content.decode()
    assert 'data-testid="scorecards-hidden"' in manager_view and "沟通清晰" not in manager_view
    hr_view = client_for("hr").get(reverse("recruiting:application_detail", args=[app.pk])).content.decode()
    assert "沟通清晰" in hr_view and 'data-testid="overall-rating">4.0' in hr_view
    scorecard_submit(
        interview=iv,
        interviewer=people["employees"]["manager"],
        ratings=dict.fromkeys(CRITERIA_KEYS, 2),
        recommendation="no",
    )
    manager_after = client_for("manager").get(reverse("recruiting:application_detail", args=[app.pk])).content.decode()
    assert "沟通清晰" in manager_after and 'data-testid="overall-rating">3.0' in manager_after

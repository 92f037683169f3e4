"""/me/performance/ (myperformance:home): my objectives in open OKR cycles with their key results'
completion, my recurring tasks, my review tasks and my released results with a chart; only my
own data, whoever I am; empty states; a fixed number of queries."""

import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import CheckIn, CheckInTask, KeyResult, Objective, Review

pytestmark = pytest.mark.django_db
URL = reverse("myperformance:home")


@pytest.fixture
def others(okr, people, org):
    """Objectives of other people in the same open cycle (titles that must never leak)."""
    emps = people["employees"]
    made = {}
    for key, title in (("other_employee", "别人的目标 B"), ("team_member", "下属的目标 A1"), ("manager", "经理的目标")):
        o = Objective.objects.create(
            cycle=okr.cycle, level="individual", title=title, parent=okr.department, owner=emps[key],
            department=emps[key].department,
        )  # fmt: skip
        KeyResult.objects.create(objective=o, title=f"{title} KR", target_value=D("10"), weight=D("100"))
        made[key] = o
    return made


def released(review, level, *, okr=None, acknowledged=False):
    Review.objects.filter(pk=review.pk).update(
        manager_rating=level, final_rating=level, coefficient=level.coefficient, okr_completion=okr,
        status="acknowledged" if acknowledged else "released",
        acknowledged_at=timezone.now() if acknowledged else None,
    )  # fmt: skip


def test_permission_and_anonymous(client_for, people):
    from tests.factories import UserFactory

    assert client_for(None).get(URL).status_code == 302
    for role in ("employee", "manager", "hr", "payroll", "other_employee"):
        assert client_for(role).get(URL).status_code == 200, role
    # a login without an employee record has no self-service
    from django.test import Client

    c = Client()
    c.force_login(UserFactory(username="norecord", roles=["hr"]))
    assert c.get(URL).status_code == 403


def test_shows_my_objectives_with_key_result_completion_and_nobody_elses(client_for, okr, others):
    okr.revenue.current_value = D("500")  # 50% of 1000
    okr.revenue.save()
    okr.visits.current_value = D("30")  # 100%
    okr.visits.save()
    response = client_for("employee").get(URL)
    text = response.content.decode()
    assert "个人营收 1000 万" in text and "签约营收" in text and "拜访重点客户" in text
    assert reverse("performance:objective_detail", args=[okr.mine.pk]) in text
    (objective,) = response.context["objectives"]
    assert objective.completion == D("70.00")  # 60% x 50 + 40% x 100
    assert {kr.title: kr.completion for kr in objective.key_results.all()} == {
        "签约营收": D("50.00"),
        "拜访重点客户": D("100.00"),
    }
    assert 'aria-valuenow="50"' in text and 'aria-valuenow="70"' in text
    for title in ("别人的目标 B", "下属的目标 A1", "经理的目标"):
        assert title not in text, title


def test_a_manager_sees_only_their_own_objectives_not_their_teams(client_for, okr, others):
    text = client_for("manager").get(URL).content.decode()
    assert "经理的目标" in text
    assert "个人营收 1000 万" not in text and "下属的目标 A1" not in text


def test_closed_and_draft_cycles_are_not_listed(client_for, okr):
    okr.cycle.status = "closed"
    okr.cycle.save()
    response = client_for("employee").get(URL)
    assert response.context["objectives"] == []
    assert "个人营收 1000 万" not in response.content.decode()


def test_my_recurring_task_with_this_periods_count(client_for, okr, people):
    task = CheckInTask.objects.create(
        objective=okr.mine, title="每月拜访 10 家重点客户", target_count=10, owner=people["employees"]["employee"]
    )
    today = timezone.localdate()
    CheckIn.objects.create(task=task, period=today.replace(day=1), done_count=4)
    CheckIn.objects.create(task=task, period=(today.replace(day=1) - timedelta(days=1)).replace(day=1), done_count=9)
    response = client_for("employee").get(URL)
    (shown,) = response.context["tasks"]
    assert shown.done == 4 and "每月拜访 10 家重点客户" in response.content.decode()
    assert client_for("other_employee").get(URL).context["tasks"] == []


def test_review_tasks_self_assessment_then_acknowledgement(client_for, review_cycle, rating_scale, people):
    rc = review_cycle(status="assessment")
    response = client_for("employee").get(URL)
    (mine,) = response.context["reviews"]
    assert mine.pk == rc.reviews["employee"].pk and mine.action == "self"
    assert reverse("myperformance:review", args=[mine.pk]) in response.content.decode()
    assert response.context["to_do"] == 1
    # the manager's own review is theirs, not the employee's
    assert [r.pk for r in client_for("manager").get(URL).context["reviews"]] == [rc.reviews["manager"].pk]
    assert client_for("other_employee").get(URL).context["reviews"] == []

    rc.cycle.status = "released"
    rc.cycle.save()
    released(rc.reviews["employee"], rating_scale["A"])
    (mine,) = client_for("employee").get(URL).context["reviews"]
    assert mine.action == "acknowledge"


def test_an_unreleased_rating_is_not_in_my_history(client_for, review_cycle, rating_scale):
    rc = review_cycle(status="calibration")
    Review.objects.filter(pk=rc.reviews["employee"].pk).update(final_rating=rating_scale["C"], status="rated")
    response = client_for("employee").get(URL)
    assert response.context["history"] == [] and response.context["chart"] is None
    (mine,) = response.context["reviews"]
    assert mine.action == "wait" and 'data-rating="C"' not in response.content.decode()


def test_history_table_and_chart(client_for, review_cycle, rating_scale, okr):
    old = review_cycle(status="closed")
    old.cycle.name, old.cycle.period_end = "2025 下半年绩效考核", old.cycle.period_start + timedelta(days=1)
    old.cycle.save()
    released(old.reviews["employee"], rating_scale["B"], okr=D("66.50"), acknowledged=True)
    new = review_cycle(status="released")
    new.cycle.name = "2026 上半年绩效考核"
    new.cycle.save()
    released(new.reviews["employee"], rating_scale["A+"], okr=D("92.25"))
    released(new.reviews["team_member"], rating_scale["D"])  # somebody else's result

    response = client_for("employee").get(URL)
    text = response.content.decode()
    rows = response.context["history"]
    assert [(r.cycle.name, r.rating, r.coefficient, r.okr_completion, r.acknowledged) for r in rows] == [
        ("2026 上半年绩效考核", "A+", D("1.50"), D("92.25"), False),
        ("2025 下半年绩效考核", "B", D("1.00"), D("66.50"), True),
    ]
    assert 'data-rating="A+"' in text and 'data-rating="D"' not in text
    assert "92.3%" in text and "66.5%" in text
    chart = json.loads(text.split('id="chart-my-performance" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["2025 下半年绩效考核 · B", "2026 上半年绩效考核 · A+"]  # oldest first
    assert chart["datasets"][0]["data"] == [66.5, 92.25] and chart["datasets"][1]["data"] == [1.0, 1.5]


def test_empty_states(client_for, english):
    response = client_for("other_employee").get(URL)
    text = response.content.decode()
    assert "No review is under way for you." in text
    assert "You have no objectives in an OKR cycle in progress." in text
    assert "No released review results yet." in text
    assert 'data-testid="performance-history"' not in text and "chart-my-performance" not in text


def test_query_count_does_not_grow_with_rows(client_for, okr, people, review_cycle, rating_scale,
                                             django_assert_max_num_queries):  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    emp = people["employees"]["employee"]
    client = client_for("employee")
    client.get(URL)  # warm: session and language

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    rc = review_cycle(status="closed")
    released(rc.reviews["employee"], rating_scale["A"], okr=D("80"))
    task = CheckInTask.objects.create(objective=okr.mine, title="打卡", target_count=3, owner=emp)
    CheckIn.objects.create(task=task, period=timezone.localdate().replace(day=1), done_count=1)
    before = count()
    for i in range(4):
        o = Objective.objects.create(
            cycle=okr.cycle, level="individual", title=f"目标{i}", owner=emp, department=emp.department
        )
        for j in range(3):
            KeyResult.objects.create(objective=o, title=f"KR{i}{j}", target_value=D("9"), weight=D("33.34"))
        CheckInTask.objects.create(objective=o, title=f"打卡{i}", target_count=2, owner=emp)
        more = review_cycle(status="released")
        released(more.reviews["employee"], rating_scale["B"])
    assert count() == before
    with django_assert_max_num_queries(16):  # 14 today: session, user, roles, scope, me, objectives, KRs, …
        client.get(URL)

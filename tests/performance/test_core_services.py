"""The performance services' rules: weights, scale, team reach, closed cycles, and the
coefficient that a release writes for payroll (and that the pay run then uses)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from performance import engine
from performance.models import KeyResult, Objective, Review
from performance.services import (
    KeyResultData,
    PerformanceRefused,
    key_results_save,
    objective_save,
    okr_cycle_move,
    progress_update,
    review_acknowledge,
    review_calibrate,
    review_cycle_close,
    review_cycle_launch,
    review_cycle_release,
    review_cycle_start_calibration,
    review_rate,
    review_self_assess,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "start,target,current,expected",
    [
        ("0", "1000", "250", "25.00"),
        ("0", "1000", "1500", "100.00"),  # over-achieved: capped
        ("0", "1000", "-5", "0.00"),
        ("100", "80", "90", "50.00"),  # a cost brought down
        ("100", "80", "120", "0.00"),
    ],
)
def test_kr_completion(start, target, current, expected):
    assert engine.kr_completion(D(start), D(target), D(current)) == D(expected)


def test_objective_completion_is_weighted():
    assert engine.objective_completion([(D(60), D(50)), (D(40), D(100))]) == D("70.00")
    assert engine.weights_valid([D(60), D(40)])
    assert not engine.weights_valid([D(60), D(30)])
    assert not engine.weights_valid([])


def test_distribution_flags_shares_over_guideline():
    rows = engine.distribution({"A": 3, "B": 1}, ["A", "B", "C"], {"A": D(20), "B": D(50), "C": None})
    assert [(r.code, r.count, r.share, r.over) for r in rows] == [
        ("A", 3, D("75.00"), True),
        ("B", 1, D("25.00"), False),
        ("C", 0, D("0.00"), False),
    ]


def test_key_result_weights_must_total_100(okr, people):
    before = list(okr.mine.key_results.values_list("pk", "weight"))
    rows = [KeyResultData(title="签约营收", target_value=D(1000), weight=D(60)), KeyResultData("拜访", D(30), D(30))]
    with pytest.raises(PerformanceRefused) as exc:
        key_results_save(objective=okr.mine, rows=rows, actor=people["users"]["manager"])
    assert "90%" in exc.value.messages[0] and "100%" in exc.value.messages[0]
    assert list(okr.mine.key_results.values_list("pk", "weight")) == before


def test_key_results_saved_together_keep_progress(okr, people):
    manager = people["users"]["manager"]
    progress_update(key_result=okr.revenue, month=timezone.localdate(), value=D(400), actor=people["users"]["employee"])
    rows = [
        KeyResultData(title="签约营收", target_value=D(1000), weight=D(50), pk=okr.revenue.pk),
        KeyResultData(title="拜访重点客户", target_value=D(30), weight=D(30), pk=okr.visits.pk),
        KeyResultData(title="新客户", target_value=D(5), weight=D(20)),
    ]
    key_results_save(objective=okr.mine, rows=rows, actor=manager)
    revenue = KeyResult.objects.get(pk=okr.revenue.pk)
    assert revenue.weight == D(50) and revenue.current_value == D(400)
    assert okr.mine.key_results.count() == 3


def test_employee_cannot_set_another_persons_objective(okr, people, english):
    other = Objective(cycle=okr.cycle, level="individual", title="x", owner=people["employees"]["other_employee"])
    with pytest.raises(PerformanceRefused) as exc:
        objective_save(objective=other, actor=people["users"]["manager"])
    assert exc.value.code == "permission"
    assert exc.value.messages == ["You cannot set objectives for this person or department."]
    assert not Objective.objects.filter(title="x").exists()


def test_progress_sets_current_value_from_latest_month(okr, people):
    user = people["users"]["employee"]
    today = timezone.localdate()
    progress_update(key_result=okr.revenue, month=today, value=D(300), comment="签了两单", actor=user)
    progress_update(key_result=okr.revenue, month=today, value=D(350), actor=user)  # same month: replaces
    okr.revenue.refresh_from_db()
    assert okr.revenue.current_value == D(350)
    assert okr.revenue.updates.count() == 1


def test_closed_cycle_refuses_updates(okr, people):
    okr_cycle_move(cycle=okr.cycle, to="closed", actor=people["users"]["hr"])
    with pytest.raises(PerformanceRefused) as exc:
        progress_update(
            key_result=okr.revenue, month=timezone.localdate(), value=D(1), actor=people["users"]["employee"]
        )
    assert exc.value.code == "closed"
    okr.revenue.refresh_from_db()
    assert okr.revenue.current_value == 0


def test_launch_creates_one_review_per_employee_with_their_manager(review_cycle, people):
    made = review_cycle(status="draft")
    n = review_cycle_launch(cycle=made.cycle, actor=people["users"]["hr"])
    emps = people["employees"]
    assert n == 3  # manager, employee (A) and team_member (A1)
    review = Review.objects.get(cycle=made.cycle, employee=emps["team_member"])
    assert review.reviewer == emps["employee"]


def test_manager_cannot_rate_outside_team(review_cycle, people):
    made = review_cycle()
    from performance.models import Review as R

    outsider = R.objects.create(cycle=made.cycle, employee=people["employees"]["other_employee"], status="manager")
    with pytest.raises(PerformanceRefused) as exc:
        review_rate(review=outsider, rating="A", comment="好", actor=people["users"]["manager"])
    assert exc.value.code == "permission"
    outsider.refresh_from_db()
    assert outsider.final_rating is None


def test_rating_outside_scale_refused(review_cycle, people):
    made = review_cycle()
    review = made.reviews["employee"]
    review.status = "manager"
    review.save()
    with pytest.raises(PerformanceRefused) as exc:
        review_rate(review=review, rating="S", comment="好", actor=people["users"]["manager"])
    assert "A+" in exc.value.messages[0]
    review.refresh_from_db()
    assert review.final_rating is None and review.status == "manager"


def test_manager_cannot_rate_themselves(review_cycle, people, english):
    made = review_cycle()
    review = made.reviews["manager"]
    review.status = "manager"
    review.save()
    with pytest.raises(PerformanceRefused) as exc:
        review_rate(review=review, rating="A+", comment="我很好", actor=people["users"]["manager"])
    assert exc.value.code == "permission"
    assert exc.value.messages == ["You can only assess the people in your team."]


def test_closed_review_cycle_refuses_changes(review_cycle, people):
    made = review_cycle(status="closed")
    review = made.reviews["employee"]
    with pytest.raises(PerformanceRefused) as exc:
        review_self_assess(review=review, text="补充", actor=people["users"]["employee"])
    assert exc.value.code == "closed"


def test_whole_cycle_flows_into_the_pay_run(review_cycle, okr, people, assignments, run_factory):
    """Self-assessment, rating, calibration, release: the coefficient becomes the payroll input
    of the pay month and the pay run's 绩效奖金 (岗位工资 * 绩效系数) uses it."""
    hr, manager, employee = people["users"]["hr"], people["users"]["manager"], people["users"]["employee"]
    period = date(2026, 6, 1)
    made = review_cycle(pay_period=period, okr_cycle=okr.cycle)
    progress_update(key_result=okr.revenue, month=timezone.localdate(), value=D(500), actor=employee)
    review = made.reviews["employee"]
    review_self_assess(review=review, text="完成了 500 万营收", self_rating="A", actor=employee)
    review_rate(review=review, rating="A", comment="超出预期", actor=manager)
    for key in ("manager", "team_member"):
        r = made.reviews[key]
        r.status, r.self_submitted_at = "manager", timezone.now()
        r.save()
    review_rate(review=made.reviews["team_member"], rating="B", comment="达标", actor=manager)
    review_rate(review=made.reviews["manager"], rating="B", comment="达标", actor=hr)
    with pytest.raises(PerformanceRefused) as exc:
        review_cycle_release(cycle=made.cycle, actor=hr)  # calibration is required
    assert exc.value.code == "calibrate"
    review_cycle_start_calibration(cycle=made.cycle, actor=hr)
    with pytest.raises(PerformanceRefused) as exc:
        review_calibrate(review=review, rating="A+", reason="", actor=hr)
    assert list(exc.value.error_dict) == ["reason"]
    review_calibrate(review=review, rating="A+", reason="拿下年度最大客户", actor=hr)
    assert review_cycle_release(cycle=made.cycle, actor=hr) == 3
    review.refresh_from_db()
    assert (review.final_rating.code, review.coefficient) == ("A+", D("1.50"))
    assert review.okr_completion == D("30.00")  # 500/1000 at weight 60, visits 0 at 40

    from payroll.models import PaySlipLine, PeriodInput

    value = PeriodInput.objects.get(employee=review.employee, period=period, definition__code="绩效系数")
    assert (value.value, value.source) == (D("1.5"), "performance")
    run = run_factory(period)
    bonus = PaySlipLine.objects.get(slip__run=run, slip__employee=review.employee, code="绩效奖金")
    assert bonus.amount == D("3000.00")  # 岗位工资 2,000 (10% of 20,000) * 1.5
    team_bonus = PaySlipLine.objects.get(
        slip__run=run, slip__employee=people["employees"]["team_member"], code="绩效奖金"
    )
    assert team_bonus.amount == D("2000.00")

    review_acknowledge(review=review, actor=employee, comment="认可")
    review_cycle_close(cycle=made.cycle, actor=hr)
    with pytest.raises(PerformanceRefused) as exc:
        review_calibrate(review=review, rating="B", reason="再调", actor=hr)
    assert exc.value.code == "closed"


def test_release_refused_while_someone_is_unrated(review_cycle, people):
    made = review_cycle(status="calibration")
    with pytest.raises(PerformanceRefused) as exc:
        review_cycle_release(cycle=made.cycle, actor=people["users"]["hr"])
    assert "3" in exc.value.messages[0]
    made.cycle.refresh_from_db()
    assert made.cycle.status == "calibration"


def test_rating_waits_for_self_assessment_until_due(review_cycle, people):
    made = review_cycle()
    review = made.reviews["employee"]
    with pytest.raises(PerformanceRefused) as exc:
        review_rate(review=review, rating="B", comment="x", actor=people["users"]["manager"])
    assert exc.value.code == "self_pending"
    made.cycle.self_due = timezone.localdate() - timedelta(days=1)
    made.cycle.save()
    review_rate(review=review, rating="B", comment="未自评，按事实评价", actor=people["users"]["manager"])


# --- notifications ---------------------------------------------------------------------------------


def _notified(key: str) -> set[str]:
    from hrsuite.notifications.models import Notification

    return set(Notification.objects.filter(key=key).values_list("recipient__username", flat=True))


def test_launch_notifies_each_active_employee_after_the_commit(
    review_cycle, people, django_capture_on_commit_callbacks
):
    made = review_cycle(status="draft")
    team_member = people["users"]["team_member"]
    team_member.is_active = False
    team_member.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review_cycle_launch(cycle=made.cycle, actor=people["users"]["hr"])
    key = f"review-launch-{made.cycle.pk}"
    assert _notified(key) == set()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _notified(key) == {"manager", "employee"}  # the inactive login is skipped


def test_self_assessment_notifies_the_reviewer(review_cycle, people, django_capture_on_commit_callbacks):
    made = review_cycle()
    review = made.reviews["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        review_self_assess(review=review, text="完成了目标", actor=people["users"]["employee"])
    assert _notified(f"review-self-{review.pk}") == {"manager"}


def test_release_notifies_the_active_employees_once(
    review_cycle, people, rating_scale, django_capture_on_commit_callbacks
):
    made = review_cycle(status="calibration")
    Review.objects.filter(cycle=made.cycle).update(status="rated", final_rating=rating_scale["B"])
    employee = people["users"]["employee"]
    employee.is_active = False
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        review_cycle_release(cycle=made.cycle, actor=people["users"]["hr"])
    assert _notified(f"review-released-{made.cycle.pk}") == {"manager", "teammember"}


def test_launch_falls_back_to_the_nearest_department_head(review_cycle, people, org):
    from tests.factories import DepartmentFactory, EmployeeFactory

    made = review_cycle(status="draft")
    emps = people["employees"]
    deep = DepartmentFactory(name="前端小组", parent=org["a_team"])  # no head, nor has 平台组
    loner = EmployeeFactory(department=deep, manager=None)
    head = emps["manager"]  # heads 技术部, has no manager of their own
    review_cycle_launch(cycle=made.cycle, actor=people["users"]["hr"])
    reviewers = dict(Review.objects.filter(cycle=made.cycle).values_list("employee_id", "reviewer_id"))
    assert reviewers[loner.pk] == head.pk  # 前端小组 -> 平台组 -> 技术部's head
    assert reviewers[head.pk] is None  # never their own reviewer; 总部 has no head
    assert reviewers[emps["team_member"].pk] == emps["employee"].pk  # the direct manager first


def test_launch_query_count_does_not_grow_with_people_without_a_manager(review_cycle, people, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DepartmentFactory, EmployeeFactory

    def launch_queries(extra: int) -> int:
        made = review_cycle(status="draft")
        for _ in range(extra):
            EmployeeFactory(department=DepartmentFactory(parent=org["a"]), manager=None)
        with CaptureQueriesContext(connection) as ctx:
            review_cycle_launch(cycle=made.cycle, actor=people["users"]["hr"])
        return len(ctx.captured_queries)

    launch_queries(0)  # warm up the actor's cached roles
    assert launch_queries(1) == launch_queries(6)


# --- refusals --------------------------------------------------------------------------------------


def test_only_hr_launches_a_review_cycle(review_cycle, people, english):
    made = review_cycle(status="draft")
    with pytest.raises(PerformanceRefused) as exc:
        review_cycle_launch(cycle=made.cycle, actor=people["users"]["manager"])
    assert (exc.value.code, exc.value.messages) == ("permission", ["Only HR can do this."])
    made.cycle.refresh_from_db()
    assert made.cycle.status == "draft" and not made.cycle.reviews.exists()


def test_launch_refused_when_nobody_works_in_the_departments(review_cycle, people, org, english):
    from tests.factories import DepartmentFactory

    made = review_cycle(status="draft")
    made.cycle.departments.set([DepartmentFactory(name="空部门", parent=org["hq"])])
    with pytest.raises(PerformanceRefused) as exc:
        review_cycle_launch(cycle=made.cycle, actor=people["users"]["hr"])
    assert (exc.value.code, exc.value.messages) == ("empty", ["Nobody works in the chosen departments."])
    made.cycle.refresh_from_db()
    assert made.cycle.status == "draft"


def test_only_the_employee_writes_their_self_assessment(review_cycle, people, english):
    review = review_cycle().reviews["employee"]
    with pytest.raises(PerformanceRefused) as exc:
        review_self_assess(review=review, text="替他写", actor=people["users"]["manager"])
    assert (exc.value.code, exc.value.messages) == ("permission", ["Only the employee writes their self-assessment."])
    review.refresh_from_db()
    assert review.self_assessment == "" and review.status == "self"


def test_only_the_employee_acknowledges_their_result(review_cycle, people, rating_scale, english):
    made = review_cycle(status="released")
    review = made.reviews["employee"]
    Review.objects.filter(pk=review.pk).update(status="released", final_rating=rating_scale["B"])
    with pytest.raises(PerformanceRefused) as exc:
        review_acknowledge(review=review, actor=people["users"]["hr"])
    assert (exc.value.code, exc.value.messages) == ("permission", ["Only the employee acknowledges their result."])
    review.refresh_from_db()
    assert review.status == "released" and review.acknowledged_at is None


def test_only_a_rated_review_can_be_calibrated(review_cycle, people, english):
    made = review_cycle(status="calibration")
    review = made.reviews["employee"]  # still awaiting the self-assessment
    with pytest.raises(PerformanceRefused) as exc:
        review_calibrate(review=review, rating="A", reason="提前调整", actor=people["users"]["hr"])
    assert (exc.value.code, exc.value.messages) == ("unrated", ["Only a rated review can be calibrated."])
    review.refresh_from_db()
    assert review.final_rating is None and review.calibrated_at is None


def test_an_objective_aligns_to_the_same_cycle(okr, people, english):
    from performance.models import OkrCycle

    other_cycle = OkrCycle.objects.create(
        name="2020", kind="year", year=2020, starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31)
    )
    elsewhere = Objective.objects.create(cycle=other_cycle, level="company", title="旧目标")
    objective = Objective(
        cycle=okr.cycle,
        level="individual",
        title="对齐到旧周期",
        owner=people["employees"]["employee"],
        parent=elsewhere,
    )
    with pytest.raises(PerformanceRefused) as exc:
        objective_save(objective=objective, actor=people["users"]["employee"])
    assert exc.value.message_dict == {"parent": ["Align to an objective of the same cycle."]}
    assert not Objective.objects.filter(title="对齐到旧周期").exists()


def test_a_department_objective_names_its_department(okr, people, english):
    objective = Objective(cycle=okr.cycle, level="department", title="没有部门")
    with pytest.raises(PerformanceRefused) as exc:
        objective_save(objective=objective, actor=people["users"]["hr"])
    assert exc.value.message_dict == {"department": ["Choose the department."]}
    assert not Objective.objects.filter(title="没有部门").exists()

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


def test_employee_cannot_set_another_persons_objective(okr, people):
    other = Objective(cycle=okr.cycle, level="individual", title="x", owner=people["employees"]["other_employee"])
    with pytest.raises(PerformanceRefused):
        objective_save(objective=other, actor=people["users"]["manager"])
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


def test_manager_cannot_rate_themselves(review_cycle, people):
    made = review_cycle()
    review = made.reviews["manager"]
    review.status = "manager"
    review.save()
    with pytest.raises(PerformanceRefused):
        review_rate(review=review, rating="A+", comment="我很好", actor=people["users"]["manager"])


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
    with pytest.raises(PerformanceRefused):
        review_cycle_release(cycle=made.cycle, actor=hr)  # calibration is required
    review_cycle_start_calibration(cycle=made.cycle, actor=hr)
    with pytest.raises(PerformanceRefused):
        review_calibrate(review=review, rating="A+", reason="", actor=hr)
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
    with pytest.raises(PerformanceRefused):
        review_calibrate(review=review, rating="B", reason="再调", actor=hr)


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
    with pytest.raises(PerformanceRefused):
        review_rate(review=review, rating="B", comment="x", actor=people["users"]["manager"])
    made.cycle.self_due = timezone.localdate() - timedelta(days=1)
    made.cycle.save()
    review_rate(review=review, rating="B", comment="未自评，按事实评价", actor=people["users"]["manager"])

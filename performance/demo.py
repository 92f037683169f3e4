"""Demo performance data, dated around today:

* the rating table of the issue: A+ 卓越 1.5 (raise up to 15%, guideline 10% of a department),
  A 优秀 1.2 (10%, 20%), B 达标 1.0 (5%, 50%), C 待改进 0.8 (0, 15%), D 不合格 0 (0, 5%);
* OKR cycles: this year (open, the company's annual objective with monthly progress), the
  previous quarter (closed: company -> department -> individual objectives, three months of
  progress, a recurring check-in task) and the current quarter (open: the same cascade with
  progress updated for the months so far, the current month only partly, and the recurring task
  "每月拜访 10 家重点客户" of a sales account manager with its check-ins). The demo `employee` and
  `manager` own objectives in both quarters;
* a COMPLETED review cycle of the previous quarter (technology and sales): self-assessments,
  ratings, HR's calibration with reasons, results released, acknowledgements, closed. Its
  coefficients go to the first pay month after the quarter whose run is not finalised: the
  payroll demo finalises every month of this year before the current one, and
  `period_input_set` refuses a finalised month, so that is the current month, whose draft run is
  then recalculated with them (a result released early in the month paid with that month's
  salary);
* a review cycle IN PROGRESS for the current quarter (assessment stage): about half the
  self-assessments submitted, some of them already rated, so the demo `manager` has team
  reviews waiting and the demo `employee` a self-assessment to write (and a history row from the
  completed cycle).

Everything goes through performance.services (the actors are the demo logins: HR for the
company's objectives, the cycles and calibration, the manager for their team); only what a
person without a login would have typed themselves (their self-assessment, their
acknowledgement) is written as the same rows and ReviewEvents the services write, and
timestamps are moved into the past afterwards. Runs after the other demos. Idempotent: once
any OKR or review cycle exists, a second call adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Department, Employee

from . import engine, services
from .choices import CycleKind, ObjectiveLevel, OkrStatus, ReviewStatus
from .models import CheckInTask, Objective, OkrCycle, RatingLevel, Review, ReviewCycle, ReviewEvent

D = Decimal
CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}

SCALE = [
    # code, label, rank, coefficient, raise up to %, guideline share %
    ("A+", "卓越", 1, "1.5", "15", "10"),
    ("A", "优秀", 2, "1.2", "10", "20"),
    ("B", "达标", 3, "1.0", "5", "50"),
    ("C", "待改进", 4, "0.8", "0", "15"),
    ("D", "不合格", 5, "0", "0", "5"),
]
RATING_WEIGHTS = {"A+": 12, "A": 22, "B": 48, "C": 13, "D": 5}
REVIEW_DEPARTMENTS = ("HQ-TECH", "HQ-SALES")

SELF_TEXTS = [
    "本季度按计划推进了主要目标，关键结果大部分达成；跨团队沟通比上季度顺畅。不足是文档沉淀不够，下季度补齐。",
    "完成了季度重点任务，并主动支持了两个兄弟团队的紧急需求。个别指标受外部因素影响未达目标，已制定改进计划。",
    "季度目标整体完成，客户反馈良好。时间管理上还有提升空间，下季度会提前规划、减少临时加班。",
    "主要精力投入在核心项目上，交付质量稳定；对新人的带教投入较多。希望下季度承担更有挑战的任务。",
    "部分关键结果未达预期，主要原因是需求变更较多、估时偏乐观。已与主管沟通，下季度重点改进计划与执行。",
]
MANAGER_TEXTS = {
    "A+": "超额完成季度目标，在关键项目中起到带头作用，工作成果值得团队学习。",
    "A": "目标完成情况良好，工作质量稳定，主动承担了额外任务，协作意识强。",
    "B": "基本完成季度目标，工作认真负责；建议提升问题分析的深度和主动性。",
    "C": "部分目标未达成，计划管理和执行需要改进，下季度作为重点跟进。",
    "D": "多项关键目标未完成，已沟通改进计划，需要在下季度明显改善。",
}
ACK_COMMENTS = ["认可评估结果，下季度继续努力。", "感谢主管的反馈，会重点改进不足之处。", ""]
REASON_DOWN = "%(dept)s %(code)s 占比超出指引（%(share)s%%），校准会横向对比贡献后调整为 %(lower)s。"
REASON_UP = "季度内主导完成关键项目上线，跨部门评价突出，校准会认为原评级偏低，调整为 A。"


@dataclass(frozen=True)
class Kr:
    title: str
    metric: str
    start: str
    target: str
    weight: str


def _aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _add_month(month: date, n: int = 1) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _value(kr: Kr, share: float) -> Decimal:
    """The value `share` of the way from start to target (counts whole, others to 2 places)."""
    start, target = D(kr.start), D(kr.target)
    value = start + (target - start) * D(str(round(share, 4)))
    places = D(1) if kr.metric in ("家", "次", "个") else D("0.01")
    return value.quantize(places, rounding=ROUND_HALF_UP)


# --- the rating table ----------------------------------------------------------------------------


def seed_scale(hr) -> int:
    added = 0
    for code, label, rank, coefficient, raise_up_to, share in SCALE:
        if RatingLevel.objects.filter(code=code).exists() or RatingLevel.objects.filter(rank=rank).exists():
            continue
        services.rating_level_save(
            level=RatingLevel(
                code=code,
                label=label,
                rank=rank,
                coefficient=D(coefficient),
                raise_up_to=D(raise_up_to),
                guideline_share=D(share),
            ),
            actor=hr,
        )
        added += 1
    return added


# --- OKRs ----------------------------------------------------------------------------------------


class Okrs:
    """Builds one cycle's objectives through the services, then its monthly progress."""

    def __init__(self, cycle: OkrCycle, *, hr, manager_user, rng: random.Random):
        self.cycle, self.hr, self.manager_user, self.rng = cycle, hr, manager_user, rng
        self.plans: list[tuple[Objective, list, list[Kr], float, object]] = []
        self.visit_obj: Objective | None = None  # the objective behind the recurring check-in task

    def objective(self, title: str, krs: list[Kr], *, actor, share: float, level: str, **fields) -> Objective:
        objective = services.objective_save(
            objective=Objective(cycle=self.cycle, level=level, title=title, **fields), actor=actor
        )
        rows = [
            services.KeyResultData(
                title=k.title, metric=k.metric, start_value=D(k.start), target_value=D(k.target), weight=D(k.weight)
            )
            for k in krs
        ]
        saved = services.key_results_save(objective=objective, rows=rows, actor=actor)
        owner_user = objective.owner.user if objective.owner_id and objective.owner.user_id else None
        self.plans.append((objective, saved, krs, share, owner_user or actor))
        return objective

    def progress(self, months: list[date], *, partial_last: bool = False) -> int:
        """One update per key result and month, rising to each objective's share of its
        targets by the last month of the cycle; with `partial_last`, only some key results are
        updated in the last of `months` (the month still running)."""
        total_months = self.cycle_months()
        n = 0
        for _objective, saved, krs, share, actor in self.plans:
            for kr, plan in zip(saved, krs, strict=True):
                for i, month in enumerate(months):
                    if partial_last and i == len(months) - 1 and self.rng.random() < 0.5:
                        continue
                    reached = share * (i + 1) / total_months * self.rng.uniform(0.85, 1.1)
                    services.progress_update(
                        key_result=kr,
                        month=month,
                        value=_value(plan, min(reached, 1.05)),
                        comment=self.rng.choice(PROGRESS_COMMENTS),
                        actor=actor,
                    )
                    n += 1
        return n

    def cycle_months(self) -> int:
        c = self.cycle
        return (c.ends_on.year - c.starts_on.year) * 12 + c.ends_on.month - c.starts_on.month + 1


PROGRESS_COMMENTS = [
    "按计划推进。",
    "本月进展顺利，已同步给相关团队。",
    "受需求变更影响略有延后，下月追赶。",
    "本月完成阶段性里程碑。",
    "已与客户确认，数据来自月度报表。",
]


def _cycle(*, name: str, kind: str, year: int, quarter: int | None, start: date, end: date, hr) -> OkrCycle:
    cycle = services.okr_cycle_save(
        cycle=OkrCycle(name=name, kind=kind, year=year, quarter=quarter, starts_on=start, ends_on=end), actor=hr
    )
    services.okr_cycle_move(cycle=cycle, to=OkrStatus.OPEN, actor=hr)
    return cycle


def _people() -> dict[str, Employee | None]:
    def first(qs):
        return qs.filter(status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION]).order_by("employee_no").first()

    heads = list(Department.objects.exclude(head__isnull=True).values_list("head_id", flat=True))
    plain = (
        Employee.objects.exclude(user__username__in=["hr", "hrstaff", "payroll", "payroll2", "manager", "employee"])
        .exclude(pk__in=heads)
        .filter(separation_cases__isnull=True)
        .select_related("department", "user")
    )
    sales = plain.filter(department__code="HQ-SALES")
    tech = plain.filter(department__code="HQ-TECH")
    # the account manager behind the recurring task: a sales person if the company is too small
    sales1 = (
        first(sales.filter(position__code="SALES-AM"))
        or first(sales)
        or first(plain.filter(position__role_family="sales"))
        or first(plain.exclude(department__code="HQ-TECH"))
    )
    sales2 = first(sales.exclude(pk=getattr(sales1, "pk", None)))
    tech1 = first(tech)
    tech2 = first(tech.exclude(pk=getattr(tech1, "pk", None)))
    return {
        "employee": Employee.objects.filter(user__username="employee").select_related("user", "department").first(),
        "manager": Employee.objects.filter(user__username="manager").select_related("user", "department").first(),
        "sales1": sales1,
        "sales2": sales2,
        "tech1": tech1,
        "tech2": tech2,
    }


def quarter_okrs(cycle: OkrCycle, people: dict, *, hr, manager_user, rng, closed: bool) -> Okrs:
    """Company -> department -> individual objectives of one quarter."""
    okrs = Okrs(cycle, hr=hr, manager_user=manager_user, rng=rng)
    depts = {d.code: d for d in Department.objects.filter(code__in=["HQ-SALES", "SH-SALES", "HQ-TECH"])}
    company = ObjectiveLevel.COMPANY
    revenue = okrs.objective(
        "营收增长 20%",
        [Kr("季度营收", "亿元", "2.5", "3.0", "60"), Kr("新签重点客户", "家", "0", "12", "40")],
        actor=hr, share=0.9 if closed else 0.8, level=company,
    )  # fmt: skip
    stability = okrs.objective(
        "核心系统稳定可靠",
        [Kr("核心系统可用性", "%", "99.5", "99.95", "50"), Kr("严重故障", "次", "6", "1", "50")],
        actor=hr, share=0.85, level=company,
    )  # fmt: skip
    dept = ObjectiveLevel.DEPARTMENT
    sales_obj = None
    if "HQ-SALES" in depts:
        sales_obj = okrs.objective(
            "销售部季度营收 1.2 亿元",
            [Kr("销售部签约营收", "万元", "0", "12000", "70"), Kr("重点客户拜访", "家", "0", "120", "30")],
            actor=hr, share=0.92 if closed else 0.85, level=dept, parent=revenue, department=depts["HQ-SALES"],
        )  # fmt: skip
    if "SH-SALES" in depts:
        okrs.objective(
            "上海分公司季度营收 6000 万元",
            [Kr("上海分公司签约营收", "万元", "0", "6000", "100")],
            actor=hr, share=0.8, level=dept, parent=revenue, department=depts["SH-SALES"],
        )  # fmt: skip
    tech_obj = None
    if "HQ-TECH" in depts:
        tech_obj = okrs.objective(
            "核心系统可用性达到 99.95%",
            [Kr("核心系统可用性", "%", "99.5", "99.95", "60"), Kr("发布回滚率", "%", "8", "2", "40")],
            actor=manager_user, share=0.88, level=dept, parent=stability, department=depts["HQ-TECH"],
        )  # fmt: skip
    person = ObjectiveLevel.INDIVIDUAL
    visit_obj = None
    if sales_obj is not None and people["sales1"] is not None:
        visit_obj = okrs.objective(
            "个人营收 1000 万元",
            [Kr("签约营收", "万元", "0", "1000", "60"), Kr("拜访重点客户", "家", "0", "30", "40")],
            actor=hr, share=1.0 if closed else 0.85, level=person, parent=sales_obj, owner=people["sales1"],
        )  # fmt: skip
    if sales_obj is not None and people["sales2"] is not None:
        okrs.objective(
            "个人营收 800 万元",
            [Kr("签约营收", "万元", "0", "800", "70"), Kr("新客户开发", "家", "0", "5", "30")],
            actor=hr, share=0.7, level=person, parent=sales_obj, owner=people["sales2"],
        )  # fmt: skip
    if tech_obj is not None:
        if people["employee"] is not None:
            okrs.objective(
                "完成支付网关重构" if closed else "支付网关全量上线与性能优化",
                [
                    Kr("网关流量迁移比例", "%", "0", "100", "50"),
                    Kr("P99 延迟", "ms", "400", "150", "30"),
                    Kr("单元测试覆盖率", "%", "55", "80", "20"),
                ],
                actor=manager_user, share=0.92 if closed else 0.9, level=person, parent=tech_obj,
                owner=people["employee"],
            )  # fmt: skip
        if people["manager"] is not None:
            okrs.objective(
                "技术团队交付效率提升",
                [Kr("需求平均交付周期", "天", "20", "12", "50"), Kr("自动化部署覆盖率", "%", "60", "95", "50")],
                actor=hr, share=0.85, level=person, parent=tech_obj, owner=people["manager"],
            )  # fmt: skip
        if people["tech1"] is not None:
            okrs.objective(
                "数据平台稳定性提升",
                [Kr("数据任务准时率", "%", "92", "99", "60"), Kr("数据质量问题", "个", "15", "5", "40")],
                actor=manager_user, share=0.75, level=person, parent=tech_obj, owner=people["tech1"],
            )  # fmt: skip
        if people["tech2"] is not None:
            okrs.objective(
                "风控模型服务化",
                [Kr("上线模型数", "个", "0", "4", "100")],
                actor=manager_user, share=0.55, level=person, parent=tech_obj, owner=people["tech2"],
            )  # fmt: skip
    okrs.visit_obj = visit_obj
    return okrs


def visit_task(objective: Objective | None, months: list[date], *, hr, rng, partial_last: bool) -> CheckInTask | None:
    """The recurring "每月拜访 10 家重点客户" of the account manager, checked in each month."""
    if objective is None:
        return None
    task = services.check_in_task_save(
        task=CheckInTask(
            objective=objective, title="每月拜访 10 家重点客户", frequency="monthly", target_count=10,
            owner=objective.owner,
        ),
        actor=hr,
    )  # fmt: skip
    for i, month in enumerate(months):
        last = partial_last and i == len(months) - 1
        services.check_in_record(
            task=task,
            day=month,
            done_count=rng.randint(4, 7) if last else rng.randint(8, 12),
            note="本月拜访记录已录入 CRM。" if not last else "本月进行中。",
            actor=hr,
        )
    return task


def seed_okrs(people: dict, *, today: date, hr, manager_user, rng) -> dict:
    year, q = today.year, (today.month - 1) // 3 + 1
    prev_year, prev_q = (year, q - 1) if q > 1 else (year - 1, 4)
    made: dict = {}

    # the year: the company's annual objective, progress every month so far
    annual = _cycle(
        name=f"{year} 年度 OKR", kind=CycleKind.YEAR, year=year, quarter=None,
        start=date(year, 1, 1), end=date(year, 12, 31), hr=hr,
    )  # fmt: skip
    okrs = Okrs(annual, hr=hr, manager_user=manager_user, rng=rng)
    okrs.objective(
        "全年营收增长 20%",
        [Kr("全年营收", "亿元", "10", "12", "70"), Kr("新签重点客户", "家", "0", "40", "30")],
        actor=hr, share=0.95, level=ObjectiveLevel.COMPANY,
    )  # fmt: skip
    okrs.progress([date(year, m, 1) for m in range(1, today.month + 1)], partial_last=True)
    made["year"] = annual.pk

    # the previous quarter: the whole cascade, three months of progress, then closed
    start, end = engine.quarter_dates(prev_year, prev_q)
    closed = _cycle(
        name=f"{prev_year} 年第{CN_QUARTER[prev_q]}季度 OKR", kind=CycleKind.QUARTER, year=prev_year,
        quarter=prev_q, start=start, end=end, hr=hr,
    )  # fmt: skip
    okrs = quarter_okrs(closed, people, hr=hr, manager_user=manager_user, rng=rng, closed=True)
    months = [_add_month(start, i) for i in range(3)]
    okrs.progress(months)
    visit_task(okrs.visit_obj, months, hr=hr, rng=rng, partial_last=False)
    services.okr_cycle_move(cycle=closed, to=OkrStatus.CLOSED, actor=hr)
    made["closed_quarter"] = closed.pk

    # the current quarter: open, progress for the months so far (the current one in part)
    start, end = engine.quarter_dates(year, q)
    current = _cycle(
        name=f"{year} 年第{CN_QUARTER[q]}季度 OKR", kind=CycleKind.QUARTER, year=year, quarter=q,
        start=start, end=end, hr=hr,
    )  # fmt: skip
    okrs = quarter_okrs(current, people, hr=hr, manager_user=manager_user, rng=rng, closed=False)
    months = [_add_month(start, i) for i in range(today.month - start.month + 1)]
    okrs.progress(months, partial_last=True)
    task = visit_task(okrs.visit_obj, months, hr=hr, rng=rng, partial_last=True)
    made["open_quarter"] = current.pk
    made["check_in_task"] = task.pk if task else None
    return made


# --- reviews -------------------------------------------------------------------------------------


def _coefficient_input():
    from payroll.models import InputDefinition

    return InputDefinition.objects.get_or_create(code="绩效系数", defaults={"name": "绩效系数", "default": D("1")})[0]


def _open_pay_month(after: date) -> date:
    """The first month after `after` whose pay run is not finalised (period_input_set refuses a
    finalised month)."""
    from payroll.choices import LOCKED_STATUSES
    from payroll.models import PayRun

    month = _add_month(after.replace(day=1))
    while PayRun.objects.filter(period=month, status__in=LOCKED_STATUSES).exists():
        month = _add_month(month)
    return month


def _login_of(employee: Employee):
    user = employee.user if employee.user_id else None
    return user if user is not None and user.is_active else None


def _self_assess(review: Review, text: str, rating: RatingLevel | None) -> None:
    """Through the service when the employee has a login; otherwise the same rows it writes."""
    user = _login_of(review.employee)
    if user is not None:
        services.review_self_assess(review=review, text=text, self_rating=rating.code if rating else "", actor=user)
        return
    review.self_assessment, review.self_rating = text, rating
    review.status, review.self_submitted_at = ReviewStatus.MANAGER, timezone.now()
    review.save(update_fields=["self_assessment", "self_rating", "status", "self_submitted_at"])
    services.record(cycle=review.cycle, review=review, action="self_submitted", actor=None)


def _acknowledge(review: Review, comment: str) -> None:
    user = _login_of(review.employee)
    if user is not None:
        services.review_acknowledge(review=review, comment=comment, actor=user)
        return
    review.status, review.acknowledged_at, review.employee_comment = (
        ReviewStatus.ACKNOWLEDGED,
        timezone.now(),
        comment,
    )
    review.save(update_fields=["status", "acknowledged_at", "employee_comment"])
    services.record(cycle=review.cycle, review=review, action="acknowledged", actor=None)


def _assessor(review: Review, *, hr, manager_user, manager: Employee | None):
    """The demo manager rates the people in their reach; HR rates the others (and the manager)."""
    if manager is not None and review.employee_id != manager.pk:
        from hrsuite.scoping import scope_for

        if scope_for(manager_user).covers_employee(review.employee):
            return manager_user
    return hr


def _launch(
    *, name: str, start: date, end: date, self_due: date, manager_due: date, pay: date, okr_cycle, hr
) -> ReviewCycle:
    cycle = services.review_cycle_save(
        cycle=ReviewCycle(
            name=name, okr_cycle=okr_cycle, period_start=start, period_end=end, self_due=self_due,
            manager_due=manager_due, calibration_required=True, pay_period=pay, coefficient_input=_coefficient_input(),
        ),
        actor=hr,
        departments=list(Department.objects.filter(code__in=REVIEW_DEPARTMENTS)),
    )  # fmt: skip
    services.review_cycle_launch(cycle=cycle, actor=hr)
    return cycle


def _reviews(cycle: ReviewCycle) -> list[Review]:
    return list(
        cycle.reviews.select_related(
            "cycle", "employee__user", "employee__department", "department", "final_rating"
        ).order_by("employee__employee_no")
    )


def seed_completed_review(
    people: dict, *, okr_cycle: OkrCycle, today: date, hr, manager_user, payroll_user, rng
) -> ReviewCycle:
    """The previous quarter's review, from launch to close, dated between the quarter's end and
    today (squeezed when the quarter ended only days ago)."""
    end = okr_cycle.ends_on
    span = max((today - end).days - 1, 0)
    squeeze = min(1.0, span / 34)

    def day(offset: float) -> date:
        return end + timedelta(days=round(offset * squeeze))

    cycle = _launch(
        name=f"{okr_cycle.year} 年第{CN_QUARTER[okr_cycle.quarter]}季度绩效考核", start=okr_cycle.starts_on, end=end,
        self_due=day(10), manager_due=day(20), pay=_open_pay_month(end), okr_cycle=okr_cycle, hr=hr,
    )  # fmt: skip
    scale = {r.code: r for r in RatingLevel.objects.filter(is_active=True)}
    employee, manager = people["employee"], people["manager"]
    reviews = _reviews(cycle)
    codes = list(RATING_WEIGHTS)
    for review in reviews:
        if review.employee_id in (getattr(employee, "pk", None), getattr(manager, "pk", None)) or rng.random() < 0.9:
            _self_assess(review, rng.choice(SELF_TEXTS), scale.get(rng.choice(["A", "B", "B"])))
    for review in reviews:
        if review.employee_id == getattr(employee, "pk", None) or review.employee_id == getattr(manager, "pk", None):
            code = "A"
        else:
            code = rng.choices(codes, weights=[RATING_WEIGHTS[c] for c in codes])[0]
        actor = _assessor(review, hr=hr, manager_user=manager_user, manager=manager)
        services.review_rate(review=review, rating=code, comment=MANAGER_TEXTS[code], actor=actor)

    # calibration: above a department's guideline share, A+ comes down to A and then A to B
    # (the demo employee and manager keep their A); one under-rated B goes up to A
    services.review_cycle_start_calibration(cycle=cycle, actor=hr)
    keep = {getattr(employee, "pk", None), getattr(manager, "pk", None)}
    by_dept: dict[int | None, list[Review]] = {}
    for review in _reviews(cycle):
        by_dept.setdefault(review.department_id, []).append(review)
    raised = None
    for group in by_dept.values():
        for code, lower in (("A+", "A"), ("A", "B")):
            rated = [r for r in _reviews(cycle) if r.department_id == group[0].department_id]
            share = scale[code].guideline_share
            holders = [r for r in rated if r.final_rating.code == code]
            allowed = max(1, int(len(rated) * share / 100)) if share is not None else len(holders)
            movable = [r for r in holders if r.employee_id not in keep and r.calibrated_at is None]
            for review in movable[: max(len(holders) - allowed, 0)]:
                dept = review.department.name if review.department else ""
                reason = REASON_DOWN % {"dept": dept, "code": code, "share": f"{share:.0f}", "lower": lower}
                services.review_calibrate(review=review, rating=lower, reason=reason, actor=hr)
        if raised is None:
            raised = next(
                (r for r in group if r.final_rating.code == "B" and r.employee_id not in keep and not r.calibrated_at),
                None,
            )
    if raised is not None:
        services.review_calibrate(review=raised, rating="A", reason=REASON_UP, actor=hr)

    services.review_cycle_release(cycle=cycle, actor=hr)
    _recalculate_open_runs(cycle.pay_period, payroll_user)
    for review in _reviews(cycle):
        if review.employee_id == getattr(employee, "pk", None):
            _acknowledge(review, "认可评估结果，下季度争取把网关性能优化做完。")
        elif rng.random() < 0.85:
            _acknowledge(review, rng.choice(ACK_COMMENTS))
    services.review_cycle_close(cycle=cycle, actor=hr)
    _date_completed(cycle, day, rng)
    return cycle


def _recalculate_open_runs(period: date, payroll_user) -> None:
    """The pay month's draft run, recalculated so its payslips use the released coefficients."""
    from payroll.choices import RunStatus
    from payroll.models import PayRun
    from payroll.services import runs

    if payroll_user is None:
        return
    for run in PayRun.objects.filter(period=period, status__in=[RunStatus.DRAFT, RunStatus.CALCULATED]):
        runs.payrun_calculate(run=run, actor=payroll_user, dispatch=False)


def _date_completed(cycle: ReviewCycle, day, rng) -> None:
    """Move the completed cycle's timestamps from now to when they would have happened."""
    stamps = {
        "launched": _aware(day(1), 9),
        "calibration": _aware(day(21), 9),
        "released": _aware(day(24), 17),
        "closed": _aware(day(34), 18),
    }
    for review in cycle.reviews.all():
        when = {
            "self_submitted": _aware(day(rng.uniform(2, 9)), rng.randint(9, 20)),
            "rated": _aware(day(rng.uniform(11, 19)), rng.randint(9, 20)),
            "calibrated": _aware(day(22), rng.randint(10, 16)),
            "acknowledged": _aware(day(rng.uniform(25, 32)), rng.randint(9, 20)),
        }
        Review.objects.filter(pk=review.pk).update(
            self_submitted_at=when["self_submitted"] if review.self_submitted_at else None,
            manager_rated_at=when["rated"] if review.manager_rated_at else None,
            calibrated_at=when["calibrated"] if review.calibrated_at else None,
            acknowledged_at=when["acknowledged"] if review.acknowledged_at else None,
        )
        for action, at in when.items():
            ReviewEvent.objects.filter(review=review, action=action).update(at=at)
    for action, at in stamps.items():
        ReviewEvent.objects.filter(cycle=cycle, review__isnull=True, action=action).update(at=at)


def seed_open_review(people: dict, *, okr_cycle: OkrCycle, today: date, hr, manager_user, rng) -> ReviewCycle:
    """The current quarter's review in the assessment stage: about half the self-assessments
    in, some rated by the manager, the demo employee's still to write."""
    launched = today - timedelta(days=4)
    cycle = _launch(
        name=f"{okr_cycle.year} 年第{CN_QUARTER[okr_cycle.quarter]}季度绩效考核", start=okr_cycle.starts_on,
        end=okr_cycle.ends_on, self_due=today + timedelta(days=6), manager_due=today + timedelta(days=16),
        pay=_open_pay_month(okr_cycle.ends_on), okr_cycle=okr_cycle, hr=hr,
    )  # fmt: skip
    scale = {r.code: r for r in RatingLevel.objects.filter(is_active=True)}
    employee, manager = people["employee"], people["manager"]
    reviews = _reviews(cycle)
    submitted = []
    for review in reviews:
        if review.employee_id == getattr(employee, "pk", None):
            continue  # the demo employee's self-assessment is due
        if review.employee_id == getattr(manager, "pk", None) or rng.random() < 0.55:
            _self_assess(review, rng.choice(SELF_TEXTS), scale.get(rng.choice(["A", "B", "B"])))
            submitted.append(review)
    in_reach = [
        r
        for r in submitted
        if manager is not None and _assessor(r, hr=hr, manager_user=manager_user, manager=manager) == manager_user
    ]
    codes = list(RATING_WEIGHTS)
    for review in in_reach[3::2]:  # the first three (and every other one) still wait for the manager
        code = rng.choices(codes, weights=[RATING_WEIGHTS[c] for c in codes])[0]
        services.review_rate(review=review, rating=code, comment=MANAGER_TEXTS[code], actor=manager_user)
    span, now = (today - launched).days, timezone.now()
    for review in cycle.reviews.all():
        at = _aware(launched + timedelta(days=rng.randint(0, max(span - 1, 0))), rng.randint(9, 20))
        rated = min(at + timedelta(hours=rng.randint(4, 30)), now - timedelta(minutes=30))
        Review.objects.filter(pk=review.pk, self_submitted_at__isnull=False).update(self_submitted_at=at)
        Review.objects.filter(pk=review.pk, manager_rated_at__isnull=False).update(manager_rated_at=rated)
        ReviewEvent.objects.filter(review=review, action="self_submitted").update(at=at)
        ReviewEvent.objects.filter(review=review, action="rated").update(at=rated)
    ReviewEvent.objects.filter(cycle=cycle, action="launched").update(at=_aware(launched, 9))
    return cycle


def _quiet_past_notifications(cycle: ReviewCycle) -> None:
    """The launch and release notices of the completed cycle are old news: read, once they are
    written (on commit, after the services' own callbacks)."""
    from hrsuite.notifications.models import Notification

    keys = [f"review-launch-{cycle.pk}", f"review-released-{cycle.pk}"]
    keys += [f"review-self-{pk}" for pk in cycle.reviews.values_list("pk", flat=True)]

    def mark() -> None:
        Notification.objects.filter(key__in=keys, read_at__isnull=True).update(read_at=timezone.now())

    transaction.on_commit(mark)


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    User = get_user_model()
    hr = User.objects.filter(username="hr").first()
    manager_user = User.objects.filter(username="manager").first()
    if hr is None or manager_user is None:
        return {"skipped": "the demo logins are missing (run employees.demo first)"}
    added = seed_scale(hr)
    if OkrCycle.objects.exists() or ReviewCycle.objects.exists():
        return {"skipped": "performance demo data exists", "ratings_added": added}
    rng = random.Random(1313)  # noqa: S311  (demo data)
    today = timezone.localdate()
    people = _people()
    okrs = seed_okrs(people, today=today, hr=hr, manager_user=manager_user, rng=rng)
    completed = seed_completed_review(
        people,
        okr_cycle=OkrCycle.objects.get(pk=okrs["closed_quarter"]),
        today=today,
        hr=hr,
        manager_user=manager_user,
        payroll_user=User.objects.filter(username="payroll").first(),
        rng=rng,
    )
    _quiet_past_notifications(completed)
    in_progress = seed_open_review(
        people,
        okr_cycle=OkrCycle.objects.get(pk=okrs["open_quarter"]),
        today=today,
        hr=hr,
        manager_user=manager_user,
        rng=rng,
    )
    return {
        "ratings_added": added,
        **okrs,
        "review_cycles": {"completed": completed.pk, "in_progress": in_progress.pk},
        "reviews": Review.objects.count(),
    }

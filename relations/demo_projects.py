"""Demo collaboration projects (joined into the demo by relations/demo.py):

* "客户需求调研" (the issue's example), in progress: created by the demo "manager" (head of
  technology), led by the demo "employee", with two sales people and a product manager; the lead's
  record of everyone's participation and contribution; one collaboration bonus for the demo
  employee, so it shows at /me/projects/ and on their next payslip.
* "新员工入职流程优化", completed: created by HR, led by the HR staff login, with technology and
  operations members, assessed. It has no bonus: its work ended in months whose pay is finalised.

The pay month of the bonus: payroll/demo.py finalises (and publishes) the runs of every month of
this year before the current one and leaves the current month's run calculated but not approved.
payroll's period_input_set refuses a month that is finalised for the employee, so the bonus goes
to the current month (or, if that month was finalised since, the first later month that is not);
the current month's draft run is then recalculated through payroll's own service so the 协作奖
line is on the member's next payslip as soon as payroll approves and publishes it.

Everything goes through relations.services_projects (with the real permission checks); only the
join dates of the completed project are back-dated afterwards. Idempotent: a second call finds
the example project and adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Employee

from . import services_projects as svc
from .choices import ProjectStatus
from .models import CollaborationBonus, CollaborationProject, ProjectMember

MARKER = "客户需求调研"
COMPLETED = "新员工入职流程优化"
DEMO_LOGINS = ("hr", "hrstaff", "payroll", "manager", "employee", "payroll2")


class _Picker:
    """Active employees for the demo projects: not a demo login, not leaving, each once."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.base = (
            Employee.objects.filter(status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION])
            .exclude(user__username__in=DEMO_LOGINS)
            .exclude(separation_cases__isnull=False)
            .select_related("department")
            .order_by("employee_no")
        )

    def take(self, codes: list[str], *, family: str | None = None) -> Employee:
        for qs in (
            self.base.filter(department__code__in=codes, position__role_family=family) if family else None,
            self.base.filter(department__code__in=codes),
        ):
            if qs is None:
                continue
            e = qs.exclude(pk__in=self.used).first()
            if e is not None:
                self.used.add(e.pk)
                return e
        raise LookupError(codes)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def pay_month_for(employee: Employee, today: date) -> date:
    """The current month, or the first later month whose pay is not finalised for `employee`."""
    from payroll.services.assignments import last_locked_period

    month = today.replace(day=1)
    locked = last_locked_period(employee)
    while locked is not None and month <= locked:
        month = _next_month(month)
    return month


def _recalculate(month: date) -> str | None:
    """Recalculate the whole-company draft run of `month` (if there is one not yet approved) so
    its payslips include the bonus input."""
    from payroll.choices import RunStatus
    from payroll.models import PayRun
    from payroll.services import runs

    run = PayRun.objects.filter(period=month, status__in=[RunStatus.DRAFT, RunStatus.CALCULATED]).first()
    preparer = get_user_model().objects.filter(username="payroll").first()
    if run is None or preparer is None:
        return None
    run = runs.payrun_calculate(run=run, actor=preparer, dispatch=False)
    return f"{run.period:%Y-%m} {run.status}"


def _assess(member: ProjectMember, actor, participation: int, contribution: int, note: str) -> None:
    svc.project_member_assess(
        member=member, actor=actor, participation=participation, contribution=contribution, note=note
    )


@transaction.atomic
def seed(*, employees: int | None = None) -> dict:
    if CollaborationProject.objects.filter(name=MARKER).exists():
        return {"skipped": "collaboration project demo data exists"}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_LOGINS)}
    logins = {
        e.user.username: e for e in Employee.objects.filter(user__username__in=DEMO_LOGINS).select_related("user")
    }
    if not {"hr", "manager", "employee", "hrstaff"} <= users.keys() & logins.keys():
        return {"skipped": "the demo logins are missing (run employees.demo first)"}
    today = timezone.localdate()
    pick = _Picker()
    try:
        sales = [pick.take(["HQ-SALES", "SH-SALES"], family="sales") for _ in range(2)]
        product = pick.take(["HQ-PROD"], family="product")
        ops = pick.take(["HQ-OPS", "SH-OPS"])
    except LookupError as exc:
        return {"skipped": f"too few employees in {exc.args[0]} for the projects demo"}
    manager, hr = users["manager"], users["hr"]
    demo_employee = logins["employee"]

    # 1. the example, in progress, with a bonus for the next payslip
    project = svc.project_save(
        project=CollaborationProject(
            name=MARKER,
            goal="销售部与产品部共同走访 20 家重点客户，整理需求清单，排出下一季度产品路线图的优先级。"
            "技术部评估每项需求的实现成本。",
            lead=demo_employee,
            starts_on=today - timedelta(days=45),
            ends_on=today + timedelta(days=45),
            bonus_budget=Decimal("20000"),
        ),
        actor=manager,
    )
    lead = ProjectMember.objects.get(project=project, employee=demo_employee)
    ProjectMember.objects.filter(pk=lead.pk).update(role="项目负责人（需求评估）", time_share=30)
    lead.refresh_from_db()
    first = svc.project_member_add(project=project, employee=sales[0], actor=manager, role="客户访谈", time_share=40)
    second = svc.project_member_add(project=project, employee=sales[1], actor=manager, role="客户访谈", time_share=20)
    pm = svc.project_member_add(
        project=project, employee=product, actor=manager, role="需求整理与路线图", time_share=50
    )
    svc.project_move(project=project, to=ProjectStatus.ACTIVE, actor=manager)
    _assess(lead, demo_employee.user, 95, 5, "组织每周复盘，完成 18 项需求的成本评估。")
    _assess(first, demo_employee.user, 90, 4, "安排并参加了 12 家客户访谈。")
    _assess(second, demo_employee.user, 60, 3, "参加 5 家访谈，访谈纪要及时。")
    _assess(pm, demo_employee.user, 85, 4, "整理需求清单 46 条，完成路线图初稿。")
    ProjectMember.objects.filter(project=project).update(joined_on=project.starts_on)
    month = pay_month_for(demo_employee, today)
    bonus = svc.collaboration_bonus_award(
        project=project,
        employee=demo_employee,
        amount=Decimal("1500.00"),
        reason="牵头完成需求成本评估，推动销售与产品形成统一的优先级清单。",
        month=month,
        actor=manager,
    )

    # 2. a completed project (HR, technology, operations), assessed, no bonus
    hrstaff = logins["hrstaff"]
    started, ended = today - timedelta(days=150), today - timedelta(days=20)
    done = svc.project_save(
        project=CollaborationProject(
            name=COMPLETED,
            goal="把入职手续从 3 天缩短到 1 天：账号、设备、门禁在入职当天就绪。",
            lead=hrstaff,
            starts_on=started,
            ends_on=ended,
            bonus_budget=Decimal("0"),
        ),
        actor=hr,
    )
    tech = svc.project_member_add(
        project=done, employee=demo_employee, actor=hr, role="账号与设备自动开通", time_share=20
    )
    operations = svc.project_member_add(project=done, employee=ops, actor=hr, role="入职流程梳理", time_share=30)
    svc.project_move(project=done, to=ProjectStatus.ACTIVE, actor=hr)
    lead_done = ProjectMember.objects.get(project=done, employee=hrstaff)
    _assess(lead_done, hr, 100, 5, "流程设计与各部门协调。")
    _assess(tech, hr, 80, 4, "入职当天自动开通账号和邮箱。")
    _assess(operations, hr, 90, 4, "门禁与工位准备清单。")
    svc.project_move(project=done, to=ProjectStatus.COMPLETED, actor=hr)
    ProjectMember.objects.filter(project=done).update(joined_on=started)

    return {
        "projects": {MARKER: project.pk, COMPLETED: done.pk},
        "members": ProjectMember.objects.filter(project__in=[project, done]).count(),
        "bonus": f"{bonus.member.employee.name} {bonus.amount} {bonus.month:%Y-%m}",
        "bonuses": CollaborationBonus.objects.count(),
        "recalculated": _recalculate(month),
    }

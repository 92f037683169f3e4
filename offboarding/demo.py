"""Demo offboarding data: three handover templates (客户经理, 技术部, 通用), customer accounts of the
sales people (key accounts concentrated on a few of them), and one separation case in each state:

* a resignation just submitted (Shanghai sales);
* a sales manager's handover with items in every state: to fill in, awaiting review, sent back
  with a comment, confirmed, and a real PDF attached;
* a technology case whose checklist is confirmed and awaits the department head, the demo
  "manager" (it shows on their dashboard);
* a mutual-agreement case awaiting HR (the finance head approved it);
* a completed case: exit interview answered, access revoked through the real service (the login
  disabled, customers reassigned), the leaver set to "left", and audit-log activity of their last
  30 days (exports among it) plus a refused sign-in afterwards;
* a technology case where the demo "employee" is the successor with items to review.

The cases are plain model rows with the same invariants and CaseEvents the services write (with
plausible past timestamps); the revocation and the exit interview go through their services.
Leavers and successors who have no login get one (user name = employee number, the demo
password), so their self-service pages can be opened. Runs after employees.demo (and payroll and
training demos). Idempotent: a second call adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Department, Employee, Position
from hrsuite.audit.models import AuditEntry, AuditEvent
from hrsuite.roles import Role
from hrsuite.uploads import private_path

from .choices import CaseStatus, EventKind, ItemStatus
from .models import (
    CaseEvent,
    CustomerAccount,
    HandoverAttachment,
    HandoverItem,
    HandoverTemplate,
    SeparationCase,
    TemplateItem,
)

MARKER = "客户经理交接清单"
D = Decimal
DEMO_LOGINS = ("hr", "hrstaff", "payroll", "manager", "employee", "payroll2")

TEMPLATES = [
    # name, position code, department code, items: (kind, title, instructions, upload required, offset)
    (
        MARKER,
        "SALES-AM",
        None,
        [
            ("customer", "客户基本信息", "客户名称、联系人及联系方式、企业规模、所属行业。", False, 7),
            ("cooperation", "合作情况", "合同编号、合同到期日、未结款项、在途订单。", False, 5),
            ("preferences", "客户偏好", "采购习惯、关键决策人、特殊要求。", False, 5),
            ("documents", "交接文件（合同扫描件、沟通记录）", "上传合同扫描件和近半年沟通记录。", True, 3),
            ("general", "在办事项", "尚未完成的报价、投标、回款跟进。", False, 1),
        ],
    ),
    (
        "技术部交接清单",
        None,
        "HQ-TECH",
        [
            ("general", "代码仓库与部署权限", "负责的仓库、流水线、生产环境权限清单。", False, 7),
            ("general", "在建项目与技术文档", "项目进度、设计文档位置、待办缺陷。", False, 5),
            ("documents", "值班与告警交接", "值班表、告警规则和应急预案文档。", True, 3),
            ("general", "设备与资产归还", "笔记本电脑、门禁卡、测试设备。", False, 0),
        ],
    ),
    (
        "通用交接清单",
        None,
        None,
        [
            ("general", "工作交接说明", "在办工作、联系人和文件存放位置。", False, 5),
            ("documents", "工作文件", "需要移交的文件（可选上传）。", False, 3),
            ("general", "设备与资产归还", "笔记本电脑、门禁卡、办公用品。", False, 0),
        ],
    ),
]

COMPANIES = [
    "华信精密制造有限公司", "东方物流集团", "恒泰医药股份有限公司", "远景新能源科技", "百川零售连锁",
    "中科智联信息技术", "金桥建设工程有限公司", "瑞丰食品集团", "天宇航空服务", "博雅教育科技",
    "宏达汽车零部件", "海纳云计算", "安和保险经纪", "星河文化传媒", "长江船舶重工",
    "万科源置业", "青松环保科技", "鼎盛纺织集团", "卓越医疗器械", "润泽农业发展",
    "北辰半导体", "嘉禾电子商务", "华夏影视投资", "启明软件", "盛世钢铁贸易",
    "蓝海渔业", "同创生物科技", "安居物业服务", "正大化工", "凯旋酒店管理",
    "光明乳业销售", "联创通信设备", "信达资产管理", "汇通支付科技", "明德会计师事务所",
    "锦程国际旅行社", "华南电力工程", "新视界光学", "德胜机械设备", "晨曦家居",
]  # fmt: skip
INDUSTRIES = ["制造业", "物流", "医药", "新能源", "零售", "信息技术", "建筑", "食品", "教育", "金融服务"]
SIZES = ["<50", "50-200", "200-1000", ">1000"]


def _aware(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, minute)))


# --- building blocks ----------------------------------------------------------------------------


def _login(employee: Employee):
    """The employee's login, created (user name = employee number, the demo password) if missing."""
    from employees.demo import DEMO_PASSWORD

    if employee.user_id:
        return employee.user
    User = get_user_model()
    user = User.objects.filter(username=employee.employee_no.lower()).first()
    if user is None:
        user = User(username=employee.employee_no.lower(), first_name=employee.name, email=employee.email)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.EMPLOYEE)[0])
    employee.user = user
    employee.save(update_fields=["user"])
    return user


def _event(case, kind, actor, at, *, item=None, comment="") -> None:
    event = CaseEvent.objects.create(case=case, item=item, kind=kind, actor=actor, comment=comment)
    CaseEvent.objects.filter(pk=event.pk).update(at=at)


class _Picker:
    """Employees for the demo cases: active, not a demo login, not a department head, each once."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        heads = Department.objects.exclude(head__isnull=True).values_list("head_id", flat=True)
        self.base = (
            Employee.objects.filter(status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION])
            .exclude(user__username__in=DEMO_LOGINS)
            .exclude(pk__in=list(heads))
            .exclude(separation_cases__isnull=False)
            .select_related("department", "position", "user")
            .order_by("employee_no")
        )

    def take(self, codes: list[str], *, family: str | None = None) -> Employee:
        for qs in (
            self.base.filter(department__code__in=codes, position__role_family=family) if family else None,
            self.base.filter(department__code__in=codes),
            self.base,
        ):
            if qs is None:
                continue
            e = qs.exclude(pk__in=self.used).first()
            if e is not None:
                self.used.add(e.pk)
                return e
        raise RuntimeError("offboarding demo: not enough employees (run employees.demo first)")


def _templates() -> dict[str, HandoverTemplate]:
    out = {}
    for name, position_code, dept_code, items in TEMPLATES:
        template = HandoverTemplate.objects.create(
            name=name,
            position=Position.objects.filter(code=position_code).first() if position_code else None,
            department=Department.objects.filter(code=dept_code).first() if dept_code else None,
        )
        for order, (kind, title, instructions, upload, offset) in enumerate(items):
            TemplateItem.objects.create(
                template=template,
                kind=kind,
                title=title,
                instructions=instructions,
                attachment_required=upload,
                due_offset_days=offset,
                order=order,
            )
        out[name] = template
    return out


def _customer_accounts(rng: random.Random) -> list[Employee]:
    """About 40 accounts over the sales people; 12 key accounts, most of them held by the first
    two (the concentration the team-dependence signal measures). Returns the sales people, the
    biggest key-account holders first."""
    sales = list(
        Employee.objects.filter(
            Q(department__code__in=["HQ-SALES", "SH-SALES", "HK"]) | Q(position__role_family="sales"),
            status__in=[EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION, EmployeeStatus.LEAVING],
        )
        .exclude(user__username__in=DEMO_LOGINS)
        .order_by("employee_no")[:12]
    )
    if not sales:
        return []
    key_owners = [sales[0]] * 6 + [sales[min(1, len(sales) - 1)]] * 3 + [rng.choice(sales) for _ in range(3)]
    rows = []
    for i, name in enumerate(COMPANIES):
        is_key = i < len(key_owners)
        owner = key_owners[i] if is_key else rng.choice(sales)
        revenue = D(rng.randrange(300, 1200) * 10000) if is_key else D(rng.randrange(10, 150) * 10000)
        rows.append(
            CustomerAccount(
                name=name,
                industry=rng.choice(INDUSTRIES),
                company_size=rng.choice(SIZES[2:] if is_key else SIZES),
                contact=f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice(['总', '经理', '主任', '总监'])} 1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
                owner=owner,
                is_key=is_key,
                annual_revenue=revenue,
            )
        )
    CustomerAccount.objects.bulk_create(rows)
    return sales


def _open_case(
    employee: Employee,
    *,
    kind: str,
    reason: str,
    notice: date,
    last: date,
    status: str,
    successors: list[Employee],
    template: HandoverTemplate | None,
    hr,
    by_employee: bool = False,
) -> tuple[SeparationCase, list[HandoverItem]]:
    opened = _aware(notice, 9, 30)
    case = SeparationCase.objects.create(
        employee=employee,
        kind=kind,
        reason=reason,
        notice_date=notice,
        last_working_day=last,
        revoke_on=last,
        status=status,
        template=template if status != CaseStatus.SUBMITTED else None,
        created_by=employee.user if by_employee else hr,
    )
    SeparationCase.objects.filter(pk=case.pk).update(created_at=opened)
    case.successors.set(successors)
    if by_employee:
        _event(case, EventKind.RESIGNATION, employee.user, opened, comment=reason)
    else:
        _event(case, EventKind.CASE_OPENED, hr, opened, comment=reason)
    employee.status = EmployeeStatus.LEAVING
    employee.leave_date = last
    employee.save(update_fields=["status", "leave_date"])
    items: list[HandoverItem] = []
    if status != CaseStatus.SUBMITTED and template is not None:
        case.template = template
        case.save(update_fields=["template"])
        for t in template.items.all():
            items.append(
                HandoverItem.objects.create(
                    case=case,
                    kind=t.kind,
                    title=t.title,
                    instructions=t.instructions,
                    attachment_required=t.attachment_required,
                    due_on=last - timedelta(days=t.due_offset_days),
                    successor=successors[0],
                    order=t.order,
                )
            )
        _event(case, EventKind.CHECKLIST, hr, opened + timedelta(hours=1), comment=template.name)
    return case, items


def _data(item: HandoverItem, customer: CustomerAccount | None, today: date) -> dict:
    name = customer.name if customer else "—"
    return {
        "customer": {
            "customer_name": name,
            "contact": customer.contact if customer else "",
            "company_size": customer.company_size if customer else "",
            "industry": customer.industry if customer else "",
        },
        "cooperation": {
            "contract_no": f"HT-{today.year}-{(customer.pk if customer else 1):04d}",
            "contract_end": date(today.year + 1, 6, 30).isoformat(),
            "outstanding_amount": "186500.00",
            "open_orders": "二期系统采购订单（已报价，待客户盖章）；年度服务续约。",
        },
        "preferences": {
            "buying_habits": "每年三季度集中采购，重视售后响应速度，倾向年度框架协议。",
            "decision_makers": "采购总监（最终拍板）、财务经理（付款审批）、IT 负责人（技术评估）。",
            "special_requirements": "发票须在次月 5 日前送达；所有合同走客户的电子签章平台。",
        },
        "documents": {
            "description": "合同扫描件与近半年微信、邮件沟通记录已整理上传；纸质原件存放于销售部档案柜 B-3。"
        },
        "general": {"notes": "进行中事项已逐项列明，联系人均已当面介绍给交接接收人。"},
    }.get(item.kind, {})


def _advance(item, state, *, at, leaver_user, successor_user, customer=None, today=None, comment=""):
    """Bring an item to `state` with the events the services would have written."""
    today = today or timezone.localdate()
    if state == ItemStatus.TODO:
        return
    item.data = _data(item, customer, today)
    item.customer = customer if item.kind in ("customer", "cooperation", "preferences") else None
    item.status = ItemStatus.SUBMITTED
    item.submitted_at = at
    _event(item.case, EventKind.ITEM_SUBMITTED, leaver_user, at, item=item)
    if state == ItemStatus.CONFIRMED:
        item.status = ItemStatus.CONFIRMED
        item.confirmed_at = at + timedelta(hours=20)
        item.confirmed_by = successor_user
        _event(item.case, EventKind.ITEM_CONFIRMED, successor_user, item.confirmed_at, item=item, comment=comment)
    elif state == ItemStatus.RETURNED:
        item.status = ItemStatus.RETURNED
        _event(item.case, EventKind.ITEM_RETURNED, successor_user, at + timedelta(hours=6), item=item, comment=comment)
    item.save()


def _attach(item: HandoverItem, user, at: datetime) -> None:
    """A real small PDF (the communication record) in private storage."""
    import hashlib

    from weasyprint import HTML

    pdf = HTML(
        string=(
            "<html><body style='font-family: \"Noto Sans CJK SC\", sans-serif'>"
            f"<h2>客户沟通记录</h2><p>交接事项：{item.title}</p>"
            "<p>2024 年以来与客户的主要沟通：季度回访 4 次，续约谈判 2 次，投诉处理 1 次（已结案）。</p>"
            "</body></html>"
        )
    ).write_pdf()
    path = default_storage.save(private_path("handover", "pdf"), ContentFile(pdf))
    attachment = HandoverAttachment.objects.create(
        item=item,
        file=path,
        name="客户沟通记录.pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        uploaded_by=user,
    )
    HandoverAttachment.objects.filter(pk=attachment.pk).update(uploaded_at=at)
    _event(item.case, EventKind.ATTACHMENT, user, at, item=item, comment=attachment.name)


def _activity(user, last: date, rng: random.Random) -> int:
    """What the completed case's leaver did in their last 30 days (the audit page shows it)."""
    from django.contrib.auth import get_user_model

    employee_type = ContentType.objects.get_for_model(Employee)
    customer_type = ContentType.objects.get_for_model(CustomerAccount)
    user_type = ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False)
    rows = []

    def add(event, days_before, ct, repr_, details=None, hour=None):
        rows.append(
            AuditEntry(
                content_type=ct,
                object_pk=str(user.pk) if ct == user_type else "",
                object_repr=repr_,
                action=AuditEntry.Action.ACCESS,
                event=event,
                actor=user,
                actor_email=user.email,
                remote_addr="10.8.3.57",
                timestamp=_aware(last - timedelta(days=days_before), hour or rng.randint(9, 18), rng.randint(0, 59)),
                additional_data=details,
            )
        )

    for d in range(1, 28, 2):
        add(AuditEvent.LOGIN, d, user_type, user.username, hour=9)
    for d in range(2, 26, 3):
        add(AuditEvent.VIEW, d, customer_type, rng.choice(COMPANIES), {"what": "customer account"})
    add(AuditEvent.EXPORT, 4, customer_type, "客户名单", {"rows": 312, "filters": "owner=me"}, hour=20)
    add(AuditEvent.EXPORT, 2, employee_type, "团队通讯录", {"rows": 58, "filters": ""}, hour=21)
    add(AuditEvent.DOWNLOAD, 3, customer_type, "年度框架协议-扫描件.pdf", {"what": "handover attachment"})
    add(AuditEvent.DOWNLOAD, 3, customer_type, "报价单汇总.xlsx", {"what": "handover attachment"})
    AuditEntry.objects.bulk_create(rows)
    return len(rows)


def _failed_sign_in(user, at: datetime) -> None:
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=user.username,
        action=AuditEntry.Action.ACCESS,
        event=AuditEvent.LOGIN_FAILED,
        remote_addr="203.0.113.24",
        timestamp=at,
        additional_data={"username": user.username, "known_user": True},
    )


# --- the seeder -------------------------------------------------------------------------------


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    if HandoverTemplate.objects.filter(name=MARKER).exists():
        return {"skipped": "offboarding demo data exists"}
    User = get_user_model()
    hr = User.objects.filter(username="hr").first()
    demo_employee = Employee.objects.filter(user__username="employee").select_related("user").first()
    if hr is None or demo_employee is None:
        return {"skipped": "the demo logins are missing (run employees.demo first)"}
    if Employee.objects.exclude(status="left").count() < 40:
        return {"skipped": "too few employees for the offboarding demo (it needs 40)"}
    rng = random.Random(5150)  # noqa: S311  (demo data)
    today = timezone.localdate()
    templates = _templates()
    sales = _customer_accounts(rng)
    pick = _Picker()
    pick.used.update(e.pk for e in sales)  # the account holders stay, but for the one in case 2
    made: dict[str, int] = {}

    # 1. a resignation just submitted (self-service)
    leaver = pick.take(["SH-SALES"], family="sales")
    _login(leaver)
    case, _items = _open_case(
        leaver, kind="resignation", reason="个人发展，计划回老家发展。", notice=today - timedelta(days=1),
        last=today + timedelta(days=29), status=CaseStatus.SUBMITTED, successors=[pick.take(["SH-SALES"])],
        template=None, hr=hr, by_employee=True,
    )  # fmt: skip
    made["submitted"] = case.pk

    # 2. a sales manager's handover, items in every state, a file attached
    leaver = sales[0] if sales else pick.take(["HQ-SALES"], family="sales")
    successor = pick.take(["HQ-SALES", "SH-SALES"], family="sales")
    leaver_user, successor_user = _login(leaver), _login(successor)
    case, items = _open_case(
        leaver, kind="resignation", reason="已接受其他公司的工作机会。", notice=today - timedelta(days=12),
        last=today + timedelta(days=18), status=CaseStatus.HANDOVER, successors=[successor],
        template=templates[MARKER], hr=hr,
    )  # fmt: skip
    key = CustomerAccount.objects.filter(owner=leaver).order_by("-is_key", "-annual_revenue").first()
    start = _aware(today - timedelta(days=10), 10)
    states = [
        (ItemStatus.CONFIRMED, "信息完整，已与客户联系人通话确认。"),
        (ItemStatus.SUBMITTED, ""),
        (ItemStatus.RETURNED, "关键决策人缺少联系方式，请补充采购总监的电话和微信。"),
        (ItemStatus.SUBMITTED, ""),
        (ItemStatus.TODO, ""),
    ]
    for n, (item, (state, comment)) in enumerate(zip(items, states, strict=False)):
        at = start + timedelta(days=n * 2)
        if item.attachment_required:
            _attach(item, leaver_user, at - timedelta(hours=1))
        _advance(item, state, at=at, leaver_user=leaver_user, successor_user=successor_user, customer=key,
                 today=today, comment=comment)  # fmt: skip
    made["handover"] = case.pk

    # 3. awaiting the department head: the demo manager's department
    leaver = pick.take(["HQ-TECH", "REMOTE"])
    successor = pick.take(["HQ-TECH", "REMOTE"])
    leaver_user, successor_user = _login(leaver), _login(successor)
    case, items = _open_case(
        leaver, kind="resignation", reason="身体原因，需要长期休养。", notice=today - timedelta(days=20),
        last=today + timedelta(days=10), status=CaseStatus.HEAD_APPROVAL, successors=[successor],
        template=templates["技术部交接清单"], hr=hr,
    )  # fmt: skip
    _complete_items(items, today - timedelta(days=15), leaver_user, successor_user, today)
    _event(case, EventKind.COMMENT, successor_user, _aware(today - timedelta(days=2), 17),
           comment="全部交接事项已确认，清单提交部门负责人审批。")  # fmt: skip
    made["head_approval"] = case.pk

    # 4. awaiting HR (mutual agreement): the department head approved
    leaver = pick.take(["HQ-FIN", "HQ-OPS"])
    successor = pick.take(["HQ-FIN", "HQ-OPS"])
    leaver_user, successor_user = _login(leaver), _login(successor)
    case, items = _open_case(
        leaver, kind="mutual", reason="部门架构调整，双方协商一致解除劳动合同。", notice=today - timedelta(days=25),
        last=today + timedelta(days=5), status=CaseStatus.HR_APPROVAL, successors=[successor],
        template=templates["通用交接清单"], hr=hr,
    )  # fmt: skip
    _complete_items(items, today - timedelta(days=20), leaver_user, successor_user, today)
    head = _head_user(leaver) or hr
    approved = _aware(today - timedelta(days=3), 15)
    SeparationCase.objects.filter(pk=case.pk).update(head_approved_by=head, head_approved_at=approved)
    _event(case, EventKind.HEAD_APPROVED, head, approved, comment="交接完整，同意。")
    made["hr_approval"] = case.pk

    # 5. completed: exit interview answered, access revoked, left
    leaver = pick.take(["HQ-SALES", "SH-SALES", "HQ-OPS"], family="sales")
    successor = pick.take(["HQ-SALES", "SH-SALES", "HQ-OPS"])
    leaver_user, successor_user = _login(leaver), _login(successor)
    extra = CustomerAccount.objects.filter(is_key=False).exclude(owner=leaver).order_by("pk")[:2]
    CustomerAccount.objects.filter(pk__in=[c.pk for c in extra]).update(owner=leaver)
    last = today - timedelta(days=10)
    case, items = _open_case(
        leaver, kind="resignation", reason="家庭原因，随配偶迁往成都。", notice=last - timedelta(days=30),
        last=last, status=CaseStatus.HR_APPROVAL, successors=[successor], template=templates["通用交接清单"], hr=hr,
    )  # fmt: skip
    _complete_items(items, last - timedelta(days=25), leaver_user, successor_user, today)
    head = _head_user(leaver) or hr
    head_at, hr_at = _aware(last - timedelta(days=4), 14), _aware(last - timedelta(days=2), 11)
    _event(case, EventKind.HEAD_APPROVED, head, head_at)
    _event(case, EventKind.HR_APPROVED, hr, hr_at)
    _event(case, EventKind.COMPLETED, hr, hr_at + timedelta(minutes=1))
    SeparationCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.COMPLETED, head_approved_by=head, head_approved_at=head_at, hr_approved_by=hr,
        hr_approved_at=hr_at, completed_at=hr_at + timedelta(minutes=1), economic_compensation=D(0),
    )  # fmt: skip
    case.refresh_from_db()
    activity = _activity(leaver_user, last, rng)
    _exit_interview(case, hr, last)
    from .revocation import revoke_access

    revoke_access(case=case, actor=None, reason="scheduled")
    revoked_at = _aware(last, 0, 5)
    SeparationCase.objects.filter(pk=case.pk).update(revoked_at=revoked_at)
    CaseEvent.objects.filter(case=case, kind=EventKind.ACCESS_REVOKED).update(at=revoked_at)
    _failed_sign_in(leaver_user, _aware(last + timedelta(days=2), 8, 47))
    leaver.status = EmployeeStatus.LEFT
    leaver.save(update_fields=["status"])
    made["completed"] = case.pk

    # 6. the demo "employee" reviews a colleague's items
    leaver = pick.take(["HQ-TECH", "REMOTE"])
    leaver_user, successor_user = _login(leaver), demo_employee.user
    case, items = _open_case(
        leaver, kind="termination", reason="调岗培训后仍不能胜任工作（劳动合同法第四十条第二项），已提前三十日书面通知。",
        notice=today - timedelta(days=8), last=today + timedelta(days=22), status=CaseStatus.HANDOVER,
        successors=[demo_employee], template=templates["技术部交接清单"], hr=hr,
    )  # fmt: skip
    for n, (item, state) in enumerate(
        zip(items, [ItemStatus.CONFIRMED, ItemStatus.SUBMITTED, ItemStatus.SUBMITTED, ItemStatus.TODO], strict=False)
    ):
        at = _aware(today - timedelta(days=6 - n), 11)
        if item.attachment_required and state != ItemStatus.TODO:
            _attach(item, leaver_user, at - timedelta(hours=1))
        _advance(item, state, at=at, leaver_user=leaver_user, successor_user=successor_user, today=today,
                 comment="仓库与流水线权限已逐一核对。" if state == ItemStatus.CONFIRMED else "")  # fmt: skip
    made["successor_review"] = case.pk

    return {
        "templates": len(templates),
        "customer_accounts": CustomerAccount.objects.count(),
        "cases": made,
        "audit_entries": activity,
    }


def _complete_items(items, start: date, leaver_user, successor_user, today: date) -> None:
    for n, item in enumerate(items):
        at = _aware(start + timedelta(days=n), 10)
        if item.attachment_required:
            _attach(item, leaver_user, at - timedelta(hours=1))
        _advance(item, ItemStatus.CONFIRMED, at=at, leaver_user=leaver_user, successor_user=successor_user,
                 today=today, comment="已核对。")  # fmt: skip


def _head_user(employee: Employee):
    """The login of the nearest department head above the employee (or their manager)."""
    path = employee.department.path if employee.department_id else ""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    heads = dict(Department.objects.filter(pk__in=ids).values_list("pk", "head__user"))
    for pk in reversed(ids):
        if heads.get(pk):
            return get_user_model().objects.get(pk=heads[pk])
    return employee.manager.user if employee.manager_id and employee.manager.user_id else None


def _exit_interview(case: SeparationCase, hr, last: date) -> None:
    """Send the exit interview through the service, answer it, and date it before the last day."""
    from surveys.models import QuestionKind, Survey, SurveyInvitation, SurveyResponse
    from surveys.services import respond

    from .exit_interview import exit_interview_send

    survey = exit_interview_send(case=case, actor=hr).survey
    answers = {}
    ratings = iter([4, 2, 3])
    for q in survey.questions.all():
        if q.kind == QuestionKind.RATING:
            answers[str(q.pk)] = next(ratings)
        elif q.kind == QuestionKind.CHOICE:
            answers[str(q.pk)] = q.options[4] if len(q.options) > 4 else q.options[1]
        else:
            answers[str(q.pk)] = "如果能提供成都办公室的远程岗位，我会考虑留下。"
    respond(survey=survey, employee=case.employee, answers=answers)
    opens, answered = _aware(last - timedelta(days=6), 10), _aware(last - timedelta(days=4), 16)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens, closes_at=_aware(last + timedelta(days=1), 0))
    SurveyInvitation.objects.filter(survey=survey).update(invited_at=opens, answered_at=answered)
    SurveyResponse.objects.filter(survey=survey).update(submitted_on=answered.date())
    CaseEvent.objects.filter(case=case, kind=EventKind.EXIT_INTERVIEW).update(at=opens)

"""Query budgets of every page in the navigation: the number of queries a page makes does not
grow with the number of rows it shows.

For each entry of hrsuite.core.navigation.NAVIGATION (and the dashboard of every role), PAGES
names a `grow(w, n)` function that adds n rows of the page's main model which the role sees.
The page is rendered after a first small growth and again after a larger one; the second
render must not make more queries than the first (plus a small slack, documented where it is
not 0), and the page must show the new rows (its paginator's count, or the number of grown
names on it, went up), so a growth the page does not show cannot make the test pass. A page
whose budget is already tested elsewhere names that test instead (`tested_in`).

A navigation entry without an entry in PAGES fails `test_every_navigation_page_has_a_budget`.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hrsuite.core.navigation import NAVIGATION

pytestmark = pytest.mark.django_db

FEW, MORE = 2, 10  # rows added before the first and before the second render
MARK = "增长"  # in the name or title of every grown row

# the role that opens the pages guarded by each permission (fixture users of tests/conftest.py)
ROLE_FOR_PERM = {
    None: "employee",
    "hrsuite.self_service": "employee",
    "hrsuite.view_my_team": "manager",
    "hrsuite.view_employees": "hr",
    "hrsuite.manage_employees": "hr",
    "hrsuite.import_employees": "hr",
    "hrsuite.view_workforce_analytics": "hr",
    "hrsuite.manage_training": "hr",
    "hrsuite.request_headcount": "hr",
    "hrsuite.view_recruiting": "hr",
    "hrsuite.manage_offboarding": "hr",
    "hrsuite.view_okrs": "hr",
    "hrsuite.manage_performance": "hr",
    "hrsuite.manage_relations": "hr",
    "hrsuite.manage_projects": "hr",
    "hrsuite.manage_payroll": "payroll",
    "hrsuite.view_audit": "hr_admin",
    "hrsuite.view_jobs": "hr_admin",
}


def navigation_pages() -> set[tuple[str, str]]:
    return {(item.url_name, ROLE_FOR_PERM[item.perm]) for section in NAVIGATION for item in section.items}


class World:
    """What grow functions build on: the people and org fixtures, other fixtures on demand, a
    counter for unique names and a cache for rows made once (a posting, a bank, a cycle)."""

    def __init__(self, request, people, org):
        self.request = request
        self.users, self.emps, self.org = people["users"], people["employees"], org
        self.seq = itertools.count(1)
        self.cache: dict[str, object] = {}

    def fixture(self, name: str):
        return self.request.getfixturevalue(name)

    def once(self, key: str, make: Callable[[], object]):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def name(self) -> str:
        return f"{MARK}{next(self.seq)}"

    def employee(self, dept: str = "b", **extra):
        from tests.factories import EmployeeFactory

        head = {"a": "manager", "a_team": "employee", "b": "other_manager"}.get(dept)
        extra.setdefault("manager", self.emps[head] if head else None)
        return EmployeeFactory(name=self.name(), department=self.org[dept], **extra)


@dataclass(frozen=True)
class Budget:
    grow: Callable[[World, int], None] | None = None
    slack: int = 0  # extra queries allowed on the larger page; say why in `why` when not 0
    why: str = ""
    # how many grown rows the page shows (default: its paginator's count, else the grown names
    # on it); None with `unseen` set: the page shows no rows of its own (a form, aggregates)
    seen: Callable | None = None
    unseen: str = ""
    tested_in: str = ""  # "tests/…/test_x.py::test_name": the budget is tested there
    params: dict = field(default_factory=dict)


# --- grow functions -------------------------------------------------------------------------


def grow_employees(dept: str = "b"):
    def grow(w: World, n: int) -> None:
        for _ in range(n):
            w.employee(dept)

    return grow


def grow_notifications(role: str):
    def grow(w: World, n: int) -> None:
        from hrsuite.notifications.models import Notification

        for _ in range(n):
            name = w.name()
            Notification.objects.create(recipient=w.users[role], key=f"grow-{name}", message=name, url="/me/")

    return grow


def grow_profile(w: World, n: int) -> None:
    from employees.models import ChangeRequest, Contract, EmployeeDocument

    me = w.emps["employee"]
    for i in range(n):
        Contract.objects.create(
            employee=me, kind="open_ended", number=w.name(), start_date=date(2020, 1, 1) + timedelta(i)
        )
        ChangeRequest.objects.create(employee=me, kind="contact", payload="{}", summary=w.name(), status="approved")
        EmployeeDocument.objects.create(
            employee=me, kind="other", title=w.name(), file="employees/grow.pdf", original_name="grow.pdf",
            content_type="application/pdf", size=1, sha256="0" * 64,
        )  # fmt: skip


def grow_payslips(w: World, n: int) -> None:
    from payroll.models import PayRun, PaySlip

    me = w.emps["employee"]
    for _ in range(n):
        k = next(w.seq)
        period = date(2000 + k // 12, k % 12 + 1, 1)
        run = PayRun.objects.create(period=period, scope_key="all", prepared_by=w.users["payroll"])
        PaySlip.objects.create(
            run=run, employee=me, period=period, department=me.department, calc_token=uuid4(), gross=D("20000"),
            net=D("15000"),
        )  # fmt: skip
        PayRun.objects.filter(pk=run.pk).update(status="published", published_at=timezone.now())


def _course(w: World, **extra):
    from training.models import Course

    return Course.objects.create(code=f"G{next(w.seq)}", title=w.name(), hours=D("2"), **extra)


def grow_my_training(w: World, n: int) -> None:
    from training.models import Enrollment

    for _ in range(n):
        Enrollment.objects.create(employee=w.emps["employee"], course=_course(w), source="hr")


def _certificate(w: World, employee, ctype=None, *, expires_in: int = 300):
    from training.models import CertificateType, EmployeeCertificate

    ctype = ctype or CertificateType.objects.create(code=f"G{next(w.seq)}", name=w.name(), validity_months=24)
    expires = timezone.localdate() + timedelta(days=expires_in)
    return EmployeeCertificate.objects.create(
        employee=employee, certificate_type=ctype, number=w.name(), issued_on=expires - timedelta(days=700),
        expires_on=expires, verification="verified",
    )  # fmt: skip


def grow_my_certificates(w: World, n: int) -> None:
    for _ in range(n):
        _certificate(w, w.emps["employee"])


def _bank(w: World):
    from exams.models import QuestionBank
    from tests.exams.conftest import add_question

    def make():
        bank = QuestionBank.objects.create(name="增长题库")
        add_question(bank, "true_false", "客户身份须在开户前核实。", [("正确", True), ("错误", False)])
        return bank

    return w.once("bank", make)


def _exam(w: World):
    from exams.models import Exam

    return Exam.objects.create(
        title=w.name(), bank=_bank(w), question_count=1, time_limit_minutes=10, pass_mark=60, attempts_allowed=2
    )


def grow_my_exams(w: World, n: int) -> None:
    from training.models import Enrollment

    for _ in range(n):
        course = _course(w, mode="online", exam=_exam(w))
        Enrollment.objects.create(employee=w.emps["employee"], course=course, source="hr")


def _survey(w: World, **extra):
    from surveys.models import Survey

    now = timezone.now()
    return Survey.objects.create(
        title=w.name(), kind="needs", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
        created_by=w.users["hr"], **extra,
    )  # fmt: skip


def grow_my_surveys(w: World, n: int) -> None:
    from surveys.models import SurveyInvitation

    for _ in range(n):
        SurveyInvitation.objects.create(survey=_survey(w), employee=w.emps["employee"])


def grow_my_onboarding(w: World, n: int) -> None:
    from recruiting.models import OnboardingTask

    for i in range(n):
        OnboardingTask.objects.create(
            employee=w.emps["employee"], title=w.name(), owner="employee", due_on=timezone.localdate() + timedelta(i)
        )


def _application(w: World, posting=None, **extra):
    from recruiting.models import Application, Candidate

    posting = posting or w.fixture("hiring").posting
    name = w.name()
    candidate = Candidate.objects.create(name=name, email=f"g{next(w.seq)}@example.cn")
    return Application.objects.create(
        posting=posting, candidate=candidate, resume="resumes/grow.docx", resume_name="简历.docx",
        resume_sha256="0" * 64, resume_text="机器学习 Python", consent_at=timezone.now(), score=D("50"), **extra,
    )  # fmt: skip


def grow_my_interviews(w: World, n: int) -> None:
    from recruiting.models import Interview

    for i in range(n):
        interview = Interview.objects.create(
            application=_application(w, stage="interview"),
            starts_at=timezone.now() + timedelta(days=1, hours=i),
            scheduled_by=w.users["hr"],
        )
        interview.interviewers.add(w.emps["employee"])


def grow_board(w: World, n: int) -> None:
    """Public feedback threads on the board every employee reads."""
    from relations.services_feedback import feedback_post

    for _ in range(n):
        feedback_post(category="suggestion", subject=w.name(), body="正文", department=None, is_public=True)


def grow_team_training(w: World, n: int) -> None:
    from training.models import Enrollment

    course = w.once("course", lambda: _course(w))
    for _ in range(n):
        Enrollment.objects.create(employee=w.employee("a"), course=course, source="manager")


def grow_compliance(w: World, n: int) -> None:
    quals = w.fixture("quals")
    for _ in range(n):
        person = w.employee("a", position=quals.sales)
        _certificate(w, person, quals.fund, expires_in=20)


def grow_team_reviews(w: World, n: int) -> None:
    from performance.models import Review

    cycle = w.once("review_cycle", lambda: w.fixture("review_cycle")(status="assessment").cycle)
    for _ in range(n):
        e = w.employee("a")
        Review.objects.create(cycle=cycle, employee=e, department=e.department, reviewer=e.manager)


def grow_engagement_rounds(w: World, n: int) -> None:
    from relations.engagement import engagement_round_create

    now = timezone.now()
    for i in range(n):
        engagement_round_create(
            title=w.name(), opens_at=now - timedelta(days=1, minutes=i), closes_at=now + timedelta(days=7),
            previous=None, departments=[], whole_company=True, actor=w.users["hr"],
        )  # fmt: skip


def grow_dependence(w: World, n: int) -> None:
    """Teams under A (the manager's reach), three sales people each with key customers and a
    fund certificate."""
    from tests.factories import DepartmentFactory
    from tests.relations.test_dependence_views import account

    quals = w.fixture("quals")
    for _ in range(n):
        team = DepartmentFactory(name=w.name(), parent=w.org["a"])
        for j in range(3):
            person = w.employee("a", position=quals.sales)
            person.department = team
            person.save()
            account(person, 10_000 * (j + 1))
            _certificate(w, person, quals.fund)


def grow_change_requests(w: World, n: int) -> None:
    from employees.models import ChangeRequest

    for _ in range(n):
        ChangeRequest.objects.create(employee=w.employee(), kind="contact", payload="{}", summary=w.name())


def grow_departments(w: World, n: int) -> None:
    from tests.factories import DepartmentFactory

    for _ in range(n):
        dept = DepartmentFactory(name=w.name(), parent=w.org["hq"])
        head = w.employee("b")
        head.department = dept
        head.save()
        dept.head = head
        dept.save()


def grow_courses(w: World, n: int) -> None:
    from training.models import Enrollment

    for _ in range(n):
        Enrollment.objects.create(employee=w.employee(), course=_course(w), source="hr")


def grow_exams(w: World, n: int) -> None:
    for _ in range(n):
        _exam(w)


def grow_banks(w: World, n: int) -> None:
    from exams.models import QuestionBank
    from tests.exams.conftest import add_question

    for _ in range(n):
        bank = QuestionBank.objects.create(name=w.name())
        add_question(bank, "true_false", "题目", [("正确", True), ("错误", False)])


def grow_surveys(w: World, n: int) -> None:
    from surveys.models import SurveyInvitation

    for _ in range(n):
        SurveyInvitation.objects.create(survey=_survey(w), employee=w.employee())


def grow_certificates(w: World, n: int) -> None:
    for _ in range(n):
        _certificate(w, w.employee())


def grow_incidents(w: World, n: int) -> None:
    from training.models import ComplianceIncident

    for _ in range(n):
        ComplianceIncident.objects.create(
            department=w.org["a"], occurred_on=timezone.localdate(), severity="low", summary=w.name(),
            created_by=w.users["hr"],
        )  # fmt: skip


def grow_requisitions(w: World, n: int) -> None:
    from employees.models import Position
    from recruiting.models import Requisition

    position = w.once(
        "position", lambda: Position.objects.create(code="GROW", title="增长岗位", role_family="technology")
    )
    for _ in range(n):
        Requisition.objects.create(
            position=position, department=w.org["a"], headcount=1, reason=w.name(), budget_min=D("10000"),
            budget_max=D("20000"), hiring_manager=w.emps["manager"], requested_by=w.users["manager"],
        )  # fmt: skip


def grow_postings(w: World, n: int) -> None:
    from recruiting.models import JobPosting

    hiring = w.fixture("hiring")
    for _ in range(n):
        posting = JobPosting.objects.create(
            requisition=hiring.requisition, title=w.name(), description="x", created_by=w.users["hr"]
        )
        _application(w, posting)


def grow_applications(w: World, n: int) -> None:
    for i in range(n):
        _application(w, stage=["applied", "screening", "interview"][i % 3])


def grow_offers(w: World, n: int) -> None:
    from recruiting.models import Offer

    hiring = w.fixture("hiring")
    today = timezone.localdate()
    for _ in range(n):
        Offer.objects.create(
            application=_application(w, stage="offer"), position=hiring.position, monthly_salary=D("30000"),
            start_date=today + timedelta(days=30), respond_by=today + timedelta(days=7), created_by=w.users["hr"],
        )  # fmt: skip


def grow_templates(w: World, n: int) -> None:
    from offboarding.models import HandoverTemplate, TemplateItem

    for _ in range(n):
        t = HandoverTemplate.objects.create(name=w.name(), department=w.org["a"])
        for k in range(2):
            TemplateItem.objects.create(template=t, kind="general", title=f"事项{k}", due_offset_days=3, order=k)


def grow_okr_cycles(w: World, n: int) -> None:
    from performance.models import KeyResult, Objective, OkrCycle

    for _ in range(n):
        year = 1990 + next(w.seq)
        cycle = OkrCycle.objects.create(
            name=w.name(), kind="year", year=year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
            status="open",
        )  # fmt: skip
        objective = Objective.objects.create(cycle=cycle, level="company", title="营收增长")
        KeyResult.objects.create(objective=objective, title="营收", target_value=D("10"), weight=D("100"))


def grow_ratings(w: World, n: int) -> None:
    from performance.models import RatingLevel

    for _ in range(n):
        k = next(w.seq)
        RatingLevel.objects.create(
            code=f"G{k}", label=w.name(), rank=10 + k, coefficient=D("1"), raise_up_to=D("0"), guideline_share=D("0")
        )


def grow_runs(w: World, n: int) -> None:
    from payroll.models import PayRun

    for _ in range(n):
        k = next(w.seq)
        PayRun.objects.create(
            period=date(2000 + k // 12, k % 12 + 1, 1), scope_key="all", status="calculated",
            prepared_by=w.users["payroll"], total_net=D("1000"),
        )  # fmt: skip


def grow_input_definitions(w: World, n: int) -> None:
    from payroll.models import InputDefinition

    for _ in range(n):
        name = w.name()
        InputDefinition.objects.create(code=name, name=name)


def grow_policies(w: World, n: int) -> None:
    from payroll.models import SocialInsurancePolicy

    for _ in range(n):
        k = next(w.seq)
        SocialInsurancePolicy.objects.create(
            city="北京", name=w.name(), effective_from=date(1990 + k, 1, 1), effective_to=date(1990 + k, 12, 31),
            si_floor=D("5000"), si_ceiling=D("30000"), hf_floor=D("2000"), hf_ceiling=D("30000"),
        )  # fmt: skip


def grow_declarations(w: World, n: int) -> None:
    from payroll.models import TaxDeclaration

    for _ in range(n):
        TaxDeclaration.objects.create(employee=w.employee(), year=timezone.localdate().year)


def grow_adjustments(w: World, n: int) -> None:
    from payroll.models import PayAdjustment

    period = timezone.localdate().replace(day=1)
    for _ in range(n):
        PayAdjustment.objects.create(employee=w.employee(), period=period, amount=D("100"), reason=w.name())


def grow_blocklist(w: World, n: int) -> None:
    from payroll.models import BlockedAccount

    for _ in range(n):
        k = next(w.seq)
        BlockedAccount.objects.create(account_hash=f"{k:064d}", last4=f"{k % 10000:04d}", reason=w.name())


def grow_audit(w: World, n: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from employees.models import Employee
    from hrsuite.audit.models import AuditEntry

    ct = ContentType.objects.get_for_model(Employee)
    for _ in range(n):
        e = w.employee()
        AuditEntry.objects.create(
            content_type=ct, object_pk=str(e.pk), object_id=e.pk, object_repr=e.name, action=3, event="view",
            actor=w.users["hr"],
        )  # fmt: skip


def grow_job_runs(w: World, n: int) -> None:
    from hrsuite.ops import jobs as registry
    from hrsuite.ops.models import JobRun

    for job in registry.jobs():
        for i in range(n):
            JobRun.objects.create(
                task_id=f"t-{next(w.seq)}", name=job.task, started_at=timezone.now() - timedelta(hours=i + 1),
                finished_at=timezone.now() - timedelta(hours=i), status="succeeded", result=w.name(),
            )  # fmt: skip


def grow_backups(w: World, n: int) -> None:
    from hrsuite.ops.models import BackupRun

    for i in range(n):
        name = w.name()
        BackupRun.objects.create(
            started_at=timezone.now() - timedelta(days=i + 1), finished_at=timezone.now() - timedelta(days=i),
            status="verified", dump_path=f"/backups/{name}.dump", dump_sha256="0" * 64, dump_bytes=1000,
        )  # fmt: skip


def both(*grows):
    def grow(w: World, n: int) -> None:
        for g in grows:
            g(w, n)

    return grow


def grow_cases(w: World, n: int) -> None:
    from offboarding.models import HandoverItem, SeparationCase

    today = timezone.localdate()
    for _ in range(n):
        case = SeparationCase.objects.create(
            employee=w.employee("a"), kind="resignation", reason="x", notice_date=today,
            last_working_day=today + timedelta(days=5), revoke_on=today + timedelta(days=5), status="handover",
        )  # fmt: skip
        HandoverItem.objects.create(
            case=case, kind="general", title=w.name(), due_on=today - timedelta(days=1),
            successor=w.emps["team_member"],
        )  # fmt: skip


# every widget of every role counts or lists these: people in A and B, their requests,
# certificates running out, candidates, leavers, reviews, feedback, notifications, jobs, backups
grow_dashboard = both(
    grow_employees("a"),
    grow_change_requests,
    grow_compliance,
    grow_applications,
    grow_cases,
    grow_team_reviews,
    grow_board,
    grow_notifications("employee"),
    grow_job_runs,
    grow_backups,
)
DASHBOARD = "every widget shows counts and a few newest rows; grown rows are counted, not listed"

FORM = "a form: the page lists no rows"
AGGREGATES = "aggregates only (charts and totals over the grown rows)"

PAGES: dict[tuple[str, str], Budget] = {
    # overview
    ("core:dashboard", "employee"): Budget(grow_dashboard, unseen=DASHBOARD),
    ("core:dashboard", "manager"): Budget(grow_dashboard, unseen=DASHBOARD),
    ("core:dashboard", "hr"): Budget(grow_dashboard, unseen=DASHBOARD),
    ("core:dashboard", "hr_admin"): Budget(grow_dashboard, unseen=DASHBOARD),
    ("core:dashboard", "payroll"): Budget(grow_dashboard, unseen=DASHBOARD),
    ("notifications:list", "employee"): Budget(grow_notifications("employee")),
    # my workspace
    ("selfservice:home", "employee"): Budget(grow_employees(), unseen="the entries of the workspace, no rows"),
    ("selfservice:profile", "employee"): Budget(grow_profile),
    ("mypay:list", "employee"): Budget(grow_payslips),
    ("mytraining:home", "employee"): Budget(grow_my_training),
    ("mycertificates:list", "employee"): Budget(grow_my_certificates),
    ("myexams:list", "employee"): Budget(grow_my_exams),
    ("mysurveys:list", "employee"): Budget(grow_my_surveys),
    ("myonboarding:list", "employee"): Budget(grow_my_onboarding),
    ("recruiting:my_interviews", "employee"): Budget(grow_my_interviews),
    ("myhandover:list", "employee"): Budget(tested_in="tests/offboarding/test_items.py::test_my_handover_query_budget"),
    ("myperformance:home", "employee"): Budget(
        tested_in="tests/performance/test_me_home.py::test_query_count_does_not_grow_with_rows"
    ),
    ("myprojects:home", "employee"): Budget(tested_in="tests/relations/test_project_me.py::test_query_budget"),
    ("myfeedback:home", "employee"): Budget(grow_board),
    ("offboarding:resign", "employee"): Budget(grow_employees("a"), unseen=FORM),
    # my team
    ("employees:team", "manager"): Budget(grow_employees("a")),
    ("training:team", "manager"): Budget(grow_team_training),
    ("training:compliance_matrix", "manager"): Budget(grow_compliance),
    ("offboarding:cases", "manager"): Budget(tested_in="tests/offboarding/test_cases.py::test_case_list_query_budget"),
    ("performance:team_reviews", "manager"): Budget(grow_team_reviews),
    ("relations:feedback_list", "manager"): Budget(
        tested_in="tests/relations/test_feedback_pages.py::test_inbox_query_budget"
    ),
    ("relations:engagement", "manager"): Budget(grow_engagement_rounds),
    ("relations:dependence", "manager"): Budget(grow_dependence),
    # people
    ("employees:list", "hr"): Budget(grow_employees()),
    ("employees:requests", "hr"): Budget(grow_change_requests),
    ("employees:import", "hr"): Budget(grow_employees(), unseen=FORM),
    ("employees:analytics", "hr"): Budget(
        tested_in="tests/employees/test_analytics.py::test_page_queries_do_not_grow_with_the_number_of_employees"
    ),
    ("employees:org", "hr"): Budget(grow_departments),
    # training
    ("training:courses", "hr"): Budget(grow_courses),
    ("exams:exams", "hr"): Budget(grow_exams),
    ("exams:banks", "hr"): Budget(grow_banks),
    ("surveys:list", "hr"): Budget(grow_surveys),
    ("training:compliance_matrix", "hr"): Budget(grow_compliance),
    ("training:certificates", "hr"): Budget(grow_certificates),
    ("training:analytics", "hr"): Budget(both(grow_courses, grow_certificates), unseen=AGGREGATES),
    ("training:incidents", "hr"): Budget(grow_incidents),
    # recruiting
    ("recruiting:requisitions", "hr"): Budget(grow_requisitions),
    ("recruiting:postings", "hr"): Budget(grow_postings),
    ("recruiting:offers", "hr"): Budget(grow_offers),
    ("recruiting:onboarding", "hr"): Budget(
        tested_in="tests/recruiting/test_onboarding.py::test_onboarding_list_query_budget"
    ),
    ("recruiting:analytics", "hr"): Budget(grow_applications, unseen=AGGREGATES),
    # offboarding
    ("offboarding:cases", "hr"): Budget(tested_in="tests/offboarding/test_cases.py::test_case_list_query_budget"),
    ("offboarding:overdue", "hr"): Budget(tested_in="tests/offboarding/test_cases.py::test_overdue_list"),
    ("offboarding:templates", "hr"): Budget(grow_templates),
    # performance
    ("performance:okr_cycles", "hr"): Budget(grow_okr_cycles),
    ("performance:review_cycles", "hr"): Budget(
        tested_in="tests/performance/test_review_views.py::test_cycle_list_query_count_does_not_grow"
    ),
    ("performance:ratings", "hr"): Budget(grow_ratings),
    # employee relations
    ("relations:engagement", "hr"): Budget(grow_engagement_rounds),
    ("relations:feedback_list", "hr"): Budget(
        tested_in="tests/relations/test_feedback_pages.py::test_inbox_query_budget"
    ),
    ("relations:project_list", "hr"): Budget(tested_in="tests/relations/test_project_pages.py::test_list_query_budget"),
    ("relations:dependence", "hr"): Budget(
        tested_in="tests/relations/test_dependence_views.py::test_paging_and_a_constant_number_of_queries"
    ),
    # payroll
    ("payroll:runs", "payroll"): Budget(grow_runs),
    ("payroll:pay_analytics", "payroll"): Budget(
        tested_in="tests/payroll/test_pay_analytics.py::test_page_queries_do_not_grow_with_the_number_of_employees"
    ),
    ("payroll:period_inputs", "payroll"): Budget(
        tested_in="tests/payroll/test_people_views.py::test_grid_query_count_is_fixed_whatever_the_page_size"
    ),
    ("payroll:assignments", "payroll"): Budget(
        tested_in="tests/payroll/test_people_views.py::test_list_query_count_does_not_grow_with_rows"
    ),
    ("payroll:structures", "payroll"): Budget(
        tested_in="tests/payroll/test_setup_views.py::test_structure_list_query_count_does_not_grow"
    ),
    ("payroll:components", "payroll"): Budget(
        tested_in="tests/payroll/test_setup_views.py::test_component_list_query_count_does_not_grow"
    ),
    ("payroll:input_definitions", "payroll"): Budget(grow_input_definitions),
    ("payroll:policies", "payroll"): Budget(grow_policies),
    ("payroll:declarations", "payroll"): Budget(grow_declarations),
    ("payroll:adjustments", "payroll"): Budget(grow_adjustments),
    ("payroll:blocklist", "payroll"): Budget(grow_blocklist),
    # administration
    ("audit:list", "hr_admin"): Budget(grow_audit),
    ("ops:health_page", "hr_admin"): Budget(both(grow_job_runs, grow_backups), unseen="health checks, no rows"),
    ("ops:jobs", "hr_admin"): Budget(grow_job_runs),
    ("ops:backups", "hr_admin"): Budget(grow_backups),
}


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_worker_ping(monkeypatch):
    """The health checks wait a second for Celery workers to answer a ping; none run here."""
    from hrsuite.celery import app

    monkeypatch.setattr(app.control, "ping", lambda timeout=1.0: [])


def test_every_navigation_page_has_a_budget():
    missing = sorted(navigation_pages() - set(PAGES))
    assert not missing, f"navigation pages without a query budget in PAGES: {missing}"


def test_the_table_names_only_pages_that_exist():
    for name, _role in PAGES:
        reverse(name)


@pytest.mark.parametrize("key", sorted(k for k, b in PAGES.items() if b.tested_in), ids="{0[0]}-{0[1]}".format)
def test_budgets_tested_elsewhere_exist_and_count_queries(key):
    path, _sep, name = PAGES[key].tested_in.partition("::")
    source = (Path(__file__).resolve().parents[2] / path).read_text(encoding="utf-8")
    found = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == name]
    assert found, f"{PAGES[key].tested_in} does not exist"
    body = ast.get_source_segment(source, found[0]) or ""
    assert any(word in body for word in ("num_queries", "CaptureQueriesContext", "queries(")), body[:200]


def _render(client, url: str, params: dict):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"] for q in ctx.captured_queries]


def _seen(response, budget: Budget) -> int:
    if budget.seen is not None:
        return budget.seen(response)
    context = response.context
    if context is not None and "page_obj" in context and hasattr(context["page_obj"], "paginator"):
        return context["page_obj"].paginator.count
    return response.content.decode().count(MARK)


GROWN = sorted(k for k, b in PAGES.items() if b.grow is not None)


@pytest.mark.parametrize("key", GROWN, ids="{0[0]}-{0[1]}".format)
def test_query_count_does_not_grow_with_rows(key, request, people, org, client_for):
    name, role = key
    budget = PAGES[key]
    w = World(request, people, org)
    client = client_for(role)
    url = reverse(name)
    budget.grow(w, FEW)
    _render(client, url, budget.params)  # the first request of a session fills caches
    small, few = _render(client, url, budget.params)
    budget.grow(w, MORE)
    large, many = _render(client, url, budget.params)
    extra = [q for q in many if q not in few]
    assert len(many) <= len(few) + budget.slack, (
        f"{name} as {role}: {len(few)} queries with few rows, {len(many)} with more; new ones:\n" + "\n".join(extra)
    )
    if not budget.unseen:
        assert _seen(large, budget) > _seen(small, budget), f"{name} as {role} does not show the grown rows"

"""One object of every kind the URLs need, for the permission matrix and the scope-leak tests.

`build_world()` makes the organisation and the users of tests/conftest.py (`org`, `people`) and
then, through the per-app fixtures registered there (payroll, qualifications, recruiting,
offboarding, performance, relations, exams, surveys) and the apps' own services, one object of
each kind. Personal data belongs to `employee` (department A); a twin of the most sensitive rows
belongs to `other_employee` (department B) so the scope-leak tests can look for it.

The world is built once per test module inside an outer transaction (see `world_fixture`), each
test runs in a savepoint of it, and the whole is rolled back at the end of the module.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64

# the names the scope-leak tests search for in pages and exports: unusual enough not to occur by chance
A_NAME = "甲方员工"
B_NAME = "乙方员工"
A_NO = "SECA0001"
PRIVATE_SUBJECT = "私信：甲部门加班"  # a feedback thread addressed to department A, not public
B_NO = "SECB0001"

ROLES = ("anonymous", "employee", "other_employee", "other_manager", "manager", "hr", "payroll", "hr_admin")


def fixture_function(fixture):
    """The plain function behind a pytest fixture (pytest refuses direct calls of fixtures)."""
    getter = getattr(fixture, "_get_wrapped_function", None)
    return getter() if getter else fixture.__wrapped__


def _upload(name: str, content: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def build_world() -> SimpleNamespace:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tests import conftest
    from tests.exams import conftest as exams_conftest
    from tests.offboarding import fixtures as off_fx
    from tests.payroll import fixtures as pay_fx
    from tests.recruiting import fixtures as rec_fx
    from tests.surveys import conftest as surveys_conftest
    from tests.training import qualification_fixtures as qual_fx

    w = SimpleNamespace()
    now = timezone.now()
    today = timezone.localdate()

    # --- organisation and people (tests/conftest.py) ---------------------------------------
    w.org = fixture_function(conftest.org)(None)
    w.people = fixture_function(conftest.people)(w.org)
    users, emps = w.people["users"], w.people["employees"]
    w.users, w.emps = users, emps
    emps["employee"].name, emps["employee"].employee_no = A_NAME, A_NO
    emps["employee"].save(update_fields=["name", "employee_no"])
    emps["other_employee"].name, emps["other_employee"].employee_no = B_NAME, B_NO
    emps["other_employee"].save(update_fields=["name", "employee_no"])
    w.employee_a, w.employee_b = emps["employee"], emps["other_employee"]
    w.team_member = emps["team_member"]
    w.department_a, w.department_b = w.org["a"], w.org["b"]
    _employees_app(w, today)

    # --- payroll (tests/payroll/fixtures.py) -----------------------------------------------
    w.policy = fixture_function(pay_fx.policy)(None)
    w.structure = fixture_function(pay_fx.structure)(None)
    w.assignments = fixture_function(pay_fx.assignments)(w.people, w.structure, w.policy)
    _payroll_app(w, fixture_function(pay_fx.run_factory)(w.people))

    # --- training and qualifications -------------------------------------------------------
    w.quals = fixture_function(qual_fx.quals)(w.people)
    _training_app(w, now, today, qual_fx)

    # --- exams and surveys (tests/exams/conftest.py, tests/surveys/conftest.py) -------------
    w.bank = fixture_function(exams_conftest.bank)(None)
    w.exam = fixture_function(exams_conftest.exam)(w.bank)
    w.exam_course = fixture_function(exams_conftest.enrolled)(w.people, w.exam)
    from exams import services as exam_services

    w.attempt_a = exam_services.attempt_start(exam=w.exam, employee=w.employee_a, now=now)
    w.attempt_b = exam_services.attempt_start(exam=w.exam, employee=w.employee_b, now=now)
    w.question = w.bank.questions.first()
    make_survey = fixture_function(surveys_conftest.make_survey)(None)
    w.survey = make_survey()
    from surveys import services as survey_services

    survey_services.invite(survey=w.survey, employees=[w.employee_a, w.employee_b])
    w.survey_question = w.survey.questions.first()
    w.invitation_a = w.survey.invitations.get(employee=w.employee_a)

    # --- recruiting (tests/recruiting/fixtures.py) ------------------------------------------
    w.hiring = fixture_function(rec_fx.hiring)(w.people, w.org)
    make_application = fixture_function(rec_fx.make_application)(w.hiring)
    _recruiting_app(w, make_application, now, today)

    # --- offboarding (tests/offboarding/fixtures.py) ----------------------------------------
    w.handover_template = fixture_function(off_fx.handover_template)(w.org)
    hc = fixture_function(off_fx.open_case)(w.people, w.handover_template)()
    w.case = hc.case
    w.handover_item = hc.items[0]
    w.handover_upload_item = next(i for i in hc.items if i.attachment_required)
    from offboarding.models import CustomerAccount, HandoverAttachment

    w.customer = CustomerAccount.objects.create(name="重点客户甲", owner=w.employee_a, is_key=True)
    from hrsuite.uploads import private_path

    att = HandoverAttachment(item=w.handover_upload_item, name="交接.pdf", sha256="0" * 64, size=len(PDF))
    att.uploaded_by = users["employee"]
    att.file.save(private_path("handover", "pdf"), ContentFile(PDF), save=False)
    att.save()
    w.handover_attachment = att

    # --- performance and relations ----------------------------------------------------------
    _performance_app(w)
    _relations_app(w)

    # --- suite rows: notifications, backups, jobs -------------------------------------------
    _suite_rows(w, now)
    return w


def _employees_app(w, today):
    from employees import services
    from employees.models import ChangeRequest, Contract, Grade, Location, Position

    w.location = Location.objects.create(name="上海总部", city="上海")
    w.grade = Grade.objects.create(code="G5", name="五级", level=5)
    w.position = Position.objects.create(code="SEC-POS", title="安全测试岗", role_family="technology")
    w.contract_a = services.contract_save(
        contract=Contract(employee=w.employee_a, kind="fixed_term", start_date=today - timedelta(days=400),
                          end_date=today + timedelta(days=300), number="HT-A-001")
    )  # fmt: skip
    w.document_a = services.document_upload(
        employee=w.employee_a, kind="id_copy", upload=_upload("身份证.pdf", PDF, "application/pdf"), actor=w.users["hr"]
    )
    w.document_b = services.document_upload(
        employee=w.employee_b, kind="id_copy", upload=_upload("身份证.pdf", PDF, "application/pdf"), actor=w.users["hr"]
    )
    w.change_request_a = services.change_request_submit(
        employee=w.employee_a, kind="contact", values={"phone": "13800138000", "address": "上海市浦东新区"}
    )
    assert isinstance(w.change_request_a, ChangeRequest)


def _payroll_app(w, run_factory):
    from payroll.models import (
        BlockedAccount,
        InputDefinition,
        PayAdjustment,
        PayComponent,
        PayeeFlag,
        PaySlip,
        PeriodInput,
        TaxDeclaration,
    )
    from payroll.payslips import payrun_publish

    users = w.users
    w.assignment_a = w.assignments["employee"]
    w.assignment_b = w.assignments["other_employee"]
    w.structure_line = w.structure.lines.first()
    w.component = PayComponent.objects.get(code="岗位工资")
    w.input_definition = InputDefinition.objects.get(code="销售额")
    w.run_published = run_factory(date(2026, 1, 1), finalize=True)
    w.run_published = payrun_publish(run=w.run_published, actor=users["payroll"], dispatch=False, render=False)
    w.run_calculated = run_factory(date(2026, 2, 1))
    w.payslip_a = PaySlip.objects.get(run=w.run_published, employee=w.employee_a)
    w.payslip_b = PaySlip.objects.get(run=w.run_published, employee=w.employee_b)
    w.payslip_calc_a = PaySlip.objects.get(run=w.run_calculated, employee=w.employee_a)
    w.period_input_a = PeriodInput.objects.create(
        employee=w.employee_a, period=date(2026, 2, 1), definition=w.input_definition, value=Decimal("1000")
    )
    w.tax_declaration_a = TaxDeclaration.objects.create(employee=w.employee_a, year=2026, children=1)
    w.adjustment_a = PayAdjustment.objects.create(
        employee=w.employee_a,
        period=date(2026, 2, 1),
        amount=Decimal("500"),
        reason="补发",
        created_by=users["payroll"],
    )
    from employees.services import _bank_hash

    w.blocked = BlockedAccount.objects.create(account_hash=_bank_hash("6222000011112222"), last4="2222", reason="测试")
    w.flag_a = PayeeFlag.objects.create(
        run=w.run_calculated, employee=w.employee_a, kind="recent_change", detail="账户近期变更"
    )


def _training_app(w, now, today, qual_fx):
    from training import services
    from training.choices import IncidentSeverity
    from training.models import ComplianceIncident, Course, CourseRequirement, CourseSession

    w.course = Course.objects.create(code="SEC-101", title="信息安全", hours=Decimal("2"), self_enrol=True)
    w.course_session = services.session_save(
        session=CourseSession(course=w.course, starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=7, hours=2),
                              capacity=20)
    )  # fmt: skip
    w.material = services.material_add(
        course=w.course, title="讲义", upload=_upload("讲义.pdf", PDF, "application/pdf")
    )
    w.course_requirement = services.requirement_save(
        requirement=CourseRequirement(course=w.course, department=w.department_a, due_days_after_hire=30)
    )
    w.enrollment_a = services.enroll(employee=w.employee_a, course=w.course, source="hr", actor=w.users["hr"])
    w.enrollment_b = services.enroll(employee=w.employee_b, course=w.course, source="hr", actor=w.users["hr"])
    w.certificate_type = w.quals.fund
    from training.models import EmployeeCertificate
    from training.services_qualifications import certificate_save

    w.certificate_a = certificate_save(
        certificate=EmployeeCertificate(employee=w.employee_a, certificate_type=w.quals.fund, number="FUND-A-0001",
                                        issued_on=today - timedelta(days=100)),
        upload=qual_fx.png(), actor=w.users["employee"],
    )  # fmt: skip
    w.certificate_b = certificate_save(
        certificate=EmployeeCertificate(employee=w.employee_b, certificate_type=w.quals.fund, number="FUND-B-0001",
                                        issued_on=today - timedelta(days=100)),
        upload=qual_fx.png(), actor=w.users["other_employee"],
    )  # fmt: skip
    w.incident = ComplianceIncident.objects.create(
        department=w.department_a, occurred_on=today, severity=IncidentSeverity.values[0], summary="测试事件"
    )


def _recruiting_app(w, make_application, now, today):
    from recruiting.models import OnboardingTask
    from recruiting.services_interviews import interview_schedule
    from recruiting.services_offers import offer_create

    users, emps = w.users, w.emps
    w.requisition = w.hiring.requisition
    w.posting = w.hiring.posting
    w.application = make_application(name="候选人甲", email="cand-a@example.com", stage="interview")
    w.candidate = w.application.candidate
    w.interview = interview_schedule(
        application=w.application, starts_at=now + timedelta(days=2), duration_minutes=60, kind="video",
        location="腾讯会议", interviewers=[emps["employee"], emps["manager"]], actor=users["hr"],
    )  # fmt: skip
    w.offer_application = make_application(name="候选人乙", email="cand-b@example.com", stage="offer")
    w.offer = offer_create(
        application=w.offer_application, position=w.hiring.position, grade=None, monthly_salary=Decimal("30000"),
        start_date=today + timedelta(days=30), probation_months=3, respond_by=today + timedelta(days=7),
        actor=users["hr"],
    )  # fmt: skip
    # a candidate's online assessment: the token is the only credential
    import secrets

    from recruiting.models import AssessmentInvite
    from recruiting.services_assessments import token_hash

    w.assessment_application = make_application(name="候选人丙", email="cand-c@example.com", stage="assessment")
    w.assessment_token = secrets.token_urlsafe(24)
    w.assessment_invite = AssessmentInvite.objects.create(
        application=w.assessment_application, exam=w.exam, token_hash=token_hash(w.assessment_token),
        expires_at=now + timedelta(days=3), created_by=users["hr"],
    )  # fmt: skip
    # the onboarding checklist of a new hire in department A
    from tests.factories import EmployeeFactory

    w.new_hire = EmployeeFactory(name="新员工甲", department=w.department_a, manager=emps["manager"], hire_date=today)
    w.onboarding_task = OnboardingTask.objects.create(
        employee=w.new_hire, title="领取电脑", owner="hr", due_on=today + timedelta(days=3)
    )


def _performance_app(w):
    from tests.performance import fixtures as perf_fx

    w.rating_scale = fixture_function(perf_fx.rating_scale)(None)
    w.coefficient_input = fixture_function(perf_fx.coefficient_input)(None)
    w.okr = fixture_function(perf_fx.okr)(w.people, w.org)
    w.okr_cycle = w.okr.cycle
    w.objective_a = w.okr.mine
    w.objective_department = w.okr.department
    w.key_result_a = w.okr.revenue
    rc = fixture_function(perf_fx.review_cycle)(w.people, w.org, w.rating_scale, w.coefficient_input)()
    w.review_cycle = rc.cycle
    w.review_a = rc.reviews["employee"]
    w.rating_level = w.rating_scale["B"]
    from performance.models import CheckInTask

    w.check_in_task = CheckInTask.objects.create(
        objective=w.objective_a, title="周检查", target_count=3, owner=w.employee_a
    )


def _relations_app(w):
    from django.utils import timezone

    from tests.relations import fixtures as rel_fx

    w.bonus_input = fixture_function(rel_fx.bonus_input)(None)
    pr = fixture_function(rel_fx.project)(w.people, w.bonus_input)
    w.project = pr.project
    w.project_member = pr.member
    w.project_lead = pr.lead
    from relations.engagement import engagement_round_create

    w.engagement_round, _created = engagement_round_create(
        title="2026 敬业度调查", opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=7),
        previous=None, departments=[], whole_company=True, actor=w.users["hr"],
    )  # fmt: skip
    th = fixture_function(rel_fx.thread)(w.org)
    w.thread = th.thread
    w.thread_secret = th.secret
    from relations.services_feedback import feedback_post

    w.thread_private, _secret = feedback_post(
        category="complaint", subject=PRIVATE_SUBJECT, body="只给部门负责人看。", department=w.department_a,
        is_public=False,
    )  # fmt: skip


def _suite_rows(w, now):
    from hrsuite.notifications.models import Notification
    from hrsuite.ops.models import BackupRun, JobRun

    w.notification_a = Notification.objects.create(
        recipient=w.users["employee"], key="security-matrix", message="Test", url="/me/"
    )
    w.backup_run = BackupRun.objects.create(started_at=now - timedelta(hours=1), status="verified")
    w.job_run = JobRun.objects.create(task_id="matrix-1", name="hrsuite.ops.tasks.backup", started_at=now)


def sessions_for(w) -> dict[str, str | None]:
    """A session key per role, made once (the session rows live in the module's transaction)."""
    from django.test import Client

    keys: dict[str, str | None] = {"anonymous": None}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(w.users[role])
        keys[role] = client.session.session_key
    return keys


def xlsx_text(content: bytes) -> str:
    """Every cell of every sheet of a workbook, as one string."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )


def world_scope(django_db_blocker, tmp_dir):
    """Generator for a module-scoped fixture: build the world once (private files under
    `tmp_dir`) inside an outer transaction, yield it, roll everything back afterwards. Tests that
    use it take the `db` fixture as usual: their own transaction becomes a savepoint of this one."""
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_dir)):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            w.sessions = sessions_for(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def client_as(world, role: str):
    """A test client signed in as `role` through the world's session (anonymous: none)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    key = world.sessions[role]
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def _value(world, spec, *, as_pk: bool = True):
    if isinstance(spec, str) and spec.startswith("="):
        return spec[1:]
    obj = getattr(world, spec)
    return getattr(obj, "pk", obj) if as_pk else obj


def url_for(world, name: str, entry) -> tuple[str, dict]:
    """The URL of a matrix entry (tests/security/matrix.py) with its arguments from the world."""
    from django.urls import reverse

    kwargs = {k: _value(world, v) for k, v in entry.kwargs.items()}
    return reverse(name, kwargs=kwargs), kwargs


def post_data(world, entry) -> dict:
    if entry.data is None:
        return {}
    if callable(entry.data):
        return entry.data(world)
    return {k: _value(world, v) for k, v in entry.data.items()}

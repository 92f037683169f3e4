"""Hiring and onboarding.

`hire` turns an accepted offer into an employee in one transaction: the employee record (via
employees.services), a login with the employee role (no password yet: a link to set one is
e-mailed after the commit), a first labour contract carrying the probation end, the resume kept
as an employee document, the application moved to "hired", the requisition marked filled when
its headcount is reached (its postings closed), and the onboarding checklist (default tasks for
HR, the manager and the new employee, plus one task per required course, the employee enrolled
in it). If any step fails nothing is kept (the copied resume file is deleted too).

The onboarding pages' reads are at the end of this module (`onboarding_employees_visible_to`,
`tasks_with_state`): HR sees every new hire, a manager the new hires in their reach (their
departments and reports) and those hired through requisitions they follow, the new employee
their own tasks. A required-training task is done when the course is completed (computed from
the enrolment, never ticked by hand).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from employees import services as employee_services
from employees import validators
from employees.choices import ContractKind, DocumentKind, EmployeeStatus, EmploymentType
from employees.models import Contract, Employee, EmployeeDocument
from hrsuite.notifications.services import notify
from hrsuite.roles import Role, is_hr, users_with_role
from hrsuite.scoping import scope_for
from hrsuite.uploads import KNOWN_TYPES, private_path

from . import tasks as recruiting_tasks
from .choices import OfferStatus, PostingStatus, RequisitionStatus, Stage, TaskKind, TaskOwner
from .models import Application, JobPosting, OnboardingTask, Requisition
from .services import move_stage
from .services_offers import require_hr

log = logging.getLogger(__name__)

EMPLOYEE_NO_PREFIX = "E"
EMPLOYEE_NO_DIGITS = 5
FIRST_CONTRACT_YEARS = 3

# (English source title, owner, kind, days relative to the start date)
DEFAULT_TASKS: list[tuple[str, str, str, int]] = [
    (gettext_noop("Create the e-mail and system accounts"), TaskOwner.HR, TaskKind.ACCOUNT, -1),
    (gettext_noop("Sign the labour contract"), TaskOwner.HR, TaskKind.PAPERWORK, 0),
    (gettext_noop("Prepare the computer and desk"), TaskOwner.MANAGER, TaskKind.EQUIPMENT, -1),
    (gettext_noop("Assign an onboarding buddy"), TaskOwner.MANAGER, TaskKind.OTHER, 0),
    (gettext_noop("Submit the onboarding documents"), TaskOwner.EMPLOYEE, TaskKind.PAPERWORK, 3),
]
TRAINING_TASK = gettext_noop("Complete the required course: %(course)s")


# ---------------------------------------------------------------------------------------------
# hire


def next_employee_no() -> str:
    """The next number of the company's series (E00001, E00002, …), under a transaction-level
    advisory lock so two hires at once do not draw the same number."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x45_4D_50_4E])  # "EMPN"
    pattern = rf"^{EMPLOYEE_NO_PREFIX}[0-9]+$"
    numbers = Employee.objects.filter(employee_no__regex=pattern).values_list("employee_no", flat=True)
    highest = max((int(n[len(EMPLOYEE_NO_PREFIX) :]) for n in numbers), default=0)
    return f"{EMPLOYEE_NO_PREFIX}{highest + 1:0{EMPLOYEE_NO_DIGITS}d}"


def probation_end(start: date, months: int) -> date | None:
    if not months:
        return None
    return start + relativedelta(months=months) - timedelta(days=1)


@dataclass
class _Files:
    """Files written during a hire, deleted again if the transaction does not commit."""

    paths: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        for path in self.paths:
            try:
                default_storage.delete(path)
            except OSError:  # pragma: no cover
                log.exception("could not delete %s", path)


def hire(*, application: Application, actor, today: date | None = None) -> Employee:
    """Hire the candidate of an application whose offer was accepted. Raises ValidationError
    (nothing created) when it cannot."""
    require_hr(actor)
    files = _Files()
    try:
        with transaction.atomic():
            employee = _hire(application=application, actor=actor, files=files, today=today)
    except BaseException:
        files.cleanup()
        raise
    return employee


def _hire(*, application: Application, actor, files: _Files, today: date | None) -> Employee:
    today = today or timezone.localdate()
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("candidate", "posting__requisition__department", "posting__requisition__hiring_manager")
        .get(pk=application.pk)
    )
    if locked.hired_employee_id or locked.stage == Stage.HIRED:
        raise ValidationError(_("This candidate has already been hired."), code="already_hired")
    offer = getattr(locked, "offer", None)
    if offer is None or offer.status != OfferStatus.ACCEPTED:
        raise ValidationError(_("A candidate can be hired only after accepting an approved offer."), code="no_offer")
    if locked.stage != Stage.OFFER:
        raise ValidationError(_("The application is not at the offer stage."), code="stage")
    requisition: Requisition = Requisition.objects.select_for_update().get(pk=locked.posting.requisition_id)
    department = locked.posting.requisition.department
    candidate = locked.candidate

    # 1. the login: no usable password until the new employee sets one through the e-mailed link
    number = next_employee_no()
    User = get_user_model()
    username = number.lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("A login named %(name)s already exists; the employee number %(number)s cannot be used.")
            % {"name": username, "number": number},
            code="username",
        )
    user = User(username=username, email=candidate.email, first_name=candidate.name)
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=Role.EMPLOYEE)[0]])

    # 2. the employee record
    try:
        phone = validators.validate_mobile(candidate.phone) if candidate.phone else ""
    except ValidationError:
        phone = ""  # a landline or foreign number: HR completes it with the onboarding documents
    employee = Employee(
        user=user,
        employee_no=number,
        name=candidate.name,
        email=candidate.email,
        phone=phone,
        department=department,
        position=offer.position,
        grade=offer.grade,
        location=department.location,
        manager=requisition.hiring_manager,
        hire_date=offer.start_date,
        employment_type=EmploymentType.FULL_TIME,
        status=EmployeeStatus.PROBATION if offer.probation_months else EmployeeStatus.ACTIVE,
    )
    employee_services.employee_save(employee=employee, today=today)

    # 3. the first contract, with the probation end (signing it is HR's first onboarding task)
    with translation.override(settings.LANGUAGE_CODE):
        contract_note = _("From offer %(pk)s; to be signed.") % {"pk": offer.pk}
    employee_services.contract_save(
        contract=Contract(
            employee=employee,
            kind=ContractKind.FIXED_TERM,
            start_date=offer.start_date,
            end_date=offer.start_date + relativedelta(years=FIRST_CONTRACT_YEARS) - timedelta(days=1),
            probation_end=probation_end(offer.start_date, offer.probation_months),
            notes=contract_note,
        )
    )

    # 4. the application is hired; the requisition filled when its headcount is reached
    move_stage(application=locked, to=Stage.HIRED, actor=actor, note=_("Hired as %(no)s.") % {"no": number})
    locked.hired_employee = employee
    locked.save(update_fields=["hired_employee"])
    hired = Application.objects.filter(posting__requisition=requisition, stage=Stage.HIRED).count()
    if hired >= requisition.headcount and requisition.status == RequisitionStatus.APPROVED:
        requisition.status = RequisitionStatus.FILLED
        requisition.save(update_fields=["status"])
        JobPosting.objects.filter(requisition=requisition).exclude(status=PostingStatus.CLOSED).update(
            status=PostingStatus.CLOSED
        )

    # 5. the onboarding checklist (and the required courses)
    tasks = onboarding_checklist_create(employee=employee, application=locked, start=offer.start_date, actor=actor)

    # 6. the resume, kept as an employee document (copied: the application keeps its own)
    _keep_resume(locked, employee, actor, files)

    # 7. tell HR, the hiring manager and the new employee
    url = reverse("recruiting:onboarding_detail", args=[employee.pk])
    manager_user = requisition.hiring_manager.user if requisition.hiring_manager.user_id else None
    notify(
        recipients=[*users_with_role(Role.HR, Role.HR_ADMIN), manager_user],
        key=f"hired:{employee.pk}",
        message=gettext_noop("%(name)s was hired as %(position)s and starts on %(date)s."),
        params={"name": employee.name, "position": offer.position.title, "date": str(offer.start_date)},
        url=url,
    )
    notify(
        recipients=[user],
        key=f"welcome:{employee.pk}",
        message=gettext_noop("Welcome! Your onboarding checklist has %(n)s tasks."),
        params={"n": len(tasks)},
        url=reverse("myonboarding:list"),
    )
    transaction.on_commit(lambda: recruiting_tasks.send_welcome_email.delay(employee.pk, uuid.uuid4().hex))
    return employee


def _keep_resume(application: Application, employee: Employee, actor, files: _Files) -> EmployeeDocument | None:
    if not application.resume:
        return None
    ext = application.resume_name.rsplit(".", 1)[-1].lower() if "." in application.resume_name else "pdf"
    if ext not in KNOWN_TYPES:
        ext = application.resume.name.rsplit(".", 1)[-1].lower()
    with application.resume.open("rb") as source:
        path = default_storage.save(private_path("employee-documents", ext), source)
    files.paths.append(path)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Resume (from the application)")
    return EmployeeDocument.objects.create(
        employee=employee,
        kind=DocumentKind.OTHER,
        title=title,
        file=path,
        original_name=application.resume_name[:120] or f"resume.{ext}",
        content_type=KNOWN_TYPES.get(ext, "application/octet-stream"),
        size=default_storage.size(path),
        sha256=application.resume_sha256,
        uploaded_by=actor,
    )


@transaction.atomic
def onboarding_checklist_create(*, employee: Employee, application: Application | None, start: date, actor) -> list:
    """The default tasks plus one per course required for the position or department (the
    employee is enrolled in each). Idempotent per task title."""
    from training.choices import EnrollmentSource
    from training.models import CourseRequirement
    from training.services import enroll

    rows = []
    with translation.override(settings.LANGUAGE_CODE):  # the checklist is written in the company's language
        for title, owner, kind, days in DEFAULT_TASKS:
            rows.append((_(title), owner, kind, start + timedelta(days=days), None))
        courses: dict[int, tuple] = {}
        ancestors = _department_ancestor_ids(employee)
        requirements = CourseRequirement.objects.filter(course__is_active=True).filter(
            Q(position_id=employee.position_id) | Q(department_id__in=ancestors)
        )
        for req in requirements.select_related("course").order_by("course__code"):
            due = req.due_date or start + timedelta(days=req.due_days_after_hire or 0)
            if req.course_id not in courses or due < courses[req.course_id][1]:
                courses[req.course_id] = (req.course, due)
        for course, due in courses.values():
            rows.append(
                (_(TRAINING_TASK) % {"course": course.title}, TaskOwner.EMPLOYEE, TaskKind.TRAINING, due, course)
            )
    created = []
    for title, owner, kind, due, course in rows:
        task, _made = OnboardingTask.objects.get_or_create(
            employee=employee,
            title=title[:200],
            defaults={"application": application, "owner": owner, "kind": kind, "due_on": due, "course": course},
        )
        if course is not None:
            enroll(employee=employee, course=course, source=EnrollmentSource.REQUIREMENT, actor=actor, due_date=due)
        created.append(task)
    return created


def _department_ancestor_ids(employee: Employee) -> list[int]:
    if not employee.department_id:
        return []
    path = employee.department.path or ""
    return [int(p) for p in path.strip("/").split("/") if p.isdigit()]


# ---------------------------------------------------------------------------------------------
# the welcome e-mail with the link to set a password


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.HRSUITE_BASE_URL + reverse("myonboarding:set_password", args=[uid, token])


def welcome_email(*, employee_id: int) -> bool:
    """E-mail the new employee their user name and a link to set their password (valid for
    PASSWORD_RESET_TIMEOUT; HR can send a new one from the onboarding page)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from hrsuite.core.context_processors import company_name

    employee = Employee.objects.select_related("user", "position").filter(pk=employee_id).first()
    if employee is None or employee.user is None or not employee.user.email:
        return False
    user = employee.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Welcome to %(company)s: set your password") % {"company": company_name()}
        body = render_to_string(
            "recruiting/onboarding/email_welcome.txt",
            {"employee": employee, "user": user, "url": set_password_url(user), "company": company_name()},
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError:
        log.exception("welcome e-mail for employee %s could not be sent", employee_id)
        return False
    return True


def welcome_resend(*, employee: Employee, actor) -> None:
    """HR sends a new set-password link (the first one expired or was lost)."""
    require_hr(actor)
    if employee.user_id is None:
        raise ValidationError(_("This employee has no login."), code="no_login")
    if employee.user.has_usable_password() and employee.user.last_login:
        raise ValidationError(_("%(name)s has already signed in.") % {"name": employee.name}, code="signed_in")
    transaction.on_commit(lambda: recruiting_tasks.send_welcome_email.delay(employee.pk, uuid.uuid4().hex))


# ---------------------------------------------------------------------------------------------
# ticking tasks


def may_tick(task: OnboardingTask, user) -> bool:
    """HR ticks HR tasks, the new hire's manager (or the requisition's hiring manager) the
    manager's, the new employee their own. Required-training tasks are never ticked by hand."""
    if task.kind == TaskKind.TRAINING or user is None or not user.is_authenticated:
        return False
    if task.owner == TaskOwner.HR:
        return bool(is_hr(user))
    employee = task.employee
    if task.owner == TaskOwner.EMPLOYEE:
        return employee.user_id == user.pk
    if task.owner == TaskOwner.MANAGER:
        me = scope_for(user).employee_id
        if me is None:
            return False
        if employee.manager_id == me:
            return True
        app = task.application
        return bool(app and app.posting.requisition.hiring_manager_id == me)
    return False


@transaction.atomic
def onboarding_task_set(*, task: OnboardingTask, done: bool, actor) -> OnboardingTask:
    locked = (
        OnboardingTask.objects.select_for_update(of=("self",))
        .select_related("employee", "application__posting__requisition")
        .get(pk=task.pk)
    )
    if locked.kind == TaskKind.TRAINING:
        raise ValidationError(
            _("A required-training task is done when the course is completed; it cannot be ticked by hand."),
            code="training",
        )
    if not may_tick(locked, actor):
        owner = locked.get_owner_display()
        raise PermissionDenied(_("Only the task's owner (%(owner)s) can tick this task.") % {"owner": owner})
    if done and locked.done_at is None:
        locked.done_at, locked.done_by = timezone.now(), actor
    elif not done:
        locked.done_at, locked.done_by = None, None
    locked.save(update_fields=["done_at", "done_by"])
    return locked


# ---------------------------------------------------------------------------------------------
# reads of the onboarding pages


def _completed_course():
    from training.choices import EnrollmentStatus
    from training.models import Enrollment

    return Exists(
        Enrollment.objects.filter(
            employee_id=OuterRef("employee_id"), course_id=OuterRef("course_id"), status=EnrollmentStatus.COMPLETED
        )
    )


def tasks_with_state(qs: QuerySet[OnboardingTask] | None = None) -> QuerySet[OnboardingTask]:
    """Tasks annotated with `course_done` (a training task's course completed)."""
    qs = qs if qs is not None else OnboardingTask.objects.all()
    return qs.annotate(course_done=_completed_course()).select_related("course", "done_by")


def task_is_done(task: OnboardingTask) -> bool:
    if task.kind == TaskKind.TRAINING:
        return bool(getattr(task, "course_done", False))
    return task.done_at is not None


def _task_count(extra: Q | None = None) -> Coalesce:
    tasks = OnboardingTask.objects.filter(employee=OuterRef("pk")).annotate(course_done=_completed_course())
    if extra is not None:
        tasks = tasks.filter(extra)
    counted = tasks.order_by().values("employee").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


DONE_Q = (~Q(kind=TaskKind.TRAINING) & Q(done_at__isnull=False)) | Q(kind=TaskKind.TRAINING, course_done=True)


def onboarding_employees_visible_to(user, today: date | None = None) -> QuerySet[Employee]:
    """Employees with an onboarding checklist that the user may follow, annotated with
    `tasks_total`, `tasks_done` and `tasks_overdue` (a constant number of queries)."""
    today = today or timezone.localdate()
    base = (
        Employee.objects.filter(Exists(OnboardingTask.objects.filter(employee=OuterRef("pk"))))
        .select_related("department", "position", "manager")
        .annotate(
            tasks_total=_task_count(),
            tasks_done=_task_count(DONE_Q),
            tasks_overdue=_task_count(~DONE_Q & Q(due_on__lt=today)),
        )
    )
    if is_hr(user):
        return base
    scope = scope_for(user)
    if not (scope.subtree_paths or scope.report_ids or scope.employee_id):
        return base.none()
    from .selectors import applications_visible_to

    followed = applications_visible_to(user).exclude(hired_employee=None).values("hired_employee")
    reach = Q(pk__in=followed)
    if scope.subtree_paths or scope.report_ids:
        reach |= scope.employees_q()
    return base.filter(reach).exclude(pk=scope.employee_id or 0)

"""Hiring an accepted offer: one employee and one login (who sets a password through the welcome
link and signs in), the resume kept, the requisition filled, the onboarding checklist with the
required training; refusals, and a failure mid-way leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from employees.models import Contract, Employee, EmployeeDocument
from hrsuite.notifications.models import Notification
from recruiting import services_onboarding
from recruiting.choices import OfferStatus, PostingStatus, RequisitionStatus, Stage, TaskKind, TaskOwner
from recruiting.models import OnboardingTask
from recruiting.services_offers import offer_approve, offer_create, offer_record_answer
from recruiting.services_onboarding import hire, set_password_url

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Xin-yuan-gong-2026!"


@pytest.fixture
def courses(hiring, org):
    from training.models import Course, CourseRequirement

    sec = Course.objects.create(code="SEC-101", title="信息安全意识培训", hours=Decimal("2"))
    ml = Course.objects.create(code="RISK-ML", title="机器学习在信用风险中的应用", hours=Decimal("12"))
    other = Course.objects.create(code="SALES-1", title="销售技巧", hours=Decimal("4"))
    CourseRequirement.objects.create(course=sec, department=org["hq"], due_days_after_hire=14)  # an ancestor
    CourseRequirement.objects.create(course=ml, position=hiring.position, due_days_after_hire=30)
    CourseRequirement.objects.create(course=other, department=org["b"], due_days_after_hire=30)  # not this one
    return {"sec": sec, "ml": ml, "other": other}


def accepted_offer(make_application, hiring, people, name="陈思远", email="chensiyuan@example.com", **extra):
    app = make_application(name=name, email=email, stage="offer", **extra)
    today = timezone.localdate()
    offer = offer_create(
        application=app,
        position=hiring.position,
        grade=None,
        monthly_salary=Decimal("32000"),
        start_date=today + timedelta(days=14),
        probation_months=3,
        respond_by=today + timedelta(days=7),
        actor=people["users"]["hr"],
    )
    offer_approve(offer=offer, actor=people["users"]["hr_admin"])
    offer_record_answer(offer=offer, accepted=True, actor=people["users"]["hr"])
    app.refresh_from_db()
    return app


def test_hire_creates_everything(make_application, hiring, people, courses, django_capture_on_commit_callbacks):
    app = accepted_offer(make_application, hiring, people)
    app.candidate.phone = "13912345678"
    app.candidate.save()
    users_before, employees_before = get_user_model().objects.count(), Employee.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        employee = hire(application=app, actor=people["users"]["hr"])
    assert get_user_model().objects.count() == users_before + 1
    assert Employee.objects.count() == employees_before + 1

    offer = app.offer
    assert employee.name == "陈思远" and employee.email == "chensiyuan@example.com" and employee.phone == "13912345678"
    assert employee.department == hiring.requisition.department and employee.position == hiring.position
    assert employee.hire_date == offer.start_date and employee.status == "probation"
    assert employee.manager == people["employees"]["manager"]
    assert employee.employee_no.startswith("E")
    contract = Contract.objects.get(employee=employee)
    assert contract.start_date == offer.start_date
    assert contract.probation_end == offer.start_date + relativedelta(months=3) - timedelta(days=1)
    assert contract.kind == "fixed_term" and contract.end_date == offer.start_date + relativedelta(years=3, days=-1)

    user = employee.user
    assert user.username == employee.employee_no.lower() and not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {"employee"}

    app.refresh_from_db()
    assert app.stage == Stage.HIRED and app.hired_employee == employee
    assert app.stage_changes.filter(to_stage=Stage.HIRED).count() == 1

    doc = EmployeeDocument.objects.get(employee=employee)
    assert doc.original_name == "简历.docx" and doc.file.name != app.resume.name
    with default_storage.open(doc.file.name, "rb") as copy, default_storage.open(app.resume.name, "rb") as kept:
        assert copy.read() == kept.read()
    assert default_storage.exists(app.resume.name)

    tasks = {t.title: t for t in OnboardingTask.objects.filter(employee=employee)}
    owners = sorted(t.owner for t in tasks.values())
    assert owners.count(TaskOwner.HR) == 2 and owners.count(TaskOwner.MANAGER) == 2
    training = [t for t in tasks.values() if t.kind == TaskKind.TRAINING]
    assert {t.course for t in training} == {courses["sec"], courses["ml"]}
    assert all(t.owner == TaskOwner.EMPLOYEE and t.application == app for t in training)
    sec_task = next(t for t in training if t.course == courses["sec"])
    assert sec_task.due_on == offer.start_date + timedelta(days=14)
    assert set(employee.enrollments.values_list("course__code", "status")) == {
        ("SEC-101", "enrolled"),
        ("RISK-ML", "enrolled"),
    }

    # HR, the hiring manager and the new employee are told; the new employee gets the link
    keys = Notification.objects.filter(key=f"hired:{employee.pk}").values_list("recipient__username", flat=True)
    assert {"hrstaff", "hradmin", "manager"} <= set(keys)
    assert Notification.objects.filter(recipient=user, key=f"welcome:{employee.pk}").exists()
    welcome = [m for m in mail.outbox if m.to == ["chensiyuan@example.com"] and "/me/onboarding/welcome/" in m.body]
    assert len(welcome) == 1 and user.username in welcome[0].body


def test_the_new_employee_sets_a_password_and_signs_in(make_application, hiring, people, client):
    app = accepted_offer(make_application, hiring, people)
    employee = hire(application=app, actor=people["users"]["hr"])
    url = set_password_url(employee.user).removeprefix("http://127.0.0.1:8000")
    form_page = client.get(url, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert done.status_code == 200 and done.request["PATH_INFO"] == reverse("accounts:login")
    signed_in = client.post(
        reverse("accounts:login"), {"username": employee.user.username, "password": NEW_PASSWORD}, follow=True
    )
    assert signed_in.context["user"].is_authenticated and signed_in.context["user"].pk == employee.user_id
    page = client.get(reverse("myonboarding:list"))
    assert page.status_code == 200 and len(page.context["mine"]) >= 1
    # the link works once
    again = client.get(url, follow=True)
    assert not again.context["validlink"]


def test_requisition_filled_when_headcount_reached(make_application, hiring, people):
    assert hiring.requisition.headcount == 2
    first = accepted_offer(make_application, hiring, people)
    hire(application=first, actor=people["users"]["hr"])
    hiring.requisition.refresh_from_db()
    assert hiring.requisition.status == RequisitionStatus.APPROVED
    second = accepted_offer(make_application, hiring, people, name="王芳", email="wangfang@example.com")
    hire(application=second, actor=people["users"]["hr"])
    hiring.requisition.refresh_from_db()
    hiring.posting.refresh_from_db()
    assert hiring.requisition.status == RequisitionStatus.FILLED
    assert hiring.posting.status == PostingStatus.CLOSED
    numbers = sorted(Employee.objects.filter(employee_no__startswith="E").values_list("employee_no", flat=True))
    assert len(set(numbers)) == 2


def test_hiring_twice_is_refused(make_application, hiring, people):
    app = accepted_offer(make_application, hiring, people)
    hire(application=app, actor=people["users"]["hr"])
    count = Employee.objects.count()
    with pytest.raises(ValidationError) as exc:
        hire(application=app, actor=people["users"]["hr"])
    assert exc.value.code == "already_hired"
    assert Employee.objects.count() == count


@pytest.mark.parametrize("status", ["draft", "approved", "withdrawn"])
def test_hire_needs_an_accepted_offer(make_application, hiring, people, status):
    app = accepted_offer(make_application, hiring, people)
    app.offer.status = status
    app.offer.save()
    with pytest.raises(ValidationError) as exc:
        hire(application=app, actor=people["users"]["hr"])
    assert exc.value.code == "no_offer"


def test_failure_midway_leaves_nothing(make_application, hiring, people, courses, monkeypatch, tmp_path):
    app = accepted_offer(make_application, hiring, people)
    clash = people["employees"]["employee"].employee_no
    monkeypatch.setattr(services_onboarding, "next_employee_no", lambda: clash)  # an employee-number clash
    users, employees = get_user_model().objects.count(), Employee.objects.count()
    with pytest.raises(ValidationError) as exc:
        hire(application=app, actor=people["users"]["hr"])
    assert "employee_no" in exc.value.message_dict
    assert get_user_model().objects.count() == users and Employee.objects.count() == employees
    assert not OnboardingTask.objects.exists() and not EmployeeDocument.objects.exists()
    app.refresh_from_db()
    assert app.stage == Stage.OFFER and app.hired_employee is None and app.offer.status == OfferStatus.ACCEPTED


def test_failure_after_the_resume_copy_deletes_the_file(make_application, hiring, people, monkeypatch, settings):
    app = accepted_offer(make_application, hiring, people)
    original = services_onboarding._keep_resume

    def keep_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise ValidationError("boom")

    monkeypatch.setattr(services_onboarding, "_keep_resume", keep_then_fail)
    with pytest.raises(ValidationError):
        hire(application=app, actor=people["users"]["hr"])
    stored = list((settings.MEDIA_ROOT / "employee-documents").rglob("*.*"))
    assert stored == [] and not EmployeeDocument.objects.exists()


def test_hire_button(make_application, hiring, people, client_for):
    app = accepted_offer(make_application, hiring, people)
    assert client_for("manager").post(reverse("recruiting:offer_hire", args=[app.offer.pk])).status_code == 403
    response = client_for("hr").post(reverse("recruiting:offer_hire", args=[app.offer.pk]))
    employee = Employee.objects.get(user__email="chensiyuan@example.com")
    assert response.status_code == 302
    assert response.url == reverse("recruiting:onboarding_detail", args=[employee.pk])
    again = client_for("hr").post(reverse("recruiting:offer_hire", args=[app.offer.pk]), follow=True)
    assert any(m.level_tag == "error" for m in again.context["messages"])

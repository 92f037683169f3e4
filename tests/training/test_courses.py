"""Courses and enrolments: services, pages and the employee's own training."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from training import services
from training.choices import EnrollmentSource, EnrollmentStatus
from training.models import Course, CourseRequirement, CourseSession, Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return Course.objects.create(code="AML-101", title="反洗钱基础", hours=Decimal("4"), mode="online")


@pytest.fixture
def classroom(db):
    c = Course.objects.create(code="ONB", title="新员工入职培训", hours=Decimal("8"), mode="offline")
    start = timezone.now() + timedelta(days=7)
    CourseSession.objects.create(
        course=c, starts_at=start, ends_at=start + timedelta(hours=8), capacity=1, place="3楼培训室"
    )
    return c


def test_enrolling_twice_returns_the_same_enrolment(course, people):
    e = people["employees"]["employee"]
    first = services.enroll(employee=e, course=course, source=EnrollmentSource.HR)
    second = services.enroll(employee=e, course=course, source=EnrollmentSource.SELF)
    assert first == second
    assert Enrollment.objects.filter(employee=e, course=course).count() == 1


def test_self_enrolment_only_for_open_courses(course, people):
    course.self_enrol = False
    course.save()
    with pytest.raises(ValidationError):
        services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.SELF)
    services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR)


def test_a_full_session_refuses_more_people(classroom, people):
    session = classroom.sessions.get()
    services.enroll(
        employee=people["employees"]["employee"], course=classroom, source=EnrollmentSource.HR, session=session
    )
    with pytest.raises(ValidationError, match="1"):
        services.enroll(
            employee=people["employees"]["other_employee"],
            course=classroom,
            source=EnrollmentSource.HR,
            session=session,
        )


def test_completion_credits_hours_once(course, people):
    enrollment = services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR)
    services.enrollment_complete(enrollment=enrollment)
    services.enrollment_complete(enrollment=enrollment)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.hours == Decimal("4.0")
    with pytest.raises(ValidationError):
        services.enrollment_close(enrollment=enrollment, status=EnrollmentStatus.NO_SHOW)


def test_required_enrollments_are_idempotent_with_due_dates(course, people, org):
    today = date(2026, 11, 24)
    CourseRequirement.objects.create(course=course, department=org["a"], due_days_after_hire=30)
    first = services.required_enrollments(today=today)
    assert first == 3  # manager, employee, teammember in A and its sub-team
    assert services.required_enrollments(today=today) == 0
    due = Enrollment.objects.get(employee=people["employees"]["employee"], course=course).due_date
    assert due == today + timedelta(days=30)  # hired before the requirement existed: 30 days from today


def test_completed_course_is_not_required_again(course, people, org):
    CourseRequirement.objects.create(course=course, department=org["a"], due_date=date(2026, 12, 31))
    e = services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR)
    services.enrollment_complete(enrollment=e)
    services.required_enrollments(today=date(2026, 11, 24))
    assert Enrollment.objects.filter(employee=people["employees"]["employee"], course=course).count() == 1


def test_passing_the_exam_completes_the_course(course, people):
    from exams.models import Exam, ExamAttempt, QuestionBank
    from exams.signals import attempt_graded

    bank = QuestionBank.objects.create(name="反洗钱题库")
    exam = Exam.objects.create(title="反洗钱考试", bank=bank, question_count=1, time_limit_minutes=20)
    course.exam = exam
    course.save()
    enrollment = services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR)
    now = timezone.now()
    attempt = ExamAttempt.objects.create(
        exam=exam,
        employee=people["employees"]["employee"],
        started_at=now,
        deadline=now,
        submitted_at=now,
        status="submitted",
        score=90,
        passed=True,
    )
    attempt_graded.send(sender=ExamAttempt, attempt=attempt)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_course_pages_are_for_hr(client_for, course, role):
    assert client_for(role).get(reverse("training:courses")).status_code == 403
    assert client_for(role).get(reverse("training:course_detail", args=[course.pk])).status_code == 403


def test_hr_creates_a_course_and_enrols_a_department(client_for, org, people):
    client = client_for("hr")
    response = client.post(
        reverse("training:course_create"),
        {"code": "SEC", "title": "信息安全意识", "mode": "online", "hours": "2", "self_enrol": "on", "is_active": "on"},
    )
    course = Course.objects.get(code="SEC")
    assert response["Location"] == reverse("training:course_detail", args=[course.pk])
    client.post(reverse("training:enroll", args=[course.pk]), {"departments": [org["b"].pk]})
    assert set(Enrollment.objects.filter(course=course).values_list("employee__name", flat=True)) == {
        "othermanager",
        "other",
    }
    page = client.get(reverse("training:course_detail", args=[course.pk]))
    assert page.status_code == 200 and "信息安全意识" in page.text


def test_manager_enrols_only_their_team(client_for, course, people):
    client = client_for("manager")
    assert client.get(reverse("training:team")).status_code == 200
    client.post(
        reverse("training:team_enroll"), {"course": course.pk, "employees": [people["employees"]["other_employee"].pk]}
    )
    assert not Enrollment.objects.filter(employee=people["employees"]["other_employee"]).exists()
    client.post(
        reverse("training:team_enroll"), {"course": course.pk, "employees": [people["employees"]["employee"].pk]}
    )
    assert Enrollment.objects.filter(employee=people["employees"]["employee"], source=EnrollmentSource.MANAGER).exists()
    assert client_for("employee").get(reverse("training:team")).status_code == 403


def test_my_training_shows_own_and_self_enrols(client_for, course, people):
    client = client_for("employee")
    page = client.get(reverse("mytraining:home"))
    assert course in page.context["catalogue"]
    client.post(reverse("mytraining:enroll", args=[course.pk]))
    page = client.get(reverse("mytraining:home"))
    assert [e.course for e in page.context["open"]] == [course]
    services.enroll(employee=people["employees"]["other_employee"], course=course, source=EnrollmentSource.HR)
    assert len(page.context["open"]) == 1  # nobody else's


def test_overdue_required_course_is_highlighted(client_for, course, people):
    services.enroll(
        employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR, due_date=date(2020, 1, 1)
    )
    page = client_for("employee").get(reverse("mytraining:home"))
    assert "table-danger" in page.text


def test_material_download_needs_enrolment(client_for, course, people, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    material = services.material_add(
        course=course, title="讲义", upload=SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    url = reverse("training:material_download", args=[material.pk])
    assert client_for("employee").get(url).status_code == 404
    services.enroll(employee=people["employees"]["employee"], course=course, source=EnrollmentSource.HR)
    assert client_for("employee").get(url).status_code == 200
    assert client_for("hr").get(url).status_code == 200

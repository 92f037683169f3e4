"""The training demo: believable courses, an exam with attempts, surveys and certificates of
which some expire soon; the demo employee has a required course with an open exam."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from exams.models import ExamAttempt
from surveys.models import Survey
from training import demo
from training.compliance import certificate_status
from training.models import Course, EmployeeCertificate, Enrollment

pytestmark = pytest.mark.django_db


def test_training_demo_is_believable_and_idempotent():
    call_command("seed_demo", employees=60)
    first = (Course.objects.count(), Enrollment.objects.count(), EmployeeCertificate.objects.count())
    assert first[0] == 8 and first[1] > 100 and first[2] > 20
    assert demo.seed() == {"skipped": "training demo data exists"}
    assert (Course.objects.count(), Enrollment.objects.count(), EmployeeCertificate.objects.count()) == first
    assert ExamAttempt.objects.filter(passed=True).exists() and ExamAttempt.objects.filter(passed=False).exists()
    assert Survey.objects.count() >= 2

    today = timezone.localdate()
    statuses = {certificate_status(c.expires_on, today) for c in EmployeeCertificate.objects.all()}
    assert {"valid", "expiring", "expired"} <= {str(s) for s in statuses}

    mine = Enrollment.objects.get(employee__user__username="employee", course__code="AML-101")
    assert mine.status == "enrolled" and mine.due_date > today
    assert not ExamAttempt.objects.filter(employee__user__username="employee").exists()

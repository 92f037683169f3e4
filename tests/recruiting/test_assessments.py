"""Online assessments by private link: the invitation (token stored only as a hash, expiry,
resend), the public pages (start once, 404 unknown, 410 expired / used / closed), the exam
engine's time limit, and the score landing on the application."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from exams.models import AttemptStatus, ExamAttempt
from recruiting import services_assessments as sa
from recruiting.models import Application, AssessmentInvite
from recruiting.services_pipeline import application_move, application_reject

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment_exam(db):
    """风控测评: three single-choice questions of one point, 30 minutes, one attempt."""
    from exams.models import Exam, QuestionBank
    from tests.exams.conftest import add_question

    bank = QuestionBank.objects.create(name="风控测评题库")
    add_question(bank, "single", "逾期90天以上的贷款通常归为？", [("正常类", False), ("不良贷款", True)])
    add_question(bank, "single", "KS值衡量的是？", [("模型区分能力", True), ("模型运行速度", False)])
    add_question(bank, "true_false", "反欺诈模型需要持续监控。", [("正确", True), ("错误", False)])
    return Exam.objects.create(
        title="风控建模测评", bank=bank, question_count=3, time_limit_minutes=30, pass_mark=60, attempts_allowed=1
    )


@pytest.fixture
def at_assessment(hiring, make_application, assessment_exam):
    hiring.posting.assessment = assessment_exam
    hiring.posting.assessment_days = 5
    hiring.posting.save()
    return make_application(stage="assessment")


def send(app, people, capture):
    with capture(execute=True):
        return sa.invite_send(application=app, actor=people["users"]["hr"])


def answer_all(attempt, *, right=True) -> dict:
    data = {}
    for item in attempt.paper:
        picks = item["correct"] if right else [c for c in item["choices"] if c not in item["correct"]][:1]
        data[f"q{item['question']}"] = [str(c) for c in picks]
    return data


# --- the invitation --------------------------------------------------------------------------


def test_invite_stores_only_the_hash_and_mails_the_link(
    at_assessment, people, mailoutbox, django_capture_on_commit_callbacks
):
    invite = send(at_assessment, people, django_capture_on_commit_callbacks)
    token = invite.token
    assert len(token) >= 43  # 32 random bytes
    stored = AssessmentInvite.objects.get(pk=invite.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(AssessmentInvite.objects.filter(pk=invite.pk).values().get())
    assert abs(stored.expires_at - (timezone.now() + timedelta(days=5))) < timedelta(minutes=1)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["zhangwei@example.com"]
    assert f"/careers/assessment/{token}/" in mail.body
    assert mail.body.count("http") == 1 and "张伟" in mail.body


def test_resend_closes_the_earlier_link(at_assessment, people, mailoutbox, django_capture_on_commit_callbacks):
    first = send(at_assessment, people, django_capture_on_commit_callbacks)
    second = send(at_assessment, people, django_capture_on_commit_callbacks)
    first_row = AssessmentInvite.objects.get(pk=first.pk)
    assert first_row.expires_at <= timezone.now()
    assert sa.invite_problem(first_row, timezone.now()).code == "expired"
    assert sa.invite_problem(AssessmentInvite.objects.get(pk=second.pk), timezone.now()) is None
    assert len(mailoutbox) == 2
    assert first.token != second.token


def test_invite_refused_without_exam_or_at_another_stage(hiring, make_application, people, assessment_exam):
    hr = people["users"]["hr"]
    app = make_application(stage="assessment")
    with pytest.raises(ValidationError) as exc:
        sa.invite_send(application=app, actor=hr)
    assert exc.value.code == "no_exam"
    hiring.posting.assessment = assessment_exam
    hiring.posting.save()
    other = make_application(name="李娜", email="lina@example.com", stage="screening")
    with pytest.raises(ValidationError) as exc:
        sa.invite_send(application=other, actor=hr)
    assert exc.value.code == "stage"
    with pytest.raises(PermissionDenied):
        sa.invite_send(application=app, actor=people["users"]["manager"])
    assert not AssessmentInvite.objects.exists()


def test_move_to_assessment_sends_the_invitation(
    hiring, make_application, assessment_exam, people, mailoutbox, django_capture_on_commit_callbacks
):
    hiring.posting.assessment = assessment_exam
    hiring.posting.save()
    app = make_application(stage="screening")
    with django_capture_on_commit_callbacks(execute=True):
        application_move(application=app, to="assessment", actor=people["users"]["hr"])
    assert AssessmentInvite.objects.filter(application=app, exam=assessment_exam).count() == 1
    assert len(mailoutbox) == 1 and "/careers/assessment/" in mailoutbox[0].body


# --- the public pages ------------------------------------------------------------------------


def test_candidate_takes_the_assessment_once_and_the_score_lands(
    at_assessment, people, client, django_capture_on_commit_callbacks
):
    from hrsuite.notifications.models import Notification

    token = send(at_assessment, people, django_capture_on_commit_callbacks).token
    intro = client.get(reverse("assessment:intro", args=[token]))
    assert intro.status_code == 200
    body = intro.content.decode()
    assert "风控建模测评" in body and 'data-testid="question-count">3<' in body
    assert intro["Referrer-Policy"] == "same-origin"
    assert "hrstaff" not in body and "manager" not in body  # no internal names

    started = client.post(reverse("assessment:intro", args=[token]))
    assert started.status_code == 302 and started["Location"] == reverse("assessment:take", args=[token])
    take = client.get(reverse("assessment:take", args=[token]))
    assert take.status_code == 200
    page = take.content.decode()
    assert "data-exam-timer" in page and "exam-take.js" in page
    assert reverse("assessment:autosave", args=[token]) in page

    invite = AssessmentInvite.objects.select_related("attempt").get(application=at_assessment)
    attempt = invite.attempt
    assert attempt.employee is None and attempt.taker_label == "张伟"
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)

    saved = client.post(reverse("assessment:autosave", args=[token]), answer_all(attempt))
    assert saved.status_code == 200
    attempt.refresh_from_db()
    assert len(attempt.answers) == 3

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("assessment:submit", args=[token]), answer_all(attempt))
    assert done.status_code == 302 and done["Location"] == reverse("assessment:done", args=[token])
    final = client.get(done["Location"])
    assert final.status_code == 200
    assert "100" not in re.sub(r"<[^>]+>", "", final.content.decode())  # the score is not shown

    invite.refresh_from_db()
    at_assessment.refresh_from_db()
    assert invite.used_at is not None
    assert at_assessment.assessment_score == Decimal("100.00")
    hr_notes = Notification.objects.filter(recipient=people["users"]["hr"], key=f"assessment-done:{invite.pk}")
    assert hr_notes.count() == 1

    # the link works once: every page now says it was used (410), the done page stays readable
    for name in ("intro", "take"):
        assert client.get(reverse(f"assessment:{name}", args=[token])).status_code == 410
    again = client.post(reverse("assessment:intro", args=[token]))
    assert again.status_code == 410
    assert ExamAttempt.objects.count() == 1
    assert client.get(reverse("assessment:done", args=[token])).status_code == 200


def test_unknown_expired_and_closed_links(at_assessment, hiring, people, client, django_capture_on_commit_callbacks):
    token = send(at_assessment, people, django_capture_on_commit_callbacks).token
    assert client.get(reverse("assessment:intro", args=["x" * 43])).status_code == 404
    assert client.get(reverse("assessment:intro", args=[token[:-1]])).status_code == 404

    AssessmentInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(reverse("assessment:intro", args=[token]))
    assert expired.status_code == 410
    assert client.post(reverse("assessment:intro", args=[token])).status_code == 410
    assert not ExamAttempt.objects.exists()

    # a rejected application's link is closed (without saying why)
    AssessmentInvite.objects.update(expires_at=timezone.now() + timedelta(days=1))
    application_reject(
        application=at_assessment, reason="岗位已招满", notify_candidate=False, actor=people["users"]["hr"]
    )
    closed = client.get(reverse("assessment:intro", args=[token]))
    assert closed.status_code == 410
    assert "岗位已招满" not in closed.content.decode()


@pytest.mark.usefixtures("english")
def test_refusal_pages_speak_plainly(at_assessment, people, client, django_capture_on_commit_callbacks):
    token = send(at_assessment, people, django_capture_on_commit_callbacks).token
    AssessmentInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "has expired" in client.get(reverse("assessment:intro", args=[token])).content.decode()
    assert "not valid" in client.get(reverse("assessment:intro", args=["nope"])).content.decode()


def test_time_limit_is_enforced_by_the_exam_engine(at_assessment, people, client, django_capture_on_commit_callbacks):
    token = send(at_assessment, people, django_capture_on_commit_callbacks).token
    client.post(reverse("assessment:intro", args=[token]))
    invite = AssessmentInvite.objects.select_related("attempt").get(application=at_assessment)
    attempt = invite.attempt
    client.post(reverse("assessment:autosave", args=[token]), answer_all(attempt, right=False))
    # the deadline passed long ago: late answers are refused, the saved ones are graded
    ExamAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=40), deadline=timezone.now() - timedelta(minutes=10)
    )
    refused = client.post(reverse("assessment:autosave", args=[token]), answer_all(attempt))
    assert refused.status_code in (200, 204)
    response = client.post(reverse("assessment:submit", args=[token]), answer_all(attempt))
    assert response.status_code == 302
    attempt.refresh_from_db()
    invite.refresh_from_db()
    at_assessment.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == Decimal("0.00")
    assert invite.used_at is not None and at_assessment.assessment_score == Decimal("0.00")


def test_expired_attempt_is_recorded_by_the_sync(at_assessment, people, django_capture_on_commit_callbacks):
    invite = send(at_assessment, people, django_capture_on_commit_callbacks)
    attempt = sa.invite_start(invite=sa.invite_for_token(invite.token), now=timezone.now())
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    # the sync expires the attempt (exams job); the attempt_graded receiver records the result
    sa.results_sync(now=timezone.now())
    assert sa.results_sync(now=timezone.now()) == 0  # idempotent
    invite = AssessmentInvite.objects.get(pk=invite.pk)
    assert invite.used_at is not None
    at_assessment.refresh_from_db()
    assert at_assessment.assessment_score == Decimal("0.00")


def test_the_link_stops_when_the_application_moves_on(
    at_assessment, people, client, django_capture_on_commit_callbacks
):
    token = send(at_assessment, people, django_capture_on_commit_callbacks).token
    application_move(application=at_assessment, to="interview", actor=people["users"]["hr"])
    assert client.get(reverse("assessment:intro", args=[token])).status_code == 410
    assert Application.objects.get(pk=at_assessment.pk).assessment_score is None

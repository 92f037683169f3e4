"""The pipeline: every allowed move through the service, refusals that save nothing, the
rejection (reason, optional e-mail), notes; the application page and the board per role, their
htmx moves and query budgets; the audited, scoped resume download."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hrsuite.audit.models import AuditEntry, AuditEvent
from recruiting.choices import Stage
from recruiting.models import Application, StageChange
from recruiting.services import StageRefused
from recruiting.services_pipeline import application_move, application_note_add, application_reject
from recruiting.workflows import TRANSITIONS

pytestmark = pytest.mark.django_db

ALLOWED = [(f, t) for f, targets in TRANSITIONS.items() for t in targets if t not in (Stage.HIRED, Stage.REJECTED)]
REFUSED = [
    (f, t) for f in Stage.values for t in Stage.values if t not in TRANSITIONS[f] and t != Stage.REJECTED and f != t
]


def detail_url(app):
    return reverse("recruiting:application_detail", args=[app.pk])


def board_url(posting):
    return reverse("recruiting:board", args=[posting.pk])


# --- services --------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_move_works_and_is_recorded(make_application, people, source, target):
    hr = people["users"]["hr"]
    app = make_application(stage=source)
    before = app.stage_changed_at
    application_move(application=app, to=target, actor=hr, note="符合要求")
    app.refresh_from_db()
    assert app.stage == target and app.stage_changed_at > before
    change = StageChange.objects.filter(application=app).latest("at", "pk")
    assert (change.from_stage, change.to_stage, change.actor, change.note) == (source, target, hr, "符合要求")
    assert change.at is not None


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_a_move_not_in_the_table_is_refused_and_saves_nothing(make_application, people, source, target):
    app = make_application(stage=source)
    changes = StageChange.objects.count()
    with pytest.raises(StageRefused):
        application_move(application=app, to=target, actor=people["users"]["hr"])
    app.refresh_from_db()
    assert app.stage == source and StageChange.objects.count() == changes


def test_hiring_is_not_a_board_move(make_application, people):
    app = make_application(stage="offer")
    with pytest.raises(StageRefused) as exc:
        application_move(application=app, to="hired", actor=people["users"]["hr"])
    assert exc.value.code == "hire"
    assert Application.objects.get(pk=app.pk).stage == "offer"


@pytest.mark.parametrize("role", ["manager", "employee", "other_manager"])
def test_only_hr_moves(make_application, people, role):
    app = make_application(stage="applied")
    with pytest.raises(PermissionDenied):
        application_move(application=app, to="screening", actor=people["users"][role])
    with pytest.raises(PermissionDenied):
        application_reject(application=app, reason="x", notify_candidate=False, actor=people["users"][role])
    assert Application.objects.get(pk=app.pk).stage == "applied"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(make_application, people, mailoutbox, django_capture_on_commit_callbacks, reason):
    app = make_application(stage="screening")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(StageRefused) as exc:
        application_reject(application=app, reason=reason, notify_candidate=True, actor=people["users"]["hr"])
    assert exc.value.code == "reason_required"
    app.refresh_from_db()
    assert app.stage == "screening" and app.rejection_reason == ""
    assert StageChange.objects.filter(application=app, to_stage="rejected").count() == 0
    assert mailoutbox == []


def test_rejection_emails_the_candidate_once_when_asked(
    make_application, people, mailoutbox, django_capture_on_commit_callbacks
):
    app = make_application(stage="interview")
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(application=app, reason="经验不足", notify_candidate=True, actor=people["users"]["hr"])
    app.refresh_from_db()
    assert app.stage == "rejected" and app.rejection_reason == "经验不足"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["zhangwei@example.com"] and "张伟" in mail.body and "风控建模工程师" in mail.body
    assert "经验不足" not in mail.body  # the internal reason stays internal
    # a duplicated task sends nothing more
    from recruiting.tasks import send_rejection_email

    assert send_rejection_email.delay(app.pk).get() is False
    assert len(mailoutbox) == 1


def test_rejection_without_email(make_application, people, mailoutbox, django_capture_on_commit_callbacks):
    app = make_application(stage="applied")
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(application=app, reason="不符合", notify_candidate=False, actor=people["users"]["hr"])
    assert Application.objects.get(pk=app.pk).stage == "rejected"
    assert mailoutbox == []


def test_notes(make_application, people):
    app = make_application(stage="screening")
    with pytest.raises(ValidationError):
        application_note_add(application=app, note="  ", actor=people["users"]["hr"])
    with pytest.raises(PermissionDenied):
        application_note_add(application=app, note="好", actor=people["users"]["manager"])
    note = application_note_add(application=app, note="电话沟通顺利", actor=people["users"]["hr"])
    assert (note.from_stage, note.to_stage, note.actor, note.note) == (
        "screening",
        "screening",
        people["users"]["hr"],
        "电话沟通顺利",
    )
    assert Application.objects.get(pk=app.pk).stage == "screening"


# --- the application page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("hr", 200), ("hr_admin", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), ("payroll", 403)],
)
def test_detail_permissions(make_application, client_for, role, status):
    app = make_application(stage="screening")
    assert client_for(role).get(detail_url(app)).status_code == status


def test_detail_anonymous_goes_to_login(make_application, client_for):
    app = make_application()
    response = client_for(None).get(detail_url(app))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_detail_shows_the_candidate_the_highlighted_resume_and_hr_actions(make_application, client_for):
    app = make_application(stage="screening")
    app.candidate.phone = "13800138000"
    app.candidate.save()
    body = client_for("hr").get(detail_url(app)).content.decode()
    assert "zhangwei@example.com" in body and "13800138000" in body
    assert '<mark class="kw">机器学习</mark>' in body and '<mark class="kw">金融风控</mark>' in body
    assert 'data-testid="move-form"' in body and 'data-testid="reject-form"' in body
    assert 'value="assessment"' in body and 'value="interview"' in body
    assert 'value="hired"' not in body
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW, object_pk=str(app.pk)).exists()


def test_manager_reads_without_actions(make_application, client_for):
    app = make_application(stage="offer")
    body = client_for("manager").get(detail_url(app)).content.decode()
    assert "zhangwei@example.com" in body
    assert 'data-testid="move-form"' not in body and 'data-testid="reject-form"' not in body
    assert (
        client_for("manager")
        .post(reverse("recruiting:application_move", args=[app.pk]), {"to": "interview"})
        .status_code
        == 403
    )
    assert Application.objects.get(pk=app.pk).stage == "offer"


def test_detail_timeline_lists_moves_with_who(make_application, people, client_for):
    app = make_application(stage="screening")
    application_move(application=app, to="interview", actor=people["users"]["hr"], note="跳过测评")
    body = client_for("hr").get(detail_url(app)).content.decode()
    assert body.count('data-testid="stage-change"') == 3
    assert "跳过测评" in body and "hrstaff" in body


def test_move_reject_and_note_views(make_application, client_for, mailoutbox, django_capture_on_commit_callbacks):
    app = make_application(stage="applied")
    hr = client_for("hr")
    assert hr.post(reverse("recruiting:application_move", args=[app.pk]), {"to": "screening"}).status_code == 302
    assert Application.objects.get(pk=app.pk).stage == "screening"
    # a refused move: a message, nothing changed
    response = hr.post(reverse("recruiting:application_move", args=[app.pk]), {"to": "offer"}, follow=True)
    assert Application.objects.get(pk=app.pk).stage == "screening"
    assert any(m.level_tag == "error" for m in response.context["messages"])
    hr.post(reverse("recruiting:application_note", args=[app.pk]), {"note": "已电话沟通"})
    assert StageChange.objects.filter(application=app, note="已电话沟通").exists()
    # rejection without a reason: refused
    hr.post(reverse("recruiting:application_reject", args=[app.pk]), {"reason": "", "notify_candidate": "on"})
    assert Application.objects.get(pk=app.pk).stage == "screening"
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(
            reverse("recruiting:application_reject", args=[app.pk]), {"reason": "经验不足", "notify_candidate": "on"}
        )
    assert Application.objects.get(pk=app.pk).stage == "rejected"
    assert len(mailoutbox) == 1


def _detail_queries(client, app) -> int:
    client.get(detail_url(app))  # warm the per-user caches (roles, scope)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(detail_url(app)).status_code == 200
    return len(ctx.captured_queries)


def test_detail_query_budget(make_application, people, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from recruiting.services_interviews import interview_schedule, scorecard_submit

    hr_user, hr = people["users"]["hr"], client_for("hr")
    app = make_application(stage="interview")
    interviewers = [people["employees"][k] for k in ("manager", "employee", "hr", "other_manager")]

    def add(i, with_cards):
        application_note_add(application=app, note=f"备注{i}", actor=hr_user)
        iv = interview_schedule(
            application=app,
            starts_at=timezone.now() + timedelta(days=1 + i),
            duration_minutes=60,
            kind="onsite",
            location="上海",
            interviewers=interviewers[: with_cards + 1],
            actor=hr_user,
        )
        type(iv).objects.filter(pk=iv.pk).update(starts_at=timezone.now() - timedelta(hours=1))
        for e in interviewers[:with_cards]:
            scorecard_submit(
                interview=iv,
                interviewer=e,
                ratings=dict.fromkeys(["skills", "communication", "problem_solving", "teamwork", "fit"], 4),
                recommendation="yes",
            )

    add(0, 1)
    small = _detail_queries(hr, app)
    for i in range(1, 5):
        add(i, 3)
    large = _detail_queries(hr, app)
    assert large == small
    assert large <= 25


# --- resume ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("hr", 200), ("manager", 200), ("other_manager", 404), ("employee", 403)])
def test_resume_download_is_scoped_and_audited(make_application, client_for, role, status):
    app = make_application()
    response = client_for(role).get(reverse("recruiting:resume_download", args=[app.pk]))
    assert response.status_code == status
    audited = AuditEntry.objects.filter(event=AuditEvent.DOWNLOAD, object_pk=str(app.pk))
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert "%E7%AE%80%E5%8E%86.docx" in response["Content-Disposition"]  # 简历.docx
        assert b"".join(response.streaming_content)[:2] == b"PK"
        assert audited.count() == 1 and audited.get().additional_data["what"] == "resume"
    else:
        assert not audited.exists()


# --- the board -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("hr", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), (None, 302)]
)
def test_board_permissions(hiring, make_application, client_for, role, status):
    make_application()
    assert client_for(role).get(board_url(hiring.posting)).status_code == status


def test_board_columns_and_cards(hiring, make_application, client_for):
    make_application(stage="screening")
    make_application(name="李娜", email="lina@example.com", text="熟悉 Java", stage="applied")
    make_application(name="王强", email="wq@example.com", stage="rejected")
    make_application(name="赵敏", email="zm@example.com", stage="hired")
    body = client_for("hr").get(board_url(hiring.posting)).content.decode()
    for stage in ("applied", "screening", "assessment", "interview", "offer", "hired", "rejected"):
        assert f'data-testid="count-{stage}"' in body
    assert 'data-testid="count-rejected">1<' in body and 'data-testid="count-hired">1<' in body
    assert "张伟" in body and "李娜" in body and "王强" not in body  # closed columns show counts only
    assert body.count("bi-flag-fill") == 1  # 李娜 misses the must-have 机器学习
    assert 'hx-post="' in body and '<option value="hired"' not in body
    manager_body = client_for("manager").get(board_url(hiring.posting)).content.decode()
    assert "张伟" in manager_body and "hx-post=" not in manager_body


def test_board_move_by_htmx(hiring, make_application, client_for, people):
    app = make_application(stage="screening")
    url = reverse("recruiting:board_move", args=[hiring.posting.pk, app.pk])
    hr = client_for("hr")
    response = hr.post(url, {"to": "interview", "note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board"') and "<html" not in body
    assert 'data-testid="board-message"' in body and "alert-success" in body
    assert Application.objects.get(pk=app.pk).stage == "interview"
    change = StageChange.objects.filter(application=app).latest("at", "pk")
    assert change.actor == people["users"]["hr"] and change.to_stage == "interview"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "offer"}, "cannot move from"),
        ({"to": "rejected", "note": ""}, "Give a reason"),
        ({"to": "hired"}, "hired by recording"),
    ],
)
def test_board_refusals_change_nothing(hiring, make_application, client_for, data, message):
    app = make_application(stage="applied")
    changes = StageChange.objects.count()
    url = reverse("recruiting:board_move", args=[hiring.posting.pk, app.pk])
    response = client_for("hr").post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "alert-danger" in body and message in body
    assert Application.objects.get(pk=app.pk).stage == "applied"
    assert StageChange.objects.count() == changes


def test_board_rejection_with_reason(hiring, make_application, client_for, mailoutbox):
    app = make_application(stage="applied")
    url = reverse("recruiting:board_move", args=[hiring.posting.pk, app.pk])
    client_for("hr").post(url, {"to": "rejected", "note": "不符合岗位要求"}, HTTP_HX_REQUEST="true")
    app.refresh_from_db()
    assert app.stage == "rejected" and app.rejection_reason == "不符合岗位要求"
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["manager", "employee", "other_manager"])
def test_board_move_needs_hr(hiring, make_application, client_for, role):
    app = make_application(stage="applied")
    url = reverse("recruiting:board_move", args=[hiring.posting.pk, app.pk])
    assert client_for(role).post(url, {"to": "screening"}, HTTP_HX_REQUEST="true").status_code == 403
    assert Application.objects.get(pk=app.pk).stage == "applied"


def test_board_move_of_an_application_of_another_posting_is_404(hiring, make_application, client_for, people):
    from recruiting.models import JobPosting

    other = JobPosting.objects.create(
        requisition=hiring.requisition, title="数据分析师", description="…", created_by=people["users"]["hr"]
    )
    app = make_application(stage="applied", posting=other)
    url = reverse("recruiting:board_move", args=[hiring.posting.pk, app.pk])
    assert client_for("hr").post(url, {"to": "screening"}).status_code == 404


def _board_queries(client, posting) -> int:
    client.get(board_url(posting))  # warm the per-user caches (roles, scope)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(board_url(posting)).status_code == 200
    return len(ctx.captured_queries)


def test_board_query_budget(hiring, make_application, client_for):
    hr = client_for("hr")
    for i in range(3):
        make_application(name=f"候选人{i}", email=f"c{i}@example.com", stage=Stage.values[i % 5])
    small = _board_queries(hr, hiring.posting)
    for i in range(3, 25):
        make_application(name=f"候选人{i}", email=f"c{i}@example.com", stage=Stage.values[i % 7])
    large = _board_queries(hr, hiring.posting)
    assert large == small
    assert large <= 12

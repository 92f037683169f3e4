"""The relations services' rules: anonymity of the stored thread, the secret, replies, hiding,
project membership and the collaboration bonus that becomes a payroll input (and a pay line)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from hrsuite.anonymity import redact_access_log
from relations.anonymity import normalise_secret, secret_hash
from relations.models import CollaborationBonus, FeedbackReply, FeedbackThread
from relations.services_feedback import (
    FeedbackRefused,
    feedback_hide,
    feedback_post,
    feedback_poster_reply,
    feedback_reply,
    thread_for_secret,
)
from relations.services_projects import ProjectRefused, collaboration_bonus_award, project_move

pytestmark = pytest.mark.django_db


def test_thread_row_holds_nothing_about_the_poster(thread, people):
    """Every column of the stored row, as PostgreSQL has it: no user, no name, no time of day."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM relations_feedbackthread WHERE id = %s", [thread.thread.pk])
        columns = [c.name for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    assert set(columns) == {
        "id", "category", "department_id", "subject", "body", "is_public", "posted_on", "secret_hash", "status",
        "hidden", "hidden_reason", "hidden_by_id", "hidden_on", "notified",
    }  # fmt: skip
    assert isinstance(row["posted_on"], date) and not hasattr(row["posted_on"], "hour")
    assert row["secret_hash"] != thread.secret and normalise_secret(thread.secret) not in row["secret_hash"]


def test_secret_finds_the_thread_and_a_wrong_one_does_not(thread):
    assert thread_for_secret(thread.secret.lower().replace("-", " ")) == thread.thread
    with pytest.raises(FeedbackRefused):
        thread_for_secret("ABCD-EFGH-JKLM-NPQR")
    with pytest.raises(FeedbackRefused):
        thread_for_secret("short")


def test_secret_hash_is_keyed(settings, thread):
    before = secret_hash(thread.secret)
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert secret_hash(thread.secret) != before


def test_too_long_feedback_refused_and_nothing_stored(org):
    with pytest.raises(FeedbackRefused) as exc:
        feedback_post(category="complaint", subject="x", body="长" * 2001)
    assert "body" in exc.value.message_dict
    assert not FeedbackThread.objects.exists()


def test_script_is_stored_as_text(org):
    t, _secret = feedback_post(category="complaint", subject="<script>alert(1)</script>", body="<b>hi</b>")
    assert t.subject == "<script>alert(1)</script>"  # escaped when shown: the pages test that


def test_head_and_hr_reply_others_cannot(thread, people):
    feedback_reply(thread=thread.thread, body="收到，下周排班调整。", actor=people["users"]["manager"])
    feedback_reply(thread=thread.thread, body="HR 会跟进。", actor=people["users"]["hr"])
    with pytest.raises(FeedbackRefused):
        feedback_reply(thread=thread.thread, body="我也是", actor=people["users"]["other_manager"])
    assert [r.author_kind for r in FeedbackReply.objects.filter(thread=thread.thread)] == ["head", "hr"]


def test_poster_reply_has_no_user(thread):
    reply = feedback_poster_reply(secret=thread.secret, body="谢谢，期待改进")
    assert reply.author_id is None and reply.author_kind == "poster"


def test_hide_needs_a_reason(thread, people):
    with pytest.raises(FeedbackRefused):
        feedback_hide(thread=thread.thread, reason=" ", actor=people["users"]["hr"])
    with pytest.raises(FeedbackRefused):
        feedback_hide(thread=thread.thread, reason="人身攻击", actor=people["users"]["manager"])
    hidden = feedback_hide(thread=thread.thread, reason="人身攻击", actor=people["users"]["hr"])
    assert hidden.hidden and hidden.hidden_reason == "人身攻击"


def test_access_log_redacts_the_anonymous_paths():
    atoms = {"h": "10.1.2.3", "u": "-", "U": "/me/feedback/new/", "a": "Mozilla", "r": "POST /me/feedback/new/"}
    assert redact_access_log(atoms)["h"] == "-" and redact_access_log(atoms)["a"] == "-"
    other = {**atoms, "U": "/me/payslips/"}
    assert redact_access_log(other)["h"] == "10.1.2.3"


def test_bonus_for_non_member_refused(project, people):
    with pytest.raises(ProjectRefused) as exc:
        collaboration_bonus_award(
            project=project.project, employee=people["employees"]["team_member"], amount=D("500"), reason="x",
            actor=people["users"]["hr"],
        )  # fmt: skip
    assert "employee" in exc.value.message_dict
    assert not CollaborationBonus.objects.exists()


def test_project_needs_two_departments_to_start(people, bonus_input):
    from relations.models import CollaborationProject
    from relations.services_projects import project_save

    p = project_save(
        project=CollaborationProject(name="单部门", lead=people["employees"]["employee"], starts_on=date(2026, 1, 1)),
        actor=people["users"]["manager"],
    )
    with pytest.raises(ProjectRefused) as exc:
        project_move(project=p, to="active", actor=people["users"]["manager"])
    assert exc.value.code == "one_department"


def test_bonus_flows_into_the_pay_run(project, people, assignments, run_factory, structure):
    """Two bonuses of one month sum into the member's 协作奖金 input, and the pay run pays them
    through a structure line 协作奖 = 协作奖金."""
    from payroll.models import PayComponent, PaySlipLine, PeriodInput, StructureLine

    component = PayComponent.objects.create(code="协作奖", name="协作奖", kind="earning", variable=True)
    StructureLine.objects.create(structure=structure, component=component, formula="协作奖金")
    month = date(2026, 6, 1)
    other = people["employees"]["other_employee"]
    hr = people["users"]["hr"]
    collaboration_bonus_award(
        project=project.project, employee=other, amount=D("800"), reason="访谈 8 家", actor=hr, month=month
    )
    collaboration_bonus_award(
        project=project.project, employee=other, amount=D("200.50"), reason="报告", actor=hr, month=month
    )
    value = PeriodInput.objects.get(employee=other, period=month, definition__code="协作奖金")
    assert (value.value, value.source) == (D("1000.50"), "collaboration")
    run = run_factory(month)
    line = PaySlipLine.objects.get(slip__run=run, slip__employee=other, code="协作奖")
    assert line.amount == D("1000.50")
    assert (
        not PaySlipLine.objects.filter(slip__run=run, slip__employee=people["employees"]["team_member"], code="协作奖")
        .exclude(amount=0)
        .exists()
    )


def test_the_anonymous_paths_setting_names_the_posting_and_following_pages(settings):
    from django.urls import reverse

    assert set(settings.HRSUITE_ANONYMOUS_PATHS) == {reverse("myfeedback:new"), reverse("myfeedback:follow")}


def test_a_member_who_was_awarded_a_bonus_cannot_be_removed(project, people):
    from relations.models import ProjectMember
    from relations.services_projects import project_member_remove

    collaboration_bonus_award(
        project=project.project,
        employee=people["employees"]["other_employee"],
        amount=D("300"),
        reason="访谈",
        actor=people["users"]["hr"],
        month=date(2026, 6, 1),
    )
    with pytest.raises(ProjectRefused) as exc:
        project_member_remove(member=project.member, actor=people["users"]["hr"])
    assert exc.value.code == "has_bonus"
    assert ProjectMember.objects.filter(pk=project.member.pk).exists()
    assert CollaborationBonus.objects.filter(member=project.member).count() == 1


def test_members_of_a_cancelled_project_cannot_be_assessed(project, people):
    from relations.services_projects import project_member_assess

    project_move(project=project.project, to="cancelled", actor=people["users"]["hr"])
    member = project.member
    with pytest.raises(ProjectRefused) as exc:
        project_member_assess(member=member, actor=people["users"]["hr"], participation=80, contribution=4)
    assert exc.value.code == "finished"
    member.refresh_from_db()
    assert (member.participation, member.contribution) == (None, None)


@pytest.mark.parametrize(
    ("status", "change", "assess", "award"),
    [
        ("planned", True, True, False),
        ("active", True, True, True),
        ("completed", False, True, True),
        ("cancelled", False, False, False),
    ],
)
def test_what_a_project_status_allows(status, change, assess, award):
    from relations.models import CollaborationProject
    from relations.services_projects import may_assess, may_award, may_change

    p = CollaborationProject(status=status)
    assert (may_change(p), may_assess(p), may_award(p)) == (change, assess, award)


def test_start_rule_and_remaining_budget():
    from relations.services_projects import may_start, remaining_budget

    assert [may_start(n) for n in (0, 1, 2, 3)] == [False, False, True, True]
    assert remaining_budget(D("1000"), D("250.50")) == D("749.50")
    assert remaining_budget(None, D("0")) is None
    assert remaining_budget(D("0"), D("0")) is None  # a zero budget means no budget

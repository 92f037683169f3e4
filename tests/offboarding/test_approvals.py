"""The approvals and the gate: all items confirmed -> the department head; only the head (or HR
standing in when there is none) approves; HR's final approval only after the head's and not by
the leaver or the approving head; completion refused while anything is open (items, uploads,
approvals); completing sets the employee "left" and revokes access when its date has come;
sending back reopens items."""

from __future__ import annotations

import sys
import types
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hrsuite.notifications.models import Notification
from offboarding import services_cases as svc
from offboarding.models import HandoverAttachment, HandoverItem
from offboarding.services import CaseRefused

pytestmark = pytest.mark.django_db


def confirm_all(made, *, upload=True):
    HandoverItem.objects.filter(case=made.case).update(status="confirmed", confirmed_at=timezone.now())
    if upload:
        for item in made.items:
            if item.attachment_required:
                HandoverAttachment.objects.create(
                    item=item,
                    file="handover/x.pdf",
                    name="合同扫描件.pdf",
                    sha256="0" * 64,
                    size=10,
                    uploaded_by=made.leaver.user,
                )


@pytest.fixture
def at_head(people, open_case):
    made = open_case()
    confirm_all(made)
    assert svc.items_all_confirmed(made.case, people["users"]["team_member"]) is True
    made.case.refresh_from_db()
    return made


@pytest.fixture
def at_hr(people, at_head):
    svc.case_approve_head(case=at_head.case, actor=people["users"]["manager"], comment="同意")
    at_head.case.refresh_from_db()
    return at_head


# --- all items confirmed -> department head -------------------------------------------------


def test_items_all_confirmed_waits_for_every_item(people, open_case, django_capture_on_commit_callbacks):
    made = open_case()
    HandoverItem.objects.filter(pk__in=[i.pk for i in made.items[:3]]).update(status="confirmed")
    assert svc.items_all_confirmed(made.case, people["users"]["team_member"]) is False
    made.case.refresh_from_db()
    assert made.case.status == "handover"
    HandoverItem.objects.filter(case=made.case).update(status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.items_all_confirmed(made.case, people["users"]["team_member"]) is True
    made.case.refresh_from_db()
    assert made.case.status == "head_approval"
    assert Notification.objects.filter(recipient=people["users"]["manager"], key__contains="head_approval").exists()
    # a second call does nothing
    assert svc.items_all_confirmed(made.case, people["users"]["team_member"]) is False


# --- department head ------------------------------------------------------------------------


def test_head_approves(people, at_head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        svc.case_approve_head(case=at_head.case, actor=people["users"]["manager"], comment="同意")
    case = at_head.case
    case.refresh_from_db()
    assert case.status == "hr_approval"
    assert case.head_approved_by == people["users"]["manager"] and case.head_approved_at
    event = case.events.get(kind="head_approved")
    assert event.actor == people["users"]["manager"] and event.comment == "同意"
    assert Notification.objects.filter(recipient=people["users"]["hr"], key__contains="hr_approval").exists()


@pytest.mark.parametrize("role", ["other_manager", "team_member", "employee", "other_employee", "hr"])
def test_not_the_head_cannot_approve(people, at_head, english, role):
    with pytest.raises(CaseRefused) as exc:
        svc.case_approve_head(case=at_head.case, actor=people["users"][role])
    text = " ".join(exc.value.messages)
    assert "department head" in text or "your own" in text
    at_head.case.refresh_from_db()
    assert at_head.case.status == "head_approval" and at_head.case.head_approved_by is None


def test_refusal_names_the_head(people, at_head, english):
    with pytest.raises(CaseRefused, match=f"Only the department head \\({people['employees']['manager'].name}\\)"):
        svc.case_approve_head(case=at_head.case, actor=people["users"]["other_manager"])


def test_head_cannot_approve_before_the_items_are_done(people, open_case, english):
    made = open_case()
    with pytest.raises(CaseRefused, match="not awaiting the department head"):
        svc.case_approve_head(case=made.case, actor=people["users"]["manager"])


def test_hr_stands_in_only_when_there_is_no_head(people, org, open_case, english):
    # the leaver is the head of A themselves and nobody heads HQ, and they have no manager
    made = open_case(employee_key="manager")
    confirm_all(made)
    svc.items_all_confirmed(made.case, people["users"]["team_member"])
    assert svc.hr_may_stand_in_as_head(made.case)
    svc.case_approve_head(case=made.case, actor=people["users"]["hr"])
    made.case.refresh_from_db()
    assert made.case.status == "hr_approval"
    # and then another HR colleague gives the final approval (four eyes)
    with pytest.raises(CaseRefused, match="another HR colleague"):
        svc.case_approve_hr(case=made.case, actor=people["users"]["hr"])
    svc.case_approve_hr(case=made.case, actor=people["users"]["hr_admin"])
    made.case.refresh_from_db()
    assert made.case.status == "completed"


# --- HR and the gate ------------------------------------------------------------------------


def test_hr_cannot_final_approve_before_the_head(people, at_head, english):
    with pytest.raises(CaseRefused, match="after the department head"):
        svc.case_approve_hr(case=at_head.case, actor=people["users"]["hr"])
    at_head.case.refresh_from_db()
    assert at_head.case.hr_approved_at is None and at_head.case.status == "head_approval"


def test_hr_approval_completes_the_case(people, at_hr, monkeypatch):
    calls = []
    module = types.ModuleType("offboarding.revocation")
    module.revoke_access = lambda **kw: calls.append(kw)
    monkeypatch.setitem(sys.modules, "offboarding.revocation", module)
    svc.case_approve_hr(case=at_hr.case, actor=people["users"]["hr"], comment="准予离职")
    case = at_hr.case
    case.refresh_from_db()
    assert case.status == "completed" and case.completed_at
    assert case.hr_approved_by == people["users"]["hr"]
    at_hr.leaver.refresh_from_db()
    assert at_hr.leaver.status == "left" and at_hr.leaver.leave_date == case.last_working_day
    assert [e for e in case.events.values_list("kind", flat=True)][-2:] == ["hr_approved", "completed"]
    assert calls == []  # the last working day is in two weeks: the beat job revokes then


def test_completion_revokes_when_the_date_has_come(people, open_case, monkeypatch):
    made = open_case()
    made.case.revoke_on = timezone.localdate()
    made.case.save()
    confirm_all(made)
    svc.items_all_confirmed(made.case, None)
    svc.case_approve_head(case=made.case, actor=people["users"]["manager"])
    calls = []
    module = types.ModuleType("offboarding.revocation")
    module.revoke_access = lambda **kw: calls.append(kw)
    monkeypatch.setitem(sys.modules, "offboarding.revocation", module)
    svc.case_approve_hr(case=made.case, actor=people["users"]["hr"])
    assert len(calls) == 1 and calls[0]["case"].pk == made.case.pk and calls[0]["actor"] == people["users"]["hr"]


def test_the_leaver_cannot_approve_their_own_case(people, open_case, english):
    made = open_case(employee_key="hr", successor_key="hr_admin")
    confirm_all(made)
    svc.items_all_confirmed(made.case, None)
    made.case.refresh_from_db()
    # hr's case: HQ has no head and hr has no manager -> HR stands in, but never the leaver
    with pytest.raises(CaseRefused, match="your own"):
        svc.case_approve_head(case=made.case, actor=people["users"]["hr"])
    svc.case_approve_head(case=made.case, actor=people["users"]["hr_admin"])
    with pytest.raises(CaseRefused, match="your own separation case"):
        svc.case_approve_hr(case=made.case, actor=people["users"]["hr"])


def test_gate_refuses_open_items(people, at_hr, english):
    HandoverItem.objects.filter(pk=at_hr.items[1].pk).update(status="submitted")
    with pytest.raises(CaseRefused) as exc:
        svc.case_approve_hr(case=at_hr.case, actor=people["users"]["hr"])
    text = " ".join(exc.value.messages)
    assert "cannot be completed yet" in text and f"“{at_hr.items[1].title}” is not confirmed" in text
    at_hr.case.refresh_from_db()
    at_hr.leaver.refresh_from_db()
    assert at_hr.case.status == "hr_approval" and at_hr.case.hr_approved_at is None
    assert at_hr.leaver.status == "leaving"


def test_gate_refuses_missing_upload(people, open_case, english):
    made = open_case()
    confirm_all(made, upload=False)
    svc.items_all_confirmed(made.case, None)
    svc.case_approve_head(case=made.case, actor=people["users"]["manager"])
    with pytest.raises(CaseRefused, match="missing its required upload"):
        svc.case_approve_hr(case=made.case, actor=people["users"]["hr"])
    made.case.refresh_from_db()
    assert made.case.status == "hr_approval"


def test_gate_refuses_missing_approvals(people, at_head, english):
    with pytest.raises(CaseRefused) as exc:
        svc.case_complete(case=at_head.case, actor=people["users"]["hr"])
    text = " ".join(exc.value.messages)
    assert "The department head has not approved" in text and "HR has not given the final approval" in text
    # even with the status right, missing approvals are refused
    svc.case_approve_head(case=at_head.case, actor=people["users"]["manager"])
    with pytest.raises(CaseRefused, match="HR has not given the final approval"):
        svc.case_complete(case=at_head.case, actor=people["users"]["hr"])


def test_employee_cannot_be_set_left_while_open(people, open_case, english):
    from django.core.exceptions import ValidationError

    from employees.services import employee_save

    made = open_case()
    made.leaver.status = "left"
    with pytest.raises(ValidationError):
        employee_save(employee=made.leaver)
    with pytest.raises(ValidationError):
        svc.assert_can_leave(made.leaver)


# --- sending back ---------------------------------------------------------------------------


def test_send_back_reopens_items_and_clears_approval(people, at_hr, django_capture_on_commit_callbacks):
    item = at_hr.items[0]
    with django_capture_on_commit_callbacks(execute=True):
        svc.case_send_back(case=at_hr.case, actor=people["users"]["hr"], comment="补充联系人", items=[item])
    case = at_hr.case
    case.refresh_from_db()
    item.refresh_from_db()
    assert case.status == "handover" and case.head_approved_by is None
    assert item.status == "returned" and item.confirmed_at is None
    assert case.events.filter(kind="item_returned", item=item, comment="补充联系人").exists()
    assert Notification.objects.filter(recipient=people["users"]["employee"], key__contains="sent_back").exists()


def test_send_back_needs_comment_and_items(people, at_head, english):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        svc.case_send_back(case=at_head.case, actor=people["users"]["manager"], comment=" ", items=[])
    assert set(exc.value.message_dict) == {"comment", "items"}
    at_head.case.refresh_from_db()
    assert at_head.case.status == "head_approval"


def test_send_back_not_by_others(people, at_head, english):
    with pytest.raises(CaseRefused):
        svc.case_send_back(
            case=at_head.case, actor=people["users"]["other_manager"], comment="x", items=at_head.items[:1]
        )


# --- pages ----------------------------------------------------------------------------------


def test_detail_shows_the_buttons_each_may_use(client_for, at_head):
    url = reverse("offboarding:case_detail", args=[at_head.case.pk])
    manager = client_for("manager").get(url).content.decode()
    assert 'data-testid="approve-head"' in manager and 'data-testid="send-back"' in manager
    assert 'data-testid="cancel-case"' not in manager
    hr = client_for("hr").get(url).content.decode()
    assert 'data-testid="approve-head"' not in hr and 'data-testid="approve-hr"' not in hr
    assert 'data-testid="cancel-case"' in hr


def test_approve_pages(client_for, people, at_head, english):
    case = at_head.case
    # another manager cannot even see the case
    assert client_for("other_manager").post(reverse("offboarding:case_approve_head", args=[case.pk])).status_code == 404
    # HR's approval before the head's is refused with a message
    response = client_for("hr").post(reverse("offboarding:case_approve_hr", args=[case.pk]), follow=True)
    assert "after the department head" in response.content.decode()
    client_for("manager").post(reverse("offboarding:case_approve_head", args=[case.pk]), {"comment": "同意"})
    case.refresh_from_db()
    assert case.status == "hr_approval"
    assert client_for("manager").post(reverse("offboarding:case_approve_hr", args=[case.pk])).status_code == 403
    client_for("hr").post(reverse("offboarding:case_approve_hr", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "completed"


def test_send_back_page(client_for, at_head):
    case = at_head.case
    client_for("manager").post(
        reverse("offboarding:case_send_back", args=[case.pk]),
        {"comment": "合同扫描件不清晰", "items": [at_head.items[3].pk]},
    )
    case.refresh_from_db()
    assert case.status == "handover"


# --- dashboard widget -----------------------------------------------------------------------


def test_widget_for_the_head_and_hr(rf, people, at_head, open_case):
    from hrsuite.core import dashboard
    from offboarding.widgets import register_widgets

    register_widgets()
    widget = dashboard._WIDGETS["offboarding.approvals"]
    request = rf.get("/")
    request.user = people["users"]["manager"]
    ctx = widget.context(request)
    assert ctx["head_count"] == 1 and ctx["head"][0].pk == at_head.case.pk
    request.user = people["users"]["other_manager"]
    assert widget.context(request) is None
    request.user = people["users"]["hr"]
    other = open_case(employee_key="other_employee", successor_key="other_manager")
    HandoverItem.objects.filter(pk=other.items[0].pk).update(due_on=timezone.localdate() - timedelta(days=1))
    ctx = widget.context(request)
    assert ctx["head_count"] == 0 and ctx["hr_count"] == 0 and ctx["overdue_count"] == 1


def test_completion_with_the_real_revocation(people, open_case):
    pytest.importorskip("offboarding.revocation")
    made = open_case()
    made.case.revoke_on = timezone.localdate()
    made.case.save()
    confirm_all(made)
    svc.items_all_confirmed(made.case, None)
    svc.case_approve_head(case=made.case, actor=people["users"]["manager"])
    svc.case_approve_hr(case=made.case, actor=people["users"]["hr"])
    made.case.refresh_from_db()
    made.leaver.user.refresh_from_db()
    assert made.case.status == "completed" and made.case.revoked_at is not None
    assert made.leaver.user.is_active is False


def test_widget_renders_on_the_dashboard(client_for, at_head):
    from offboarding.widgets import register_widgets

    register_widgets()
    body = client_for("manager").get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="widget-offboarding"' in body
    assert reverse("offboarding:case_detail", args=[at_head.case.pk]) in body
    hr = client_for("hr").get(reverse("core:dashboard")).content.decode()
    assert reverse("offboarding:overdue") in hr
    assert (
        'data-testid="widget-offboarding"'
        not in client_for("other_manager").get(reverse("core:dashboard")).content.decode()
    )

"""Opening separation cases: the employee's resignation, HR's case, starting the handover of a
resignation, successors, dates, one open case per employee, the template chosen, the checklist
made, the employee's status, cancellation; and the case pages per role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from employees.models import Position
from hrsuite.notifications.models import Notification
from offboarding import services_cases as svc
from offboarding.models import CaseEvent, HandoverItem, HandoverTemplate, SeparationCase, TemplateItem
from offboarding.services import CaseRefused

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def open_by_hr(people, handover_template=None, *, employee="employee", successors=("team_member",), **kw):
    emps = people["employees"]
    args = {
        "employee": emps[employee],
        "kind": "termination",
        "reason": "岗位调整",
        "notice_date": today(),
        "last_working_day": today() + timedelta(days=30),
        "successors": [emps[s] for s in successors],
        "template": handover_template,
        "actor": people["users"]["hr"],
    }
    args.update(kw)
    return svc.case_open(**args)


# --- resignation in self-service ------------------------------------------------------------


def test_resignation_submit_creates_a_submitted_case_and_tells_hr_and_the_head(
    people, english, django_capture_on_commit_callbacks
):
    emp, user = people["employees"]["employee"], people["users"]["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.resignation_submit(
            employee=emp,
            reason="个人发展",
            notice_date=today(),
            last_working_day=today() + timedelta(days=30),
            actor=user,
        )
    assert case.status == "submitted" and case.kind == "resignation"
    assert case.revoke_on == case.last_working_day and case.created_by == user
    assert list(case.events.values_list("kind", flat=True)) == ["resignation"]
    notified = set(
        Notification.objects.filter(key__startswith=f"offboarding:case:{case.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"hrstaff", "hradmin", "manager"} <= notified
    assert "employee" not in notified and "other" not in notified
    emp.refresh_from_db()
    assert emp.status == "active"  # leaving only once the handover starts


def test_resignation_refused_when_a_case_is_open(people, english, open_case):
    open_case()
    with pytest.raises(CaseRefused, match="already open"):
        svc.resignation_submit(
            employee=people["employees"]["employee"],
            reason="x",
            notice_date=today(),
            last_working_day=today() + timedelta(days=30),
            actor=people["users"]["employee"],
        )
    assert SeparationCase.objects.count() == 1


def test_database_allows_one_open_case_per_employee(people, open_case):
    made = open_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        SeparationCase.objects.create(
            employee=made.leaver,
            kind="resignation",
            reason="x",
            notice_date=today(),
            last_working_day=today(),
            revoke_on=today(),
            status="submitted",
        )


@pytest.mark.parametrize(
    "notice,last,field,text",
    [
        (0, -1, "last_working_day", "is before the notice date"),
        (-4, 20, "notice_date", "more than 3 days in the past"),
    ],
)
def test_resignation_date_rules(people, english, notice, last, field, text):
    with pytest.raises(ValidationError) as exc:
        svc.resignation_submit(
            employee=people["employees"]["employee"],
            reason="个人发展",
            notice_date=today() + timedelta(days=notice),
            last_working_day=today() + timedelta(days=last),
            actor=people["users"]["employee"],
        )
    assert text in " ".join(exc.value.message_dict[field])
    assert not SeparationCase.objects.exists()


def test_resignation_notice_a_few_days_back_is_accepted(people):
    case = svc.resignation_submit(
        employee=people["employees"]["employee"],
        reason="个人发展",
        notice_date=today() - timedelta(days=3),
        last_working_day=today() + timedelta(days=27),
        actor=people["users"]["employee"],
    )
    assert case.notice_date == today() - timedelta(days=3)


def test_resignation_only_for_oneself(people, english):
    with pytest.raises(CaseRefused, match="your own"):
        svc.resignation_submit(
            employee=people["employees"]["employee"],
            reason="x",
            notice_date=today(),
            last_working_day=today() + timedelta(days=30),
            actor=people["users"]["other_employee"],
        )


def test_database_refuses_last_day_before_notice(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        SeparationCase.objects.create(
            employee=people["employees"]["employee"],
            kind="resignation",
            reason="x",
            notice_date=today(),
            last_working_day=today() - timedelta(days=1),
            revoke_on=today() - timedelta(days=1),
        )


# --- HR opens a case ------------------------------------------------------------------------


def test_case_open_makes_the_checklist_and_sets_leaving(
    people, handover_template, english, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_by_hr(people, handover_template)
    last = case.last_working_day
    assert case.status == "handover" and case.template == handover_template
    assert case.revoke_on == last
    items = list(case.items.order_by("order"))
    assert [i.title for i in items] == [t.title for t in handover_template.items.order_by("order")]
    assert [i.due_on for i in items] == [last - timedelta(days=d) for d in (5, 5, 3, 2)]
    assert [i.attachment_required for i in items] == [False, False, False, True]
    assert {i.successor for i in items} == {people["employees"]["team_member"]}
    assert all(i.status == "todo" for i in items)
    assert list(case.successors.all()) == [people["employees"]["team_member"]]
    emp = people["employees"]["employee"]
    emp.refresh_from_db()
    assert emp.status == "leaving" and emp.leave_date == last
    assert list(case.events.values_list("kind", flat=True)) == ["case_opened", "checklist"]
    recipients = set(
        Notification.objects.filter(key__startswith=f"offboarding:case:{case.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"employee", "teammember", "manager"}
    # each recipient notified once, also by e-mail
    assert Notification.objects.filter(key__startswith=f"offboarding:case:{case.pk}:").count() == 3


def test_case_open_assigns_items_to_successors_when_told(people, handover_template):
    emps = people["employees"]
    first = handover_template.items.order_by("order").first()
    case = open_by_hr(
        people,
        handover_template,
        successors=("team_member", "manager"),
        assignments={first.pk: emps["manager"]},
    )
    by_title = {i.title: i.successor for i in case.items.all()}
    assert by_title[first.title] == emps["manager"]
    assert sum(1 for s in by_title.values() if s == emps["team_member"]) == 3


def test_short_notice_items_fall_due_no_earlier_than_today(people, handover_template):
    case = open_by_hr(people, handover_template, last_working_day=today() + timedelta(days=1))
    assert min(case.items.values_list("due_on", flat=True)) == today()


@pytest.mark.parametrize(
    "successors,text",
    [
        ((), "at least one successor"),
        (("employee",), "is the leaver"),
    ],
)
def test_successor_rules(people, handover_template, english, successors, text):
    with pytest.raises(ValidationError) as exc:
        open_by_hr(people, handover_template, successors=successors)
    assert text in " ".join(exc.value.message_dict["successors"])
    assert not SeparationCase.objects.exists() and not HandoverItem.objects.exists()
    people["employees"]["employee"].refresh_from_db()
    assert people["employees"]["employee"].status == "active"


def test_successor_who_has_left_is_refused_by_name(people, handover_template, english):
    gone = people["employees"]["other_employee"]
    gone.status = "left"
    gone.save()
    with pytest.raises(ValidationError) as exc:
        open_by_hr(people, handover_template, successors=("team_member", "other_employee"))
    assert f"{gone.name} has left the company" in messages_of(exc.value)


def test_successor_who_is_leaving_is_refused(people, handover_template, open_case, english):
    open_case(employee_key="other_employee", successor_key="other_manager")
    with pytest.raises(ValidationError) as exc:
        open_by_hr(people, handover_template, successors=("other_employee",))
    assert "is leaving the company too" in messages_of(exc.value)


def test_case_open_last_day_before_notice_refused(people, handover_template, english):
    with pytest.raises(ValidationError) as exc:
        open_by_hr(people, handover_template, last_working_day=today() - timedelta(days=1))
    assert "before the notice date" in messages_of(exc.value)
    assert not SeparationCase.objects.exists()


def test_case_open_refused_when_open_and_points_to_the_resignation(people, handover_template, english):
    svc.resignation_submit(
        employee=people["employees"]["employee"],
        reason="x",
        notice_date=today(),
        last_working_day=today() + timedelta(days=30),
        actor=people["users"]["employee"],
    )
    with pytest.raises(CaseRefused, match="start the handover from their resignation"):
        open_by_hr(people, handover_template)


def test_case_open_is_hr_only(people, handover_template, english):
    with pytest.raises(CaseRefused, match="Only HR"):
        open_by_hr(people, handover_template, actor=people["users"]["manager"])


def test_revoke_a_week_early(people, handover_template):
    case = open_by_hr(people, handover_template, revoke_early=True)
    assert case.revoke_on == case.last_working_day - timedelta(days=7)
    assert case.events.filter(kind="revocation_scheduled").exists()


def test_revoke_early_never_before_today(people, handover_template):
    case = open_by_hr(people, handover_template, revoke_early=True, last_working_day=today() + timedelta(days=3))
    assert case.revoke_on == today()


# --- template selection ---------------------------------------------------------------------


def _template(name, *, position=None, department=None, active=True):
    t = HandoverTemplate.objects.create(name=name, position=position, department=department, is_active=active)
    TemplateItem.objects.create(template=t, kind="general", title=f"{name}事项", due_offset_days=1)
    return t


def test_template_selection_order(org, people):
    emp = people["employees"]["team_member"]  # in A's sub-team
    pos = Position.objects.create(code="SALES", title="客户经理", role_family="product")
    default = _template("默认")
    assert svc.pick_template(emp) == default
    a = _template("技术部", department=org["a"])
    assert svc.pick_template(emp) == a  # nearest ancestor
    team = _template("平台组", department=org["a_team"])
    assert svc.pick_template(emp) == team
    _template("停用", department=org["a_team"], active=False)
    assert svc.pick_template(emp) == team
    by_pos = _template("客户经理", position=pos)
    assert svc.pick_template(emp) == team  # not their position yet
    emp.position = pos
    emp.save()
    assert svc.pick_template(emp) == by_pos
    assert svc.pick_template(emp, a) == a  # the explicit one wins


def test_case_open_without_any_template_refused(people, english):
    with pytest.raises(ValidationError) as exc:
        open_by_hr(people, None)
    assert "No handover template applies" in " ".join(exc.value.message_dict["template"])


def test_case_open_uses_the_automatic_template(people, org):
    a = _template("技术部", department=org["a"])
    case = open_by_hr(people, None)
    assert case.template == a and case.items.count() == 1


# --- starting the handover of a resignation -------------------------------------------------


def _resign(people, days=30):
    return svc.resignation_submit(
        employee=people["employees"]["employee"],
        reason="个人发展",
        notice_date=today(),
        last_working_day=today() + timedelta(days=days),
        actor=people["users"]["employee"],
    )


def test_case_start_handover(people, handover_template):
    case = _resign(people)
    svc.case_start_handover(
        case=case,
        template=None,
        successors=[people["employees"]["team_member"]],
        actor=people["users"]["hr"],
        revoke_early=True,
    )
    case.refresh_from_db()
    assert case.status == "handover" and case.template == handover_template
    assert case.items.count() == 4 and case.revoke_on == case.last_working_day - timedelta(days=7)
    assert people["employees"]["employee"].__class__.objects.get(pk=case.employee_id).status == "leaving"
    assert list(case.events.values_list("kind", flat=True)) == [
        "resignation",
        "case_opened",
        "checklist",
        "revocation_scheduled",
    ]


def test_case_start_handover_refuses_bad_successor_and_changes_nothing(people, handover_template, english):
    case = _resign(people)
    with pytest.raises(ValidationError):
        svc.case_start_handover(
            case=case, template=None, successors=[people["employees"]["employee"]], actor=people["users"]["hr"]
        )
    case.refresh_from_db()
    assert case.status == "submitted" and not case.items.exists() and case.template is None


def test_case_start_handover_only_once(people, handover_template, english):
    case = _resign(people)
    args = {"case": case, "template": None, "successors": [people["employees"]["team_member"]]}
    svc.case_start_handover(**args, actor=people["users"]["hr"])
    with pytest.raises(CaseRefused, match="already started"):
        svc.case_start_handover(**args, actor=people["users"]["hr"])
    assert case.items.count() == 4


# --- cancel and the "left" gate -------------------------------------------------------------


def test_case_cancel_restores_the_employee(people, open_case):
    made = open_case()
    svc.case_cancel(case=made.case, actor=people["users"]["hr"], reason="员工撤回辞职")
    made.case.refresh_from_db()
    made.leaver.refresh_from_db()
    assert made.case.status == "cancelled"
    assert made.leaver.status == "active" and made.leaver.leave_date is None
    assert made.case.items.count() == 4  # left as they were
    event = made.case.events.get(kind="cancelled")
    assert event.comment == "员工撤回辞职" and event.actor == people["users"]["hr"]


def test_case_cancel_needs_a_reason_and_hr(people, open_case, english):
    made = open_case()
    with pytest.raises(ValidationError):
        svc.case_cancel(case=made.case, actor=people["users"]["hr"], reason=" ")
    with pytest.raises(CaseRefused, match="Only HR"):
        svc.case_cancel(case=made.case, actor=people["users"]["manager"], reason="x")
    made.case.refresh_from_db()
    assert made.case.status == "handover"


def test_assert_can_leave(people, open_case, english):
    emp = people["employees"]["employee"]
    svc.assert_can_leave(emp)  # no case: fine
    open_case()
    with pytest.raises(ValidationError) as exc:
        svc.assert_can_leave(emp)
    assert "still open" in " ".join(exc.value.message_dict["status"])


# --- pages ----------------------------------------------------------------------------------


ROLES = ["hr", "hr_admin", "manager", "other_manager", "employee", "team_member", "other_employee", "payroll"]


@pytest.mark.parametrize(
    "role,expected",
    [
        ("hr", 200),
        ("hr_admin", 200),
        ("manager", 200),
        ("other_manager", 200),
        ("employee", 403),
        ("team_member", 403),
        ("other_employee", 403),
        ("payroll", 403),
    ],
)
def test_case_list_permissions(client_for, open_case, role, expected):
    made = open_case()
    response = client_for(role).get(reverse("offboarding:cases"))
    assert response.status_code == expected
    if expected == 200:
        shown = f'data-case="{made.case.pk}"' in response.content.decode()
        assert shown == (role in ("hr", "hr_admin", "manager"))


def test_case_list_anonymous_goes_to_login(client_for):
    response = client_for(None).get(reverse("offboarding:cases"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "role,expected",
    [("hr", 200), ("manager", 200), ("other_manager", 404), ("employee", 403), ("other_employee", 403)],
)
def test_case_detail_permissions(client_for, open_case, role, expected):
    made = open_case()
    response = client_for(role).get(reverse("offboarding:case_detail", args=[made.case.pk]))
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        for item in made.items:
            assert f"/offboarding/items/{item.pk}/" in body


def test_case_detail_shows_checklist_overdue_and_open_points(client_for, open_case, english):
    made = open_case()
    HandoverItem.objects.filter(pk=made.items[0].pk).update(due_on=today() - timedelta(days=1))
    body = client_for("hr").get(reverse("offboarding:case_detail", args=[made.case.pk])).content.decode()
    assert "overdue" in body
    assert "is missing its required upload" in body
    assert "The department head has not approved the checklist." in body
    assert 'data-testid="approve-head"' not in body  # handover still in progress
    assert f"/offboarding/cases/{made.case.pk}/documents/" in body


@pytest.mark.parametrize("role,expected", [("hr", 200), ("manager", 403), ("employee", 403)])
def test_case_create_permissions(client_for, people, role, expected):
    assert client_for(role).get(reverse("offboarding:case_create")).status_code == expected


def test_case_create_page_opens_a_case(client_for, people, handover_template):
    emps = people["employees"]
    response = client_for("hr").post(
        reverse("offboarding:case_create"),
        {
            "employee_no": emps["employee"].employee_no,
            "kind": "termination",
            "reason": "严重违纪",
            "notice_date": today().isoformat(),
            "last_working_day": (today() + timedelta(days=10)).isoformat(),
            "successors": [emps["team_member"].pk],
        },
    )
    case = SeparationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("offboarding:case_detail", args=[case.pk])
    assert case.items.count() == 4 and case.created_by == people["users"]["hr"]


def test_case_create_page_shows_the_refusal(client_for, people, handover_template, english):
    emps = people["employees"]
    response = client_for("hr").post(
        reverse("offboarding:case_create"),
        {
            "employee": emps["employee"].pk,
            "kind": "termination",
            "reason": "x",
            "notice_date": today().isoformat(),
            "last_working_day": (today() - timedelta(days=3)).isoformat(),
            "successors": [emps["employee"].pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is before the notice date" in body and "is the leaver and cannot be their own successor" in body
    assert not SeparationCase.objects.exists()


def test_case_start_handover_page(client_for, people, handover_template):
    case = _resign(people)
    body = client_for("hr").get(reverse("offboarding:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="start-handover"' in body
    response = client_for("hr").post(
        reverse("offboarding:case_start_handover", args=[case.pk]),
        {"successors": [people["employees"]["team_member"].pk]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "handover" and case.items.count() == 4


def test_case_cancel_page(client_for, open_case):
    made = open_case()
    url = reverse("offboarding:case_cancel", args=[made.case.pk])
    assert client_for("manager").post(url, {"reason": "x"}).status_code == 403
    client_for("hr").post(url, {"reason": "撤回"})
    made.case.refresh_from_db()
    assert made.case.status == "cancelled"


@pytest.mark.parametrize("role,expected", [("employee", 200), ("other_employee", 200), ("hr", 200)])
def test_resign_page_permissions(client_for, role, expected):
    assert client_for(role).get(reverse("offboarding:resign")).status_code == expected


def test_resign_page_anonymous(client_for):
    assert client_for(None).get(reverse("offboarding:resign")).status_code == 302


def test_resign_page_submits_and_shows_status(client_for, people, english):
    c = client_for("employee")
    response = c.post(
        reverse("offboarding:resign"),
        {
            "reason": "家庭原因",
            "notice_date": today().isoformat(),
            "last_working_day": (today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    case = SeparationCase.objects.get(employee=people["employees"]["employee"])
    assert case.status == "submitted"
    body = c.get(reverse("offboarding:resign")).content.decode()
    assert 'data-testid="resignation-status"' in body and 'data-testid="resign-form"' not in body


def test_resign_page_refusal_on_the_form(client_for, english):
    response = client_for("employee").post(
        reverse("offboarding:resign"),
        {
            "reason": "x",
            "notice_date": today().isoformat(),
            "last_working_day": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and "is before the notice date" in response.content.decode()
    assert not SeparationCase.objects.exists()


def _many_cases(people, org, n):
    from tests.factories import EmployeeFactory

    for i in range(n):
        emp = EmployeeFactory(department=org["a"], manager=people["employees"]["manager"], name=f"离职员工{i}")
        case = SeparationCase.objects.create(
            employee=emp,
            kind="resignation",
            reason="x",
            notice_date=today(),
            last_working_day=today() + timedelta(days=5),
            revoke_on=today() + timedelta(days=5),
            status="handover",
        )
        case.successors.add(people["employees"]["team_member"])
        for k in range(3):
            HandoverItem.objects.create(
                case=case,
                kind="general",
                title=f"事项{k}",
                due_on=today() - timedelta(days=1),
                successor=people["employees"]["team_member"],
                status="submitted" if k else "todo",
            )


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_case_list_query_budget(client_for, people, org, role, django_assert_max_num_queries):
    c = client_for(role)
    _many_cases(people, org, 2)
    with django_assert_max_num_queries(16) as small:
        c.get(reverse("offboarding:cases"))
    _many_cases(people, org, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(reverse("offboarding:cases"))
    assert response.content.decode().count("data-case=") == 12


def test_overdue_list(client_for, people, org, open_case, english, django_assert_max_num_queries):
    made = open_case()
    HandoverItem.objects.filter(pk=made.items[0].pk).update(due_on=today() - timedelta(days=2))
    HandoverItem.objects.filter(pk=made.items[1].pk).update(due_on=today() - timedelta(days=1), status="submitted")
    HandoverItem.objects.filter(pk=made.items[2].pk).update(due_on=today() - timedelta(days=1), status="confirmed")
    c = client_for("hr")
    body = c.get(reverse("offboarding:overdue")).content.decode()
    assert body.count("data-item=") == 2
    assert "Days overdue: 2" in body
    assert f'{made.leaver.name} <span class="small text-body-secondary">(leaver)' in body
    assert f'{made.successor.name} <span class="small text-body-secondary">(successor)' in body
    assert c.get(reverse("offboarding:overdue"), {"q": "no-such"}).content.decode().count("data-item=") == 0
    _many_cases(people, org, 2)
    with django_assert_max_num_queries(16) as small:
        c.get(reverse("offboarding:overdue"))
    _many_cases(people, org, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = c.get(reverse("offboarding:overdue")).content.decode()
    assert body.count("data-item=") == 2 + 30


@pytest.mark.parametrize("role,expected", [("hr", 200), ("manager", 403), ("employee", 403)])
def test_overdue_permissions(client_for, role, expected):
    assert client_for(role).get(reverse("offboarding:overdue")).status_code == expected


def test_events_record_who(people, handover_template):
    case = open_by_hr(people, handover_template)
    assert set(CaseEvent.objects.filter(case=case).values_list("actor__username", flat=True)) == {"hrstaff"}

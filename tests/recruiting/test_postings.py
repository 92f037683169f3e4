"""Requisitions, postings and keywords: the services and the HR/manager pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hrsuite.notifications.models import Notification
from recruiting import services_postings as sp
from recruiting.choices import PostingStatus, RequisitionStatus
from recruiting.models import JobPosting, PostingKeyword, Requisition

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(db):
    from employees.models import Position

    return Position.objects.create(code="DATA-ENG", title="数据工程师", role_family="technology")


def submit(people, org, position, role="manager", **overrides):
    data = {
        "actor": people["users"][role],
        "position": position,
        "department": org["a"],
        "headcount": 2,
        "reason": "新业务线上线，需要数据工程师。",
        "budget_min": Decimal("20000"),
        "budget_max": Decimal("30000"),
        "hiring_manager": people["employees"]["manager"],
    }
    data.update(overrides)
    return sp.requisition_submit(**data)


def new_posting(requisition, people, **fields):
    data = {"title": "数据工程师", "description": "负责数据平台。", "location": "上海"}
    data.update(fields)
    return sp.posting_save(posting=JobPosting(requisition=requisition, **data), actor=people["users"]["hr"])


# --- requisition services -------------------------------------------------------------------


def test_a_manager_requests_headcount_and_hr_is_notified(people, org, position, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        requisition = submit(people, org, position)
    assert requisition.status == RequisitionStatus.SUBMITTED
    assert requisition.requested_by == people["users"]["manager"]
    notified = set(Notification.objects.filter(key=f"requisition:{requisition.pk}:submitted").values_list(
        "recipient__username", flat=True))  # fmt: skip
    assert notified == {"hrstaff", "hradmin"}
    # a sub-department of their own is in reach too
    assert submit(people, org, position, department=org["a_team"]).department == org["a_team"]


@pytest.mark.parametrize(
    ("role", "overrides", "field"),
    [
        ("manager", {"headcount": 0}, "headcount"),
        ("manager", {"reason": "   "}, "reason"),
        ("manager", {"budget_min": Decimal("30000"), "budget_max": Decimal("20000")}, "budget_max"),
        ("manager", {"budget_min": Decimal("-1")}, "budget_min"),
        ("manager", {"department": "b"}, "department"),
        ("manager", {"hiring_manager": "other_manager"}, "hiring_manager"),
        ("other_manager", {}, "department"),
    ],
)
def test_bad_requisitions_are_refused(people, org, position, role, overrides, field):
    if overrides.get("department") == "b":
        overrides["department"] = org["b"]
    if overrides.get("hiring_manager") == "other_manager":
        overrides["hiring_manager"] = people["employees"]["other_manager"]
    with pytest.raises(ValidationError) as exc:
        submit(people, org, position, role=role, **overrides)
    assert field in exc.value.message_dict
    assert not Requisition.objects.exists()


def test_an_employee_cannot_request_headcount_but_hr_can_for_anyone(people, org, position):
    with pytest.raises(ValidationError):
        submit(people, org, position, role="employee")
    assert submit(people, org, position, role="hr", department=org["b"]).department == org["b"]


def test_hr_approves_and_the_requester_is_notified(people, org, position, django_capture_on_commit_callbacks):
    requisition = submit(people, org, position)
    with django_capture_on_commit_callbacks(execute=True):
        sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="approve")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    assert requisition.decided_by == people["users"]["hr"] and requisition.decided_at
    note = Notification.objects.get(recipient=people["users"]["manager"], key=f"requisition:{requisition.pk}:approved")
    assert "数据工程师" in note.text
    with pytest.raises(ValidationError) as exc:
        sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="reject", note="x")
    assert exc.value.code == "state"


def test_a_rejection_needs_a_note_and_only_hr_decides(people, org, position):
    requisition = submit(people, org, position)
    with pytest.raises(ValidationError) as exc:
        sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="reject", note=" ")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError):
        sp.requisition_decide(requisition=requisition, actor=people["users"]["manager"], decision="approve")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.SUBMITTED
    sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="reject", note="预算冻结")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED and requisition.decision_note == "预算冻结"


def test_cancel_by_the_requester_not_with_a_published_posting(people, org, position, hiring):
    requisition = submit(people, org, position)
    with pytest.raises(ValidationError):
        sp.requisition_cancel(requisition=requisition, actor=people["users"]["other_manager"])
    sp.requisition_cancel(requisition=requisition, actor=people["users"]["manager"])
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.CANCELLED
    with pytest.raises(ValidationError) as exc:
        sp.requisition_cancel(requisition=hiring.requisition, actor=people["users"]["hr"])
    assert exc.value.code == "published"
    assert Requisition.objects.get(pk=hiring.requisition.pk).status == RequisitionStatus.APPROVED


# --- posting services -----------------------------------------------------------------------


def test_a_posting_needs_an_approved_requisition_a_title_and_a_description(people, org, position):
    waiting = submit(people, org, position)
    with pytest.raises(ValidationError) as exc:
        new_posting(waiting, people)
    assert "requisition" in exc.value.message_dict
    sp.requisition_decide(requisition=waiting, actor=people["users"]["hr"], decision="approve")
    with pytest.raises(ValidationError) as exc:
        new_posting(waiting, people, title=" ", description="")
    assert {"title", "description"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        new_posting(waiting, people, closes_on=timezone.localdate() - timedelta(days=1))
    assert "closes_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        sp.posting_save(
            posting=JobPosting(requisition=waiting, title="x", description="y"), actor=people["users"]["manager"]
        )
    assert not JobPosting.objects.filter(requisition=waiting).exists()
    posting = new_posting(waiting, people)
    assert posting.status == PostingStatus.DRAFT and posting.created_by == people["users"]["hr"]


def test_publish_and_close(people, org, position):
    requisition = submit(people, org, position, role="hr")
    sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="approve")
    posting = new_posting(requisition, people)
    hr = people["users"]["hr"]
    with pytest.raises(ValidationError):
        sp.posting_close(posting=posting, actor=hr)  # a draft is not published
    with pytest.raises(ValidationError):
        sp.posting_publish(posting=posting, actor=people["users"]["manager"])
    sp.posting_publish(posting=posting, actor=hr)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED and posting.published_at
    with pytest.raises(ValidationError):
        sp.posting_publish(posting=posting, actor=hr)
    sp.posting_close(posting=posting, actor=hr)
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.CLOSED
    # a closed posting whose closing date passed cannot be published again without a new date
    JobPosting.objects.filter(pk=posting.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        sp.posting_publish(posting=posting, actor=hr)


# --- keywords -------------------------------------------------------------------------------


def test_replacing_keywords_rescores_every_application(hiring, make_application):
    strong = make_application("张伟", "zw@example.com", text="机器学习 金融风控 Python")
    weak = make_application("李娜", "ln@example.com", text="五年 SQL 与 Spark 经验")
    assert (strong.score, weak.score) == (Decimal("100.0"), Decimal("0.0"))
    rows = [
        {"term": "SQL", "weight": 4, "must_have": True},
        {"term": "Spark", "weight": 1, "must_have": False},
        {"term": "机器学习", "weight": 5, "must_have": False},
    ]
    assert sp.keywords_replace(posting=hiring.posting, rows=rows) == 2
    strong.refresh_from_db()
    weak.refresh_from_db()
    assert weak.score == Decimal("50.0") and weak.matched_terms == ["SQL", "Spark"] and weak.missing_must_haves == []
    assert strong.score == Decimal("50.0") and strong.missing_must_haves == ["SQL"]
    assert list(hiring.posting.keywords.values_list("term", flat=True)) == ["SQL", "机器学习", "Spark"]
    # an empty list scores everyone 0
    sp.keywords_replace(posting=hiring.posting, rows=[])
    strong.refresh_from_db()
    assert strong.score == 0 and strong.matched_terms == [] and strong.missing_must_haves == []


@pytest.mark.parametrize(
    "rows",
    [
        [{"term": "  ", "weight": 3}],
        [{"term": "x" * 61, "weight": 3}],
        [{"term": "SQL", "weight": 0}],
        [{"term": "SQL", "weight": 11}],
        [{"term": "SQL", "weight": "heavy"}],
        [{"term": "Python", "weight": 2}, {"term": "python", "weight": 3}],
        [{"term": "Python", "weight": 2}, {"term": "Ｐｙｔｈｏｎ", "weight": 3}],
    ],
)
def test_bad_keywords_change_nothing(hiring, make_application, rows):
    app = make_application()
    before = list(hiring.posting.keywords.values_list("term", "weight", "must_have"))
    with pytest.raises(ValidationError) as exc:
        sp.keywords_replace(posting=hiring.posting, rows=rows)
    assert len(exc.value.messages) == 1  # one message naming the row
    assert list(hiring.posting.keywords.values_list("term", "weight", "must_have")) == before
    app.refresh_from_db()
    assert app.score == Decimal("100.0")


# --- pages ----------------------------------------------------------------------------------

PAGES = ["requisitions", "postings"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("hr", 200), ("manager", 200), ("other_manager", 200), ("employee", 403), ("payroll", 403)],
)
def test_list_pages_by_role(client_for, hiring, role, status):
    for name in PAGES:
        assert client_for(role).get(reverse(f"recruiting:{name}")).status_code == status, name


def test_lists_are_scoped(client_for, hiring):
    mine = client_for("manager").get(reverse("recruiting:postings"))
    assert "风控建模工程师" in mine.text
    theirs = client_for("other_manager").get(reverse("recruiting:postings"))
    assert "风控建模工程师" not in theirs.text
    assert "风控建模工程师" not in client_for("other_manager").get(reverse("recruiting:requisitions")).text


def test_anonymous_users_are_sent_to_login(client_for, hiring):
    for url in (
        reverse("recruiting:requisitions"),
        reverse("recruiting:requisition_detail", args=[hiring.requisition.pk]),
        reverse("recruiting:postings"),
        reverse("recruiting:posting_detail", args=[hiring.posting.pk]),
        reverse("recruiting:posting_applications", args=[hiring.posting.pk]),
    ):
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    ("role", "status"),
    [("hr", 200), ("hr_admin", 200), ("manager", 200), ("other_manager", 404), ("employee", 403)],
)
def test_detail_pages_by_role(client_for, hiring, make_application, role, status):
    make_application()
    for url in (
        reverse("recruiting:requisition_detail", args=[hiring.requisition.pk]),
        reverse("recruiting:posting_detail", args=[hiring.posting.pk]),
        reverse("recruiting:posting_applications", args=[hiring.posting.pk]),
    ):
        assert client_for(role).get(url).status_code == status, url


@pytest.mark.parametrize(("role", "status"), [("hr", 200), ("manager", 403), ("employee", 403)])
def test_posting_editing_is_for_hr(client_for, hiring, role, status):
    assert client_for(role).get(reverse("recruiting:posting_edit", args=[hiring.posting.pk])).status_code == status
    assert client_for(role).get(reverse("recruiting:posting_create")).status_code == status
    post = client_for(role).post(reverse("recruiting:posting_close", args=[hiring.posting.pk]))
    assert post.status_code == (302 if status == 200 else 403)
    expected = PostingStatus.CLOSED if status == 200 else PostingStatus.PUBLISHED
    assert JobPosting.objects.get(pk=hiring.posting.pk).status == expected


def test_manager_sees_the_keywords_but_no_editor(client_for, hiring):
    page = client_for("manager").get(reverse("recruiting:posting_detail", args=[hiring.posting.pk]))
    assert "机器学习" in page.text and 'data-testid="keywords-form"' not in page.text
    hr_page = client_for("hr").get(reverse("recruiting:posting_detail", args=[hiring.posting.pk]))
    assert 'data-testid="keywords-form"' in hr_page.text


def test_manager_creates_a_requisition_through_the_page(client_for, people, org, position):
    client = client_for("manager")
    form = client.get(reverse("recruiting:requisition_create"))
    assert form.status_code == 200 and "销售部" not in form.text  # only their departments
    data = {
        "position": position.pk,
        "department": org["a"].pk,
        "headcount": 1,
        "hiring_manager": people["employees"]["manager"].pk,
        "budget_min": "18000",
        "budget_max": "25000",
        "reason": "替补离职员工",
    }
    response = client.post(reverse("recruiting:requisition_create"), {**data, "budget_max": "100"})
    assert response.status_code == 200 and not Requisition.objects.exists()
    response = client.post(reverse("recruiting:requisition_create"), data)
    requisition = Requisition.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/requisitions/{requisition.pk}/")
    assert client_for("employee").get(reverse("recruiting:requisition_create")).status_code == 403


def test_hr_decides_through_the_page(client_for, people, org, position):
    requisition = submit(people, org, position)
    url = reverse("recruiting:requisition_decide", args=[requisition.pk])
    assert client_for("manager").post(url, {"decision": "approve"}).status_code == 403
    client = client_for("hr")
    page = client.get(reverse("recruiting:requisition_detail", args=[requisition.pk]))
    assert 'data-testid="decision-form"' in page.text
    client.post(url, {"decision": "reject", "note": ""})
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.SUBMITTED
    client.post(url, {"decision": "approve", "note": ""})
    assert Requisition.objects.get(pk=requisition.pk).status == RequisitionStatus.APPROVED


def test_hr_creates_edits_and_publishes_a_posting(client_for, hiring):
    client = client_for("hr")
    url = reverse("recruiting:posting_create") + f"?requisition={hiring.requisition.pk}"
    form = client.get(url)
    assert form.status_code == 200 and "风控建模工程师" in form.text
    response = client.post(
        reverse("recruiting:posting_create"),
        {"requisition": hiring.requisition.pk, "title": "高级风控建模工程师", "location": "北京",
         "description": "负责模型。", "assessment_days": 7},
    )  # fmt: skip
    posting = JobPosting.objects.get(title="高级风控建模工程师")
    assert response.status_code == 302 and posting.status == PostingStatus.DRAFT
    client.post(
        reverse("recruiting:posting_edit", args=[posting.pk]),
        {"title": "高级风控建模工程师", "location": "深圳", "description": "负责模型。", "assessment_days": 7},
    )
    posting.refresh_from_db()
    assert posting.location == "深圳"
    client.post(reverse("recruiting:posting_publish", args=[posting.pk]))
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.PUBLISHED


def kw_post(rows, extra=0):
    data = {"kw-TOTAL_FORMS": len(rows), "kw-INITIAL_FORMS": 0, "kw-MIN_NUM_FORMS": 0, "kw-MAX_NUM_FORMS": 60}
    for i, (term, weight, must, delete) in enumerate(rows):
        data[f"kw-{i}-term"] = term
        data[f"kw-{i}-weight"] = weight
        if must:
            data[f"kw-{i}-must_have"] = "on"
        if delete:
            data[f"kw-{i}-DELETE"] = "on"
    return data


def test_keywords_editor_saves_and_rescores(client_for, hiring, make_application):
    app = make_application(text="SQL 与 Python")
    url = reverse("recruiting:posting_keywords", args=[hiring.posting.pk])
    assert client_for("manager").post(url, kw_post([("SQL", 3, True, False)])).status_code == 403
    rows = [("SQL", 3, True, False), ("Python", 1, False, False), ("机器学习", 5, True, True), ("", "", False, False)]
    response = client_for("hr").post(url, kw_post(rows))
    assert response.status_code == 302
    assert list(PostingKeyword.objects.filter(posting=hiring.posting).values_list("term", flat=True)) == [
        "SQL",
        "Python",
    ]
    app.refresh_from_db()
    assert app.score == Decimal("100.0")
    bad = client_for("hr").post(url, kw_post([("SQL", 3, False, False), ("sql", 2, False, False)]))
    assert bad.status_code == 400 and PostingKeyword.objects.filter(posting=hiring.posting).count() == 2


def test_applications_are_ranked_and_filtered(client_for, hiring, make_application):
    make_application("低分", "low@example.com", text="销售经验")
    top = make_application("高分", "high@example.com", text="机器学习 金融风控 Python")
    make_application("中分", "mid@example.com", text="金融风控 Python", stage="screening")
    client = client_for("manager")
    url = reverse("recruiting:posting_applications", args=[hiring.posting.pk])
    page = client.get(url).text
    assert page.index("高分") < page.index("中分") < page.index("低分")
    assert "机器学习" in page.split('data-testid="missing"', 1)[1].split("</span>", 1)[0]  # the red badge names it
    assert 'data-testid="missing"' in page
    assert f'href="{reverse("recruiting:application_detail", args=[top.pk])}"' in page
    only_met = client.get(url, {"must": "1"}).text
    assert "高分" in only_met and "中分" not in only_met and "低分" not in only_met
    assert "高分" not in client.get(url, {"stage": "screening"}).text
    assert "中分" in client.get(url, {"q": "MID@example"}).text


def test_list_pages_keep_their_query_count(client_for, hiring, make_application, people, position, org):
    client = client_for("hr")
    urls = [
        reverse("recruiting:requisitions"),
        reverse("recruiting:postings"),
        reverse("recruiting:posting_applications", args=[hiring.posting.pk]),
    ]
    make_application("一号", "a1@example.com")
    client.get(urls[0])  # warm the session
    few = {}
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        few[url] = len(q)
    for i in range(8):
        make_application(f"候选人{i}", f"c{i}@example.com", text="机器学习" if i % 2 else "Python")
        requisition = submit(people, org, position, role="hr")
        sp.requisition_decide(requisition=requisition, actor=people["users"]["hr"], decision="approve")
        new_posting(requisition, people, title=f"岗位{i}")
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        assert len(q) <= few[url], (url, few[url], len(q))

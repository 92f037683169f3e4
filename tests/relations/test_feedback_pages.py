"""The feedback box pages: the board, posting, following with the code, the readers' thread page,
the HR and head list and thread page with reply, close, hide and unhide. Per page and role who
gets in (200 / 403 / 404 / login), what each sees (private threads only to HR and the addressed
head, hidden ones off the board), refusals with nothing changed, escaping, and query budgets."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from relations.models import FeedbackReply, FeedbackThread
from relations.services_feedback import (
    feedback_close,
    feedback_hide,
    feedback_post,
    feedback_poster_reply,
    feedback_reply,
)

pytestmark = pytest.mark.django_db

ROLES = ("employee", "manager", "other_manager", "hr", "other_employee", "team_member")
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def post(subject, *, department=None, public=True, category="suggestion", body="正文"):
    thread, secret = feedback_post(
        category=category, subject=subject, body=body, department=department, is_public=public
    )
    return SimpleNamespace(thread=thread, secret=secret, pk=thread.pk)


@pytest.fixture
def box(org, people):
    """pub_a: public to A; priv_a: private to A; priv_b: private to B; pub_hr: public to HR;
    hidden_b: public to B, hidden by HR; priv_team: private to A's sub-team A1."""
    made = SimpleNamespace(
        pub_a=post("食堂菜品太单一", department=org["a"]),
        priv_a=post("组长安排任务不公平", department=org["a"], public=False, category="complaint"),
        priv_b=post("销售提成核算有误", department=org["b"], public=False, category="complaint"),
        pub_hr=post("希望增加培训预算", category="question"),
        hidden_b=post("某某同事很讨厌", department=org["b"], category="complaint"),
        priv_team=post("平台组值班太多", department=org["a_team"], public=False),
    )
    feedback_hide(thread=made.hidden_b.thread, reason="人身攻击", actor=people["users"]["hr"])
    return made


def subjects(response) -> set[str]:
    return {t.subject for t in response.context["page_obj"]}


def login_redirect(response) -> bool:
    return response.status_code == 302 and "/login/" in response["Location"]


def snapshot() -> tuple:
    return (
        sorted(FeedbackThread.objects.values_list("id", "status", "hidden", "hidden_reason", "subject", "body")),
        sorted(FeedbackReply.objects.values_list("id", "body")),
    )


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/me/feedback/", "/me/feedback/new/", "/me/feedback/follow/"])
def test_self_service_pages_for_every_employee(client_for, url):
    for role in ROLES:
        assert client_for(role).get(url).status_code == 200, role
    assert login_redirect(client_for(None).get(url))
    if url != "/me/feedback/":  # the board is GET only
        assert login_redirect(client_for(None).post(url, {"secret": "x"}))


@pytest.mark.parametrize("url", ["/me/feedback/", "/me/feedback/new/", "/me/feedback/follow/"])
def test_self_service_pages_need_an_employee_record(org, url):
    from hrsuite.roles import Role
    from tests.factories import UserFactory

    c = Client()
    c.force_login(UserFactory(username="noemployee", roles=[Role.EMPLOYEE]))
    assert c.get(url).status_code == 403
    assert c.post(url, {"category": "praise", "subject": "x", "body": "y"}).status_code in (403, 405)
    assert not FeedbackThread.objects.exists()


def test_inbox_pages_per_role(client_for, box):
    url = reverse("relations:feedback_list")
    for role in ("manager", "other_manager", "hr", "hr_admin"):
        assert client_for(role).get(url).status_code == 200, role
    for role in ("employee", "other_employee", "team_member", "payroll"):
        assert client_for(role).get(url).status_code == 403, role
        assert client_for(role).get(reverse("relations:feedback_thread", args=[box.pub_a.pk])).status_code == 403
    assert login_redirect(client_for(None).get(url))
    assert login_redirect(client_for(None).get(reverse("relations:feedback_thread", args=[box.pub_a.pk])))


def test_thread_page_reach(client_for, box):
    def status(role, made):
        return client_for(role).get(reverse("relations:feedback_thread", args=[made.pk])).status_code

    assert status("hr", box.priv_a) == status("hr", box.hidden_b) == status("hr", box.priv_b) == 200
    assert status("manager", box.priv_a) == status("manager", box.priv_team) == status("manager", box.pub_a) == 200
    assert status("manager", box.priv_b) == status("manager", box.hidden_b) == 404
    assert status("other_manager", box.priv_a) == status("other_manager", box.priv_team) == 404
    assert status("other_manager", box.priv_b) == status("other_manager", box.hidden_b) == 200
    assert status("other_manager", box.pub_a) == 200  # public: read-only for them
    assert client_for("hr").get(reverse("relations:feedback_thread", args=[uuid.uuid4()])).status_code == 404


def test_readers_thread_page_shows_only_public_shown_threads(client_for, box):
    def status(role, made):
        return client_for(role).get(reverse("myfeedback:thread", args=[made.pk])).status_code

    for role in ("employee", "other_employee", "manager", "hr"):
        assert status(role, box.pub_a) == status(role, box.pub_hr) == 200
        # private threads and hidden ones are not on the board, for anybody (HR and the head use the inbox)
        assert status(role, box.priv_a) == status(role, box.priv_b) == status(role, box.hidden_b) == 404
    assert login_redirect(client_for(None).get(reverse("myfeedback:thread", args=[box.pub_a.pk])))


# --- the board ------------------------------------------------------------------------------


def test_board_shows_public_shown_threads_only(client_for, box):
    for role in ("employee", "manager", "other_manager", "hr"):
        response = client_for(role).get("/me/feedback/")
        assert subjects(response) == {"食堂菜品太单一", "希望增加培训预算"}, role
        body = response.content.decode()
        assert "组长安排任务不公平" not in body and "某某同事很讨厌" not in body
        assert reverse("myfeedback:follow") in body and reverse("myfeedback:new") in body


def test_board_search_category_and_paging(client_for, box, settings):
    c = client_for("employee")
    assert subjects(c.get("/me/feedback/", {"q": "食堂"})) == {"食堂菜品太单一"}
    assert subjects(c.get("/me/feedback/", {"category": "question"})) == {"希望增加培训预算"}
    assert subjects(c.get("/me/feedback/", {"category": "complaint"})) == set()
    settings.HRSUITE_PAGE_SIZE = 1
    first, second = c.get("/me/feedback/"), c.get("/me/feedback/", {"page": 2})
    assert first.context["page_obj"].paginator.num_pages == 2
    assert subjects(first) | subjects(second) == {"食堂菜品太单一", "希望增加培训预算"}


def test_board_row_shows_department_or_hr_reply_count_and_status(client_for, box, people, english):
    feedback_reply(thread=box.pub_a.thread, body="下周起增加两个菜品。", actor=people["users"]["manager"])
    body = client_for("employee").get("/me/feedback/").content.decode()
    row_a = body.split(f'data-thread="{box.pub_a.pk}"')[1].split("</tr>")[0]
    assert "技术部" in row_a and 'data-status="answered"' in row_a and '<td class="text-center">1</td>' in row_a
    row_hr = body.split(f'data-thread="{box.pub_hr.pk}"')[1].split("</tr>")[0]
    assert "<td>HR</td>" in row_hr and 'data-status="open"' in row_hr and 'data-category="question"' in row_hr


def test_board_query_budget(client_for, org, django_assert_max_num_queries):
    c = client_for("employee")
    for i in range(3):
        post(f"建议{i}", department=org["a"])
    c.get("/me/feedback/")
    with django_assert_max_num_queries(14) as few:
        c.get("/me/feedback/")
    for i in range(30):
        post(f"更多建议{i}", department=org["b"] if i % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = c.get("/me/feedback/")
    assert len(response.context["page_obj"]) == 33


# --- posting --------------------------------------------------------------------------------


def test_posting_renders_the_code_once_and_stores_no_identity(client_for, org):
    c = client_for("employee")
    response = c.post(
        "/me/feedback/new/",
        {"category": "complaint", "department": org["b"].pk, "subject": "报销太慢", "body": "报销要等两个月。"},
    )
    assert response.status_code == 200  # rendered, not redirected
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert response.content.decode().count(secret) == 1
    thread = FeedbackThread.objects.get()
    assert (thread.category, thread.department, thread.subject, thread.body, thread.is_public) == (
        "complaint", org["b"], "报销太慢", "报销要等两个月。", False,
    )  # fmt: skip
    from relations.services_feedback import thread_for_secret

    assert thread_for_secret(secret) == thread
    assert "_messages" not in c.session
    # the follow page never shows the code again, and the board never links to it
    assert secret not in c.get("/me/feedback/follow/").content.decode()
    assert secret not in c.get("/me/feedback/").content.decode()


def test_posting_to_hr_and_public(client_for):
    response = client_for("team_member").post(
        "/me/feedback/new/",
        {"category": "praise", "department": "", "subject": "感谢HR", "body": "入职很顺利", "is_public": "on"},
    )
    assert response.status_code == 200
    thread = FeedbackThread.objects.get()
    assert thread.department is None and thread.is_public and thread.status == "open"


def test_post_form_shows_counter_and_notice(client_for, english):
    response = client_for("employee").get("/me/feedback/new/")
    body = response.content.decode()
    assert 'data-counter="2000"' in body and 'data-counter-for="id_body"' in body and 'maxlength="2000"' in body
    assert 'data-counter="120"' in body and "relations/feedback.js" in body
    assert 'data-testid="privacy-notice"' in body and "Not stored anywhere" in body
    assert response.context["form"]["is_public"].value() is True  # public unless the poster unticks it


@pytest.mark.parametrize(
    "data, field",
    [
        ({"category": "praise", "subject": "x", "body": "长" * 2001}, "body"),
        ({"category": "praise", "subject": "题" * 121, "body": "正文"}, "subject"),
        ({"category": "praise", "subject": "  ", "body": "正文"}, "subject"),
        ({"category": "praise", "subject": "x", "body": ""}, "body"),
        ({"category": "threat", "subject": "x", "body": "正文"}, "category"),
        ({"category": "praise", "subject": "x", "body": "正文", "department": "999999"}, "department"),
    ],
)
def test_bad_posts_refused_with_nothing_stored(client_for, org, data, field):
    response = client_for("employee").post("/me/feedback/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "secret" not in response.context
    assert not FeedbackThread.objects.exists()


def test_over_length_message_names_the_limit(client_for, english):
    response = client_for("employee").post(
        "/me/feedback/new/", {"category": "praise", "subject": "x", "body": "a" * 2001}
    )
    assert "The feedback is 2001 characters long; at most 2000 are allowed." in response.content.decode()


def test_line_breaks_count_once(client_for):
    body = "a" * 1000 + "\r\n" + "b" * 999  # 2001 characters as sent, 2000 as stored
    response = client_for("employee").post("/me/feedback/new/", {"category": "praise", "subject": "换行", "body": body})
    assert response.status_code == 200 and "secret" in response.context
    assert len(FeedbackThread.objects.get().body) == 2000


def test_get_on_new_never_posts(client_for):
    client_for("employee").get("/me/feedback/new/", {"category": "praise", "subject": "x", "body": "y"})
    assert not FeedbackThread.objects.exists()


# --- following with the code ----------------------------------------------------------------


def test_follow_with_the_code_shows_thread_and_replies(client_for, thread, people, english):
    feedback_reply(thread=thread.thread, body="已安排轮休。", actor=people["users"]["manager"])
    c = client_for("other_employee")  # the code is all that counts: any employee holding it
    response = c.post("/me/feedback/follow/", {"secret": thread.secret.lower()})
    assert response.status_code == 200
    body = response.content.decode()
    assert "加班太多" in body and "已安排轮休。" in body and "Department head" in body
    assert 'data-testid="poster-reply-form"' in body
    assert f'type="hidden" name="secret" value="{thread.secret.lower()}"' in body
    assert "?secret" not in body and "no-store" in response["Cache-Control"]


def test_follow_by_get_never_opens_a_thread(client_for, thread):
    response = client_for("employee").get("/me/feedback/follow/", {"secret": thread.secret})
    assert response.status_code == 200 and "thread" not in response.context
    assert thread.thread.subject not in response.content.decode()


@pytest.mark.parametrize(
    "code, message",
    [
        ("ABCD-EFGH-JKLM-NPQR", "No feedback matches this code. Check it and try again."),
        ("ABC", "A follow-up code has 16 letters and digits"),
        ("", "Enter the follow-up code you were given when you posted."),
    ],
)
def test_wrong_code_gets_a_clear_message(client_for, thread, english, code, message):
    response = client_for("employee").post("/me/feedback/follow/", {"secret": code})
    assert response.status_code == 200 and "thread" not in response.context
    assert message in response.content.decode()


def test_poster_replies_with_the_code(client_for, thread, people):
    feedback_reply(thread=thread.thread, body="请具体说明", actor=people["users"]["hr"])
    response = client_for("employee").post("/me/feedback/follow/", {"secret": thread.secret, "body": "主要是周六。"})
    assert response.status_code == 200 and response.context["replied"] is True
    reply = thread.thread.replies.get(author_kind="poster")
    assert reply.author_id is None and reply.body == "主要是周六。"
    thread.thread.refresh_from_db()
    assert thread.thread.status == "open"


def test_poster_reply_refusals_change_nothing(client_for, thread, english):
    c = client_for("employee")
    before = snapshot()
    too_long = c.post("/me/feedback/follow/", {"secret": thread.secret, "body": "长" * 2001})
    assert "body" in too_long.context["reply_form"].errors
    wrong = c.post("/me/feedback/follow/", {"secret": "ABCD-EFGH-JKLM-NPQR", "body": "冒充"})
    assert "No feedback matches this code" in wrong.content.decode() and "thread" not in wrong.context
    assert snapshot() == before


def test_closed_or_hidden_thread_takes_no_poster_reply(client_for, thread, people, english):
    c = client_for("employee")
    feedback_hide(thread=thread.thread, reason="含人名", actor=people["users"]["hr"])
    page = c.post("/me/feedback/follow/", {"secret": thread.secret}).content.decode()
    assert "含人名" in page and 'data-testid="poster-reply-form"' not in page
    before = snapshot()
    refused = c.post("/me/feedback/follow/", {"secret": thread.secret, "body": "还是要说"})
    assert "HR has hidden this thread" in refused.content.decode()
    assert snapshot() == before

    other = post("另一个", department=None)
    feedback_close(thread=other.thread, actor=people["users"]["hr"])
    page = c.post("/me/feedback/follow/", {"secret": other.secret}).content.decode()
    assert "This thread is closed" in page and 'data-testid="poster-reply-form"' not in page
    before = snapshot()
    c.post("/me/feedback/follow/", {"secret": other.secret, "body": "再补充"})
    assert snapshot() == before


# --- the inbox lists --------------------------------------------------------------------------


def test_hr_list_has_everything_with_filters(client_for, box, org, people, english):
    c = client_for("hr")
    url = reverse("relations:feedback_list")
    response = c.get(url)
    assert len(subjects(response)) == 6
    body = response.content.decode()
    assert "人身攻击" in body and 'data-testid="hidden-badge"' in body
    assert subjects(c.get(url, {"hidden": "yes"})) == {"某某同事很讨厌"}
    assert "某某同事很讨厌" not in subjects(c.get(url, {"hidden": "no"}))
    assert subjects(c.get(url, {"category": "complaint"})) == {
        "组长安排任务不公平",
        "销售提成核算有误",
        "某某同事很讨厌",
    }
    assert subjects(c.get(url, {"department": org["a"].pk})) == {"食堂菜品太单一", "组长安排任务不公平"}
    assert subjects(c.get(url, {"department": "hr"})) == {"希望增加培训预算"}
    assert subjects(c.get(url, {"q": "提成"})) == {"销售提成核算有误"}
    feedback_close(thread=box.pub_hr.thread, actor=people["users"]["hr"])
    assert subjects(c.get(url, {"status": "closed"})) == {"希望增加培训预算"}


def test_manager_list_tabs(client_for, box):
    url = reverse("relations:feedback_list")
    mine = client_for("manager").get(url)
    assert mine.context["tab"] == "mine"
    assert subjects(mine) == {"食堂菜品太单一", "组长安排任务不公平", "平台组值班太多"}
    public = client_for("manager").get(url, {"tab": "public"})
    assert subjects(public) == {"食堂菜品太单一", "希望增加培训预算"}
    other = client_for("other_manager").get(url)
    assert subjects(other) == {
        "销售提成核算有误",
        "某某同事很讨厌",
    }  # the hidden one addressed to them stays in their inbox
    body = other.content.decode()
    assert "组长安排任务不公平" not in body and "人身攻击" not in body  # HR's reason is HR's
    assert "hidden" not in other.context["filter"].form.fields


def test_manager_department_filter_only_offers_their_departments(client_for, box, org):
    response = client_for("manager").get(reverse("relations:feedback_list"), {"department": org["a_team"].pk})
    assert subjects(response) == {"平台组值班太多"}
    offered = {v for v, _label in response.context["filter"].form.fields["department"].choices}
    assert str(org["b"].pk) not in offered and str(org["a"].pk) in offered
    refused = client_for("manager").get(reverse("relations:feedback_list"), {"department": org["b"].pk})
    # not a choice of theirs: ignored, the list stays their own
    assert subjects(refused) == {"食堂菜品太单一", "组长安排任务不公平", "平台组值班太多"}


@pytest.mark.parametrize("role, params", [("hr", {}), ("manager", {}), ("manager", {"tab": "public"})])
def test_inbox_query_budget(client_for, org, role, params, django_assert_max_num_queries):
    c = client_for(role)
    url = reverse("relations:feedback_list")
    for i in range(3):
        post(f"主题{i}", department=org["a"])
    c.get(url, params)
    with django_assert_max_num_queries(20) as few:
        c.get(url, params)
    for i in range(30):
        post(f"更多主题{i}", department=org["a_team"] if i % 2 else org["a"], public=bool(i % 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url, params)


# --- the thread page and its actions ----------------------------------------------------------


def test_replies_are_labelled_by_role(client_for, thread, people, english):
    feedback_reply(thread=thread.thread, body="HR 已收到", actor=people["users"]["hr"])
    feedback_reply(thread=thread.thread, body="部门会调整", actor=people["users"]["manager"])
    feedback_poster_reply(secret=thread.secret, body="谢谢")
    for url, role in (
        (reverse("relations:feedback_thread", args=[thread.thread.pk]), "manager"),
        (reverse("myfeedback:thread", args=[thread.thread.pk]), "other_employee"),
    ):
        body = client_for(role).get(url).content.decode()
        assert [kind for kind in ("hr", "head", "poster") if f'data-author="{kind}"' in body] == [
            "hr",
            "head",
            "poster",
        ]
        assert "the poster" in body and "Department head" in body
        assert people["users"]["manager"].first_name not in body.split('id="replies"')[1]
    hr_view = client_for("hr").get(reverse("relations:feedback_thread", args=[thread.thread.pk])).content.decode()
    assert people["users"]["manager"].first_name in hr_view.split('id="replies"')[1]  # accountability, for HR


def test_head_and_hr_reply_through_the_page(client_for, thread):
    url = reverse("relations:feedback_reply", args=[thread.thread.pk])
    response = client_for("manager").post(url, {"body": "下月起调整排班。"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "relations:feedback_thread", args=[thread.thread.pk]
    )
    client_for("hr").post(url, {"body": "HR 会跟进。"})
    assert list(thread.thread.replies.values_list("author_kind", "body")) == [
        ("head", "下月起调整排班。"), ("hr", "HR 会跟进。"),
    ]  # fmt: skip
    thread.thread.refresh_from_db()
    assert thread.thread.status == "answered"


def test_reply_refusals_change_nothing(client_for, box, english):
    before = snapshot()
    # another department's head reads a public thread but cannot answer it
    page = client_for("other_manager").get(reverse("relations:feedback_thread", args=[box.pub_a.pk])).content.decode()
    assert 'data-testid="reply-form"' not in page and 'data-testid="close-thread"' not in page
    refused = client_for("other_manager").post(
        reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "我也说两句"}
    )
    assert refused.status_code == 302
    assert client_for("other_manager").post(reverse("relations:feedback_close", args=[box.pub_a.pk])).status_code == 302
    # out of reach: 404; no permission: 403
    assert (
        client_for("other_manager")
        .post(reverse("relations:feedback_reply", args=[box.priv_a.pk]), {"body": "x"})
        .status_code
        == 404
    )
    assert (
        client_for("employee").post(reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "x"}).status_code
        == 403
    )
    assert (
        client_for(None).post(reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "x"}).status_code
        == 302
    )
    # bad text: the error under the field, the draft kept
    empty = client_for("manager").post(reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "  "})
    assert empty.status_code == 200 and "body" in empty.context["reply_form"].errors
    long = client_for("hr").post(reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "长" * 2001})
    assert "at most 2000 are allowed" in long.content.decode()
    assert long.context["reply_form"]["body"].value() == "长" * 2001
    assert snapshot() == before
    follow = client_for("other_manager").post(
        reverse("relations:feedback_reply", args=[box.pub_a.pk]), {"body": "我也说两句"}, follow=True
    )
    assert "Only HR and the addressed department head can reply." in follow.content.decode()


def test_close_then_no_more_replies(client_for, thread):
    c = client_for("manager")
    assert c.post(reverse("relations:feedback_close", args=[thread.thread.pk])).status_code == 302
    thread.thread.refresh_from_db()
    assert thread.thread.status == "closed"
    page = c.get(reverse("relations:feedback_thread", args=[thread.thread.pk])).content.decode()
    assert 'data-testid="reply-form"' not in page
    before = snapshot()
    c.post(reverse("relations:feedback_reply", args=[thread.thread.pk]), {"body": "补充"})
    assert snapshot() == before


def test_hide_needs_hr_and_a_reason(client_for, thread, english):
    url = reverse("relations:feedback_hide", args=[thread.thread.pk])
    before = snapshot()
    assert client_for("manager").post(url, {"reason": "不当"}).status_code == 403
    assert client_for("employee").post(url, {"reason": "不当"}).status_code == 403
    empty = client_for("hr").post(url, {"reason": " "})
    assert empty.status_code == 200 and "reason" in empty.context["hide_form"].errors
    assert "Give the reason for hiding this thread." in empty.content.decode()
    assert snapshot() == before
    assert client_for("hr").post(url, {"reason": "点名批评同事"}).status_code == 302
    thread.thread.refresh_from_db()
    assert thread.thread.hidden and thread.thread.hidden_reason == "点名批评同事"
    # off the board, the reason for HR, a plain notice for the head
    assert thread.thread.subject not in client_for("employee").get("/me/feedback/").content.decode()
    assert client_for("employee").get(reverse("myfeedback:thread", args=[thread.thread.pk])).status_code == 404
    hr_page = client_for("hr").get(reverse("relations:feedback_thread", args=[thread.thread.pk])).content.decode()
    assert "点名批评同事" in hr_page and 'data-testid="unhide-thread"' in hr_page
    head_page = (
        client_for("manager").get(reverse("relations:feedback_thread", args=[thread.thread.pk])).content.decode()
    )
    assert "HR has hidden this thread from the board." in head_page and "点名批评同事" not in head_page
    # shown again
    assert client_for("manager").post(reverse("relations:feedback_unhide", args=[thread.thread.pk])).status_code == 403
    client_for("hr").post(reverse("relations:feedback_unhide", args=[thread.thread.pk]))
    thread.thread.refresh_from_db()
    assert not thread.thread.hidden and thread.thread.hidden_reason == ""
    assert thread.thread.subject in client_for("employee").get("/me/feedback/").content.decode()


def test_actions_refuse_get(client_for, thread):
    for name in ("feedback_reply", "feedback_close", "feedback_hide", "feedback_unhide"):
        assert client_for("hr").get(reverse(f"relations:{name}", args=[thread.thread.pk])).status_code == 405


# --- escaping -------------------------------------------------------------------------------


def test_script_in_feedback_is_shown_escaped_everywhere(client_for, org, people):
    c = client_for("employee")
    posted = c.post(
        "/me/feedback/new/",
        {"category": "complaint", "department": org["a"].pk, "subject": SCRIPT, "body": IMG, "is_public": "on"},
    )
    secret = posted.context["secret"]
    thread = FeedbackThread.objects.get()
    assert thread.subject == SCRIPT and thread.body == IMG  # stored as text
    feedback_reply(thread=thread, body=SCRIPT + IMG, actor=people["users"]["manager"])
    pages = [
        posted,
        c.get("/me/feedback/"),
        c.get(reverse("myfeedback:thread", args=[thread.pk])),
        c.post("/me/feedback/follow/", {"secret": secret}),
        client_for("hr").get(reverse("relations:feedback_list")),
        client_for("hr").get(reverse("relations:feedback_thread", args=[thread.pk])),
        client_for("manager").get(reverse("relations:feedback_thread", args=[thread.pk])),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in body and IMG not in body, response.wsgi_request.path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, response.wsgi_request.path
    for response in pages[2:4] + pages[5:]:
        assert "&lt;img src=x onerror=alert(1)&gt;" in response.content.decode()


def test_script_in_a_hide_reason_is_escaped(client_for, thread, people):
    feedback_hide(thread=thread.thread, reason=SCRIPT, actor=people["users"]["hr"])
    for url in (reverse("relations:feedback_list"), reverse("relations:feedback_thread", args=[thread.thread.pk])):
        body = client_for("hr").get(url).content.decode()
        assert SCRIPT not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body

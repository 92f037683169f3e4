"""The exam pages: HR's banks, questions, exams and results; an employee's exams, taking one
and its result. Permissions first, then each page's behaviour."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exams import services
from exams.models import AttemptStatus, Exam, ExamAttempt, Question, QuestionBank
from hrsuite.audit.models import AuditEntry
from tests.exams.conftest import add_question, form_data, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(exam, people):
    """`employee` has submitted an attempt at `exam` (all right)."""
    now = timezone.now()
    a = services.attempt_start(exam=exam, employee=people["employees"]["employee"], now=now - timedelta(minutes=20))
    return services.attempt_submit(attempt=a, answers=right_answers(a), now=now - timedelta(minutes=8))


def manage_pages(exam, attempt):
    bank, question = exam.bank, exam.bank.questions.first()
    return [
        reverse("exams:banks"),
        reverse("exams:bank_create"),
        reverse("exams:bank_detail", args=[bank.pk]),
        reverse("exams:bank_edit", args=[bank.pk]),
        reverse("exams:question_create", args=[bank.pk]),
        reverse("exams:question_edit", args=[question.pk]),
        reverse("exams:bank_import", args=[bank.pk]),
        reverse("exams:bank_template"),
        reverse("exams:exams"),
        reverse("exams:exam_create"),
        reverse("exams:exam_edit", args=[exam.pk]),
        reverse("exams:exam_results", args=[exam.pk]),
        reverse("exams:exam_results_export", args=[exam.pk]),
        reverse("exams:attempt_detail", args=[attempt.pk]),
    ]


def manage_posts(exam):
    question = exam.bank.questions.first()
    return [
        reverse("exams:question_delete", args=[question.pk]),
        reverse("exams:question_active", args=[question.pk]),
        reverse("exams:bank_import_confirm", args=[exam.bank.pk]),
    ]


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "hr_admin"])
def test_hr_opens_every_exam_page(client_for, exam, attempt, role):
    client = client_for(role)
    for url in manage_pages(exam, attempt):
        assert client.get(url).status_code == 200, url
    for url in manage_posts(exam):
        assert client.get(url).status_code == 405, url


@pytest.mark.parametrize("role", ["employee", "manager", "payroll"])
def test_other_roles_get_403_on_hr_pages(client_for, exam, attempt, role):
    client = client_for(role)
    for url in manage_pages(exam, attempt):
        assert client.get(url).status_code == 403, url
    for url in manage_posts(exam):
        assert client.post(url, {"active": "0"}).status_code == 403, url
    assert Question.objects.filter(bank=exam.bank, is_active=True).count() == 6


def test_anonymous_is_sent_to_login(client, exam, attempt):
    urls = [
        *manage_pages(exam, attempt),
        reverse("myexams:list"),
        reverse("myexams:take", args=[attempt.pk]),
        reverse("myexams:result", args=[attempt.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    for url in [
        *manage_posts(exam),
        reverse("myexams:start", args=[exam.pk]),
        reverse("myexams:submit", args=[attempt.pk]),
    ]:
        assert client.post(url).status_code == 302, url


def test_an_employee_cannot_reach_another_employees_attempt(client_for, exam, enrolled, people):
    now = timezone.now()
    mine = services.attempt_start(exam=exam, employee=people["employees"]["other_employee"], now=now)
    client = client_for("employee")
    for name in ("take", "result"):
        assert client.get(reverse(f"myexams:{name}", args=[mine.pk])).status_code == 404, name
    for name in ("autosave", "submit"):
        assert (
            client.post(reverse(f"myexams:{name}", args=[mine.pk]), form_data(right_answers(mine))).status_code == 404
        )
    mine.refresh_from_db()
    assert mine.status == AttemptStatus.IN_PROGRESS and mine.answers == {}
    # HR staff are employees too, but their own pages show only their own attempts
    assert client_for("hr").get(reverse("myexams:take", args=[mine.pk])).status_code == 404


def test_an_employee_starts_only_exams_of_courses_they_are_enrolled_in(client_for, exam, people):
    other = Exam.objects.create(title="未报名的考试", bank=exam.bank, question_count=2, time_limit_minutes=5)
    client = client_for("employee")
    assert client.post(reverse("myexams:start", args=[other.pk])).status_code == 404
    assert client.post(reverse("myexams:start", args=[exam.pk])).status_code == 404  # not enrolled yet
    assert not ExamAttempt.objects.exists()


# --- HR: banks and questions ----------------------------------------------------------------


def test_bank_list_searches_and_pages(client_for, bank, django_assert_max_num_queries):
    for i in range(55):
        QuestionBank.objects.create(name=f"题库{i:02d}")
    client = client_for("hr")
    with django_assert_max_num_queries(15):
        first = client.get(reverse("exams:banks"))
    assert len(first.context["page_obj"]) == 50 and first.context["page_obj"].paginator.count == 56
    assert len(client.get(reverse("exams:banks"), {"page": 2}).context["page_obj"]) == 6
    found = client.get(reverse("exams:banks"), {"q": "反洗钱"}).context["page_obj"]
    assert [(b.name, b.question_total, b.active_total) for b in found] == [("反洗钱题库", 6, 6)]


def test_bank_detail_lists_its_questions_with_a_query_budget(client_for, bank, django_assert_max_num_queries):
    for i in range(20):
        add_question(bank, "single", f"补充题{i}", [("甲", True), ("乙", False)])
    client = client_for("hr")
    with django_assert_max_num_queries(16):
        page = client.get(reverse("exams:bank_detail", args=[bank.pk]))
    assert page.status_code == 200 and len(page.context["page_obj"]) == 26
    found = client.get(reverse("exams:bank_detail", args=[bank.pk]), {"q": "丑1"}).context["page_obj"]
    assert [q.text for q in found] == ["多选题2"]  # matched through an answer
    assert len(client.get(reverse("exams:bank_detail", args=[bank.pk]), {"kind": "multiple"}).context["page_obj"]) == 2


def choice_post(kind="single", text="新的单选题", answers=(("甲", True), ("乙", False)), **extra):
    data = {"kind": kind, "text": text, "points": "2", "explanation": "", "is_active": "on",
            "choices-TOTAL_FORMS": "6", "choices-INITIAL_FORMS": "0", "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "6"}  # fmt: skip
    for i in range(6):
        t, correct = answers[i] if i < len(answers) else ("", False)
        data[f"choices-{i}-text"] = t
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(extra)
    return data


def test_hr_creates_a_question_with_its_answers(client_for, bank):
    client = client_for("hr")
    url = reverse("exams:question_create", args=[bank.pk])
    page = client.get(url, {"kind": "true_false"})
    assert page.context["formset"].forms[0].initial["text"]  # true / false prefilled
    response = client.post(url, choice_post(answers=(("甲", False), ("乙", True), ("丙", False))))
    assert response.status_code == 302
    q = bank.questions.get(text="新的单选题")
    assert q.points == 2 and [c.is_correct for c in q.choices.all()] == [False, True, False]


def test_a_wrong_question_is_shown_again_with_the_reason(client_for, bank, english):
    client = client_for("hr")
    response = client.post(
        reverse("exams:question_create", args=[bank.pk]), choice_post(answers=(("甲", True), ("乙", True)))
    )
    assert response.status_code == 200
    assert "This kind of question has exactly one correct answer; 2 are marked." in response.text
    assert 'value="甲"' in response.text  # what was typed is kept
    assert not bank.questions.filter(text="新的单选题").exists()


def test_editing_a_question_and_removing_it(client_for, bank):
    client = client_for("hr")
    q = bank.questions.get(text="单选题1")
    choices = list(q.choices.all())
    data = choice_post(text="单选题1（修订）", answers=[(c.text, c.is_correct) for c in choices])
    data.update({f"choices-{i}-id": str(c.pk) for i, c in enumerate(choices)})
    data["choices-INITIAL_FORMS"] = "3"
    assert client.post(reverse("exams:question_edit", args=[q.pk]), data).status_code == 302
    q.refresh_from_db()
    assert q.text == "单选题1（修订）" and [c.pk for c in q.choices.all()] == [c.pk for c in choices]
    assert client.post(reverse("exams:question_delete", args=[q.pk])).status_code == 302
    assert not Question.objects.filter(pk=q.pk).exists()


def test_a_drawn_question_is_deactivated_not_deleted(client_for, exam, attempt):
    client = client_for("hr")
    exam.question_count = 5
    exam.save()
    q = Question.objects.get(pk=attempt.paper[0]["question"])
    page = client.get(reverse("exams:question_edit", args=[q.pk]))
    assert page.context["used"] == 1 and reverse("exams:question_delete", args=[q.pk]) not in page.text
    client.post(reverse("exams:question_delete", args=[q.pk]))
    assert Question.objects.filter(pk=q.pk).exists()
    client.post(reverse("exams:question_active", args=[q.pk]), {"active": "0"})
    assert not Question.objects.get(pk=q.pk).is_active


# --- HR: exams and results -----------------------------------------------------------------


def test_an_exam_drawing_too_many_questions_is_refused_on_the_field(client_for, bank, english):
    client = client_for("hr")
    data = {"title": "新考试", "bank": bank.pk, "question_count": "7", "time_limit_minutes": "20", "pass_mark": "60",
            "attempts_allowed": "1", "shuffle": "on", "is_active": "on"}  # fmt: skip
    response = client.post(reverse("exams:exam_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["question_count"] == [
        "The bank “反洗钱题库” has 6 active questions; the exam cannot draw 7. Lower the number or add questions to the bank."
    ]
    data["question_count"] = "6"
    assert client.post(reverse("exams:exam_create"), data).status_code == 302
    assert Exam.objects.get(title="新考试").question_count == 6


def test_exam_list_and_results_with_difficulty_and_export(
    client_for, exam, attempt, people, django_assert_max_num_queries
):
    now = timezone.now()
    failed = services.attempt_start(exam=exam, employee=people["employees"]["other_employee"], now=now)
    services.attempt_submit(attempt=failed, answers={}, now=now + timedelta(minutes=3))
    services.attempt_start(exam=exam, taker_label="候选人 王五", now=now)  # in progress
    client = client_for("hr")
    listing = client.get(reverse("exams:exams"))
    row = listing.context["page_obj"][0]
    assert (row.graded_total, row.passed_total, row.open_total) == (2, 1, 1)

    with django_assert_max_num_queries(20):
        page = client.get(reverse("exams:exam_results", args=[exam.pk]))
    summary = page.context["summary"]
    assert (summary["attempts"], summary["passed"], summary["in_progress"]) == (2, 1, 1)
    assert summary["pass_rate_text"] == "50.00%"
    stats = page.context["stats"]
    assert len(stats) == 6 and all((s.drawn, s.correct, s.unanswered) == (2, 1, 1) for s in stats)
    assert "候选人 王五" in page.text and "employee" in page.text
    passed_only = client.get(reverse("exams:exam_results", args=[exam.pk]), {"result": "passed"})
    assert [a.pk for a in passed_only.context["page_obj"]] == [attempt.pk]

    export = client.get(reverse("exams:exam_results_export", args=[exam.pk]))
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    attempts_sheet, questions_sheet = wb.worksheets
    rows = list(attempts_sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and {r[0] for r in rows} == {"employee", "other", "候选人 王五"}
    assert questions_sheet.max_row == 7
    entry = AuditEntry.objects.filter(event="export").latest("pk")
    assert entry.additional_data["rows"] == 9 and "反洗钱考试" in entry.object_repr


def test_hr_reads_one_attempts_answers(client_for, attempt):
    page = client_for("hr").get(reverse("exams:attempt_detail", args=[attempt.pk]))
    assert page.status_code == 200 and len(page.context["review"]) == 6
    assert all(q.is_correct for q in page.context["review"])


# --- an employee takes an exam ---------------------------------------------------------------


def test_my_exams_lists_exams_of_enrolled_courses(client_for, exam, enrolled):
    page = client_for("employee").get(reverse("myexams:list"))
    assert page.status_code == 200
    (row,) = page.context["open_exams"]
    assert row.exam == exam and (row.used, row.left, row.in_progress) == (0, 2, None)


def test_start_take_autosave_submit_and_result(client_for, exam, enrolled, people):
    client = client_for("employee")
    response = client.post(reverse("myexams:start", args=[exam.pk]))
    attempt = ExamAttempt.objects.get(employee=people["employees"]["employee"])
    assert response["Location"] == reverse("myexams:take", args=[attempt.pk])
    # starting again returns to the same attempt
    assert client.post(reverse("myexams:start", args=[exam.pk]))["Location"] == response["Location"]

    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    assert len(page.context["questions"]) == 6 and 0 < page.context["remaining"] <= 30 * 60
    assert "data-exam-timer" in page.text and "js/exam-take.js" in page.text
    assert "<script>" not in page.text and " onclick=" not in page.text
    first = attempt.paper[0]
    for c in first["choices"]:
        assert f'name="q{first["question"]}" value="{c}"' in page.text
    assert "correct" not in re.sub(r"[^a-z_ ]", " ", page.text.split('id="exam-form"')[1]).split()  # no answers leak

    answers = right_answers(attempt)
    saved = client.post(reverse("myexams:autosave", args=[attempt.pk]), form_data(answers), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    attempt.refresh_from_db()
    assert attempt.answers == answers
    # reopening the page shows the saved answers ticked
    assert client.get(response["Location"]).text.count(" checked") == sum(len(v) for v in answers.values())

    done = client.post(reverse("myexams:submit", args=[attempt.pk]), form_data(answers))
    assert done["Location"] == reverse("myexams:result", args=[attempt.pk])
    result = client.get(done["Location"])
    assert result.status_code == 200 and "100.00%" in result.text
    assert all(q.is_correct for q in result.context["review"])
    assert "解析1" in result.text  # the explanation
    # the course is completed: the exam leaves the list, the attempt stays in the history
    listing = client.get(reverse("myexams:list"))
    assert listing.context["open_exams"] == [] and len(listing.context["attempts"]) == 1
    # the paper of a submitted attempt redirects to its result
    assert client.get(reverse("myexams:take", args=[attempt.pk]))["Location"] == done["Location"]


def test_a_late_submission_shows_the_refusal_and_the_result(client_for, exam, enrolled, people, english):
    client = client_for("employee")
    client.post(reverse("myexams:start", args=[exam.pk]))
    attempt = ExamAttempt.objects.get(employee=people["employees"]["employee"])
    ExamAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=40), deadline=timezone.now() - timedelta(minutes=10)
    )
    autosave = client.post(reverse("myexams:autosave", args=[attempt.pk]), form_data(right_answers(attempt)))
    assert autosave.status_code == 200 and "The time is up" in autosave.text
    response = client.post(reverse("myexams:submit", args=[attempt.pk]), form_data(right_answers(attempt)), follow=True)
    assert "The time limit had passed when the answers arrived" in response.text
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.score == 0
    assert response.context["attempt"].pk == attempt.pk


def test_autosave_of_a_submitted_attempt_sends_htmx_to_the_result(client_for, exam, enrolled, people):
    client = client_for("employee")
    client.post(reverse("myexams:start", args=[exam.pk]))
    attempt = ExamAttempt.objects.get(employee=people["employees"]["employee"])
    client.post(reverse("myexams:submit", args=[attempt.pk]), {})
    response = client.post(reverse("myexams:autosave", args=[attempt.pk]), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("myexams:result", args=[attempt.pk])


def test_attempts_used_up_are_refused_with_a_message(client_for, exam, enrolled, people, english):
    exam.attempts_allowed = 1
    exam.save()
    client = client_for("employee")
    client.post(reverse("myexams:start", args=[exam.pk]))
    attempt = ExamAttempt.objects.get(employee=people["employees"]["employee"])
    client.post(reverse("myexams:submit", args=[attempt.pk]), {})  # nothing right: not passed
    listing = client.get(reverse("myexams:list"))
    assert listing.context["open_exams"][0].left == 0
    assert "No attempts left" in listing.text
    response = client.post(reverse("myexams:start", args=[exam.pk]), follow=True)
    assert "All 1 attempts allowed at “反洗钱考试” have been used." in response.text
    assert ExamAttempt.objects.count() == 1


def test_the_taking_views_serve_another_kind_of_taker(exam, rf):
    """Recruiting's candidates have no account: a Taker with its own guard (here a token) uses
    the same views, services and templates."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.http import Http404

    from exams.views import take

    attempt = services.attempt_start(exam=exam, taker_label="候选人 王五", now=timezone.now())
    tokens = {"secret-token": attempt.pk}

    def find(request, key):
        if key not in tokens:
            raise Http404
        return ExamAttempt.objects.select_related("exam").get(pk=tokens[key])

    candidate = take.Taker(find=find, url=lambda name, a: f"/assessments/secret-token/{name}/")

    def request(method="get", data=None):
        r = getattr(rf, method)("/", data or {})
        r.user, r.session = AnonymousUser(), SessionStore()
        r._messages = FallbackStorage(r)
        return r

    page = take.exam_take(request(), "secret-token", taker=candidate)
    assert page.status_code == 200 and b"/assessments/secret-token/submit/" in page.content
    with pytest.raises(Http404):
        take.exam_take(request(), "guessed", taker=candidate)
    done = take.exam_submit(request("post", form_data(right_answers(attempt))), "secret-token", taker=candidate)
    assert done.status_code == 302 and done["Location"] == "/assessments/secret-token/result/"
    result = take.exam_result(request(), "secret-token", taker=candidate)
    assert result.status_code == 200 and "100.00%" in result.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.employee is None

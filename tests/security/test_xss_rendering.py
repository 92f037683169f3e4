"""HTML and script in every free-text field that is rendered back (issue 11).

A table drives the test: (what, model field, the page that shows it, who looks). Every field in
the table is filled with its own payload (``<script>alert(n)</script>`` and/or
``"><img src=x onerror=alert(n)>``, as long as the column allows), then every page is opened:
it must show the field's text escaped, and no page may carry a raw payload tag, whichever field it
came from. The payloads are written straight to the database (a form might refuse them; the
point here is what a page does with whatever is stored). PDFs made from the same text must not
fetch anything a payload names.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.html import escape

pytestmark = pytest.mark.django_db

RAW = re.compile(r"<script>alert\(|<img src=x|onerror=alert\(\d+\)>", re.IGNORECASE)


def payload(n: int, max_length: int | None) -> str:
    """The longest payload that fits the column, unique by its number."""
    both = f'"><img src=x onerror=alert({n})><script>alert({n})</script>'
    if max_length is None or max_length >= len(both):
        return both
    script = f"<script>alert({n})</script>"
    img = f'"><img src=x onerror=alert({n})>'
    return script if n % 2 and len(script) <= max_length else img


@dataclass
class Row:
    what: str
    model: str  # "app.Model", for the column's length
    field: str
    get: object  # world -> the object to change
    url: object  # world -> the page that shows it
    role: str | None  # who opens the page (None: anonymous)
    key: str | None = None  # a key inside a JSON field
    make: object = None  # (world, text) -> creates the row with the text, for append-only tables


def _obj(name):
    return lambda w: w[name]


ROWS = [
    # employees
    Row("employee name", "employees.Employee", "name", _obj("employee"), lambda w: f"/employees/{w['employee'].pk}/", "hr"),
    Row("employee address", "employees.Employee", "address", _obj("employee"), lambda w: f"/employees/{w['employee'].pk}/", "hr"),
    Row("employee school", "employees.Employee", "school", _obj("employee"), lambda w: f"/employees/{w['employee'].pk}/", "hr"),
    Row("emergency contact", "employees.Employee", "emergency_contact_name", _obj("employee"), lambda w: "/me/profile/", "employee"),
    Row("team member name (manager's team)", "employees.Employee", "name", _obj("team_member"), lambda w: "/employees/team/", "manager"),
    Row("department name", "employees.Department", "name", _obj("dept_b"), lambda w: "/employees/org/", "hr"),
    Row("position title", "employees.Position", "title", _obj("position"), lambda w: f"/employees/{w['employee'].pk}/", "hr"),
    Row("document title", "employees.EmployeeDocument", "title", _obj("document"), lambda w: f"/employees/{w['employee'].pk}/", "hr"),
    Row("change request reason", "employees.ChangeRequest", "reason", _obj("change_request"), lambda w: "/me/profile/", "employee"),
    Row("change request summary", "employees.ChangeRequest", "summary", _obj("change_request"), lambda w: "/employees/requests/?status=", "hr"),
    # training, exams, surveys
    Row("course title", "training.Course", "title", _obj("course"), lambda w: "/training/", "hr"),
    Row("course description", "training.Course", "description", _obj("course"), lambda w: f"/training/courses/{w['course'].pk}/", "hr"),
    Row("session place", "training.CourseSession", "place", _obj("session"), lambda w: f"/training/courses/{w['course'].pk}/", "hr"),
    Row("material title", "training.CourseMaterial", "title", _obj("material"), lambda w: f"/training/courses/{w['course'].pk}/", "hr"),
    Row("certificate type name", "training.CertificateType", "name", _obj("cert_type"), lambda w: "/me/certificates/", "employee"),
    Row("certificate rejection reason", "training.EmployeeCertificate", "rejection_reason", _obj("certificate"), lambda w: "/me/certificates/", "employee"),
    Row("question bank description", "exams.QuestionBank", "description", _obj("bank"), lambda w: f"/training/exams/banks/{w['bank'].pk}/", "hr"),
    Row("exam question (the paper drawn)", "exams.Question", "text", None, lambda w: f"/training/exams/attempts/{w['attempt'].pk}/", "hr",
        make=lambda w, text: w["paper"]("text", text)),
    Row("exam answer (the paper drawn)", "exams.Choice", "text", None, lambda w: f"/training/exams/attempts/{w['attempt'].pk}/", "hr",
        make=lambda w, text: w["paper"]("choice_texts", [text, "乙"])),
    Row("exam explanation (the paper drawn)", "exams.Question", "explanation", None, lambda w: f"/me/exams/{w['attempt'].pk}/result/", "employee",
        make=lambda w, text: w["paper"]("explanation", text)),
    Row("exam title", "exams.Exam", "title", _obj("exam"), lambda w: "/training/exams/", "hr"),
    Row("survey title", "surveys.Survey", "title", _obj("survey"), lambda w: "/me/surveys/", "employee"),
    Row("survey introduction", "surveys.Survey", "description", _obj("survey"), lambda w: f"/me/surveys/{w['survey'].pk}/", "employee"),
    Row("survey question", "surveys.SurveyQuestion", "text", _obj("survey_question"), lambda w: f"/me/surveys/{w['survey'].pk}/", "employee"),
    Row("survey free-text answer", "surveys.SurveyResponse", "answers", _obj("survey_response"), lambda w: f"/training/surveys/{w['survey'].pk}/results/", "hr", key="text"),
    # recruiting
    Row("posting title (careers)", "recruiting.JobPosting", "title", _obj("posting"), lambda w: "/careers/", None),
    Row("posting description (careers)", "recruiting.JobPosting", "description", _obj("posting"), lambda w: f"/careers/{w['posting'].pk}/", None),
    Row("posting requirements (careers)", "recruiting.JobPosting", "requirements", _obj("posting"), lambda w: f"/careers/{w['posting'].pk}/", None),
    Row("posting location (careers)", "recruiting.JobPosting", "location", _obj("posting"), lambda w: f"/careers/{w['posting'].pk}/apply/", None),
    Row("requisition reason", "recruiting.Requisition", "reason", _obj("requisition"), lambda w: f"/recruiting/requisitions/{w['requisition'].pk}/", "hr"),
    Row("candidate name", "recruiting.Candidate", "name", _obj("candidate"), lambda w: f"/recruiting/postings/{w['posting'].pk}/applications/", "hr"),
    Row("cover letter", "recruiting.Application", "cover_letter", _obj("application"), lambda w: f"/recruiting/applications/{w['application'].pk}/", "hr"),
    Row("resume text", "recruiting.Application", "resume_text", _obj("application"), lambda w: f"/recruiting/applications/{w['application'].pk}/", "hr"),
    Row("stage change note", "recruiting.StageChange", "note", _obj("stage_change"), lambda w: f"/recruiting/applications/{w['application'].pk}/", "hr"),
    Row("scorecard comments", "recruiting.Scorecard", "comments", _obj("scorecard"), lambda w: f"/recruiting/applications/{w['application'].pk}/", "hr"),
    Row("offer decline reason", "recruiting.Offer", "decline_reason", _obj("offer"), lambda w: f"/recruiting/offers/{w['offer'].pk}/", "hr"),
    # offboarding
    Row("separation reason", "offboarding.SeparationCase", "reason", _obj("case"), lambda w: f"/offboarding/cases/{w['case'].pk}/", "hr"),
    Row("handover item title", "offboarding.HandoverItem", "title", _obj("item"), lambda w: "/me/handover/", "employee"),
    Row("handover item instructions", "offboarding.HandoverItem", "instructions", _obj("item"), lambda w: f"/offboarding/items/{w['item'].pk}/", "employee"),
    Row("handover item text (leaver's answer)", "offboarding.HandoverItem", "data", _obj("item"), lambda w: f"/offboarding/items/{w['item'].pk}/", "team_member", key="notes"),
    Row("handover review comment", "offboarding.CaseEvent", "comment", _obj("case_event"), lambda w: f"/offboarding/items/{w['item'].pk}/", "employee"),
    Row("attachment name", "offboarding.HandoverAttachment", "name", _obj("attachment"), lambda w: f"/offboarding/items/{w['item'].pk}/", "employee"),
    # performance
    Row("objective title", "performance.Objective", "title", _obj("objective"), lambda w: f"/performance/okr/objectives/{w['objective'].pk}/", "employee"),
    Row("objective description", "performance.Objective", "description", _obj("objective"), lambda w: f"/performance/okr/objectives/{w['objective'].pk}/", "manager"),
    Row("key result title", "performance.KeyResult", "title", _obj("key_result"), lambda w: f"/performance/okr/objectives/{w['objective'].pk}/", "employee"),
    Row("progress comment", "performance.ProgressUpdate", "comment", _obj("progress"), lambda w: f"/performance/okr/objectives/{w['objective'].pk}/", "manager"),
    Row("check-in task", "performance.CheckInTask", "title", _obj("check_in_task"), lambda w: "/me/performance/", "employee"),
    Row("check-in note", "performance.CheckIn", "note", _obj("check_in"), lambda w: f"/performance/okr/objectives/{w['objective'].pk}/", "employee"),
    Row("self-assessment", "performance.Review", "self_assessment", _obj("review"), lambda w: f"/performance/reviews/review/{w['review'].pk}/", "manager"),
    Row("manager's assessment", "performance.Review", "manager_comment", _obj("review"), lambda w: f"/me/performance/reviews/{w['review'].pk}/", "employee"),
    Row("employee's comment", "performance.Review", "employee_comment", _obj("review"), lambda w: f"/performance/reviews/review/{w['review'].pk}/", "manager"),
    Row("review cycle name", "performance.ReviewCycle", "name", _obj("review_cycle"), lambda w: "/performance/reviews/", "hr"),
    # relations
    Row("feedback subject", "relations.FeedbackThread", "subject", _obj("thread"), lambda w: "/relations/feedback/", "hr"),
    Row("feedback body", "relations.FeedbackThread", "body", _obj("thread"), lambda w: f"/relations/feedback/{w['thread'].pk}/", "hr"),
    Row("feedback reply", "relations.FeedbackReply", "body", _obj("reply"), lambda w: f"/relations/feedback/{w['thread'].pk}/", "manager"),
    Row("project name", "relations.CollaborationProject", "name", _obj("project"), lambda w: "/me/projects/", "employee"),
    Row("project goal", "relations.CollaborationProject", "goal", _obj("project"), lambda w: f"/relations/projects/{w['project'].pk}/", "manager"),
    Row("project member contribution", "relations.ProjectMember", "contribution_note", _obj("project_member"), lambda w: f"/relations/projects/{w['project'].pk}/", "manager"),
    # the log and the messages that quote the others
    Row("audit record name", "audit.AuditEntry", "object_repr", None, lambda w: "/audit/?q=alert", "hr_admin", make=lambda w, text: w["audit"](text)),
    Row("notification text (a name in it)", "notifications.Notification", "params", _obj("notification"), lambda w: "/notifications/", "hr", key="name"),
]  # fmt: skip

# more pages that show a field of the table: (what, page, who)
ALSO_SHOWN = [
    ("candidate name", lambda w: f"/recruiting/postings/{w['posting'].pk}/board/", "hr"),
    ("candidate name", lambda w: f"/recruiting/applications/{w['application'].pk}/", "hr"),
    ("employee name", lambda w: "/employees/", "hr"),
    ("employee name", lambda w: "/employees/team/", "manager"),
    ("posting title (careers)", lambda w: f"/recruiting/postings/{w['posting'].pk}/", "hr"),
    ("feedback subject", lambda w: f"/relations/feedback/{w['thread'].pk}/", "hr"),
    ("objective title", lambda w: "/me/performance/", "employee"),
    ("project name", lambda w: f"/relations/projects/{w['project'].pk}/", "manager"),
    ("survey question", lambda w: f"/training/surveys/{w['survey'].pk}/", "hr"),
]

# pages opened only to check that no payload comes out raw (what they show is covered above)
ALSO_CLEAN = [
    ("/dashboard/", "hr"), ("/dashboard/", "manager"), ("/me/", "employee"), ("/employees/", "hr"),
    ("/employees/requests/", "hr"), ("/training/certificates/", "hr"), ("/training/compliance/", "hr"),
    ("/recruiting/requisitions/", "hr"), ("/recruiting/offers/", "hr"), ("/offboarding/cases/", "hr"),
    ("/relations/projects/", "manager"), ("/me/feedback/", "employee"), ("/performance/okr/", "hr"),
    ("/me/training/", "employee"), ("/me/exams/", "employee"), ("/training/surveys/", "hr"),
]  # fmt: skip


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


@pytest.fixture
def world(people, org, quals, hiring, make_application, open_case, okr, review_cycle, project, thread):
    """One object of every kind whose text the table fills (plain model writes)."""
    from employees.models import ChangeRequest, Contract, EmployeeDocument
    from exams import services as exam_services
    from exams.models import Choice, Exam, Question, QuestionBank
    from hrsuite.audit.services import audit_record
    from hrsuite.notifications.models import Notification
    from offboarding.models import CaseEvent, HandoverAttachment
    from performance.models import CheckIn, CheckInTask, ProgressUpdate, RatingLevel
    from recruiting.models import Interview, Offer, Scorecard, StageChange
    from relations.models import FeedbackReply
    from surveys import services as survey_services
    from surveys.models import Survey, SurveyQuestion, SurveyResponse
    from training.models import Course, CourseMaterial, CourseSession, EmployeeCertificate

    emps, users = people["employees"], people["users"]
    today = timezone.localdate()
    now = timezone.now()
    w = {"employee": emps["employee"], "team_member": emps["team_member"], "dept_b": org["b"], "position": quals.sales}
    w["contract"] = Contract.objects.create(
        employee=emps["employee"], kind="fixed_term", start_date=date(2024, 1, 1), end_date=today + timedelta(days=300)
    )
    w["document"] = EmployeeDocument.objects.create(
        employee=emps["employee"], kind="other", title="t", file="employee-documents/2026/x.pdf", original_name="x.pdf",
        content_type="application/pdf", size=1, sha256="0" * 64,
    )  # fmt: skip
    w["change_request"] = ChangeRequest.objects.create(
        employee=emps["employee"], kind="contact", payload="{}", summary="s", status="rejected", reason="r"
    )
    course = Course.objects.create(code="XSS-1", title="c", hours=Decimal("2"))
    w["course"] = course
    w["session"] = CourseSession.objects.create(
        course=course,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        place="p",
        capacity=10,
    )
    w["material"] = CourseMaterial.objects.create(course=course, title="m", url="https://example.com/m")
    w["cert_type"] = quals.fund
    w["certificate"] = EmployeeCertificate.objects.create(
        employee=emps["employee"], certificate_type=quals.fund, number="N-1", issued_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=300), verification="rejected", rejection_reason="r",
    )  # fmt: skip
    bank = QuestionBank.objects.create(name="b", description="d")
    question = exam_services.question_save(
        question=Question(bank=bank, kind="single", text="q", explanation="e", points=1),
        choices=[exam_services.ChoiceInput("right", True), exam_services.ChoiceInput("wrong", False)],
    )
    exam = Exam.objects.create(title="x", bank=bank, question_count=1, time_limit_minutes=30, pass_mark=60)
    from training.models import Enrollment

    course.exam = exam
    course.save()
    Enrollment.objects.create(employee=emps["employee"], course=course, source="hr")
    attempt = exam_services.attempt_start(exam=exam, employee=emps["employee"], now=now - timedelta(minutes=10))
    right = Choice.objects.get(question=question, is_correct=True)
    attempt = exam_services.attempt_submit(attempt=attempt, answers={str(question.pk): [right.pk]}, now=now)
    w.update(bank=bank, question=question, choice=right, exam=exam, attempt=attempt)

    def paper(key, value):  # an attempt shows the paper as drawn, not the bank's current text
        attempt.refresh_from_db()
        attempt.paper[0][key] = value
        type(attempt).objects.filter(pk=attempt.pk).update(paper=attempt.paper)

    w["paper"] = paper
    survey = Survey.objects.create(
        title="s", description="d", kind="needs", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7)
    )
    sq = SurveyQuestion.objects.create(survey=survey, display_order=1, kind="text", text="q", required=False)
    survey_services.invite(survey=survey, employees=[emps["employee"], emps["team_member"]])
    survey_services.respond(survey=survey, employee=emps["team_member"], answers={str(sq.pk): "a"})
    response = SurveyResponse.objects.get(survey=survey)
    w.update(survey=survey, survey_question=sq, survey_response=response, survey_text_key=str(sq.pk))

    w["posting"], w["requisition"] = hiring.posting, hiring.requisition
    application = make_application(name="张三", email="xss@example.com", stage="interview", cover_letter="c")
    w["application"], w["candidate"] = application, application.candidate
    w["stage_change"] = StageChange.objects.filter(application=application).last()
    interview = Interview.objects.create(
        application=application, starts_at=now - timedelta(days=1), scheduled_by=users["hr"]
    )
    interview.interviewers.add(emps["manager"])
    w["scorecard"] = Scorecard.objects.create(
        interview=interview, interviewer=emps["manager"], ratings={}, recommendation="yes", comments="c"
    )
    second = make_application(name="李四", email="xss2@example.com", stage="offer")
    w["offer"] = Offer.objects.create(
        application=second, position=hiring.position, monthly_salary=Decimal("30000"), start_date=today + timedelta(days=30),
        respond_by=today + timedelta(days=7), status="declined", decline_reason="r", created_by=users["hr"],
    )  # fmt: skip

    case = open_case()
    item = case.items[0]
    item.kind = "general"
    item.data = {"notes": "n"}
    item.status = "submitted"
    item.save()
    w.update(case=case.case, item=item)
    w["case_event"] = CaseEvent.objects.create(
        case=case.case, item=item, kind="item_returned", actor=users["team_member"], comment="c"
    )
    w["attachment"] = HandoverAttachment.objects.create(
        item=item, file="handover/2026/x.pdf", name="x.pdf", sha256="0" * 64, size=1, uploaded_by=users["employee"]
    )
    w["objective"], w["key_result"] = okr.mine, okr.revenue
    w["progress"] = ProgressUpdate.objects.create(
        key_result=okr.revenue, month=today.replace(day=1), value=Decimal("10"), comment="c"
    )
    task = CheckInTask.objects.create(objective=okr.mine, title="t", target_count=3, owner=emps["employee"])
    w["check_in_task"] = task
    w["check_in"] = CheckIn.objects.create(task=task, period=today.replace(day=1), done_count=1, note="n")
    cycle = review_cycle(status="released", calibration_required=False)
    review = cycle.reviews["employee"]
    level = RatingLevel.objects.get(code="B")
    review.self_assessment, review.manager_comment, review.employee_comment = "s", "m", "e"
    review.manager_rating = review.final_rating = level
    review.status, review.acknowledged_at, review.self_submitted_at = "acknowledged", now, now
    review.save()
    w.update(review=review, review_cycle=cycle.cycle)
    w["thread"] = thread.thread
    w["reply"] = FeedbackReply.objects.create(
        thread=thread.thread, author_kind="hr", author=users["hr"], body="b", posted_on=today, seq=1
    )
    w["project"], w["project_member"] = project.project, project.member
    w["audit"] = lambda text: audit_record(event="view", actor=users["hr"], obj=emps["employee"], object_repr=text)
    w["notification"] = Notification.objects.create(
        recipient=users["hr"], key="xss", message="%(name)s asked for a change.", params={"name": "n"}, url="/me/"
    )
    return w


def _fill(world) -> dict[str, str]:
    """Write each row's payload; returns what → payload."""
    written = {}
    for n, row in enumerate(ROWS, start=1000):
        if row.make:
            written[row.what] = value = payload(n, _model(row.model)._meta.get_field(row.field).max_length)
            row.make(world, value)
            continue
        obj = row.get(world)
        field = obj._meta.get_field(row.field)
        value = payload(n, getattr(field, "max_length", None))
        if row.key:
            data = dict(getattr(obj, row.field) or {})
            key = world["survey_text_key"] if row.key == "text" and row.model == "surveys.SurveyResponse" else row.key
            data[key] = value
            value_to_store = data
        else:
            value_to_store = value
        type(obj).objects.filter(pk=obj.pk).update(**{row.field: value_to_store})
        written[row.what] = value
    return written


def test_every_free_text_field_is_escaped_where_it_is_shown(world, client_for, english):
    from django.core.cache import cache
    from django.test import Client

    written = _fill(world)
    cache.clear()
    problems = {}
    opened = 0
    for row in ROWS:
        client = client_for(row.role) if row.role else Client()
        response = client.get(row.url(world))
        opened += 1
        body = response.content.decode()
        if response.status_code != 200:
            problems[row.what] = f"{row.url(world)} answered {response.status_code}"
            continue
        if RAW.search(body):
            problems[row.what] = f"raw markup on {row.url(world)}: {RAW.search(body).group(0)}"
        elif escape(written[row.what]) not in body:
            problems[row.what] = f"the escaped text is not on {row.url(world)}"
    for what, url, role in ALSO_SHOWN:
        response = client_for(role).get(url(world))
        opened += 1
        body = response.content.decode()
        assert response.status_code == 200, (url(world), role, response.status_code)
        assert not RAW.search(body), (url(world), role)
        if escape(written[what]) not in body:
            problems[f"{what} (also on {url(world)})"] = "the escaped text is not there"
    for url, role in ALSO_CLEAN:
        response = client_for(role).get(url)
        opened += 1
        assert response.status_code == 200, (url, role, response.status_code)
        assert not RAW.search(response.content.decode()), (url, role)
    assert problems == {}, problems


def test_pdfs_fetch_nothing_a_payload_names(people, org, quals, client_for, monkeypatch):
    """WeasyPrint would fetch an <img> or a stylesheet an injected tag named (a request to any host,
    a local file); escaped text names nothing. Every fetch during the rendering is recorded."""
    from weasyprint.urls import URLFetcher

    from tests.training.qualification_fixtures import make_cert

    fetched = []
    original = URLFetcher.fetch

    def recording(self, url, *args, **kwargs):
        fetched.append(url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(URLFetcher, "fetch", recording)
    hostile = '<img src="http://evil.example/x.png"><link rel=stylesheet href="file:///etc/passwd">'
    for key in ("employee", "team_member"):
        e = people["employees"][key]
        type(e).objects.filter(pk=e.pk).update(name=hostile[:50])
    quals.fund.name = hostile
    quals.fund.save()
    make_cert(people["employees"]["employee"], quals.fund, "N-9", expires=timezone.localdate() + timedelta(days=5))
    org["a"].name = hostile[:100]
    org["a"].save()
    response = client_for("hr").get(
        "/training/compliance/report/pdf/", {"scope": "department", "department": org["a"].pk}
    )
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert not [u for u in fetched if "evil" in u or "passwd" in u], fetched
    # positive control: the payload is in the PDF, as text (the names were rendered, not left out)
    from pypdf import PdfReader

    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = "".join("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages).split())
    assert "evil.example" in text and "<imgsrc=" in text, text[:500]

"""The Excel export of survey results: the page's figures, audited, and for an anonymous survey
aggregates and free text only."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hrsuite.audit.models import AuditEntry, AuditEvent
from surveys import services
from surveys.results import ChoiceResult, Hidden, RatingResult, TextResult
from tests.surveys.conftest import good_answers

pytestmark = pytest.mark.django_db

STAFF = ("employee", "manager", "team_member", "other_employee", "other_manager", "hr")


def answer(survey, people, roles=STAFF):
    employees = [people["employees"][r] for r in roles]
    services.invite(survey=survey, employees=employees)
    choice = survey.questions.get(kind="choice")
    for i, e in enumerate(employees):
        rating = survey.questions.get(kind="rating")
        text = survey.questions.get(kind="text")
        services.respond(
            survey=survey,
            employee=e,
            answers=good_answers(
                survey,
                **{
                    str(rating.pk): 1 + i % 5,
                    str(choice.pk): choice.options[i % 2],
                    str(text.pk): '=HYPERLINK("http://x")' if i == 0 else f"建议{i}",
                },
            ),
        )


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def page_and_export(client, survey):
    page = client.get(reverse("surveys:results", args=[survey.pk]), {"depth": "all"})
    return page.context["results"], workbook(client.get(reverse("surveys:results_export", args=[survey.pk])))


def assert_same_figures(results, sheets):
    rows = sheets["Questions"][1:]
    for n, qr in enumerate(results.questions, start=1):
        mine = [r for r in rows if r[0] == n]
        r = qr.result
        if isinstance(r, RatingResult):
            assert Decimal(str(mine[0][6])) == r.mean and mine[0][4] == r.count
            assert [row[4] for row in mine[1:]] == list(r.distribution)
        elif isinstance(r, ChoiceResult):
            assert mine[0][4] == r.count
            assert [(row[3], row[4]) for row in mine[1:]] == [(o.label, o.count) for o in r.options]
            assert [Decimal(str(row[5])) for row in mine[1:]] == [round(o.share * 100, 1) for o in r.options]
        elif isinstance(r, TextResult):
            texts = sorted(row[2] for row in sheets["Free text"][1:] if row[0] == n)
            assert texts == sorted(("'" + a.text) if a.text.startswith("=") else a.text for a in r.answers)
    departments = sheets["Departments"][1:]
    assert len(departments) == len(results.departments)
    for row, group in zip(departments, results.departments, strict=True):
        if isinstance(group.responses, Hidden):
            assert row[1] == "Hidden: fewer than 5 answers" and all(v in (None, "") for v in row[2:])
        else:
            assert row[1] == group.responses
            assert Decimal(str(row[2])) == group.cells[0].mean


def test_named_export_has_the_page_figures_and_each_persons_answers(client_for, make_survey, people, english):
    survey = make_survey()
    answer(survey, people)
    client = client_for("hr")
    results, sheets = page_and_export(client, survey)
    assert list(sheets) == ["Questions", "Free text", "Departments", "Answers by person"]
    assert_same_figures(results, sheets)
    assert sheets["Free text"][0] == ["No.", "Question", "Answer", "Respondent"]
    answers = sheets["Answers by person"]
    assert len(answers) == 1 + len(STAFF)
    assert {r[1] for r in answers[1:]} == {people["employees"][r].name for r in STAFF}
    entry = AuditEntry.objects.get(event=AuditEvent.EXPORT)
    assert survey.title in entry.object_repr and entry.actor == people["users"]["hr"]
    assert entry.additional_data["rows"] > 0


def test_anonymous_export_holds_aggregates_and_free_text_only(client_for, make_survey, people, english):
    survey = make_survey(anonymous=True)
    answer(survey, people)
    client = client_for("hr")
    results, sheets = page_and_export(client, survey)
    assert list(sheets) == ["Questions", "Free text", "Departments"]
    assert_same_figures(results, sheets)
    assert sheets["Free text"][0] == ["No.", "Question", "Answer"]
    everything = repr(sheets)
    for e in people["employees"].values():
        assert e.name not in everything and e.employee_no not in everything
    # 技术部 has 3 answers (with 平台组), 销售部 2: hidden; the company's 6 are shown
    departments = {r[0].strip("\u3000"): r for r in sheets["Departments"][1:]}
    assert departments["技术部"][1] == departments["销售部"][1] == "Hidden: fewer than 5 answers"
    assert departments["All respondents"][1] == 6


def test_anonymous_export_below_the_minimum_shows_no_figure(client_for, make_survey, people, english):
    survey = make_survey(anonymous=True)
    answer(survey, people, roles=STAFF[:4])
    sheets = workbook(client_for("hr").get(reverse("surveys:results_export", args=[survey.pk])))
    assert all(row[3] == "Hidden: fewer than 5 answers" and row[4] in (None, "") for row in sheets["Questions"][1:])
    assert sheets["Free text"][1:] == []


def test_export_is_for_hr_only(client_for, make_survey):
    survey = make_survey()
    for role in ("employee", "manager", "payroll"):
        assert client_for(role).get(reverse("surveys:results_export", args=[survey.pk])).status_code == 403
    assert not AuditEntry.objects.filter(event=AuditEvent.EXPORT).exists()

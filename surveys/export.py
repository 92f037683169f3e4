"""The Excel workbook of a survey's results: the same figures as the results page (built from the
same `SurveyResults`). An anonymous survey exports aggregates and free text only; a named one
also lists each person's answers (HR only, like the page)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _

from . import results
from .models import QuestionKind, Survey, SurveyResponse
from .presentation import hidden_text


def _kind_labels() -> dict[str, str]:
    return {k: str(label) for k, label in QuestionKind.choices}


def _pct(share) -> object:
    return "" if share is None else round(share * 100, 1)


def question_rows(outcome: results.SurveyResults) -> Iterator[Sequence]:
    kinds = _kind_labels()
    for n, qr in enumerate(outcome.questions, start=1):
        q, r = qr.question, qr.result
        head = (n, q.text, kinds.get(q.kind, q.kind))
        if isinstance(r, results.Hidden):
            yield (*head, hidden_text(r), "", "", "")
        elif isinstance(r, results.RatingResult):
            yield (*head, _("Mean"), r.count, "", r.mean if r.mean is not None else "")
            for score, count, share in zip(results.RATING_SCALE, r.distribution, r.shares, strict=True):
                yield (*head, str(score), count, _pct(share), "")
        elif isinstance(r, results.ChoiceResult):
            yield (*head, _("People who answered"), r.count, "", "")
            for o in r.options:
                yield (*head, o.label, o.count, _pct(o.share), "")
        else:
            yield (*head, _("Free-text answers"), r.count, "", "")


def text_rows(outcome: results.SurveyResults) -> Iterator[Sequence]:
    for n, qr in enumerate(outcome.questions, start=1):
        if isinstance(qr.result, results.TextResult):
            for a in qr.result.answers:
                yield (
                    (n, qr.question.text, a.text) if outcome.anonymous else (n, qr.question.text, a.text, a.respondent)
                )


def department_rows(outcome: results.SurveyResults) -> Iterator[Sequence]:
    for row in outcome.departments:
        name = _("All respondents") if row.department_id == results.ROOT else "\u3000" * row.depth + row.name
        if isinstance(row.responses, results.Hidden):
            yield (name, hidden_text(row.responses), *("" for _c in row.cells))
            continue
        values: list[object] = []
        for cell in row.cells:
            if isinstance(cell, results.Hidden):
                values.append(hidden_text(cell))
            elif cell.mean is not None:
                values.append(cell.mean)
            elif cell.top_option:
                values.append(f"{cell.top_option} ({_pct(cell.top_share)}%)")
            else:
                values.append("")
        yield (name, row.responses, *values)


def trend_rows(outcome: results.SurveyResults) -> Iterator[Sequence]:
    for t in outcome.trends:
        for p in t.points:
            if p.hidden:
                marker = p.value if isinstance(p.value, results.Hidden) else p.shares
                yield (t.text, p.label, "", hidden_text(marker))  # type: ignore[arg-type]
            elif t.kind == results.RATING:
                yield (t.text, p.label, _("Mean"), p.value if p.value is not None else "")
            else:
                for option, share in zip(t.options, p.shares, strict=True):  # type: ignore[arg-type]
                    yield (t.text, p.label, option, _pct(share))


def answer_rows(survey: Survey, questions: Sequence[results.Question]) -> Iterator[Sequence]:
    """Each person's answers (named surveys only: anonymous responses are linked to nobody)."""
    rows = (
        SurveyResponse.objects.filter(survey=survey, invitation__isnull=False)
        .order_by("invitation__employee__employee_no")
        .values_list(
            "invitation__employee__employee_no",
            "invitation__employee__name",
            "department__name",
            "submitted_on",
            "answers",
        )
    )
    for number, name, department, submitted_on, answers in rows:
        values = []
        for q in questions:
            v = (answers or {}).get(q.key, "")
            values.append("、".join(v) if isinstance(v, list) else v)
        yield (number, name, department or "", submitted_on, *values)


def results_sheets(survey: Survey, outcome: results.SurveyResults) -> list:
    questions = [qr.question for qr in outcome.questions]
    table_questions = [q for q in questions if q.kind != results.TEXT]
    sheets = [
        (
            _("Questions"),
            [_("No."), _("Question"), _("Kind"), _("Option or score"), _("Count"), _("Share (%)"), _("Mean")],
            question_rows(outcome),
        ),
        (
            _("Free text"),
            [_("No."), _("Question"), _("Answer")] + ([] if outcome.anonymous else [_("Respondent")]),
            text_rows(outcome),
        ),
    ]
    if outcome.departments:
        sheets.append(
            (
                _("Departments"),
                [_("Department"), _("Answers"), *(q.text for q in table_questions)],
                department_rows(outcome),
            )
        )
    if outcome.trends:
        sheets.append((_("Trend"), [_("Question"), _("Round"), _("Option"), _("Value")], trend_rows(outcome)))
    if not survey.anonymous and outcome.hidden is None:
        sheets.append(
            (
                _("Answers by person"),
                [_("Employee number"), _("Name"), _("Department"), _("Date"), *(q.text for q in questions)],
                answer_rows(survey, questions),
            )
        )
    return sheets

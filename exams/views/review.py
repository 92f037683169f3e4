"""What the taking and result pages show of an attempt, built from its frozen paper (never from
the bank, which may have changed since). Shared by the employee's pages, HR's attempt page and
recruiting's assessment pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import grading
from ..models import ExamAttempt, QuestionKind
from ..services import LETTERS


@dataclass(frozen=True)
class ShownChoice:
    id: int
    letter: str
    text: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    id: int
    kind: str
    kind_label: str
    text: str
    points: int
    choices: list[ShownChoice]
    explanation: str = ""
    awarded: int = 0
    is_correct: bool = False
    answered: bool = False

    @property
    def input_type(self) -> str:
        return "checkbox" if self.kind == QuestionKind.MULTIPLE else "radio"

    @property
    def field_name(self) -> str:
        return f"q{self.id}"

    @property
    def correct_letters(self) -> str:
        return "".join(c.letter for c in self.choices if c.correct)

    @property
    def chosen_letters(self) -> str:
        return "".join(c.letter for c in self.choices if c.chosen)


def _kind_labels() -> dict[str, str]:
    return {k: str(label) for k, label in QuestionKind.choices}


def attempt_paper(attempt: ExamAttempt) -> list[ShownQuestion]:
    """The paper as the taker answers it: no correct answers in it."""
    kinds = _kind_labels()
    saved = grading.clean_answers(attempt.paper, attempt.answers)
    questions = []
    for number, item in enumerate(attempt.paper, start=1):
        chosen = set(saved.get(str(item["question"]), ()))
        questions.append(
            ShownQuestion(
                number=number,
                id=item["question"],
                kind=item["kind"],
                kind_label=kinds.get(item["kind"], ""),
                text=item.get("text", ""),
                points=int(item.get("points", 1)),
                choices=_choices(item, chosen=chosen, correct=set()),
            )
        )
    return questions


def attempt_review(attempt: ExamAttempt) -> list[ShownQuestion]:
    """The paper after grading: each question with the answers chosen, the right ones, the
    points earned and the explanation."""
    kinds = _kind_labels()
    result = grading.grade_paper(attempt.paper, attempt.answers, pass_mark=attempt.exam.pass_mark)
    questions = []
    for number, (item, outcome) in enumerate(zip(attempt.paper, result.questions, strict=True), start=1):
        questions.append(
            ShownQuestion(
                number=number,
                id=item["question"],
                kind=item["kind"],
                kind_label=kinds.get(item["kind"], ""),
                text=item.get("text", ""),
                points=outcome.points,
                choices=_choices(item, chosen=set(outcome.chosen), correct=set(outcome.correct)),
                explanation=item.get("explanation", ""),
                awarded=outcome.awarded,
                is_correct=outcome.is_correct,
                answered=outcome.answered,
            )
        )
    return questions


def _choices(item: dict, *, chosen: set[int], correct: set[int]) -> list[ShownChoice]:
    texts = item.get("choice_texts", [])
    return [
        ShownChoice(
            id=cid,
            letter=LETTERS[i],
            text=texts[i] if i < len(texts) else "",
            chosen=cid in chosen,
            correct=cid in correct,
        )
        for i, cid in enumerate(item["choices"])
    ]


def taker_name(attempt: ExamAttempt) -> str:
    if attempt.employee_id:
        return attempt.employee.name
    return attempt.taker_label or _("Candidate")


def duration_seconds(attempt: ExamAttempt) -> int | None:
    if attempt.submitted_at is None:
        return None
    return max(0, int((attempt.submitted_at - attempt.started_at).total_seconds()))


def duration_text(attempt: ExamAttempt) -> str:
    """12:05 (minutes:seconds), 1:02:05 past an hour; empty while in progress."""
    seconds = duration_seconds(attempt)
    if seconds is None:
        return ""
    return clock(seconds)


def clock(seconds: int) -> str:
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"

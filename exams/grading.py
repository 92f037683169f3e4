"""The pure part of the exam engine: drawing a paper, cleaning answers, grading, question
statistics. No ORM and no clock: plain data in, plain data out, so it is tested with tables.

A paper is a JSON-ready list, one item per question in the order shown:

    {"question": 12, "kind": "single", "choices": [40, 38, 39]}          # from draw_paper()

The services then freeze what grading and review need on each item (see services.freeze_item):
"points", "correct" (choice ids), "text", "explanation" and "choice_texts" (in shown order), so
later edits of the bank change neither the grade nor what the taker reviews.

Grading rule: single choice and true/false are correct when the one chosen answer is the correct
one; multiple choice only when the chosen set equals the correct set. No partial credit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# the values of exams.models.QuestionKind (kept here so this module does not import Django)
SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
KINDS = (SINGLE, MULTIPLE, TRUE_FALSE)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def round_percent(value: Decimal) -> Decimal:
    """The one rounding of the engine: two places, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """What drawing needs to know of a question: its id, kind and choice ids in display order."""

    id: int
    kind: str
    choice_ids: tuple[int, ...]


class NotEnoughQuestions(ValueError):
    def __init__(self, *, available: int, wanted: int):
        super().__init__(f"{wanted} questions wanted, {available} available")
        self.available = available
        self.wanted = wanted


def draw_paper(questions: Sequence[QuestionSpec], *, count: int, rng: random.Random, shuffle: bool) -> list[dict]:
    """Draw `count` different questions at random. With `shuffle` the questions come in random
    order and so do their choices (true/false keeps its order); without it, the drawn questions
    keep the bank's order (by id) and their choices the display order. The same seed gives the
    same paper whatever order `questions` come in."""
    if count <= 0:
        raise ValueError("count must be positive")
    ordered = sorted(questions, key=lambda q: q.id)
    if len({q.id for q in ordered}) != len(ordered):
        raise ValueError("duplicate question ids")
    if count > len(ordered):
        raise NotEnoughQuestions(available=len(ordered), wanted=count)
    picked = rng.sample(ordered, count)
    if not shuffle:
        picked.sort(key=lambda q: q.id)
    paper = []
    for q in picked:
        choices = list(q.choice_ids)
        if shuffle and q.kind != TRUE_FALSE:
            rng.shuffle(choices)
        paper.append({"question": q.id, "kind": q.kind, "choices": choices})
    return paper


# --- answers ---------------------------------------------------------------------------------


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def clean_answers(paper: Sequence[Mapping], raw: Mapping | None) -> dict[str, list[int]]:
    """Keep only answers to questions on the paper, naming choices shown for that question, once
    each and in the shown order. Keys are question ids as strings (JSON object keys). Anything
    else (unknown ids, text, a forged choice of another question) is dropped."""
    raw = raw or {}
    by_key = {str(k): v for k, v in raw.items()}
    cleaned: dict[str, list[int]] = {}
    for item in paper:
        key = str(item["question"])
        given = by_key.get(key)
        if given is None:
            continue
        if isinstance(given, str | int):
            given = [given]
        chosen = {_as_int(v) for v in given}
        picked = [c for c in item["choices"] if c in chosen]
        if picked:
            cleaned[key] = picked
    return cleaned


# --- grading ---------------------------------------------------------------------------------


def is_answer_correct(kind: str, chosen: Iterable[int], correct: Iterable[int]) -> bool:
    chosen_set, correct_set = set(chosen), set(correct)
    if not chosen_set or not correct_set:
        return False
    if kind in (SINGLE, TRUE_FALSE):
        return len(chosen_set) == 1 and chosen_set <= correct_set
    return chosen_set == correct_set


@dataclass(frozen=True)
class QuestionResult:
    question: int
    kind: str
    chosen: tuple[int, ...]
    correct: tuple[int, ...]
    points: int
    awarded: int

    @property
    def is_correct(self) -> bool:
        return self.awarded > 0

    @property
    def answered(self) -> bool:
        return bool(self.chosen)


@dataclass(frozen=True)
class GradeResult:
    points: Decimal
    max_points: Decimal
    score: Decimal  # percent, two places, half up
    passed: bool
    questions: tuple[QuestionResult, ...]


def grade(
    paper: Sequence[Mapping],
    answers: Mapping | None,
    correct: Mapping[int, Iterable[int]],
    points: Mapping[int, int],
    *,
    pass_mark: int | Decimal,
) -> GradeResult:
    """Grade answers ({question id: [choice ids]}) against the correct choice ids and the points
    of each question on the paper. Score = points earned / points possible x 100; passed when
    the score reaches the pass mark."""
    answers = clean_answers(paper, answers)
    results = []
    earned = possible = 0
    for item in paper:
        qid = int(item["question"])
        worth = int(points[qid])
        chosen = tuple(answers.get(str(qid), ()))
        correct_ids = set(correct[qid])
        right = tuple(c for c in item["choices"] if c in correct_ids)
        awarded = worth if is_answer_correct(item["kind"], chosen, right) else 0
        earned += awarded
        possible += worth
        results.append(QuestionResult(qid, item["kind"], chosen, right, worth, awarded))
    score = round_percent(Decimal(earned) * HUNDRED / Decimal(possible)) if possible else Decimal("0.00")
    return GradeResult(
        points=Decimal(earned),
        max_points=Decimal(possible),
        score=score,
        passed=score >= Decimal(pass_mark),
        questions=tuple(results),
    )


def answer_key(paper: Sequence[Mapping]) -> tuple[dict[int, list[int]], dict[int, int]]:
    """The correct-choices and points maps frozen on a paper (see the module docstring)."""
    correct = {int(item["question"]): list(item.get("correct", ())) for item in paper}
    points = {int(item["question"]): int(item.get("points", 1)) for item in paper}
    return correct, points


def grade_paper(paper: Sequence[Mapping], answers: Mapping | None, *, pass_mark: int | Decimal) -> GradeResult:
    correct, points = answer_key(paper)
    return grade(paper, answers, correct, points, pass_mark=pass_mark)


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStat:
    question: int
    text: str
    kind: str
    drawn: int
    correct: int
    unanswered: int

    @property
    def share(self) -> Decimal | None:
        """The share of correct answers in percent (None when never drawn)."""
        if not self.drawn:
            return None
        return round_percent(Decimal(self.correct) * HUNDRED / Decimal(self.drawn))


def question_stats(graded: Iterable[tuple[Sequence[Mapping], Mapping | None]]) -> list[QuestionStat]:
    """Per question over graded attempts (paper, answers): how often it was drawn, answered
    correctly and left unanswered. Hardest first (lowest share of correct answers)."""
    drawn: dict[int, int] = {}
    right: dict[int, int] = {}
    blank: dict[int, int] = {}
    info: dict[int, tuple[str, str]] = {}
    for paper, answers in graded:
        cleaned = clean_answers(paper, answers)
        for item in paper:
            qid = int(item["question"])
            chosen = cleaned.get(str(qid), [])
            drawn[qid] = drawn.get(qid, 0) + 1
            right[qid] = right.get(qid, 0) + is_answer_correct(item["kind"], chosen, item.get("correct", ()))
            blank[qid] = blank.get(qid, 0) + (not chosen)
            info[qid] = (str(item.get("text", "")), item["kind"])
    stats = [QuestionStat(q, info[q][0], info[q][1], drawn[q], right[q], blank[q]) for q in drawn]
    stats.sort(key=lambda s: (s.share if s.share is not None else HUNDRED, s.question))
    return stats

"""Engagement results by topic, as pure functions over the survey engine's output (no ORM, no clock).

Every figure here is derived from what `surveys.results.aggregate` lets through: the engine
hides a group of fewer than the minimum (and, by complementary suppression, any group that could
be worked out by subtraction); a hidden department's cells stay hidden here. Nothing is computed
from the raw answers, so no figure below covers fewer people than the engine allows.

* Topic score of a department: the mean of the means of the topic's rating questions (each
  question weighs the same), rounded half up to two places. Hidden when any of the topic's
  questions is hidden for that department.
* Change: the topic score minus the same department's score of the same topic in the previous
  round (`round_of`), when both are shown.
* Trend: a topic's score per round along the `round_of` chain for the chosen departments (the
  whole company is node `results.ROOT`).
* Scope: `visible` limits the rows to the given departments and their sub-departments (a
  manager's); the whole-company row and the company-wide per-question figures are then left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from surveys import results
from surveys.results import ROOT, Hidden

SCORE_PLACES = Decimal("0.01")
UP, DOWN, SAME = "up", "down", "same"


def _round(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Topic:
    key: str  # the question's topic, or its text when it has none (results.Question.trend_key)
    label: str
    question_ids: tuple[int, ...]


@dataclass(frozen=True)
class TopicCell:
    key: str
    score: Decimal | None = None  # None: nobody in the group answered the topic
    hidden: Hidden | None = None
    previous: Decimal | None = None  # the previous round's score, when shown there
    previous_hidden: bool = False

    @property
    def change(self) -> Decimal | None:
        if self.hidden or self.score is None or self.previous is None:
            return None
        return self.score - self.previous

    @property
    def direction(self) -> str:
        change = self.change
        if change is None:
            return ""
        return UP if change > 0 else DOWN if change < 0 else SAME


@dataclass(frozen=True)
class TopicRow:
    department_id: int  # ROOT for the whole company
    name: str
    depth: int  # -1 for the whole company
    responses: int | Hidden
    cells: tuple[TopicCell, ...]
    question_cells: tuple[results.Cell | Hidden, ...]  # per rating question of the round, in order

    @property
    def hidden(self) -> bool:
        return isinstance(self.responses, Hidden)


@dataclass(frozen=True)
class SeriesPoint:
    survey_id: int
    label: str
    score: Decimal | None = None
    marker: Hidden | None = None  # the group was too small in that round

    @property
    def hidden(self) -> bool:
        return self.marker is not None


@dataclass(frozen=True)
class Series:
    department_id: int
    name: str
    points: tuple[SeriesPoint, ...]


@dataclass(frozen=True)
class TopicTrend:
    topic: Topic
    series: tuple[Series, ...]


@dataclass(frozen=True)
class EngagementResults:
    survey_id: int
    min_group_size: int
    responses: int
    hidden: Hidden | None  # too few answers in the whole round to show anything
    topics: tuple[Topic, ...]
    rows: tuple[TopicRow, ...]
    rating_questions: tuple[results.Question, ...]  # the columns of TopicRow.question_cells
    questions: tuple[results.QuestionResult, ...]  # company-wide figures: empty when scoped
    trends: tuple[TopicTrend, ...]
    previous_survey_id: int | None = None
    previous_label: str = ""
    labels: tuple[str, ...] = ()  # the rounds, oldest first


# --- one round ------------------------------------------------------------------------------


def topics_of(questions: Iterable[results.Question]) -> tuple[Topic, ...]:
    """The rating questions grouped by topic, in the order the topics first appear."""
    order: list[str] = []
    labels: dict[str, str] = {}
    ids: dict[str, list[int]] = {}
    for q in questions:
        if q.kind != results.RATING:
            continue
        key = q.trend_key
        if key not in ids:
            order.append(key)
            labels[key] = q.topic.strip() or q.text.strip()
            ids[key] = []
        ids[key].append(q.id)
    return tuple(Topic(key=k, label=labels[k], question_ids=tuple(ids[k])) for k in order)


def topic_score(cells: Mapping[int, results.Cell | Hidden], topic: Topic) -> tuple[Decimal | None, Hidden | None]:
    """(score, None) or (None, marker): the mean of the topic's question means in one group."""
    picked = [cells[qid] for qid in topic.question_ids if qid in cells]
    for cell in picked:
        if isinstance(cell, Hidden):
            return None, cell
    means = [c.mean for c in picked if isinstance(c, results.Cell) and c.mean is not None]
    if not means:
        return None, None
    return _round(sum(means, Decimal(0)) / len(means)), None


def _cells_by_question(outcome: results.SurveyResults, row: results.GroupRow) -> dict[int, results.Cell | Hidden]:
    return dict(zip(outcome.rating_ids, row.cells, strict=True))


def _scores(outcome: results.SurveyResults, topics: Sequence[Topic]) -> dict[int, dict[str, tuple]]:
    """{department id: {topic key: (score, marker)}} of one round's outcome."""
    out: dict[int, dict[str, tuple]] = {}
    for row in outcome.departments:
        cells = _cells_by_question(outcome, row)
        out[row.department_id] = {t.key: topic_score(cells, t) for t in topics}
    return out


def in_scope(department_id: int, departments: Mapping[int, results.Department], visible: Sequence[int] | None) -> bool:
    """Whether a results row may be shown: everything for HR (visible None); for a manager the
    departments they head and their sub-departments, never the whole company."""
    if visible is None:
        return True
    if department_id == ROOT:
        return False
    department = departments.get(department_id)
    return department is not None and any(v in department.path for v in visible)


# --- the page -------------------------------------------------------------------------------


def engagement_results(
    rounds: Sequence[results.Round],
    departments: Mapping[int, results.Department],
    *,
    visible: Sequence[int] | None = None,
    focus: Sequence[int] = (ROOT,),
    outcomes: Sequence[results.SurveyResults] | None = None,
) -> EngagementResults:
    """The topic table, the per-question table and the topic trends of the last of `rounds`
    (oldest first, as `surveys.selectors.aggregated_rounds` returns them). `focus`: the groups whose
    trend is drawn (ROOT: the whole company), reduced to those in scope. `outcomes`: the engine's
    results of each round, when already computed (tests pass them to fix the shuffle)."""
    if not rounds:
        raise ValueError("no round")
    if outcomes is None:
        outcomes = [results.aggregate(r, departments=departments) for r in rounds]
    current_round, current = rounds[-1], outcomes[-1]
    topics = topics_of(current_round.questions)
    by_id = {q.id: q for q in current_round.questions}
    rating_questions = tuple(by_id[qid] for qid in current.rating_ids)

    # each round's topic scores per department: the previous round's for the table, all for the trends
    all_scores = [_scores(o, topics_of(r.questions)) for r, o in zip(rounds, outcomes, strict=True)]
    previous_scores = all_scores[-2] if len(all_scores) >= 2 else {}

    rows: list[TopicRow] = []
    for row in current.departments:
        if not in_scope(row.department_id, departments, visible):
            continue
        cells = _cells_by_question(current, row)
        before = previous_scores.get(row.department_id, {})
        topic_cells = []
        for t in topics:
            score, marker = topic_score(cells, t)
            prev_score, prev_marker = before.get(t.key, (None, None))
            topic_cells.append(
                TopicCell(
                    key=t.key,
                    score=score,
                    hidden=marker,
                    previous=prev_score,
                    previous_hidden=prev_marker is not None,
                )
            )
        rows.append(
            TopicRow(
                department_id=row.department_id,
                name=row.name,
                depth=row.depth,
                responses=row.responses,
                cells=tuple(topic_cells),
                question_cells=row.cells,
            )
        )

    trend_nodes = [n for n in dict.fromkeys(focus) if in_scope(n, departments, visible)]
    trends = []
    for t in topics:
        series = []
        for node in trend_nodes:
            points = []
            for rnd, scores in zip(rounds, all_scores, strict=True):
                asked = any(q.trend_key == t.key and q.kind == results.RATING for q in rnd.questions)
                score, marker = scores.get(node, {}).get(t.key, (None, None)) if asked else (None, None)
                points.append(SeriesPoint(rnd.survey_id, rnd.label, score=score, marker=marker))
            name = "" if node == ROOT else departments[node].name if node in departments else ""
            series.append(Series(department_id=node, name=name, points=tuple(points)))
        trends.append(TopicTrend(topic=t, series=tuple(series)))

    return EngagementResults(
        survey_id=current_round.survey_id,
        min_group_size=current.min_group_size,
        responses=current.responses,
        hidden=current.hidden,
        topics=topics,
        rows=tuple(rows),
        rating_questions=rating_questions,
        questions=current.questions if visible is None else (),
        trends=tuple(trends) if len(rounds) >= 2 else (),
        previous_survey_id=rounds[-2].survey_id if len(rounds) >= 2 else None,
        previous_label=rounds[-2].label if len(rounds) >= 2 else "",
        labels=tuple(r.label for r in rounds),
    )

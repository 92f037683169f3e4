"""Survey results as pure functions: dataclasses in, dataclasses out; no ORM, no clock.

Per question: the mean and distribution of a rating, the count and share of each option, the
free-text answers (in a random order for an anonymous survey, so the list says nothing about
who answered when). Per department: the same figures for every department of the tree (a
department counts the answers of its whole subtree). Between rounds: the trend of each question
topic along the `round_of` chain.

Small groups (anonymity). A group with fewer answers than the survey's `min_group_size` is
returned as a `Hidden` marker, never as numbers. Hiding the small groups alone is not enough: a
visible department minus its visible sub-departments would give the answers of the hidden rest
(two people in a sub-team of seven, say). So at every visible node of the tree the answers not
covered by its visible children (its hidden children plus the people attached to the node
itself) must be none or at least `min_group_size`; where they are not, the smallest visible
child is hidden too ("complementary suppression"), and a hidden department hides its whole
subtree. Any sum or difference of the figures shown then covers either nobody or at least
`min_group_size` people. The rule is applied to the number of people who answered and, per
question, to the number who answered that question (optional questions are skipped by some).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RATING = "rating"
CHOICE = "choice"
MULTIPLE = "multiple"
TEXT = "text"

RATING_SCALE = (1, 2, 3, 4, 5)
ANONYMOUS_MIN_GROUP = 5  # the smallest group an anonymous survey may ever show
ROOT = 0  # the whole survey: the top of the department tree (department ids are positive)

SMALL = "small"  # fewer answers than the minimum
COMPLEMENT = "complement"  # hidden so that a smaller group cannot be worked out by subtraction

MEAN_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")


def _round(value: Decimal, places: Decimal) -> Decimal:
    """The one rounding rule of survey figures: half up."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: int
    kind: str
    text: str
    options: tuple[str, ...] = ()
    topic: str = ""
    required: bool = True

    @property
    def key(self) -> str:
        """The key of this question in a response's answers."""
        return str(self.id)

    @property
    def trend_key(self) -> str:
        """Questions of different rounds are compared by topic, else by identical text."""
        return self.topic.strip() or self.text.strip()


@dataclass(frozen=True)
class Response:
    answers: Mapping[str, Any]
    department_path: tuple[int, ...] = ()  # department ids from the top of the tree down
    respondent: str = ""  # shown next to free text; always empty for an anonymous survey


@dataclass(frozen=True)
class Department:
    id: int
    name: str
    path: tuple[int, ...]

    @property
    def depth(self) -> int:
        return len(self.path) - 1


@dataclass(frozen=True)
class Round:
    """One survey (one round) with its questions and responses."""

    survey_id: int
    title: str
    label: str
    anonymous: bool
    min_group_size: int
    questions: tuple[Question, ...]
    responses: tuple[Response, ...]


# --- output ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hidden:
    """In place of the figures of a group too small to show. Carries no figure of the group."""

    min_size: int
    reason: str = SMALL

    hidden = True


@dataclass(frozen=True)
class RatingResult:
    count: int
    mean: Decimal | None
    distribution: tuple[int, ...]  # answers per score 1..5
    shares: tuple[Decimal, ...]  # fraction of answers per score

    hidden = False
    kind = RATING


@dataclass(frozen=True)
class OptionResult:
    label: str
    count: int
    share: Decimal | None  # of the people who answered the question (several choices: sums over 100%)


@dataclass(frozen=True)
class ChoiceResult:
    count: int  # people who answered the question
    options: tuple[OptionResult, ...]

    hidden = False
    kind = CHOICE

    @property
    def top(self) -> OptionResult | None:
        best = max(self.options, key=lambda o: o.count, default=None)
        return best if best is not None and best.count else None


@dataclass(frozen=True)
class TextAnswer:
    text: str
    respondent: str = ""


@dataclass(frozen=True)
class TextResult:
    count: int
    answers: tuple[TextAnswer, ...]

    hidden = False
    kind = TEXT


Stats = RatingResult | ChoiceResult | TextResult


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    result: Stats | Hidden


@dataclass(frozen=True)
class Cell:
    """One question of one department: the mean of a rating, the most chosen option of a choice."""

    question_id: int
    count: int
    mean: Decimal | None = None
    top_option: str = ""
    top_share: Decimal | None = None

    hidden = False


@dataclass(frozen=True)
class GroupRow:
    department_id: int  # ROOT for the whole survey
    name: str
    depth: int  # -1 for the whole survey
    responses: int | Hidden
    cells: tuple[Cell | Hidden, ...]

    @property
    def hidden(self) -> bool:
        return isinstance(self.responses, Hidden)


@dataclass(frozen=True)
class TrendPoint:
    survey_id: int
    label: str
    value: Decimal | Hidden | None = None  # rating: the mean
    shares: tuple[Decimal | None, ...] | Hidden = ()  # choices: per option of the trend
    count: int | None = None  # answers, when shown

    @property
    def hidden(self) -> bool:
        return isinstance(self.value, Hidden) or isinstance(self.shares, Hidden)


@dataclass(frozen=True)
class TopicTrend:
    key: str
    text: str
    kind: str
    options: tuple[str, ...]
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class SurveyResults:
    survey_id: int
    anonymous: bool
    min_group_size: int
    responses: int
    hidden: Hidden | None  # the whole survey has too few answers to show anything
    questions: tuple[QuestionResult, ...]
    departments: tuple[GroupRow, ...] = ()
    trends: tuple[TopicTrend, ...] = ()
    rating_ids: tuple[int, ...] = field(default=())  # the questions of the department table, in order


# --- answers --------------------------------------------------------------------------------


def answered(value: Any) -> bool:
    """Whether an answer was given at all (the form's "required" check in surveys.services)."""
    return value not in (None, "", [], ())


def rating_value(value: Any) -> int | None:
    """An answer to a rating question as 1..5, else None (booleans and fractions are not ratings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value in RATING_SCALE else None


def chosen(question: Question, value: Any) -> list[str]:
    """The valid options in an answer to a choice question (one or several), without repeats."""
    values = value if isinstance(value, list | tuple) else [value]
    seen: list[str] = []
    for v in values:
        if isinstance(v, str) and v in question.options and v not in seen:
            seen.append(v)
    return seen if question.kind == MULTIPLE else seen[:1]


@dataclass
class Tally:
    """What the figures of a rating or choice question over a group are made of: the answers that
    count (a valid score; at least one valid option) and the answers per score or option. Tallies
    of groups add up, so the answers are read once per leaf of the department tree, not once per
    department above it."""

    counted: int = 0
    counts: Counter = field(default_factory=Counter)

    def __iadd__(self, other: Tally) -> Tally:
        self.counted += other.counted
        self.counts.update(other.counts)
        return self

    def stats(self, question: Question) -> RatingResult | ChoiceResult:
        if question.kind == RATING:
            return _rating_from_counts(self.counts)
        return _choice_from_counts(question, self.counted, self.counts)


# The one counting path of ratings and choices: rating_result, choice_result, question_stats and
# (per leaf of the department tree) aggregate all count through these two.


def _count_ratings(values: Iterable[Any]) -> Tally:
    t = Tally()
    for value in values:
        score = rating_value(value)
        if score is not None:
            t.counts[score] += 1
    t.counted = sum(t.counts.values())
    return t


def _count_choices(question: Question, values: Iterable[Any]) -> Tally:
    t = Tally()
    for value in values:
        picks = chosen(question, value)
        if picks:
            t.counted += 1
            t.counts.update(picks)
    return t


def rating_result(values: Iterable[Any]) -> RatingResult:
    return _rating_from_counts(_count_ratings(values).counts)


def _rating_from_counts(counts: Mapping[int, int]) -> RatingResult:
    """The figures of a rating from the number of answers per score."""
    n = sum(counts.values())
    distribution = tuple(counts.get(s, 0) for s in RATING_SCALE)
    mean = _round(Decimal(sum(s * c for s, c in counts.items())) / n, MEAN_PLACES) if n else None
    shares = tuple(_round(Decimal(c) / n, SHARE_PLACES) if n else Decimal(0) for c in distribution)
    return RatingResult(count=n, mean=mean, distribution=distribution, shares=shares)


def choice_result(question: Question, values: Iterable[Any]) -> ChoiceResult:
    t = _count_choices(question, values)
    return _choice_from_counts(question, t.counted, t.counts)


def _choice_from_counts(question: Question, n: int, counts: Mapping[str, int]) -> ChoiceResult:
    """The figures of a choice question from the people who chose and the count per option."""
    options = tuple(
        OptionResult(
            label=o, count=counts.get(o, 0), share=_round(Decimal(counts.get(o, 0)) / n, SHARE_PLACES) if n else None
        )
        for o in question.options
    )
    return ChoiceResult(count=n, options=options)


def tally(question: Question, responses: Iterable[Response]) -> tuple[int, Tally | None]:
    """One pass over the answers to a question: how many count for the small-group rule and, for
    a rating or choice question, its Tally (free text counts when it is not blank)."""
    values = (r.answers.get(question.key) for r in responses)
    if question.kind == RATING:
        t = _count_ratings(values)
    elif question.kind in (CHOICE, MULTIPLE):
        t = _count_choices(question, values)
    else:
        return sum(isinstance(v, str) and bool(v.strip()) for v in values), None
    return t.counted, t


def text_result(
    question: Question, responses: Iterable[Response], *, shuffle: bool, rng: random.Random | None = None
) -> TextResult:
    answers = [
        TextAnswer(text=v.strip(), respondent="" if shuffle else r.respondent)
        for r in responses
        if isinstance(v := r.answers.get(question.key), str) and v.strip()
    ]
    if shuffle:
        (rng or random.SystemRandom()).shuffle(answers)
    return TextResult(count=len(answers), answers=tuple(answers))


def question_stats(
    question: Question, responses: Sequence[Response], *, shuffle: bool = False, rng: random.Random | None = None
) -> Stats:
    _counted, t = tally(question, responses)
    if t is not None:
        return t.stats(question)
    return text_result(question, responses, shuffle=shuffle, rng=rng)


# --- small groups ---------------------------------------------------------------------------


@dataclass
class Tree:
    """The department tree spanned by the responses: counts per node (subtree totals)."""

    children: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    nodes: set[int] = field(default_factory=lambda: {ROOT})

    @classmethod
    def of(cls, paths: Iterable[tuple[int, ...]]) -> Tree:
        tree = cls()
        for path in paths:
            parent = ROOT
            for node in path:
                tree.children[parent].add(node)
                tree.nodes.add(node)
                parent = node
        return tree

    def subtree_counts(self, leaf_counts: Mapping[tuple[int, ...], int]) -> dict[int, int]:
        counts: dict[int, int] = dict.fromkeys(self.nodes, 0)
        for path, n in leaf_counts.items():
            counts[ROOT] += n
            for node in path:
                counts[node] += n
        return counts


def suppress(tree: Tree, counts: Mapping[int, int], min_size: int) -> dict[int, Hidden | None]:
    """For every node of the tree: None when its figures may be shown, else a Hidden marker.

    A node with 1..min_size-1 answers is hidden (SMALL); a node with no answers is shown (as
    empty). At every shown node, the answers not covered by its shown children must be none or
    at least min_size; the smallest shown children are hidden (COMPLEMENT) until they are. A
    hidden node hides its subtree."""
    status: dict[int, Hidden | None] = {}

    def hide(node: int, reason: str) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            if n not in status:
                status[n] = Hidden(min_size, reason)
                stack.extend(tree.children.get(n, ()))

    def small(n: int) -> bool:
        return 0 < counts.get(n, 0) < min_size

    if small(ROOT):
        hide(ROOT, SMALL)
        return status
    status[ROOT] = None
    queue = [ROOT]
    while queue:
        node = queue.pop(0)
        shown = []
        for child in sorted(tree.children.get(node, ())):
            if small(child):
                hide(child, SMALL)
            else:
                shown.append(child)
        rest = counts.get(node, 0) - sum(counts.get(c, 0) for c in shown)
        candidates = sorted((c for c in shown if counts.get(c, 0) > 0), key=lambda c: (counts.get(c, 0), c))
        while 0 < rest < min_size and candidates:
            child = candidates.pop(0)
            shown.remove(child)
            hide(child, COMPLEMENT)
            rest += counts.get(child, 0)
        for child in shown:
            status[child] = None
            queue.append(child)
    return status


# --- one survey -----------------------------------------------------------------------------


def _cell_of(question: Question, stats: Stats) -> Cell:
    if isinstance(stats, RatingResult):
        return Cell(question_id=question.id, count=stats.count, mean=stats.mean)
    if isinstance(stats, ChoiceResult):
        top = stats.top
        return Cell(
            question_id=question.id,
            count=stats.count,
            top_option=top.label if top else "",
            top_share=top.share if top else None,
        )
    return Cell(question_id=question.id, count=stats.count)


def aggregate(
    survey: Round,
    *,
    departments: Mapping[int, Department] | None = None,
    max_depth: int | None = None,
    rng: random.Random | None = None,
) -> SurveyResults:
    """Every figure of one survey. `departments` names the nodes of the department table (no
    table without it); `max_depth` limits its rows (0: the top departments only)."""
    min_size = max(1, survey.min_group_size)
    if survey.anonymous:
        min_size = max(min_size, ANONYMOUS_MIN_GROUP)
    responses = survey.responses
    total = len(responses)
    table_questions = tuple(q for q in survey.questions if q.kind != TEXT)
    if 0 < total < min_size:
        hidden = Hidden(min_size, SMALL)
        return SurveyResults(
            survey_id=survey.survey_id,
            anonymous=survey.anonymous,
            min_group_size=min_size,
            responses=total,
            hidden=hidden,
            questions=tuple(QuestionResult(q, hidden) for q in survey.questions),
            rating_ids=tuple(q.id for q in table_questions),
        )

    tree = Tree.of(r.department_path for r in responses)
    by_leaf: dict[tuple[int, ...], list[Response]] = defaultdict(list)
    for r in responses:
        by_leaf[r.department_path].append(r)
    people = suppress(tree, tree.subtree_counts({p: len(rs) for p, rs in by_leaf.items()}), min_size)
    # the answers are read once, per leaf and question; every group above adds the leaves' tallies
    per_question: dict[int, dict[int, Hidden | None]] = {}
    tallies: dict[int, dict[tuple[int, ...], Tally]] = defaultdict(dict)
    for q in survey.questions:
        leaf_counts = {}
        for path, rs in by_leaf.items():
            leaf_counts[path], leaf_tally = tally(q, rs)
            if leaf_tally is not None:
                tallies[q.id][path] = leaf_tally
        per_question[q.id] = suppress(tree, tree.subtree_counts(leaf_counts), min_size)
    sizes: Counter = Counter()
    groups: dict[int, dict[int, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for path, rs in by_leaf.items():
        for node in (ROOT, *path):
            sizes[node] += len(rs)
            for q_id, by_path in tallies.items():
                groups[node][q_id] += by_path[path]

    def shown(node: int, q: Question) -> Hidden | None:
        return people.get(node) or per_question[q.id].get(node)

    def whole(q: Question) -> Stats:
        if q.kind == TEXT:
            return question_stats(q, responses, shuffle=survey.anonymous, rng=rng)
        return groups[ROOT][q.id].stats(q)

    questions = tuple(QuestionResult(q, shown(ROOT, q) or whole(q)) for q in survey.questions)

    rows: list[GroupRow] = []
    if departments is not None and total:
        ordered = sorted(
            (departments[n] for n in tree.nodes if n != ROOT and n in departments),
            key=lambda d: d.path,
        )
        for node, name, depth in [(ROOT, "", -1), *((d.id, d.name, d.depth) for d in ordered)]:
            if max_depth is not None and depth > max_depth:
                continue
            marker = people.get(node)
            if marker is not None:
                rows.append(GroupRow(node, name, depth, marker, tuple(marker for _q in table_questions)))
                continue
            cells = tuple(shown(node, q) or _cell_of(q, groups[node][q.id].stats(q)) for q in table_questions)
            rows.append(GroupRow(node, name, depth, sizes[node], cells))

    return SurveyResults(
        survey_id=survey.survey_id,
        anonymous=survey.anonymous,
        min_group_size=min_size,
        responses=total,
        hidden=None,
        questions=questions,
        departments=tuple(rows),
        rating_ids=tuple(q.id for q in table_questions),
    )


# --- rounds ---------------------------------------------------------------------------------


def trends(rounds: Sequence[Round]) -> tuple[TopicTrend, ...]:
    """Per topic (or identical question text) asked in at least two rounds, oldest round first:
    the mean of a rating or the share of each option, each round hidden below its own minimum."""
    if len(rounds) < 2:
        return ()
    latest_question: dict[str, Question] = {}
    asked_in: dict[str, int] = Counter()
    for rnd in rounds:
        seen = set()
        for q in rnd.questions:
            if q.kind == TEXT or q.trend_key in seen:
                continue
            seen.add(q.trend_key)
            latest_question[q.trend_key] = q
            asked_in[q.trend_key] += 1
    result = []
    for key, latest in latest_question.items():
        if asked_in[key] < 2:
            continue
        kind = RATING if latest.kind == RATING else CHOICE
        options: list[str] = []
        if kind == CHOICE:
            for rnd in rounds:
                for q in rnd.questions:
                    if q.trend_key == key and q.kind in (CHOICE, MULTIPLE):
                        options.extend(o for o in q.options if o not in options)
        points = []
        for rnd in rounds:
            asked = next((q for q in rnd.questions if q.trend_key == key), None)
            if asked is None or (kind == RATING) != (asked.kind == RATING):
                continue
            min_size = max(1, rnd.min_group_size, ANONYMOUS_MIN_GROUP if rnd.anonymous else 1)
            stats = question_stats(asked, rnd.responses)
            n = stats.count
            if 0 < len(rnd.responses) < min_size or 0 < n < min_size:
                marker = Hidden(min_size, SMALL)
                points.append(TrendPoint(rnd.survey_id, rnd.label, value=marker, shares=marker))
            elif isinstance(stats, RatingResult):
                points.append(TrendPoint(rnd.survey_id, rnd.label, value=stats.mean, count=n))
            elif isinstance(stats, ChoiceResult):
                by_label = {o.label: o.share for o in stats.options}
                points.append(
                    TrendPoint(rnd.survey_id, rnd.label, shares=tuple(by_label.get(o) for o in options), count=n)
                )
        if len(points) >= 2:
            result.append(
                TopicTrend(key=key, text=latest.text, kind=kind, options=tuple(options), points=tuple(points))
            )
    return tuple(result)

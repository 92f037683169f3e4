"""The pure aggregation (surveys.results): tables of cases, no database."""

import random
from decimal import Decimal

import pytest

from surveys.results import (
    COMPLEMENT,
    ROOT,
    SMALL,
    ChoiceResult,
    Department,
    Hidden,
    Question,
    RatingResult,
    Response,
    Round,
    TextResult,
    Tree,
    aggregate,
    choice_result,
    rating_result,
    suppress,
    text_result,
    trends,
)

D = Decimal
RATE = Question(id=1, kind="rating", text="课程内容对工作的帮助", topic="帮助")
PICK = Question(id=2, kind="choice", text="您更喜欢的培训方式", options=("线上", "面授", "混合"), topic="方式")
MANY = Question(id=3, kind="multiple", text="想学习的主题", options=("Python", "风控", "沟通"))
TEXT = Question(id=4, kind="text", text="其他建议", required=False)
OPTIONAL = Question(id=5, kind="rating", text="讲师", required=False)


# --- per question -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "mean", "distribution"),
    [
        ([5, 4, 4, 3], D("4.00"), (0, 0, 1, 2, 1)),
        ([1, 2, 2], D("1.67"), (1, 2, 0, 0, 0)),
        ([1, 1, 2], D("1.33"), (2, 1, 0, 0, 0)),
        ([5, 5, 5, 5, 4, 4, 4, 5], D("4.63"), (0, 0, 0, 3, 5)),  # 4.625: half up, not to even
        ([3], D("3.00"), (0, 0, 1, 0, 0)),
        ([], None, (0, 0, 0, 0, 0)),
        # not ratings: out of range, fractions, booleans, words; a digit string counts
        ([0, 6, 3.5, True, "x", None, "4", 2], D("3.00"), (0, 1, 0, 1, 0)),
    ],
)
def test_rating_mean_and_distribution(scores, mean, distribution):
    r = rating_result(scores)
    assert (r.mean, r.distribution, r.count) == (mean, distribution, sum(distribution))
    if r.count:
        assert r.shares == tuple(D(c / r.count).quantize(D("0.0001")) for c in distribution)


@pytest.mark.parametrize(
    ("question", "answers", "counts", "shares", "respondents"),
    [
        (PICK, ["线上", "线上", "面授", "线上"], (3, 1, 0), (D("0.75"), D("0.25"), D("0")), 4),
        (PICK, ["线上", "不存在", "", None], (1, 0, 0), (D("1"), D("0"), D("0")), 1),
        (MANY, [["Python", "风控"], ["Python"], ["沟通", "Python"]], (3, 1, 1), (D("1"), D("0.3333"), D("0.3333")), 3),
        (MANY, [["Python", "Python"], ["魔法"]], (1, 0, 0), (D("1"), D("0"), D("0")), 1),
        (PICK, [], (0, 0, 0), (None, None, None), 0),
    ],
)
def test_choice_counts_and_shares(question, answers, counts, shares, respondents):
    r = choice_result(question, answers)
    assert r.count == respondents
    assert tuple(o.label for o in r.options) == question.options  # every option, in its order
    assert tuple(o.count for o in r.options) == counts
    assert tuple(o.share for o in r.options) == shares


def test_free_text_in_order_with_names_when_named_and_shuffled_without_names_when_anonymous():
    responses = [Response({"4": f"建议{i}"}, respondent=f"员工{i}") for i in range(12)] + [Response({"4": "  "})]
    named = text_result(TEXT, responses, shuffle=False)
    assert [a.text for a in named.answers] == [f"建议{i}" for i in range(12)]
    assert named.answers[0].respondent == "员工0"
    anonymous = text_result(TEXT, responses, shuffle=True, rng=random.Random(7))
    assert sorted(a.text for a in anonymous.answers) == sorted(a.text for a in named.answers)
    assert [a.text for a in anonymous.answers] != [a.text for a in named.answers]
    assert {a.respondent for a in anonymous.answers} == {""}


# --- small groups ---------------------------------------------------------------------------

HQ, A, A1, A2, B = 1, 10, 11, 12, 20


def run(groups: dict[tuple[int, ...], int], min_size: int = 5) -> dict[int, Hidden | None]:
    tree = Tree.of(groups)
    return suppress(tree, tree.subtree_counts(groups), min_size)


def state(marker):
    return "shown" if marker is None else marker.reason


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        # exactly at the minimum - 1 and at the minimum
        ({(HQ, A): 4, (HQ, B): 5}, {A: SMALL, B: COMPLEMENT, HQ: "shown"}),
        ({(HQ, A): 5, (HQ, B): 5}, {A: "shown", B: "shown", HQ: "shown"}),
        ({(HQ, A): 5, (HQ, B): 5, (HQ, A, A1): 1}, {A: "shown", B: "shown", A1: SMALL}),
        # B below the minimum leaves 4 behind A: A is hidden as well, HQ still shows all 10
        ({(HQ, A): 5, (HQ, B): 4, (HQ, A, A1): 1}, {HQ: "shown", A: COMPLEMENT, A1: COMPLEMENT, B: SMALL}),
        # the whole survey below the minimum: everything hidden
        ({(HQ, A): 2, (HQ, B): 2}, {ROOT: SMALL, HQ: SMALL, A: SMALL, B: SMALL}),
        # A (7) = A1 (5) + A2 (2): showing A1 would give A2 by subtraction, so A1 is hidden too
        ({(HQ, A, A1): 5, (HQ, A, A2): 2, (HQ, B): 5}, {A: "shown", A1: COMPLEMENT, A2: SMALL, B: "shown"}),
        # one person attached to A itself (no sub-team) counts as a hidden rest
        ({(HQ, A): 1, (HQ, A, A1): 5, (HQ, B): 6}, {A: "shown", A1: COMPLEMENT, B: "shown"}),
        # a hidden rest of at least the minimum protects itself
        ({(HQ, A): 2, (HQ, A, A1): 5, (HQ, A, A2): 3, (HQ, B): 5}, {A: "shown", A1: "shown", A2: SMALL}),
        # the smallest shown sibling is the one hidden to cover a small rest
        ({(HQ, A): 9, (HQ, B): 6, (HQ,): 1}, {A: "shown", B: COMPLEMENT, HQ: "shown"}),
        # people without a department form the rest at the top
        ({(): 3, (HQ, A): 6}, {ROOT: "shown", HQ: COMPLEMENT, A: COMPLEMENT}),
    ],
)
def test_suppression_table(groups, expected):
    status = run(groups)
    assert {node: state(status[node]) for node in expected} == expected


def test_minimum_of_one_hides_nothing():
    status = run({(HQ, A): 1, (HQ, B): 1, (HQ, A, A1): 1}, min_size=1)
    assert set(status.values()) == {None}


def test_a_hidden_department_hides_its_sub_departments():
    # A is hidden to protect A's sibling rest; its sub-team A1 of 6 must not show either
    status = run({(HQ, A, A1): 6, (HQ, B): 10, (HQ,): 2})
    assert state(status[A]) == COMPLEMENT and state(status[A1]) == COMPLEMENT


@pytest.mark.parametrize("seed", range(40))
def test_no_subtraction_reveals_a_group_smaller_than_the_minimum(seed):
    """Random trees: at every shown node, what its shown children leave over is nobody or at
    least the minimum, and no shown node sits under a hidden one."""
    rng = random.Random(seed)
    min_size = rng.choice([3, 5, 8])
    paths = [(1,)]
    for node in range(2, 30):
        parent = rng.choice(paths)
        paths.append((*parent, node))
    groups = {p: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9]) for p in paths}
    groups = {p: n for p, n in groups.items() if n}
    tree = Tree.of(groups)
    counts = tree.subtree_counts(groups)
    status = suppress(tree, counts, min_size)
    for node, marker in status.items():
        if marker is not None:
            assert all(status[c] is not None for c in tree.children.get(node, ())), node
            continue
        assert counts[node] == 0 or counts[node] >= min_size
        rest = counts[node] - sum(counts[c] for c in tree.children.get(node, ()) if status[c] is None)
        assert rest == 0 or rest >= min_size, (node, rest)


# --- one survey -----------------------------------------------------------------------------


def people(n, path, **answers):
    return [Response({k: v for k, v in answers.items()}, department_path=path) for _i in range(n)]


DEPARTMENTS = {
    HQ: Department(HQ, "总部", (HQ,)),
    A: Department(A, "技术部", (HQ, A)),
    A1: Department(A1, "平台组", (HQ, A, A1)),
    B: Department(B, "销售部", (HQ, B)),
}


def survey(responses, *, anonymous=True, min_size=5, questions=(RATE, PICK, TEXT)):
    return Round(1, "敬业度调查", "2026-03-01", anonymous, min_size, tuple(questions), tuple(responses))


def test_anonymous_survey_below_the_minimum_shows_nothing():
    out = aggregate(survey(people(4, (HQ, A), **{"1": 5, "2": "线上", "4": "太忙了"})), departments=DEPARTMENTS)
    assert out.responses == 4 and out.hidden == Hidden(5, SMALL)
    assert all(isinstance(q.result, Hidden) for q in out.questions)  # not even the free text
    assert out.departments == ()


def test_anonymous_survey_never_uses_a_minimum_below_five():
    out = aggregate(survey(people(4, (HQ, A), **{"1": 5}), min_size=1), departments=DEPARTMENTS)
    assert out.min_group_size == 5 and out.hidden is not None


def test_department_table_with_suppression():
    responses = (
        people(3, (HQ, A), **{"1": 4, "2": "线上"})
        + people(3, (HQ, A, A1), **{"1": 2, "2": "面授"})
        + people(5, (HQ, B), **{"1": 5, "2": "线上"})
    )
    out = aggregate(survey(responses), departments=DEPARTMENTS, rng=random.Random(1))
    rows = {r.department_id: r for r in out.departments}
    assert [r.department_id for r in out.departments] == [ROOT, HQ, A, A1, B]
    assert rows[ROOT].responses == 11 and rows[ROOT].cells[0].mean == D("3.91")  # (12 + 6 + 25) / 11
    assert rows[A].responses == 6 and rows[A].cells[0].mean == D("3.00")
    assert rows[A].cells[1].top_option in ("线上", "面授") and rows[A].cells[1].top_share == D("0.5")
    assert rows[A1].responses == Hidden(5, SMALL) and rows[A1].cells == (Hidden(5, SMALL), Hidden(5, SMALL))
    assert rows[B].responses == 5 and rows[B].cells[0].mean == D("5.00")
    assert out.questions[0].result.mean == D("3.91")


def test_department_table_depth_limit():
    responses = people(5, (HQ, A), **{"1": 4}) + people(5, (HQ, A, A1), **{"1": 2})
    out = aggregate(survey(responses), departments=DEPARTMENTS, max_depth=1)
    assert [r.department_id for r in out.departments] == [ROOT, HQ, A]


def test_an_optional_question_answered_by_too_few_is_hidden_for_that_group_only():
    responses = people(6, (HQ, A), **{"1": 4, "5": 3}) + people(5, (HQ, B), **{"1": 2})
    out = aggregate(survey(responses, questions=(RATE, OPTIONAL)), departments=DEPARTMENTS)
    rows = {r.department_id: r for r in out.departments}
    assert rows[A].cells[1].mean == D("3.00")
    assert rows[B].cells[0].mean == D("2.00")
    assert rows[B].cells[1].count == 0 and rows[B].cells[1].mean is None  # nobody answered: nothing to hide
    responses = people(6, (HQ, A), **{"1": 4}) + people(1, (HQ, A), **{"1": 4, "5": 1}) + people(5, (HQ, B), **{"1": 2})
    out = aggregate(survey(responses, questions=(RATE, OPTIONAL)), departments=DEPARTMENTS)
    rows = {r.department_id: r for r in out.departments}
    assert rows[A].responses == 7 and rows[A].cells[0].mean == D("4.00")
    assert isinstance(rows[A].cells[1], Hidden)  # one answer to the optional question
    assert isinstance(out.questions[1].result, Hidden)


@pytest.mark.parametrize("seed", range(8))
def test_department_figures_equal_the_figures_of_each_groups_own_answers(seed):
    """aggregate() adds up tallies per leaf of the tree (it reads each answer once); every row
    must equal the figures computed from the group's own answers, valid or not."""
    from surveys.results import _cell_of, question_stats

    def _cell(question, group):
        return _cell_of(question, question_stats(question, group))

    rng = random.Random(seed)
    paths = [(HQ,), (HQ, A), (HQ, A, A1), (HQ, B)]
    values = {
        "1": [1, 2, 3, 4, 5, 5, "4", 0, 6, 3.5, True, None, "", "x"],
        "2": ["线上", "面授", "混合", "不存在", "", None, ["线上"]],
        "3": [["Python", "风控"], ["沟通"], ["Python", "Python"], [], ["魔法"], "风控", None],
        "5": [None, None, 2, 4, "5"],
    }
    responses = [
        Response({k: rng.choice(v) for k, v in values.items()}, department_path=rng.choice(paths))
        for _i in range(rng.randint(20, 80))
    ]
    questions = (RATE, PICK, MANY, TEXT, OPTIONAL)
    out = aggregate(survey(responses, questions=questions, min_size=1, anonymous=False), departments=DEPARTMENTS)
    table = [q for q in questions if q.kind != "text"]
    for row in out.departments:
        group = [r for r in responses if row.department_id == ROOT or row.department_id in r.department_path]
        assert row.responses == len(group)
        assert row.cells == tuple(_cell(q, group) for q in table)
    for result in out.questions:
        if result.question.kind != "text":
            assert result.result == question_stats(result.question, responses)


def test_named_survey_shows_every_group_and_names_next_to_free_text():
    responses = [
        Response({"1": 5, "4": "很好"}, (HQ, A), respondent="张三"),
        Response({"1": 3}, (HQ, B), respondent="李四"),
    ]
    out = aggregate(survey(responses, anonymous=False, min_size=1), departments=DEPARTMENTS)
    assert out.hidden is None
    assert isinstance(out.questions[0].result, RatingResult) and out.questions[0].result.mean == D("4.00")
    assert isinstance(out.questions[1].result, ChoiceResult) and out.questions[1].result.count == 0
    text = out.questions[2].result
    assert isinstance(text, TextResult) and [(a.text, a.respondent) for a in text.answers] == [("很好", "张三")]
    assert [r.responses for r in out.departments] == [2, 2, 1, 1]


# --- rounds ---------------------------------------------------------------------------------


def test_trend_per_topic_between_rounds():
    q_old = Question(id=11, kind="rating", text="总体满意度（旧）", topic="满意度")
    p_old = Question(id=12, kind="choice", text="方式", options=("线上", "面授"), topic="方式")
    q_mid = Question(id=21, kind="rating", text="总体满意度", topic="满意度")
    q_new = Question(id=31, kind="rating", text="总体满意度", topic="满意度")
    p_new = Question(id=32, kind="choice", text="方式", options=("线上", "面授", "混合"), topic="方式")
    only_now = Question(id=33, kind="rating", text="新问题")
    rounds = [
        Round(1, "2024", "2024-03-01", True, 5, (q_old, p_old), tuple(people(5, (HQ,), **{"11": 3, "12": "线上"}))),
        Round(2, "2025", "2025-03-01", True, 5, (q_mid,), tuple(people(4, (HQ,), **{"21": 5}))),  # too few
        Round(3, "2026", "2026-03-01", True, 5, (q_new, p_new, only_now, TEXT),
              tuple(people(4, (HQ,), **{"31": 4, "32": "混合"}) + people(2, (HQ,), **{"31": 5, "32": "线上"}))),
    ]  # fmt: skip
    result = {t.key: t for t in trends(rounds)}
    assert set(result) == {"满意度", "方式"}  # asked once only, or free text: no trend
    rating = result["满意度"]
    assert rating.text == "总体满意度"
    assert [p.label for p in rating.points] == ["2024-03-01", "2025-03-01", "2026-03-01"]
    assert rating.points[0].value == D("3.00")
    assert rating.points[1].value == Hidden(5, SMALL) and rating.points[1].count is None
    assert rating.points[2].value == D("4.33")
    choice = result["方式"]
    assert choice.options == ("线上", "面授", "混合")
    assert choice.points[0].shares == (D("1"), D("0"), None)  # 混合 was not an option in 2024
    assert choice.points[1].shares == (D("0.3333"), D("0"), D("0.6667"))


def test_questions_without_topic_are_matched_by_their_wording():
    a = Question(id=1, kind="rating", text="您愿意推荐公司吗？")
    b = Question(id=2, kind="rating", text="您愿意推荐公司吗？")
    rounds = [
        Round(1, "一", "2025-01-01", False, 1, (a,), (Response({"1": 2}),)),
        Round(2, "二", "2026-01-01", False, 1, (b,), (Response({"2": 4}),)),
    ]
    (trend,) = trends(rounds)
    assert [p.value for p in trend.points] == [D("2.00"), D("4.00")]
    assert trends(rounds[:1]) == ()

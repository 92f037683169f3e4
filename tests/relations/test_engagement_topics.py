"""Engagement results by topic (relations.engagement_results): pure, over the survey engine's
dataclasses, no database. Figures are worked out by hand."""

from decimal import Decimal as D

import pytest

from relations.engagement_results import SAME, UP, Topic, engagement_results, topic_score, topics_of
from surveys import results
from surveys.results import COMPLEMENT, ROOT, SMALL, Cell, Hidden

HQ, A, B = 1, 2, 3
DEPARTMENTS = {
    HQ: results.Department(HQ, "总部", (HQ,)),
    A: results.Department(A, "技术部", (HQ, A)),
    B: results.Department(B, "销售部", (HQ, B)),
}


def questions(offset=0):
    return (
        results.Question(offset + 1, "rating", "我在团队中感到被尊重", topic="团队氛围"),
        results.Question(offset + 2, "rating", "团队成员乐于互相帮助", topic="团队氛围"),
        results.Question(offset + 3, "rating", "工作量可以在正常时间内完成", topic="工作负荷"),
        results.Question(offset + 4, "text", "其他建议", required=False),
    )


def answers(qs, a, b, c, text=""):
    out = {qs[0].key: a, qs[1].key: b, qs[2].key: c}
    if text:
        out[qs[3].key] = text
    return out


def rnd(survey_id, qs, groups, label="2026-01-01"):
    """groups: [(department path, [(a, b, c), ...])]"""
    responses = tuple(
        results.Response(answers=answers(qs, *scores), department_path=path) for path, rows in groups for scores in rows
    )
    return results.Round(survey_id, f"第{survey_id}轮", label, True, 5, qs, responses)


def row(data, department_id):
    return next(r for r in data.rows if r.department_id == department_id)


def cell(data, department_id, topic):
    return next(c for c in row(data, department_id).cells if c.key == topic)


def test_topics_group_rating_questions_in_order():
    topics = topics_of(questions())
    assert [(t.key, t.question_ids) for t in topics] == [("团队氛围", (1, 2)), ("工作负荷", (3,))]
    untitled = results.Question(9, "rating", "  一个没有主题的问题 ")
    assert topics_of([untitled]) == (Topic("一个没有主题的问题", "一个没有主题的问题", (9,)),)


@pytest.mark.parametrize(
    "cells,expected",
    [
        ({1: Cell(1, 5, D("4.20")), 2: Cell(2, 5, D("3.60"))}, (D("3.90"), None)),
        ({1: Cell(1, 5, D("4.25")), 2: Cell(2, 5, D("3.60"))}, (D("3.93"), None)),  # 3.925 half up
        ({1: Cell(1, 5, D("4.20")), 2: Hidden(5, COMPLEMENT)}, (None, Hidden(5, COMPLEMENT))),
        ({1: Cell(1, 0, None), 2: Cell(2, 6, D("2.00"))}, (D("2.00"), None)),  # a question nobody answered
        ({1: Cell(1, 0, None), 2: Cell(2, 0, None)}, (None, None)),
    ],
)
def test_topic_score_is_the_mean_of_question_means(cells, expected):
    assert topic_score(cells, Topic("团队氛围", "团队氛围", (1, 2))) == expected


def test_department_table_with_change_since_the_previous_round():
    q1, q2 = questions(0), questions(10)
    first = rnd(1, q1, [((HQ, A), [(3, 3, 2)] * 5), ((HQ, B), [(4, 4, 4)] * 5)], "2026-01-05")
    second = rnd(
        2,
        q2,
        [
            ((HQ, A), [(4, 5, 3), (4, 4, 3), (4, 4, 2), (5, 4, 3), (3, 4, 2)]),  # q means 4.00, 4.20, 2.60
            ((HQ, B), [(4, 4, 4)] * 5),
        ],
        "2026-07-05",
    )
    data = engagement_results([first, second], DEPARTMENTS)
    assert [r.department_id for r in data.rows] == [ROOT, HQ, A, B]
    a_team = cell(data, A, "团队氛围")
    assert (a_team.score, a_team.previous, a_team.change, a_team.direction) == (D("4.10"), D("3.00"), D("1.10"), UP)
    a_load = cell(data, A, "工作负荷")
    assert (a_load.score, a_load.change, a_load.direction) == (D("2.60"), D("0.60"), UP)
    assert cell(data, B, "工作负荷").direction == SAME
    # the whole company: question means 40/10 = 4.00 and 41/10 = 4.10; the round before 3.50 each
    whole = cell(data, ROOT, "团队氛围")
    assert whole.score == D("4.05") and whole.previous == D("3.50")
    assert row(data, A).responses == 5 and row(data, ROOT).responses == 10
    assert data.previous_survey_id == 1 and data.labels == ("2026-01-05", "2026-07-05")
    # trend of each topic for the whole company, oldest round first
    trend = {t.topic.key: t for t in data.trends}
    assert [p.score for p in trend["工作负荷"].series[0].points] == [D("3.00"), D("3.30")]


def test_a_group_of_four_is_hidden_and_its_complement_too():
    qs = questions()
    four_and_five = rnd(1, qs, [((HQ, A), [(1, 1, 1)] * 4), ((HQ, B), [(5, 5, 5)] * 5)])
    data = engagement_results([four_and_five], DEPARTMENTS)
    a, b = row(data, A), row(data, B)
    assert a.hidden and a.responses == Hidden(5, SMALL)
    assert all(c.hidden and c.score is None for c in a.cells)
    # B alone would give A's answers by subtraction from the whole company: hidden as the complement
    assert b.hidden and b.responses == Hidden(5, COMPLEMENT)
    # one more person attached to headquarters itself: the rest is 5, B is shown
    with_hq = rnd(1, qs, [((HQ, A), [(1, 1, 1)] * 4), ((HQ, B), [(5, 5, 5)] * 5), ((HQ,), [(3, 3, 3)])])
    data = engagement_results([with_hq], DEPARTMENTS)
    assert row(data, A).hidden
    assert row(data, B).responses == 5 and cell(data, B, "团队氛围").score == D("5.00")
    assert cell(data, ROOT, "团队氛围").score == D("3.20")  # each question (4×1 + 5×5 + 3) / 10


def test_a_previous_round_too_small_gives_no_change():
    q1, q2 = questions(0), questions(10)
    first = rnd(1, q1, [((HQ, A), [(2, 2, 2)] * 3), ((HQ, B), [(4, 4, 4)] * 3), ((HQ,), [(3, 3, 3)] * 5)])
    second = rnd(2, q2, [((HQ, A), [(4, 4, 4)] * 5), ((HQ, B), [(4, 4, 4)] * 5)])
    data = engagement_results([first, second], DEPARTMENTS, focus=(ROOT, A))
    a = cell(data, A, "团队氛围")
    assert a.score == D("4.00") and a.previous is None and a.previous_hidden and a.direction == ""
    series = {s.department_id: s for s in data.trends[0].series}
    assert [p.hidden for p in series[A].points] == [True, False]
    assert [p.score for p in series[ROOT].points] == [D("3.00"), D("4.00")]


def test_a_manager_sees_only_their_subtree_and_no_company_figures():
    qs = questions()
    data = engagement_results(
        [rnd(1, qs, [((HQ, A), [(4, 4, 4)] * 5), ((HQ, B), [(2, 2, 2)] * 6)])],
        DEPARTMENTS,
        visible=(B,),
        focus=(ROOT, A, B),
    )
    assert [r.department_id for r in data.rows] == [B]
    assert data.questions == ()  # the company-wide per-question figures and comments are HR's
    assert data.trends == ()  # one round: no trend
    assert cell(data, B, "团队氛围").score == D("2.00")


def test_trend_series_are_limited_to_the_scope():
    q1, q2 = questions(0), questions(10)
    rounds = [
        rnd(1, q1, [((HQ, A), [(3, 3, 3)] * 5), ((HQ, B), [(2, 2, 2)] * 5)]),
        rnd(2, q2, [((HQ, A), [(4, 4, 4)] * 5), ((HQ, B), [(3, 3, 3)] * 5)]),
    ]
    data = engagement_results(rounds, DEPARTMENTS, visible=(B,), focus=(ROOT, A, B))
    assert [s.department_id for s in data.trends[0].series] == [B]
    assert [p.score for p in data.trends[0].series[0].points] == [D("2.00"), D("3.00")]
    assert [c.direction for c in row(data, B).cells] == [UP, UP]


def test_a_round_with_fewer_than_five_answers_shows_nothing():
    data = engagement_results([rnd(1, questions(), [((HQ, A), [(5, 5, 5)] * 4)])], DEPARTMENTS)
    assert data.hidden == Hidden(5, SMALL) and data.rows == () and data.responses == 4
    assert all(isinstance(q.result, Hidden) for q in data.questions)

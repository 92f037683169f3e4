"""The pure exam engine: drawing papers and grading them, with tables of cases (no database)."""

import random
from decimal import Decimal

import pytest

from exams import grading
from exams.grading import MULTIPLE, SINGLE, TRUE_FALSE, QuestionSpec

D = Decimal


def item(qid, kind, choices, correct, points=1, text=""):
    return {"question": qid, "kind": kind, "choices": choices, "correct": correct, "points": points, "text": text}


SINGLE_Q = item(1, SINGLE, [11, 12, 13], [12])
MULTI_Q = item(2, MULTIPLE, [21, 22, 23, 24], [21, 23])
TF_Q = item(3, TRUE_FALSE, [31, 32], [32])


@pytest.mark.parametrize(
    ("question", "chosen", "correct"),
    [
        (SINGLE_Q, [12], True),
        (SINGLE_Q, [11], False),
        (SINGLE_Q, [], False),
        (SINGLE_Q, [12, 11], False),  # a forged second answer to a radio question
        (MULTI_Q, [21, 23], True),
        (MULTI_Q, [23, 21], True),  # order does not matter
        (MULTI_Q, [21], False),  # a subset earns nothing: no partial credit
        (MULTI_Q, [21, 23, 24], False),  # a superset neither
        (MULTI_Q, [22, 24], False),
        (MULTI_Q, [], False),
        (TF_Q, [32], True),
        (TF_Q, [31], False),
        (TF_Q, [31, 32], False),
    ],
)
def test_a_question_is_right_only_with_exactly_the_correct_answers(question, chosen, correct):
    result = grading.grade_paper([question], {str(question["question"]): chosen}, pass_mark=60)
    assert result.questions[0].is_correct is correct
    assert result.score == (D("100.00") if correct else D("0.00"))


@pytest.mark.parametrize(
    ("answers", "points", "score", "passed"),
    [
        ({"1": [12], "2": [21, 23], "3": [32]}, D(6), D("100.00"), True),
        ({"3": [32]}, D(2), D("33.33"), False),  # 2 of 6 points: 33.333… rounds down
        ({"1": [12], "3": [32]}, D(3), D("50.00"), False),
        ({"2": [21, 23]}, D(3), D("50.00"), False),  # the multiple-choice question weighs 3
        ({"1": [12], "2": [21, 23]}, D(4), D("66.67"), True),  # 66.666… rounds up
        ({}, D(0), D("0.00"), False),
    ],
)
def test_points_are_weighted_and_the_score_rounded_half_up(answers, points, score, passed):
    paper = [SINGLE_Q, {**MULTI_Q, "points": 3}, {**TF_Q, "points": 2}]
    correct, weights = grading.answer_key(paper)
    result = grading.grade(paper, answers, correct, weights, pass_mark=60)
    assert (result.points, result.max_points, result.score, result.passed) == (points, D(6), score, passed)


@pytest.mark.parametrize(
    ("earned", "possible", "score"),
    [(1, 8, D("12.50")), (1, 3, D("33.33")), (2, 3, D("66.67")), (1, 200, D("0.50")), (1, 400, D("0.25")),
     (1, 800, D("0.13")), (7, 7, D("100.00"))],
)  # fmt: skip
def test_rounding_is_half_up_to_two_places(earned, possible, score):
    paper = [item(1, SINGLE, [1, 2], [1], points=earned), item(2, SINGLE, [3, 4], [3], points=possible - earned)]
    result = grading.grade_paper(paper, {"1": [1]}, pass_mark=0)
    assert result.score == score


@pytest.mark.parametrize(("score_points", "pass_mark", "passed"), [(3, 60, True), (2, 60, False), (0, 0, True)])
def test_passed_means_the_score_reaches_the_pass_mark(score_points, pass_mark, passed):
    paper = [item(i, SINGLE, [i * 10, i * 10 + 1], [i * 10]) for i in range(1, 6)]
    answers = {str(i): [i * 10] for i in range(1, score_points + 1)}
    result = grading.grade_paper(paper, answers, pass_mark=pass_mark)
    assert result.passed is passed  # 3 of 5 is exactly 60.00


def test_answers_outside_the_paper_are_dropped():
    paper = [SINGLE_Q, MULTI_Q]
    cleaned = grading.clean_answers(paper, {"1": ["12", "x", 21], "2": [24, 21, 21], "99": [1], "3": [31]})
    assert cleaned == {"1": [12], "2": [21, 24]}  # shown order, once each, only own choices
    assert grading.clean_answers(paper, None) == {}


# --- drawing -------------------------------------------------------------------------------


def bank(n=10):
    kinds = [SINGLE, MULTIPLE, TRUE_FALSE]
    return [
        QuestionSpec(q, kinds[q % 3], (q * 10, q * 10 + 1) if kinds[q % 3] == TRUE_FALSE else tuple(range(q * 10, q * 10 + 4)))
        for q in range(1, n + 1)
    ]  # fmt: skip


@pytest.mark.parametrize("count", [1, 5, 10])
def test_a_paper_has_count_different_questions_from_the_bank(count):
    paper = grading.draw_paper(bank(), count=count, rng=random.Random(7), shuffle=True)
    ids = [p["question"] for p in paper]
    assert len(ids) == count == len(set(ids))
    specs = {q.id: q for q in bank()}
    for p in paper:
        assert sorted(p["choices"]) == sorted(specs[p["question"]].choice_ids)
        assert p["kind"] == specs[p["question"]].kind


def test_more_questions_than_the_bank_has_is_refused():
    with pytest.raises(grading.NotEnoughQuestions) as caught:
        grading.draw_paper(bank(3), count=4, rng=random.Random(1), shuffle=True)
    assert (caught.value.available, caught.value.wanted) == (3, 4)


def test_the_same_seed_draws_the_same_paper_whatever_the_input_order():
    first = grading.draw_paper(bank(), count=6, rng=random.Random(42), shuffle=True)
    again = grading.draw_paper(list(reversed(bank())), count=6, rng=random.Random(42), shuffle=True)
    other = grading.draw_paper(bank(), count=6, rng=random.Random(43), shuffle=True)
    assert first == again
    assert first != other


def test_shuffling_changes_question_and_answer_order_but_not_true_false():
    papers = [grading.draw_paper(bank(), count=10, rng=random.Random(seed), shuffle=True) for seed in range(20)]
    assert any([p["question"] for p in paper] != sorted(p["question"] for p in paper) for paper in papers)
    multi = [p for paper in papers for p in paper if p["kind"] != TRUE_FALSE]
    assert any(p["choices"] != sorted(p["choices"]) for p in multi)
    assert all(p["choices"] == sorted(p["choices"]) for paper in papers for p in paper if p["kind"] == TRUE_FALSE)


def test_without_shuffle_the_drawn_questions_keep_the_bank_order():
    paper = grading.draw_paper(bank(), count=4, rng=random.Random(3), shuffle=False)
    assert [p["question"] for p in paper] == sorted(p["question"] for p in paper)
    assert all(p["choices"] == sorted(p["choices"]) for p in paper)
    everything = grading.draw_paper(bank(), count=10, rng=random.Random(3), shuffle=False)
    assert [p["question"] for p in everything] == list(range(1, 11))


def test_question_statistics_count_right_and_blank_answers_hardest_first():
    paper = [SINGLE_Q, MULTI_Q]
    stats = grading.question_stats(
        [(paper, {"1": [12], "2": [21]}), (paper, {"1": [12], "2": [21, 23]}), (paper, {"1": [11]}), (paper, {})]
    )
    assert [(s.question, s.drawn, s.correct, s.unanswered, s.share) for s in stats] == [
        (2, 4, 1, 2, D("25.00")),
        (1, 4, 2, 1, D("50.00")),
    ]


def test_kind_codes_match_the_model():
    pytest.importorskip("django")
    from django.conf import settings

    if not settings.configured:
        pytest.skip("needs Django")
    from exams.models import QuestionKind

    assert set(grading.KINDS) == set(QuestionKind.values)

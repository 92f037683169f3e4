"""Fixtures of the exam tests: a question bank, an exam, and helpers
that answer a paper right or wrong."""

import pytest


def add_question(bank, kind, text, answers, *, points=1, active=True, explanation=""):
    from exams import services
    from exams.models import Question

    question = Question(bank=bank, kind=kind, text=text, points=points, is_active=active, explanation=explanation)
    return services.question_save(question=question, choices=[services.ChoiceInput(t, c) for t, c in answers])


@pytest.fixture
def bank(db):
    """反洗钱题库: 3 single-choice (1 point), 2 multiple-choice (2 points), 1 true/false (1 point)."""
    from exams.models import QuestionBank

    b = QuestionBank.objects.create(name="反洗钱题库", description="反洗钱基础知识")
    for i in range(3):
        add_question(b, "single", f"单选题{i + 1}", [(f"甲{i}", True), (f"乙{i}", False), (f"丙{i}", False)],
                     explanation=f"解析{i + 1}")  # fmt: skip
    for i in range(2):
        add_question(
            b, "multiple", f"多选题{i + 1}", [(f"子{i}", True), (f"丑{i}", True), (f"寅{i}", False), (f"卯{i}", False)],
            points=2,
        )  # fmt: skip
    add_question(b, "true_false", "客户身份须在开户前核实。", [("正确", True), ("错误", False)])
    return b


@pytest.fixture
def exam(bank):
    from exams.models import Exam

    return Exam.objects.create(
        title="反洗钱考试", bank=bank, question_count=6, time_limit_minutes=30, pass_mark=60, attempts_allowed=2
    )


def right_answers(attempt) -> dict:
    return {str(item["question"]): list(item["correct"]) for item in attempt.paper}


def wrong_answers(attempt) -> dict:
    return {
        str(item["question"]): [next(c for c in item["choices"] if c not in item["correct"])] for item in attempt.paper
    }


def form_data(answers: dict) -> dict:
    """Answers as the exam form posts them (field q<question id>)."""
    return {f"q{qid}": [str(c) for c in choices] for qid, choices in answers.items()}


@pytest.fixture
def enrolled(people, exam):
    """`employee` and `other_employee` are enrolled in an online course whose exam is `exam`."""
    from decimal import Decimal

    from training.models import Course, Enrollment

    course = Course.objects.create(code="AML-101", title="反洗钱基础", hours=Decimal("4"), mode="online", exam=exam)
    for role in ("employee", "other_employee"):
        Enrollment.objects.create(employee=people["employees"][role], course=course, source="hr")
    return course

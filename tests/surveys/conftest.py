import pytest


@pytest.fixture
def make_survey(db):
    """make_survey(anonymous=True, questions=[...]) -> an open survey (opened yesterday, closes
    in a week) with a rating, a choice, a multiple-choice and an optional free-text question."""
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import Survey, SurveyQuestion

    def make(*, questions=None, opens_at=None, closes_at=None, **fields):
        now = timezone.now()
        fields.setdefault("title", "2026 年度培训需求调查")
        fields.setdefault("kind", "needs")
        if fields.get("anonymous"):
            fields.setdefault("min_group_size", 5)
            fields.setdefault("kind", "engagement")
        opens_at = opens_at or now - timedelta(days=1)
        survey = Survey.objects.create(opens_at=opens_at, closes_at=closes_at or opens_at + timedelta(days=8), **fields)
        specs = (
            questions
            if questions is not None
            else [
                {"kind": "rating", "text": "课程内容对工作的帮助", "topic": "帮助"},
                {"kind": "choice", "text": "您更喜欢的培训方式", "options": ["线上自学", "课堂面授", "线上线下结合"]},
                {
                    "kind": "multiple",
                    "text": "您最想学习的主题",
                    "options": ["Python 数据分析", "信用风险建模", "沟通与演讲"],
                },
                {"kind": "text", "text": "其他建议", "required": False},
            ]
        )
        for i, spec in enumerate(specs, start=1):
            SurveyQuestion.objects.create(survey=survey, display_order=i, **spec)
        return survey

    return make


def good_answers(survey, **overrides):
    """A complete, valid set of answers to a survey made by make_survey."""
    answers = {}
    for q in survey.questions.all():
        if q.kind == "rating":
            answers[str(q.pk)] = 4
        elif q.kind == "choice":
            answers[str(q.pk)] = q.options[0]
        elif q.kind == "multiple":
            answers[str(q.pk)] = q.options[:2]
        else:
            answers[str(q.pk)] = "希望增加案例教学"
    answers.update(overrides)
    return answers

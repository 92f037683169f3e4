"""Engagement surveys on top of the survey engine: the standard question set and the service that
opens a round.

A round is an ordinary `surveys.Survey` of kind "engagement", always anonymous (answers are stored
with the department and the date only) and never showing a group of fewer than
`MIN_GROUP_SIZE` answers. Its questions come either from the standard set below (rating
questions 1–5 grouped by topic, plus one optional free-text question) or from an earlier round
(same questions, same topics, `round_of` set, so results can be compared between rounds). Every
write goes through `surveys.services` (survey_save, question_save, invite, invite_departments):
the engine keeps its own rules (closing after opening, an earlier round of the same kind opening
before, no invitation once closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from employees.choices import EmployeeStatus
from employees.models import Department, Employee
from surveys import services as survey_services
from surveys.models import QuestionKind, Survey, SurveyKind, SurveyQuestion
from surveys.results import ANONYMOUS_MIN_GROUP

MIN_GROUP_SIZE = ANONYMOUS_MIN_GROUP  # an engagement round never shows a group of fewer answers

# The four topics of the standard set, in the order of the results table. They are stored in
# SurveyQuestion.topic, which is how the engine and the results page compare rounds.
TEAM_ATMOSPHERE = "团队氛围"
MANAGEMENT_STYLE = "管理风格"
WORKLOAD = "工作负荷"
PAY_FAIRNESS = "薪酬公平"
TOPICS = (TEAM_ATMOSPHERE, MANAGEMENT_STYLE, WORKLOAD, PAY_FAIRNESS)


@dataclass(frozen=True)
class StandardQuestion:
    topic: str
    text: str
    kind: str = QuestionKind.RATING
    required: bool = True


STANDARD_QUESTIONS: tuple[StandardQuestion, ...] = (
    StandardQuestion(TEAM_ATMOSPHERE, "我在团队中感到被尊重和信任。"),
    StandardQuestion(TEAM_ATMOSPHERE, "团队成员之间乐于互相帮助、分享信息。"),
    StandardQuestion(TEAM_ATMOSPHERE, "遇到问题时，我可以坦诚地表达不同意见。"),
    StandardQuestion(MANAGEMENT_STYLE, "我的直接上级会就我的工作给出及时、具体的反馈。"),
    StandardQuestion(MANAGEMENT_STYLE, "上级在做决定前会听取团队成员的意见。"),
    StandardQuestion(MANAGEMENT_STYLE, "上级公平地分配工作任务和发展机会。"),
    StandardQuestion(WORKLOAD, "我的工作量在正常工作时间内基本可以完成。"),
    StandardQuestion(WORKLOAD, "我能够在工作与个人生活之间保持合理的平衡。"),
    StandardQuestion(PAY_FAIRNESS, "与承担相似工作的同事相比，我的薪酬是公平的。"),
    StandardQuestion(PAY_FAIRNESS, "我清楚自己的薪酬和奖金是如何确定的。"),
    StandardQuestion(PAY_FAIRNESS, "我的付出与所获得的回报相匹配。"),
    StandardQuestion("", "您对改善团队氛围和工作环境还有什么建议？（选填）", QuestionKind.TEXT, required=False),
)

STANDARD_DESCRIPTION = (
    "本调查为匿名调查：答案只记录所在部门和日期，不记录姓名；少于 5 人作答的部门不显示结果。"
    "评分题 1 分表示“非常不同意”，5 分表示“非常同意”。"
)


class EngagementRefused(ValidationError):
    """A round that cannot be opened as asked (the message says why)."""


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise EngagementRefused({field: [message] for field, message in errors.items()})


def _questions_of(previous: Survey | None) -> list[SurveyQuestion]:
    """Unsaved questions of the new round: the standard set, or a copy of the earlier round's."""
    if previous is None:
        return [
            SurveyQuestion(kind=q.kind, text=q.text, topic=q.topic, required=q.required, options=[])
            for q in STANDARD_QUESTIONS
        ]
    return [
        SurveyQuestion(kind=q.kind, text=q.text, topic=q.topic, required=q.required, options=list(q.options or []))
        for q in previous.questions.order_by("display_order", "pk")
    ]


@transaction.atomic
def engagement_round_create(
    *,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    actor,
    description: str = "",
    min_group_size: int = MIN_GROUP_SIZE,
    previous: Survey | None = None,
    departments: Sequence[Department] | Iterable[Department] = (),
    whole_company: bool = False,
) -> tuple[Survey, survey_services.InviteResult]:
    """Open an engagement round and invite its people, all through the survey services.

    The round is anonymous with a minimum group of at least five (a smaller minimum is refused,
    not silently raised). Its questions are the standard set, or those of `previous` (an earlier
    engagement round: same texts and topics, `round_of` = previous). Invited: everyone who has
    not left (`whole_company`), else everyone in `departments` and their sub-departments (at
    least one department). Refused with an EngagementRefused (fields: title, min_group_size,
    previous, departments) or the survey engine's ValidationError; nothing is kept then."""
    departments = list(departments)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the round a title, for example “2026 Q2 engagement survey”.")
    if min_group_size is None or min_group_size < MIN_GROUP_SIZE:
        errors["min_group_size"] = _(
            "An engagement round is anonymous: its smallest group shown must be at least %(n)s answers."
        ) % {"n": MIN_GROUP_SIZE}
    if previous is not None and previous.kind != SurveyKind.ENGAGEMENT:
        errors["previous"] = _("The earlier round must be an engagement survey.")
    if not whole_company and not departments:
        errors["departments"] = _("Choose at least one department, or invite the whole company.")
    _refuse(errors)
    if previous is not None and not previous.questions.exists():
        _refuse({"previous": _("The earlier round has no questions to copy; start from the standard set instead.")})

    survey = survey_services.survey_save(
        survey=Survey(
            title=title,
            kind=SurveyKind.ENGAGEMENT,
            description=(description or "").strip() or STANDARD_DESCRIPTION,
            anonymous=True,
            min_group_size=min_group_size,
            opens_at=opens_at,
            closes_at=closes_at,
            round_of=previous,
        ),
        actor=actor,
    )
    for order, question in enumerate(_questions_of(previous), start=1):
        question.survey = survey
        question.display_order = order
        survey_services.question_save(question=question)
    if whole_company:
        people = Employee.objects.exclude(status=EmployeeStatus.LEFT).only("pk", "status", "user_id")
        outcome = survey_services.invite(survey=survey, employees=people)
    else:
        outcome = survey_services.invite_departments(survey=survey, departments=departments)
    if not outcome.invited and not outcome.already:
        _refuse({"departments": _("Nobody who has not left works in the chosen departments: choose others.")})
    return survey, outcome

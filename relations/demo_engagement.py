"""Demo engagement surveys: two finished rounds of the demo company, the second the next round of
the first, with anonymous answers from most invited people.

* Round 1 (about half a year ago) and round 2 (a month ago, closed two weeks ago): the standard
  question set, the whole company invited, opened through relations.engagement and answered
  through surveys.services.respond (each response in the round's window).
* Scores differ by department and move between rounds (the technology department's workload
  improves, Shanghai sales feel pay is less fair), so the trend arrows and charts say something.
* The remote development team (远程研发团队) has only three answers in round 2: its row stays
  hidden ("fewer than 5 answers"); every other department with at least five people shows.
* The dependence signal needs no data of its own: offboarding.demo gives the Beijing sales team's
  key customers mostly to one account manager (a high-risk team), training.demo the certificates.

The rounds are created open (closing tomorrow) so the services accept the invitations and the
answers, then closed at their real time through surveys.services.survey_save; like the other
demos, the invitations' and notifications' timestamps are then set to the round's opening.
Idempotent: a second call adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from employees.choices import EmployeeStatus
from employees.models import Employee
from hrsuite.notifications.models import Notification
from surveys import services as survey_services
from surveys.models import QuestionKind, Survey, SurveyInvitation, SurveyKind

from .engagement import MANAGEMENT_STYLE, PAY_FAIRNESS, TEAM_ATMOSPHERE, WORKLOAD, engagement_round_create

ROUND_1 = "2026 年上半年员工敬业度调查"
ROUND_2 = "2026 年下半年员工敬业度调查"
HIDDEN_DEPARTMENT = "REMOTE"  # answers kept below the minimum in round 2
HIDDEN_ANSWERS = 3
MIN_SHOWN = 5

# mean rating per topic, company-wide
BASE = {TEAM_ATMOSPHERE: 3.9, MANAGEMENT_STYLE: 3.6, WORKLOAD: 3.1, PAY_FAIRNESS: 3.3}
# (department code, topic) -> shift of the mean in (round 1, round 2)
SHIFTS = {
    ("HQ-TECH", WORKLOAD): (-0.8, -0.1),
    ("HQ-TECH", TEAM_ATMOSPHERE): (0.1, 0.3),
    ("REMOTE", TEAM_ATMOSPHERE): (-0.5, -0.7),
    ("SH-SALES", PAY_FAIRNESS): (-0.3, -0.9),
    ("SH-SALES", WORKLOAD): (-0.4, -0.6),
    ("HQ-SALES", MANAGEMENT_STYLE): (-0.2, 0.4),
    ("HQ-RISK", MANAGEMENT_STYLE): (0.4, 0.5),
    ("HQ-OPS", WORKLOAD): (0.3, 0.0),
    ("HQ-HR", TEAM_ATMOSPHERE): (0.3, 0.4),
    ("HK", PAY_FAIRNESS): (0.5, 0.6),
    ("HQ-PROD", MANAGEMENT_STYLE): (0.0, -0.5),
}
# the whole company moves a little between rounds
ROUND_SHIFT = {
    TEAM_ATMOSPHERE: (0.0, 0.1),
    MANAGEMENT_STYLE: (0.0, 0.15),
    WORKLOAD: (0.0, 0.1),
    PAY_FAIRNESS: (0.0, -0.1),
}
COMMENTS = [
    "希望能减少不必要的会议，把时间留给真正的工作。",
    "团队氛围很好，遇到问题大家都愿意帮忙。",
    "加班比较多，希望项目排期更合理一些。",
    "希望公司公开薪酬调整的规则和时间。",
    "上级的反馈很及时，对我的成长帮助很大。",
    "跨部门协作流程太复杂，审批环节可以再简化。",
    "希望有更多培训和轮岗的机会。",
    "办公环境不错，但远程办公的沟通工具还需要改进。",
    "绩效评价标准希望更透明。",
    "年终奖发放时间希望能固定下来。",
]


def _aware(d: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _rating(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def _answers(survey: Survey, code: str, index: int, rng: random.Random) -> dict[str, object]:
    answers: dict[str, object] = {}
    for q in survey.questions.all():
        if q.kind == QuestionKind.RATING:
            mean = BASE.get(q.topic, 3.5) + SHIFTS.get((code, q.topic), (0.0, 0.0))[index]
            mean += ROUND_SHIFT.get(q.topic, (0.0, 0.0))[index]
            answers[str(q.pk)] = _rating(rng, mean)
        elif q.kind == QuestionKind.TEXT and rng.random() < 0.3:
            answers[str(q.pk)] = rng.choice(COMMENTS)
    return answers


def _respondents(survey: Survey, index: int, rng: random.Random) -> list[tuple[Employee, str]]:
    """Most invited people per department (at least five where there are five), except the
    hidden department in round 2 (three)."""
    by_department: dict[str, list[Employee]] = {}
    invited = (
        Employee.objects.filter(survey_invitations__survey=survey)
        .exclude(status=EmployeeStatus.LEFT)
        .select_related("department")
        .order_by("employee_no")
    )
    for e in invited:
        by_department.setdefault(e.department.code if e.department else "", []).append(e)
    chosen: list[tuple[Employee, str]] = []
    for code, people in sorted(by_department.items()):
        if code == HIDDEN_DEPARTMENT and index == 1:
            n = min(HIDDEN_ANSWERS, len(people))
        else:
            n = max(min(MIN_SHOWN, len(people)), round(len(people) * rng.uniform(0.72, 0.9)))
        chosen.extend((e, code) for e in rng.sample(people, n))
    return chosen


def _round(
    *, title: str, opens: date, closes: date, previous: Survey | None, index: int, hr, rng: random.Random
) -> Survey:
    opens_at, closes_at = _aware(opens, 9), _aware(closes, 18)
    survey, _outcome = engagement_round_create(
        title=title,
        opens_at=opens_at,
        closes_at=timezone.now() + timedelta(days=1),
        previous=previous,
        whole_company=True,
        actor=hr,
    )
    window = max((closes - opens).days, 1)
    for employee, code in _respondents(survey, index, rng):
        day = opens + timedelta(days=rng.randrange(window))
        survey_services.respond(
            survey=survey,
            employee=employee,
            answers=_answers(survey, code, index, rng),
            today=day,
            now=_aware(day, rng.randint(10, 17)),
        )
    survey.closes_at = closes_at
    survey_services.survey_save(survey=survey, actor=hr)
    # plausible past timestamps, as the other demos do: invited (and notified) when it opened
    SurveyInvitation.objects.filter(survey=survey).update(invited_at=opens_at)
    Notification.objects.filter(key=f"survey:{survey.pk}").update(
        created_at=opens_at,
        read_at=opens_at + timedelta(days=1),
        params={"title": survey.title, "closes": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")},
    )
    return survey


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    if Survey.objects.filter(kind=SurveyKind.ENGAGEMENT, title=ROUND_2).exists():
        return {"skipped": "engagement demo data exists"}
    hr = get_user_model().objects.filter(username="hr").first()
    if hr is None or not Employee.objects.exists():
        return {"skipped": "the demo company is missing (run employees.demo first)"}
    rng = random.Random(1414)  # noqa: S311  (demo data)
    today = timezone.localdate()
    first = Survey.objects.filter(kind=SurveyKind.ENGAGEMENT, title=ROUND_1).first()
    if first is None:
        first = _round(
            title=ROUND_1,
            opens=today - timedelta(days=180),
            closes=today - timedelta(days=166),
            previous=None,
            index=0,
            hr=hr,
            rng=rng,
        )
    second = _round(
        title=ROUND_2,
        opens=today - timedelta(days=30),
        closes=today - timedelta(days=16),
        previous=first,
        index=1,
        hr=hr,
        rng=rng,
    )
    return {
        "rounds": [first.pk, second.pk],
        "answers": [first.responses.count(), second.responses.count()],
    }

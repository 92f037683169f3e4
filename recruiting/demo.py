"""Demo recruiting data: requisitions in every status, four postings (two published with
weighted keywords such as 机器学习 / 金融风控 / Python, one closed, one draft), about 60
candidates with generated Chinese resumes (real DOCX files in private storage, scored by
recruiting.scoring) spread over every stage with histories over the last 90 days, an online
assessment with graded attempts, interviews (done with scorecards, and upcoming), offers (one
awaiting approval, one sent), three hires made through the real hire service with onboarding
checklists partly done, and rejections with reasons.

Runs after employees.demo (the demo logins hr / hrstaff / manager) and training.demo (the
required courses). Idempotent: a second call adds nothing.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from faker import Faker

from employees.models import Department, Employee, Grade, Position
from exams.models import Choice, Exam, ExamAttempt, Question, QuestionBank
from hrsuite.uploads import private_path

from .choices import (
    InterviewKind,
    InterviewStatus,
    PostingStatus,
    Recommendation,
    RequisitionStatus,
    Source,
    Stage,
    TaskOwner,
)
from .models import (
    Application,
    AssessmentInvite,
    Candidate,
    Interview,
    JobPosting,
    OnboardingTask,
    PostingKeyword,
    Requisition,
    Scorecard,
    StageChange,
)
from .scorecards import CRITERIA_KEYS
from .scoring import Keyword, Screener

MARKER = "风控算法工程师（机器学习）"
EMAIL_DOMAIN = "candidates.demo.hrsuite.cn"
D = Decimal

POSTINGS = {
    # key: (title, location, description, requirements, keywords [(term, weight, must)])
    "ml": (
        MARKER,
        "北京",
        "负责信用风险评分卡、反欺诈模型的设计、开发与上线，与风控业务团队一起迭代策略。",
        "计算机、统计或数学相关专业本科及以上；3 年以上机器学习建模经验；熟悉 Python；有金融风控经验优先。",
        [
            ("机器学习", 5, True),
            ("金融风控", 3, False),
            ("Python", 2, False),
            ("信用评分", 2, False),
            ("特征工程", 1, False),
        ],
    ),
    "risk": (
        "信贷风险分析师",
        "上海",
        "负责零售信贷资产的风险监测、贷后分析与策略评估，输出风险报告。",
        "金融、统计相关专业；熟练使用 SQL；了解信贷业务流程；有 Python 或 SAS 经验优先。",
        [("金融风控", 5, True), ("SQL", 3, False), ("信贷", 2, False), ("Python", 2, False)],
    ),
    "data": (
        "数据工程师（Python）",
        "北京",
        "建设风控数据平台与特征仓库，保障数据质量与时效。",
        "熟悉 Python 与 Spark；有数据仓库建设经验。",
        [("Python", 5, True), ("Spark", 3, False), ("数据仓库", 2, False)],
    ),
    "campus": (
        "算法工程师（2027 届校园招聘）",
        "北京",
        "面向 2027 届毕业生，参与机器学习模型在风控场景的研发。",
        "硕士及以上学历，机器学习、统计相关方向。",
        [("机器学习", 5, True), ("Python", 3, False)],
    ),
}

SKILL_LINES = {
    "ml": ["机器学习", "金融风控", "Python", "信用评分", "特征工程", "XGBoost", "深度学习"],
    "risk": ["金融风控", "SQL", "信贷", "Python", "贷后管理", "SAS", "Excel"],
    "data": ["Python", "Spark", "数据仓库", "Hive", "Kafka", "Airflow"],
}
COMPANIES = [
    "招商银行信用卡中心",
    "蚂蚁集团",
    "平安普惠",
    "京东科技",
    "度小满金融",
    "微众银行",
    "中信银行",
    "美团金融",
    "字节跳动",
    "网易",
]
SCHOOLS = [
    "清华大学",
    "北京大学",
    "复旦大学",
    "上海交通大学",
    "浙江大学",
    "中国人民大学",
    "上海财经大学",
    "南开大学",
    "武汉大学",
]
MAJORS = ["计算机科学与技术", "统计学", "金融工程", "数学与应用数学", "软件工程", "金融学"]
REJECTIONS = {
    Stage.APPLIED: ["简历与岗位要求不符", "缺少必备的机器学习经验"],
    Stage.SCREENING: ["工作年限不足", "期望薪资超出预算范围"],
    Stage.ASSESSMENT: ["笔试成绩未达到要求"],
    Stage.INTERVIEW: ["技术面试表现一般，项目深度不足", "沟通表达能力与岗位要求有差距", "候选人已接受其他机会"],
}
SOURCES = [
    (Source.CAREERS, 0.4),
    (Source.JOB_BOARD, 0.25),
    (Source.REFERRAL, 0.15),
    (Source.CAMPUS, 0.1),
    (Source.AGENCY, 0.1),
]
ASSESSMENT_QUESTIONS = [
    ("single", "逻辑回归模型输出的是：", ["事件发生的概率", "类别标签的排序", "残差平方和", "样本的聚类中心"], [0]),
    ("single", "评估二分类模型区分能力常用的指标是：", ["AUC / KS", "MAPE", "R²", "轮廓系数"], [0]),
    ("true_false", "训练集上表现越好，模型上线后的效果一定越好。", ["正确", "错误"], [1]),
    ("multiple", "以下哪些方法可以缓解过拟合？", ["正则化", "增加训练数据", "减少特征", "增加树的深度"], [0, 1, 2]),
    ("single", "信用评分卡中，WOE 编码主要用于：", ["对变量分箱后进行转换", "填补缺失值", "数据脱敏", "样本加权"], [0]),
    ("true_false", "PSI 用于监测模型分数分布的稳定性。", ["正确", "错误"], [0]),
    ("single", "SQL 中用于分组汇总的关键字是：", ["GROUP BY", "ORDER BY", "HAVING ONLY", "DISTINCT ON"], [0]),
]


@dataclass
class Plan:
    posting: str
    final: str  # the stage it ends at
    path: list[str]  # stages moved into after "applied"
    applied_days_ago: int
    source: str
    offer: str = ""  # "draft", "approved" or "hire"


def _aware(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def _docx(lines: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(lines[0], level=1)
    for line in lines[1:]:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _resume(rng: random.Random, name: str, posting: str, strong: bool) -> list[str]:
    family = {"campus": "ml"}.get(posting, posting)
    skills = SKILL_LINES[family]
    picked = skills[:3] + rng.sample(skills[3:], 2) if strong else rng.sample(skills[2:], 3)
    years = rng.randint(3, 9) if strong else rng.randint(1, 4)
    school = rng.choice(SCHOOLS)
    degree = rng.choice(["硕士", "本科", "硕士", "博士"] if strong else ["本科", "本科", "硕士"])
    lines = [
        f"{name} 个人简历",
        f"教育背景：{school} {rng.choice(MAJORS)} {degree}",
        f"工作经历：{years} 年，曾任职于 {rng.choice(COMPANIES)}、{rng.choice(COMPANIES)}。",
        f"专业技能：{'、'.join(picked)}。",
    ]
    if strong and family == "ml":
        lines.append("项目经验：主导信用评分卡与反欺诈模型开发，使用 Python 完成特征工程与模型上线，坏账率下降 12%。")
    elif family == "risk":
        lines.append("项目经验：负责信贷资产贷后监测，搭建 SQL 报表体系，参与金融风控策略优化。")
    elif family == "data":
        lines.append("项目经验：基于 Spark 建设数据仓库与特征平台，日处理数据 20 亿条。")
    else:
        lines.append("项目经验：参与营销活动数据分析与用户画像项目。")
    lines.append(f"自我评价：{rng.choice(['责任心强，善于沟通', '学习能力强，注重细节', '结果导向，抗压能力强'])}。")
    return lines


def _plans(rng: random.Random) -> list[Plan]:
    """The candidates' journeys: who ends where, by posting."""
    plans: list[Plan] = []

    def source() -> str:
        return rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0]

    def add(posting, final, path, days_range, offer="", n=1):
        for _ in range(n):
            plans.append(Plan(posting, final, list(path), rng.randint(*days_range), source(), offer))

    # the machine-learning posting (assessment used)
    add("ml", Stage.APPLIED, [], (1, 12), n=6)
    add("ml", Stage.SCREENING, ["screening"], (5, 20), n=5)
    add("ml", Stage.ASSESSMENT, ["screening", "assessment"], (8, 25), n=4)
    add("ml", Stage.INTERVIEW, ["screening", "assessment", "interview"], (15, 40), n=4)
    add("ml", Stage.OFFER, ["screening", "assessment", "interview", "offer"], (25, 50), offer="draft")
    add("ml", Stage.OFFER, ["screening", "assessment", "interview", "offer"], (30, 55), offer="approved")
    add("ml", Stage.HIRED, ["screening", "assessment", "interview", "offer", "hired"], (78, 85), offer="hire")
    add("ml", Stage.HIRED, ["screening", "assessment", "interview", "offer", "hired"], (50, 58), offer="hire")
    add("ml", Stage.REJECTED, ["rejected"], (10, 80), n=4)
    add("ml", Stage.REJECTED, ["screening", "rejected"], (15, 80), n=2)
    add("ml", Stage.REJECTED, ["screening", "assessment", "rejected"], (20, 80), n=2)
    add("ml", Stage.REJECTED, ["screening", "assessment", "interview", "rejected"], (30, 85), n=2)
    # the credit-risk posting (no assessment)
    add("risk", Stage.APPLIED, [], (1, 10), n=5)
    add("risk", Stage.SCREENING, ["screening"], (5, 20), n=4)
    add("risk", Stage.INTERVIEW, ["screening", "interview"], (12, 35), n=3)
    add("risk", Stage.REJECTED, ["rejected"], (10, 70), n=4)
    add("risk", Stage.REJECTED, ["screening", "rejected"], (15, 70), n=2)
    add("risk", Stage.REJECTED, ["screening", "interview", "rejected"], (20, 75), n=2)
    # the closed data-engineering posting: filled
    add("data", Stage.HIRED, ["screening", "interview", "offer", "hired"], (68, 75), offer="hire")
    add("data", Stage.REJECTED, ["rejected"], (70, 88), n=4)
    add("data", Stage.REJECTED, ["screening", "interview", "rejected"], (70, 88), n=2)
    return plans


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    if JobPosting.objects.filter(title=MARKER).exists():
        return {"skipped": "recruiting demo data exists"}
    User = get_user_model()
    hr = User.objects.filter(username="hr").first()
    hrstaff = User.objects.filter(username="hrstaff").first()
    manager_user = User.objects.filter(username="manager").first()
    if not (hr and hrstaff and manager_user):
        return {"skipped": "the employees demo (hr, hrstaff, manager logins) is missing"}
    manager = Employee.objects.get(user=manager_user)
    rng = random.Random(20260301)  # noqa: S311  (demo data)
    fake = Faker("zh_CN")
    fake.seed_instance(20260301)
    today = timezone.localdate()

    departments = {d.code: d for d in Department.objects.all()}
    positions = {p.code: p for p in Position.objects.all()}
    tech = departments.get("HQ-TECH") or manager.department
    risk_dept = departments.get("HQ-RISK") or tech
    risk_lead = (
        Employee.objects.filter(department=risk_dept).exclude(status="left").order_by("employee_no").first() or manager
    )

    def position(code, fallback_title):
        return (
            positions.get(code)
            or Position.objects.get_or_create(
                code=code, defaults={"title": fallback_title, "role_family": "technology", "department": tech}
            )[0]
        )

    def requisition(pos, dept, headcount, bmin, bmax, hm, by, status, reason, note="", days_ago=95):
        r = Requisition.objects.create(
            position=pos, department=dept, headcount=headcount, reason=reason, budget_min=D(bmin), budget_max=D(bmax),
            hiring_manager=hm, requested_by=by, status=status, decision_note=note,
            decided_by=hr if status != RequisitionStatus.SUBMITTED else None,
            decided_at=timezone.now() - timedelta(days=days_ago - 2) if status != RequisitionStatus.SUBMITTED else None,
        )  # fmt: skip
        Requisition.objects.filter(pk=r.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        return r

    reqs = {
        "ml": requisition(position("TECH-ML", "算法工程师"), tech, 3, "30000", "45000", manager, manager_user,
                          RequisitionStatus.APPROVED, "信用卡与消费贷业务扩张，需要加强风控模型团队。"),
        "risk": requisition(position("RISK-ANALYST", "风险分析师"), risk_dept, 2, "18000", "28000", risk_lead, hr,
                            RequisitionStatus.APPROVED, "上海零售信贷资产规模增长，贷后监测人手不足。"),
        "data": requisition(position("TECH-DATA", "数据工程师"), tech, 1, "25000", "38000", manager, manager_user,
                            RequisitionStatus.APPROVED, "风控数据平台建设需要一名数据工程师。"),
        "pm": requisition(position("PROD-PM", "产品经理"), departments.get("HQ-PROD") or tech, 1, "25000", "35000",
                          manager, manager_user, RequisitionStatus.SUBMITTED, "财富管理 App 改版，需要一名产品经理。", days_ago=3),
        "sales": requisition(position("SALES-AM", "客户经理"), departments.get("HQ-SALES") or tech, 4, "12000", "20000",
                             manager, hr, RequisitionStatus.REJECTED, "拓展高净值客户。",
                             note="本年度销售编制已满，请在下一预算周期重新申请。", days_ago=40),
    }  # fmt: skip

    # the assessment: a small question bank and exam
    bank = QuestionBank.objects.create(name="招聘笔试：风控建模", description="机器学习与风控基础")
    for kind, text, options, correct in ASSESSMENT_QUESTIONS:
        q = Question.objects.create(bank=bank, kind=kind, text=text, points=2 if kind == "multiple" else 1)
        for i, option in enumerate(options):
            Choice.objects.create(question=q, text=option, is_correct=i in correct, display_order=i)
    exam = Exam.objects.create(
        title="风控算法岗笔试", bank=bank, question_count=5, time_limit_minutes=30, pass_mark=60, attempts_allowed=1
    )
    questions = list(bank.questions.prefetch_related("choices"))

    postings = {}
    for key, req_key, status, days_ago in [
        ("ml", "ml", PostingStatus.PUBLISHED, 90),
        ("risk", "risk", PostingStatus.PUBLISHED, 75),
        ("data", "data", PostingStatus.PUBLISHED, 92),  # closed by the hire that fills it
        ("campus", "ml", PostingStatus.DRAFT, 2),
    ]:
        title, location, description, requirements, keywords = POSTINGS[key]
        p = JobPosting.objects.create(
            requisition=reqs[req_key], title=title, location=location, description=description,
            requirements=requirements, status=status, created_by=hrstaff, assessment=exam if key == "ml" else None,
            published_at=timezone.now() - timedelta(days=days_ago) if status == PostingStatus.PUBLISHED else None,
            closes_on=today + timedelta(days=45) if key != "data" else None,
        )  # fmt: skip
        for term, weight, must in keywords:
            PostingKeyword.objects.create(posting=p, term=term, weight=weight, must_have=must)
        postings[key] = p
    screeners = {
        k: Screener(Keyword(kw.term, kw.weight, kw.must_have) for kw in p.keywords.all()) for k, p in postings.items()
    }

    interviewers = [manager, *Employee.objects.filter(department=tech).exclude(pk=manager.pk).exclude(user=None)[:1]]
    interviewers += list(
        Employee.objects.filter(department=tech, user=None).exclude(status="left").order_by("employee_no")[:2]
    )
    hires: list[tuple[Application, Plan]] = []
    offers: list[tuple[Application, Plan]] = []
    made = 0
    for n, plan in enumerate(_plans(rng), start=1):
        gender_female = rng.random() < 0.45
        name = fake.name_female() if gender_female else fake.name_male()
        strong = plan.final in (Stage.INTERVIEW, Stage.OFFER, Stage.HIRED) or (
            plan.final != Stage.APPLIED and rng.random() < 0.6
        )
        text_lines = _resume(rng, name, plan.posting, strong)
        text = "\n".join(text_lines)
        result = screeners[plan.posting].score(text)
        data = _docx(text_lines)
        candidate = Candidate.objects.create(
            name=name, email=f"c{n:03d}@{EMAIL_DOMAIN}", phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        )
        applied_at = _aware(today - timedelta(days=plan.applied_days_ago), rng.randint(8, 22))
        final_stage = Stage.OFFER if plan.offer == "hire" else plan.final
        app = Application(
            posting=postings[plan.posting], candidate=candidate, stage=final_stage, source=plan.source,
            resume_name=f"{name}-简历.docx", resume_sha256=hashlib.sha256(data).hexdigest(), resume_text=text,
            consent_at=applied_at, score=result.score, matched_terms=result.matched,
            missing_must_haves=result.missing_must_haves,
            rejection_reason=rng.choice(REJECTIONS.get(plan.path[-2] if len(plan.path) > 1 else Stage.APPLIED, ["不合适"]))
            if plan.final == Stage.REJECTED else "",
        )  # fmt: skip
        app.resume.save(private_path("resumes", "docx"), ContentFile(data), save=False)
        app.save()
        made += 1
        # the history, spread from the application to (at most) yesterday
        path = [s for s in plan.path if not (plan.offer == "hire" and s == Stage.HIRED)]
        span = max(plan.applied_days_ago - 3, 1) if plan.offer != "hire" else min(plan.applied_days_ago - 10, 35)
        steps = [applied_at]
        for i in range(len(path)):
            steps.append(applied_at + timedelta(days=span * (i + 1) / (len(path) + 1), hours=rng.randint(0, 6)))
        previous = ""
        for to, at in zip([Stage.APPLIED, *path], steps, strict=True):
            note = app.rejection_reason if to == Stage.REJECTED else ""
            sc = StageChange.objects.create(
                application=app, from_stage=previous, to_stage=to, actor=None if to == Stage.APPLIED else hrstaff,
                note=note,
            )  # fmt: skip
            StageChange.objects.filter(pk=sc.pk).update(at=at)
            previous = to
        Application.objects.filter(pk=app.pk).update(applied_at=applied_at, stage_changed_at=steps[-1])
        stage_at = dict(zip([Stage.APPLIED, *path], steps, strict=True))
        if Stage.ASSESSMENT in stage_at and postings[plan.posting].assessment_id:
            _assessment(app, exam, questions, stage_at, plan, rng, hrstaff)
        if Stage.INTERVIEW in stage_at:
            _interviews(app, stage_at, plan, rng, hrstaff, interviewers, today)
        if plan.offer == "hire":
            hires.append((app, plan))
        elif plan.offer:
            offers.append((app, plan))

    for app, plan in offers:
        _offer(app, plan, hr, hrstaff, today)
    hired = [_hire(app, plan, hr, hrstaff, today, rng) for app, plan in hires]
    return {"requisitions": len(reqs), "postings": len(postings), "applications": made, "hires": len(hired)}


def _assessment(app, exam, questions, stage_at, plan, rng, actor) -> None:
    sent = stage_at[Stage.ASSESSMENT]
    still_there = plan.final == Stage.ASSESSMENT
    if still_there and rng.random() < 0.4:  # invited, not taken yet
        AssessmentInvite.objects.create(
            application=app, exam=exam, token_hash=hashlib.sha256(f"demo-{app.pk}".encode()).hexdigest(),
            expires_at=sent + timedelta(days=7), created_by=actor,
        )  # fmt: skip
        return
    failed = plan.final == Stage.REJECTED and plan.path[-2] == Stage.ASSESSMENT
    score = D(rng.randint(30, 55) if failed else rng.randint(62, 98))
    started = sent + timedelta(days=1, hours=rng.randint(1, 8))
    picked = rng.sample(questions, exam.question_count)
    attempt = ExamAttempt.objects.create(
        exam=exam, taker_label=app.candidate.name, number=1, status="submitted", started_at=started,
        deadline=started + timedelta(minutes=exam.time_limit_minutes),
        submitted_at=started + timedelta(minutes=rng.randint(12, 28)),
        paper=[{"question": q.pk, "choices": [c.pk for c in q.choices.all()]} for q in picked],
        points=score / 100 * 6, max_points=D("6"), score=score, passed=score >= exam.pass_mark,
    )  # fmt: skip
    AssessmentInvite.objects.create(
        application=app, exam=exam, token_hash=hashlib.sha256(f"demo-{app.pk}".encode()).hexdigest(),
        expires_at=sent + timedelta(days=7), started_at=started, used_at=attempt.submitted_at, attempt=attempt,
        created_by=actor,
    )  # fmt: skip
    Application.objects.filter(pk=app.pk).update(assessment_score=score)


def _interviews(app, stage_at, plan, rng, actor, interviewers, today) -> None:
    at_interview = plan.final == Stage.INTERVIEW
    start = stage_at[Stage.INTERVIEW] + timedelta(days=2)
    rounds = [(InterviewKind.VIDEO, start)]
    if plan.final != Stage.INTERVIEW or rng.random() < 0.5:
        rounds.append((InterviewKind.ONSITE, start + timedelta(days=4)))
    for i, (kind, when) in enumerate(rounds):
        when = timezone.make_aware(datetime.combine(when.date(), time(10 + 4 * (i % 2))))
        upcoming = at_interview and i == len(rounds) - 1
        if upcoming:
            when = timezone.make_aware(datetime.combine(today + timedelta(days=rng.randint(1, 6)), time(14)))
        interview = Interview.objects.create(
            application=app, kind=kind, starts_at=when, duration_minutes=60 if kind == InterviewKind.ONSITE else 45,
            location="北京总部 5 楼 3 号会议室" if kind == InterviewKind.ONSITE else "腾讯会议 123-456-789",
            status=InterviewStatus.SCHEDULED if upcoming else InterviewStatus.DONE, scheduled_by=actor,
        )  # fmt: skip
        panel = interviewers[: 2 if kind == InterviewKind.ONSITE else 1] or interviewers
        interview.interviewers.set(panel)
        if upcoming:
            continue
        rejected_here = plan.final == Stage.REJECTED and plan.path[-2] == Stage.INTERVIEW
        for person in panel:
            base = 2 if rejected_here else 4
            ratings = {k: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for k in CRITERIA_KEYS}
            avg = sum(ratings.values()) / len(ratings)
            rec = (
                Recommendation.STRONG_YES
                if avg >= 4.4
                else Recommendation.YES
                if avg >= 3.2
                else Recommendation.NO
                if avg >= 2.2
                else Recommendation.STRONG_NO
            )
            comment = "项目经验扎实，对风控模型理解深入。" if avg >= 3.2 else "基础知识不够扎实，项目参与度有限。"
            sc = Scorecard.objects.create(
                interview=interview, interviewer=person, ratings=ratings, recommendation=rec, comments=comment
            )
            Scorecard.objects.filter(pk=sc.pk).update(submitted_at=when + timedelta(hours=2))


def _offer_terms(app, start: date, respond_by: date) -> dict:
    req = app.posting.requisition
    grade = Grade.objects.filter(code="P6").first()
    salary = ((req.budget_min + req.budget_max) / 2).quantize(D("1000"))
    return {
        "position": req.position,
        "grade": grade,
        "monthly_salary": salary,
        "start_date": start,
        "probation_months": 3,
        "respond_by": respond_by,
    }


def _offer(app, plan, hr, hrstaff, today):
    from .services_offers import offer_approve, offer_create

    app.refresh_from_db()
    offer = offer_create(
        application=app, actor=hrstaff, **_offer_terms(app, today + timedelta(days=30), today + timedelta(days=7))
    )
    if plan.offer == "approved":
        offer_approve(offer=offer, actor=hr)
    return offer


def _hire(app, plan, hr, hrstaff, today, rng):
    """An offer made, approved and accepted some days ago, then the real hire service; the
    history is dated back and part of the onboarding checklist is done."""
    from training.models import Enrollment
    from training.services import enrollment_complete

    from .services_offers import offer_approve, offer_create, offer_record_answer
    from .services_onboarding import hire

    app.refresh_from_db()
    offer_day = app.stage_changed_at.date()
    hired_on = min(offer_day + timedelta(days=rng.randint(5, 9)), today - timedelta(days=1))
    start = hired_on + timedelta(days=14)
    offer = offer_create(
        application=app,
        actor=hrstaff,
        today=offer_day,
        **_offer_terms(app, start, min(offer_day + timedelta(days=5), start)),
    )
    offer_approve(offer=offer, actor=hr)
    offer_record_answer(offer=offer, accepted=True, actor=hrstaff)
    employee = hire(application=app, actor=hrstaff, today=offer_day)
    # date the story back
    hired_at = _aware(hired_on, 16)
    type(offer).objects.filter(pk=offer.pk).update(
        created_at=_aware(offer_day, 11), approved_at=_aware(offer_day, 15), responded_at=_aware(offer_day, 17) + timedelta(days=2)
    )  # fmt: skip
    StageChange.objects.filter(application=app, at__date=timezone.localdate(), to_stage=Stage.OFFER).update(
        at=_aware(offer_day, 15)
    )
    StageChange.objects.filter(application=app, to_stage=Stage.HIRED).update(at=hired_at)
    Application.objects.filter(pk=app.pk).update(stage_changed_at=hired_at)
    # onboarding: the further the start date lies behind, the more is done
    elapsed = (today - start).days
    for task in OnboardingTask.objects.filter(employee=employee).exclude(kind="training"):
        if task.due_on <= today or (task.owner == TaskOwner.HR and rng.random() < 0.5):
            by = hrstaff if task.owner == TaskOwner.HR else employee.user if task.owner == TaskOwner.EMPLOYEE else None
            if task.owner == TaskOwner.MANAGER:
                by = employee.manager.user if employee.manager and employee.manager.user_id else hrstaff
            OnboardingTask.objects.filter(pk=task.pk).update(done_at=_aware(min(task.due_on, today), 17), done_by=by)
    if elapsed > 7:
        first = Enrollment.objects.filter(employee=employee, status="enrolled").order_by("course__code").first()
        if first is not None:
            enrollment_complete(enrollment=first, when=_aware(start + timedelta(days=5), 15))
    return employee

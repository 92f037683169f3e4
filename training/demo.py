"""Demo training data: courses with sessions and materials, requirements, enrolments with
completions over the past year, an AML exam with a question bank and attempts, a needs survey
and a course feedback survey with answers, certificate types and employees' certificates (some
expiring soon, some expired, some missing), compliance incidents. Idempotent."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from employees.choices import RoleFamily
from employees.models import Department, Employee, Position
from exams.models import Choice, Exam, ExamAttempt, Question, QuestionBank
from surveys.models import Survey, SurveyInvitation, SurveyQuestion, SurveyResponse

from .choices import EnrollmentSource, EnrollmentStatus
from .models import (
    CertificateRequirement,
    CertificateType,
    ComplianceIncident,
    Course,
    CourseRequirement,
    CourseSession,
    EmployeeCertificate,
    Enrollment,
    TrainingSettings,
)

D = Decimal

COURSES = [
    # code, title, mode, hours, category, self_enrol
    ("AML-101", "反洗钱基础培训", "online", "4", "合规", True),
    ("SEC-101", "信息安全意识培训", "online", "2", "合规", True),
    ("ONB-001", "新员工入职培训", "offline", "8", "通用", False),
    ("COMP-ANN", "合规管理年度培训", "offline", "6", "合规", False),
    ("FUND-PREP", "基金从业资格考前辅导", "blended", "16", "资格", True),
    ("SEC-CPD", "证券从业人员后续职业培训", "online", "15", "资格", True),
    ("RISK-ML", "机器学习在信用风险中的应用", "blended", "12", "专业", True),
    ("LEAD-101", "新任经理领导力", "offline", "12", "管理", False),
]

AML_QUESTIONS = [
    (
        "single",
        "金融机构应当在什么期限内保存客户身份资料？",
        ["业务关系结束后至少5年", "业务关系结束后至少1年", "永久保存", "交易结束当天"],
        [0],
    ),
    (
        "single",
        "大额现金交易报告的人民币金额标准是单笔或当日累计：",
        ["5万元以上", "1万元以上", "20万元以上", "100万元以上"],
        [0],
    ),
    ("true_false", "发现可疑交易时，可以提前告知客户以便其补充材料。", ["正确", "错误"], [1]),
    (
        "multiple",
        "以下哪些属于可疑交易的特征？",
        ["短期内资金分散转入集中转出", "与客户身份明显不符的大额交易", "按月发放工资", "频繁使用现金且无合理理由"],
        [0, 1, 3],
    ),
    ("single", "反洗钱工作的核心制度之一是：", ["客户身份识别制度", "绩效考核制度", "考勤制度", "报销制度"], [0]),
    ("true_false", "受益所有人识别是客户身份识别的一部分。", ["正确", "错误"], [0]),
    (
        "multiple",
        "以下哪些人员属于“政治公众人物”范畴的识别对象？",
        ["外国政要", "国际组织高级管理人员", "其亲属和密切关系人", "普通退休职工"],
        [0, 1, 2],
    ),
    ("single", "对于高风险客户，机构应当采取：", ["强化的尽职调查", "简化的尽职调查", "不做调查", "只看身份证"], [0]),
    ("true_false", "反洗钱培训只需要合规部门人员参加。", ["正确", "错误"], [1]),
    (
        "single",
        "可疑交易报告应当提交给：",
        ["中国反洗钱监测分析中心", "当地派出所", "客户所在单位", "会计师事务所"],
        [0],
    ),
    ("multiple", "洗钱的典型阶段包括：", ["处置", "离析", "融合", "审计"], [0, 1, 2]),
    ("true_false", "员工发现同事协助客户规避监测，应当按内部程序报告。", ["正确", "错误"], [0]),
]

CERTIFICATES = [
    # code, name, issuer, validity months, refresher course, families
    ("FUND", "基金从业资格", "中国证券投资基金业协会", 24, "FUND-PREP", [RoleFamily.SALES]),
    ("SECP", "证券从业资格", "中国证券业协会", 36, "SEC-CPD", [RoleFamily.SALES, RoleFamily.RISK_CONTROL]),
    (
        "AML",
        "反洗钱岗位培训合格证",
        "公司合规部",
        12,
        "AML-101",
        [RoleFamily.SALES, RoleFamily.COMPLIANCE, RoleFamily.RISK_CONTROL],
    ),
    ("CPA", "注册会计师", "中国注册会计师协会", None, None, []),
]


def _aware(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


@transaction.atomic
def seed(*, employees: int = 200) -> dict:
    if Course.objects.filter(code="AML-101").exists():
        return {"skipped": "training demo data exists"}
    rng = random.Random(7007)  # noqa: S311  (demo data)
    today = timezone.localdate()
    TrainingSettings.current()
    courses = {}
    for code, title, mode, hours, category, self_enrol in COURSES:
        courses[code] = Course.objects.create(
            code=code, title=title, mode=mode, hours=D(hours), category=category, self_enrol=self_enrol
        )

    # exam for the AML course
    bank = QuestionBank.objects.create(name="反洗钱题库", description="《反洗钱法》与公司反洗钱制度")
    for kind, text, options, correct in AML_QUESTIONS:
        q = Question.objects.create(bank=bank, kind=kind, text=text, points=2 if kind == "multiple" else 1)
        for i, option in enumerate(options):
            Choice.objects.create(question=q, text=option, is_correct=i in correct, display_order=i)
    exam = Exam.objects.create(
        title="反洗钱基础考试", bank=bank, question_count=10, time_limit_minutes=20, pass_mark=70, attempts_allowed=2
    )
    courses["AML-101"].exam = exam
    courses["AML-101"].save(update_fields=["exam"])

    # sessions for the classroom courses
    for code, place, trainer in [
        ("ONB-001", "北京总部 3 楼培训室", "周静"),
        ("COMP-ANN", "北京总部大会议室", "合规部 赵敏"),
        ("LEAD-101", "上海办公室 12 楼", "外部讲师 陈老师"),
    ]:
        for offset in (-60, 12, 40):
            start = _aware(today + timedelta(days=offset), 9)
            CourseSession.objects.create(
                course=courses[code],
                starts_at=start,
                ends_at=start + timedelta(hours=int(courses[code].hours)),
                place=place,
                trainer=trainer,
                capacity=40,
            )

    # requirements
    hq_sales = Department.objects.filter(code__in=["HQ-SALES", "SH-SALES", "HK"])
    for dept in hq_sales:
        CourseRequirement.objects.create(course=courses["AML-101"], department=dept, due_days_after_hire=30)
    for dept in Department.objects.filter(code__in=["HQ-COMP", "HQ-RISK"]):
        CourseRequirement.objects.create(course=courses["COMP-ANN"], department=dept, due_date=date(today.year, 12, 31))
    root = Department.objects.filter(code="HQ").first()
    if root:
        CourseRequirement.objects.create(course=courses["SEC-101"], department=root, due_days_after_hire=14)
        CourseRequirement.objects.create(course=courses["ONB-001"], department=root, due_days_after_hire=30)

    people = list(Employee.objects.exclude(status="left").select_related("position", "department", "user"))
    rows = []
    for e in people:
        family = e.position.role_family if e.position else None
        plan = [("SEC-101", 0.92), ("ONB-001", 0.95)]
        if family in (RoleFamily.SALES,):
            plan += [("AML-101", 0.85), ("FUND-PREP", 0.4)]
        if family in (RoleFamily.COMPLIANCE, RoleFamily.RISK_CONTROL):
            plan += [("AML-101", 0.9), ("COMP-ANN", 0.6)]
        if family == RoleFamily.TECHNOLOGY and rng.random() < 0.3:
            plan += [("RISK-ML", 0.5)]
        if e.department and e.department.code == "SH-SALES":
            plan = [(c, 1.0) for c, _p in plan]  # the branch completes everything (see the incidents)
        for code, p_done in plan:
            done = rng.random() < p_done
            when = today - timedelta(days=rng.randint(5, 330))
            rows.append(
                Enrollment(
                    employee=e,
                    course=courses[code],
                    source=EnrollmentSource.REQUIREMENT
                    if code in ("SEC-101", "ONB-001", "AML-101", "COMP-ANN")
                    else EnrollmentSource.SELF,
                    status=EnrollmentStatus.COMPLETED if done else EnrollmentStatus.ENROLLED,
                    completed_at=_aware(when) if done else None,
                    hours=courses[code].hours if done else D("0"),
                    attended=done,
                    due_date=when + timedelta(days=30) if not done else None,
                )
            )
    Enrollment.objects.bulk_create(rows, batch_size=2000)

    # exam attempts for the AML course enrolments
    questions = list(bank.questions.prefetch_related("choices"))
    for enrollment in Enrollment.objects.filter(course=courses["AML-101"]).select_related("employee"):
        tries = 1 if enrollment.status == EnrollmentStatus.COMPLETED and rng.random() < 0.8 else 2
        for n in range(1, tries + 1):
            passed = enrollment.status == EnrollmentStatus.COMPLETED and n == tries
            score = D(rng.randint(72, 100) if passed else rng.randint(40, 68))
            start = _aware(
                (enrollment.completed_at.date() if enrollment.completed_at else today) - timedelta(days=tries - n), 14
            )
            picked = rng.sample(questions, 10)
            ExamAttempt.objects.create(
                exam=exam, employee=enrollment.employee, number=n, status="submitted", started_at=start,
                deadline=start + timedelta(minutes=20), submitted_at=start + timedelta(minutes=rng.randint(8, 19)),
                paper=[{"question": q.pk, "choices": [c.pk for c in q.choices.all()]} for q in picked],
                points=score / 100 * 12, max_points=D("12"), score=score, passed=passed,
            )  # fmt: skip

    # certificates
    positions_by_family: dict = {}
    for p in Position.objects.all():
        positions_by_family.setdefault(p.role_family, []).append(p)
    types = {}
    for code, name, issuer, months, refresher, families in CERTIFICATES:
        t = CertificateType.objects.create(
            code=code,
            name=name,
            issuer=issuer,
            validity_months=months,
            refresher_course=courses.get(refresher) if refresher else None,
        )
        types[code] = t
        for family in families:
            for position in positions_by_family.get(family, []):
                CertificateRequirement.objects.create(position=position, certificate_type=t, grace_days=90)
    required = {}
    for req in CertificateRequirement.objects.select_related("certificate_type"):
        required.setdefault(req.position_id, []).append(req.certificate_type)
    certs = []
    serial = 0
    for e in people:
        for t in required.get(e.position_id, []):
            roll = rng.random()
            if roll < 0.06:
                continue  # missing
            serial += 1
            if roll < 0.12:
                expires = today - timedelta(days=rng.randint(1, 120))  # expired
            elif roll < 0.22:
                expires = today + timedelta(days=rng.choice([0, 3, 6, 7, 15, 25, 29]))  # expiring
            else:
                expires = today + timedelta(days=rng.randint(40, 700))
            issued = expires - timedelta(days=30 * (t.validity_months or 24))
            certs.append(
                EmployeeCertificate(
                    employee=e,
                    certificate_type=t,
                    number=f"{t.code}{today.year % 100}{serial:06d}",
                    issued_on=issued,
                    expires_on=expires,
                    verification="verified",
                )
            )
    EmployeeCertificate.objects.bulk_create(certs, batch_size=2000)

    # incidents: the Shanghai sales branch completes all its training but has the most incidents
    sh = Department.objects.filter(code="SH-SALES").first()
    hq = Department.objects.filter(code="HQ-SALES").first()
    for dept, n in [(sh, 5), (hq, 1)]:
        for i in range(n if dept else 0):
            ComplianceIncident.objects.create(
                department=dept,
                occurred_on=today - timedelta(days=20 + 40 * i),
                severity=["medium", "high", "low"][i % 3],
                summary=[
                    "客户适当性评估记录缺失",
                    "未按规定双录",
                    "私下代客理财苗头",
                    "宣传材料未经合规审查",
                    "客户投诉处理超时",
                ][i % 5],
            )

    _showcase_for_the_demo_employee(courses, types, today)
    _seed_surveys(rng, courses, people, today)
    return {"courses": len(courses), "enrolments": len(rows), "certificates": len(certs)}


def _showcase_for_the_demo_employee(courses, types, today):
    """The "employee" demo login sees the self-service pages at work: the anti-money-laundering
    course assigned by HR with a due date and its exam open, and an AML certificate on file that
    expires in 20 days (so the reminder job and the certificate pages have something to show)."""
    me = Employee.objects.filter(user__username="employee").first()
    if me is None:
        return
    ExamAttempt.objects.filter(employee=me).delete()
    Enrollment.objects.filter(employee=me, course=courses["AML-101"]).delete()
    Enrollment.objects.create(
        employee=me,
        course=courses["AML-101"],
        source=EnrollmentSource.HR,
        status=EnrollmentStatus.ENROLLED,
        due_date=today + timedelta(days=14),
    )
    EmployeeCertificate.objects.create(
        employee=me,
        certificate_type=types["AML"],
        number=f"AML{today.year % 100}900001",
        issued_on=today - timedelta(days=345),
        expires_on=today + timedelta(days=20),
        verification="verified",
    )


def _seed_surveys(rng, courses, people, today):
    needs = Survey.objects.create(
        title=f"{today.year + 1} 年度培训需求调查", kind="needs", description="您希望明年学习哪些内容？",
        opens_at=_aware(today - timedelta(days=10)), closes_at=_aware(today + timedelta(days=20)), min_group_size=1,
    )  # fmt: skip
    topics = ["Python 数据分析", "信用风险建模", "基金产品知识", "沟通与演讲", "反洗钱实务", "项目管理"]
    qs = [
        SurveyQuestion.objects.create(
            survey=needs, kind="multiple", text="您最想学习的主题（可多选）", options=topics, display_order=1
        ),
        SurveyQuestion.objects.create(
            survey=needs,
            kind="choice",
            text="您更喜欢的培训方式",
            options=["线上自学", "课堂面授", "线上线下结合"],
            display_order=2,
        ),
        SurveyQuestion.objects.create(survey=needs, kind="text", text="其他建议", required=False, display_order=3),
    ]
    invited = [p for p in people if p.user_id] + rng.sample(people, min(60, len(people)))
    seen = set()
    for p in invited:
        if p.pk in seen:
            continue
        seen.add(p.pk)
        inv = SurveyInvitation.objects.create(survey=needs, employee=p)
        if p.user_id is None and rng.random() < 0.7:
            inv.answered_at = timezone.now()
            inv.save(update_fields=["answered_at"])
            SurveyResponse.objects.create(
                survey=needs, invitation=inv, department=p.department, submitted_on=today,
                answers={str(qs[0].pk): rng.sample(topics, rng.randint(1, 3)), str(qs[1].pk): rng.choice(qs[1].options),
                         str(qs[2].pk): rng.choice(["", "", "希望增加案例教学", "课程时间安排在工作日下午更好", "希望有线上回放"])},
            )  # fmt: skip
    feedback = Survey.objects.create(
        title="课程反馈：反洗钱基础培训", kind="feedback", opens_at=_aware(today - timedelta(days=300)),
        closes_at=_aware(today + timedelta(days=60)), min_group_size=1,
    )  # fmt: skip
    f1 = SurveyQuestion.objects.create(survey=feedback, kind="rating", text="课程内容对工作的帮助", display_order=1)
    f2 = SurveyQuestion.objects.create(survey=feedback, kind="rating", text="讲师/课件质量", display_order=2)
    f3 = SurveyQuestion.objects.create(survey=feedback, kind="text", text="改进建议", required=False, display_order=3)
    courses["AML-101"].feedback_survey = feedback
    courses["AML-101"].save(update_fields=["feedback_survey"])
    for enrollment in Enrollment.objects.filter(course=courses["AML-101"], status="completed").select_related(
        "employee"
    ):
        inv = SurveyInvitation.objects.create(survey=feedback, employee=enrollment.employee)
        if rng.random() < 0.6:
            inv.answered_at = enrollment.completed_at
            inv.save(update_fields=["answered_at"])
            SurveyResponse.objects.create(
                survey=feedback, invitation=inv, department=enrollment.employee.department, submitted_on=enrollment.completed_at.date(),
                answers={str(f1.pk): rng.choice([3, 4, 4, 5, 5]), str(f2.pk): rng.choice([3, 4, 5, 5]), str(f3.pk): rng.choice(["", "案例可以更贴近基金销售场景", "考试题目可以更多样"])},
            )  # fmt: skip

"""Benchmark: keyword screening of 1,000 resumes (Chinese and English, 1,500–3,000 characters
each, text already extracted) against a posting of 15 keywords (Chinese, English, multi-word,
must-haves); target 5 s. Also times rescoring a posting's 1,000 applications in the database
(keywords_replace: delete and insert the keywords, score every application again, bulk update),
rolled back."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hrsuite.bench import Result, Timer, scenario

from .scoring import Keyword, Screener

RESUMES = 1_000

KEYWORDS = [
    Keyword("机器学习", 5, True),
    Keyword("Python", 4, True),
    Keyword("金融风控", 4),
    Keyword("反欺诈", 3),
    Keyword("信用评分卡", 3),
    Keyword("SQL", 2),
    Keyword("Spark", 2),
    Keyword("深度学习", 2),
    Keyword("machine learning", 3),
    Keyword("credit risk", 3),
    Keyword("XGBoost", 2),
    Keyword("数据挖掘", 2),
    Keyword("Hadoop", 1),
    Keyword("R", 1),
    Keyword("CFA", 1),
]

_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴涛", "徐丽", "孙杰"]
_SCHOOLS = ["复旦大学", "上海交通大学", "浙江大学", "南京大学", "中国人民大学", "同济大学", "Fudan University"]
_MAJORS = ["统计学", "金融工程", "计算机科学与技术", "应用数学", "软件工程", "经济学"]
_COMPANIES = ["招商银行", "平安科技", "蚂蚁集团", "中信证券", "陆金所", "度小满金融", "京东科技", "某城商行"]
_ZH_DUTIES = [
    "负责信用风险模型的开发与迭代，使用 Python 与 SQL 处理千万级交易数据",
    "搭建反欺诈规则引擎，降低欺诈损失约 30%",
    "基于 XGBoost 与逻辑回归构建信用评分卡，KS 提升 8 个百分点",
    "使用 Spark 与 Hadoop 进行大规模特征工程",
    "参与 深度学习 模型在 交易 监控 中 的 落地",  # PDF extraction inserts spaces
    "负责数据挖掘与客户分群，支持精准营销",
    "与业务部门沟通需求，撰写模型文档与监管报送材料",
    "维护报表平台，优化 SQL 查询性能",
    "负责贷后管理策略与催收模型",
    "参与 金融风控 中台建设，统一特征与模型服务",
    "带领 3 人团队完成机器学习平台的建设",
    "熟悉 Ｐｙｔｈｏｎ、Ｊａｖａ，了解 JavaScript 前端开发",  # full-width Latin
]
_EN_DUTIES = [
    "Built machine\nlearning models for credit risk scoring using Python and SQL.",
    "Designed fraud detection pipelines on Spark; reduced false positives by 25%.",
    "Developed gradient boosting (XGBoost) scorecards and monitored model drift.",
    "Worked with HR and finance teams on reporting dashboards in JavaScript.",
    "Maintained ETL jobs on Hadoop and wrote data quality checks.",
    "Presented model validation results to the risk committee.",
    "Mentored two junior analysts; CFA Level II candidate.",
    "Used R and Python for statistical analysis of loan performance.",
]


def resume_texts(n: int = RESUMES, seed: int = 20) -> list[str]:
    """`n` realistic resume texts, about 70% Chinese and 30% English, 1,500–3,000 characters."""
    rng = random.Random(seed)  # noqa: S311  (benchmark data)
    texts = []
    for i in range(n):
        english = rng.random() < 0.3
        target = rng.randint(1500, 3000)
        name = rng.choice(_NAMES)
        if english:
            parts = [
                f"{name} — Resume\nEmail: candidate{i}@example.com  Phone: 138{rng.randint(10000000, 99999999)}\n",
                f"Education: M.Sc. {rng.choice(['Statistics', 'Financial Engineering', 'Computer Science'])}, "
                f"{rng.choice(_SCHOOLS)}, {rng.randint(2008, 2022)}\n",
                "Experience:\n",
            ]
            duties = _EN_DUTIES
        else:
            parts = [
                f"个人简历\n姓名：{name}    电话：139{rng.randint(10000000, 99999999)}    邮箱：c{i}@example.cn\n",
                f"教育背景：{rng.choice(_SCHOOLS)} {rng.choice(_MAJORS)} 硕士（{rng.randint(2008, 2022)}年毕业）\n",
                "工作经历：\n",
            ]
            duties = _ZH_DUTIES
        size = sum(len(p) for p in parts)
        while size < target:
            if rng.random() < 0.2:
                year = rng.randint(2012, 2024)
                chunk = f"\n{year}.{rng.randint(1, 12):02d} – {year + rng.randint(1, 4)}  {rng.choice(_COMPANIES)}\n"
            else:
                chunk = f"· {rng.choice(duties)}。\n"
            parts.append(chunk)
            size += len(chunk)
        texts.append("".join(parts)[:target])
    return texts


def score_resumes(texts: list[str], keywords: list[Keyword] = KEYWORDS) -> dict:
    screener = Screener(keywords)
    results = [screener.score(t) for t in texts]
    return {
        "mean_score": float(sum(r.score for r in results) / len(results)) if results else 0.0,
        "must_haves_met": sum(1 for r in results if r.must_haves_met),
    }


def _keyword_rows() -> list[dict]:
    return [{"term": k.term, "weight": k.weight, "must_have": k.must_have} for k in KEYWORDS]


def _posting(*, title: str, user, department, manager, position_code: str, headcount: int, budget, **fields):
    """An approved requisition and its posting, as the benchmarks use them."""
    from employees.models import Position

    from .models import JobPosting, Requisition

    position, _created = Position.objects.get_or_create(
        code=position_code, defaults={"title": "风控建模工程师", "role_family": "technology"}
    )
    requisition = Requisition.objects.create(
        position=position,
        department=department,
        headcount=headcount,
        reason="benchmark",
        budget_min=Decimal(budget[0]),
        budget_max=Decimal(budget[1]),
        hiring_manager=manager,
        requested_by=user,
        status="approved",
    )
    return JobPosting.objects.create(
        requisition=requisition, title=title, description="benchmark", created_by=user, **fields
    )


def _add_applications(posting, texts: list[str], *, tag: str, first: int = 0, rng: random.Random | None = None):
    """One candidate and application per resume text: all newly applied, or (with `rng`) spread
    over the pipeline's stages and sources as a busy posting's are."""
    from .choices import Source, Stage
    from .models import Application, Candidate

    stages = [Stage.APPLIED] * 10 + [Stage.SCREENING] * 4 + [Stage.ASSESSMENT, Stage.INTERVIEW, Stage.REJECTED]
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                name=f"{rng.choice(_NAMES) if rng else '候选人'}{first + i}", email=f"{tag}-{first + i}@example.cn"
            )
            for i in range(len(texts))
        ],
        batch_size=1000,
    )
    now = timezone.now()
    apps = []
    for i, (candidate, text) in enumerate(zip(candidates, texts, strict=True)):
        stage = rng.choice(stages) if rng else Stage.APPLIED
        apps.append(
            Application(
                posting=posting,
                candidate=candidate,
                stage=stage,
                source=rng.choice(Source.values) if rng else Source.CAREERS,
                resume=f"resumes/bench/{tag}-{first + i}.docx",
                resume_name="简历.docx",
                resume_sha256="0" * 64,
                resume_text=text,
                consent_at=now,
                rejection_reason="经验不匹配" if stage == Stage.REJECTED else "",
            )
        )
    Application.objects.bulk_create(apps, batch_size=1000)


def _rescore_in_db(texts: list[str]) -> tuple[float, int]:
    """keywords_replace on a posting with len(texts) applications, inside a rolled-back
    transaction. Returns (seconds, queries)."""
    from django.contrib.auth import get_user_model

    from employees.models import Department, Employee

    from .services_postings import keywords_replace

    with transaction.atomic():
        user = get_user_model().objects.create(username="bench-recruiting")
        department = Department.objects.order_by("pk").first()
        manager = Employee.objects.order_by("pk").first()
        if department is None or manager is None:
            raise RuntimeError("the benchmark needs a generated company (departments and employees)")
        posting = _posting(
            title="风控建模工程师", user=user, department=department, manager=manager,
            position_code="BENCH-REC-POS", headcount=1, budget=(1, 2),
        )  # fmt: skip
        _add_applications(posting, texts, tag="bench")
        with CaptureQueriesContext(connection) as queries, Timer() as timer:
            rescored = keywords_replace(posting=posting, rows=_keyword_rows())
        assert rescored == len(texts), rescored
        transaction.set_rollback(True)
    return timer.seconds, len(queries)


@scenario("recruiting.resume_scoring", order=80)
def resume_scoring(size: int, *, n: int = RESUMES, with_db: bool = True) -> Result:
    """Score `n` resumes in memory (timed, target 5 s for 1,000), then rescore them as a
    posting's applications in the database (rolled back)."""
    texts = resume_texts(n)
    chars = sum(len(t) for t in texts)
    with Timer() as timer:
        summary = score_resumes(texts)
    extra = {
        "resumes": n,
        "keywords": len(KEYWORDS),
        "characters": chars,
        "per_resume_ms": round(timer.seconds * 1000 / max(n, 1), 3),
        **summary,
    }
    note = f"{n} resumes ({chars // max(n, 1)} characters on average), {len(KEYWORDS)} keywords"
    if with_db:
        db_seconds, db_queries = _rescore_in_db(texts)
        extra.update(db_rescore_seconds=round(db_seconds, 4), db_rescore_queries=db_queries)
        note += f"; rescoring them in the database {db_seconds:.2f} s in {db_queries} queries"
    return Result("recruiting.resume_scoring", n, timer.seconds, target_seconds=5.0, note=note, extra=extra)


BENCH_POSTING = "风控建模工程师（基准）"
APPLICATIONS = 2_000


def ensure_applications(total: int = APPLICATIONS):
    """A published posting with `total` applications (committed, idempotent), for the candidates
    list page (hrsuite.core.bench): the resumes above scored against KEYWORDS through the
    keywords service, spread over the pipeline's stages as a busy posting's are."""
    from django.contrib.auth import get_user_model

    from employees.models import Department, Employee

    from .choices import PostingStatus
    from .models import JobPosting
    from .services_postings import keywords_replace

    posting = JobPosting.objects.filter(title=BENCH_POSTING).first()
    have = posting.applications.count() if posting else 0
    if have >= total:
        return posting
    with transaction.atomic():
        if posting is None:
            department = Department.objects.filter(code="HQ-TECH").first() or Department.objects.order_by("pk").first()
            posting = _posting(
                title=BENCH_POSTING,
                user=get_user_model().objects.get(username="hr"),
                department=department,
                manager=department.head or Employee.objects.filter(department=department).order_by("pk").first(),
                position_code="BENCH-WEB-POS",
                headcount=3,
                budget=(25000, 40000),
                status=PostingStatus.PUBLISHED,
                published_at=timezone.now(),
            )
        texts = resume_texts(total - have, seed=21 + have)
        _add_applications(posting, texts, tag="web-bench", first=have, rng=random.Random(22))  # noqa: S311
        keywords_replace(posting=posting, rows=_keyword_rows())
    return posting

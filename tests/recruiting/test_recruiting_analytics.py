"""Recruiting analytics: the pure computations on tables of cases, then the page and export on
a small hand-built dataset whose numbers are worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from recruiting.analytics import (
    AppRecord,
    funnel,
    funnel_by_posting,
    ratio,
    reached,
    sources,
    time_to_hire,
    time_to_hire_by_posting,
)

D = Decimal
T0 = datetime(2026, 1, 5, 10, 0)


def rec(i, entered=(), posting=1, source="careers", hired_after=None, label=None):
    return AppRecord(
        id=i,
        posting_id=posting,
        posting=label or f"P{posting}",
        source=source,
        applied_at=T0,
        entered=frozenset(entered),
        hired_at=T0 + timedelta(days=hired_after) if hired_after is not None else None,
    )


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ((), {"applied"}),
        (("screening",), {"applied", "screening"}),
        (("screening", "interview"), {"applied", "screening", "interview"}),  # assessment skipped: not counted
        (("screening", "assessment"), {"applied", "screening", "assessment"}),
        (("offer",), {"applied", "screening", "interview", "offer"}),  # a move that skipped steps
        (("screening", "interview", "offer", "interview"), {"applied", "screening", "interview", "offer"}),  # back
        (("screening", "assessment", "interview", "offer", "hired"), {"applied", "screening", "assessment", "interview", "offer", "hired"}),
    ],
)  # fmt: skip
def test_reached(entered, expected):
    assert reached(rec(1, entered)) == frozenset(expected)


def test_funnel_counts_and_conversions():
    records = [
        rec(1),  # applied, then rejected
        rec(2, ["screening"]),
        rec(3, ["screening", "assessment"]),  # rejected after the assessment
        rec(4, ["screening", "interview"]),
        rec(5, ["screening", "assessment", "interview", "offer"]),
        rec(6, ["screening", "assessment", "interview", "offer", "hired"], hired_after=30),
    ]
    rows = {r.stage: r for r in funnel(records)}
    assert [(s, rows[s].reached) for s in rows] == [
        ("applied", 6), ("screening", 5), ("assessment", 3), ("interview", 3), ("offer", 2), ("hired", 1),
    ]  # fmt: skip
    assert rows["applied"].conversion is None
    assert rows["screening"].conversion == D("0.8333")
    assert rows["assessment"].conversion == D("0.6000")  # of screening
    assert rows["interview"].conversion == D("0.6000")  # of screening (assessment optional)
    assert rows["offer"].conversion == D("0.6667")
    assert rows["hired"].conversion == D("0.5000")


def test_funnel_of_nothing():
    rows = funnel([])
    assert all(r.reached == 0 and r.conversion is None for r in rows)


def test_funnel_by_posting_sorted_by_size():
    records = [rec(1, posting=2, label="B"), rec(2, ["screening"], posting=1, label="A"), rec(3, posting=1, label="A")]
    out = funnel_by_posting(records)
    assert [p.label for p in out] == ["A", "B"]
    assert [r.reached for r in out[0].rows][:2] == [2, 1]


@pytest.mark.parametrize(
    ("days", "median", "average"),
    [
        ([30], D("30.0"), D("30.0")),
        ([10, 20, 60], D("20.0"), D("30.0")),
        ([10, 21], D("15.5"), D("15.5")),
        ([7, 8, 9, 100], D("8.5"), D("31.0")),
    ],
)
def test_time_to_hire(days, median, average):
    records = [rec(i, ["hired"], hired_after=d) for i, d in enumerate(days)] + [rec(99, ["screening"])]
    result = time_to_hire(records)
    assert (result.hires, result.median_days, result.average_days) == (len(days), median, average)


def test_time_to_hire_without_hires_and_per_posting():
    assert time_to_hire([rec(1)]).median_days is None
    by = time_to_hire_by_posting(
        [
            rec(1, posting=1, hired_after=40),
            rec(2, posting=2, hired_after=10),
            rec(3, posting=2, hired_after=20),
            rec(4, posting=3),
        ]
    )
    assert [(r.label, r.hires, r.median_days) for r in by] == [("P2", 2, D("15.0")), ("P1", 1, D("40.0"))]


def test_sources():
    records = [
        rec(1, source="referral", hired_after=20),
        rec(2, source="referral"),
        rec(3, source="careers"),
        rec(4, source="careers"),
        rec(5, source="careers", hired_after=40),
        rec(6, source="campus"),
    ]
    out = sources(records, order=["careers", "referral", "job_board", "campus"])
    assert [(r.source, r.applications, r.hires, r.hire_rate) for r in out] == [
        ("careers", 3, 1, D("0.3333")),
        ("referral", 2, 1, D("0.5000")),
        ("campus", 1, 0, D("0.0000")),
    ]


def test_ratio_rounding():
    assert ratio(1, 3) == D("0.3333") and ratio(2, 3) == D("0.6667") and ratio(0, 0) is None


# --- the page, on the database ----------------------------------------------------------------


@pytest.fixture
def dataset(make_application, hiring, people):
    """Five applications with backdated histories:
    A applied→screening→interview→offer→hired in 20 days (referral)
    B applied→screening→assessment→interview→offer→hired in 40 days (careers)
    C applied→screening→assessment→rejected (careers)
    D applied→rejected (job board)
    E applied (careers)
    """
    from django.utils import timezone

    from recruiting.models import Application, StageChange

    now = timezone.now()
    plans = [
        ("A", "referral", ["screening", "interview", "offer", "hired"], 20),
        ("B", "careers", ["screening", "assessment", "interview", "offer", "hired"], 40),
        ("C", "careers", ["screening", "assessment", "rejected"], None),
        ("D", "job_board", ["rejected"], None),
        ("E", "careers", [], None),
    ]
    for name, source, path, total in plans:
        app = make_application(
            name=f"候选人{name}", email=f"{name.lower()}@example.com", stage="applied", source=source
        )
        applied = now - timedelta(days=50)
        StageChange.objects.filter(application=app).delete()
        previous, at = "", applied
        for to in ["applied", *path]:
            step = (total or 10) / max(len(path), 1)
            at = applied if to == "applied" else at + timedelta(days=step)
            sc = StageChange.objects.create(application=app, from_stage=previous, to_stage=to, note="x")
            StageChange.objects.filter(pk=sc.pk).update(at=at)
            previous = to
        Application.objects.filter(pk=app.pk).update(
            applied_at=applied, stage=previous or "applied", rejection_reason="不合适" if previous == "rejected" else ""
        )
    return plans


@pytest.mark.django_db
def test_analytics_page_numbers(dataset, client_for, django_assert_max_num_queries):
    from django.urls import reverse

    c = client_for("hr")
    with django_assert_max_num_queries(20):
        page = c.get(reverse("recruiting:analytics"))
    assert page.status_code == 200
    report = page.context["report"]
    assert [(r.stage, r.reached) for r in report.funnel] == [
        ("applied", 5), ("screening", 3), ("assessment", 2), ("interview", 2), ("offer", 2), ("hired", 2),
    ]  # fmt: skip
    assert report.time_to_hire.hires == 2
    assert report.time_to_hire.median_days == D("30.0") and report.time_to_hire.average_days == D("30.0")
    by_source = {r.source: (r.applications, r.hires, r.hire_rate) for r in report.sources}
    assert by_source == {
        "careers": (3, 1, D("0.3333")),
        "referral": (1, 1, D("1.0000")),
        "job_board": (1, 0, D("0.0000")),
    }
    assert page.context["median_label"]
    # a manager following the requisition sees the same; another manager nothing; an employee is refused
    assert client_for("manager").get(reverse("recruiting:analytics")).context["report"].funnel[0].reached == 5
    assert client_for("other_manager").get(reverse("recruiting:analytics")).context["report"].funnel[0].reached == 0
    assert client_for("employee").get(reverse("recruiting:analytics")).status_code == 403
    # the period filter: applications of the last 30 days only (none)
    assert c.get(reverse("recruiting:analytics"), {"period": "90"}).context["report"].funnel[0].reached == 5


@pytest.mark.django_db
def test_analytics_export_is_audited(dataset, client_for):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from hrsuite.audit.models import AuditEntry

    response = client_for("hr").get(reverse("recruiting:analytics_export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(wb.sheetnames) == 4
    funnel_rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert [r[1] for r in funnel_rows[1:]] == [5, 3, 2, 2, 2, 2]
    assert AuditEntry.objects.filter(event="export").count() == 1
    assert client_for("employee").get(reverse("recruiting:analytics_export")).status_code == 403

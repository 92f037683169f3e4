"""The keyword screening engine (recruiting.scoring): table-driven, no database."""

from decimal import Decimal

import pytest

from recruiting.scoring import Keyword, Screener, highlight, score_many

POSTING = [Keyword("机器学习", 5, True), Keyword("金融风控", 3), Keyword("Python", 2)]


def score(text, keywords=POSTING):
    return Screener(keywords).score(text, with_positions=True)


@pytest.mark.parametrize(
    ("text", "expected", "matched"),
    [
        # Chinese without spaces: terms found inside running text
        ("五年金融风控经验，精通机器学习和Python建模", Decimal("100.0"), ["机器学习", "金融风控", "Python"]),
        # PDF extraction puts spaces between CJK characters
        ("熟悉 机 器 学 习 与 金融 风控", Decimal("80.0"), ["机器学习", "金融风控"]),
        ("机器\n学习", Decimal("50.0"), ["机器学习"]),
        # full-width Latin letters (NFKC) and any case
        ("熟练使用Ｐｙｔｈｏｎ", Decimal("20.0"), ["Python"]),
        ("PYTHON developer", Decimal("20.0"), ["Python"]),
        # nothing relevant
        ("销售经理，十年渠道经验", Decimal("0.0"), []),
        ("", Decimal("0.0"), []),
    ],
)
def test_scores_and_matches(text, expected, matched):
    result = score(text)
    assert result.score == expected
    assert result.matched == matched


def test_multi_word_english_terms_across_line_breaks_and_spaces():
    keywords = [Keyword("machine learning", 3), Keyword("credit risk", 1)]
    assert score("Built machine\nlearning models", keywords).matched == ["machine learning"]
    assert score("machine    learning and Credit\r\n  Risk", keywords).score == Decimal("100.0")
    assert score("machinelearning", keywords).matched == []


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("R", "HR business partner", False),
        ("R", "statistics in R and SAS", True),
        ("R", "R语言建模", True),  # a Latin term followed by Chinese is a whole word
        ("Java", "JavaScript front end", False),
        ("Java", "Java, Spring", True),
        ("SQL", "MySQL DBA", False),
        ("SQL", "SQL/Python", True),
        ("C++", "精通C++开发", True),
        ("风控", "金融风控", True),  # a CJK term counts anywhere
    ],
)
def test_latin_terms_count_only_as_whole_words(term, text, found):
    assert bool(score(text, [Keyword(term, 1)]).matched) is found


def test_repeating_a_term_does_not_raise_the_score():
    once = score("机器学习")
    many = score("机器学习 " * 50)
    assert once.score == many.score == Decimal("50.0")
    assert many.matched == ["机器学习"]


def test_missing_must_haves_are_listed():
    result = score("金融风控与Python")
    assert result.missing_must_haves == ["机器学习"]
    assert not result.must_haves_met
    assert score("机器学习").must_haves_met


def test_no_keywords_scores_zero():
    result = score("机器学习 Python", [])
    assert result.score == Decimal("0.0") and result.matched == [] and result.missing_must_haves == []


def test_weights_decide_the_share():
    # 5 of 10 weight
    assert score("机器学习").score == Decimal("50.0")
    # 3 + 2 of 10
    assert score("金融风控 python").score == Decimal("50.0")
    # rounded to one decimal: 1 of 3
    assert score("a", [Keyword("a", 1), Keyword("b", 2)]).score == Decimal("33.3")


def test_score_many_scores_each_text():
    results = score_many(POSTING, ["机器学习", "Python", ""])
    assert [r.score for r in results] == [Decimal("50.0"), Decimal("20.0"), Decimal("0.0")]


def test_highlight_marks_matches_in_the_original_text_and_escapes_html():
    text = '<script>alert("x")</script> 熟悉 机 器 学 习 & Python'
    result = score(text)
    html = highlight(text, result.matches)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="kw">机 器 学 习</mark>' in html
    assert '<mark class="kw">Python</mark>' in html
    assert "&amp;" in html


def test_highlight_of_a_resume_with_html_in_a_match():
    text = "<b>机器学习</b>"
    html = highlight(text, score(text).matches)
    assert html == '&lt;b&gt;<mark class="kw">机器学习</mark>&lt;/b&gt;'


# --- the benchmark scenario (recruiting.bench) ------------------------------------------------


def test_generated_resumes_look_like_resumes():
    from recruiting.bench import KEYWORDS, resume_texts

    texts = resume_texts(40)
    assert len(texts) == 40 and all(1500 <= len(t) <= 3000 for t in texts)
    assert any("工作经历" in t for t in texts) and any("Experience" in t for t in texts)
    assert len(KEYWORDS) == 15 and any(k.must_have for k in KEYWORDS) and any(" " in k.term for k in KEYWORDS)


@pytest.mark.django_db
def test_the_benchmark_scenario_reports_a_result(people):
    from hrsuite.bench import scenarios
    from recruiting.bench import resume_scoring
    from recruiting.models import Application, JobPosting

    assert "recruiting.resume_scoring" in {s.name for s in scenarios()}
    result = resume_scoring(100, n=50)
    data = result.as_json()
    assert data["scenario"] == "recruiting.resume_scoring" and data["size"] == 50
    assert data["target_seconds"] == 5.0 and data["target_met"] is True
    assert data["extra"]["resumes"] == 50 and 0 < data["extra"]["mean_score"] <= 100
    assert data["extra"]["db_rescore_queries"] < 20  # batched, not one query per application
    assert "50 resumes" in data["note"]
    # the database part was rolled back
    assert not JobPosting.objects.exists() and not Application.objects.exists()


def test_the_candidates_page_posting_is_filled_once_and_scored(people):
    from recruiting.bench import ensure_applications
    from tests.factories import UserFactory

    UserFactory(username="hr")
    posting = ensure_applications(total=30)
    apps = posting.applications.all()
    assert apps.count() == 30
    assert len(set(apps.values_list("stage", flat=True))) > 1  # spread over the pipeline
    assert not apps.filter(score__isnull=True).exists()  # scored through the keywords service
    assert ensure_applications(total=30).pk == posting.pk and apps.count() == 30  # nothing added again

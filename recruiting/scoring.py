"""Keyword screening of resumes: a pure engine (no Django models, no database).

HR gives a posting weighted keywords (机器学习 ×5, 金融风控 ×3, Python ×2) and must-haves. A
resume's text is normalised (NFKC, so full-width "Ｐｙｔｈｏｎ" is "python"; lower case; every run
of whitespace one space; spaces between two CJK characters removed, as PDF extraction often
inserts them) and searched once with an Aho–Corasick automaton (pyahocorasick) built from the
keywords normalised the same way. That finds Chinese terms inside text without spaces and
multi-word terms ("machine learning") in one pass, whatever the number of keywords.

A Latin-script or digit term only counts as a whole word ("R" is not found in "HR", "Java" not in
"JavaScript"); a CJK term counts anywhere, as Chinese has no spaces between words.

The score is the share of the keywords' total weight whose term occurs at least once, 0–100:
repeating a word does not raise it. A missing must-have is listed; the application is flagged,
not silently dropped. `highlight` marks the matches in the original text for HR.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import ahocorasick
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Keyword:
    term: str
    weight: int = 1
    must_have: bool = False


@dataclass(frozen=True)
class Match:
    term: str  # as HR wrote it
    start: int  # in the original text
    end: int


@dataclass
class ScoreResult:
    score: Decimal
    matched: list[str] = field(default_factory=list)  # terms as HR wrote them, in keyword order
    missing_must_haves: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)

    @property
    def must_haves_met(self) -> bool:
        return not self.missing_must_haves


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x20000 <= o <= 0x2FA1F  # extensions B–F, compatibility supplement
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x3040 <= o <= 0x30FF  # kana
        or 0xAC00 <= o <= 0xD7AF  # hangul
    )


def _is_word(ch: str) -> bool:
    """A character that continues a Latin-script or digit word."""
    return ch.isalnum() and not _is_cjk(ch)


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character
    it came from (to highlight matches in the original)."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = -1  # index of the whitespace run not yet written
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and pending_space < 0:
                pending_space = i
            continue
        for n in unicodedata.normalize("NFKC", ch).lower():
            if n.isspace():
                if out and pending_space < 0:
                    pending_space = i
                continue
            if pending_space >= 0:
                # drop the space between two CJK characters ("机器 学习" is "机器学习")
                if not (_is_cjk(out[-1]) and _is_cjk(n)):
                    out.append(" ")
                    origin.append(pending_space)
                pending_space = -1
            out.append(n)
            origin.append(i)
    return "".join(out), origin


def normalise_term(term: str) -> str:
    return normalise(term)[0]


class Screener:
    """The keywords of one posting, compiled once; `score` a resume text against them."""

    def __init__(self, keywords: Iterable[Keyword]):
        self.keywords: list[Keyword] = []
        self.total_weight = 0
        self._automaton = ahocorasick.Automaton()
        seen: set[str] = set()
        for kw in keywords:
            key = normalise_term(kw.term)
            if not key or key in seen:
                continue
            seen.add(key)
            index = len(self.keywords)
            self.keywords.append(kw)
            self.total_weight += kw.weight
            self._automaton.add_word(key, (index, key))
        self._empty = not self.keywords
        if not self._empty:
            self._automaton.make_automaton()

    def _find(self, text: str) -> tuple[str, list[tuple[int, int, int]]]:
        """(normalised text, [(keyword index, start, end) in the normalised text])."""
        norm, _origin = normalise(text)
        found = []
        if self._empty or not norm:
            return norm, found
        for end, (index, key) in self._automaton.iter(norm):
            start = end - len(key) + 1
            if _is_word(key[0]) and start > 0 and _is_word(norm[start - 1]):
                continue
            if _is_word(key[-1]) and end + 1 < len(norm) and _is_word(norm[end + 1]):
                continue
            found.append((index, start, end + 1))
        return norm, found

    def score(self, text: str, *, with_positions: bool = False) -> ScoreResult:
        _norm, found = self._find(text or "")
        hit = {index for index, _s, _e in found}
        matched_weight = sum(self.keywords[i].weight for i in hit)
        score = (
            (Decimal(matched_weight) * 100 / Decimal(self.total_weight)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if self.total_weight
            else Decimal("0.0")
        )
        result = ScoreResult(
            score=score,
            matched=[kw.term for i, kw in enumerate(self.keywords) if i in hit],
            missing_must_haves=[kw.term for i, kw in enumerate(self.keywords) if kw.must_have and i not in hit],
        )
        if with_positions:
            _norm, origin = normalise(text or "")
            for index, start, end in found:
                result.matches.append(Match(self.keywords[index].term, origin[start], origin[end - 1] + 1))
        return result


def score_many(keywords: Sequence[Keyword], texts: Iterable[str]) -> list[ScoreResult]:
    """Score many resumes against one posting's keywords (the automaton is built once)."""
    screener = Screener(keywords)
    return [screener.score(t) for t in texts]


def highlight(text: str, matches: Sequence[Match]) -> SafeString:
    """The text, HTML-escaped, with each match wrapped in <mark>; overlapping matches merge."""
    spans: list[list[int]] = []
    for m in sorted(matches, key=lambda m: (m.start, -m.end)):
        if spans and m.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], m.end)
        else:
            spans.append([m.start, m.end])
    parts, pos = [], 0
    for start, end in spans:
        parts.append(escape(text[pos:start]))
        parts.append(f'<mark class="kw">{escape(text[start:end])}</mark>')
        pos = end
    parts.append(escape(text[pos:]))
    return mark_safe("".join(parts))

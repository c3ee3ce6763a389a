"""Drift's per-text caches never change an answer: findings with warm caches (shared across
pairs, in any order) equal findings computed from cold caches, pair by pair."""

import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import seed_document
from hypothesis import example, given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dedup.align import align, masked_terms, split_sentences  # noqa: E402
from dedup.drift import clear_caches, compare  # noqa: E402
from dedup.drift import claims  # noqa: E402
from dedup.drift._text import doc_words, groups, words  # noqa: E402
from dedup.records import Document  # noqa: E402


@pytest.fixture(scope="module")
def pairs():
    """The seeds against each other, copies from the syndication generator and the drift
    benchmark's one-edit copies (every finding kind)."""
    from benchmarks import data, drift_bench, syndication

    seeds = [seed_document(n) for n in range(5)]
    out = [(a, b) for a in seeds for b in seeds if a is not b]
    try:
        bbc = list(data.bbc())
        reuters = list(data.reuters(limit=1500))
    except FileNotFoundError:
        return out  # the shared corpora are optional; the seeds still run
    corpus = syndication.build(sources=8, seed=7, bbc_docs=bbc, reuters_docs=reuters)
    by_id = {d.id: d for d in corpus.docs}
    out += [(by_id[e.source], by_id[e.copy]) for e in corpus.expected]
    rng = random.Random(11)
    articles = rng.sample(bbc, 12) + [d for d in reuters if 150 <= len(d.text.split()) <= 600][:12]
    for doc in articles:
        for kind, inject in drift_bench.INJECTORS.items():
            case = inject(doc, rng)
            if case is not None:
                out.append((case.a, case.b))
        for name, text in drift_bench.style_edits(doc)[:2]:
            out.append((doc, replace(doc, id=doc.id + "~" + name, text=text)))
    return out


@pytest.fixture(scope="module")
def cold(pairs):
    """Findings of each pair with every cache emptied first (nothing shared between pairs)."""
    out = []
    for a, b in pairs:
        clear_caches()
        out.append(compare(a, b))
    clear_caches()
    return out


def test_pairs_cover_every_finding_kind(cold):
    from dedup.drift import KINDS

    found = {f.kind for fs in cold for f in fs}
    missing = set(KINDS) - found
    if len(cold) > 20:  # the corpora are there: the benchmark's edits make every kind
        assert not missing


@pytest.mark.parametrize("order", ["same", "reversed", "shuffled"])
def test_warm_caches_give_the_cold_findings(pairs, cold, order):
    idx = list(range(len(pairs)))
    if order == "reversed":
        idx.reverse()
    elif order == "shuffled":
        random.Random(3).shuffle(idx)
    clear_caches()
    for _ in range(2):  # the second round finds every text cached
        for i in idx:
            a, b = pairs[i]
            assert compare(a, b) == cold[i], (a.id, b.id)


def test_given_alignment_gives_the_same_findings(pairs, cold):
    clear_caches()
    for (a, b), expected in zip(pairs, cold):
        al = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones)
        assert compare(a, b, alignment=al) == expected, (a.id, b.id)


def test_alignment_of_other_sentences_falls_back_to_sentence_terms(pairs):
    """A (hand-made) alignment whose sentences are not align's split of the text still gets
    each sentence's own terms."""
    a, b = pairs[0]
    al = align(a.text, b.text)
    doc = Document(id=a.id, text=a.text, zones=a.zones)
    other = al.a_sentences[1:]
    assert claims.sentence_terms(doc, other) == tuple(masked_terms(s.text) for s in other)


def test_sentence_terms_are_masked_terms_of_each_sentence(pairs):
    for a, b in pairs[:60]:
        for d in (a, b):
            sents = split_sentences(d.text, zones=tuple(d.zones))
            assert claims.sentence_terms(d, sents) == tuple(masked_terms(s.text) for s in sents)


def test_clause_shortcut_skips_only_spans_without_a_new_clause(pairs):
    """claims skips the clauses of a span when its terms leave too few new ones; check that
    every skipped span truly has no clause passing the share test."""
    skipped = 0
    for a, b in pairs:
        al = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones)
        all_a = frozenset().union(*(masked_terms(s.text) for s in al.a_sentences))
        all_b = frozenset().union(*(masked_terms(s.text) for s in al.b_sentences))
        for g in groups(a, b, al):
            ta, tb = masked_terms(g.a_text), masked_terms(g.b_text)
            for text, terms, other, other_all in ((g.b_text, tb, ta, all_a), (g.a_text, ta, tb, all_b)):
                if claims._clause_possible(terms, other, other_all):
                    continue
                skipped += 1
                for _, clause in claims._clauses(text, 0):
                    ct = masked_terms(clause)
                    assert not (
                        len(ct) >= claims.CLAUSE_MIN_TERMS and len(ct - other - other_all) / len(ct) >= claims.CLAUSE_NEW_SHARE
                    ), clause
    assert skipped


_TEXT = st.lists(st.sampled_from([*"ab Cd-'\u2019.,9\n", "said", " Mr", "Quetta", "1,000", "\u00e9t\u00e9"]), max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, cut=st.tuples(st.integers(0, 130), st.integers(0, 130)))
def test_word_view_is_the_words_inside_a_span(text, cut):
    start, end = min(cut), max(cut)
    expected = [w for w in words(text) if start <= w.start and w.end <= end]
    view = doc_words(text).view(start, end)
    assert list(view) == expected
    assert view.canons == [w.canon for w in expected]
    assert list(view[1:3]) == expected[1:3] and list(view[-2:]) == expected[-2:] and view[::2] == expected[::2]


_PIECES = [
    *" \n\t.,:!?\"(", "\u201c", "\u2026", " - ", "said", "the", "Mr", "Quetta", "Saturday", "May", "may", "Jan.", "March",
    "sept", "31st", "5", "2026", "of", "The", "Baloch Liberation Army", "al-", "de", "Noshki's", "\u017fep", "\u0663",
    "five", "twenty", "%", "per cent",
]
_PROSE = st.lists(st.sampled_from(_PIECES), max_size=40).map(" ".join) | st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_PROSE)
def test_names_read_line_by_line_are_the_names_of_the_text(text):
    from dedup.drift._text import doc_names, doc_weekdays, names, weekdays

    assert list(doc_names(text)) == names(text)
    assert list(doc_weekdays(text)) == weekdays(text)


@settings(max_examples=300, deadline=None)
@given(text=_PROSE)
def test_dates_tried_at_candidate_starts_are_the_dates_of_the_text(text):
    from dedup.drift._text import _DATE_RE, _date_matches

    assert [m.span() for m in _date_matches(text)] == [m.span() for m in _DATE_RE.finditer(text)]


def test_per_line_reading_on_real_articles(pairs):
    from dedup.drift._text import _DATE_RE, _date_matches, doc_names, doc_weekdays, names, weekdays

    for a, b in pairs:
        for t in (a.text, b.text):
            assert list(doc_names(t)) == names(t)
            assert list(doc_weekdays(t)) == weekdays(t)
            assert [w.canon for w in words(t)] == doc_words(t).canons
            assert [m.span() for m in _date_matches(t)] == [m.span() for m in _DATE_RE.finditer(t)]


def test_span_terms_are_masked_terms_of_the_span(pairs):
    """claims reads the terms of multi-sentence groups and clauses from the text's tokens."""
    checked = 0
    for a, b in pairs[:80]:
        al = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones)
        for g in groups(a, b, al):
            for doc, start, end, text in ((a, g.a_start, g.a_end, g.a_text), (b, g.b_start, g.b_end, g.b_text)):
                assert claims.span_terms(doc.text, start, end) == masked_terms(text)
                for at, clause in claims._clauses(text, start):
                    assert claims.span_terms(doc.text, at, at + len(clause)) == masked_terms(clause), clause
                    checked += 1
    assert checked


def test_every_wire_credit_starts_where_an_agency_name_can_be():
    """attribution skips its three wire-credit scans when no agency name follows a word boundary."""
    from dedup.credits import AGENCY_NAME_PATTERN
    from dedup.drift.attribution import _AGENCY_AT, _WIRE_RES

    assert all(alt[0].isalpha() or alt.startswith("(?-i:") for alt in AGENCY_NAME_PATTERN.split("|"))
    for text in ("(AFP)", "( Reuters )", "told the news agency Xinhua", "AP said", "\u212aYODO reported", "sent to\nPTI"):
        assert any(rx.search(text) for rx in _WIRE_RES), text
        m = _AGENCY_AT.search(text)
        assert m is not None, text


_CREDIT_PIECES = [*" \n(),.-", "told", "the", "news agency", "Reuters", "REUTERS", "AFP", "afp", "Xinhua", "said", "reported", "x", "2"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_CREDIT_PIECES), max_size=12).map(" ".join) | st.lists(st.sampled_from(_CREDIT_PIECES), max_size=12).map("".join))
def test_agency_shortcut_never_hides_a_wire_credit(text):
    from dedup.drift.attribution import _AGENCY_AT, _WIRE_RES

    if any(rx.search(text) for rx in _WIRE_RES):
        assert _AGENCY_AT.search(text)


def test_only_d_a_y_match_d_a_y_ignoring_case():
    """dates._has_weekday looks for "day" in the lower-cased sentence before the weekday scan."""
    import re

    others = [c for c in map(chr, range(0x2FFFF)) if c not in "dDaAyY" and any(re.match(x, c, re.I) for x in "day")]
    assert others == []


def _figures_in_whole_text(text, exclude):
    """numbers() without the context windows: each match read in the whole text."""
    from dedup.drift._text import _NUMBER_RE, _figure

    out = []
    for m in _NUMBER_RE.finditer(text):
        if any(e0 <= m.start() < e1 or m.start() <= e0 < m.end() for e0, e1 in exclude):
            continue
        got = _figure.__wrapped__(text, m.regs)
        if got is not None:
            out.append(got)
    return out


def _as_tuples(found):
    return [(n.value, n.text, n.start, n.end, n.hedge, n.unit, n.counted, n.counted_text, n.event, n.currency) for n in found]


def test_figures_read_in_their_context_as_in_the_whole_text(pairs):
    from dedup.drift._text import date_spans, numbers

    for a, b in pairs:
        for t in (a.text, b.text):
            ex = date_spans(t)
            assert _as_tuples(numbers(t, exclude=ex)) == _figures_in_whole_text(t, ex)


_FIGURE_PIECES = [*" \n.,:-%", ". ", "more than", "about", "approximately", "no fewer than", "a", "5", "1,200", "3.5", "twenty",
                  "five", "million", "bn", "per cent", "people", "international", "peacekeepers", "demonstrators", "were",
                  "killed", "said", "and", "$", "US$", "\u00a3", "dollars", "euros"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_FIGURE_PIECES), max_size=40).map(" ".join))
@example(text="They said more than\n5 people were killed.")  # a hedge on the line before
@example(text="Police killed 5\ninternational peacekeepers demonstrators and")  # a counted noun on the next line
@example(text="Approximately twenty-five people. Five were killed in a blast on the road to the north.")
def test_figures_in_context_property(text):
    from dedup.drift._text import numbers

    assert _as_tuples(numbers(text)) == _figures_in_whole_text(text, [])

"""A text set in capitals (old wire copy, a teletype archive) or in title case says nothing of
its names by its capitals: against a text in sentence case, verification reads it as naming
those of the other's names it holds, alignment marks none of its words as names, and a copy in
capitals relates to the other seeds as the copy in sentence case does."""

import dataclasses

import pytest
from conftest import seed_document

from dedup import verify as V
from dedup.align import _NAME_MARK, masked_terms, sentence_terms, span_terms, split_sentences
from dedup.normalize import capitals_tell_names


def _tells(text: str) -> bool:
    return capitals_tell_names(text)


@pytest.mark.parametrize("text, tells", [
    ("The minister told AFP on Saturday that Quetta was calm after the attack in Balochistan.", True),
    ("GUNMEN KILL 31 IN QUETTA\nGunmen killed 31 people in Quetta on Saturday, officials in Balochistan told AFP.", True),
    ("THE MINISTER TOLD AFP ON SATURDAY THAT QUETTA WAS CALM AFTER THE ATTACK.", False),
    ("The Minister Told Afp On Saturday That Quetta Was Calm After The Attack", False),
    ("\u201cWE WILL REBUILD,\u201d SAID MAYOR ANA L\u00d3PEZ OF QUITO AFTER 1,200 HOMES FELL DOWN.", False),
    ("QUETTA CALM AFTER ATTACK", True),  # too few words to tell
    ("Shr 24 cts Net 412,737 Revs 605,321 Year Shr 93 cts Net 1,518,300 Revs 2,400,317 Avg Shrs", False),
])
def test_capitals_tell_names(text, tells):
    assert _tells(text) is tells
    assert _tells(text.replace("\u201c", '"').replace("\u201d", '"')) is tells  # its ASCII view answers alike


def _in_capitals(n: int):
    doc = seed_document(n)
    return dataclasses.replace(doc, id=f"caps-{n}", text=doc.text.upper())


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])  # 3 in capitals was same-event with 0, not a rewrite
def test_a_seed_in_capitals_relates_as_in_sentence_case(n):
    caps = _in_capitals(n)
    assert not _tells(caps.text) and _tells(seed_document(n).text)
    for m in range(5):
        if m == n:
            continue
        want = V.verify(seed_document(n), seed_document(m))
        for got in (V.verify(caps, seed_document(m)), V.verify(seed_document(m), caps)):
            assert (got and got.kind) == (want and want.kind), (n, m)


def test_two_seeds_in_capitals_are_a_rewrite():
    got = V.verify(_in_capitals(0), _in_capitals(1))
    assert got is not None and got.kind == V.RelationKind.REWRITE


def test_sentence_terms_of_a_text_in_capitals_mark_no_names():
    text = _in_capitals(0).text
    terms = sentence_terms(text)
    assert terms and not any(t.startswith(_NAME_MARK) for ts in terms for t in ts)
    for s, t in zip(split_sentences(text), terms):
        assert span_terms(text, s.start, s.end) == t
    # the same text in sentence case marks its names
    assert any(t.startswith(_NAME_MARK) for ts in sentence_terms(seed_document(0).text) for t in ts)
    # a sentence taken alone cannot tell: its capitals mark names
    assert any(t.startswith(_NAME_MARK) for t in masked_terms("THE MINISTER TOLD AFP ON SATURDAY THAT QUETTA WAS CALM."))


def test_the_index_checks_a_copy_in_capitals_as_the_copy_in_sentence_case(index_url):
    """Stored profiles carry whether a text's capitals tell names: a check of the copy in
    capitals against the indexed seeds answers as a check of the copy in sentence case, drift
    summary included."""
    from dedup.index import Index

    seeds = [seed_document(n) for n in (0, 2, 3, 4)]
    with Index.open(index_url) as index:
        index.add(seeds)
        plain = index.check(dataclasses.replace(seed_document(1), id="plain"))
        caps = index.check(_in_capitals(1))
    assert plain.decision == caps.decision == "rewrite"
    assert [(m.a, m.kind) for m in caps.matches] == [(m.a, m.kind) for m in plain.matches]
    assert caps.matches[0].drift is not None
    assert caps.matches[0].drift.counts == plain.matches[0].drift.counts

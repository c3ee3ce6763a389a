"""Drift between a text in sentence case and one set in capitals: the finders read names,
attributions, weekdays and months by their case, so the text in capitals is read in the other's
case (``_text.read_as``), and what the findings quote of it is its own text."""

import dataclasses

from conftest import seed_document

from dedup.drift import compare, diff
from dedup.drift._text import read_as


def _in_capitals(doc):
    return dataclasses.replace(doc, text=doc.text.upper())


def _key(findings):
    return [(f.kind, f.severity, f.a_span, f.b_span) for f in findings]


def test_read_as_keeps_length_names_and_sentence_starts():
    like = "The official told AFP that Quetta was calm. Police said the BLA attacked on Saturday."
    text = "POLICE IN QUETTA SAID ON SATURDAY THAT THE BLA HAD ATTACKED. AFP WAS TOLD OF IT IN MARCH."
    got = read_as(text, like)
    assert len(got) == len(text) and got.upper() == text
    assert got == "Police in Quetta said on Saturday that the BLA had attacked. AFP was told of it in March."
    assert read_as("\u0130STANBUL TALKS", like) == "\u0130STANBUL TALKS"  # lower case would change its length


def test_a_copy_in_capitals_drifts_as_the_copy_in_sentence_case():
    source, copy = seed_document(0), seed_document(1)
    want = compare(source, copy)
    caps = _in_capitals(copy)
    got = compare(source, caps)
    assert _key(got) == _key(want) and len(want) >= 10
    assert [f.kind for f in got].count("attribution_dropped") == 5  # the dropped AFP credits among them
    for f in got:
        if f.b_span is not None and f.after:
            assert f.after in caps.text  # quoted as the copy writes it
    d = diff(source, caps)
    assert _key(d.findings) == _key(want)
    assert all(s.text == caps.text[s.start : s.end] for s in d.alignment.b_sentences)
    assert all(s.text == source.text[s.start : s.end] for s in d.alignment.a_sentences)


def test_only_a_text_in_capitals_against_one_in_sentence_case_is_read_in_the_others_case():
    from dedup.drift import _read_alike

    a, b = seed_document(0), seed_document(1)
    ca, cb = _in_capitals(a), _in_capitals(b)
    for x, y in ((a, b), (ca, cb)):
        assert _read_alike(x, y) == (x, y)
    rx, ry = _read_alike(a, cb)
    assert rx is a and ry.text == read_as(cb.text, a.text) and ry.id == cb.id
    rx, ry = _read_alike(ca, b)
    assert ry is b and rx.text == read_as(ca.text, b.text)

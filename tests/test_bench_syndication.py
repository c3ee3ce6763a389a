"""The syndication corpus generator: deterministic, labelled, and as hard as it claims."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data, oracle, syndication  # noqa: E402


@pytest.fixture(scope="module")
def real_articles():
    try:
        bbc = list(data.bbc())
        reuters = list(data.reuters(limit=4000))
    except FileNotFoundError as e:
        pytest.skip(str(e))
    return bbc, reuters


def _build(real_articles, seed):
    bbc, reuters = real_articles
    return syndication.build(sources=12, seed=seed, bbc_docs=bbc, reuters_docs=reuters)


def test_same_seed_same_corpus(real_articles):
    a, b = _build(real_articles, 5), _build(real_articles, 5)
    assert [(d.id, d.title, d.text) for d in a.docs] == [(d.id, d.title, d.text) for d in b.docs]
    c = _build(real_articles, 6)
    assert [d.text for d in a.docs] != [d.text for d in c.docs]


def test_every_source_has_one_copy_of_each_kind(real_articles):
    corpus = _build(real_articles, 1)
    ids = [d.id for d in corpus.docs]
    assert len(ids) == len(set(ids)) == 12 * 5
    sources = {e.source for e in corpus.expected}
    assert len(sources) == 12
    for s in sources:
        assert sorted(e.kind for e in corpus.expected if e.source == s) == sorted(syndication.KINDS)
    assert all(corpus.family[e.copy] == e.source for e in corpus.expected)


def _max_overlap(a: str, b: str) -> float:
    x, y = set(oracle.shingle_hashes(a).tolist()), set(oracle.shingle_hashes(b).tolist())
    return len(x & y) / min(len(x), len(y))


def test_edits_are_as_strong_as_labelled(real_articles):
    corpus = _build(real_articles, 2)
    by = {d.id: d for d in corpus.docs}
    overlap = {k: [] for k in syndication.KINDS}
    for e in corpus.expected:
        overlap[e.kind].append(_max_overlap(by[e.source].text, by[e.copy].text))
    mean = {k: sum(v) / len(v) for k, v in overlap.items()}
    assert min(overlap["duplicate"]) > 0.9  # only boilerplate was added
    assert mean["rewrite"] < 0.5 < mean["reprint"]  # a paraphrase keeps few word 5-grams
    # families do not share long verbatim runs by construction (local paragraphs are slot-filled)
    reprints = [by[e.copy].text for e in corpus.expected if e.kind == "reprint"]
    for i in range(len(reprints) - 1):
        assert _max_overlap(reprints[i], reprints[i + 1]) < 0.2


def test_partial_hosts_are_not_in_the_corpus(real_articles):
    corpus = _build(real_articles, 3)
    ids = {d.id for d in corpus.docs}
    for e in corpus.expected:
        if e.kind == "partial":
            host = e.edits[0].rsplit(" ", 1)[-1]
            assert host not in ids


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The council approved the plan on Monday.", "The plan was approved by the council on Monday."),
        ("Prices will rise, although demand is weak.", "Although demand is weak, prices will rise."),
        ("Smith said that profits were up.", "Profits were up, Smith said."),
    ],
    ids=["passive", "clause-order", "reported-speech"],
)
def test_voice_and_clause_rewrites(sentence, expected):
    import random

    assert syndication.voice_and_clauses(sentence, random.Random(0)) == expected

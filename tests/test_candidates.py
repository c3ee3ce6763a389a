"""dedup.candidates: recall against brute-force exact overlap on BBC, the vectorised pair
generator against a naive one, documents finding themselves, empty documents, stock text."""

import random
from collections import defaultdict

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import synthetic_vocabulary, word_salad
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import (
    MAX_BUCKET,
    MIN_SAMPLE_SHARE,
    MIN_SHARED_SAMPLES,
    _run_pairs,
    candidate_pairs,
    candidate_set,
    stock_hashes,
)
from dedup.fingerprint import document_shingles, fingerprint_documents
from dedup.normalize import words
from dedup.params import FingerprintParams
from dedup.records import Document, RelationKind
from dedup.verify import verify

P = FingerprintParams()
VOCAB = synthetic_vocabulary()


# --- _run_pairs against a dictionary of lists ------------------------------------------------


def naive_run_pairs(keys, docs, max_run, star_above):
    """Sorted pair codes (with repeats): every pair of documents under one key; a key held by
    more than ``max_run`` entries links its smallest document to the others, or nothing."""
    n = max(docs) + 1
    groups = defaultdict(list)
    for k, d in zip(keys, docs):
        groups[k].append(d)
    out = []
    for members in groups.values():
        if len(members) > max_run:
            if star_above:
                hub = min(members)
                rest = list(members)
                rest.remove(hub)
                out += [(hub, d) for d in rest]
        else:
            out += [(members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members))]
    return sorted(min(a, b) * n + max(a, b) for a, b in out if a != b)


@given(
    entries=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30)), max_size=120),
    max_run=st.integers(1, 8),
    star_above=st.booleans(),
    spread=st.sampled_from([0, 1, 2]),
)
@settings(max_examples=300, deadline=None)
def test_run_pairs_equals_naive(entries, max_run, star_above, spread):
    # keys small (equal high bits: every run is sorted out by the full keys), spread over the
    # 64 bits, or a few high parts with different low bits
    keys = [(k, (k * 0x9E3779B97F4A7C15) & (2**64 - 1), ((k % 3) << 62) | k)[spread] for k, _ in entries]
    keys = np.asarray(keys, dtype=np.uint64)
    docs = np.asarray([d for _, d in entries], dtype=np.int64)
    got = _run_pairs(keys, docs, max_run=max_run, star_above=star_above)
    want = naive_run_pairs(keys.tolist(), docs.tolist(), max_run, star_above) if len(entries) >= 2 else []
    assert sorted(got.tolist()) == want


def test_run_pairs_links_a_big_bucket_as_a_star():
    rng = np.random.default_rng(1)
    docs = rng.permutation(500)[: MAX_BUCKET * 3].astype(np.int64)
    keys = np.full(len(docs), 2**63 + 5, dtype=np.uint64)
    n = int(docs.max()) + 1
    got = _run_pairs(keys, docs, max_run=MAX_BUCKET, star_above=True)
    assert len(got) == len(docs) - 1
    hub = int(docs.min())
    assert {(min(hub, int(d)), max(hub, int(d))) for d in docs if d != hub} == {(c // n, c % n) for c in got.tolist()}
    assert len(_run_pairs(keys, docs, max_run=MAX_BUCKET, star_above=False)) == 0


# --- a document always finds itself ------------------------------------------------------


@given(
    text=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=150).map(" ".join),
    others=st.lists(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=60).map(" ".join), max_size=5),
    at=st.integers(0, 5),
)
@settings(max_examples=60, deadline=None)
def test_document_finds_its_copy(text, others, at):
    docs = [Document(f"o{i}", t) for i, t in enumerate(others)]
    at = min(at, len(docs))
    docs[at:at] = [Document("orig", text)]
    docs.append(Document("copy", text))
    pairs = candidate_pairs(fingerprint_documents(docs, P), P)
    assert (at, len(docs) - 1) in pairs
    rel = verify(docs[at], docs[-1])
    assert rel is not None and rel.kind is RelationKind.DUPLICATE


@given(st.data())
@settings(max_examples=15, deadline=None)
def test_bbc_article_finds_its_copy_in_a_batch(bbc_articles, data):
    idx = data.draw(st.lists(st.integers(0, len(bbc_articles) - 1), min_size=2, max_size=20, unique=True))
    docs = [Document(bbc_articles[i].id, bbc_articles[i].body) for i in idx]
    docs.append(Document("copy", docs[0].text))
    pairs = candidate_pairs(fingerprint_documents(docs, P), P)
    assert (0, len(docs) - 1) in pairs
    assert verify(docs[0], docs[-1]).kind is RelationKind.DUPLICATE


# --- brute-force oracle on real articles --------------------------------------------------


def exact_overlap_pairs(texts, n=5, threshold=0.5):
    """{(i, j): (jaccard, containment)} of every pair whose exact word n-gram sets reach the
    threshold in Jaccard or in containment (|A & B| / min(|A|, |B|)). Shingles are word tuples."""
    vocab: dict[tuple[str, ...], int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        ws = words(t)
        for g in {tuple(ws[k : k + n]) for k in range(len(ws) - n + 1)}:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    m = sp.csr_matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=(len(texts), len(vocab)))
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = sp.triu(m @ m.T, k=1).tocoo()
    out = {}
    for i, j, v in zip(inter.row.tolist(), inter.col.tolist(), inter.data.tolist()):
        jac = v / (sizes[i] + sizes[j] - v)
        cont = v / min(sizes[i], sizes[j])
        if jac >= threshold or cont >= threshold:
            out[(i, j)] = (round(jac, 3), round(cont, 3))
    return out


@pytest.fixture(scope="module")
def bbc_with_planted_copies(bbc_articles):
    """1,500 BBC articles plus trimmed reprints and excerpts planted in other articles."""
    rng = random.Random(2024)
    texts = [f"{a.title}\n\n{a.body}" for a in bbc_articles]
    names = [a.id for a in bbc_articles]
    for k in range(40):
        src, host = rng.sample(bbc_articles, 2)
        ps = src.paragraphs
        if k % 2:  # trimmed, re-headlined reprint
            texts.append("\n\n".join(["Another headline"] + ps[: max(1, int(len(ps) * rng.uniform(0.4, 0.9)))]))
            names.append(f"reprint-of-{src.id}")
        else:  # a few paragraphs of src inside host
            s = rng.randrange(len(ps))
            hp = host.paragraphs
            cut = rng.randint(0, len(hp))
            texts.append("\n\n".join(hp[:cut] + ps[s : s + rng.randint(2, 4)] + hp[cut:]))
            names.append(f"excerpt-of-{src.id}-in-{host.id}")
    return names, texts


def test_candidates_recall_every_exact_overlap_pair(bbc_with_planted_copies):
    names, texts = bbc_with_planted_copies
    truth = exact_overlap_pairs(texts)
    assert len(truth) >= 60  # BBC's own repeats plus the planted copies
    fps = fingerprint_documents([Document(n, t) for n, t in zip(names, texts)], P)
    found = candidate_pairs(fps, P)
    missed = {(names[i], names[j]): truth[i, j] for i, j in truth if (i, j) not in found}
    assert not missed, f"{len(missed)} of {len(truth)} pairs with exact 5-gram overlap >= 0.5 missed: {missed}"


def test_candidate_set_is_well_formed(bbc_with_planted_copies):
    names, texts = bbc_with_planted_copies
    fps = fingerprint_documents([Document(n, t) for n, t in zip(names, texts)], P)
    cs = candidate_set(fps, P)
    assert len(cs) > 0
    assert cs.pairs.dtype == np.int64 and cs.pairs.shape == (len(cs), 2)
    assert (cs.pairs[:, 0] < cs.pairs[:, 1]).all()
    assert cs.pairs.min() >= 0 and cs.pairs.max() < len(texts)
    codes = cs.pairs[:, 0] * len(texts) + cs.pairs[:, 1]
    assert (np.diff(codes) > 0).all()  # sorted, unique
    assert len(cs.verbatim) == len(cs.content) == len(cs.shared_samples) == len(cs)
    # Every pair was proposed by something.
    smaller = np.array([min(len(fps[i].sample), len(fps[j].sample)) for i, j in cs.pairs.tolist()])
    by_samples = (cs.shared_samples >= MIN_SHARED_SAMPLES) | (
        (cs.shared_samples >= 1) & (cs.shared_samples >= MIN_SAMPLE_SHARE * smaller)
    )
    assert (cs.verbatim | cs.content | by_samples).all()
    assert set(map(tuple, cs.pairs.tolist())) == candidate_pairs(
        fingerprint_documents([Document(n, t) for n, t in zip(names, texts)], P), P
    )


# --- edge cases -------------------------------------------------------------------------

NO_WORDS = ["", " ", "\n\n\n", "...", "--- *** ---", "\u2014 \u2022 \u00a0", "!!!?", "(  )"]


def test_documents_without_words_never_pair():
    docs = [Document(f"e{i}", NO_WORDS[i % len(NO_WORDS)]) for i in range(200)]
    docs.append(Document("real", word_salad(3000, seed=2)))
    fps = fingerprint_documents(docs, P)
    assert all(f.n_shingles == 0 and f.n_content == 0 and len(f.sample) == 0 for f in fps[:-1])
    assert candidate_pairs(fps, P) == set()
    assert stock_hashes(fps) == frozenset()
    for a, b in ((docs[0], docs[1]), (docs[0], docs[8]), (docs[3], docs[-1])):
        assert verify(a, b) is None
        assert verify(b, a) is None


def test_one_word_document(bbc_articles):
    hosts = [a for a in bbc_articles if "minister" in words(a.body)][:20]
    docs = [Document("one", "Minister"), Document("one-copy", "minister.")]
    docs += [Document(h.id, h.body) for h in hosts]
    fps = fingerprint_documents(docs, P)
    assert (fps[0].n_shingles, fps[0].n_content, len(fps[0].sample)) == (1, 1, 1)
    assert candidate_pairs(fps, P) & {(0, k) for k in range(2, len(docs))} == set()
    assert (0, 1) in candidate_pairs(fps, P)
    assert verify(docs[0], docs[1]).kind is RelationKind.DUPLICATE
    assert all(verify(docs[0], d) is None for d in docs[2:])


def test_stock_paragraph_in_unrelated_articles_is_stock(bbc_articles):
    rng = random.Random(3)
    stock = (
        "Copyright 2005 Example Media Group. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed without the written permission of the publisher."
    )
    picked = rng.sample(bbc_articles, 8)
    docs = [Document(a.id, f"{a.body}\n\n{stock}") for a in picked]
    fps = fingerprint_documents(docs, P)
    stock_shingles = set(document_shingles(Document("s", stock), P)[0].tolist())
    found = stock_hashes(fps)
    assert len(found) >= 2  # the shared paragraph's sampled hashes ...
    assert found <= stock_shingles  # ... and nothing of the articles' own text


def test_story_reprinted_many_times_is_not_stock(bbc_articles):
    rng = random.Random(4)
    src = next(a for a in bbc_articles if len(a.paragraphs) >= 10)
    ps = src.paragraphs
    copies = [Document(f"copy{k}", "\n\n".join(ps[: rng.randint(6, len(ps))])) for k in range(8)]
    others = [Document(a.id, a.body) for a in rng.sample(bbc_articles, 8)]
    assert stock_hashes(fingerprint_documents(copies + others, P)) == frozenset()


def test_content_view_keeps_exactly_the_pairs_whose_estimate_reaches_the_floor(bbc_with_planted_copies):
    from dedup.candidates import CONTENT_SALT, MAX_BUCKET, MIN_CONTENT_ESTIMATE, MIN_CONTENT_STEMS
    from dedup.fingerprint import band_key_matrix

    names, texts = bbc_with_planted_copies
    fps = fingerprint_documents([Document(n, t) for n, t in zip(names, texts)], P)
    cs = candidate_set(fps, P)
    flagged = {tuple(p) for p, c in zip(cs.pairs.tolist(), cs.content.tolist()) if c}
    # every pair sharing a content band key, the obvious way
    ok = [i for i, f in enumerate(fps) if f.n_content >= MIN_CONTENT_STEMS]
    keys = band_key_matrix(np.stack([fps[i].content_minhash for i in ok]), P.content_bands, CONTENT_SALT)
    buckets = defaultdict(list)
    for i, row in zip(ok, keys.tolist()):
        for k in row:
            buckets[k].append(i)
    assert max(len(b) for b in buckets.values()) <= MAX_BUCKET  # no star links in this corpus
    shared = {(a, b) for run in buckets.values() for x, a in enumerate(run) for b in run[x + 1 :] if a != b}
    want = {p for p in shared if np.mean(fps[p[0]].content_minhash == fps[p[1]].content_minhash) >= MIN_CONTENT_ESTIMATE}
    assert len(want) > 50
    assert flagged == want


@pytest.mark.parametrize("threads", [2, 3], ids=["2-threads", "3-threads"])
def test_candidate_set_in_threads_equals_one_thread(bbc_with_planted_copies, threads):
    names, texts = bbc_with_planted_copies
    fps = fingerprint_documents([Document(n, t) for n, t in zip(names, texts)], P)
    one, many = candidate_set(fps, P), candidate_set(fps, P, threads=threads)
    assert len(one) > 0
    for field in ("pairs", "verbatim", "content", "shared_samples"):
        a, b = getattr(one, field), getattr(many, field)
        assert a.dtype == b.dtype and a.tolist() == b.tolist(), field


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_engine_candidates_equal_candidate_set(bbc_with_planted_copies):
    from dedup.engines.local import LocalEngine

    names, texts = bbc_with_planted_copies
    docs = [Document(n, t) for n, t in zip(names, texts)]
    with LocalEngine(docs, P, workers=2) as engine:
        assert engine._pool is not None
        fps = engine.fingerprints(lambda d, t: None)
        got = engine.candidates(fps)
    want = candidate_set(fingerprint_documents(docs, P), P)
    assert len(want) > 0
    for field in ("pairs", "verbatim", "content", "shared_samples"):
        assert getattr(got, field).tolist() == getattr(want, field).tolist(), field

"""dedup.fingerprint against slow obvious implementations, exact Jaccard on real text,
and the winnowing guarantee."""

import random

import numpy as np
import pytest
import xxhash
from conftest import synthetic_vocabulary, word_salad
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.fingerprint import (
    _donor_table,
    _oph,
    band_keys,
    estimate_jaccard,
    fingerprint_documents,
    shingle_hashes,
    winnow,
    word_hashes,
)
from dedup.normalize import STOP_WORDS, stem, words
from dedup.params import FingerprintParams
from dedup.records import Document

MASK64 = (1 << 64) - 1
EMPTY = 0xFFFFFFFF
GOLD = 0x9E3779B97F4A7C15
P = FingerprintParams()
VOCAB = synthetic_vocabulary()


# --- slow, obvious reference implementation (Python ints, one document at a time) ---------


def fmix64(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    return x ^ (x >> 33)


POLY = 0x9E3779B97F4A7C15
M1, M2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53


def slow_word_hash(w, seed):
    """The documented word hash, one byte at a time: fmix64(sum b_k P^k + len M1 + seed M2)."""
    b = w.encode("utf-8")
    acc, p = 0, 1
    for x in b:
        acc = (acc + x * p) & MASK64
        p = (p * POLY) & MASK64
    return fmix64((acc + len(b) * M1 + seed * M2) & MASK64) or 1


def slow_word_hashes(ws, seed):
    return [slow_word_hash(w, seed) for w in ws]


def slow_stem_hashes(stems, seed):
    return [xxhash.xxh3_64_intdigest(s.encode("utf-8"), seed=seed) for s in stems]


def slow_shingles(hs, n):
    if not hs:
        return []
    n = min(n, len(hs))
    out = []
    for i in range(len(hs) - n + 1):
        acc = hs[i]
        for j in range(1, n):
            acc = (acc * GOLD + hs[i + j]) & MASK64
        out.append(fmix64(acc))
    return out


def slow_oph(hashes, num_perm, salt):
    """One-permutation MinHash of one document, then optimal densification bin by bin."""
    sig = [EMPTY] * num_perm
    for h in hashes:
        x = fmix64(int(h) ^ salt)
        b, v = x % num_perm, x >> 32
        sig[b] = min(sig[b], v)
    if all(v == EMPTY for v in sig):
        return sig
    table = _donor_table(num_perm)
    out = list(sig)
    for b in range(num_perm):
        if sig[b] != EMPTY:
            continue
        for k in range(table.shape[1]):
            donor = int(table[b, k])
            if sig[donor] != EMPTY:
                out[b] = ((sig[donor] * 0x9E3779B1 + k + 1) & MASK64) & 0xFFFFFFFE
                break
        else:  # no donor on the whole probe sequence: the first non-empty bin
            out[b] = next(v for v in sig if v != EMPTY)
    return out


def slow_winnow(hs, window):
    if len(hs) <= 4 * window:  # a short text keeps every shingle
        return sorted(set(hs))
    return sorted({min(hs[i : i + window]) for i in range(len(hs) - window + 1)})


def slow_fingerprint(text, params):
    ws = words(text)
    sh = slow_shingles(slow_word_hashes(ws, params.seed), params.shingle_size)
    stems = sorted({stem(w) for w in set(ws) - STOP_WORDS if len(w) > 1 and not w[0].isdigit()})
    ch = slow_stem_hashes(stems, params.seed + 1)
    return (
        slow_oph(set(sh), params.num_perm, params.seed),
        slow_oph(ch, params.num_perm, params.seed * 7919 + 1),
        slow_winnow(sh, params.mod_sample),
        len(sh),  # n-gram positions, repeats included
        len(ch),
    )


ORACLE_TEXTS = {
    "empty": "",
    "punctuation-only": "... --- !!! ***",
    "one-word": "Hello",
    "four-words": "Hello there big world",
    "five-words": "The quick brown fox jumps",
    "stop-words-only": "the and of it is was said",
    "short-sentence": "Pakistan's army said 155,221 people had left the \u201cred zone\u201d on Monday.",
    "repeated-word": "buffalo " * 40,
    "pounds-and-dashes": "Profits rose 5% to \u00a33.20bn \u2013 the highest since 2004\u00a0\u2014 Reuters\u2026 \u201cgood\u201d",
    "curly-apostrophe": "The firm\u2019s chief said it\u2019s \u00a35m \u2013 caf\u00e9 owners disagree",
    "salad-300": word_salad(2000, seed=3),
    "salad-3000": word_salad(20000, seed=4),
}


@pytest.mark.parametrize("name", list(ORACLE_TEXTS))
@pytest.mark.parametrize(
    "params",
    [P, FingerprintParams(num_perm=16, bands=4, content_bands=8, shingle_size=3, mod_sample=4, seed=9)],
    ids=["default", "small"],
)
def test_fingerprint_equals_slow_reference(name, params):
    text = ORACLE_TEXTS[name]
    fp = fingerprint_documents([Document(name, text)], params)[0]
    minhash, content, sample, n_sh, n_ct = slow_fingerprint(text, params)
    assert fp.minhash.dtype == np.uint32 and fp.minhash.shape == (params.num_perm,)
    assert fp.minhash.tolist() == minhash
    assert fp.content_minhash.tolist() == content
    assert fp.sample.dtype == np.uint64 and fp.sample.tolist() == sample
    assert (fp.n_shingles, fp.n_content) == (n_sh, n_ct)


def test_oph_batch_equals_per_document_loops():
    """Many documents in one batch, most with many empty bins, some with none at all."""
    rng = np.random.default_rng(5)
    sizes = (0, 1, 2, 3, 7, 50, 0, 128, 400, 1, *range(1, 60, 2))  # thousands of empty bins: round by round
    lists = [rng.integers(0, 2**63, size=k, dtype=np.uint64) for k in sizes]
    for num_perm, salt in ((128, 1), (64, 7919 * 3 + 1), (16, 0)):
        got = _oph(lists, num_perm, salt)
        assert got.shape == (len(lists), num_perm)
        for row, hs in zip(got, lists):
            assert row.tolist() == slow_oph(hs.tolist(), num_perm, salt)


def test_oph_of_no_documents_with_shingles_is_all_empty():
    got = _oph([np.empty(0, np.uint64)] * 3, 32, 1)
    assert (got == EMPTY).all()


@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.sampled_from([16, 32, 128]))
@settings(max_examples=60, deadline=None)
def test_oph_densified_rows_are_full(hashes, num_perm):
    row = _oph([np.asarray(hashes, dtype=np.uint64)], num_perm, 1)[0]
    if hashes:
        assert (row != EMPTY).all()
    else:
        assert (row == EMPTY).all()


@given(st.lists(st.sampled_from(VOCAB[:50]), max_size=40), st.integers(1, 8))
@settings(max_examples=80, deadline=None)
def test_shingles_and_winnow_equal_slow_loops(ws, window):
    hs = word_hashes(ws, 3)
    assert hs.tolist() == slow_word_hashes(ws, 3)
    for n in (1, 2, 5):
        sh = shingle_hashes(hs, n)
        assert sh.tolist() == slow_shingles(hs.tolist(), n)
        assert winnow(sh, window).tolist() == slow_winnow(sh.tolist(), window)


# --- properties ----------------------------------------------------------------------------

_TEXT = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=200).map(" ".join)


@given(_TEXT)
@settings(max_examples=40, deadline=None)
def test_signatures_are_deterministic_for_a_seed(text):
    a = fingerprint_documents([Document("a", text)], P)[0]
    b = fingerprint_documents([Document("b", text), Document("c", "other words here")], P)[0]
    assert np.array_equal(a.minhash, b.minhash)
    assert np.array_equal(a.content_minhash, b.content_minhash)
    assert np.array_equal(a.sample, b.sample)
    assert [k.tolist() for k in band_keys(a, P)] == [k.tolist() for k in band_keys(b, P)]


@given(st.lists(st.sampled_from(VOCAB), min_size=40, max_size=200).map(" ".join))
@settings(max_examples=40, deadline=None)
def test_another_seed_gives_other_signatures(text):
    a = fingerprint_documents([Document("a", text)], P)[0]
    b = fingerprint_documents([Document("a", text)], FingerprintParams(seed=2))[0]
    # Independent hash functions agree on a position with probability ~2^-32.
    assert np.mean(a.minhash == b.minhash) < 0.1
    assert np.mean(a.content_minhash == b.content_minhash) < 0.1
    assert not np.array_equal(a.sample, b.sample)


def test_band_keys_shape_and_empty_views():
    fps = fingerprint_documents(
        [Document("full", word_salad(3000, seed=1)), Document("empty", ""), Document("stop", "the and of it")], P
    )
    v, c = band_keys(fps[0], P)
    assert (len(v), len(c)) == (P.bands, P.content_bands)
    assert len(set(v.tolist())) == P.bands  # the band number is mixed into every key
    assert [len(k) for k in band_keys(fps[1], P)] == [0, 0]
    v, c = band_keys(fps[2], P)
    assert (len(v), len(c)) == (P.bands, 0)  # shingles of stop words, no content stems


@given(
    prefix_a=st.lists(st.sampled_from(VOCAB), max_size=60),
    prefix_b=st.lists(st.sampled_from(VOCAB), max_size=60),
    suffix_a=st.lists(st.sampled_from(VOCAB), max_size=30),
    suffix_b=st.lists(st.sampled_from(VOCAB), max_size=30),
    run_seed=st.integers(0, 2**32),
    params=st.sampled_from(
        [P, FingerprintParams(mod_sample=4, shingle_size=3), FingerprintParams(mod_sample=16, shingle_size=8)]
    ),
)
@settings(max_examples=150, deadline=None)
def test_winnowing_guarantee(prefix_a, prefix_b, suffix_a, suffix_b, run_seed, params):
    """Any shared run of mod_sample + shingle_size - 1 words shares a sampled hash."""
    rng = random.Random(run_seed)
    run = [rng.choice(VOCAB) for _ in range(params.mod_sample + params.shingle_size - 1)]
    a = Document("a", " ".join(prefix_a + run + suffix_a))
    b = Document("b", " ".join(prefix_b + run + suffix_b))
    fa, fb = fingerprint_documents([a, b], params)
    assert len(np.intersect1d(fa.sample, fb.sample)) >= 1


def _exact_jaccard(a, b):
    return len(a & b) / len(a | b) if a | b else 0.0


def _shingle_set(text, n=5):
    ws = words(text)
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def _content_set(text):
    return {stem(w) for w in set(words(text)) - STOP_WORDS if len(w) > 1 and not w[0].isdigit()}


def test_minhash_estimates_exact_jaccard_on_real_text(bbc_articles):
    """Pairs of one BBC article and a version with some paragraphs swapped for another article's."""
    rng = random.Random(11)
    long = [a for a in bbc_articles if len(a.paragraphs) >= 8]
    pairs = []
    for _ in range(60):
        x, y = rng.sample(long, 2)
        k = rng.randint(0, len(x.paragraphs))
        swapped = x.paragraphs[:]
        for i in rng.sample(range(len(swapped)), k):
            swapped[i] = rng.choice(y.paragraphs)
        pairs.append(("\n\n".join(x.paragraphs), "\n\n".join(swapped)))
    fps = fingerprint_documents([Document(str(i), t) for p in pairs for i, t in enumerate(p)], P)
    errs, cerrs, exacts = [], [], []
    for n, (ta, tb) in enumerate(pairs):
        fa, fb = fps[2 * n], fps[2 * n + 1]
        j = _exact_jaccard(_shingle_set(ta), _shingle_set(tb))
        cj = _exact_jaccard(_content_set(ta), _content_set(tb))
        exacts.append(j)
        errs.append(estimate_jaccard(fa.minhash, fb.minhash) - j)
        cerrs.append(estimate_jaccard(fa.content_minhash, fb.content_minhash) - cj)
    assert min(exacts) < 0.2 and max(exacts) == 1.0  # the pairs span the range
    # Standard error of a 128-bin estimate is at most 0.044; 0.18 is four of them.
    for e in errs + cerrs:
        assert abs(e) <= 0.18
    for es in (errs, cerrs):
        assert np.mean(np.abs(es)) <= 0.05
        assert abs(np.mean(es)) <= 0.03  # unbiased


def test_stem_table_keeps_answers_while_it_grows():
    from dedup.fingerprint import _Lexicon

    lex = _Lexicon(seed=5, bits=3)  # 8 slots: grows several times during one lookup
    ws = [w for w in VOCAB[:300]] + ["the", "said", "7", "a"]
    hs = word_hashes(ws, 5)

    def at(positions):
        return [ws[k] for k in positions.tolist()]

    lex.stems(hs[:20], at)  # some words known, so the next lookup has hits
    first = lex.stems(hs, at)  # ... and many misses, which grow the table
    again = lex.stems(hs, at)
    assert first.tolist() == again.tolist()
    assert len(lex.keys) >= 2 * len(set(ws))
    for w, sid in zip(ws, first.tolist()):
        content = len(w) > 1 and w not in STOP_WORDS and not w[0].isdigit()
        assert (sid >= 0) == content, w
    # the same stem gets the same id
    by_stem = {}
    for w, sid in zip(ws, first.tolist()):
        if sid >= 0:
            assert by_stem.setdefault(stem(w), sid) == sid


def test_fingerprints_do_not_depend_on_what_was_seen_before():
    from dedup import fingerprint as fpm

    docs = [Document(str(i), word_salad(800, i)) for i in range(40)]
    fpm._LEXICONS.clear()
    cold = fingerprint_documents(docs, P)
    warm = fingerprint_documents(docs, P)
    for a, b in zip(cold, warm):
        assert a.minhash.tolist() == b.minhash.tolist()
        assert a.content_minhash.tolist() == b.content_minhash.tolist()
        assert a.sample.tolist() == b.sample.tolist() and a.n_content == b.n_content


@given(st.lists(st.text(alphabet="abc déf'.,:9 \n\u2019É\u00a3\u2013\u00a0\u0301\u2018", max_size=80), min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_a_batch_of_mixed_scripts_fingerprints_each_document_as_alone(texts):
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    batch = fingerprint_documents(docs, P)
    for d, f in zip(docs, batch):
        alone = fingerprint_documents([d], P)[0]
        assert f.minhash.tolist() == alone.minhash.tolist()
        assert f.content_minhash.tolist() == alone.content_minhash.tolist()
        assert f.sample.tolist() == alone.sample.tolist()
        assert (f.n_shingles, f.n_content, f.text_key) == (alone.n_shingles, alone.n_content, alone.text_key)
        # and the word hashes are those of the canonical words, whichever path found them
        assert (f.text_key == 0) == (not words(d.text))


# --- the vectorised helpers against their obvious versions --------------------------------


@given(st.lists(st.integers(0, MASK64), min_size=1, max_size=80), st.integers(1, 20))
@settings(max_examples=150, deadline=None)
def test_window_minima_is_the_minimum_of_every_window(values, window):
    from dedup.fingerprint import window_minima

    hs = np.array(values, dtype=np.uint64)
    got = window_minima(hs, window).tolist()
    assert got == [min(values[i : i + window]) for i in range(len(values) - window + 1)]


@given(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 3), st.integers(0, 7)), min_size=1, max_size=120),
    st.sampled_from([0, 1, 0xFFFFFFFFFFFF0000, MASK64 - 7]),
)
@settings(max_examples=150, deadline=None)
def test_unique_per_doc_sorts_by_owner_then_value(entries, high):
    from dedup.fingerprint import _unique_per_doc

    # few distinct high parts and low parts: many values tie on their high bits
    owner = np.array([o for o, _, _ in entries], dtype=np.int64)
    values = np.array([(high ^ (h << 40)) + lo for _, h, lo in entries], dtype=np.uint64)
    v, o = _unique_per_doc(values, owner)
    want = sorted({(int(a), int(b)) for a, b in zip(owner, values)})
    assert list(zip(o.tolist(), v.tolist())) == want


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 63, 64, 65, 1000, 4097], ids=str)
def test_power_tables_are_running_products(size):
    from dedup.fingerprint import _P, _P_INV, _power_table

    for base in (_P, _P_INV):
        want, x = [], 1
        for _ in range(size):
            want.append(x)
            x = (x * int(base)) & MASK64
        assert _power_table(base, size).tolist() == want


def test_documents_across_batch_boundaries_fingerprint_as_in_one_batch(monkeypatch):
    from dedup import fingerprint as fpm

    docs = [Document(str(i), word_salad(30 + 37 * i, i)) for i in range(23)]
    docs += [Document("short", "two words"), Document("empty", "..."), Document("accents", "Café déjà vu, l’été " * 9)]
    whole = fingerprint_documents(docs, P)
    monkeypatch.setattr(fpm, "DOC_BATCH", 5)
    split = fingerprint_documents(docs, P)
    assert [f.doc_id for f in split] == [d.id for d in docs]
    for a, b in zip(whole, split):
        assert a.minhash.tolist() == b.minhash.tolist()
        assert a.content_minhash.tolist() == b.content_minhash.tolist()
        assert a.sample.dtype == b.sample.dtype and a.sample.tolist() == b.sample.tolist()
        assert (a.n_shingles, a.n_content, a.text_key) == (b.n_shingles, b.n_content, b.text_key)


@given(st.text(alphabet="ab Z19'.,:_-\n\u00a3\u2013\u2014\u00a0\u0301\u2018\u2019\u02bc\u201c\u00e9\u0661\uff11\ufb01\u2026", max_size=60))
@settings(max_examples=300, deadline=None)
def test_text_with_only_separator_characters_keeps_its_words_in_ascii(text):
    from dedup.normalize import _tokenize_regex, ascii_view

    plain = ascii_view(text)
    if plain is not None:
        assert plain.isascii() and len(plain) == len(text)
        assert words(plain) == list(_tokenize_regex(text).words)

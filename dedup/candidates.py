"""Fingerprints -> candidate pairs. LSH proposes; verify.py decides.

A pair of documents is a candidate when they share

* a verbatim band key (MinHash over word n-grams: resemblance of the wording), or
* a paraphrase band key (MinHash over content stems: the same story reworded), or
* at least ``MIN_SHARED_SAMPLES`` winnowed shingle hashes (containment: a trimmed
  reprint, an excerpt, reused captions), counting only hashes held by at most
  ``MAX_POSTINGS`` documents (a phrase in more is stock wording, not a copy).

Everything is vectorised over the whole batch: keys are sorted once and pairs are
generated from the runs of equal keys with numpy, never with a Python double loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .fingerprint import Fingerprint, band_key_matrix
from .params import FingerprintParams

_U64 = np.uint64

# Two sampled hashes: a shared run of about 2 x (mod_sample + shingle_size) words, or two
# separate runs. One alone is too often a stock phrase ("said in a statement on Monday").
MIN_SHARED_SAMPLES = 2
# ... or, for a text too short to hold two samples, this share of the smaller side's samples
# (a containment estimate: a 15-word brief inside a long article).
MIN_SAMPLE_SHARE = 0.5
# A sampled 5-gram held by more documents than this is stock wording. Set on Reuters-21578
# (benchmarks/quality.py): earnings-table phrases are held by thousands of reports.
MAX_POSTINGS = 100
# A band bucket larger than this (hundreds of copies of one story) is linked as a star from
# its first member instead of all pairs; stories are transitive, so nothing is lost.
MAX_BUCKET = 64

# Stock text (share lines, house paragraphs, standard disclaimers): a sampled hash held by at
# least STOCK_MIN_DOCS documents whose content-stem MinHash agree on less than
# STOCK_MAX_RELATEDNESS on average. A story reprinted by fifty outlets is held by fifty
# documents too, but those are copies of one another and agree far more (synthetic
# syndication corpus: families 0.4-0.9, template paragraphs across stories < 0.1).
STOCK_MIN_DOCS = 4
STOCK_MAX_RELATEDNESS = 0.2
STOCK_PROBE = 12  # holders compared per hash

# The paraphrase view needs enough content words to say anything: below this many distinct
# content stems (an earnings table, a one-line brief) a document is matched on wording only.
MIN_CONTENT_STEMS = 20
# A pair proposed by the paraphrase view alone is kept when its MinHash estimate of content
# Jaccard reaches this (seeds: same-event pairs 0.21-0.28, paraphrase 0.53; BBC different
# stories of one category: 99.5% below 0.15). LSH proposes, the estimate filters, verify decides.
MIN_CONTENT_ESTIMATE = 0.15

VERBATIM_SALT = 1
CONTENT_SALT = 2


@dataclass(frozen=True, slots=True)
class CandidateSet:
    """Candidate pairs as index pairs into the fingerprint list, with which view proposed them."""

    pairs: np.ndarray  # int64[k, 2], i < j, sorted, unique
    verbatim: np.ndarray  # bool[k]
    content: np.ndarray  # bool[k]
    shared_samples: np.ndarray  # int32[k], winnowed hashes shared (0 when not counted)

    def __len__(self) -> int:
        return len(self.pairs)


def _run_pairs(keys: np.ndarray, docs: np.ndarray, *, max_run: int, star_above: bool) -> np.ndarray:
    """Pair codes (i * n + j, i < j) of all documents sharing a key.

    ``keys`` (uint64)/``docs`` are parallel arrays. Runs longer than ``max_run`` are linked as
    a star (``star_above``) or dropped.
    """
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    keys = keys.astype(_U64, copy=False)
    # One sort of the keys' high bits with each entry's index in the low bits: numpy's SIMD
    # sort of plain uint64 is ~3x faster than an argsort followed by gathers. Only entries
    # whose high bits repeat can be in a run; their full keys are looked up, and a run of
    # equal high bits holding different keys (rare) is put in key order. The order within a
    # run does not matter (pair codes take min/max, a star's centre is its smallest document).
    bits = max(1, (len(keys) - 1).bit_length())
    if bits > 40:
        order = np.argsort(keys)
    else:
        low = _U64((1 << bits) - 1)
        packed = np.sort((keys & ~low) | np.arange(len(keys), dtype=_U64))
        high = packed >> _U64(bits)
        same = high[1:] == high[:-1]
        in_run = np.zeros(len(keys), dtype=bool)
        in_run[1:] = same
        in_run[:-1] |= same
        order = (packed[in_run] & low).astype(np.int64)
        k = keys[order]
        h = high[in_run]
        mixed = (h[1:] == h[:-1]) & (k[1:] != k[:-1])
        if mixed.any():
            run = np.cumsum(np.concatenate([[True], h[1:] != h[:-1]]))
            at = np.flatnonzero(np.isin(run, run[1:][mixed]))
            sub = order[at]
            order[at] = sub[np.lexsort((keys[sub], run[at]))]
    k = keys[order]
    d = docs[order]
    n = np.int64(int(docs.max()) + 1)
    if not len(k):
        return np.empty(0, dtype=np.int64)
    brk = np.flatnonzero(k[1:] != k[:-1]) + 1
    starts = np.concatenate([[0], brk])
    sizes = np.diff(np.concatenate([starts, [len(k)]]))
    codes: list[np.ndarray] = []

    big = sizes > max_run
    if big.any():
        if star_above:
            for s, z in zip(starts[big], sizes[big]):
                run = d[s : s + z]
                c = int(run.argmin())
                rest = np.delete(run, c).astype(np.int64)
                codes.append(np.int64(run[c]) * n + rest)
    keep = (sizes >= 2) & ~big
    starts, sizes = starts[keep], sizes[keep]
    if len(sizes):
        # For every element of every run, its partners are the later elements of the run.
        elem = np.repeat(starts, sizes) + (np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes))
        rank = elem - np.repeat(starts, sizes)
        after = np.repeat(sizes, sizes) - 1 - rank
        left = np.repeat(elem, after)
        offs = np.arange(after.sum()) - np.repeat(np.cumsum(after) - after, after) + 1
        right = left + offs
        a = d[left].astype(np.int64)
        b = d[right].astype(np.int64)
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not codes:
        return np.empty(0, dtype=np.int64)
    out = np.concatenate(codes)
    return out[(out // n) != (out % n)]


def _unique(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and their counts, by one sort (numpy's hash-based unique is
    several times slower on these arrays of pair codes)."""
    if not len(codes):
        return codes, np.empty(0, dtype=np.int64)
    s = np.sort(codes)
    first = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]]))
    return s[first], np.diff(np.append(first, len(s)))


def _rows(sigs: list[np.ndarray]) -> np.ndarray:
    """Equal-length signatures as the rows of one matrix (one concatenation: np.stack adds
    an axis to each of them first, 4x slower on 20k rows)."""
    return np.concatenate(sigs).reshape(len(sigs), -1)


def strong_samples(shared: np.ndarray, smaller: np.ndarray) -> np.ndarray:
    """Which pairs share enough winnowed samples: MIN_SHARED_SAMPLES of them, or (a short
    text) MIN_SAMPLE_SHARE of the smaller side's (``shared`` >= 1 for every pair given)."""
    return (shared >= MIN_SHARED_SAMPLES) | (shared >= MIN_SAMPLE_SHARE * smaller)


def _band_codes(sigs: np.ndarray, valid: np.ndarray, bands: int, salt: int, n: int) -> np.ndarray:
    """Sorted distinct pair codes of the documents (rows of ``sigs`` where ``valid``) that
    share a band key."""
    idx = np.flatnonzero(valid)
    if len(idx) < 2:
        return np.empty(0, dtype=np.int64)
    keys = band_key_matrix(sigs[idx], bands, salt)  # [m, bands]
    docs = np.repeat(idx, bands)
    codes = _run_pairs(keys.ravel(), docs, max_run=MAX_BUCKET, star_above=True)
    return _unique(_recode(codes, int(idx.max()) + 1, n))[0]


def _recode(codes: np.ndarray, n_from: int, n_to: int) -> np.ndarray:
    if n_from == n_to or not len(codes):
        return codes
    return (codes // n_from) * n_to + codes % n_from


def candidate_set(fps: Sequence[Fingerprint], params: FingerprintParams, *, threads: int = 1) -> CandidateSet:
    """All candidate pairs of a batch of fingerprints (indexes into ``fps``).

    ``threads`` > 1 finds the three views' pairs in up to that many threads at once: their
    sorts, gathers and arithmetic run in numpy without the GIL (20k documents of
    benchmarks/speed.py on 2 idle cores: 0.23 -> 0.13 s). The result does not depend on it.
    """
    n = len(fps)
    empty = CandidateSet(
        np.empty((0, 2), np.int64), np.empty(0, bool), np.empty(0, bool), np.empty(0, np.int32)
    )
    if n < 2:
        return empty
    mh = _rows([f.minhash for f in fps])
    cmh = _rows([f.content_minhash for f in fps])
    has_shingles = np.fromiter((f.n_shingles > 0 for f in fps), bool, count=n)
    has_content = np.fromiter((f.n_content >= MIN_CONTENT_STEMS for f in fps), bool, count=n)
    lengths = np.fromiter((len(f.sample) for f in fps), np.int64, count=n)
    hashes = np.concatenate([f.sample for f in fps]) if lengths.sum() else np.empty(0, np.uint64)

    # The biggest job first, so that two threads share the work about evenly.
    jobs = [
        (_content_codes, (cmh, has_content, params.content_bands, n)),
        (_sample_codes, (hashes, lengths, n)),
        (_band_codes, (mh, has_shingles, params.bands, VERBATIM_SALT, n)),
    ]
    if threads > 1:
        with ThreadPoolExecutor(min(threads, len(jobs))) as ex:
            c_codes, (s_codes, s_counts), v_codes = [f.result() for f in [ex.submit(fn, *a) for fn, a in jobs]]
    else:
        c_codes, (s_codes, s_counts), v_codes = [fn(*a) for fn, a in jobs]

    codes = _unique(np.concatenate([v_codes, c_codes, s_codes]))[0]
    if not len(codes):
        return empty
    shared = np.zeros(len(codes), dtype=np.int32)
    shared[np.searchsorted(codes, s_codes)] = s_counts
    # Each view's codes are sorted, distinct and among ``codes``: flagged where they sit.
    verbatim = np.zeros(len(codes), dtype=bool)
    verbatim[np.searchsorted(codes, v_codes)] = True
    content = np.zeros(len(codes), dtype=bool)
    content[np.searchsorted(codes, c_codes)] = True
    return CandidateSet(
        pairs=np.stack([codes // n, codes % n], axis=1),
        verbatim=verbatim,
        content=content,
        shared_samples=shared,
    )


def _content_codes(cmh: np.ndarray, has_content: np.ndarray, bands: int, n: int) -> np.ndarray:
    """Sorted distinct pair codes proposed by the paraphrase view and kept by its estimate."""
    c_codes = _band_codes(cmh, has_content, bands, CONTENT_SALT, n)
    if not len(c_codes):
        return c_codes
    # Matching rows counted in chunks (bounded memory for huge candidate sets) and compared
    # with the smallest count whose share reaches the estimate: the same test as a mean.
    # Equal rows as bits, counted with popcount; 4096 pairs (2 MB of rows) at a time stay in cache.
    k = cmh.shape[1]
    need = next(c for c in range(k + 1) if c / k >= MIN_CONTENT_ESTIMATE)
    rows_a, rows_b = c_codes // n, c_codes % n
    hits = np.empty(len(c_codes), dtype=np.int64)
    for lo in range(0, len(c_codes), 4096):
        hi = lo + 4096
        eq = np.packbits(cmh[rows_a[lo:hi]] == cmh[rows_b[lo:hi]], axis=1)
        hits[lo:hi] = np.bitwise_count(eq).sum(axis=1, dtype=np.int64)
    return c_codes[hits >= need]


def _sample_codes(hashes: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct pair codes sharing enough winnowed samples, and how many they share.
    ``hashes``: every document's samples one after the other, ``lengths`` per document."""
    if not len(hashes):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    owners = np.repeat(np.arange(n, dtype=np.int64), lengths)
    s_all = _run_pairs(hashes, owners, max_run=MAX_POSTINGS, star_above=False)
    s_all = _recode(s_all, int(owners.max()) + 1, n)
    s_codes, s_counts = _unique(s_all)
    # Enough shared samples, or (a short text) most of the smaller side's samples.
    smaller = np.minimum(lengths[s_codes // n], lengths[s_codes % n])
    strong = strong_samples(s_counts, smaller)
    return s_codes[strong], s_counts[strong]


def is_stock(content_minhashes: np.ndarray) -> bool:
    """True when the holders of one hash (their content MinHash rows) are mostly unrelated."""
    m = content_minhashes[:STOCK_PROBE]
    if len(m) < STOCK_MIN_DOCS:
        return False
    eq = (m[:, None, :] == m[None, :, :]).mean(axis=2)
    k = len(m)
    mean = (eq.sum() - k) / (k * (k - 1))
    return bool(mean < STOCK_MAX_RELATEDNESS)


def stock_hashes(fps: Sequence[Fingerprint]) -> frozenset[int]:
    """Sampled hashes that are stock text in this batch (see STOCK_MIN_DOCS)."""
    n = len(fps)
    lengths = np.fromiter((len(f.sample) for f in fps), np.int64, count=n)
    if n < STOCK_MIN_DOCS or not lengths.sum():
        return frozenset()
    hashes = np.concatenate([f.sample for f in fps])
    owners = np.repeat(np.arange(n, dtype=np.int64), lengths)
    order = np.argsort(hashes, kind="stable")
    hs, ow = hashes[order], owners[order]
    uniq, first, counts = np.unique(hs, return_index=True, return_counts=True)
    busy = np.flatnonzero(counts >= STOCK_MIN_DOCS)
    if not len(busy):
        return frozenset()
    cmh = _rows([f.content_minhash for f in fps])
    out = set()
    # A stock phrase puts several sampled hashes on the same holders: one test per probe.
    seen: dict[bytes, bool] = {}
    spread: dict[int, np.ndarray] = {}
    for u in busy.tolist():
        holders = ow[first[u] : first[u] + counts[u]]
        # Spread the probe over the holders, not just the first few in input order.
        k = len(holders)
        at = spread.get(k)
        if at is None:
            at = spread[k] = np.linspace(0, k - 1, min(k, STOCK_PROBE)).astype(np.int64)
        probe = holders[at]
        key = probe.tobytes()
        verdict = seen.get(key)
        if verdict is None:
            verdict = seen[key] = is_stock(cmh[probe])
        if verdict:
            out.add(int(uniq[u]))
    return frozenset(out)


def candidate_pairs(fps: Sequence[Fingerprint], params: FingerprintParams) -> set[tuple[int, int]]:
    """Candidate pairs as a set of (i, j), i < j, indexes into ``fps``."""
    return {(int(i), int(j)) for i, j in candidate_set(fps, params).pairs}

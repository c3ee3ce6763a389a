"""Tokens -> shingles -> MinHash signatures and containment samples, vectorised.

Two MinHash views per document:

* verbatim: word ``shingle_size``-grams (5 by default) over canonical words;
* paraphrase: the set of content-word stems, which survives rewording (seeds 000/001
  share 5% of word 5-grams but 53% of content stems).

Signatures use one-permutation hashing (Li, Owen & Zhang 2012) with rotation
densification (Shrivastava & Li 2014): one hash per shingle, the minimum taken per
bin, empty bins filled from the next non-empty bin to the right. Collision
probability per bin equals the Jaccard similarity, as for ``num_perm`` independent
permutations, at the cost of one pass over the shingles instead of ``num_perm``.

The containment sample is the winnowed set of verbatim shingle hashes (Schleimer,
Wilkerson & Aiken 2003): the minimum of every window of ``mod_sample`` consecutive
shingles. Any shared run of ``mod_sample + shingle_size - 1`` words is guaranteed
to share at least one sampled hash, wherever it sits in either document, which is
what finds an excerpt inside a longer article or a trimmed reprint.

No shingle string is ever built: canonical words are hashed once (xxh3) and n-gram
hashes are combined with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash
from numpy.lib.stride_tricks import sliding_window_view

from .normalize import STOP_WORDS, stem, words as text_words
from .params import FingerprintParams
from .records import Document

_U64 = np.uint64
_EMPTY = np.uint32(0xFFFFFFFF)
_M1 = _U64(0xFF51AFD7ED558CCD)
_M2 = _U64(0xC4CEB9FE1A85EC53)
_GOLD = _U64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    doc_id: str
    minhash: np.ndarray  # uint32[num_perm], verbatim view
    content_minhash: np.ndarray  # uint32[num_perm], paraphrase view
    sample: np.ndarray  # uint64, sorted unique winnowed shingle hashes
    n_shingles: int  # distinct verbatim shingles
    n_content: int  # distinct content stems


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, vectorised (wrapping uint64 arithmetic)."""
    x = x ^ (x >> _U64(33))
    x = x * _M1
    x = x ^ (x >> _U64(33))
    x = x * _M2
    return x ^ (x >> _U64(33))


_word_hash_cache: dict[int, dict[str, int]] = {}
_content_hash_cache: dict[int, dict[str, int]] = {}
_CACHE_LIMIT = 2_000_000


def _cache(caches: dict[int, dict[str, int]], seed: int) -> dict[str, int]:
    cache = caches.setdefault(seed, {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def word_hashes(words: Sequence[str], seed: int) -> np.ndarray:
    """Seeded xxh3 hashes of canonical words, cached per process (a news vocabulary is small)."""
    cache = _cache(_word_hash_cache, seed)
    for w in set(words).difference(cache):
        cache[w] = xxhash.xxh3_64_intdigest(w.encode("utf-8", "surrogatepass"), seed=seed)
    return np.fromiter(map(cache.__getitem__, words), dtype=_U64, count=len(words))


def content_hashes(words: Sequence[str], seed: int) -> np.ndarray:
    """Sorted unique seeded hashes of the stems of the content words (figures left out)."""
    cache = _cache(_content_hash_cache, seed)
    uniq = set(words)
    for w in uniq.difference(cache):
        content = len(w) > 1 and w not in STOP_WORDS and not w[0].isdigit()
        cache[w] = xxhash.xxh3_64_intdigest(stem(w).encode("utf-8", "surrogatepass"), seed=seed) if content else 0
    hs = np.fromiter(map(cache.__getitem__, uniq), dtype=_U64, count=len(uniq))
    hs = np.unique(hs)
    return hs[1:] if len(hs) and hs[0] == 0 else hs


def shingle_hashes(token_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hashes of the word n-grams of one document (fewer than n words: one shingle of all).

    A polynomial of the word hashes (wrapping uint64) with one finaliser per n-gram.
    """
    m = len(token_hashes)
    if m == 0:
        return np.empty(0, dtype=_U64)
    if m < n:
        n = m
    k = m - n + 1
    acc = token_hashes[:k].copy()
    for j in range(1, n):
        acc *= _GOLD
        acc += token_hashes[j : j + k]
    return _fmix64(acc)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Sorted unique minima of every ``window`` consecutive hashes (all of them if fewer)."""
    if len(hashes) <= window:
        return np.unique(hashes)
    return np.unique(sliding_window_view(hashes, window).min(axis=1))


_DONOR_ROUNDS = 256


@lru_cache(maxsize=8)
def _donor_table(num_perm: int) -> np.ndarray:
    """Fixed pseudo-random probe sequence of donor bins for each bin (optimal densification)."""
    rng = np.random.default_rng(0x5EED + num_perm)
    return rng.integers(0, num_perm, size=(num_perm, _DONOR_ROUNDS), dtype=np.int64)


def _densify(sig: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Optimal densification (Shrivastava 2017): each empty bin takes the value of the first
    non-empty bin along its own probe sequence, so filled bins are independent of each other
    (rotation would make a run of empty bins copy one donor and break LSH banding)."""
    num_perm = sig.shape[1]
    table = _donor_table(num_perm)
    out = sig.copy()
    todo = empty.copy()
    r_idx, b_idx = np.nonzero(todo)
    for k in range(_DONOR_ROUNDS):
        if not len(r_idx):
            break
        donor = table[b_idx, k]
        ok = ~empty[r_idx, donor]
        rr, bb = r_idx[ok], b_idx[ok]
        # Mix the round into the value so a filled bin is not a plain copy of its donor.
        v = sig[rr, donor[ok]].astype(np.uint64) * _U64(0x9E3779B1) + _U64(k + 1)
        out[rr, bb] = (v & _U64(0xFFFFFFFE)).astype(np.uint32)
        r_idx, b_idx = r_idx[~ok], b_idx[~ok]
    if len(r_idx):  # astronomically unlikely: fall back to the first non-empty bin
        first = np.argmax(~empty, axis=1)
        out[r_idx, b_idx] = sig[r_idx, first[r_idx]]
    return out


def _oph(hash_lists: Sequence[np.ndarray], num_perm: int, salt: int) -> np.ndarray:
    """One-permutation MinHash with rotation densification for many documents at once.

    Returns uint32[len(hash_lists), num_perm]; a document with no shingles gets a row of
    0xFFFFFFFF, which never collides in a band with a real signature.
    """
    n_docs = len(hash_lists)
    sig = np.full((n_docs, num_perm), _EMPTY, dtype=np.uint32)
    lengths = np.fromiter((len(h) for h in hash_lists), dtype=np.int64, count=n_docs)
    if lengths.sum() == 0:
        return sig
    allh = _fmix64(np.concatenate(hash_lists) ^ _U64(salt))
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    bins = (allh % _U64(num_perm)).astype(np.int64)
    vals = (allh >> _U64(32)).astype(np.uint32)
    np.minimum.at(sig, (doc, bins), vals)
    empty = sig == _EMPTY
    rows = empty.any(axis=1) & ~empty.all(axis=1)
    if rows.any():
        sig[rows] = _densify(sig[rows], empty[rows])
    return sig


def document_shingles(doc: Document, params: FingerprintParams) -> tuple[np.ndarray, np.ndarray]:
    """(verbatim shingle hashes in text order, content-stem hashes as a set) of one document."""
    words = text_words(doc.text)
    shingles = shingle_hashes(word_hashes(words, params.seed), params.shingle_size)
    return shingles, content_hashes(words, params.seed + 1)


def fingerprint_documents(docs: Sequence[Document], params: FingerprintParams) -> list[Fingerprint]:
    """Fingerprints of many documents; MinHash is computed for the whole batch in one pass."""
    shingles: list[np.ndarray] = []
    contents: list[np.ndarray] = []
    samples: list[np.ndarray] = []
    for doc in docs:
        sh, ct = document_shingles(doc, params)
        shingles.append(sh)
        contents.append(ct)
        samples.append(winnow(sh, params.mod_sample))
    uniq = [np.unique(s) for s in shingles]
    mh = _oph(uniq, params.num_perm, params.seed)
    cmh = _oph(contents, params.num_perm, params.seed * 7919 + 1)
    return [
        Fingerprint(
            doc_id=d.id,
            minhash=mh[i],
            content_minhash=cmh[i],
            sample=samples[i],
            n_shingles=len(uniq[i]),
            n_content=len(contents[i]),
        )
        for i, d in enumerate(docs)
    ]


def _band_keys(sig: np.ndarray, bands: int, salt: int) -> np.ndarray:
    """uint64 keys, one per band, with the band number mixed in. sig: uint32[..., num_perm]."""
    rows = sig.shape[-1] // bands
    used = sig[..., : rows * bands].astype(_U64).reshape(*sig.shape[:-1], bands, rows)
    acc = np.full(used.shape[:-1], _U64(salt), dtype=_U64) + np.arange(bands, dtype=_U64) * _GOLD
    for r in range(rows):
        acc = _fmix64(acc * _GOLD + used[..., r])
    return acc


def band_keys(fp: Fingerprint, params: FingerprintParams) -> tuple[np.ndarray, np.ndarray]:
    """LSH band keys (verbatim, paraphrase) of one fingerprint; empty views give no keys."""
    v = _band_keys(fp.minhash, params.bands, 1) if fp.n_shingles else np.empty(0, _U64)
    c = _band_keys(fp.content_minhash, params.content_bands, 2) if fp.n_content else np.empty(0, _U64)
    return v, c


def band_key_matrix(sigs: np.ndarray, bands: int, salt: int) -> np.ndarray:
    """Band keys for a stack of signatures: uint64[n_docs, bands]."""
    return _band_keys(sigs, bands, salt)


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal signature positions, the MinHash estimate of Jaccard similarity."""
    return float(np.mean(a == b))

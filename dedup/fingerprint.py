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
    text_key: int = 0  # hash of the whole canonical word sequence (0: no words); equal for identical texts


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


def content_hashes_of_words(words: Sequence[str], seed: int) -> np.ndarray:
    """Per word: the seeded hash of its stem if it is a content word (figures left out), else 0."""
    cache = _cache(_content_hash_cache, seed)
    for w in set(words).difference(cache):
        content = len(w) > 1 and w not in STOP_WORDS and not w[0].isdigit()
        cache[w] = xxhash.xxh3_64_intdigest(stem(w).encode("utf-8", "surrogatepass"), seed=seed) if content else 0
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


def _oph_flat(hashes: np.ndarray, doc: np.ndarray, n_docs: int, num_perm: int, salt: int) -> np.ndarray:
    """One-permutation MinHash with optimal densification for many documents at once.

    ``hashes``/``doc``: the distinct shingle hashes of every document and their owner.
    Returns uint32[n_docs, num_perm]; a document with no shingles gets a row of 0xFFFFFFFF,
    which never collides in a band with a real signature.
    """
    sig = np.full((n_docs, num_perm), _EMPTY, dtype=np.uint32)
    if not len(hashes):
        return sig
    allh = _fmix64(hashes ^ _U64(salt))
    bins = (allh % _U64(num_perm)).astype(np.int64)
    vals = (allh >> _U64(32)).astype(np.uint32)
    np.minimum.at(sig, (doc, bins), vals)
    empty = sig == _EMPTY
    rows = empty.any(axis=1) & ~empty.all(axis=1)
    if rows.any():
        sig[rows] = _densify(sig[rows], empty[rows])
    return sig


def _oph(hash_lists: Sequence[np.ndarray], num_perm: int, salt: int) -> np.ndarray:
    """``_oph_flat`` for a list of per-document hash arrays (each already distinct)."""
    lengths = np.fromiter((len(h) for h in hash_lists), dtype=np.int64, count=len(hash_lists))
    flat = np.concatenate(hash_lists) if len(hash_lists) and lengths.sum() else np.empty(0, _U64)
    doc = np.repeat(np.arange(len(hash_lists), dtype=np.int64), lengths)
    return _oph_flat(flat.astype(_U64), doc, len(hash_lists), num_perm, salt)


def document_shingles(doc: Document, params: FingerprintParams) -> tuple[np.ndarray, np.ndarray]:
    """(verbatim shingle hashes in text order, content-stem hashes as a set) of one document."""
    words = text_words(doc.text)
    shingles = shingle_hashes(word_hashes(words, params.seed), params.shingle_size)
    return shingles, content_hashes(words, params.seed + 1)


def _split(values: np.ndarray, owner: np.ndarray, n_docs: int) -> list[np.ndarray]:
    """Per-document arrays from values grouped by (sorted) owner."""
    counts = np.bincount(owner, minlength=n_docs)
    return np.split(values, np.cumsum(counts)[:-1])


def _unique_per_doc(values: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (owner, value) pairs, sorted by owner then value."""
    if not len(values):
        return values, owner
    order = np.lexsort((values, owner))
    v, o = values[order], owner[order]
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = (v[1:] != v[:-1]) | (o[1:] != o[:-1])
    return v[keep], o[keep]


def _distinct(values: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (owner, value) pairs in no particular order: one hash-based unique over the
    values mixed with their owner (a 64-bit collision is as unlikely as a shingle collision)."""
    if not len(values):
        return values, owner
    _, idx = np.unique(_fmix64(values ^ (owner.astype(_U64) * _GOLD)), return_index=True)
    return values[idx], owner[idx]


class _Vocabulary:
    """Word -> (word hash, content-stem hash or 0) by a single dictionary lookup per word."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.ids: dict[str, int] = {}
        self.word = np.empty(1024, dtype=_U64)
        self.content = np.empty(1024, dtype=_U64)

    def lookup(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        ids = self.ids
        new = [w for w in set(words).difference(ids)]
        if new:
            start = len(ids)
            need = start + len(new)
            if need > len(self.word):
                size = max(need, 2 * len(self.word))
                self.word = np.resize(self.word, size)
                self.content = np.resize(self.content, size)
            self.word[start:need] = word_hashes(new, self.seed)
            self.content[start:need] = content_hashes_of_words(new, self.seed + 1)
            for k, w in enumerate(new, start):
                ids[w] = k
        idx = np.fromiter(map(ids.__getitem__, words), dtype=np.int64, count=len(words))
        return self.word[idx], self.content[idx]


_VOCABULARIES: dict[int, _Vocabulary] = {}


def _vocabulary(seed: int) -> _Vocabulary:
    voc = _VOCABULARIES.get(seed)
    if voc is None or len(voc.ids) > _CACHE_LIMIT:
        voc = _VOCABULARIES[seed] = _Vocabulary(seed)
    return voc


def fingerprint_documents(docs: Sequence[Document], params: FingerprintParams) -> list[Fingerprint]:
    """Fingerprints of many documents, computed for the whole batch at once.

    Only tokenising is done per document; word hashes, n-gram hashes, winnowing, content
    sets and MinHash run as numpy operations over the concatenation of the batch, with
    document boundaries masked.
    """
    n_docs = len(docs)
    n = params.shingle_size
    all_words: list[str] = []
    lengths = np.empty(n_docs, dtype=np.int64)
    for i, doc in enumerate(docs):
        ws = text_words(doc.text)
        all_words.extend(ws)
        lengths[i] = len(ws)
    th, ch = _vocabulary(params.seed).lookup(all_words)
    total = len(all_words)
    starts = np.cumsum(lengths) - lengths
    word_doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)

    # n-gram hashes at every position, then keep the ones inside their document.
    if total >= n:
        k = total - n + 1
        acc = th[:k].copy()
        for j in range(1, n):
            acc *= _GOLD
            acc += th[j : j + k]
        acc = _fmix64(acc)
        pos_doc = word_doc[:k]
        ok = (np.arange(k) - starts[pos_doc]) <= lengths[pos_doc] - n
        sh, sh_doc = acc[ok], pos_doc[ok]
    else:
        sh, sh_doc = np.empty(0, _U64), np.empty(0, np.int64)
    short = np.flatnonzero((lengths > 0) & (lengths < n))
    if len(short):  # fewer than n words: one shingle of all of them
        extra = [shingle_hashes(th[starts[i] : starts[i] + lengths[i]], n) for i in short]
        sh = np.concatenate([sh, *extra])
        sh_doc = np.concatenate([sh_doc, short])
        order = np.argsort(sh_doc, kind="stable")
        sh, sh_doc = sh[order], sh_doc[order]

    # Winnowing: minima of every window of mod_sample shingles inside one document.
    w = params.mod_sample
    counts = np.bincount(sh_doc, minlength=n_docs)
    if len(sh) >= w:
        mins = sliding_window_view(sh, w).min(axis=1)
        first = np.cumsum(counts) - counts
        win_doc = sh_doc[: len(mins)]
        ok = (np.arange(len(mins)) - first[win_doc]) <= counts[win_doc] - w
        samp, samp_doc = mins[ok], win_doc[ok]
    else:
        samp, samp_doc = np.empty(0, _U64), np.empty(0, np.int64)
    few = np.flatnonzero((counts > 0) & (counts <= w))  # all shingles of a short document
    if len(few):
        sel = np.isin(sh_doc, few)
        samp = np.concatenate([samp, sh[sel]])
        samp_doc = np.concatenate([samp_doc, sh_doc[sel]])
    samp, samp_doc = _unique_per_doc(samp, samp_doc)

    ush, ush_doc = _distinct(sh, sh_doc)
    cmask = ch != 0
    uch, uch_doc = _distinct(ch[cmask], word_doc[cmask])
    mh = _oph_flat(ush, ush_doc, n_docs, params.num_perm, params.seed)
    cmh = _oph_flat(uch, uch_doc, n_docs, params.num_perm, params.seed * 7919 + 1)
    samples = _split(samp, samp_doc, n_docs)
    ends = starts + lengths
    keys = [xxhash.xxh3_64_intdigest(th[a:e].tobytes()) if e > a else 0 for a, e in zip(starts.tolist(), ends.tolist())]
    n_sh = np.bincount(ush_doc, minlength=n_docs)
    n_ct = np.bincount(uch_doc, minlength=n_docs)
    return [
        Fingerprint(
            doc_id=d.id,
            minhash=mh[i],
            content_minhash=cmh[i],
            sample=samples[i],
            n_shingles=int(n_sh[i]),
            n_content=int(n_ct[i]),
            text_key=keys[i],
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

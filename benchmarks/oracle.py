"""Brute-force exact word-shingle overlap of every pair in a corpus.

Each document becomes the set of its exact word 5-grams (words from
``dedup.normalize.tokenize``, the library's own tokeniser, so the oracle measures
the candidate stage and not a tokeniser mismatch). Shingle sets form a sparse
0/1 document x shingle matrix M; ``M @ M.T`` gives the size of every pairwise
intersection at once, computed in row blocks so memory stays bounded. No
sampling, no hashing tricks beyond a 64-bit shingle hash (collisions are
negligible at this corpus size).

A pair is in the truth set when max(Jaccard, containment A in B, containment B
in A) >= threshold, which is the same as ``|A & B| >= threshold * min(|A|, |B|)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import xxhash

from dedup.normalize import NORMALIZER_VERSION, tokenize
from dedup.records import Document

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
ORACLE_VERSION = 1  # bump when the oracle's definition changes, to drop stale caches


def shingle_hashes(text: str, k: int = 5) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word k-grams of ``text`` (library tokeniser)."""
    words = tokenize(text).words
    if len(words) < k:
        return np.empty(0, dtype=np.uint64)
    h = xxhash.xxh3_64_intdigest
    out = {h("\x00".join(words[i : i + k]).encode()) for i in range(len(words) - k + 1)}
    return np.fromiter(out, dtype=np.uint64, count=len(out))


@dataclass(frozen=True, slots=True)
class OraclePairs:
    """Pairs (i < j, indexes into the document list) at or above the threshold, with exact scores."""

    i: np.ndarray  # int32
    j: np.ndarray  # int32
    inter: np.ndarray  # int32, |A & B|
    sizes: np.ndarray  # int32, |A| for every document (0 when shorter than k words)
    threshold: float

    def __len__(self) -> int:
        return int(self.i.size)

    def pairs(self) -> set[tuple[int, int]]:
        return set(zip(self.i.tolist(), self.j.tolist(), strict=True))

    def scores(self, n: int) -> tuple[float, float, float]:
        """(Jaccard, containment of i in j, containment of j in i) of the n-th pair."""
        a, b, x = int(self.sizes[self.i[n]]), int(self.sizes[self.j[n]]), int(self.inter[n])
        return x / (a + b - x), x / a, x / b


def shingle_matrix(texts: Sequence[str], k: int = 5) -> sp.csr_matrix:
    """0/1 CSR matrix, one row per text, one column per distinct shingle."""
    rows = [shingle_hashes(t, k) for t in texts]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([r.size for r in rows], out=indptr[1:])
    flat = np.concatenate(rows) if rows else np.empty(0, dtype=np.uint64)
    _, cols = np.unique(flat, return_inverse=True)
    data = np.ones(flat.size, dtype=np.int32)
    ncols = int(cols.max()) + 1 if cols.size else 0
    return sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(len(rows), ncols))


def exact_pairs(texts: Sequence[str], *, k: int = 5, threshold: float = 0.5, block: int = 2048) -> OraclePairs:
    """Every pair whose exact shingle Jaccard or containment (either way) is >= threshold."""
    m = shingle_matrix(texts, k)
    sizes = np.asarray(m.sum(axis=1)).ravel().astype(np.int32)
    mt = m.T.tocsr()
    out_i, out_j, out_x = [], [], []
    for start in range(0, m.shape[0], block):
        stop = min(start + block, m.shape[0])
        prod = (m[start:stop] @ mt).tocoo()
        gi = prod.row.astype(np.int64) + start
        gj = prod.col.astype(np.int64)
        keep = gj > gi
        gi, gj, x = gi[keep], gj[keep], prod.data[keep]
        need = threshold * np.minimum(sizes[gi], sizes[gj])
        keep = x >= need
        out_i.append(gi[keep].astype(np.int32))
        out_j.append(gj[keep].astype(np.int32))
        out_x.append(x[keep].astype(np.int32))
    cat = lambda parts: np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)  # noqa: E731
    return OraclePairs(cat(out_i), cat(out_j), cat(out_x), sizes, threshold)


def cached_exact_pairs(docs: Sequence[Document], *, name: str, k: int = 5, threshold: float = 0.5) -> OraclePairs:
    """:func:`exact_pairs` over ``docs``, cached under benchmarks/.cache keyed by ids, texts and settings."""
    key = hashlib.sha256()
    key.update(f"v{ORACLE_VERSION} n{NORMALIZER_VERSION} k{k} t{threshold}".encode())
    for d in docs:
        key.update(d.id.encode())
        key.update(xxhash.xxh3_64_hexdigest(d.text.encode("utf-8", "surrogatepass")).encode())
    path = CACHE_DIR / f"oracle-{name}-{key.hexdigest()[:16]}.npz"
    if path.exists():
        z = np.load(path)
        return OraclePairs(z["i"], z["j"], z["inter"], z["sizes"], float(z["threshold"]))
    res = exact_pairs([d.text for d in docs], k=k, threshold=threshold)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, i=res.i, j=res.j, inter=res.inter, sizes=res.sizes, threshold=res.threshold)
    tmp.replace(path)
    return res

"""The peers we compare against, used the ordinary way.

* datasketch: ``MinHash(num_perm=128).update_batch(shingle bytes)`` per document,
  ``MinHashLSH(threshold=0.5, num_perm=128)``: insert everything, then query each.
* rensa (Rust MinHash): ``RMinHash(128, seed).update(shingles)`` per document and
  ``RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32)``; and its batch API
  (``RMinHash.from_token_sets`` + ``insert_many`` + ``query_all``).

All take the same word 5-grams, from the library's own tokeniser, so the peers
see exactly the shingles our verbatim view sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dedup import normalize

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE = 5
RENSA_BANDS = 32  # rensa needs bands explicitly; 32 x 4 rows is our verbatim view's banding (S-curve midpoint ~0.42)
RENSA_SEED = 42


def words(text: str) -> list[str]:
    """Canonical words, the library's tokenisation (fast path when the library has one)."""
    fast = getattr(normalize, "words", None)
    return fast(text) if fast is not None else list(normalize.tokenize(text).words)


def shingles(text: str, k: int = SHINGLE) -> list[str]:
    """Distinct word k-grams as space-joined strings (a text shorter than k words is one shingle)."""
    ws = words(text)
    if len(ws) < k:
        return [" ".join(ws)] if ws else []
    return list(dict.fromkeys(" ".join(ws[i : i + k]) for i in range(len(ws) - k + 1)))


def _pairs_from_queries(results: Iterable[tuple[int, Iterable[int]]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for i, hits in results:
        for j in hits:
            if j != i:
                out.add((i, j) if i < j else (j, i))
    return out


def datasketch_pairs(texts: Sequence[str], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> set[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in shingles(t)])
        lsh.insert(i, m)
        sigs.append(m)
    return _pairs_from_queries((i, lsh.query(m)) for i, m in enumerate(sigs))


def rensa_pairs(texts: Sequence[str], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> set[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold, num_perm, RENSA_BANDS)
    sigs = []
    for i, t in enumerate(texts):
        m = RMinHash(num_perm, RENSA_SEED)
        m.update(shingles(t))
        lsh.insert(i, m)
        sigs.append(m)
    return _pairs_from_queries((i, lsh.query(m)) for i, m in enumerate(sigs))


def rensa_batch_pairs(texts: Sequence[str], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> set[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    sigs = RMinHash.from_token_sets([shingles(t) for t in texts], num_perm, RENSA_SEED)
    lsh = RMinHashLSH(threshold, num_perm, RENSA_BANDS)
    lsh.insert_many(sigs)
    return _pairs_from_queries(enumerate(lsh.query_all(sigs)))


PEERS = {
    "datasketch": datasketch_pairs,
    "rensa": rensa_pairs,
    "rensa-batch": rensa_batch_pairs,
}

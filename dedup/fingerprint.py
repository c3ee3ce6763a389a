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

No shingle string is ever built, and for ASCII text (or text whose only non-ASCII
characters are separators: pound signs, dashes, curly double quotes) no word string
either: words are found from byte classes and hashed with a seeded polynomial over their
bytes using prefix sums over a batch of articles (``span_hashes``); n-gram hashes are
combined with numpy. Only words never seen before are decoded and stemmed (``_Lexicon``).
Documents are processed DOC_BATCH at a time, which keeps numpy's passes in the caches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

from .normalize import ascii_token_spans, ascii_view, content_stem, content_stem_list, words as text_words
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
    n_shingles: int  # verbatim shingles (n-gram positions; 0: no words)
    n_content: int  # distinct content stems
    text_key: int = 0  # hash of the whole canonical word sequence (0: no words); equal for identical texts


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, vectorised (wrapping uint64 arithmetic)."""
    x = x ^ (x >> _U64(33))
    x = x * _M1
    x = x ^ (x >> _U64(33))
    x = x * _M2
    return x ^ (x >> _U64(33))


# --- word hashes -----------------------------------------------------------------------------
# A canonical word's hash is a seeded polynomial over its UTF-8 bytes, finalised:
#     fmix64(sum_k byte_k * P**k + len * M1 + seed * M2)      (wrapping uint64)
# so the words of a whole batch of ASCII articles are hashed straight from the text's bytes
# with prefix sums, without ever building a word string (normalize.ascii_token_spans finds
# them); other texts hash their canonical words with the same formula.
_P = _U64(0x9E3779B97F4A7C15)
_P_INV = _U64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))
_pow = np.ones(1, dtype=_U64)  # _P ** k
_ipow = np.ones(1, dtype=_U64)  # _P ** -k


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k for k < n (cached, grown by doubling).

    Built as an outer product of P**(i*B) and P**j (B ~ sqrt(n)) rather than one long
    cumulative product: the same wrapping products, without a serial pass over millions."""
    global _pow, _ipow
    if len(_pow) < n:
        size = max(n, 2 * len(_pow))
        _pow, _ipow = _power_table(_P, size), _power_table(_P_INV, size)
    return _pow, _ipow


def _power_table(base: np.uint64, size: int) -> np.ndarray:
    step = 1 << max(1, (size - 1).bit_length() // 2)
    with np.errstate(over="ignore"):
        low = np.concatenate([[_U64(1)], np.cumprod(np.full(step - 1, base, dtype=_U64))])
        high = np.concatenate([[_U64(1)], np.cumprod(np.full(-(-size // step) - 1, low[-1] * base, dtype=_U64))])
        return np.multiply.outer(high, low).ravel()[:size]


def span_hashes(b: np.ndarray, starts: np.ndarray, ends: np.ndarray, seed: int) -> np.ndarray:
    """Word hashes of the byte spans [starts, ends) of ``b`` (uint8), all at once."""
    if not len(starts):
        return np.empty(0, dtype=_U64)
    pw, ipw = _powers(len(b) + 1)
    prefix = np.zeros(len(b) + 1, dtype=_U64)
    terms = b.astype(_U64)
    terms *= pw[: len(b)]  # in place: one array of 8 bytes per text byte, not two
    np.cumsum(terms, out=prefix[1:])
    poly = (prefix[ends] - prefix[starts]) * ipw[starts]
    h = _fmix64(poly + (ends - starts).astype(_U64) * _M1 + _U64((seed * int(_M2)) & 0xFFFFFFFFFFFFFFFF))
    h[h == 0] = 1  # 0 marks an empty slot of the stem table
    return h


_word_hash_cache: dict[int, dict[str, int]] = {}
_content_hash_cache: dict[int, dict[str, int]] = {}
_CACHE_LIMIT = 2_000_000


def _cache(caches: dict[int, dict[str, int]], seed: int) -> dict[str, int]:
    cache = caches.setdefault(seed, {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def word_hashes(words: Sequence[str], seed: int) -> np.ndarray:
    """Seeded hashes of canonical words (see ``span_hashes``), cached per process."""
    cache = _cache(_word_hash_cache, seed)
    try:  # most texts hold no word the cache lacks: no set of their words needed (~20 us of ~50)
        return np.fromiter(map(cache.__getitem__, words), dtype=_U64, count=len(words))
    except KeyError:
        pass
    new = list(set(words).difference(cache))
    if new:
        encoded = [w.encode("utf-8", "surrogatepass") for w in new]
        lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        ends = np.cumsum(lens)
        hs = span_hashes(np.frombuffer(b"".join(encoded), dtype=np.uint8), ends - lens, ends, seed)
        cache.update(zip(new, hs.tolist()))
    return np.fromiter(map(cache.__getitem__, words), dtype=_U64, count=len(words))


def _stem_hash(s: str, seed: int) -> int:
    """Seeded hash of a content stem (the paraphrase view's unit)."""
    return xxhash.xxh3_64_intdigest(s.encode("utf-8", "surrogatepass"), seed=seed)


def content_hashes(words: Sequence[str], seed: int) -> np.ndarray:
    """Sorted unique seeded hashes of the stems of the content words (figures left out)."""
    cache = _cache(_content_hash_cache, seed)
    uniq = set(words)
    for w in uniq.difference(cache):
        s = content_stem(w)
        cache[w] = _stem_hash(s, seed) if s is not None else 0
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


# A short text (a brief, a caption-length item) keeps all its shingles as its sample: with
# one hash per ~window/2 shingles, two 16-shingle briefs that share half their wording
# share only one or two sampled hashes, too few to be proposed. Reuters-21578: the pairs
# of short stories at overlap 0.5 were most of the candidate misses.
FULL_SAMPLE_WINDOWS = 4


def in_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted ``sorted_set`` (hash sets: samples, n-gram
    sets, band keys): one binary search per value instead of isin's sort of both arrays.
    ``values`` may have any shape."""
    n = len(sorted_set)
    if not n:
        return np.zeros(values.shape, dtype=bool)
    # The array's own methods, not numpy's functions (their dispatch costs ~1 us a call,
    # and a scan makes ~200k of these): 6.0 -> 4.9 us for a few hundred hashes.
    idx = sorted_set.searchsorted(values)
    np.minimum(idx, n - 1, out=idx)
    return sorted_set.take(idx) == values


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a 1-d array by one sort and a comparison of neighbours: the
    same array, several times faster than numpy 2's ``np.unique`` on the few hundred
    hashes of one document (which hashes the values first)."""
    s = np.sort(values)
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def winnow(hashes: np.ndarray, window: int, *, unique: np.ndarray | None = None) -> np.ndarray:
    """Sorted unique minima of every ``window`` consecutive hashes (all of the hashes of a
    text with at most FULL_SAMPLE_WINDOWS x window of them). ``unique``: the caller's
    ``sorted_unique(hashes)``, when it has it (then a short text's sample is that array)."""
    if len(hashes) <= FULL_SAMPLE_WINDOWS * window:
        return sorted_unique(hashes) if unique is None else unique
    return sorted_unique(window_minima(hashes, window))


def window_minima(hashes: np.ndarray, window: int) -> np.ndarray:
    """Minimum of every ``window`` consecutive values (len(hashes) - window + 1 of them), by
    doubling: minima of 2, 4, 8, ... then one overlapping step, a few passes over the array."""
    if len(hashes) < window:
        return hashes[:0]
    m = hashes
    span = 1
    while 2 * span <= window:
        m = np.minimum(m[:-span], m[span:])
        span *= 2
    if span < window:
        m = np.minimum(m[: len(m) - (window - span)], m[window - span :])
    return m


_DONOR_ROUNDS = 256


@lru_cache(maxsize=8)
def _donor_table(num_perm: int) -> np.ndarray:
    """Fixed pseudo-random probe sequence of donor bins for each bin (optimal densification):
    int64[num_perm, _DONOR_ROUNDS], row b is bin b's sequence."""
    rng = np.random.default_rng(0x5EED + num_perm)
    return rng.integers(0, num_perm, size=(num_perm, _DONOR_ROUNDS), dtype=np.int64)


@lru_cache(maxsize=8)
def _donor_rounds(num_perm: int) -> np.ndarray:
    """``_donor_table`` by round: row k holds every bin's k-th donor (contiguous per round)."""
    return np.ascontiguousarray(_donor_table(num_perm).T)


def _densify(sig: np.ndarray, empty: np.ndarray) -> None:
    """Optimal densification (Shrivastava 2017), in place: each empty bin takes the value of
    the first non-empty bin along its own probe sequence, so filled bins are independent of
    each other (rotation would make a run of empty bins copy one donor and break LSH banding).
    Rows with no non-empty bin are left as they are.

    Only empty bins are written and only non-empty bins are read, so filling in place reads
    the original values. Bins are addressed in the flattened matrix."""
    num_perm = sig.shape[1]
    rounds = _donor_rounds(num_perm)
    flat = sig.reshape(-1)
    eflat = empty.reshape(-1)
    todo = empty & ~empty.all(axis=1)[:, None]
    pos = np.flatnonzero(todo)
    b = pos % num_perm
    k = 0
    while len(pos) > _DENSIFY_TAIL and k < _DONOR_ROUNDS:
        donor = pos - b + rounds[k][b]
        ok = ~eflat[donor]
        flat[pos[ok]] = _donated(flat[donor[ok]], k)
        keep = np.flatnonzero(~ok)
        pos, b = pos[keep], b[keep]
        k += 1
    if len(pos) and k < _DONOR_ROUNDS:
        # The few bins left (the short texts' last ones): all their remaining rounds at once.
        donors = (pos - b)[:, None] + _donor_table(num_perm)[b, k:]
        ok = ~eflat[donors]
        found = np.flatnonzero(ok.any(axis=1))
        first = ok[found].argmax(axis=1)
        flat[pos[found]] = _donated(flat[donors[found, first]], k + first)
        left = np.ones(len(pos), dtype=bool)
        left[found] = False
        pos = pos[left]
    if len(pos):  # no donor on the whole probe sequence: fall back to the first non-empty bin
        first = np.argmax(~empty, axis=1)
        rows = pos // num_perm
        flat[pos] = flat[rows * num_perm + first[rows]]


# Below this many bins left to fill, _densify takes all remaining rounds in one step.
_DENSIFY_TAIL = 1024


def _donated(values: np.ndarray, rounds: int | np.ndarray) -> np.ndarray:
    """A donor's value as a filled bin's: the round mixed in so a filled bin is not a plain
    copy of its donor, (value * 0x9E3779B1 + round + 1) mod 2**32 with the lowest bit cleared."""
    v = values * np.uint32(0x9E3779B1)
    v += np.asarray(rounds, dtype=np.uint32) + np.uint32(1)
    v &= np.uint32(0xFFFFFFFE)
    return v


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
    _densify(sig, sig == _EMPTY)
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


def _unique_per_doc(values: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (owner, value) pairs, sorted by owner then value.

    One sort of single uint64 keys (owner in the high bits, the value's high bits below it)
    instead of a two-key lexsort; values that tie on the kept bits within an owner (rare)
    are put in order by a lexsort of just those."""
    if not len(values):
        return values, owner
    shift = max(1, int(owner.max()).bit_length())
    if shift >= 32:
        order = np.lexsort((values, owner))
    else:
        key = (owner.astype(_U64) << _U64(64 - shift)) | (values >> _U64(shift))
        order = np.argsort(key)
        key, v = key[order], values[order]
        same = key[1:] == key[:-1]
        if (same & (v[1:] != v[:-1])).any():
            # Runs of equal keys holding different values: those runs' elements re-sorted by
            # (run, full value) and put back in the runs' places (the owner is the same).
            run = np.cumsum(np.concatenate([[True], ~same]))
            bad = np.unique(run[1:][same & (v[1:] != v[:-1])])
            at = np.flatnonzero(np.isin(run, bad))
            sub = order[at]
            order[at] = sub[np.lexsort((values[sub], run[at]))]
    v, o = values[order], owner[order]
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = (v[1:] != v[:-1]) | (o[1:] != o[:-1])
    return v[keep], o[keep]


class _Lexicon:
    """Word hash -> content-stem id (-1: not a content word), as a numpy open-addressing table.

    A whole batch's word hashes are looked up with a few vectorised probes; only words never
    seen before are decoded, stemmed and inserted one by one. Content stems get small integer
    ids so the distinct stems of every document come from one integer sort over the batch;
    their seeded hashes (xxh3 of the stem) sit in ``stem_hash``.
    """

    def __init__(self, seed: int, bits: int = 17) -> None:
        self.seed = seed
        self.bits = bits
        self.keys = np.zeros(1 << bits, dtype=_U64)
        self.vals = np.full(1 << bits, -1, dtype=np.int64)
        self.n = 0
        self.stem_ids: dict[int, int] = {}
        self.by_stem: dict[str | None, int] = {None: -1}  # stem -> id, for words seen later
        self.stem_hash = np.empty(1024, dtype=_U64)

    def _home(self, hs: np.ndarray) -> np.ndarray:
        return ((hs * _GOLD) >> _U64(64 - self.bits)).astype(np.int64)

    def _find(self, hs: np.ndarray) -> np.ndarray:
        """Slot of each hash, -1 where absent."""
        mask = (1 << self.bits) - 1
        slot = self._home(hs)
        out = np.full(len(hs), -1, dtype=np.int64)
        todo = np.arange(len(hs))
        while len(todo):
            cur = self.keys[slot[todo]]
            hit = cur == hs[todo]
            out[todo[hit]] = slot[todo[hit]]
            todo = todo[~hit & (cur != 0)]
            slot[todo] = (slot[todo] + 1) & mask
        return out

    def _insert(self, hs: np.ndarray, sids: np.ndarray) -> None:
        """Insert distinct absent hashes (linear probing, all at once: in each round the
        first claimant of a free slot takes it, the others move on)."""
        while 2 * (self.n + len(hs)) > len(self.keys):
            self._grow()
        mask = (1 << self.bits) - 1
        slot = self._home(hs)
        todo = np.arange(len(hs))
        while len(todo):
            claim = todo[self.keys[slot[todo]] == 0]
            _, first = np.unique(slot[claim], return_index=True)
            won = claim[first]
            self.keys[slot[won]] = hs[won]
            self.vals[slot[won]] = sids[won]
            todo = np.setdiff1d(todo, won, assume_unique=True)
            slot[todo] = (slot[todo] + 1) & mask
        self.n += len(hs)

    def _grow(self) -> None:
        used = np.flatnonzero(self.keys != 0)
        keys, vals = self.keys[used], self.vals[used]
        self.bits += 1
        self.keys = np.zeros(1 << self.bits, dtype=_U64)
        self.vals = np.full(1 << self.bits, -1, dtype=np.int64)
        self.n = 0
        self._insert(keys, vals)

    def _stem_ids(self, words: list[str]) -> np.ndarray:
        """Stem ids of new words: each stem is hashed and numbered once (None, a word that
        is not content, maps to -1)."""
        stems = content_stem_list(words)
        by_stem = self.by_stem
        for s in dict.fromkeys(stems):
            if s in by_stem:
                continue
            h = _stem_hash(s, self.seed + 1)
            sid = self.stem_ids.get(h)
            if sid is None:
                sid = self.stem_ids[h] = len(self.stem_ids)
                if sid >= len(self.stem_hash):
                    self.stem_hash = np.resize(self.stem_hash, 2 * len(self.stem_hash))
                self.stem_hash[sid] = h
            by_stem[s] = sid
        return np.fromiter(map(by_stem.__getitem__, stems), dtype=np.int64, count=len(stems))

    def stems(self, hs: np.ndarray, words_at: Callable[[np.ndarray], list[str]]) -> np.ndarray:
        """Stem ids of word hashes ``hs``; ``words_at(positions)``: the canonical words at
        those positions (asked only for words not seen before)."""
        slots = self._find(hs)
        miss = np.flatnonzero(slots < 0)
        if len(miss):
            size = len(self.keys)
            new, first = np.unique(hs[miss], return_index=True)
            self._insert(new, self._stem_ids(words_at(miss[first])))
            if len(self.keys) != size:  # the table grew: every slot moved
                slots = self._find(hs)
            else:
                slots[miss] = self._find(hs[miss])
        return self.vals[slots]


_LEXICONS: dict[int, _Lexicon] = {}


def _lexicon(seed: int) -> _Lexicon:
    lex = _LEXICONS.get(seed)
    if lex is None or lex.n > _CACHE_LIMIT:
        lex = _LEXICONS[seed] = _Lexicon(seed)
    return lex


def _slicer(text: str, starts: np.ndarray, ends: np.ndarray) -> Callable[[np.ndarray], list[str]]:
    """``words_at`` for ``_Lexicon.stems``: the substrings [starts[k], ends[k]) of ``text``."""
    return lambda at: [text[a:z] for a, z in zip(starts[at].tolist(), ends[at].tolist())]


_CHUNK_BYTES = 1 << 22  # ASCII articles are hashed in batches of about this many bytes


def _batch_words(docs: Sequence[Document], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Lexicon]:
    """(word hashes of all documents in order, words per document, stem id per word, lexicon).

    ASCII articles, and those whose non-ASCII characters all have an ASCII twin (a pound
    sign, a dash, a curly quote or apostrophe: ``normalize.ascii_view``), are hashed from
    their bytes in large chunks; the others (accents) are tokenised with the regex and hashed
    word by word; the pieces are then put back in document order."""
    lex = _lexicon(seed)
    lengths = np.zeros(len(docs), dtype=np.int64)
    segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (documents, hashes, stems)
    texts = [ascii_view(d.text) for d in docs]
    ascii_docs = [i for i, t in enumerate(texts) if t is not None]
    other = [i for i, t in enumerate(texts) if t is None]

    k = 0
    while k < len(ascii_docs):
        chunk, size = [], 0
        while k < len(ascii_docs) and (not chunk or size < _CHUNK_BYTES):
            chunk.append(ascii_docs[k])
            size += len(texts[ascii_docs[k]]) + 1
            k += 1
        low = "\n".join([texts[i] for i in chunk]).lower()
        b = np.frombuffer(low.encode("ascii"), dtype=np.uint8)
        starts, _, cends = ascii_token_spans(b)
        hs = span_hashes(b, starts, cends, seed)
        sizes = np.fromiter((len(texts[i]) + 1 for i in chunk), dtype=np.int64, count=len(chunk))
        doc_start = np.cumsum(sizes) - sizes
        idx = np.asarray(chunk, dtype=np.int64)
        # Words per document: where each document's first word falls among the (sorted)
        # word starts, a search per document rather than one per word.
        first = np.searchsorted(starts, doc_start, side="left")
        lengths[idx] = np.diff(first, append=len(starts))
        segments.append((idx, hs, lex.stems(hs, _slicer(low, starts, cends))))
    if other:
        words: list[str] = []
        for i in other:
            ws = text_words(docs[i].text)
            lengths[i] = len(ws)
            words.extend(ws)
        hs = word_hashes(words, seed)
        segments.append((np.asarray(other, dtype=np.int64), hs, lex.stems(hs, lambda at: [words[k] for k in at.tolist()])))

    total = int(lengths.sum())
    th = np.empty(total, dtype=_U64)
    stems = np.empty(total, dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    for idx, hs, st in segments:
        seg_len = lengths[idx]
        seg_off = np.cumsum(seg_len) - seg_len
        dest = np.arange(len(hs)) + np.repeat(starts[idx] - seg_off, seg_len)
        th[dest] = hs
        stems[dest] = st
    return th, lengths, stems, lex


def _text_keys(th: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per document, a hash of its whole word-hash sequence (0 for no words)."""
    keys = np.zeros(len(lengths), dtype=_U64)
    full = np.flatnonzero(lengths > 0)
    if not len(full):
        return keys
    pw, _ = _powers(int(lengths.max()) + 1)
    pos = np.arange(len(th)) - np.repeat(starts, lengths)
    sums = np.add.reduceat(th * pw[pos], starts[full])
    k = _fmix64(sums ^ (lengths[full].astype(_U64) * _M2))
    k[k == 0] = 1  # 0 means "no words"
    keys[full] = k
    return keys


# fingerprint_documents works through this many documents at a time: numpy passes over a
# slice of ~1,000 news articles (~250k words) stay in the CPU caches; over 20,000 at once
# they stream from memory (20k docs of benchmarks/speed.py: ~15% more CPU time).
DOC_BATCH = 1024


def fingerprint_documents(docs: Sequence[Document], params: FingerprintParams) -> list[Fingerprint]:
    """Fingerprints of many documents, computed DOC_BATCH documents at a time.

    Only tokenising is done per document; word hashes, n-gram hashes, winnowing, content
    sets and MinHash run as numpy operations over the concatenation of a batch, with
    document boundaries masked. A fingerprint does not depend on the batch it is in.
    """
    out: list[Fingerprint] = []
    for lo in range(0, len(docs), DOC_BATCH):
        chunk = docs[lo : lo + DOC_BATCH]
        out.extend(fingerprint_batch(chunk, params).fingerprints([d.id for d in chunk]))
    return out


@dataclass(frozen=True, slots=True, eq=False)
class FingerprintBatch:
    """The fingerprints of a run of documents as a few arrays (row k: the k-th document),
    cheap to pickle between processes; ``fingerprints`` makes the per-document records."""

    minhash: np.ndarray  # uint32[n, num_perm]
    content_minhash: np.ndarray  # uint32[n, num_perm]
    samples: np.ndarray  # uint64: every document's sample, one after the other
    sample_ends: np.ndarray  # int64[n]: document k's sample ends here (starts where k-1's ends)
    n_shingles: np.ndarray  # int64[n]
    n_content: np.ndarray  # int64[n]
    text_keys: np.ndarray  # uint64[n]

    def __len__(self) -> int:
        return len(self.minhash)

    def fingerprints(self, doc_ids: Sequence[str]) -> list[Fingerprint]:
        """One Fingerprint per document (views into these arrays); ``doc_ids`` in batch order."""
        ends = self.sample_ends.tolist()
        samples = self.samples
        mh, cmh = self.minhash, self.content_minhash
        return [
            Fingerprint(
                doc_id=doc_id,
                minhash=mh[k],
                content_minhash=cmh[k],
                sample=samples[a:z],
                n_shingles=n_sh,
                n_content=n_ct,
                text_key=key,
            )
            for k, (doc_id, a, z, n_sh, n_ct, key) in enumerate(
                zip(doc_ids, [0, *ends[:-1]], ends, self.n_shingles.tolist(), self.n_content.tolist(),
                    self.text_keys.tolist(), strict=True)
            )
        ]


def fingerprint_batch(docs: Sequence[Document], params: FingerprintParams) -> FingerprintBatch:
    """The fingerprints of ``docs`` as one FingerprintBatch, computed all at once (callers
    with many documents go through ``fingerprint_documents``, which splits them)."""
    n_docs = len(docs)
    n = params.shingle_size
    th, lengths, stem_ids, lex = _batch_words(docs, params.seed)
    total = len(th)
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
        mins = window_minima(sh, w)
        first = np.cumsum(counts) - counts
        win_doc = sh_doc[: len(mins)]
        ok = (np.arange(len(mins)) - first[win_doc]) <= counts[win_doc] - w
        samp, samp_doc = mins[ok], win_doc[ok]
    else:
        samp, samp_doc = np.empty(0, _U64), np.empty(0, np.int64)
    few = np.flatnonzero((counts > 0) & (counts <= FULL_SAMPLE_WINDOWS * w))  # all shingles of a short text
    if len(few):
        is_few = np.zeros(n_docs, dtype=bool)
        is_few[few] = True
        sel = is_few[sh_doc]
        samp = np.concatenate([samp, sh[sel]])
        samp_doc = np.concatenate([samp_doc, sh_doc[sel]])
    if len(samp) > 1:  # neighbouring windows mostly share their minimum: drop repeats first
        keep = np.ones(len(samp), dtype=bool)
        keep[1:] = (samp[1:] != samp[:-1]) | (samp_doc[1:] != samp_doc[:-1])
        samp, samp_doc = samp[keep], samp_doc[keep]
    samp, samp_doc = _unique_per_doc(samp, samp_doc)

    # Distinct content stems per document: one sort of (document, stem id) integer keys.
    cmask = stem_ids >= 0
    n_stems = max(len(lex.stem_ids), 1)
    ckeys = np.sort(word_doc[cmask] * n_stems + stem_ids[cmask])  # np.unique hashes: slower here
    if len(ckeys) > 1:
        ckeys = ckeys[np.concatenate([[True], ckeys[1:] != ckeys[:-1]])]
    uch_doc = ckeys // n_stems
    uch = lex.stem_hash[ckeys % n_stems]
    # MinHash takes a minimum per bin, which repeated shingles do not change: no distinct pass.
    mh = _oph_flat(sh, sh_doc, n_docs, params.num_perm, params.seed)
    cmh = _oph_flat(uch, uch_doc, n_docs, params.num_perm, params.seed * 7919 + 1)
    return FingerprintBatch(
        minhash=mh,
        content_minhash=cmh,
        samples=samp,
        sample_ends=np.cumsum(np.bincount(samp_doc, minlength=n_docs)),
        n_shingles=counts,  # shingle positions (a document's n-grams, repeats included)
        n_content=np.bincount(uch_doc, minlength=n_docs),
        text_keys=_text_keys(th, starts, lengths),
    )


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

"""Two texts -> sentence alignment (1:1, 1:n, n:1, reordering allowed).

Sentences are split one paragraph at a time: boundaries that need no rules (a stop
after a word that cannot be an abbreviation) are cut first, and sentencex (Wikimedia's
rule-based segmenter, compiled; abbreviations, quotes, datelines) splits what is left.
pysbd gave the same sentences on 97% of paragraphs of the speed corpus at about
1/500 of the speed; sentencex keeps the drift benchmark at 0 false findings.

Sentences are compared as sets of content-word stems with numbers, number
words, months and weekdays masked out, weighted by inverse sentence frequency
over the two texts (a weighted Dice coefficient). A changed figure, date or
single name therefore moves a score only a little, while paraphrase that keeps
the content words still scores high. The whole score matrix is one
matrix product; pairing is greedy on the best scores, then neighbouring
sentences are merged into 1:n / n:1 groups when the merge raises the score.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import sentencex
import xxhash

from .errors import ParamsError
from .fingerprint import sorted_unique
from .normalize import capitals_tell_names, is_content, stem, tokenize, tokenize_uncached
from .records import Alignment, Sentence, SentencePair, Zone

# Default pairing threshold (weighted Dice over masked content stems, names at half weight).
# Calibrated on the seeds as cleaned by dedup.ingest (best score of each of 000's 14
# sentences against the other text; tests/test_align.py keeps the shares):
#   000 vs 001 (full paraphrase): 0.33-0.77, median 0.57; every true pair scores >= 0.33
#     (the weakest: "Baloch separatists have intensified attacks..." / "Separatists have
#     ramped up assaults..."); all 14 align (13 groups).
#   000 vs 003 (rewrite with much added material): 0.15-0.84, median 0.35; half align.
#   000 vs 004 (independent Reuters report of the same event): 0.10-0.60, median 0.26;
#     6 of 14 align, mostly the shared background sentences.
#   000 vs 002 (another outlet, mostly its own text): 0.12-0.92, median 0.25; 3 align.
# 0.30 keeps the paraphrase pairs and leaves an independent report mostly unaligned.
# benchmarks/drift_bench.py re-checks it on injected edits of BBC/Reuters text (no
# false claim_added/claim_dropped on 1,526 unchanged or style-only copies).
MIN_SCORE = 0.30
# A neighbouring sentence joins a group (1:n / n:1) when the group's score rises by this much.
MERGE_GAIN = 0.02
# Weight of a capitalised name relative to other content words (names are masked softly).
NAME_WEIGHT = 0.5
_NAME_MARK = "\x00"
# Up to this many sentences on one side of a group.
MAX_GROUP = 3
# Texts whose sentences and term ids stay cached (verification aligns each document with
# a few dozen candidates). A scan's worker meets ~12k of the 20k-article folder's texts in
# the order engines.local gives the pairs; 4,096 made it split and encode 24% more texts
# than it meets (14.5k for 11.7k), at ~0.6 ms each. About 10 KB a text.
TEXT_CACHE = 16384

_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million billion trillion dozen dozens hundreds thousands millions "
    "billions first second third fourth fifth sixth seventh eighth ninth tenth half".split()
)
DATE_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday today yesterday tomorrow".split()
)
_HYPHEN_NUMBER_RE = re.compile(r"^(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-\w+$")

# A place inside a paragraph where a sentence could end: terminal punctuation, closing
# quotes/brackets, white space, then something that can start a sentence.
_MAYBE_BOUNDARY_RE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+[\"'\u201c\u2018(\[]?[A-Z0-9]")
# Boundaries that need no rules are cut first; sentencex only sees what is left between them.
# A candidate is a stop (maybe closing quotes), white space, then a capital; it is safe when
# the word before the stop cannot be an abbreviation: a lower-case word of 3+ letters, a
# figure ("$10.9bn.", "47.3%.", "2001."), or a capitalised word of 4+ letters not on the list.
_CANDIDATE_RE = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z])")
_LOWER_ABBREVIATIONS = frozenset("approx incl dept est vol fig esp govt nos etc cf resp".split())
_SHORT_ABBREVIATIONS = frozenset("vs no op pp cf ca ft mt st dr mr ms".split())
_CAPITAL_ABBREVIATIONS = frozenset(
    "corp dept capt sept calif mass penn wash colo conn ariz okla tenn prof bros blvd univ assn intl natl gov't".split()
)
_FIGURE_RE = re.compile(r"^[$\u00a3\u20ac(]?\d[\d,.]*(?:%|[a-z]{1,3})?\)?$")


def _safe_chunks(p: str) -> list[str]:
    chunks = []
    last = 0
    for m in _CANDIDATE_RE.finditer(p):
        head = p[last : m.start()]
        word = head.rsplit(None, 1)[-1] if head.strip() else ""
        word = word.lstrip("\"'\u201c\u2018(").rstrip("\"'\u201d\u2019)")
        if not word or "." in word.rstrip(".").replace(",", "") and not _FIGURE_RE.match(word):
            continue
        w = word.lower()
        if word.islower() and word.isalpha():
            safe = (len(word) >= 3 and w not in _LOWER_ABBREVIATIONS) or (len(word) == 2 and w not in _SHORT_ABBREVIATIONS)
        elif _FIGURE_RE.match(word):
            safe = True
        elif word.isupper() and word.isalpha() and len(word) >= 2:
            safe = True  # an acronym ("the SEC.")
        elif word[:1].isupper() and word[1:].islower() and word.isalpha():
            safe = len(word) >= 4 and w not in _CAPITAL_ABBREVIATIONS
        else:
            safe = False
        if safe:
            cut = m.start() + len(m.group().rstrip())
            chunks.append(p[last:cut])
            last = cut
    chunks.append(p[last:])
    return chunks


_FINAL_PUNCT = frozenset(".!?\u2026:;\"'\u201d\u2019)]")
_HEADLINE_MAX_WORDS = 20

def _zone_of(start: int, end: int, zones: Sequence[Zone]) -> str | None:
    for z in zones:
        if z.start <= start < z.end or (start <= z.start < end):
            return z.kind
    return None


def split_sentences(text: str, *, zones: tuple[Zone, ...] = ()) -> tuple[Sentence, ...]:
    """Sentences of ``text`` with offsets into it. Results are cached per (text, zones)."""
    return _split_cached(text, tuple(zones))


_WRAP_MIN_LINES = 3


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: one per line, or, in hard-wrapped text (most lines run on into the
    next without final punctuation, as in wire archives), blocks ended by a blank or an
    indented line. A line's span holds its newline."""
    # Each line once: its span, its first character and its last one but white space
    # ("" for a blank line); str.split and one strip a line, not a regex and a strip per test.
    lines: list[tuple[int, int, str, str]] = []
    pos, last = 0, len(text)
    for part in text.split("\n"):
        end = min(pos + len(part) + 1, last)
        if end > pos:
            stripped = part.strip()
            lines.append((pos, end, part[:1], stripped[-1:]))
        pos = end
    run_on = ends_open = 0
    for (_, _, _, cur_end), (_, _, nxt_first, nxt_end) in zip(lines, lines[1:]):
        if cur_end and nxt_end and not nxt_first.isspace():
            run_on += 1
            ends_open += cur_end not in _FINAL_PUNCT
    wrapped = run_on >= _WRAP_MIN_LINES and ends_open * 2 >= run_on
    spans: list[tuple[int, int]] = []
    prev_end = ""  # last character but white space of the last span's last line
    for s0, e0, first, end_char in lines:
        if not end_char:
            continue
        if wrapped and spans and not first.isspace() and spans[-1][1] == s0 and prev_end not in _FINAL_PUNCT:
            spans[-1] = (spans[-1][0], e0)
        else:
            spans.append((s0, e0))
        prev_end = end_char
    return spans


@lru_cache(maxsize=TEXT_CACHE)
def _split_cached(text: str, zones: tuple[Zone, ...]) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    for p0, p1 in _paragraphs(text):
        p = text[p0:p1].replace("\n", " ")
        stripped = p.strip()
        if not stripped:
            continue
        base = p0
        zone = _zone_of(base, p1, zones)
        pieces = []
        for chunk in _safe_chunks(p):
            if _MAYBE_BOUNDARY_RE.search(chunk):
                pieces.extend(sentencex.segment("en", chunk))
            else:
                pieces.append(chunk)
        cursor = 0
        for piece in pieces:
            piece_s = piece.strip()
            if not piece_s:
                continue
            at = p.find(piece_s, cursor)
            if at < 0:  # the segmenter changed the text; fall back to the whole remainder
                at, piece_s = cursor, p[cursor:].strip()
                at = p.find(piece_s, cursor)
            start, end = base + at, base + at + len(piece_s)
            cursor = at + len(piece_s)
            kind = _zone_of(start, end, zones) or zone
            if kind is None:
                if (
                    len(pieces) == 1
                    and piece_s[-1] not in _FINAL_PUNCT
                    and len(piece_s.split()) <= _HEADLINE_MAX_WORDS
                ):
                    kind = "headline"
                else:
                    kind = "body"
            out.append(Sentence(start, end, text[start:end], kind))
            if cursor >= len(p):
                break
    return tuple(out)


def _masked(words: Sequence[str], initials: str, names: bool = True) -> frozenset[str]:
    """Masked terms of one sentence's words; ``initials``: the first character of each as
    written (a capital after the first word marks a name, unless ``names`` is False: the
    text's capitals tell no names, ``capitals_tell_names``)."""
    terms = set()
    for k, w in enumerate(words):
        t = _term(w)
        if t is None:
            continue
        # Names (capitalised, not the first word) count for less, so a changed name
        # does not break a pair: they are marked and down-weighted in _matrices.
        terms.add(_NAME_MARK + w if names and k > 0 and initials[k].isupper() else t)
    return frozenset(terms)


@lru_cache(maxsize=1 << 18)
def _term(word: str) -> str | None:
    """The masked term of a word (its stem), None for a number, date or stop word."""
    if word[:1].isdigit() or word in _NUMBER_WORDS or word in DATE_WORDS or _HYPHEN_NUMBER_RE.match(word):
        return None
    return stem(word) if is_content(word) else None


class _WordTerms(dict):
    """``_term`` of each word met so far (a dict lookup per word, no LRU bookkeeping)."""

    def __missing__(self, word: str) -> str | None:
        t = self[word] = _term(word)
        return t


_WORD_TERMS = _WordTerms()


def _word_terms(words: Sequence[str]) -> list[str | None]:
    """``_term`` of each word (the dict is emptied when it holds as many as ``_term``'s cache)."""
    if len(_WORD_TERMS) >= _term.cache_info().maxsize:
        _WORD_TERMS.clear()
    return list(map(_WORD_TERMS.__getitem__, words))


@lru_cache(maxsize=1 << 16)
def masked_terms(sentence: str) -> frozenset[str]:
    """Content stems of a sentence with numbers, number words and dates masked out. A
    capital after the first word marks a name: taken alone, a sentence cannot tell whether
    its text is set in capitals (``sentence_terms`` and ``span_terms`` know)."""
    toks = tokenize_uncached(sentence)
    return _masked(toks.words, "".join(sentence[i] for i in toks.starts.tolist()))


@lru_cache(maxsize=4096)
def _terms_cached(text: str, zones: tuple[Zone, ...], names: bool = True) -> tuple[frozenset[str], ...]:
    """``masked_terms`` of every sentence, from one tokenisation of the whole text (the one
    verification made: ``tokenize`` is cached per text). ``names=False``: no word is marked as
    a name, as in a text whose capitals tell no names (for pairing with one)."""
    toks = tokenize(text)
    sents = _split_cached(text, zones)
    if not sents:
        return ()
    words = toks.words
    plain = _word_terms(words)
    # Each word's term as _masked gives it anywhere but first in its sentence: a capitalised
    # content word is a name. The first word of each sentence is put right below.
    # None in a text whose capitals tell no names (set in capitals or title case).
    initials = "".join(map(text.__getitem__, toks.starts.tolist()))
    if not names or not capitals_tell_names(text):
        caps = []
    elif initials.isascii():
        caps = np.flatnonzero(np.frombuffer(initials.encode("ascii"), dtype=np.uint8) - 65 < 26).tolist()
    else:
        caps = [k for k, c in enumerate(initials) if c.isupper()]
    named = plain.copy()
    for k in caps:
        if plain[k] is not None:
            named[k] = _NAME_MARK + words[k]
    los = np.searchsorted(toks.starts, [s.start for s in sents], side="left").tolist()
    his = np.searchsorted(toks.ends, [s.end for s in sents], side="right").tolist()
    # None (no term) is the only false item: terms are not empty.
    return tuple(frozenset(filter(None, [plain[lo], *named[lo + 1 : hi]])) if hi > lo else frozenset()
                 for lo, hi in zip(los, his))


def clear_caches() -> None:
    """Empty the per-text caches (sentences, terms, term ids) and the per-word ones."""
    global _WORD_SLOTS
    for fn in (_split_cached, _terms_cached, _ids_cached, masked_terms, _term):
        fn.cache_clear()
    _TERM_IDS.clear()
    _WORD_TERMS.clear()
    _WORD_SLOTS = _WordSlots()


def sentence_terms(text: str, zones: tuple[Zone, ...] = ()) -> tuple[frozenset[str], ...]:
    """``masked_terms`` of each sentence of ``split_sentences(text, zones=zones)``, from one
    cached tokenisation of the whole text (equal to the sentence-by-sentence terms:
    tests/test_align.py)."""
    return _terms_cached(text, tuple(zones))


def span_terms(text: str, start: int, end: int) -> frozenset[str]:
    """``masked_terms(text[start:end])`` from the text's cached tokens, for a span cut at
    white space or punctuation (a sentence, a clause, a run of sentences). Whether capitals
    mark names is the whole text's to tell, as in ``sentence_terms``."""
    toks = tokenize(text)
    lo = int(np.searchsorted(toks.starts, start, side="left"))
    hi = int(np.searchsorted(toks.ends, end, side="right"))
    return _masked(toks.words[lo:hi], "".join(text[i] for i in toks.starts[lo:hi].tolist()),
                   capitals_tell_names(text))


# Masked terms as integer ids, so the per-pair matrices are built with numpy from arrays
# cached per text instead of Python loops over strings. An id is a fixed hash of the term,
# not its rank in a vocabulary: a pair's matrix columns (and the float sums over them) come
# in the same order in every process, so a score does not depend on which worker, or
# which earlier texts, built the arrays.
_TERM_IDS: dict[str, int] = {}
_TERM_IDS_MAX = 1 << 18  # emptied when full (a dict lookup per term, no LRU bookkeeping)


def _term_id(term: str) -> int:
    return xxhash.xxh3_64_intdigest(term.encode("utf-8", "surrogatepass"))


def _term_ids(terms: Iterable[str]) -> list[int]:
    """``_term_id`` of each term, from a cache of the ids met so far."""
    terms = list(terms)
    got = list(map(_TERM_IDS.get, terms))
    if None in got:
        if len(_TERM_IDS) >= _TERM_IDS_MAX:
            _TERM_IDS.clear()
        for k, t in enumerate(terms):
            if got[k] is None:
                got[k] = _TERM_IDS[t] = _term_id(t)
    return got


def _encode(terms: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term ids of all sentences, concatenated; sentence index of each; is it a name)."""
    flat = [t for ts in terms for t in ts]
    ids = np.array(_term_ids(flat), dtype=np.uint64)
    rows = np.repeat(np.arange(len(terms), dtype=np.int64), [len(ts) for ts in terms])
    names = np.fromiter((t.startswith(_NAME_MARK) for t in flat), dtype=bool, count=len(flat))
    return ids, rows, names


class _Vocab:
    """A text's term ids prepared for pairing: its sorted distinct ids (``vocab``); for each
    (sentence, term) entry its sentence (``rows``) and its place in ``vocab`` (``cols``);
    per distinct id ``key``: 4 x the number of sentences holding it, plus 1 for a name (two
    texts' keys add up to the pair's key, which indexes ``_weights``)."""

    __slots__ = ("vocab", "rows", "cols", "key", "sents")

    def __init__(self, vocab: np.ndarray, rows: np.ndarray, cols: np.ndarray, key: np.ndarray):
        self.vocab, self.rows, self.cols, self.key = vocab, rows, cols, key

    @classmethod
    def of_ids(cls, ids: np.ndarray, rows: np.ndarray, names: np.ndarray) -> _Vocab:
        """The ``_Vocab`` of ``_encode``'s arrays."""
        vocab, cols, df = np.unique(ids, return_inverse=True, return_counts=True)
        key = df * 4
        key[cols[names]] |= 1
        return cls(vocab, rows, cols, key)


class _WordSlots(dict):
    """A slot per word met so far, indexing arrays of its terms' numbers: its term as the
    first word of a sentence (``_term``: its stem) and elsewhere when it is capitalised (a
    name: ``_NAME_MARK`` + the word), -1 for a word with no term. Each distinct term has a
    number and an id (``_term_id``; ids may collide, numbers do not). A text's terms are then
    a few array lookups, not a term string and a hash per word."""

    def __init__(self) -> None:
        super().__init__()
        self.plain = np.zeros(1024, dtype=np.int64)
        self.name = np.zeros(1024, dtype=np.int64)
        self.terms: dict[str, int] = {}
        self.ids = np.zeros(1024, dtype=np.uint64)  # by term number

    def _number(self, term: str) -> int:
        k = self.terms.get(term)
        if k is None:
            k = self.terms[term] = len(self.terms)
            if k == len(self.ids):
                self.ids = np.resize(self.ids, 2 * k)
            self.ids[k] = _term_id(term)
        return k

    def __missing__(self, word: str) -> int:
        k = self[word] = len(self)
        if k == len(self.plain):
            self.plain, self.name = np.resize(self.plain, 2 * k), np.resize(self.name, 2 * k)
        t = _term(word)
        if t is None:
            self.plain[k] = self.name[k] = -1
        else:
            self.plain[k], self.name[k] = self._number(t), self._number(_NAME_MARK + word)
        return k


_WORD_SLOTS = _WordSlots()
_WORD_SLOTS_MAX = 1 << 18  # emptied when full, as _term's cache


def _word_slots(words: Sequence[str]) -> np.ndarray:
    global _WORD_SLOTS
    if len(_WORD_SLOTS) >= _WORD_SLOTS_MAX:
        _WORD_SLOTS = _WordSlots()
    return np.fromiter(map(_WORD_SLOTS.__getitem__, words), dtype=np.int64, count=len(words))


@lru_cache(maxsize=TEXT_CACHE)
def _ids_cached(text: str, zones: tuple[Zone, ...], names: bool = True) -> _Vocab:
    """The ``_Vocab`` of a text's sentences (``sents``), cached per text: the ids of the
    terms ``_terms_cached`` gives each sentence (tests/test_align.py checks they agree),
    found with array operations over the text's words."""
    sents = _split_cached(text, zones)
    toks = tokenize(text)
    slots = _word_slots(toks.words)
    table = _WORD_SLOTS
    # Each (sentence, word) entry: the word's index, the sentence's row, whether it is the
    # sentence's first word.
    los = np.searchsorted(toks.starts, [s.start for s in sents], side="left")
    his = np.searchsorted(toks.ends, [s.end for s in sents], side="right")
    lens = np.maximum(his - los, 0)
    rows = np.repeat(np.arange(len(sents), dtype=np.int64), lens)
    first = np.repeat(los, lens)
    word = np.arange(len(rows), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens) + first
    slot = slots[word]
    # A capitalised word after the first of its sentence is a name, where capitals tell names.
    if names and len(word) and capitals_tell_names(text):
        if text.isascii():
            caps = np.frombuffer(text.encode("ascii"), dtype=np.uint8)[toks.starts] - 65 < 26
        else:
            caps = np.fromiter(map(str.isupper, map(text.__getitem__, toks.starts.tolist())), dtype=bool,
                               count=len(toks.starts))
        named = caps[word] & (word != first)
    else:
        named = np.zeros(len(word), dtype=bool)
    terms = np.where(named, table.name[slot], table.plain[slot])
    ok = terms >= 0
    terms, rows, named = terms[ok], rows[ok], named[ok]
    # Each term once per sentence (a sentence's terms are a set).
    order = np.lexsort((terms, rows))
    terms, rows, named = terms[order], rows[order], named[order]
    keep = np.ones(len(terms), dtype=bool)
    keep[1:] = (terms[1:] != terms[:-1]) | (rows[1:] != rows[:-1])
    # Terms that share an id share a column (of_ids).
    got = _Vocab.of_ids(table.ids[terms[keep]], rows[keep], named[keep])
    got.sents = sents
    return got


# What ``align`` needs of one text, prepared once: its sentences and their term ids.
SentenceData = _Vocab


def sentence_data(text: str, zones: Sequence[Zone] = (), *, names: bool = True) -> SentenceData:
    """The sentences of ``text`` and their term ids as ``align`` pairs them (cached per
    text). Callers that keep it (dedup.verify's stored form) pass it back to ``align``.
    ``names=False``: its capitalised words are not marked as names, so that its terms meet
    those of a text set in capitals, which marks none ("~quetta" never met "quetta")."""
    return _ids_cached(text, tuple(zones), names)


def sentence_data_from(vocab: np.ndarray, cols: np.ndarray, key: np.ndarray, counts: np.ndarray,
                       sents: tuple[Sentence, ...]) -> SentenceData:
    """A ``SentenceData`` rebuilt from its arrays (``counts``: term entries per sentence)."""
    if len(counts) != len(sents) or int(counts.sum()) != len(cols) or len(key) != len(vocab):
        raise ValueError("inconsistent sentence data")
    got = _Vocab(vocab, np.repeat(np.arange(len(sents), dtype=np.int64), counts), cols, key)
    got.sents = sents
    return got


@lru_cache(maxsize=1024)
def _weights(n: int) -> np.ndarray:
    """Term weight by key (see ``_Vocab``) for a pair of texts with ``n`` sentences in all:
    inverse sentence frequency over both texts, names at NAME_WEIGHT. The float32 steps
    are those of computing the weights of a pair's terms directly (elementwise, so the
    values do not depend on which array they are computed in)."""
    df = np.arange(n + 1, dtype=np.int64).astype(np.float32)
    w = (np.log((n + 1.0) / (df + 1.0)) + 1.0).astype(np.float32)
    table = np.repeat(w, 4)
    table.reshape(-1, 4)[:, 1:] *= NAME_WEIGHT
    return table


def _matrices_ids(a: _Vocab, b: _Vocab, na: int, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentence-by-term incidence matrix of A and B (``na``/``nb`` sentences; A's rows
    first) and the term weights. The columns are the distinct ids of both texts in
    increasing order, as np.unique over both would give them."""
    va, vb = a.vocab, b.vocab
    both = sorted_unique(np.concatenate((va, vb)))
    pa = both.searchsorted(va)
    pb = both.searchsorted(vb)
    v = max(len(both), 1)
    key = np.zeros(v, dtype=np.int64)
    key[pa] = a.key
    key[pb] += b.key
    m = np.zeros((na + nb, v), dtype=np.float32)
    m[a.rows, pa[a.cols]] = 1.0
    m[b.rows + na, pb[b.cols]] = 1.0
    try:
        return m, _weights(na + nb)[key]
    except IndexError:  # ids shared by several terms of one sentence: more entries than sentences
        df = (key >> 2).astype(np.float32)
        w = (np.log((na + nb + 1.0) / (df + 1.0)) + 1.0).astype(np.float32)
        w[(key & 3) > 0] *= NAME_WEIGHT
        return m, w


def _matrices(ta: Sequence[frozenset[str]], tb: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    return _matrices_ids(_Vocab.of_ids(*_encode(ta)), _Vocab.of_ids(*_encode(tb)), len(ta), len(tb))


def _weighted_dice_matrix(m: np.ndarray, w: np.ndarray, na: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of A's sentences (the first ``na`` rows of ``m``) against B's (the rest), and
    ``m * w`` (each sentence's weighted term vector)."""
    # einsum, not `@`: these matrices are tiny, and a multi-threaded BLAS call on a busy
    # machine costs tens of milliseconds where einsum's own loop takes a fraction of one.
    # Each output element is one sum over a row in column order, so A's and B's sizes come
    # from one call over the stacked rows (tests/test_align.py pins the plain form).
    mw = m * w
    inter = np.einsum("ik,jk->ij", mw[:na], m[na:])
    sums = np.einsum("ik,k->i", m, w)
    denom = np.add.outer(sums[:na], sums[na:])
    if np.minimum.reduce(sums) > 0:
        s = np.multiply(inter, 2.0, out=inter)
        s /= denom
    else:  # a sentence with no terms
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.where(denom > 0, 2.0 * inter / denom, 0.0)
    return np.minimum(s, 1.0, out=s), mw  # the scores are >= 0: no lower clip


def score_matrix(a_terms: Sequence[frozenset[str]], b_terms: Sequence[frozenset[str]]) -> np.ndarray:
    """Weighted Dice similarity of every sentence of A with every sentence of B, in [0, 1]."""
    if not a_terms or not b_terms:
        return np.zeros((len(a_terms), len(b_terms)), dtype=np.float32)
    m, w = _matrices(a_terms, b_terms)
    return _weighted_dice_matrix(m, w, len(a_terms))[0]


# Two sentences of the same text have the same terms, so a score of 1 (up to float rounding):
# only such pairs are compared as texts.
_TWIN_SCORE = 0.999


def _same_text(x: str, y: str) -> bool:
    """Are two sentences the same text once runs of white space are one space?"""
    return x == y or x.split() == y.split()


def align(
    a_text: str,
    b_text: str,
    *,
    a_zones: tuple[Zone, ...] = (),
    b_zones: tuple[Zone, ...] = (),
    min_score: float = MIN_SCORE,
    a_data: SentenceData | None = None,
    b_data: SentenceData | None = None,
) -> Alignment:
    """Align the sentences of A with those of B.

    Pairs are 1:1, 1:n or n:1 (neighbouring sentences), in any order; each carries
    its weighted-Dice score with numbers and dates masked. Sentences with no
    counterpart scoring ``min_score`` or more are left unaligned. ``a_data``/``b_data``:
    the texts' ``sentence_data``, when the caller has it (else it is built and cached).
    """
    if not 0.0 < min_score <= 1.0:
        raise ParamsError(f"min_score {min_score} is out of range; use a value in (0, 1]")
    a = a_data if a_data is not None else _ids_cached(a_text, tuple(a_zones))
    b = b_data if b_data is not None else _ids_cached(b_text, tuple(b_zones))
    sa, sb = a.sents, b.sents
    if not sa or not sb:
        return Alignment(sa, sb, (), tuple(range(len(sa))), tuple(range(len(sb))))
    na, nb = len(sa), len(sb)
    m, w = _matrices_ids(a, b, na, nb)
    s, mw = _weighted_dice_matrix(m, w, na)

    # Greedy 1:1 on the best scores, sorted in Python: most pairs have a handful of
    # candidates. Ties go to the pair whose sentences are the same text (white space
    # collapsed), then to closeness to the diagonal, then in row order: two sentences that
    # differ only in figures or dates mask to the same terms, and a reordered one must pair
    # with its verbatim twin, not with the one now at its place. Only ties: no score changes.
    rows = s.tolist()
    pair_of_a: dict[int, int] = {}
    pair_of_b: dict[int, int] = {}
    ci, cj = (s >= min_score).nonzero()
    ij = [
        (i, j)
        for _, _, _, i, j in sorted(
            (-rows[i][j], not (rows[i][j] > _TWIN_SCORE and _same_text(sa[i].text, sb[j].text)), abs(i / na - j / nb), i, j)
            for i, j in zip(ci.tolist(), cj.tolist())
        )
    ]
    for i, j in ij:
        if i in pair_of_a or j in pair_of_b:
            continue
        pair_of_a[i] = j
        pair_of_b[j] = i

    groups: list[tuple[list[int], list[int]]] = [([i], [j]) for i, j in sorted(pair_of_a.items())]
    free_a = set(range(na)).difference(pair_of_a)
    free_b = set(range(nb)).difference(pair_of_b)

    # A group's weighted Dice score from each side's weighted term vector (the max over its
    # sentences' rows of ``mw``: the weights are positive, so this is the max of the 0/1
    # rows times the weights) and that vector's sum. Sides are kept per member tuple:
    # growing a group tries each neighbour against the same other side many times. A grown
    # side is its old vector's max with the neighbour's row (max is exact: the same vector
    # whichever way the members were gathered).
    sides: tuple[dict, dict] = ({}, {})
    add, maximum, minimum = np.add.reduce, np.maximum, np.minimum

    def single(k: int, i: int) -> tuple[np.ndarray, float]:
        got = sides[k].get((i,))
        if got is None:
            vec = mw[i + na if k else i]
            got = sides[k][(i,)] = (vec, float(add(vec)))
        return got

    def grown(k: int, members: list[int], base: tuple[np.ndarray, float], nbr: int) -> tuple[np.ndarray, float]:
        key = tuple(sorted(members + [nbr]))
        got = sides[k].get(key)
        if got is None:
            vec = maximum(base[0], mw[nbr + na if k else nbr])
            got = sides[k][key] = (vec, float(add(vec)))
        return got

    def score(side_a: tuple[np.ndarray, float], side_b: tuple[np.ndarray, float]) -> float:
        total = side_a[1] + side_b[1]
        return 2.0 * float(add(minimum(side_a[0], side_b[0]))) / total if total != 0 else 0.0

    # Grow groups with free neighbouring sentences when that raises the score. A neighbour
    # that shares no term with any sentence of the group's other side leaves the shared
    # weight as it is and only adds to its own side's: the score cannot rise, so it is not
    # tried (sentence i of A shares a term with sentence j of B when ``rows[i][j] > 0``).
    # A group that grew keeps its last score (that of its final sides).
    grew: dict[int, float] = {}
    for g, (ga, gb) in enumerate(groups) if free_a or free_b else ():
        current = None  # the group's score, computed when a neighbour is worth a try
        changed = True
        while changed:
            changed = False
            best = None
            for side, members, free, limit in ((0, ga, free_a, na), (1, gb, free_b, nb)):
                if len(members) >= MAX_GROUP:
                    continue
                for nbr in (min(members) - 1, max(members) + 1):
                    if 0 <= nbr < limit and nbr in free:
                        if not any(rows[nbr][j] > 0.0 for j in gb) if side == 0 else not any(rows[i][nbr] > 0.0 for i in ga):
                            continue
                        if current is None:
                            side_a, side_b = single(0, ga[0]), single(1, gb[0])
                            current = score(side_a, side_b)
                        if side == 0:
                            trial = grown(0, ga, side_a, nbr)
                            sc = score(trial, side_b)
                        else:
                            trial = grown(1, gb, side_b, nbr)
                            sc = score(side_a, trial)
                        if sc >= current + MERGE_GAIN and (best is None or sc > best[0]):
                            best = (sc, side, nbr, trial)
            if best is not None:
                sc, side, nbr, trial = best
                if side == 0:
                    ga.append(nbr)
                    ga.sort()
                    free_a.discard(nbr)
                    side_a = trial
                else:
                    gb.append(nbr)
                    gb.sort()
                    free_b.discard(nbr)
                    side_b = trial
                current = grew[g] = sc
                changed = True

    pairs = []
    for g, (ga, gb) in enumerate(groups):
        sc = grew[g] if g in grew else rows[ga[0]][gb[0]]
        pairs.append(SentencePair(tuple(ga), tuple(gb), round(min(max(sc, 0.0), 1.0), 4)))
    pairs.sort(key=lambda p: p.a)
    return Alignment(sa, sb, tuple(pairs), tuple(sorted(free_a)), tuple(sorted(free_b)))


def aligned_share(alignment: Alignment, *, zone: str = "body") -> tuple[float, float]:
    """Share of A's and of B's sentences in ``zone`` that are aligned (for rewrite vs same-event)."""
    in_a = [i for i, s in enumerate(alignment.a_sentences) if s.zone == zone]
    in_b = [j for j, s in enumerate(alignment.b_sentences) if s.zone == zone]
    got_a = {i for p in alignment.pairs for i in p.a}
    got_b = {j for p in alignment.pairs for j in p.b}
    fa = sum(1 for i in in_a if i in got_a) / len(in_a) if in_a else 0.0
    fb = sum(1 for j in in_b if j in got_b) / len(in_b) if in_b else 0.0
    return fa, fb


def order_share(alignment: Alignment) -> float:
    """Share of aligned pairs that keep their relative order (1 = same order)."""
    firsts = [min(p.b) for p in sorted(alignment.pairs, key=lambda p: min(p.a))]
    if len(firsts) < 2:
        return 1.0
    # Longest increasing subsequence length over the B positions, in A order.
    tails: list[int] = []
    for x in firsts:
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails) / len(firsts)


__all__ = [
    "MIN_SCORE",
    "SentenceData",
    "align",
    "aligned_share",
    "clear_caches",
    "masked_terms",
    "order_share",
    "score_matrix",
    "sentence_data",
    "sentence_data_from",
    "sentence_terms",
    "span_terms",
    "split_sentences",
]

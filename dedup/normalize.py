"""Text -> canonical text and tokens.

Tokens keep their character offsets in the text they came from, so every
score can be turned back into evidence a person can read. Canonicalisation is
per token (NFKC, curly quotes, case), so offsets never drift.

``NORMALIZER_VERSION`` is stored with every index: bump it whenever a change
here would give a stored signature a different value.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer

NORMALIZER_VERSION = 4  # 4: words hashed with the seeded byte polynomial (fingerprint.span_hashes)

# Digit groups ("155,221", "2.0", "7:29") or letter words with inner apostrophes ("pakistan's").
_TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['\u2019\u02bc][^\W\d_]+)*")
_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u00a0": " ", "\u2026": "...",
    }
)
_SPACE_RE = re.compile(r"\s+")



def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list (the Glasgow IR group's), read from the one
    data module that holds it, which imports nothing. Importing it the ordinary way runs
    scikit-learn's package imports (scipy, joblib): about a second of CPU, and three of wall
    time on a cold cache, at the start of every command, for 318 words."""
    spec = importlib.util.find_spec("sklearn")  # locates the package without importing it
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        data = importlib.util.spec_from_file_location(
            "dedup._sklearn_stop_words", f"{root}/feature_extraction/_stop_words.py"
        )
        if data is None or data.loader is None:
            continue
        module = importlib.util.module_from_spec(data)
        try:
            data.loader.exec_module(module)
        except OSError:  # moved in another scikit-learn release: ask the public API
            continue
        return frozenset(module.ENGLISH_STOP_WORDS)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


# Words that carry no story content. scikit-learn's list plus the verbs of reporting,
# which every wire story uses and which paraphrase swaps freely.
STOP_WORDS = _english_stop_words() | {
    "said", "says", "say", "told", "according", "added", "stated", "reported", "also", "would",
    "could", "s", "t", "mr", "mrs", "ms", "year", "years", "new", "one", "two",
}
# Snowball stemmers keep state between calls: one per thread (the service runs threads).
_STEMMERS = threading.local()


def canonical_text(text: str) -> str:
    """NFKC, straight quotes and dashes, collapsed white space, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE_RE.sub(" ", text).strip().lower()


@lru_cache(maxsize=1 << 18)
def canonical_word(word: str) -> str:
    """One token in canonical form: NFKC, straight apostrophe, lower case, no possessive 's."""
    w = unicodedata.normalize("NFKC", word).translate(_QUOTES).lower() if not word.isascii() else word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    return w


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """Snowball stem of a canonical word; numbers are kept as they are."""
    if word[:1].isdigit():
        return word
    return _stemmer().stemWord(word)


def _stemmer():
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """Canonical words of a text with their character spans in that text."""

    words: tuple[str, ...]
    starts: np.ndarray  # int32, offset of each word in the source text
    ends: np.ndarray  # int32

    def __len__(self) -> int:
        return len(self.words)


# Byte classes of the ASCII fast path: letters, digits, the apostrophe (a joiner between
# letters) and the separators of digit groups (joiners between digits).
_CLASS = np.zeros(256, dtype=np.int8)
_CLASS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)] = 1
_CLASS[np.frombuffer(b"0123456789", np.uint8)] = 2
_CLASS[ord("'")] = 3
_CLASS[np.frombuffer(b".,:", np.uint8)] = 4
_LETTER, _DIGIT, _APOSTROPHE, _SEPARATOR = 1, 2, 3, 4


def ascii_token_spans(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of lower-cased ASCII bytes ``b`` (uint8) without building strings: (starts,
    ends, canonical ends). Tokens are the maximal runs of one kind (letters with inner
    apostrophes; digits with inner ``.,:``), as ``tokenize`` finds them; the canonical end
    leaves out a possessive "'s", which canonical words drop."""
    c = _CLASS[b]
    kind = np.where(c <= _DIGIT, c, 0).astype(np.int8)
    if len(c) > 2:
        before, after, mid = kind[:-2], kind[2:], c[1:-1]
        inner_apos = (mid == _APOSTROPHE) & (before == _LETTER) & (after == _LETTER)
        inner_sep = (mid == _SEPARATOR) & (before == _DIGIT) & (after == _DIGIT)
        kind[1:-1][inner_apos] = _LETTER
        kind[1:-1][inner_sep] = _DIGIT
    prev = np.zeros_like(kind)
    prev[1:] = kind[:-1]
    nxt = np.zeros_like(kind)
    nxt[:-1] = kind[1:]
    starts = np.flatnonzero((kind != 0) & (kind != prev))
    ends = np.flatnonzero((kind != 0) & (kind != nxt)) + 1
    poss = (ends - starts > 2) & (b[ends - 1] == ord("s")) & (b[ends - 2] == ord("'"))
    return starts, ends, np.where(poss, ends - 2, ends)


def _tokenize_ascii(text: str) -> Tokens:
    """``tokenize`` for ASCII text with numpy (``ascii_token_spans``): one slice per word
    instead of one regex match object. Same tokens, offsets and canonical words."""
    low = text.lower()
    starts, ends, cends = ascii_token_spans(np.frombuffer(low.encode("ascii"), dtype=np.uint8))
    words = [low[s:e] for s, e in zip(starts.tolist(), cends.tolist())]
    return Tokens(tuple(words), starts.astype(np.int32), ends.astype(np.int32))


@lru_cache(maxsize=4096)
def tokenize(text: str) -> Tokens:
    """Canonical words of ``text`` with their character spans, cached per text (verification
    and sentence alignment tokenise the same article)."""
    toks = tokenize_uncached(text)
    toks.starts.flags.writeable = False  # shared through the cache
    toks.ends.flags.writeable = False
    return toks


def tokenize_uncached(text: str) -> Tokens:
    """``tokenize`` without the cache, for one-off strings (sentences, clauses)."""
    # The numpy path has a fixed cost of ~20 us: below ~300 characters the regex is faster
    # (the two give the same tokens: tests/test_normalize.py).
    if len(text) >= _SHORT_TEXT and (view := ascii_view(text)) is not None:
        return _tokenize_ascii(view)
    return _tokenize_regex(text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A character in these contexts (letters, digits, alone, before a possessive s) tokenises
# as its ASCII twin does: the same words at the same offsets.
_PROBE = "x{c}y 1{c}2 x{c}1 1{c}x {c} x{c}s"


@lru_cache(maxsize=1 << 12)
def _ascii_twin(c: str) -> str | None:
    """The ASCII character the tokeniser treats as it treats ``c``: a space for a character
    it never puts in a word nor joins words with (a pound sign, a dash, a curly quote), an
    apostrophe for one that joins letters as the apostrophe does (U+2019, U+02BC); None for
    a character words hold (a letter with an accent, a superscript digit)."""
    got = _tokenize_regex(_PROBE.format(c=c))
    for twin in (" ", "'"):
        want = _tokenize_regex(_PROBE.format(c=twin))
        if got.words == want.words and got.starts.tolist() == want.starts.tolist() and (
                got.ends.tolist() == want.ends.tolist()):
            return twin
    return None


def ascii_view(text: str) -> str | None:
    """``text`` itself when it is ASCII; else ``text`` with each non-ASCII character replaced
    by its ASCII twin (``_ascii_twin``), when all have one: the same words at the same
    offsets, so the numpy paths for ASCII text apply (news copy is ASCII but for its curly
    quotes, dashes and currency signs); None when a word holds a non-ASCII character."""
    return text if text.isascii() else _ascii_view(text)


@lru_cache(maxsize=256)  # a profile asks for it three times (tokens, entities, names)
def _ascii_view(text: str) -> str | None:
    # str.replace per distinct character: str.translate with a table looks up every
    # character in Python (~50 us for 1,000 characters, against ~4 us).
    for c in set(_NON_ASCII.findall(text)):
        twin = _ascii_twin(c)
        if twin is None:
            return None
        text = text.replace(c, twin)
    return text


# Capitals tell names only in running text written in sentence case, where about a sixth of
# the words start with one. A text whose words nearly all do (set in capitals, as wire copy
# long was; in title case; a table of capitalised row labels) says nothing of its names by
# them: at least UNCASED_SHARE of the words that start with a letter start with a capital,
# and there are at least UNCASED_MIN_WORDS such words.
UNCASED_SHARE = 0.8
UNCASED_MIN_WORDS = 8
_UPPER, _LOWER = np.uint8(ord("A")), np.uint8(ord("a"))


@lru_cache(maxsize=4096)
def capitals_tell_names(text: str) -> bool:
    """Whether a capital at the start of a word of ``text`` can mark a name: False for a text
    in capitals or title case (UNCASED_SHARE). The same answer for a text and for its ASCII
    view. Cached per text, as ``tokenize`` is (verification, alignment and drift each ask)."""
    starts = tokenize(text).starts
    if len(starts) < UNCASED_MIN_WORDS:
        return True
    view = ascii_view(text)
    if view is not None:
        first = np.frombuffer(view.encode("ascii"), dtype=np.uint8)[starts]
        capitals = int(np.count_nonzero(first - _UPPER < 26))  # uint8: below "A" wraps round
        lower = int(np.count_nonzero(first - _LOWER < 26))
    else:
        initials = [text[s] for s in starts.tolist()]
        capitals, lower = sum(map(str.isupper, initials)), sum(map(str.islower, initials))
    letters = capitals + lower
    return letters < UNCASED_MIN_WORDS or capitals < UNCASED_SHARE * letters


def first_chars(words, *, digits: bool = False) -> str:
    """A lookahead for the first characters of ``words`` (and of digits with ``digits``),
    to put before a pattern whose every match starts with one of them: the same matches,
    but the engine gives up at once at the other positions (compile it with the pattern's
    flags)."""
    return "(?=[" + (r"\d" if digits else "") + "".join(sorted({re.escape(w[0]) for w in words})) + "])"


_SHORT_TEXT = 300


def _tokenize_regex(text: str) -> Tokens:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN_RE.finditer(text):
        words.append(canonical_word(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(tuple(words), np.asarray(starts, dtype=np.int32), np.asarray(ends, dtype=np.int32))


def words(text: str) -> list[str]:
    """Canonical words of a text: ``tokenize(text).words`` without the cache (for one pass
    over many texts)."""
    view = ascii_view(text)
    if view is not None:
        return list(_tokenize_ascii(view).words)
    return [canonical_word(w) for w in _TOKEN_RE.findall(text)]


def is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS


@lru_cache(maxsize=1 << 18)
def content_stem(word: str) -> str | None:
    """The stem of a content word that is not a figure, None for any other word: what the
    paraphrase view of the fingerprint and verification's content overlap count."""
    return stem(word) if _stemmed(word) else None


def _stemmed(word: str) -> bool:
    """A word ``content_stem`` stems: a content word that is not a figure."""
    return is_content(word) and not word[0].isdigit()


def content_stem_list(words: Sequence[str]) -> list[str | None]:
    """``content_stem`` of each word, the stemmer called once for all of them (for a batch of
    words never seen: 69k distinct words of the speed corpus in 0.11 s, 0.24 s one by one)."""
    at = [k for k, w in enumerate(words) if _stemmed(w)]
    out: list[str | None] = [None] * len(words)
    for k, s in zip(at, _stemmer().stemWords([words[k] for k in at])):
        out[k] = s
    return out


def content_positions(words: tuple[str, ...] | list[str]) -> list[int]:
    """Indexes of the content words (not stop words, not single letters)."""
    return [i for i, w in enumerate(words) if is_content(w)]


def content_stems(words: tuple[str, ...] | list[str]) -> list[str]:
    """Stems of the content words, in text order."""
    return [stem(w) for w in words if is_content(w)]

"""Text -> canonical text and tokens.

Tokens keep their character offsets in the text they came from, so every
score can be turned back into evidence a person can read. Canonicalisation is
per token (NFKC, curly quotes, case), so offsets never drift.

``NORMALIZER_VERSION`` is stored with every index: bump it whenever a change
here would give a stored signature a different value.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

NORMALIZER_VERSION = 3

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
# ASCII fast path of the same tokens with a possessive "'s" consumed but not kept.
_TERMINAL_S = r"s(?![^\W\d_]|'[^\W\d_])"  # an "s" after an apostrophe that ends the token
_ASCII_TOKEN_RE = re.compile(
    rf"(\d+(?:[.,:]\d+)*|[^\W\d_]+(?:'(?!{_TERMINAL_S})[^\W\d_]+)*)(?:'{_TERMINAL_S})?"
)

# Words that carry no story content. scikit-learn's list plus the verbs of reporting,
# which every wire story uses and which paraphrase swaps freely.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {
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
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


@dataclass(frozen=True, slots=True, eq=False)
class Tokens:
    """Canonical words of a text with their character spans in that text."""

    words: tuple[str, ...]
    starts: np.ndarray  # int32, offset of each word in the source text
    ends: np.ndarray  # int32

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str) -> Tokens:
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN_RE.finditer(text):
        words.append(canonical_word(m.group()))
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(tuple(words), np.asarray(starts, dtype=np.int32), np.asarray(ends, dtype=np.int32))


def words(text: str) -> list[str]:
    """Canonical words of a text, without offsets: ``tokenize(text).words``, faster."""
    if text.isascii():
        return _ASCII_TOKEN_RE.findall(text.lower())
    return [canonical_word(w) for w in _TOKEN_RE.findall(text)]


def is_content(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS


def content_positions(words: tuple[str, ...] | list[str]) -> list[int]:
    """Indexes of the content words (not stop words, not single letters)."""
    return [i for i, w in enumerate(words) if is_content(w)]


def content_stems(words: tuple[str, ...] | list[str]) -> list[str]:
    """Stems of the content words, in text order."""
    return [stem(w) for w in words if is_content(w)]

"""entity_changed and spelling_variant.

Names are capitalised spans (a heuristic, gazetteer-free recogniser). Within an aligned
pair, a word-level diff finds names that sit in the same slot on both sides but differ
("in Quetta" -> "in Karachi"); a close spelling ("Nushki" / "Noshki") is a low-severity
spelling_variant, anything else a high-severity entity_changed. Across the whole texts,
a name of the copy absent from the source but spelled almost like one of its names is
also a spelling variant.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..records import Alignment, Document, Finding
from ._text import MONTHS, NUMBER_WORDS, WEEKDAYS, Indexed, Name, doc_names, doc_words, finding, groups, name_key, within

# fuzz.ratio (0-100) of two names at or above which they are spellings of one name.
SPELLING_MIN_RATIO = 72
# Doc-wide spelling variants: single words at least this long and this close.
DOC_VARIANT_MIN_LEN = 4
DOC_VARIANT_MIN_RATIO = 80
# Wire agencies are sources, reported by the attribution finder, not entities.
AGENCIES = frozenset({"afp", "reuters", "ap", "ani", "pti", "ians", "upi", "dpa", "xinhua", "bloomberg", "app", "efe", "ansa", "kyodo", "tass", "bss"})


def _is_candidate(n: Name) -> bool:
    return _candidate_key(n.text)


@lru_cache(maxsize=1 << 14)
def _candidate_key(text: str) -> bool:
    k = name_key(text)
    if not k or k in AGENCIES or any(c.isdigit() for c in k):
        return False
    # Figures, dates and weekdays inside a name ("Next Friday", "Under-21") are other finders' job.
    return not any(part in NUMBER_WORDS or part in MONTHS or part in WEEKDAYS for part in k.split())


@lru_cache(maxsize=512)
def doc_candidates(text: str) -> Indexed:
    """The names of a text that can be entities (see ``_is_candidate``)."""
    return Indexed(n for n in doc_names(text) if _candidate_key(n.text))


def _overlapping(ns: list[Name], start: int, end: int) -> list[Name]:
    return [n for n in ns if n.start < end and start < n.end]


def classify(before: str, after: str) -> str:
    ka, kb = name_key(before), name_key(after)
    if ka[:1] == kb[:1] and fuzz.ratio(ka, kb) >= SPELLING_MIN_RATIO:
        return "spelling_variant"
    return "entity_changed"


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    reported: set[tuple[str, str]] = set()
    words_a, words_b = doc_words(a.text), doc_words(b.text)
    cands_a, cands_b = doc_candidates(a.text), doc_candidates(b.text)
    for g in groups(a, b, alignment):
        na = within(cands_a, g.a_start, g.a_end)
        nb = within(cands_b, g.b_start, g.b_end)
        if not na or not nb:
            continue
        keys_a = {name_key(n.text) for n in na}
        keys_b = {name_key(n.text) for n in nb}
        if keys_a <= keys_b or keys_b <= keys_a:
            continue  # a changed name needs a name of A missing from B and one of B missing from A
        la, ha = words_a.span(g.a_start, g.a_end)
        lb, hb = words_b.span(g.b_start, g.b_end)
        ops = Levenshtein.opcodes(words_a.canons[la:ha], words_b.canons[lb:hb])
        for op in ops:
            if op.tag != "replace":
                continue
            a0, a1 = words_a.starts[la + op.src_start], words_a.ends[la + op.src_end - 1]
            b0, b1 = words_b.starts[lb + op.dest_start], words_b.ends[lb + op.dest_end - 1]
            xa = [n for n in _overlapping(na, a0, a1) if name_key(n.text) not in keys_b]
            xb = [n for n in _overlapping(nb, b0, b1) if name_key(n.text) not in keys_a]
            for x, y in zip(xa, xb):
                if any(
                    name_key(x.text) in name_key(m.text) or name_key(m.text) in name_key(x.text) for m in nb
                ) or any(name_key(y.text) in name_key(m.text) or name_key(m.text) in name_key(y.text) for m in na):
                    continue  # "Baloch Liberation Army" vs "Army": the same name, shortened
                kind = classify(x.text, y.text)
                reported.add((name_key(x.text), name_key(y.text)))
                yield finding(kind, x.text, y.text, (x.start, x.end), (y.start, y.end), g.a_text, g.b_text)
    yield from _doc_variants(a, b, reported)


@lru_cache(maxsize=512)
def _word_keys(text: str) -> frozenset[str]:
    canons = doc_words(text).canons
    keys = set(map(name_key, canons))
    for c in [c for c in canons if "-" in c]:
        keys.update(name_key(part) for part in c.split("-"))
    return frozenset(keys)


@lru_cache(maxsize=512)
def _single_word_names(text: str) -> dict[str, Name]:
    """Candidate one-word names of a text by key, each with its first mention, keys in order
    of their last mention (read only: shared by every comparison of the text)."""
    ns = [n for n in doc_candidates(text) if n.text.isalpha()]
    return {name_key(n.text): n for n in reversed(ns)}


def _doc_variants(a: Document, b: Document, reported: set[tuple[str, str]]) -> Iterator[Finding]:
    """Single-word names of B missing from A but spelled almost like a name of A."""
    keys_a = _single_word_names(a.text)
    keys_b = _single_word_names(b.text)
    words_a = _word_keys(a.text)
    words_b = _word_keys(b.text)
    for kb, y in keys_b.items():
        if len(kb) < DOC_VARIANT_MIN_LEN or kb in words_a:
            continue
        best, best_k = 0.0, None
        for ka in keys_a:
            if ka in words_b or ka[:1] != kb[:1] or len(ka) < DOC_VARIANT_MIN_LEN:
                continue
            r = fuzz.ratio(ka, kb)
            if r > best:
                best, best_k = r, ka
        if best_k is None or best < DOC_VARIANT_MIN_RATIO or (best_k, kb) in reported:
            continue
        x = keys_a[best_k]
        reported.add((best_k, kb))
        yield finding("spelling_variant", x.text, y.text, (x.start, x.end), (y.start, y.end), note="same name, other spelling")

"""quote_altered and quote_attribution_changed.

Quotations (curly or straight double quotes, curly single quotes) are compared in
canonical form: case, quote style, punctuation, ellipses and number words vs digits do
not count. A quote of the copy that is a trimmed part of the source's quote (or the
reverse) is not altered; one that is close but not the same is. When the same quote
is given to a speaker with another head noun (attribution.same_head: a name given with a
role in apposition is matched by the name), that is quote_attribution_changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ..records import Alignment, Document, Finding
from ._text import dates, finding, groups, numbers
from .attribution import attributions, same_head

MAX_QUOTE_CHARS = 800
_MARKS_RE = re.compile("[\u201c\u201d\"\u2018\u2019]")
_OPENERS_BEFORE = frozenset(" \t\n([{\u2014\u2013-/:")
# Quotes with fewer words are scare quotes ("coordinated"), not statements.
MIN_WORDS = 3
# fuzz.partial_ratio (0-100) of canonical quotes at or above which they are the same quote.
SAME_QUOTE_MIN = 72


@dataclass(frozen=True, slots=True)
class Quote:
    text: str  # inside the marks
    canon: str
    start: int  # span of the inner text
    end: int


@lru_cache(maxsize=1 << 14)
def canonical_quote(s: str) -> str:
    """Quote text compared for meaning: case, punctuation, number words vs digits,
    "per cent" vs "%" and the way a date is written do not count."""
    ds = dates(s)
    if ds:
        parts, last = [], 0
        for d in ds:
            parts.append(s[last : d.start])
            parts.append(f" date{d.month}x{d.day} ")
            last = d.end
        parts.append(s[last:])
        s = "".join(parts)
    out = []
    last = 0
    for n in numbers(s):
        out.append(s[last : n.start])
        out.append(f" {n.value:g}{' percent' if n.unit == '%' else 'th' if n.unit else ''} ")
        last = n.end
    out.append(s[last:])
    s = "".join(out).lower().replace("\u2019", "'")
    s = re.sub(r"\s*(?:%|\bper\s?cent\b|\bpercent\b|\bpct\b)", " percent", s)
    s = re.sub(r"[^\w\s']", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def quotes(text: str, offset: int = 0) -> list[Quote]:
    """Quotations of ``text``. Marks are read as opening or closing from their neighbours, so
    a quote left open at the end of a paragraph (news style for quotes that run on) and
    re-opened in the next does not pair with the wrong mark; a quote never spans a blank line."""
    out = []
    open_at: dict[str, int] = {}
    for m in _MARKS_RE.finditer(text):
        ch, i = m.group(), m.start()
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        family = "d" if ch in "\u201c\u201d\"" else "s"
        if ch in "\u201c\u2018":
            opening = True
        elif ch in "\u201d":
            opening = False
        elif ch == "\u2019":
            if before.isalnum() and after.isalpha():
                continue  # an apostrophe (don\u2019t)
            opening = False
        else:  # straight double quote: decide from the neighbours
            opening = before in _OPENERS_BEFORE and not after.isspace()
        if opening:
            open_at[family] = i + 1
            continue
        start = open_at.pop(family, None)
        if start is None:
            continue
        inner = text[start:i]
        if "\n\n" in inner or len(inner) > MAX_QUOTE_CHARS or len(inner.split()) < MIN_WORDS:
            continue
        out.append(Quote(inner, canonical_quote(inner), offset + start, offset + i))
    out.sort(key=lambda q: q.start)
    return out


@lru_cache(maxsize=512)
def doc_quotes(text: str) -> tuple[Quote, ...]:
    return tuple(quotes(text))


def _contained(x: str, y: str) -> bool:
    """Is one canonical quote a run of whole words of the other?"""
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return f" {short} " in f" {long_} "


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    all_a, all_b = doc_quotes(a.text), doc_quotes(b.text)
    for g in groups(a, b, alignment):
        qa = [q for q in all_a if q.start < g.a_end and g.a_start < q.end]
        qb = [q for q in all_b if q.start < g.b_end and g.b_start < q.end]
        if not qa or not qb:
            continue
        att_a = [x for x in attributions(g.a_text, g.a_start) if x.head]
        att_b = [y for y in attributions(g.b_text, g.b_start) if y.head]
        for y in qb:
            best, best_x = 0.0, None
            for x in qa:
                r = 100.0 if _contained(x.canon, y.canon) else fuzz.partial_ratio(x.canon, y.canon, score_cutoff=SAME_QUOTE_MIN)
                if r > best:
                    best, best_x = r, x
            if best_x is None or best < SAME_QUOTE_MIN:
                continue
            x = best_x
            if not _contained(x.canon, y.canon):
                yield finding("quote_altered", x.text, y.text, (x.start, x.end), (y.start, y.end), g.a_text, g.b_text)
            sx = _speaker_of(x, att_a)
            sy = _speaker_of(y, att_b)
            if sx and sy and not same_head(sx, sy) and not sx.generic and not sy.generic:
                yield finding(
                    "quote_attribution_changed", sx.text, sy.text, (sx.start, sx.end), (sy.start, sy.end), g.a_text, g.b_text,
                    note=f"quote \u201c{y.text[:60]}\u201d: {sx.speaker!r} -> {sy.speaker!r}",
                )


def _speaker_of(q: Quote, atts):
    if not atts:
        return None
    return min(atts, key=lambda t: min(abs(t.start - q.end), abs(q.start - t.end)))

"""Typed, located findings of where a copy (B) drifted from its source (A).

One module per finding family, each with the same signature
``find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]``:

- numbers: number_changed, hedge_changed
- dates: date_changed, weekday_changed, date_inconsistent
- entities: entity_changed, spelling_variant
- attribution: attribution_dropped, attribution_added, attribution_changed
- quotes: quote_altered, quote_attribution_changed
- claims: claim_added, claim_dropped
- wording: wording_changed

``compare`` runs them all over one alignment and removes overlaps (a quote's speaker
change is not also an attribution change or a changed name; a changed word inside a changed figure, name,
quote or attribution is not also a wording change).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable

from ..align import align
from ..normalize import capitals_tell_names
from ..records import Alignment, Diff, Document, DriftSummary, Finding, Sentence
from . import _text, attribution, claims, dates, entities, numbers, quotes, wording
from ._text import KINDS, SEVERITY, read_as

FAMILIES = (numbers, dates, entities, attribution, quotes, claims, wording)
# Every per-text cache of the finders (bounded functools.lru_cache, safe across threads).
# What they keep depends on one text only, never on the pair, so they cannot change an answer;
# tests/test_drift_cache.py compares cached and uncached findings.
CACHES = (
    _text.doc_words, _text.doc_numbers, _text.doc_dates, _text.doc_weekdays, _text.doc_names,
    entities.doc_candidates, entities._candidate_key, entities._word_keys, entities._single_word_names,
    attribution._attributions, quotes.doc_quotes, claims._has_fact, claims._clause_terms,
    dates._reference_date, dates._has_weekday, quotes.canonical_quote, _text._line_words, _text._line_names,
    _text._words_value, _text._event_in, _text._figure, _text._line_weekdays, _text.doc_months,
    _text._doc_date_matches, _text.doc_years, _text._masked_words,
)

__all__ = ["FAMILIES", "KINDS", "SEVERITY", "clear_caches", "compare", "diff", "summarize"]


def clear_caches() -> None:
    """Forget the per-text caches of align and drift (for cold timings and long-lived processes)."""
    from .. import align as _align, normalize as _normalize

    _align.clear_caches()
    for fn in (_normalize.tokenize, _normalize.capitals_tell_names, *CACHES):
        fn.cache_clear()


def diff(a: Document, b: Document) -> Diff:
    """Align A (source) with B (copy) and list the findings: what ``dedup diff`` shows."""
    return Diff(a, b, *_aligned(a, b))


def compare(a: Document, b: Document, *, alignment: Alignment | None = None) -> tuple[Finding, ...]:
    """Findings of how B (the copy) differs from A (the source), in A's text order."""
    return _aligned(a, b, alignment)[1]


def _aligned(a: Document, b: Document, alignment: Alignment | None = None) -> tuple[Alignment, tuple[Finding, ...]]:
    """The alignment of A with B and the findings, quoting both texts as written; ``alignment``,
    when given, is used unless one text is read in the other's case (``_read_alike``)."""
    ra, rb = _read_alike(a, b)
    if ra is a and rb is b:
        if alignment is None:
            alignment = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones)
        return alignment, _compare(a, b, alignment)
    read = align(ra.text, rb.text, a_zones=a.zones, b_zones=b.zones)
    return (_restored_alignment(read, a.text, b.text),
            tuple(_restored(f, a.text, ra.text, b.text, rb.text) for f in _compare(ra, rb, read)))


def _compare(a: Document, b: Document, alignment: Alignment) -> tuple[Finding, ...]:
    found: list[Finding] = []
    for family in FAMILIES:
        found.extend(family.find(a, b, alignment))
    return tuple(sorted(_clean(found), key=_order))


# --- a text set in capitals ------------------------------------------------------------------
# The finders read names, attributions ("the official said"), weekdays and months by their
# case. When one text is set in capitals (or title case: normalize.capitals_tell_names) and the
# other is not, they read it in the other's case (_text.read_as: the same length, so every
# offset holds), and what the findings quote of it is taken back from the text as written.


def _read_alike(a: Document, b: Document) -> tuple[Document, Document]:
    """``a`` and ``b`` as the finders read them: the one set in capitals in the other's case."""
    ca, cb = capitals_tell_names(a.text), capitals_tell_names(b.text)
    if ca == cb:
        return a, b
    if ca:
        return a, dataclasses.replace(b, text=read_as(b.text, a.text))
    return dataclasses.replace(a, text=read_as(a.text, b.text)), b


def _as_written(s: str, span: tuple[int, int] | None, read: str, written: str) -> str:
    """``s``, quoted from ``read`` (at ``span`` when given), as ``written`` has it."""
    if not s or read is written:
        return s
    if span is not None and read[span[0] : span[1]] == s:
        return written[span[0] : span[1]]
    at = read.find(s)
    return written[at : at + len(s)] if at >= 0 else s


def _restored(f: Finding, a_text: str, a_read: str, b_text: str, b_read: str) -> Finding:
    return dataclasses.replace(
        f,
        before=_as_written(f.before, f.a_span, a_read, a_text),
        after=_as_written(f.after, f.b_span, b_read, b_text),
        a_sentence=_as_written(f.a_sentence, None, a_read, a_text),
        b_sentence=_as_written(f.b_sentence, None, b_read, b_text),
    )


def _restored_alignment(al: Alignment, a_text: str, b_text: str) -> Alignment:
    def written(sents: tuple[Sentence, ...], text: str) -> tuple[Sentence, ...]:
        return tuple(dataclasses.replace(x, text=text[x.start : x.end]) for x in sents)

    return dataclasses.replace(al, a_sentences=written(al.a_sentences, a_text),
                               b_sentences=written(al.b_sentences, b_text))


def _overlaps(x: tuple[int, int] | None, y: tuple[int, int] | None) -> bool:
    return x is not None and y is not None and x[0] < y[1] and y[0] < x[1]


def _clean(found: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    unique = []
    for f in found:
        key = (f.kind, f.a_span, f.b_span)
        if key in seen:
            continue
        seen.add(key)
        unique.append(f)
    quote_speakers = [f for f in unique if f.kind == "quote_attribution_changed"]
    others = [f for f in unique if f.kind not in {"wording_changed", "claim_added", "claim_dropped"}]
    out = []
    for f in unique:
        if f.kind in ("attribution_changed", "entity_changed") and any(
            _overlaps(f.a_span, q.a_span) and _overlaps(f.b_span, q.b_span) for q in quote_speakers
        ):
            continue
        if f.kind == "wording_changed" and any(
            _overlaps(f.a_span, o.a_span) or _overlaps(f.b_span, o.b_span) for o in others
        ):
            continue
        out.append(f)
    return out


def _order(f: Finding):
    a = f.a_span[0] if f.a_span else float("inf")
    b = f.b_span[0] if f.b_span else float("inf")
    return (a, b, f.kind)


def summarize(source_id: str, copy_id: str, findings: Iterable[Finding]) -> DriftSummary:
    """Counts by kind and the high-severity findings, oriented source -> copy."""
    findings = tuple(findings)
    counts = Counter(f.kind for f in findings)
    return DriftSummary(
        source=source_id,
        copy=copy_id,
        counts=tuple(sorted(counts.items())),
        high=tuple(f for f in findings if f.severity == "high"),
    )

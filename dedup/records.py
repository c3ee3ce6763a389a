"""Frozen records that cross module boundaries.

Character offsets are always into ``Document.text`` (the cleaned text, after
boilerplate removal), half-open ``[start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class RelationKind(StrEnum):
    """How two documents relate. Derived kinds form stories; same-event links form events."""

    DUPLICATE = "duplicate"  # same text after normalisation and boilerplate removal
    REPRINT = "reprint"  # same wording with edits: trimmed, re-headlined, sentences changed/added
    REWRITE = "rewrite"  # the same story reworded, order and facts largely kept
    PARTIAL = "partial"  # one reuses a passage of the other but is otherwise its own
    SAME_EVENT = "same-event"  # independent report of the same event, not a copy

    @property
    def derived(self) -> bool:
        return self is not RelationKind.SAME_EVENT


DERIVED_KINDS = frozenset(k for k in RelationKind if k.derived)


@dataclass(frozen=True, slots=True)
class Stripped:
    """A piece of the source set aside as boilerplate (not part of Document.text)."""

    text: str
    reason: str  # e.g. "ad marker", "publication stamp", "share button", "app-store line"
    line: int  # 1-based line number in the source text


@dataclass(frozen=True, slots=True)
class Zone:
    """A span of Document.text with a role other than body text (e.g. a photo caption)."""

    start: int
    end: int
    kind: str  # "caption" | "headline"


@dataclass(frozen=True, slots=True)
class Document:
    """One article (or one story of an article that held several)."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None  # ISO 8601 when known
    url: str | None = None
    path: str | None = None  # the file it was read from, when it came from a file
    stripped: tuple[Stripped, ...] = ()
    zones: tuple[Zone, ...] = ()
    parent: str | None = None  # id of the article this story was split from
    part: int | None = None  # 1-based part number within the parent
    renamed_from: str | None = None  # the id its input asked for, when it could not keep it (then ``id`` differs): an earlier input held it, or a record's id had spaces around it or control characters in it


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(s: str) -> str:
    """``s`` with each lone surrogate (JSON lets a string spell one, "\\udcbe") as U+FFFD, of the
    same length: such a string has no UTF-8 form, which hashing, sentence splitting and storage
    need (``unwritable``). dedup's readers pass record texts and metadata through it."""
    return s if s.isascii() else _SURROGATE.sub("\ufffd", s)


def unwritable(doc: Document) -> str | None:
    """Why ``doc`` cannot be compared or stored: a lone surrogate in its text or metadata (a str
    can hold one, from JSON's "\\udcbe" or a surrogateescape decoding; it has no UTF-8 form, which
    hashing, sentence splitting and storage need); None when it can. dedup's readers replace
    them; this guards documents built by other callers."""
    for name in ("text", "title", "source", "published", "url"):
        value = getattr(doc, name)
        if value and not value.isascii() and (m := _SURROGATE.search(value)) is not None:
            return (f"document {doc.id!r} holds a lone surrogate (U+{ord(m.group()):04X}) in its {name} at offset "
                    f"{m.start()}, which has no UTF-8 form; replace it with U+FFFD (as dedup's readers do)")
    return None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that was not indexed, and why. Nothing is dropped silently."""

    id: str
    reason: str
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """Shared material: a span in A and its counterpart in B."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: str  # "verbatim" (same words) | "aligned" (reworded sentence) | "quote"
    score: float  # similarity of the two spans in [0, 1]
    zone: str = "body"  # "body" or "caption" (on either side)


@dataclass(frozen=True, slots=True)
class Scores:
    """Verification features of a pair. All in [0, 1]."""

    jaccard: float  # word n-gram resemblance
    containment_ab: float  # share of A's n-grams found in B
    containment_ba: float  # share of B's n-grams found in A
    content_jaccard: float  # content-word resemblance (survives paraphrase)
    aligned_a: float  # share of A's body sentences aligned to B
    aligned_b: float  # share of B's body sentences aligned to A
    order: float  # share of aligned sentences in the same order (1 = same order)
    entity_overlap: float  # shared names, places and figures
    caption_share: float  # share of the verbatim overlap that lies in captions


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of Document.text."""

    start: int
    end: int
    text: str
    zone: str = "body"  # "body" | "caption" | "headline"


@dataclass(frozen=True, slots=True)
class SentencePair:
    """Aligned sentences: indexes into Alignment.a_sentences / b_sentences (1:1, 1:n or n:1)."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    score: float  # similarity in [0, 1] with numbers, dates and names masked


@dataclass(frozen=True, slots=True)
class Alignment:
    a_sentences: tuple[Sentence, ...]
    b_sentences: tuple[Sentence, ...]
    pairs: tuple[SentencePair, ...]  # in A order
    unaligned_a: tuple[int, ...]  # sentences of A with no counterpart (omitted by B)
    unaligned_b: tuple[int, ...]  # sentences of B with no counterpart (added by B)


@dataclass(frozen=True, slots=True)
class Finding:
    """One typed factual difference between a source (A) and a copy (B)."""

    kind: str  # number_changed, hedge_changed, date_changed, weekday_changed, date_inconsistent, ...
    severity: str  # "high" | "medium" | "low"
    before: str
    after: str
    a_span: tuple[int, int] | None  # character span in A's text, None when absent on that side
    b_span: tuple[int, int] | None
    a_sentence: str = ""
    b_sentence: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class DriftSummary:
    source: str
    copy: str
    counts: tuple[tuple[str, int], ...]  # (kind, count), sorted by kind
    high: tuple[Finding, ...]  # the high-severity findings


@dataclass(frozen=True, slots=True)
class Relation:
    """A verified, classified pair. ``a`` < ``b`` by id unless oriented by a story edge."""

    a: str
    b: str
    kind: RelationKind
    score: float
    scores: Scores
    evidence: tuple[Passage, ...] = ()
    reasons: tuple[str, ...] = ()  # human-readable why-this-class lines
    drift: DriftSummary | None = None  # attached by `scan --drift`, oriented source -> copy


@dataclass(frozen=True, slots=True)
class Edge:
    """A directed copy edge within a story: ``source`` -> ``copy``."""

    source: str
    copy: str
    kind: RelationKind
    confidence: float  # in [0, 1]; 0.5 means the direction is a guess
    evidence: tuple[str, ...] = ()  # why this direction


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    members: tuple[str, ...]
    origin: str
    edges: tuple[Edge, ...]
    origin_evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    stories: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScanResult:
    documents: tuple[Document, ...]
    relations: tuple[Relation, ...]
    stories: tuple[Story, ...]
    events: tuple[Event, ...]
    skipped: tuple[Skipped, ...]
    params: dict = field(default_factory=dict)


# --- index: pre-ingest decisions, audit log, stats (dedup/index, dedup/service) ---


@dataclass(frozen=True, slots=True)
class Decision:
    """The pre-ingest answer for one incoming document.

    ``decision`` is "new" (no verified relation to any indexed document) or the
    RelationKind value of the closest match; ``matches`` are the verified
    relations to indexed documents, closest first, each oriented ``a`` = the
    indexed document, ``b`` = the incoming one.
    """

    id: str
    decision: str  # "new" | "duplicate" | "reprint" | "rewrite" | "partial" | "same-event"
    matches: tuple[Relation, ...]
    added: bool  # this call put the document's text in the index under ``id``
    updated: bool  # ... replacing an earlier, different text stored under the same id
    reason: str  # one human-readable line, also written to the audit log
    audit_seq: int | None = None  # its entry in the audit log
    # ``updated`` with a text unrelated to the one it replaced: two articles given one id (a
    # file name used again), the earlier one no longer indexed
    replaced_unrelated: bool = False


@dataclass(frozen=True, slots=True)
class AuditMatch:
    id: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded decision (or removal) in an index's audit log."""

    seq: int  # increasing, gap-free per backend only as far as the backend promises
    at: str  # ISO 8601 UTC
    id: str
    action: str  # "check" | "add" | "update" | "unchanged" | "remove"
    decision: str  # as Decision.decision; "removed" for removals
    added: bool
    updated: bool
    reason: str
    matches: tuple[AuditMatch, ...] = ()
    client: str | None = None


@dataclass(frozen=True, slots=True)
class IndexStats:
    backend: str  # "sqlite" | "postgresql"
    url: str  # without password
    documents: int
    band_postings: int
    sample_postings: int
    audit_entries: int
    schema_version: int
    params: dict = field(default_factory=dict)
    size_bytes: int | None = None  # on disk, when the backend can tell
    # The band keys and samples kept for refused rewrites and partials, under the document
    # they copy (docs/index.md): a check reaches a story through its refused copies.
    copy_band_postings: int = 0
    copy_sample_postings: int = 0


# --- drift: the result of `dedup diff` ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diff:
    """Two documents, their sentence alignment and the drift findings, source (a) -> copy (b)."""

    a: Document
    b: Document
    alignment: Alignment
    findings: tuple[Finding, ...]

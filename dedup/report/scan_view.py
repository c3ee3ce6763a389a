"""What every scan writer needs: lookups over a ScanResult, safe strings, excerpts.

The JSON, JSONL, CSV and terminal writers all read a ScanResult through
:class:`ScanView`, so a pair's story, event and direction are decided once and
read the same in every format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dedup.records import Document, Edge, Event, Relation, ScanResult, Story

EXCERPT_CHARS = 280  # longest passage excerpt; long enough for two sentences of wire copy
ELLIPSIS = "…"

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0, C1, the Unicode line/paragraph separators, and the bidi embeddings, overrides and isolates
# (a title holding U+202E reversed the rest of its terminal line: "score 1.00" read "00.1 erocs")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_surrogate(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not UTF-8, kept by os.fsdecode (surrogateescape)
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\u{cp:04x}"


def safe(s: str) -> str:
    """``s`` with lone surrogates written as backslash escapes, so it encodes as UTF-8.

    A file name with bytes that are not UTF-8 reaches us as surrogate escapes
    (``b"caf\\xe9.txt"`` -> ``"caf\\udce9.txt"``); every format shows it as
    ``caf\\xe9.txt``. Other strings are returned unchanged.
    """
    if s.isascii():
        return s
    return _SURROGATE.sub(_escape_surrogate, s)


def _escape_control(m: re.Match[str]) -> str:
    c = m.group()
    return _CONTROL_NAMES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def display(s: str) -> str:
    """``safe(s)`` with control characters escaped too: one line of terminal text."""
    return _CONTROL.sub(_escape_control, safe(s))


def excerpt(text: str, start: int, end: int, limit: int = EXCERPT_CHARS) -> str:
    """``text[start:end]`` with whitespace runs collapsed, cut at a word to at most ``limit`` chars.

    A cut excerpt ends with ``…``.
    """
    s = " ".join(text[start:end].split())
    if len(s) <= limit:
        return safe(s)
    cut = s.rfind(" ", 0, limit - 1)
    if cut < limit // 2:  # one very long word: cut inside it
        cut = limit - 1
    return safe(s[:cut].rstrip() + ELLIPSIS)


def renamed_notice(doc: Document) -> str:
    """The one line that says an input was renamed: its file, the id it asked for, the id it got,
    and why: an earlier input held it, or a record's id had spaces around it (trimmed) or
    control or invisible characters in it (written as escapes, as file names are)."""
    from ..ingest import printable

    where = f"'{doc.path}'" if doc.path is not None else "standard input"
    asked, got = doc.renamed_from or "", doc.parent or doc.id
    read = printable(asked.strip())
    # the characters escaped are named by code point: the id as given would show escaped, like the id read
    odd = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in asked.strip() if not c.isprintable()))
    changes = [(how, fix) for how, fix, changed in (
        ("control or invisible characters written as escapes", "control or invisible characters", bool(odd)),
        ("spaces around it trimmed", "spaces around them", asked.strip() != asked),
    ) if changed]
    if not changes:
        return f"{where}: id '{asked}' is taken by an earlier input, renamed '{got}'; give each input its own id"
    given = f"an id holding {odd} was" if odd else f"id '{asked}'"
    said = f"{where}: {given} read as '{read}' ({', '.join(how for how, _ in changes)})"
    if got == read:
        return f"{said}; give ids without {' or '.join(fix for _, fix in changes)}"
    return f"{said}, which is taken by an earlier input, renamed '{got}'; give each input its own id"


@dataclass(frozen=True, slots=True)
class Renamed:
    """An input whose id clashed with an earlier input's, or was trimmed or escaped, and was
    renamed (``id``: the id it got; ``renamed_from``: the id as given)."""

    id: str
    renamed_from: str
    path: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Direction:
    source: str
    copy: str
    confidence: float


def renamed_inputs(documents: Iterable[Document]) -> list[Renamed]:
    """The inputs among ``documents`` renamed (an id clash, an id trimmed or escaped), once each
    (the parts of a split one together), in their order."""
    out: dict[str, Renamed] = {}
    for d in documents:
        if d.renamed_from is not None and (d.parent or d.id) not in out:
            out[d.parent or d.id] = Renamed(d.parent or d.id, d.renamed_from, d.path, renamed_notice(d))
    return list(out.values())


class ScanView:
    """Read-only lookups over a ScanResult. Lists keep the scan's order."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.docs: dict[str, Document] = {d.id: d for d in result.documents}
        self.stories: dict[str, Story] = {s.id: s for s in result.stories}
        self.story_of: dict[str, str] = {}
        for story in result.stories:
            for member in story.members:
                self.story_of.setdefault(member, story.id)
        self.event_of: dict[str, str] = {}
        for event in result.events:
            for member in event.members:
                self.event_of.setdefault(member, event.id)
            for story_id in event.stories:
                for member in self.stories[story_id].members if story_id in self.stories else ():
                    self.event_of.setdefault(member, event.id)
        self._edges: dict[frozenset[str], Edge] = {}
        for story in result.stories:
            for edge in story.edges:
                self._edges.setdefault(frozenset((edge.source, edge.copy)), edge)
        self._relations: dict[frozenset[str], Relation] = {}
        self._by_story: dict[str, list[Relation]] = {}
        self._by_event: dict[str, list[Relation]] = {}
        for rel in result.relations:
            self._relations.setdefault(frozenset((rel.a, rel.b)), rel)
            story_id = self.pair_story(rel)
            if story_id is not None:
                self._by_story.setdefault(story_id, []).append(rel)
            else:
                event_id = self.pair_event(rel)
                if event_id is not None:
                    self._by_event.setdefault(event_id, []).append(rel)

    # --- lookups -------------------------------------------------------------

    def title(self, doc_id: str) -> str | None:
        doc = self.docs.get(doc_id)
        return doc.title if doc else None

    def relation(self, a: str, b: str) -> Relation | None:
        return self._relations.get(frozenset((a, b)))

    def edge(self, a: str, b: str) -> Edge | None:
        return self._edges.get(frozenset((a, b)))

    def pair_story(self, rel: Relation) -> str | None:
        s = self.story_of.get(rel.a)
        return s if s is not None and s == self.story_of.get(rel.b) else None

    def pair_event(self, rel: Relation) -> str | None:
        e = self.event_of.get(rel.a)
        return e if e is not None and e == self.event_of.get(rel.b) else None

    def direction(self, rel: Relation) -> Direction | None:
        edge = self.edge(rel.a, rel.b)
        return Direction(edge.source, edge.copy, edge.confidence) if edge else None

    def passage_texts(self, rel: Relation, limit: int = EXCERPT_CHARS):
        """(passage, a_excerpt, b_excerpt) for each evidence passage of ``rel``."""
        a_doc, b_doc = self.docs.get(rel.a), self.docs.get(rel.b)
        for p in rel.evidence:
            a_text = excerpt(a_doc.text, p.a_start, p.a_end, limit) if a_doc else ""
            b_text = excerpt(b_doc.text, p.b_start, p.b_end, limit) if b_doc else ""
            yield p, a_text, b_text

    def story_relations(self, story: Story) -> list[Relation]:
        """Relations between members of ``story``, in scan order."""
        return self._by_story.get(story.id, [])

    def event_relations(self, event: Event) -> list[Relation]:
        """Relations that link different stories (or loose documents) of ``event``, in scan order."""
        return self._by_event.get(event.id, [])

    def unrelated(self) -> list[str]:
        """Documents in no story and no event, in scan order."""
        return [d.id for d in self.result.documents if d.id not in self.story_of and d.id not in self.event_of]

    def renamed(self) -> list[Renamed]:
        """Inputs renamed for a clash, once each (the parts of a split one together), in scan order."""
        return renamed_inputs(self.result.documents)

    def summary(self) -> dict[str, int]:
        r = self.result
        return {
            "documents": len(r.documents),
            "pairs": len(r.relations),
            "stories": len(r.stories),
            "events": len(r.events),
            "skipped": len(r.skipped),
            "in_stories": sum(1 for d in r.documents if d.id in self.story_of),
            "unrelated": len(self.unrelated()),
            "renamed": len(self.renamed()),
        }

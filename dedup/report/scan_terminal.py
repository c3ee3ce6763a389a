"""Scan results for people: a summary, then each story as a tree, events, unrelated, skipped.

One outline is built once (:func:`outline`) and drawn two ways: with rich (trees,
colour, highlighted shared passages) when the output is a terminal, and as plain
indented text otherwise. The plain form never wraps and never depends on the
terminal width, so it is exact and diffable (tests compare it with golden files).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from rich.console import Console, Group
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from rich.tree import Tree

from dedup.records import Relation, ScanResult, Story

from .scan_view import ScanView, display, excerpt

SNIPPET_CHARS = 160  # shared-passage excerpt in the terminal: about two lines
TITLE_CHARS = 90
HIGH_SHOWN = 5  # high-severity drift findings listed per pair; the rest are counted
UNRELATED_SHOWN = 20  # unrelated documents named; the rest are counted
INDENT = "  "

# styles (rich only; the plain form ignores them)
S_HEAD = "bold"
S_ID = "cyan"
S_ORIGIN = "bold green"
S_KIND = "magenta"
S_DIM = "dim"
S_SHARED = "bold yellow"
S_HIGH = "bold red"
S_WARN = "yellow"

Segment = tuple[str, str]  # (text, rich style; "" for none)


@dataclass
class Node:
    label: list[Segment | str]
    children: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.label = [s if isinstance(s, tuple) else (s, "") for s in self.label]

    def add(self, *segments: Segment | str) -> Node:
        child = Node(list(segments))
        self.children.append(child)
        return child


# --- wording -------------------------------------------------------------------------


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _score(x: float) -> str:
    return f"{x:.2f}"


def _quoted(s: str) -> str:
    return f'"{display(s)}"' if s else "(absent)"


def _short(s: str, limit: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


class _Words:
    """Labels for documents, read through a ScanView."""

    def __init__(self, view: ScanView) -> None:
        self.view = view

    def doc_id(self, doc_id: str, style: str = S_ID) -> Segment:
        return (display(doc_id), style)

    def title(self, doc_id: str) -> Segment:
        title = self.view.title(doc_id)
        if not title:
            return ("(untitled)", S_DIM)
        return (f'"{display(_short(title, TITLE_CHARS))}"', "")

    def part(self, doc_id: str) -> list[Segment]:
        doc = self.view.docs.get(doc_id)
        if doc is None or doc.parent is None:
            return []
        part = f"part {doc.part} of " if doc.part is not None else "part of "
        return [(f" ({part}", S_DIM), (display(doc.parent), S_DIM), (")", S_DIM)]

    def doc(self, doc_id: str, style: str = S_ID) -> list[Segment]:
        return [self.doc_id(doc_id, style), *self.part(doc_id), ("  ", ""), self.title(doc_id)]


# --- the outline ---------------------------------------------------------------------


def _evidence(node: Node, view: ScanView, rel: Relation, source: str | None = None) -> None:
    """The shared passages of ``rel``: a count and the longest one, highlighted.

    Under a story edge (``source`` given) the sides are named source and copy, in
    that order; otherwise A and B are the pair's first and second document.
    """
    if not rel.evidence:
        return
    flip = source is not None and source == rel.b
    first, second = (rel.b, rel.a) if flip else (rel.a, rel.b)
    names = ("source", "copy") if source is not None else ("A", "B")
    spans = [((p.b_start, p.b_end), (p.a_start, p.a_end)) if flip else ((p.a_start, p.a_end), (p.b_start, p.b_end))
             for p in rel.evidence]
    chars = sum(end - start for (start, end), _ in spans)
    best = max(range(len(spans)), key=lambda i: (spans[i][0][1] - spans[i][0][0], rel.evidence[i].score))
    p, (s1, s2) = rel.evidence[best], spans[best]
    of = "the source" if source is not None else display(first)
    head = node.add(
        ("shared: ", S_DIM),
        f"{_n(len(spans), 'passage')}, {chars} chars of {of}; longest ",
        (p.kind, S_KIND),
        f" {_score(p.score)} at {names[0]}[{s1[0]}:{s1[1]}] {names[1]}[{s2[0]}:{s2[1]}]"
        + (f" in {p.zone}" if p.zone != "body" else ""),
    )
    d1, d2 = view.docs.get(first), view.docs.get(second)
    t1 = excerpt(d1.text, s1[0], s1[1], SNIPPET_CHARS) if d1 else ""
    t2 = excerpt(d2.text, s2[0], s2[1], SNIPPET_CHARS) if d2 else ""
    if t1 == t2:
        head.add((f'"{display(t1)}"', S_SHARED))
    else:
        head.add((f"{names[0]}: ", S_DIM), (f'"{display(t1)}"', S_SHARED))
        head.add((f"{names[1]}: ", S_DIM), (f'"{display(t2)}"', S_SHARED))


def _drift(node: Node, rel: Relation) -> None:
    d = rel.drift
    if d is None:
        return
    if not d.counts:
        node.add(("drift: ", S_DIM), "no factual differences found")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in d.counts)
    drift = node.add(("drift: ", S_DIM), counts, (f"; {len(d.high)} high" if d.high else "", S_HIGH))
    for f in d.high[:HIGH_SHOWN]:
        line = drift.add(
            ("high ", S_HIGH),
            (f.kind, S_KIND),
            f": {_quoted(f.before)} -> {_quoted(f.after)}",
        )
        if f.note:
            line.label.append((f" ({display(f.note)})", S_DIM))
    if len(d.high) > HIGH_SHOWN:
        drift.add((f"and {len(d.high) - HIGH_SHOWN} more high findings (all are in --format json)", S_DIM))


def _relation_details(node: Node, view: ScanView, rel: Relation | None, source: str) -> None:
    if rel is None:
        return
    for reason in rel.reasons:
        node.add(("why: ", S_DIM), display(reason))
    _evidence(node, view, rel, source)
    _drift(node, rel)


def _story(view: ScanView, words: _Words, story: Story) -> Node:
    root = Node(
        [
            (f"Story {display(story.id)}", S_HEAD),
            (f": {_n(len(story.members), 'document')}, origin ", ""),
            words.doc_id(story.origin, S_ORIGIN),
        ]
    )
    origin = root.add(("origin ", S_ORIGIN), *words.doc(story.origin, S_ORIGIN))
    for why in story.origin_evidence:
        origin.add(("why: ", S_DIM), display(why))

    incoming: dict[str, list] = {}
    for edge in story.edges:
        incoming.setdefault(edge.copy, []).append(edge)
    shown: set[frozenset[str]] = set()
    for member in story.members:
        if member == story.origin and member not in incoming:
            continue
        edges = incoming.get(member, [])
        if not edges:
            root.add(("member ", S_DIM), *words.doc(member))
            continue
        for edge in edges:
            rel = view.relation(edge.source, edge.copy)
            shown.add(frozenset((edge.source, edge.copy)))
            score = f" {_score(rel.score)}" if rel is not None else ""
            node = root.add(
                words.doc_id(member),
                *words.part(member),
                ("  ", ""),
                (str(edge.kind), S_KIND),
                f"{score} of ",
                words.doc_id(edge.source),
                ("  ", ""),
                words.title(member),
            )
            guess = " (a guess)" if edge.confidence <= 0.5 else ""
            direction = node.add(
                ("direction: ", S_DIM),
                words.doc_id(edge.source),
                " -> ",
                words.doc_id(edge.copy),
                f", confidence {_score(edge.confidence)}{guess}",
            )
            for why in edge.evidence:
                direction.add(("why: ", S_DIM), display(why))
            _relation_details(node, view, rel, edge.source)

    others = [r for r in view.story_relations(story) if frozenset((r.a, r.b)) not in shown]
    if others:
        also = root.add(("other pairs in this story", S_DIM))
        for rel in others:
            node = also.add(
                words.doc_id(rel.a),
                " ~ ",
                words.doc_id(rel.b),
                ("  ", ""),
                (str(rel.kind), S_KIND),
                f" {_score(rel.score)}",
            )
            _evidence(node, view, rel)
            _drift(node, rel)
    return root


def _lone(result: ScanResult) -> set[str]:
    """Ids of one-document stories: a report of an event that nothing copies or is copied
    from (the scan makes it a story of its own so that events are made of stories)."""
    return {st.id for st in result.stories if len(st.members) == 1}


def _counts(s: dict[str, int]) -> str:
    return (
        f"{_n(s['documents'], 'document')}, {_n(s['stories'], 'story', 'stories')}, "
        f"{_n(s['events'], 'event')}, {_n(s['skipped'], 'skipped', 'skipped')}"
        + (f", {s['renamed']} renamed" if s.get("renamed") else "")
    )


def summary_line(result: ScanResult) -> str:
    """``N documents, M stories, K events, S skipped[, R renamed]``: the report's first words."""
    return _counts(ScanView(result).summary())


def outline(result: ScanResult) -> list[Node]:
    """The report as a list of top-level sections (each a tree of labelled nodes)."""
    view = ScanView(result)
    words = _Words(view)
    s = view.summary()
    lone = _lone(result)
    sections: list[Node] = [
        Node(
            [
                (_counts(s), S_HEAD),
                (
                    f" ({_n(s['pairs'], 'verified pair')}, {s['in_stories']} in stories, {s['unrelated']} unrelated)",
                    S_DIM,
                ),
            ]
        )
    ]
    in_events = {sid for event in result.events for sid in event.stories}
    for story in result.stories:
        if story.id in lone and story.id in in_events:
            continue  # listed under its event as an own report
        sections.append(_story(view, words, story))

    for event in result.events:
        node = Node(
            [
                (f"Event {display(event.id)}", S_HEAD),
                f": {_n(len(event.stories), 'story', 'stories')}, {_n(len(event.members), 'document')}",
                (" reporting the same event independently", S_DIM),
            ]
        )
        in_story = set()
        for story_id in event.stories:
            story = view.stories.get(story_id)
            if story is None:
                node.add(("story ", S_DIM), display(story_id))
                continue
            in_story.update(story.members)
            if story_id in lone:
                node.add(("own report ", S_DIM), *words.doc(story.origin), (f"  (story {display(story_id)})", S_DIM))
                continue
            node.add(
                (f"story {display(story_id)}", ""),
                f" ({_n(len(story.members), 'document')}), origin ",
                *words.doc(story.origin, S_ORIGIN),
            )
        for member in event.members:
            if member not in in_story:
                node.add(("own report ", S_DIM), *words.doc(member))
        for rel in view.event_relations(event):
            node.add(
                ("same event: ", S_DIM),
                words.doc_id(rel.a),
                " ~ ",
                words.doc_id(rel.b),
                f" {_score(rel.score)}",
            )
        sections.append(node)

    unrelated = view.unrelated()
    if result.documents:
        node = Node([("Unrelated: ", S_HEAD), f"{_n(len(unrelated), 'document')} in no story or event"])
        for doc_id in unrelated[:UNRELATED_SHOWN]:
            node.add(*words.doc(doc_id))
        if len(unrelated) > UNRELATED_SHOWN:
            node.add((f"and {len(unrelated) - UNRELATED_SHOWN} more (all are in --format json, with story and "
                      "event null)", S_DIM))
        sections.append(node)
    renamed = view.renamed()
    if renamed:
        node = Node([("Renamed: ", S_HEAD), f"{_n(len(renamed), 'input')} whose id could not be kept"])
        for rn in renamed:
            node.add((display(rn.id), S_WARN), f": {display(rn.reason)}")
        sections.append(node)
    if result.skipped:
        node = Node([("Skipped: ", S_HEAD), _n(len(result.skipped), "input")])
        for sk in result.skipped:
            node.add((display(sk.id), S_WARN), f": {display(sk.reason)}")
        sections.append(node)
    if not result.documents and not result.skipped:
        sections.append(Node([("Nothing to compare: no documents were found.", "")]))
    return sections


# --- drawing -------------------------------------------------------------------------


def _plain_lines(node: Node, depth: int) -> Iterable[str]:
    yield INDENT * depth + "".join(text for text, _ in node.label)
    for child in node.children:
        yield from _plain_lines(child, depth + 1)


def render_plain(result: ScanResult) -> str:
    """The report as plain text: no colour, no wrapping, two spaces per level, sections
    separated by a blank line, ending with a newline."""
    blocks = ["\n".join(_plain_lines(section, 0)) for section in outline(result)]
    return "\n\n".join(blocks) + "\n"


def _rich_text(node: Node) -> Text:
    return Text.assemble(*[(t, s) if s else t for t, s in node.label])


def _rich_tree(node: Node, tree: Tree) -> None:
    for child in node.children:
        _rich_tree(child, tree.add(_rich_text(child)))


def render_rich(result: ScanResult, console: Console) -> None:
    """Draw the report on a rich console: each section a tree, shared passages highlighted."""
    parts = []
    for i, section in enumerate(outline(result)):
        if i:
            parts.append(Text(""))
        if section.children:
            tree = Tree(_rich_text(section), guide_style="dim")
            _rich_tree(section, tree)
            parts.append(tree)
        else:
            parts.append(_rich_text(section))
    console.print(Group(*parts), highlight=False, soft_wrap=False)


def write_terminal(result: ScanResult, stream: IO[str] | None = None, *, color: bool | None = None) -> None:
    """Write the report to ``stream`` (stdout by default): rich when it is a terminal
    (or ``color=True``), plain text otherwise (or ``color=False``)."""
    stream = stream if stream is not None else sys.stdout
    if color is None:
        color = bool(getattr(stream, "isatty", lambda: False)())
    if color:
        render_rich(result, Console(file=stream, highlight=False, emoji=False))
    else:
        stream.write(render_plain(result))


# --- progress ------------------------------------------------------------------------


# What a stage of dedup.scan is called on its bar, where its own name would mislead:
# "complete" (verify the pairs left inside small groups) reads as "finished".
_STAGE_LABELS = {"complete": "verify groups"}


class ScanProgress:
    """A ``progress(stage, done, total)`` callback that draws one rich bar per stage on stderr.

    Use as a context manager; it draws only when stderr is a terminal (``enabled``),
    so piped runs and JSON output on stdout stay clean.
    """

    def __init__(self, *, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.enabled = enabled
        self._tasks: dict[str, int] = {}
        self._progress = (
            Progress(
                TextColumn("{task.description:<13}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=stream),
                transient=True,
            )
            if enabled
            else None
        )

    def __enter__(self) -> ScanProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            for t in self._progress.tasks:  # a new stage ends the open-ended ones before it
                if t.total is None:
                    self._progress.update(t.id, total=t.completed)
            task = self._tasks[stage] = self._progress.add_task(_STAGE_LABELS.get(stage, stage), total=total)
        self._progress.update(task, completed=done, total=total)

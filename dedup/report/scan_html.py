"""Scan results as one self-contained HTML page: reprint chains to read and share.

Each story is listed and drawn as its chain, from the origin down its copy edges, with the
relation, the direction and why, the shared passages side by side and, with
``scan --drift``, what changed in the facts; a one-document story that is part of an
event is shown there as an own report. Events, unrelated documents, inputs renamed
for an id clash and skipped inputs follow. Inline CSS, no scripts, no external assets: the page can be mailed or
archived as it is. It reads the result through ScanView, as every other writer does.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import IO

from dedup import __version__
from dedup.records import Relation, ScanResult, Story

from .scan_json import SCHEMA_ID
from .scan_view import ScanView, safe

DASH = "\u2014"
HIGH_SHOWN = 8  # high-severity drift findings listed per copy; the rest are counted
PASSAGES_SHOWN = 6  # evidence passages shown side by side per pair

_CSS = """
body{font:15px/1.5 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:70em;color:#222;background:#fff;padding:0 1em}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta,.why,.dim{color:#666} .why{font-size:.9em;margin:.1em 0 .1em 1.2em}
ul.chain,ul.chain ul{list-style:none;margin:0;padding-left:1.4em;border-left:2px solid #e3e3e3}
ul.chain{border-left:none;padding-left:0} ul.chain li{margin:.35em 0}
.doc{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em} .title{font-style:italic}
.chip{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.8em;font-weight:600;margin-right:.3em;color:#fff}
.k-origin{background:#37474f}.k-duplicate{background:#6a1b9a}.k-reprint{background:#1565c0}.k-rewrite{background:#2e7d32}
.k-partial{background:#ef6c00}.k-same-event{background:#757575}
details{margin:.2em 0 .2em 1.2em} summary{cursor:pointer;color:#444;font-size:.9em}
table.sbs{border-collapse:collapse;width:100%;table-layout:fixed;margin:.3em 0}
table.sbs td,table.sbs th{vertical-align:top;padding:.35em .5em;border-bottom:1px solid #eee;font-size:.9em}
table.sbs th{text-align:left;background:#f6f6f6;font-weight:600} td.k{width:7em;color:#666}
.sev-high{color:#b71c1c;font-weight:600} table.toc td{padding:.1em .6em .1em 0}
.title,.doc{unicode-bidi:isolate}
"""


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _e(s: str) -> str:
    return html.escape(safe(s))


def _doc(view: ScanView, doc_id: str) -> str:
    title = view.title(doc_id)
    t = f' <span class="title">\u201c{_e(title)}\u201d</span>' if title else ""
    return f'<span class="doc">{_e(doc_id)}</span>{t}'


def _passages(view: ScanView, rel: Relation, source: str) -> str:
    """The evidence of ``rel`` as a side-by-side table, the source on the left."""
    if not rel.evidence:
        return ""
    flip = rel.a != source
    rows = []
    for p, a_text, b_text in list(view.passage_texts(rel))[:PASSAGES_SHOWN]:
        left, right = (b_text, a_text) if flip else (a_text, b_text)
        kind = p.kind + (" (caption)" if p.zone == "caption" else "") + (f" {p.score:.2f}" if p.kind == "aligned" else "")
        rows.append(f'<tr><td class="k">{_e(kind)}</td><td>{_e(left)}</td><td>{_e(right)}</td></tr>')
    more = len(rel.evidence) - PASSAGES_SHOWN
    tail = f'<p class="dim">and {more} more passages (all are in --format json)</p>' if more > 0 else ""
    copy = rel.b if not flip else rel.a
    return (
        f"<details><summary>{_n(len(rel.evidence), 'shared passage')}</summary>"
        f'<table class="sbs"><thead><tr><th class="k"></th><th>{_e(source)}</th><th>{_e(copy)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{tail}</details>"
    )


def _drift(rel: Relation) -> str:
    d = rel.drift
    if d is None:
        return ""
    if not d.counts:
        return '<div class="why">drift: no factual differences found</div>'
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in d.counts)
    if not d.high:  # nothing to unfold (a <details> opened onto nothing)
        return f'<div class="why">drift: {_e(counts)}; none of high severity (all findings are in --format json)</div>'
    out = [f'<details><summary>drift: {_e(counts)}' + (f'; <span class="sev-high">{len(d.high)} high</span>' if d.high else "") + "</summary>"]
    if d.high:
        out.append('<table class="sbs"><thead><tr><th class="k">finding</th><th>source</th><th>copy</th></tr></thead><tbody>')
        for f in d.high[:HIGH_SHOWN]:
            note = f" ({f.note})" if f.note else ""
            kind = f.kind.replace("_", " ")
            out.append(f'<tr><td class="k sev-high">{_e(kind)}</td><td>{_e(f.before or DASH)}</td>'
                       f"<td>{_e(f.after or DASH)}{_e(note)}</td></tr>")
        out.append("</tbody></table>")
        if len(d.high) > HIGH_SHOWN:
            out.append(f'<p class="dim">and {len(d.high) - HIGH_SHOWN} more high findings (all are in --format json)</p>')
    out.append("</details>")
    return "".join(out)


def _folded(summary: str, items: list[str]) -> str:
    """A collapsed list: ``summary`` shown, ``items`` (HTML) on opening."""
    return f"<details><summary>{summary}</summary><ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul></details>\n"


def _story(view: ScanView, story: Story, w) -> None:
    w(f'<h2 id="{_e(story.id)}">{_e(story.id)}: {_n(len(story.members), "document")}</h2>\n')
    children: dict[str, list] = defaultdict(list)
    for edge in story.edges:
        children[edge.source].append(edge)

    def node(doc_id: str, depth: int) -> None:
        for edge in children.get(doc_id, ()):
            rel = view.relation(edge.source, edge.copy)
            w(f'<li><span class="chip k-{edge.kind.value}">{edge.kind.value}</span>{_doc(view, edge.copy)}')
            if rel is not None:
                w(f' <span class="dim">score {rel.score:.2f}</span>')
            guess = " (a guess)" if edge.confidence <= 0.5 else ""
            w(f'<div class="why">direction {edge.confidence:.2f}{guess}: {_e("; ".join(edge.evidence))}</div>')
            if rel is not None:
                for why in rel.reasons:
                    w(f'<div class="why">{_e(why)}</div>')
                w(_passages(view, rel, edge.source))
                w(_drift(rel))
            if children.get(edge.copy):
                w("<ul>")
                node(edge.copy, depth + 1)
                w("</ul>")
            w("</li>\n")

    w(f'<ul class="chain"><li><span class="chip k-origin">origin</span>{_doc(view, story.origin)}')
    for why in story.origin_evidence:
        w(f'<div class="why">{_e(why)}</div>')
    if children.get(story.origin):
        w("<ul>")
        node(story.origin, 1)
        w("</ul>")
    w("</li></ul>\n")
    others = [r for r in view.story_relations(story) if view.edge(r.a, r.b) is None]
    if others:
        w(_folded(f"{_n(len(others), 'other pair')} in this story", [
            f'<span class="chip k-{r.kind.value}">{r.kind.value}</span>{_doc(view, r.a)} ~ {_doc(view, r.b)} '
            f'<span class="dim">score {r.score:.2f}</span>'
            + "".join(f'<div class="why">{_e(why)}</div>' for why in r.reasons)
            + _passages(view, r, r.a) + _drift(r)  # the JSON and the terminal report give both
            for r in others
        ]))


def write_html(result: ScanResult, stream: IO[str]) -> None:
    """The whole scan as one page (see the module docstring)."""
    view = ScanView(result)
    s = view.summary()
    w = stream.write
    w('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n')
    w(f"<title>dedup scan: {_n(s['stories'], 'story', 'stories')}, {_n(s['documents'], 'document')}</title>\n<style>{_CSS}</style></head><body>\n")
    w("<h1>Wire stories and reprint chains</h1>\n")
    stories = _n(s["stories"], "story", "stories")
    renamed = f", {s['renamed']} renamed" if s["renamed"] else ""
    w(f'<div class="meta">{_n(s["documents"], "document")}, {stories}, {_n(s["events"], "event")}, '
      f'{s["skipped"]} skipped{renamed}; {_n(s["pairs"], "verified pair")}, {s["in_stories"]} in stories, '
      f'{s["unrelated"]} unrelated. Generated by dedup {_e(__version__)} ({SCHEMA_ID}).</div>\n')
    # Every story is in the table, as in the JSON. A one-document story (a report nothing copies
    # or is copied from) that is part of an event is listed under it as an own report, as the
    # terminal report does; its row links there. Any other story has a section of its own.
    event_of = {sid: ev.id for ev in result.events for sid in ev.stories}
    own_reports = {st.id for st in result.stories if len(st.members) == 1 and st.id in event_of}
    if result.stories:
        w('<h2>Stories</h2><table class="toc">')
        for st in result.stories:
            if st.id in own_reports:
                ev = event_of[st.id]
                what = f'own report in <a href="#{_e(ev)}">{_e(ev)}</a>'
            else:
                what = _e(", ".join(sorted({e.kind.value for e in st.edges})))
            w(f'<tr><td><a href="#{_e(st.id)}">{_e(st.id)}</a></td><td>{_n(len(st.members), "document")}</td>'
              f'<td>{_doc(view, st.origin)}</td><td class="dim">{what}</td></tr>')
        w("</table>\n")
    for st in result.stories:
        if st.id not in own_reports:
            _story(view, st, w)
    if result.events:
        w("<h2>Events: independent reports of the same event</h2>\n")
        for ev in result.events:
            w(f'<h3 id="{_e(ev.id)}">{_e(ev.id)}: {len(ev.stories)} stories, {_n(len(ev.members), "document")}</h3><ul>')
            for sid in ev.stories:
                st = view.stories.get(sid)
                if st is None:
                    w(f"<li>story {_e(sid)}</li>")
                elif sid in own_reports:
                    w(f'<li id="{_e(sid)}">own report {_doc(view, st.origin)} <span class="dim">(story {_e(sid)})</span></li>')
                else:
                    w(f'<li><a href="#{_e(sid)}">{_e(sid)}</a> ({_n(len(st.members), "document")}), '
                      f"origin {_doc(view, st.origin)}</li>")
            in_story = {m for sid in ev.stories if sid in view.stories for m in view.stories[sid].members}
            for member in ev.members:
                if member not in in_story:
                    w(f"<li>own report {_doc(view, member)}</li>")
            w("</ul>")
            rels = view.event_relations(ev)
            if rels:
                w(_folded(_n(len(rels), "same-event link"), [
                    f"{_doc(view, r.a)} ~ {_doc(view, r.b)} <span class=\"dim\">{r.score:.2f}; {_e('; '.join(r.reasons))}</span>"
                    for r in rels
                ]))
    unrelated = view.unrelated()
    if unrelated:
        w(f"<h2>Unrelated: {_n(len(unrelated), 'document')} in no story or event</h2>")
        w(_folded("list them", [_doc(view, doc_id) for doc_id in unrelated]))
    renamed_inputs = view.renamed()
    if renamed_inputs:
        w(f"<h2>Renamed: {_n(len(renamed_inputs), 'input')} whose id could not be kept</h2><ul>")
        for rn in renamed_inputs:
            w(f'<li><span class="doc">{_e(rn.id)}</span>: {_e(rn.reason)}</li>')
        w("</ul>\n")
    if result.skipped:
        w(f"<h2>Skipped: {_n(len(result.skipped), 'input')}</h2><ul>")
        for sk in result.skipped:
            w(f'<li><span class="doc">{_e(sk.id)}</span>: {_e(sk.reason)}</li>')
        w("</ul>\n")
    if not result.documents and not result.skipped:
        w("<p>Nothing to compare: no documents were found.</p>\n")
    w("</body></html>\n")

"""`dedup diff` rendered three ways: side-by-side terminal view, JSON (dedup.diff/1), HTML page.

All three are built from one list of rows (:func:`rows`): each aligned pair of sentence
groups side by side, with the sentences one text has and the other lacks on their own
rows, in source order. Finding spans are highlighted by kind.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dedup import __version__
from dedup.drift import KINDS, SEVERITY
from dedup.records import Diff, Document, Finding

from . import finding_dict

SCHEMA = "dedup.diff/1"
_DASH = "\u2014"
_ARROW = "\u2192"

# kind -> (HTML colour, rich style, short label)
KIND_STYLE = {
    "number_changed": ("#e53935", "bold white on red3", "number"),
    "hedge_changed": ("#fb8c00", "black on dark_orange", "hedge"),
    "date_changed": ("#8e24aa", "bold white on dark_magenta", "date"),
    "weekday_changed": ("#ab47bc", "bold white on medium_purple3", "weekday"),
    "date_inconsistent": ("#6a1b9a", "bold white on purple4", "date?"),
    "entity_changed": ("#1e88e5", "bold white on dodger_blue3", "entity"),
    "spelling_variant": ("#90caf9", "black on light_sky_blue1", "spelling"),
    "attribution_dropped": ("#00897b", "bold white on dark_cyan", "source-"),
    "attribution_added": ("#4db6ac", "black on medium_turquoise", "source+"),
    "attribution_changed": ("#00695c", "bold white on dark_green", "source~"),
    "quote_altered": ("#fdd835", "black on yellow3", "quote"),
    "quote_attribution_changed": ("#c0ca33", "black on yellow4", "quote-by"),
    "claim_added": ("#a5d6a7", "black on dark_sea_green2", "claim+"),
    "claim_dropped": ("#ef9a9a", "black on light_pink3", "claim-"),
    "wording_changed": ("#ffcc80", "black on light_goldenrod2", "wording"),
}
assert set(KIND_STYLE) == set(KINDS)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the side-by-side view: a span of A and/or a span of B."""

    a_span: tuple[int, int] | None
    b_span: tuple[int, int] | None
    score: float | None  # None for an unaligned sentence


def rows(d: Diff) -> list[Row]:
    al = d.alignment
    out: list[tuple[float, Row]] = []
    pair_rows = {}
    for p in al.pairs:
        a0, a1 = al.a_sentences[min(p.a)].start, al.a_sentences[max(p.a)].end
        b0, b1 = al.b_sentences[min(p.b)].start, al.b_sentences[max(p.b)].end
        r = Row((a0, a1), (b0, b1), p.score)
        out.append((min(p.a), r))
        for j in p.b:
            pair_rows[j] = min(p.a)
    for i in al.unaligned_a:
        s = al.a_sentences[i]
        out.append((i, Row((s.start, s.end), None, None)))
    # An added sentence of B goes right after the row holding the B sentence before it.
    for j in al.unaligned_b:
        s = al.b_sentences[j]
        anchor = max((pair_rows[k] for k in pair_rows if k < j), default=-1)
        out.append((anchor + 0.5 + j / (10 * (len(al.b_sentences) + 1)), Row(None, (s.start, s.end), None)))
    out.sort(key=lambda t: t[0])
    return [r for _, r in out]


def _marks(findings: tuple[Finding, ...], side: str, start: int, end: int) -> list[tuple[int, int, Finding]]:
    """Non-overlapping finding spans inside [start, end), shortest first, as (s, e, finding)."""
    spans = []
    for f in findings:
        sp = f.a_span if side == "a" else f.b_span
        if sp and start <= sp[0] and sp[1] <= end and sp[1] > sp[0]:
            spans.append((sp[0], sp[1], f))
    spans.sort(key=lambda t: (t[1] - t[0], t[0]))
    chosen: list[tuple[int, int, Finding]] = []
    for s, e, f in spans:
        if all(e <= cs or s >= ce for cs, ce, _ in chosen):
            chosen.append((s, e, f))
    return sorted(chosen, key=lambda t: t[0])


# --- JSON ----------------------------------------------------------------------------------


def _doc_json(doc: Document, sentences) -> dict:
    return {
        "id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "published": doc.published,
        "path": doc.path,
        "chars": len(doc.text),
        "text": doc.text,
        "sentences": [{"start": s.start, "end": s.end, "zone": s.zone} for s in sentences],
    }


def to_json(d: Diff) -> dict:
    al = d.alignment
    counts: dict[str, int] = {}
    for f in d.findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return {
        "schema": SCHEMA,
        "dedup_version": __version__,
        "a": _doc_json(d.a, al.a_sentences),
        "b": _doc_json(d.b, al.b_sentences),
        "alignment": [
            {
                "a": list(p.a),
                "b": list(p.b),
                "score": p.score,
                "a_span": [al.a_sentences[min(p.a)].start, al.a_sentences[max(p.a)].end],
                "b_span": [al.b_sentences[min(p.b)].start, al.b_sentences[max(p.b)].end],
            }
            for p in al.pairs
        ],
        "unaligned": {"a": list(al.unaligned_a), "b": list(al.unaligned_b)},
        "summary": {
            "findings": len(d.findings),
            "high": sum(1 for f in d.findings if f.severity == "high"),
            "counts": dict(sorted(counts.items())),
        },
        "findings": [finding_dict(f) for f in d.findings],
    }


def write_json(d: Diff, stream: IO[str]) -> None:
    json.dump(to_json(d), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


# --- terminal ------------------------------------------------------------------------------


def _styled(text: str, base: int, marks, color: bool) -> Text:
    t = Text()
    pos = base
    for s, e, f in marks:
        t.append(text[pos - base : s - base])
        label = KIND_STYLE[f.kind][2]
        if color:
            t.append(text[s - base : e - base], style=KIND_STYLE[f.kind][1])
        else:
            t.append(f"[{label}: {text[s - base : e - base]}]")
        pos = e
    t.append(text[pos - base :])
    return t


def write_terminal(d: Diff, stream: IO[str], *, color: bool = False, width: int | None = None) -> None:
    """Side by side: source on the left, copy on the right, findings listed below.

    ``color``: a terminal (its width, styles). Changed spans are coloured by kind there,
    unless NO_COLOR is set (https://no-color.org): then, as off a terminal, they are
    written ``[label: text]``."""
    terminal = color
    color = color and not os.environ.get("NO_COLOR")
    console = Console(file=stream, force_terminal=terminal, no_color=not color, width=width or (None if terminal else 160), highlight=False, soft_wrap=False)
    high = sum(1 for f in d.findings if f.severity == "high")
    console.print(Text(f"A (source): {d.a.id}\nB (copy):   {d.b.id}", style="bold"))
    al = d.alignment
    console.print(
        f"{len(al.pairs)} aligned pairs, {len(al.unaligned_a)} sentences only in A, {len(al.unaligned_b)} only in B; "
        f"{len(d.findings)} findings ({high} high)"
    )
    if not color and d.findings:  # the plain form marks spans with short labels: say what they mean
        kinds = dict.fromkeys(f.kind for f in d.findings)
        console.print(Text("marks: " + ", ".join(f"[{KIND_STYLE[k][2]}: ...] {k}" for k in kinds)), soft_wrap=not terminal)
    table = Table(show_header=True, header_style="bold", expand=True, show_lines=True, box=None if not color else None)
    table.add_column("A", ratio=1, overflow="fold")
    table.add_column("score", justify="right", width=5)
    table.add_column("B", ratio=1, overflow="fold")
    for r in rows(d):
        left = right = Text("")
        if r.a_span:
            s, e = r.a_span
            left = _styled(d.a.text[s:e], s, _marks(d.findings, "a", s, e), color)
        if r.b_span:
            s, e = r.b_span
            right = _styled(d.b.text[s:e], s, _marks(d.findings, "b", s, e), color)
        score = f"{r.score:.2f}" if r.score is not None else ("-" if r.a_span else "+")
        table.add_row(left, score, right)
    console.print(table)
    if not d.findings:
        console.print("No drift found.")
        return
    console.print(Text("Findings", style="bold"))
    for f in d.findings:
        style = KIND_STYLE[f.kind][1] if color else ""
        line = Text("  ")
        line.append(f"{f.kind}", style=style)
        line.append(f" ({f.severity}) ")
        line.append(_clip(f.before) or "\u2014")
        line.append(" -> ")
        line.append(_clip(f.after) or "\u2014")
        if f.note:
            line.append(f"  [{f.note}]", style="dim" if color else "")
        console.print(line, soft_wrap=not terminal)  # off a terminal: one line per finding, never wrapped


def _clip(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"


# --- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.3em;margin:0 0 .3em} .meta{color:#555;margin-bottom:1em}
table.sbs{border-collapse:collapse;width:100%;table-layout:fixed}
table.sbs td,table.sbs th{vertical-align:top;padding:.45em .6em;border-bottom:1px solid #e4e4e4}
table.sbs th{text-align:left;background:#f5f5f5} td.score{width:3.5em;text-align:center;color:#777;font-size:.85em}
tr.only-a td.a{background:#fdecec} tr.only-b td.b{background:#ecf7ec}
mark{padding:0 .1em;border-radius:2px;color:inherit}
.legend span,.chip{display:inline-block;padding:.05em .45em;margin:.1em .2em;border-radius:3px;font-size:.85em}
table.findings{border-collapse:collapse;margin-top:1em;width:100%} table.findings td,table.findings th{padding:.3em .5em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
.sev-high{font-weight:bold;color:#b71c1c} .sev-medium{color:#e65100} .sev-low{color:#555}
"""


def _css_kinds() -> str:
    out = []
    for k, (c, _, _) in KIND_STYLE.items():
        out.append(f"mark.k-{k},.chip.k-{k},.legend .k-{k}{{background:{c}40;border-bottom:2px solid {c}}}")
    return "\n".join(out)


def _html_span(text: str, base: int, marks, side: str) -> str:
    out = []
    pos = base
    for s, e, f in marks:
        out.append(html.escape(text[pos - base : s - base]))
        tip = f"{f.kind} ({f.severity}): {f.before or _DASH} {_ARROW} {f.after or _DASH}" + (f" {_DASH} {f.note}" if f.note else "")
        out.append(f'<mark class="k-{f.kind}" title="{html.escape(tip, quote=True)}">{html.escape(text[s - base : e - base])}</mark>')
        pos = e
    out.append(html.escape(text[pos - base :]))
    return "".join(out)


def write_html(d: Diff, stream: IO[str]) -> None:
    """A self-contained page (inline CSS, no scripts or external assets)."""
    e = html.escape
    present = {f.kind for f in d.findings}
    w = stream.write
    w("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
    w(f"<title>dedup diff: {e(d.a.id)} \u2192 {e(d.b.id)}</title>\n<style>{_CSS}\n{_css_kinds()}</style></head><body>\n")
    w(f"<h1>Drift: {e(d.a.id)} \u2192 {e(d.b.id)}</h1>\n")
    al = d.alignment
    high = sum(1 for f in d.findings if f.severity == "high")
    w(
        f'<div class="meta">{len(al.pairs)} aligned pairs, {len(al.unaligned_a)} sentences only in A (red), '
        f"{len(al.unaligned_b)} only in B (green); {len(d.findings)} findings, {high} high severity. "
        f"Generated by dedup {e(__version__)} ({SCHEMA}).</div>\n"
    )
    w('<div class="legend">')
    for k in KINDS:
        faded = "" if k in present else ' style="opacity:.45"'
        w(f'<span class="k-{k}"{faded}>{k} ({SEVERITY[k]})</span>')
    w("</div>\n")
    w('<table class="sbs"><thead><tr><th>A (source): ' + e(d.a.id) + '</th><th class="score">score</th><th>B (copy): ' + e(d.b.id) + "</th></tr></thead><tbody>\n")
    for r in rows(d):
        cls = "pair" if r.score is not None else ("only-a" if r.a_span else "only-b")
        left = right = ""
        if r.a_span:
            s, t = r.a_span
            left = _html_span(d.a.text[s:t], s, _marks(d.findings, "a", s, t), "a")
        if r.b_span:
            s, t = r.b_span
            right = _html_span(d.b.text[s:t], s, _marks(d.findings, "b", s, t), "b")
        score = f"{r.score:.2f}" if r.score is not None else ""
        w(f'<tr class="{cls}"><td class="a">{left}</td><td class="score">{score}</td><td class="b">{right}</td></tr>\n')
    w("</tbody></table>\n<h2>Findings</h2>\n")
    if not d.findings:
        w("<p>No drift found.</p>\n")
    else:
        w('<table class="findings"><thead><tr><th>kind</th><th>severity</th><th>before (A)</th><th>after (B)</th><th>note</th></tr></thead><tbody>\n')
        for f in d.findings:
            w(
                f'<tr><td><span class="chip k-{f.kind}">{e(f.kind)}</span></td><td class="sev-{f.severity}">{f.severity}</td>'
                f"<td>{e(f.before)}</td><td>{e(f.after)}</td><td>{e(f.note)}</td></tr>\n"
            )
        w("</tbody></table>\n")
    w("</body></html>\n")

"""Scan results for programs: JSON, JSON Lines and CSV.

The JSON layout is versioned as ``dedup.scan/1`` and described field by field
in docs/scan-json.md; dedup/schemas/scan.v1.json is its JSON Schema. Additive
changes keep ``/1``; renaming, removing or retyping a field bumps it.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import json
import math
import os
from collections.abc import Iterator
from typing import IO, Any

from dedup import __version__
from dedup.records import DriftSummary, Finding, Relation, ScanResult

from . import finding_dict
from .scan_view import ScanView, safe

SCHEMA_ID = "dedup.scan/1"
SCORE_DIGITS = 4  # scores are rounded: more digits are noise and make diffs of outputs unreadable

CSV_COLUMNS = (
    "a",
    "b",
    "relation",
    "score",
    "jaccard",
    "containment_ab",
    "containment_ba",
    "content_jaccard",
    "aligned_a",
    "aligned_b",
    "order",
    "entity_overlap",
    "caption_share",
    "story",
    "event",
    "source",
    "copy",
    "direction_confidence",
    "passages",
    "shared_chars_a",
    "shared_chars_b",
    "excerpt",
    "drift_high",
    "a_title",
    "b_title",
)


# --- building blocks ---------------------------------------------------------------


def _score(x: float) -> float:
    return round(float(x), SCORE_DIGITS)


def _opt(s: str | None) -> str | None:
    return None if s is None else safe(s)


def _jsonable(value: Any) -> Any:
    """Parameters as plain JSON values: dataclasses, enums, tuples, sets and paths included."""
    if value is None or isinstance(value, (bool, int, str)):
        return safe(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _jsonable(to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {safe(str(k)): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, os.PathLike):
        return safe(os.fsdecode(value))
    return safe(str(value))


def _finding(f: Finding) -> dict:
    return {k: safe(v) if isinstance(v, str) and k not in ("kind", "severity") else v for k, v in finding_dict(f).items()}


def _drift(d: DriftSummary | None) -> dict | None:
    if d is None:
        return None
    return {
        "source": safe(d.source),
        "copy": safe(d.copy),
        "counts": {kind: n for kind, n in sorted(d.counts)},
        "high": [_finding(f) for f in d.high],
    }


def _document(view: ScanView, doc, texts: bool) -> dict:
    out = {
        "id": safe(doc.id),
        "title": _opt(doc.title),
        "chars": len(doc.text),
        "stripped": len(doc.stripped),
        "source": _opt(doc.source),
        "published": _opt(doc.published),
        "url": _opt(doc.url),
        "path": _opt(doc.path),
        "parent": _opt(doc.parent),
        "part": doc.part,
        "captions": sum(1 for z in doc.zones if z.kind == "caption"),
        "story": _opt(view.story_of.get(doc.id)),
        "event": _opt(view.event_of.get(doc.id)),
        "renamed_from": _opt(doc.renamed_from),
    }
    if texts:
        out["text"] = safe(doc.text)
        out["stripped_lines"] = [{"line": s.line, "reason": safe(s.reason), "text": safe(s.text)} for s in doc.stripped]
    return out


def _pair(view: ScanView, rel: Relation) -> dict:
    s = rel.scores
    direction = view.direction(rel)
    return {
        "a": safe(rel.a),
        "b": safe(rel.b),
        "relation": str(rel.kind),
        "score": _score(rel.score),
        "scores": {
            "jaccard": _score(s.jaccard),
            "containment_ab": _score(s.containment_ab),
            "containment_ba": _score(s.containment_ba),
            "content_jaccard": _score(s.content_jaccard),
            "aligned_a": _score(s.aligned_a),
            "aligned_b": _score(s.aligned_b),
            "order": _score(s.order),
            "entity_overlap": _score(s.entity_overlap),
            "caption_share": _score(s.caption_share),
        },
        "story": _opt(view.pair_story(rel)),
        "event": _opt(view.pair_event(rel)),
        "direction": (
            None
            if direction is None
            else {
                "source": safe(direction.source),
                "copy": safe(direction.copy),
                "confidence": _score(direction.confidence),
            }
        ),
        "reasons": [safe(r) for r in rel.reasons],
        "evidence": [
            {
                "kind": p.kind,
                "zone": p.zone,
                "score": _score(p.score),
                "a_start": p.a_start,
                "a_end": p.a_end,
                "b_start": p.b_start,
                "b_end": p.b_end,
                "a_excerpt": a_text,
                "b_excerpt": b_text,
            }
            for p, a_text, b_text in view.passage_texts(rel)
        ],
        "drift": _drift(rel.drift),
    }


def _story(story) -> dict:
    return {
        "id": safe(story.id),
        "origin": safe(story.origin),
        "members": [safe(m) for m in story.members],
        "origin_evidence": [safe(e) for e in story.origin_evidence],
        "edges": [
            {
                "source": safe(e.source),
                "copy": safe(e.copy),
                "relation": str(e.kind),
                "confidence": _score(e.confidence),
                "evidence": [safe(x) for x in e.evidence],
            }
            for e in story.edges
        ],
    }


def _event(event) -> dict:
    return {
        "id": safe(event.id),
        "stories": [safe(s) for s in event.stories],
        "members": [safe(m) for m in event.members],
    }


def _skipped(sk) -> dict:
    return {"id": safe(sk.id), "reason": safe(sk.reason), "path": _opt(sk.path)}


def _renamed(rn) -> dict:
    return {"id": safe(rn.id), "renamed_from": safe(rn.renamed_from), "path": _opt(rn.path), "reason": safe(rn.reason)}


def _header(result: ScanResult, view: ScanView) -> dict:
    return {
        "schema": SCHEMA_ID,
        "dedup_version": __version__,
        "params": _jsonable(result.params),
        "summary": view.summary(),
    }


# --- public API ------------------------------------------------------------------


def to_dict(result: ScanResult, *, texts: bool = False) -> dict:
    """The whole scan as one JSON-ready dict (``dedup.scan/1``), keys in a fixed order.

    ``texts=True`` adds each document's cleaned text and its stripped boilerplate lines.
    """
    view = ScanView(result)
    out = _header(result, view)
    out["documents"] = [_document(view, d, texts) for d in result.documents]
    out["pairs"] = [_pair(view, r) for r in result.relations]
    out["stories"] = [_story(s) for s in result.stories]
    out["events"] = [_event(e) for e in result.events]
    out["skipped"] = [_skipped(s) for s in result.skipped]
    out["renamed"] = [_renamed(r) for r in view.renamed()]
    return out


def iter_records(result: ScanResult, *, texts: bool = False) -> Iterator[dict]:
    """The JSONL stream as dicts: a header, then documents, pairs, stories, events, skipped, renamed."""
    view = ScanView(result)
    yield {"type": "header", **_header(result, view)}
    for d in result.documents:
        yield {"type": "document", **_document(view, d, texts)}
    for r in result.relations:
        yield {"type": "pair", **_pair(view, r)}
    for s in result.stories:
        yield {"type": "story", **_story(s)}
    for e in result.events:
        yield {"type": "event", **_event(e)}
    for sk in result.skipped:
        yield {"type": "skipped", **_skipped(sk)}
    for rn in view.renamed():
        yield {"type": "renamed", **_renamed(rn)}


def write_json(result: ScanResult, stream: IO[str], *, texts: bool = False, indent: int | None = 2) -> None:
    """Write the scan as one JSON document (UTF-8 text, not ASCII-escaped) and a newline."""
    json.dump(to_dict(result, texts=texts), stream, ensure_ascii=False, indent=indent, allow_nan=False)
    stream.write("\n")


def write_jsonl(result: ScanResult, stream: IO[str], *, texts: bool = False) -> None:
    """Write the scan as JSON Lines: one object per line, each with a ``type``."""
    for record in iter_records(result, texts=texts):
        stream.write(json.dumps(record, ensure_ascii=False, allow_nan=False))
        stream.write("\n")


def csv_row(view: ScanView, rel: Relation) -> dict[str, str | int | float]:
    """One CSV row (a dict keyed by CSV_COLUMNS) for a pair."""
    pair = _pair(view, rel)
    s = pair["scores"]
    direction = pair["direction"] or {}
    evidence = pair["evidence"]
    longest = max(evidence, key=lambda p: p["a_end"] - p["a_start"], default=None)
    drift = pair["drift"]
    return {
        "a": pair["a"],
        "b": pair["b"],
        "relation": pair["relation"],
        "score": pair["score"],
        **{k: s[k] for k in CSV_COLUMNS[4:13]},
        "story": pair["story"] or "",
        "event": pair["event"] or "",
        "source": direction.get("source", ""),
        "copy": direction.get("copy", ""),
        "direction_confidence": direction.get("confidence", ""),
        "passages": len(evidence),
        "shared_chars_a": sum(p["a_end"] - p["a_start"] for p in evidence),
        "shared_chars_b": sum(p["b_end"] - p["b_start"] for p in evidence),
        "excerpt": longest["a_excerpt"] if longest else "",
        "drift_high": len(drift["high"]) if drift else "",
        "a_title": _opt(view.title(rel.a)) or "",
        "b_title": _opt(view.title(rel.b)) or "",
    }


def write_csv(result: ScanResult, stream: IO[str]) -> None:
    """Write one CSV row per verified pair, with a header row (columns: CSV_COLUMNS).

    Open ``stream`` with ``newline=""``; rows end with ``\\r\\n`` as RFC 4180 says.
    """
    view = ScanView(result)
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for rel in result.relations:
        writer.writerow(csv_row(view, rel))


def schema() -> dict:
    """The JSON Schema (draft 2020-12) of :func:`to_dict`'s output, shipped as dedup/schemas/scan.v1.json."""
    from importlib.resources import files

    return json.loads(files("dedup").joinpath("schemas/scan.v1.json").read_text(encoding="utf-8"))

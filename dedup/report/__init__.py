"""Rendering only: terminal, JSON and HTML views of scan, diff and check results."""

from __future__ import annotations

from ..records import Finding


def finding_dict(f: Finding) -> dict:
    """A drift finding as JSON fields, in the order every documented schema lists them."""
    return {
        "kind": f.kind,
        "severity": f.severity,
        "before": f.before,
        "after": f.after,
        "a_span": list(f.a_span) if f.a_span is not None else None,
        "b_span": list(f.b_span) if f.b_span is not None else None,
        "a_sentence": f.a_sentence,
        "b_sentence": f.b_sentence,
        "note": f.note,
    }

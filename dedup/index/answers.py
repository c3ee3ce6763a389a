"""Index answers as JSON-ready dicts: one shape for `dedup check` (JSONL) and the HTTP service.

The shape of a check answer is dedup/schemas/check.v1.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict

from ..report import finding_dict
from ..records import AuditEntry, Decision, Document, DriftSummary, Finding, IndexStats, Relation, Skipped

CHECK_SCHEMA = "dedup.check/v1"


def _finding(f: Finding) -> dict:
    """A finding in a check answer: its sentences are left out (the answer names both documents)."""
    d = finding_dict(f)
    del d["a_sentence"], d["b_sentence"]
    return d


def drift_to_dict(d: DriftSummary | None) -> dict | None:
    if d is None:
        return None
    return {"source": d.source, "copy": d.copy, "counts": dict(d.counts), "high": [_finding(f) for f in d.high]}


def match_to_dict(r: Relation) -> dict:
    return {
        "id": r.a,
        "kind": str(r.kind),
        "score": round(float(r.score), 4),
        "scores": {k: round(float(v), 4) for k, v in asdict(r.scores).items()},
        "reasons": list(r.reasons),
        "drift": drift_to_dict(r.drift),
    }


def decision_to_dict(d: Decision) -> dict:
    return {
        "schema": CHECK_SCHEMA,
        "id": d.id,
        "decision": d.decision,
        "added": d.added,
        "updated": d.updated,
        "replaced_unrelated": d.replaced_unrelated,
        "reason": d.reason,
        "matches": [match_to_dict(r) for r in d.matches],
        "audit_seq": d.audit_seq,
    }


def skipped_to_dict(s: Skipped) -> dict:
    return {
        "schema": CHECK_SCHEMA,
        "id": s.id,
        "decision": "skipped",
        "added": False,
        "updated": False,
        "replaced_unrelated": False,
        "reason": s.reason,
        "matches": [],
        "audit_seq": None,
    }


def answer_to_dict(a: Decision | Skipped) -> dict:
    return skipped_to_dict(a) if isinstance(a, Skipped) else decision_to_dict(a)


def document_to_dict(d: Document) -> dict:
    return {
        "id": d.id,
        "text": d.text,
        "title": d.title,
        "source": d.source,
        "published": d.published,
        "url": d.url,
        "parent": d.parent,
        "part": d.part,
    }


def stats_to_dict(s: IndexStats) -> dict:
    return asdict(s)


def audit_to_dict(e: AuditEntry) -> dict:
    d = asdict(e)
    d["matches"] = [{"id": m.id, "kind": m.kind, "score": m.score} for m in e.matches]
    return d


def is_copy(a: Decision | Skipped) -> bool:
    """A decision that found the article already indexed (a derived relation): a pipeline skips it."""
    from ..records import RelationKind

    return isinstance(a, Decision) and a.decision != "new" and RelationKind(a.decision).derived


def _with_valid_id(item: Document | Skipped, verb: str) -> Document | Skipped:
    """``item``, or a Skipped naming why its id is refused ("not <verb>: ...")."""
    from ..errors import InputError
    from . import validate_id

    if isinstance(item, Document):
        try:
            validate_id(item.id, new=True)  # as check_many and add validate it
        except InputError as exc:
            return Skipped(repr(item.id)[1:-1][:80], f"not {verb}: {exc}", item.path)
    return item


def check_stream(index, items: Iterable[Document | Skipped], *, add: bool = False, client: str | None = None,
                 chunk: int = 64) -> Iterator[Decision | Skipped]:
    """Decisions for a stream of documents, in order; Skipped inputs pass through.

    Documents are fingerprinted ``chunk`` at a time (vectorised) and decided one
    transaction each, so a long stream starts answering at once.
    """
    buf: list[Document | Skipped] = []

    def flush():
        docs = [x for x in buf if isinstance(x, Document)]
        decided = iter(index.check_many(docs, add=add, client=client)) if docs else iter(())
        for x in buf:
            yield x if isinstance(x, Skipped) else next(decided)
        buf.clear()

    for item in items:
        buf.append(_with_valid_id(item, "checked"))
        if len(buf) >= chunk:
            yield from flush()
    if buf:
        yield from flush()


def replaced_unrelated(d: Decision | Skipped) -> str | None:
    """The line that says ``d`` replaced an indexed article with an unrelated text under its id
    (two articles given one id, as a file name used again), else None."""
    if isinstance(d, Decision) and d.replaced_unrelated:
        return (f"'{d.id}': replaced the indexed article of that id with an unrelated text; if they are two "
                "articles, give each its own id (--id, or a file name of its own)")
    return None


def add_inputs(index, items: Iterable[Document | Skipped], *, relate: bool = True, batch: int = 256,
               client: str | None = None, progress=None, notice=None) -> tuple[dict[str, int], list[Skipped]]:
    """Add a stream of documents in batches (each batch one transaction).

    Returns counts by action (added, updated, unchanged, invalid ids skipped) and the skipped inputs.
    ``progress(n_done)`` is called after each committed batch; ``notice(line)`` for each update
    that replaced an unrelated text (:func:`replaced_unrelated`).
    """
    counts = {"added": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    skipped: list[Skipped] = []
    buf: list[Document] = []
    done = 0

    def flush():
        nonlocal done
        for d in index.add(buf, relate=relate, batch=batch, client=client):
            key = "updated" if d.updated else "added" if d.added else "unchanged"
            counts[key] += 1
            if notice is not None and (line := replaced_unrelated(d)):
                notice(line)
        done += len(buf)
        buf.clear()
        if progress is not None:
            progress(done)

    for item in items:
        item = _with_valid_id(item, "added")
        if isinstance(item, Skipped):
            skipped.append(item)
            counts["skipped"] += 1
            continue
        buf.append(item)
        if len(buf) >= batch:
            flush()
    if buf:
        flush()
    return counts, skipped


def bulk_inputs(index, items: Iterable[Document | Skipped], *, client: str | None = None,
                progress=None) -> tuple[dict[str, int], list[Skipped]]:
    """Build an empty index from a stream at once (:meth:`Index.bulk_load`): one transaction,
    an audit entry per document. Returns counts (added, skipped) and the skipped inputs: those
    the reader skipped, invalid ids and ids repeated later in the stream."""
    skipped: list[Skipped] = []

    def docs() -> Iterator[Document]:
        for item in items:
            item = _with_valid_id(item, "added")
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            yield item

    n, repeats = index.bulk_load(docs(), client=client, progress=progress)
    skipped += repeats
    return {"added": n, "skipped": len(skipped)}, skipped

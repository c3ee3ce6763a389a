"""Scan a corpus: ingest -> fingerprint -> candidates -> verify -> stories and events.

``scan`` reads paths; ``scan_documents`` takes documents already in memory. Both return
a ScanResult in which every input is accounted for: a document, or a skipped entry
with its reason.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .candidates import stock_hashes
from .cluster import build_stories, components
from .credits import wire_credits
from .engines.local import LocalEngine, pair_costs, read_parallel
from .errors import InputError
from .fingerprint import Fingerprint
from .ingest import IngestOptions
from .normalize import NORMALIZER_VERSION
from .params import SCHEMA_VERSION, FingerprintParams
from .records import Document, Relation, ScanResult, Skipped, unwritable

Progress = Callable[[str, int, "int | None"], None]

# After LSH, pairs inside a small connected group of related documents that LSH did not
# propose are verified too: stories and events are transitive, candidates are not.
COMPLETE_MAX = 16
# A scan of this many distinct texts or fewer verifies every pair: someone comparing a handful
# of files expects each pair's relation, not only those LSH proposes (a pair it misses is
# otherwise found only through a third document related to both).
ALL_PAIRS_MAX = 16


def _noop(stage: str, done: int, total: int | None) -> None:
    return None


def _complete(relations: Sequence[Relation], seen: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Unverified pairs inside small groups of related documents; ``seen``: the verified
    pairs (i, j), i < j, as rows."""
    inside: list[tuple[int, int]] = []
    for group in components((r.a, r.b) for r in relations):
        if len(group) > COMPLETE_MAX:
            continue
        ids = sorted(index[g] for g in group)
        inside.extend((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    pairs = np.asarray(inside, dtype=np.int64).reshape(-1, 2)
    if not len(pairs) or not len(seen):
        return pairs
    n = np.int64(max(int(pairs.max()), int(seen.max())) + 1)
    return pairs[~np.isin(pairs[:, 0] * n + pairs[:, 1], seen[:, 0] * n + seen[:, 1])]


def _exact_groups(fps: Sequence[Fingerprint]) -> tuple[list[int], list[tuple[int, int]]]:
    """Representatives (first of each group of identical texts) and (representative, copy) pairs.

    Identical documents after normalisation are duplicates by definition; only one of each
    group goes through LSH and verification, the rest are linked to it as a star (a group
    of n copies gives n - 1 duplicate pairs, not n(n-1)/2). Verification confirms each link.
    """
    first: dict[int, int] = {}
    reps: list[int] = []
    links: list[tuple[int, int]] = []
    for i, fp in enumerate(fps):
        j = first.setdefault(fp.text_key, i) if fp.text_key else i
        if j == i:
            reps.append(i)
        else:
            links.append((j, i))
    return reps, links


def _attach_drift(relations: list[Relation], stories, by_id: dict[str, Document]) -> list[Relation]:
    from .drift import compare, summarize

    oriented = {frozenset((e.source, e.copy)): (e.source, e.copy) for s in stories for e in s.edges}
    out = []
    for r in relations:
        if not r.kind.derived:
            out.append(r)
            continue
        src, cp = oriented.get(frozenset((r.a, r.b)), (r.a, r.b))
        findings = compare(by_id[src], by_id[cp])
        out.append(dataclasses.replace(r, drift=summarize(src, cp, findings)))
    return out


def scan_documents(
    docs: Iterable[Document],
    *,
    skipped: Sequence[Skipped] = (),
    params: FingerprintParams | None = None,
    workers: int | None = None,
    drift: bool = False,
    progress: Progress | None = None,
) -> ScanResult:
    """Relations, stories and events among ``docs`` (ids must be unique)."""
    params = params or FingerprintParams()
    progress = progress or _noop
    docs = list(docs)
    index: dict[str, int] = {}
    for i, d in enumerate(docs):
        if d.id in index:
            raise InputError(f"document id {d.id!r} appears twice; ids must be unique (rename one record)")
        if (why := unwritable(d)) is not None:
            raise InputError(why)
        index[d.id] = i

    with LocalEngine(docs, params, workers=workers) as engine:
        all_fps = engine.fingerprints(lambda done, total: progress("fingerprint", done, total))
        reps, dup_links = _exact_groups(all_fps)
        rep_docs = [docs[i] for i in reps]
        fps = [all_fps[i] for i in reps]
        stock = stock_hashes(fps)
        cost = None  # each pair alike
        if len(reps) <= ALL_PAIRS_MAX:  # every pair: LSH's proposals are not needed
            local = np.asarray(np.triu_indices(len(reps), 1), dtype=np.int64).T.reshape(-1, 2)
        else:
            proposed = engine.candidates(fps)
            local, cost = proposed.pairs, pair_costs(proposed)
        progress("candidates", len(local), len(local))
        pairs = np.asarray(reps, dtype=np.int64)[local] if len(local) else local
        relations = engine.verify(pairs, stock, lambda done, total: progress("verify", done, total), cost)
        relations += engine.verify(
            np.asarray(dup_links, dtype=np.int64).reshape(-1, 2), stock, lambda done, total: None
        )
        seen = np.concatenate([pairs.reshape(-1, 2), np.asarray(dup_links, dtype=np.int64).reshape(-1, 2)])
        rep_ids = {d.id for d in rep_docs}
        extra = _complete([r for r in relations if r.a in rep_ids and r.b in rep_ids], seen, index)
        if len(extra):
            relations += engine.verify(extra, stock, lambda done, total: progress("complete", done, total))
        # Stories weigh the credits of their members: read them on all cores too.
        credits = engine.credits([index[x] for r in relations if r.kind.derived for x in (r.a, r.b)])

    relations.sort(key=lambda r: (r.a, r.b))
    stories, events = build_stories(
        relations, docs, credits_of=lambda d: credits[index[d.id]] if index[d.id] in credits else wire_credits(d.text, d.zones)
    )
    if drift:
        progress("drift", 0, None)
        relations = _attach_drift(relations, stories, {d.id: d for d in docs})
    return ScanResult(
        documents=tuple(docs),
        relations=tuple(relations),
        stories=stories,
        events=events,
        skipped=tuple(skipped),
        params={
            "fingerprint": params.to_dict(),
            "schema_version": SCHEMA_VERSION,
            "normalizer_version": NORMALIZER_VERSION,
            "candidates": len(pairs) + len(extra),
            "exact_duplicates": len(dup_links),
        },
    )


def scan(
    paths: Sequence[str | os.PathLike],
    *,
    ingest: IngestOptions = IngestOptions(),
    params: FingerprintParams | None = None,
    workers: int | None = None,
    drift: bool = False,
    progress: Progress | None = None,
) -> ScanResult:
    """Read ``paths`` (files, folders, ``-`` for standard input) and scan what they hold."""
    progress = progress or _noop
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for item in read_parallel(paths, ingest, workers=workers):
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            docs.append(item)
        progress("read", len(docs) + len(skipped), None)
    return scan_documents(docs, skipped=skipped, params=params, workers=workers, drift=drift, progress=progress)

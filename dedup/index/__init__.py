"""A persistent near-duplicate index: the pre-ingest filter.

    with Index.open("index.db") as index:                 # or "postgresql://user@host/db"
        decision = index.check(doc, add=True)              # one transaction: query, verify, insert, audit
        decision.decision                                  # "new" | "duplicate" | "reprint" | ...

LSH proposes candidates (shared band keys in either MinHash view, or shared
containment samples: the rule of :mod:`dedup.candidates`), :func:`dedup.verify.verify`
decides, exactly as ``dedup scan`` does. The index remembers the fingerprint
parameters it was built with and refuses others.

Admission: ``check(doc, add=True)`` inserts the document only when it is not a
copy of an indexed one, i.e. when no verified relation is of a derived kind
(duplicate, reprint, rewrite, partial); an independent report of the same
event is a new story and is admitted. ``add(docs)`` inserts unconditionally
(building an index from an archive) and still records what each one matched.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from ..candidates import MAX_POSTINGS, MIN_SHARED_SAMPLES, candidate_set
from ..drift import compare, summarize
from ..errors import IndexCorruptError, IndexMismatchError, InputError, StoreError
from ..fingerprint import Fingerprint, band_keys, fingerprint_documents
from ..params import SCHEMA_VERSION, FingerprintParams
from ..scan import COMPLETE_MAX
from ..records import AuditEntry, AuditMatch, Decision, Document, IndexStats, Relation, RelationKind
from .store import (
    ARRAY_DTYPES,
    STORE_SCHEMA_VERSION,
    Store,
    StoredDoc,
    doc_digest,
    iter_chunks,
    lock_keys,
    now_iso,
    open_store,
)

__all__ = ["Index", "Decision", "open_store", "validate_id", "MAX_ID_LENGTH"]

log = logging.getLogger(__name__)

# At most this many candidates (most shared keys first) are verified per incoming
# document; bounds a check's cost when hundreds of copies of one story are indexed.
CANDIDATE_LIMIT = 64
# Documents per transaction in add(): acknowledged together.
ADD_BATCH = 256
MAX_ID_LENGTH = 512

_KIND_RANK = {
    RelationKind.DUPLICATE: 0,
    RelationKind.REPRINT: 1,
    RelationKind.REWRITE: 2,
    RelationKind.PARTIAL: 3,
    RelationKind.SAME_EVENT: 4,
}

Verifier = Callable[..., "Relation | None"]

# The core's text functions are not all thread-safe (the Snowball stemmer in
# dedup.normalize keeps per-call state in one shared object), so fingerprinting,
# verification and drift run one thread at a time per process. The lock never
# covers a database call, so it cannot take part in a lock cycle with the store.
_CORE_LOCK = threading.Lock()


def validate_id(doc_id: object) -> str:
    """A document id: 1..512 printable characters, no control characters. Raises InputError."""
    if not isinstance(doc_id, str) or not doc_id:
        raise InputError(f"document id {doc_id!r} must be a non-empty string")
    if len(doc_id) > MAX_ID_LENGTH:
        raise InputError(f"document id '{doc_id[:40]}...' is {len(doc_id)} characters; the limit is {MAX_ID_LENGTH}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in doc_id) or doc_id != doc_id.strip():
        raise InputError(f"document id {doc_id!r} has control characters or surrounding spaces; pass a plain id")
    return doc_id


def _default_verifier() -> Verifier:
    from ..verify import verify  # noqa: PLC0415  (verify.py sits above this import in build order)

    return verify


def _drift_summary(source: Document, copy: Document):
    return summarize(source.id, copy.id, compare(source, copy))


def _params_diff(stored: FingerprintParams, asked: FingerprintParams) -> str:
    a, b = stored.to_dict(), asked.to_dict()
    return ", ".join(f"{k}={a[k]} (index) vs {k}={b[k]} (asked)" for k in a if a[k] != b[k])


def _fingerprint_of(item: StoredDoc) -> Fingerprint:
    return Fingerprint(
        doc_id=item.doc.id,
        minhash=item.minhash,
        content_minhash=item.content_minhash,
        sample=item.sample,
        n_shingles=item.n_shingles,
        n_content=item.n_content,
    )


def _order(rel: Relation) -> tuple:
    return (_KIND_RANK.get(RelationKind(rel.kind), 9), -rel.score, rel.a)


class Index:
    """An LSH index over a :class:`~dedup.index.store.Store` (SQLite or PostgreSQL)."""

    def __init__(self, store: Store, params: FingerprintParams, *, verifier: Verifier | None = None,
                 drift: bool = True) -> None:
        self.store = store
        self.params = params
        self._verify = verifier
        self._drift_enabled = drift

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str,
        *,
        params: FingerprintParams | None = None,
        create: bool = True,
        verifier: Verifier | None = None,
        drift: bool = True,
    ) -> Index:
        """Open (and with ``create``, create) the index at ``url``.

        ``params=None`` uses the stored parameters (or the defaults for a new index);
        other parameters than the stored ones raise IndexMismatchError naming both.
        """
        store = open_store(url, create=create)
        try:
            meta = store.read_meta()
            if meta is None:
                if not create:
                    raise StoreError(f"no dedup index at {store.url}; build one with `dedup index add`")
                p = params or FingerprintParams()
                meta = store.create(
                    {
                        "params": json.dumps(p.to_dict(), sort_keys=True),
                        "schema_version": str(SCHEMA_VERSION),
                        "store_schema": str(STORE_SCHEMA_VERSION),
                        "array_dtypes": json.dumps(ARRAY_DTYPES, sort_keys=True),
                        "created_at": now_iso(),
                    }
                )
            stored = cls._check_meta(store, meta)
            if params is not None and params != stored:
                raise IndexMismatchError(
                    f"index {store.url} was built with other fingerprint parameters: {_params_diff(stored, params)}; "
                    "open it without those options, or build a new index"
                )
        except BaseException:
            store.close()
            raise
        return cls(store, stored, verifier=verifier, drift=drift)

    @staticmethod
    def _check_meta(store: Store, meta: dict[str, str]) -> FingerprintParams:
        try:
            stored = FingerprintParams.from_dict(json.loads(meta["params"]))
            schema = int(meta["schema_version"])
            store_schema = int(meta["store_schema"])
            dtypes = json.loads(meta["array_dtypes"])
        except (KeyError, ValueError, TypeError) as exc:
            raise IndexCorruptError(f"index {store.url} has damaged metadata ({exc!r}); rebuild it") from exc
        if schema != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index {store.url} has schema version {schema}; this dedup writes version {SCHEMA_VERSION}; "
                "rebuild the index with this version"
            )
        if store_schema != STORE_SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index {store.url} has store layout {store_schema}; this dedup uses {STORE_SCHEMA_VERSION}; rebuild it"
            )
        if dtypes != ARRAY_DTYPES:
            raise IndexCorruptError(f"index {store.url} stores arrays as {dtypes}, expected {ARRAY_DTYPES}; rebuild it")
        return stored

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.store.url

    # --- the pre-ingest decision ---------------------------------------------------------

    def _verifier(self) -> Verifier:
        if self._verify is None:
            self._verify = _default_verifier()
        return self._verify

    def _fingerprint(self, docs: Sequence[Document]) -> list[Fingerprint]:
        if not docs:
            return []
        with _CORE_LOCK:
            return fingerprint_documents(list(docs), self.params)

    def _keys(self, fp: Fingerprint) -> np.ndarray:
        v, c = band_keys(fp, self.params)
        return np.concatenate([v, c]).astype(np.uint64)

    def _proposed(self, fp: Fingerprint, raw: Sequence) -> list:
        """The store's raw candidates filtered by the core's candidate rule (dedup.candidates), so the
        index proposes what the scan proposes: the same views, thresholds and content filters."""
        others = [c for c in raw if c.doc.doc.id != fp.doc_id]  # never its own earlier version
        if not others:
            return []
        cs = candidate_set([fp, *(_fingerprint_of(c.doc) for c in others)], self.params)
        keep = {int(j) - 1 for i, j in cs.pairs if int(i) == 0}
        return [c for k, c in enumerate(others) if k in keep]

    def _check_pair(self, a: StoredDoc | Document, b: Document, fa: Fingerprint | None, fb: Fingerprint | None):
        verify = self._verifier()
        da = a.doc if isinstance(a, StoredDoc) else a
        with _CORE_LOCK:
            return verify(da, b, fa=fa, fb=fb)

    def _group(self, tx, start: Sequence[str], limit: int) -> tuple[set[str] | None, dict]:
        """Documents connected to ``start`` through recorded relations, and every recorded pair
        among them; None when the group grows past ``limit``."""
        group, known, frontier = set(start), {}, list(start)
        while frontier:
            nxt = []
            for a, b, kind, score in tx.pairs_of(frontier):
                known[(a, b)] = kind
                if kind:
                    for x in (a, b):
                        if x not in group:
                            group.add(x)
                            nxt.append(x)
            if len(group) > limit:
                return None, known
            frontier = nxt
        return group, known

    def _relations(self, tx, doc: Document, fp: Fingerprint, keys: np.ndarray) -> tuple[list[Relation], list[tuple]]:
        """Verified relations of ``doc`` to indexed documents (closest first), and the verified
        pairs to record if it is admitted: (a, b, kind or "", score), negatives included.

        As in the scan: LSH candidates are verified; then, when the group of related documents
        it joins is small (COMPLETE_MAX), every pair in it not verified before is verified too."""
        raw = tx.candidates(
            keys,
            fp.sample,
            min_shared_samples=MIN_SHARED_SAMPLES,
            max_postings=MAX_POSTINGS - 1,  # the incoming document holds the hash too
            limit=CANDIDATE_LIMIT + 1,
        )
        verified: dict[str, Relation | None] = {}
        for cand in self._proposed(fp, raw)[:CANDIDATE_LIMIT]:
            verified[cand.doc.doc.id] = self._check_pair(cand.doc, doc, _fingerprint_of(cand.doc), fp)
        extra: list[tuple] = []
        related = [i for i, r in verified.items() if r is not None]
        if related:
            group, known = self._group(tx, related, COMPLETE_MAX - 1)
            if group is not None:
                todo = sorted(g for g in group if g not in verified and g != doc.id)
                stored = {s.doc.id: s for s in tx.get(todo)}
                for g in todo:
                    if g in stored:
                        verified[g] = self._check_pair(stored[g], doc, _fingerprint_of(stored[g]), fp)
                members = sorted(group - {doc.id})
                need = [(x, y) for i, x in enumerate(members) for y in members[i + 1 :] if (x, y) not in known]
                if need:
                    docs = {s.doc.id: s for s in tx.get(sorted({z for p in need for z in p}))}
                    for x, y in need:
                        if x in docs and y in docs:
                            r = self._check_pair(docs[x], docs[y].doc, _fingerprint_of(docs[x]), _fingerprint_of(docs[y]))
                            extra.append((x, y, RelationKind(r.kind).value if r else "", float(r.score) if r else 0.0))
        rels = sorted((r for r in verified.values() if r is not None), key=_order)
        pairs = [
            (other, doc.id, RelationKind(r.kind).value if r else "", float(r.score) if r else 0.0)
            for other, r in verified.items()
        ]
        return rels, pairs + extra

    def _with_drift(self, rels: list[Relation], sources: dict[str, Document], doc: Document) -> tuple[Relation, ...]:
        if not self._drift_enabled or not rels:
            return tuple(rels)
        out = []
        for rel in rels:
            src = sources.get(rel.a)
            if rel.drift is None and src is not None and RelationKind(rel.kind).derived:
                with _CORE_LOCK:
                    rel = replace(rel, drift=_drift_summary(src, doc))
            out.append(rel)
        return tuple(out)

    def _stored(self, doc: Document, fp: Fingerprint, keys: np.ndarray) -> StoredDoc:
        return StoredDoc(
            doc=doc,
            digest=doc_digest(doc),
            minhash=fp.minhash,
            content_minhash=fp.content_minhash,
            sample=fp.sample,
            n_shingles=fp.n_shingles,
            n_content=fp.n_content,
            band_keys=keys,
        )

    def check(self, doc: Document, *, add: bool = False, client: str | None = None) -> Decision:
        """Is ``doc`` already here? With ``add``, admit it when it is not a copy (one transaction)."""
        return self.check_many([doc], add=add, client=client)[0]

    def check_many(self, docs: Sequence[Document], *, add: bool = False, client: str | None = None) -> list[Decision]:
        """:meth:`check` for many documents; each decision is its own transaction, in order."""
        for d in docs:
            validate_id(d.id)
        fps = self._fingerprint(docs)
        return [self._decide(doc, fp, add=add, force=False, client=client) for doc, fp in zip(docs, fps)]

    def _decide(self, doc: Document, fp: Fingerprint, *, add: bool, force: bool, client: str | None, tx=None,
                relate: bool = True) -> Decision:
        keys = self._keys(fp)
        if tx is not None:
            return self._decide_in(tx, doc, fp, keys, add=add, force=force, client=client, relate=relate)
        if add:
            with self.store.transaction(write=True, lock=lock_keys(keys, fp.sample, ids=[doc.id])) as tx:
                return self._decide_in(tx, doc, fp, keys, add=True, force=force, client=client, relate=relate)
        # A read-only check: verify outside the write lock, then record the decision.
        with self.store.transaction(write=False) as tx:
            rels, sources, _ = self._verified(tx, doc, fp, keys)
            same = tx.digest(doc.id) == doc_digest(doc)
        prefix = "checked (indexed under this id with the same text)" if same else "checked"
        decision = self._make(doc, rels, sources, added=False, updated=False, reason_prefix=prefix)
        entry = self._entry(doc.id, "check", decision, client)
        with self.store.transaction(write=True) as tx:
            (seq,) = tx.append_audit([entry])
        return replace(decision, audit_seq=seq)

    def _verified(self, tx, doc, fp, keys) -> tuple[list[Relation], dict[str, Document], list[tuple]]:
        rels, pairs = self._relations(tx, doc, fp, keys)
        sources = {r.a: None for r in rels}
        if rels and self._drift_enabled:
            sources = {s.doc.id: s.doc for s in tx.get(list(sources))}
        return rels, sources, pairs

    def _decide_in(self, tx, doc, fp, keys, *, add, force, client, relate) -> Decision:
        digest = doc_digest(doc)
        old = tx.digest(doc.id)
        if relate:
            rels, sources, pairs = self._verified(tx, doc, fp, keys)
        else:
            rels, sources, pairs = [], {}, []
        copy_of = next((r for r in rels if RelationKind(r.kind).derived), None)
        if old == digest:
            action, added, updated = "unchanged", False, False
            reason = "already indexed under this id with the same text; left as it is"
        elif force or copy_of is None:
            tx.put(self._stored(doc, fp, keys))
            tx.put_pairs(pairs)
            action, added, updated = ("update", True, True) if old is not None else ("add", True, False)
            reason = "updated: new text under an indexed id" if updated else "added"
        else:
            action, added, updated = "check", False, False
            reason = "not added: a copy of an indexed document"
            if old is not None:
                reason += " (the earlier text under this id is kept)"
        decision = self._make(doc, rels, sources, added=added, updated=updated, reason_prefix=reason)
        (seq,) = tx.append_audit([self._entry(doc.id, action, decision, client)])
        return replace(decision, audit_seq=seq)

    def _make(self, doc, rels, sources, *, added, updated, reason_prefix) -> Decision:
        if rels:
            top = rels[0]
            kind = RelationKind(top.kind).value
            why = f"{kind} of {top.a} (score {top.score:.2f})"
            if top.reasons:
                why += ": " + top.reasons[0]
            reason = f"{reason_prefix}; {why}"
        else:
            kind, reason = "new", f"{reason_prefix}; no indexed document relates to it"
        matches = self._with_drift(rels, sources, doc)
        return Decision(id=doc.id, decision=kind, matches=matches, added=added, updated=updated, reason=reason)

    @staticmethod
    def _entry(doc_id: str, action: str, d: Decision, client: str | None) -> AuditEntry:
        return AuditEntry(
            seq=0,
            at=now_iso(),
            id=doc_id,
            action=action,
            decision=d.decision,
            added=d.added,
            updated=d.updated,
            reason=d.reason,
            matches=tuple(AuditMatch(r.a, RelationKind(r.kind).value, float(r.score)) for r in d.matches),
            client=client,
        )

    # --- plain index operations ----------------------------------------------------------

    def add(self, docs: Iterable[Document], *, relate: bool = True, batch: int = ADD_BATCH,
            client: str | None = None, progress: Callable[[int], None] | None = None) -> list[Decision]:
        """Insert documents unconditionally (re-adding the same id and text is a no-op; new text
        under an indexed id is an update). Each batch of ``batch`` is one transaction: when this
        returns, or ``progress`` is called, those documents are durable. With ``relate`` each is
        also checked against the index first and what it matched is recorded."""
        out: list[Decision] = []
        for chunk in _batches(docs, batch):
            for d in chunk:
                validate_id(d.id)
            fps = self._fingerprint(chunk)
            keys = [self._keys(fp) for fp in fps]
            lock = lock_keys(*keys, *(fp.sample for fp in fps), ids=[d.id for d in chunk])
            with self.store.transaction(write=True, lock=lock) as tx:
                if relate:
                    done = [
                        self._decide(d, fp, add=True, force=True, client=client, tx=tx, relate=True)
                        for d, fp in zip(chunk, fps)
                    ]
                else:
                    done = self._bulk(tx, chunk, fps, keys, client)
            out += done
            if progress is not None:
                progress(len(done))
        return out

    def _bulk(self, tx, docs: list[Document], fps: list[Fingerprint], keys: list[np.ndarray],
              client: str | None) -> list[Decision]:
        """add(relate=False): new ids in one bulk insert, changed texts replaced, same texts left."""
        fresh, out, pending = [], [], set()
        for d, fp, k in zip(docs, fps, keys):
            if d.id in pending:  # the same id twice in one batch: the first must be stored first
                tx.put_many(fresh)
                fresh, pending = [], set()
            old = tx.digest(d.id)
            if old == doc_digest(d):
                dec = Decision(d.id, "new", (), False, False, "already indexed under this id with the same text; left as it is")
                action = "unchanged"
            elif old is not None:
                tx.put(self._stored(d, fp, k))
                dec, action = Decision(d.id, "new", (), True, True, "updated: new text under an indexed id"), "update"
            else:
                fresh.append(self._stored(d, fp, k))
                pending.add(d.id)
                dec, action = Decision(d.id, "new", (), True, False, "added (not checked against the index)"), "add"
            out.append((dec, action))
        tx.put_many(fresh)
        seqs = tx.append_audit([self._entry(dec.id, action, dec, client) for dec, action in out])
        return [replace(dec, audit_seq=seq) for (dec, _), seq in zip(out, seqs)]

    def remove(self, doc_id: str, *, client: str | None = None) -> bool:
        """Remove a document; False when no such id is indexed. Recorded in the audit log."""
        validate_id(doc_id)
        with self.store.transaction(write=True, lock=lock_keys(ids=[doc_id])) as tx:
            found = tx.delete(doc_id)
            tx.append_audit([
                AuditEntry(seq=0, at=now_iso(), id=doc_id, action="remove", decision="removed" if found else "absent",
                           added=False, updated=False, reason="removed" if found else "not indexed; nothing removed",
                           client=client)
            ])
        return found

    def get(self, doc_id: str) -> Document | None:
        validate_id(doc_id)
        with self.store.transaction(write=False) as tx:
            got = tx.get([doc_id])
        return got[0].doc if got else None

    def get_stored(self, doc_id: str) -> StoredDoc | None:
        validate_id(doc_id)
        with self.store.transaction(write=False) as tx:
            got = tx.get([doc_id])
        return got[0] if got else None

    def __contains__(self, doc_id: str) -> bool:
        with self.store.transaction(write=False) as tx:
            return tx.digest(doc_id) is not None

    def ids(self) -> Iterator[str]:
        after = ""
        while True:
            with self.store.transaction(write=False) as tx:
                page = tx.ids(after=after, limit=1000)
            yield from page
            if len(page) < 1000:
                return
            after = page[-1]

    def stats(self) -> IndexStats:
        with self.store.transaction(write=False) as tx:
            counts = tx.counts()
        return IndexStats(
            backend=self.store.backend,
            url=self.store.url,
            schema_version=SCHEMA_VERSION,
            params=self.params.to_dict(),
            size_bytes=self.store.size_bytes(),
            **counts,
        )

    def audit(self, *, id: str | None = None, after: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """Recorded decisions, oldest first; ``after`` a seq to page on."""
        with self.store.transaction(write=False) as tx:
            return tx.audit(id=id, after=after, limit=limit)

    def relations(self) -> list[tuple[str, str, str, float]]:
        """Every relation recorded between indexed documents: (a, b, kind, score), a < b by id."""
        with self.store.transaction(write=False) as tx:
            return [(a, b, k, float(sc)) for a, b, k, sc in tx.all_pairs() if k]

    def integrity(self) -> list[str]:
        return self.store.integrity()


def _batches(docs: Iterable[Document], n: int) -> Iterator[list[Document]]:
    if isinstance(docs, Sequence):
        for chunk in iter_chunks(docs, n):
            yield list(chunk)
        return
    buf: list[Document] = []
    for d in docs:
        buf.append(d)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf

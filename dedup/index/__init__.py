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

Verification data: every document is stored with its verification data
(:func:`dedup.verify.dump_prepared`, computed when it is inserted, reusing the profile
its own check just built), and a check loads its candidates' profiles from those bytes
(:func:`dedup.verify.load_prepared`, ~0.07 ms) instead of building them (~0.8 ms each);
the answers are the same. A row without them (written before store layout 2), or with
bytes of another ``PREPARED_VERSION`` or damaged ones, is verified as before: the
profile is computed (counted in :attr:`Index.prepared_counts`), never an error.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..candidates import (
    CONTENT_SALT,
    MAX_POSTINGS,
    MIN_CONTENT_ESTIMATE,
    MIN_CONTENT_STEMS,
    MIN_SHARED_SAMPLES,
    STOCK_PROBE,
    VERBATIM_SALT,
    candidate_set,
    is_stock,
    strong_samples,
)
from ..drift import compare, summarize
from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError, InputError, ParamsError, StoreError
from ..fingerprint import Fingerprint, band_key_matrix, band_keys, fingerprint_documents, in_sorted
from ..normalize import NORMALIZER_VERSION
from ..params import SCHEMA_VERSION, FingerprintParams
from ..scan import COMPLETE_MAX
from ..records import AuditEntry, AuditMatch, Decision, Document, IndexStats, Relation, RelationKind, Skipped, unwritable
from .store import (
    ARRAY_DTYPES,
    Candidate,
    Candidates,
    STORE_SCHEMA_VERSION,
    UPGRADES,
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
# The ``#k`` that ingest appends to the id of the k-th story split from one article.
_PART_SUFFIX = re.compile(r"#[1-9][0-9]{0,8}\Z")
# Drift summaries per decision: the closest derived match (the one the decision names) gets one.
# A summary costs about as much as the check itself (the benchmark's real articles, a related one:
# p50 4.4 ms without drift, 9.4 ms with the closest copy's, 11 ms with one per copy).
DRIFT_MATCHES = 1
# Decoded stored documents kept per Index (by id and digest), each with its verification
# profile loaded from the stored bytes: the stories a feed keeps matching are read, decoded
# and loaded once. A digest names one text, so an updated document is a new entry, never a
# stale profile. An entry of a news article holds ~35-45 KB (BBC News, mean: 24 KB of loaded
# profile, the 9 KB of stored bytes it reads from, 9 KB more once its sentence data is decoded),
# so a full cache ~170 MB; the candidates' profiles are no longer kept in verify's own cache.
DOC_CACHE = 4096
# Stock verdicts kept per Index, by (hash, holders): a hash's verdict is recomputed when its
# holders change.
STOCK_CACHE = 65536

_KIND_RANK = {
    RelationKind.DUPLICATE: 0,
    RelationKind.REPRINT: 1,
    RelationKind.REWRITE: 2,
    RelationKind.PARTIAL: 3,
    RelationKind.SAME_EVENT: 4,
}

Verifier = Callable[..., "Relation | None"]

# Fingerprinting, verification and drift run one thread at a time per process. Most of the core
# is safe to share (functools.lru_cache, one Snowball stemmer per thread, drift's groups cache
# swapped in one assignment, sentencex is compiled; tests/test_index_scan.py runs checks in
# threads); the exceptions are in fingerprint: its stem table (_Lexicon) grows and rehashes in
# place, so slots one thread found can point into the table another thread just replaced (wrong
# content signatures, silently), and its word-hash cache is cleared in place past its size
# limit while another thread may be between filling it and reading it back. Dropping the
# lock would gain nothing: the core is Python under the GIL (2 threads: 176 checks/s
# without it, 183 with it, 181 in one thread); `dedup serve --workers N` runs checks in parallel
# in processes. The lock never covers a database call, so it cannot take part in a lock cycle
# with the store.
_CORE_LOCK = threading.Lock()


def validate_document(doc: Document) -> Document:
    """``doc`` when the index can take it: a valid id (:func:`validate_id`) and text it can store
    (:func:`dedup.records.unwritable`). Raises InputError."""
    validate_id(doc.id, new=True)
    if (why := unwritable(doc)) is not None:
        raise InputError(why)
    return doc


def validate_id(doc_id: object, *, new: bool = False) -> str:
    """A document id: 1..512 printable characters, no control characters, no surrounding spaces.
    The id of a story split from an article (``{id}#{k}``, :func:`dedup.ingest.document_from_text`)
    may pass the limit by its ``#k``: its article's id is what must be valid. A ``new`` document's
    id must also hold no invisible or layout characters (C1 controls, bidi marks, zero-width and
    other non-space separators: ``str.isprintable``), which a report would show as nothing or
    reorder, and which reading a record escapes; an id of an earlier dedup that holds some can
    still be looked up and removed. Raises InputError."""
    if not isinstance(doc_id, str) or not doc_id:
        raise InputError(f"document id {doc_id!r} must be a non-empty string")
    article = doc_id
    if len(doc_id) > MAX_ID_LENGTH:
        part = _PART_SUFFIX.search(doc_id)
        if part is None or part.start() > MAX_ID_LENGTH:
            raise InputError(f"document id '{doc_id[:40]}...' is {len(doc_id)} characters; "
                             f"the limit is {MAX_ID_LENGTH}")
        article = doc_id[: part.start()]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in doc_id) or article != article.strip():
        raise InputError(f"document id {doc_id!r} has control characters or surrounding spaces; pass a plain id")
    if new and not doc_id.isprintable():
        odd = next(ch for ch in doc_id if not ch.isprintable())
        raise InputError(f"document id {doc_id!r} has an invisible or layout character (U+{ord(odd):04X}); "
                         "pass a plain id")
    return doc_id


# Said of an update whose new text is unrelated to the text it replaces (Decision.reason).
UNRELATED_UPDATE = ("unrelated to the text it replaces: if they are two articles, the earlier one is no longer "
                    "indexed; give each article its own id")


def _other_shape(doc_id: str, parent: str | None, other: Document) -> bool:
    """Is ``other`` an earlier version, read in another shape, of the article of the document
    ``doc_id`` (a story of ``parent`` when given)? An article read as one story (``P``) and as
    several (``P#1``, ``P#2``: its parts, ``parent`` P) are one input: the version indexed before
    is replaced, never compared with the new one (``P`` would be refused as a duplicate of its
    own old part ``P#1``)."""
    if parent is None:
        return other.parent == doc_id
    return other.id == parent and other.parent is None


def _default_verifier() -> Verifier:
    from ..verify import verify  # noqa: PLC0415  (verify.py sits above this import in build order)

    return verify


def _dump_prepared(doc: Document) -> bytes:
    from ..verify import dump_prepared  # noqa: PLC0415

    return dump_prepared(doc)


def _load_prepared(doc: Document, blob: bytes):
    from ..verify import load_prepared  # noqa: PLC0415

    return load_prepared(doc, blob)


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A stored document as a check uses it: its Document and its verification profile loaded
    from the stored bytes (None: not stored or not usable; verify computes it)."""

    doc: Document
    profile: object | None


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


def _candidate_fingerprint(c: Candidate) -> Fingerprint:
    return Fingerprint(
        doc_id=c.id,
        minhash=c.minhash,
        content_minhash=c.content_minhash,
        sample=c.sample,
        n_shingles=c.n_shingles,
        n_content=c.n_content,
    )


def _member(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """np.isin(values, among) for a small ``among``, by binary search (no sort of ``values``)."""
    return in_sorted(values, np.sort(among))


def _stored_views(others: Sequence[Candidate], params: FingerprintParams) -> tuple[np.ndarray, np.ndarray] | None:
    """The candidates' stored band keys as two matrices, verbatim [k, bands] and content
    [k, content_bands] (a row of zeros where a candidate has no keys of that view): the keys
    band_keys() gives for their stored MinHashes, as inserted; None when a candidate's keys were
    not read or do not have the length its counts say."""
    nv, nc = params.bands, params.content_bands
    zv, zc = np.zeros(nv, np.uint64), np.zeros(nc, np.uint64)
    vrows, crows = [], []
    for c in others:
        keys = c.band_keys
        off = nv if c.n_shingles else 0
        if keys is None or len(keys) != off + (nc if c.n_content else 0):
            return None
        vrows.append(keys[:nv] if off else zv)
        crows.append(keys[off:] if c.n_content else zc)
    return np.stack(vrows), np.stack(crows)


def proposed_by_rule(fp: Fingerprint, others: Sequence[Candidate], params: FingerprintParams, *,
                     keys: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Which of ``others`` the core's candidate rule (:func:`dedup.candidates.candidate_set`) pairs
    with ``fp``: a bool per candidate, computed for this one document against the others instead
    of for all pairs of the 1 + k set (the pairs among the candidates are not wanted).

    The same rule, view by view: a shared verbatim band key (both have shingles); a shared
    content band key (both have MIN_CONTENT_STEMS stems) with a content MinHash estimate of at
    least MIN_CONTENT_ESTIMATE; at least MIN_SHARED_SAMPLES shared samples, or (a short text)
    MIN_SAMPLE_SHARE of the smaller side's. Keys are compared as a bag per view, as the scan's
    sort over all keys does. The scan's bucket and posting caps cannot bite in a set of at most
    MAX_POSTINGS documents (a bucket of ``fp`` is starred from ``fp``, its first member), so
    larger sets go through candidate_set itself. Samples are sorted and unique (winnow).

    Band keys: the candidates' stored ones when the store read them (Candidate.band_keys, what
    band_keys() gave them when they were inserted), else computed from their MinHashes; ``keys``:
    ``fp``'s own (verbatim, content), as :func:`dedup.fingerprint.band_keys` gives them."""
    k = len(others)
    if k == 0:
        return np.zeros(0, dtype=bool)
    if k + 1 > MAX_POSTINGS:
        cs = candidate_set([fp, *(_candidate_fingerprint(c) for c in others)], params)
        out = np.zeros(k, dtype=bool)
        out[cs.pairs[cs.pairs[:, 0] == 0, 1] - 1] = True
        return out
    stored = _stored_views(others, params)
    if stored is not None and keys is None:
        keys = band_keys(fp, params)
    keep = np.zeros(k, dtype=bool)
    if fp.n_shingles > 0:
        ok = np.fromiter((c.n_shingles > 0 for c in others), bool, count=k)
        if ok.any():
            if stored is not None:
                keep |= ok & _member(stored[0], keys[0]).any(axis=1)
            else:
                vk = band_key_matrix(np.stack([fp.minhash, *(c.minhash for c in others)]), params.bands, VERBATIM_SALT)
                keep |= ok & _member(vk[1:], vk[0]).any(axis=1)
    if fp.n_content >= MIN_CONTENT_STEMS:
        ok = np.fromiter((c.n_content >= MIN_CONTENT_STEMS for c in others), bool, count=k) & ~keep
        if ok.any():
            cmh = np.stack([fp.content_minhash, *(c.content_minhash for c in others)])
            if stored is not None:
                shared = _member(stored[1], keys[1]).any(axis=1)
            else:
                ck = band_key_matrix(cmh, params.content_bands, CONTENT_SALT)
                shared = _member(ck[1:], ck[0]).any(axis=1)
            est = (cmh[1:] == cmh[0]).mean(axis=1)
            keep |= ok & shared & (est >= MIN_CONTENT_ESTIMATE)
    if len(fp.sample) and not keep.all():
        lengths = np.fromiter((len(c.sample) for c in others), np.int64, count=k)
        if lengths.sum():
            hit = _member(np.concatenate([c.sample for c in others]), fp.sample)
            shared = np.bincount(np.repeat(np.arange(k), lengths), weights=hit, minlength=k)
            smaller = np.minimum(lengths, len(fp.sample))
            keep |= (shared >= 1) & strong_samples(shared, smaller)
    return keep


def estimates(fp: Fingerprint, cands: Sequence[Candidate]) -> list[float]:
    """How close each candidate looks from the signatures alone: the largest of the verbatim and
    content MinHash estimates and the share of the smaller side's samples shared (the store's
    count)."""
    k = len(cands)
    if k == 0:
        return []
    zero = np.zeros(k)
    verbatim = zero
    if fp.n_shingles:
        ok = np.fromiter((c.n_shingles > 0 for c in cands), bool, count=k)
        if ok.any():
            verbatim = np.where(ok, (np.stack([c.minhash for c in cands]) == fp.minhash).mean(axis=1), 0.0)
    content = zero
    if fp.n_content:
        ok = np.fromiter((c.n_content > 0 for c in cands), bool, count=k)
        if ok.any():
            content = np.where(ok, (np.stack([c.content_minhash for c in cands]) == fp.content_minhash).mean(axis=1), 0.0)
    smaller = np.minimum(np.fromiter((len(c.sample) for c in cands), np.int64, count=k), len(fp.sample))
    shared = np.fromiter((c.shared_samples for c in cands), np.float64, count=k)
    share = np.divide(shared, smaller, out=np.zeros(k), where=smaller > 0)
    return np.maximum(np.maximum(verbatim, content), share).tolist()


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._d.get(key)
            if value is not None:
                self._d.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)


@dataclass(slots=True)
class _Verified:
    rels: list[Relation]  # verified relations, closest first
    verified: dict[str, Relation | None]  # every document verified against the incoming one
    docs: dict[str, Document]  # the stored documents read
    group: set[str] | None  # the small group it joins (None: none, or too large to complete)
    known: dict  # recorded pairs among the group: (a, b) -> kind
    stock: frozenset[int] = frozenset()


# Copies whose keys a refusal keeps for their story (Session.put_copy): those reworded or
# mixed with other material, whose keys differ from the story's own.
_REWORDED = frozenset({RelationKind.REWRITE, RelationKind.PARTIAL})


def _order(rel: Relation) -> tuple:
    return (_KIND_RANK.get(RelationKind(rel.kind), 9), -rel.score, rel.a)


class Index:
    """An LSH index over a :class:`~dedup.index.store.Store` (SQLite or PostgreSQL)."""

    def __init__(self, store: Store, params: FingerprintParams, *, verifier: Verifier | None = None,
                 drift: bool = True, drift_matches: int = DRIFT_MATCHES) -> None:
        self.store = store
        self.params = params
        self._verify = verifier
        self._drift_enabled = drift
        self._drift_matches = drift_matches
        self._doc_cache = _LRU(DOC_CACHE)
        self._stock_cache = _LRU(STOCK_CACHE)
        # Stored profiles are passed to dedup's own verify only (a verifier given here may not take them).
        self._use_prepared = verifier is None
        # How the profiles of the stored documents this Index read were had: "loaded" from the
        # stored bytes, or computed because the row has none ("missing"), they are of another
        # PREPARED_VERSION ("other_version") or do not load ("malformed").
        self.prepared_counts: Counter[str] = Counter()

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
        drift_matches: int = DRIFT_MATCHES,
    ) -> Index:
        """Open (and with ``create``, create) the index at ``url``.

        ``params=None`` uses the stored parameters (or the defaults for a new index);
        other parameters than the stored ones raise IndexMismatchError naming both.
        ``drift``: attach drift summaries to the ``drift_matches`` closest derived matches.
        """
        store = open_store(url, create=create)
        try:
            meta = store.read_meta()
            if meta is None:
                if not create:
                    raise IndexMissingError(f"no dedup index at {store.url}; build one with `dedup index add`")
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
            meta = cls._upgrade(store, meta)
            stored = cls._check_meta(store, meta)
            cls._check_arrays(store, stored)
            if params is not None and params != stored:
                raise IndexMismatchError(
                    f"index {store.url} was built with other fingerprint parameters: {_params_diff(stored, params)}; "
                    "open it without those options, or build a new index"
                )
        except BaseException:
            store.close()
            raise
        return cls(store, stored, verifier=verifier, drift=drift, drift_matches=drift_matches)

    @staticmethod
    def _upgrade(store: Store, meta: dict[str, str]) -> dict[str, str]:
        """Upgrade an index of an older store layout in place when the change is additive
        (store.UPGRADES: a new nullable column; its rows work as before), so that it needs no
        rebuild; other layouts are left to _check_meta to refuse. An older dedup then refuses
        the upgraded index (it names both layouts)."""
        try:
            version = int(meta["store_schema"])
        except (KeyError, ValueError, TypeError):
            return meta  # _check_meta says what is wrong
        if version in UPGRADES:
            return store.upgrade(version)
        return meta

    @staticmethod
    def _check_meta(store: Store, meta: dict[str, str]) -> FingerprintParams:
        try:
            stored = FingerprintParams.from_dict(json.loads(meta["params"]))
            schema = int(meta["schema_version"])
            store_schema = int(meta["store_schema"])
            dtypes = json.loads(meta["array_dtypes"])
        except (KeyError, ValueError, TypeError, ParamsError) as exc:
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
        if stored.normalizer_version != NORMALIZER_VERSION:
            # Its signatures were made of other tokens or word hashes: this dedup would answer
            # `new` to copies of what it holds.
            raise IndexMismatchError(
                f"index {store.url} was built by a dedup that reads text as normalizer version "
                f"{stored.normalizer_version}; this dedup reads version {NORMALIZER_VERSION}, so its signatures "
                "would not match; rebuild the index with this version (dedup index add)"
            )
        return stored

    @staticmethod
    def _check_arrays(store: Store, params: FingerprintParams) -> None:
        """Refuse an index whose stored signatures do not have the length its parameters give (a
        damaged or hand-edited meta row): every check would fail on them with a numpy error."""
        with store.transaction(write=False) as tx:
            first = tx.ids(after="", limit=1)
            got = tx.get(first) if first else []
        if got and len(got[0].minhash) != params.num_perm:
            raise IndexCorruptError(
                f"index {store.url} has damaged metadata: its parameters say num_perm={params.num_perm}, but its "
                f"signatures hold {len(got[0].minhash)} values; rebuild it"
            )

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

    def _proposed(self, fp: Fingerprint, raw: Sequence[Candidate], keys: np.ndarray | None = None) -> list[Candidate]:
        """The store's raw candidates filtered by the core's candidate rule (dedup.candidates), so the
        index proposes what the scan proposes (the same views, thresholds and content filters),
        closest first by the signature estimates and at most CANDIDATE_LIMIT of them. ``keys``:
        ``fp``'s band keys as :meth:`_keys` gives them (computed when not given)."""
        others = [c for c in raw if c.id != fp.doc_id]  # never its own earlier version
        views = None
        if keys is not None:
            nv = self.params.bands if fp.n_shingles else 0
            views = (keys[:nv], keys[nv:])
        kept = [c for c, k in zip(others, proposed_by_rule(fp, others, self.params, keys=views).tolist()) if k]
        est = estimates(fp, kept)
        order = sorted(range(len(kept)), key=lambda i: (-est[i], kept[i].id))
        return [kept[i] for i in order[:CANDIDATE_LIMIT]]

    def _documents(self, tx, wanted: Sequence[tuple[str, str]]) -> dict[str, _Loaded]:
        """The stored documents for (id, digest) pairs, with their loaded profiles: from the
        cache, the rest in one read (texts and verification data together) and cached. A digest
        names one text, so a cached entry is never stale."""
        out, missing = {}, []
        for doc_id, digest in wanted:
            got = self._doc_cache.get((doc_id, digest))
            if got is None:
                missing.append(doc_id)
            else:
                out[doc_id] = got
        if missing:
            for item in tx.get(missing):
                out[item.doc.id] = self._loaded(item)
        return out

    def _loaded(self, item: StoredDoc) -> _Loaded:
        """``item`` as a check uses it (from the cache when this text was loaded before)."""
        key = (item.doc.id, item.digest)
        got = self._doc_cache.get(key)
        if got is None:
            got = _Loaded(item.doc, self._load_profile(item) if self._use_prepared else None)
            self._doc_cache.put(key, got)
        return got

    def _load_profile(self, item: StoredDoc):
        """The profile stored with ``item``; None (verify computes it) when there is none or
        it is of another PREPARED_VERSION or does not load (counted in prepared_counts)."""
        p, error = None, None
        with _CORE_LOCK:  # also keeps the counts exact when threads share this Index
            if item.prepared is None:
                self.prepared_counts["missing"] += 1
            else:
                try:
                    p = _load_prepared(item.doc, item.prepared)
                except ValueError as exc:
                    error = exc
                    self.prepared_counts["malformed"] += 1
                else:
                    self.prepared_counts["loaded" if p is not None else "other_version"] += 1
        if error is not None:
            log.warning("stored verification data of %r in %s not used (%s); computing it", item.doc.id,
                        self.store.url, error)
        return p

    def _prepared(self, doc: Document) -> bytes:
        """``doc``'s verification data to store with it (its profile is usually cached already:
        the check before an insert verified it against its candidates)."""
        with _CORE_LOCK:
            return _dump_prepared(doc)

    def _check_pair(self, a: Document, b: Document, fa: Fingerprint | None, fb: Fingerprint | None,
                    stock: frozenset[int], pa=None, pb=None):
        """verify(a, b), with the stored profiles ``pa``/``pb`` when loaded (None: computed)."""
        verify = self._verifier()
        with _CORE_LOCK:
            if pa is None and pb is None:
                return verify(a, b, fa=fa, fb=fb, stock=stock)
            return verify(a, b, fa=fa, fb=fb, stock=stock, pa=pa, pb=pb)

    def _stock(self, tx, fp: Fingerprint, raw: Candidates) -> frozenset[int]:
        """The incoming document's sampled hashes that are stock text, as the scan derives them
        (candidates.stock_hashes): held by at least STOCK_MIN_DOCS documents (it one of them) whose
        content MinHashes are mostly unrelated (candidates.is_stock, on STOCK_PROBE holders spread
        over them). Verdicts are cached by (hash, holders)."""
        if not raw.holders:
            return frozenset()
        own = -1  # the incoming document, the newest holder
        todo, out = {}, set()
        for h, seqs in raw.holders.items():
            holders = [*seqs, own]
            key = (h, len(holders), seqs[0], seqs[-1])
            verdict = self._stock_cache.get(key)
            if verdict is None:
                pick = np.linspace(0, len(holders) - 1, min(len(holders), STOCK_PROBE)).astype(np.int64)
                todo[h] = (key, [holders[i] for i in pick])
            elif verdict:
                out.add(h)
        if todo:
            known = {c.seq: c.content_minhash for c in raw}
            known[own] = fp.content_minhash
            missing = sorted({s for _, probe in todo.values() for s in probe if s not in known})
            if missing:
                known.update(tx.content_minhashes(missing))
            for h, (key, probe) in todo.items():
                rows = [known[s] for s in probe if s in known]
                verdict = bool(rows) and is_stock(np.stack(rows))
                self._stock_cache.put(key, verdict)
                if verdict:
                    out.add(h)
        return frozenset(out)

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

    @staticmethod
    def _lookup(tx, fps: Sequence[Fingerprint], keys: Sequence[np.ndarray]) -> list[Candidates]:
        """The store's raw candidates of each document (all of them read in one pass)."""
        return tx.candidates_many(
            list(zip(keys, (fp.sample for fp in fps))),
            min_shared_samples=MIN_SHARED_SAMPLES,
            max_postings=MAX_POSTINGS - 1,  # the incoming document holds the hash too
            limit=CANDIDATE_LIMIT + 1,
        )

    def _relations(self, tx, doc: Document, fp: Fingerprint, keys: np.ndarray, *,
                   proposed: list[Candidate] | None = None, raw: Candidates | None = None) -> _Verified:
        """Verified relations of ``doc`` to indexed documents (closest first).

        As in the scan: LSH candidates are verified; then, when the group of related documents
        it joins is small (COMPLETE_MAX), the group's members not proposed are verified too.
        The pairs among the group's members not verified before are left to :meth:`_completion`
        (they matter only to a document that is admitted). ``raw`` and ``proposed``: the store's
        candidates and the proposed ones, when already looked up in this transaction.

        When none of them is a copy's source, the documents that copies refused before were
        copies of are verified too, when those copies share keys with ``doc`` (``copied_stories``):
        a scan would reach them through the copies (as group members), which a filter does not
        index. A partial rewrite of a story whose refused paraphrase it resembles is caught so."""
        if raw is None:
            (raw,) = self._lookup(tx, [fp], [keys])
        if proposed is None:
            proposed = self._proposed(fp, raw, keys)
        stock = self._stock(tx, fp, raw) if proposed else frozenset()
        loaded = self._documents(tx, [(c.id, c.digest) for c in proposed])
        docs = {i: got.doc for i, got in loaded.items()}
        verified: dict[str, Relation | None] = {}
        for cand in proposed:
            got = loaded.get(cand.id)
            if got is not None and not _other_shape(doc.id, doc.parent, got.doc):
                verified[cand.id] = self._check_pair(got.doc, doc, _candidate_fingerprint(cand), fp, stock,
                                                     pa=got.profile)

        def verify_stored(ids: list[str]) -> None:
            """Verify ``doc`` against the indexed documents ``ids`` (not proposed by the postings)."""
            for item in tx.get(ids) if ids else ():
                if _other_shape(doc.id, doc.parent, item.doc):
                    continue
                got = self._loaded(item)
                docs[item.doc.id] = item.doc
                verified[item.doc.id] = self._check_pair(item.doc, doc, _fingerprint_of(item), fp, stock,
                                                         pa=got.profile)

        if not any(r is not None and RelationKind(r.kind).derived for r in verified.values()):
            copied = [i for i in tx.copied_stories(keys, fp.sample, min_shared_samples=MIN_SHARED_SAMPLES,
                                                   max_postings=MAX_POSTINGS)
                      if i not in verified and i != doc.id][:CANDIDATE_LIMIT]
            if copied and not proposed:
                stock = self._stock(tx, fp, raw)
            verify_stored(copied)
        group = known = None
        related = [i for i, r in verified.items() if r is not None]
        if related:
            group, known = self._group(tx, related, COMPLETE_MAX - 1)
            if group is not None:
                verify_stored(sorted(g for g in group if g not in verified and g != doc.id))
        rels = sorted((r for r in verified.values() if r is not None), key=_order)
        return _Verified(rels, verified, docs, group, known or {}, stock)

    def _completion(self, tx, doc: Document, v: _Verified) -> list[tuple]:
        """The verified pairs to record when ``doc`` is admitted: (a, b, kind or "", score), its own
        (negatives included) and those among the members of the small group it joins not verified
        before (as the scan completes small groups)."""
        pairs = [
            (other, doc.id, RelationKind(r.kind).value if r else "", float(r.score) if r else 0.0)
            for other, r in v.verified.items()
        ]
        if v.group is None:
            return pairs
        members = sorted(v.group - {doc.id})
        need = [(x, y) for i, x in enumerate(members) for y in members[i + 1 :] if (x, y) not in v.known]
        if need:
            stored = {s.doc.id: s for s in tx.get(sorted({z for p in need for z in p}))}
            loaded = {i: self._loaded(s) for i, s in stored.items()}
            for x, y in need:
                if x in stored and y in stored:
                    r = self._check_pair(stored[x].doc, stored[y].doc, _fingerprint_of(stored[x]),
                                         _fingerprint_of(stored[y]), v.stock, pa=loaded[x].profile,
                                         pb=loaded[y].profile)
                    pairs.append((x, y, RelationKind(r.kind).value if r else "", float(r.score) if r else 0.0))
        return pairs

    def _with_drift(self, rels: list[Relation], sources: dict[str, Document], doc: Document) -> tuple[Relation, ...]:
        """Drift summaries for the ``drift_matches`` closest derived matches (the others keep None)."""
        if not self._drift_enabled or not rels:
            return tuple(rels)
        out, left = [], self._drift_matches
        for rel in rels:
            src = sources.get(rel.a)
            if left > 0 and rel.drift is None and src is not None and RelationKind(rel.kind).derived:
                left -= 1
                with _CORE_LOCK:
                    rel = replace(rel, drift=_drift_summary(src, doc))
            out.append(rel)
        return tuple(out)

    def _stored(self, doc: Document, fp: Fingerprint, keys: np.ndarray, *, prepare: bool = True) -> StoredDoc:
        """What is stored of ``doc``: its fingerprint arrays and (``prepare``) its verification data."""
        return StoredDoc(
            doc=doc,
            digest=doc_digest(doc),
            minhash=fp.minhash,
            content_minhash=fp.content_minhash,
            sample=fp.sample,
            n_shingles=fp.n_shingles,
            n_content=fp.n_content,
            band_keys=keys,
            prepared=self._prepared(doc) if prepare else None,
        )

    def check(self, doc: Document, *, add: bool = False, client: str | None = None) -> Decision:
        """Is ``doc`` already here? With ``add``, admit it when it is not a copy (one transaction)."""
        return self.check_many([doc], add=add, client=client)[0]

    def check_many(self, docs: Sequence[Document], *, add: bool = False, client: str | None = None) -> list[Decision]:
        """:meth:`check` for many documents, in order. With ``add`` each decision is its own
        transaction (each sees the ones before it); without, all are read in one transaction (their
        candidates looked up in one pass, each answer the one a check alone gives) and their audit
        entries written together in one commit before this returns."""
        for d in docs:
            validate_document(d)
        fps = self._fingerprint(docs)
        if add:
            return [self._decide(doc, fp, add=True, force=False, client=client) for doc, fp in zip(docs, fps)]
        if not docs:
            return []
        decided = self._check_read_only(docs, fps)
        seqs = self.store.append_audit([self._entry(d.id, "check", d, client) for d in decided])
        return [replace(d, audit_seq=seq) for d, seq in zip(decided, seqs)]

    def _check_read_only(self, docs: Sequence[Document], fps: Sequence[Fingerprint]) -> list[Decision]:
        """Read-only checks, all in one read transaction (outside any write lock): the candidates
        of all the documents looked up in one pass and the texts they propose read in one, then
        each verified on its own; the caller records them."""
        keys = [self._keys(fp) for fp in fps]
        out = []
        with self.store.transaction(write=False) as tx:
            raws = self._lookup(tx, fps, keys)
            proposed = [self._proposed(fp, raw, k) for fp, raw, k in zip(fps, raws, keys)]
            self._documents(tx, list(dict.fromkeys((c.id, c.digest) for cs in proposed for c in cs)))
            for doc, fp, k, raw, prop in zip(docs, fps, keys, raws, proposed):
                v = self._relations(tx, doc, fp, k, proposed=prop, raw=raw)
                same = tx.digest(doc.id) == doc_digest(doc)
                prefix = "checked (indexed under this id with the same text)" if same else "checked"
                out.append(self._make(doc, v.rels, v.docs, added=False, updated=False, reason_prefix=prefix))
        return out

    def _decide(self, doc: Document, fp: Fingerprint, *, add: bool, force: bool, client: str | None, tx=None,
                relate: bool = True) -> Decision:
        keys = self._keys(fp)
        if tx is not None:
            return self._decide_in(tx, doc, fp, keys, add=add, force=force, client=client, relate=relate)
        ids = [doc.id] if doc.parent is None else [doc.id, doc.parent]  # a part and its whole article contend
        with self.store.transaction(write=True, lock=lock_keys(keys, fp.sample, ids=ids)) as tx:
            return self._decide_in(tx, doc, fp, keys, add=add, force=force, client=client, relate=relate)

    def _decide_in(self, tx, doc, fp, keys, *, add, force, client, relate) -> Decision:
        digest = doc_digest(doc)
        old = tx.digest(doc.id)
        v = self._relations(tx, doc, fp, keys) if relate else _Verified([], {}, {}, None, {})
        rels, sources = v.rels, v.docs
        copy_of = next((r for r in rels if RelationKind(r.kind).derived), None)
        unrelated = False
        if old == digest:
            action, added, updated = "unchanged", False, False
            reason = "already indexed under this id with the same text; left as it is"
        elif force or copy_of is None:
            unrelated = old is not None and self._unrelated_to_stored(tx, doc, fp)
            replaced = self._replace_other_shape(tx, doc.id, doc.parent, client)
            tx.put(self._stored(doc, fp, keys))
            tx.put_pairs(self._completion(tx, doc, v))
            action, added, updated = ("update", True, True) if old is not None or replaced else ("add", True, False)
            reason = "updated: new text under an indexed id" if old is not None else "added"
            if unrelated:
                reason += f", {UNRELATED_UPDATE}"
            if replaced:
                reason += f" (replaces {', '.join(replaced)}, the article as read before)"
        else:
            action, added, updated = "check", False, False
            reason = "not added: a copy of an indexed document"
            if old is not None:
                reason += " (the earlier text under this id is kept)"
            if RelationKind(copy_of.kind) in _REWORDED:
                # not indexed, so nothing of it would link a later article to the story: its keys
                # are kept as the story's (a reprint or duplicate shares the story's own wording)
                tx.put_copy(copy_of.a, keys, fp.sample)
        decision = self._make(doc, rels, sources, added=added, updated=updated, reason_prefix=reason)
        (seq,) = tx.append_audit([self._entry(doc.id, action, decision, client)])
        return replace(decision, audit_seq=seq, replaced_unrelated=unrelated)

    def _unrelated_to_stored(self, tx, doc: Document, fp: Fingerprint) -> bool:
        """Is ``doc`` unrelated to the text indexed under its id (an update that may be another
        article given the same id: a file name used again, two folders' ``001.txt``)?"""
        got = tx.get([doc.id])
        if not got:
            return False
        loaded = self._loaded(got[0])
        return self._check_pair(got[0].doc, doc, _fingerprint_of(got[0]), fp, frozenset(), pa=loaded.profile) is None

    def _replace_other_shape(self, tx, doc_id: str, parent: str | None, client: str | None,
                             reason: str | None = None) -> list[str]:
        """Remove the indexed version, read in another shape (:func:`_other_shape`), of the
        article of ``doc_id`` (a story of ``parent`` when given): its stories when ``doc_id`` is
        the whole article, the whole article when it is a story; each removal recorded (with
        ``reason`` when given). Their ids, in order."""
        if parent is None:  # the ids after "P#" in order, as long as they start with it
            ids: list[str] = []
            after = prefix = doc_id + "#"
            while True:
                page = tx.ids(after=after, limit=16)
                mine = [i for i in page if i.startswith(prefix)]
                ids += mine
                if len(mine) < 16:
                    break
                after = mine[-1]
        else:
            ids = [parent]  # (tx.get leaves it out when it is not indexed)
        gone = [item.doc.id for item in (tx.get(ids) if ids else ()) if _other_shape(doc_id, parent, item.doc)]
        for old_id in sorted(gone):
            tx.delete(old_id)
        if gone:
            how = "as one story" if parent is None else "as several stories"
            reason = reason or f"removed: its article is read {how} now ({doc_id} replaces it)"
            tx.append_audit([
                AuditEntry(seq=0, at=now_iso(), id=old_id, action="remove", decision="removed", added=False,
                           updated=False, reason=reason, client=client)
                for old_id in sorted(gone)
            ])
        return sorted(gone)

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
        also checked against the index first and what it matched is recorded. Each is stored with
        its verification data (the profile its check built, or built here without ``relate``)."""
        out: list[Decision] = []
        for chunk in _batches(docs, batch):
            for d in chunk:
                validate_document(d)
            fps = self._fingerprint(chunk)
            keys = [self._keys(fp) for fp in fps]
            lock = lock_keys(*keys, *(fp.sample for fp in fps), ids=[d.id for d in chunk] + [d.parent for d in chunk if d.parent])
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
            replaced = self._replace_other_shape(tx, d.id, d.parent, client) if old != doc_digest(d) else []
            if old == doc_digest(d):
                dec = Decision(d.id, "new", (), False, False, "already indexed under this id with the same text; left as it is")
                action = "unchanged"
            elif old is not None or replaced:
                tx.put(self._stored(d, fp, k))
                why = ("updated: new text under an indexed id" if old is not None
                       else f"added (not checked against the index; replaces {', '.join(replaced)}, the article as read before)")
                dec, action = Decision(d.id, "new", (), True, True, why), "update"
            else:
                fresh.append(self._stored(d, fp, k))
                pending.add(d.id)
                dec, action = Decision(d.id, "new", (), True, False, "added (not checked against the index)"), "add"
            out.append((dec, action))
        tx.put_many(fresh)
        seqs = tx.append_audit([self._entry(dec.id, action, dec, client) for dec, action in out])
        return [replace(dec, audit_seq=seq) for (dec, _), seq in zip(out, seqs)]

    def bulk_load(self, docs: Iterable[Document], *, client: str | None = None, chunk: int = 1024,
                  progress: Callable[[int], None] | None = None, prepare: bool = True) -> tuple[int, list[Skipped]]:
        """Build an EMPTY index from an archive at once (:meth:`Store.bulk_load`): documents are
        fingerprinted ``chunk`` at a time and loaded in one transaction, each with an audit entry
        and its verification data (computed here, ~1 ms a news article: the load runs at about a
        quarter of the rate without it, 700 vs 2,800 real articles/s, and no check builds it
        later; ``prepare=False`` leaves it out, and checks compute it as for a row of an older
        layout); nothing is related or checked. An id given again later in the stream is skipped (the first
        text is loaded). ``progress(n)`` is called with the documents read so far; none is durable
        until this returns. Returns the count loaded and the skipped repeats.
        Raises StoreError when the index already holds documents."""
        entries: list[AuditEntry] = []
        skipped: list[Skipped] = []
        seen: set[str] = set()
        read = 0
        reason = "added by a bulk load (not checked against the index)"

        def items() -> Iterator[StoredDoc]:
            nonlocal read
            for part in _batches(docs, chunk):
                fresh = []
                for d in part:
                    validate_document(d)
                    if d.id in seen:
                        skipped.append(Skipped(d.id, "not added: the same id came earlier in this bulk load", d.path))
                    else:
                        seen.add(d.id)
                        fresh.append(d)
                at = now_iso()
                for d, fp in zip(fresh, self._fingerprint(fresh)):
                    entries.append(AuditEntry(seq=0, at=at, id=d.id, action="add", decision="new", added=True,
                                              updated=False, reason=reason, client=client))
                    yield self._stored(d, fp, self._keys(fp), prepare=prepare)
                read += len(part)
                if progress is not None:
                    progress(read)

        n = self.store.bulk_load(items(), audit=lambda: entries)
        return n, skipped

    def remove(self, doc_id: str, *, client: str | None = None) -> bool:
        """Remove a document; False when no such id is indexed. Recorded in the audit log. The id
        of an article indexed as several stories (``P#1``, ``P#2``) removes all of them."""
        validate_id(doc_id)
        with self.store.transaction(write=True, lock=lock_keys(ids=[doc_id])) as tx:
            found = tx.delete(doc_id)
            parts = [] if found else self._replace_other_shape(
                tx, doc_id, None, client, reason=f"removed: a story of {doc_id}, removed as a whole")
            if not parts:
                tx.append_audit([
                    AuditEntry(seq=0, at=now_iso(), id=doc_id, action="remove", decision="removed" if found else "absent",
                               added=False, updated=False, reason="removed" if found else "not indexed; nothing removed",
                               client=client)
                ])
        return found or bool(parts)

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

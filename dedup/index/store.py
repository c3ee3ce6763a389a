"""The storage protocol under the index, and what every backend shares.

A store keeps, per document: the Document fields verification needs, its
fingerprint arrays, a digest of its text (for idempotent re-inserts), its
verification data (``verify.dump_prepared``'s bytes, 6-9 KB for a news article, so a
check loads a candidate's profile instead of building it; NULL in rows written before
store layout 2, which are verified by computing it as before), and its postings: one
row per LSH band key (both views; the band index is already mixed into each key) and
one row per sampled shingle hash (containment). Plus the build parameters, the schema version and an append-only audit log.

Backends are chosen by URL (:func:`open_store`): ``sqlite:///path``, a plain
path, or ``postgresql://...``. Arrays are stored as raw little-endian bytes of
a fixed dtype (recorded in the meta table), never pickled.

All reads and writes of one pre-ingest decision happen inside one
:meth:`Store.transaction` ``(write=True, lock=...)``; a backend guarantees
that two write transactions that lock a common key run one after the other,
and that the second sees what the first committed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import urlsplit

import numpy as np

from ..candidates import STOCK_MIN_DOCS
from ..errors import StoreError
from ..records import AuditEntry, AuditMatch, Document, Stripped, Zone

# Bump when a table layout changes; stored as meta "store_schema". An index of an older layout
# listed in UPGRADES is upgraded in place when opened (``Store.upgrade``: additive changes only,
# which the rows already written need no rewrite for); any other layout must be rebuilt.
#   1: the first layout.
#   2: docs.prepared, a nullable column of verification data (NULL: computed when needed).
#   3: copy_bands and copy_samples, the postings of copies a decision refused (new tables).
#   4: PostgreSQL: an index of document ids in byte order (id COLLATE "C", a new index), so
#      that paging by id is one order whatever the database's collation, and an index scan.
STORE_SCHEMA_VERSION = 4
UPGRADES = frozenset({1, 2, 3})  # layouts Store.upgrade takes to STORE_SCHEMA_VERSION


def upgrade_statements(upgrades: dict[int, list[str]], current: int) -> list[str]:
    """A backend's statements (``upgrades``: from a layout, those that take it to the next)
    that take a store of layout ``current`` to STORE_SCHEMA_VERSION, in order."""
    return [stmt for version in range(current, STORE_SCHEMA_VERSION) for stmt in upgrades[version]]

MINHASH_DTYPE = np.dtype("<u4")
SAMPLE_DTYPE = np.dtype("<u8")
KEY_DTYPE = np.dtype("<u8")
ARRAY_DTYPES = {"minhash": MINHASH_DTYPE.str, "sample": SAMPLE_DTYPE.str, "keys": KEY_DTYPE.str}

# Postings read per key when looking for candidates. A band key shared by more
# documents than this (many copies of one story) still yields the oldest ones.
BAND_POSTINGS_LIMIT = 1000


@dataclass(frozen=True, slots=True, eq=False)
class StoredDoc:
    """What the index keeps per document (a Document and its fingerprint arrays)."""

    doc: Document
    digest: str  # hex digest of the document's content fields: same digest = same text
    minhash: np.ndarray  # uint32[num_perm]
    content_minhash: np.ndarray  # uint32[num_perm]
    sample: np.ndarray  # uint64, sorted unique
    n_shingles: int
    n_content: int
    band_keys: np.ndarray  # uint64, both views, as inserted
    added_at: str = ""
    updated_at: str = ""
    # verify.dump_prepared(doc): the document's verification data, None when not stored (a row
    # of an older layout, or an item made without it); the core's bytes, opaque to the store
    prepared: bytes | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Candidate:
    """A document proposed by the postings: its fingerprint arrays, not its text (most
    candidates are filtered out on these alone; the index fetches the texts it verifies)."""

    id: str
    digest: str
    minhash: np.ndarray  # uint32[num_perm]
    content_minhash: np.ndarray  # uint32[num_perm]
    sample: np.ndarray  # uint64, sorted unique
    n_shingles: int
    n_content: int
    shared_bands: int
    shared_samples: int
    seq: int = 0  # the store's row number (holders in Candidates.holders are seqs)
    band_keys: np.ndarray | None = None  # uint64, both views, as inserted (StoredDoc.band_keys); None: not read


class Candidates(list):
    """What :meth:`Session.candidates` returns: the candidates, best first, and ``holders``: for
    each of the given sampled hashes held by at least STOCK_HOLDERS documents, their seqs,
    ascending (at most max_postings + 1 of them; the index tests those for stock text)."""

    def __init__(self, items=(), holders: dict[int, list[int]] | None = None) -> None:
        super().__init__(items)
        self.holders: dict[int, list[int]] = holders or {}


class Session(Protocol):
    """Reads and writes inside one transaction of a store."""

    def candidates(
        self, band_keys: np.ndarray, samples: np.ndarray, *, min_shared_samples: int, max_postings: int, limit: int
    ) -> Candidates: ...

    # candidates() for many documents at once (a chunk of a stream): the postings of all their keys
    # read together and the candidates' rows fetched once; each answer is what candidates() gives.
    def candidates_many(
        self, queries: Sequence[tuple[np.ndarray, np.ndarray]], *, min_shared_samples: int, max_postings: int,
        limit: int,
    ) -> list[Candidates]: ...

    def get(self, ids: Sequence[str]) -> list[StoredDoc]: ...

    def content_minhashes(self, seqs: Sequence[int]) -> dict[int, np.ndarray]: ...  # seq -> uint32[num_perm]

    def digest(self, id: str) -> str | None: ...

    def put(self, item: StoredDoc) -> None: ...  # insert, or replace the one with the same id

    def put_many(self, items: Sequence[StoredDoc]) -> None: ...  # bulk insert of ids not yet indexed

    def delete(self, id: str) -> bool: ...

    # The postings of a copy a decision refused (not indexed), pointing at the indexed document
    # it copies, and the documents whose refused copies share keys with an article.
    def put_copy(self, story_id: str, band_keys: np.ndarray, samples: np.ndarray) -> None: ...

    def copied_stories(self, band_keys: np.ndarray, samples: np.ndarray, *, min_shared_samples: int,
                       max_postings: int) -> list[str]: ...  # by store.rank_candidates: most keys shared first

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]: ...

    def audit(self, *, id: str | None = None, after: int = 0, limit: int | None = None) -> list[AuditEntry]: ...

    def ids(self, *, after: str = "", limit: int = 1000) -> list[str]: ...

    # Verified pairs (kind "" = verified and unrelated), for completing small groups as the scan does.
    def put_pairs(self, rows: Sequence[tuple[str, str, str, float]]) -> None: ...  # (a, b, kind, score), a < b

    def pairs_of(self, ids: Sequence[str]) -> list[tuple[str, str, str, float]]: ...  # touching any of ids

    def all_pairs(self) -> list[tuple[str, str, str, float]]: ...

    def counts(self) -> dict[str, int]: ...  # documents, band_postings, sample_postings, audit_entries, copy_*_postings


class Store(Protocol):
    backend: str
    url: str  # for messages: no password

    def create(self, meta: Mapping[str, str]) -> dict[str, str]:
        """Create the tables if missing and write ``meta`` if none is stored; return the stored meta."""
        ...

    def read_meta(self) -> dict[str, str] | None: ...  # None: no index here yet

    def transaction(self, *, write: bool, lock: Sequence[int] = ()) -> AbstractContextManager[Session]: ...

    def size_bytes(self) -> int | None: ...

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        """Record audit entries on their own (what read-only checks leave), all or none, durable
        when this returns; their seqs in order. The cheapest write a backend has for it."""
        ...

    def bulk_load(self, items: Iterable[StoredDoc], *,
                  audit: Callable[[], Sequence[AuditEntry]] | None = None) -> int:
        """Load documents into an EMPTY index at once (building from an archive): postings are
        written in key order (SQLite) or indexed after loading (PostgreSQL). One transaction;
        StoreError when the index already holds documents. ``audit()``, called once ``items`` is
        consumed, gives the audit entries written in the same transaction. Returns the count loaded."""
        ...

    def upgrade(self, from_version: int) -> dict[str, str]:
        """Take an index of store layout ``from_version`` (one of UPGRADES) to STORE_SCHEMA_VERSION
        in one transaction (a no-op when another process already did); return the stored meta."""
        ...

    def integrity(self) -> list[str]: ...  # problems found; [] when the store is sound

    def close(self) -> None: ...


def open_store(url: str, *, create: bool = True) -> Store:
    """A store for ``url``: ``postgresql://...`` (or ``postgres://``), ``sqlite:///path`` or a file path."""
    if not isinstance(url, str) or not url.strip():
        raise StoreError("no index given; pass a path (index.db), sqlite:///path or postgresql://user@host/db")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as exc:  # an unclosed IPv6 bracket: "postgresql://u@[::1:5432/db"
        shown = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
        raise StoreError(f"cannot read the index URL '{shown}': {exc}; write it as postgresql://user@host:port/db "
                         "(an IPv6 host in brackets: [::1]), sqlite:///path or a path") from None
    if scheme in ("postgresql", "postgres"):
        from .postgres import PostgresStore

        return PostgresStore(url)
    if scheme == "sqlite":
        # sqlite:///abs/path.db -> /abs/path.db ; sqlite://rel.db -> rel.db (file-URL style)
        from .sqlite import SQLiteStore

        return SQLiteStore(url[len("sqlite://") :], create=create)
    if scheme and len(scheme) > 1:
        raise StoreError(f"unknown index URL scheme {scheme!r} in {url!r}; use a path, sqlite:///path or postgresql://...")
    from .sqlite import SQLiteStore

    return SQLiteStore(url, create=create)


# --- codecs shared by the backends -------------------------------------------------------


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def doc_digest(doc: Document) -> str:
    """Digest of the fields that make a document "the same text" (not where it was read from)."""
    payload = json.dumps([doc.text, doc.title, doc.source, doc.published, doc.url], ensure_ascii=False)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def doc_to_json(doc: Document) -> str:
    d = {
        "id": doc.id,
        "text": doc.text,
        "title": doc.title,
        "source": doc.source,
        "published": doc.published,
        "url": doc.url,
        "path": doc.path,
        "stripped": [[s.text, s.reason, s.line] for s in doc.stripped],
        "zones": [[z.start, z.end, z.kind] for z in doc.zones],
        "parent": doc.parent,
        "part": doc.part,
    }
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def doc_from_json(s: str) -> Document:
    d = json.loads(s)
    return Document(
        id=d["id"],
        text=d["text"],
        title=d.get("title"),
        source=d.get("source"),
        published=d.get("published"),
        url=d.get("url"),
        path=d.get("path"),
        stripped=tuple(Stripped(t, r, ln) for t, r, ln in d.get("stripped", ())),
        zones=tuple(Zone(a, b, k) for a, b, k in d.get("zones", ())),
        parent=d.get("parent"),
        part=d.get("part"),
    )


# The columns a candidate is read from (see candidates_from_rows).
CANDIDATE_COLUMNS = "seq, id, digest, minhash, content_minhash, sample, n_shingles, n_content, band_keys"


def _blob_arrays(blobs: Sequence, dtype: np.dtype) -> list[np.ndarray]:
    """``[from_bytes(b, dtype) for b in blobs]`` decoded as one array: views of it, one per blob."""
    whole = np.frombuffer(b"".join(blobs), dtype=dtype).astype(dtype.newbyteorder("="), copy=False)
    size = dtype.itemsize
    lengths = [len(b) // size for b in blobs]
    if lengths and min(lengths) == max(lengths):
        return list(whole.reshape(len(blobs), lengths[0]))
    ends = np.cumsum(lengths).tolist()
    return [whole[e - n : e] for e, n in zip(ends, lengths)]


def candidates_from_rows(rows: Sequence[Sequence]) -> dict[int, tuple]:
    """CANDIDATE_COLUMNS rows -> {seq: (id, digest, minhash, content_minhash, sample, n_shingles,
    n_content, band_keys)}: each array column of all the rows decoded at once (the values
    from_bytes gives row by row, as read-only views of one array)."""
    if not rows:
        return {}
    mh = _blob_arrays([r[3] for r in rows], MINHASH_DTYPE)
    cmh = _blob_arrays([r[4] for r in rows], MINHASH_DTYPE)
    sample = _blob_arrays([r[5] for r in rows], SAMPLE_DTYPE)
    keys = _blob_arrays([r[8] for r in rows], KEY_DTYPE)
    return {r[0]: (r[1], r[2], m, c, s, r[6], r[7], k) for r, m, c, s, k in zip(rows, mh, cmh, sample, keys)}


# A sampled hash whose stored holders number at least this (the incoming document makes one more,
# as many as candidates.STOCK_MIN_DOCS) is reported in Candidates.holders.
STOCK_HOLDERS = STOCK_MIN_DOCS - 1


def busy_holders(sample_rows: Sequence[tuple[int, int]]) -> dict[int, list[int]]:
    """(hash, seq) postings -> {hash (unsigned): [seq, ...] ascending} for the hashes held by at
    least STOCK_HOLDERS documents (a backend reads at most max_postings + 1 holders per hash)."""
    by_hash: dict[int, list[int]] = {}
    for h, seq in sample_rows:
        by_hash.setdefault(h, []).append(seq)
    return {
        h & 0xFFFFFFFFFFFFFFFF: sorted(seqs)
        for h, seqs in by_hash.items()
        if len(seqs) >= STOCK_HOLDERS
    }


DOC_COLUMNS = (
    "id, digest, doc, minhash, content_minhash, sample, band_keys, n_shingles, n_content, added_at, updated_at,"
    " prepared"
)
DOC_COLUMN_COUNT = DOC_COLUMNS.count(",") + 1


def placeholders(mark: str, n: int = DOC_COLUMN_COUNT) -> str:
    """``(?,?,...)`` (or ``%s``): the VALUES of an insert of ``n`` columns."""
    return "(" + ",".join([mark] * n) + ")"


def doc_row(item: StoredDoc, added_at: str, updated_at: str) -> tuple:
    """The values of one ``docs`` row, in DOC_COLUMNS order (both backends store the same)."""
    return (
        item.doc.id,
        item.digest,
        doc_to_json(item.doc),
        to_bytes(item.minhash, MINHASH_DTYPE),
        to_bytes(item.content_minhash, MINHASH_DTYPE),
        to_bytes(item.sample, SAMPLE_DTYPE),
        to_bytes(item.band_keys, KEY_DTYPE),
        int(item.n_shingles),
        int(item.n_content),
        added_at,
        updated_at,
        item.prepared,
    )


# A stored document as both backends read it back: its sequence number, then DOC_COLUMNS.
STORED_COLUMNS = "seq, " + DOC_COLUMNS


def stored_from_row(row) -> StoredDoc:
    """The StoredDoc of one row selected as STORED_COLUMNS (the inverse of ``doc_row``)."""
    return StoredDoc(
        doc=doc_from_json(row[3]),
        digest=row[2],
        minhash=from_bytes(row[4], MINHASH_DTYPE),
        content_minhash=from_bytes(row[5], MINHASH_DTYPE),
        sample=from_bytes(row[6], SAMPLE_DTYPE),
        band_keys=from_bytes(row[7], KEY_DTYPE),
        n_shingles=row[8],
        n_content=row[9],
        added_at=row[10],
        updated_at=row[11],
        prepared=None if row[12] is None else bytes(row[12]),
    )


def table_counts(execute) -> dict[str, int]:
    """``Store.counts`` from a connection's ``execute`` (the same SQL on both backends)."""
    one = lambda q: execute(q).fetchone()[0]  # noqa: E731
    return {
        "documents": one("SELECT count(*) FROM docs"),
        "band_postings": one("SELECT count(*) FROM bands"),
        "sample_postings": one("SELECT count(*) FROM samples"),
        "audit_entries": one("SELECT count(*) FROM audit"),
        "copy_band_postings": one("SELECT count(*) FROM copy_bands"),
        "copy_sample_postings": one("SELECT count(*) FROM copy_samples"),
    }


def to_bytes(arr: np.ndarray, dtype: np.dtype) -> bytes:
    return np.ascontiguousarray(arr, dtype=dtype).tobytes()


def from_bytes(buf: bytes, dtype: np.dtype) -> np.ndarray:
    return np.frombuffer(bytes(buf), dtype=dtype).astype(dtype.newbyteorder("="), copy=False)


def as_signed(arr: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQL databases store."""
    return np.ascontiguousarray(arr, dtype=np.uint64).view(np.int64).tolist()


def audit_matches_to_json(matches: Sequence[AuditMatch]) -> str:
    return json.dumps([[m.id, m.kind, round(m.score, 6)] for m in matches], separators=(",", ":"))


def audit_matches_from_json(s: str | None) -> tuple[AuditMatch, ...]:
    if not s:
        return ()
    return tuple(AuditMatch(i, k, float(sc)) for i, k, sc in json.loads(s))


def rank_candidates(
    band_rows: Sequence[tuple[int, int]],
    sample_rows: Sequence[tuple[int, int]],
    *,
    min_shared_samples: int,
    max_postings: int,
    limit: int | None,
) -> list[tuple[int, int, int]]:
    """(key, seq) postings -> [(seq, shared_bands, shared_samples)], best first (at most ``limit``).

    A sample hash with more than ``max_postings`` postings is too common to
    mean anything and is ignored (the backends read at most max_postings + 1
    per hash). A document is a candidate when it shares a band key or at least
    ``min_shared_samples`` sampled hashes.
    """
    bands = Counter(seq for _, seq in band_rows)
    per_hash = Counter(h for h, _ in sample_rows)
    samples = Counter(seq for h, seq in sample_rows if per_hash[h] <= max_postings)
    out = []
    for seq in set(bands) | set(samples):
        b, s = bands.get(seq, 0), samples.get(seq, 0)
        if b > 0 or s >= min_shared_samples:
            out.append((seq, b, s))
    out.sort(key=lambda t: (-(t[1] + t[2]), t[0]))
    return out[:limit]


def query_keys(queries: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The band keys and the samples of all the queries of ``Session.candidates_many``, each
    sorted and unique (uint64): the postings a backend reads for them in one pass."""
    empty = [np.empty(0, np.uint64)]
    bands = np.unique(np.concatenate([np.asarray(b, np.uint64) for b, _ in queries] or empty))
    samples = np.unique(np.concatenate([np.asarray(s, np.uint64) for _, s in queries] or empty))
    return bands, samples


def candidates_from_postings(
    queries: Sequence[tuple[np.ndarray, np.ndarray]],
    band_rows: Iterable[tuple[int, int]],
    sample_rows: Iterable[tuple[int, int]],
    fetch: Callable[[list[int]], Iterable[Sequence]],
    *,
    min_shared_samples: int,
    max_postings: int,
    limit: int,
) -> list[Candidates]:
    """``Session.candidates_many`` from the postings of the union of the queries' keys ((key, seq)
    rows, signed, at most the backend's per-key limit of each) and ``fetch(seqs)``, which reads the
    CANDIDATE_COLUMNS rows of those seqs. Each query gets the rows of its own keys, so its answer is
    the one a query of its keys alone gives; a document proposed to several queries is read and
    decoded once."""
    by_band: dict[int, list[int]] = {}
    for k, seq in band_rows:
        by_band.setdefault(k, []).append(seq)
    by_hash: dict[int, list[int]] = {}
    for h, seq in sample_rows:
        by_hash.setdefault(h, []).append(seq)
    ranked_all, holders_all = [], []
    for band_keys, samples in queries:
        bands = [(k, seq) for k in as_signed(np.unique(band_keys)) for seq in by_band.get(k, ())]
        sampled = [(h, seq) for h in as_signed(np.unique(samples)) for seq in by_hash.get(h, ())]
        ranked_all.append(rank_candidates(bands, sampled, min_shared_samples=min_shared_samples,
                                          max_postings=max_postings, limit=limit))
        holders_all.append(busy_holders(sampled))
    wanted = sorted({seq for ranked in ranked_all for seq, _, _ in ranked})
    decoded = candidates_from_rows(list(fetch(wanted))) if wanted else {}
    out = []
    for ranked, holders in zip(ranked_all, holders_all):
        items = []
        for seq, b, n in ranked:
            got = decoded.get(seq)
            if got is not None:
                doc_id, digest, mh, cmh, sample, n_shingles, n_content, keys = got
                items.append(Candidate(doc_id, digest, mh, cmh, sample, n_shingles, n_content, b, n, seq, keys))
        out.append(Candidates(items, holders))
    return out


def lock_keys(*arrays: np.ndarray, ids: Sequence[str] = ()) -> list[int]:
    """The sorted signed 64-bit keys a decision transaction locks: band keys, samples, ids."""
    parts = [np.ascontiguousarray(a, dtype=np.uint64) for a in arrays if len(a)]
    for i in ids:
        h = int.from_bytes(hashlib.blake2b(i.encode("utf-8"), digest_size=8).digest(), "little")
        parts.append(np.array([h], dtype=np.uint64))
    if not parts:
        return []
    return np.unique(np.concatenate(parts)).view(np.int64).tolist()


def iter_chunks(items: Sequence, n: int) -> Iterator[Sequence]:
    for i in range(0, len(items), n):
        yield items[i : i + n]

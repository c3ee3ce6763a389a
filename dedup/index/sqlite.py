"""SQLite backend: one file, WAL journal, one connection per thread.

A write transaction is ``BEGIN IMMEDIATE``: it takes the database's single
write lock up front, so decisions are serialised across threads and processes
(``busy_timeout`` makes the others wait rather than fail). Readers never block
and see the last committed state. A process killed mid-transaction leaves an
uncommitted WAL tail that SQLite discards on the next open.

``synchronous=NORMAL`` in WAL mode: a committed transaction survives the death
of the process (kill -9); after a power cut the last few commits may be lost.
``sqlite:///path?synchronous=full`` makes every commit durable on disk too.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import urllib.parse
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qs

import numpy as np

from ..errors import IndexCorruptError, IndexMissingError, StoreError
from ..records import AuditEntry
from .store import (
    BAND_POSTINGS_LIMIT,
    CANDIDATE_COLUMNS,
    DOC_COLUMNS,
    DOC_COLUMN_COUNT,
    KEY_DTYPE,
    MINHASH_DTYPE,
    SAMPLE_DTYPE,
    STORED_COLUMNS,
    STORE_SCHEMA_VERSION,
    StoredDoc,
    as_signed,
    audit_matches_from_json,
    audit_matches_to_json,
    candidates_from_postings,
    doc_row,
    from_bytes,
    iter_chunks,
    now_iso,
    placeholders,
    query_keys,
    rank_candidates,
    stored_from_row,
    table_counts,
    upgrade_statements,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 60_000
# Postings read per key by the first, one-statement lookup before it falls back to a LIMIT per key
# (see _SQLiteSession._postings); a key has about one posting on average.
FAST_ROWS_PER_KEY = 32
# Pages are read through a memory map (up to the SQLite build's cap, 2 GiB in the usual builds;
# pages past it are read as before) instead of a read() call and a copy per page: a check's
# postings and candidate rows are a few hundred random pages. 300 real articles against 100k
# documents (a 0.8 GB file), CPU per check of the store lookup, best of 3 alternating runs:
# 1.13 -> 0.79 ms. At 1M documents (6.8 GB) the postings lie past the cap: 1.07 -> 1.05 ms.
MMAP_BYTES = 1 << 40
CACHE_KIB = 65_536  # page cache per connection (64 MiB); postings lookups are random reads
WAL_LIMIT_BYTES = 64 * 1024 * 1024  # the WAL file is cut back to this after a checkpoint
# Checkpoints (copying the WAL into the database file, then syncing it) run in a background thread
# of each process once the WAL holds this much, not inside a commit: SQLite's own automatic
# checkpoint (at 1000 pages, about as much) made every ~300th read-only check wait 200-320 ms for
# it in its audit commit (index_bench, 100k documents, a loaded machine); the commit itself takes
# 0.1-0.2 ms.
CHECKPOINT_BYTES = 4 * 1024 * 1024
CHECKPOINT_EVERY_S = 5.0  # the thread also looks at the WAL this often

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,
    doc TEXT NOT NULL,
    minhash BLOB NOT NULL,
    content_minhash BLOB NOT NULL,
    sample BLOB NOT NULL,
    band_keys BLOB NOT NULL,
    n_shingles INTEGER NOT NULL,
    n_content INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    prepared BLOB
);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS samples (hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (hash, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS copy_bands (key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_bands_seq ON copy_bands (seq);
CREATE TABLE IF NOT EXISTS copy_samples (hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (hash, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_samples_seq ON copy_samples (seq);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    id TEXT NOT NULL,
    action TEXT NOT NULL,
    decision TEXT NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    reason TEXT NOT NULL,
    matches TEXT,
    client TEXT
);
CREATE INDEX IF NOT EXISTS audit_id ON audit (id, seq);
CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b TEXT NOT NULL, kind TEXT NOT NULL, score REAL NOT NULL, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b);
"""

# Store layout upgrades (store.UPGRADES): from a layout, the statements that take it to the next.
# A column added at the end of a table is a change of the schema only (SQLite rewrites no row).
_UPGRADE = {
    1: ["ALTER TABLE docs ADD COLUMN prepared BLOB"],
    2: [stmt for stmt in _SCHEMA.split(";") if "copy_" in stmt],
    3: [],  # ids compare byte-wise (BINARY) on the id column's own index already
}


class _SQLiteSession:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def candidates(self, band_keys, samples, *, min_shared_samples, max_postings, limit):
        return self.candidates_many([(band_keys, samples)], min_shared_samples=min_shared_samples,
                                    max_postings=max_postings, limit=limit)[0]

    def candidates_many(self, queries, *, min_shared_samples, max_postings, limit):
        band_keys, samples = query_keys(queries)
        band_rows = self._postings("bands", "key", as_signed(band_keys), BAND_POSTINGS_LIMIT)
        sample_rows = self._postings("samples", "hash", as_signed(samples), max_postings + 1)

        def fetch(seqs):
            rows = []
            for chunk in iter_chunks(seqs, 500):
                rows += self.c.execute(
                    f"SELECT {CANDIDATE_COLUMNS} FROM docs WHERE seq IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            return rows

        return candidates_from_postings(queries, band_rows, sample_rows, fetch, min_shared_samples=min_shared_samples,
                                        max_postings=max_postings, limit=limit)

    def _postings(self, table: str, col: str, keys: list[int], limit: int) -> list[tuple[int, int]]:
        """(key, seq) rows for each key, at most ``limit`` per key (the oldest: the primary key
        orders a key's postings by seq), up to 400 keys per statement.

        First as one ``IN`` list read with a cap of FAST_ROWS_PER_KEY rows a key: under the cap
        it holds every posting of those keys, and each key's first ``limit`` are kept. A chunk
        with a busy key (over the cap) is read again one key at a time with a LIMIT each, so a
        key held by a million documents costs the cap, not a million rows. The IN list costs less
        than a LIMIT per key when no key is busy, which is nearly always (300 real articles
        against 100k documents, CPU, best of 8 alternating runs: 0.43 vs 0.51 ms per check one at
        a time; 0.38 ms per article for a stream's 64 looked up together, vs 0.82 per article).

        Key lists are padded with NULLs (which match nothing) to a multiple of 16, so a few
        statement shapes cover every query and stay in the connection's statement cache."""
        rows: list[tuple[int, int]] = []
        for chunk in iter_chunks(keys, 400):
            n = -(-len(chunk) // 16) * 16
            args = [*chunk, *([None] * (n - len(chunk)))]
            cap = FAST_ROWS_PER_KEY * n
            got = self.c.execute(
                f"SELECT {col}, seq FROM {table} WHERE {col} IN ({','.join('?' * n)}) LIMIT {cap + 1}", args
            ).fetchall()
            if len(got) <= cap:
                got.sort()
                taken: dict[int, int] = {}
                for k, seq in got:
                    if taken.get(k, 0) < limit:
                        taken[k] = taken.get(k, 0) + 1
                        rows.append((k, seq))
                continue
            q = " UNION ALL ".join(
                [f"SELECT * FROM (SELECT {col}, seq FROM {table} WHERE {col} = ? LIMIT {int(limit)})"] * n
            )
            rows += self.c.execute(q, args).fetchall()
        return rows

    def get(self, ids: Sequence[str]) -> list[StoredDoc]:
        out = []
        for chunk in iter_chunks(list(ids), 500):
            rows = self.c.execute(
                f"SELECT {STORED_COLUMNS} FROM docs WHERE id IN ({','.join('?' * len(chunk))})", list(chunk)
            ).fetchall()
            by_id = {r[1]: stored_from_row(r) for r in rows}
            out += [by_id[i] for i in chunk if i in by_id]
        return out

    def content_minhashes(self, seqs: Sequence[int]) -> dict[int, np.ndarray]:
        out = {}
        for chunk in iter_chunks(list(seqs), 500):
            rows = self.c.execute(
                f"SELECT seq, content_minhash FROM docs WHERE seq IN ({','.join('?' * len(chunk))})", list(chunk)
            ).fetchall()
            out.update({r[0]: from_bytes(r[1], MINHASH_DTYPE) for r in rows})
        return out

    def digest(self, id: str) -> str | None:
        row = self.c.execute("SELECT digest FROM docs WHERE id = ?", (id,)).fetchone()
        return row[0] if row else None

    def _delete_postings(self, seq: int, keys_blob: bytes, sample_blob: bytes) -> None:
        keys = as_signed(np.unique(from_bytes(keys_blob, KEY_DTYPE)))
        samples = as_signed(from_bytes(sample_blob, SAMPLE_DTYPE))
        self.c.executemany("DELETE FROM bands WHERE key = ? AND seq = ?", [(k, seq) for k in keys])
        self.c.executemany("DELETE FROM samples WHERE hash = ? AND seq = ?", [(h, seq) for h in samples])
        # copies refused as copies of this text: of another text once it is replaced
        self.c.execute("DELETE FROM copy_bands WHERE seq = ?", (seq,))
        self.c.execute("DELETE FROM copy_samples WHERE seq = ?", (seq,))

    def put_copy(self, story_id: str, band_keys: np.ndarray, samples: np.ndarray) -> None:
        row = self.c.execute("SELECT seq FROM docs WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            return
        seq = row[0]
        self.c.executemany("INSERT OR IGNORE INTO copy_bands (key, seq) VALUES (?, ?)",
                           [(k, seq) for k in as_signed(np.unique(band_keys))])
        self.c.executemany("INSERT OR IGNORE INTO copy_samples (hash, seq) VALUES (?, ?)",
                           [(h, seq) for h in as_signed(np.unique(samples))])

    def copied_stories(self, band_keys, samples, *, min_shared_samples, max_postings):
        bands = self._postings("copy_bands", "key", as_signed(np.unique(band_keys)), BAND_POSTINGS_LIMIT)
        sampled = self._postings("copy_samples", "hash", as_signed(np.unique(samples)), max_postings + 1)
        seqs = [seq for seq, _, _ in rank_candidates(bands, sampled, min_shared_samples=min_shared_samples,
                                                     max_postings=max_postings, limit=None)]
        id_of = {}
        for chunk in iter_chunks(seqs, 500):
            id_of.update(self.c.execute(
                f"SELECT seq, id FROM docs WHERE seq IN ({','.join('?' * len(chunk))})", list(chunk)).fetchall())
        return [id_of[q] for q in seqs if q in id_of]

    def put(self, item: StoredDoc) -> None:
        c = self.c
        now = now_iso()
        old = c.execute("SELECT seq, band_keys, sample, added_at FROM docs WHERE id = ?", (item.doc.id,)).fetchone()
        added_at = now
        if old is not None:
            self._delete_postings(old[0], old[1], old[2])
            c.execute("DELETE FROM docs WHERE seq = ?", (old[0],))
            self._forget_pairs(item.doc.id)
            added_at = old[3]
        cur = c.execute(
            f"INSERT INTO docs ({DOC_COLUMNS}) VALUES {placeholders('?')}",
            doc_row(item, added_at, now),
        )
        seq = cur.lastrowid
        c.executemany("INSERT INTO bands (key, seq) VALUES (?, ?)", [(k, seq) for k in as_signed(np.unique(item.band_keys))])
        c.executemany("INSERT INTO samples (hash, seq) VALUES (?, ?)", [(h, seq) for h in as_signed(np.unique(item.sample))])

    def put_many(self, items: Sequence[StoredDoc]) -> None:
        """Insert documents whose ids are not indexed yet; postings go in key order (faster B-tree inserts)."""
        c = self.c
        now = now_iso()
        seqs = []
        for item in items:
            cur = c.execute(
                f"INSERT INTO docs ({DOC_COLUMNS}) VALUES {placeholders('?')}",
                doc_row(item, now, now),
            )
            seqs.append(cur.lastrowid)
        for table, col, arrays in (("bands", "key", [np.unique(it.band_keys) for it in items]),
                                   ("samples", "hash", [np.unique(it.sample) for it in items])):
            if not arrays:
                continue
            keys = np.concatenate(arrays).view(np.int64) if sum(map(len, arrays)) else np.empty(0, np.int64)
            owners = np.repeat(np.asarray(seqs, dtype=np.int64), [len(a) for a in arrays])
            order = np.lexsort((owners, keys))
            c.executemany(f"INSERT INTO {table} ({col}, seq) VALUES (?, ?)",
                          zip(keys[order].tolist(), owners[order].tolist()))

    def delete(self, id: str) -> bool:
        old = self.c.execute("SELECT seq, band_keys, sample FROM docs WHERE id = ?", (id,)).fetchone()
        if old is None:
            return False
        self._delete_postings(*old)
        self.c.execute("DELETE FROM docs WHERE seq = ?", (old[0],))
        self._forget_pairs(id)
        return True

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        seqs = []
        for e in entries:
            cur = self.c.execute(
                "INSERT INTO audit (at, id, action, decision, added, updated, reason, matches, client)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (e.at, e.id, e.action, e.decision, int(e.added), int(e.updated), e.reason,
                 audit_matches_to_json(e.matches), e.client),
            )
            seqs.append(cur.lastrowid)
        return seqs

    def audit(self, *, id=None, after=0, limit=None) -> list[AuditEntry]:
        q = "SELECT seq, at, id, action, decision, added, updated, reason, matches, client FROM audit WHERE seq > ?"
        args: list = [after]
        if id is not None:
            q += " AND id = ?"
            args.append(id)
        q += " ORDER BY seq"
        if limit is not None:
            q += " LIMIT ?"
            args.append(int(limit))
        return [
            AuditEntry(seq=r[0], at=r[1], id=r[2], action=r[3], decision=r[4], added=bool(r[5]), updated=bool(r[6]),
                       reason=r[7], matches=audit_matches_from_json(r[8]), client=r[9])
            for r in self.c.execute(q, args)
        ]

    def ids(self, *, after: str = "", limit: int = 1000) -> list[str]:
        return [r[0] for r in self.c.execute("SELECT id FROM docs WHERE id > ? ORDER BY id LIMIT ?", (after, limit))]

    def put_pairs(self, rows) -> None:
        self.c.executemany(
            "INSERT INTO pairs (a, b, kind, score) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (a, b) DO UPDATE SET kind = excluded.kind, score = excluded.score",
            [(min(a, b), max(a, b), k, float(sc)) for a, b, k, sc in rows],
        )

    def pairs_of(self, ids):
        out = []
        for chunk in iter_chunks(list(ids), 400):
            marks = ",".join("?" * len(chunk))
            out += self.c.execute(
                f"SELECT a, b, kind, score FROM pairs WHERE a IN ({marks}) UNION SELECT a, b, kind, score FROM pairs"
                f" WHERE b IN ({marks})", [*chunk, *chunk]).fetchall()
        return out

    def all_pairs(self):
        return self.c.execute("SELECT a, b, kind, score FROM pairs ORDER BY a, b").fetchall()

    def _forget_pairs(self, id: str) -> None:
        self.c.execute("DELETE FROM pairs WHERE a = ? OR b = ?", (id, id))

    def counts(self) -> dict[str, int]:
        return table_counts(self.c.execute)


class SQLiteStore:
    backend = "sqlite"

    def __init__(self, spec: str, *, create: bool = True) -> None:
        path, _, query = spec.partition("?")
        opts = {k: v[-1] for k, v in parse_qs(query).items()}
        self.path = os.path.abspath(os.path.expanduser(path))
        self.url = "sqlite://" + self.path
        self._sync = {"full": "FULL", "normal": "NORMAL", "off": "OFF"}.get(opts.get("synchronous", "normal").lower())
        if self._sync is None:
            raise StoreError(f"synchronous={opts['synchronous']!r} in {spec!r} is not one of full, normal, off")
        if not create and not os.path.exists(self.path):
            raise IndexMissingError(f"no index at '{self.path}'; create it with `dedup index add --index {self.path} FILES`")
        if os.path.isdir(self.path):
            raise StoreError(f"index path '{self.path}' is a directory; give a file name such as index.db")
        parent = os.path.dirname(self.path)
        if parent and not os.path.isdir(parent):
            raise StoreError(f"cannot create index '{self.path}': folder '{parent}' does not exist")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._checkpointer: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = False

    # one connection per thread: sqlite3 connections must stay on their thread
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.frozen and (
            os.path.exists(self.path + "-wal") or self._file_stamp() != self._local.stamp
        ):
            # read as it was on disk until a writer started: from now on, through the writer's WAL.
            # A writer that came and went (its last commit checkpointed into the file, its WAL
            # removed) changed the file itself: read it anew (immutable=1 promises SQLite that
            # the file never changes, so the old connection would read stale or torn pages).
            with self._lock:
                self._conns.remove(conn)
            conn.close()
            self._local.conn = conn = None
        if conn is None:
            try:
                conn, frozen = self._connect(), False
            except sqlite3.DatabaseError as exc:
                if "readonly" not in str(exc) and not self._on_read_only_filesystem():
                    raise IndexCorruptError(f"'{self.path}' is not a usable index ({exc}); move it away or pass "
                                            "another path") from exc
                if os.path.exists(self.path + "-wal") or not os.path.isfile(self.path):
                    raise StoreError(self._refused(exc)) from exc
                stamp = self._file_stamp()  # taken first: a change after it is seen at the next use
                conn, frozen = self._connect_frozen(exc), True
                self._local.stamp = stamp
            self._local.conn, self._local.frozen = conn, frozen
            with self._lock:
                self._conns.append(conn)
        return conn

    def _file_stamp(self) -> tuple[int, int, int] | None:
        """The index file's inode, size and modification time (None when it cannot be read)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"cannot switch '{self.path}' to WAL journal mode (got {mode}); is it on a network share?")
            conn.execute(f"PRAGMA synchronous = {self._sync}")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer thread does it
        except BaseException:
            conn.close()
            raise
        return conn

    def _connect_frozen(self, why: sqlite3.Error) -> sqlite3.Connection:
        """A read-only connection to an index in a folder this user may not write, with no writer
        at work (no -wal file): SQLite reads a WAL database through -wal and -shm files it then
        has to create, and refused to read it at all ("attempt to write a readonly database"), so
        `dedup index stats` and `audit` failed. With no WAL every commit is in the file itself,
        which is read as it is (immutable=1) until a writer starts or the file changes (_conn looks
        before each use).
        A write is refused as before: "attempt to write a readonly database"."""
        uri = f"file:{urllib.parse.quote(self.path)}?mode=ro&immutable=1"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        except sqlite3.Error as exc:
            raise StoreError(self._refused(why)) from exc
        log.info("index %s: read-only folder and no writer; reading the file as it is", self.path)
        return conn

    def create(self, meta: Mapping[str, str]) -> dict[str, str]:
        c = self._conn()
        try:
            c.execute("BEGIN IMMEDIATE")
            try:
                tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables and "meta" not in tables:
                    raise IndexCorruptError(
                        f"'{self.path}' is an SQLite database but not a dedup index (tables: {sorted(tables)[:5]}); pass another path"
                    )
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                if c.execute("SELECT count(*) FROM meta").fetchone()[0] == 0:
                    c.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"'{self.path}' is not a usable index ({exc}); move it away or pass another path") from exc
        return self.read_meta() or {}

    def upgrade(self, from_version: int) -> dict[str, str]:
        c = self._conn()
        try:
            with self.transaction(write=True):
                current = int(dict(c.execute("SELECT key, value FROM meta").fetchall())["store_schema"])
                for stmt in upgrade_statements(_UPGRADE, current):
                    c.execute(stmt)
                if current != STORE_SCHEMA_VERSION:
                    c.execute("UPDATE meta SET value = ? WHERE key = 'store_schema'", (str(STORE_SCHEMA_VERSION),))
                    log.info("index %s: store layout %d upgraded to %d", self.url, current, STORE_SCHEMA_VERSION)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot upgrade index '{self.path}' from store layout {from_version} to "
                             f"{STORE_SCHEMA_VERSION} ({exc}); is the file writable?") from exc
        return self.read_meta() or {}

    def read_meta(self) -> dict[str, str] | None:
        c = self._conn()
        try:
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in tables:
                if tables:
                    raise IndexCorruptError(f"'{self.path}' is an SQLite database but not a dedup index; pass another path")
                return None
            return dict(c.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"'{self.path}' is not a usable index ({exc}); move it away or pass another path") from exc

    @contextmanager
    def transaction(self, *, write: bool, lock: Sequence[int] = ()) -> Iterator[_SQLiteSession]:
        # SQLite has one write lock for the whole file: ``lock`` needs no per-key work here.
        c = self._conn()
        try:
            c.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"index '{self.path}' is busy ({exc}) after waiting {BUSY_TIMEOUT_MS // 1000}s; retry") from exc
        try:
            yield _SQLiteSession(c)
        except sqlite3.OperationalError as exc:  # the file or disk refused (read-only, full, I/O)
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise StoreError(self._refused(exc)) from exc
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        else:
            try:
                c.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise StoreError(f"cannot commit to index '{self.path}': {exc}") from exc
            if write:
                self._after_write()

    def _on_read_only_filesystem(self) -> bool:
        """Is the index's folder on a filesystem mounted read-only? (SQLite then cannot open the
        file at all, "unable to open database file", which read as a damaged index.)"""
        try:
            return bool(os.statvfs(os.path.dirname(self.path) or ".").f_flag & os.ST_RDONLY)
        except (OSError, AttributeError):
            return False

    def _refused(self, exc: sqlite3.Error) -> str:
        """Why a read or write of the index failed, and the fix."""
        if self._on_read_only_filesystem():
            return (f"index '{self.path}' is on a read-only filesystem ({exc}); remount it read-write or copy the "
                    "index elsewhere (reading it works while no writer is at work)")
        if "readonly" in str(exc):
            return (f"index '{self.path}' is read-only ({exc}); make the file and its folder writable "
                    "(SQLite also writes its -wal and -shm files there) or pass another --index")
        return f"index '{self.path}' refused the operation ({exc}); check the disk and the file's permissions"

    def _wal_bytes(self) -> int:
        try:
            return os.path.getsize(self.path + "-wal")
        except OSError:
            return 0

    def _after_write(self) -> None:
        """After a commit: start this process's checkpointer (also after a fork, which leaves
        threads behind) and wake it when the WAL is due."""
        t = self._checkpointer
        if t is None or not t.is_alive():
            with self._lock:
                if self._stop:
                    return
                if self._checkpointer is None or not self._checkpointer.is_alive():
                    self._checkpointer = threading.Thread(target=_checkpoint_loop, args=(weakref.ref(self),),
                                                          daemon=True, name="dedup-sqlite-checkpoint")
                    self._checkpointer.start()
        if self._wal_bytes() >= CHECKPOINT_BYTES:
            self._wake.set()

    def _checkpoint(self) -> None:
        """Copy the WAL into the database (PASSIVE: never waits for readers or writers, which go
        on meanwhile), on the checkpointer thread's own connection, when the WAL is due."""
        if self._wal_bytes() >= CHECKPOINT_BYTES:
            try:
                self._conn().execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # busy or closing: the next round tries again
                log.debug("checkpoint of %s deferred: %s", self.path, exc)

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        with self.transaction(write=True) as tx:
            return tx.append_audit(entries)

    def bulk_load(self, items, *, audit=None) -> int:
        c = self._conn()
        with self.transaction(write=True) as tx:
            if c.execute("SELECT count(*) FROM docs").fetchone()[0]:
                raise StoreError(f"bulk load needs an empty index; '{self.path}' holds documents: add them instead")
            now = now_iso()
            seq, keys, owners, samples, s_owners = 0, [], [], [], []
            batch = []

            def flush():
                c.executemany(
                    f"INSERT INTO docs (seq, {DOC_COLUMNS}) VALUES {placeholders('?', DOC_COLUMN_COUNT + 1)}", batch)
                batch.clear()

            for it in items:
                seq += 1
                batch.append((seq, *doc_row(it, now, now)))
                k, sm = np.unique(it.band_keys), np.unique(it.sample)
                keys.append(k)
                owners.append(np.full(len(k), seq, np.int64))
                samples.append(sm)
                s_owners.append(np.full(len(sm), seq, np.int64))
                if len(batch) >= 10_000:
                    flush()
            if batch:
                flush()
            for table, col, ks, os_ in (("bands", "key", keys, owners), ("samples", "hash", samples, s_owners)):
                if not ks:
                    continue
                k = np.concatenate(ks).view(np.int64)
                o = np.concatenate(os_)
                order = np.lexsort((o, k))  # key order: every insert appends to the B-tree
                k, o = k[order], o[order]
                for lo in range(0, len(k), 1_000_000):
                    c.executemany(f"INSERT INTO {table} ({col}, seq) VALUES (?, ?)",
                                  zip(k[lo : lo + 1_000_000].tolist(), o[lo : lo + 1_000_000].tolist()))
            if audit is not None:
                tx.append_audit(audit())
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole load went through the WAL: give the space back
        return seq

    def size_bytes(self) -> int | None:
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += os.path.getsize(self.path + suffix)
            except OSError:
                pass
        return total

    def integrity(self) -> list[str]:
        c = self._conn()
        problems = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
        orphan = c.execute("SELECT count(*) FROM bands WHERE seq NOT IN (SELECT seq FROM docs)").fetchone()[0]
        if orphan:
            problems.append(f"{orphan} band postings point at no document")
        orphan = c.execute("SELECT count(*) FROM samples WHERE seq NOT IN (SELECT seq FROM docs)").fetchone()[0]
        if orphan:
            problems.append(f"{orphan} sample postings point at no document")
        for table in ("copy_bands", "copy_samples"):
            orphan = c.execute(f"SELECT count(*) FROM {table} WHERE seq NOT IN (SELECT seq FROM docs)").fetchone()[0]
            if orphan:
                problems.append(f"{orphan} postings of refused copies ({table}) point at no document")
        return problems

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        t = self._checkpointer
        if t is not None and t is not threading.current_thread():
            t.join()
            self._checkpointer = None
        self._stop = False
        with self._lock:
            for conn in self._conns:
                conn.close()  # each was used by one thread only; closing from here is safe once they are done
            self._conns.clear()
        self._local = threading.local()


def _checkpoint_loop(ref: weakref.ref) -> None:
    """The checkpointer thread of a SQLiteStore: checkpoints when woken (a commit left the WAL
    due) or every CHECKPOINT_EVERY_S; ends when the store is closed or garbage."""
    while True:
        store = ref()
        if store is None or store._stop:
            return
        wake = store._wake
        del store
        wake.wait(CHECKPOINT_EVERY_S)
        wake.clear()
        store = ref()
        if store is None or store._stop:
            return
        store._checkpoint()
        del store

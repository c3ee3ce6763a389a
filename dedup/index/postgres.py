"""PostgreSQL backend: one shared index for many workers (psycopg 3 + a connection pool).

URL: ``postgresql://user[:password]@host[:port]/db[?schema=NAME&pool_size=N]``.
The index lives in schema ``NAME`` (default ``dedup``), so several indexes can
share one database.

Serialising decisions: a write transaction first takes transaction-scoped
advisory locks: the index-wide key in shared mode, then (``pg_advisory_xact_lock``)
every key it was given (the
incoming document's band keys, sampled hashes and id), in sorted order so two
transactions can never wait on each other in a cycle. Two incoming copies of
one story share a band key or sampled hashes (that is what makes them
candidates of each other), so the second waits until the first commits, and
under READ COMMITTED its candidate query then sees the first one's rows.
"""

from __future__ import annotations

import difflib
import getpass
import hashlib
import logging
import os
import re
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from ..errors import IndexCorruptError, StoreError
from ..records import AuditEntry
from .store import (
    BAND_POSTINGS_LIMIT,
    CANDIDATE_COLUMNS,
    DOC_COLUMNS,
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


def _first_line(exc: BaseException) -> str:
    """The first line of psycopg's message (its others are hints and context), for a one-line error."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

DEFAULT_SCHEMA = "dedup"
DEFAULT_POOL_SIZE = 8
CONNECT_TIMEOUT_S = 10
# How long a call waits for a pooled connection (psycopg_pool's default), and, while the pool
# is failing to connect, before it connects directly instead: a server that is down is then
# reported at once, not after POOL_TIMEOUT_S of every call, and one that is back serves calls
# while the pool waits out its reconnection back-off (up to minutes after a long outage).
POOL_TIMEOUT_S = 30.0
POOL_PROBE_S = 0.1
POOL_SLICE_S = 1.0  # later waits: the pool's failed attempts may be recorded while a call waits
IDLE_CHECK_S = 0.2  # a pooled connection idle this long is tried before a call gets it
# A write transaction given more keys than this (a bulk batch) takes the index-wide lock in
# exclusive mode instead; every decision holds it in shared mode before its own keys. Keeps the
# server's lock table (max_locks_per_transaction x connections) far from full.
MAX_LOCK_KEYS = 2000
# Audit entries per INSERT statement (a bulk load writes one per document).
AUDIT_CHUNK = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    digest text NOT NULL,
    doc text NOT NULL,
    minhash bytea NOT NULL,
    content_minhash bytea NOT NULL,
    sample bytea NOT NULL,
    band_keys bytea NOT NULL,
    n_shingles integer NOT NULL,
    n_content integer NOT NULL,
    added_at text NOT NULL,
    updated_at text NOT NULL,
    prepared bytea
);
CREATE TABLE IF NOT EXISTS bands (key bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (key, seq));
CREATE TABLE IF NOT EXISTS samples (hash bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (hash, seq));
CREATE TABLE IF NOT EXISTS copy_bands (key bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (key, seq));
CREATE INDEX IF NOT EXISTS copy_bands_seq ON copy_bands (seq);
CREATE TABLE IF NOT EXISTS copy_samples (hash bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (hash, seq));
CREATE INDEX IF NOT EXISTS copy_samples_seq ON copy_samples (seq);
CREATE TABLE IF NOT EXISTS audit (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at text NOT NULL,
    id text NOT NULL,
    action text NOT NULL,
    decision text NOT NULL,
    added boolean NOT NULL,
    updated boolean NOT NULL,
    reason text NOT NULL,
    matches text,
    client text
);
CREATE INDEX IF NOT EXISTS audit_id ON audit (id, seq);
CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b TEXT NOT NULL, kind TEXT NOT NULL, score double precision NOT NULL, PRIMARY KEY (a, b));
CREATE INDEX IF NOT EXISTS pairs_b ON pairs (b);
CREATE UNIQUE INDEX IF NOT EXISTS docs_id_c ON docs (id COLLATE "C");
"""

# Store layout upgrades (store.UPGRADES): from a layout, the statements that take it to the next.
# A nullable column without a default is a change of the catalog only (no row is rewritten).
_UPGRADE = {
    1: ["ALTER TABLE docs ADD COLUMN IF NOT EXISTS prepared bytea"],
    2: [stmt for stmt in _SCHEMA.split(";") if "copy_" in stmt],
    3: [stmt for stmt in _SCHEMA.split(";") if "docs_id_c" in stmt],
}



def _masked(url: str) -> str:
    """``url`` with its password shown as ***: the one of ``user:PASSWORD@host`` (also in a URL
    without its //) and of a ``password=`` parameter."""
    scheme, _, rest = url.partition(":")
    slashes = len(rest) - len(rest.lstrip("/"))
    where, sep, tail = rest[slashes:].partition("/")
    user, at, host = where.rpartition("@")
    if at and ":" in user:
        where = f"{user.split(':', 1)[0]}:***@{host}"
    return re.sub(r"(\bpassword=)[^&#]*", r"\1***", f"{scheme}:{rest[:slashes]}{where}{sep}{tail}")


def _masked_in(message: str) -> str:
    """A libpq or psycopg message with the password of each URL it quotes shown as ***."""
    return re.sub(r"""postgres(?:ql)?:[^\s"']*""", lambda m: _masked(m[0]), message)


def _bad_url(url: str, why: str) -> StoreError:
    return StoreError(f"cannot use PostgreSQL URL '{_masked(url)}': {why}")


def _split_url(url: str) -> tuple[str, str, int, str]:
    """URL -> (conninfo without our own options, schema, pool size, URL safe to print). A URL
    that libpq would not read raises StoreError naming it (password hidden) and the fix, here
    rather than as psycopg's ProgrammingError from the first connection."""
    scheme = url.partition(":")[0]
    if not url[len(scheme) + 1:].startswith("//"):
        # without them libpq reads the URL as "key=value" settings: "invalid connection option"
        raise _bad_url(url, f"write two slashes after '{scheme}:', as in postgresql://user@host/db (see docs/index.md)")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed [ of an IPv6 address
        raise _bad_url(url, f"{exc}; fix the URL (see docs/index.md)") from None
    ours = {"schema": DEFAULT_SCHEMA, "pool_size": str(DEFAULT_POOL_SIZE)}
    rest = []
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        if k in ours:
            ours[k] = v
        else:
            rest.append((k, v))
    # built by hand: urlunsplit drops the // of a URL without a host (postgresql:///db?host=...)
    base = f"postgresql://{parts.netloc}{parts.path}"
    try:
        conninfo_to_dict(f"{base}?{urlencode(rest)}" if rest else base)
    except psycopg.ProgrammingError as exc:
        detail = _first_line(exc)
        unknown = re.fullmatch(r'invalid URI query parameter: "(.*)"', detail)
        if unknown is None:
            raise _bad_url(url, f"{_masked_in(detail)}; fix the URL (see docs/index.md)") from None
        near = difflib.get_close_matches(unknown[1], list(ours), n=1)
        raise _bad_url(url, f'invalid URI query parameter "{unknown[1]}"'
                       + (f" (did you mean {near[0]}?)" if near else "")
                       + "; dedup takes schema=NAME and pool_size=N besides libpq's own parameters "
                       "(see docs/index.md)") from None
    if all(k != "connect_timeout" for k, _ in rest):
        rest.append(("connect_timeout", str(CONNECT_TIMEOUT_S)))
    schema = ours["schema"]
    if not schema.replace("_", "").isalnum() or not schema[0].isalpha() or len(schema) > 63:
        raise StoreError(f"schema {schema!r} in the index URL is not a plain SQL name; use letters, digits and _")
    try:
        pool_size = int(ours["pool_size"])
        if pool_size < 1:
            raise ValueError
    except ValueError:
        raise StoreError(f"pool_size {ours['pool_size']!r} in the index URL must be a positive integer") from None
    netloc = parts.netloc
    safe_netloc = netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        safe_netloc = f"{user}:***@{host}" if ":" in userinfo else netloc
    conninfo = f"{base}?{urlencode(rest)}"
    safe = f"postgresql://{safe_netloc}{parts.path}?schema={schema}"
    return conninfo, schema, pool_size, safe


def _cannot_connect(url: str, given: str, conninfo: str, exc: BaseException | str) -> str:
    """Why a first connection failed, one line, with the fix: the server may be down, or up without
    this URL's database or role, or refuse its password or (pg_hba.conf) this user, database and
    host, or the URL may hold a value libpq refuses."""
    detail = _masked_in(exc if isinstance(exc, str) else _first_line(exc))

    def where(user: str) -> str:  # where libpq takes a password from, in its order
        return f"the URL (postgresql://{user}:PASSWORD@host/db), PGPASSWORD or ~/.pgpass"

    refused = re.search(r'FATAL:\s+password authentication failed for user "(.*)"', detail)
    if refused is not None:
        return (f'cannot connect to PostgreSQL at {url}: password authentication failed for user "{refused[1]}"; '
                f"check the password in {where(refused[1])}")
    if "fe_sendauth: no password supplied" in detail:
        user = conninfo_to_dict(conninfo).get("user") or os.environ.get("PGUSER") or getpass.getuser()
        return (f'cannot connect to PostgreSQL at {url}: the server asks for a password for user "{user}" and none '
                f"was given; give it in {where(user)}")
    hba = re.search(r'FATAL:\s+(no pg_hba\.conf entry|pg_hba\.conf rejects connection) for host "([^"]*)", '
                    r'user "([^"]*)", database "([^"]*)"', detail)
    if hba is not None:
        verb = "has no line admitting" if hba[1].startswith("no") else "rejects"
        return (f'cannot connect to PostgreSQL at {url}: the server\'s pg_hba.conf {verb} user "{hba[3]}" to database '
                f'"{hba[4]}" from host "{hba[2]}"; ask its administrator to admit it (a line in pg_hba.conf, then a '
                "reload), or connect as another user, from another host or to another database")
    peer = re.search(r'FATAL:\s+(Peer|Ident) authentication failed for user "(.*)"', detail)
    if peer is not None:
        return (f'cannot connect to PostgreSQL at {url}: {peer[1].lower()} authentication failed for user "{peer[2]}": '
                "the server admits that user only from the operating-system user of that name; run as that user, "
                "or connect over TCP (host=127.0.0.1 in the URL) with a password")
    missing = re.search(r'FATAL:\s+(database|role) "(.*)" does not exist', detail)
    if missing is not None:
        what, name = missing[1], missing[2]
        if what == "database":
            owner = conninfo_to_dict(conninfo).get("user")
            how = f"sudo -u postgres createdb {f'-O {owner} ' if owner else ''}{name}"
        else:
            how = f"sudo -u postgres createuser --pwprompt {name}"
        return (f'cannot connect to PostgreSQL at {url}: {what} "{name}" does not exist; create it ({how}) '
                f"or name another {what} in the URL")
    value = re.fullmatch(r"(?:connection is bad: )?((?:invalid|bad value for) .*)", detail)
    if value is not None:  # a value in the URL that libpq (or psycopg) refuses: sslmode=bogus, :notaport
        return str(_bad_url(given, f"{value[1]}; fix the URL (see docs/index.md)"))
    return f"cannot connect to PostgreSQL at {url}: {detail}; is the server running?"


class _PgSession:
    def __init__(self, conn: psycopg.Connection, audit_key: int | None = None) -> None:
        self.c = conn
        self.audit_key = audit_key  # the advisory lock that orders audit entries (append_audit)

    def candidates(self, band_keys, samples, *, min_shared_samples, max_postings, limit):
        return self.candidates_many([(band_keys, samples)], min_shared_samples=min_shared_samples,
                                    max_postings=max_postings, limit=limit)[0]

    def _posting_rows(self, bands: str, samples: str, band_keys: np.ndarray, hashes: np.ndarray,
                      max_postings: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(key, seq) rows of the ``bands`` table for ``band_keys`` (BAND_POSTINGS_LIMIT a key) and
        of the ``samples`` table for ``hashes`` (``max_postings`` + 1 a hash), in one round trip."""
        rows = self.c.execute(
            "SELECT 0, k, b.seq FROM unnest(%s::bigint[]) AS k,"
            f" LATERAL (SELECT seq FROM {bands} WHERE key = k LIMIT {BAND_POSTINGS_LIMIT}) AS b"
            " UNION ALL SELECT 1, h, s.seq FROM unnest(%s::bigint[]) AS h,"
            f" LATERAL (SELECT seq FROM {samples} WHERE hash = h LIMIT %s) AS s",
            (as_signed(band_keys), as_signed(hashes), max_postings + 1),
        ).fetchall()
        return [(k, seq) for tag, k, seq in rows if tag == 0], [(h, seq) for tag, h, seq in rows if tag == 1]

    def candidates_many(self, queries, *, min_shared_samples, max_postings, limit):
        c = self.c
        band_keys, samples = query_keys(queries)
        band_rows, sample_rows = self._posting_rows("bands", "samples", band_keys, samples, max_postings)

        def fetch(seqs):
            return c.execute(f"SELECT {CANDIDATE_COLUMNS} FROM docs WHERE seq = ANY(%s)", (seqs,)).fetchall()

        return candidates_from_postings(queries, band_rows, sample_rows, fetch, min_shared_samples=min_shared_samples,
                                        max_postings=max_postings, limit=limit)

    def get(self, ids: Sequence[str]) -> list[StoredDoc]:
        rows = self.c.execute(f"SELECT {STORED_COLUMNS} FROM docs WHERE id = ANY(%s)", (list(ids),)).fetchall()
        by_id = {r[1]: stored_from_row(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def content_minhashes(self, seqs: Sequence[int]) -> dict[int, np.ndarray]:
        rows = self.c.execute("SELECT seq, content_minhash FROM docs WHERE seq = ANY(%s)", (list(seqs),)).fetchall()
        return {r[0]: from_bytes(r[1], MINHASH_DTYPE) for r in rows}

    def digest(self, id: str) -> str | None:
        row = self.c.execute("SELECT digest FROM docs WHERE id = %s", (id,)).fetchone()
        return row[0] if row else None

    def _delete(self, seq: int, keys_blob: bytes, sample_blob: bytes) -> None:
        keys = as_signed(np.unique(from_bytes(keys_blob, KEY_DTYPE)))
        samples = as_signed(from_bytes(sample_blob, SAMPLE_DTYPE))
        # The row first: a decision keeping a refused copy's keys for this document holds it
        # FOR SHARE (put_copy), so this waits for that decision's commit, and the statements
        # below (each with a snapshot of its own) see and delete what it kept.
        self.c.execute("DELETE FROM docs WHERE seq = %s", (seq,))
        self.c.execute("DELETE FROM bands WHERE key = ANY(%s) AND seq = %s", (keys, seq))
        self.c.execute("DELETE FROM samples WHERE hash = ANY(%s) AND seq = %s", (samples, seq))
        # copies refused as copies of this text: of another text once it is replaced
        self.c.execute("DELETE FROM copy_bands WHERE seq = %s", (seq,))
        self.c.execute("DELETE FROM copy_samples WHERE seq = %s", (seq,))

    def put_copy(self, story_id: str, band_keys: np.ndarray, samples: np.ndarray) -> None:
        # FOR SHARE: a removal or replacement of the story waits for this commit (see _delete)
        row = self.c.execute("SELECT seq FROM docs WHERE id = %s FOR SHARE", (story_id,)).fetchone()
        if row is None:
            return
        self.c.execute("INSERT INTO copy_bands (key, seq) SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                       (as_signed(np.unique(band_keys)), row[0]))
        self.c.execute("INSERT INTO copy_samples (hash, seq) SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                       (as_signed(np.unique(samples)), row[0]))

    def copied_stories(self, band_keys, samples, *, min_shared_samples, max_postings):
        band_rows, sample_rows = self._posting_rows("copy_bands", "copy_samples", np.unique(band_keys),
                                                    np.unique(samples), max_postings)
        seqs = [seq for seq, _, _ in rank_candidates(band_rows, sample_rows, min_shared_samples=min_shared_samples,
                                                     max_postings=max_postings, limit=None)]
        if not seqs:
            return []
        id_of = dict(self.c.execute("SELECT seq, id FROM docs WHERE seq = ANY(%s)", (seqs,)).fetchall())
        return [id_of[q] for q in seqs if q in id_of]

    def put(self, item: StoredDoc) -> None:
        c = self.c
        now = now_iso()
        old = c.execute("SELECT seq, band_keys, sample, added_at FROM docs WHERE id = %s", (item.doc.id,)).fetchone()
        added_at = now
        if old is not None:
            self._delete(old[0], old[1], old[2])
            self._forget_pairs(item.doc.id)
            added_at = old[3]
        seq = c.execute(
            f"INSERT INTO docs ({DOC_COLUMNS}) VALUES {placeholders('%s')} RETURNING seq",
            doc_row(item, added_at, now),
        ).fetchone()[0]
        c.execute("INSERT INTO bands (key, seq) SELECT unnest(%s::bigint[]), %s", (as_signed(np.unique(item.band_keys)), seq))
        c.execute("INSERT INTO samples (hash, seq) SELECT unnest(%s::bigint[]), %s", (as_signed(np.unique(item.sample)), seq))

    def put_many(self, items: Sequence[StoredDoc]) -> None:
        """Insert documents whose ids are not indexed yet: one pipelined INSERT, postings by COPY."""
        if not items:
            return
        now = now_iso()
        rows = [
            doc_row(it, now, now)
            for it in items
        ]
        seqs = []
        with self.c.cursor() as cur:
            cur.executemany(
                f"INSERT INTO docs ({DOC_COLUMNS}) VALUES {placeholders('%s')} RETURNING seq",
                rows, returning=True,
            )
            while True:
                seqs.append(cur.fetchone()[0])
                if not cur.nextset():
                    break
            for table, col, arrays in (("bands", "key", [np.unique(it.band_keys) for it in items]),
                                       ("samples", "hash", [np.unique(it.sample) for it in items])):
                if not sum(map(len, arrays)):
                    continue
                keys = np.concatenate(arrays).view(np.int64)
                owners = np.repeat(np.asarray(seqs, dtype=np.int64), [len(a) for a in arrays])
                with cur.copy(f"COPY {table} ({col}, seq) FROM STDIN") as copy:
                    for row in zip(keys.tolist(), owners.tolist()):
                        copy.write_row(row)

    def delete(self, id: str) -> bool:
        old = self.c.execute("SELECT seq, band_keys, sample FROM docs WHERE id = %s", (id,)).fetchone()
        if old is None:
            return False
        self._delete(*old)
        self._forget_pairs(id)
        return True

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        """One INSERT per AUDIT_CHUNK entries (a statement, not a round trip per entry). Rows are
        inserted in the given order, so their seqs, sorted, are the entries' seqs in order."""
        seqs: list[int] = []
        if entries and self.audit_key is not None:
            # Seqs are taken under a lock held to the commit, so they commit in their order: a reader
            # paging with after=SEQ never passes an entry that commits later with a smaller seq (4
            # writers lost 15 of 1,800 entries to such a reader; SQLite's one writer never did).
            self.c.execute("SELECT pg_advisory_xact_lock(%s)", (self.audit_key,))
        for chunk in iter_chunks(list(entries), AUDIT_CHUNK):
            cols = list(zip(*[
                (e.at, e.id, e.action, e.decision, e.added, e.updated, e.reason, audit_matches_to_json(e.matches), e.client)
                for e in chunk
            ]))
            rows = self.c.execute(
                "INSERT INTO audit (at, id, action, decision, added, updated, reason, matches, client)"
                " SELECT at, id, action, decision, added, updated, reason, matches, client FROM unnest("
                "%s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[], %s::boolean[], %s::text[],"
                " %s::text[], %s::text[]) WITH ORDINALITY AS e (at, id, action, decision, added, updated,"
                " reason, matches, client, n) ORDER BY n RETURNING seq",
                [list(c) for c in cols],
            ).fetchall()
            seqs += sorted(r[0] for r in rows)
        return seqs

    def audit(self, *, id=None, after=0, limit=None) -> list[AuditEntry]:
        q = "SELECT seq, at, id, action, decision, added, updated, reason, matches, client FROM audit WHERE seq > %s"
        args: list = [after]
        if id is not None:
            q += " AND id = %s"
            args.append(id)
        q += " ORDER BY seq"
        if limit is not None:
            q += " LIMIT %s"
            args.append(int(limit))
        return [
            AuditEntry(seq=r[0], at=r[1], id=r[2], action=r[3], decision=r[4], added=r[5], updated=r[6],
                       reason=r[7], matches=audit_matches_from_json(r[8]), client=r[9])
            for r in self.c.execute(q, args)
        ]

    def ids(self, *, after: str = "", limit: int = 1000) -> list[str]:
        # Compared and ordered byte-wise, as SQLite does, on the index of that order (docs_id_c):
        # with ``id > after`` in the database's collation, pages in C order skipped or repeated
        # ids under a collation such as en_US (punctuation weighs little there), and the ORDER BY
        # sorted every id after ``after``: 25 ms a call at 100k documents (each add asks, for the
        # stories of its article), Index.add 289 -> 53 articles/s.
        rows = self.c.execute('SELECT id FROM docs WHERE id COLLATE "C" > %s ORDER BY id COLLATE "C" LIMIT %s',
                              (after, limit))
        return [r[0] for r in rows]

    def put_pairs(self, rows) -> None:
        if not rows:
            return
        self.c.cursor().executemany(
            "INSERT INTO pairs (a, b, kind, score) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (a, b) DO UPDATE SET kind = excluded.kind, score = excluded.score",
            [(min(a, b), max(a, b), k, float(sc)) for a, b, k, sc in rows],
        )

    def pairs_of(self, ids):
        ids = list(ids)
        return self.c.execute(
            "SELECT a, b, kind, score FROM pairs WHERE a = ANY(%s) UNION SELECT a, b, kind, score FROM pairs"
            " WHERE b = ANY(%s)", (ids, ids)).fetchall()

    def all_pairs(self):
        return self.c.execute('SELECT a, b, kind, score FROM pairs ORDER BY a COLLATE "C", b COLLATE "C"').fetchall()

    def _forget_pairs(self, id: str) -> None:
        self.c.execute("DELETE FROM pairs WHERE a = %s OR b = %s", (id, id))

    def counts(self) -> dict[str, int]:
        return table_counts(self.c.execute)


class PostgresStore:
    backend = "postgresql"

    def __init__(self, url: str) -> None:
        conninfo, self.schema, pool_size, self.url = _split_url(url)
        # Advisory locks are per database; salt the keys so indexes in other schemas do not contend.
        self._salt = int.from_bytes(hashlib.blake2b(self.schema.encode(), digest_size=8).digest(), "little", signed=True)
        self._audit_key = self._salt ^ 0x61756469745F6B  # "audit_k": the lock that orders audit seqs
        schema_ident = sql.Identifier(self.schema)

        def configure(conn: psycopg.Connection) -> None:
            conn.execute(sql.SQL("SET search_path TO {}").format(schema_ident))
            # Each execution is planned for its own values and the tables as they are now. psycopg
            # prepares a statement run five times, and PostgreSQL then keeps a generic plan: one
            # made while the index was new (tables empty, never analysed) scanned the whole
            # samples table for every posting lookup until autovacuum's first ANALYZE, minutes
            # later. The first 2,000 BBC articles added to a new index: 12-31 articles/s for the
            # first 750 (42,343 sequential scans of samples, 922M rows read), ~150/s with this
            # (1 scan); ~140/s either way once analysed.
            conn.execute("SET plan_cache_mode = force_custom_plan")

        self._configure = configure

        try:  # one direct attempt first: a refused or bad connection fails at once, in one line,
            # instead of the pool retrying (and logging each failure) until CONNECT_TIMEOUT_S
            psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S).close()
        except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
            raise StoreError(_cannot_connect(self.url, url, conninfo, exc)) from None
        self._conninfo = conninfo
        self._errors_seen = 0  # the pool's failed connection attempts when it last gave one out
        self._returned: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> when given back
        self._pool = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            configure=self._configure,
            check=self._check_idle,
            open=False,
            name=f"dedup-{self.schema}",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreError(_cannot_connect(self.url, url, conninfo, self._connect_error(conninfo))) from exc
        self._closed = False
        self._lock = threading.Lock()

    @staticmethod
    def _connect_error(conninfo: str) -> str:
        try:
            psycopg.connect(conninfo).close()
        except psycopg.Error as exc:
            return _first_line(exc)
        return "timed out"

    def create(self, meta: Mapping[str, str]) -> dict[str, str]:
        with self._connection() as c, c.transaction():
            # Serialise concurrent creators of the same index.
            c.execute("SELECT pg_advisory_xact_lock(%s)", (self._salt,))
            c.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            c.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.schema)))
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    c.execute(stmt)
            if c.execute("SELECT count(*) FROM meta").fetchone()[0] == 0:
                c.cursor().executemany("INSERT INTO meta (key, value) VALUES (%s, %s)", list(meta.items()))
        return self.read_meta() or {}

    def upgrade(self, from_version: int) -> dict[str, str]:
        try:
            with self._pool.connection() as c, c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(%s)", (self._salt,))  # as create(): one upgrader
                current = int(dict(c.execute("SELECT key, value FROM meta").fetchall())["store_schema"])
                for stmt in upgrade_statements(_UPGRADE, current):
                    c.execute(stmt)
                if current != STORE_SCHEMA_VERSION:
                    c.execute("UPDATE meta SET value = %s WHERE key = 'store_schema'", (str(STORE_SCHEMA_VERSION),))
        except psycopg.Error as exc:
            raise StoreError(f"cannot upgrade index {self.url} from store layout {from_version} to "
                             f"{STORE_SCHEMA_VERSION}: {str(exc).strip()}") from exc
        return self.read_meta() or {}

    def read_meta(self) -> dict[str, str] | None:
        with self._connection() as c:
            # A schema the role may not use looks empty or missing from here on (information_schema
            # lists what it holds privileges on, the search path skips it): say so, not "no index".
            usable = c.execute("SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = %s",
                               (self.schema,)).fetchone()
            if usable is not None and not usable[0]:
                raise StoreError(self._refused("may not use the schema"))
            present = c.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (self.schema,)
            ).fetchall()
            names = {r[0] for r in present}
            if "meta" not in names:
                if names:
                    raise IndexCorruptError(
                        f"schema {self.schema!r} at {self.url} holds tables but no dedup index; pass ?schema=OTHER"
                    )
                return None
            return dict(c.execute("SELECT key, value FROM meta").fetchall())

    def _refused(self, what: str) -> str:
        return (f"the PostgreSQL role of {self.url} {what} ({self.schema!r}); grant it USAGE on the schema and SELECT, "
                "INSERT, UPDATE, DELETE on its tables (CREATE on the database to create one), or connect as its owner")

    def _check_idle(self, conn: psycopg.Connection) -> None:
        """The pool's check of a connection it hands out: one idle for IDLE_CHECK_S or more may
        have been broken by a restart that no call saw, so an empty query (a round trip) tries
        it, and the pool replaces it if it fails, instead of the call failing. Busy connections
        are handed out again within milliseconds and spared the round trip (~0.15 ms, three
        times a check)."""
        if time.monotonic() - self._returned.get(conn, 0.0) >= IDLE_CHECK_S:
            ConnectionPool.check_connection(conn)

    def _pool_errors(self) -> int:
        return self._pool.get_stats().get("connections_errors", 0)

    def _getconn(self) -> tuple[psycopg.Connection, bool]:
        """A connection, and whether it is the pool's. The pool is waited for in slices
        (POOL_PROBE_S, then POOL_SLICE_S), up to POOL_TIMEOUT_S in all. When it has failed to
        connect since it last gave one out (which it may learn while a call waits), the call
        connects directly instead: that fails at once when the server is down
        (OperationalError), and when it is back, the connection serves the call (and is closed
        after it) while the pool waits out its reconnection back-off."""
        deadline = time.monotonic() + POOL_TIMEOUT_S
        wait = POOL_PROBE_S
        while True:
            left = deadline - time.monotonic()
            try:
                conn = self._pool.getconn(timeout=max(0.0, min(wait, left)))
            except PoolTimeout:
                if self._pool_errors() > self._errors_seen:
                    break
                if left <= wait:
                    raise
                wait = POOL_SLICE_S
                continue
            self._errors_seen = self._pool_errors()
            return conn, True
        direct = psycopg.connect(self._conninfo, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        try:
            self._configure(direct)
        except BaseException:
            direct.close()
            raise
        return direct, False

    @contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection]:
        """As the pool's own ``connection()``, with :meth:`_getconn`'s quick failure."""
        conn, pooled = self._getconn()
        try:
            with conn:  # closes a direct connection; a pooled one is given back below
                yield conn
        finally:
            if pooled:
                self._returned[conn] = time.monotonic()
                self._pool.putconn(conn)

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pooled() as c:
                yield c
        except PoolTimeout as exc:  # (an OperationalError too) the server is down, or every connection busy
            raise StoreError(f"no connection to PostgreSQL index {self.url} ({exc}); is the server running? "
                             "if it is, every connection was busy: raise pool_size") from exc
        except psycopg.OperationalError as exc:  # the server went away, the connection broke
            raise StoreError(f"PostgreSQL index {self.url} failed: {_first_line(exc)}; is the server running? "
                             "retry once it is (re-sending the same id and text changes nothing)") from exc
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction) as exc:
            raise StoreError(self._refused(f"was refused: {_first_line(exc)}")) from exc

    @contextmanager
    def transaction(self, *, write: bool, lock: Sequence[int] = ()) -> Iterator[_PgSession]:
        with self._connection() as c:
            if not write:
                # Reads run without BEGIN/COMMIT (the connections autocommit): under READ COMMITTED
                # each statement takes its own snapshot inside a transaction too, so one would only
                # add two round trips to every check.
                yield _PgSession(c)
                return
            with c.transaction():
                if lock:
                    if len(lock) > MAX_LOCK_KEYS:
                        # A big batch: exclude every decision at once instead of locking each key.
                        c.execute("SELECT pg_advisory_xact_lock(%s)", (self._salt,))
                    else:
                        c.execute("SELECT pg_advisory_xact_lock_shared(%s)", (self._salt,))
                        keys = np.unique(np.asarray(lock, dtype=np.int64) ^ np.int64(self._salt)).tolist()
                        c.execute(
                            "SELECT count(pg_advisory_xact_lock(k))"
                            " FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS s",
                            (keys,),
                        )
                yield _PgSession(c, self._audit_key)

    def append_audit(self, entries: Sequence[AuditEntry]) -> list[int]:
        # a transaction of its own: the audit lock is held until the entries commit
        with self._connection() as c, c.transaction():
            return _PgSession(c, self._audit_key).append_audit(entries)

    def bulk_load(self, items, *, audit=None) -> int:
        with self._connection() as c, c.transaction():
            c.execute("SELECT pg_advisory_xact_lock(%s)", (self._salt,))
            if c.execute("SELECT count(*) FROM docs").fetchone()[0]:
                raise StoreError(f"bulk load needs an empty index; {self.url} holds documents: add them instead")
            now = now_iso()
            ids, blobs = [], []
            with c.cursor() as cur:
                with cur.copy(f"COPY docs ({DOC_COLUMNS}) FROM STDIN") as copy:
                    for it in items:
                        copy.write_row(doc_row(it, now, now))
                        ids.append(it.doc.id)
                        blobs.append((np.unique(it.band_keys), np.unique(it.sample)))
                seq_of = dict(cur.execute("SELECT id, seq FROM docs").fetchall())
                # postings without their primary keys, which are then built in one sort each
                cur.execute("ALTER TABLE bands DROP CONSTRAINT bands_pkey")
                cur.execute("ALTER TABLE samples DROP CONSTRAINT samples_pkey")
                for table, col, which in (("bands", "key", 0), ("samples", "hash", 1)):
                    with cur.copy(f"COPY {table} ({col}, seq) FROM STDIN") as copy:
                        for doc_id, arrays in zip(ids, blobs):
                            seq = seq_of[doc_id]
                            for k in arrays[which].view(np.int64).tolist():
                                copy.write_row((k, seq))
                cur.execute("ALTER TABLE bands ADD PRIMARY KEY (key, seq)")
                cur.execute("ALTER TABLE samples ADD PRIMARY KEY (hash, seq)")
            if audit is not None:
                _PgSession(c, self._audit_key).append_audit(audit())
        # VACUUM (outside the transaction) marks the loaded pages all-visible, so candidate lookups
        # are index-only scans from the first check (before it, each posting read also visits the
        # table: 1.5 -> 1.0 ms per lookup at 50k documents), and autovacuum has nothing left to do
        # on these tables right after the load, when it would compete with the first checks.
        try:
            with self._connection() as c:
                c.execute("VACUUM (ANALYZE) docs, bands, samples")
        except StoreError as exc:  # the load is committed: a later VACUUM or autovacuum does this
            log.warning("index %s: loaded, but VACUUM after the load failed (%s)", self.url, exc)
        return len(ids)

    def size_bytes(self) -> int | None:
        with self._connection() as c:
            return int(
                c.execute(
                    "SELECT coalesce(sum(pg_total_relation_size(format('%%I.%%I', table_schema, table_name))), 0)"
                    " FROM information_schema.tables WHERE table_schema = %s",
                    (self.schema,),
                ).fetchone()[0]
            )

    def integrity(self) -> list[str]:
        problems = []
        with self._connection() as c:
            for table in ("bands", "samples", "copy_bands", "copy_samples"):
                n = c.execute(
                    f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = t.seq)"
                ).fetchone()[0]
                if n:
                    problems.append(f"{n} {table} postings point at no document")
        return problems

    def drop(self) -> None:
        """Delete this index (its schema) from the database. For tests and `dedup index drop`."""
        with self._connection() as c:
            c.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._pool.close()
                self._closed = True

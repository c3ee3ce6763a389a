"""Persistent index benchmark: insert throughput, query latency, size, HTTP throughput,
against datasketch's MinHashLSH (in memory and on Redis) on the same data in the same run.

    python benchmarks/index_bench.py                       # 100k documents, SQLite + PostgreSQL
    python benchmarks/index_bench.py --docs 1000000        # the 1M run (results committed)
    python benchmarks/index_bench.py --backends sqlite --docs 20000 --no-http   # a quick look

Data. N synthetic signatures stand for N indexed articles (random MinHash rows for both
views, 60 sampled shingle hashes, as a 400-word article has): no two are related, as in a
large archive of distinct stories. On top of them the real corpora (BBC News + Reuters-21578
from ../shared/data) are indexed through the full pipeline, and the queries are real:
reprints and rewrites of indexed BBC articles (benchmarks/syndication.py) and unseen
Reuters articles.

What is measured, per backend:
* insert: the N signatures bulk-loaded into the empty store (building from an archive), then
  signatures/s inserted online into the index of N (100 per transaction), and articles/s
  through Index.add (fingerprint + insert, one transaction per 256);
* query: p50/p99 of the store's candidate lookup (what the index adds to a check) for
  near-copies and for novel signatures, and of a full `check` of a real article (fingerprint,
  candidates, verify, audit record) with the index holding N + the real corpus;
* filter throughput: real articles per second through `check` in one process (one core), one
  article per call (the service's /v1/check) and as `dedup check` streams them (check_stream:
  chunks of 64 fingerprinted together, one audit commit per chunk);
* the same queries checked by a fresh process that only opens the index, as `dedup check` and
  a service worker do (check_fresh_process): the passes above run in this process, whose
  corpora, synthetic signatures and imports make each of Python's full collections walk
  several times the objects a checking process holds;
* where a check's time goes: mean ms per stage (fingerprint, lookup, candidate rule, reading
  texts, verification split into profiling unseen texts / alignment / the rest, ...) for
  articles decided new, related, and the slowest 3% (what makes the p99), with the pairs
  verified, texts profiled and article length of each group, in a separate timed pass
  (check_stages);
* concurrent writers: W processes run `check --add` over the same real articles at once, each
  in its own order and under its own ids (the same story submitted by W pipelines): articles/s
  over all of them, and how many stories were admitted more than once (must be none);
* size: bytes per document on disk, and the process's resident memory;
* HTTP: `dedup serve` on 127.0.0.1 under a bounded load (C clients, T seconds at most).
datasketch: MinHashLSH with the same banding as the verbatim view (32 x 4) on the same
signatures: insert rate, query p50/p99, memory; its Redis storage on a local redis-server.

Results: benchmarks/results/index.json, one entry per document count.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data as corpora  # noqa: E402
from benchmarks.syndication import make_reprint, make_rewrite  # noqa: E402
from dedup.fingerprint import band_key_matrix  # noqa: E402
from dedup.index import Index  # noqa: E402
from dedup.index.store import StoredDoc  # noqa: E402
from dedup.params import FingerprintParams  # noqa: E402
from dedup.records import Document  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "index.json"
P = FingerprintParams()
SAMPLES_PER_DOC = 60
ONLINE_EXTRA = 5000  # signatures inserted online after the bulk load, 100 per transaction


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs, q) -> float:
    return float(np.percentile(np.asarray(xs) * 1000, q)) if len(xs) else float("nan")


def lat(xs) -> dict:
    return {"n": len(xs), "p50_ms": round(pct(xs, 50), 3), "p99_ms": round(pct(xs, 99), 3),
            "mean_ms": round(float(np.mean(xs)) * 1000, 3) if xs else None}


# --- synthetic signatures ------------------------------------------------------------------


class Synthetic:
    def __init__(self, n: int, seed: int = 7):
        rng = np.random.default_rng(seed)
        self.n = n
        self.mh = rng.integers(0, 2**32, (n, P.num_perm), dtype=np.uint32)
        self.cmh = rng.integers(0, 2**32, (n, P.num_perm), dtype=np.uint32)
        self.samples = np.sort(rng.integers(0, 2**64 - 1, (n, SAMPLES_PER_DOC), dtype=np.uint64), axis=1)
        self.keys = np.empty((n, P.bands + P.content_bands), dtype=np.uint64)
        for lo in range(0, n, 100_000):
            hi = min(n, lo + 100_000)
            self.keys[lo:hi, : P.bands] = band_key_matrix(self.mh[lo:hi], P.bands, 1)
            self.keys[lo:hi, P.bands :] = band_key_matrix(self.cmh[lo:hi], P.content_bands, 2)

    def item(self, i: int) -> StoredDoc:
        d = Document(id=f"syn-{i:07d}", text=f"synthetic signature {i}")
        return StoredDoc(doc=d, digest=f"{i:032x}", minhash=self.mh[i], content_minhash=self.cmh[i],
                         sample=self.samples[i], n_shingles=400, n_content=250, band_keys=self.keys[i])

    def queries(self, k: int, seed: int = 11):
        """k near-copies (80% of MinHash rows kept, 80% of samples) and k novel signatures."""
        rng = np.random.default_rng(seed)
        near, novel = [], []
        for i in rng.choice(self.n, k, replace=False):
            mh = self.mh[i].copy()
            flip = rng.random(P.num_perm) < 0.2
            mh[flip] = rng.integers(0, 2**32, flip.sum(), dtype=np.uint32)
            cmh = self.cmh[i].copy()
            cmh[flip] = rng.integers(0, 2**32, flip.sum(), dtype=np.uint32)
            keys = np.concatenate([band_key_matrix(mh[None], P.bands, 1)[0],
                                   band_key_matrix(cmh[None], P.content_bands, 2)[0]])
            samples = self.samples[i][rng.random(SAMPLES_PER_DOC) < 0.8]
            near.append((int(i), mh, keys, samples))
        for _ in range(k):
            mh = rng.integers(0, 2**32, P.num_perm, dtype=np.uint32)
            cmh = rng.integers(0, 2**32, P.num_perm, dtype=np.uint32)
            keys = np.concatenate([band_key_matrix(mh[None], P.bands, 1)[0],
                                   band_key_matrix(cmh[None], P.content_bands, 2)[0]])
            novel.append((-1, mh, keys, rng.integers(0, 2**64 - 1, SAMPLES_PER_DOC, dtype=np.uint64)))
        return near, novel


# --- real articles -------------------------------------------------------------------------


def real_corpus(n_reuters_indexed: int, n_queries: int, seed: int = 3):
    bbc = list(corpora.bbc())
    reuters = [d for d in corpora.reuters() if len(d.text.split()) >= 80]
    rng = random.Random(seed)
    indexed = bbc + reuters[:n_reuters_indexed]
    unseen = reuters[n_reuters_indexed : n_reuters_indexed + n_queries // 3]
    queries = []
    for k, src in enumerate(rng.sample(bbc, 2 * n_queries // 3)):
        make = make_reprint if k % 2 == 0 else make_rewrite
        try:
            title, text, _ = make(src, rng)
        except (ValueError, IndexError):
            continue
        queries.append(Document(id=f"q-{k}", text=text, title=title))
    queries += [Document(id=f"q-new-{d.id}", text=d.text, title=d.title) for d in unseen]
    rng.shuffle(queries)
    return indexed, queries


def writer_corpus(n_reuters_indexed: int, n_queries: int) -> list[Document]:
    """The real queries with their unseen articles swapped for as many others that no pass
    has checked (the passes before this one admitted theirs): reprints and rewrites of
    indexed articles, and articles new to the index."""
    _, queries = real_corpus(n_reuters_indexed, n_queries)
    reuters = [d for d in corpora.reuters() if len(d.text.split()) >= 80]
    start = n_reuters_indexed + n_queries // 3
    fresh = reuters[start : start + n_queries // 3]
    copies = [q for q in queries if not q.id.startswith("q-new-")]
    return copies + [Document(id=f"q-new-{d.id}", text=d.text, title=d.title) for d in fresh]


# --- servers: PostgreSQL and Redis on loopback ----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_dsn(arg: str | None):
    dsn = arg or os.environ.get("DEDUP_PG_DSN")
    if dsn:
        return dsn, None
    sys.path.insert(0, str(ROOT / "tests"))
    from index_support import start_local_postgres

    server = start_local_postgres()
    if isinstance(server, str):
        log(f"PostgreSQL skipped: {server}")
        return None, None
    return server.dsn, server


def start_redis():
    exe = shutil.which("redis-server")
    if not exe:
        return None, "redis-server not installed (apt-get install redis-server)"
    try:
        import redis  # noqa: F401
    except ImportError:
        return None, "the redis Python package is missing (pip install redis)"
    port = free_port()
    d = tempfile.mkdtemp(prefix="dedup-redis-")
    proc = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", d, "--protected-mode", "yes"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis as _r

    for _ in range(100):
        try:
            _r.Redis(host="127.0.0.1", port=port).ping()
            return (proc, port, d), None
        except _r.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    return None, "redis-server did not start"


# --- our index -----------------------------------------------------------------------------


WARM_UP = 20  # articles checked before a timed pass (not timed)


def renamed(docs, prefix: str) -> list[Document]:
    """``docs`` under ids with ``prefix``: the same texts checked again as other articles."""
    return [Document(id=prefix + d.id, text=d.text, title=d.title) for d in docs]


def warm_up_documents(indexed, prefix: str = "warm-") -> list[Document]:
    """The WARM_UP articles a timed pass checks first, spread over the indexed ones."""
    return renamed(indexed[:: max(1, len(indexed) // WARM_UP)][:WARM_UP], prefix)


def check_each(index: Index, queries, *, add: bool = False) -> tuple[list[float], list[str], float]:
    """``queries`` checked one at a time (``add``: as `check --add`, each its own transaction):
    the seconds of each, the decision of each, and the wall time of the pass."""
    times, decided = [], []
    t0 = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        d = index.check(q, add=add)
        times.append(time.perf_counter() - t)
        decided.append(d.decision)
    return times, decided, time.perf_counter() - t0


def check_streamed(index: Index, docs) -> tuple[dict[str, int], float]:
    """``docs`` as `dedup check` sends them from a folder or a stream (answers.check_stream:
    check_many over chunks of 64, fingerprinted together, one audit commit per chunk): the
    count of each decision and the wall time."""
    from dedup.index.answers import check_stream

    kinds: dict[str, int] = {}
    t0 = time.perf_counter()
    for d in check_stream(index, docs):
        kinds[d.decision] = kinds.get(d.decision, 0) + 1
    return kinds, time.perf_counter() - t0


def bench_store(url: str, syn: Synthetic, near, novel, real_indexed, real_queries, args) -> dict:
    out: dict = {}
    index = Index.open(url, drift=False)
    store = index.store
    # building the index from an archive: bulk load of N signatures into the empty index
    n = syn.n - ONLINE_EXTRA
    t0 = time.perf_counter()
    store.bulk_load(syn.item(i) for i in range(n))
    t_bulk = time.perf_counter() - t0
    out["bulk_load_per_s"] = round(n / t_bulk, 1)
    out["bulk_load_seconds"] = round(t_bulk, 1)
    log(f"  {store.backend}: {n:,} signatures bulk-loaded at {n / t_bulk:,.0f}/s ({t_bulk:.0f}s)")

    # online inserts into the index of N: transactions of 100 signatures, as a busy feed would
    t0 = time.perf_counter()
    for lo in range(n, syn.n, 100):
        items = [syn.item(i) for i in range(lo, min(syn.n, lo + 100))]
        with store.transaction(write=True) as tx:
            tx.put_many(items)
    t_ins = time.perf_counter() - t0
    out["insert_signatures_per_s"] = round(ONLINE_EXTRA / t_ins, 1)
    log(f"  {store.backend}: {ONLINE_EXTRA:,} more signatures online at {ONLINE_EXTRA / t_ins:,.0f}/s")

    # full pipeline insert of real articles
    t0 = time.perf_counter()
    index.add(real_indexed, relate=False)
    t_real = time.perf_counter() - t0
    out["insert_articles_per_s"] = round(len(real_indexed) / t_real, 1)
    log(f"  {store.backend}: {len(real_indexed):,} real articles via Index.add at {len(real_indexed) / t_real:,.0f}/s")

    # store-level candidate lookups
    from dedup.candidates import MAX_POSTINGS, MIN_SHARED_SAMPLES

    def lookups(qs):
        times, hits = [], 0
        for i, _mh, keys, samples in qs:
            t = time.perf_counter()
            with store.transaction(write=False) as tx:
                c = tx.candidates(keys, samples, min_shared_samples=MIN_SHARED_SAMPLES,
                                  max_postings=MAX_POSTINGS - 1, limit=65)
            times.append(time.perf_counter() - t)
            hits += any(x.id == f"syn-{i:07d}" for x in c) if i >= 0 else 0
        return times, hits

    lookups(near[:50])  # warm up
    t_near, hits = lookups(near)
    t_novel, _ = lookups(novel)
    out["lookup_near_copy"] = lat(t_near) | {"found_share": round(hits / len(near), 4)}
    out["lookup_novel"] = lat(t_novel)
    log(f"  {store.backend}: lookup near p50 {pct(t_near, 50):.2f} p99 {pct(t_near, 99):.2f} ms; "
        f"novel p50 {pct(t_novel, 50):.2f} p99 {pct(t_novel, 99):.2f} ms; found {hits}/{len(near)}")

    # full check of real articles (fingerprint + candidates + verify + audit record), one core.
    # The per-text caches of verify, align and drift are emptied first (the backends index the
    # same real articles: the second would find the first's profiles cached), then a warm-up
    # checks 20 other articles, so the run is a fresh stream as a feed would send.
    from dedup import verify
    from dedup.drift import clear_caches

    def cold():
        clear_caches()
        for fn in (verify.profile, getattr(verify, "_credits", None)):
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()

    cold()
    for d in warm_up_documents(real_indexed):
        index.check(d)

    def per_second(xs):
        return round(len(xs) / max(1e-9, sum(xs)), 1)

    times, decided, wall = check_each(index, real_queries)
    kinds = dict(Counter(decided))
    by_kind = {"new": [], "related": []}
    by_query = {"unseen": [], "copy": []}  # by what the query is: an unseen article, or a reprint/rewrite
    for q, t, k in zip(real_queries, times, decided):
        by_kind["new" if k == "new" else "related"].append(t)
        by_query["unseen" if q.id.startswith("q-new-") else "copy"].append(t)
    out["check_real"] = lat(times) | {
        "decisions": kinds,
        "articles_per_s_one_core": round(len(real_queries) / wall, 1),
        "new_articles": lat(by_kind["new"]) | {"articles_per_s_one_core": per_second(by_kind["new"])},
        "related_articles": lat(by_kind["related"]),
        "unseen_queries": lat(by_query["unseen"]) | {"articles_per_s_one_core": per_second(by_query["unseen"])},
        "copy_queries": lat(by_query["copy"]) | {"articles_per_s_one_core": per_second(by_query["copy"])},
    }
    log(f"  {store.backend}: check p50 {pct(times, 50):.2f} p99 {pct(times, 99):.2f} ms, "
        f"{len(real_queries) / wall:,.0f} articles/s; unseen p50/p99 {pct(by_query['unseen'], 50):.2f}/"
        f"{pct(by_query['unseen'], 99):.2f} ms, copies {pct(by_query['copy'], 50):.2f}/{pct(by_query['copy'], 99):.2f} ms; {kinds}")

    # the same articles as `dedup check` sends them from a folder or a stream (answers.check_stream:
    # check_many over chunks of 64, fingerprinted together, one audit commit per chunk), cold again
    cold()
    fresh_caches(index)
    stream = renamed(real_queries, "stream-")
    kinds_stream, wall = check_streamed(index, stream)
    out["check_real_stream"] = {"n": len(stream), "chunk": 64, "decisions": kinds_stream,
                                "articles_per_s_one_core": round(len(stream) / wall, 1)}
    log(f"  {store.backend}: check as a stream (chunks of 64): {len(stream) / wall:,.0f} articles/s; {kinds_stream}")

    # the same queries from a fresh process (before check --add below admits the new ones)
    out["check_fresh_process"] = probe_checks(url, args)
    f = out["check_fresh_process"]
    if "p50_ms" in f:
        log(f"  {store.backend}: check in a fresh process p50 {f['p50_ms']:.2f} p99 {f['p99_ms']:.2f} ms, "
            f"{f['articles_per_s_one_core']:,.0f} articles/s, {f['streamed_articles_per_s']:,.0f} streamed; {f['decisions']}")
    else:
        log(f"  {store.backend}: check in a fresh process failed: {f}")

    # where a check's time goes: the same checks again, cold again, with a timer around each stage
    # (a separate pass: the timers cost a little themselves, so the figures above stay clean)
    cold()
    out["check_stages"] = check_stages(index, real_queries)
    log(f"  {store.backend}: stages (mean ms, new / related): " + ", ".join(
        f"{k} {out['check_stages'].get('new', {}).get(k, 0):.2f}/{v:.2f}"
        for k, v in out["check_stages"].get("related", {}).items()))
    log(f"  {store.backend}: the slowest 3% of checks (mean ms): " + ", ".join(
        f"{k} {v}" for k, v in out["check_stages"].get("slowest_3pct", {}).items()))

    # the same checks with drift summaries (the default of `dedup check` and the service: the
    # closest copy's), with the per-text caches of verify, align and drift emptied first
    cold()
    with Index.open(url, create=False) as drift_index:
        times, _, wall = check_each(drift_index, renamed(real_queries, "drift-"))
        out["check_real_drift"] = lat(times) | {"articles_per_s_one_core": round(len(real_queries) / wall, 1)}
    log(f"  {store.backend}: check with drift p50 {pct(times, 50):.2f} p99 {pct(times, 99):.2f} ms")

    # check --add of the same articles (one transaction each: query, verify, insert, audit)
    times, _, _ = check_each(index, renamed(real_queries, "add-"), add=True)
    out["check_add_real"] = lat(times)

    if args.writers > 1:
        out["concurrent_writers"] = w = bench_writers(url, args)
        if "error" in w:
            log(f"  {store.backend}: concurrent writers failed: {w['error']}")
        else:
            log(f"  {store.backend}: {w['writers']} writers, check --add of the same {w['articles'] // w['writers']} articles: "
                f"{w['articles_per_s']:,.0f} articles/s in all, {w['stories_admitted']} stories admitted, "
                f"{w['doubles']} twice; {w['decisions']}")

    stats = index.stats()
    out["documents"] = stats.documents
    out["disk_bytes"] = stats.size_bytes
    out["disk_bytes_per_doc"] = round(stats.size_bytes / stats.documents, 1) if stats.size_bytes else None
    out["process_rss_mb"] = round(rss_mb(), 1)

    out["serving_process"] = probe_memory(url, args.queries)
    log(f"  {store.backend}: a fresh process serving lookups: {out['serving_process']}")
    if args.http and store.backend == "sqlite":
        index.close()
        out["http"] = bench_http(url, real_queries, args)
    else:
        index.close()
    return out


def fresh_caches(index: Index) -> None:
    """Empty the index's own caches (decoded texts, stock verdicts), as in a fresh process."""
    index._doc_cache = type(index._doc_cache)(index._doc_cache.size)
    index._stock_cache = type(index._stock_cache)(index._stock_cache.size)


def check_stages(index: Index, queries) -> dict:
    """Mean milliseconds per check spent in each stage, for checks decided new, for related
    ones and for the slowest 3% (what makes the p99): fingerprint, store lookup, the candidate
    rule, the stock test, reading texts, exact verification (split into profiling texts not seen
    before, sentence alignment and the rest), the group lookup, and what is left (transactions,
    the audit record, the answer); with the mean count of pairs verified, texts profiled and the
    article's length in characters."""
    from dedup import verify
    from dedup.index import Index as Ix

    session = type(index.store.transaction(write=False).__enter__())  # the backend's session class
    cur: dict[str, float] = {}
    counts: dict[str, int] = {}

    def timer(fn, label):
        def wrapped(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                cur[label] = cur.get(label, 0.0) + time.perf_counter() - t
        return wrapped

    profile = verify.profile

    def profile_timed(doc):
        hits = profile.cache_info().hits
        t = time.perf_counter()
        try:
            return profile(doc)
        finally:
            if profile.cache_info().hits == hits:  # a text not profiled before
                cur["verify: profile new texts"] = cur.get("verify: profile new texts", 0.0) + time.perf_counter() - t
                counts["texts profiled"] += 1

    check_pair = Ix._check_pair

    def check_pair_counted(*a, **k):
        counts["pairs verified"] += 1
        return check_pair(*a, **k)

    patches = [(Ix, "_fingerprint", "fingerprint"), (session, "candidates_many", "lookup"), (Ix, "_proposed", "candidate rule"),
               (Ix, "_stock", "stock test"), (Ix, "_documents", "read texts"), (Ix, "_check_pair", "verify"),
               (Ix, "_group", "group"), (Ix, "_with_drift", "drift"), (verify, "_align_stats", "verify: alignment")]
    fresh_caches(index)
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    saved.append((verify, "profile", profile))
    rows = []
    try:
        Ix._check_pair = check_pair_counted  # counted inside the "verify" timer, which wraps it below
        for obj, name, label in patches:
            setattr(obj, name, timer(getattr(obj, name), label))
        verify.profile = profile_timed
        for q in queries:
            cur.clear()
            counts.update({"pairs verified": 0, "texts profiled": 0})
            t = time.perf_counter()
            d = index.check(Document(id="stages-" + q.id, text=q.text, title=q.title))
            total = time.perf_counter() - t
            rows.append((d.decision == "new", total, dict(cur), dict(counts, chars=len(q.text))))
    finally:
        for obj, name, fn in saved:
            setattr(obj, name, fn)
    out = {}
    slowest = sorted(rows, key=lambda r: -r[1])[: max(1, -(-len(rows) * 3 // 100))]
    groups = [("new", [r for r in rows if r[0]]), ("related", [r for r in rows if not r[0]]), ("slowest_3pct", slowest)]
    for group, chosen in groups:
        sel = [(total, st) for _, total, st, _ in chosen]
        if not sel:
            continue
        labels = sorted({k for _, st in sel for k in st})
        means = {k: round(1000 * sum(st.get(k, 0.0) for _, st in sel) / len(sel), 3) for k in labels}
        # nested timers (inside verify) are not part of the rest
        top = sum(v for k, v in means.items() if not k.startswith("verify: "))
        means["verify: rest"] = round(means.get("verify", 0.0) - means.get("verify: profile new texts", 0.0)
                                      - means.get("verify: alignment", 0.0), 3)
        means["rest (transactions, audit, answer)"] = round(1000 * sum(t for t, _ in sel) / len(sel) - top, 3)
        means["total"] = round(1000 * sum(t for t, _ in sel) / len(sel), 3)
        means["n"] = len(sel)
        for k in ("pairs verified", "texts profiled", "chars"):
            means[k] = round(sum(c[k] for *_, c in chosen) / len(chosen), 1)
        if group == "slowest_3pct":
            means["related_share"] = round(sum(not new for new, *_ in chosen) / len(chosen), 2)
        out[group] = means
    return out


_PROBE = """
import sys, numpy as np
sys.path.insert(0, sys.argv[1])
from benchmarks.index_bench import rss_mb
from dedup.index import Index
base = rss_mb()
index = Index.open(sys.argv[2], create=False, drift=False)
rng = np.random.default_rng(5)
for _ in range(int(sys.argv[3])):
    with index.store.transaction(write=False) as tx:
        tx.candidates(rng.integers(0, 2**64 - 1, 74, dtype=np.uint64), rng.integers(0, 2**64 - 1, 60, dtype=np.uint64),
                      min_shared_samples=2, max_postings=99, limit=65)
print(round(base, 1), round(rss_mb(), 1))
"""


def probe_memory(url: str, n: int) -> dict:
    """Resident memory of a fresh process that opens the index and serves n lookups (the index's
    own footprint: the interpreter and dedup's imports are in ``before_open_mb``)."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT), url, str(n)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    try:
        before, after = map(float, proc.stdout.split())
    except ValueError:
        return {"error": proc.stderr.strip().splitlines()[-1:] or proc.stdout}
    return {"before_open_mb": before, "after_lookups_mb": after, "index_mb": round(after - before, 1)}


_CHECK_PROBE = """
import gc, json, sys
sys.path.insert(0, sys.argv[1])
from collections import Counter
from benchmarks.index_bench import check_each, check_streamed, lat, real_corpus, renamed, warm_up_documents
from dedup.index import Index
indexed, queries = real_corpus(int(sys.argv[3]), int(sys.argv[4]))
warm = warm_up_documents(indexed, "fresh-warm-")
del indexed  # what stays is what `dedup check` holds: its imports, the index and the articles
gc.collect()
index = Index.open(sys.argv[2], create=False, drift=False)
for d in warm:
    index.check(d)
times, decided, wall = check_each(index, renamed(queries, "fresh-"))
_, streamed = check_streamed(index, renamed(queries, "fresh-stream-"))
print(json.dumps(lat(times) | {"decisions": dict(Counter(decided)), "articles_per_s_one_core": round(len(queries) / wall, 1),
                               "streamed_articles_per_s": round(len(queries) / streamed, 1)}))
"""


def probe_checks(url: str, args) -> dict:
    """The real queries checked by a fresh process that opens the index, as `dedup check` or a
    service worker does: one at a time (p50/p99, articles/s) after the same 20 warm-up checks,
    then streamed in chunks of 64. Apart from the passes above, which run in this process: it
    holds the corpora, the synthetic signatures and the peers' imports, so Python's collector
    walks far more objects in each full collection than a checking process does."""
    proc = subprocess.run([sys.executable, "-c", _CHECK_PROBE, str(ROOT), url, str(args.reuters_indexed),
                           str(args.real_queries)], capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": proc.stderr.strip().splitlines()[-1:] or proc.stdout}


_WRITER_PROBE = """
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
from benchmarks.index_bench import renamed, writer_corpus
from dedup.index import Index
k = int(sys.argv[5])
queries = writer_corpus(int(sys.argv[3]), int(sys.argv[4]))
mine = renamed(queries, f"w{k}-")
random.Random(k).shuffle(mine)
index = Index.open(sys.argv[2], create=False, drift=False)
index.check(mine[0])  # imports and first reads done before the start line (no --add)
go = float(sys.argv[6])
while time.time() < go:
    time.sleep(0.005)
t0 = time.time()
out = {}
for d in mine:
    out[d.id.split("-", 1)[1]] = index.check(d, add=True).decision
print(json.dumps({"start": t0, "end": time.time(), "decisions": out}))
"""


def bench_writers(url: str, args) -> dict:
    """``args.writers`` processes run `check --add` over the same real articles at the same
    time (``writer_corpus``), each in its own order and under its own ids, as that many
    pipelines fed the same wire would: the articles/s of all of them together (first start to last end), the
    decisions, and the stories admitted more than once (``doubles``: must be 0; an unseen
    article is new to exactly one writer, the others find it as its duplicate)."""
    go = time.time() + 15.0  # each writer reads the corpus and opens the index first
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER_PROBE, str(ROOT), url, str(args.reuters_indexed),
                               str(args.real_queries), str(k), str(go)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for k in range(args.writers)]
    got = []
    for proc in procs:
        out, err = proc.communicate()
        try:
            got.append(json.loads(out.strip().splitlines()[-1]))
        except (IndexError, ValueError):
            return {"error": err.strip().splitlines()[-1:] or out}
    late = [g["start"] - go for g in got]
    wall = max(g["end"] for g in got) - min(g["start"] for g in got)
    total = sum(len(g["decisions"]) for g in got)
    news = Counter(q for g in got for q, dec in g["decisions"].items() if dec == "new")
    return {
        "writers": args.writers,
        "articles": total,
        "seconds": round(wall, 2),
        "articles_per_s": round(total / wall, 1),
        "started_within_s": round(max(late) - min(late), 3),
        "decisions": dict(Counter(dec for g in got for dec in g["decisions"].values())),
        "stories_admitted": len(news),
        "doubles": sum(1 for c in news.values() if c > 1),
    }


def bench_http(url: str, queries, args) -> dict:
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "serve", "--index", url, "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--workers", str(args.http_workers)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        times, errors = [], 0
        lock = threading.Lock()
        deadline = time.monotonic() + args.http_seconds
        budget = [args.http_requests]

        def worker(k):
            nonlocal errors
            with httpx.Client(base_url=base, timeout=30) as c:
                i = k
                while time.monotonic() < deadline:
                    with lock:
                        if budget[0] <= 0:
                            return
                        budget[0] -= 1
                    q = queries[i % len(queries)]
                    i += args.http_clients
                    t = time.perf_counter()
                    r = c.post("/v1/check", json={"id": q.id, "text": q.text})
                    dt = time.perf_counter() - t
                    with lock:
                        times.append(dt)
                        errors += r.status_code != 200

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.http_clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        res = lat(times) | {"requests_per_s": round(len(times) / wall, 1), "clients": args.http_clients,
                            "server_workers": args.http_workers,
                            "errors": errors, "seconds": round(wall, 1)}
        log(f"  http: {res['requests_per_s']} req/s with {args.http_clients} clients, p50 {res['p50_ms']} p99 {res['p99_ms']} ms")
        return res
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- datasketch ----------------------------------------------------------------------------


def bench_datasketch(syn: Synthetic, near, novel, n: int, storage: dict | None, label: str) -> dict:
    from datasketch import MinHash, MinHashLSH

    gc.collect()
    rss0 = rss_mb()
    lsh = MinHashLSH(num_perm=P.num_perm, params=(P.bands, P.num_perm // P.bands), storage_config=storage)

    def mh(values):
        return MinHash(num_perm=P.num_perm, hashvalues=values.astype(np.uint64), scheme="affine32")

    t0 = time.perf_counter()
    if storage is None:
        for i in range(n):
            lsh.insert(f"syn-{i:07d}", mh(syn.mh[i]), check_duplication=False)
    else:
        with lsh.insertion_session(buffer_size=5000) as session:
            for i in range(n):
                session.insert(f"syn-{i:07d}", mh(syn.mh[i]), check_duplication=False)
    t_ins = time.perf_counter() - t0
    rss1 = rss_mb()

    def queries(qs):
        times, hits = [], 0
        for i, m, _keys, _s in qs:
            q = mh(m)
            t = time.perf_counter()
            got = lsh.query(q)
            times.append(time.perf_counter() - t)
            hits += (f"syn-{i:07d}" in got) if i >= 0 else 0
        return times, hits

    t_near, hits = queries([q for q in near if q[0] < n])
    t_novel, _ = queries(novel)
    res = {"documents": n, "insert_per_s": round(n / t_ins, 1), "query_near_copy": lat(t_near) | {"found_share": round(hits / max(1, len(t_near)), 4)},
           "query_novel": lat(t_novel), "process_rss_delta_mb": round(rss1 - rss0, 1)}
    log(f"  datasketch {label}: insert {n / t_ins:,.0f}/s, query near p50 {pct(t_near, 50):.3f} p99 {pct(t_near, 99):.3f} ms, "
        f"novel p99 {pct(t_novel, 99):.3f} ms, +{rss1 - rss0:.0f} MB")
    del lsh
    gc.collect()
    return res


# --- main ----------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000, help="synthetic signatures indexed (default 100000)")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--pg-dsn", default=None, help="PostgreSQL server (default $DEDUP_PG_DSN, else a local one)")
    ap.add_argument("--queries", type=int, default=1000, help="synthetic lookups of each kind")
    ap.add_argument("--real-queries", type=int, default=300, help="real articles checked")
    ap.add_argument("--reuters-indexed", type=int, default=8000, help="Reuters articles indexed besides BBC")
    ap.add_argument("--redis-docs", type=int, default=100_000, help="cap for the datasketch Redis run")
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--no-http", dest="http", action="store_false")
    ap.add_argument("--http-clients", type=int, default=8)
    ap.add_argument("--writers", type=int, default=4, help="processes running check --add at once (1: skip)")
    ap.add_argument("--http-workers", type=int, default=os.cpu_count() or 1, help="dedup serve --workers")
    ap.add_argument("--http-seconds", type=float, default=20.0)
    ap.add_argument("--http-requests", type=int, default=3000)
    ap.add_argument("--workdir", default=None, help="where the SQLite file goes (default a temp folder)")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/index.json")
    args = ap.parse_args(argv)

    n = args.docs
    log(f"generating {n:,} synthetic signatures and the real corpus ...")
    syn = Synthetic(n + ONLINE_EXTRA)
    near, novel = syn.queries(args.queries)
    real_indexed, real_queries = real_corpus(args.reuters_indexed, args.real_queries)
    log(f"real: {len(real_indexed):,} indexed, {len(real_queries)} queries")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip() or None
    result = {"docs": n, "commit": commit, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "params": P.to_dict(), "backends": {}, "datasketch": {}, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    work = Path(args.workdir or tempfile.mkdtemp(prefix="dedup-index-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pg_server = None
    try:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                url = str(work / f"bench-{n}.db")
                for suffix in ("", "-wal", "-shm"):
                    Path(url + suffix).unlink(missing_ok=True)
            elif backend == "postgresql":
                dsn, pg_server = postgres_dsn(args.pg_dsn)
                if dsn is None:
                    continue
                url = f"{dsn}{'&' if '?' in dsn else '?'}schema=bench_{n}"
                from dedup.index.postgres import PostgresStore

                s = PostgresStore(url)
                s.drop()
                s.close()
            else:
                raise SystemExit(f"unknown backend {backend!r}; use sqlite,postgresql")
            log(f"{backend}: indexing {n:,} signatures ...")
            result["backends"][backend] = bench_store(url, syn, near, novel, real_indexed, real_queries, args)
        if not args.no_datasketch:
            result["datasketch"]["memory"] = bench_datasketch(syn, near, novel, n, None, "in memory")
            handle, why = start_redis()
            if handle is None:
                log(f"datasketch redis skipped: {why}")
                result["datasketch"]["redis"] = {"skipped": why}
            else:
                proc, port, d = handle
                try:
                    storage = {"type": "redis", "redis": {"host": "127.0.0.1", "port": port}}
                    result["datasketch"]["redis"] = bench_datasketch(syn, near, novel, min(n, args.redis_docs), storage, "redis")
                finally:
                    proc.terminate()
                    proc.wait(timeout=20)
                    shutil.rmtree(d, ignore_errors=True)
    finally:
        if pg_server is not None:
            pg_server.stop()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)

    # ratios against datasketch, same data, same run
    ds = result["datasketch"].get("memory")
    for name, r in result["backends"].items():
        if ds:
            r["vs_datasketch_memory"] = {
                "bulk_rate_ratio": round(r["bulk_load_per_s"] / ds["insert_per_s"], 3),
                "insert_rate_ratio": round(r["insert_signatures_per_s"] / ds["insert_per_s"], 3),
                "lookup_p99_ratio": round(r["lookup_near_copy"]["p99_ms"] / ds["query_near_copy"]["p99_ms"], 2),
            }
        rd = result["datasketch"].get("redis")
        if rd and "insert_per_s" in rd:
            r["vs_datasketch_redis"] = {
                "bulk_rate_ratio": round(r["bulk_load_per_s"] / rd["insert_per_s"], 3),
                "insert_rate_ratio": round(r["insert_signatures_per_s"] / rd["insert_per_s"], 3),
                "lookup_p99_ratio": round(r["lookup_near_copy"]["p99_ms"] / rd["query_near_copy"]["p99_ms"], 2),
            }

    print(f"\nindex benchmark, {n:,} indexed signatures (+ {len(real_indexed):,} real articles)")
    print(f"{'':<24}{'bulk/s':>10}{'insert/s':>10}{'lookup p50':>12}{'lookup p99':>12}{'check p50':>11}{'check p99':>11}{'art/s':>8}{'B/doc':>9}")
    for name, r in result["backends"].items():
        c = r["check_real"]
        print(f"{name:<24}{r['bulk_load_per_s']:>10,.0f}{r['insert_signatures_per_s']:>10,.0f}{r['lookup_near_copy']['p50_ms']:>10.2f}ms"
              f"{r['lookup_near_copy']['p99_ms']:>10.2f}ms{c['p50_ms']:>9.2f}ms{c['p99_ms']:>9.2f}ms"
              f"{c['articles_per_s_one_core']:>8.0f}{r['disk_bytes_per_doc'] or 0:>9,.0f}")
        f = r.get("check_fresh_process", {})
        if "p50_ms" in f:
            print(f"{name + ', fresh process':<24}{'':>10}{'':>10}{'':>12}{'':>12}{f['p50_ms']:>9.2f}ms{f['p99_ms']:>9.2f}ms"
                  f"{f['articles_per_s_one_core']:>8.0f}{'':>9}  (streamed {f['streamed_articles_per_s']:,.0f}/s)")
    for name, r in result["datasketch"].items():
        if "insert_per_s" in r:
            print(f"{'datasketch ' + name:<24}{'':>10}{r['insert_per_s']:>10,.0f}{r['query_near_copy']['p50_ms']:>10.2f}ms"
                  f"{r['query_near_copy']['p99_ms']:>10.2f}ms{'':>11}{'':>11}{'':>8}{'':>9}  ({r['documents']:,} docs, +{r['process_rss_delta_mb']:.0f} MB)")
    for name, r in result["backends"].items():
        for k in ("vs_datasketch_memory", "vs_datasketch_redis"):
            if k in r:
                print(f"{name} {k}: bulk load x{r[k]['bulk_rate_ratio']}, online insert x{r[k]['insert_rate_ratio']},"
                      f" lookup p99 x{r[k]['lookup_p99_ratio']} (ratio > 1: ours is faster for rates, slower for latency)")
        if "error" not in r.get("concurrent_writers", {"error": 1}):
            w = r["concurrent_writers"]
            print(f"{name} {w['writers']} concurrent writers: {w['articles_per_s']:,.0f} articles/s in all, "
                  f"{w['doubles']} stories admitted twice")
        if "http" in r:
            h = r["http"]
            print(f"{name} http: {h['requests_per_s']} req/s ({h['clients']} clients), p50 {h['p50_ms']} ms, p99 {h['p99_ms']} ms, errors {h['errors']}")

    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        all_runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}
        all_runs["runs"][str(n)] = result  # a run replaces the earlier one of the same size whole
        RESULTS.write_text(json.dumps(all_runs, indent=2, sort_keys=True) + "\n")
        log(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run a scan's two heavy stages on all cores of one machine.

Workers are forked after the documents are loaded, so they read them from memory
shared copy-on-write: a task carries only index ranges or pair indexes, never texts.
Results come back in task order, so the output does not depend on the worker count.

Verification on the pool runs in two phases when enough documents are shared
(MIN_DOCS_TO_PREPARE). The workers first prepare once each document that several tasks
meet (verify's profile, ~0.4 ms a document) and send back its stored form
(``verify.dump_prepared``, profile only, ~4 KB); the pool is then forked anew, so every
worker finds them in shared memory and only loads (~0.06 ms) what its pairs need.
Otherwise each worker prepares every document its pairs meet, and the candidate graph's
hubs make the two workers of a 2-core machine meet most documents (25.8k preparations
for 16.1k documents on the 20k-article folder).

Sentence data and credits (~0.7 ms more a document) are not prepared ahead: only the
documents of the pairs that get as far as alignment need them (7,371 of the 15,762
documents in candidate pairs on that folder), and the worker that gets there builds
them. Prepared ahead for every shared document, they were built 13,145 times; built
where needed, 8,428 times (a document shared by both workers' pairs is built twice).

Stories weigh their members' wire credits. The verifying worker sends back those of every
document of a derived relation with the relations: its credit rules have read most of them
already (a pair decided before those rules, a duplicate say, has them read then, once per
task), and only a text longer than verification reads (MAX_VERIFY_CHARS) has its credits
read again, whole, by the stories' pass, which took 0.44-0.47 s on the 20k-article folder
and now 0.002 s.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from ..candidates import MIN_SHARED_SAMPLES, CandidateSet, candidate_set
from ..credits import Credit, wire_credits
from ..fingerprint import DOC_BATCH, Fingerprint, FingerprintBatch, fingerprint_batch
from ..ingest import FileJob, IngestOptions, read_file_job, read_inputs, unique_ids
from ..params import FingerprintParams
from ..records import Document, Relation, Skipped
from ..verify import PROFILE_CACHE, Profile, credits_of, dump_prepared, load_prepared, profile, verify

# Below these sizes a pool costs more than it saves.
MIN_DOCS_FOR_POOL = 400
MIN_PAIRS_FOR_POOL = 2000
MIN_PAIRS_FOR_LIVE_POOL = 32
# Documents per fingerprinting task: up to fingerprint.DOC_BATCH (numpy's best batch size),
# down to FINGERPRINT_BATCH so that every worker gets several tasks on a small input.
FINGERPRINT_BATCH = 256
# Verification tasks are contiguous runs of the pairs in _local_permutation's order, largest
# first: a task's documents are a narrow band, so each worker builds a document's profile and
# sentence data about once. Tasks of VERIFY_BATCH pairs dealt in turn to the workers made
# both workers prepare the same band (27.5k texts prepared for 16.1k documents on the
# 20k-article folder). Each task takes 1/(VERIFY_PARTS x workers) of the pairs left (of their
# expected cost, when the scan gives it: pair_costs), at least VERIFY_BATCH pairs, so the last
# tasks are small and the workers finish together.
VERIFY_BATCH = 512
VERIFY_PARTS = 4
# Documents that several verification tasks share are prepared first, once, and the pool is
# forked anew to share them, when there are at least this many to prepare: the phase barrier,
# the new fork and its workers' cold per-word caches cost ~0.4 s. Measured, alternated, both
# ways: the speed corpus at 5k documents (2,149 to share) 3.4 s vs 2.97 s without; the
# 20k-article folder (11,570) ~22.4 s vs ~23.0 s; scan_documents at 100k 660 s vs 977 s.
MIN_DOCS_TO_PREPARE = 4096
READ_BATCH = 64

_DOCS: Sequence[Document] = ()
_PARAMS = FingerprintParams()
# Stored verification data by document index, prepared by the pool's workers; a pool
# forked after it is filled shares it.
_PREPARED: dict[int, bytes] = {}


def _start_worker() -> None:
    """Each worker is one core: BLAS threads on top of processes only contend (tiny matrix
    products took 50-90 ms instead of 0.1 ms on a loaded 2-core machine).

    And its cyclic garbage collector is off: fingerprinting and verification make no
    reference cycles to speak of, so the collector only walks the worker's caches over and
    over (on the 20k-article folder, each verifying worker spent 1.05-1.38 s in full
    collections, and all its collections freed 6 objects). The pool is the scan's own and ends
    with it."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    gc.disable()
    _quiet_on_interrupt()


def _quiet_on_interrupt() -> None:
    """A worker leaves Ctrl-C to the scan's own process, which stops the pool: each worker printed
    a KeyboardInterrupt traceback of its own (Ctrl-C reaches the whole process group). SIGTERM,
    which the pool sends its workers to stop them, ends a worker at once (the command's own
    handler, inherited through fork, would unwind it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool ends its workers with SIGTERM


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _fp_task(span: tuple[int, int]) -> FingerprintBatch:
    """Fingerprints of a span of documents, as arrays (a few pickles per span, not three
    small arrays per document)."""
    lo, hi = span
    return fingerprint_batch(_DOCS[lo:hi], _PARAMS)


def _credits_task(idx: np.ndarray) -> list[tuple[Credit, ...]]:
    return [wire_credits(_DOCS[i].text, _DOCS[i].zones) for i in idx.tolist()]


def _prepare_task(idx: np.ndarray) -> list[bytes]:
    return [dump_prepared(_DOCS[i], sentences=False) for i in idx.tolist()]


@lru_cache(maxsize=PROFILE_CACHE)
def _loaded(i: int) -> Profile:
    """The profile of document ``i``: from its stored form when the pool prepared one, else
    built (``verify.profile``). Looked up by index, so a pair costs no hashing of the
    documents' fields, as a lookup by document does (~0.4 us a time)."""
    blob = _PREPARED.get(i)
    got = load_prepared(_DOCS[i], blob) if blob is not None else None
    return profile(_DOCS[i]) if got is None else got


def _verify_task(args: tuple[np.ndarray, frozenset[int]]) -> tuple[list[Relation], dict[int, tuple[Credit, ...]]]:
    """The relations among ``pairs``, and the wire credits of the documents of the derived ones,
    which stories weigh: verify's credit rules have read most of them (cached per document), so
    sending them back spares the stories' pass its own. A text verify cut (MAX_VERIFY_CHARS,
    the profile's ``capped``) is left out: its credits are read whole later."""
    pairs, stock = args
    out, credits = [], {}
    for i, j in pairs.tolist():
        r = verify(_DOCS[i], _DOCS[j], stock=stock, pa=_loaded(i), pb=_loaded(j))
        if r is not None:
            out.append(r)
            if r.kind.derived:
                for k in (i, j):
                    if k not in credits and not (p := _loaded(k)).capped:
                        credits[k] = credits_of(p)
    return out, credits


# What a candidate pair is expected to cost to verify, in units of a pair rejected early (~20 us):
# a pair the verbatim view proposed or that shares MIN_SHARED_SAMPLES winnowed hashes becomes a
# relation a third of the time or more, and relations are aligned (~1 ms); the others, 1.3% of
# the time. On the 20k-article folder those 24k of the 155k pairs held 8.5k of the 10.3k
# relations, and sharing tasks out by pairs gave the first task (where the stories sit in the
# local order) 52% of the work: on more than 2 cores it bounded the step.
LIKELY_RELATED_COST = 15.0


def pair_costs(cs: CandidateSet) -> np.ndarray:
    """Each candidate pair's expected cost to verify (LIKELY_RELATED_COST), in ``cs.pairs``' order."""
    likely = cs.verbatim | (cs.shared_samples >= MIN_SHARED_SAMPLES)
    return np.where(likely, LIKELY_RELATED_COST, 1.0)


def _numbered(job: tuple[Callable, int, Any]) -> tuple[int, Any]:
    fn, k, task = job
    return k, fn(task)


def _local_permutation(pairs: np.ndarray) -> np.ndarray:
    """The order of ``pairs`` that keeps each document's verification profile cached.

    verify.profile and align's per-text caches hold at most 16k documents; in plain
    (i, j) order the partner j jumps across the whole corpus (20k documents built 32k
    profiles with 8k cached). The documents are renumbered by reverse Cuthill-McKee on the candidate
    graph, which keeps every pair's two numbers close, and the pairs are swept by their
    larger number: the set of documents in use at any time is a narrow band.
    """
    if len(pairs) < 2:
        return np.arange(len(pairs))
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    n = int(pairs.max()) + 1
    g = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)).tocsr()
    perm = reverse_cuthill_mckee((g + g.T).tocsr(), symmetric_mode=True)
    rank = np.empty(n, dtype=np.int64)
    rank[perm] = np.arange(n)
    ra, rb = rank[pairs[:, 0]], rank[pairs[:, 1]]
    return np.lexsort((np.minimum(ra, rb), np.maximum(ra, rb)))


def _verify_spans(total: int, workers: int, batch: int, cost: np.ndarray | None = None) -> list[tuple[int, int]]:
    """[lo, hi) spans over ``total`` pairs: each 1/(VERIFY_PARTS x ``workers``) of what is
    left, at least ``batch`` pairs (guided scheduling). ``cost``: each pair's expected cost,
    in order; the shares are then of the cost left, not of the pairs."""
    spans: list[tuple[int, int]] = []
    lo = 0
    if cost is None:
        while lo < total:
            size = max(batch, (total - lo) // (VERIFY_PARTS * workers))
            spans.append((lo, min(total, lo + size)))
            lo += size
        return spans
    done = np.concatenate(([0.0], np.cumsum(cost, dtype=np.float64)))  # done[k]: the cost of pairs [0, k)
    while lo < total:
        share = (done[total] - done[lo]) / (VERIFY_PARTS * workers)
        hi = int(np.searchsorted(done, done[lo] + share, side="left"))
        hi = min(total, max(hi, lo + batch))
        spans.append((lo, hi))
        lo = hi
    return spans


_READ_OPTIONS = IngestOptions()


def _set_read_options(options: IngestOptions) -> None:
    global _READ_OPTIONS
    _READ_OPTIONS = options
    _quiet_on_interrupt()


def _read_batch(jobs: list[FileJob], options: IngestOptions) -> list[list[Document | Skipped]]:
    return [read_file_job(job, options) for job in jobs]


def _read_task(jobs: list[FileJob]) -> list[list[Document | Skipped]]:
    return _read_batch(jobs, _READ_OPTIONS)


def read_parallel(
    paths: Sequence[str], options: IngestOptions, *, workers: int | None = None
) -> Iterator[Document | Skipped]:
    """``read_inputs`` with the one-article files read (decoded, extracted, cleaned) on all
    cores: the same items in the same order. The folders are walked first, in this process,
    so ids are claimed as a sequential read claims them."""
    return unique_ids(_read_parallel(paths, options, workers))


def _read_parallel(paths: Sequence[str], options: IngestOptions, workers: int | None) -> Iterator[Document | Skipped]:
    items = list(read_inputs(paths, options=options, defer=True))
    jobs = [x for x in items if isinstance(x, FileJob)]
    workers = workers or default_workers()
    pool = None
    if workers > 1 and len(jobs) >= MIN_DOCS_FOR_POOL and "fork" in mp.get_all_start_methods():
        # The options reach each worker once, when it starts: a task is a list of files. (Tasks
        # of one file with its options, in imap chunks, took 4.2 s on the 20k-article folder,
        # workers' CPU 5.5 s; lists of READ_BATCH files 3.2-3.7 s, 4.2-4.8 s.)
        pool = mp.get_context("fork").Pool(workers, initializer=_set_read_options, initargs=(options,))
    try:
        batches = [jobs[lo : lo + READ_BATCH] for lo in range(0, len(jobs), READ_BATCH)]
        results = pool.imap(_read_task, batches) if pool else (_read_batch(b, options) for b in batches)
        done = (r for batch in results for r in batch)
        for item in items:
            if isinstance(item, FileJob):
                yield from next(done)
            else:
                yield item
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


class LocalEngine:
    """In-process for small inputs, a forked pool of ``workers`` processes otherwise."""

    def __init__(self, docs: Sequence[Document], params: FingerprintParams, *, workers: int | None = None) -> None:
        self.docs = docs
        self.params = params
        self.workers = workers or default_workers()
        self._pool: Any = None
        self._unfreeze: bool | None = None
        # Wire credits by document index, as verification found them (see _verify_task).
        self._credits: dict[int, tuple[Credit, ...]] = {}

    def __enter__(self) -> LocalEngine:
        global _DOCS, _PARAMS
        _DOCS, _PARAMS = self.docs, self.params
        _PREPARED.clear()
        _loaded.cache_clear()
        if self.workers > 1 and len(self.docs) >= MIN_DOCS_FOR_POOL and "fork" in mp.get_all_start_methods():
            self._fork()
        return self

    def _fork(self) -> None:
        self._close()
        # The heap as it stands (the documents above all) moves to the collector's permanent
        # generation before the fork: the workers' collections and this process's later ones
        # no longer walk it, nor copy its pages by touching it. Unfrozen on leaving, unless the
        # caller had frozen objects of its own. Parent's full collections on the 20k-article
        # folder: 0.32-0.38 s -> 0.16-0.18 s.
        if self._unfreeze is None:
            self._unfreeze = gc.get_freeze_count() == 0
        gc.freeze()
        self._pool = mp.get_context("fork").Pool(self.workers, initializer=_start_worker)

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __exit__(self, *exc: object) -> None:
        global _DOCS
        self._close()
        if self._unfreeze:
            gc.unfreeze()
        _DOCS = ()
        _PREPARED.clear()
        _loaded.cache_clear()

    def _map(self, fn: Callable, tasks: list, big: bool) -> Iterator:
        """``fn`` of each task, in order: on the pool when it is up and the work is ``big``."""
        if self._pool is not None and big:
            return self._pool.imap(fn, tasks, chunksize=1)
        return map(fn, tasks)

    def _map_as_done(self, fn: Callable, tasks: list, big: bool) -> Iterator[tuple[int, Any]]:
        """(k, ``fn`` of task k) as each task is done, not in order, so that progress moves
        while one long task is still at work (verification's first task is its largest:
        in order, the 20k-article folder's verify step said nothing for all its 10 s)."""
        if self._pool is not None and big:
            return self._pool.imap_unordered(_numbered, [(fn, k, t) for k, t in enumerate(tasks)], chunksize=1)
        return ((k, fn(t)) for k, t in enumerate(tasks))

    def fingerprints(self, progress: Callable[[int, int], None]) -> list[Fingerprint]:
        """Fingerprints of all the documents, in order."""
        n = len(self.docs)
        size = min(DOC_BATCH, max(FINGERPRINT_BATCH, -(-n // (4 * self.workers))))
        spans = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
        out: list[Fingerprint] = []
        done = 0
        for (lo, hi), batch in zip(spans, self._map(_fp_task, spans, True)):
            fps = batch.fingerprints([d.id for d in self.docs[lo:hi]])
            out.extend(fps)
            done += len(fps)
            progress(done, n)
        return out

    def candidates(self, fps: Sequence[Fingerprint]) -> CandidateSet:
        """``candidate_set`` of ``fps``, its views in one thread per core when the pool is up
        (the pool's workers sit idle meanwhile)."""
        return candidate_set(fps, self.params, threads=self.workers if self._pool is not None else 1)

    def credits(self, indexes: Sequence[int]) -> dict[int, tuple[Credit, ...]]:
        """Wire credits of the documents at ``indexes`` (whole texts, as stories weigh them): those
        verification sent back, the others read on the pool."""
        out = {i: self._credits[i] for i in set(indexes) if i in self._credits}
        idx = np.asarray(sorted(set(indexes) - out.keys()), dtype=np.int64)
        tasks = [idx[lo : lo + FINGERPRINT_BATCH] for lo in range(0, len(idx), FINGERPRINT_BATCH)]
        for chunk, found in zip(tasks, self._map(_credits_task, tasks, len(idx) >= MIN_DOCS_FOR_POOL)):
            out.update(zip(chunk.tolist(), found))
        return out

    def verify(self, pairs: np.ndarray, stock: frozenset[int], progress: Callable[[int, int], None],
               cost: np.ndarray | None = None) -> list[Relation]:
        """The relations among ``pairs``; ``cost``: each pair's expected cost (``pair_costs``),
        which the tasks share out (else each pair counts alike)."""
        total = len(pairs)
        order = _local_permutation(pairs)
        pairs = pairs[order]
        cost = cost[order] if cost is not None else None
        # Once the pool is up (a big scan), even a small batch is worth spreading over it.
        big = total >= MIN_PAIRS_FOR_POOL or (self._pool is not None and total >= MIN_PAIRS_FOR_LIVE_POOL)
        if big and self._pool is not None:
            spans = _verify_spans(total, self.workers, min(VERIFY_BATCH, max(1, -(-total // (4 * self.workers)))),
                                  cost)
            self._prepare(pairs, spans)
        else:
            spans = [(lo, min(total, lo + VERIFY_BATCH)) for lo in range(0, total, VERIFY_BATCH)]
        tasks = [(pairs[lo:hi], stock) for lo, hi in spans]
        found: list[list[Relation]] = [[] for _ in tasks]
        done = 0
        for k, (rels, credits) in self._map_as_done(_verify_task, tasks, big):
            found[k] = rels
            self._credits.update(credits)  # a document's credits are the same whichever task read them
            done += len(tasks[k][0])
            progress(done, total)
        return [r for rels in found for r in rels]  # in the order of the pairs, as one process gives them

    def _prepare(self, pairs: np.ndarray, spans: Sequence[tuple[int, int]]) -> None:
        """Prepare on the pool's workers the documents of ``pairs`` that more than one task
        (span of pairs) meets, then fork the pool anew so that its workers share them. A
        document of one task only is prepared by the worker that verifies it, and only as
        far as its pairs need (sentence data only when aligned)."""
        if len(spans) < 2:
            return
        task = np.repeat(np.arange(len(spans)), [hi - lo for lo, hi in spans])
        n = int(pairs.max()) + 1
        first = np.full(n, len(spans), dtype=np.int64)
        last = np.full(n, -1, dtype=np.int64)
        for col in (pairs[:, 0], pairs[:, 1]):
            np.minimum.at(first, col, task)
            np.maximum.at(last, col, task)
        idx = np.flatnonzero((last >= 0) & (first != last))
        if _PREPARED:
            idx = idx[[i not in _PREPARED for i in idx.tolist()]]
        if len(idx) < MIN_DOCS_TO_PREPARE:  # not worth a new pool (whose caches start cold)
            return
        size = max(1, min(FINGERPRINT_BATCH, -(-len(idx) // (4 * self.workers))))
        tasks = [idx[lo : lo + size] for lo in range(0, len(idx), size)]
        for chunk, blobs in zip(tasks, self._map(_prepare_task, tasks, True)):
            _PREPARED.update(zip(chunk.tolist(), blobs))
        _loaded.cache_clear()  # a small call verified in this process may have cached a built profile
        self._fork()

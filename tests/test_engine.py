"""The forked pool gives what the in-process path gives."""

from __future__ import annotations

import random

import pytest
from conftest import word_salad

from dedup.engines.local import MIN_DOCS_FOR_POOL, LocalEngine
from dedup.params import FingerprintParams
from dedup.records import Document, Skipped
from dedup.scan import scan_documents


def _corpus() -> list[Document]:
    rng = random.Random(4)
    base = [Document(f"d{i:03d}", word_salad(900, i)) for i in range(MIN_DOCS_FOR_POOL + 20)]
    copies = []
    for k in range(0, 60, 3):  # trimmed and re-headlined copies, so there is something to find
        src = base[k].text
        copies.append(Document(f"c{k:03d}", "New headline here\n\n" + src[: int(len(src) * rng.uniform(0.6, 0.9))]))
    return base + copies


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_pool_and_in_process_scans_agree():
    docs = _corpus()
    one = scan_documents(docs, workers=1)
    two = scan_documents(docs, workers=2)
    key = lambda r: (r.a, r.b, str(r.kind), r.score, tuple(r.evidence))  # noqa: E731
    assert [key(r) for r in two.relations] == [key(r) for r in one.relations]
    assert any(r.kind.derived for r in one.relations)
    params = FingerprintParams()
    with LocalEngine(docs, params, workers=1) as e1:
        f1 = e1.fingerprints(lambda d, t: None)
    with LocalEngine(docs, params, workers=2) as e2:
        assert e2._pool is not None
        f2 = e2.fingerprints(lambda d, t: None)
    for a, b in zip(f1, f2):
        assert a.doc_id == b.doc_id
        assert a.minhash.tolist() == b.minhash.tolist() and a.content_minhash.tolist() == b.content_minhash.tolist()
        assert a.sample.tolist() == b.sample.tolist()
        assert (a.n_shingles, a.n_content, a.text_key) == (b.n_shingles, b.n_content, b.text_key)


# --- the verification pool path (MIN_PAIRS_FOR_POOL), forced on a small input ---------------

import numpy as np  # noqa: E402
from conftest import seed_document  # noqa: E402

from dedup.candidates import stock_hashes  # noqa: E402
from dedup.engines import local  # noqa: E402


def _verify_corpus() -> list[Document]:
    """The seed articles (rewrite, partial and same-event pairs among them) and word salads with
    trimmed, re-headlined and embedded copies, so all-pairs verification meets every outcome."""
    rng = random.Random(7)
    docs = [seed_document(n) for n in range(5)]
    salads = [Document(f"s{i:02d}", word_salad(1200, 100 + i)) for i in range(24)]
    docs += salads
    for k in range(0, 24, 4):
        src = salads[k].text
        docs.append(Document(f"t{k:02d}", "Another headline\n\n" + src[: int(len(src) * rng.uniform(0.6, 0.9))]))
        host = word_salad(1500, 500 + k)
        docs.append(Document(f"p{k:02d}", host[:700] + "\n\n" + src[200:700] + "\n\n" + host[700:]))
    return docs


def _spy_on_pool(monkeypatch) -> list[tuple[bool, int]]:
    """Record, for each non-empty stage the engine runs, (through the pool?, number of tasks)."""
    used: list[tuple[bool, int]] = []

    def spy(name):
        real = getattr(local.LocalEngine, name)

        def spy_map(self, fn, tasks, big):
            if tasks:
                used.append((self._pool is not None and big, len(tasks)))
            return real(self, fn, tasks, big)

        monkeypatch.setattr(local.LocalEngine, name, spy_map)

    spy("_map")
    spy("_map_as_done")  # verification's tasks, taken as each is done
    return used


def _force_pool(monkeypatch, *, batch: int) -> None:
    """The pool for any input of two documents or more, verification in tasks of ``batch`` pairs."""
    monkeypatch.setattr(local, "MIN_DOCS_FOR_POOL", 2)
    monkeypatch.setattr(local, "MIN_PAIRS_FOR_POOL", 1)
    monkeypatch.setattr(local, "MIN_DOCS_TO_PREPARE", 1)
    monkeypatch.setattr(local, "VERIFY_BATCH", batch)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_verify_pool_path_matches_in_process(monkeypatch):
    docs = _verify_corpus()
    n = len(docs)
    lone = word_salad(900, 77)  # a pair of its own: one task meets both documents
    docs += [Document("lone", lone), Document("lone-copy", "Headline\n\n" + lone[:600])]
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)] + [(n, n + 1)], dtype=np.int64)
    params = FingerprintParams()
    with LocalEngine(docs, params, workers=1) as e1:
        stock = stock_hashes(e1.fingerprints(lambda d, t: None))
        one = e1.verify(pairs, stock, lambda d, t: None)
    _force_pool(monkeypatch, batch=4)  # many small tasks, so order and completeness matter
    used = _spy_on_pool(monkeypatch)
    real_verify = local.verify
    spans = local._verify_spans(len(pairs), 2, 4)
    ordered = pairs[local._local_permutation(pairs)]
    met: dict[int, set[int]] = {}
    for k, (lo, hi) in enumerate(spans):
        for i in ordered[lo:hi].ravel().tolist():
            met.setdefault(i, set()).add(k)
    shared = {i for i, ks in met.items() if len(ks) > 1}

    from dedup.verify import profile as built

    def verify_from_stored(a, b, *, pa, pb, **kw):
        # the workers load what the first phase stored, and build the rest themselves
        # (verify.profile's cached profile), passing both by index
        assert (pa is not built(a)) == (docs.index(a) in shared) and (pb is not built(b)) == (docs.index(b) in shared)
        return real_verify(a, b, pa=pa, pb=pb, **kw)

    monkeypatch.setattr(local, "verify", verify_from_stored)
    with LocalEngine(docs, params, workers=2) as e2:
        two = e2.verify(pairs, stock, lambda d, t: None)
        # each document that several tasks meet was prepared once, for all workers
        assert set(local._PREPARED) == shared and n - 1 in shared and n not in shared
    assert not local._PREPARED  # and let go with the pool
    prepare_tasks = -(-len(shared) // max(1, -(-len(shared) // 8)))
    # the pool prepared the documents, then ran the verification
    assert used == [(True, prepare_tasks), (True, len(local._verify_spans(len(pairs), 2, 4)))]
    kinds = {str(r.kind) for r in one}
    assert {"reprint", "partial"} <= kinds and len(one) < len(pairs)  # related and unrelated pairs
    assert two == one  # same relations (kinds, scores, evidence, reasons), in the same order


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_few_shared_documents_are_not_worth_a_prepare_phase(monkeypatch):
    docs = _verify_corpus()
    n = len(docs)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    _force_pool(monkeypatch, batch=4)
    monkeypatch.setattr(local, "MIN_DOCS_TO_PREPARE", n + 1)  # more than there are to share
    used = _spy_on_pool(monkeypatch)
    with LocalEngine(docs, FingerprintParams()) as e:
        e.workers = 2
        e._fork()
        got = e.verify(pairs, frozenset(), lambda d, t: None)
        assert not local._PREPARED  # each worker prepared what it met, as before
    assert used == [(True, len(local._verify_spans(len(pairs), 2, 4)))]  # no prepare tasks
    assert got


@pytest.mark.parametrize("total,workers,batch", [(0, 2, 4), (3, 2, 4), (100, 2, 4), (185_830, 2, 512), (10_000, 8, 512)])
def test_verify_spans_are_contiguous_largest_first(total, workers, batch):
    spans = local._verify_spans(total, workers, batch)
    if not total:
        assert spans == []
        return
    assert [lo for lo, _ in spans] == [0] + [hi for _, hi in spans[:-1]]  # contiguous, in order
    assert (spans[-1][1] if spans else 0) == total  # every pair once
    sizes = [hi - lo for lo, hi in spans]
    assert sizes == sorted(sizes, reverse=True)  # largest first
    assert all(s >= batch for s in sizes[:-1])
    if total >= 100 * batch * workers:
        assert sizes[0] == total // (local.VERIFY_PARTS * workers)  # a share of the whole, not a batch
        assert len(spans) < total / batch / 4  # far fewer tasks than batches


@pytest.mark.parametrize("workers", [2, 4])
def test_verify_spans_share_out_the_expected_cost(workers):
    # the costly pairs (likely relations) cluster at the start of the local order: shared out by
    # pairs, the first task held 52% of the 20k-article folder's verification
    rng = np.random.default_rng(7)
    total, batch = 50_000, 512
    cost = np.where(np.arange(total) < 8_000, 15.0, 1.0) * rng.uniform(0.8, 1.2, total)
    spans = local._verify_spans(total, workers, batch, cost)
    assert [lo for lo, _ in spans] == [0] + [hi for _, hi in spans[:-1]] and spans[-1][1] == total
    assert all(hi - lo >= batch for lo, hi in spans[:-1])
    shares = [cost[lo:hi].sum() / cost.sum() for lo, hi in spans]
    assert max(shares) <= 1.2 / (local.VERIFY_PARTS * workers)  # about a 1/(parts x workers) share at most
    by_pairs = local._verify_spans(total, workers, batch)
    assert cost[slice(*by_pairs[0])].sum() / cost.sum() > 2 * max(shares)  # what sharing pairs out gave


def test_likely_related_pairs_are_costed_higher():
    from dedup.candidates import MIN_SHARED_SAMPLES, CandidateSet

    cs = CandidateSet(pairs=np.array([[0, 1], [0, 2], [1, 2], [2, 3]]), verbatim=np.array([True, False, False, False]),
                      content=np.array([False, True, True, True]),
                      shared_samples=np.array([0, MIN_SHARED_SAMPLES, MIN_SHARED_SAMPLES - 1, 0], dtype=np.int32))
    assert local.pair_costs(cs).tolist() == [local.LIKELY_RELATED_COST, local.LIKELY_RELATED_COST, 1.0, 1.0]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_scan_with_verify_pool_matches_in_process(monkeypatch):
    docs = _verify_corpus()
    one = scan_documents(docs, workers=1)
    _force_pool(monkeypatch, batch=2)
    used = _spy_on_pool(monkeypatch)
    two = scan_documents(docs, workers=2)
    assert len(used) >= 2 and all(pool for pool, _ in used)  # fingerprints and verification in the pool
    assert any(r.kind.derived for r in one.relations)
    assert two.relations == one.relations
    assert two.stories == one.stories and two.events == one.events


# --- reading files on all cores --------------------------------------------------------------


def _mixed_folder(root, seeds_dir):
    import json
    import shutil

    (root / "sub").mkdir()
    for k, p in enumerate(sorted(seeds_dir.glob("*.txt"))):
        shutil.copy(p, root / ("sub" if k % 2 else ".") / p.name)
    (root / "page.html").write_text("<html><head><title>T</title></head><body><article><p>"
                                    + "Officials said the bridge would reopen on Monday after repairs. " * 8
                                    + "</p></article></body></html>", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (root / "latin.md").write_bytes("Caf\xe9 owners said prices rose again this week in the city centre.".encode("cp1252"))
    (root / "records.jsonl").write_text(json.dumps({"id": "r1", "text": "A record read in order."}) + "\n{bad\n",
                                        encoding="utf-8")
    (root / "one.json").write_text(json.dumps({"id": "page.html", "text": "A record whose id clashes."}), encoding="utf-8")
    (root / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (root / "notes.xyz").write_text("unsupported", encoding="utf-8")


def test_parallel_read_gives_the_sequential_items_in_order(tmp_path, seeds_dir, monkeypatch):
    from dedup.engines import local
    from dedup.ingest import IngestOptions, read_inputs

    _mixed_folder(tmp_path, seeds_dir)
    single = tmp_path / "sub" / sorted(p.name for p in (tmp_path / "sub").glob("*.txt"))[0]
    paths = [str(tmp_path), str(single), str(tmp_path / "missing.txt")]
    want = list(read_inputs(paths, options=IngestOptions()))
    assert any(isinstance(x, Skipped) for x in want) and sum(isinstance(x, Document) for x in want) >= 8

    pools = []
    real_context = local.mp.get_context

    def spy_context(method):
        ctx = real_context(method)

        class Spy:
            def Pool(self, *a, **k):
                pools.append(k)
                return ctx.Pool(*a, **k)

        return Spy()

    monkeypatch.setattr(local, "MIN_DOCS_FOR_POOL", 1)
    monkeypatch.setattr(local, "READ_BATCH", 1)
    monkeypatch.setattr(local.mp, "get_context", spy_context)
    got = list(local.read_parallel(paths, IngestOptions(), workers=2))
    assert len(pools) == 1  # the files were read by the pool
    assert got == want
    assert list(local.read_parallel(paths, IngestOptions(), workers=1)) == want
    assert len(pools) == 1


def test_parallel_read_stops_on_binary_when_asked(tmp_path, seeds_dir, monkeypatch):
    from dedup.engines import local
    from dedup.errors import InputError
    from dedup.ingest import IngestOptions

    _mixed_folder(tmp_path, seeds_dir)
    monkeypatch.setattr(local, "MIN_DOCS_FOR_POOL", 1)
    with pytest.raises(InputError, match="binary.txt"):
        list(local.read_parallel([str(tmp_path)], IngestOptions(skip_binary=False), workers=2))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
@pytest.mark.parametrize("pool", [False, True])
def test_credits_sent_back_by_verification_are_the_whole_texts_credits(monkeypatch, pool):
    """Stories weigh each member's credits over its whole text. Verification sends back the credits
    it read for the documents of derived relations; one longer than verify reads (MAX_VERIFY_CHARS)
    must not be taken from there: its credit lies past the cap."""
    from dedup.credits import wire_credits
    from dedup.verify import MAX_VERIFY_CHARS

    docs = _verify_corpus()
    body = word_salad(MAX_VERIFY_CHARS, 901)
    long_text = body + "\n\nThe minister told AFP on Sunday that the talks would resume."
    docs += [Document("long", long_text), Document("long-copy", "Headline\n\n" + body[:3000])]
    assert wire_credits(long_text, ()) and not wire_credits(long_text[:MAX_VERIFY_CHARS], ())
    n = len(docs)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    if pool:
        _force_pool(monkeypatch, batch=8)
    sent: dict[int, tuple] = {}
    real_task = local._verify_task

    def spy_task(args):
        rels, credits = real_task(args)
        sent.update(credits)
        return rels, credits

    if not pool:  # the pool's workers run the module's own function; in process, spy on what it sends
        monkeypatch.setattr(local, "_verify_task", spy_task)
    with LocalEngine(docs, FingerprintParams(), workers=2 if pool else 1) as e:
        assert (e._pool is not None) == pool
        rels = e.verify(pairs, frozenset(), lambda d, t: None)
        at = {d.id: i for i, d in enumerate(docs)}
        members = sorted({at[x] for r in rels if r.kind.derived for x in (r.a, r.b)})
        got = e.credits(members)
        from_verification = dict(e._credits)
    assert at["long-copy"] in members
    long_i = at["long"]
    assert long_i in members and long_i not in from_verification
    assert got == {i: wire_credits(docs[i].text, docs[i].zones) for i in members}
    # every member verify reads whole came back from verification; the others were read whole
    assert set(from_verification) == set(members) - {long_i}
    if not pool:
        assert sent == from_verification


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_pool_workers_skip_cyclic_collection_and_the_freeze_is_undone():
    """The heap is frozen before the pool forks (the workers' collections then skip what they
    inherit), the workers collect no cycles, and leaving the engine unfreezes the heap unless
    the caller had frozen it first."""
    import gc

    docs = _corpus()
    assert gc.get_freeze_count() == 0
    with LocalEngine(docs, FingerprintParams(), workers=2) as e:
        assert e._pool is not None
        assert gc.get_freeze_count() > 0
        assert e._pool.apply(gc.isenabled) is False
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.freeze()  # the caller's own freeze (a service that froze its start-up heap) stays
    try:
        held = gc.get_freeze_count()
        with LocalEngine(docs, FingerprintParams(), workers=2):
            pass
        assert gc.get_freeze_count() >= held
    finally:
        gc.unfreeze()


def test_pool_workers_leave_ctrl_c_to_the_scan():
    # Ctrl-C reaches the whole process group: each worker printed a KeyboardInterrupt traceback
    # before the scan's own "Aborted!"; the scan's process stops the pool
    import multiprocessing as mp
    import signal

    from dedup.engines import local

    for init, args in ((local._start_worker, ()), (local._set_read_options, (local._READ_OPTIONS,))):
        with mp.get_context("fork").Pool(1, initializer=init, initargs=args) as pool:
            assert pool.apply(signal.getsignal, (signal.SIGINT,)) == signal.SIG_IGN


def _slow_first(task: int) -> int:
    if task == 0:
        import time

        time.sleep(1.0)
    return task * 10


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the pool forks")
def test_verification_progress_moves_while_its_first_task_is_at_work(monkeypatch):
    # the first verification task is the largest (and on the 20k-article folder half the work):
    # taken in order, the verify step's progress stood at 0 for all its 10 s, then jumped to the end
    monkeypatch.setattr(local, "MIN_DOCS_FOR_POOL", 2)
    with LocalEngine(_verify_corpus(), FingerprintParams(), workers=2) as e:
        got = list(e._map_as_done(_slow_first, [0, 1, 2, 3], True))
    assert got[-1] == (0, 0) and sorted(got) == [(0, 0), (1, 10), (2, 20), (3, 30)]

"""Crashes and concurrent writers, on both backends, with real processes.

* A writer killed with SIGKILL mid-batch: every batch it acknowledged is there,
  and the index opens cleanly with no half-written entry.
* Several processes check --add at once, all submitting one shared story: no
  insert is lost and exactly one copy of the story is admitted.
"""

import os
import signal
import subprocess
import sys
import zlib

import pytest

from dedup.index import Index
from dedup.records import Document
from index_support import REPO, article

SUPPORT = os.path.join(os.path.dirname(__file__), "index_support.py")


def _spawn(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, SUPPORT, *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _ready(proc):
    line = proc.stdout.readline().strip()
    assert line == "ready", f"worker did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"


def _go(procs):
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()


@pytest.mark.timeout(180)
def test_writer_killed_mid_batch_loses_no_acknowledged_document(index_url):
    Index.open(index_url).close()  # create it first, so the worker only writes documents
    proc = _spawn("add", index_url, "crash", 100_000)
    try:
        _ready(proc)
        _go([proc])
        acked: list[str] = []
        while len(acked) < 40:  # five batches acknowledged, the sixth under way
            line = proc.stdout.readline()
            assert line, f"worker died early: {proc.stderr.read()}"
            acked += line.split()
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        acked += rest.split()  # acknowledged before the kill, still in the pipe
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with Index.open(index_url, create=False) as index:
        assert index.integrity() == []
        stats = index.stats()
        assert stats.documents >= len(acked)
        assert stats.documents % 8 == 0, "a batch is one transaction: all of it or none of it"
        present = set(index.ids())
        assert set(acked) <= present
        for doc_id in acked[:: max(1, len(acked) // 10)]:
            assert index.get(doc_id).text == article(zlib.crc32(doc_id.encode()))
        # the index takes further writes, including the ids the dead batch may have half-written
        i = stats.documents
        nxt = Document(id=f"crash-{i}", text=article(zlib.crc32(f"crash-{i}".encode())))
        (d,) = index.add([nxt], relate=False)
        assert d.added and index.stats().documents == stats.documents + 1


@pytest.mark.timeout(240)
def test_concurrent_writers_admit_one_copy_and_lose_nothing(index_url):
    workers, n_own = 4, 12
    Index.open(index_url).close()
    procs = [_spawn("admit", index_url, f"w{k}", n_own, 424242) for k in range(workers)]
    try:
        for p in procs:
            _ready(p)
        _go(procs)
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=200)
            assert p.returncode == 0, err
            outs.append(out)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    rows = [line.split() for out in outs for line in out.splitlines()]
    assert len(rows) == workers * (n_own + 1)
    story = [r for r in rows if r[0].endswith("-story")]
    own = [r for r in rows if "-own-" in r[0]]
    assert sum(int(r[2]) for r in story) == 1, f"the shared story was admitted {story}"
    assert sorted(r[1] for r in story) == ["duplicate"] * (workers - 1) + ["new"]
    assert all(r[1] == "new" and r[2] == "1" for r in own)
    with Index.open(index_url, create=False) as index:
        assert index.integrity() == []
        assert index.stats().documents == workers * n_own + 1
        ids = set(index.ids())
        assert {r[0] for r in own} <= ids
        log = index.audit()
        assert len(log) == workers * (n_own + 1)
        admitted = [e for e in log if e.id.endswith("-story") and e.added]
        assert len(admitted) == 1

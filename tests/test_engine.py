"""The forked pool gives what the in-process path gives."""

from __future__ import annotations

import random

import pytest
from conftest import word_salad

from dedup.engines.local import MIN_DOCS_FOR_POOL, LocalEngine
from dedup.params import FingerprintParams
from dedup.records import Document
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

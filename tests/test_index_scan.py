"""The index answers as `dedup scan` does: the same relations for the same documents."""

import pytest

from dedup.index import Index
from dedup.ingest import read_inputs
from dedup.records import Document, RelationKind
from dedup.scan import scan
from conftest import SEEDS


def _pairs_from_scan(result):
    return {tuple(sorted((r.a, r.b))): RelationKind(r.kind) for r in result.relations}


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_indexing_one_by_one_gives_the_relations_scan_gives(index_url, order):
    docs = [d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)]
    assert len(docs) >= 5
    expected = _pairs_from_scan(scan([str(SEEDS)]))
    assert expected, "the seeds hold copies of one story"
    if order == "backward":
        docs = docs[::-1]
    answered = {}
    with Index.open(index_url, drift=False) as index:
        for doc in docs:  # one by one: each is checked against the ones before it
            checked = index.check(doc)
            (added,) = index.add([doc])
            assert added.added
            assert [(m.a, m.kind) for m in added.matches] == [(m.a, m.kind) for m in checked.matches]
            for rel in checked.matches:
                assert rel.b == doc.id
                answered[tuple(sorted((rel.a, rel.b)))] = RelationKind(rel.kind)
        recorded = {(a, b): RelationKind(k) for a, b, k, _ in index.relations()}
    # what check answered is what the scan found for those pairs, and together with the pairs
    # completed inside small groups (as the scan completes them) it is everything the scan found
    assert {p: expected.get(p) for p in answered} == answered
    assert recorded == expected


@pytest.mark.parametrize("drift_matches", [1, 99], ids=["closest-drift", "all-drift"])
def test_check_decision_is_the_closest_relation(tmp_path, drift_matches):
    docs = [d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)]
    most = 0
    with Index.open(str(tmp_path / "i.db"), drift_matches=drift_matches) as index:
        # related on the way in, so a check also verifies the group of what it matches (as the
        # scan completes small groups), not only the documents its own fingerprints propose
        index.add(docs[:2])
        for doc in docs[2:]:
            d = index.check(doc)
            if d.matches:
                assert d.decision == d.matches[0].kind
                derived = [m for m in d.matches if RelationKind(m.kind).derived]
                most = max(most, len(derived))
                for k, m in enumerate(derived):
                    if k < drift_matches:  # the closest derived matches carry a drift summary
                        assert m.drift is not None and m.drift.source == m.a and m.drift.copy == doc.id
                    else:
                        assert m.drift is None
            else:
                assert d.decision == "new"
    assert most >= 2, "some check finds more than one copy"


HOUSE = ("This report was prepared by the newsroom desk and may be republished by subscribers only under the "
         "terms of their syndication agreement with the agency including the attribution line and the "
         "correction policy printed at the foot of every wire story distributed to members")


def test_house_text_held_by_unrelated_documents_is_stock_as_in_the_scan(index_url):
    """A paragraph many unrelated indexed stories end with is stock text (the index derives the
    stock set from its postings), so sharing it makes no passage reuse, as in the scan."""
    from index_support import article

    from dedup.scan import scan_documents

    holders = [Document(id=f"h{i}", text=article(1000 + i, 250) + " " + HOUSE) for i in range(8)]
    query = Document(id="q", text=article(2000, 250) + " " + HOUSE)
    expected = {r.a if r.b == "q" else r.b: RelationKind(r.kind)
                for r in scan_documents([*holders, query]).relations if "q" in (r.a, r.b)}
    with Index.open(index_url, drift=False) as index:
        index.add(holders[:1], relate=False)
        # one other holder: the shared paragraph is a passage reuse
        assert [(m.a, RelationKind(m.kind)) for m in index.check(query).matches] == [("h0", RelationKind.PARTIAL)]
        index.add(holders[1:], relate=False)
        got = {m.a: RelationKind(m.kind) for m in index.check(query).matches}
    assert got == expected
    assert RelationKind.PARTIAL not in got.values()


def test_threads_sharing_one_index_answer_as_one_thread_does(tmp_path):
    """The service's threads share one Index (and its caches, stock verdicts, connections per
    thread): concurrent checks give the decisions a single thread gives."""
    from concurrent.futures import ThreadPoolExecutor

    docs = [d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)]

    def answer(d):
        return d.decision, [(m.a, str(m.kind), round(m.score, 9), m.drift is not None) for m in d.matches]

    with Index.open(str(tmp_path / "serial.db")) as index:
        index.add(docs[: len(docs) // 2], relate=False)
        serial = [answer(index.check(d)) for d in docs]
    with Index.open(str(tmp_path / "threads.db")) as index:
        index.add(docs[: len(docs) // 2], relate=False)
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda d: answer(index.check(d)), docs * 4))
    assert got == serial * 4
    assert any(m for _, m in serial)

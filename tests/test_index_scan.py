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


def test_check_decision_is_the_closest_relation(tmp_path):
    docs = [d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)]
    with Index.open(str(tmp_path / "i.db")) as index:
        index.add(docs[:1], relate=False)
        for doc in docs[1:]:
            d = index.check(doc)
            if d.matches:
                assert d.decision == d.matches[0].kind
                derived = [m for m in d.matches if RelationKind(m.kind).derived]
                for m in derived:
                    assert m.drift is not None and m.drift.source == m.a and m.drift.copy == doc.id
            else:
                assert d.decision == "new"

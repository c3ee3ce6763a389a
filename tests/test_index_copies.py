"""The filter remembers the copies it refuses: a later article that resembles only a refused
copy still finds the story (a scan links them through the copy; a filter does not index it).

Seed 003 rewrites part of AFP's story (000) and adds other agencies' material; alone, it and
000 share too little for their LSH views to propose them. Fed in file order with add=True,
001 (a full paraphrase of 000) and 002#1 (another outlet's report reusing 000's captions) are
refused as copies of 000; 003 resembles 001 and 004 resembles 002#1."""

from dataclasses import replace

import pytest

from dedup.index import Index
from dedup.index.store import STORE_SCHEMA_VERSION
from dedup.ingest import read_inputs
from dedup.records import Document


@pytest.fixture(scope="module")
def feed(seeds_dir):
    return sorted((d for d in read_inputs([str(seeds_dir)]) if isinstance(d, Document)), key=lambda d: d.id)


def _short(doc_id: str) -> str:
    """'002_ceff...txt#1' -> '002#1'"""
    return doc_id[:3] + ("#" + doc_id.rsplit("#", 1)[1] if "#" in doc_id else "")


def _ids(feed):
    return {_short(d.id): d for d in feed}


def _decisions(index, docs):
    return {_short(d.id): (dec.decision, dec.added, _short(dec.matches[0].a) if dec.matches else None)
            for d, dec in ((d, index.check(d, add=True)) for d in docs)}


def test_a_partial_rewrite_is_caught_through_the_refused_paraphrase(index_url, feed):
    with Index.open(index_url, drift=False) as index:
        assert _decisions(index, feed) == {
            "000": ("new", True, None),
            "001": ("rewrite", False, "000"),
            "002#1": ("partial", False, "000"),
            "002#2": ("new", True, None),  # the Libya story
            "003": ("rewrite", False, "000"),  # was "new": nothing linked it to 000
            "004": ("same-event", True, "000"),  # was "new" (admitted either way): Reuters' own report
        }
        assert index.integrity() == []


def test_without_the_refused_copies_the_partial_rewrite_is_new(index_url, feed):
    # what the copies add: 003 against 000 alone shares no band (content Jaccard ~0.26)
    s = _ids(feed)
    with Index.open(index_url, drift=False) as index:
        index.add([s["000"]])
        assert index.check(s["003"]).decision == "new"


def test_a_storys_copy_postings_go_with_it(index_url, feed):
    s = _ids(feed)
    with Index.open(index_url, drift=False) as index:
        st = index.stats()
        assert (st.copy_band_postings, st.copy_sample_postings) == (0, 0)
        _decisions(index, [s["000"], s["001"]])
        assert index.check(s["003"]).decision == "rewrite"
        # counted in the stats: the refused paraphrase's distinct keys, each once for its story
        st = index.stats()
        kept = index._fingerprint([s["001"]])[0]
        assert 0 < st.copy_band_postings <= len(set(index._keys(kept).tolist()))
        assert 0 < st.copy_sample_postings <= len(set(kept.sample.tolist()))
        _decisions(index, [s["001"]])  # refused again: nothing more kept
        again = index.stats()
        assert (again.copy_band_postings, again.copy_sample_postings) == (st.copy_band_postings, st.copy_sample_postings)
        # replaced by another text: the refused paraphrase was a copy of the old one
        index.add([Document(id=s["000"].id, text=s["004"].text)])
        assert index.check(s["003"]).decision != "rewrite"
        assert index.integrity() == []
        st = index.stats()
        assert (st.copy_band_postings, st.copy_sample_postings) == (0, 0)
        index.remove(s["000"].id)
        assert index.check(s["003"]).decision == "new" and index.integrity() == []


def test_an_index_of_store_layout_3_is_upgraded_in_place_and_pages_ids_on_an_index(index_url, feed):
    # PostgreSQL compared ids in the database's collation and sorted them byte-wise: every id
    # after the one asked for was sorted (25 ms a call at 100k documents; each add asks, for the
    # stories of its article), and under a collation such as en_US pages skipped or repeated ids
    s = _ids(feed)
    postgres = index_url.startswith("postgres")
    with Index.open(index_url, drift=False) as index:
        index.add([s["000"]])
        with index.store.transaction(write=True) as tx:
            if postgres:
                tx.c.execute("DROP INDEX docs_id_c")
            tx.c.execute("UPDATE meta SET value = '3' WHERE key = 'store_schema'")
    with Index.open(index_url, drift=False) as index:
        assert index.store.read_meta()["store_schema"] == str(STORE_SCHEMA_VERSION) == "4"
        index.add([replace(s["001"], id="a#1"), replace(s["003"], id="a-1"), replace(s["004"], id="a_1")])
        with index.store.transaction(write=False) as tx:
            assert tx.ids(after="a#") == ["a#1", "a-1", "a_1"]  # byte order, as SQLite's
            assert tx.ids(after="a#1", limit=1) == ["a-1"]
        if postgres:  # a table this small is read whole; asked not to, the planner shows what serves the order
            with index.store.transaction(write=True) as tx:
                tx.c.execute("SET LOCAL enable_seqscan = off")
                plan = " ".join(r[0] for r in tx.c.execute(
                    'EXPLAIN SELECT id FROM docs WHERE id COLLATE "C" > %s ORDER BY id COLLATE "C" LIMIT 16', ("a#",)))
            assert "docs_id_c" in plan and "Sort" not in plan, plan
        assert index.integrity() == []


def test_an_index_of_store_layout_2_is_upgraded_in_place(index_url, feed):
    s = _ids(feed)
    with Index.open(index_url, drift=False) as index:
        index.add([s["000"]])
        with index.store.transaction(write=True) as tx:
            for stmt in ("DROP TABLE copy_bands", "DROP TABLE copy_samples",
                         "UPDATE meta SET value = '2' WHERE key = 'store_schema'"):
                tx.c.execute(stmt)
    with Index.open(index_url, drift=False) as index:
        assert index.store.read_meta()["store_schema"] == str(STORE_SCHEMA_VERSION) == "4"
        assert _decisions(index, [s["001"], s["003"]])["003"] == ("rewrite", False, "000")
        assert index.integrity() == []


def test_stories_of_copies_takes_a_band_or_enough_samples_most_shared_first():
    # copied_stories ranks the copy postings by the candidates' own rule
    from dedup.index.store import rank_candidates

    bands = [(1, 10), (2, 10), (3, 20)]
    # seq 30: two samples; seq 40: one; hash 9 is held by 3 copies' stories (over max_postings=2)
    samples = [(5, 30), (6, 30), (7, 40), (9, 50), (9, 51), (9, 52), (8, 50)]
    ranked = rank_candidates(bands, samples, min_shared_samples=2, max_postings=2, limit=None)
    assert [seq for seq, _, _ in ranked] == [10, 30, 20]

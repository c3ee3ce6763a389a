"""The index stores each document's verification data (verify.dump_prepared) and a check
loads its candidates' profiles from it: the same answers as computing them, on every
backend; rows without it (an index of store layout 1, upgraded in place when opened), with
bytes of another PREPARED_VERSION or damaged bytes are verified by computing, never an error."""

import sqlite3
from dataclasses import replace

import pytest

from dedup import verify as V
from dedup.index import Index
from dedup.index.store import STORE_SCHEMA_VERSION
from dedup.records import Document, RelationKind, Zone
from index_support import article


def _corpus(seeds):
    """Indexed: three seeds (copies of one story), one with a caption zone, and unrelated
    articles; queries: the other seeds, trimmed and edited copies of the indexed ones, and
    unrelated articles."""
    s = [seeds[i] for i in range(5)]
    cut = s[2].text.index("\n", len(s[2].text) // 2)
    indexed = [s[0], s[1], replace(s[2], zones=(Zone(0, cut, "caption"),))]
    indexed += [Document(id=f"other-{i}", text=article(500 + i)) for i in range(6)]
    words = s[0].text.split(" ")
    queries = [
        s[3],
        s[4],
        Document(id="q-trim", text=" ".join(words[: int(len(words) * 0.8)])),
        Document(id="q-edit", text=s[1].text.replace("Pakistan", "Afghanistan").replace("said", "told reporters")),
        Document(id="q-other", text=article(503)[:1500]),
        Document(id="q-new", text=article(900)),
    ]
    return indexed, queries


def _answers(decisions):
    return [replace(d, audit_seq=None) for d in decisions]


def _execute(index, sql, args=()):
    """Run one statement on the index's own database, in a write transaction."""
    with index.store.transaction(write=True) as tx:
        tx.c.execute(sql, args)


def _build(url, indexed, *, bulk=False):
    with Index.open(url) as index:
        if bulk:
            index.bulk_load(indexed)
        else:
            index.add(indexed)  # related on the way in: pairs recorded, groups completed


def _checks(url, queries):
    """Each query checked alone, then all together (one read transaction), then with --add."""
    with Index.open(url) as index:
        one = _answers(index.check(q) for q in queries)
        many = _answers(index.check_many(queries))
        added = _answers(index.check(replace(q, id="add-" + q.id), add=True) for q in queries)
        return one, many, added, dict(index.prepared_counts)


def test_every_insert_path_stores_the_verification_data(index_url, seeds):
    indexed, queries = _corpus(seeds)
    with Index.open(index_url) as index:
        index.add(indexed[:3])  # related
        index.add(indexed[3:6], relate=False)  # bulk add
        assert index.check(queries[-1], add=True).added  # admitted by a check
        changed = [replace(indexed[5], text=article(777)), replace(indexed[4], text=article(778))]
        assert index.add(changed[:1])[0].updated  # new text under an indexed id: an update
        assert index.add(changed[1:], relate=False)[0].updated  # the same, not related
        for d in [*indexed[:4], queries[-1], *changed]:
            stored = index.get_stored(d.id)
            assert stored.doc.text == d.text
            assert stored.prepared == V.dump_prepared(d), d.id


def test_bulk_load_stores_the_verification_data(index_url, seeds):
    indexed, _ = _corpus(seeds)
    with Index.open(index_url) as index:
        index.bulk_load(indexed, chunk=4)
        assert [index.get_stored(d.id).prepared for d in indexed] == [V.dump_prepared(d) for d in indexed]


def test_bulk_load_can_leave_the_verification_data_to_the_checks(index_url, seeds):
    indexed, queries = _corpus(seeds)
    with Index.open(index_url) as index:
        index.bulk_load(indexed, prepare=False)
        assert [index.get_stored(d.id).prepared for d in indexed] == [None] * len(indexed)
        index.check_many(queries)
        assert index.prepared_counts["missing"] >= 3 and "loaded" not in index.prepared_counts


@pytest.mark.parametrize("bulk", [False, True], ids=["add", "bulk-load"])
def test_checks_answer_the_same_with_and_without_stored_data(index_url, seeds, bulk):
    """The same checks (alone, together, with --add; drift included) on an index with stored
    data and on the same index with the column nulled give equal decisions, and the first loads
    its candidates' profiles instead of computing them."""
    indexed, queries = _corpus(seeds)
    _build(index_url, indexed, bulk=bulk)
    *stored, counts = _checks(index_url, queries)
    assert counts.get("loaded", 0) >= 3 and set(counts) == {"loaded"}
    assert any(d.matches and RelationKind(d.matches[0].kind).derived for d in stored[0])
    assert any(m.drift is not None for d in stored[0] for m in d.matches)
    with Index.open(index_url) as index:
        # the --add copies are removed, so the second run sees the index the first one saw
        for q in queries:
            index.remove("add-" + q.id)
        _execute(index, "UPDATE docs SET prepared = NULL")
    *computed, counts = _checks(index_url, queries)
    # (the --add copies of this run are stored with their data, and later queries load them)
    assert counts.get("missing", 0) >= 3
    assert computed[0] == stored[0] and computed[1] == stored[1] and computed[2] == stored[2]


def test_bytes_of_another_version_or_damaged_are_computed_instead(index_url, seeds):
    indexed, queries = _corpus(seeds)
    _build(index_url, indexed)
    *want, _ = _checks(index_url, queries)
    with Index.open(index_url) as index:
        for q in queries:
            index.remove("add-" + q.id)
        blob = index.get_stored(indexed[0].id).prepared
        other_version = blob[:3] + bytes([V.PREPARED_VERSION + 1]) + blob[4:]
        ph = "?" if index.store.backend == "sqlite" else "%s"
        _execute(index, f"UPDATE docs SET prepared = {ph} WHERE id = {ph}", (other_version, indexed[0].id))
        _execute(index, f"UPDATE docs SET prepared = {ph} WHERE id = {ph}", (b"DDV damaged", indexed[1].id))
        # the stored bytes of another text (a row copied by hand, say) are refused too
        other_text = index.get_stored(indexed[4].id).prepared
        _execute(index, f"UPDATE docs SET prepared = {ph} WHERE id = {ph}", (other_text, indexed[2].id))
    *got, counts = _checks(index_url, queries)
    assert got == want
    assert counts["other_version"] >= 1 and counts["malformed"] >= 2 and counts["loaded"] >= 1


def test_an_updated_document_is_never_verified_with_its_old_profile(index_url, seeds):
    """Loaded profiles are cached by id and text digest: new text under an indexed id (written
    by another opening of the index) is loaded afresh, and answers as a fresh process does."""
    words = seeds[0].text.split(" ")
    q = Document(id="q", text=" ".join(words[: int(len(words) * 0.8)]))
    with Index.open(index_url) as index, Index.open(index_url) as other:
        index.add([seeds[0]])
        before = index.check(q)
        assert before.matches and before.matches[0].a == seeds[0].id
        other.add([replace(seeds[0], text=article(31))])  # the id now holds an unrelated text
        after = index.check(q)
    with Index.open(index_url) as fresh:
        assert _answers([after]) == _answers([fresh.check(q)])
    assert after.decision == "new"


_OLD_SQLITE_DOCS = """CREATE TABLE docs (
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
    updated_at TEXT NOT NULL
)"""
_OLD_COLUMNS = "seq, id, digest, doc, minhash, content_minhash, sample, band_keys, n_shingles, n_content, added_at, updated_at"


def _make_layout_1(url: str) -> None:
    """Turn the index at ``url`` into one of store layout 1: the docs table of that layout
    (SQLite: its DDL, the rows copied over; PostgreSQL: the column dropped) and its meta."""
    if "://" not in url:
        c = sqlite3.connect(url, isolation_level=None)
        c.execute("BEGIN")
        c.execute(_OLD_SQLITE_DOCS.replace("TABLE docs", "TABLE docs_old"))
        c.execute(f"INSERT INTO docs_old ({_OLD_COLUMNS}) SELECT {_OLD_COLUMNS} FROM docs")
        c.execute("DROP TABLE docs")
        c.execute("ALTER TABLE docs_old RENAME TO docs")
        c.execute("UPDATE meta SET value = '1' WHERE key = 'store_schema'")
        c.execute("COMMIT")
        assert "prepared" not in [r[1] for r in c.execute("PRAGMA table_info(docs)")]
        c.close()
        return
    with Index.open(url) as index:
        _execute(index, "ALTER TABLE docs DROP COLUMN prepared")
        _execute(index, "UPDATE meta SET value = '1' WHERE key = 'store_schema'")


def test_an_index_of_store_layout_1_is_upgraded_in_place_and_answers_the_same(index_url, seeds):
    indexed, queries = _corpus(seeds)
    _build(index_url, indexed)
    with Index.open(index_url) as index:
        want = _answers(index.check_many(queries))
    _make_layout_1(index_url)
    with Index.open(index_url) as index:
        assert index.store.read_meta()["store_schema"] == str(STORE_SCHEMA_VERSION)
        assert _answers(index.check_many(queries)) == want
        assert index.prepared_counts["missing"] >= 3 and "loaded" not in index.prepared_counts
        # rows written from now on carry the data
        index.add([queries[-1]])
        assert index.get_stored(queries[-1].id).prepared == V.dump_prepared(queries[-1])
        assert index.get_stored(indexed[0].id).prepared is None
        assert index.integrity() == []
    with Index.open(index_url, create=False) as index:  # opened again: nothing left to upgrade
        assert _answers(index.check_many(queries[:-1])) == want[:-1]

"""The benchmark loaders, oracle and syndication generator (not the benchmarks themselves)."""

import itertools
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data, oracle  # noqa: E402

# --- loaders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"line one\r\nline two\r\n", "line one\nline two\n"),
        (b"caf\xc3\xa9", "caf\u00e9"),
        (b"\xef\xbb\xbfbom", "bom"),
        (b"smart \x93quotes\x94", "smart \u201cquotes\u201d"),  # Windows-1252
        (b"old\rmac", "old\nmac"),
    ],
    ids=["crlf", "utf8", "bom", "cp1252", "cr"],
)
def test_decode(raw, expected):
    assert data.decode(raw) == expected


SGML = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="7">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TEXT>&#2;
<TITLE>BAHIA COCOA &lt;REVIEW&gt;</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued &amp; helped.
    Second paragraph.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="8">
<DATE>garbled</DATE>
<TEXT TYPE="BRIEF">&#2;
<TITLE>NO BODY HERE</TITLE>
&#3;</TEXT>
</REUTERS>
"""


def test_reuters_sgml_keeps_records_with_a_body():
    docs = list(data.parse_reuters_sgml(SGML))
    assert [d.id for d in docs] == ["reuters-7"]
    d = docs[0]
    assert d.title == "BAHIA COCOA <REVIEW>"
    assert d.published == "1987-02-26T15:01:01"
    assert d.text.startswith("SALVADOR, Feb 26 - Showers continued & helped.")
    assert "\x03" not in d.text and d.text.endswith("Reuter")


def test_bbc_loader_and_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DEDUP_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="DEDUP_DATA"):
        list(data.bbc())
    folder = tmp_path / "bbc-news" / "tech"
    folder.mkdir(parents=True)
    (folder / "001.txt").write_bytes(b"Headline here\r\n\r\nFirst para.\r\n\r\nSecond para.\r\n")
    docs = list(data.bbc(categories=("tech",)))
    assert [(d.id, d.title, d.text, data.category_of(d)) for d in docs] == [
        ("bbc-tech-001", "Headline here", "First para.\n\nSecond para.", "tech")
    ]


# --- oracle --------------------------------------------------------------------------------


def _naive(texts, k, threshold):
    sets = [set(oracle.shingle_hashes(t, k).tolist()) for t in texts]
    out = set()
    for i, j in itertools.combinations(range(len(texts)), 2):
        a, b = sets[i], sets[j]
        if a and b and len(a & b) >= threshold * min(len(a), len(b)):
            out.add((i, j))
    return out


VOCAB = "the cocoa crop rose fell bank said shares mln dlrs in of a to and profit rain week".split()


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    threshold=st.sampled_from([0.2, 0.5, 0.8]),
    block=st.sampled_from([1, 3, 64]),
)
def test_oracle_matches_naive_pairwise(seed, threshold, block):
    rng = random.Random(seed)
    base = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(0, 40))) for _ in range(6)]
    # copies with edits, so some pairs overlap a lot
    texts = base + [t[: len(t) // 2] + " extra words here" for t in base[:3]]
    got = oracle.exact_pairs(texts, k=3, threshold=threshold, block=block)
    assert got.pairs() == _naive(texts, 3, threshold)
    for n in range(len(got)):
        assert all(0.0 <= s <= 1.0 for s in got.scores(n))


def test_oracle_uses_library_tokens():
    # case, curly apostrophes and possessives are canonicalised as the library does
    a = "The Bank\u2019s profit rose sharply in the first quarter"
    b = "the bank's profit rose SHARPLY in the first quarter"
    assert oracle.exact_pairs([a, b], threshold=1.0).pairs() == {(0, 1)}


# --- reading scan output -------------------------------------------------------------------


def test_duplicate_groups_expand_to_every_pair():
    from benchmarks.quality import expand_duplicates
    from dedup.records import Relation, RelationKind, Scores

    scores = Scores(*([0.5] * 9))
    rels = {
        ("a", "b"): Relation("a", "b", RelationKind.DUPLICATE, 1.0, scores),
        ("a", "c"): Relation("a", "c", RelationKind.DUPLICATE, 1.0, scores),
        ("a", "x"): Relation("a", "x", RelationKind.REPRINT, 0.8, scores),
        ("x", "y"): Relation("x", "y", RelationKind.PARTIAL, 0.3, scores),
    }
    out = {k: str(v.kind) for k, v in expand_duplicates(rels).items()}
    assert out == {
        ("a", "b"): "duplicate", ("a", "c"): "duplicate", ("b", "c"): "duplicate",
        ("a", "x"): "reprint", ("b", "x"): "reprint", ("c", "x"): "reprint",
        ("x", "y"): "partial",
    }

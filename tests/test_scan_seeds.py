"""Acceptance: the five seed articles, scanned as a user would (issue: core detector)."""

import json

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.records import RelationKind

DERIVED = {k.value for k in RelationKind if k.derived}


@pytest.fixture(scope="module")
def seed_json(seeds_dir):
    result = CliRunner().invoke(main, ["scan", str(seeds_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _id(doc, prefix):
    ids = [d["id"] for d in doc["documents"] if d["id"].startswith(prefix)]
    assert len(ids) == 1, (prefix, ids)
    return ids[0]


def _relation(doc, a, b):
    for p in doc["pairs"]:
        if {p["a"], p["b"]} == {a, b}:
            return p["relation"]
    return None


def test_paraphrase_without_credit_is_a_rewrite(seed_json):
    assert _relation(seed_json, _id(seed_json, "000"), _id(seed_json, "001")) == "rewrite"


def test_partial_rewrite_with_other_agencies_is_derived_from_the_afp_story(seed_json):
    assert _relation(seed_json, _id(seed_json, "000"), _id(seed_json, "003")) in {"rewrite", "reprint", "partial"}


def test_reused_afp_captions_are_a_partial_with_the_caption_as_evidence(seed_json):
    a, b = _id(seed_json, "000"), _id(seed_json, "002_ceff1de251848dd9.txt#1")
    pair = next(p for p in seed_json["pairs"] if {p["a"], p["b"]} == {a, b})
    assert pair["relation"] == "partial"
    captions = [e for e in pair["evidence"] if e["zone"] == "caption" and e["kind"] == "verbatim"]
    assert captions, pair["evidence"]
    texts = " ".join(e["a_excerpt"] + " " + e["b_excerpt"] for e in captions).lower()
    assert "baloch separatists launched" in texts


@pytest.mark.parametrize("other", ["000", "001", "003"])
def test_reuters_own_story_is_the_same_event_not_a_copy(seed_json, other):
    assert _relation(seed_json, _id(seed_json, "004"), _id(seed_json, other)) == "same-event"


def test_the_appended_libya_story_is_split_off_and_related_to_nothing(seed_json):
    libya = _id(seed_json, "002_ceff1de251848dd9.txt#2")
    assert not [p for p in seed_json["pairs"] if libya in (p["a"], p["b"])]
    assert all(libya not in s["members"] for s in seed_json["stories"])


def test_the_afp_story_is_the_origin_and_edges_point_away_from_it(seed_json):
    origin = _id(seed_json, "000")
    story = next(s for s in seed_json["stories"] if origin in s["members"])
    assert story["origin"] == origin
    assert {_id(seed_json, "001"), _id(seed_json, "003")} <= set(story["members"])
    assert _id(seed_json, "004") not in story["members"]
    for edge in story["edges"]:
        assert edge["copy"] != origin
        assert edge["relation"] in DERIVED


def test_the_reuters_story_and_the_afp_story_form_one_event(seed_json):
    events = seed_json["events"]
    assert len(events) == 1
    assert {_id(seed_json, "000"), _id(seed_json, "004")} <= set(events[0]["members"])


def test_nothing_is_skipped_and_every_seed_is_reported(seed_json, seeds_dir):
    assert seed_json["skipped"] == []
    reported = {d["id"].split("#")[0] for d in seed_json["documents"]}
    assert reported == {p.name for p in seeds_dir.iterdir()}


def test_identical_texts_are_linked_as_a_star_to_the_first_copy(seeds_dir):
    from dedup.records import Document
    from dedup.scan import scan_documents

    text = next(seeds_dir.glob("000_*")).read_text(encoding="utf-8")
    other = next(seeds_dir.glob("004_*")).read_text(encoding="utf-8")
    docs = [Document("a", text), Document("b", other), Document("c", text), Document("d", " ".join(text.split()))]
    result = scan_documents(docs, workers=1)
    dups = {(r.a, r.b) for r in result.relations if r.kind is RelationKind.DUPLICATE}
    assert dups == {("a", "c"), ("a", "d")}
    assert result.params["exact_duplicates"] == 2
    story = next(s for s in result.stories if "a" in s.members)
    assert set(story.members) == {"a", "c", "d"}


@pytest.mark.parametrize("names,expected", [
    (("000", "003"), "rewrite"),  # alone, LSH proposes no pair: 000-003 was reported only with 001 or 002 beside them
    (("000", "004"), "same-event"),
])
def test_a_scan_of_a_few_files_relates_each_pair_as_the_whole_scan_does(seeds_dir, names, expected):
    files = [str(next(seeds_dir.glob(f"{n}_*.txt"))) for n in names]
    res = CliRunner().invoke(main, ["scan", *files, "--format", "json", "-q"])
    pairs = json.loads(res.stdout)["pairs"]
    assert [(p["a"][:3], p["b"][:3], p["relation"]) for p in pairs] == [(*names, expected)]


def test_the_readmes_example_report_is_the_tools_output(seeds_dir):
    # the README showed the report cut without marks and out of date; every line it shows is now
    # a line of the real report, in order ("…" marks lines left out)
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\n$ dedup scan seeds/\n", 1)[1].split("\n```", 1)[0].splitlines()
    real = CliRunner().invoke(main, ["scan", str(seeds_dir)]).stdout.splitlines()
    at = 0
    for line in block:
        if line.strip() == "…":
            continue
        assert line in real[at:], line
        at = real.index(line, at) + 1

"""Scan renderers: terminal (plain and rich), JSON, JSON Lines, CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import pathlib
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.records import Document, Edge, Passage, Relation, RelationKind, ScanResult, Scores, Skipped, Story
from dedup.report import scan_json, scan_terminal
from dedup.report.scan_view import EXCERPT_CHARS, excerpt, safe

import scan_fixture
from dedup import __version__

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "scan-json.md"
ANSI = re.compile("\x1b\\[")


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan_fixture.scan_result()


def _utf8(write) -> str:
    """Run ``write(stream)`` on a strict UTF-8 text stream; return what it wrote."""
    buf = io.BytesIO()
    stream = io.TextIOWrapper(buf, encoding="utf-8", errors="strict", newline="")
    write(stream)
    stream.flush()
    return buf.getvalue().decode("utf-8")


def _strict(schema):
    """The schema with additionalProperties false wherever properties are listed:
    output that validates against it has no undocumented field."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return schema


def _def_validator(name: str, *, strict: bool = True):
    schema = scan_json.schema()
    if strict:
        schema = _strict(schema)
    return jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{name}"})


# --- golden files ----------------------------------------------------------------------


def test_terminal_report_matches_golden(result, golden):
    golden("scan_report.txt", scan_terminal.render_plain(result))


def test_json_matches_golden(result, golden):
    # the version of dedup is not part of the layout: a release must not move the golden file
    text = _utf8(lambda s: scan_json.write_json(result, s))
    golden("scan.json", text.replace(f'"dedup_version": "{__version__}"', '"dedup_version": "VERSION"', 1))


def test_csv_matches_golden(result, golden):
    golden("scan_pairs.csv", _utf8(lambda s: scan_json.write_csv(result, s)))


# --- JSON ------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(scan_json.schema())


@pytest.mark.parametrize("texts", [False, True], ids=["plain", "with-texts"])
def test_json_output_validates_against_schema_with_no_undocumented_field(result, texts):
    data = json.loads(_utf8(lambda s: scan_json.write_json(result, s, texts=texts)))
    jsonschema.Draft202012Validator(scan_json.schema()).validate(data)
    jsonschema.Draft202012Validator(_strict(scan_json.schema())).validate(data)


def test_relation_kinds_in_the_schema_are_the_known_ones(result):
    assert scan_json.schema()["$defs"]["relation"]["examples"] == [str(k) for k in RelationKind]
    data = scan_json.to_dict(result)
    kinds = {p["relation"] for p in data["pairs"]} | {e["relation"] for s in data["stories"] for e in s["edges"]}
    assert kinds <= {str(k) for k in RelationKind}


def test_empty_result_validates(result):
    data = scan_json.to_dict(scan_fixture.empty_result())
    jsonschema.Draft202012Validator(_strict(scan_json.schema())).validate(data)
    assert data["summary"] == dict.fromkeys(data["summary"], 0)


def test_every_schema_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    names = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(scan_json.schema())
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert not missing, f"fields missing from {DOCS.name}: {missing}"


def test_csv_columns_are_documented():
    text = DOCS.read_text(encoding="utf-8")
    assert [c for c in scan_json.CSV_COLUMNS if f"`{c}`" not in text] == []


def test_json_header_and_keys_in_fixed_order(result):
    data = scan_json.to_dict(result)
    assert list(data) == ["schema", "dedup_version", "params", "summary", "documents", "pairs", "stories", "events", "skipped",
                          "renamed"]
    assert data["schema"] == scan_json.SCHEMA_ID == "dedup.scan/1"
    assert data["schema"].endswith("/1") and scan_json.schema()["properties"]["schema"]["const"] == data["schema"]
    assert [d["id"] for d in data["documents"]] == [safe(d.id) for d in result.documents]


def test_params_become_plain_json():
    from dedup.params import FingerprintParams

    fp = FingerprintParams()
    res = ScanResult((), (), (), (), (), params={"paths": ("seeds",), "fingerprint": fp, "drift": True})
    params = scan_json.to_dict(res)["params"]
    assert params == {"drift": True, "fingerprint": fp.to_dict(), "paths": ["seeds"]}
    assert list(params) == sorted(params)
    odd = ScanResult((), (), (), (), (), params={"path": pathlib.Path("a/b"), "kinds": {"b", "a"}, "kind": RelationKind.REPRINT})
    assert scan_json.to_dict(odd)["params"] == {"kind": "reprint", "kinds": ["a", "b"], "path": "a/b"}


def test_documents_carry_split_parts_and_boilerplate_counts(result):
    docs = {d["id"]: d for d in scan_json.to_dict(result)["documents"]}
    for doc in result.documents:
        out = docs[doc.id]
        assert (out["parent"], out["part"]) == (doc.parent, doc.part)
        assert out["stripped"] == len(doc.stripped)
        assert out["chars"] == len(doc.text)
    assert any(d["parent"] for d in docs.values()), "fixture should hold a split article"


def test_evidence_offsets_point_at_the_excerpts(result):
    data = scan_json.to_dict(result, texts=True)
    text = {d["id"]: d["text"] for d in data["documents"]}
    checked = 0
    for pair in data["pairs"]:
        for p in pair["evidence"]:
            for side in "ab":
                span = text[pair[side]][p[f"{side}_start"] : p[f"{side}_end"]]
                shown = p[f"{side}_excerpt"]
                if shown.endswith("…"):
                    assert " ".join(span.split()).startswith(shown[:-1])
                else:
                    assert shown == " ".join(span.split())
                checked += 1
    assert checked > 0


def test_pairs_know_their_story_event_and_direction(result):
    pairs = {(p["a"], p["b"]): p for p in scan_json.to_dict(result)["pairs"]}
    for story in result.stories:
        for edge in story.edges:
            p = pairs.get((edge.source, edge.copy)) or pairs[(edge.copy, edge.source)]
            assert p["story"] == story.id
            assert p["direction"] == {"source": edge.source, "copy": edge.copy, "confidence": round(edge.confidence, 4)}
    for p in pairs.values():
        if p["relation"] == "same-event":
            assert p["story"] is None and p["direction"] is None and p["event"] is not None


def test_drift_renders_counts_and_high_findings(result):
    pairs = scan_json.to_dict(result)["pairs"]
    with_drift = [p for p in pairs if p["drift"]]
    rel = next(r for r in result.relations if r.drift)
    out = next(p for p in with_drift if (p["a"], p["b"]) == (rel.a, rel.b))
    assert out["drift"]["counts"] == dict(rel.drift.counts)
    assert [f["after"] for f in out["drift"]["high"]] == [f.after for f in rel.drift.high]
    assert all(p["drift"] is None for p in pairs if not next(r for r in result.relations if (r.a, r.b) == (p["a"], p["b"])).drift)


# --- JSON Lines ----------------------------------------------------------------------


def test_jsonl_lines_match_json_and_validate(result):
    lines = _utf8(lambda s: scan_json.write_jsonl(result, s)).splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "header"
    whole = scan_json.to_dict(result)
    assert {k: v for k, v in records[0].items() if k != "type"} == {
        k: whole[k] for k in ("schema", "dedup_version", "params", "summary")
    }
    sections = {"document": "documents", "pair": "pairs", "story": "stories", "event": "events", "skipped": "skipped"}
    for kind, key in sections.items():
        got = [{k: v for k, v in r.items() if k != "type"} for r in records if r["type"] == kind]
        assert got == whole[key], kind
    order = [r["type"] for r in records]
    assert order == sorted(order, key=["header", *sections].index)
    for r in records:
        name = "jsonl_header" if r["type"] == "header" else r["type"]
        _def_validator(name, strict=False).validate(r)  # each line as written, type included (docs/scan-json.md)
        body = r if r["type"] == "header" else {k: v for k, v in r.items() if k != "type"}
        _def_validator(name).validate(body)  # and nothing the schema does not list


# --- CSV -------------------------------------------------------------------------------


def test_csv_has_one_row_per_pair_with_the_json_values(result):
    text = _utf8(lambda s: scan_json.write_csv(result, s))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(result.relations)
    assert tuple(rows[0]) == scan_json.CSV_COLUMNS
    pairs = scan_json.to_dict(result)["pairs"]
    for row, pair in zip(rows, pairs, strict=True):
        assert (row["a"], row["b"], row["relation"]) == (pair["a"], pair["b"], pair["relation"])
        assert float(row["score"]) == pair["score"]
        assert float(row["containment_ba"]) == pair["scores"]["containment_ba"]
        assert row["story"] == (pair["story"] or "")
        assert int(row["passages"]) == len(pair["evidence"])
    assert text.endswith("\r\n")


# --- terminal --------------------------------------------------------------------------


def test_terminal_plain_is_plain_and_width_independent(result, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    narrow = _utf8(lambda s: scan_terminal.write_terminal(result, s))
    monkeypatch.setenv("COLUMNS", "300")
    wide = _utf8(lambda s: scan_terminal.write_terminal(result, s))
    assert narrow == wide == scan_terminal.render_plain(result)
    assert not ANSI.search(narrow)


def test_terminal_rich_has_colour_and_the_same_words(result):
    from rich.console import Console

    buf = io.StringIO()
    scan_terminal.render_rich(result, Console(file=buf, force_terminal=True, width=200, color_system="standard"))
    coloured = buf.getvalue()
    assert ANSI.search(coloured)
    plain = re.sub("\x1b\\[[0-9;]*m", "", coloured)
    for story in result.stories:
        assert f"Story {story.id}" in plain
        for member in story.members:
            assert member in plain


def test_terminal_sections_in_order(result):
    text = scan_terminal.render_plain(result)
    first = text.splitlines()[0]
    assert first.startswith(
        f"{len(result.documents)} documents, {len(result.stories)} stories, {len(result.events)} event, "
        f"{len(result.skipped)} skipped"
    )
    marks = ["Story s1", "Story s2", "Event e1", "Unrelated: 1 document", "Skipped: 2 inputs"]
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)


def test_terminal_shows_direction_evidence_and_drift(result):
    text = scan_terminal.render_plain(result)
    for story in result.stories:
        for edge in story.edges:
            assert f"direction: {edge.source} -> {edge.copy}, confidence {edge.confidence:.2f}" in text
    for rel in result.relations:
        if rel.drift:
            for f in rel.drift.high:
                after = f'"{f.after}"' if f.after else "(absent)"
                assert f'{f.kind}: "{f.before}" -> {after}' in text


def test_terminal_empty_result():
    assert scan_terminal.render_plain(scan_fixture.empty_result()) == (
        "0 documents, 0 stories, 0 events, 0 skipped (0 verified pairs, 0 in stories, 0 unrelated)\n"
        "\n"
        "Nothing to compare: no documents were found.\n"
    )


def test_terminal_escapes_control_characters_and_markup():
    doc = Document("odd\nname[bold].txt", "text", title="[red]Title[/red]\twith tab")
    res = ScanResult((doc,), (), (), (), (Skipped("x\x1b[31m.txt", "unreadable"),))
    text = scan_terminal.render_plain(res)
    assert "x\\x1b[31m.txt: unreadable" in text
    assert not ANSI.search(text)
    from rich.console import Console

    buf = io.StringIO()
    scan_terminal.render_rich(res, Console(file=buf, force_terminal=True, width=120))
    assert "\\x1b[31m" in buf.getvalue()


# --- ids that are not UTF-8 ------------------------------------------------------------


def _bad_id_result(bad: str, title: str | None = None) -> ScanResult:
    text = "Shared words travel far in the wire copy of the day."
    a = Document(bad, text, title=title, path=f"in/{bad}", parent=bad, part=1)
    b = Document("b.txt", text, title="B")
    rel = Relation(
        bad, "b.txt", RelationKind.DUPLICATE, 1.0, Scores(1, 1, 1, 1, 1, 1, 1, 0, 0),
        evidence=(Passage(0, len(text), 0, len(text), "verbatim", 1.0),), reasons=(f"{bad} equals b.txt",),
    )
    story = Story("s1", (bad, "b.txt"), bad, (Edge(bad, "b.txt", RelationKind.DUPLICATE, 0.5, ()),), (f"first: {bad}",))
    return ScanResult((a, b), (rel,), (story,), (), (Skipped(bad + ".bin", f"cannot read '{bad}'", bad),), params={"path": bad})


WRITERS = {
    "json": lambda r, s: scan_json.write_json(r, s),
    "jsonl": lambda r, s: scan_json.write_jsonl(r, s),
    "csv": lambda r, s: scan_json.write_csv(r, s),
    "terminal": lambda r, s: scan_terminal.write_terminal(r, s, color=False),
}


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_surrogate_escaped_ids_render_the_same_in_every_format(fmt):
    res = _bad_id_result(scan_fixture.BAD_NAME)
    out = _utf8(lambda s: WRITERS[fmt](res, s))
    expected = "caf\\xe9.txt"
    if fmt in ("json", "jsonl"):
        expected = expected.replace("\\", "\\\\")  # JSON writes the backslash escaped
    assert expected in out
    assert "\udce9" not in out


def test_surrogate_ids_in_json_decode_to_the_escaped_text():
    res = _bad_id_result(scan_fixture.BAD_NAME)
    data = json.loads(_utf8(lambda s: scan_json.write_json(res, s)))
    assert data["documents"][0]["id"] == "caf\\xe9.txt"
    assert data["pairs"][0]["a"] == data["stories"][0]["origin"] == data["documents"][0]["parent"] == "caf\\xe9.txt"
    assert data["params"]["path"] == "caf\\xe9.txt"
    row = next(csv.DictReader(io.StringIO(_utf8(lambda s: scan_json.write_csv(res, s)), newline="")))
    assert row["a"] == data["documents"][0]["id"]


def test_display_keeps_one_line():
    from dedup.report.scan_view import display

    assert display("a\nb\tc\x85d\u2028e\x1bf") == "a\\nb\\tc\\x85d\\u2028e\\x1bf"


def test_safe_escapes_only_surrogates():
    assert safe("plain.txt") == "plain.txt"
    assert safe("café.txt") == "café.txt"
    assert safe("caf\udce9.txt") == "caf\\xe9.txt"
    assert safe("a\ud800b") == "a\\ud800b"


ids = st.text(st.characters(blacklist_categories=("Cc",)) | st.sampled_from(["\udce9", "\udc80", "\ud83d", "\n", "\x85", "\u2028", "\x1e"]), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=ids, title=st.none() | ids)
def test_writers_never_crash_on_odd_ids(bad, title):
    res = _bad_id_result(bad, title)
    for fmt, write in WRITERS.items():
        out = _utf8(lambda s, w=write: w(res, s))
        assert out, fmt
    data = json.loads(_utf8(lambda s: scan_json.write_json(res, s)))
    jsonschema.Draft202012Validator(_strict(scan_json.schema())).validate(data)
    assert data["documents"][0]["id"] == safe(bad)

    def nodes(node):
        return 1 + sum(nodes(c) for c in node.children)

    sections = scan_terminal.outline(res)
    lines = scan_terminal.render_plain(res).splitlines()
    assert len(lines) == sum(nodes(n) for n in sections) + len(sections) - 1  # one line per node: nothing breaks a line


# --- excerpts --------------------------------------------------------------------------


def test_excerpt_short_passage_is_whole_with_whitespace_collapsed():
    assert excerpt("a  b\n\nc d", 0, 9) == "a b c d"


def test_excerpt_cuts_at_a_word_and_marks_the_cut():
    text = " ".join(f"word{i}" for i in range(200))
    out = excerpt(text, 0, len(text))
    assert len(out) <= EXCERPT_CHARS and out.endswith("…")
    assert text.startswith(out[:-1]) and out[-2] != " " and text[len(out) - 1] == " "


@given(st.text(max_size=700), st.integers(0, 700), st.integers(0, 700), st.integers(2, 400))
def test_excerpt_never_exceeds_its_limit(text, start, end, limit):
    out = excerpt(text, start, end, limit)
    assert len(out) <= limit
    out.encode("utf-8")


# --- with the real reader ----------------------------------------------------------------


def test_documents_and_skipped_from_the_reader_render_alike_everywhere(tmp_path):
    import os

    from dedup.ingest import IngestOptions, read_inputs

    (tmp_path / "story.txt").write_text((scan_fixture.SEEDS / scan_fixture.A004).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as f:
        f.write(b"Nur ein kurzer Text.")
    items = list(read_inputs([str(tmp_path)], options=IngestOptions(extensions=(".txt", ".jpg"))))
    docs = tuple(i for i in items if isinstance(i, Document))
    skipped = tuple(i for i in items if isinstance(i, Skipped))
    assert docs and skipped
    res = ScanResult(docs, (), (), (), skipped)
    data = json.loads(_utf8(lambda s: scan_json.write_json(res, s)))
    jsonschema.Draft202012Validator(_strict(scan_json.schema())).validate(data)
    text = _utf8(lambda s: scan_terminal.write_terminal(res, s))
    lines = [json.loads(line) for line in _utf8(lambda s: scan_json.write_jsonl(res, s)).splitlines()]
    assert [r["id"] for r in lines if r["type"] == "document"] == [d["id"] for d in data["documents"]]
    csv_text = _utf8(lambda s: scan_json.write_csv(res, s))
    assert csv_text == ",".join(scan_json.CSV_COLUMNS) + "\r\n"  # no pairs: the header row only
    for sk in data["skipped"]:
        assert f"{sk['id']}: {sk['reason']}" in text
    assert any("\\xe9" in d["id"] for d in data["documents"] + data["skipped"])


def test_terminal_lists_a_few_high_findings_and_counts_the_rest(result):
    from dataclasses import replace

    from dedup.records import DriftSummary, Finding

    rel = next(r for r in result.relations if r.drift)
    many = tuple(Finding("number_changed", "high", str(i), str(i + 1), None, None) for i in range(9))
    res = replace(result, relations=(replace(rel, drift=DriftSummary(rel.a, rel.b, (("number_changed", 9),), many)),))
    text = scan_terminal.render_plain(res)
    shown = [line for line in text.splitlines() if "high number_changed" in line]
    assert len(shown) == scan_terminal.HIGH_SHOWN
    assert f"and {9 - scan_terminal.HIGH_SHOWN} more high findings" in text
    assert len(scan_json.to_dict(res)["pairs"][0]["drift"]["high"]) == 9


def test_terminal_marks_a_side_that_is_absent(result):
    text = scan_terminal.render_plain(result)
    assert '"a senior security official told AFP" -> (absent)' in text


def test_terminal_names_evidence_sides_by_the_edge_direction():
    src = Document("z-source.txt", "Intro. The minister said taxes would rise by 2%. End.")
    cpy = Document("a-copy.txt", "The minister said taxes would rise by 3%.")
    p = Passage(cpy.text.index("The"), len(cpy.text), src.text.index("The"), src.text.index(" End"), "aligned", 0.9)
    rel = Relation(cpy.id, src.id, RelationKind.REPRINT, 0.8, Scores(*[0.5] * 9), evidence=(p,))  # a is the copy
    story = Story("s", (src.id, cpy.id), src.id, (Edge(src.id, cpy.id, RelationKind.REPRINT, 0.9),))
    text = scan_terminal.render_plain(ScanResult((src, cpy), (rel,), (story,), (), ()))
    assert f"at source[{p.b_start}:{p.b_end}] copy[{p.a_start}:{p.a_end}]" in text
    assert 'source: "The minister said taxes would rise by 2%."' in text
    assert 'copy: "The minister said taxes would rise by 3%."' in text


# --- terminal: which documents are unrelated ------------------------------------------------


def _loose(n: int) -> ScanResult:
    docs = tuple(Document(id=f"d{i:02}.txt", text=f"text {i}", title=f"Title {i}" if i % 2 else None) for i in range(n))
    return ScanResult(documents=docs, relations=(), stories=(), events=(), skipped=())


def test_terminal_names_the_unrelated_documents():
    text = scan_terminal.render_plain(_loose(2))
    assert text.endswith(
        'Unrelated: 2 documents in no story or event\n'
        '  d00.txt  (untitled)\n'
        '  d01.txt  "Title 1"\n'
    )


def test_terminal_lists_the_first_unrelated_documents_and_counts_the_rest():
    n = scan_terminal.UNRELATED_SHOWN + 5
    lines = scan_terminal.render_plain(_loose(n)).splitlines()
    start = lines.index(f"Unrelated: {n} documents in no story or event")
    listed = lines[start + 1:]
    assert len(listed) == scan_terminal.UNRELATED_SHOWN + 1
    assert listed[0].startswith("  d00.txt")
    assert listed[-1] == "  and 5 more (all are in --format json, with story and event null)"


def _event_with_a_lone_report() -> ScanResult:
    from dedup.records import Event

    docs = tuple(Document(id=i, text=f"text of {i}", title=f"About {i}") for i in ("a.txt", "b.txt", "c.txt"))
    sc = scan_fixture._scores(0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.0)
    rels = (Relation("a.txt", "b.txt", RelationKind("reprint"), 0.9, sc),
            Relation("a.txt", "c.txt", RelationKind("same-event"), 0.3, sc))
    stories = (Story("s1", ("a.txt", "b.txt"), "a.txt", (Edge("a.txt", "b.txt", RelationKind("reprint"), 0.5),)),
               Story("s2", ("c.txt",), "c.txt", (), ("the only member",)))
    return ScanResult(documents=docs, relations=rels, stories=stories,
                      events=(Event("e1", ("s1", "s2"), ("a.txt", "b.txt", "c.txt")),), skipped=())


def test_terminal_shows_a_lone_report_of_an_event_under_the_event_only():
    text = scan_terminal.render_plain(_event_with_a_lone_report())
    assert "Story s1:" in text and "Story s2:" not in text  # a one-document story is no group of copies
    assert '  own report c.txt  "About c.txt"  (story s2)\n' in text

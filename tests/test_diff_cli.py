"""`dedup diff`: terminal, JSON (against its schema) and HTML output, and input errors."""

import json
import pathlib

import jsonschema
import pytest
from click.testing import CliRunner

from dedup.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = {n: str(next((ROOT / "seeds").glob(f"{n:03d}_*.txt"))) for n in range(5)}
SCHEMA = json.loads((ROOT / "dedup" / "schemas" / "diff.v1.json").read_text(encoding="utf-8"))


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_json_matches_schema_and_offsets():
    res = run("diff", SEED[0], SEED[1], "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema"] == "dedup.diff/1"
    kinds = [f["kind"] for f in doc["findings"]]
    assert "attribution_dropped" in kinds and "wording_changed" in kinds
    assert doc["summary"]["findings"] == len(doc["findings"])
    for f in doc["findings"]:
        if f["a_span"] and f["kind"] != "wording_changed":
            s, e = f["a_span"]
            assert doc["a"]["text"][s:e] == f["before"]
        if f["b_span"] and f["kind"] != "wording_changed":
            s, e = f["b_span"]
            assert doc["b"]["text"][s:e] == f["after"]
    for p in doc["alignment"]:
        assert p["a_span"][0] == doc["a"]["sentences"][p["a"][0]]["start"]


def test_same_file_has_no_findings():
    res = run("diff", SEED[0], SEED[0])
    assert res.exit_code == 0
    assert res.output.rstrip().endswith("No drift found.")


def test_terminal_marks_spans_by_kind():
    res = run("diff", SEED[0], SEED[3])
    assert res.exit_code == 0
    assert "[weekday: Tuesday]" in res.output
    assert "weekday_changed (high) Saturday -> Tuesday" in res.output


def test_html_is_self_contained(tmp_path):
    out = tmp_path / "d.html"
    res = run("diff", SEED[0], SEED[3], "--format", "html", "--output", str(out))
    assert res.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<mark class="k-weekday_changed"' in page and 'class="legend"' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page


def test_missing_file_is_a_usage_error():
    res = run("diff", SEED[0], "no-such-file.txt")
    assert res.exit_code == 2
    assert "no-such-file.txt" in res.output


def test_empty_file_is_an_input_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["diff", SEED[0], str(empty)])
    assert res.exit_code == 1
    assert res.output.startswith("Error: ")
    assert "empty.txt" in res.output


def test_plain_terminal_says_what_each_mark_label_means():
    res = run("diff", SEED[0], SEED[1])
    lines = res.output.splitlines()
    legend = next(line for line in lines if line.startswith("marks: "))
    assert "[source-: ...] attribution_dropped" in legend and "[wording: ...] wording_changed" in legend
    assert "number_changed" not in legend  # only the kinds found


def test_plain_terminal_writes_one_line_per_finding():
    res = run("diff", SEED[0], SEED[1], "--format", "json")
    findings = json.loads(res.output)["findings"]
    lines = run("diff", SEED[0], SEED[1]).output.splitlines()
    listed = lines[lines.index("Findings") + 1:]
    assert len(listed) == len(findings)
    assert [line.split()[0] for line in listed] == [f["kind"] for f in findings]


def test_no_color_on_a_terminal_marks_spans_with_labels_not_colours(monkeypatch):
    """NO_COLOR (https://no-color.org) on a terminal: no colours, so the changed spans are
    written as [label: text], as when piped; the width is still the terminal's."""
    import io
    import re

    from dedup.drift import diff
    from dedup.ingest import IngestOptions, read_inputs
    from dedup.report import diff as diff_report

    a, b = (next(read_inputs([SEED[n]], options=IngestOptions(split_stories=False))) for n in (0, 3))
    d = diff(a, b)
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    diff_report.write_terminal(d, out, color=True, width=100)
    page = out.getvalue()
    assert not re.search(r"\x1b\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|10[0-7])(;[0-9]+)*m", page)  # no colour codes
    plain = re.sub(r"\x1b\[[0-9;]*m", "", page)
    assert "[weekday: Saturday]" in plain and "marks: " in plain
    assert max(len(line) for line in plain.splitlines()[3:]) <= 100  # wrapped to the terminal's width
    monkeypatch.delenv("NO_COLOR")
    out = io.StringIO()
    diff_report.write_terminal(d, out, color=True, width=100)
    assert "[weekday:" not in out.getvalue() and "\x1b[" in out.getvalue()


def test_json_records_without_an_id_can_be_diffed(tmp_path):
    # diff needs no id, but refused such a record: "has no 'id' field; add one or pass --id-field
    # NAME", an option diff does not have
    a, b = tmp_path / "a.json", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"text": "Storm closes three ports along the northern coast on Tuesday, officials said."}))
    b.write_text(json.dumps({"text": "Storm closes four ports along the northern coast on Tuesday, officials said."}) + "\n")
    r = CliRunner().invoke(main, ["diff", str(a), str(b), "--format", "json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [(f["kind"], f["before"], f["after"]) for f in got["findings"]] == [("number_changed", "three", "four")]

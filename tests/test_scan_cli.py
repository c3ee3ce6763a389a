"""`dedup scan`: options, formats, output file, exit codes."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.report.scan_terminal import ScanProgress


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_scan_needs_a_path(runner):
    res = runner.invoke(main, ["scan"])
    assert res.exit_code == 2
    assert "Missing argument 'PATH...'" in res.output


def test_scan_names_a_missing_path(runner, tmp_path):
    missing = tmp_path / "nowhere"
    res = runner.invoke(main, ["scan", str(missing)])
    assert res.exit_code == 2
    assert f"Path '{missing}' does not exist." in res.output


def test_a_broken_or_looping_link_named_as_a_path_is_skipped_not_a_usage_error(runner, tmp_path):
    # `dedup scan d/*` stopped with "does not exist" (exit 2) when d/ held a broken link;
    # inside a folder the same link is listed as skipped
    import json
    import os

    (tmp_path / "a.txt").write_text("Storm closes three ports along the northern coast on Tuesday.\n", encoding="utf-8")
    os.symlink(tmp_path / "missing.txt", tmp_path / "broken.txt")
    os.symlink(tmp_path / "loop2.txt", tmp_path / "loop1.txt")
    os.symlink(tmp_path / "loop1.txt", tmp_path / "loop2.txt")
    names = [str(tmp_path / n) for n in ("a.txt", "broken.txt", "loop1.txt")]
    for cmd in (["scan", *names, "--format", "json"], ["index", "add", *names, "--index", str(tmp_path / "i.db")]):
        res = runner.invoke(main, cmd)
        assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["scan", *names, "--format", "json"])
    reasons = {s["id"]: s["reason"] for s in json.loads(res.stdout)["skipped"]}
    assert reasons[names[1]] == f"'{names[1]}': broken symbolic link to '{tmp_path / 'missing.txt'}'; fix or remove the link"
    assert reasons[names[2]] == f"cannot read '{names[2]}': too many levels of symbolic links; check the path"


def test_scan_rejects_an_unknown_format(runner, tmp_path):
    res = runner.invoke(main, ["scan", str(tmp_path), "--format", "xml"])
    assert res.exit_code == 2
    assert "'xml' is not one of 'terminal', 'json', 'jsonl', 'csv'" in res.output


def test_progress_is_silent_when_disabled():
    stream = io.StringIO()
    with ScanProgress(stream=stream, enabled=False) as progress:
        progress("read", 1, 10)
    assert stream.getvalue() == ""
    assert ScanProgress(stream=io.StringIO()).enabled is False  # not a terminal


def test_progress_draws_one_task_per_stage():
    stream = io.StringIO()
    with ScanProgress(stream=stream, enabled=True) as progress:
        progress("read", 0, None)
        progress("read", 5, 5)
        progress("verify", 3, 10)
        tasks = {t.description: (t.completed, t.total) for t in progress._progress.tasks}
    assert tasks == {"read": (5, 5), "verify": (3, 10)}
    with ScanProgress(stream=stream, enabled=True) as progress:
        progress("read", 7, None)
        progress("verify", 0, 4)
        tasks = {t.description: (t.completed, t.total) for t in progress._progress.tasks}
    assert tasks == {"read": (7, 7), "verify": (0, 4)}  # an open-ended stage is done when the next starts


# --- with the real core ------------------------------------------------------------------
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import jsonschema  # noqa: E402

import dedup.scan  # noqa: E402
from dedup.ingest import IngestOptions  # noqa: E402
from dedup.report import scan_json, scan_terminal  # noqa: E402

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def seed_json():
    res = CliRunner().invoke(main, ["scan", str(SEEDS), "--format", "json", "--drift", "--texts"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_scan_terminal_output_is_the_report_of_the_library_result(runner):
    res = runner.invoke(main, ["scan", str(SEEDS)])
    assert res.exit_code == 0, res.output
    assert res.stdout == scan_terminal.render_plain(dedup.scan.scan([str(SEEDS)]))
    assert res.stderr == ""  # stderr is not a terminal: no progress bar


def test_scan_json_validates_and_accounts_for_every_seed(seed_json):
    jsonschema.Draft202012Validator(scan_json.schema()).validate(seed_json)
    files = sorted(p.name for p in SEEDS.iterdir())
    seen = {d["parent"] or d["id"] for d in seed_json["documents"]} | {s["id"] for s in seed_json["skipped"]}
    assert sorted(seen) == files
    ids = {d["id"] for d in seed_json["documents"]}
    for story in seed_json["stories"]:
        assert story["origin"] in story["members"] and set(story["members"]) <= ids
        for edge in story["edges"]:
            assert {edge["source"], edge["copy"]} <= set(story["members"])


def test_scan_json_evidence_points_into_the_texts(seed_json):
    text = {d["id"]: d["text"] for d in seed_json["documents"]}
    for pair in seed_json["pairs"]:
        for p in pair["evidence"]:
            for side in "ab":
                span = " ".join(text[pair[side]][p[f"{side}_start"] : p[f"{side}_end"]].split())
                assert span.startswith(p[f"{side}_excerpt"].removesuffix("…"))


def test_scan_drift_is_attached_to_derived_pairs_only(seed_json):
    derived = [p for p in seed_json["pairs"] if p["relation"] != "same-event" and p["direction"]]
    assert derived and all(p["drift"] is not None for p in derived)
    assert all(p["drift"] is None for p in seed_json["pairs"] if p["relation"] == "same-event")


def test_scan_jsonl_and_csv_carry_the_same_pairs(runner, seed_json):
    lines = runner.invoke(main, ["scan", str(SEEDS), "--format", "jsonl"]).stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "header" and records[0]["schema"] == "dedup.scan/1"
    pairs = [(r["a"], r["b"], r["relation"]) for r in records if r["type"] == "pair"]
    assert pairs == [(p["a"], p["b"], p["relation"]) for p in seed_json["pairs"]]
    csv_out = runner.invoke(main, ["scan", str(SEEDS), "--format", "csv"]).stdout
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [(r["a"], r["b"], r["relation"]) for r in rows] == pairs


@pytest.mark.parametrize("fmt", ["terminal", "json", "jsonl", "csv"])
def test_scan_output_file(runner, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    path = str(SEEDS / "004_bf4bf788d45fc931.txt")
    res = runner.invoke(main, ["scan", path, "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert res.stderr == f"wrote {fmt} to {out}: {scan_terminal.summary_line(dedup.scan.scan([path]))}\n"
    assert out.stat().st_size > 0
    quiet = runner.invoke(main, ["scan", str(SEEDS / "004_bf4bf788d45fc931.txt"), "--format", fmt, "-o", str(out), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_scan_lists_skipped_files_and_exits_0(runner, tmp_path):
    shutil.copy(SEEDS / "000_5fb3c171b1b35303.txt", tmp_path / "a.txt")
    shutil.copy(SEEDS / "001_1358a161da439dff.txt", tmp_path / "b.txt")
    (tmp_path / "c.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    with open(os.path.join(os.fsencode(tmp_path), b"d\xe9j\xe0.txt"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    res = runner.invoke(main, ["scan", str(tmp_path)])
    assert res.exit_code == 0, res.output
    skipped = res.stdout.split("\nSkipped: 2 inputs\n", 1)[1].splitlines()
    assert [line.split(":", 1)[0].strip() for line in skipped] == ["c.txt", "d\\xe9j\\xe0.txt"]
    data = json.loads(runner.invoke(main, ["scan", str(tmp_path), "--format", "json"]).stdout)
    assert [s["id"] for s in data["skipped"]] == ["c.txt", "d\\xe9j\\xe0.txt"]
    assert len(data["documents"]) == 2


def test_scan_with_no_skip_binary_stops_with_one_error_line(runner, tmp_path):
    (tmp_path / "c.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    res = runner.invoke(main, ["scan", str(tmp_path), "--no-skip-binary"])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1 and "c.txt" in res.stderr


def test_scan_reads_standard_input(runner):
    text = (SEEDS / "004_bf4bf788d45fc931.txt").read_text(encoding="utf-8")
    res = runner.invoke(main, ["scan", "-", "--format", "json"], input=text)
    assert res.exit_code == 0, res.output
    assert [d["chars"] > 0 for d in json.loads(res.stdout)["documents"]] == [True]


def test_scan_passes_options_to_the_library(runner, monkeypatch):
    calls = []

    def fake_scan(paths, **kwargs):
        calls.append((paths, kwargs))
        return dedup.scan.ScanResult((), (), (), (), ())

    monkeypatch.setattr(dedup.scan, "scan", fake_scan)
    args = ["scan", str(SEEDS), "--format", "json", "--drift", "--workers", "3", "--encoding", "latin-1",
            "--max-bytes", "1000", "--ext", "csv", "--ext", ".TSV", "--text-field", "body", "--text-field", "lede",
            "--id-field", "guid", "--title-field", "headline", "--no-split", "--no-skip-binary", "--follow-symlinks", "--lines"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    (paths, kwargs), = calls
    assert paths == [str(SEEDS)]
    assert kwargs["drift"] is True and kwargs["workers"] == 3 and kwargs["progress"] is None
    assert kwargs["ingest"] == IngestOptions(
        encoding="latin-1", max_bytes=1000, extensions=(*IngestOptions().extensions, ".csv", ".tsv"), text_fields=("body", "lede"),
        id_field="guid", title_field="headline", split_stories=False, skip_binary=False, follow_symlinks=True, lines=True,
    )
    runner.invoke(main, ["scan", str(SEEDS)])
    assert calls[1][1]["ingest"] == IngestOptions() and "workers" not in calls[1][1] and calls[1][1]["drift"] is False


def test_progress_follows_the_real_scan_stages():
    with ScanProgress(stream=io.StringIO(), enabled=True) as progress:
        dedup.scan.scan([str(SEEDS)], progress=progress)
        stages = [t.description for t in progress._progress.tasks]
    assert stages[0] == "read" and len(stages) == len(set(stages)) > 1


def test_scan_reads_records_of_a_csv_file_with_named_fields(runner, tmp_path):
    import csv

    text = (SEEDS / "004_bf4bf788d45fc931.txt").read_text(encoding="utf-8")
    with open(tmp_path / "wire.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["guid", "headline", "body"])
        w.writerow(["r1", "Reuters story", text])
        w.writerow(["r2", "A reprint", text[: len(text) // 2]])
    args = ["scan", str(tmp_path), "--format", "json", "--ext", "csv", "--id-field", "guid", "--title-field", "headline"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(d["id"], d["title"]) for d in data["documents"]] == [("r1", "Reuters story"), ("r2", "A reprint")]
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("r1", "r2")]
    without = json.loads(runner.invoke(main, ["scan", str(tmp_path), "--format", "json"]).stdout)
    assert without["documents"] == [] and [s["id"] for s in without["skipped"]] == ["wire.csv"]


def test_scan_output_dash_is_stdout(runner):
    path = str(SEEDS / "004_bf4bf788d45fc931.txt")
    res = runner.invoke(main, ["scan", path, "--format", "jsonl", "-o", "-"])
    assert res.exit_code == 0 and res.stderr == ""
    assert json.loads(res.stdout.splitlines()[0])["type"] == "header"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "terminal"])
def test_scan_refuses_to_write_its_report_over_an_input(runner, tmp_path, fmt):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "Storm closes three ports along the northern coast."}\n', encoding="utf-8")
    before = feed.read_bytes()
    res = runner.invoke(main, ["scan", str(feed), "--format", fmt, "-o", str(feed)])
    assert res.exit_code == 1
    assert res.stderr == f"Error: refusing to write the report over the input '{feed}'; pass another --output\n"
    assert feed.read_bytes() == before


def test_scan_refuses_to_write_its_report_over_a_file_in_a_folder_it_reads(runner, tmp_path):
    # only files named on the command line were protected: -o d/000.txt with d/ scanned
    # replaced that article with the report
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    art = d / "sub" / "a.txt"
    art.write_text("Storm closes three ports along the northern coast on Tuesday.\n", encoding="utf-8")
    other = d / "notes.pdf"  # a type the scan skips is still the user's file
    other.write_bytes(b"%PDF-1.4")
    for target in (art, other):
        before = target.read_bytes()
        res = runner.invoke(main, ["scan", str(d), "--format", "json", "-o", str(target)])
        assert res.exit_code == 1 and target.read_bytes() == before
        assert res.stderr == (f"Error: refusing to write the report over '{target}', a file in the folder '{d}' that "
                              "is read; pass an --output outside it\n")
    res = runner.invoke(main, ["scan", str(d), "--format", "json", "-o", str(d / "new.json")])  # a new file is fine
    assert res.exit_code == 0 and json.loads((d / "new.json").read_text())["summary"]["documents"] == 1


def test_diff_refuses_to_write_over_its_source_or_copy(runner, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Storm closes three ports along the northern coast on Tuesday.\n", encoding="utf-8")
    b.write_text("Storm closes four ports along the northern coast on Tuesday.\n", encoding="utf-8")
    res = runner.invoke(main, ["diff", str(a), str(b), "--format", "html", "-o", str(b)])
    assert res.exit_code == 1
    assert res.stderr == f"Error: refusing to write the report over the input '{b}'; pass another --output\n"
    assert b.read_text(encoding="utf-8").startswith("Storm closes four")


def test_diff_of_standard_input_with_itself_is_a_usage_error(runner):
    # the second - was read after the first had taken the stream: "nothing was sent", exit 1
    res = runner.invoke(main, ["diff", "-", "-"], input="Storm closes three ports along the northern coast.\n")
    assert res.exit_code == 2
    assert "SOURCE and COPY are both - (standard input), which can be read once; give one of them as a file" \
        in res.stderr


@pytest.mark.parametrize("fmt", ["terminal", "csv"])
def test_scan_texts_with_a_format_that_has_no_texts_is_a_usage_error(runner, tmp_path, fmt):
    res = runner.invoke(main, ["scan", str(tmp_path), "--texts", "--format", fmt])
    assert res.exit_code == 2
    assert f"--texts adds the cleaned texts to --format json or jsonl, not {fmt}" in res.output


def test_renamed_ids_are_reported_in_every_format_and_said_once_on_stderr(runner, tmp_path):
    import json
    import pathlib

    seed = next((pathlib.Path(__file__).resolve().parent.parent / "seeds").glob("002_*.txt")).read_text()
    first = "Ferry services were cancelled until Thursday and fishing boats were ordered to stay in port.\n"
    recs = tmp_path / "r.jsonl"
    recs.write_text(json.dumps({"id": "x", "text": first}) + "\n" + json.dumps({"id": "x", "text": seed}) + "\n")
    notice = f"'{recs}': id 'x' is taken by an earlier input, renamed 'x~2'; give each input its own id"

    res = runner.invoke(main, ["scan", str(recs), "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    assert res.stderr == notice + "\n"  # once for the record, though it was split in two parts
    data = json.loads(res.stdout)
    assert [(d["id"], d["renamed_from"]) for d in data["documents"]] == [("x", None), ("x~2#1", "x"), ("x~2#2", "x")]
    assert data["renamed"] == [{"id": "x~2", "renamed_from": "x", "path": str(recs), "reason": notice}]
    assert data["summary"]["renamed"] == 1

    res = runner.invoke(main, ["scan", str(recs), "-q"])
    lines = res.stdout.splitlines()
    assert lines[0].startswith("3 documents, 0 stories, 0 events, 0 skipped, 1 renamed")
    at = lines.index("Renamed: 1 input whose id could not be kept")
    assert lines[at + 1] == f"  x~2: {notice}"
    assert res.stderr == notice + "\n"

    res = runner.invoke(main, ["scan", str(recs), "--format", "jsonl", "-q"])
    assert json.loads(res.stdout.splitlines()[-1]) == {"type": "renamed", "id": "x~2", "renamed_from": "x",
                                                       "path": str(recs), "reason": notice}


def test_scan_lines_finds_copies_between_lines_of_one_file(runner, tmp_path):
    import json
    import pathlib

    seeds = sorted((pathlib.Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    article = " ".join(seeds[0].read_text().split())  # seed 000 on one line
    (tmp_path / "corpus.cor").write_text(f"{article}\n\n{article}\n")
    res = runner.invoke(main, ["scan", str(tmp_path), "--ext", "cor", "--lines", "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["id"] for d in data["documents"]] == ["corpus.cor:1", "corpus.cor:3"]
    assert [(p["a"], p["b"], p["relation"]) for p in data["pairs"]] == [("corpus.cor:1", "corpus.cor:3", "duplicate")]


def test_a_scan_of_text_files_imports_neither_scikit_learn_nor_trafilatura(tmp_path):
    # scikit-learn (and scipy, joblib under it) cost seconds at start-up; the scan needs only
    # its stop-word list, which is read from the module that holds it. trafilatura is for pages.
    (tmp_path / "a.txt").write_text("Flooding closed the main road into the town on Monday. " * 5)
    code = (
        "import sys; from dedup.cli import main\n"
        f"sys.argv = ['dedup', 'scan', {str(tmp_path)!r}, '-o', {str(tmp_path / 'out.txt')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'joblib', 'trafilatura')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_an_output_that_cannot_be_written_fails_before_the_scan(runner, tmp_path, monkeypatch):
    """A long scan (or diff) must not run to its end only to find that -o cannot be written."""
    import dedup.drift

    def must_not_run(*args, **kwargs):
        raise AssertionError("the work ran before the output was checked")

    monkeypatch.setattr(dedup.scan, "scan", must_not_run)
    monkeypatch.setattr(dedup.drift, "diff", must_not_run)
    out = tmp_path / "missing-folder" / "r.json"
    error = f"Error: Could not open file '{out}': no folder '{tmp_path / 'missing-folder'}'\n"
    res = runner.invoke(main, ["scan", str(SEEDS), "--format", "json", "-o", str(out)])
    assert (res.exit_code, res.stderr) == (1, error)
    seeds = sorted(SEEDS.glob("*.txt"))
    res = runner.invoke(main, ["diff", str(seeds[0]), str(seeds[1]), "-o", str(out)])
    assert (res.exit_code, res.stderr) == (1, error)


def test_no_progress_bar_is_labelled_as_if_the_scan_were_done():
    """The stage that verifies the pairs left inside small groups is 'complete' in dedup.scan;
    on its bar, while it runs, that word would read as 'finished'."""
    with ScanProgress(stream=io.StringIO(), enabled=True) as progress:
        progress("verify", 4, 4)
        progress("complete", 0, 3)
        labels = [t.description for t in progress._progress.tasks]
    assert labels == ["verify", "verify groups"]


def test_record_ids_trimmed_or_escaped_are_listed_as_renamed_with_the_id_as_given(runner, tmp_path):
    # A record's id was trimmed and its control characters escaped without a word: a pipeline
    # joining answers back to its records by id lost those records.
    import json

    texts = [f"Storm number {k} closes ports along the northern coast as heavy rain batters the region, "
             f"officials said on day {k}. Ferry services were cancelled until further notice." for k in range(4)]
    recs = tmp_path / "r.jsonl"
    recs.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                            for i, t in zip([" spaced ", "tab\there", "spaced", 7], texts)))
    res = runner.invoke(main, ["scan", str(recs), "--format", "json", "-q"])
    assert res.exit_code == 0, res.output
    said = [
        f"'{recs}': id ' spaced ' read as 'spaced' (spaces around it trimmed); give ids without spaces around them",
        f"'{recs}': an id holding U+0009 was read as 'tab\\there' (control or invisible characters written as "
        "escapes); give ids without control or invisible characters",
        f"'{recs}': id 'spaced' is taken by an earlier input, renamed 'spaced~2'; give each input its own id",
    ]
    assert res.stderr.splitlines() == said
    data = json.loads(res.stdout)
    assert [(d["id"], d["renamed_from"]) for d in data["documents"]] == [
        ("spaced", " spaced "), ("tab\\there", "tab\there"), ("spaced~2", "spaced"), ("7", None)]
    assert [(r["id"], r["renamed_from"], r["reason"]) for r in data["renamed"]] == [
        ("spaced", " spaced ", said[0]), ("tab\\there", "tab\there", said[1]), ("spaced~2", "spaced", said[2])]
    # both at once, and a trimmed id that an earlier record holds
    recs.write_text(json.dumps({"id": "x", "text": texts[0]}) + "\n" + json.dumps({"id": " x\u200f", "text": texts[1]}) + "\n")
    res = runner.invoke(main, ["scan", str(recs), "--format", "json", "-q"])
    assert res.stderr == (f"'{recs}': an id holding U+200F was read as 'x\\u200f' (control or invisible characters "
                          "written as escapes, spaces around it trimmed); give ids without control or invisible characters "
                          "or spaces around them\n")
    recs.write_text(json.dumps({"id": "x", "text": texts[0]}) + "\n" + json.dumps({"id": "x ", "text": texts[1]}) + "\n")
    res = runner.invoke(main, ["scan", str(recs), "--format", "json", "-q"])
    assert res.stderr == (f"'{recs}': id 'x ' read as 'x' (spaces around it trimmed), which is taken by an earlier input, "
                          "renamed 'x~2'; give each input its own id\n")


def test_a_reader_that_closes_the_pipe_early_ends_the_scan_with_141_and_no_message():
    # json and html exited 1 (click's status for EPIPE), the terminal report 0, without a word.
    # The reader closes its end before the scan writes anything, so every write meets a closed pipe.
    import pathlib
    import subprocess
    import sys

    repo = pathlib.Path(__file__).resolve().parent.parent
    for fmt in ("json", "html", "terminal", "csv"):
        p = subprocess.Popen([sys.executable, "-m", "dedup", "scan", str(repo / "seeds"), "--format", fmt],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=repo)
        p.stdout.close()
        err = p.stderr.read()
        assert (p.wait(timeout=120), err) == (141, b""), fmt


def test_a_bidi_override_in_a_title_cannot_reorder_the_report(runner, tmp_path):
    # a title holding U+202E reversed the rest of its line in the terminal ("00.1 erocs") and in the
    # HTML page; the terminal escapes bidi embeddings and overrides, the page isolates titles
    import json

    text = "Storm closes three ports along the northern coast on Tuesday as heavy rain batters the region, officials said."
    recs = tmp_path / "r.jsonl"
    recs.write_text("".join(json.dumps({"id": i, "title": "Storm \u202eevil", "text": text}) + "\n" for i in ("a", "b")))
    res = runner.invoke(main, ["scan", str(recs), "-q"])
    assert "\u202e" not in res.stdout and '"Storm \\u202eevil"' in res.stdout
    res = runner.invoke(main, ["scan", str(recs), "-q", "--format", "html"])
    assert ".title,.doc{unicode-bidi:isolate}" in res.stdout and '<span class="title">\u201cStorm \u202eevil' in res.stdout


def test_a_report_that_fails_half_written_leaves_the_previous_one_whole(runner, tmp_path, monkeypatch):
    # the report was written in place: a Ctrl-C, a SIGTERM or a full disk left a cut file (a JSONL
    # cut at a line end looked complete) where the previous report was; a full disk was a traceback
    import errno
    import json
    import os

    from dedup.report import scan_json

    seeds = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "seeds")
    out = tmp_path / "report.jsonl"
    out.write_text("the previous report\n")
    os.chmod(out, 0o640)
    real = scan_json.write_jsonl

    def failing(result, stream, **kw):
        stream.write('{"type": "header"}\n')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scan_json, "write_jsonl", failing)
    res = runner.invoke(main, ["scan", seeds, "--format", "jsonl", "-q", "-o", str(out)])
    assert res.exit_code == 1 and res.stderr == (
        f"Error: cannot write '{out}': No space left on device; nothing was written there (free some space or pass "
        "another --output)\n")
    assert out.read_text() == "the previous report\n" and os.listdir(tmp_path) == ["report.jsonl"]
    monkeypatch.setattr(scan_json, "write_jsonl", real)
    res = runner.invoke(main, ["scan", seeds, "--format", "jsonl", "-q", "-o", str(out)])
    assert res.exit_code == 0 and json.loads(out.read_text().splitlines()[0])["type"] == "header"
    assert os.stat(out).st_mode & 0o777 == 0o640 and os.listdir(tmp_path) == ["report.jsonl"]  # its mode kept


def test_standard_output_on_a_full_disk_is_one_line():
    # `dedup scan ... > /dev/full` ended in an OSError traceback
    import os
    import pathlib
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    repo = pathlib.Path(__file__).resolve().parent.parent
    with open("/dev/full", "w") as full:
        got = subprocess.run([sys.executable, "-m", "dedup", "scan", str(repo / "seeds"), "--format", "jsonl"],
                             stdout=full, stderr=subprocess.PIPE, text=True, cwd=repo, timeout=120)
    assert (got.returncode, got.stderr) == (
        1, "Error: cannot write the output: No space left on device; free some space or write it elsewhere\n")

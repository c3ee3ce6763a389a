"""`dedup inspect`: what ingest did to each input."""

from __future__ import annotations

import json
import pathlib

from click.testing import CliRunner

from dedup.cli import main

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        return CliRunner()


def test_inspect_seed_004_exact_output():
    seed = next(SEEDS.glob("004_*.txt"))
    res = _runner().invoke(main, ["inspect", str(seed)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[:9] == [
        seed.name,
        "  title:     Pakistan says 67 militants killed after coordinated attacks in Balochistan",
        "  published: 2026-01-31T07:29",
        "  text:      2599 chars, 388 words, 0 caption zones",
        "  - line    1  lone symbol (close button or separator): \u00d7",
        "  - line    3  headline (moved to title): Pakistan says 67 militants killed after coordinated attacks in Balochistan",
        "  - line    5  byline: By Thomson Reuters Jan 31, 2026 | 7:29 AM",
        "  - line    7  byline: By Saleem Ahmed",
        "  - line   39  agency credit (reporting/editing): (Reporting by Saleem Ahmed in Quetta; additional reporting by "
        "Mushtaq Ali in Peshawar and Asif Shah\u2026",
    ]
    assert res.stderr == "1 document, 0 skipped\n"


def test_inspect_folder_shows_parts_captions_and_skipped(tmp_path):
    seed = next(SEEDS.glob("002_*.txt"))
    (tmp_path / "002.txt").write_bytes(seed.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    res = _runner().invoke(main, ["inspect", "--text", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "002.txt#1  (part 1 of 002.txt)" in out
    assert "002.txt#2  (part 2 of 002.txt)" in out
    assert out.count("  * caption [") == 5
    assert f"skipped empty.txt: cannot read '{tmp_path}/empty.txt': empty file (0 bytes); add text or leave it out" in out
    assert "    ISLAMABAD: Libyan National Army Commander Field Marshal Khalifa Haftar" in out  # --text
    assert res.stderr == "2 documents, 1 skipped\n"


def test_inspect_reads_stdin_and_takes_field_options():
    rec = {"key": "r1", "content": "[ad_1]\nStorm closes three ports along the coast, officials said on Tuesday."}
    res = _runner().invoke(main, ["inspect", "--id-field", "key", "--text-field", "content", "-"], input=json.dumps(rec) + "\n")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[:5] == [
        "r1",
        "  title:     -",
        "  text:      68 chars, 11 words, 0 caption zones",
        "  - line    1  ad marker: [ad_1]",
        "",
    ]


def test_inspect_binary_with_no_skip_binary_is_an_error(tmp_path):
    f = tmp_path / "b.txt"
    f.write_bytes(b"\x00\x00\x01\x02\x03\x00\xff")
    res = _runner().invoke(main, ["inspect", "--no-skip-binary", str(f)])
    assert res.exit_code == 1
    assert res.stderr == (
        f"Error: cannot read '{f}': binary data (NUL byte at offset 0); pass --encoding if it is text, or leave it out\n"
    )


def test_inspect_ext_adds_a_type_as_scan_does(tmp_path):
    # --ext means "also read this type" in every command (scan, inspect, index add, check)
    (tmp_path / "a.txt").write_text("Storm closes three ports along the coast, officials said on Tuesday.\n")
    (tmp_path / "b.csv").write_text("id,text\nrow1,Ferry services were cancelled until Thursday by the harbour authority.\n")
    res = _runner().invoke(main, ["inspect", "--ext", "csv", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert [line for line in res.stdout.splitlines() if line and not line.startswith(" ")] == ["a.txt", "row1"]
    assert res.stderr == "2 documents, 0 skipped\n"


def test_every_reading_command_has_the_same_reading_options():
    def reading(name, group=None):
        cmd = main.commands[name] if group is None else main.commands[group].commands[name]
        return {(p.name, tuple(p.opts), p.help) for p in cmd.params if p.name != "skip_binary"}

    scan = reading("scan")
    shared = {p for p in scan if p[0] in ("encoding", "max_bytes", "extensions", "follow_symlinks", "lines", "id_field",
                                         "text_fields", "title_field", "source_field", "published_field", "url_field")}
    assert len(shared) == 11
    for name, group in (("inspect", None), ("check", None), ("add", "index")):
        assert shared <= reading(name, group), name


def test_reading_options_help_gives_the_defaults_ingest_uses():
    """--help says what an option does when it is left out: the defaults of IngestOptions."""
    from dedup.ingest import IngestOptions

    default = IngestOptions()
    res = CliRunner().invoke(main, ["scan", "--help"], terminal_width=400)
    lines = {line.split()[0]: " ".join(line.split()) for line in res.output.splitlines() if line.strip().startswith("--")}
    assert f"(default: {default.max_bytes:,} bytes)" in lines["--max-bytes"]
    assert f"(default: {default.id_field})" in lines["--id-field"]
    assert f"(default: {', then '.join(default.text_fields)})" in lines["--text-field"]
    for option, value in (("--title-field", default.title_field), ("--source-field", default.source_field),
                          ("--published-field", default.published_field), ("--url-field", default.url_field)):
        assert f"(default: {value})" in lines[option], option


def test_inspect_usage_names_path_as_its_help_does():
    res = CliRunner().invoke(main, ["inspect", "--help"], prog_name="dedup")
    assert res.output.splitlines()[0] == "Usage: dedup inspect [OPTIONS] PATH..."


def test_top_level_help_lists_every_command_in_full():
    """`dedup --help` is the first thing a new user reads: no command summary cut to '...'."""
    res = CliRunner().invoke(main, ["--help"], prog_name="dedup", terminal_width=100)
    commands = res.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands] == ["check", "diff", "index", "inspect", "scan", "serve"]
    assert not [line for line in commands if line.rstrip().endswith("...")]

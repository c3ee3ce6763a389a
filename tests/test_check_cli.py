"""`dedup index ...` and `dedup check` through click's CliRunner: exact lines and exit codes."""

import json
import os
import pathlib
import shutil
import tempfile

import jsonschema
import pytest
from click.testing import CliRunner

from dedup.cli import main
from index_support import REPO, article
from unprivileged import run_unprivileged

SCHEMA = json.loads((REPO / "dedup" / "schemas" / "check.v1.json").read_text())


NOTICE = ("replaced the indexed article of that id with an unrelated text; if they are two articles, give each "
          "its own id (--id, or a file name of its own)")


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.delenv("DEDUP_INDEX", raising=False)
    index = str(tmp_path / "cli.db")

    def invoke(*args, input=None):
        return CliRunner().invoke(main, [*args, "--index", index], input=input, catch_exceptions=False)

    invoke.index = index
    return invoke


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(article(100 + i), encoding="utf-8")
    return folder


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_index_add_stats_remove(run, corpus):
    r = run("index", "add", str(corpus))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"added 3, updated 0, unchanged 0, skipped 0; 3 documents in sqlite://{run.index}\n"
    r = run("index", "add", str(corpus / "a1.txt"))
    assert r.stdout.startswith("added 0, updated 0, unchanged 1, skipped 0; 3 documents")
    r = run("index", "stats", "--json")
    stats = json.loads(r.stdout)
    assert stats["documents"] == 3 and stats["backend"] == "sqlite" and stats["params"]["num_perm"] == 128
    assert "documents:       3" in run("index", "stats").stdout
    r = run("index", "remove", "a0.txt")
    assert (r.exit_code, r.stdout) == (0, "removed a0.txt\n")
    r = CliRunner().invoke(main, ["index", "remove", "a0.txt", "--index", run.index])
    assert r.exit_code == 1
    assert r.stderr == f"Error: no document 'a0.txt' in sqlite://{run.index}; list ids with `dedup index audit`\n"
    # every id is checked before any is removed (a1.txt was removed, then the bad one stopped the rest)
    r = CliRunner().invoke(main, ["index", "remove", "a1.txt", "bad\nid", "--index", run.index])
    assert r.exit_code == 1 and r.stdout == "" and "control characters" in r.stderr
    assert json.loads(run("index", "stats", "--json").stdout)["documents"] == 2


def test_index_add_reports_skipped_inputs(run, tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_bytes(b"")
    r = run("index", "add", str(tmp_path / "bin.txt"), str(tmp_path / "empty.txt"))
    assert r.exit_code == 0
    assert r.stdout.startswith("added 0, updated 0, unchanged 0, skipped 2;")
    assert r.stderr.count("skipped ") == 2 and "bin.txt" in r.stderr and "empty.txt" in r.stderr


def test_check_files_jsonl_and_exit_codes(run, corpus, tmp_path):
    run("index", "add", str(corpus))
    copy = tmp_path / "copy.txt"
    copy.write_text(article(101), encoding="utf-8")
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(article(999), encoding="utf-8")

    r = run("check", str(copy), str(fresh))
    assert r.exit_code == 0
    out = lines(r)
    for line in out:
        jsonschema.validate(line, SCHEMA)
    assert [(o["id"], o["decision"]) for o in out] == [("copy.txt", "duplicate"), ("fresh.txt", "new")]
    assert out[0]["matches"][0]["id"] == "a1.txt"

    assert run("check", "--exit-code", str(copy)).exit_code == 2
    assert run("check", "--exit-code", str(fresh)).exit_code == 0
    assert run("check", "--exit-code", str(fresh), str(copy)).exit_code == 2


def test_check_add_inserts_only_new(run, corpus, tmp_path):
    run("index", "add", str(corpus))
    copy = tmp_path / "copy.txt"
    copy.write_text(article(100), encoding="utf-8")
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(article(555), encoding="utf-8")
    out = lines(run("check", "--add", str(copy), str(fresh)))
    assert [(o["id"], o["decision"], o["added"]) for o in out] == [
        ("copy.txt", "duplicate", False), ("fresh.txt", "new", True)]
    stats = json.loads(run("index", "stats", "--json").stdout)
    assert stats["documents"] == 4
    audit = [json.loads(x) for x in run("index", "audit", "--format", "jsonl").stdout.splitlines()]
    assert [(a["id"], a["action"], a["decision"]) for a in audit[-2:]] == [
        ("copy.txt", "check", "duplicate"), ("fresh.txt", "add", "new")]
    text = run("index", "audit", "--id", "fresh.txt").stdout.splitlines()
    assert len(text) == 1 and "fresh.txt" in text[0] and "add" in text[0]


def test_check_jsonl_stream_in_and_out(run, corpus):
    run("index", "add", str(corpus))
    stream = "".join(
        json.dumps(rec) + "\n"
        for rec in [
            {"id": "s1", "text": article(102)},
            {"id": "s2", "text": article(4242), "title": "Fresh"},
            {"id": "s3", "text": article(4242)},
        ]
    )
    r = run("check", "--add", "-", input=stream)
    assert r.exit_code == 0, r.output
    out = lines(r)
    assert [(o["id"], o["decision"], o["added"]) for o in out] == [
        ("s1", "duplicate", False), ("s2", "new", True), ("s3", "duplicate", False)]
    assert out[2]["matches"][0]["id"] == "s2"


def test_check_text_format(run, corpus, tmp_path):
    run("index", "add", str(corpus))
    copy = tmp_path / "copy.txt"
    copy.write_text(article(100), encoding="utf-8")
    r = run("check", "--format", "text", str(copy))
    assert r.stdout.startswith("copy.txt\tduplicate\ta0.txt\t1.00")


def test_a_text_file_as_index_is_one_error_line(run, corpus):
    run("index", "add", str(corpus))
    r = CliRunner().invoke(main, ["index", "stats", "--index", str(corpus / "a0.txt")])
    assert r.exit_code == 1 and r.stderr.startswith("Error: ") and r.stderr.count("\n") == 1


def test_stats_of_missing_index_is_an_error(tmp_path):
    r = CliRunner().invoke(main, ["index", "stats", "--index", str(tmp_path / "none.db")])
    assert r.exit_code == 1
    assert r.stderr == f"Error: no index at '{tmp_path / 'none.db'}'; create it with `dedup index add --index {tmp_path / 'none.db'} FILES`\n"


@pytest.mark.parametrize("bulk", [[], ["--bulk"]])
def test_index_add_of_a_missing_path_is_a_usage_error_and_creates_no_index(tmp_path, bulk):
    # a mistyped path is a typo, not an input to list as skipped: as `dedup scan`, exit 2
    # before the index is opened (it used to exit 0 with an empty index created)
    index = tmp_path / "new.db"
    missing = tmp_path / "artciles"
    r = CliRunner().invoke(main, ["index", "add", "--index", str(index), *bulk, str(missing)])
    assert r.exit_code == 2
    assert f"Path '{missing}' does not exist." in r.stderr
    assert not index.exists()


def test_index_add_bulk_loads_an_empty_index_with_audit_entries(run, tmp_path):
    rows = [{"id": "s0", "text": article(100)}, {"id": "s1", "text": article(101)}, {"id": "s2", "text": article(102)}]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run("index", "add", "--bulk", str(feed), str(empty))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"added 3, updated 0, unchanged 0, skipped 1; 3 documents in sqlite://{run.index}\n"
    assert r.stderr == f"skipped empty.txt: cannot read '{empty}': empty file (0 bytes); add text or leave it out\n"
    audit = [json.loads(line) for line in run("index", "audit", "--format", "jsonl").stdout.splitlines()]
    assert [(e["id"], e["action"], e["added"], e["client"]) for e in audit] == [
        ("s0", "add", True, "cli"), ("s1", "add", True, "cli"), ("s2", "add", True, "cli")]
    # what was loaded is found
    (tmp_path / "q.txt").write_text(article(101), encoding="utf-8")
    got = lines(run("check", str(tmp_path / "q.txt")))[0]
    assert (got["decision"], got["matches"][0]["id"]) == ("duplicate", "s1")
    # a bulk load needs an empty index
    r = CliRunner().invoke(main, ["index", "add", "--bulk", str(feed), "--index", run.index])
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: bulk load needs an empty index;")


def test_check_exit_code_is_1_when_an_input_could_not_be_checked(run, corpus, tmp_path):
    run("index", "add", str(corpus))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(article(999), encoding="utf-8")
    r = run("check", "--exit-code", str(fresh), str(binary))
    assert r.exit_code == 1
    assert [o["decision"] for o in lines(r)] == ["new", "skipped"]
    assert r.stderr == "Error: 1 of 2 inputs could not be checked (see the skipped answers); fix them or leave them out\n"
    # a copy still says 2: the article must not go through either way
    copy = tmp_path / "copy.txt"
    copy.write_text(article(101), encoding="utf-8")
    assert run("check", "--exit-code", str(copy), str(binary)).exit_code == 2
    # without --exit-code a skipped input is an answer like any other
    assert run("check", str(binary)).exit_code == 0


def test_index_add_and_check_take_the_record_field_options_their_messages_suggest(run, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"guid": f"g{i}", "content": article(300 + i)}) + "\n" for i in range(2)),
                    encoding="utf-8")
    r = run("index", "add", str(feed))
    assert "pass --id-field NAME" in r.stderr  # what the skip says to do...
    r = run("index", "add", "--id-field", "guid", "--text-field", "content", str(feed))  # ...can be done
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("added 2, updated 0, unchanged 0, skipped 0;")
    incoming = tmp_path / "incoming.jsonl"
    incoming.write_text(json.dumps({"guid": "n1", "content": article(301)}) + "\n", encoding="utf-8")
    out = lines(run("check", "--id-field", "guid", "--text-field", "content", str(incoming)))
    assert [(o["id"], o["decision"], o["matches"][0]["id"]) for o in out] == [("n1", "duplicate", "g1")]


def test_index_add_and_check_read_other_file_types_with_ext(run, tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "a.cor").write_text(article(400), encoding="utf-8")
    r = run("index", "add", str(folder))
    assert "add the type with --ext" in r.stderr
    r = run("index", "add", "--ext", "cor", str(folder))
    assert r.stdout.startswith("added 1,"), r.output
    out = lines(run("check", "--ext", "cor", str(folder)))
    assert [(o["id"], o["decision"]) for o in out] == [("a.cor", "new")]  # indexed under this id, same text


def test_a_plain_text_article_on_stdin_is_admitted_only_under_an_id_of_its_own(run, tmp_path):
    first, second = article(600), article(601)
    r = run("check", "--add", "-", input=first)
    assert [(o["id"], o["decision"], o["added"]) for o in lines(r)] == [("-", "skipped", False)]
    assert lines(r)[0]["reason"] == (
        "cannot add the article on standard input: it has no id; pass --id ID, or send JSON records with an id")
    assert [(o["id"], o["added"]) for o in lines(run("check", "--add", "--id", "wire-1", "-", input=first))] == [
        ("wire-1", True)]
    assert [(o["id"], o["added"]) for o in lines(run("check", "--add", "--id", "wire-2", "-", input=second))] == [
        ("wire-2", True)]
    assert json.loads(run("index", "stats", "--json").stdout)["documents"] == 2  # the first was not replaced
    r = run("index", "add", "-", input=first)
    assert r.stdout.startswith("added 0, updated 0, unchanged 0, skipped 1;") and "pass --id ID" in r.stderr
    for given in ("", "-"):  # indexed under "-", the next article piped in replaced it
        r = run("index", "add", "--id", given, "-", input=first)
        assert r.stdout.startswith("added 0, updated 0, unchanged 0, skipped 1;") and "pass --id ID" in r.stderr
        r = run("check", "--add", "--id", given, "-", input=first)
        assert [(o["id"], o["decision"], o["added"]) for o in lines(r)] == [("-", "skipped", False)]
    # a read-only check needs no id
    assert [(o["id"], o["decision"]) for o in lines(run("check", "-", input=second))] == [("-", "duplicate")]
    # an id the index refuses is one skipped answer, whatever is wrong with it (a bidi mark was an
    # "Error:" line, exit 1, no answer; spaces around it a skipped answer)
    for given, why in ((" x", "has control characters or surrounding spaces"),
                       ("x\u202ey", "has an invisible or layout character (U+202E)")):
        r = run("check", "--add", "--id", given, "-", input=first)
        (ans,) = lines(r)
        assert (r.exit_code, ans["decision"]) == (0, "skipped") and why in ans["reason"], r.output


def test_read_only_check_of_a_missing_index_is_an_error_not_an_empty_index(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(article(700), encoding="utf-8")
    missing = tmp_path / "typo.db"
    r = CliRunner().invoke(main, ["check", "--exit-code", "--index", str(missing), str(story)])
    assert r.exit_code == 1  # not 0 "new": every article would pass as new against an empty index
    assert r.stderr == f"Error: no index at '{missing}'; create it with `dedup index add --index {missing} FILES`\n"
    assert not missing.exists()
    # --add may start an index (first use)
    r = CliRunner().invoke(main, ["check", "--add", "--index", str(missing), str(story)])
    assert r.exit_code == 0 and missing.exists()


def test_index_add_and_check_keep_a_repeated_record_id_and_inspect_renames_it(run, tmp_path):
    # ids are the index's keys: the second "x" is the same document (an update), as over HTTP;
    # inspect reads as scan does, where ids are unique within a read
    recs = tmp_path / "r.jsonl"
    recs.write_text(json.dumps({"id": "x", "text": article(1)}) + "\n" + json.dumps({"id": "x", "text": article(2)}) + "\n")
    notice = f"'{recs}': id 'x' is taken by an earlier input, renamed 'x~2'; give each input its own id\n"
    r = run("index", "add", str(recs))
    # two different articles: the second replaces the first, and that is said
    assert r.exit_code == 0 and r.stderr == f"'x': {NOTICE}\n" and "added 1, updated 1" in r.stdout
    r = run("check", str(recs))
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["x", "x"] and r.stderr == ""
    r = CliRunner().invoke(main, ["inspect", str(recs)])
    assert r.stderr == notice + "2 documents, 0 skipped\n"
    assert "x~2\n  renamed:   " + notice in r.stdout


def test_index_add_and_check_read_one_article_per_line(run, tmp_path):
    one, two = (" ".join(article(i).split()) for i in (1, 2))
    (tmp_path / "archive.cor").write_text(f"{one}\n{two}\n")
    r = run("index", "add", "--ext", "cor", "--lines", str(tmp_path / "archive.cor"))
    assert r.exit_code == 0 and r.stdout.startswith("added 2, updated 0, unchanged 0, skipped 0; 2 documents in ")
    r = run("check", "--lines", "--format", "text", "-", input=f"{two}\n")
    assert r.stdout.splitlines() == ["-:1\tduplicate\tarchive.cor:2\t1.00"]


def test_a_read_only_index_is_a_one_line_error_naming_the_fix(tmp_path):
    # a write to an index file (or folder) the user may not write ended in a sqlite3 traceback
    shared = pathlib.Path(tempfile.mkdtemp(prefix="dedup-ro-"))
    try:
        os.chmod(shared, 0o777)
        index = shared / "ro.db"
        assert CliRunner().invoke(main, ["index", "add", "--index", str(index), str(REPO / "seeds")]).exit_code == 0
        os.chmod(index, 0o444)
        seed = str(REPO / "seeds" / "001_1358a161da439dff.txt")

        def attempt():
            out = []
            for args in (["check", seed], ["check", "--add", seed], ["index", "add", seed], ["index", "remove", "x"]):
                r = CliRunner().invoke(main, [*args, "--index", str(index)])
                out.append((r.exit_code, r.stderr))
            return out

        fix = ("is read-only (attempt to write a readonly database); make the file and its folder writable "
               "(SQLite also writes its -wal and -shm files there) or pass another --index\n")
        assert run_unprivileged(attempt) == [[1, f"Error: index '{index}' {fix}"]] * 4
    finally:
        os.chmod(shared, 0o755)
        shutil.rmtree(shared)


def test_index_commands_keep_record_ids_as_given_and_skip_ids_they_would_change(run, tmp_path):
    # A record id with a tab was escaped to "wire\tA" (backslash, t): a second article that
    # really had that id replaced the first. A stream that repeated an id got "x~2" added
    # beside "x", where HTTP and separate runs update "x".
    recs = [{"id": "wire\tA", "text": article(1)}, {"id": "wire\\tA", "text": article(2)}, {"id": " sp", "text": article(3)},
            {"id": "art", "text": article(4)}, {"id": "art", "text": article(5)}]
    stream = "".join(json.dumps(r) + "\n" for r in recs)
    r = run("check", "--add", "-", input=stream)
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(a["id"], a["decision"], a.get("added")) for a in got] == [
        ("-:1", "skipped", False), ("wire\\tA", "new", True), ("-:3", "skipped", False), ("art", "new", True), ("art", "new", True)]
    assert got[0]["reason"] == ("'-' line 1: record id 'wire\\tA' has control characters or spaces around it, which an index "
                                "does not keep; give the record a plain id")
    assert got[2]["reason"].startswith("'-' line 3: record id ' sp' has control")
    assert got[4]["updated"] is True and r.stderr == f"'art': {NOTICE}\n"
    r = run("index", "stats", "--json")
    assert json.loads(r.stdout)["documents"] == 2
    f = tmp_path / "r.jsonl"
    f.write_text(stream)
    r = run("index", "add", str(f))
    assert r.exit_code == 0 and "added 0, updated 2, unchanged 1, skipped 2" in r.stdout  # art: 5 -> 4 -> 5


def test_an_update_that_replaces_an_unrelated_article_is_said(run, tmp_path):
    # a file name used again for the next story (the docs' `dedup check --add story.txt` pattern),
    # or two folders' 001.txt, replaced the indexed article without a word: exit 0, "updated"
    story = tmp_path / "story.txt"
    story.write_text(article(41), encoding="utf-8")
    assert run("check", "--add", str(story)).exit_code == 0
    story.write_text(article(41) + "\n\nA corrected last paragraph, as wires send them.\n", encoding="utf-8")
    r = run("check", "--add", str(story))  # the same story corrected: an update, nothing said
    ans = json.loads(r.stdout)
    assert ans["updated"] is True and ans["replaced_unrelated"] is False and r.stderr == ""
    story.write_text(article(42), encoding="utf-8")
    r = run("check", "--add", str(story))
    ans = json.loads(r.stdout)
    # said in a field of its own, for programs, and in the reason, for people
    assert ans["updated"] is True and ans["replaced_unrelated"] is True
    assert "unrelated to the text it replaces" in ans["reason"]
    assert r.stderr == ("'story.txt': replaced the indexed article of that id with an unrelated text; if they are two "
                        "articles, give each its own id (--id, or a file name of its own)\n")
    for k, n in (("a", 43), ("b", 44)):
        (tmp_path / k).mkdir()
        (tmp_path / k / "001.txt").write_text(article(n), encoding="utf-8")
    run("index", "add", str(tmp_path / "a"))
    r = run("index", "add", str(tmp_path / "b"))
    assert "added 0, updated 1" in r.stdout and "'001.txt': replaced the indexed article of that id" in r.stderr


@pytest.mark.parametrize("sig,code,said", [("SIGINT", 130, "Interrupted."), ("SIGTERM", 143, "Terminated.")])
def test_an_interrupted_index_add_says_what_is_committed_and_exits_as_a_shell_expects(tmp_path, sig, code, said):
    # Ctrl-C said only "Aborted!" (exit 1); SIGTERM ended it silently, leaving no word of what was kept
    import signal
    import subprocess
    import sys
    import time

    from dedup.index import Index

    db = tmp_path / "i.db"
    p = subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", "--index", str(db), "--batch", "1", "-"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    for k in range(3):
        p.stdin.write((json.dumps({"id": f"a{k}", "text": article(900 + k)}) + "\n").encode())
    p.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the three are committed; it waits for more input
        if db.exists():
            with Index.open(str(db), create=False) as index:
                if index.stats().documents == 3:
                    break
        time.sleep(0.1)
    p.send_signal(getattr(signal, sig))
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert "stopped: the first 3 documents read are in the index (committed); run the same command again" in err.decode()
    assert said in err.decode() and "Traceback" not in err.decode()

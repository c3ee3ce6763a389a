"""Ingest of files, folders, JSON records and streams: every trap ends as a Document or a Skipped."""

from __future__ import annotations

import io
import json
import os
import pathlib
import shutil
import socket
import stat
import sys
import tempfile

import pytest

from dedup.errors import InputError, ParamsError
from dedup.ingest import IngestOptions, document_from_text, printable, read_inputs, read_stream
from dedup.records import Document, Skipped

from unprivileged import run_unprivileged as _run_unprivileged

DATA = pathlib.Path(__file__).resolve().parent / "data_ingest"
ARTICLE = (
    "Storm closes ports along the coast\n\n"
    "Heavy storms closed three ports along the northern coast on Tuesday, the harbour authority said, "
    "as waves of up to eight metres battered sea walls and flooded roads near the docks.\n\n"
    "Ferry services were cancelled until Thursday and fishing boats were ordered to stay in port.\n"
)


def _read(*paths, **opts):
    return list(read_inputs([str(p) for p in paths], options=IngestOptions(**opts)))


def _only(items, cls):
    assert len(items) == 1, items
    assert isinstance(items[0], cls), items[0]
    return items[0]


# --- empty, white space, boilerplate only ---------------------------------------------------


@pytest.mark.parametrize(
    "content,why",
    [
        pytest.param(b"", "empty file (0 bytes); add text or leave it out", id="empty"),
        pytest.param(b"  \n\t\n \r\n", "only white space; add text or leave it out", id="whitespace"),
        pytest.param(
            "[ad_1]\nFollow\nShort Url\nUpdated 6 sec ago\n\u00d7\n".encode(),
            "nothing left after removing boilerplate (5 lines: ad marker, lone symbol (close button or separator), "
            "share/follow button, update stamp); check that it holds an article",
            id="boilerplate-only",
        ),
    ],
)
def test_nothing_to_read_is_skipped_with_reason(tmp_path, content, why):
    f = tmp_path / "a.txt"
    f.write_bytes(content)
    s = _only(_read(f), Skipped)
    assert s.reason == f"cannot read '{f}': {why}"
    assert s.id == "a.txt" and s.path == str(f)


def test_document_from_text_raises_input_error_on_boilerplate_only():
    with pytest.raises(InputError, match=r"^cannot read 'x': nothing left after removing boilerplate \(1 line: ad marker\)"):
        document_from_text("[ad_1]\n", id="x")


# --- encodings -------------------------------------------------------------------------------

TEXT = "The caf\u00e9 owner said \u201cno\u201d \u2013 twice \u2013 to the na\u00efve plan on Monday."


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(TEXT.encode("utf-32"), id="utf-32-bom"),
        pytest.param(TEXT.encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(TEXT.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(TEXT.encode("cp1252"), id="cp1252-curly-quotes"),
    ],
)
def test_encodings_are_detected(tmp_path, data):
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    doc = _only(_read(f), Document)
    assert doc.text == TEXT


def test_cp1252_quotes_0x93_0x94_become_curly_quotes(tmp_path):
    f = tmp_path / "q.txt"
    f.write_bytes(b"He said \x93no\x94 and left the room before the vote.")
    assert _only(_read(f), Document).text == "He said \u201cno\u201d and left the room before the vote."


def test_latin1_text(tmp_path):
    text = "Jos\u00e9 M\u00fcller went to the caf\u00e9 in S\u00e3o Paulo for the na\u00efve meeting \u00bd hour \u00a3100."
    f = tmp_path / "l.txt"
    f.write_bytes(text.encode("latin-1"))
    assert _only(_read(f), Document).text == text


@pytest.mark.parametrize(
    "data, text",
    [
        pytest.param(TEXT.encode() + " and the caf\u00e9".encode()[:-1], TEXT + " and the caf\ufffd", id="cut-inside-a-character"),
        pytest.param(TEXT.encode().replace(b" twice ", b" tw\xefce "), TEXT.replace(" twice ", " tw\u00efce "), id="one-latin-1-byte"),
        # a paragraph pasted from cp1252 into UTF-8 (8 of 28 non-ASCII characters bad): it was
        # "binary data" (cp1252 cannot read UTF-8's 0x9d; Latin-1 gives C1 controls)
        pytest.param(("\u201c" + TEXT + "\u201d\n\n") .encode() * 10 + b"He said \x93one\x94 \x93two\x94 \x93three\x94 \x93four\x94.",
                     ("\u201c" + TEXT + "\u201d\n\n") * 10 + "He said \u201cone\u201d \u201ctwo\u201d \u201cthree\u201d \u201cfour\u201d.",
                     id="cp1252-paragraph"),
        # 30 good UTF-8 characters, 11 Latin-1 bytes: read as cp1252, the good ones were mojibake
        pytest.param(("Plain caf\u00e9 start here. " * 30).encode() + ("Then caf\u00e9 here. " * 11).encode("latin-1"),
                     ("Plain caf\u00e9 start here. " * 30 + "Then caf\u00e9 here. " * 11).strip(), id="latin-1-sentences"),
    ],
)
def test_utf8_with_a_few_bad_bytes_stays_utf8(tmp_path, data, text):
    # read as cp1252, every good character turned into two or three ("\u201c" -> "\u00e2\u20ac\u0153"),
    # silently; now each bad byte is read as cp1252, a character cut at the end as U+FFFD
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    assert _only(_read(f), Document).text == text


def test_non_latin_single_byte_text_uses_charset_normalizer(tmp_path):
    text = "\u041f\u0440\u0430\u0432\u0438\u0442\u0435\u043b\u044c\u0441\u0442\u0432\u043e \u043e\u0431\u044a\u044f\u0432\u0438\u043b\u043e \u043e \u043d\u043e\u0432\u044b\u0445 \u043c\u0435\u0440\u0430\u0445 \u043f\u043e\u0434\u0434\u0435\u0440\u0436\u043a\u0438 \u044d\u043a\u043e\u043d\u043e\u043c\u0438\u043a\u0438 \u0432 \u043f\u043e\u043d\u0435\u0434\u0435\u043b\u044c\u043d\u0438\u043a."
    f = tmp_path / "ru.txt"
    f.write_bytes(text.encode("cp1251"))
    assert _only(_read(f), Document).text == text


def test_forced_encoding(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(TEXT.encode("cp1252"))
    assert _only(_read(f, encoding="cp1252"), Document).text == TEXT
    s = _only(_read(f, encoding="utf-8"), Skipped)
    assert s.reason.startswith(f"cannot read '{f}': not valid utf-8 (byte ")
    # the encoding was given: the fix is another --encoding, or none (detect it)
    assert s.reason.endswith("; it is not utf-8: pass its encoding with --encoding, or drop --encoding to detect it")


_NOT_IT = "; it is not {}: pass its encoding with --encoding, or drop --encoding to detect it"


@pytest.mark.parametrize(
    "data,encoding,why",
    [
        pytest.param(ARTICLE.encode("utf-8") + b"\n", "utf-16",
                     "not text as utf-16 (100% of the bytes are ASCII text, read as 100% non-ASCII characters)",
                     id="utf-16-on-utf-8"),
        pytest.param(ARTICLE.encode("utf-16-be"), "utf-16-le", "not text as utf-16-le (its NUL bytes are laid out as utf-16-be)",
                     id="utf-16-le-on-utf-16-be"),
        pytest.param(ARTICLE.encode("utf-16"), "cp1252", "binary data (50% control characters as cp1252)", id="cp1252-on-utf-16"),
        pytest.param(("\ufeff" + "\ue000\ue001 private use" * 8).encode("utf-16-le"), "utf-16-le",
                     "not text as utf-16-le (14% unassigned or private-use characters)", id="private-use"),
        pytest.param((ARTICLE + "\nThe mayor\u2019s caf\u00e9 reopened.\n").encode("utf-8"), "latin-1",
                     "not text as latin-1 (its bytes are UTF-8: 2 characters such as '\u2019' would each read as 3)",
                     id="latin-1-on-utf-8"),
        pytest.param((ARTICLE + "\nThe mayor\u2019s caf\u00e9 reopened.\n").encode("utf-8"), "cp1252",
                     "not text as cp1252 (its bytes are UTF-8: 2 characters such as '\u2019' would each read as 3)",
                     id="cp1252-on-utf-8"),
    ],
)
def test_forced_encoding_that_misreads_the_bytes_is_skipped(tmp_path, data, encoding, why):
    # garbage (CJK soup, NULs) from a wrong --encoding is not indexed: the fix is to drop --encoding
    f = tmp_path / "a.txt"
    f.write_bytes(data)
    s = _only(_read(f, encoding=encoding), Skipped)
    assert s.reason == f"cannot read '{f}': {why}" + _NOT_IT.format(encoding)
    assert _only(_read(f), Document).text  # detected, it reads


@pytest.mark.parametrize(
    "text,encoding",
    [
        pytest.param("\u6771\u4eac\u3067\u4f1a\u8b70\u304c\u958b\u304b\u308c\u305f\u3002\n" * 4, "utf-16-le", id="cjk-utf-16-le"),
        pytest.param("\u6771\u4eac\u3067\u4f1a\u8b70\u304c\u958b\u304b\u308c\u305f\u3002\n" * 4, "utf-16", id="cjk-utf-16-bom"),
        pytest.param("\u6771\u4eac\u3067\u4f1a\u8b70\u304c\u958b\u304b\u308c\u305f\u3002\n" * 4, "shift_jis", id="shift-jis"),
        pytest.param(TEXT, "utf-32", id="utf-32-bom"),
        pytest.param(TEXT, "utf-32-be", id="utf-32-be"),
        pytest.param(TEXT, "cp1252", id="cp1252"),
    ],
)
def test_forced_encoding_that_is_right_reads(tmp_path, text, encoding):
    f = tmp_path / "a.txt"
    f.write_bytes(text.encode(encoding))
    assert _only(_read(f, encoding=encoding), Document).text == text.strip()


def test_unknown_forced_encoding_is_a_params_error():
    with pytest.raises(ParamsError, match="unknown encoding 'nope'"):
        IngestOptions(encoding="nope")


def test_binary_file_is_skipped(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    s = _only(_read(f), Skipped)
    assert s.reason == f"cannot read '{f}': binary data (NUL byte at offset 8); pass --encoding if it is text, or leave it out"


def test_control_character_soup_is_binary(tmp_path):
    f = tmp_path / "soup.txt"
    f.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"some words")
    s = _only(_read(f), Skipped)
    assert s.reason.startswith(f"cannot read '{f}': binary data (")
    assert "control characters" in s.reason


def test_binary_stops_the_read_when_skip_binary_is_off(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.bin.txt").write_bytes(b"\x00\x01\x02\x03" * 10 + b"\xff\x00")
    with pytest.raises(InputError, match=r"binary data \(NUL byte at offset 0\)"):
        _read(tmp_path, skip_binary=False)


# --- JSON and JSONL ---------------------------------------------------------------------------


def test_every_part_of_a_split_record_keeps_the_record_metadata(tmp_path):
    # seed 002 holds two unrelated stories: the record's publication time, source and url
    # belong to both parts; each part keeps its own headline as title
    text = (pathlib.Path(__file__).resolve().parent.parent / "seeds" / "002_ceff1de251848dd9.txt").read_text()
    f = tmp_path / "recs.jsonl"
    rec = {"id": "r", "text": text, "title": "Given title", "source": "Wire", "published": "2026-02-01", "url": "http://x/r"}
    f.write_text(json.dumps(rec) + "\n")
    docs = _read(f)
    assert [(d.id, d.parent, d.part) for d in docs] == [("r#1", "r", 1), ("r#2", "r", 2)]
    assert [(d.source, d.published, d.url) for d in docs] == [("Wire", "2026-02-01", "http://x/r")] * 2
    assert docs[0].title == "Given title"
    assert docs[1].title == "Pakistani, Libyan commanders discuss regional security, military cooperation"



def test_jsonl_bad_line_is_skipped_and_the_rest_read(tmp_path):
    f = tmp_path / "recs.jsonl"
    f.write_text(
        json.dumps({"id": "a", "text": ARTICLE, "source": "Wire", "url": "http://x/a"}) + "\n"
        + '{"id": "b", "text": \n'
        + json.dumps({"id": "c", "title": "No body here"}) + "\n"
        + json.dumps({"text": ARTICLE}) + "\n"
        + "\n"
        + json.dumps({"id": 7, "body": ARTICLE.replace("Storm", "Gale"), "published": "2026-01-31"}) + "\n"
    )
    items = _read(f)
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [d.id for d in docs] == ["a", "7"]
    assert docs[0].source == "Wire" and docs[0].url == "http://x/a" and docs[0].title == "Storm closes ports along the coast"
    assert docs[1].published == "2026-01-31"
    assert [(s.id, s.reason) for s in skipped] == [
        ("recs.jsonl:2", f"'{f}' line 2: invalid JSON (Expecting value column 20); fix or remove that line"),
        ("c", f"'{f}' line 3: record 'c' has no text (fields 'text', 'body' missing or empty); add one or pass --text-field NAME"),
        ("recs.jsonl:4", f"'{f}' line 4: record has no 'id' field; add one or pass --id-field NAME"),
    ]


def test_json_array_file_and_custom_fields(tmp_path):
    f = tmp_path / "recs.json"
    f.write_text(json.dumps({"items": [{"key": "k1", "content": ARTICLE}, {"key": "k2", "content": "<p>" + ARTICLE.replace("\n", " ") + "</p>"}]}))
    docs = _read(f, id_field="key", text_fields=("content",))
    assert [d.id for d in docs] == ["k1", "k2"]
    assert all(isinstance(d, Document) and "eight metres" in d.text for d in docs)


def test_malformed_json_file_names_line(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('[\n  {"id": "a",\n   "text": oops}\n]\n')
    s = _only(_read(f), Skipped)
    assert s.reason == (
        f"cannot read '{f}': invalid JSON (Expecting value at line 3 column 12); "
        "fix the file (one object per line needs .jsonl)"
    )


def test_skipped_records_and_json_files_take_the_files_id_not_its_path(tmp_path):
    """A skipped JSON file, JSON line, JSON record or CSV row is named by the file's id (its
    path relative to the scanned folder, as every other skipped file), not by the path as given."""
    sub = tmp_path / "in"
    sub.mkdir()
    (sub / "bad.json").write_text('{"id": "x", "text": "hello\n"}')
    (sub / "recs.jsonl").write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\nnot json\n")
    (sub / "arr.json").write_text(json.dumps([{"id": "b", "text": ARTICLE.replace("Storm", "Gale")}, 7]))
    (sub / "rows.csv").write_text('id,text\nr2,\n')
    (sub / "empty.txt").write_text("")
    items = _read(sub, extensions=IngestOptions().extensions + (".csv",))
    skipped = {s.id: s.reason for s in items if isinstance(s, Skipped)}
    assert sorted(skipped) == ["arr.json#record2", "bad.json", "empty.txt", "r2", "recs.jsonl:2"]
    assert skipped["bad.json"] == (
        f"cannot read '{sub / 'bad.json'}': invalid JSON (Invalid control character at line 1 column 27); "
        "fix the file (one object per line needs .jsonl)"
    )


def test_csv_records_when_asked(tmp_path):
    f = tmp_path / "recs.csv"
    f.write_text('id,text\nr1,"' + ARTICLE.replace('"', '""') + '"\nr2,\n')
    items = _read(tmp_path, extensions=(".csv",))
    assert isinstance(items[0], Document) and items[0].id == "r1"
    assert isinstance(items[1], Skipped) and items[1].reason.startswith(f"'{f}' line ")


def test_record_files_without_records_are_listed_as_skipped(tmp_path):
    # an empty list, a wrapper object around one, a CSV of only its header line, an empty CSV:
    # each file held no document, and said nothing of it
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "b.json").write_text('{"items": []}')
    (tmp_path / "c.csv").write_text("id,text\n")
    (tmp_path / "d.csv").write_text("")
    (tmp_path / "e.tsv").write_text("\n\n")
    items = _read(tmp_path, extensions=(".json", ".csv", ".tsv"))
    assert all(isinstance(i, Skipped) for i in items)
    assert [(i.id, i.reason) for i in items] == [
        ("a.json", f"cannot read '{tmp_path}/a.json': no JSON records (an empty list); add records or leave it out"),
        ("b.json", f"cannot read '{tmp_path}/b.json': no JSON records (an empty list); add records or leave it out"),
        ("c.csv", f"cannot read '{tmp_path}/c.csv': no records (only a header line); add rows below a header line or leave it out"),
        ("d.csv", f"cannot read '{tmp_path}/d.csv': empty file; add a header line and records or leave it out"),
        ("e.tsv", f"cannot read '{tmp_path}/e.tsv': empty file; add a header line and records or leave it out"),
    ]


_SPLIT = (pathlib.Path(__file__).resolve().parent.parent / "seeds" / "002_ceff1de251848dd9.txt").read_text()  # two stories


def _ids(items):
    return [(i.id, i.renamed_from, i.parent) for i in items if isinstance(i, Document)]


def test_an_id_made_up_while_reading_that_a_record_holds_is_renamed_not_fatal(tmp_path):
    # a split story's "x#1" and a line's "l.txt:1" were never claimed: a record holding one made
    # scan_documents stop the whole scan ("document id 'x#1' appears twice")
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x", "text": _SPLIT}) + "\n" + json.dumps({"id": "x#1", "text": ARTICLE}) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "y#2", "text": ARTICLE}) + "\n" + json.dumps({"id": "y", "text": _SPLIT}) + "\n")
    assert _ids(_read(tmp_path)) == [
        ("x#1", None, "x"), ("x#2", None, "x"), ("x#1~2", "x#1", None),  # the later input is renamed
        ("y#2", None, None), ("y~2#1", "y#2", "y~2"), ("y~2#2", "y#2", "y~2"),  # a split one as a whole
    ]
    lines = tmp_path / "lines"
    lines.mkdir()
    (lines / "l.txt").write_text(ARTICLE.replace("\n\n", " ").replace("\n", " ") + "\nMarkets rose sharply in Tokyo trading today.\n")
    (lines / "m.jsonl").write_text(json.dumps({"id": "l.txt:1", "text": ARTICLE}) + "\n")
    assert _ids(_read(lines, lines=True)) == [("l.txt:1", None, None), ("l.txt:2", None, None), ("l.txt:1~2", "l.txt:1", None)]


def test_made_up_ids_are_unique_alike_read_in_parallel_and_scanned(tmp_path):
    from dedup.engines.local import MIN_DOCS_FOR_POOL, read_parallel
    from dedup.scan import scan

    for k in range(MIN_DOCS_FOR_POOL):  # enough files for the reading pool
        (tmp_path / f"f{k:03d}.txt").write_text(ARTICLE.replace("Tuesday", f"day {k}"))
    (tmp_path / "s.txt").write_text(_SPLIT)
    (tmp_path / "z.jsonl").write_text(json.dumps({"id": "s.txt#2", "text": ARTICLE}) + "\n")
    sequential = _ids(_read(tmp_path))
    assert sequential[-3:] == [("s.txt#1", None, "s.txt"), ("s.txt#2", None, "s.txt"), ("s.txt#2~2", "s.txt#2", None)]
    assert _ids(read_parallel([str(tmp_path)], IngestOptions(), workers=2)) == sequential
    result = scan([tmp_path], workers=2)
    assert [d.id for d in result.documents] == [i for i, _, _ in sequential]


# --- special files, permissions, names, links -------------------------------------------------


@pytest.mark.timeout(10)
def test_fifo_and_socket_in_folder_are_skipped_without_opening(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    os.mkfifo(tmp_path / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(tmp_path / "sock.txt"))
    try:
        items = _read(tmp_path)
    finally:
        sock.close()
    assert [type(i).__name__ for i in items] == ["Document", "Skipped", "Skipped"]
    assert items[1].reason == f"'{tmp_path}/pipe.txt' is a named pipe (FIFO), not a regular file; not read, leave it out"
    assert items[2].reason == f"'{tmp_path}/sock.txt' is a socket, not a regular file; not read, leave it out"


@pytest.mark.timeout(10)
def test_fifo_given_directly_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    s = _only(_read(tmp_path / "pipe.txt"), Skipped)
    assert "named pipe (FIFO)" in s.reason


@pytest.fixture
def shared_dir():
    """A temp folder an unprivileged user can enter (pytest's tmp_path is private to root)."""
    d = tempfile.mkdtemp(prefix="dedup-ingest-")
    os.chmod(d, 0o755)
    yield pathlib.Path(d)
    for root, dirs, _ in os.walk(d):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(d)


def test_unreadable_file_and_unlistable_folder_as_unprivileged_user(shared_dir):
    (shared_dir / "a.txt").write_text(ARTICLE)
    os.chmod(shared_dir / "a.txt", 0o644)
    (shared_dir / "secret.txt").write_text(ARTICLE)
    os.chmod(shared_dir / "secret.txt", 0o000)
    locked = shared_dir / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(ARTICLE)
    os.chmod(locked, 0o000)

    def scan():
        return [[type(i).__name__, i.id, getattr(i, "reason", "")] for i in read_inputs([str(shared_dir)])]

    got = _run_unprivileged(scan)
    assert got == [
        ["Document", "a.txt", ""],
        ["Skipped", "locked", f"cannot list folder '{shared_dir}/locked': permission denied; fix its permissions (chmod a+rx) or leave it out"],
        ["Skipped", "secret.txt", f"cannot read '{shared_dir}/secret.txt': permission denied; fix its permissions (chmod a+r) or leave it out"],
    ]


def test_undecodable_file_name_gives_printable_id(tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9 \x01.txt"
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, ARTICLE.encode())
    os.close(fd)
    doc = _only(_read(tmp_path), Document)
    assert doc.id == "caf\\xe9 \\x01.txt"
    assert doc.id.isprintable() and doc.path.isprintable()
    doc.id.encode("utf-8"), doc.path.encode("utf-8")  # no lone surrogates: report writers can encode them
    assert "eight metres" in doc.text


def test_printable_escapes_surrogates_and_controls():
    assert printable(os.fsdecode(b"a\xffb\n")) == "a\\xffb\\n"
    assert printable("plain name.txt") == "plain name.txt"


def test_file_over_max_bytes_is_skipped(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 40)
    s = _only(_read(f, max_bytes=100), Skipped)
    assert s.reason == f"cannot read '{f}': too large (200 bytes > max_bytes 100); split it or raise --max-bytes"



@pytest.mark.parametrize("size", [0, 3, 9, 10, 11, 40], ids=lambda s: f"stat-size-{s}")
def test_a_file_is_read_as_one_read_of_max_bytes_plus_one_reads_it(size):
    # A file is asked for in its size from fstat, plus one byte; a file that grew since fstat
    # (or whose size fstat does not know, as /proc files) is read on up to the same limit.
    import dedup.ingest as ingest

    for data in (b"", b"abc", b"x" * 10, b"y" * 11, b"z" * 40):
        for limit in (1, 4, 11, 12, 100):
            got = ingest._read_upto(io.BufferedReader(io.BytesIO(data)), min(size, len(data)), limit)
            assert got == data[:limit], (data, size, limit)

def test_jsonl_line_over_max_bytes_is_skipped_alone(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"id": "big", "text": "x " * 500}) + "\n" + json.dumps({"id": "ok", "text": ARTICLE}) + "\n")
    items = _read(f, max_bytes=900)
    assert isinstance(items[0], Skipped) and items[0].reason == f"'{f}' line 1: record too large (over max_bytes 900); shorten it or raise --max-bytes"
    assert isinstance(items[1], Document) and items[1].id == "ok"


@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_json_lines_end_with_cr_crlf_or_lf_in_files_and_streams(tmp_path, eol):
    # A file of records ended by lone CRs (old Mac) was one line: one "invalid JSON" skip
    # standing for all of its records.
    body = eol.join(json.dumps({"id": f"r{i}", "text": ARTICLE}) for i in range(3)) + eol
    for name in ("r.jsonl", "r.json"):
        (tmp_path / name).write_text(body, newline="")
        got = _read(tmp_path / name)
        assert [(type(i).__name__, i.id) for i in got] == [("Document", f"r{i}") for i in range(3)], name
    got = list(read_stream(io.BytesIO((body + "not json" + eol).encode()), name="s"))
    assert [i.id for i in got] == ["r0", "r1", "r2", "s:4"]
    assert got[3].reason == "'s' line 4: invalid JSON (Expecting value column 1); fix or remove that line"
    utf16 = tmp_path / "u.jsonl"
    utf16.write_bytes(body.encode("utf-16"))
    assert [i.id for i in _read(utf16)] == ["r0", "r1", "r2"]


def test_a_nul_byte_in_one_json_line_skips_that_line_alone(tmp_path):
    # a NUL byte in the first 4 KiB made the whole input look like UTF-16: one "binary data"
    # skip stood for all of its records (past 4 KiB the same line was skipped alone)
    good = [json.dumps({"id": f"r{i}", "text": ARTICLE}).encode() for i in range(2)]
    data = good[0] + b'\n{"id": "nul", "text": "abc\x00def"}\n' + good[1] + b"\n"
    f = tmp_path / "r.jsonl"
    f.write_bytes(data)
    for got, sid, name in ((_read(f), "r.jsonl", str(f)), (list(read_stream(io.BytesIO(data), name="s")), "s", "s")):
        assert [(type(i).__name__, i.id) for i in got] == [("Document", "r0"), ("Skipped", f"{sid}:2"), ("Document", "r1")]
        assert got[1].reason == f"'{name}' line 2: invalid JSON (Invalid control character at column 27); fix or remove that line"


def test_lines_split_on_every_line_break_across_read_chunks(monkeypatch):
    import dedup.ingest as ingest

    data = b"a\r\nbb\rccc\n\r\n\rdddd\r\n" + b"e" * 30 + b"\rf"
    want = [b"a", b"bb", b"ccc", b"", b"", b"dddd", b"e" * 30, b"f"]

    def lines(max_bytes):
        return [line.rstrip(b"\r\n") for line in ingest._lines(io.BytesIO(data), max_bytes)]

    for chunk in (1, 2, 3, 5, 64):  # a CRLF split between two reads is one line break
        monkeypatch.setattr(ingest, "_LINE_CHUNK", chunk)
        assert lines(100) == want, chunk
        # a line over max_bytes is cut at max_bytes + 1 bytes and the next one read whole
        assert lines(10) == [*want[:6], b"e" * 11, b"f"], chunk


def test_unsupported_type_broken_link_and_symlink(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(tmp_path / "missing.txt", tmp_path / "broken.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "link.txt")
    items = _read(tmp_path)
    reasons = {i.id: i.reason for i in items if isinstance(i, Skipped)}
    assert reasons == {
        "broken.txt": f"'{tmp_path}/broken.txt': broken symbolic link to '{tmp_path}/missing.txt'; fix or remove the link",
        "link.txt": f"'{tmp_path}/link.txt': symbolic link not followed; pass --follow-symlinks to read it",
        "report.pdf": (
            f"unsupported file type '.pdf' of '{tmp_path}/report.pdf'; supported: .txt .md .html .htm .json .jsonl .ndjson "
            "(rename it or add the type with --ext)"
        ),
    }
    followed = _read(tmp_path, follow_symlinks=True)
    assert [i.id for i in followed if isinstance(i, Document)] == ["a.txt", "link.txt"]


def test_symlink_loop_is_read_once(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(ARTICLE)
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    items = _read(tmp_path, follow_symlinks=True)
    assert [i.id for i in items if isinstance(i, Document)] == ["sub/a.txt"]
    assert any("symbolic link loop" in i.reason for i in items if isinstance(i, Skipped))


def test_missing_path(tmp_path):
    s = _only(_read(tmp_path / "nope"), Skipped)
    assert s.reason == f"'{tmp_path}/nope': no such file or folder; check the path"


# --- ids, order, streams ------------------------------------------------------------------------


def test_ids_are_relative_sorted_and_unique(tmp_path):
    for sub in ("b", "a"):
        (tmp_path / "one" / sub).mkdir(parents=True)
        (tmp_path / "one" / sub / "x.txt").write_text(ARTICLE)
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a").mkdir()
    (tmp_path / "two" / "a" / "x.txt").write_text(ARTICLE)
    ids = [d.id for d in _read(tmp_path / "one", tmp_path / "two")]
    assert ids == ["a/x.txt", "b/x.txt", "two/a/x.txt"]
    assert [d.id for d in _read(tmp_path / "one" / "a" / "x.txt")] == ["x.txt"]


def test_read_stream_jsonl_text_and_html():
    jsonl = (json.dumps({"id": "s1", "text": ARTICLE}) + "\nnot json\n").encode()
    items = list(read_stream(io.BytesIO(jsonl), name="stdin"))
    assert isinstance(items[0], Document) and items[0].id == "s1"
    assert items[1].reason == "'stdin' line 2: invalid JSON (Expecting value column 1); fix or remove that line"
    doc = _only(list(read_stream(io.BytesIO(ARTICLE.encode("utf-16")))), Document)
    assert doc.id == "-" and doc.title == "Storm closes ports along the coast"
    page = (DATA / "article.html").read_bytes()
    doc = _only(list(read_stream(io.BytesIO(page), name="page")), Document)
    assert doc.title == "Floods force thousands from homes in northern Italy"
    s = _only(list(read_stream(io.BytesIO(b""), name="e")), Skipped)
    assert s.reason == "cannot read 'e': nothing was sent (0 bytes); send an article or records, or leave 'e' out"


def _record_lines(n: int, prefix: str = "r") -> str:
    return "".join(json.dumps({"id": f"{prefix}{i}", "text": ARTICLE.replace("Tuesday", f"day {i}")}) + "\n" for i in range(n))


def test_a_stream_of_json_lines_whose_first_line_is_bad_reads_the_others():
    # the bad first line made the stream look like one pretty-printed object, and all its
    # records became one skipped entry
    items = list(read_stream(io.BytesIO(b'{"id": "a", "text": "broken\n' + _record_lines(3).encode())))
    assert [(type(i).__name__, i.id) for i in items] == [("Skipped", "-:1"), ("Document", "r0"), ("Document", "r1"), ("Document", "r2")]
    assert items[0].reason.startswith("'-' line 1: invalid JSON (Unterminated string")
    pretty = json.dumps({"id": "p1", "text": ARTICLE}, indent=2).encode()  # still one object
    assert [d.id for d in read_stream(io.BytesIO(pretty))] == ["p1"]
    # records longer than the stream's read buffer (8 KiB): the next line is read whole to decide
    long = "".join(json.dumps({"id": f"L{i}", "text": ARTICLE * 80}) + "\n" for i in range(3)).encode()
    items = list(read_stream(io.BytesIO(b'{"id": "a", "text": "broken\n\n' + long)))
    assert [(type(i).__name__, i.id) for i in items] == [("Skipped", "-:1"), ("Document", "L0"), ("Document", "L1"), ("Document", "L2")]
    pretty = json.dumps({"id": "p2", "text": ARTICLE * 80}, indent=2).encode()
    assert [d.id for d in read_stream(io.BytesIO(pretty))] == ["p2"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-le"])
def test_utf16_and_utf32_json_and_json_lines_are_read_as_records(tmp_path, codec):
    # on a stream they were one text article made of JSON syntax (id '-'); in a .jsonl file each
    # line after the first was cut at the wrong byte, and --encoding utf-16 did not help
    lines = _record_lines(3).encode(codec)
    array = json.dumps([{"id": "a", "text": ARTICLE}]).encode(codec)
    assert [d.id for d in read_stream(io.BytesIO(lines))] == ["r0", "r1", "r2"]
    assert [d.id for d in read_stream(io.BytesIO(array))] == ["a"]
    (tmp_path / "x.jsonl").write_bytes(lines)
    assert [(type(i).__name__, i.id) for i in _read(tmp_path)] == [("Document", "r0"), ("Document", "r1"), ("Document", "r2")]
    forced = "utf-16-le" if codec == "utf-16-le" else codec
    assert [i.id for i in _read(tmp_path / "x.jsonl", encoding=forced)] == ["r0", "r1", "r2"]


def test_lone_surrogates_in_json_records_become_replacement_characters(tmp_path):
    # JSON may spell a lone surrogate ("\\udcbe"); such a text cannot be written as UTF-8 and
    # stopped scans at sentence splitting, and check and index add at the digest
    f = tmp_path / "s.jsonl"
    f.write_text(json.dumps({"id": "s\udcbe", "text": ARTICLE.replace("Tuesday", "Tues\udcbeday"), "title": "T \ud800"}) + "\n")
    doc = _only(_read(f), Document)
    assert doc.id == "s\\xbe" and doc.title == "T \ufffd" and "Tues\ufffdday" in doc.text
    doc.text.encode("utf-8")  # writable as UTF-8


def test_record_id_messages_say_what_is_wrong_with_the_id(tmp_path):
    f = tmp_path / "ids.jsonl"
    # JSON's true was read as the id "True", null as a missing field
    f.write_text("".join(json.dumps({"id": i, "text": ARTICLE}) + "\n" for i in ("", "  ", ["x"], {"a": 1}, True, None))
                 + json.dumps({"text": ARTICLE}) + "\n")
    assert [i.reason for i in _read(f)] == [
        f"'{f}' line 1: record has an empty 'id'; give it an id or pass --id-field NAME",
        f"'{f}' line 2: record has an empty 'id'; give it an id or pass --id-field NAME",
        f"'{f}' line 3: record has an array for its 'id'; give it a string or number",
        f"'{f}' line 4: record has an object for its 'id'; give it a string or number",
        f"'{f}' line 5: record has true for its 'id'; give it a string or number",
        f"'{f}' line 6: record has null for its 'id'; give it a string or number",
        f"'{f}' line 7: record has no 'id' field; add one or pass --id-field NAME",
    ]


def test_a_record_whose_text_is_not_a_string_says_so(tmp_path):
    # a number or an object under 'text' was reported as "missing or empty"
    f = tmp_path / "t.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "n", "text": 42}, {"id": "o", "text": {"en": ARTICLE}}, {"id": "b", "text": 7, "body": ARTICLE})))
    got = _read(f)
    assert [i.reason for i in got[:2]] == [
        f"'{f}' line 1: record 'n' has a number for its 'text', not text; give the article's text as a string",
        f"'{f}' line 2: record 'o' has an object for its 'text', not text; give the article's text as a string",
    ]
    assert isinstance(got[2], Document)  # the text under another of the text fields


def test_an_input_dedup_fails_on_is_skipped_and_the_read_goes_on(tmp_path, monkeypatch):
    # a bug met on one input (as the zone offset that datetime refused to format was) stopped the
    # whole read with a traceback; it is now that input's skip reason
    import dedup.ingest as ingest

    real = ingest.split_cleaned

    def failing(raw, **kw):
        if "BOOM" in raw:
            raise RuntimeError("cannot cope\nat all")
        return real(raw, **kw)

    monkeypatch.setattr(ingest, "split_cleaned", failing)
    (tmp_path / "a.txt").write_text(ARTICLE + "BOOM\n")
    (tmp_path / "b.txt").write_text(ARTICLE)
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "c1", "text": ARTICLE + " BOOM"}) + "\n" + _record_lines(1))
    (tmp_path / "d.txt").write_text(ARTICLE + "\nBOOM again on its own line\n")
    items = _read(tmp_path) + _read(tmp_path / "d.txt", lines=True)
    assert [(type(i).__name__, i.id) for i in items] == [
        ("Skipped", "a.txt"), ("Document", "b.txt"), ("Skipped", "c1"), ("Document", "r0"), ("Skipped", "d.txt"),
        *[("Document", f"d.txt:{n}") for n in (1, 3, 5)], ("Skipped", "d.txt:7"),
    ]
    bug = "dedup failed on it (RuntimeError: cannot cope at all); a bug in dedup: please report it with the input, and leave it out meanwhile"
    assert items[0].reason == f"cannot read '{tmp_path}/a.txt': {bug}"
    assert items[2].reason == f"'{tmp_path}/c.jsonl' line 1: {bug}"
    assert items[-1].reason == f"'{tmp_path}/d.txt' line 7: {bug}"
    stream = list(read_stream(io.BytesIO((ARTICLE + "BOOM").encode()), options=IngestOptions(stream_id="s")))
    assert [(type(i).__name__, i.reason) for i in stream] == [("Skipped", f"cannot read '-': {bug}")]


def test_a_json_file_with_a_bom_reads_with_encoding_utf8_given(tmp_path):
    f = tmp_path / "b.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"id": "a", "text": ARTICLE}]).encode())
    assert [d.id for d in _read(f)] == [d.id for d in _read(f, encoding="utf-8")] == ["a"]


# --- HTML -----------------------------------------------------------------------------------------


def test_html_article_main_text_title_and_date():
    doc = _only(_read(DATA / "article.html"), Document)
    assert doc.title == "Floods force thousands from homes in northern Italy"
    assert doc.published == "2025-11-03"
    assert doc.text.startswith("MILAN \u2013 More than 4,000 people were forced from their homes")
    assert "landslides in the Alpine valleys" in doc.text
    for junk in ("cookies", "Subscribe", "Ten things to do in Rome", "Privacy policy", "dataLayer", "font-family"):
        assert junk not in doc.text


def test_html_fallback_when_trafilatura_finds_nothing(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    doc = _only(list(read_stream(io.BytesIO((DATA / "article.html").read_bytes()), name="p")), Document)
    assert "More than 4,000 people were forced from their homes" in doc.text


@pytest.mark.parametrize("page", [
    "<html><head><script>var a = 1;</script></head><body></body></html>",
    # only page chrome: it was read as an article, "Home News"
    '<html><body><header>Daily Site</header><nav><a href="/">Home</a> <a href="/news">News</a></nav>'
    "<aside>Most read</aside><footer>Copyright</footer></body></html>",
], ids=["scripts", "chrome"])
def test_html_without_text_is_skipped(tmp_path, page):
    f = tmp_path / "empty.html"
    f.write_text(page)
    s = _only(_read(f), Skipped)
    assert s.reason == f"cannot read '{f}': no article text found in the HTML; check that the page holds an article"


def test_page_chrome_is_left_out_of_the_article_but_an_articles_own_header_is_kept(tmp_path):
    f = tmp_path / "a.html"
    f.write_text("<html><body><header>Daily Site</header><nav><a href='/'>Home</a></nav><article><header><h1>Storm "
                 "closes ports</h1></header><p>" + ARTICLE.split("\n", 1)[1].strip() + "</p></article>"
                 "<footer>Copyright Daily Site</footer></body></html>")
    doc = _only(_read(f), Document)
    assert doc.title == "Storm closes ports" and "Daily Site" not in doc.text and "Home" not in doc.text
    assert "Heavy storms closed three ports" in doc.text


# --- inputs are never modified ------------------------------------------------------------------


def test_reading_a_folder_never_modifies_it(tmp_path):
    seeds = pathlib.Path(__file__).resolve().parent.parent / "seeds"
    shutil.copytree(seeds, tmp_path / "seeds")
    shutil.copy(DATA / "article.html", tmp_path)
    (tmp_path / "recs.jsonl").write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n{bad\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")

    def snapshot():
        out = {}
        for p in sorted(tmp_path.rglob("*")):
            st = p.lstat()
            out[str(p)] = (st.st_mode, st.st_mtime_ns, st.st_size, p.read_bytes() if p.is_file() else None)
        return out

    before = snapshot()
    items = _read(tmp_path)
    assert len(items) >= 10
    assert snapshot() == before


def test_hidden_entries_are_listed_not_read(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(ARTICLE)
    (tmp_path / ".notes.txt").write_text(ARTICLE)
    items = _read(tmp_path)
    assert [(type(i).__name__, i.id) for i in items] == [("Skipped", ".git"), ("Skipped", ".notes.txt"), ("Document", "a.txt")]
    assert items[0].reason == f"'{tmp_path}/.git': hidden folder not read; rename it or give its path directly"
    assert items[1].reason == f"'{tmp_path}/.notes.txt': hidden file not read; rename it or give its path directly"


def test_metadata_dates_become_iso_8601(tmp_path):
    f = tmp_path / "r.jsonl"
    rows = [("a", "Sat, 31 Jan 2026 07:29:00 GMT"), ("b", "2026-01-31T10:00:00Z"), ("c", "yesterday")]
    f.write_text("".join(json.dumps({"id": i, "text": ARTICLE, "published": p}) + "\n" for i, p in rows))
    assert [d.published for d in _read(f)] == ["2026-01-31T07:29+00:00", "2026-01-31T10:00:00Z", None]


def test_a_zone_offset_of_a_day_or_more_keeps_the_date_and_reads_on(tmp_path):
    # dateutil reads "UTC+30" and "+9999" as offsets that datetime cannot format: one such
    # stamp or metadata field stopped the whole scan with a traceback
    (tmp_path / "a.txt").write_text(ARTICLE.replace("\n\n", "\n\nPublished: 1 March 2020 10:00 UTC+30\n\n", 1))
    rows = [("b", "2020-01-01 10:00 +9999"), ("c", "2020-01-01T10:00+25:00"), ("d", "2020-01-01 10:00 +05:30")]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps({"id": i, "text": ARTICLE, "published": p}) + "\n" for i, p in rows))
    docs = _read(tmp_path)
    assert [(d.id, d.published) for d in docs] == [
        ("a.txt", "2020-03-01"), ("b", "2020-01-01"), ("c", "2020-01-01"), ("d", "2020-01-01 10:00 +05:30"),
    ]


def test_crlf_and_old_mac_line_ends(tmp_path):
    for name, sep in (("crlf.txt", "\r\n"), ("cr.txt", "\r")):
        (tmp_path / name).write_bytes(ARTICLE.replace("\n", sep).encode())
    docs = _read(tmp_path)
    assert [d.title for d in docs] == ["Storm closes ports along the coast"] * 2
    assert docs[0].text == docs[1].text and "\r" not in docs[0].text


def test_pretty_printed_json_on_stdin_and_json_lines_in_a_json_file(tmp_path):
    pretty = json.dumps({"id": "p1", "text": ARTICLE}, indent=2).encode()
    assert [d.id for d in read_stream(io.BytesIO(pretty))] == ["p1"]
    f = tmp_path / "lines.json"
    f.write_text(json.dumps({"id": "l1", "text": ARTICLE}) + "\n" + json.dumps({"id": "l2", "text": ARTICLE}) + "\n")
    assert [d.id for d in _read(f)] == ["l1", "l2"]


# --- stream format detection: a text that starts with a bracket is still a text -------------------


@pytest.mark.parametrize(
    "head",
    [
        pytest.param("[ad_1]\n", id="ad-marker"),
        pytest.param("[UPDATED 10:42 GMT] ", id="bracketed-stamp"),
        pytest.param("{Photo: AP}\n", id="braced-caption"),
        pytest.param("<<Exclusive>> ", id="angle-quotes"),
    ],
)
def test_stream_text_starting_with_a_bracket_is_read_as_text(head):
    doc = _only(list(read_stream(io.BytesIO((head + ARTICLE).encode()), name="-")), Document)
    assert "Heavy storms closed three ports" in doc.text


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'[\n  {"id": "r1", "text": "x"', id="array-cut-short"),
        pytest.param(b'{"id": "r1", "text": \n"x"', id="object-cut-short"),
    ],
)
def test_stream_of_broken_json_is_still_reported_as_json(data):
    s = _only(list(read_stream(io.BytesIO(data), name="-")), Skipped)
    assert "invalid JSON" in s.reason


# --- the same file named twice ---------------------------------------------------------------------


def test_a_file_named_twice_is_read_once_and_the_repeat_listed(tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    items = _read(folder, folder / "a.txt", folder)
    assert [type(x).__name__ for x in items] == ["Document", "Skipped", "Skipped"]
    assert items[0].id == "a.txt"
    assert items[1].reason == f"'{folder / 'a.txt'}': the same file as 'a.txt', read already; leave one of the paths out"
    assert items[2].reason == f"'{folder / 'a.txt'}': the same file as 'a.txt', read already; leave one of the paths out"


def test_a_file_named_twice_is_listed_with_deferred_reads_too(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    items = list(read_inputs([str(tmp_path / "a.txt"), str(tmp_path)], defer=True))
    assert [type(x).__name__ for x in items] == ["FileJob", "Skipped"]


# --- id clashes: renamed, and the rename is on the document --------------------------------------


def test_clashing_ids_are_renamed_and_say_the_id_they_asked_for(tmp_path, monkeypatch):
    (tmp_path / "x").write_text(ARTICLE)
    recs = tmp_path / "r.jsonl"
    recs.write_text(json.dumps({"id": "x", "text": ARTICLE}) + "\n" + json.dumps({"id": "x", "text": ARTICLE + "More.\n"}) + "\n")
    stdin = io.TextIOWrapper(io.BytesIO((json.dumps({"id": "x", "text": ARTICLE}) + "\n").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    docs = _read(tmp_path / "x", recs, "-")
    # the records on standard input share the ids of the files (they were renamed apart from them)
    assert [(d.id, d.renamed_from, d.path) for d in docs] == [
        ("x", None, str(tmp_path / "x")),
        ("x~2", "x", str(recs)),
        ("x~3", "x", str(recs)),
        ("x~4", "x", None),
    ]
    # a file whose id a record took first gets its folder's name, and says so
    docs = _read(recs, tmp_path / "x")
    assert [(d.id, d.renamed_from) for d in docs] == [("x", None), ("x~2", "x"), (f"{tmp_path}/x", "x")]


# --- one article per line (--lines) ---------------------------------------------------------------

LINES = (
    "Heavy storms closed three ports along the northern coast on Tuesday, the harbour authority said.\r\n"
    "\r\n"
    "[ad_1]\r\n"
    "Ferry services were cancelled until Thursday and fishing boats were ordered to stay in port.\r\n"
)


def test_lines_makes_each_non_blank_line_of_a_text_file_a_document(tmp_path):
    f = tmp_path / "news.cor"
    f.write_text(LINES, newline="")
    items = _read(tmp_path, extensions=(".cor",), lines=True)
    assert [(type(i).__name__, i.id) for i in items] == [("Document", "news.cor:1"), ("Skipped", "news.cor:3"),
                                                          ("Document", "news.cor:4")]
    assert items[0].text == LINES.split("\r\n")[0] and items[0].path == str(f)
    assert items[1].reason == (f"'{f}' line 3: nothing left after removing boilerplate (1 line: ad marker); "
                               "check that it holds an article")
    # without --lines the file is one article
    assert [d.id for d in _read(tmp_path, extensions=(".cor",))] == ["news.cor"]


def test_lines_on_a_stream_and_next_to_records(tmp_path):
    items = list(read_stream(io.BytesIO(LINES.encode()), name="-", options=IngestOptions(lines=True)))
    assert [i.id for i in items] == ["-:1", "-:3", "-:4"]
    f = tmp_path / "r.jsonl"  # records are still records
    f.write_text(json.dumps({"id": "r1", "text": ARTICLE}) + "\n")
    assert [d.id for d in _read(f, lines=True)] == ["r1"]
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n")
    assert _only(_read(blank, lines=True), Skipped).reason == f"cannot read '{blank}': only white space; add text or leave it out"


def test_json_and_jsonl_files_honour_a_forced_encoding_and_say_so_when_not_utf8(tmp_path):
    """--encoding reads JSON and JSONL files too (help: 'Read files in this encoding'); without it,
    a JSON file that is not UTF-8 is skipped with the fix, not as 'invalid JSON'."""
    text = "Le caf\u00e9 est ferm\u00e9 depuis lundi, a dit le maire de la ville portuaire."
    (tmp_path / "cp.jsonl").write_bytes(json.dumps({"id": "c1", "text": text}, ensure_ascii=False).encode("cp1252") + b"\n")
    (tmp_path / "cp.json").write_bytes(json.dumps([{"id": "c2", "text": text}], ensure_ascii=False).encode("cp1252"))
    docs = _read(tmp_path, encoding="cp1252")
    assert [(d.id, d.text) for d in docs] == [("c2", text), ("c1", text)]
    skipped = sorted((s.id, s.reason) for s in _read(tmp_path))
    assert skipped == [
        ("cp.json", f"cannot read '{tmp_path / 'cp.json'}': not UTF-8 (byte 29: invalid continuation byte); "
                    "pass its encoding with --encoding"),
        ("cp.jsonl:1", f"'{tmp_path / 'cp.jsonl'}' line 1: not UTF-8 (byte 28: invalid continuation byte); "
                       "pass the file's encoding with --encoding"),
    ]


def test_a_markdown_heading_is_the_title_and_leaves_no_hashes_in_the_text(tmp_path):
    # "# Storm ..." stayed in the text, untitled, and the same article as .txt was a reprint of it
    body = ARTICLE.split("\n", 1)[1].strip()
    (tmp_path / "a.md").write_text("# Storm closes ports along the coast\n\n" + body + "\n\n## More to follow ##\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Storm closes ports along the coast\n\n" + body + "\n\nMore to follow\n", encoding="utf-8")
    md, txt = _read(tmp_path / "a.md", tmp_path / "a.txt")
    assert md.title == txt.title == "Storm closes ports along the coast"
    assert md.text == txt.text and "#" not in md.text

"""Files, folders, JSON records and streams -> Document or Skipped records.

This is the only place that opens article files. It never writes, moves or
deletes an input. Every input that does not become a Document becomes a
Skipped whose reason is one line naming the file and the fix; one bad file
never stops a scan (except with ``skip_binary=False``, which makes binary data
an InputError).

Ids: a file found in a folder is named by its path relative to that folder
("business/001.txt"), a file given directly by its name, a JSON record by its
id field, a stream by its name. Ids are printable (undecodable file-name bytes
are shown as ``\\xNN``) and unique within one ``read_inputs`` call: a clash is
resolved by prefixing the folder's name, then by a ``~2`` suffix, and the renamed
Document says the id it asked for in ``renamed_from``. A story split
out of a document gets ``{id}#{k}``; with ``IngestOptions.lines`` each line of a plain-text
file or stream is a document ``{id}:{line}``. A file met twice in one read (a path named twice, a
folder and a file inside it) is read once; the repeat is a Skipped naming the first id.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import InputError, ParamsError
from ..records import Document, Skipped, no_surrogates
from .boilerplate import Cleaned, clean, normalize_date
from .decode import NotText, decode, nul_layout
from .html import extract, looks_like_html
from .split import split_cleaned

__all__ = [
    "Cleaned",
    "FileJob",
    "IngestOptions",
    "clean",
    "document_from_text",
    "printable",
    "read_file_job",
    "read_inputs",
    "read_stream",
    "unique_ids",
]

log = logging.getLogger(__name__)

DEFAULT_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson")
_HTML_EXT = frozenset({".html", ".htm"})
_JSONL_EXT = frozenset({".jsonl", ".ndjson"})
_MARKDOWN_EXT = frozenset({".md", ".markdown"})
_CSV_EXT = frozenset({".csv", ".tsv"})  # read when listed in IngestOptions.extensions or named directly
_FORMATS = ("auto", "jsonl", "json", "text", "html")
# What may follow the opening bracket of JSON records on a stream ("" when nothing does).
_JSON_NEXT = {"json": (b"{", b"[", b'"', b"]", b""), "jsonl": (b'"', b"}", b"")}


@dataclass(frozen=True, slots=True)
class IngestOptions:
    encoding: str | None = None  # force this encoding for text files and streams
    skip_binary: bool = True  # False: binary data raises InputError instead of being skipped
    max_bytes: int = 20_000_000  # per file (per line for JSONL)
    id_field: str = "id"
    text_fields: tuple[str, ...] = ("text", "body")
    title_field: str = "title"
    source_field: str = "source"
    published_field: str = "published"
    url_field: str = "url"
    split_stories: bool = True
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    follow_symlinks: bool = False
    # Id of a plain-text or HTML article read from a stream: "-" gives it the stream's name
    # ("-" for standard input); None skips it (an index needs an id of its own: `--id`).
    stream_id: str | None = "-"
    # Plain-text files and streams hold one article per line: each non-blank line is a document
    # with id "{id}:{line}" (HTML, JSON, JSONL and CSV inputs are read as usual).
    lines: bool = False
    # Ids are an index's keys (`dedup index add`, `dedup check`): a record's id is kept as given,
    # not renamed when an earlier input of the same read holds it (the index answers it as a
    # retry or an update, as it does over HTTP), and a record whose id reading would trim or
    # escape is skipped (the index refuses such an id from --id and HTTP alike).
    index_ids: bool = False
    # A record without an id field takes the id of its place in the input (FILE#record1, FILE:2),
    # as a skipped one is named: for `dedup diff`, which compares one article per side and needs no id.
    placed_ids: bool = False

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ParamsError(f"max_bytes must be positive, got {self.max_bytes}; pass a size in bytes")
        if isinstance(self.text_fields, str) or not self.text_fields:
            raise ParamsError(f"text_fields must be a non-empty tuple of field names, got {self.text_fields!r}")
        exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in self.extensions)
        object.__setattr__(self, "extensions", exts)
        if self.encoding:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ParamsError(f"unknown encoding {self.encoding!r}; pass a Python codec name such as utf-8 or cp1252") from None


def _failed(exc: Exception, where: str) -> str:
    """The skip reason for an input that dedup itself failed on (a bug, not bad input): one
    bad input never stops a read. The traceback goes to the debug log."""
    log.debug("%s: reading failed", where, exc_info=exc)
    what = " ".join(str(exc).split())[:200] or "no message"
    return f"{where}: dedup failed on it ({type(exc).__name__}: {what}); a bug in dedup: please report it with the input, and leave it out meanwhile"


# --- names -----------------------------------------------------------------------------


def printable(name: str | bytes) -> str:
    """A file name or id as printable text: undecodable bytes as \\xNN, control characters escaped."""
    if isinstance(name, str):
        if name.isprintable():
            return name
        try:
            raw = name.encode("utf-8", "surrogateescape")  # os.fsdecode's escapes back to bytes
        except UnicodeEncodeError:
            raw = name.encode("utf-8", "backslashreplace")
    else:
        raw = name
    text = raw.decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class _Ids:
    """Keeps ids unique within one read."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.files: dict[tuple[int, int], str] = {}  # (device, inode) of each file read -> its id

    def repeat(self, st: os.stat_result, display: str) -> Skipped | None:
        """A Skipped when the file of ``st`` was read already in this read (a path named
        twice, a folder and a file inside it)."""
        first = self.files.get((st.st_dev, st.st_ino))
        if first is None:
            return None
        return Skipped(display, f"'{display}': the same file as '{first}', read already; leave one of the paths out", display)

    def file(self, st: os.stat_result, wanted: str, prefix: str | None) -> str:
        """The id of a file about to be read (and remember that it was)."""
        got = self.claim(wanted, prefix)
        self.files[(st.st_dev, st.st_ino)] = got
        return got

    def claim(self, wanted: str, prefix: str | None = None) -> str:
        candidates = [wanted] + ([f"{prefix}/{wanted}"] if prefix else [])
        for c in candidates:
            if c not in self.seen:
                self.seen.add(c)
                return c
        k = 2
        while f"{candidates[-1]}~{k}" in self.seen:
            k += 1
        got = f"{candidates[-1]}~{k}"
        self.seen.add(got)
        return got


def _renamed(docs: tuple[Document, ...], wanted: str, got: str) -> tuple[Document, ...]:
    """``docs`` of an input that asked for the id ``wanted`` and got ``got`` (an earlier input
    held it, or reading trimmed or escaped it: ``report.scan_view.renamed_notice`` says which)."""
    if got == wanted:
        return docs
    return tuple(dataclasses.replace(d, renamed_from=wanted) for d in docs)


def unique_ids(items: Iterable[Document | Skipped]) -> Iterator[Document | Skipped]:
    """``items`` with every Document id unique: ids made up while reading (a split story's
    ``{id}#{k}``, a line's ``{id}:{line}``) are not claimed when the walk names inputs, so a
    record may already hold one. The later of two inputs is renamed ``~2`` as a clash between
    named inputs is (a split one as a whole, its parts together, ``{id}~2#{k}``, saying the
    part's id that was taken), in input order."""
    seen: set[str] = set()
    group: list[Document] = []  # the parts of one split input, met in a row

    def free(wanted: str, ids: Callable[[str], list[str]]) -> str:
        got, k = wanted, 1
        while any(x in seen for x in ids(got)):
            k += 1
            got = f"{wanted}~{k}"
        return got

    def flush() -> Iterator[Document]:
        parent = group[0].parent
        got = free(parent, lambda p: [f"{p}#{d.part}" for d in group])
        taken = next((d.id for d in group if d.id in seen), None)  # the id it asked for that was taken
        for d in group:
            if got != parent:
                d = dataclasses.replace(d, id=f"{got}#{d.part}", parent=got, renamed_from=d.renamed_from or taken)
            seen.add(d.id)
            yield d
        group.clear()

    for item in items:
        if isinstance(item, Document) and item.parent is not None:
            if group and group[0].parent != item.parent:
                yield from flush()
            group.append(item)
            continue
        if group:
            yield from flush()
        if isinstance(item, Document):
            got = free(item.id, lambda x: [x])
            if got != item.id:
                item = dataclasses.replace(item, id=got, renamed_from=item.renamed_from or item.id)
            seen.add(item.id)
        yield item
    if group:
        yield from flush()


# --- text -> documents --------------------------------------------------------------------


def document_from_text(
    raw: str,
    *,
    id: str,
    title: str | None = None,
    source: str | None = None,
    published: str | None = None,
    url: str | None = None,
    path: str | None = None,
    options: IngestOptions = IngestOptions(),
) -> tuple[Document, ...]:
    """Boilerplate stripping and story splitting of one text (HTML is extracted first).

    Returns one Document, or one per story (ids ``{id}#{k}``, ``parent=id``); every part
    keeps ``source``, ``url`` and ``published`` (a later part's own publication stamp
    wins over ``published``), while ``title`` names the first part only (the others keep
    their own headline). Raises
    InputError when the text is empty, white space, or nothing but boilerplate.
    """
    if looks_like_html(raw):
        ex = extract(raw)
        if not ex.text.strip():
            raise InputError(f"no article text found in the HTML of '{id}'; check that the page holds an article")
        raw, title, published = ex.text, title or ex.title, published or ex.published
    if not raw:
        raise InputError(f"cannot read '{id}': empty; add text or leave it out")
    if not raw.strip():
        raise InputError(f"cannot read '{id}': only white space; add text or leave it out")
    if published:
        published = normalize_date(published)
    parts = split_cleaned(raw, title=title, split=options.split_stories)
    docs = []
    many = len(parts) > 1
    for k, c in enumerate(parts, start=1):
        if not c.text:
            if many:
                continue
            reasons = sorted({s.reason for s in c.stripped})
            raise InputError(
                f"cannot read '{id}': nothing left after removing boilerplate "
                f"({len(c.stripped)} line{'' if len(c.stripped) == 1 else 's'}: {', '.join(reasons)}); "
                "check that it holds an article"
            )
        docs.append(
            Document(
                id=f"{id}#{k}" if many else id,
                text=c.text,
                title=c.title,
                source=source,
                # the record's time is the page's: a later part keeps it unless it has a stamp of its own
                published=(published or c.published) if k == 1 else (c.published or published),
                url=url,
                path=path,
                stripped=c.stripped,
                zones=c.zones,
                parent=id if many else None,
                part=k if many else None,
            )
        )
    return tuple(docs)


# --- bytes -> text ---------------------------------------------------------------------------


def _decode(data: bytes, display: str, options: IngestOptions) -> str:
    try:
        text, _ = decode(data, encoding=options.encoding)
    except NotText as exc:
        if options.encoding:  # the encoding was given, and is not the file's
            fix = f"it is not {options.encoding}: pass its encoding with --encoding, or drop --encoding to detect it"
        else:
            fix = "pass --encoding if it is text, or leave it out"
        msg = f"cannot read '{display}': {exc}; {fix}"
        if options.skip_binary:
            raise InputError(msg) from None
        raise _Fatal(msg) from None
    return text


class _Fatal(InputError):
    """Binary data with skip_binary=False: stops the read."""


# A Markdown ATX heading ("## Storm closes ports ##"): its text is the line, as a plain-text
# file writes a headline, so that the first is taken as the title.
_MD_HEADING_RE = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def _text_docs(data: bytes, *, id: str, display: str, path: str | None, html: bool, options: IngestOptions,
               markdown: bool = False):
    if not data:
        raise InputError(f"cannot read '{display}': empty file (0 bytes); add text or leave it out")
    text = _decode(data, display, options)
    if not text.strip():
        raise InputError(f"cannot read '{display}': only white space; add text or leave it out")
    if html or looks_like_html(text):
        ex = extract(text)
        if not ex.text.strip():
            raise InputError(f"cannot read '{display}': no article text found in the HTML; check that the page holds an article")
        return _from_text(ex.text, id=id, display=display, title=ex.title, published=ex.published, path=path, options=options)
    if markdown:
        text = _MD_HEADING_RE.sub(r"\1", text)
    return _from_text(text, id=id, display=display, path=path, options=options)


def _line_docs(data: bytes, *, id: str, display: str, path: str | None, options: IngestOptions) -> Iterator[Document | Skipped]:
    """One document per non-blank line (``IngestOptions.lines``), ids ``{id}:{line}``; a line
    that holds no article is a Skipped naming the line."""
    if not data:
        raise InputError(f"cannot read '{display}': empty file (0 bytes); add text or leave it out")
    text = _decode(data, display, options)
    one = dataclasses.replace(options, split_stories=False)  # a line is one article
    found = False
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        found = True
        try:
            yield from document_from_text(line, id=f"{id}:{n}", path=path, options=one)
        except InputError as exc:
            why = str(exc).removeprefix(f"cannot read '{id}:{n}': ")
            yield Skipped(f"{id}:{n}", f"'{display}' line {n}: {why}", path)
        except Exception as exc:  # noqa: BLE001 - one line never stops the read
            yield Skipped(f"{id}:{n}", _failed(exc, f"'{display}' line {n}"), path)
    if not found:
        raise InputError(f"cannot read '{display}': only white space; add text or leave it out")


def _from_text(text: str, *, id: str, display: str, options: IngestOptions, **meta) -> tuple[Document, ...]:
    try:
        return document_from_text(text, id=id, options=options, **meta)
    except InputError as exc:
        # Name the file rather than the id in the message.
        raise InputError(str(exc).replace(f"'{id}'", f"'{display}'", 1)) from None


# --- JSON records ------------------------------------------------------------------------------


def _field(rec: dict, name: str) -> str | None:
    v = rec.get(name)
    if v is None or isinstance(v, (dict, list)):
        return None
    v = str(v).strip()
    return v or None


def _json_type(v: object) -> str:
    return {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}.get(type(v), type(v).__name__)


def _json_value(v: object) -> str:
    """How a JSON value is named in a message: "a number", "true", "an array"."""
    if isinstance(v, bool):
        return str(v).lower()
    t = _json_type(v)
    return f"an {t}" if t[0] in "aeiou" else f"a {t}"


def _meta(rec: dict, name: str) -> str | None:
    """A metadata field (title, source, time, address) as text (an id is shown by ``printable``)."""
    v = _field(rec, name)
    return None if v is None else no_surrogates(v)


def _record(
    rec, where: str, sid: str, ids: _Ids, path: str | None, options: IngestOptions
) -> Iterator[Document | Skipped]:
    """One JSON/CSV record; ``where`` names it in messages, ``sid`` is the Skipped id when it has no id."""
    if not isinstance(rec, dict):
        yield Skipped(sid, f"{where}: not a JSON object but {type(rec).__name__}; write one object per record", path)
        return
    given = rec.get(options.id_field)
    rid = None if isinstance(given, bool) else _field(rec, options.id_field)
    if rid is None and options.placed_ids and options.id_field not in rec:
        rid = given = sid
    if rid is None:
        if options.id_field not in rec:
            why = f"has no '{options.id_field}' field; add one or pass --id-field NAME"
        elif given is None or isinstance(given, (bool, dict, list)):
            # JSON's true, false and null, an object, an array: not read as an id ("True")
            what = "null" if given is None else _json_value(given)
            why = f"has {what} for its '{options.id_field}'; give it a string or number"
        else:
            why = f"has an empty '{options.id_field}'; give it an id or pass --id-field NAME"
        yield Skipped(sid, f"{where}: record {why}", path)
        return
    wanted = printable(rid)
    if options.index_ids:
        if isinstance(given, str) and given != wanted:
            yield Skipped(sid, f"{where}: record id '{printable(given)}' has control characters or spaces around it, "
                               "which an index does not keep; give the record a plain id", path)
            return
        rid = wanted
    else:
        rid = ids.claim(wanted)
    text = None
    for name in options.text_fields:
        v = rec.get(name)
        if isinstance(v, str) and v.strip():
            text = no_surrogates(v)
            break
    if text is None:
        odd = next((f for f in options.text_fields if rec.get(f) is not None and not isinstance(rec.get(f), str)), None)
        if odd is not None:
            yield Skipped(rid, f"{where}: record '{rid}' has {_json_value(rec[odd])} for its '{odd}', not text; "
                               "give the article's text as a string", path)
            return
        fields = ", ".join(f"'{f}'" for f in options.text_fields)
        yield Skipped(rid, f"{where}: record '{rid}' has no text (fields {fields} missing or empty); add one or pass --text-field NAME", path)
        return
    try:
        docs = document_from_text(
            text,
            id=rid,
            title=_meta(rec, options.title_field),
            source=_meta(rec, options.source_field),
            published=_meta(rec, options.published_field),
            url=_meta(rec, options.url_field),
            path=path,
            options=options,
        )
    except InputError as exc:
        yield Skipped(rid, f"{where}: {exc}", path)
        return
    except Exception as exc:  # noqa: BLE001 - one record never stops the read
        yield Skipped(rid, _failed(exc, where), path)
        return
    # The id as given when reading changed it (spaces trimmed, control characters escaped), so
    # that the change is said, as a clash is.
    yield from _renamed(docs, given if isinstance(given, str) else wanted, rid)


def _not_encoded(exc: UnicodeDecodeError, options: IngestOptions, whose: str) -> str:
    """Why JSON bytes could not be decoded (JSON is UTF-8 unless --encoding says otherwise), and the fix."""
    if options.encoding:
        return (f"not valid {options.encoding} (byte {exc.start}: {exc.reason}); it is not {options.encoding}: "
                "pass its encoding with --encoding, or drop --encoding to read it as UTF-8")
    whose = "its" if whose == "its" else f"{whose}'s"
    return f"not {exc.encoding.upper()} (byte {exc.start}: {exc.reason}); pass {whose} encoding with --encoding"


def _jsonl(lines, display: str, ids: _Ids, path: str | None, options: IngestOptions, sid: str | None = None) -> Iterator[Document | Skipped]:
    """Records of a JSON-lines file; ``sid`` (the file's id, ``display`` by default) names a skipped line ``sid:N``."""
    sid = display if sid is None else sid
    n = 0
    records = 0
    for n, line in enumerate(lines, start=1):
        where = f"'{display}' line {n}"
        if len(line) > options.max_bytes:
            yield Skipped(f"{sid}:{n}", f"{where}: record too large (over max_bytes {options.max_bytes}); shorten it or raise --max-bytes", path)
            continue
        line = line.rstrip()
        if n == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        records += 1
        try:
            rec = json.loads(line.decode(options.encoding) if options.encoding else line)
        except UnicodeDecodeError as exc:
            yield Skipped(f"{sid}:{n}", f"{where}: {_not_encoded(exc, options, 'the file')}", path)
            continue
        except (ValueError, RecursionError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
            col = f" column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            yield Skipped(f"{sid}:{n}", f"{where}: invalid JSON ({msg}{col}); fix or remove that line", path)
            continue
        yield from _record(rec, where, f"{sid}:{n}", ids, path, options)
    if records == 0:
        what = "empty file (0 bytes)" if n == 0 else "only blank lines"
        yield Skipped(sid, f"cannot read '{display}': no JSON records ({what}); add records or leave it out", path)


def _json_doc(data: bytes, display: str, ids: _Ids, path: str | None, options: IngestOptions, sid: str | None = None) -> Iterator[Document | Skipped]:
    sid = display if sid is None else sid
    if not data.strip():
        yield Skipped(sid, f"cannot read '{display}': empty JSON file; add records or leave it out", path)
        return
    try:
        obj = json.loads(data.decode(options.encoding).removeprefix("\ufeff") if options.encoding else data)
    except UnicodeDecodeError as exc:
        yield Skipped(sid, f"cannot read '{display}': {_not_encoded(exc, options, 'its')}", path)
        return
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data" and data.lstrip()[:1] == b"{":
            # One object per line in a .json file: read it as JSON lines.
            yield from _jsonl(_lines(io.BytesIO(data), options.max_bytes), display, ids, path, options, sid)
            return
        if isinstance(exc, json.JSONDecodeError):
            why = f"{exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"  # "Invalid control character at"
        else:
            why = str(exc) or type(exc).__name__
        yield Skipped(sid, f"cannot read '{display}': invalid JSON ({why}); fix the file (one object per line needs .jsonl)", path)
        return
    if isinstance(obj, dict) and not any(f in obj for f in options.text_fields):
        lists = [v for v in obj.values() if isinstance(v, list)]
        if len(lists) == 1:
            obj = lists[0]
    records = obj if isinstance(obj, list) else [obj]
    if not records:
        yield Skipped(sid, f"cannot read '{display}': no JSON records (an empty list); add records or leave it out", path)
    for k, rec in enumerate(records, start=1):
        yield from _record(rec, f"'{display}' record {k}", f"{sid}#record{k}", ids, path, options)


def _csv_doc(text: str, ext: str, display: str, ids: _Ids, path: str | None, options: IngestOptions, sid: str) -> Iterator[Document | Skipped]:
    """Rows of a CSV (TSV) file with a header line, read as records; a skipped row is ``sid:N``."""
    if not text.strip():
        yield Skipped(sid, f"cannot read '{display}': empty file; add a header line and records or leave it out", path)
        return
    csv.field_size_limit(max(options.max_bytes, 131072))
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if ext == ".tsv" else ",")
    rows = 0
    try:
        for row in reader:
            rows += 1
            n = reader.line_num
            yield from _record(row, f"'{display}' line {n}", f"{sid}:{n}", ids, path, options)
    except csv.Error as exc:
        yield Skipped(f"{sid}:{reader.line_num}", f"'{display}' line {reader.line_num}: invalid CSV ({exc}); fix the file", path)
        return
    if rows == 0:
        what = "only a header line" if reader.fieldnames else "no header line"
        yield Skipped(sid, f"cannot read '{display}': no records ({what}); add rows below a header line or leave it out", path)


# --- streams ------------------------------------------------------------------------------------

_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _wide(head: bytes, options: IngestOptions) -> bool:
    """Whether the bytes starting with ``head`` are UTF-16/32 (a BOM, NUL bytes laid out as such
    text has them, or such an encoding given): then neither lines nor JSON syntax can be read off
    the bytes, and the input is decoded whole first (``_as_utf8``). A stray NUL byte (one bad
    record of JSON lines) does not make them so: that record is skipped alone, not the input."""
    if options.encoding:
        return codecs.lookup(options.encoding).name.startswith(("utf-16", "utf-32"))
    if head.startswith(_WIDE_BOMS):
        return True
    head = head[: min(len(head), 4096) // 4 * 4]
    return b"\x00" in head and nul_layout(head) is not None


def _too_large(display: str, options: IngestOptions) -> str:
    return f"cannot read '{display}': too large (over max_bytes {options.max_bytes}); split it or raise --max-bytes"


def _read_upto(fh: BinaryIO, size: int, limit: int) -> bytes:
    """``fh.read(limit)``, asked for in the file's size (from fstat) plus one byte, then read on
    when the file grew since: a read of ``limit`` bytes (max_bytes + 1, 20 MB) allocates that
    much for each file, however small. Reading the 20k-article folder took 4.4 s CPU with it,
    3.6 s without (system time 0.7 s -> 0.25 s: fresh pages for every file)."""
    if size + 1 >= limit:
        return fh.read(limit)
    data = fh.read(size + 1)
    if len(data) > size:  # it grew since fstat (or fstat does not know its size)
        data += fh.read(limit - len(data))
    return data


def _as_utf8(data: bytes, display: str, options: IngestOptions) -> tuple[bytes, IngestOptions]:
    """UTF-16/32 ``data`` as UTF-8 bytes (decoded and checked as a text file is; InputError when
    it is not text), and the options to read those with."""
    text = _decode(data, display, options)
    return text.encode("utf-8", "surrogatepass"), dataclasses.replace(options, encoding=None)


_EOL = re.compile(rb"\r\n?|\n")
_LINE_CHUNK = 1 << 16


def _lines(fh: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    """Lines of a binary stream, each with its line break: LF, CRLF or a lone CR (old Mac
    files; JSON escapes all three inside strings, so none of them ends a record early). A line
    over max_bytes is cut there (the rest of it is dropped). Reads what is there (``read1``), so
    a pipeline's record is answered as soon as its line break arrives."""
    read = getattr(fh, "read1", fh.read)
    part: list[bytes] = []  # the current line so far
    size = 0
    skip_lf = False  # the last chunk ended with a CR: an LF first in the next one ends no line
    while chunk := read(_LINE_CHUNK):
        if skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        skip_lf = chunk[-1:] == b"\r"
        pos = 0
        for m in _EOL.finditer(chunk):
            piece = chunk[pos : m.end()]
            pos = m.end()
            if size + len(piece) > max_bytes + 1:
                piece = piece[: max(0, max_bytes + 1 - size)]
            part.append(piece)
            yield b"".join(part)
            part, size = [], 0
        if pos < len(chunk) and size <= max_bytes:  # the start of a line, kept up to max_bytes + 1
            piece = chunk[pos : pos + max_bytes + 1 - size]
            part.append(piece)
            size += len(piece)
    if part:
        yield b"".join(part)


def read_stream(
    stream: BinaryIO, *, name: str = "-", fmt: str = "auto", options: IngestOptions = IngestOptions()
) -> Iterator[Document | Skipped]:
    """Documents of a binary stream: JSONL records (``{`` first), a JSON array (``[`` first),
    an HTML page (``<`` first) or one plain-text article. ``fmt`` forces one of
    ``jsonl``, ``json``, ``text``, ``html``."""
    if fmt not in _FORMATS:
        raise ParamsError(f"unknown stream format {fmt!r}; use one of {', '.join(_FORMATS)}")
    return unique_ids(_stream(stream, name, fmt, options, _Ids()))


def _sniff(buf: io.BufferedReader, max_bytes: int) -> tuple[str, io.BufferedReader]:
    """The format of a stream from its first bytes: JSONL (``{``), JSON (``[``, or a pretty-printed
    object), HTML (``<``) or text; and the stream to read it from (the lines read to tell JSON
    lines from a pretty-printed object put back in front)."""
    head = buf.peek(65536).lstrip(b"\xef\xbb\xbf \t\r\n")
    fmt = {b"{": "jsonl", b"[": "json", b"<": "html"}.get(head[:1], "text")
    if fmt in ("json", "jsonl") and head[1:].lstrip(b" \t\r\n")[:1] not in _JSON_NEXT[fmt]:
        return "text", buf  # "[ad_1]", "{Photo: AP}": an article that opens with a bracket
    if fmt != "jsonl":
        return fmt, buf
    # A first line that is not an object is a pretty-printed object's first line, unless the next
    # line is an object of its own (a bad first record: each line is then read, that one
    # skipped). Whole lines are read, however long (a record of an article runs past the
    # read buffer), then put back.
    taken = [buf.readline(max_bytes + 1)]
    if not _json_object(taken[0]) and taken[0].endswith(b"\n"):
        while (line := buf.readline(max_bytes + 1)) and not line.strip() and sum(map(len, taken)) <= max_bytes:
            taken.append(line)
        taken.append(line)
        fmt = "jsonl" if _json_object(line) else "json"
    return fmt, io.BufferedReader(_Replayed(b"".join(taken), buf))  # type: ignore[arg-type]


class _Replayed(io.RawIOBase):
    """``prefix``, then the rest of ``stream``: a stream with what was read ahead put back."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read1(len(b)) if hasattr(self._stream, "read1") else self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)


def _json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _stream(stream: BinaryIO, name: str, fmt: str, options: IngestOptions, ids: _Ids) -> Iterator[Document | Skipped]:
    display = printable(name)
    where = "standard input" if name == "-" else f"'{display}'"
    buf = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[arg-type]
    try:
        if _wide(buf.peek(4096), options):  # UTF-16/32: read as the UTF-8 it spells
            data = buf.read(options.max_bytes + 1)
            if len(data) > options.max_bytes:
                yield Skipped(display, _too_large(display, options))
                return
            utf8, options = _as_utf8(data, display, options)
            buf = io.BufferedReader(io.BytesIO(utf8))  # type: ignore[arg-type]
        if fmt == "auto":
            fmt, buf = _sniff(buf, options.max_bytes)
        if fmt == "jsonl":
            yield from _jsonl(_lines(buf, options.max_bytes), display, ids, None, options)
            return
        data = buf.read(options.max_bytes + 1)
        if len(data) > options.max_bytes:
            yield Skipped(display, _too_large(display, options))
            return
        if not data:
            yield Skipped(display, f"cannot read {where}: nothing was sent (0 bytes); send an article or records, or leave '{display}' out")
            return
        if fmt == "json":
            yield from _json_doc(data, display, ids, None, options)
            return
        text_id = display if options.stream_id == "-" else options.stream_id
        if text_id is None and data.strip():
            yield Skipped(display, f"cannot add the article on {where}: it has no id; pass --id ID, or send JSON records with an id")
            return
        wanted = text_id or display
        got = ids.claim(wanted)
        if options.lines and fmt != "html":
            yield from _line_docs(data, id=got, display=display, path=None, options=options)
            return
        docs = _text_docs(data, id=got, display=display, path=None, html=fmt == "html", options=options)
        yield from _renamed(docs, wanted, got)
    except _Fatal:
        raise
    except InputError as exc:
        yield Skipped(display, str(exc))
    except OSError as exc:
        yield Skipped(display, f"cannot read '{display}': {exc.strerror or exc}; check the input stream")
    except Exception as exc:  # noqa: BLE001
        yield Skipped(display, _failed(exc, f"cannot read '{display}'"))


# --- files and folders -----------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def _kind(mode: int) -> str:
    for test, label in _KINDS:
        if test(mode):
            return label
    return "special file"


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _fix(exc: OSError, folder: bool = False) -> str:
    if isinstance(exc, PermissionError):
        return "fix its permissions (chmod a+rx) or leave it out" if folder else "fix its permissions (chmod a+r) or leave it out"
    return "check the path"


def _read_file(
    path: str, *, id: str, display: str, options: IngestOptions, ids: _Ids, nofollow: bool, renamed_from: str | None = None
) -> Iterator[Document | Skipped]:
    shown = printable(path)
    ext = os.path.splitext(path)[1].lower()
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if nofollow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        yield Skipped(id, f"cannot read '{display}': {_why(exc)}; {_fix(exc)}", shown)
        return
    with os.fdopen(fd, "rb") as fh:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # replaced between the walk and the open
                yield Skipped(id, f"'{display}' is a {_kind(st.st_mode)}, not a regular file; not read, leave it out", shown)
                return
            if ext in _JSONL_EXT and not _wide(fh.peek(4096), options):
                yield from _jsonl(_lines(fh, options.max_bytes), display, ids, shown, options, id)
                return
            if st.st_size > options.max_bytes:
                yield Skipped(id, f"cannot read '{display}': too large ({st.st_size} bytes > max_bytes {options.max_bytes}); split it or raise --max-bytes", shown)
                return
            data = _read_upto(fh, st.st_size, options.max_bytes + 1)
            if len(data) > options.max_bytes:
                yield Skipped(id, _too_large(display, options), shown)
                return
            if ext in _JSONL_EXT:  # UTF-16/32 JSON lines: split into lines once decoded
                utf8, opts = _as_utf8(data, display, options)
                yield from _jsonl(_lines(io.BytesIO(utf8), opts.max_bytes), display, ids, shown, opts, id)
                return
            if ext == ".json":
                yield from _json_doc(data, display, ids, shown, options, id)
                return
            if ext in _CSV_EXT:
                yield from _csv_doc(_decode(data, display, options), ext, display, ids, shown, options, id)
                return
            if options.lines and ext not in _HTML_EXT:
                yield from _line_docs(data, id=id, display=display, path=shown, options=options)
                return
            docs = _text_docs(data, id=id, display=display, path=shown, html=ext in _HTML_EXT, options=options,
                              markdown=ext in _MARKDOWN_EXT)
            yield from _renamed(docs, renamed_from or id, id)
        except _Fatal:
            raise
        except InputError as exc:
            yield Skipped(id, str(exc), shown)
        except OSError as exc:
            yield Skipped(id, f"cannot read '{display}': {_why(exc)}; {_fix(exc)}", shown)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops a read
            yield Skipped(id, _failed(exc, f"cannot read '{display}'"), shown)


@dataclass(frozen=True, slots=True)
class FileJob:
    """A file holding one article (text, Markdown or HTML), found but not yet read: what
    ``read_inputs(..., defer=True)`` yields in its place so callers can read many at once."""

    path: str
    id: str
    display: str
    nofollow: bool
    renamed_from: str | None = None  # the id it asked for, when an earlier input held it


def _file_job(path: str, wanted: str, got: str, display: str, nofollow: bool) -> FileJob:
    return FileJob(path, got, display, nofollow, wanted if got != wanted else None)


def _deferrable(ext: str) -> bool:
    """Files whose reading needs no shared state (JSON, JSONL and CSV claim record ids)."""
    return ext not in _JSONL_EXT and ext != ".json" and ext not in _CSV_EXT


def read_file_job(job: FileJob, options: IngestOptions = IngestOptions()) -> list[Document | Skipped]:
    """What ``read_inputs`` would have yielded for the file of ``job``, in order."""
    return list(_read_job(job, options, _Ids()))


def _read_job(job: FileJob, options: IngestOptions, ids: _Ids) -> Iterator[Document | Skipped]:
    return _read_file(job.path, id=job.id, display=job.display, options=options, ids=ids, nofollow=job.nofollow,
                      renamed_from=job.renamed_from)


def _found(job: FileJob, options: IngestOptions, ids: _Ids, defer: bool) -> Iterator[Document | Skipped | FileJob]:
    """A regular file found by the walk or named directly: its job when deferred, else its items."""
    if defer and _deferrable(os.path.splitext(job.path)[1].lower()):
        yield job
    else:
        yield from _read_job(job, options, ids)


def _rel_id(parts: tuple[str, ...]) -> str:
    return "/".join(printable(p) for p in parts)


def _walk(
    root: str, top: str, parts: tuple[str, ...], options: IngestOptions, ids: _Ids, visited: set, defer: bool
) -> Iterator[Document | Skipped | FileJob]:
    folder = os.path.join(top, *parts) if parts else top
    shown_folder = printable(folder)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        yield Skipped(_rel_id(parts) or printable(root), f"cannot list folder '{shown_folder}': {_why(exc)}; {_fix(exc, True)}", shown_folder)
        return
    prefix = printable(os.path.basename(os.path.normpath(top)))
    for entry in entries:
        sub = (*parts, entry.name)
        rel = _rel_id(sub)
        display = printable(entry.path)
        if entry.name.startswith("."):
            what = "folder" if entry.is_dir(follow_symlinks=False) else "file"
            yield Skipped(rel, f"'{display}': hidden {what} not read; rename it or give its path directly", display)
            continue
        try:
            if entry.is_symlink():
                try:
                    st = os.stat(entry.path)
                except FileNotFoundError:
                    target = printable(os.readlink(entry.path))
                    yield Skipped(rel, f"'{display}': broken symbolic link to '{target}'; fix or remove the link", display)
                    continue
                if not options.follow_symlinks:
                    yield Skipped(rel, f"'{display}': symbolic link not followed; pass --follow-symlinks to read it", display)
                    continue
            else:
                st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield Skipped(rel, f"cannot read '{display}': {_why(exc)}; {_fix(exc)}", display)
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in visited:
                yield Skipped(rel, f"'{display}': folder already read (symbolic link loop); remove the link", display)
                continue
            visited.add(key)
            yield from _walk(root, top, sub, options, ids, visited, defer)
        elif stat.S_ISREG(st.st_mode):
            ext = os.path.splitext(entry.name)[1].lower()
            if ext not in options.extensions:
                shown_ext = printable(ext) if ext else "(none)"
                yield Skipped(
                    rel,
                    f"unsupported file type '{shown_ext}' of '{display}'; supported: {' '.join(options.extensions)} "
                    f"(rename it or add the type with --ext)",
                    display,
                )
                continue
            linked = entry.is_symlink()  # a followed link is read under its own name, as before
            again = None if linked else ids.repeat(st, display)
            if again is not None:
                yield again
                continue
            fid = ids.claim(rel, prefix) if linked else ids.file(st, rel, prefix)
            job = _file_job(entry.path, rel, fid, display, not options.follow_symlinks)
            yield from _found(job, options, ids, defer)
        else:
            yield Skipped(rel, f"'{display}' is a {_kind(st.st_mode)}, not a regular file; not read, leave it out", display)


def read_inputs(
    paths: Sequence[str | os.PathLike], *, options: IngestOptions = IngestOptions(), defer: bool = False
) -> Iterator[Document | Skipped | FileJob]:
    """Documents of files, folders (recursively, in sorted order) and ``-`` (standard input).

    ``defer``: yield a FileJob in place of each one-article file (text, Markdown, HTML),
    for the caller to read with ``read_file_job``, in parallel if it likes; everything
    else (records, skips, ids) is the same, in the same order, and the caller passes what
    it read, in that order, through ``unique_ids``.
    """
    items = _read_inputs(paths, options, defer)
    return items if defer or options.index_ids else unique_ids(items)  # type: ignore[arg-type]


def _read_inputs(paths: Sequence[str | os.PathLike], options: IngestOptions, defer: bool) -> Iterator[Document | Skipped | FileJob]:
    ids = _Ids()
    for p in paths:
        path = os.fspath(p)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path == "-":
            yield from _stream(sys.stdin.buffer, "-", "auto", options, ids)  # its ids are unique among the others'
            continue
        display = printable(path)
        try:
            st = os.stat(path)  # a path given by name is followed even when it is a link
        except FileNotFoundError:
            if os.path.islink(path):
                reason = f"'{display}': broken symbolic link to '{printable(os.readlink(path))}'; fix or remove the link"
            else:
                reason = f"'{display}': no such file or folder; check the path"
            yield Skipped(display, reason, display)
            continue
        except OSError as exc:
            yield Skipped(display, f"cannot read '{display}': {_why(exc)}; {_fix(exc)}", display)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, path, (), options, ids, {(st.st_dev, st.st_ino)}, defer)
        elif stat.S_ISREG(st.st_mode):
            again = ids.repeat(st, display)
            if again is not None:
                yield again
                continue
            name = printable(os.path.basename(path) or path)
            job = _file_job(path, name, ids.file(st, name, printable(os.path.dirname(path)) or None), display, False)
            yield from _found(job, options, ids, defer)
        else:
            yield Skipped(display, f"'{display}' is a {_kind(st.st_mode)}, not a regular file; not read, leave it out", display)

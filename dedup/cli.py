"""Command line: parse options, make one library call, render.

Only DedupError becomes ``Error: ...`` with exit code 1; anything else is a bug.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import sys
from collections.abc import Iterator

import click

from . import __version__
from .errors import DedupError


# Exit status when the reader of standard output closed it early (`dedup scan d/ | head`): that
# of a program ended by SIGPIPE, as a shell reports it (128 + 13), whatever the format.
EXIT_BROKEN_PIPE = 141
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


def _terminated(signum: int, frame) -> None:
    """SIGTERM: say so and exit 143 through the normal unwinding, so that a report being
    written is not left behind half-done (its temporary file is removed); the default
    handler ended the process on the spot, silently."""
    sys.stderr.write("\nTerminated.\n")
    raise SystemExit(128 + signum)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            rv = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return rv
        except DedupError as exc:
            # on a terminal a progress line may be open ("192 documents indexed"): end it first
            click.echo(("\n" if sys.stderr.isatty() else "") + f"Error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            # as a shell reports a program ended by SIGINT (click said "Aborted!", exit 1)
            click.echo("\nInterrupted.", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _stdout_to_devnull()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:
            import errno

            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
                raise
            # standard output on a full disk (> /dev/full): a traceback
            _stdout_to_devnull()
            click.echo(f"Error: cannot write the output: {exc.strerror}; free some space or write it elsewhere", err=True)
            ctx.exit(1)


def _stdout_to_devnull() -> None:
    """Standard output can take nothing more (a closed pipe, a full disk): point it at /dev/null,
    so that Python's own flush at exit does not fail again."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find copies of the same news wire story, how each copy relates to the
    original, and what changed in the facts."""
    import logging

    # The PostgreSQL pool logs each failed reconnection (several lines each) while a server is
    # down; the command's own one-line error says it, with the fix.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # `dedup serve` sets its own
        signal.signal(signal.SIGTERM, _terminated)


def _render(output: str | None, fmt: str, write) -> bool:
    """Call ``write(stream, color)`` on ``output`` (colour for a terminal report on a
    terminal). True when it went to standard output."""
    to_stdout = output in (None, "-")
    if to_stdout and fmt == "terminal" and sys.stdout.isatty():
        write(sys.stdout, True)
        return True
    with _utf8_output(output) as stream:
        write(stream, False)
    return to_stdout


def _not_an_input(output: str | None, paths) -> None:
    """Refuse an --output that is one of the input files, named or inside a folder read (it
    would be overwritten by the report; a file of a type the read skips is still the user's)."""
    import os

    from .errors import InputError

    if output in (None, "-") or not os.path.isfile(output):
        return
    real = os.path.realpath(output)
    for p in paths:
        if p == "-":
            continue
        if os.path.isfile(p) and os.path.samefile(p, output):
            raise InputError(f"refusing to write the report over the input '{output}'; pass another --output")
        if os.path.isdir(p) and os.path.commonpath([os.path.realpath(p), real]) == os.path.realpath(p):
            raise InputError(f"refusing to write the report over '{output}', a file in the folder '{p}' that is read; "
                             "pass an --output outside it")


def _can_write(output: str | None) -> None:
    """Fail before the work, not after it, when ``output`` cannot be written: its folder is
    missing or read-only, or it is a read-only file (click refuses a folder already)."""
    import os

    if output in (None, "-"):
        return
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        hint = f"no folder '{os.path.dirname(output) or '.'}'"
    elif os.path.exists(output) and not os.access(output, os.W_OK):
        hint = "permission denied"
    elif not os.path.exists(output) and not os.access(folder, os.W_OK | os.X_OK):
        hint = f"cannot create files in '{os.path.dirname(output) or '.'}': permission denied"
    else:
        return
    raise click.FileError(output, hint=hint)


@contextlib.contextmanager
def _utf8_output(output: str | None) -> Iterator[io.TextIOBase]:
    """A UTF-8 text stream on ``output`` (a file) or standard output (None or "-"), whatever
    the locale says; standard output is flushed and left open."""
    if output in (None, "-"):
        sys.stdout.flush()
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:  # a captured stdout without bytes underneath
            yield sys.stdout
            return
        stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()
        return
    # Written to a temporary file beside it and renamed over it once whole: an interrupted or
    # failed write (Ctrl-C, SIGTERM, a full disk) left a cut report that could look complete, in
    # place of the previous one.
    import os
    import tempfile

    from .errors import DedupError

    folder = os.path.dirname(os.path.abspath(output))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(output)}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror) from exc
    done = False
    try:
        with open(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        if os.path.exists(output):
            os.chmod(tmp, os.stat(output).st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, output)
        done = True
    except OSError as exc:
        raise DedupError(f"cannot write '{output}': {exc.strerror or exc}; nothing was written there "
                         "(free some space or pass another --output)") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- commands are added below, one block per command ---


# --- reading options shared by the commands that read articles ---

_READ_OPTIONS = (  # how `scan`, `inspect`, `index add` and `check` read their inputs
    click.option("--encoding", default=None, help="Read files in this encoding instead of detecting it."),
    click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Skip files larger than this (default: 20,000,000 bytes)."),
    click.option("--ext", "extensions", multiple=True,
                 help="Also read files with this extension (repeatable), e.g. --ext csv; "
                 ".txt .md .html .htm .json .jsonl .ndjson are read anyway."),
    click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symbolic links in folders."),
    click.option("--lines", is_flag=True, default=None,
                 help="Plain-text files and streams hold one article per line: each non-blank line is a "
                 "document with id FILE:LINE (HTML, JSON, JSONL and CSV are read as usual); e.g. --ext cor --lines."),
    click.option("--id-field", default=None, help="JSON/JSONL/CSV input: field holding the document id (default: id)."),
    click.option("--text-field", "text_fields", multiple=True,
                 help="JSON/JSONL/CSV input: field(s) holding the text, the first non-empty one read (repeatable) "
                 "(default: text, then body)."),
    click.option("--title-field", default=None, help="JSON/JSONL/CSV input: field holding the title (default: title)."),
    click.option("--source-field", default=None, help="JSON/JSONL/CSV input: field holding the publisher (default: source)."),
    click.option("--published-field", default=None, help="JSON/JSONL/CSV input: field holding the publication time (default: published)."),
    click.option("--url-field", default=None, help="JSON/JSONL/CSV input: field holding the URL (default: url)."),
)


def _read_options(command):
    for option in reversed(_READ_OPTIONS):
        command = option(command)
    return command


def _say_renamed(items):
    """``read_inputs`` items passed through; each input renamed for an id clash is said on
    stderr, once (a split one once for all its parts)."""
    from .records import Document
    from .report.scan_view import renamed_notice

    said: set[str] = set()
    for item in items:
        if isinstance(item, Document) and item.renamed_from is not None and (item.parent or item.id) not in said:
            said.add(item.parent or item.id)
            click.echo(renamed_notice(item), err=True)
        yield item


def _own_id(stream_id: str | None) -> str | None:
    """The id to index an article read from - under: None (it is skipped, "pass --id ID") when
    --id is not given, empty or "-" (the next article piped in would replace it)."""
    return None if stream_id in (None, "", "-") else stream_id


def _ingest_options(opts: dict):
    """IngestOptions from the _READ_OPTIONS values (popped from ``opts``)."""
    from .ingest import IngestOptions

    given = {k: opts.pop(k) for k in ("encoding", "max_bytes", "follow_symlinks", "lines", "id_field", "title_field",
                                      "source_field", "published_field", "url_field")}
    given = {k: v for k, v in given.items() if v is not None}
    text_fields, extensions = opts.pop("text_fields"), opts.pop("extensions")
    if text_fields:
        given["text_fields"] = tuple(text_fields)
    if extensions:
        given["extensions"] = IngestOptions().extensions + tuple(extensions)
    return IngestOptions(**given)


# --- scan: which articles are the same wire story, how each copy relates, which story ---

_SCAN_FORMATS = ("terminal", "json", "jsonl", "csv", "html")


class _InputPath(click.Path):
    """A PATH to read: one that does not exist is a usage error (a typo), but a symbolic link
    counts even when it is broken or loops: the read lists it as skipped with its reason, as it
    does one inside a folder (a shell glob names each file of a folder)."""

    def __init__(self) -> None:
        super().__init__(exists=False, allow_dash=True, path_type=str)

    def convert(self, value, param, ctx):
        import os

        got = super().convert(value, param, ctx)
        if got != "-" and not os.path.lexists(got):
            self.fail(f"Path {click.format_filename(got)!r} does not exist.", param, ctx)
        return got



@main.command("scan", short_help="Find copies of one story and how each relates to the original.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=_InputPath())
@click.option("--format", "fmt", type=click.Choice(_SCAN_FORMATS), default="terminal", show_default=True,
              help="terminal: a report for people; html: the same as one self-contained page of reprint chains "
                   "(with side-by-side passages; -o report.html); json, jsonl, csv: for programs (see docs/scan-json.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
              help="Write to this file instead of stdout.")
@click.option("--drift", is_flag=True, help="Also list factual differences between each copy and its source.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: the scan's choice).")
@click.option("--texts", is_flag=True, help="json/jsonl: include each document's cleaned text and stripped lines.")
@click.option("--skip-binary/--no-skip-binary", default=None,
              help="Skip files that are not text and list them (the default), or stop with an error.")
@_read_options
@click.option("--no-split", is_flag=True, help="Keep a file that holds several stories as one document.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
def scan_command(paths, fmt, output, drift, workers, texts, quiet, no_split, skip_binary, **read):
    """Find which articles under PATH... are the same wire story, how each copy
    relates to the original, and which story each belongs to.

    PATH is a file, a folder (read recursively) or - for standard input.

    Skipped inputs are listed, not fatal: the exit code is 0 whenever the scan ran (141 when the
    reader of standard output closed it early, as with `| head`; 130 on Ctrl-C, 143 on SIGTERM).
    """

    from .report import scan_html, scan_json, scan_terminal
    from .report.scan_view import renamed_inputs
    from .scan import scan

    _not_an_input(output, paths)
    _can_write(output)
    if texts and fmt not in ("json", "jsonl"):
        raise click.UsageError(f"--texts adds the cleaned texts to --format json or jsonl, not {fmt}")

    options = _ingest_options(read)
    if skip_binary is not None:
        options = dataclasses.replace(options, skip_binary=skip_binary)
    if no_split:
        options = dataclasses.replace(options, split_stories=False)
    kwargs = {"workers": workers} if workers is not None else {}

    with scan_terminal.ScanProgress(enabled=False if quiet else None) as progress:
        result = scan(
            list(paths), ingest=options, drift=drift,
            progress=progress if progress.enabled else None, **kwargs,
        )

    def write(stream, color: bool) -> None:
        if fmt == "terminal":
            scan_terminal.write_terminal(result, stream, color=color)
        elif fmt == "json":
            scan_json.write_json(result, stream, texts=texts)
        elif fmt == "jsonl":
            scan_json.write_jsonl(result, stream, texts=texts)
        elif fmt == "html":
            scan_html.write_html(result, stream)
        else:
            scan_json.write_csv(result, stream)

    for renamed in renamed_inputs(result.documents):  # also in the report; said here once each, whatever the format
        click.echo(renamed.reason, err=True)
    to_stdout = _render(output, fmt, write)
    if not to_stdout and not quiet:
        s = scan_terminal.summary_line(result)
        click.echo(f"wrote {fmt} to {output}: {s}", err=True)


# --- diff: where a copy drifted from its source --------------------------------------------

_DIFF_FORMATS = ("terminal", "json", "html")


def _read_one(path: str, *, encoding: str | None):
    """The one document of PATH for `dedup diff` (a file's stories are kept together)."""
    from .errors import InputError
    from .ingest import IngestOptions, read_inputs
    from .records import Skipped

    opts = IngestOptions(split_stories=False, placed_ids=True, **({"encoding": encoding} if encoding else {}))
    docs = []
    for item in read_inputs([path], options=opts):
        if isinstance(item, Skipped):
            raise InputError(f"cannot diff '{path}': {item.reason}")
        docs.append(item)
    if len(docs) != 1:
        raise InputError(f"cannot diff '{path}': it holds {len(docs)} documents; pass one article file per side")
    return docs[0]


@main.command("diff", short_help="Show where a copy drifted from its source, side by side.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=str))
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(_DIFF_FORMATS), default="terminal", show_default=True,
              help="terminal: side by side; json: dedup.diff/1 (see docs/diff.md); html: a self-contained page.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
              help="Write to this file instead of stdout.")
@click.option("--encoding", default=None, help="Read both files in this encoding instead of detecting it.")
def diff_command(source, copy, fmt, output, encoding):
    """Show where COPY drifted from SOURCE: aligned sentences side by side and typed
    findings (changed numbers, dates, names, sources, quotes, added or dropped claims)."""

    from .drift import diff
    from .report import diff as diff_report

    if source == copy == "-":
        raise click.UsageError("SOURCE and COPY are both - (standard input), which can be read once; "
                               "give one of them as a file")
    _not_an_input(output, (source, copy))
    _can_write(output)
    result = diff(_read_one(source, encoding=encoding), _read_one(copy, encoding=encoding))
    def write(stream, color: bool) -> None:
        if fmt == "terminal":
            diff_report.write_terminal(result, stream, color=color)
        elif fmt == "json":
            diff_report.write_json(result, stream)
        else:
            diff_report.write_html(result, stream)

    if not _render(output, fmt, write):
        click.echo(f"wrote {fmt} to {output}: {len(result.findings)} findings", err=True)


# --- inspect: what ingest made of each input (ids, titles, parts, stripped lines, captions) ---


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


@main.command("inspect", short_help="Show what ingest makes of each input: ids, titles, boilerplate.")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=str, allow_dash=True))
@click.option("--text", "show_text", is_flag=True, help="Also print each document's cleaned text.")
@click.option("--no-skip-binary", "skip_binary", flag_value=False, default=None,
              help="Stop with an error on a binary file instead of listing it as skipped.")
@_read_options
@click.option("--no-split", is_flag=True, help="Keep a file that holds several stories as one document.")
def inspect_command(paths, show_text, no_split, skip_binary, **read):
    """Show what ingest does to each input under PATH... ("-" reads standard input):
    document ids, titles, story parts, the lines set aside as boilerplate (with the
    rule that matched and the line number), photo-caption zones, and skipped inputs.
    It reads PATH... as `dedup scan` does, with the same reading options."""
    from .ingest import read_inputs
    from .records import Skipped
    from .report.scan_view import renamed_notice

    options = _ingest_options(read)
    if skip_binary is not None:
        options = dataclasses.replace(options, skip_binary=skip_binary)
    if no_split:
        options = dataclasses.replace(options, split_stories=False)
    docs = skipped = 0
    for item in _say_renamed(read_inputs(list(paths), options=options)):
        if isinstance(item, Skipped):
            skipped += 1
            click.echo(f"skipped {item.id}: {item.reason}")
            continue
        docs += 1
        part = f"  (part {item.part} of {item.parent})" if item.parent else ""
        click.echo(f"{item.id}{part}")
        if item.renamed_from is not None:
            click.echo(f"  renamed:   {renamed_notice(item)}")
        click.echo(f"  title:     {item.title if item.title is not None else '-'}")
        if item.published:
            click.echo(f"  published: {item.published}")
        captions = [z for z in item.zones if z.kind == "caption"]
        click.echo(f"  text:      {len(item.text)} chars, {len(item.text.split())} words, {len(captions)} caption zones")
        for s in item.stripped:
            click.echo(f"  - line {s.line:>4}  {s.reason}: {_short(s.text)}")
        for z in item.zones:
            click.echo(f"  * {z.kind} [{z.start}:{z.end}]  {_short(item.text[z.start:z.end])}")
        if show_text:
            click.echo("")
            for line in item.text.splitlines():
                click.echo(f"    {line}")
        click.echo("")
    click.echo(f"{docs} document{'' if docs == 1 else 's'}, {skipped} skipped", err=True)


# --- index: persistent index, pre-ingest check, HTTP service (dedup/index, dedup/service.py) ---

_INDEX_OPTION = click.option(
    "--index", "index_url", envvar="DEDUP_INDEX", default="dedup-index.db", show_default=True,
    help="The index: a file (or sqlite:///path) for the embedded one, postgresql://user@host/db for a shared "
    "one. Also read from $DEDUP_INDEX.",
)

def _progress_to_stderr(quiet: bool, what: str = "indexed"):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda n: click.echo(f"\r{n} documents {what}", err=True, nl=False)


@main.group("index", short_help="Build and look after a persistent index (SQLite or PostgreSQL).")
def index_group() -> None:
    """Build and look after a persistent index (SQLite file or PostgreSQL)."""


@index_group.command("add")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=_InputPath())
@_INDEX_OPTION
@click.option("--no-relate", is_flag=True, help="Do not check each document against the index first (faster bulk load).")
@click.option("--batch", type=click.IntRange(1, 100_000), default=256, show_default=True,
              help="Documents per transaction (acknowledged together).")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--bulk", is_flag=True, help="Build an EMPTY index from an archive in one transaction, postings written "
              "in key order (faster; nothing is related or checked; nothing is durable until it ends).")
@click.option("--id", "stream_id", default=None,
              help="Id of a plain-text or HTML article read from - (standard input); JSON records carry their own.")
@_read_options
def index_add_command(paths, index_url, no_relate, batch, quiet, bulk, stream_id, **read):
    """Add the articles in files, folders or - (stdin) to the index. Re-adding the same id
    with the same text changes nothing; new text under an indexed id replaces it."""
    from .index import Index
    from .index.answers import add_inputs, bulk_inputs
    from .ingest import read_inputs

    options = dataclasses.replace(_ingest_options(read), stream_id=_own_id(stream_id), index_ids=True)
    inputs = _say_renamed(read_inputs(list(paths), options=options))
    with Index.open(index_url) as index:
        if bulk:
            counts, skipped = bulk_inputs(index, inputs, client="cli",
                                          progress=_progress_to_stderr(quiet, "read"))
            counts |= {"updated": 0, "unchanged": 0}
        else:
            shown = _progress_to_stderr(quiet)
            committed = [0]

            def progress(n: int) -> None:
                committed[0] = n
                if shown is not None:
                    shown(n)

            try:
                counts, skipped = add_inputs(index, inputs, relate=not no_relate,
                                             notice=lambda line: click.echo(line, err=True),
                                             batch=batch, client="cli", progress=progress)
            except (KeyboardInterrupt, SystemExit):
                # what is safe, and how to go on (it said only "Aborted!")
                click.echo(f"\nstopped: the first {committed[0]} documents read are in the index (committed); "
                           "run the same command again to add the rest (those are left as they are)", err=True)
                raise
        total = index.stats().documents
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    for s in skipped:
        click.echo(f"skipped {s.id}: {s.reason}", err=True)
    click.echo(f"added {counts['added']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
               f"skipped {counts['skipped']}; {total} document{'' if total == 1 else 's'} in {index.url}")


@index_group.command("stats")
@_INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of lines.")
def index_stats_command(index_url, as_json):
    """Documents, postings, audit entries, size and build parameters of the index."""
    import json

    from .index import Index
    from .index.answers import stats_to_dict

    with Index.open(index_url, create=False) as index:
        s = index.stats()
    if as_json:
        click.echo(json.dumps(stats_to_dict(s), sort_keys=True))
        return
    size = f"{s.size_bytes / 1e6:.1f} MB" if s.size_bytes is not None else "unknown"
    click.echo(f"index:           {s.url} ({s.backend})")
    click.echo(f"documents:       {s.documents}")
    click.echo(f"band postings:   {s.band_postings}")
    click.echo(f"sample postings: {s.sample_postings}")
    click.echo(f"copy postings:   {s.copy_band_postings} band, {s.copy_sample_postings} sample "
               "(kept for refused rewrites and partials)")
    click.echo(f"audit entries:   {s.audit_entries}")
    click.echo(f"size:            {size}")
    click.echo(f"schema version:  {s.schema_version}")
    click.echo("params:          " + ", ".join(f"{k}={v}" for k, v in s.params.items()))


@index_group.command("remove")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@_INDEX_OPTION
def index_remove_command(ids, index_url):
    """Remove documents by id (recorded in the audit log)."""
    from .errors import InputError
    from .index import Index, validate_id

    for doc_id in ids:  # all checked before any is removed: a bad one stops nothing half-done
        validate_id(doc_id)
    missing = []
    with Index.open(index_url, create=False) as index:
        for doc_id in ids:
            if index.remove(doc_id, client="cli"):
                click.echo(f"removed {doc_id}")
            else:
                missing.append(doc_id)
    if missing:
        raise InputError(f"no document {', '.join(repr(m) for m in missing)} in {index.url}; list ids with `dedup index audit`")


@index_group.command("audit")
@_INDEX_OPTION
@click.option("--id", "doc_id", default=None, help="Only the decisions about this document id.")
@click.option("--after", type=click.IntRange(min=0), default=0, help="Only entries after this sequence number.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many entries.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True,
              help="jsonl: one JSON object per entry, for export.")
def index_audit_command(index_url, doc_id, after, limit, fmt):
    """List (or export as JSONL) the recorded decisions, oldest first."""
    import json

    from .index import Index
    from .index.answers import audit_to_dict

    with Index.open(index_url, create=False) as index:
        entries = index.audit(id=doc_id, after=after, limit=limit)
    for e in entries:
        if fmt == "jsonl":
            click.echo(json.dumps(audit_to_dict(e), ensure_ascii=False))
        else:
            click.echo(f"{e.seq:>7}  {e.at}  {e.action:<9} {e.decision:<10} {e.id}  {e.reason}")


@main.command("check", short_help="Is each incoming article new, or a copy of indexed ones?")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...|-")
@_INDEX_OPTION
@click.option("--add", is_flag=True, help="Admit each article that is not a copy of an indexed one.")
@click.option("--exit-code", is_flag=True,
              help="Exit 2 when any article is a copy of an indexed one; else 1 when an input could not be read "
              "(skipped) or on an error; else 0 (each is new, or only reports the same event as an indexed one).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True,
              help="jsonl: one dedup.check/v1 object per article (dedup/schemas/check.v1.json).")
@click.option("--no-drift", is_flag=True, help="Do not attach the closest copy's drift summary (faster).")
@click.option("--client", default="cli", show_default=True, help="Name recorded with each decision in the audit log.")
@click.option("--id", "stream_id", default=None,
              help="Id of a plain-text or HTML article read from - (standard input), needed to --add it; "
              "JSON records carry their own.")
@_read_options
def check_command(paths, index_url, add, exit_code, fmt, no_drift, client, stream_id, **read):
    """For each incoming article (files, folders, or - for a text/JSON/JSONL stream on stdin):
    is it new, or how does it relate to the closest indexed documents? Answers stream out
    in input order, one line each."""
    import json

    from .index import Index
    from .index.answers import answer_to_dict, check_stream, is_copy, replaced_unrelated
    from .ingest import read_inputs
    from .records import Skipped

    copies = skipped = answers = 0
    # a read-only check never creates an index: against an empty one every article is "new"
    with Index.open(index_url, drift=not no_drift, create=add) as index:
        chunk = 1 if "-" in paths else 64  # a stream answers each article as it arrives
        # an article added under "-" would be replaced by the next one piped in: --add needs --id
        options = dataclasses.replace(_ingest_options(read), stream_id=_own_id(stream_id) if add else stream_id or "-",
                                      index_ids=True)
        inputs = _say_renamed(read_inputs(list(paths), options=options))
        for ans in check_stream(index, inputs, add=add, client=client, chunk=chunk):
            if line := replaced_unrelated(ans):
                click.echo(line, err=True)
            copies += is_copy(ans)
            skipped += isinstance(ans, Skipped)
            answers += 1
            if fmt == "jsonl":
                click.echo(json.dumps(answer_to_dict(ans), ensure_ascii=False))
            elif isinstance(ans, Skipped):
                click.echo(f"{ans.id}\tskipped\t{ans.reason}")
            else:
                best = ans.matches[0] if ans.matches else None
                where = f"\t{best.a}\t{best.score:.2f}" if best else ""
                flag = "\tadded" if ans.added else ""
                click.echo(f"{ans.id}\t{ans.decision}{where}{flag}")
            sys.stdout.flush()
    if exit_code and copies:
        sys.exit(2)
    if exit_code and skipped:  # not checked is not new: a pipeline must not let it through
        click.echo(f"Error: {skipped} of {answers} input{'' if answers == 1 else 's'} could not be checked "
                   "(see the skipped answers); fix them or leave them out", err=True)
        sys.exit(1)


@main.command("serve", short_help="Run the same check over HTTP on an index.")
@_INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="DEDUP_TOKEN", default=None,
              help="Require Authorization: Bearer TOKEN on /v1 routes (also $DEDUP_TOKEN).")
@click.option("--max-body", type=click.IntRange(min=1024), default=4 * 1024 * 1024, show_default=True,
              help="Largest request body in bytes (413 above).")
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a client has to send a request's whole body once its headers are in (408 after).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes sharing the port and the index (about one per core).")
@click.option("--create", is_flag=True,
              help="Create the index when it does not exist (empty: every article is new until some are added). "
              "Without it a missing index is an error.")
@click.option("--openapi", "print_openapi", is_flag=True, help="Print the OpenAPI schema (docs/openapi.json) and exit.")
def serve_command(index_url, host, port, token, max_body, body_timeout, log_level, workers, create, print_openapi):
    """Run the HTTP pre-ingest filter (POST /v1/check, /v1/documents, ...; OpenAPI at /docs)
    over an existing index (build one with `dedup index add`, or pass --create)."""
    from .service import openapi_document, serve

    if print_openapi:
        click.echo(openapi_document(), nl=False)
        return
    serve(index_url, host=host, port=port, token=token, max_body=max_body, log_level=log_level, workers=workers,
          create=create, body_timeout=body_timeout)

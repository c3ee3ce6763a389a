"""Command line: parse options, make one library call, render.

Only DedupError becomes ``Error: ...`` with exit code 1; anything else is a bug.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from .errors import DedupError


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DedupError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find copies of the same news wire story, how each copy relates to the
    original, and what changed in the facts."""


# --- commands are added below, one block per command ---


# --- scan: which articles are the same wire story, how each copy relates, which story ---

_SCAN_FORMATS = ("terminal", "json", "jsonl", "csv")


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=click.Path(exists=True, allow_dash=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(_SCAN_FORMATS), default="terminal", show_default=True,
              help="terminal: a report for people; json, jsonl, csv: for programs (see docs/scan-json.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
              help="Write to this file instead of stdout.")
@click.option("--drift", is_flag=True, help="Also list factual differences between each copy and its source.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: the scan's choice).")
@click.option("--texts", is_flag=True, help="json/jsonl: include each document's cleaned text and stripped lines.")
@click.option("--encoding", default=None, help="Read files in this encoding instead of detecting it.")
@click.option("--skip-binary/--no-skip-binary", default=None,
              help="Skip files that are not text and list them (the default), or stop with an error.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Skip files larger than this.")
@click.option("--ext", "extensions", multiple=True, help="Read only files with this extension (repeatable), e.g. --ext txt.")
@click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symbolic links in folders.")
@click.option("--id-field", default=None, help="JSON/JSONL/CSV input: field holding the document id.")
@click.option("--text-field", "text_fields", multiple=True, help="JSON/JSONL/CSV input: field(s) holding the text (repeatable).")
@click.option("--title-field", default=None, help="JSON/JSONL/CSV input: field holding the title.")
@click.option("--source-field", default=None, help="JSON/JSONL/CSV input: field holding the publisher.")
@click.option("--published-field", default=None, help="JSON/JSONL/CSV input: field holding the publication time.")
@click.option("--url-field", default=None, help="JSON/JSONL/CSV input: field holding the URL.")
@click.option("--no-split", is_flag=True, help="Keep a file that holds several stories as one document.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
def scan_command(paths, fmt, output, drift, workers, texts, quiet, no_split, extensions, text_fields, **ingest_opts):
    """Find which articles under PATH... are the same wire story, how each copy
    relates to the original, and which story each belongs to.

    PATH is a file, a folder (read recursively) or - for standard input.

    Skipped inputs are listed, not fatal: the exit code is 0 whenever the scan ran.
    """
    import io

    from .ingest import IngestOptions
    from .report import scan_json, scan_terminal
    from .scan import scan

    given = {k: v for k, v in ingest_opts.items() if v is not None}
    if text_fields:
        given["text_fields"] = tuple(text_fields)
    if extensions:
        given["extensions"] = tuple(extensions)
    if no_split:
        given["split_stories"] = False
    kwargs = {"workers": workers} if workers is not None else {}

    with scan_terminal.ScanProgress(enabled=False if quiet else None) as progress:
        result = scan(
            list(paths), ingest=IngestOptions(**given), drift=drift,
            progress=progress if progress.enabled else None, **kwargs,
        )

    to_stdout = output in (None, "-")
    if to_stdout and fmt == "terminal" and sys.stdout.isatty():
        scan_terminal.write_terminal(result, sys.stdout, color=True)
        return
    try:
        binary = click.get_binary_stream("stdout") if to_stdout else open(output, "wb")  # noqa: SIM115
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror) from exc
    stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        if fmt == "terminal":
            scan_terminal.write_terminal(result, stream, color=False)
        elif fmt == "json":
            scan_json.write_json(result, stream, texts=texts)
        elif fmt == "jsonl":
            scan_json.write_jsonl(result, stream, texts=texts)
        else:
            scan_json.write_csv(result, stream)
        stream.flush()
    finally:
        if to_stdout:
            stream.detach()
        else:
            stream.close()
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

    opts = IngestOptions(split_stories=False, **({"encoding": encoding} if encoding else {}))
    docs = []
    for item in read_inputs([path], options=opts):
        if isinstance(item, Skipped):
            raise InputError(f"cannot diff '{path}': {item.reason}")
        docs.append(item)
    if len(docs) != 1:
        raise InputError(f"cannot diff '{path}': it holds {len(docs)} documents; pass one article file per side")
    return docs[0]


@main.command("diff")
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
    import io

    from .drift import diff
    from .report import diff as diff_report

    result = diff(_read_one(source, encoding=encoding), _read_one(copy, encoding=encoding))
    to_stdout = output in (None, "-")
    if to_stdout and fmt == "terminal" and sys.stdout.isatty():
        diff_report.write_terminal(result, sys.stdout, color=True)
        return
    try:
        binary = click.get_binary_stream("stdout") if to_stdout else open(output, "wb")  # noqa: SIM115
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror) from exc
    stream = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        if fmt == "terminal":
            diff_report.write_terminal(result, stream, color=False)
        elif fmt == "json":
            diff_report.write_json(result, stream)
        else:
            diff_report.write_html(result, stream)
        stream.flush()
    finally:
        if to_stdout:
            stream.detach()
        else:
            stream.close()
    if not to_stdout:
        click.echo(f"wrote {fmt} to {output}: {len(result.findings)} findings", err=True)


# --- inspect: what ingest made of each input (ids, titles, parts, stripped lines, captions) ---


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


@main.command("inspect")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, allow_dash=True))
@click.option("--text", "show_text", is_flag=True, help="Also print each document's cleaned text.")
@click.option("--encoding", default=None, help="Read files in this encoding instead of detecting it.")
@click.option("--no-skip-binary", "skip_binary", flag_value=False, default=None,
              help="Stop with an error on a binary file instead of listing it as skipped.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Skip files larger than this.")
@click.option("--ext", "extensions", multiple=True, help="Read only files with this extension (repeatable), e.g. --ext txt.")
@click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symbolic links in folders.")
@click.option("--id-field", default=None, help="JSON/JSONL/CSV input: field holding the document id.")
@click.option("--text-field", "text_fields", multiple=True, help="JSON/JSONL/CSV input: field(s) holding the text (repeatable).")
@click.option("--title-field", default=None, help="JSON/JSONL/CSV input: field holding the title.")
@click.option("--no-split", is_flag=True, help="Keep a file that holds several stories as one document.")
def inspect_command(paths, show_text, no_split, extensions, text_fields, **ingest_opts):
    """Show what ingest does to each input under PATH... ("-" reads standard input):
    document ids, titles, story parts, the lines set aside as boilerplate (with the
    rule that matched and the line number), photo-caption zones, and skipped inputs."""
    from .ingest import IngestOptions, read_inputs
    from .records import Skipped

    given = {k: v for k, v in ingest_opts.items() if v is not None}
    if text_fields:
        given["text_fields"] = tuple(text_fields)
    if extensions:
        given["extensions"] = tuple(extensions)
    if no_split:
        given["split_stories"] = False
    docs = skipped = 0
    for item in read_inputs(list(paths), options=IngestOptions(**given)):
        if isinstance(item, Skipped):
            skipped += 1
            click.echo(f"skipped {item.id}: {item.reason}")
            continue
        docs += 1
        part = f"  (part {item.part} of {item.parent})" if item.parent else ""
        click.echo(f"{item.id}{part}")
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
    click.echo(f"{docs} documents, {skipped} skipped", err=True)

"""Streaming loaders for the benchmark corpora in ../shared/data.

Every loader yields ``dedup.records.Document`` one at a time. The data is never
copied into the repo: it is read from ``<repo>/../shared/data`` or from the
folder named by the ``DEDUP_DATA`` environment variable.
"""

from __future__ import annotations

import csv
import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dedup.records import Document

REPO_ROOT = Path(__file__).resolve().parent.parent
BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
CS_CATEGORIES = ("cut", "light", "heavy", "non")  # Clough-Stevenson answer categories
REUTERS_FILES = tuple(f"reut2-{i:03d}.sgm" for i in range(18))  # reut2-000 .. reut2-017


def data_root() -> Path:
    """Where the shared corpora live: $DEDUP_DATA, else <repo>/../shared/data."""
    env = os.environ.get("DEDUP_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def corpus_dir(name: str) -> Path:
    d = data_root() / name
    if not d.is_dir():
        raise FileNotFoundError(
            f"benchmark data folder '{d}' is missing; put the shared corpora there or set DEDUP_DATA to their folder"
        )
    return d


def decode(raw: bytes) -> str:
    """UTF-8, else Windows-1252, else Latin-1 (never fails); CRLF and CR become LF."""
    for enc in ("utf-8", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------- Clough-Stevenson


@dataclass(frozen=True, slots=True)
class CSAnswer:
    """One Clough-Stevenson answer: the student's text, its task and how it was written."""

    doc: Document
    task: str  # "a".."e"
    category: str  # "cut" | "light" | "heavy" | "non"


def clough_stevenson() -> tuple[dict[str, Document], list[CSAnswer]]:
    """The five Wikipedia source texts (by task letter) and the 95 answers."""
    root = corpus_dir("clough-stevenson-plagiarism")
    files = root / "corpus-20090418"
    sources: dict[str, Document] = {}
    for task in "abcde":
        name = f"orig_task{task}.txt"
        text = decode((files / name).read_bytes()).strip()
        sources[task] = Document(id=f"orig_task{task}", text=text, source="wikipedia", path=str(files / name))
    answers: list[CSAnswer] = []
    with open(root / "file_list.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["File"].strip()
            category = row["Category"].strip()
            if category not in CS_CATEGORIES:
                continue
            text = decode((files / name).read_bytes()).strip()
            doc = Document(id=name.removesuffix(".txt"), text=text, source="student", path=str(files / name))
            answers.append(CSAnswer(doc=doc, task=row["Task"].strip(), category=category))
    return sources, answers


# ---------------------------------------------------------------- Reuters-21578

_REUTERS_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _field(record: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", record, re.S)
    if m is None:
        return None
    return _CONTROL_RE.sub("", html.unescape(m.group(1))).strip()


def _reuters_date(s: str | None) -> str | None:
    if not s:
        return None
    try:
        return datetime.strptime(s.strip(), "%d-%b-%Y %H:%M:%S.%f").isoformat(timespec="seconds")
    except ValueError:
        return None


def parse_reuters_sgml(raw: str, *, path: str | None = None) -> Iterator[Document]:
    """Stories with a body from one Reuters-21578 SGML file (already decoded as Latin-1).

    The text is the dateline followed by the body ("SALVADOR, Feb 26 - Showers ..."),
    as the wire sent it; the title goes to ``Document.title``; entities are unescaped
    and control characters dropped.
    """
    for m in _REUTERS_RE.finditer(raw):
        attrs, record = m.group(1), m.group(2)
        body = _field(record, "BODY")
        if not body:
            continue
        newid = _NEWID_RE.search(attrs)
        dateline = _field(record, "DATELINE") or ""
        yield Document(
            id=f"reuters-{newid.group(1) if newid else m.start()}",
            text=f"{dateline} {body}".strip() if dateline else body,
            title=_field(record, "TITLE") or None,
            source="reuters",
            published=_reuters_date(_field(record, "DATE")),
            path=path,
        )


def reuters(*, limit: int | None = None) -> Iterator[Document]:
    """Reuters-21578 stories that have a body, in NEWID order (reut2-000 .. reut2-017)."""
    root = corpus_dir("reuters21578")
    files = [root / name for name in REUTERS_FILES if (root / name).is_file()]
    if not files:
        raise FileNotFoundError(f"no reut2-0NN.sgm files in '{root}'; set DEDUP_DATA to the folder holding reuters21578/")
    n = 0
    for path in files:
        for doc in parse_reuters_sgml(path.read_bytes().decode("latin-1"), path=str(path)):
            yield doc
            n += 1
            if limit is not None and n >= limit:
                return


# ---------------------------------------------------------------- BBC News


def bbc(*, categories: tuple[str, ...] = BBC_CATEGORIES) -> Iterator[Document]:
    """BBC News 2004-05 articles: first line is the headline, the rest the body.

    Ids are ``bbc-<category>-<NNN>``; ``Document.source`` is ``bbc/<category>``.
    """
    root = corpus_dir("bbc-news")
    for cat in categories:
        for path in sorted((root / cat).glob("*.txt")):
            text = decode(path.read_bytes()).strip()
            title, _, body = text.partition("\n")
            yield Document(
                id=f"bbc-{cat}-{path.stem}",
                text=body.strip(),
                title=title.strip() or None,
                source=f"bbc/{cat}",
                path=str(path),
            )


def category_of(doc: Document) -> str | None:
    """The BBC category of a document loaded by :func:`bbc`."""
    if doc.source and doc.source.startswith("bbc/"):
        return doc.source[4:]
    return None


# ---------------------------------------------------------------- Lee (optional)


def lee(*, background: bool = False) -> Iterator[Document]:
    """The Lee news-similarity corpus: 50 short docs (or the 300 background ones), one per line."""
    root = corpus_dir("lee-news-similarity")
    name = "lee_background.cor" if background else "lee.cor"
    for i, line in enumerate(decode((root / name).read_bytes()).splitlines(), start=1):
        if line.strip():
            yield Document(id=f"lee-{'bg-' if background else ''}{i:03d}", text=line.strip(), source="lee")

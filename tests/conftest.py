"""Shared fixtures. Append new fixtures in a section named after your area."""

import pathlib
import re

import pytest

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"


# --- align / drift: seed articles as Documents ---------------------------------------------
_BOILERPLATE_RE = re.compile(
    r"^(\[ad_\d+\]|Published\s.*|app-store-logo|play-store-logo|Short Url|Follow|Latest News|Popular Videos|×)\s*$"
)


def seed_document(number: int):
    """A seed article as a Document with the obvious boilerplate lines removed.

    Uses dedup.ingest when it is available, else a small line filter.
    """
    path = next(SEEDS.glob(f"{number:03d}_*.txt"))
    return document_from_raw(path.read_text(encoding="utf-8"), id=path.stem)


def document_from_raw(raw: str, *, id: str):
    """Raw article text (with boilerplate) as a Document, through dedup.ingest when available."""
    from dedup.records import Document

    try:
        from dedup.ingest import document_from_text  # type: ignore[attr-defined]
    except ImportError:
        document_from_text = None
    if document_from_text is not None:
        docs = document_from_text(raw, id=id)
        return docs[0] if isinstance(docs, tuple) else docs
    lines = [ln for ln in raw.split("\n") if not _BOILERPLATE_RE.match(ln.strip())]
    return Document(id=id, text="\n".join(lines).strip())


@pytest.fixture(scope="session")
def seeds():
    """Seed number -> Document (000..004)."""
    return {n: seed_document(n) for n in range(5)}


# --- report: golden files ------------------------------------------------------------------
# The one pytest_addoption of this conftest: add other command-line options here too
# (a second definition further down would silently replace this one).
GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing with it",
    )


@pytest.fixture
def golden(request):
    """``golden(name, text)``: assert ``text`` equals tests/golden/<name>; with --update-golden, rewrite it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            return
        assert path.exists(), f"no golden file {path}; run pytest with --update-golden to write it"
        with open(path, encoding="utf-8", newline="") as f:
            expected = f.read()
        assert text == expected, f"output differs from {path}; if the change is intended, rerun with --update-golden"

    return check


# --- index: storage backends (SQLite always; PostgreSQL from DEDUP_PG_DSN or a local server) ---
import os as _os  # noqa: E402
import uuid as _uuid  # noqa: E402

from index_support import start_local_postgres  # noqa: E402


@pytest.fixture(scope="session")
def pg_dsn():
    """A PostgreSQL DSN: $DEDUP_PG_DSN (CI starts a server), else a throwaway local server."""
    dsn = _os.environ.get("DEDUP_PG_DSN")
    if dsn:
        yield dsn
        return
    server = start_local_postgres()
    if isinstance(server, str):
        pytest.skip(f"no PostgreSQL server: {server}")
    try:
        yield server.dsn
    finally:
        server.stop()


def _schema_url(dsn: str, schema: str) -> str:
    return f"{dsn}{'&' if '?' in dsn else '?'}schema={schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def index_url(request, tmp_path):
    """A fresh, empty index location on each backend; the same tests run on both."""
    if request.param == "sqlite":
        yield str(tmp_path / "index.db")
        return
    dsn = request.getfixturevalue("pg_dsn")
    url = _schema_url(dsn, f"t_{_uuid.uuid4().hex[:12]}")
    yield url
    from dedup.index.postgres import PostgresStore

    store = PostgresStore(url)
    try:
        store.drop()
    finally:
        store.close()

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
    yield from _throwaway_postgres("no PostgreSQL server")


@pytest.fixture(scope="session")
def pg_password_dsn():
    """A DSN (with the password) of a throwaway local server that checks passwords: the shared
    server ($DEDUP_PG_DSN, CI's) trusts every connection, so it can tell nothing of a wrong one."""
    yield from _throwaway_postgres("no PostgreSQL server that checks passwords", password="s3cret pw")


def _throwaway_postgres(missing: str, **options):
    """The DSN of a local server started for the session (skipped, saying ``missing``, where none can start)."""
    server = start_local_postgres(**options)
    if isinstance(server, str):
        pytest.skip(f"{missing}: {server}")
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


# --- core detector (normalize, fingerprint, candidates, verify, credits): real BBC articles ---
import random as _random  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402

BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")


def shared_data_root() -> pathlib.Path:
    """The shared corpora: $DEDUP_DATA, else <repo>/../shared/data (as benchmarks/data.py)."""
    env = _os.environ.get("DEDUP_DATA")
    return pathlib.Path(env) if env else pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


@_dataclass(frozen=True, slots=True)
class BBCArticle:
    id: str  # "<category>-<NNN>"
    category: str
    title: str
    body: str  # paragraphs separated by blank lines

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


@pytest.fixture(scope="session")
def bbc_articles():
    """BBC News articles (Latin-1 files; first line the headline), 300 per category, sorted by id."""
    root = shared_data_root() / "bbc-news"
    if not root.is_dir():
        pytest.skip(f"no BBC corpus at {root}; set DEDUP_DATA to the shared data folder")
    out = []
    for cat in BBC_CATEGORIES:
        for path in sorted((root / cat).glob("*.txt"))[:300]:
            raw = path.read_bytes().decode("latin-1").replace("\r\n", "\n").strip()
            title, _, body = raw.partition("\n")
            out.append(BBCArticle(f"{cat}-{path.stem}", cat, title.strip(), body.strip()))
    return out


_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fe", "go", "hu", "ji", "pe", "zo")


def synthetic_vocabulary(size: int = 4000, seed: int = 0) -> list[str]:
    """Made-up lower-case words (no stop words, no real names), sorted, from a seeded RNG."""
    rng = _random.Random(seed)
    vocab: set[str] = set()
    while len(vocab) < size:
        vocab.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5))))
    return sorted(vocab)


def word_salad(n_chars: int, seed: int, vocab: list[str] | None = None) -> str:
    """Sentences of random words, ``n_chars`` long, paragraphs every ~6 sentences."""
    vocab = vocab or synthetic_vocabulary()
    rng = _random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < n_chars:
        s = " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 22))).capitalize()
        s += ".\n\n" if rng.random() < 0.16 else ". "
        parts.append(s)
        size += len(s)
    return "".join(parts)[:n_chars]


# --- scan: the seed folder -------------------------------------------------------------------
@pytest.fixture(scope="session")
def seeds_dir():
    return SEEDS

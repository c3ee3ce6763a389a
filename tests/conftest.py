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
    from dedup.records import Document

    path = next(SEEDS.glob(f"{number:03d}_*.txt"))
    raw = path.read_text(encoding="utf-8")
    try:
        from dedup.ingest import document_from_text  # type: ignore[attr-defined]
    except ImportError:
        document_from_text = None
    if document_from_text is not None:
        return document_from_text(raw, id=path.stem)
    lines = [ln for ln in raw.split("\n") if not _BOILERPLATE_RE.match(ln.strip())]
    return Document(id=path.stem, text="\n".join(lines).strip())


@pytest.fixture(scope="session")
def seeds():
    """Seed number -> Document (000..004)."""
    return {n: seed_document(n) for n in range(5)}

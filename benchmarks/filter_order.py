"""The pre-ingest filter in arrival order: does ``check(add=True)`` catch what the scan relates?

A scan sees every document at once and links a story's members through one another (it
completes small groups). A filter sees them one at a time, and the copies it refuses are not
indexed, so nothing of theirs links a later article to the story. This replays a corpus
through ``Index.check(doc, add=True)`` on a fresh SQLite index and counts, for each article
that the scan of the whole corpus relates (duplicate, reprint, rewrite, partial) to a document
admitted before it, whether the filter answered it as a copy. ``caught`` is that share.

Corpora: the syndication corpus (real BBC and Reuters articles and their generated copies),
in a seeded random order and with the sources first; the five seeds in file order (000 to
004), as a wire feed would bring them; and partial rewrites (PARTIAL_FAMILIES stories, each
fed as its source, a full paraphrase, then a paraphrase of the source's first half followed
by paragraphs of an unrelated article, as seed 003 is), measured as they are and with the
index's kept keys of refused copies switched off, in the same run.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from dedup.records import Document

from . import quality, syndication

ORDER_SEED = 11
PARTIAL_FAMILIES = 100
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def replay(docs: Sequence[Document], derived: set[tuple[str, str]], expected: dict[str, str] | None = None) -> dict:
    """``docs`` checked with add=True in this order on a fresh index; ``derived``: the scan's
    derived pairs (sorted id pairs); ``expected``: a generated copy's kind by id, for the misses."""
    from dedup.index import Index

    counts: Counter = Counter()
    missed: list[dict] = []
    missed_kinds: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="dedup-filter-") as tmp:
        with Index.open(str(Path(tmp) / "filter.db"), drift=False) as index:
            admitted: list[str] = []
            for d in docs:
                dec = index.check(d, add=True)
                related = sorted(x for x in admitted if quality._key(x, d.id) in derived)
                caught = dec.decision not in ("new", "same-event")
                counts[("related" if related else "unrelated", "caught" if caught else "admitted")] += 1
                if related and not caught:
                    kind = None if expected is None else expected.get(d.id, "source")
                    if kind is not None:
                        missed_kinds[kind] += 1
                    if len(missed) < 10:
                        missed.append({"id": d.id, "kind": kind, "decision": dec.decision, "related_to": related[:5]})
                if dec.added:
                    admitted.append(d.id)
    should = counts[("related", "caught")] + counts[("related", "admitted")]
    return {
        "documents": len(docs),
        "related_to_an_earlier_admitted": should,
        "caught": counts[("related", "caught")] / should if should else 1.0,
        "missed": counts[("related", "admitted")],
        "missed_by_kind": dict(missed_kinds),
        "caught_without_a_direct_scan_relation": counts[("unrelated", "caught")],
        "admitted_as_new": counts[("unrelated", "admitted")],
        "missed_examples": missed,
    }


def partial_rewrite_feed(corpus: syndication.SyndicationCorpus, n: int, seed: int) -> list[Document]:
    """For ``n`` of the corpus's sources: the source, its full paraphrase, and a partial rewrite
    (the first half of its paragraphs paraphrased, then as many paragraphs of an article of the
    other corpus that is not in the corpus), in that order, family after family."""
    from . import data

    rng = random.Random(seed)
    used = {d.id for d in corpus.docs}  # the sources among them
    hosts = [d for d in [*data.bbc(), *data.reuters()] if d.id not in used and len(syndication.paragraphs(d)) >= 3]
    by_id = {d.id: d for d in corpus.docs}
    sources = [by_id[i] for i in sorted(set(corpus.family.values()))][:n]
    feed: list[Document] = []
    for src in sources:
        pars = syndication.paragraphs(src)
        half = Document(id=src.id, text="\n\n".join(pars[: max(1, len(pars) // 2)]), title=src.title)
        _, reworded, _ = syndication.make_rewrite(half, rng)
        host = hosts.pop(rng.randrange(len(hosts)))
        extra = syndication.paragraphs(host)[: max(2, len(pars) // 2)]
        feed += [src, Document(id=f"{src.id}~rewrite", text=by_id[f"{src.id}~rewrite"].text),
                 Document(id=f"{src.id}~partial-rewrite", text="\n\n".join([reworded, *extra]))]
    return feed


def _derived(docs: Sequence[Document]) -> set[tuple[str, str]]:
    rels, _ = quality.scan_relations(docs)
    return {k for k, r in rels.items() if r.kind.derived}


def run(*, quick: bool = False) -> dict:
    corpus = syndication.build(sources=40 if quick else 200)
    docs = list(corpus.docs)
    derived = _derived(docs)
    expected = {e.copy: e.kind for e in corpus.expected}
    shuffled = docs[:]
    random.Random(ORDER_SEED).shuffle(shuffled)
    sources = set(corpus.family.values())
    sources_first = sorted(shuffled, key=lambda d: d.id not in sources)  # stable: random within each group

    from dedup.ingest import read_inputs

    seed_docs = sorted((d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)), key=lambda d: d.id)
    feed = partial_rewrite_feed(corpus, 20 if quick else PARTIAL_FAMILIES, ORDER_SEED)
    feed_derived = _derived(feed)
    kinds = {d.id: d.id.split("~")[1] for d in feed if "~" in d.id}
    return {
        "order_seed": ORDER_SEED,
        "syndication_random": replay(shuffled, derived, expected),
        "syndication_sources_first": replay(sources_first, derived, expected),
        "seeds_in_file_order": replay(seed_docs, _derived(seed_docs)),
        "partial_rewrites": replay(feed, feed_derived, kinds),
        "partial_rewrites_without_copy_keys": _without_copy_keys(lambda: replay(feed, feed_derived, kinds)),
    }


def _without_copy_keys(run):
    """``run()`` with the index's kept keys of refused copies not consulted (what a filter without
    them answers), for comparison in the same run."""
    from dedup.index import postgres, sqlite

    saved = [(cls, cls.copied_stories) for cls in (sqlite._SQLiteSession, postgres._PgSession)]
    try:
        for cls, _ in saved:
            cls.copied_stories = lambda self, *a, **k: []
        return run()
    finally:
        for cls, fn in saved:
            cls.copied_stories = fn


def metrics(res: dict) -> dict[str, float]:
    return {
        "filter.syndication_random_caught": res["syndication_random"]["caught"],
        "filter.syndication_sources_first_caught": res["syndication_sources_first"]["caught"],
        "filter.seeds_in_file_order_caught": res["seeds_in_file_order"]["caught"],
        "filter.partial_rewrites_caught": res["partial_rewrites"]["caught"],
        "filter.partial_rewrites_caught_without_copy_keys": res["partial_rewrites_without_copy_keys"]["caught"],
    }

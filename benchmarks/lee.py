"""Same-event and derived relations against human similarity ratings (Lee, Pincombe & Welsh 2005).

    python benchmarks/lee.py            # prints a table; python benchmarks/run.py --only lee writes results

Data: ``../shared/data/lee-news-similarity`` (see its SOURCE.txt): 50 short Australian
news documents (ABC, 45-126 words each, one per line of ``lee.cor``, Latin-1) and
``similarities0-1.txt``, the upper triangle of a 50 x 50 matrix holding, for each pair,
the mean of 9-11 raters' 1-5 similarity scores divided by 5 (values 0.2 .. 1.0; means
like 10/9 and 13/11 show the rater counts). So ``mean rating = 5 x value``, 1,225 pairs.

No document copies another: the 50 are first paragraphs of distinct reports, several
on the same running stories (the Democrats' leadership fight, Zimbabwe's land seizures,
the Middle East, bushfires). So any derived relation (duplicate, reprint, rewrite,
partial) is a false positive, and same-event (an independent report of the same event)
is the only relation that may be right, on pairs people rate as very similar.

Thresholds, fixed from these definitions before the first run (not tuned on results;
verify and its parameters are used as they are):

* **highly similar**: mean rating >= 4.0 ("very similar" or better on the 1-5 scale);
  same-event precision and recall are measured against it. Secondary line: >= 3.5.
* **low**: mean rating < 2.0 (most raters said "1, unrelated"): a same-event link there
  is the error the relation must essentially never make (counted, and listed).
* **derived false positives**: every derived relation the scan reports; expected 0.
* **pair scores** for Spearman's rank correlation with the mean rating, over all 1,225
  pairs, ties allowed: the scan's ``Relation.score`` (0 for a pair the scan does not
  report); ``verify()`` run on every pair (``Relation.score``, ``scores.content_jaccard``,
  ``scores.entity_overlap``; 0 when verify returns None); and two plain baselines:
  TF-IDF cosine (scikit-learn ``TfidfVectorizer()`` with its defaults, fitted on the 50
  documents) and the datasketch ``MinHash(num_perm=128)`` Jaccard estimate on the
  library's word 5-grams (``baselines.shingles``), both computed for every pair.

The scan runs the way ``quality.py`` runs it for Clough-Stevenson (``scan_relations``:
``scan_documents``, duplicate groups expanded). verify() alone is called with an empty
stock set (50 documents are too few for stock text).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dedup.records import Document, Relation, RelationKind  # noqa: E402

from benchmarks import baselines, data  # noqa: E402

CORPUS = "lee-news-similarity"
HIGH = 4.0  # mean rating at or above which a pair is "very similar"
HIGH_2 = 3.5  # the secondary line
LOW = 2.0  # mean rating under which a pair is unrelated for most raters
RATING_BUCKETS = ((1.0, 2.0), (2.0, 3.0), (3.0, 3.5), (3.5, 4.0), (4.0, 5.01))


# ---------------------------------------------------------------- data


def load() -> tuple[list[Document], np.ndarray]:
    """The 50 documents (ids ``lee-00`` .. ``lee-49``) and the 50 x 50 mean ratings (1-5, upper triangle)."""
    root = data.corpus_dir(CORPUS)
    lines = [ln.strip() for ln in data.decode((root / "lee.cor").read_bytes()).split("\n")]
    texts = [ln for ln in lines if ln]
    sims = np.loadtxt(root / "similarities0-1.txt")
    if sims.shape != (len(texts), len(texts)):
        raise ValueError(f"{root}: {len(texts)} documents but a {sims.shape} similarity matrix")
    docs = [Document(id=f"lee-{i:02d}", text=t, source="abc", path=str(root / "lee.cor")) for i, t in enumerate(texts)]
    return docs, np.triu(sims, 1) * 5.0


def pair_index(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every unordered pair (i < j) of n documents, row-major."""
    return np.triu_indices(n, 1)


# ---------------------------------------------------------------- scores


def tfidf_cosine(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(texts)  # rows are l2-normalised: the product is the cosine
    return (x @ x.T).toarray()


def minhash_jaccard(texts: list[str], *, num_perm: int = baselines.NUM_PERM) -> np.ndarray:
    from datasketch import MinHash

    sigs = []
    for t in texts:
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in baselines.shingles(t)])
        sigs.append(m)
    n = len(sigs)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = sigs[i].jaccard(sigs[j])
    return out


def correlations(score: np.ndarray, rating: np.ndarray) -> dict:
    from scipy.stats import pearsonr, spearmanr

    if np.all(score == score[0]):  # a constant score ranks nothing
        return {"spearman": 0.0, "pearson": 0.0, "nonzero_pairs": int(np.count_nonzero(score))}
    return {"spearman": float(spearmanr(score, rating).statistic), "pearson": float(pearsonr(score, rating).statistic),
            "nonzero_pairs": int(np.count_nonzero(score))}


def same_event_quality(called: np.ndarray, rating: np.ndarray) -> dict:
    """Precision and recall of a boolean "same-event" call per pair against the rating lines."""
    out: dict = {"called": int(called.sum())}
    for name, line in (("ge4", HIGH), ("ge3.5", HIGH_2)):
        high = rating >= line
        hits = int((called & high).sum())
        out[f"precision_{name}"] = hits / out["called"] if out["called"] else None
        out[f"recall_{name}"] = hits / int(high.sum()) if high.any() else None
        out[f"pairs_{name}"] = int(high.sum())
    out["on_low_rated"] = int((called & (rating < LOW)).sum())
    out["rating_distribution"] = {
        f"{lo:g}-{min(hi, 5.0):g}": int((called & (rating >= lo) & (rating < hi)).sum()) for lo, hi in RATING_BUCKETS
    }
    out["mean_rating_of_called"] = float(rating[called].mean()) if called.any() else None
    return out


def _scores(rel: Relation | None) -> dict | None:
    if rel is None:
        return None
    s = rel.scores
    return {"score": round(float(rel.score), 3), "content_jaccard": round(float(s.content_jaccard), 3),
            "entity_overlap": round(float(s.entity_overlap), 3), "jaccard": round(float(s.jaccard), 3),
            "aligned": round(float(max(s.aligned_a, s.aligned_b)), 3)}


def _opening(doc: Document, n: int = 110) -> str:
    t = " ".join(doc.text.split())
    return t if len(t) <= n else t[: n - 1] + "\u2026"


def _pair_row(docs: list[Document], i: int, j: int, rating: float, rel: Relation | None, tf: float) -> dict:
    return {"a": docs[i].id, "b": docs[j].id, "rating": round(rating, 3), "kind": str(rel.kind) if rel else "none",
            "scores": _scores(rel), "tfidf_cosine": round(tf, 3), "reasons": list(rel.reasons) if rel else [],
            "a_opening": _opening(docs[i]), "b_opening": _opening(docs[j])}


# ---------------------------------------------------------------- the benchmark


def candidate_pairs(docs: list[Document]) -> tuple[set[tuple[int, int]], np.ndarray]:
    """The candidate stage alone, as the scan runs it (which pairs verify is ever asked about),
    and the paraphrase view's MinHash estimate of content Jaccard for every pair (n x n)."""
    from dedup.candidates import candidate_set
    from dedup.fingerprint import fingerprint_documents
    from dedup.params import FingerprintParams

    params = FingerprintParams()
    fps = fingerprint_documents(docs, params)
    cmh = np.stack([f.content_minhash for f in fps])
    estimate = (cmh[:, None, :] == cmh[None, :, :]).mean(axis=2)
    return {(int(i), int(j)) for i, j in candidate_set(fps, params).pairs}, estimate


def run() -> dict:
    from dedup.verify import verify

    from benchmarks.quality import scan_relations

    docs, ratings = load()
    n = len(docs)
    ii, jj = pair_index(n)
    rating = ratings[ii, jj]

    rels, mode = scan_relations(docs)
    scan_rel = [rels.get((docs[i].id, docs[j].id)) for i, j in zip(ii, jj, strict=True)]
    alone = [verify(docs[i], docs[j]) for i, j in zip(ii, jj, strict=True)]

    def col(rs: list[Relation | None], f) -> np.ndarray:
        return np.array([f(r) if r is not None else 0.0 for r in rs], dtype=float)

    texts = [d.text for d in docs]
    tf = tfidf_cosine(texts)[ii, jj]
    mh = minhash_jaccard(texts)[ii, jj]
    scores = {
        "scan.score": col(scan_rel, lambda r: r.score),
        "verify.score": col(alone, lambda r: r.score),
        "verify.content_jaccard": col(alone, lambda r: r.scores.content_jaccard),
        "verify.entity_overlap": col(alone, lambda r: r.scores.entity_overlap),
        "tfidf_cosine": tf,
        "datasketch_minhash_5gram_jaccard": mh,
    }

    scan_same = np.array([r is not None and r.kind is RelationKind.SAME_EVENT for r in scan_rel])
    alone_same = np.array([r is not None and r.kind is RelationKind.SAME_EVENT for r in alone])
    derived = [k for k, r in enumerate(scan_rel) if r is not None and r.kind.derived]
    derived_alone = [k for k, r in enumerate(alone) if r is not None and r.kind.derived]

    def rows(ks, rs) -> list[dict]:
        return [_pair_row(docs, int(ii[k]), int(jj[k]), float(rating[k]), rs[k], float(tf[k])) for k in ks]

    cands, content_estimate = candidate_pairs(docs)
    proposed = np.array([(int(i), int(j)) in cands for i, j in zip(ii, jj, strict=True)])

    worst = sorted(np.flatnonzero(scan_same), key=lambda k: (rating[k], -scan_rel[k].score))
    missed = sorted(np.flatnonzero((rating >= HIGH) & ~scan_same), key=lambda k: -rating[k])
    return {
        "mode": mode,
        "documents": n,
        "pairs": len(rating),
        "thresholds": {"high": HIGH, "high_secondary": HIGH_2, "low": LOW},
        "rating_distribution_all_pairs": {
            f"{lo:g}-{min(hi, 5.0):g}": int(((rating >= lo) & (rating < hi)).sum()) for lo, hi in RATING_BUCKETS
        },
        "candidate_pairs": len(cands),
        "candidate_pairs_rated_ge4": int((proposed & (rating >= HIGH)).sum()),
        "verify_alone_same_event_proposed": int((proposed & alone_same).sum()),
        "verify_alone_same_event_pairs": [
            {**_pair_row(docs, int(ii[k]), int(jj[k]), float(rating[k]), alone[k], float(tf[k])),
             "proposed": bool(proposed[k]), "content_minhash_estimate": round(float(content_estimate[ii[k], jj[k]]), 3)}
            for k in np.flatnonzero(alone_same)
        ],
        "relations": sum(r is not None for r in scan_rel),
        "derived_false_positives": len(derived),
        "derived_pairs": rows(derived, scan_rel),
        "verify_alone_derived": len(derived_alone),
        "verify_alone_derived_pairs": rows(derived_alone, alone),
        "same_event": same_event_quality(scan_same, rating),
        "same_event_verify_alone": same_event_quality(alone_same, rating),
        "correlation_with_rating": {name: correlations(s, rating) for name, s in scores.items()},
        "worst_same_event": rows(worst[:12], scan_rel),
        "highly_rated_not_same_event": [
            {**_pair_row(docs, int(ii[k]), int(jj[k]), float(rating[k]), scan_rel[k], float(tf[k])),
             "verify_alone": str(alone[k].kind) if alone[k] else "none", "verify_alone_scores": _scores(alone[k])}
            for k in missed[:12]
        ],
    }


def metrics(r: dict) -> dict[str, float]:
    """The numbers benchmarks/run.py shows and gates. A precision is left out while nothing is
    called (no denominator). ``scan`` is the whole pipeline, ``verify`` verify() on all pairs."""
    m: dict[str, float] = {}
    for who, d, se in (("", r["derived_false_positives"], r["same_event"]),
                       ("verify_", r["verify_alone_derived"], r["same_event_verify_alone"])):
        m[f"lee.{who}derived_false_positives"] = float(d)
        m[f"lee.{who}same_event_on_low_rated"] = float(se["on_low_rated"])
        for name in ("precision_ge4", "precision_ge3.5", "recall_ge4"):
            if se[name] is not None:
                m[f"lee.{who}same_event_{name}"] = se[name]
    for name, key in (("scan.score", "scan_score"), ("verify.score", "verify_score"), ("tfidf_cosine", "tfidf_cosine"),
                      ("datasketch_minhash_5gram_jaccard", "datasketch_minhash")):
        m[f"lee.spearman_{key}"] = r["correlation_with_rating"][name]["spearman"]
    return m


def print_table(r: dict, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    con = console or Console()
    se, sa = r["same_event"], r["same_event_verify_alone"]

    def f(v) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    t = Table(title=f"Lee news similarity: {r['documents']} docs, {r['pairs']:,} rated pairs "
                    f"({se['pairs_ge4']} rated >= {HIGH:g}, {se['pairs_ge3.5']} >= {HIGH_2:g})")
    for c in ("", "scan", "verify() on all pairs"):
        t.add_column(c, justify="left" if not c else "right")
    t.add_row("candidate pairs (rated >= 4)", f"{r['candidate_pairs']} ({r['candidate_pairs_rated_ge4']})", "all")
    t.add_row("derived relations (all false)", f(r["derived_false_positives"]), f(r["verify_alone_derived"]))
    t.add_row("same-event pairs", f(se["called"]), f(sa["called"]))
    for k in ("precision_ge4", "precision_ge3.5", "recall_ge4", "recall_ge3.5"):
        t.add_row(f"same-event {k.replace('_ge', ', rating >= ')}", f(se[k]), f(sa[k]))
    t.add_row(f"same-event on pairs rated < {LOW:g}", f(se["on_low_rated"]), f(sa["on_low_rated"]))
    t.add_row("same-event by rating " + " | ".join(se["rating_distribution"]),
              " | ".join(map(str, se["rating_distribution"].values())),
              " | ".join(map(str, sa["rating_distribution"].values())))
    con.print(t)
    c = Table(title="rank correlation with the mean human rating, all pairs (0 where nothing is reported)")
    for col in ("pair score", "Spearman", "Pearson", "non-zero pairs"):
        c.add_column(col, justify="left" if col == "pair score" else "right")
    for name, v in r["correlation_with_rating"].items():
        c.add_row(name, f(v["spearman"]), f(v["pearson"]), f(v["nonzero_pairs"]))
    con.print(c)


if __name__ == "__main__":
    print_table(run())

"""The index's one-document candidate rule (dedup.index.proposed_by_rule, estimates) against the
slow obvious version it replaced: the core's all-pairs candidate_set over the 1 + k set, and a
per-candidate estimate. Same candidates, same order, on random signatures built to share band
rows and samples, and on real BBC articles with planted copies."""

import dataclasses
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import candidate_set
from dedup.fingerprint import Fingerprint, band_keys, fingerprint_documents
from dedup.index import CANDIDATE_LIMIT, estimates, proposed_by_rule
from dedup.index.store import Candidate
from dedup.params import FingerprintParams
from dedup.records import Document

P = FingerprintParams()


def oracle_rule(fp: Fingerprint, others: list[Candidate]) -> np.ndarray:
    fps = [fp] + [
        Fingerprint(c.id, c.minhash, c.content_minhash, c.sample, c.n_shingles, c.n_content) for c in others
    ]
    cs = candidate_set(fps, P)
    out = np.zeros(len(others), dtype=bool)
    out[cs.pairs[cs.pairs[:, 0] == 0, 1] - 1] = True
    return out


def oracle_estimate(fp: Fingerprint, c: Candidate) -> float:
    verbatim = float((fp.minhash == c.minhash).mean()) if fp.n_shingles and c.n_shingles else 0.0
    content = float((fp.content_minhash == c.content_minhash).mean()) if fp.n_content and c.n_content else 0.0
    smaller = min(len(fp.sample), len(c.sample))
    return max(verbatim, content, c.shared_samples / smaller if smaller else 0.0)


def oracle_proposed(fp: Fingerprint, others: list[Candidate]) -> list[str]:
    kept = [c for c, k in zip(others, oracle_rule(fp, others)) if k]
    kept.sort(key=lambda c: (-oracle_estimate(fp, c), c.id))
    return [c.id for c in kept[:CANDIDATE_LIMIT]]


def new_proposed(fp: Fingerprint, others: list[Candidate]) -> list[str]:
    kept = [c for c, k in zip(others, proposed_by_rule(fp, others, P)) if k]
    est = estimates(fp, kept)
    order = sorted(range(len(kept)), key=lambda i: (-est[i], kept[i].id))
    return [kept[i].id for i in order[:CANDIDATE_LIMIT]]


def as_candidate(f: Fingerprint, own: Fingerprint) -> Candidate:
    shared = len(np.intersect1d(f.sample, own.sample, assume_unique=True))
    return Candidate(f.doc_id, "d", f.minhash, f.content_minhash, f.sample, f.n_shingles, f.n_content, 0, shared)


def with_stored_keys(c: Candidate, f: Fingerprint) -> Candidate:
    """``c`` with the band keys the index stores for ``f`` (Index._keys: both views, as inserted)."""
    v, w = band_keys(f, P)
    return dataclasses.replace(c, band_keys=np.concatenate([v, w]).astype(np.uint64))


def check_same(fp: Fingerprint, others: list[Fingerprint]) -> int:
    cands = [as_candidate(o, fp) for o in others]
    got = proposed_by_rule(fp, cands, P)
    assert got.tolist() == oracle_rule(fp, cands).tolist()
    # the same from the stored band keys (the index's lookups read them), with fp's keys given or not
    stored = [with_stored_keys(c, o) for c, o in zip(cands, others)]
    assert proposed_by_rule(fp, stored, P).tolist() == got.tolist()
    assert proposed_by_rule(fp, stored, P, keys=band_keys(fp, P)).tolist() == got.tolist()
    kept = [c for c, k in zip(cands, got) if k]
    assert estimates(fp, kept) == [oracle_estimate(fp, c) for c in kept]
    assert new_proposed(fp, cands) == oracle_proposed(fp, cands)
    return int(got.sum())


def _random_fp(rng: np.random.Generator, doc_id: str, base: Fingerprint | None, keep_rows: float,
               keep_samples: float, n_shingles: int, n_content: int, n_sample: int) -> Fingerprint:
    """A signature copying ``keep_rows`` of base's MinHash rows (in runs, so whole bands survive)
    and ``keep_samples`` of its samples."""
    mh = rng.integers(0, 2**32, P.num_perm, dtype=np.uint32)
    cmh = rng.integers(0, 2**32, P.num_perm, dtype=np.uint32)
    sample = rng.integers(0, 2**64 - 1, n_sample, dtype=np.uint64)
    if base is not None:
        rows = np.arange(P.num_perm) < int(keep_rows * P.num_perm)
        mh[rows] = base.minhash[rows]
        crow = rng.random(P.num_perm) < keep_rows
        cmh[crow] = base.content_minhash[crow]
        take = base.sample[rng.random(len(base.sample)) < keep_samples]
        sample = np.concatenate([sample, take])
    return Fingerprint(doc_id, mh, cmh, np.unique(sample), n_shingles, n_content)


@given(
    seed=st.integers(0, 2**32 - 1),
    k=st.integers(0, 65),
    own_sizes=st.tuples(st.sampled_from([0, 3, 400]), st.sampled_from([0, 5, 19, 20, 250]), st.sampled_from([0, 1, 3, 60])),
)
@settings(max_examples=150, deadline=None)
def test_one_document_rule_equals_all_pairs_rule_on_random_signatures(seed, k, own_sizes):
    rng = np.random.default_rng(seed)
    fp = _random_fp(rng, "q", None, 0, 0, *own_sizes)
    others = []
    for i in range(k):
        base = fp if rng.random() < 0.8 else (others[int(rng.integers(len(others)))] if others else None)
        others.append(_random_fp(
            rng, f"c{i:02d}", base,
            keep_rows=float(rng.choice([0.0, 0.05, 0.1, 0.2, 0.5, 1.0])),
            keep_samples=float(rng.choice([0.0, 0.02, 0.05, 0.5, 1.0])),
            n_shingles=int(rng.choice([0, 2, 400])),
            n_content=int(rng.choice([0, 10, 19, 20, 250])),
            n_sample=int(rng.choice([0, 1, 2, 60])),
        ))
    check_same(fp, others)


def test_one_document_rule_equals_all_pairs_rule_on_real_articles(bbc_articles):
    rng = random.Random(7)
    docs = [Document(a.id, f"{a.title}\n\n{a.body}") for a in bbc_articles]
    for k in range(60):  # trimmed reprints, excerpts in other articles, one-line briefs
        src, host = rng.sample(bbc_articles, 2)
        ps = src.paragraphs
        if k % 3 == 0:
            text = "\n\n".join(["A headline"] + ps[: max(1, len(ps) // 2)])
        elif k % 3 == 1:
            text = "\n\n".join(host.paragraphs[:3] + ps[1:3] + host.paragraphs[3:])
        else:
            text = " ".join(ps[0].split()[:12])
        docs.append(Document(f"copy-{k}-{src.id}", text))
    docs.append(Document("empty", ""))
    fps = fingerprint_documents(docs, P)
    by_cat: dict[str, list[Fingerprint]] = {}
    for f in fps:
        by_cat.setdefault(f.doc_id.split("-")[2 if f.doc_id.startswith("copy-") else 0], []).append(f)
    by_id = {f.doc_id: f for f in fps}
    copies = [f for f in fps if f.doc_id.startswith("copy-")]
    related = 0
    for fp in copies + rng.sample(fps, 60):
        # the copy's source, other planted copies (wording) and a category's articles (content)
        src = by_id.get(fp.doc_id.split("-", 2)[2]) if fp.doc_id.startswith("copy-") else None
        same = [f for f in by_cat.get(fp.doc_id.split("-")[2 if src else 0], []) if f is not fp]
        others = ([src] if src else []) + rng.sample(copies, 20) + rng.sample(same, min(len(same), 44))
        related += check_same(fp, [f for f in others if f is not fp][:65])
    assert related > 50  # the comparison covered kept candidates, not only rejections


def test_own_earlier_version_is_never_proposed(tmp_path):
    from dedup.index import Index

    text = "The central bank raised its main interest rate by a quarter point on Tuesday, " * 6
    with Index.open(str(tmp_path / "i.db"), drift=False) as index:
        index.add([Document("a", text), Document("b", text + " More words follow here.")])
        d = index.check(Document("a", text + " An edit."))
    assert [m.a for m in d.matches] == ["b"]


@pytest.mark.parametrize("k", [0, 1], ids=["none", "one"])
def test_rule_on_tiny_sets(k):
    rng = np.random.default_rng(k)
    fp = _random_fp(rng, "q", None, 0, 0, 400, 250, 60)
    others = [_random_fp(rng, "c", fp, 1.0, 1.0, 400, 250, 60)][:k]
    assert check_same(fp, others) == k


class _OracleIndex:
    """An Index whose candidate selection is the old one: candidate_set over the 1 + k set and a
    per-candidate estimate (the slow obvious version)."""

    @staticmethod
    def make(url: str):
        from dedup.index import Index

        class OracleIndex(Index):
            def _proposed(self, fp, raw, keys=None):
                others = [c for c in raw if c.id != fp.doc_id]
                keep = set(oracle_proposed(fp, others)) if others else set()
                kept = [c for c in others if c.id in keep]
                kept.sort(key=lambda c: (-oracle_estimate(fp, c), c.id))
                return kept

        return OracleIndex.open(url, drift=False)


def test_decisions_on_a_mixed_batch_equal_the_old_selection(index_url, bbc_articles):
    """check_many over copies, partial reuses, briefs and unseen articles answers exactly as with
    the old all-pairs selection: same decisions, same matches with the same scores and evidence."""
    from dedup.index import Index

    rng = random.Random(11)
    indexed = [Document(a.id, f"{a.title}\n\n{a.body}") for a in bbc_articles[:400]]
    batch = []
    for k, src in enumerate(rng.sample(bbc_articles[:400], 30)):
        ps = src.paragraphs
        if k % 3 == 0:
            batch.append(Document(f"q-trim-{k}", "\n\n".join(["Headline"] + ps[: max(1, 2 * len(ps) // 3)])))
        elif k % 3 == 1:
            host = bbc_articles[400 + k]
            batch.append(Document(f"q-part-{k}", "\n\n".join(host.paragraphs[:2] + ps[:2] + host.paragraphs[2:])))
        else:
            batch.append(Document(f"q-brief-{k}", " ".join(ps[0].split()[:14])))
    batch += [Document(f"q-new-{a.id}", f"{a.title}\n\n{a.body}") for a in bbc_articles[600:615]]
    with Index.open(index_url, drift=False) as index:
        index.add(indexed, relate=False)
        got = index.check_many(batch)
    with _OracleIndex.make(index_url) as oracle:
        want = oracle.check_many(batch)
    assert [(d.id, d.decision, d.matches, d.reason) for d in got] == [
        (d.id, d.decision, d.matches, d.reason) for d in want
    ]
    assert sum(d.decision != "new" for d in got) >= 15  # copies were found, not only rejections

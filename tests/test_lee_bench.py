"""benchmarks/lee.py: the Lee news-similarity loader and the measures (not the benchmark's numbers)."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data, lee  # noqa: E402


@pytest.fixture(scope="module")
def corpus():
    if not (data.data_root() / lee.CORPUS).is_dir():
        pytest.skip(f"no {lee.CORPUS} under {data.data_root()}; set DEDUP_DATA to the shared data folder")
    return lee.load()


def test_load_documents_and_ratings(corpus):
    docs, ratings = corpus
    n = len(docs)
    assert n == ratings.shape[0] == ratings.shape[1]
    assert len({d.id for d in docs}) == n and all(d.text.strip() == d.text and d.text for d in docs)
    assert not any("\ufffd" in d.text for d in docs)  # Latin-1 decoded, nothing replaced
    ii, jj = lee.pair_index(n)
    assert len(ii) == n * (n - 1) // 2
    upper = ratings[ii, jj]
    assert upper.min() >= 1.0 - 1e-9 and upper.max() <= 5.0 + 1e-9  # mean of 1-5 ratings
    assert np.all(np.tril(ratings) == 0)  # the diagonal and lower triangle carry nothing


def test_load_names_the_folder_when_data_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("DEDUP_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="lee-news-similarity"):
        lee.load()


@pytest.mark.parametrize(
    ("called", "rating", "expected"),
    [
        ([1, 1, 0, 0], [4.5, 3.6, 4.0, 1.2], {"called": 2, "precision_ge4": 0.5, "precision_ge3.5": 1.0,
                                              "recall_ge4": 0.5, "recall_ge3.5": 2 / 3, "on_low_rated": 0}),
        ([1, 0, 0, 1], [4.0, 4.2, 3.0, 1.9], {"called": 2, "precision_ge4": 0.5, "precision_ge3.5": 0.5,
                                              "recall_ge4": 0.5, "recall_ge3.5": 0.5, "on_low_rated": 1}),
        ([0, 0, 0], [4.8, 2.0, 1.0], {"called": 0, "precision_ge4": None, "recall_ge4": 0.0, "on_low_rated": 0}),
    ],
    ids=["mixed", "one-on-a-low-pair", "nothing-called"],
)
def test_same_event_quality(called, rating, expected):
    out = lee.same_event_quality(np.array(called, dtype=bool), np.array(rating))
    assert {k: out[k] for k in expected} == pytest.approx(expected)
    assert sum(out["rating_distribution"].values()) == out["called"]


def test_correlations_rank_and_constant():
    rating = np.array([1.0, 2.0, 3.5, 5.0])
    assert lee.correlations(np.array([0.0, 0.1, 0.2, 0.9]), rating)["spearman"] == pytest.approx(1.0)
    assert lee.correlations(np.array([0.9, 0.2, 0.1, 0.0]), rating)["spearman"] == pytest.approx(-1.0)
    assert lee.correlations(np.zeros(4), rating) == {"spearman": 0.0, "pearson": 0.0, "nonzero_pairs": 0}


def test_baseline_scores_are_symmetric_similarities():
    texts = ["The senator resigned from the party on Monday night after a long fight.",
             "The senator resigned from the party on Monday night after a long fight over policy.",
             "Floods swept through the river towns as the storm moved north."]
    for m in (lee.tfidf_cosine(texts), lee.minhash_jaccard(texts)):
        assert np.allclose(m, m.T) and m.min() >= 0 and m.max() <= 1 + 1e-9
        assert m[0, 1] > m[0, 2]

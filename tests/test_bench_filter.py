"""The arrival-order filter benchmark counts what it says: caught, missed, admitted."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import filter_order  # noqa: E402
from dedup.records import Document  # noqa: E402
from index_support import article  # noqa: E402


def test_replay_counts_caught_missed_and_admitted():
    source, copy, other = article(1), article(2), article(3)
    docs = [Document(id="s", text=source), Document(id="c", text=source), Document(id="o", text=other),
            Document(id="x", text=copy)]
    # what a scan would say: c copies s; x is said to derive from o although the filter cannot see
    # it (its text is unrelated): a miss
    derived = {("c", "s"), ("o", "x")}
    got = filter_order.replay(docs, derived, {"c": "duplicate", "x": "rewrite"})
    assert got["related_to_an_earlier_admitted"] == 2 and got["caught"] == 0.5 and got["missed"] == 1
    assert got["missed_by_kind"] == {"rewrite": 1}
    assert got["missed_examples"] == [{"id": "x", "kind": "rewrite", "decision": "new", "related_to": ["o"]}]
    assert got["admitted_as_new"] == 2  # s and o: nothing before them relates to them


def test_the_seeds_in_file_order_are_measured():
    got = filter_order.replay(*_seeds())
    assert got["documents"] == 6 and got["related_to_an_earlier_admitted"] == 3


def _seeds():
    from dedup.ingest import read_inputs

    docs = sorted((d for d in read_inputs([str(filter_order.SEEDS)]) if isinstance(d, Document)), key=lambda d: d.id)
    return docs, filter_order._derived(docs)

"""Same-event precision on wire copy: labelled pairs of Reuters-21578 and BBC articles.

    python benchmarks/same_event.py      # prints a table; python benchmarks/run.py --only same_event writes results

Why. A wire files the same kinds of story every day in the same words: a company's stake
filing with the SEC, a eurobond issue, a central bank's money-market operation, quarterly
results. Two such stories share the regulator, the city, the underwriter, the figures'
shapes and the vocabulary without being about one event. Before the filing-day and
running-text-name rules (dedup/dateline.py, ``verify._event_names``), 60 of 60 sampled
same-event calls on the 20k-article folder included 54 such pairs; no other benchmark
measured it (BBC hard negatives and the syndication corpus score derived classes, Lee has
no wire copy).

Data. ``benchmarks/same_event_labels.json``: 60 pairs that dedup at a7b73c8 called
same-event, drawn at random from the candidate pairs of the 20k-article folder, labelled
by one reader from headline and lead (its ``about`` says how), before the new rules ran
on them. The articles are read from ../shared/data (``data.reuters``, ``data.bbc``) by id,
as the Reuters and BBC benchmarks read them (Reuters with its SGML date as ``published``).

Measured. ``verify()`` on each pair (no stock set: a pair alone has no corpus), and:
* same-event calls on pairs labelled one event (recall on the labelled set) and on pairs
  labelled different events (false positives), precision among the calls;
* what the other calls are (a pair may still be a partial or rewrite for other reasons).
The sample only holds pairs the old rules called same-event, so recall here is of those:
it says what the new rules lose, not what neither finds.

A second sample, ``benchmarks/same_event_labels_9e76702.json`` (22 pairs, 8 one event), was
drawn the same way from the calls of 9e76702 and is measured the same way, apart
(``sample_9e76702``; metrics ``same_event.9e76702_*``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from dedup.verify import verify  # noqa: E402

LABELS = Path(__file__).with_name("same_event_labels.json")
# A second sample, drawn from the calls of 9e76702: the precision of the rules as they were
# then, and what later rules lose of its true pairs.
LABELS_9E76702 = Path(__file__).with_name("same_event_labels_9e76702.json")


def run() -> dict:
    first, second = (json.loads(path.read_text())["pairs"] for path in (LABELS, LABELS_9E76702))
    docs = _articles(first + second)  # the corpora are read once for both samples
    out = run_labels(first, docs)
    out["sample_9e76702"] = run_labels(second, docs)
    return out


def _articles(labelled: list[dict]) -> dict:
    wanted = {p["a"] for p in labelled} | {p["b"] for p in labelled}
    docs = {d.id: d for d in data.reuters() if d.id in wanted}
    docs.update({d.id: d for d in data.bbc() if d.id in wanted})
    missing = sorted(wanted - set(docs))
    if missing:
        raise SystemExit(f"same_event: {len(missing)} labelled articles not found in {data.data_root()} "
                         f"(first: {missing[0]}); set DEDUP_DATA to the shared data folder")
    return docs


def run_labels(labelled: list[dict], docs: dict) -> dict:
    calls, kinds = [], {}
    for p in labelled:
        r = verify(docs[p["a"]], docs[p["b"]])
        kind = r.kind.value if r is not None else "none"
        kinds[kind] = kinds.get(kind, 0) + 1
        calls.append({**p, "called": kind, "score": r.score if r is not None else None})
    yes = [c for c in calls if c["same_event"]]
    no = [c for c in calls if not c["same_event"]]
    tp = sum(c["called"] == "same-event" for c in yes)
    fp = sum(c["called"] == "same-event" for c in no)
    return {
        "pairs": len(calls),
        "labelled_one_event": len(yes),
        "labelled_different_events": len(no),
        "same_event_true_positives": tp,
        "same_event_false_positives": fp,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall_on_labelled": round(tp / len(yes), 4) if yes else None,
        "false_positive_rate": round(fp / len(no), 4) if no else None,
        "calls": kinds,
        "missed_one_event": [c for c in yes if c["called"] != "same-event"],
        "false_positives": [c for c in no if c["called"] == "same-event"],
    }


def metrics(r: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for prefix, x in (("same_event.", r), ("same_event.9e76702_", r.get("sample_9e76702"))):
        if x is None:
            continue
        out[prefix + "false_positive_rate"] = x["false_positive_rate"]
        out[prefix + "recall_on_labelled"] = x["recall_on_labelled"]
        if x["precision"] is not None:
            out[prefix + "precision"] = x["precision"]
    return out


def print_table(r: dict, console=None) -> None:
    from rich.console import Console

    con = console or Console()
    _print_sample(r, con, "drawn from a7b73c8's calls")
    if "sample_9e76702" in r:
        _print_sample(r["sample_9e76702"], con, "drawn from 9e76702's calls")


def _print_sample(r: dict, con, drawn: str) -> None:
    from rich.table import Table

    t = Table(title=f"same-event on {r['pairs']} labelled wire pairs {drawn} ({r['labelled_one_event']} one event, "
                    f"{r['labelled_different_events']} different events)")
    for col in ("", "value"):
        t.add_column(col, justify="right" if col else "left")
    t.add_row("same-event calls, one event", f"{r['same_event_true_positives']} / {r['labelled_one_event']}")
    t.add_row("same-event calls, different events", f"{r['same_event_false_positives']} / {r['labelled_different_events']}")
    t.add_row("precision", "-" if r["precision"] is None else f"{r['precision']:.3f}")
    t.add_row("all calls", ", ".join(f"{k} {v}" for k, v in sorted(r["calls"].items())))
    con.print(t)


if __name__ == "__main__":
    print_table(run())

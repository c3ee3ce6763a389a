"""Run the core detector's benchmarks, print one table, write results JSON, check floors.

    python benchmarks/run.py            # everything (about 10-15 minutes on 2 cores)
    python benchmarks/run.py --quick    # a smaller smoke run (results not written, floors not checked)
    python benchmarks/run.py --only cs,reuters
    python benchmarks/run.py --full     # also the 50k and 100k-document scans
    python benchmarks/run.py --peers    # also drift_bench.py and index_bench.py when present

Results go to benchmarks/results/<name>.json. Every gated number is compared with
its pinned floor in benchmarks/floors.json; a number under its floor fails the run
(exit 1). ``--raise-floors`` moves floors up to this run's numbers, never down.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import filter_order, lee, quality, same_event, speed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
FLOORS = ROOT / "benchmarks" / "floors.json"
BENCHES = ("cs", "reuters", "bbc", "syndication", "filter", "lee", "same_event", "speed")
PEER_SCRIPTS = ("drift_bench.py", "index_bench.py")


def machine() -> dict:
    def ver(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip() or None
    except OSError:
        commit = None
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_gib": mem,
        "load_average_at_start": list(os.getloadavg()),  # timings are noisy when others share the machine
        "versions": {p: ver(p) for p in ("dedup", "datasketch", "rensa", "numpy", "scipy", "xxhash")},
    }


# ---------------------------------------------------------------- gated metrics


def metrics(results: dict) -> dict[str, float]:
    """The numbers the floors gate, flattened."""
    m: dict[str, float] = {}
    if "cs" in results:
        r = results["cs"]
        m["cs.f1"] = r["ours"]["f1"]
        m["cs.datasketch_f1"] = r["datasketch_t0.5"]["f1"]
    if "reuters" in results:
        r = results["reuters"]
        m["reuters.candidate_recall"] = r["candidate_recall"]
        m["reuters.relation_recall_any"] = r["relation_recall_any"]
        m["reuters.relation_recall_derived"] = r["relation_recall_derived"]
        m["reuters.precision_derived"] = r["precision_derived"]
        m["reuters.relation_recall_derived_filed_within_3_days"] = r["relation_recall_derived_filed_within_3_days"]
    if "bbc" in results:
        m["bbc.derived_per_1000_same_category_pairs"] = results["bbc"]["per_1000_pairs"]
    if "syndication" in results:
        r = results["syndication"]
        m["syndication.derived_f1"] = r["derived"]["f1"]
        if "origins" in r:
            m["syndication.origin_accuracy"] = r["origins"]["accuracy"]
        for k, v in r["per_kind"].items():
            m[f"syndication.{k}.precision"] = v["precision"]
            m[f"syndication.{k}.recall"] = v["recall"]
    if "filter" in results:
        m.update(filter_order.metrics(results["filter"]))
    if "lee" in results:
        m.update(lee.metrics(results["lee"]))
    if "same_event" in results:
        m.update(same_event.metrics(results["same_event"]))
    if "speed" in results:
        st = results["speed"]["stages"]
        for peer in ("datasketch", "rensa", "rensa-batch"):
            if st.get(peer, {}).get("ours_speedup"):
                m[f"speed.ours_vs_{peer}"] = st[peer]["ours_speedup"]
            if st.get(peer, {}).get("ours_all_cores_speedup"):
                m[f"speed.ours_all_cores_vs_{peer}"] = st[peer]["ours_all_cores_speedup"]
        f = results["speed"]["folder"]
        if "scan_over_datasketch_time" in f:
            m["speed.folder_scan_time_over_datasketch"] = f["scan_over_datasketch_time"]
    return m


def check_floors(m: dict[str, float], *, raise_floors: bool) -> list[str]:
    """Compare with floors.json; returns failure lines. Floors move only towards better."""
    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    failures = []
    changed = False
    for name, value in m.items():
        f = floors.get(name)
        if f is None:
            continue
        better_is_lower = f.get("better", "higher") == "lower"
        floor = f.get("floor")
        if floor is not None:
            bad = value > floor if better_is_lower else value < floor
            if bad:
                failures.append(f"{name} = {value:.4g} is {'above' if better_is_lower else 'under'} its floor {floor:.4g}")
        if raise_floors:
            margin = f.get("margin", 0.0)  # timing metrics keep a margin for machine noise
            proposed = value + margin if better_is_lower else value - margin
            # four decimals, rounded towards the safe side so this run passes its own floor
            proposed = math.ceil(proposed * 1e4) / 1e4 if better_is_lower else math.floor(proposed * 1e4) / 1e4
            if floor is None or (proposed < floor if better_is_lower else proposed > floor):
                f["floor"] = proposed
                changed = True
    if raise_floors and changed:
        FLOORS.write_text(json.dumps(floors, indent=2) + "\n")
    return failures


# ---------------------------------------------------------------- table


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def print_table(results: dict, m: dict[str, float]) -> None:
    from rich.console import Console
    from rich.table import Table

    floors = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    con = Console()
    t = Table(title="dedup benchmarks", show_lines=False)
    for col in ("metric", "value", "target", "floor", "ok"):
        t.add_column(col, justify="right" if col != "metric" else "left")
    for name, value in m.items():
        f = floors.get(name, {})
        lower = f.get("better") == "lower"
        target, floor = f.get("target"), f.get("floor")
        ok = ""
        if target is not None:
            ok = "yes" if (value <= target if lower else value >= target) else "MISS"
        t.add_row(name, _fmt(value), "" if target is None else ("<= " if lower else ">= ") + _fmt(target),
                  "" if floor is None else _fmt(floor), ok)
    con.print(t)
    if "lee" in results:
        lee.print_table(results["lee"], con)
    if "same_event" in results:
        same_event.print_table(results["same_event"], con)

    if "speed" in results:
        s = results["speed"]
        n_runs = max((len(r.get("runs_docs_per_s", [])) for r in s["stages"].values()), default=1)
        st = Table(title=f"fingerprint+candidate stage, {s['corpus_docs']:,} docs "
                         f"(one subprocess a run, fastest of {n_runs} taken in turn)")
        for col in ("contender", "docs/s", "ours 1 core / it", "ours all cores / it", "candidate pairs", "peak RSS MB",
                    "RSS before MB"):
            st.add_column(col, justify="right" if col != "contender" else "left")
        for name, r in s["stages"].items():
            if "error" in r:
                st.add_row(name, "error", r["error"][:60], "", "", "", "")
                continue
            st.add_row(name, _fmt(r["docs_per_s"]), _fmt(r.get("ours_speedup", "")),
                       _fmt(r.get("ours_all_cores_speedup", "")), _fmt(r.get("candidate_pairs", "")),
                       _fmt(r["peak_rss_mb"]), _fmt(r["rss_before_mb"]))
        con.print(st)
        sc = Table(title="end-to-end scan_documents scaling")
        for col in ("docs", "seconds", "docs/s", "relations", "peak RSS MB", "worker peak MB"):
            sc.add_column(col, justify="right")
        for r in s["scan_scaling"]:
            if "error" in r:
                sc.add_row(_fmt(r["n"]), "error", r["error"][:60], "", "", "")
            else:
                sc.add_row(_fmt(r["n"]), _fmt(r["seconds"]), _fmt(r["docs_per_s"]), _fmt(r.get("relations", "")),
                           _fmt(r["peak_rss_mb"]), _fmt(r.get("workers_peak_rss_mb", 0.0)))
        con.print(sc)
        f = s["folder"]
        for name in ("scan", "datasketch"):
            r = f[name]
            if "error" in r:
                con.print(f"folder {name}: error {r['error']}")
            else:
                con.print(f"folder of {r['n']:,} articles, {name}: {r['seconds']:.1f} s "
                          f"({r['docs_per_s']:.0f} docs/s, peak RSS {r['peak_rss_mb']:.0f} MB)")


# ---------------------------------------------------------------- main


def run_peers(log) -> dict:
    out = {}
    for script in PEER_SCRIPTS:
        path = ROOT / "benchmarks" / script
        if not path.exists():
            continue
        log(f"peer: {script} ...")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True, check=False)
        out[script] = {"exit": proc.returncode, "seconds": time.perf_counter() - t0,
                       "stdout_tail": proc.stdout.strip().splitlines()[-15:]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run the dedup benchmarks and check the floors.")
    ap.add_argument("--quick", action="store_true", help="smaller smoke run; results not written, floors not checked")
    ap.add_argument("--full", action="store_true", help="also the 50k and 100k-document scans")
    ap.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {','.join(BENCHES)}")
    ap.add_argument("--peers", action="store_true", help="also run drift_bench.py and index_bench.py")
    ap.add_argument("--raise-floors", action="store_true", help="move floors up to this run's numbers (never down)")
    ap.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/*.json")
    args = ap.parse_args(argv)
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(only) - set(BENCHES)
    if unknown:
        ap.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {','.join(BENCHES)}")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    meta = machine()
    results: dict = {}
    timings: dict = {}
    runners = {
        "cs": lambda: quality.clough_stevenson(),
        "reuters": lambda: quality.reuters(limit=3000 if args.quick else None),
        "bbc": lambda: quality.bbc_hard_negatives(),
        "syndication": lambda: {**quality.syndication_bench(sources=40 if args.quick else 200),
                                "overlap_profile": quality.rewrite_overlap_profile(sources=40 if args.quick else 200)},
        "filter": lambda: filter_order.run(quick=args.quick),
        "lee": lambda: lee.run(),
        "same_event": lambda: same_event.run(),
        "speed": lambda: speed.run(quick=args.quick, full=args.full, log=log),
    }
    for name in only:
        log(f"== {name}")
        t0 = time.perf_counter()
        results[name] = runners[name]()
        timings[name] = time.perf_counter() - t0
        log(f"   {timings[name]:.1f} s")
    peers = run_peers(log) if args.peers else {}

    m = metrics(results)
    print_table(results, m)
    if not args.quick and not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        names = {"cs": "clough_stevenson", "reuters": "reuters", "bbc": "bbc_hard_negatives",
                 "syndication": "syndication", "filter": "filter_order", "lee": "lee", "same_event": "same_event", "speed": "speed"}
        for name, res in results.items():
            doc = {"benchmark": names[name], "machine": meta, "seconds": timings[name],
                   "metrics": {k: v for k, v in m.items() if k.startswith(f"{name}.")}, "result": res}
            if peers:
                doc["peers"] = peers
            (RESULTS / f"{names[name]}.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    if args.quick:
        print("quick run: floors not checked")
        return 0
    failures = check_floors(m, raise_floors=args.raise_floors)
    for f in failures:
        print(f"FLOOR: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed and memory of the fingerprint+candidate stage and of the whole scan.

The corpus (``speed_corpus``): all Reuters-21578 stories with a body (reut2-000..017,
15,997), all 2,225 BBC articles, and the syndicated copies of 600 of them from
``benchmarks.syndication`` (2,400: duplicate, reprint, rewrite, partial), shuffled with
a fixed seed: 20,622 news-length documents. A corpus of n documents is the first n of
that list; beyond it (50k, 100k) reprint-style variants of random base articles are
appended (new headline, trimmed, sentences edited, a local paragraph), i.e. the
corpus grows by repetition with edits, as a wire feed does.

Every measurement runs in its own subprocess, so peak RSS (VmHWM of that process)
never mixes between contenders; each reports the RSS after loading the corpus too,
so the stage's own memory is the difference, and the largest peak of any worker
process the stage started (the scan's multiprocessing pool).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from dedup.records import Document

from . import data, syndication
from .oracle import CACHE_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = 7
SYNDICATED_SOURCES = 600
STAGES = ("ours", "ours-all-cores", "datasketch", "rensa", "rensa-batch")
# Each contender of the fingerprint+candidate stage runs this many times, in turn with the
# others (ours, datasketch, rensa, ..., ours, ...), and keeps its fastest run: one run of a
# 2-second stage swung 7,100-10,400 docs/s on an idle VM (rensa 5,700-5,800). Every run is
# kept in ``runs_docs_per_s``.
REPEATS = 3


# ---------------------------------------------------------------- corpus


def base_corpus() -> list[Document]:
    reuters = list(data.reuters())
    bbc = list(data.bbc())
    syn = syndication.build(sources=SYNDICATED_SOURCES, seed=SEED, bbc_docs=bbc, reuters_docs=reuters)
    originals = {d.id for d in syn.docs if "~" not in d.id}
    copies = [d for d in syn.docs if d.id not in originals]
    docs = reuters + bbc + copies
    random.Random(SEED).shuffle(docs)
    return docs


def speed_corpus(n: int) -> list[Document]:
    """n news-length documents (see the module docstring), cached as JSON lines."""
    path = CACHE_DIR / f"speed-corpus-{n}-s{SEED}-v1.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            return [Document(**json.loads(line)) for line in fh]
    docs = base_corpus()
    if n <= len(docs):
        docs = docs[:n]
    else:
        rng = random.Random(SEED + n)
        base = [d for d in docs if len(syndication.paragraphs(d)) >= 2]
        extra = []
        for k in range(n - len(docs)):
            src = rng.choice(base)
            title, text, _ = syndication.make_reprint(src, rng)
            extra.append(Document(id=f"{src.id}~v{k}", text=text, title=title, source="variant"))
        docs = docs + extra
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.id, "text": d.text, "title": d.title, "source": d.source}) + "\n")
    tmp.replace(path)
    return docs


def article_folder(n: int = 20_000) -> Path:
    """A folder of n real articles as text files (headline, blank line, body): the first n of the base corpus."""
    folder = CACHE_DIR / f"folder-{n}-s{SEED}-v1"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for d in speed_corpus(n):
        name = d.id.replace("~", "_").replace("/", "_") + ".txt"
        body = f"{d.title}\n\n{d.text}\n" if d.title else d.text + "\n"
        (folder / name).write_text(body, encoding="utf-8")
    done.write_text("")
    return folder


# ---------------------------------------------------------------- workers (run in a subprocess)


def _rss_mb() -> float:
    """Peak resident memory of this process image, in MB.

    VmHWM, not ``ru_maxrss``: on Linux a forked child's ru_maxrss starts at its parent's
    size and survives exec, so it would report the launching process's memory.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _children_rss_mb() -> float:
    """Largest peak of any worker process this one started and reaped (0 when none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _import_stage(stage: str) -> None:
    """Import what a stage runs before its clock starts, ours and the peers' alike: a stage's
    time is its work, not Python loading modules (the engine's imports, ingest's HTML
    extraction among them, took 0.17 s; datasketch's 0.1 s)."""
    import importlib

    names = {
        "ours": ["dedup.fingerprint", "dedup.candidates"],
        "ours-all-cores": ["dedup.fingerprint", "dedup.candidates", "dedup.engines.local"],
        "datasketch": ["benchmarks.baselines", "datasketch"],
        "rensa": ["benchmarks.baselines", "rensa"],
        "rensa-batch": ["benchmarks.baselines", "rensa"],
    }
    for name in names.get(stage, ()):
        importlib.import_module(name)


def _worker(stage: str, n: int, workers: int | None) -> dict:
    from dedup.params import FingerprintParams

    if stage.startswith("folder-"):
        folder = article_folder(n)
        files = sorted(p for p in folder.glob("*.txt"))
        base_rss = _rss_mb()
        t0 = time.perf_counter()
        if stage == "folder-scan":
            from dedup.scan import scan

            res = scan([folder], workers=workers)
            out = {"relations": len(res.relations), "documents": len(res.documents), "skipped": len(res.skipped)}
        else:  # folder-datasketch: read the same files, MinHash each, MinHashLSH insert + query
            from .baselines import datasketch_pairs

            texts = [data.decode(p.read_bytes()) for p in files]
            out = {"candidate_pairs": len(datasketch_pairs(texts)), "documents": len(texts)}
        dt = time.perf_counter() - t0
        return {"stage": stage, "n": len(files), "seconds": dt, "docs_per_s": len(files) / dt,
                "rss_before_mb": base_rss, "peak_rss_mb": _rss_mb(),
                "workers_peak_rss_mb": _children_rss_mb(), **out}

    docs = speed_corpus(n)
    _import_stage(stage)
    base_rss = _rss_mb()
    t0 = time.perf_counter()
    if stage == "ours":  # one core: the batch fingerprint, then candidate pairs as the scan gets them
        from dedup.candidates import candidate_set
        from dedup.fingerprint import fingerprint_documents

        params = FingerprintParams()
        fps = fingerprint_documents(docs, params)
        t1 = time.perf_counter()
        pairs = candidate_set(fps, params)
        out = {"candidate_pairs": len(pairs), "fingerprint_seconds": t1 - t0, "cores": 1}
    elif stage == "ours-all-cores":  # the scan's engine: forked workers fingerprint, then candidates
        from dedup.engines.local import LocalEngine

        params = FingerprintParams()
        with LocalEngine(docs, params, workers=workers) as engine:
            fps = engine.fingerprints(lambda done, total: None)
            t1 = time.perf_counter()
            pairs = engine.candidates(fps)  # candidate_set, its views in one thread per core
            cores = engine.workers
        out = {"candidate_pairs": len(pairs), "fingerprint_seconds": t1 - t0, "cores": cores}
    elif stage == "scan":
        from dedup.scan import scan_documents

        res = scan_documents(docs, workers=workers)
        out = {"relations": len(res.relations), "stories": len(res.stories)}
    else:
        from .baselines import PEERS

        texts = [d.text for d in docs]
        out = {"candidate_pairs": len(PEERS[stage](texts))}
    dt = time.perf_counter() - t0
    return {"stage": stage, "n": n, "seconds": dt, "docs_per_s": n / dt,
            "rss_before_mb": base_rss, "peak_rss_mb": _rss_mb(),
                "workers_peak_rss_mb": _children_rss_mb(), **out}


def measure(stage: str, n: int, *, workers: int | None = None, timeout: float = 1800) -> dict:
    """Run one stage in a fresh subprocess and return its numbers (or an error record)."""
    cmd = [sys.executable, "-m", "benchmarks.speed", "--worker", stage, "--n", str(n)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return {"stage": stage, "n": n, "error": f"timed out after {timeout:.0f}s"}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        return {"stage": stage, "n": n, "error": " | ".join(tail) or f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the benchmark


def _fastest(runs: list[dict], field: str, pick, ndigits: int) -> dict:
    """The run ``pick`` (min or max) chooses by ``field`` among those that measured it (the last
    run, an error record, when none did), with every measured value as ``runs_<field>``."""
    ok = [r for r in runs if r.get(field)]
    out = dict(pick(ok, key=lambda r: r[field]) if ok else runs[-1])
    out[f"runs_{field}"] = [round(r[field], ndigits) for r in ok]
    return out


def run(*, quick: bool = False, full: bool = False, log=print) -> dict:
    n = 5_000 if quick else 20_000
    sizes = (2_000, 5_000) if quick else (5_000, 20_000) + ((50_000, 100_000) if full else ())
    for stage_n in sizes:
        speed_corpus(stage_n)  # build caches outside the timed subprocesses
    runs: dict[str, list[dict]] = {stage: [] for stage in STAGES}
    for round_ in range(1 if quick else REPEATS):
        for stage in STAGES:
            log(f"speed: {stage} on {n} docs (run {round_ + 1}) ...")
            runs[stage].append(measure(stage, n))
    stages = {stage: _fastest(rs, "docs_per_s", max, 1) for stage, rs in runs.items()}
    ours = stages["ours"].get("docs_per_s")
    ours_all = stages["ours-all-cores"].get("docs_per_s")
    for r in stages.values():
        if ours and r.get("docs_per_s"):
            r["ours_speedup"] = ours / r["docs_per_s"]
        if ours_all and r.get("docs_per_s"):
            r["ours_all_cores_speedup"] = ours_all / r["docs_per_s"]

    scaling = []
    for size in sizes:
        log(f"speed: scan_documents on {size} docs ...")
        scaling.append(measure("scan", size, timeout=3600))

    folder_n = 3_000 if quick else 20_000
    log(f"speed: folder of {folder_n} articles: whole scan vs bare datasketch pass ...")
    article_folder(folder_n)
    # Like the fingerprint stage: each side runs REPEATS times, in turn with the other, and
    # keeps its fastest run (a VM's speed drifts by 15% within minutes); all runs are recorded.
    folder_runs: dict[str, list[dict]] = {"scan": [], "datasketch": []}
    for _ in range(1 if quick else REPEATS):
        for side in folder_runs:
            folder_runs[side].append(measure(f"folder-{side}", folder_n))
    folder = {side: _fastest(rs, "seconds", min, 2) for side, rs in folder_runs.items()}
    if folder["scan"].get("seconds") and folder["datasketch"].get("seconds"):
        folder["scan_over_datasketch_time"] = folder["scan"]["seconds"] / folder["datasketch"]["seconds"]
    return {"corpus_docs": n, "stages": stages, "scan_scaling": scaling, "folder": folder,
            "cpu_count": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true", help="also scan 50k and 100k documents")
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.n, args.workers)))
        return 0
    print(json.dumps(run(quick=args.quick, full=args.full, log=lambda m: print(m, file=sys.stderr)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

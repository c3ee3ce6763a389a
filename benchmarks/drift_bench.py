"""Drift benchmark: injected edits of every finding kind into real BBC and Reuters articles.

For each article, copies are made with exactly one edit of one kind (a changed figure,
hedge, date, weekday, name, spelling, source, quote, speaker of a quote, an added or
dropped sentence, a changed predicate) plus negatives: an unchanged copy and copies with
style-only edits (quote style, "per cent" vs "%", number words vs digits, date format,
a moved leading clause). ``dedup.drift.compare`` runs on every (article, copy) pair.

A finding counts as correct when its kind is the injected kind and its span touches the
edited text; companions that are also true (a weekday change that also makes the copy's
weekday contradict its date) are neither right nor wrong. Everything else is a false
finding. Printed and written to benchmarks/results/drift.json:

- per-kind precision and recall (target >= 0.95 each);
- false findings per 100 aligned sentence pairs on unchanged and style-only copies
  (target < 0.5);
- time to diff two ~1,000-word articles (target well under 100 ms) and to align them
  (target well under 20 ms);
- the cost of drift on top of aligning every derived pair of the seeds;
- CPU time of ``compare`` per derived pair of the syndication generator (and the seeds):
  cold, with the source's per-text caches filled (the index's case: one stored source,
  many incoming copies), and warm (targets: under ~2 ms cold, under 1 ms source cached);
- ``scan --drift`` against ``scan`` (CPU time, in one process) on the seeds and on the speed
  benchmark's folder of 2,000 BBC, Reuters and syndicated articles (target: at most 2x).

Run from the repository root: ``python benchmarks/drift_bench.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.data import bbc, reuters  # noqa: E402
from dedup.align import align, split_sentences  # noqa: E402
from dedup.drift import KINDS, clear_caches, compare  # noqa: E402
from dedup.drift._text import WEEKDAYS, dates, numbers, weekdays, date_spans, names  # noqa: E402
from dedup.records import Document  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "drift.json"
SEED = 20260131

# Companion findings that are also true for an edit of this kind (not counted either way).
TOLERATED = {
    "weekday_changed": {"date_inconsistent"},
    "date_changed": {"date_inconsistent"},
    "date_inconsistent": set(),
    "entity_changed": {"attribution_changed", "quote_attribution_changed"},
    "attribution_changed": {"quote_attribution_changed"},
    "quote_attribution_changed": {"attribution_changed", "entity_changed"},
}

WORDING_SWAPS = [
    ("rose", "fell"), ("fell", "rose"), ("increased", "decreased"), ("won", "lost"), ("approved", "rejected"),
    ("accepted", "rejected"), ("confirmed", "denied"), ("bought", "sold"), ("raised", "cut"), ("opened", "closed"),
    ("higher", "lower"), ("lower", "higher"), ("gained", "lost"), ("backed", "opposed"), ("supported", "opposed"),
    ("attacked", "hijacked"), ("profit", "loss"), ("increase", "decrease"), ("growth", "decline"), ("strong", "weak"),
    ("buy", "sell"), ("sell", "buy"), ("rise", "fall"), ("agreed", "refused"), ("expanded", "shrank"),
    ("acquire", "sell"), ("improved", "worsened"), ("allowed", "banned"), ("start", "end"), ("passed", "blocked"),
]
SPEAKERS = ["the ministry", "police", "analysts", "the union", "the company", "officials", "the court", "the mayor"]
OTHER_NAMES = ["Kowalczyk", "Ramirez", "Okonjo", "Lindqvist", "Tanaka", "Whitfield", "Montoya", "Haverford"]
QUOTE_SPEAKERS = ["Mr Dufresne", "Ms Okafor", "Mr Halvorsen", "Ms Pereira"]


@dataclass
class Case:
    kind: str  # the injected kind, or "unchanged" / "style"
    a: Document
    b: Document
    a_region: tuple[int, int] | None = None
    b_region: tuple[int, int] | None = None
    style: str = ""


@dataclass
class Tally:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    cases: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    negative_false: int = 0
    negative_pairs: int = 0
    false_examples: list = field(default_factory=list)
    missed_examples: list = field(default_factory=list)


def _edit(doc: Document, start: int, end: int, new: str, kind: str, *, a_region=None) -> Case:
    text = doc.text[:start] + new + doc.text[end:]
    return Case(kind, doc, replace(doc, id=doc.id + "~" + kind, text=text), a_region or (start, end), (start, start + len(new)))


def _body_sentences(doc: Document):
    return [s for s in split_sentences(doc.text) if s.zone == "body"]


# --- injectors: each returns a Case or None when the article has nothing to edit -------------


def inject_number(doc, rng):
    ex = date_spans(doc.text)
    cands = [n for n in numbers(doc.text, exclude=ex) if n.counted and not n.hedge and n.value >= 2 and n.text[:1].isdigit()]
    if not cands:
        return None
    n = rng.choice(cands)
    digits = re.sub(r"[^\d.]", "", n.text.split()[0])
    if not digits or "." in digits:
        return None
    new = str(int(digits) + rng.choice([3, 7, 12, 20]))
    s = doc.text.index(digits, n.start) if digits in doc.text[n.start : n.end] else n.start
    return _edit(doc, s, s + len(digits), new, "number_changed")


def inject_hedge(doc, rng):
    ex = date_spans(doc.text)
    cands = [n for n in numbers(doc.text, exclude=ex) if n.counted and n.value >= 2 and n.text[:1].isdigit() and not n.unit]
    if not cands:
        return None
    n = rng.choice(cands)
    if n.hedge:
        return _edit(doc, n.start, n.end, doc.text[n.start : n.end][len(n.hedge) :].lstrip(), "hedge_changed")
    return _edit(doc, n.start, n.start, rng.choice(["at least ", "more than ", "some ", "nearly "]), "hedge_changed", a_region=(n.start, n.end))


def inject_date(doc, rng):
    ds = dates(doc.text)
    if not ds:
        return None
    d = rng.choice(ds)
    m = re.search(r"\b\d{1,2}\b", d.text)
    if not m:
        return None
    day = int(m.group())
    new_day = day + 2 if day <= 26 else day - 3
    s = d.start + m.start()
    return _edit(doc, s, s + len(m.group()), str(new_day), "date_changed")


def inject_weekday(doc, rng):
    ws = weekdays(doc.text)
    if not ws:
        return None
    w = rng.choice(ws)
    new = WEEKDAYS[(w.weekday + rng.choice([1, 2, 3])) % 7].capitalize()
    return _edit(doc, w.start, w.end, new, "weekday_changed")


def inject_date_inconsistent(doc, rng):
    """Give a date in the copy a weekday it does not fall on ("Tuesday, March 3")."""
    ds = [d for d in dates(doc.text) if d.as_date(int(doc.published[:4]) if doc.published else None)]
    if not ds or not doc.published:
        return None
    d = rng.choice(ds)
    actual = d.as_date(int(doc.published[:4]))
    wrong = WEEKDAYS[(actual.weekday() + rng.choice([1, 2, 3, 4])) % 7].capitalize()
    return _edit(doc, d.start, d.start, f"{wrong}, ", "date_inconsistent", a_region=(d.start, d.end))


def _single_names(doc):
    counts = Counter(n.text for n in names(doc.text))
    first_words = {s.text.split()[0] for s in split_sentences(doc.text) if s.text.split()}
    quoted = [s for s in split_sentences(doc.text) if re.search("[\"\u201c\u201d]", s.text)]
    return [
        n for n in names(doc.text)
        if " " not in n.text and counts[n.text] == 1 and len(n.text) >= 5 and n.text.isalpha()
        and n.text not in first_words and n.text[1:].islower()
        and not any(s.start <= n.start < s.end for s in quoted)
    ]


def inject_entity(doc, rng):
    cands = _single_names(doc)
    if not cands:
        return None
    n = rng.choice(cands)
    new = next((x for x in rng.sample(OTHER_NAMES, len(OTHER_NAMES)) if x[0] != n.text[0] and x not in doc.text), None)
    return _edit(doc, n.start, n.end, new, "entity_changed") if new else None


def inject_spelling(doc, rng):
    cands = [n for n in _single_names(doc) if len(n.text) >= 6]
    if not cands:
        return None
    n = rng.choice(cands)
    t = n.text
    vowels = [i for i, c in enumerate(t) if c in "aeiou" and 0 < i < len(t) - 1]
    if not vowels:
        return None
    i = rng.choice(vowels)
    swap = {"a": "e", "e": "a", "i": "y", "o": "u", "u": "o"}[t[i]]
    return _edit(doc, n.start, n.end, t[:i] + swap + t[i + 1 :], "spelling_variant")


_PRONOUNS = frozenset("he she they it we i you this that there".split())
_SAID_END = re.compile(r",\s+(?P<sp>(?:the\s+)?[A-Za-z][\w.'-]*(?:\s+[A-Za-z][\w.'-]*){0,2})\s+said\.\s*$")
_SAID_LEAD = re.compile(r"^(?P<sp>(?:The\s+)?[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})\s+said\s+(?:that\s+)?(?=[a-z])")


def _said_sentences(doc):
    out = []
    for s in _body_sentences(doc):
        if "\u201c" in s.text or '"' in s.text:
            continue
        m = _SAID_END.search(s.text) or _SAID_LEAD.search(s.text)
        if m and m.group("sp").split()[-1].lower() not in _PRONOUNS:
            out.append((s, m))
    return out


def inject_attribution_dropped(doc, rng):
    cands = _said_sentences(doc)
    if not cands:
        return None
    s, m = rng.choice(cands)
    if m.re is _SAID_END:
        return _edit(doc, s.start + m.start(), s.start + m.end(), ".", "attribution_dropped")
    rest = s.text[m.end() :]
    return _edit(doc, s.start, s.start + m.end() + 1, rest[:1].upper(), "attribution_dropped", a_region=(s.start, s.start + m.end()))


def inject_attribution_added(doc, rng):
    cands = [s for s in _body_sentences(doc) if s.text.endswith(".") and not re.search(r"\b(said|says|told|according)\b", s.text) and len(s.text.split()) >= 8]
    if not cands:
        return None
    s = rng.choice(cands)
    sp = rng.choice(SPEAKERS)
    return _edit(doc, s.end - 1, s.end, f", {sp} said.", "attribution_added")


def inject_attribution_changed(doc, rng):
    cands = _said_sentences(doc)
    if not cands:
        return None
    s, m = rng.choice(cands)
    old = m.group("sp")
    old_head = old.split()[-1].lower()
    new = next(x for x in rng.sample(SPEAKERS, len(SPEAKERS)) if x.split()[-1] != old_head and x.split()[-1] not in old.lower())
    if m.re is _SAID_LEAD:
        new = new[0].upper() + new[1:]
    return _edit(doc, s.start + m.start("sp"), s.start + m.end("sp"), new, "attribution_changed")


_QUOTE = re.compile(r"(?:^|(?<=\n)|(?<=[.!?] ))[\"\u201c](?P<q>[^\"\u201c\u201d\n]{20,}?[,.?!])[\"\u201d]")


def inject_quote_altered(doc, rng):
    cands = []
    for m in _QUOTE.finditer(doc.text):
        ws = [w for w in re.finditer(r"\b[a-z]{5,}\b", m.group("q"))]
        if len(m.group("q").split()) >= 6 and ws:
            cands.append((m, ws))
    if not cands:
        return None
    m, ws = rng.choice(cands)
    w = rng.choice(ws)
    s = m.start("q") + w.start()
    new = rng.choice(["never", "certainly", "absolutely", "quickly", "perhaps"])
    return _edit(doc, s, s + len(w.group()), new, "quote_altered")


_NAME = r"(?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+(?![\w'\u2019])|(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z][a-z]+(?![\w'\u2019])"
_QUOTE_SAID = re.compile(r"[,?!][\"\u201d]\s+(?:said\s+(?P<sp1>" + _NAME + r")|(?P<sp2>" + _NAME + r")\s+said\b)")


def inject_quote_attribution(doc, rng):
    cands = [m for m in _QUOTE_SAID.finditer(doc.text)]
    cands = [m for m in cands if len(doc.text[max(0, m.start() - 200) : m.start()].split()) >= 4]
    if not cands:
        return None
    m = rng.choice(cands)
    g = "sp1" if m.group("sp1") else "sp2"
    new = next(x for x in QUOTE_SPEAKERS if x.split()[-1] not in doc.text)
    return _edit(doc, m.start(g), m.end(g), new, "quote_attribution_changed")


def inject_claim_added(doc, rng, donors):
    donor = rng.choice(donors)
    extra = [s for s in _body_sentences(donor) if len(s.text.split()) >= 10 and "\n" not in s.text and s.text.endswith(".")]
    sents = _body_sentences(doc)
    if not extra or len(sents) < 3:
        return None
    new = rng.choice(extra).text
    at = rng.choice(sents[1:])
    return _edit(doc, at.end, at.end, "\n" + new, "claim_added", a_region=None)


def inject_claim_clause(doc, rng):
    """An added clause with a fact at the end of an existing sentence ("..., while 12 ... in X.")."""
    cands = [s for s in _body_sentences(doc)[1:] if s.text.endswith(".") and len(s.text.split()) >= 8 and not re.search("[\"\u201d]", s.text)]
    if not cands:
        return None
    s = rng.choice(cands)
    n = rng.choice([7, 12, 19, 23, 40])
    who = rng.choice(["protesters were arrested", "workers were injured", "homes were damaged", "flights were cancelled"])
    place = rng.choice(OTHER_NAMES)
    return _edit(doc, s.end - 1, s.end, f", while {n} {who} in {place}.", "claim_added")


def inject_claim_dropped(doc, rng):
    sents = _body_sentences(doc)
    cands = [s for s in sents[1:] if len(s.text.split()) >= 10]
    if not cands:
        return None
    s = rng.choice(cands)
    end = s.end
    while end < len(doc.text) and doc.text[end] in " \n":
        end += 1
    c = _edit(doc, s.start, end, "", "claim_dropped")
    c.b_region = None
    c.a_region = (s.start, s.end)
    return c


def inject_wording(doc, rng):
    cands = []
    for s in _body_sentences(doc):
        if re.search("[\"\u201c\u201d]", s.text):
            continue  # a change inside a quote is quote_altered
        for old, new in WORDING_SWAPS:
            for m in re.finditer(rf"\b{old}\b", s.text):
                # keep at least two unchanged words on each side so the sentence still aligns
                if len(s.text[: m.start()].split()) >= 2 and len(s.text[m.end() :].split()) >= 2:
                    cands.append((s.start + m.start(), s.start + m.end(), new))
    if not cands:
        return None
    s, e, new = rng.choice(cands)
    return _edit(doc, s, e, new, "wording_changed")


INJECTORS = {
    "number_changed": inject_number,
    "hedge_changed": inject_hedge,
    "date_changed": inject_date,
    "weekday_changed": inject_weekday,
    "date_inconsistent": inject_date_inconsistent,
    "entity_changed": inject_entity,
    "spelling_variant": inject_spelling,
    "attribution_dropped": inject_attribution_dropped,
    "attribution_added": inject_attribution_added,
    "attribution_changed": inject_attribution_changed,
    "quote_altered": inject_quote_altered,
    "quote_attribution_changed": inject_quote_attribution,
    "claim_dropped": inject_claim_dropped,
    "wording_changed": inject_wording,
}

# --- style-only edits (negatives) ------------------------------------------------------------

_SMALL = {str(i): w for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}


def style_edits(doc: Document) -> list[tuple[str, str]]:
    t = doc.text
    out = []
    # opening mark after a space/start/bracket, closing otherwise; apostrophes become \u2019
    q = re.sub(r'(^|(?<=[\s(\[]))"', "\u201c", t)
    q = q.replace('"', "\u201d").replace("'", "\u2019")
    if q != t:
        out.append(("curly-quotes", q))
    q = t.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").replace("\u2018", "'")
    if q != t:
        out.append(("straight-quotes", q))
    p = re.sub(r"(\d)\s*(?:per cent|percent|pct)\b", r"\1%", t)
    if p != t:
        out.append(("per-cent", p))
    p = re.sub(r"(\d)%", r"\1 per cent", t)
    if p != t:
        out.append(("percent-sign", p))
    w = re.sub(r"(?<![\d.,$£%-])\b([2-9]|1[0-2])\b(?![\d.,%:])(?=\s+[a-z]{3,})", lambda m: _SMALL[m.group(1)], t)
    if w != t:
        out.append(("number-words", w))
    d = re.sub(r"\b(January|February|March|April|June|July|August|September|October|November|December) (\d{1,2})\b(?!,? \d{4})", r"\2 \1", t)
    if d != t:
        out.append(("date-format", d))
    m = re.search(r"(?m)^(?P<lead>(?:On|In|Last) [A-Z]?[a-z]+), (?P<rest>[a-z][^\n]*?)\.$", t)
    if m:
        moved = m.group("rest")[0].upper() + m.group("rest")[1:] + " " + m.group("lead")[0].lower() + m.group("lead")[1:] + "."
        out.append(("clause-order", t[: m.start()] + moved + t[m.end() :]))
    return out


# --- scoring -----------------------------------------------------------------------------------


def _touches(span, region) -> bool:
    if span is None or region is None:
        return False
    s, e = span
    r0, r1 = region
    if r1 == r0:
        return s <= r0 <= e
    return s < r1 + 1 and r0 - 1 < e


def _in_quote(text: str, region) -> bool:
    if region is None:
        return False
    from dedup.drift.quotes import quotes

    return any(q.start <= region[0] and region[1] <= q.end + 1 for q in quotes(text))


def score_case(case: Case, findings, tally: Tally) -> None:
    tolerated = set(TOLERATED.get(case.kind, set()))
    if case.kind != "quote_altered" and (_in_quote(case.a.text, case.a_region) or _in_quote(case.b.text, case.b_region)):
        tolerated.add("quote_altered")  # an edit inside quotation marks is also an altered quote
    hit = False
    for f in findings:
        if f.kind == case.kind and (_touches(f.b_span, case.b_region) or _touches(f.a_span, case.a_region)):
            tally.tp[f.kind] += 1
            hit = True
        elif f.kind in tolerated:
            continue
        else:
            tally.fp[f.kind] += 1
            if sum(1 for e in tally.false_examples if e["kind"] == f.kind) < 4:
                tally.false_examples.append({"case": case.kind, "style": case.style, "doc": case.a.id, "kind": f.kind, "before": f.before[:100], "after": f.after[:100], "note": f.note})
    if case.kind in KINDS:
        tally.cases[case.kind] += 1
        tally.found[case.kind] += hit
        if not hit and len(tally.missed_examples) < 60:
            r = case.b_region or case.a_region
            txt = case.b.text if case.b_region else case.a.text
            tally.missed_examples.append({"kind": case.kind, "doc": case.a.id, "edit": txt[max(0, r[0] - 60) : r[1] + 60]})


# --- timing --------------------------------------------------------------------------------------


def _time(fn, repeat: int) -> float:
    best = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t0)
    return statistics.median(best)


def timing(articles: list[Document], rng) -> dict:
    long = sorted(articles, key=lambda d: -len(d.text.split()))
    pairs = []
    for d in long[:10]:
        # grow to ~1,000 words by appending another long article, then make a drifted copy
        text = d.text
        k = 1
        while len(text.split()) < 1000 and k < len(long):
            text += "\n" + long[k].text
            k += 1
        a = Document(id=d.id + "-1000", text=" ".join(text.split(" ")[:1000]))
        b_text = a.text.replace(" said", " told reporters", 3).replace("1", "7", 2)
        pairs.append((a, Document(id=a.id + "~", text=b_text)))

    def cold(fn):
        clear_caches()
        return fn()

    align_ms = [1000 * _time(lambda: cold(lambda: align(a.text, b.text)), 5) for a, b in pairs]
    align_warm_ms = [1000 * _time(lambda: align(a.text, b.text), 5) for a, b in pairs]
    diff_ms = [1000 * _time(lambda: cold(lambda: compare(a, b)), 5) for a, b in pairs]
    return {
        "pair_words": [len(a.text.split()) for a, _ in pairs],
        "align_ms_median": round(statistics.median(align_ms), 2),
        "align_ms_max": round(max(align_ms), 2),
        "align_warm_ms_median": round(statistics.median(align_warm_ms), 2),
        "diff_ms_median": round(statistics.median(diff_ms), 2),
        "diff_ms_max": round(max(diff_ms), 2),
    }


def _cpu_ms(fn) -> float:
    t0 = time.process_time()
    fn()
    return 1000 * (time.process_time() - t0)


def _stats(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"median": round(statistics.median(ms), 3), "p90": round(ms[int(0.9 * (len(ms) - 1))], 3), "mean": round(statistics.mean(ms), 3)}


def derived_pairs(n_sources: int) -> list[tuple[Document, Document]]:
    """(source, copy) pairs of the syndication generator: a duplicate, reprint, rewrite and
    partial copy of each of ``n_sources`` BBC and Reuters articles."""
    from benchmarks import syndication  # noqa: PLC0415

    corpus = syndication.build(sources=n_sources)
    by_id = {d.id: d for d in corpus.docs}
    return [(by_id[e.source], by_id[e.copy]) for e in corpus.expected]


def pair_timing(pairs: list[tuple[Document, Document]], rounds: int = 3) -> dict:
    """CPU time of ``compare`` on one derived pair whose alignment is made, in three states:
    cold (every cache empty, then the alignment made: align's per-text caches warm, drift's
    not), source cached (the source compared before, as the index compares its stored
    source with many incoming copies; the copy new) and warm (the same pair again)."""
    seeds = [_seed(n) for n in range(5)]
    pairs = [(seeds[0], seeds[k]) for k in (1, 3, 2)] + pairs
    out: dict[str, list[float]] = {"cold": [], "source_cached": [], "warm": []}
    for _ in range(rounds):
        for a, b in pairs:
            for state in out:
                clear_caches()
                if state == "source_cached":
                    compare(a, a)  # every per-text cache of the source filled
                al = align(a.text, b.text, a_zones=a.zones, b_zones=b.zones)
                if state == "warm":
                    compare(a, b, alignment=al)
                out[state].append(_cpu_ms(lambda: compare(a, b, alignment=al)))
    clear_caches()
    return {"pairs": len(pairs), "rounds": rounds, **{k: _stats(v) for k, v in out.items()}}


def _seed(n: int) -> Document:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import seed_document  # noqa: PLC0415

    return seed_document(n)


def _scan_ratio(folder: str, reps: int) -> dict:
    """CPU time of a plain in-process scan and of one with drift, interleaved, caches emptied each time."""
    from dedup.scan import scan  # noqa: PLC0415

    plain, drift = [], []
    res = None
    for _ in range(reps):
        clear_caches()
        plain.append(_cpu_ms(lambda: scan([folder], workers=1)))
        clear_caches()
        t0 = time.process_time()
        res = scan([folder], workers=1, drift=True)
        drift.append(1000 * (time.process_time() - t0))
    p, d = statistics.median(plain), statistics.median(drift)
    derived = sum(1 for r in res.relations if r.kind.derived)
    return {"documents": len(res.documents), "derived_pairs": derived, "scan_ms": round(p, 1), "scan_drift_ms": round(d, 1),
            "scan_drift_ratio": round(d / p, 2), "drift_ms_per_pair": round((d - p) / max(derived, 1), 2)}


def seeds_overhead() -> dict:
    """Aligning every pair of the seeds (what verification does) vs aligning plus drift."""
    docs = [_seed(n) for n in range(5)]
    pairs = [(a, b) for i, a in enumerate(docs) for b in docs[i + 1 :]]

    def align_all():
        clear_caches()
        return [align(a.text, b.text) for a, b in pairs]

    def align_and_drift():
        clear_caches()
        return [compare(a, b, alignment=align(a.text, b.text)) for a, b in pairs]

    t_align = _time(align_all, 5)
    t_both = _time(align_and_drift, 5)
    out = {"pairs": len(pairs), "align_all_ms": round(1000 * t_align, 1), "align_plus_drift_ms": round(1000 * t_both, 1),
           "drift_ms_per_pair": round(1000 * (t_both - t_align) / len(pairs), 2)}
    # `dedup scan --drift` against `dedup scan` (target: at most 2x), CPU time in one process
    out["scan"] = _scan_ratio(str(ROOT / "seeds"), 9)
    return out


def folder_overhead(n: int) -> dict:
    """``scan --drift`` against ``scan`` on the speed benchmark's folder of n BBC, Reuters and syndicated articles."""
    from benchmarks.speed import article_folder  # noqa: PLC0415

    return _scan_ratio(str(article_folder(n)), 3)


# --- main ------------------------------------------------------------------------------------------


def load_articles(n_bbc: int, n_reuters: int, rng) -> list[Document]:
    b = list(bbc())
    rng.shuffle(b)
    r = [d for d in reuters(limit=4000) if 120 <= len(d.text.split()) <= 1200]
    rng.shuffle(r)
    return b[:n_bbc] + r[:n_reuters]


def run(n_bbc: int, n_reuters: int, per_kind: int, *, pair_sources: int = 40, folder: int = 2000) -> dict:
    rng = random.Random(SEED)
    t_start = time.perf_counter()
    articles = load_articles(n_bbc, n_reuters, rng)
    tally = Tally()
    made = Counter()
    cases: list[Case] = []
    for doc in articles:
        for kind, inj in INJECTORS.items():
            if made[kind] >= per_kind:
                continue
            c = inj(doc, rng)
            if c is not None and c.b.text != c.a.text:
                cases.append(c)
                made[kind] += 1
        if made["claim_added"] < per_kind:
            c = inject_claim_added(doc, rng, articles) if made["claim_added"] % 2 == 0 else inject_claim_clause(doc, rng)
            if c is not None:
                cases.append(c)
                made["claim_added"] += 1
    negatives: list[Case] = []
    style_counts = Counter()
    for doc in articles:
        negatives.append(Case("unchanged", doc, replace(doc, id=doc.id + "~same")))
        for name, text in style_edits(doc):
            negatives.append(Case("style", doc, replace(doc, id=doc.id + "~" + name, text=text), style=name))
            style_counts[name] += 1
    neg_by = Counter()
    neg_false = Counter()
    for c in cases:
        score_case(c, compare(c.a, c.b), tally)
    for c in negatives:
        al = align(c.a.text, c.b.text, a_zones=c.a.zones, b_zones=c.b.zones)
        found = compare(c.a, c.b, alignment=al)
        before = sum(tally.fp.values())
        score_case(c, found, tally)
        label = c.style or c.kind
        neg_by[label] += len(al.pairs)
        neg_false[label] += sum(tally.fp.values()) - before
    per_kind_out = {}
    for k in KINDS:
        tp, fp = tally.tp[k], tally.fp[k]
        n, hit = tally.cases[k], tally.found[k]
        per_kind_out[k] = {
            "cases": n,
            "recall": round(hit / n, 3) if n else None,
            "findings": tp + fp,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        }
    neg_pairs = sum(neg_by.values())
    neg_fp = sum(neg_false.values())
    rng_t = random.Random(SEED)
    out = {
        "benchmark": "drift",
        "articles": {"bbc": n_bbc, "reuters": n_reuters},
        "cases": sum(made.values()),
        "negatives": {"copies": len(negatives), "aligned_pairs": neg_pairs, "false_findings": neg_fp,
                      "false_per_100_pairs": round(100 * neg_fp / neg_pairs, 3) if neg_pairs else None,
                      "by_edit": {k: {"pairs": neg_by[k], "false": neg_false[k], "per_100": round(100 * neg_false[k] / neg_by[k], 3) if neg_by[k] else None} for k in sorted(neg_by)}},
        "per_kind": per_kind_out,
        "timing": timing(articles, rng_t),
        "pair_cpu_ms": pair_timing(derived_pairs(pair_sources)) if pair_sources else None,
        "seeds_drift_overhead": seeds_overhead(),
        "folder_drift_overhead": folder_overhead(folder) if folder else None,
        "false_examples": tally.false_examples,
        "missed_examples": tally.missed_examples[:40],
        "seconds": None,
        "load_average_1m": round(os.getloadavg()[0], 2),  # timing/seeds align: wall clock; pair_cpu_ms and scan ratios: CPU time
        "commit": _commit(),
    }
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    return out


def _commit() -> str | None:
    import subprocess  # noqa: PLC0415

    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "dedup/drift", "benchmarks/drift_bench.py"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+drift-changes" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bbc", type=int, default=250, help="BBC articles to edit")
    ap.add_argument("--reuters", type=int, default=250, help="Reuters articles to edit")
    ap.add_argument("--per-kind", type=int, default=80, help="injected cases per kind at most")
    ap.add_argument("--show", action="store_true", help="also print false and missed examples")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write benchmarks/results/drift.json")
    ap.add_argument("--pair-sources", type=int, default=40, help="syndicated sources whose 4 copies time compare per pair (0: skip)")
    ap.add_argument("--folder", type=int, default=2000, help="articles in the folder timed with scan vs scan --drift (0: skip)")
    args = ap.parse_args()
    res = run(args.bbc, args.reuters, args.per_kind, pair_sources=args.pair_sources, folder=args.folder)
    print(f"drift benchmark: {res['cases']} injected cases over {args.bbc} BBC + {args.reuters} Reuters articles")
    print(f"{'kind':28s} {'cases':>5s} {'recall':>7s} {'found':>6s} {'precision':>9s}")
    for k, v in res["per_kind"].items():
        r = "-" if v["recall"] is None else f"{v['recall']:.3f}"
        p = "-" if v["precision"] is None else f"{v['precision']:.3f}"
        flag = "" if (v["recall"] in (None,) or v["recall"] >= 0.95) and (v["precision"] is None or v["precision"] >= 0.95) else "  < 0.95"
        print(f"{k:28s} {v['cases']:5d} {r:>7s} {v['findings']:6d} {p:>9s}{flag}")
    n = res["negatives"]
    print(f"negatives: {n['copies']} unchanged/style-only copies, {n['aligned_pairs']} aligned sentence pairs, "
          f"{n['false_findings']} false findings = {n['false_per_100_pairs']} per 100 pairs (target < 0.5)")
    for k, v in n["by_edit"].items():
        print(f"  {k:16s} {v['pairs']:6d} pairs {v['false']:4d} false  {v['per_100']} per 100")
    t = res["timing"]
    print(f"timing (~1,000-word pairs {t['pair_words'][:3]}...): align {t['align_ms_median']} ms median (max {t['align_ms_max']}, "
          f"{t['align_warm_ms_median']} ms with sentences cached); diff {t['diff_ms_median']} ms median (max {t['diff_ms_max']})")
    if res["pair_cpu_ms"]:
        pc = res["pair_cpu_ms"]
        print(f"compare per derived pair ({pc['pairs']} pairs, CPU ms median/p90): cold {pc['cold']['median']}/{pc['cold']['p90']}, "
              f"source cached {pc['source_cached']['median']}/{pc['source_cached']['p90']}, warm {pc['warm']['median']}/{pc['warm']['p90']}")
    print(f"seeds: {res['seeds_drift_overhead']}")
    if res["folder_drift_overhead"]:
        print(f"folder: {res['folder_drift_overhead']}")
    print(f"took {res['seconds']} s")
    if args.show:
        for e in res["false_examples"]:
            print("FALSE", e)
        for e in res["missed_examples"]:
            print("MISSED", e)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

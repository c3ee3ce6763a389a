"""A hand-built ScanResult over the seed articles, for the report tests.

The documents are the seeds (boilerplate lines set aside as ``Stripped``, the
two-story file 002 split in parts) plus one reprint made from seed 004; passages
are found in the real texts, so offsets and excerpts are the ones a scan would
report. Relations, stories and events are what the seeds are: 000 is AFP's
story, 001 rewrites it, 003 quotes it; 004 is Reuters' story and 005 reprints
it with one figure changed; 002 part 1 is an independent report of the event
and 002 part 2 an unrelated story.
"""

from __future__ import annotations

import pathlib

from dedup.records import (
    DriftSummary,
    Edge,
    Event,
    Finding,
    Passage,
    RelationKind,
    Relation,
    ScanResult,
    Scores,
    Skipped,
    Story,
    Stripped,
    Document,
    Zone,
)

SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"

A000 = "000_5fb3c171b1b35303.txt"
A001 = "001_1358a161da439dff.txt"
A002 = "002_ceff1de251848dd9.txt"
A003 = "003_f3821e7373f8b08f.txt"
A004 = "004_bf4bf788d45fc931.txt"
A005 = "005_reprint_of_004.txt"
BAD_NAME = "caf\udce9.txt"  # a file name whose bytes are not UTF-8, as os.fsdecode returns it


def _clean(raw: str, boilerplate: dict[str, str]) -> tuple[str, tuple[Stripped, ...]]:
    """Set aside the lines named in ``boilerplate`` (line text -> reason)."""
    kept, stripped = [], []
    for n, line in enumerate(raw.splitlines(), start=1):
        reason = boilerplate.get(line.strip())
        if reason:
            stripped.append(Stripped(text=line, reason=reason, line=n))
        else:
            kept.append(line)
    return "\n".join(kept).strip(), tuple(stripped)


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def passage(a: Document, b: Document, a_needle: str, b_needle: str | None = None, *, kind: str, score: float) -> Passage:
    a_start, a_end = _span(a.text, a_needle)
    b_start, b_end = _span(b.text, b_needle if b_needle is not None else a_needle)
    return Passage(a_start, a_end, b_start, b_end, kind, score)


def _scores(j, cab, cba, cj, aa, ab, order, ent, cap=0.0) -> Scores:
    return Scores(j, cab, cba, cj, aa, ab, order, ent, cap)


def documents() -> dict[str, Document]:
    read = lambda name: (SEEDS / name).read_text(encoding="utf-8")  # noqa: E731

    t000, s000 = _clean(
        read(A000),
        {
            "[ad_1]": "ad marker",
            "[ad_2]": "ad marker",
            "Published – January 31, 2026 02:12 pm IST": "publication stamp",
            "Ten security officials, 37 militants killed in Southwest Pakistan attacks: official": "headline",
        },
    )
    t001, s001 = _clean(read(A001), {})
    raw002 = read(A002)
    cut = raw002.index("Pakistani, Libyan commanders discuss")
    share = {"Short Url": "share button", "Follow": "share button", "1 / 3": "gallery counter",
             "2 / 3": "gallery counter", "3 / 3": "gallery counter"}
    t002a, s002a = _clean(raw002[:cut], share)
    t002b, s002b = _clean(raw002[cut:], share)
    t003, s003 = _clean(
        read(A003),
        {
            "app-store-logo": "app-store line",
            "play-store-logo": "app-store line",
            "Latest News": "navigation",
            "Popular Videos": "navigation",
        },
    )
    t004, s004 = _clean(read(A004), {"×": "close button"})
    # 005: the first five paragraphs of 004 under a new headline, one figure changed
    body004 = t004[t004.index("QUETTA, Pakistan") :]
    t005 = "\n\n".join(body004.split("\n\n")[:5]).replace("11 civilians", "12 civilians")

    caption = "Pakistani army soldiers and other security officials examine a site"
    c_start = t002a.index(caption)
    c_end = t002a.index("\n", c_start)
    return {
        A000: Document(A000, t000, title="Ten security officials, 37 militants killed in Southwest Pakistan attacks: official",
                       source="The Hindu", published="2026-01-31T08:42:00+00:00", path=f"seeds/{A000}", stripped=s000),
        A001: Document(A001, t001, title=None, path=f"seeds/{A001}", stripped=s001),
        f"{A002}#1": Document(f"{A002}#1", t002a,
                              title="Pakistan says 67 militants, 10 troops killed as security forces repel attacks in Balochistan",
                              source="Arab News", path=f"seeds/{A002}", stripped=s002a,
                              zones=(Zone(c_start, c_end, "caption"),), parent=A002, part=1),
        f"{A002}#2": Document(f"{A002}#2", t002b,
                              title="Pakistani, Libyan commanders discuss regional security, military cooperation",
                              source="Arab News", path=f"seeds/{A002}", stripped=s002b, parent=A002, part=2),
        A003: Document(A003, t003, title="Pakistan’s Balochistan Hit by Coordinated Rebel Attacks; 47 Killed",
                       source="The CSR Journal", published="2026-01-31", path=f"seeds/{A003}", stripped=s003),
        A004: Document(A004, t004, title="Pakistan says 67 militants killed after coordinated attacks in Balochistan",
                       source="Reuters", published="2026-01-31T07:29:00+05:00", path=f"seeds/{A004}", stripped=s004),
        A005: Document(A005, t005, title="67 militants killed in Balochistan attacks, officials say",
                       source="Regional Daily", url="https://example.org/news/balochistan-67", path=f"seeds/{A005}"),
    }


def scan_result() -> ScanResult:
    d = documents()
    r_000_001 = Relation(
        A000, A001, RelationKind.REWRITE, 0.71,
        _scores(0.08, 0.11, 0.13, 0.46, 0.86, 0.79, 0.93, 0.82),
        evidence=(
            passage(d[A000], d[A001], "“Thirty-seven terrorists have been eliminated…",
                    "“Thirty-seven terrorists have been eliminated,” the official stated.", kind="aligned", score=0.91),
            passage(d[A000], d[A001], "“coordinated but poorly executed”", "“coordinated but poorly executed,”",
                    kind="quote", score=1.0),
            passage(d[A000], d[A001], "failed due to poor planning and rapid collapse under effective security response",
                    kind="verbatim", score=1.0),
        ),
        reasons=("86% of 000's sentences are reworded in 001, in the same order", "few shared word runs: reworded, not trimmed"),
    )
    r_000_003 = Relation(
        A000, A003, RelationKind.PARTIAL, 0.38,
        _scores(0.03, 0.05, 0.02, 0.21, 0.36, 0.14, 0.8, 0.64),
        evidence=(
            passage(d[A000], d[A003], "“coordinated but poorly executed”", kind="quote", score=1.0),
            passage(d[A000], d[A003], "“failed due to poor planning and rapid collapse under effective security response,”",
                    "“The attacks failed due to poor planning and rapid collapse under an effective security response,”",
                    kind="quote", score=0.94),
        ),
        reasons=("003 reuses 36% of 000's sentences and adds its own reporting",),
        drift=DriftSummary(
            A000, A003, counts=(("attribution_dropped", 1), ("weekday_changed", 1)),
            high=(Finding("weekday_changed", "high", "Saturday", "Tuesday", (165, 173), None,
                          note="January 31, 2026 was a Saturday"),
                  Finding("attribution_dropped", "high", "a senior security official told AFP", "", (360, 396), None,
                          note="wire credit AFP dropped")),
        ),
    )
    r_001_003 = Relation(
        A001, A003, RelationKind.PARTIAL, 0.34,
        _scores(0.02, 0.03, 0.02, 0.19, 0.31, 0.12, 0.75, 0.6),
        evidence=(passage(d[A001], d[A003], "“coordinated but poorly executed,”", "“coordinated but poorly executed”",
                          kind="quote", score=0.97),),
    )
    span = "Some 10 police and security personnel and 11 civilians were also killed during the orchestrated militant attacks"
    r_004_005 = Relation(
        A004, A005, RelationKind.REPRINT, 0.86,
        _scores(0.41, 0.42, 0.97, 0.44, 0.44, 1.0, 1.0, 0.52),
        evidence=(
            passage(d[A004], d[A005], d[A005].text[: d[A005].text.index("Some 10 police")].strip(), kind="verbatim", score=1.0),
            passage(d[A004], d[A005], span, span.replace("11 civilians", "12 civilians"), kind="aligned", score=0.97),
        ),
        reasons=("005 keeps 97% of its word runs from 004: a trimmed reprint",),
        drift=DriftSummary(
            A004, A005, counts=(("number_changed", 1),),
            high=(Finding("number_changed", "high", "11 civilians", "12 civilians", None, None,
                          a_sentence=span, b_sentence=span.replace("11 civilians", "12 civilians")),),
        ),
    )
    r_000_004 = Relation(
        A000, A004, RelationKind.SAME_EVENT, 0.31,
        _scores(0.01, 0.02, 0.02, 0.12, 0.1, 0.08, 0.5, 0.71),
        reasons=("same people, places and date; no shared wording",),
    )
    r_002_004 = Relation(
        f"{A002}#1", A004, RelationKind.SAME_EVENT, 0.29,
        _scores(0.01, 0.01, 0.01, 0.1, 0.07, 0.06, 0.5, 0.68),
    )
    stories = (
        Story(
            "s1", (A000, A001, A003), A000,
            edges=(
                Edge(A000, A001, RelationKind.REWRITE, 0.9,
                     ("000 carries a publication time; 001 none", "001 rewords 000's sentences in 000's order")),
                Edge(A000, A003, RelationKind.PARTIAL, 0.5, ("003 quotes 000's wording; the direction is a guess",)),
            ),
            origin_evidence=("earliest publication time (2026-01-31T08:42:00+00:00)",
                             "the other members reuse its wording; it reuses none of theirs"),
        ),
        Story(
            "s2", (A004, A005), A004,
            edges=(Edge(A004, A005, RelationKind.REPRINT, 0.95, ("005 is contained in 004 (97%), not the reverse (42%)",)),),
            origin_evidence=("contains the other member",),
        ),
    )
    events = (Event("e1", ("s1", "s2"), (A000, A001, A003, A004, A005, f"{A002}#1")),)
    skipped = (
        Skipped("photo.jpg", "binary file (JPEG image), not text", "seeds/photo.jpg"),
        Skipped(BAD_NAME, "cannot read 'caf\\xe9.txt': not UTF-8 or Latin-1 text (binary?); pass --encoding or skip with --skip-binary",
                f"seeds/{BAD_NAME}"),
    )
    return ScanResult(
        documents=tuple(d.values()),
        relations=(r_000_001, r_000_003, r_001_003, r_004_005, r_000_004, r_002_004),
        stories=stories,
        events=events,
        skipped=skipped,
        # literal values, not FingerprintParams(): the golden files must not move when a default does
        params={"fingerprint": {"shingle_size": 5, "num_perm": 128, "seed": 1}, "drift": True, "paths": ("seeds",)},
    )


def empty_result() -> ScanResult:
    return ScanResult(documents=(), relations=(), stories=(), events=(), skipped=())

"""Boilerplate rules, captions, headlines and story splitting, on the seeds, BBC and made-up layouts."""

from __future__ import annotations

import os
import pathlib
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.ingest import IngestOptions, document_from_text, read_inputs
from dedup.ingest.boilerplate import CAPTION_REASON, clean, line_rule
from dedup.ingest.decode import decode
from dedup.ingest.split import similarity, split_text, story_starts
from dedup.records import Document, Skipped

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC = ROOT.parent / "shared" / "data" / "bbc-news"


def _seed(n: int) -> str:
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


def _stripped(c) -> dict[str, str]:
    return {s.text: s.reason for s in c.stripped}


def _bbc_files(k: int, seed: int = 7) -> list[pathlib.Path]:
    files = sorted(BBC.glob("*/*.txt"))
    if not files:
        pytest.skip(f"BBC corpus not found under {BBC}")
    return random.Random(seed).sample(files, min(k, len(files)))


def _bbc_text(path: pathlib.Path) -> str:
    return decode(path.read_bytes())[0]


# --- single-line rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line,reason",
    [
        ("[ad_1]", "ad marker"),
        ("ADVERTISEMENT", "ad marker"),
        ("Story continues below advertisement", "ad marker"),
        ("Published \u2013 January 31, 2026 02:12 pm IST", "publication stamp"),
        ("Published: 3 Feb 2025", "publication stamp"),
        ("Updated 31 January 2026", "update stamp"),
        ("Updated 6 sec ago", "update stamp"),
        ("Last Updated: Jan 31, 2026, 14:12 IST", "update stamp"),
        ("January 31, 2026", "date line"),
        ("1 / 3", "gallery counter"),
        ("Image 2 of 12", "gallery counter"),
        ("Follow", "share/follow button"),
        ("Short Url", "share/follow button"),
        ("Share this article", "share/follow button"),
        ("Latest News", "site navigation"),
        ("Popular Videos", "site navigation"),
        ("Most Read", "site navigation"),
        ("Also Read: Markets rally as inflation cools", "related-article link"),
        ("app-store-logo", "app-store line"),
        ("Get it on Google Play", "app-store line"),
        ("\u00d7", "lone symbol (close button or separator)"),
        ("* * *", "lone symbol (close button or separator)"),
        ("By Thomson Reuters Jan 31, 2026 | 7:29 AM", "byline"),
        ("By Saleem Ahmed", "byline"),
        ("(Reporting by Saleem Ahmed; Editing by Gareth Jones)", "agency credit (reporting/editing)"),
        ("Reporting by Jane Doe in London; Editing by John Roe", "agency credit (reporting/editing)"),
        ("\u00a9 2025 The Daily Ledger. All rights reserved.", "copyright line"),
        ("https://example.com/a/b", "bare link"),
        ("Google Play Store \u2013 https://play.google.com/store/apps/details?id=com.x.y", "app-store line"),
        ("Long or Short, get news the way you like. No ads. Download Newsapp and Stay Alert, the Mobile app, for updates!",
         "newsletter/app promo"),
        ("Sign up for our morning newsletter to get the day's top stories.", "newsletter/app promo"),
    ],
)
def test_line_rules(line, reason):
    assert line_rule(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Published in 1998, the report found that most ports were unprepared for storms.",
        "Updated figures showed the economy grew 2% in the third quarter.",
        "By contrast, the opposition said the plan would cost jobs.",
        "By Monday, the fighting had stopped in most districts.",
        "Google Play removed the app after complaints from users, the company said.",
        "Research by the university found that the drug halved the risk.",
        "Copyright law was changed in 2003 to cover digital works.",
        "Follow-up operations were under way, officials said.",
        "The company said users could download the app from its website.",
        "Share prices fell 3% in early trading.",
        "MIGRANT WORKERS TARGETED IN GWADAR",
    ],
)
def test_body_lines_are_not_boilerplate(line):
    assert line_rule(line) is None


# --- seeds -----------------------------------------------------------------------------------------


def test_seed_000_ads_stamp_and_trailing_headline():
    c = clean(_seed(0))
    got = _stripped(c)
    assert got["[ad_1]"] == got["[ad_2]"] == "ad marker"
    assert got["Published \u2013 January 31, 2026 02:12 pm IST"] == "publication stamp"
    assert c.title == "Ten security officials, 37 militants killed in Southwest Pakistan attacks: official"
    for gone in ("[ad_", "Published", c.title):
        assert gone not in c.text
    assert c.text.startswith("At least 10 security officials and 37 militants were killed")
    assert c.text.endswith("dozens of people were killed.")
    assert c.published == "2026-01-31T14:12+05:30"


def test_seed_003_store_lines_navigation_and_promo():
    c = clean(_seed(3))
    reasons = set(_stripped(c).values())
    assert {"app-store line", "site navigation", "newsletter/app promo", "date line"} <= reasons
    for gone in ("app-store-logo", "play-store-logo", "Latest News", "Popular Videos", "Newspin", "apps.apple.com",
                 "play.google.com", "The CSR Journal Magazine"):
        assert gone not in c.text
    assert c.title == "Pakistan\u2019s Balochistan Hit by Coordinated Rebel Attacks; 47 Killed"
    assert c.text.startswith("At least 10 security personnel and 37 insurgents were killed")
    # Subheads inside the story stay.
    assert "Attacks Across Multiple Districts" in c.text


def test_seed_004_close_button_bylines_and_credits():
    c = clean(_seed(4))
    got = _stripped(c)
    assert got["\u00d7"] == "lone symbol (close button or separator)"
    assert got["By Thomson Reuters Jan 31, 2026 | 7:29 AM"] == "byline"
    assert got["By Saleem Ahmed"] == "byline"
    assert any(r == "agency credit (reporting/editing)" for r in got.values())
    assert "\u00d7" not in c.text and "By Thomson" not in c.text and "Reporting by" not in c.text
    assert c.title == "Pakistan says 67 militants killed after coordinated attacks in Balochistan"
    assert c.text.startswith("QUETTA, Pakistan, Jan 31 (Reuters) \u2013 At least 67 militants")
    assert "MIGRANT WORKERS TARGETED IN GWADAR" in c.text


def test_seed_002_splits_into_two_stories_with_caption_zones():
    docs = document_from_text(_seed(2), id="002")
    assert [(d.id, d.parent, d.part) for d in docs] == [("002#1", "002", 1), ("002#2", "002", 2)]
    first, second = docs
    assert first.title == "Pakistan says 67 militants, 10 troops killed as security forces repel attacks in Balochistan"
    assert second.title == "Pakistani, Libyan commanders discuss regional security, military cooperation"
    assert "Haftar" in second.text and "Haftar" not in first.text
    assert second.text.startswith("\u2022 The meeting follows reports")
    assert "Quetta" in first.text and "Libya" not in first.text
    # Five AFP/AP captions, kept in the text as caption zones and listed as stripped.
    captions = [first.text[z.start : z.end] for z in first.zones if z.kind == "caption"]
    assert len(captions) == 5
    assert all(c.endswith(("(AP)", "(AFP)")) for c in captions)
    assert sum(s.reason == CAPTION_REASON for s in first.stripped) == 5
    assert not any(z.kind == "caption" for z in second.zones)
    # Stamps, buttons and repeated headlines are gone from both parts; line numbers are the file's.
    for d in docs:
        for gone in ("Short Url", "Updated", "Follow\n", "1 / 3", d.title):
            assert gone not in d.text
    assert [(s.line, s.reason) for s in second.stripped] == [
        (55, "headline (moved to title)"), (57, "update stamp"), (58, "share/follow button"), (60, "repeated headline"),
    ]


def test_seeds_000_001_003_004_are_single_stories():
    for n in (0, 1, 3, 4):
        (doc,) = document_from_text(_seed(n), id=str(n))
        assert doc.parent is None and doc.part is None and doc.id == str(n)


def test_split_can_be_turned_off():
    (doc,) = document_from_text(_seed(2), id="002", options=IngestOptions(split_stories=False))
    assert doc.id == "002" and "Haftar" in doc.text


# --- captions, headlines ----------------------------------------------------------------------------


def test_caption_after_gallery_counter_and_article_credit_at_the_end():
    raw = (
        "Storm closes ports\n\n2 / 5\nWaves hit the sea wall in the harbour on Tuesday.\n\n"
        "Heavy storms closed three ports along the northern coast on Tuesday, officials said.\n\n"
        "Ferries were cancelled until Thursday, the harbour authority said. (AFP)\n"
    )
    c = clean(raw)
    zones = [c.text[z.start : z.end] for z in c.zones]
    assert zones == ["Waves hit the sea wall in the harbour on Tuesday."]
    # A bare agency credit closing the last paragraph credits the article, not a photo.
    assert c.text.endswith("the harbour authority said. (AFP)")


def test_headline_kept_as_zone_when_the_standfirst_also_reads_like_a_headline():
    raw = "Screensaver tackles spam websites\n\nNet users are getting the chance to fight back against spam websites\n\nThe screensaver sends requests to the sites, a company said.\n"
    c = clean(raw)
    assert c.title == "Screensaver tackles spam websites"
    assert c.text.startswith("Screensaver tackles spam websites\n\nNet users")
    assert [(z.kind, c.text[z.start : z.end]) for z in c.zones] == [("headline", "Screensaver tackles spam websites")]
    assert clean(c.text).text == c.text


# Wire copy hard-wrapped at ~65 characters: the body's first line is short, capitalised and has no
# full stop, as a kicker or a byline has.
WRAPPED = """OWENS-ILLINOIS <OI> FILES 2.05 BILLION DLR OFFER

WASHINGTON, April 3 - Ownes-Illinois Holdings Corp filed
with the Securities and Exchange Commission for debt offerings
with principal amounts totalling 2.05 billion dlrs.
"""
RESULTS = """SHOWBIZ PIZZA TIME INC <SHBZ> 4TH QTR NET

PITTSBURGH, April 1 - 4th qtr
Shr 14 cts vs 14 cts
Net 210,000 vs 211,000
    Year
Shr 56 cts vs 56 cts
Net 838,000 vs 841,000
"""


def test_the_first_lines_of_wrapped_wire_copy_are_body_not_header_lines():
    c = clean(WRAPPED)
    assert c.title == "OWENS-ILLINOIS <OI> FILES 2.05 BILLION DLR OFFER"
    assert c.text.startswith("WASHINGTON, April 3 - Ownes-Illinois Holdings Corp filed\nwith the Securities")
    assert [x.reason for x in c.stripped] == ["headline (moved to title)"]
    # a results table opened by its dateline keeps the quarter's figures
    c = clean(RESULTS)
    assert c.text.startswith("PITTSBURGH, April 1 - 4th qtr\nShr 14 cts vs 14 cts\nNet 210,000 vs 211,000")
    # without a headline, the dateline line is not taken for one
    c = clean(WRAPPED.split("\n\n", 1)[1])
    assert c.title is None and c.text.startswith("WASHINGTON, April 3 -")
    # a table's rows, fields set apart by runs of spaces, are body too
    c = clean("KANSAS CITY SHIPMENTS AND RECEIPTS\n\nAs of April 7  - in bushels\n Truck Receipts\n  Wheat    73,684\n  Corn     17,979\n")
    assert c.title == "KANSAS CITY SHIPMENTS AND RECEIPTS"
    assert "Wheat    73,684" in c.text and not [x for x in c.stripped if x.reason.startswith("header line")]
    # header lines set off as their own paragraphs are still header lines
    c = clean("Blackburn v Burnley\n\nEwood Park\n\nTuesday, 1 March\n\n2000 GMT\n\n"
              "Blackburn will be without defender Andy Todd, who is suspended, the club said.\n")
    assert [x.text for x in c.stripped if x.reason.startswith("header line")] == ["Ewood Park", "Tuesday, 1 March", "2000 GMT"]


def test_known_title_strips_its_repetition():
    c = clean("Big storm hits coast\n\nThe storm closed three ports on Tuesday, officials said.", title="Big Storm Hits Coast")
    assert c.text == "The storm closed three ports on Tuesday, officials said."
    assert c.title == "Big Storm Hits Coast"


# --- idempotence ----------------------------------------------------------------------------------

_LINES = st.sampled_from(
    [
        "", "[ad_1]", "Follow", "1 / 3", "Updated 6 sec ago", "Latest News", "\u00d7", "By Jane Doe",
        "Storm closes ports", "Big Storm Hits Coast", "Ewood Park", "Tuesday, 1 March",
        "Heavy storms closed three ports on Tuesday, officials said.",
        "Waves hit the sea wall in the harbour on Tuesday. (AFP)",
        "Net users are getting the chance to fight back against spam websites",
        "\u2022 Ferries were cancelled", "ISLAMABAD: Officials met on Monday to discuss the plan in detail today, said a statement from the office.",
        "Published \u2013 January 31, 2026 02:12 pm IST", "(Reporting by Jane Doe; Editing by John Roe)",
        "WASHINGTON, April 3 - Ownes-Illinois Holdings Corp filed", "with the Securities and Exchange Commission",
        "Shr 14 cts vs 14 cts", "Wheat    73,684",
    ]
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(_LINES, max_size=14).map("\n".join), st.text(max_size=300)))
def test_clean_is_idempotent_on_its_output(raw):
    once = clean(raw)
    assert clean(once.text).text == once.text


def test_clean_is_idempotent_on_seeds_and_bbc():
    texts = [_seed(n) for n in range(5)] + [_bbc_text(p) for p in _bbc_files(300)]
    for raw in texts:
        once = clean(raw).text
        assert clean(once).text == once


# --- story splitting -------------------------------------------------------------------------------


def test_no_bbc_article_is_split():
    for path in _bbc_files(300):
        assert story_starts(_bbc_text(path)) == (), path


def test_two_unrelated_articles_behind_a_stamp_block_are_split():
    a, b = (_bbc_text(p) for p in _bbc_files(2, seed=3))
    joined = a.rstrip() + "\n\n" + b.splitlines()[0] + "\n\nUpdated 6 sec ago\nFollow\n\n" + b
    parts = split_text(joined)
    assert len(parts) == 2
    docs = document_from_text(joined, id="x")
    assert [d.id for d in docs] == ["x#1", "x#2"]
    assert docs[1].title == b.splitlines()[0].strip()


def test_a_dateline_or_repeated_line_inside_one_story_does_not_split_it():
    text = _bbc_text(_bbc_files(1, seed=11)[0])
    paras = text.split("\n\n")
    mid = len(paras) // 2
    # A dateline paragraph that quotes the story's own sentences, and a repeated line.
    quoted = "LONDON: " + paras[mid]
    repeated = [paras[0], paras[0]]
    for variant in (paras[:mid] + [quoted] + paras[mid:], paras[:mid] + repeated + paras[mid:]):
        assert story_starts("\n\n".join(variant)) == ()


def test_similarity_is_symmetric_and_bounded():
    a, b = _seed(0), _seed(4)
    assert similarity(a, b) == pytest.approx(similarity(b, a))
    assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity(a, a) == pytest.approx(1.0)
    assert similarity("", a) == 0.0


_QUETTA = ("QUETTA, Pakistan, Jan 31 (Reuters) - At least 67 militants were killed in coordinated attacks across "
           "Balochistan, officials said on Saturday.")


def _many_starts(kind: str) -> str:
    """A page of many possible story starts, none of which splits it."""
    if kind == "seed-000-x100":  # a headline, stamp and story, over and over
        return (_seed(0) + "\n") * 100
    if kind == "dateline-x600":  # a start tried at every line
        return (_QUETTA + "\n\n") * 600
    # one long story with an update stamp every ~10,800 words
    paragraphs = [ln for ln in _seed(0).splitlines() if len(ln.split()) > 12 and line_rule(ln) is None]
    return "\nUpdated 6 sec ago\n".join(["\n".join(paragraphs * 30)] * 4)


@pytest.mark.parametrize("kind", ["seed-000-x100", "dateline-x600", "stamp-every-10k-words"])
def test_splitting_a_page_of_many_rejected_starts_is_linear_work(kind, monkeypatch):
    """The text before a start is taken from no further back than MAX_BEFORE_STARTS rejected starts
    and MAX_BEFORE_WORDS body words, so the lines cleaned for the comparisons stay within
    (MAX_BEFORE_STARTS + 1) times the page's lines. (All the text since the last split was cleaned
    and compared at each start: quadratic, found by fuzzing.)"""
    from dedup.ingest import split as splitting

    raw = _many_starts(kind)
    cleaned_lines, longest_before = [0], [0]
    clean_lines, compare = splitting.clean_lines, splitting.similarity

    def counting_clean_lines(lines, rules, **kw):
        cleaned_lines[0] += len(lines)
        return clean_lines(lines, rules, **kw)

    def measuring_similarity(before, after):
        longest_before[0] = max(longest_before[0], len(before.split()))
        return compare(before, after)

    monkeypatch.setattr(splitting, "clean_lines", counting_clean_lines)
    monkeypatch.setattr(splitting, "similarity", measuring_similarity)
    assert story_starts(raw) == ()
    assert 0 < cleaned_lines[0] <= (splitting.MAX_BEFORE_STARTS + 1) * len(raw.splitlines())
    assert 0 < longest_before[0] <= splitting.MAX_BEFORE_WORDS


# --- random bytes never break a read ------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       ext=st.sampled_from([".txt", ".html", ".json", ".jsonl", ".md"]))
def test_read_inputs_never_raises_on_random_bytes(tmp_path_factory, data, ext):
    d = tmp_path_factory.mktemp("rand")
    (d / f"f{ext}").write_bytes(data)
    items = list(read_inputs([str(d)]))
    assert items and all(isinstance(i, (Document, Skipped)) for i in items)
    for i in items:
        assert i.id.isprintable()
        if isinstance(i, Skipped):
            assert "\n" not in i.reason and str(d) in i.reason
    os.remove(d / f"f{ext}")


@pytest.mark.parametrize(
    "line,reason",
    [
        pytest.param("Share this article:", "share/follow button", id="share-colon"),
        pytest.param("- Advertisement -", "ad marker", id="ad-dashes"),
        pytest.param("Follow Metro Business Wire on Twitter and Facebook", "share/follow button", id="follow-outlet"),
        pytest.param("Share on Facebook | Share on Twitter | Email this story", "share/follow button", id="share-bar"),
        pytest.param("Reuter", "agency sign-off", id="reuter-signoff"),
        pytest.param("REUTER", "agency sign-off", id="reuter-caps"),
        pytest.param("He said he would follow the rules on Twitter.", None, id="sentence-about-twitter"),
        pytest.param("The PA said it would act.", None, id="sentence-naming-pa"),
    ],
)
def test_wire_and_site_furniture_lines(line, reason):
    from dedup.ingest.boilerplate import line_rule

    assert line_rule(line) == reason


def test_a_repeated_table_caption_with_rows_between_does_not_split_a_report():
    # Wire market reports repeat a table's caption line with rows in between (Reuters-21578's
    # yen CD rates): not a headline repeated over a header block, so not a new story.
    intro = _bbc_text(_bbc_files(1, seed=5)[0])
    caption = "    Average deposit rates of city, trust and long-term banks -"
    rows = [f"    {lo}-{lo + 30} days            {4 + lo / 1000:.2f} pct ({4.1 + lo / 900:.2f})" for lo in range(30, 400, 30)]
    table = [caption, *rows[:3], caption, *rows[3:], "    Average yen acceptance rates of city, trust and", "long-term banks -",
             *[r.replace("pct", "pct unquoted") for r in rows]]
    assert story_starts(intro.rstrip() + "\n" + "\n".join(table) + "\n REUTER\n") == ()



def test_short_line_rules_in_one_pass_equal_the_rules_tried_in_order(seeds_dir):
    """The short-line rules are tried as one pattern (the last one only on lines holding
    "store" or "play"); the reason must be that of the first rule matching the whole line."""
    from dedup.ingest import boilerplate as B

    def reference(bare: str) -> str | None:
        for reason, pattern in B._SHORT_RULES:
            if pattern.fullmatch(bare):
                return reason
        return None

    lines = [
        "App Store", "Get it on Google Play", "Download on the APP STORE", "Available on the Play-Store now",
        "GOOGLE PLAY", "Google  Play", "play store", "Share on Facebook", "[ad_1]", "Advertisement",
        "Published 2 hours ago", "Updated: Jan 31, 2026 10:15 IST", "Jan 31, 2026", "Photo 3 of 12",
        "Read more: the full story", "\u00a9 2026 Example News", "https://example.com/x", "Reuters",
        "Follow us on Twitter and Facebook", "Scroll to continue with content", "Home", "app \u017ftore",
        "The store was closed on Monday after the play was cancelled.", "Apple's App Store fees were cut.",
        "Shares of Google rose 3% in play on Monday", "Play Store", "PLAY\u2013STORE",
    ]
    lines += [ln.strip() for p in sorted(seeds_dir.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines()]
    found = set()
    for line in lines:
        if line and len(line) <= B.SHORT_LINE_CHARS:
            bare = line.strip(B._DECORATION) or line
            assert B._short_rule(bare) == reference(bare), line
            found.add(reference(bare))
    assert {"app-store line", "share/follow button", "ad marker", "publication stamp", None} <= found


# Every character a line's first three can be when they are all ASCII (the others are always tried).
_ASCII = [chr(c) for c in range(0x09, 0x0E)] + [chr(c) for c in range(0x1C, 0x7F)]


def _pattern_starts(items, k: int) -> set[str]:
    """The strings (lowercased) of up to ``k`` ASCII characters that a match of the parsed pattern
    ``items`` can open with: its first ``k`` characters, or the whole of a match shorter than ``k``.
    Case is ignored everywhere, and look-arounds and anchors are taken as empty: it may give too
    many, never too few."""
    import re._constants as C

    anything = {c.lower() for c in _ASCII}
    classes = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
               C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}

    def chars(op, av) -> set[str]:
        if op is C.LITERAL:
            return {chr(av).lower()} if chr(av) in _ASCII else set()
        if op in (C.NOT_LITERAL, C.ANY) or (av and av[0][0] is C.NEGATE):
            return anything
        got: set[str] = set()
        for sub, arg in av:
            if sub is C.LITERAL:
                got |= {chr(arg).lower()} & anything
            elif sub is C.RANGE:
                got |= {c.lower() for c in _ASCII if any(arg[0] <= ord(x) <= arg[1] for x in (c.lower(), c.upper()))}
            else:
                assert sub is C.CATEGORY, sub
                got |= {c.lower() for c in _ASCII if re.fullmatch(classes[arg], c)}
        return got

    def one(op, av, k: int) -> set[str]:
        """What one item of a pattern can match, cut to ``k`` characters."""
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return chars(op, av)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return {""}
        if op is C.SUBPATTERN:
            return seq(list(av[-1]), k)
        if op is C.BRANCH:
            return set().union(*(seq(list(alt), k) for alt in av[1]))
        assert op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT), op
        lo, hi, sub = av
        body = seq(list(sub), k)
        got, layer = set(), {""}  # layer: what n copies can match
        for n in range(min(hi, lo + k + 1) + 1):  # copies past lo + k open no other way
            if n >= lo:
                got |= layer
            layer = {a if len(a) >= k else (a + b)[:k] for a in layer for b in body}
        return got

    def seq(items, k: int) -> set[str]:
        if k == 0 or not items:
            return {""}
        out: set[str] = set()
        for head in one(*items[0], k):
            out |= {head[:k]} if len(head) >= k else {head + t for t in seq(items[1:], k - len(head))}
        return out

    return seq(list(items), k)


def test_every_opening_of_a_short_line_rule_is_tried():
    """_short_rule tries _SHORT_RE only on lines that open as one of its rules can
    (boilerplate._SHORT_STARTS): every opening of every rule, derived from its pattern, must be tried."""
    import re._parser

    from dedup.ingest import boilerplate as B

    for reason, pattern in B._SHORT_RULES[:-1]:  # the last is tried on its own
        starts = _pattern_starts(re._parser.parse(pattern.pattern, pattern.flags), 3)
        missed = sorted(s for s in starts if not B._short_start(s))
        assert not missed, f"{reason}: lines opening with {missed[:12]} are never tried; add their openings to _SHORT_STARTS"
    assert {"adv", "spo", "[ad", "ad"} <= _pattern_starts(re._parser.parse(B._SHORT_RULES[0][1].pattern), 3)
    assert not B._short_start("The council said") and B._short_start("Advertisement")


def test_a_repeated_headline_marks_a_story_start_only_with_header_lines_between():
    from dedup.ingest.boilerplate import split_lines
    from dedup.ingest.split import REPEAT_WINDOW, _candidates

    body = "The council said on Monday that the bridge would reopen after repairs to its deck."
    head = "Floods Close Valley Roads Again"
    between = ["Share on Facebook", "Regional Desk", "\u2022 Updates"]  # boilerplate, header, bullet
    lines, rules = split_lines("\n".join([body, body, head, *between, head, body]))
    assert _candidates(lines, rules) == {2: True}  # the first copy of the headline, a strong marker
    # Body text between the two copies: a repeated caption, not a headline.
    lines, rules = split_lines("\n".join([body, head, body, head, body]))
    assert _candidates(lines, rules) == {}
    # Too far apart.
    lines, rules = split_lines("\n".join([body, head, *(f"Regional Desk {k}" for k in range(REPEAT_WINDOW)), head, body]))
    assert _candidates(lines, rules) == {}

"""Publisher boilerplate: recognise it and set it aside before fingerprinting.

``clean(raw)`` is pure (no I/O). It works line by line: every rule is one
compiled pattern (or one set lookup) with the reason it reports, so a person
can see why a line left the text. Rules are general page-furniture patterns
(ad markers, publication stamps, share buttons, store links, bylines, agency
credits), never strings of one publisher's page.

Three kinds of lines are treated specially:

* boilerplate lines leave ``text`` and are listed in ``stripped``;
* photo captions stay in ``text`` but get a ``Zone(kind="caption")`` and are
  also listed in ``stripped`` with reason ``CAPTION_REASON`` so tools can show them;
* the headline (a short title-like line at the start, or a trailing one after
  the publication stamp) goes to ``title`` and out of the text, together with
  any other short header lines (publication name, kicker) before the body.

The output text is the kept lines, paragraphs separated by one blank line;
``clean(clean(x).text).text == clean(x).text``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from dateutil import parser as _dateparser

from ..dateline import opens_with_dateline
from ..records import Stripped, Zone

CAPTION_REASON = "photo caption (kept as caption zone)"
HEADLINE_REASON = "headline (moved to title)"
TRAILING_HEADLINE_REASON = "headline after the publication stamp (moved to title)"
HEADER_REASON = "header line before the body (publication name, kicker or byline)"
REPEATED_HEADLINE_REASON = "repeated headline"

# A headline is short; longer lines are body text even without a final full stop.
TITLE_MAX_WORDS = 25
TITLE_MAX_CHARS = 220
# Lines longer than this are never page furniture of the short kinds (buttons, stamps, ...).
SHORT_LINE_CHARS = 160
# Header lines (publication name, kicker) are shorter than a standfirst.
HEADER_MAX_WORDS = 8

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
_TIME = r"\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,5}\)?)?"
_DATE = (
    rf"(?:{_WEEKDAY})?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4})"
)

_I = re.IGNORECASE
# What follows "Published"/"Updated" in a stamp: a date (maybe a time and zone) or "6 sec ago".
_STAMP_REST = (
    rf"(?:\s+(?:on|at))?\s*[:\-\u2013\u2014|]?\s*(?:{_DATE}.{{0,40}}|{_TIME}.{{0,40}}"
    r"|\d+\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?|months?|years?)\s+ago"
    r"|(?:today|yesterday|just now).{0,40})"
)

# (reason, pattern): whole-line rules, tried in order on stripped lines up to SHORT_LINE_CHARS.
_SHORT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ad marker", re.compile(
        r"\[\s*ad[_ -]?\d*\s*\]|advertise?ments?|sponsored(?: content)?|ad"
        r"|(?:story|article) continues below(?: this)? (?:advertisement|ad)"
        r"|continue reading (?:below|the main story)|scroll to continue with content", _I)),
    ("publication stamp", re.compile(rf"(?:first\s+)?(?:published|posted)\b{_STAMP_REST}", _I)),
    ("update stamp", re.compile(rf"(?:last\s+)?(?:updated|modified)\b{_STAMP_REST}", _I)),
    ("date line", re.compile(rf"{_DATE}(?:\s*(?:[,|\-\u2013\u2014]|at)?\s*{_TIME})?", _I)),
    ("gallery counter", re.compile(r"(?:(?:image|photo|picture|slide|gallery)\s+)?\d{1,3}\s*(?:/|of)\s*\d{1,3}", _I)),
    ("share/follow button", re.compile(
        r"(?:follow(?: us)?(?: on [\w ]{1,30})?|share(?: this(?: article| story)?| on \w+)?|short\s*url|tweet"
        r"|e-?mail|print|copy(?: the)? link|link copied|whatsapp|facebook|twitter|linkedin|telegram|reddit"
        r"|comments?|\d+\s+comments?|save(?: article)?|bookmark|listen(?: to this article)?(?: \d+ min)?"
        r"|font size|text size|gift(?: this)? article)", _I)),
    ("site navigation", re.compile(
        r"(?:latest|top|breaking|more|related|trending|popular|recommended|featured|editor'?s?'? picks?)"
        r"(?: news| stories| videos?| articles?| posts?| now| reads?| topics?)?"
        r"|most (?:read|popular|viewed|shared)|you (?:may|might) also like|home|videos?|photos?|menu|search"
        r"|skip to (?:main )?content|back to top|go to top|sign in|log ?in|register", _I)),
    ("related-article link", re.compile(
        r"(?:also read|read more|read also|see also|related|watch|must read|recommended|more on this)"
        r"\s*[:|\-\u2013\u2014>]\s*\S.*", _I)),
    ("copyright line", re.compile(r"(?:\u00a9|\(c\)|copyright\s*(?:\u00a9|\(c\)|\d{4})).{0,120}|all rights reserved\.?", _I)),
    ("bare link", re.compile(r"(?:https?://|www\.)\S+")),
    ("share/follow button", re.compile(
        r"(?:follow|like|find)(?: us| [\w&'.-]+(?: [\w&'.-]+){0,5})? on (?:twitter|facebook|x|instagram|linkedin"
        r"|youtube|threads|whatsapp|telegram)(?:(?:,| and| &) (?:twitter|facebook|x|instagram|linkedin|youtube"
        r"|threads|whatsapp|telegram))*", _I)),
    ("agency sign-off", re.compile(r"(?:reuters?|afp|ap|upi|dpa|pa media)", _I)),
    ("share/follow button", re.compile(
        r"(?:(?:share|post)(?: this(?: article| story)?)?(?: on| to| via)? \w+|e-?mail(?: this)?(?: story| article)?"
        r"|print(?: this)?(?: story| article)?|tweet|whatsapp|facebook|twitter|linkedin)"
        r"(?:\s*[|\u2022\u00b7,/]\s*(?:(?:share|post)(?: this(?: article| story)?)?(?: on| to| via)? \w+"
        r"|e-?mail(?: this)?(?: story| article)?|print(?: this)?(?: story| article)?|tweet|whatsapp|facebook"
        r"|twitter|linkedin))+", _I)),
    ("app-store line", re.compile(
        r"(?:\S+\s+){0,4}\S*(?:app[- ]?store|play[- ]?store|google[- ]play)\S*(?:\s+\S+){0,4}(?<![.!?])", _I)),
)

# All the short-line rules but the last as one pattern, tried once per line: the alternatives
# keep their order, so the first rule that matches the whole line names it (as a loop over
# them would). The last rule (app-store line) backtracks over up to five words before its
# keyword, which took 40% of the time of all the rules together on the 20k-article folder;
# it is tried after the others, only on lines holding "store" or "play", which every match
# of it holds ("app store", "play store", "google play").
_SHORT_RE = re.compile(
    "|".join(
        f"(?P<r{k}>(?{'i' if pattern.flags & re.IGNORECASE else ''}:{pattern.pattern}))"
        for k, (_, pattern) in enumerate(_SHORT_RULES[:-1])
    )
)
_SHORT_REASONS = {f"r{k}": reason for k, (reason, _) in enumerate(_SHORT_RULES)}
# The first three characters (lowercased) that a match of _SHORT_RE can open with: its rules open
# with one of a few words ("advertisement", "published", "jan", "share", ...), a digit ("3 of 12",
# "2026-01-31"), "[" ("[ad_1]") or "(" ("(c) 2026"). A line opening otherwise is not tried against
# _SHORT_RE: 82% of the short lines of the 20k-article folder (reading it took 3.3 s CPU with
# each of them tried, 3.0 s without). A line shorter than three characters, or whose first three are not all
# ASCII, is always tried (matching ignoring case pairs "\u017f" with "s", which lower() does not).
# tests/test_ingest_clean.py derives the starts of every rule from its pattern and fails when one
# is missing here: a new rule's starts go here too.
_SHORT_STARTS = frozenset({
    "adv", "spo", "sto", "art", "con", "scr",  # ad marker ("ad" alone: under three characters)
    "fir", "pub", "pos", "las", "upd", "mod",  # publication and update stamps
    "mon", "tue", "wed", "thu", "fri", "sat", "sun",  # date line: a weekday or a month first
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    "ima", "pho", "pic", "sli", "gal",  # gallery counter
    "fol", "sha", "sho", "twe", "e-m", "ema", "pri", "cop", "lin", "wha", "fac", "twi", "tel", "red", "com",
    "sav", "boo", "lis", "fon", "tex", "gif", "lik", "fin",  # share/follow buttons
    "lat", "top", "bre", "mor", "rel", "tre", "pop", "rec", "fea", "edi", "mos", "you", "hom", "vid",
    "men", "sea", "ski", "bac", "go ", "sig", "log", "reg",  # site navigation
    "als", "rea", "see", "wat", "mus",  # related-article link
    "all", "htt", "www",  # copyright line, bare link
    "reu", "afp", "upi", "dpa", "pa ",  # agency sign-off ("ap" alone: under three characters)
})
_SHORT_OPENERS = frozenset("[(0123456789")
_LAST_REASON, _LAST_RE = _SHORT_RULES[-1]
_DECORATION = " \t-\u2013\u2014:|\u2022\u00b7*=_~>\u00bb"

# Rules that may match lines of any length (searched, not matched whole).
_STORE_URL_RE = re.compile(r"https?://(?:apps\.apple\.com|itunes\.apple\.com|play\.google\.com)/", _I)
_PROMO_RE = re.compile(
    r"(?:^|[.!?]\s+)(?:Download|Subscribe|Sign up|Install|Join|Click here|Follow us|Tap here|Get the)\b"
    r"[^.!?]{0,160}?\b(?:app|apps|newsletters?|WhatsApp|Telegram|channel|alerts|push notifications)\b"
)
_PROMO_HINT_RE = re.compile(r"Download|Subscribe|Sign up|Install|Join|Click here|Follow us|Tap here|Get the")
_CREDIT_ROLE_RE = re.compile(
    r"\b(?:(?:additional|further)\s+)?(?:reporting|writing|editing|edited|compiled|produced|research|"
    r"graphics?|fact[- ]checking)\s+by\b",
    _I,
)
_NO_WORD_RE = re.compile(r"[^\w]*")

# A photo credit closing a paragraph: "(AFP)", "(AP)", "(AFP/Getty Images)", "(Photo: Jane Doe)".
_AGENCIES = (
    r"AFP|AP|Reuters|EPA(?:-EFE)?|EFE|Xinhua|PTI|ANI|IANS|UPI|Bloomberg|Anadolu(?: Agency)?|AA|dpa|DPA|ANSA|"
    r"Kyodo|Yonhap|TASS|Sputnik|WAM|SPA|APP|NNA|Getty(?: Images)?|Shutterstock|Alamy|Handout|File|Supplied"
)
_PHOTO_CREDIT_RE = re.compile(
    rf"\((?:(?:photo|image|picture|pic|file photo)s?\s*(?:by|credit|:|/)\s*:?\s*[^()]{{2,60}}"
    rf"|(?:file\s+photo\s*[:/]?\s*)?(?:{_AGENCIES})(?:\s*(?:/|via|photo)\s*[^()]{{1,50}})?)\)\s*$",
    _I,
)
_STRONG_PHOTO_RE = re.compile(r"photo|image|picture|getty|shutterstock|alamy|handout|file|/|via", _I)

_BYLINE_RE = re.compile(r"(?:written\s+)?by\s+(?P<rest>.+)", _I)
_BYLINE_TOKEN_RE = re.compile(
    r"(?:[A-Z\u00c0-\u00de][\w.'\u2019-]*|\d[\d:,./]*|and|&|\||[ap]\.?m\.?|[,|\-\u2013\u2014@]|de|van|von|al|bin|la|le)",
)
_END_PUNCT = ".,;:)"
_QUOTES = "\"'\u2019\u201d\u00bb"
_BULLETS = "\u2022\u25aa\u25cf\u2023\u2043-*\u00b7\u2013\u2014>"

# Time zones that show up in Indian, Pakistani and Western publication stamps.
_TZINFOS = {
    "IST": 19800, "PKT": 18000, "GMT": 0, "UTC": 0, "BST": 3600, "CET": 3600, "CEST": 7200,
    "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000, "PST": -28800, "PDT": -25200,
}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What ``clean`` kept, set aside and found."""

    text: str
    stripped: tuple[Stripped, ...]
    zones: tuple[Zone, ...]
    title: str | None = None
    published: str | None = None  # ISO 8601, from a publication stamp, byline or date line


def _key(line: str) -> str:
    return " ".join(line.casefold().split())


def is_title_like(line: str) -> bool:
    """A short line that reads like a headline: capitalised, no final full stop, not a bullet."""
    if not line or len(line) > TITLE_MAX_CHARS:
        return False
    if line[-1] in _END_PUNCT and not line.endswith("..."):
        # "France v Wales (Sat)" is a headline; "... on Jan. 31, 2026. (AP)" is not.
        if not (line[-1] == ")" and "(" in line[-30:] and len(line.split()) <= 10 and line.rfind(".") < line.rfind("(")):
            return False
    if line[-1] in _QUOTES and len(line) > 1 and line[-2] in ".!?,":  # a quoted sentence
        return False
    first = line[0]
    if first in _BULLETS:
        return False
    word = line.split(None, 1)[0]
    if not (first.isdigit() or first in "\"'\u2018\u201c$\u00a3\u20ac" or any(c.isupper() for c in word)):
        return False
    n = len(line.split())
    return 2 <= n <= TITLE_MAX_WORDS and any(c.isalpha() for c in line)


def _is_header_line(line: str) -> bool:
    """A short line between headline and body: publication name, kicker, venue, time."""
    return is_title_like(line) and len(line.split()) <= HEADER_MAX_WORDS and line[-1] != "?"


def _is_byline(line: str) -> bool:
    m = _BYLINE_RE.fullmatch(line)
    if not m or len(line) > SHORT_LINE_CHARS:
        return False
    tokens = m.group("rest").replace(",", " , ").replace("|", " | ").split()
    return 0 < len(tokens) <= 14 and all(_BYLINE_TOKEN_RE.fullmatch(t) for t in tokens) and tokens[0][0].isupper()


def _is_credit(line: str) -> bool:
    """"(Reporting by X; Editing by Y)": in parentheses, or two credits, or a short unpunctuated one."""
    m = _CREDIT_ROLE_RE.match(line.lstrip("(-\u2013\u2014 "))
    if not m:
        return False
    if line[0] == "(" and line[-1] == ")":
        return True
    return len(_CREDIT_ROLE_RE.findall(line)) >= 2 or (len(line.split()) <= 12 and line[-1] not in ".!?")


def _short_start(bare: str) -> bool:
    """``bare`` opens as a match of _SHORT_RE can (see _SHORT_STARTS)."""
    start = bare[:3]
    return len(start) < 3 or not start.isascii() or start[0] in _SHORT_OPENERS or start.lower() in _SHORT_STARTS


def _short_rule(bare: str) -> str | None:
    """The reason of the first of _SHORT_RULES matching the whole of ``bare``, or None."""
    if _short_start(bare):
        m = _SHORT_RE.fullmatch(bare)
        if m is not None:
            return _SHORT_REASONS[m.lastgroup]
    low = bare.casefold()
    if ("store" in low or "play" in low) and _LAST_RE.fullmatch(bare) is not None:
        return _LAST_REASON
    return None


def line_rule(line: str) -> str | None:
    """The boilerplate reason of one stripped, non-blank line, judged on the line alone."""
    if _NO_WORD_RE.fullmatch(line) is not None:
        return "lone symbol (close button or separator)"
    if len(line) <= SHORT_LINE_CHARS:
        # Decorations around a short line ("- Advertisement -", "Share this article:") do not
        # change what it is.
        bare = line.strip(_DECORATION) or line
        reason = _short_rule(bare)
        if reason is not None:
            return reason
        if _is_byline(line):
            return "byline"
    if "://" in line and _STORE_URL_RE.search(line):
        return "app-store link"
    if len(line) < 500 and _is_credit(line):
        return "agency credit (reporting/editing)"
    if len(line) < 1200 and _PROMO_HINT_RE.search(line) and _PROMO_RE.search(line):
        return "newsletter/app promo"
    return None


def is_stamp(reason: str | None) -> bool:
    return reason in ("publication stamp", "update stamp")


def normalize_date(value: str) -> str | None:
    """A date or time from metadata as ISO 8601 (kept as is when it already is), None when unreadable."""
    value = value.strip()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value
    except ValueError:
        return _parse_date(value)


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> str | None:
    """ISO 8601 of the first date in a stamp, or None when it holds no absolute date. Cached: a
    page repeats its stamps, and story splitting cleans the lines around each possible start."""
    if not re.search(r"\d{4}", text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dt, _ = _dateparser.parse(
                text, fuzzy_with_tokens=True, tzinfos=_TZINFOS, default=datetime(1900, 1, 1)
            )
    except (ValueError, OverflowError, TypeError):
        return None
    if dt.year == 1900:
        return None
    if not re.search(r"\d{1,2}[:.]\d{2}", text):
        return dt.date().isoformat()
    try:
        return dt.isoformat(timespec="minutes")
    except ValueError:  # a zone offset of a day or more ("UTC+30"): the time's zone is unknown
        return dt.date().isoformat()


def _caption(line: str, last: bool) -> bool:
    m = _PHOTO_CREDIT_RE.search(line)
    if not m or len(line.split()) > 120:
        return False
    # A bare agency name closing the last paragraph credits the article, not a photo.
    return not last or bool(_STRONG_PHOTO_RE.search(m.group()))


def split_lines(raw: str) -> tuple[list[str], list[str | None]]:
    """The stripped lines of a text and the boilerplate rule of each (None: not boilerplate)."""
    lines = [ln.strip() for ln in raw.splitlines()]
    return lines, [line_rule(ln) if ln else None for ln in lines]


def line_keys(lines: list[str]) -> list[str]:
    """Each line as ``_key`` compares it (casefolded, white space collapsed): computed once for
    both the story splitter, which looks for a repeated headline on every line, and the cleaner,
    which looks for copies of the headline."""
    return list(map(_key, lines))


def clean(raw: str, *, title: str | None = None, line_offset: int = 0) -> Cleaned:
    """Set boilerplate aside, mark captions, take out the headline.

    ``title``: a headline already known (from JSON or HTML metadata); lines repeating it
    are stripped. ``line_offset``: added to reported line numbers (for a part of a file).
    """
    lines, rules = split_lines(raw)
    return clean_lines(lines, rules, title=title, line_offset=line_offset)


# Fields set apart by runs of spaces or a tab: a row of a table ("Wheat    73,684").
_COLUMNS_RE = re.compile(r"\S(?: {2,}|\t)\S")


def _body_start(lines: list[str], kind: list[str], i: int) -> bool:
    """Line ``i`` opens with a wire dateline, is a row of a table, or is prose hard-wrapped over
    several lines: the next line, kept and with no blank or stripped line between, goes on in
    lower case. (Only the next line: whether a line further down stays in the text is decided
    after this, and cleaning the output again must decide alike.)"""
    if opens_with_dateline(lines[i]) or _COLUMNS_RE.search(lines[i]):
        return True
    j = i + 1
    return j < len(lines) and kind[j] in ("body", "caption") and lines[j][:1].islower()


def _headline_like(lines: list[str], kind: list[str], i: int) -> bool:
    """Line ``i`` can be a headline: title-like, and not the start of the body (_body_start)."""
    return is_title_like(lines[i]) and not _body_start(lines, kind, i)


def clean_lines(
    lines: list[str], rules: list[str | None], *, title: str | None = None, line_offset: int = 0,
    keys: list[str] | None = None,
) -> Cleaned:
    """``clean`` of text already cut by ``split_lines`` (lets the splitter and cleaner share the
    work); ``keys``: its ``line_keys``, when the caller has them."""
    n = len(lines)
    reasons: list[str | None] = list(rules)
    kind = ["blank" if not ln else "body" if r is None else "strip" for ln, r in zip(lines, rules)]

    last_body = next((i for i in range(n - 1, -1, -1) if kind[i] == "body"), -1)

    # Captions: a paragraph closing with a photo credit, or the line after a gallery counter.
    # A photo credit holds a ")": testing for it spares most lines the call and the search.
    after_counter = False
    for i, k in enumerate(kind):
        if k == "strip":
            after_counter = reasons[i] == "gallery counter"
        elif k == "body":
            if after_counter or (")" in lines[i] and _caption(lines[i], i == last_body)):
                kind[i], reasons[i] = "caption", CAPTION_REASON
            after_counter = False

    found_title = None
    published = None
    kept = [i for i in range(n) if kind[i] in ("body", "caption")]
    headline_zone = -1
    # Leading headline: the first kept line, when title-like and followed by body text.
    # Caption or not does not matter here: cleaning its own output, clean() must decide alike.
    # A line that opens with a wire dateline, a row of a table, or a line of a paragraph
    # hard-wrapped over several lines (wire copy: "WASHINGTON, April 3 - Ownes-Illinois Holdings
    # Corp filed" / "with the Securities ..."; "PITTSBURGH, April 1 - 4th qtr" / "Shr 14 cts vs 14
    # cts"; "Wheat    73,684") is body, however short and capitalised: never a headline or header line.
    if kept and _headline_like(lines, kind, kept[0]):
        first = kept[0]
        header = []
        for i in kept[1:]:
            if not _body_start(lines, kind, i) and (_is_header_line(lines[i]) or _key(lines[i]) == _key(lines[first])):
                header.append(i)
            else:
                break
        nxt = kept[len(header) + 1] if len(header) + 1 < len(kept) else None
        if nxt is not None and not _headline_like(lines, kind, nxt):
            found_title = lines[first]
            kind[first], reasons[first] = "title", HEADLINE_REASON
            for i in header:
                same = _key(lines[i]) == _key(found_title)
                kind[i], reasons[i] = "strip", REPEATED_HEADLINE_REASON if same else HEADER_REASON
        elif nxt is not None:
            # The next line reads like a headline too (a standfirst without a full stop): taking
            # the first line out would make that one the headline of the cleaned text, so the
            # headline stays in the text, marked as a headline zone.
            found_title = lines[first]
            headline_zone = first
    # Trailing headline: a title-like last line set off from the body by a stamp or ad marker.
    elif kept and len(kept) > 1 and _headline_like(lines, kind, kept[-1]):
        j = kept[-1]
        between = [reasons[i] for i in range(kept[-2] + 1, j) if kind[i] == "strip"]
        if any(is_stamp(r) or r == "ad marker" for r in between):
            found_title = lines[j]
            kind[j], reasons[j] = "title", TRAILING_HEADLINE_REASON

    # Lines repeating the headline (web pages print it twice).
    heads = {_key(t) for t in (found_title, title) if t}
    if heads:
        for i in kept:  # the lines kept before the headline was taken out: all those still kept
            if (kind[i] in ("body", "caption") and i != headline_zone and len(lines[i]) <= TITLE_MAX_CHARS
                    and (_key(lines[i]) if keys is None else keys[i]) in heads):
                kind[i], reasons[i] = "strip", REPEATED_HEADLINE_REASON

    # Publication date: a publication stamp first, then a byline or date line, then an update stamp.
    for wanted in ("publication stamp", "byline", "date line", "update stamp"):
        if wanted not in reasons:  # most texts hold none of them: one scan in C, not n steps
            continue
        for i in range(n):
            if reasons[i] == wanted:
                published = _parse_date(lines[i])
                if published:
                    break
        if published:
            break

    # Assemble: paragraphs are runs of kept lines with nothing removed between them.
    parts: list[str] = []
    zones: list[Zone] = []
    stripped: list[Stripped] = []
    pos = 0
    prev_kept = False
    for i, (k, line, reason) in enumerate(zip(kind, lines, reasons)):
        if k == "body" or k == "caption":
            if parts:
                sep = "\n" if prev_kept else "\n\n"
                parts.append(sep)
                pos += len(sep)
            if k == "caption" or i == headline_zone:
                zones.append(Zone(pos, pos + len(line), "caption" if k == "caption" else "headline"))
            parts.append(line)
            pos += len(line)
            prev_kept = True
        else:
            prev_kept = False
        if reason is not None:
            stripped.append(Stripped(line, reason, i + 1 + line_offset))
    return Cleaned("".join(parts), tuple(stripped), tuple(zones), title or found_title, published)

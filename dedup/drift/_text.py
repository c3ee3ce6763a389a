"""Shared pieces of the drift finders: aligned groups as text spans, words, numbers, dates, names.

Everything here works on spans of ``Document.text`` and returns offsets into it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from text_to_num import text2num

from ..align import masked_terms, sentence_terms, split_sentences
from ..normalize import canonical_word, first_chars, is_content, stem, tokenize
from ..records import Alignment, Document, Finding, Sentence

# Severity of each finding kind: high for facts, medium for sourcing and meaning, low for
# style-adjacent differences.
SEVERITY = {
    "number_changed": "high",
    "hedge_changed": "medium",
    "date_changed": "high",
    "weekday_changed": "high",
    "date_inconsistent": "high",
    "entity_changed": "high",
    "spelling_variant": "low",
    "attribution_dropped": "high",
    "attribution_added": "medium",
    "attribution_changed": "high",
    "quote_altered": "medium",
    "quote_attribution_changed": "high",
    "claim_added": "medium",
    "claim_dropped": "medium",
    "wording_changed": "medium",
}
KINDS = tuple(SEVERITY)
# Aligned pairs scoring below this are loose (often an independent report of the same event):
# "changed" findings there need stronger evidence (same counted noun and event, same slot).
LOOSE_PAIR = 0.4


def finding(
    kind: str,
    before: str,
    after: str,
    a_span: tuple[int, int] | None,
    b_span: tuple[int, int] | None,
    a_sentence: str = "",
    b_sentence: str = "",
    note: str = "",
) -> Finding:
    return Finding(kind, SEVERITY[kind], before, after, a_span, b_span, a_sentence, b_sentence, note)


@dataclass(frozen=True, slots=True)
class Group:
    """One aligned pair as two spans of text (groups of neighbouring sentences are contiguous)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str
    score: float


def _span(sents: tuple[Sentence, ...], idx: tuple[int, ...]) -> tuple[int, int]:
    return sents[min(idx)].start, sents[max(idx)].end


_last_groups: tuple = ((None, None, None), ())  # ((a, b, alignment), groups), swapped in one assignment


def groups(a: Document, b: Document, al: Alignment) -> tuple[Group, ...]:
    """The aligned pairs as text spans (remembered for the last (a, b, alignment) asked for)."""
    global _last_groups
    (la, lb, lal), cached = _last_groups
    if la is a and lb is b and lal is al:
        return cached
    out = []
    for p in al.pairs:
        a0, a1 = _span(al.a_sentences, p.a)
        b0, b1 = _span(al.b_sentences, p.b)
        out.append(Group(a0, a1, b0, b1, a.text[a0:a1], b.text[b0:b1], p.score))
    result = tuple(out)
    _last_groups = ((a, b, al), result)
    return result


# --- sentences that alignment cannot pair --------------------------------------------------
# Alignment pairs sentences by their content words with figures and dates masked, so a
# sentence with none ("It was on Monday.", a dateline line "Monday 3 March 2026") pairs with
# nothing, and a date changed in it would go unseen.


def twin_groups(a: Document, b: Document, al: Alignment) -> tuple[Group, ...]:
    """Unaligned sentences of A and B without content words that read the same once their
    figures, dates, months and weekdays are masked ("it was on #"), lying between the same
    aligned neighbours (after the same pair, or before the same one), as groups of score 1,
    paired in text order."""
    if not al.unaligned_a or not al.unaligned_b:
        return ()
    free_a = _contentless(a, al.a_sentences, al.unaligned_a)
    free_b = _contentless(b, al.b_sentences, al.unaligned_b)
    if not free_a or not free_b:
        return ()
    pair_a = {i: k for k, p in enumerate(al.pairs) for i in p.a}
    pair_b = {j: k for k, p in enumerate(al.pairs) for j in p.b}
    out = []
    used: set[int] = set()
    for i in free_a:
        sa = al.a_sentences[i]
        where_a = _neighbours(i, pair_a, len(al.a_sentences), len(al.pairs))
        for j in free_b:
            sb = al.b_sentences[j]
            if j in used or _masked_words(sa.text) != _masked_words(sb.text):
                continue
            where_b = _neighbours(j, pair_b, len(al.b_sentences), len(al.pairs))
            if where_a[0] != where_b[0] and where_a[1] != where_b[1]:
                continue
            used.add(j)
            out.append(Group(sa.start, sa.end, sb.start, sb.end, sa.text, sb.text, 1.0))
            break
    return tuple(out)


def _contentless(doc: Document, sents: tuple[Sentence, ...], idx: tuple[int, ...]) -> list[int]:
    """The sentences among ``idx`` with no term to align by and a figure or a date to compare."""
    if split_sentences(doc.text, zones=doc.zones) == sents:
        terms = sentence_terms(doc.text, doc.zones)  # as align read them (cached per text)
        empty = [i for i in idx if not terms[i]]
    else:
        empty = [i for i in idx if not masked_terms(sents[i].text)]
    return [i for i in empty if "#" in _masked_words(sents[i].text)]


def _neighbours(i: int, pair_of: dict[int, int], n: int, pairs: int) -> tuple[int, int]:
    """The aligned pairs right before and right after sentence ``i`` (-1 / ``pairs`` for none)."""
    before = next((pair_of[k] for k in range(i - 1, -1, -1) if k in pair_of), -1)
    after = next((pair_of[k] for k in range(i + 1, n) if k in pair_of), pairs)
    return before, after


_ORDINAL_SUFFIX_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)


@lru_cache(maxsize=1 << 12)
def _masked_words(sentence: str) -> tuple[str, ...]:
    """The words of a sentence in lower case, each run of figures, dates, months and weekdays
    one "#" ("Monday, March 3, 2026" and "Tuesday 4 March 2026" are both "#")."""
    out: list[str] = []
    for w in _WORD_RE.findall(_ORDINAL_SUFFIX_RE.sub("", sentence)):
        c = canonical_word(w)
        if c[:1].isdigit() or c in MONTHS or c in WEEKDAYS or c in NUMBER_WORDS or c in ORDINAL_WORDS:
            if not out or out[-1] != "#":
                out.append("#")
        else:
            out.append(c)
    return tuple(out)


def sentence_at(sents: tuple[Sentence, ...], pos: int) -> Sentence | None:
    for s in sents:
        if s.start <= pos < s.end:
            return s
    return None


# --- words ---------------------------------------------------------------------------------

_WORD_RE = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['\u2019\u02bc-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class Word:
    text: str  # as written
    canon: str  # canonical form (lower case, straight apostrophe, no possessive)
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def words(text: str, offset: int = 0) -> list[Word]:
    return [Word(m.group(), canonical_word(m.group()), offset + m.start(), offset + m.end()) for m in _WORD_RE.finditer(text)]


def content_stem(w: str) -> str | None:
    return stem(w) if is_content(w) else None


# --- numbers -------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
_SCALES = {"hundred", "thousand", "million", "billion", "trillion"}
NUMBER_WORDS = frozenset(_UNITS) | _TENS | _SCALES | {"dozen"}
_NUMWORD = r"(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
# Ordinals ("fourth quarter", "21st century", "twenty-first") are figures too, compared only
# with ordinals (unit "th").
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
_TENS_VALUE = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL = (r"\d+(?:st|nd|rd|th)|(?:(?:" + "|".join(sorted(_TENS)) + r")[\s-])?(?:"
            + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r")")
# A figure starts with a digit or with the first letter of a number word (matched with the same
# flags): the lookahead only lets the engine give up early at the other word starts (the same
# matches, ~35% less time on news text; tests/test_drift_cache.py compares the plain pattern).
_NUMBER_FIRST = first_chars(NUMBER_WORDS | frozenset(ORDINAL_WORDS), digits=True)
# A unit of measure written against a figure ("11,000mi", "17,700km"): part of the figure's
# match, so that the figure is read whole.
_GLUED_UNITS = "km|kms|kmh|kph|mi|mph|ft|yd|yds|cm|mm|kg|kgs|mg|ml|lb|lbs|oz|ha|kw|kwh|mw|mwh|gw|gwh"
_NUMBER_RE = re.compile(
    r"(?<![\w.])" + _NUMBER_FIRST + r"(?:"
    # A figure is never read out of a longer one: "11" of "11,000mi", "3" of "3.5x".
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!,\d{3}|\.\d)"
    r"(?:\s*(?P<dscale>million|billion|trillion|bn|m)\b|(?:" + _GLUED_UNITS + r")(?![\w]))?"
    r"|(?P<ordinal>" + _ORDINAL + r")"
    r"|(?P<words>" + _NUMWORD + r"(?:(?:\s+and\s+|[\s-])" + _NUMWORD + r")*)"
    r")(?![\w])"
    r"(?P<unit>\s*(?:%|per\s?cent\b|percent\b|pct\b))?",
    re.IGNORECASE,
)
_DSCALE = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}

# Hedges immediately before a number, by meaning. Same class = same meaning.
_HEDGES = [
    ("at least", ">="), ("no fewer than", ">="), ("no less than", ">="), ("a minimum of", ">="),
    ("more than", ">"), ("over", ">"), ("upwards of", ">"), ("in excess of", ">"),
    ("some", "~"), ("about", "~"), ("around", "~"), ("approximately", "~"), ("roughly", "~"),
    ("an estimated", "~"), ("estimated", "~"), ("nearly", "<~"), ("almost", "<~"), ("close to", "<~"),
    ("up to", "<="), ("as many as", "<="), ("at most", "<="), ("fewer than", "<"), ("less than", "<"),
    ("under", "<"), ("just over", ">"), ("just under", "<"),
]
# A currency symbol written before a figure ("US$" is "$"; "A$", "HK$" are their own).
_CURRENCY_SYMBOL = r"(?:(?:US|A|AU|C|CA|NZ|HK|S)?\$|[\u00a3\u20ac\u00a5\u20b9])"
_HEDGE_RE = re.compile(
    r"\b(?P<hedge>" + "|".join(re.escape(h) for h, _ in sorted(_HEDGES, key=lambda x: -len(x[0])))
    + r")\s+(?:a\s+|an\s+|" + _CURRENCY_SYMBOL + r")?$",  # "over a dozen", "more than $8m"; not "under a $206bn deal"
    re.IGNORECASE,
)
_CURRENCY_BEFORE_RE = re.compile(r"(?<![A-Za-z])(?P<cur>" + _CURRENCY_SYMBOL + r")\s?$")
_CURRENCY_ALIASES = {"US$": "$", "AU$": "A$", "CA$": "C$"}
# Currencies named after a figure ("9.3 billion dollars"), as their symbols.
CURRENCY_WORDS = {"dollar": "$", "dollars": "$", "euro": "\u20ac", "euros": "\u20ac", "yen": "\u00a5",
                  "yuan": "yuan", "rupee": "\u20b9", "rupees": "\u20b9", "sterling": "\u00a3"}
HEDGE_CLASS = dict(_HEDGES)
# Hedges that are also prepositions of time before a duration, where they are read as none.
_SPAN_HEDGES = frozenset({"over", "under", "just over", "just under"})
_DURATIONS = frozenset(stem(w) for w in "year years month months week weeks day days hour hours minute minutes "
                                       "decade decades century centuries".split())
_COUNT_STOP = frozenset("and or of in on at to for from by with as while who which that were was are is have has had".split())
_PHRASE_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f'\u2019-]+|[^\sA-Za-z]")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$")
_SPEECH = frozenset("said say says told tell tells added stated confirmed reported".split())
_EVENT_VERBS = ("kill", "die", "dead", "injur", "wound", "arrest", "eliminat", "neutralis", "neutraliz", "hurt", "missing", "displac", "evacuat", "rescu", "abduct", "kidnap", "detain")


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    text: str  # the figure as written (without hedge)
    start: int  # span of hedge + figure + unit
    end: int
    hedge: str  # "" when none
    unit: str  # "%", "th" (an ordinal: "fourth", "4th"), "score" ("2-1") or ""
    counted: str  # stem of the counted noun after the figure ("militant"), "" when unknown
    counted_text: str
    event: str  # stem prefix of an event verb in the same sentence ("kill"), "" when none
    currency: str = ""  # "$", "\u00a3", "\u20ac", "A$", ... when the figure is money in a stated currency
    # A score or tally ("2-1", "3\u20130", "a 5-4 ruling") is one figure of unit "score", its
    # ``value`` that of its first side; ``sides`` are its two figures (empty for any other figure).
    sides: tuple[Number, ...] = ()

    @property
    def key(self) -> tuple[float, ...]:
        """What a figure's value is compared by (a score by both sides)."""
        return tuple(n.value for n in self.sides) if self.sides else (self.value,)


@lru_cache(maxsize=1 << 12)
def _words_value(s: str) -> float | None:
    s = re.sub(r"\s+", " ", s.strip().lower())
    if s in {"one", "a"}:
        return None  # "one" is too often a pronoun ("one of the officials")
    if s == "dozen":
        return 12.0
    if s.startswith("a dozen"):
        return 12.0
    if s in _SCALES:
        return None
    try:
        return float(text2num(s.replace(" and ", " "), "en"))
    except (ValueError, TypeError):
        try:
            return float(text2num(s, "en"))
        except (ValueError, TypeError):
            return None


def _ordinal_value(s: str) -> float | None:
    """The value of an ordinal as written ("4th", "fourth", "twenty-first")."""
    s = s.lower()
    if s[:1].isdigit():
        return float(s[:-2])
    parts = re.split(r"[\s-]+", s)
    if len(parts) == 2:
        return float(_TENS_VALUE[parts[0]] + ORDINAL_WORDS[parts[1]]) if ORDINAL_WORDS[parts[1]] < 10 else None
    return float(ORDINAL_WORDS[parts[0]])


@lru_cache(maxsize=1 << 12)
def _event_in(window: str) -> str:
    """The first event verb stem in a sentence-like window of text, "" when none."""
    window = window.lower()
    return next((v for v in _EVENT_VERBS if v in window), "")


def numbers(text: str, offset: int = 0, *, exclude: list[tuple[int, int]] | None = None) -> list[Number]:
    """Figures in ``text`` (digits or words) with hedge, unit, counted noun and event verb.

    Spans in ``exclude`` (offsets into the document, e.g. dates) are skipped.
    """
    exclude = exclude or []
    found: list[Number] = []
    n = len(text)
    for m in _NUMBER_RE.finditer(text):
        ms, me = m.span()
        s0, s1 = offset + ms, offset + me
        if any(e0 <= s0 < e1 or s0 <= e0 < s1 for e0, e1 in exclude):
            continue
        # Everything read about a figure lies in its context: its sentence (between stops),
        # 24 characters before it (the hedge) and 60 after (the counted noun). The reading is
        # cached by that context (a copy repeats most of its source's sentences).
        left = max(text.rfind(". ", 0, ms), text.rfind("\n", 0, ms))
        right = min((x for x in (text.find(". ", me), text.find("\n", me)) if x >= 0), default=n)
        lo = max(0, min(left + 1, ms - 24))
        hi = min(n, max(right + 2, me + 60))
        regs = tuple((a - lo, b - lo) if a >= 0 else (-1, -1) for a, b in m.regs)
        got = _figure(text[lo:hi], regs)
        if got is not None:
            value, figure, start, end, hedge, unit, counted, counted_text, event, currency = got
            found.append(Number(value, figure, offset + lo + start, offset + lo + end, hedge, unit, counted, counted_text,
                                event, currency))
    return found


@lru_cache(maxsize=1 << 14)
def _figure(text: str, regs: tuple[tuple[int, int], ...]) -> tuple | None:
    """The reading of one match of _NUMBER_RE in ``text`` (its context), given the match's
    group spans ``regs`` (as ``Match.regs``): (value, figure, start, end, hedge, unit,
    counted, counted_text, event, currency), None when it is not a count."""
    (ms, me), digits, dscale, ordinal, words_, unit_ = regs
    if ordinal[0] >= 0:
        figure = text[ordinal[0] : ordinal[1]]
        value = _ordinal_value(figure)
        if value is None:
            return None
        words_, scale = ordinal, ""  # (its end is the figure's end, as a number word's)
    elif digits[0] >= 0:
        raw = text[digits[0] : digits[1]]
        # A time ("7:29") or a version ("2.0" after a name) is not a count.
        if text[digits[1] : digits[1] + 1] == ":" or (ms > 0 and text[ms - 1] == ":"):
            return None
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            return None
        scale = text[dscale[0] : dscale[1]] if dscale[0] >= 0 else ""
        if scale:
            value *= _DSCALE[scale.lower()]
        figure = raw + (" " + scale if scale else "")
    else:
        scale = ""
        figure = text[words_[0] : words_[1]]
        v = _words_value(figure)
        if v is None:
            return None
        value = v
    unit = "%" if unit_[0] >= 0 and unit_[1] > unit_[0] else ""
    if ordinal[0] >= 0:
        if unit:  # "first %"? not an ordinal
            return None
        unit = "th"
    before = text[max(0, ms - 24) : ms]
    h = _HEDGE_RE.search(before)
    hedge = h.group("hedge").lower() if h else ""
    c = _CURRENCY_BEFORE_RE.search(before)
    currency = _CURRENCY_ALIASES.get(c.group("cur").upper(), c.group("cur").upper()) if c else ""
    start = ms - (len(before) - h.start()) if h else ms - (len(before) - c.start()) if c else ms
    end = unit_[1] if unit == "%" else digits[1] if digits[0] >= 0 and not scale else dscale[1] if digits[0] >= 0 else words_[1]
    # Counted noun: the last word of the short noun phrase after the figure.
    counted = counted_text = ""
    phrase = []
    for wm in _PHRASE_WORD_RE.finditer(text, end, end + 60):
        w = wm.group()
        lw = w.lower()
        if not w[0].isalpha() or lw in _COUNT_STOP or len(phrase) >= 3:
            break
        if phrase and (lw.endswith("ed") or lw.endswith("ing") or lw in _SPEECH):
            break
        phrase.append(w)
    if phrase and unit != "%":
        counted_text = phrase[-1]
        counted = stem(canonical_word(counted_text))
        currency = currency or CURRENCY_WORDS.get(counted_text.lower(), "")
    if hedge in _SPAN_HEDGES and counted in _DURATIONS:
        # "over 50 years" is mostly a span of time ("built up over 50 years"), not "more than 50"
        hedge, start = "", (ms - (len(before) - c.start()) if c else ms)
    # The event verb of the figure's sentence (approximately: between sentence stops).
    left = max(text.rfind(". ", 0, ms), text.rfind("\n", 0, ms))
    right = min((x for x in (text.find(". ", me), text.find("\n", me)) if x >= 0), default=len(text))
    event = _event_in(text[left + 1 : right])
    return value, figure, start, end, hedge, unit, counted, counted_text, event, currency


# --- scores --------------------------------------------------------------------------------

# Two whole figures joined by a hyphen or an en dash, neither part of a longer run ("4-3-3",
# "1.5-2", "Covid-19-2") nor of a word.
_PAIR_RE = re.compile(r"(?<![\w.,\-\u2013])(\d{1,3})[-\u2013](\d{1,3})(?![\w\-\u2013]|[.,]\d)")
# A range runs upward ("10-12 people", "2-3 days"); a score or tally may run either way. One
# that runs upward is a score when a result is named right after it ("a 1-2 defeat") or it
# follows a verb of losing or trailing and counts nothing ("lost 1-2 to Chelsea").
_RESULT_NOUNS = frozenset(
    "win wins victory victories defeat defeats loss losses draw draws lead deficit scoreline reverse "
    "triumph thrashing drubbing aggregate vote votes ruling decision verdict majority split".split()
)
_LOSING = frozenset("lost lose loses losing trail trails trailed trailing beaten defeated".split())
_AFTER_SCORE = frozenset("to at in against on away after with and but as for".split())
_SCORE_WORD_RE = re.compile(r"[A-Za-z]+")


def _scores(text: str, found: list[Number]) -> list[Number]:
    """``found`` (figures of ``text`` in text order) with each score or tally ("2-1", "3\u20130")
    read as one figure of unit "score" instead of its two sides, so that a changed score is one
    change ("2-1" -> "3-0"), not two. A range ("10-12 people") stays two figures."""
    if "-" not in text and "\u2013" not in text:
        return found
    by_end = {n.end: k for k, n in enumerate(found)}
    score_at: dict[int, Number] = {}  # index of a score's first side -> the score
    sides: set[int] = set()  # indexes of both sides of every score
    for m in _PAIR_RE.finditer(text):
        k1, k2 = by_end.get(m.end(1)), by_end.get(m.end(2))
        if k1 is None or k2 is None:
            continue  # a side read as a date, a year or a time, or not read at all
        x, y = found[k1], found[k2]
        if x.text != m.group(1) or y.text != m.group(2) or y.start != m.start(2):
            continue
        if x.unit or y.unit or x.currency or k1 in sides:
            continue
        if x.value < y.value and not _upward_score(text, m.start(), m.end()):
            continue
        score_at[k1] = Number(x.value, m.group(), x.start, y.end, x.hedge, "score", y.counted, y.counted_text,
                              x.event or y.event, "", (x, y))
        sides.update((k1, k2))
    if not score_at:
        return found
    return [score_at.get(k, n) for k, n in enumerate(found) if k in score_at or k not in sides]


def _upward_score(text: str, start: int, end: int) -> bool:
    after = [w.lower() for w in _SCORE_WORD_RE.findall(text[end : end + 30])[:2]]
    if any(w in _RESULT_NOUNS for w in after):
        return True
    before = [w.lower() for w in _SCORE_WORD_RE.findall(text[max(0, start - 40) : start])[-3:]]
    follows = text[end : end + 2].lstrip()[:1]
    return any(w in _LOSING for w in before) and (not after or after[0] in _AFTER_SCORE or follows in ".,;:)")


# --- dates ---------------------------------------------------------------------------------

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MON2 = _MON.replace("?P<mon>", "?P<mon2>")
_DATE_RE = re.compile(
    r"\b(?:"
    + _MON + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
    # (a month's name ends there: "1 decision" and "12 janitors" are no dates)
    + r"|(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON2 + r"(?!\w)(?:,?\s+(?P<year2>(?:19|20)\d{2})\b)?"
    + r")",
    re.IGNORECASE,
)
# (the lookahead, the weekdays' first letters, only makes the other word starts fail early)
_WEEKDAY_RE = re.compile(r"\b" + first_chars(WEEKDAYS) + r"(?P<wd>" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b")


@dataclass(frozen=True, slots=True)
class DateMention:
    month: int
    day: int
    year: int | None
    start: int
    end: int
    text: str

    def same_as(self, other: DateMention) -> bool:
        return (
            self.month == other.month
            and self.day == other.day
            and (self.year is None or other.year is None or self.year == other.year)
        )

    def as_date(self, year: int | None = None) -> date | None:
        y = self.year or year
        if y is None:
            return None
        try:
            return date(y, self.month, self.day)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class WeekdayMention:
    weekday: int  # 0 = Monday
    start: int
    end: int
    text: str


# Where a date can start: a word boundary before a digit or the first three letters of a
# month (every name in MONTHS starts with one of these, matched with the same flags). The
# first lookahead (a digit or a month's first letter) only makes the other positions fail early.
_DATE_START_RE = re.compile(
    r"\b" + first_chars(MONTHS, digits=True) + r"(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))", re.IGNORECASE
)


def _date_matches(text: str):
    """``_DATE_RE.finditer(text)``, trying the pattern only where a date can start."""
    last = 0
    match = _DATE_RE.match
    for c in _DATE_START_RE.finditer(text):
        p = c.start()
        if p < last:
            continue
        m = match(text, p)
        if m is not None:
            last = m.end()
            yield m


def dates(text: str, offset: int = 0) -> list[DateMention]:
    return _read_dates(_date_matches(text), offset)


def _read_dates(matches, offset: int) -> list[DateMention]:
    """The dates among ``_date_matches`` of a text."""
    out = []
    for m in matches:
        mon = (m.group("mon") or m.group("mon2")).casefold()  # casefold: the pattern matches a long s as s
        if mon == "may" and m.group("day2") is None and not m.group("year"):
            # "may 5" is a verb more often than a date unless capitalised.
            if not m.group("mon")[0].isupper():
                continue
        day = int(m.group("day") or m.group("day2"))
        if not 1 <= day <= 31:
            continue
        year = m.group("year") or m.group("year2")
        out.append(DateMention(MONTHS[mon], day, int(year) if year else None, offset + m.start(), offset + m.end(), m.group()))
    return out


@dataclass(frozen=True, slots=True)
class MonthMention:
    """A month named without a day ("in March", "the three months to December", "June 2024")."""

    month: int
    year: int | None
    start: int
    end: int
    text: str

    def same_as(self, other: MonthMention) -> bool:
        return self.month == other.month and (self.year is None or other.year is None or self.year == other.year)


_FULL_MONTHS = list(MONTHS)[:12]  # "january" ... "december", before the abbreviations
# Written with a capital, as a name (lower-case "march" and "may" are a verb and a modal);
# "May" alone counts only after a word that makes it a time ("in May", "last May", "May 2024").
_MONTH_ONLY_RE = re.compile(
    r"(?<![\w-])(?P<mon>" + "|".join(m.capitalize() for m in _FULL_MONTHS) + r")(?![\w-])"
    + r"(?:,?\s+(?P<year>(?:19|20)\d{2})\b)?"
)
_MAY_LEAD_RE = re.compile(
    r"(?:\b(?:in|of|since|until|till|by|from|to|through|last|next|this|early|late|mid|end|between|and|or)[\s-]+)$",
    re.IGNORECASE,
)


def months(text: str, offset: int = 0) -> list[MonthMention]:
    """Months named without a day; a month inside a full date ("March 3") is a date, not this."""
    return _read_months(text, offset, _date_matches(text))


def _read_months(text: str, offset: int, date_matches) -> list[MonthMention]:
    """``months`` of ``text`` given its ``_date_matches``."""
    taken = [(m.start(), m.end()) for m in date_matches]
    out = []
    for m in _MONTH_ONLY_RE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        if m.group("mon") == "May" and not m.group("year") and not _MAY_LEAD_RE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        year = m.group("year")
        out.append(MonthMention(MONTHS[m.group("mon").casefold()], int(year) if year else None, offset + m.start(), offset + m.end(), m.group()))
    return out


def weekdays(text: str, offset: int = 0) -> list[WeekdayMention]:
    return [
        WeekdayMention(WEEKDAYS.index(m.group("wd").lower()), offset + m.start(), offset + m.end(), m.group())
        for m in _WEEKDAY_RE.finditer(text)
        if m.group()[0].isupper()
    ]


@dataclass(frozen=True, slots=True)
class YearMention:
    """A year written alone ("in 1999", "its 2003 performance", "1973-90"), not as part of a
    date or of a month's name ("March 3, 1999", "May 2024")."""

    year: int
    start: int
    end: int
    text: str


def date_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Spans of dates and bare years (so number finders skip them)."""
    spans = [(d.start, d.end) for d in dates(text, offset)]
    spans += [(offset + m.start(), offset + m.end()) for m in _YEAR_RE.finditer(text)]
    return spans


# --- names ---------------------------------------------------------------------------------

_NAME_SKIP = frozenset(
    {w.capitalize() for w in (*MONTHS, *WEEKDAYS)} | {w.capitalize() for w in NUMBER_WORDS} | {"I", "The", "A", "An", "He", "She", "They", "It", "We", "In", "On", "At", "But", "And", "Mr", "Mrs", "Ms", "Dr"}
)
_NAME_RE = re.compile(
    r"(?<![\w'\u2019-])(?:[A-Z][\w'\u2019-]*|[A-Z]{2,})(?:[ \t]+(?:of[ \t]+the[ \t]+|of[ \t]+|de[ \t]+|al-)?(?:[A-Z][\w'\u2019-]*))*"
)


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    start: int
    end: int


_OPENS_SENTENCE = ".!?:\u201c\"(\n\u2026"


def names(text: str, offset: int = 0) -> list[Name]:
    """Capitalised spans that are not just the first word of a sentence (heuristic NER)."""
    return _names(text, offset, True)


def _names(text: str, offset: int, opens: bool) -> list[Name]:
    """``names`` of ``text``; ``opens``: does a sentence start where it starts (no text, or
    text ending in one of _OPENS_SENTENCE, before it)?"""
    out = []
    for m in _NAME_RE.finditer(text):
        t = m.group()
        s = m.start()
        # Drop a sentence-initial capital (start of text, or after . ! ? : or an opening quote).
        head = text[:s].rstrip()
        first_word = _POSSESSIVE_RE.sub("", t.split()[0])
        if ((head[-1] in _OPENS_SENTENCE) if head else opens) and (len(t.split()) == 1 or first_word in _NAME_SKIP):
            if len(t.split()) == 1:
                continue
            t = t[len(first_word) :].lstrip()
            s = m.start() + m.group().index(t)
        if _POSSESSIVE_RE.sub("", t.split()[0]) in _NAME_SKIP:
            parts = t.split()
            if len(parts) == 1:
                continue
            t2 = t[len(parts[0]) :].lstrip()
            s += t.index(t2)
            t = t2
        t = _POSSESSIVE_RE.sub("", t)
        if not t or t in _NAME_SKIP or t.lower() in MONTHS or t.lower() in WEEKDAYS:
            continue
        out.append(Name(t, offset + s, offset + s + len(t)))
    return out


def _opens_sentence(text: str, pos: int) -> bool:
    """The word at ``pos`` starts ``text`` or follows a sentence's end, a colon, a line break
    or an opening quote or bracket (white space skipped)."""
    j = pos - 1
    while j >= 0 and text[j] in " \t\u00a0":
        j -= 1
    return j < 0 or text[j] in _OPENS_SENTENCE


_CALENDAR_NAMES = frozenset(w for w in MONTHS if len(w) > 3 and w != "sept") | frozenset(WEEKDAYS)


def read_as(text: str, like: str) -> str:
    """``text``, set in capitals or title case, in the case ``like`` writes its words: each word
    as ``like`` writes it inside a sentence (a name keeps its capital, an acronym its capitals;
    a word ``like`` writes in lower case anywhere inside a sentence is a common word), the
    names of months (in full) and weekdays with a capital, any other word in lower case, and a
    capital at the start of each sentence. Of the same length, so offsets into it are offsets
    into ``text``; ``text`` itself when lower case would change its length (a few letters
    outside ASCII)."""
    low = text.lower()
    if len(low) != len(text):
        return text
    forms: dict[str, str] = {}
    lt = tokenize(like)
    for s, e in zip(lt.starts.tolist(), lt.ends.tolist()):
        written = like[s:e]
        key = written.lower()
        if written.islower() or (key not in forms and not _opens_sentence(like, s)):
            forms[key] = written
    out = list(low)
    tt = tokenize(text)
    for s, e in zip(tt.starts.tolist(), tt.ends.tolist()):
        word = low[s:e]
        form = forms.get(word)
        if form is not None and len(form) == e - s:
            out[s:e] = form
        if _opens_sentence(text, s) or (form is None and word in _CALENDAR_NAMES):
            out[s] = out[s].upper()
    return "".join(out)


@lru_cache(maxsize=1 << 14)
def name_key(t: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", t.lower().replace("\u2019", "'").replace("'s", ""))


# --- per-document caches (a document is compared with many others in a scan) ---------------


class Indexed:
    """Items of a document (each with .start/.end), in text order, with a start index."""

    __slots__ = ("items", "starts")

    def __init__(self, items) -> None:
        self.items = tuple(sorted(items, key=lambda x: x.start))
        self.starts = [x.start for x in self.items]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def within(self, start: int, end: int) -> list:
        lo = bisect_left(self.starts, start)
        hi = bisect_left(self.starts, end, lo)
        return [x for x in self.items[lo:hi] if x.end <= end]


class DocWords:
    """The words of a text as parallel lists (as written, canonical, start, end), in text
    order; ``Word`` objects are made only for the few words a finder looks at closely."""

    __slots__ = ("texts", "canons", "starts", "ends")

    def __init__(self, text: str) -> None:
        # A word never spans a line break, so the words of a text are those of its lines,
        # cached per line (a copy repeats most lines of its source).
        texts: list[str] = []
        canons: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        at = 0
        for line in text.split("\n"):
            lw = _line_words(line)
            if lw[0]:
                texts += lw[0]
                canons += lw[1]
                if at:
                    starts += [x + at for x in lw[2]]
                    ends += [x + at for x in lw[3]]
                else:
                    starts += lw[2]
                    ends += lw[3]
            at += len(line) + 1
        self.texts, self.canons, self.starts, self.ends = texts, canons, starts, ends

    def __len__(self) -> int:
        return len(self.texts)

    def word(self, i: int) -> Word:
        return Word(self.texts[i], self.canons[i], self.starts[i], self.ends[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Index range [lo, hi) of the words inside [start, end) (words never overlap, so
        only the last one can run past ``end``)."""
        lo = bisect_left(self.starts, start)
        hi = bisect_left(self.starts, end, lo)
        if hi > lo and self.ends[hi - 1] > end:
            hi -= 1
        return lo, hi

    def view(self, start: int, end: int) -> WordsView:
        lo, hi = self.span(start, end)
        return WordsView(self, lo, hi)


@lru_cache(maxsize=1 << 14)
def _line_words(line: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """(as written, canonical, start, end) of the words of one line.

    The words come from ``findall`` (no match objects) and each one's start from ``str.find``
    after the end of the one before: every word starts with a letter or a digit, where the
    pattern matches, so no earlier copy of a word can lie between two matches."""
    texts = _WORD_RE.findall(line)
    starts, ends = [], []
    at, find = 0, line.find
    for t in texts:
        at = find(t, at)
        starts.append(at)
        at += len(t)
        ends.append(at)
    return tuple(texts), tuple(map(canonical_word, texts)), tuple(starts), tuple(ends)


class WordsView:
    """Words lo..hi of a DocWords, indexed and sliced like a list of Word."""

    __slots__ = ("doc", "lo", "hi")

    def __init__(self, doc: DocWords, lo: int, hi: int) -> None:
        self.doc, self.lo, self.hi = doc, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    @property
    def canons(self) -> list[str]:
        return self.doc.canons[self.lo : self.hi]

    def __getitem__(self, k):
        if isinstance(k, slice):
            lo, hi, step = k.indices(self.hi - self.lo)
            if step == 1:
                return WordsView(self.doc, self.lo + lo, self.lo + max(lo, hi))
            return [self.doc.word(self.lo + i) for i in range(lo, hi, step)]
        if k < 0:
            k += self.hi - self.lo
        if not 0 <= k < self.hi - self.lo:
            raise IndexError(k)
        return self.doc.word(self.lo + k)

    def __iter__(self):
        return (self.doc.word(i) for i in range(self.lo, self.hi))


@lru_cache(maxsize=512)
def doc_words(text: str) -> DocWords:
    return DocWords(text)


@lru_cache(maxsize=512)
def doc_numbers(text: str) -> Indexed:
    exclude = [(d.start, d.end) for d in doc_dates(text)]  # date_spans(text), the dates read once
    exclude += [(m.start(), m.end()) for m in _YEAR_RE.finditer(text)]
    return Indexed(_scores(text, numbers(text, 0, exclude=exclude)))


@lru_cache(maxsize=512)
def doc_dates(text: str) -> Indexed:
    return Indexed(_read_dates(_doc_date_matches(text), 0))


@lru_cache(maxsize=512)
def doc_months(text: str) -> Indexed:
    return Indexed(_read_months(text, 0, _doc_date_matches(text)))


@lru_cache(maxsize=512)
def doc_years(text: str) -> Indexed:
    """The bare years of a text: those outside its dates and its months with a year."""
    taken = [(d.start, d.end) for d in doc_dates(text)] + [(m.start, m.end) for m in doc_months(text) if m.year]
    out = []
    for m in _YEAR_RE.finditer(text):
        if not any(a < m.end() and m.start() < b for a, b in taken):
            out.append(YearMention(int(m.group()), m.start(), m.end(), m.group()))
    return Indexed(out)


@lru_cache(maxsize=512)
def _doc_date_matches(text: str) -> tuple[re.Match, ...]:
    """``_date_matches`` of a whole text, found once for both its dates and its months."""
    return tuple(_date_matches(text))


@lru_cache(maxsize=512)
def doc_weekdays(text: str) -> Indexed:
    # A weekday never spans a line break and a line break is a word boundary: read per line.
    out: list[WeekdayMention] = []
    at = 0
    for line in text.split("\n"):
        found = _line_weekdays(line)
        if found:
            out += found if not at else [WeekdayMention(w.weekday, w.start + at, w.end + at, w.text) for w in found]
        at += len(line) + 1
    return Indexed(out)


@lru_cache(maxsize=1 << 14)
def _line_weekdays(line: str) -> tuple[WeekdayMention, ...]:
    return tuple(weekdays(line))


@lru_cache(maxsize=512)
def doc_names(text: str) -> Indexed:
    # A name never spans a line break: the names of a text are those of its lines, each read
    # knowing whether the last non-blank character before it opens a sentence.
    out: list[Name] = []
    at = 0
    opens = True
    for line in text.split("\n"):
        found = _line_names(line, opens)
        if found:
            out += found if not at else [Name(n.text, n.start + at, n.end + at) for n in found]
        at += len(line) + 1
        tail = line.rstrip()
        if tail:
            opens = tail[-1] in _OPENS_SENTENCE
    return Indexed(out)


@lru_cache(maxsize=1 << 14)
def _line_names(line: str, opens: bool) -> tuple[Name, ...]:
    return tuple(_names(line, 0, opens))


def within(items, start: int, end: int) -> list:
    """Items (with .start/.end) that lie inside [start, end)."""
    if isinstance(items, Indexed):
        return items.within(start, end)
    return [x for x in items if start <= x.start and x.end <= end]

"""attribution_dropped, attribution_added, attribution_changed.

An attribution is a speaker with a verb of saying ("the military said", "according to
a senior security official") and/or a wire credit ("told AFP", "(Reuters)", "in a
statement sent to AFP"). Within aligned sentences, speakers are matched by the head of
their noun phrase ("a senior security official based in Quetta" -> official); pronouns
and "the group" match any speaker. A speaker named with a role in apposition ("John Smith,
the interior minister, said", "said the interior minister, John Smith") is matched by the
name, or by the role against a speaker given by the role alone ("the minister said").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ..credits import AGENCY_FIRST, AGENCY_NAME_PATTERN, canonical_agency
from ..normalize import canonical_word, stem
from ..records import Alignment, Document, Finding
from ._text import LOOSE_PAIR, NUMBER_WORDS, finding, first_chars, groups

# Agency names and their short forms come from dedup.credits, which the scan uses too.
_AG = r"(?P<ag>" + AGENCY_NAME_PATTERN + r")"
_WIRE_RES = [
    re.compile(r"\(\s*" + _AG + r"\s*\)", re.I),
    re.compile(
        r"\b(?:told|tells|telling|sent\s+to|given\s+to|provided\s+to|emailed\s+to|quoted\s+by|cited\s+by|according\s+to|citing|"
        r"reported\s+by|carried\s+by|speaking\s+to|said\s+to|confirmed\s+to)\s+(?:the\s+)?(?:news\s+agency\s+)?" + _AG + r"\b",
        re.I,
    ),
    re.compile(r"\b" + _AG + r"\s+(?:reported|said|quoted|news\s+agency)\b", re.I),
]
# Where a wire credit can be: an agency name after a word boundary (every name starts with a
# letter, and every credit pattern has a boundary before its name), to skip the three scans.
# The lookahead (the names' first letters, either case) only makes other word starts fail early.
_AGENCY_AT = re.compile(r"\b" + AGENCY_FIRST + r"(?:" + AGENCY_NAME_PATTERN + r")", re.I)
_VERBS = (
    # (not "states", "claims", "reports": as nouns they are far more common)
    "said|says|say|told|tells|added|adds|adding|stated|confirmed|confirms|announced|announces|noted|noting|"
    "warned|warns|explained|insisted|acknowledged|claimed|described|describes|wrote|alleged|reported|"
    "asserted|maintained|disclosed|revealed|denied|denies|denying|argued|argues|contended|contends"
)
# A verb of saying negated ("did not confirm", "would not say", "declined to confirm"): its
# speaker is still a source; the negation is a change of wording (dedup.drift.wording), not a
# dropped source.
_NEGATED_VERBS = (
    r"(?:did|does|do|would|could|will|can|should)(?:\s+not|n['\u2019]t)\s+(?:confirm|say|deny|disclose)"
    r"|cannot\s+(?:confirm|say|deny|disclose)"
    r"|(?:has|have|had)(?:\s+not|n['\u2019]t)\s+(?:confirmed|said|denied|disclosed)"
    r"|(?:declined|declines|refused|refuses)\s+to\s+(?:confirm|say|deny|disclose)"
)
_NEGATED_FIRST = "did does do would could will can should cannot has have had declined declines refused refuses".split()
# (the lookahead, the verbs' first letters, only makes other word starts fail early)
_VERB_FIRST = first_chars(_VERBS.split("|") + _NEGATED_FIRST)
_VERB_RE = re.compile(r"\b" + _VERB_FIRST + r"(?P<verb>" + _NEGATED_VERBS + "|" + _VERBS + r")\b(?!\s+(?:responsibility|by|dozens|the\s+lives|lives|\d)\b)")
# A person's name as a speaker: capitalised words, maybe after a title ("Prime Minister Jane Doe").
_PERSON = (
    r"(?:(?:Mr|Mrs|Ms|Dr|Prof|Sir|Lord|Lady|Gen|Col|Capt|Sgt|President|Prime\s+Minister|Minister|Senator|Judge)\.?\s+)?"
    r"[A-Z][\w'\u2019-]+(?:\s+(?:de\s+|van\s+|von\s+|al-)?[A-Z][\w'\u2019-]+){0,3}"
)
_FORWARD_RE = re.compile(
    r"\b(?P<verb>according\s+to|citing|quoting|said|says|told|added|adds|explained|wrote)\s+"
    r"(?P<sp>(?:the|a|an|one|two|three|four|several|some)\b[^,.;:\u201c\u201d\"()]{2,80}|" + _PERSON + r")"
)
# A speaker named in apposition: a name and a role ("John Smith, the interior minister" or
# "the interior minister, John Smith"), before the verb ("..., said") or after it ("said ...").
_PERSON_RE = re.compile(_PERSON + r"$")
_ROLE_RE = re.compile(r"(?:the|a|an|its|his|her|their|[A-Z][\w-]*['\u2019]s)\s", re.IGNORECASE)
_NOT_NAME_FIRST = frozenset("the a an its his her their this that these those".split())
_APPOSITION_AFTER_RE = re.compile(
    r",\s+(?P<np>(?:(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Capt|Sgt|Lt|Sen|Rep|Gov)\.\s*|[^,;:!?()\u201c\u201d\"\u2014\u2013.\n]|\.(?=\w))+?)"
    r"\s*(?=[,;:!?()\u201c\u201d\"\u2014\u2013\n]|\.(?!\w)|$)"
)
APPOSITION_MAX_WORDS = 8
_CLAUSE_BREAK = re.compile(r",(?!\d{3})|[;:\u201c\u201d\"()\u2014\u2013]|\s-\s|[.!?](?=\s)")
_SUBORDINATE = re.compile(r"\b(?:after|that|when|as|because|since|if|before|while|and|but|where|which|who)\b\s*", re.IGNORECASE)
_CUT_WORDS = frozenset("based in from at on who with for speaking quoted cited while whom that which as".split())
_QUANTIFIERS = frozenset(
    "half most some many one two three four none all majority number several each quarter third both any cent percent pct".split()
)
_AUX = frozenset(
    "has have had was is were are would will also later previously earlier again repeatedly already has not "
    "then now today yesterday recently separately meanwhile however".split()
)
_NOT_HEADS = frozenset({"cent", "percent", "pct"})
_DROP_WORDS = frozenset("a an the one two three four five several some its his her their our this that these those".split())
GENERIC = frozenset(stem(w) for w in "he she they it we i group organization organisation outfit movement statement source sources".split())
_PHRASE_WORDS_RE = re.compile(r"[\w'\u2019-]+")
_ACCORDING_RE = re.compile(r"\baccording\s+to\s+")
SPELLING_SPEAKER_RATIO = 80
# ", said the officials" names its speaker in a few words up to the next break; a longer run
# after "said" is what was said ("said the mugging occurred 100 yards from ...").
FORWARD_MAX_WORDS = 7
_NOT_SPEAKER = frozenset(stem(w) for w in "report reports media there this".split())


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str  # the speaker phrase as written, "" for a bare wire credit
    head: str  # stem of the head noun ("offici"; a named speaker's name: "smith"), "" for a bare wire credit
    agency: str  # canonical agency ("AFP"), "" when none
    start: int
    end: int
    text: str  # the attribution phrase as written
    role: str = ""  # stem of the head of a role in apposition to a named speaker ("John Smith, the minister": minist)

    @property
    def generic(self) -> bool:
        return self.head in GENERIC


def _agency(name: str) -> str:
    return canonical_agency(name)


def _head(phrase: str) -> str:
    """Stem of the head noun of a speaker phrase: "a senior security official based in
    Quetta" -> offici; "more than half of 20,000 people surveyed" -> peopl."""
    kept: list[str] = []
    for w in _PHRASE_WORDS_RE.findall(phrase):
        cw = canonical_word(w)
        if cw == "of":
            if kept and (kept[-1] in _QUANTIFIERS or kept[-1] in {"than", "more", "less"} or kept[-1][:1].isdigit()):
                kept = []
                continue
            if kept:
                break
            continue
        if cw in _CUT_WORDS and kept:
            break
        if cw in _DROP_WORDS or cw in _CUT_WORDS:
            continue
        kept.append(cw)
    while kept and (kept[-1] in _AUX or kept[-1][:1].isdigit() or kept[-1].endswith("ed") and len(kept) > 1):
        kept.pop()
    kept = [w for w in kept if not w[:1].isdigit() and w not in NUMBER_WORDS]
    if not kept or kept[-1] in _NOT_HEADS:
        return ""
    return stem(kept[-1])


def attributions(text: str, offset: int = 0) -> list[Attribution]:
    """Attributions in ``text`` with spans offset into the document."""
    found = _attributions(text)
    if not offset:
        return list(found)
    return [Attribution(x.speaker, x.head, x.agency, x.start + offset, x.end + offset, x.text, x.role) for x in found]


def _is_person(phrase: str) -> bool:
    return bool(_PERSON_RE.match(phrase)) and phrase.split()[0].lower() not in _NOT_NAME_FIRST


def _apposition(first: str, second: str) -> tuple[str, str] | None:
    """(head, role) of a speaker written as a name and a role in apposition, in either order
    ("John Smith" and "the interior minister" -> smith, minist); None when the two phrases
    are not a name and a role."""
    if len(first.split()) > APPOSITION_MAX_WORDS or len(second.split()) > APPOSITION_MAX_WORDS:
        return None
    if _is_person(first) and not _is_person(second):
        name, role = first, second
    elif _is_person(second) and not _is_person(first):
        name, role = second, first
    else:
        return None
    if not _ROLE_RE.match(role):
        return None
    head, role_head = _head(name), _head(role)
    if not head or not role_head or role_head in GENERIC or role_head in _NOT_SPEAKER:
        return None
    return head, role_head


def _before_apposition(text: str, breaks: list[int], k: int) -> tuple[int, str, str, str] | None:
    """A speaker in apposition ending at break ``k - 1`` (a comma right before the verb:
    "the interior minister, John Smith, said"): (start, phrase, head, role), or None."""
    if k < 2 or text[breaks[k - 1] - 1] != "," or text[breaks[k - 2] - 1] != ",":
        return None
    first_start = breaks[k - 3] if k >= 3 else 0
    first = text[first_start : breaks[k - 2] - 1]
    sub = list(_SUBORDINATE.finditer(first))
    if sub:
        first_start += sub[-1].end()
        first = first[sub[-1].end() :]
    second = text[breaks[k - 2] : breaks[k - 1] - 1]
    got = _apposition(first.strip(), second.strip())
    if got is None:
        return None
    start = first_start + len(first) - len(first.lstrip())
    phrase = text[start : breaks[k - 1] - 1].rstrip()
    return start, phrase, *got


@lru_cache(maxsize=1 << 14)
def _attributions(text: str) -> tuple[Attribution, ...]:
    """Attributions of one span of text, offsets from its start (cached: the aligned sentences
    of a source are read again for every copy, and most sentences of a copy are the source's)."""
    out: list[Attribution] = []
    wires = []
    if _AGENCY_AT.search(text):
        for rx in _WIRE_RES:
            for m in rx.finditer(text):
                wires.append((m.start(), m.end(), _agency(m.group("ag")), m.group()))
    used_wire: set[int] = set()
    breaks = None
    for m in _VERB_RE.finditer(text):
        if breaks is None:
            # Ends of the clause breaks, to find the last one before each verb: the patterns
            # look at most one character ahead and a verb starts with a letter, so the breaks
            # found in the whole text and ending by the verb are those found in the text before it.
            breaks = [b.end() for b in _CLAUSE_BREAK.finditer(text)]
        verb = m.group("verb")
        before = text[: m.start()]
        k = bisect_right(breaks, m.start())
        cut = breaks[k - 1] if k else 0
        phrase = before[cut:].strip()
        sub = list(_SUBORDINATE.finditer(phrase))
        if sub:
            phrase = phrase[sub[-1].end() :].strip()
        words_before = phrase.split()
        if len(words_before) > 12:
            phrase = " ".join(words_before[-12:])
        sp_start = m.start() - len(phrase) - (len(before) - len(before.rstrip())) if phrase else m.start()
        head = _head(phrase)
        role = ""
        end = m.end()
        if not phrase and (appos := _before_apposition(text, breaks, k)) is not None:
            sp_start, phrase, head, role = appos
        elif not head and (verb.startswith(("according", "citing", "quoting")) or before.rstrip()[-1:] in ",\u201d\"'\u2019"):
            fm = _FORWARD_RE.match(text, m.start())
            if fm and len(fm.group("sp").split()) <= FORWARD_MAX_WORDS:
                phrase = fm.group("sp").strip()
                head = _head(phrase)
                sp_start = fm.start("sp")
                end = fm.start("sp") + len(phrase)
                am = _APPOSITION_AFTER_RE.match(text, end)
                if am is not None and (got := _apposition(phrase, am.group("np").strip())) is not None:
                    head, role = got
                    end = am.start("np") + len(am.group("np").rstrip())
                    phrase = text[sp_start:end]
        if not head or head in _NOT_SPEAKER or head[:1].isdigit():
            continue
        agency = ""
        for k, (w0, w1, ag, _) in enumerate(wires):
            if m.start() <= w0 <= m.end() + 1 and w1 > end:
                agency, end = ag, w1
                used_wire.add(k)
        start = min(sp_start, m.start())
        out.append(Attribution(phrase, head, agency, start, end, text[start:end], role))
    for m in _ACCORDING_RE.finditer(text):
        fm = _FORWARD_RE.match(text, m.start())
        if not fm:
            continue
        if any(a.start <= m.start() < a.end for a in out):
            continue
        phrase = fm.group("sp").strip()
        head = _head(phrase)
        if head and head not in _NOT_SPEAKER:
            out.append(Attribution(phrase, head, "", m.start(), fm.end("sp"), text[m.start() : fm.end("sp")].rstrip()))
    for k, (w0, w1, ag, wtext) in enumerate(wires):
        if k in used_wire or any(a.start <= w0 < a.end for a in out if a.agency == ag):
            continue
        out.append(Attribution("", "", ag, w0, w1, wtext))
    out.sort(key=lambda a: a.start)
    return tuple(out)


def same_head(x: Attribution, y: Attribution) -> bool:
    """Do two speakers have the same head? A speaker named with a role in apposition ("John
    Smith, the minister") is the same as that name alone or that role alone ("the minister"),
    not as another name with the same role ("Peter Brown, the minister")."""
    if x.head == y.head:
        return True
    return bool(x.role and not y.role and x.role == y.head or y.role and not x.role and y.role == x.head)


def _same_speaker(x: Attribution, y: Attribution) -> bool:
    if same_head(x, y) or x.generic or y.generic:
        return True
    # the same name spelled otherwise (reported as spelling_variant, not a new source)
    return x.head[:1] == y.head[:1] and fuzz.ratio(x.head, y.head) >= SPELLING_SPEAKER_RATIO


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    for g in groups(a, b, alignment):
        ra = attributions(g.a_text, g.a_start)
        rb = attributions(g.b_text, g.b_start)
        yield from compare_attributions(ra, rb, g.a_text, g.b_text, loose=g.score < LOOSE_PAIR)


def compare_attributions(ra, rb, a_sentence: str, b_sentence: str, *, loose: bool = False) -> Iterator[Finding]:
    agencies_a = {x.agency for x in ra if x.agency}
    agencies_b = {y.agency for y in rb if y.agency}
    sa = [x for x in ra if x.head]
    sb = [y for y in rb if y.head]
    unmatched_a = [x for x in sa if not any(_same_speaker(x, y) for y in sb)]
    unmatched_b = [y for y in sb if not any(_same_speaker(x, y) for x in sa)]
    # Speakers replaced by other speakers, then speakers gone or new.
    for x, y in zip(unmatched_a, unmatched_b):
        if x.generic or y.generic or loose:
            continue
        yield finding(
            "attribution_changed", x.text, y.text, (x.start, x.end), (y.start, y.end), a_sentence, b_sentence,
            note=f"source {x.speaker!r} -> {y.speaker!r}",
        )
    n = min(len(unmatched_a), len(unmatched_b))
    for x in unmatched_a[n:]:
        yield finding("attribution_dropped", x.text, "", (x.start, x.end), None, a_sentence, b_sentence, note=f"source {x.speaker!r} dropped")
    for y in unmatched_b[n:]:
        yield finding("attribution_added", "", y.text, None, (y.start, y.end), a_sentence, b_sentence, note=f"source {y.speaker!r} added")
    # Wire credits.
    gone = sorted(agencies_a - agencies_b)
    new = sorted(agencies_b - agencies_a)
    for ag_a, ag_b in zip(gone, new):
        x = next(x for x in ra if x.agency == ag_a)
        y = next(y for y in rb if y.agency == ag_b)
        yield finding("attribution_changed", x.text, y.text, (x.start, x.end), (y.start, y.end), a_sentence, b_sentence, note=f"wire credit {ag_a} -> {ag_b}")
    n = min(len(gone), len(new))
    for ag in gone[n:]:
        for x in ra:
            if x.agency == ag:
                phrase = x.text if not x.head else x.text
                yield finding("attribution_dropped", phrase, "", (x.start, x.end), None, a_sentence, b_sentence, note=f"wire credit {ag} dropped")
    for ag in new[n:]:
        for y in rb:
            if y.agency == ag:
                yield finding("attribution_added", "", y.text, None, (y.start, y.end), a_sentence, b_sentence, note=f"wire credit {ag} added")

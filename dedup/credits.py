"""Wire credits: which news agencies a text names as its own source, and which it cites.

A *primary* credit says the agency gathered the story itself: a dateline "(Reuters) -",
"told AFP", "a statement sent to AFP", "Reuters could not independently verify". A
*secondary* credit cites another agency's reporting: "quoted by AFP", "according to
AFP", "reports carried by ANI", "AFP reported".

Verification uses them to tell another agency's own story on the same event (two
different primary agencies) from a rewrite of one agency's story (the copy credits the
source's agency, or no agency at all); chains use them to pick the origin. Photo
credits in caption zones are ignored: a photo by AFP does not make the text AFP's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .normalize import first_chars
from .records import Zone

# Long names first so "Associated Press of Pakistan" wins over "Associated Press".
_AGENCIES: dict[str, str] = {
    "agence france-presse": "AFP", "agence france presse": "AFP", "afp": "AFP",
    "reuters": "Reuters", "thomson reuters": "Reuters",
    "associated press of pakistan": "APP", "app": "APP",
    "the associated press": "AP", "associated press": "AP", "ap": "AP",
    "press association": "PA", "pa media": "PA", "pa": "PA",
    "asian news international": "ANI", "ani": "ANI",
    "press trust of india": "PTI", "pti": "PTI", "ians": "IANS",
    "united press international": "UPI", "upi": "UPI",
    "deutsche presse-agentur": "DPA", "dpa": "DPA", "efe": "EFE", "ansa": "ANSA",
    "xinhua": "Xinhua", "kyodo": "Kyodo", "yonhap": "Yonhap", "bernama": "Bernama",
    "anadolu agency": "Anadolu", "anadolu": "Anadolu", "tass": "TASS", "ria novosti": "RIA",
    "bloomberg": "Bloomberg", "wafa": "WAFA", "irna": "IRNA", "kuna": "KUNA", "wam": "WAM",
    "bss": "BSS", "interfax": "Interfax",
}
# Short upper-case names must be written in capitals ("AP", not "ap" or "Ap").
_CAPS_ONLY = {"ap", "pa", "app", "ani", "pti", "upi", "efe", "afp", "ians", "dpa", "wam", "bss"}

_NAME = "|".join(
    r"\s+".join(map(re.escape, k.split())) if k not in _CAPS_ONLY else "(?-i:" + re.escape(k.upper()) + ")"
    for k in sorted(_AGENCIES, key=len, reverse=True)
)
_AG = rf"(?P<ag>{_NAME})"
# For other modules' patterns (drift attribution): any agency name, to be compiled with re.I,
# and the names it matches (lower case).
AGENCY_NAME_PATTERN = _NAME
AGENCY_NAMES = tuple(_AGENCIES)
_THE = r"(?:the\s+)?(?:news\s+agency\s+)?"

_PRIMARY = [
    re.compile(rf"\(\s*{_AG}\s*\)\s*[-\u2013\u2014:]", re.I),  # dateline "(Reuters) -"
    re.compile(
        rf"\b(?:told|telling|sent\s+to|speaking\s+to|spoke\s+to|said\s+to|confirmed\s+to|"
        rf"statement\s+to|interview\s+with|emailed\s+to|provided\s+to)\s+{_THE}{_AG}\b",
        re.I,
    ),
    re.compile(rf"\b{_AG}\s+(?:could\s+not|was\s+unable\s+to|cannot)\s+(?:independently\s+)?(?:verify|confirm)", re.I),
    re.compile(rf"\b(?:request|requests)\s+(?:for\s+comment\s+)?from\s+{_THE}{_AG}\b", re.I),
    re.compile(rf"\b{_AG}\s+(?:correspondents?|reporters?|journalists?|photographers?)\b", re.I),
]
_SECONDARY = [
    re.compile(
        rf"\b(?:quoted\s+by|according\s+to|cited\s+by|citing|carried\s+by|reported\s+by|"
        rf"reports?\s+(?:carried\s+)?by|via)\s+{_THE}{_AG}\b",
        re.I,
    ),
    re.compile(rf"\b{_AG}\s+(?:news\s+agency\s+)?(?:reported|quoted|said|cited|reports|says)\b", re.I),
]


@dataclass(frozen=True, slots=True)
class Credit:
    agency: str  # canonical short name: "AFP", "Reuters", "AP", ...
    primary: bool
    start: int
    end: int
    text: str


def _canon(name: str) -> str:
    return _AGENCIES[" ".join(name.lower().split())]


def canonical_agency(name: str) -> str:
    """The short name of an agency as written in a text ("Agence France-Presse" -> "AFP"),
    the name itself when it is not a known agency."""
    return _AGENCIES.get(" ".join(name.lower().split()), name)


def _in_caption(pos: int, zones: Sequence[Zone]) -> bool:
    return any(z.kind == "caption" and z.start <= pos < z.end for z in zones)


# A lookahead of the agency names' first letters, to put before a pattern whose every match
# starts with a name (compiled with re.I): the same matches, but the regex engine gives up at
# once at every other position instead of trying the whole alternation there (~290 us ->
# ~140 us on a 3 KB article that names an agency). Drift's attribution uses it too.
AGENCY_FIRST = first_chars(_AGENCIES)
# Any agency name, whole words.
_ANY_NAME = re.compile(rf"{AGENCY_FIRST}\b{_AG}\b", re.I)
# Precheck: a text without any of these words names no agency (one cheap pass, no regex
# alternation), so most texts cost a findall and a set intersection.
_KEY_WORDS = frozenset(max(k.split(), key=len) for k in _AGENCIES)
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
_WINDOW_BEFORE = 80  # the longest lead-in ("in a statement to the news agency ") fits
_WINDOW_AFTER = 60


def wire_credits(text: str, zones: Sequence[Zone] = ()) -> tuple[Credit, ...]:
    """Agency credits in the body text, in text order; a span is counted once (primary first).

    One pass finds the agency names; the credit patterns then run only on a small window
    around each name, so the cost is linear in the text and near zero without agencies.
    """
    if not _KEY_WORDS.intersection(_WORD_RE.findall(text.lower())):
        return ()
    found: list[Credit] = []
    taken: set[int] = set()
    for name in _ANY_NAME.finditer(text):
        s0, e0 = name.span("ag")
        if s0 in taken or _in_caption(s0, zones):
            continue
        lo = max(0, s0 - _WINDOW_BEFORE)
        window = text[lo : e0 + _WINDOW_AFTER]
        hit = None
        for primary, patterns in ((True, _PRIMARY), (False, _SECONDARY)):
            for pat in patterns:
                for m in pat.finditer(window):
                    ms, me = lo + m.start("ag"), lo + m.end("ag")
                    if ms < e0 and s0 < me:  # the same name ("the Associated Press" / "Associated Press")
                        hit = Credit(_canon(m.group("ag")), primary, lo + m.start(), lo + m.end(), m.group())
                        break
                if hit:
                    break
            if hit:
                break
        if hit:
            taken.add(s0)
            found.append(hit)
    return tuple(found)


def agencies(credits: Sequence[Credit], *, primary: bool | None = None) -> frozenset[str]:
    """The agencies of ``credits``; only primary or only secondary ones when asked."""
    return frozenset(c.agency for c in credits if primary is None or c.primary == primary)

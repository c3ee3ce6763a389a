"""Split a page that holds several stories into its stories (pure, no I/O).

A split needs two things at once:

* a marker of a new story start after substantial text: a headline line repeated
  within a few lines with only header lines between (boilerplate, headline-like lines,
  bullets; a table caption repeated over rows of figures is no headline), a
  publication/update stamp (with its follow block), or a second dateline paragraph
  ("ISLAMABAD: ...", "QUETTA, Pakistan, Jan 31 (Reuters) - ...");
* the text before and after the marker must be lexically dissimilar (cosine of
  log-weighted content-stem counts below ``MAX_PART_SIMILARITY``), so a quoted
  dateline or a repeated line inside one story never splits it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

from ..normalize import content_stems, tokenize_uncached
from .boilerplate import Cleaned, clean_lines, is_stamp, is_title_like, line_keys, split_lines

# Each part must hold at least this many words of body text (captions and boilerplate not counted).
MIN_PART_WORDS = 60
# Parts more similar than this are one story. Measured with ``similarity``: the two stories of
# seeds/002 (both about Pakistani security) score 0.18; one BBC article cut at each paragraph
# boundary (725 cuts of 400 articles) scores median 0.35, 5th percentile 0.22, 1st 0.16;
# two random BBC articles score median 0.05, 95th percentile 0.14.
# A new story opened by a stamp or a repeated headline (strong markers) needs the first
# threshold; one opened only by a dateline or a headline-like line needs the second.
MAX_PART_SIMILARITY = 0.25
MAX_PART_SIMILARITY_WEAK = 0.12
# How far apart (in non-blank lines) a headline and its repetition may be.
REPEAT_WINDOW = 8
# How many header lines (headline, stamp, buttons, bullets) a new story may open with.
MAX_HEADER_LINES = 12
# The text before a possible story start is compared with the text after it over at most this many
# body words ending at the start, and from no further back than this many rejected starts, so a
# page of many starts that do not split it (a live blog, a feed dump of one running story, a
# dateline or stamp line repeated) costs time linear in its length; comparing all the text since
# the last split was quadratic (found by fuzzing). Far above real pages, so that no real split
# decision changes: the longest text of BBC News (2,225 articles), Reuters-21578 (15,997 with a
# body) and the 20,000-article benchmark folder holds 4,432 body words (BBC politics/290), and so
# does the longest part before a start tried in 2,000 joined pairs and triples of BBC articles;
# in all of them a start tried follows at most one rejected start.
MAX_BEFORE_WORDS = 10_000
MAX_BEFORE_STARTS = 10

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE_RE = re.compile(
    r"[A-Z][A-Z.'\u2019-]{2,}(?:[ /-][A-Z][A-Z.'\u2019-]+){0,3}"  # QUETTA, NEW DELHI, QUETTA/ISLAMABAD
    r"(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,2}){0,2}"  # , Pakistan / , N.Y.
    rf"(?:,?\s*{_MONTH}\s+\d{{1,2}})?"  # , Jan 31
    r"\s*(?:\([A-Za-z .&]{2,30}\))?"  # (Reuters)
    r"\s*[:\u2013\u2014-]\s+\S"
)
_BULLET_RE = re.compile(r"[\u2022\u25aa\u25cf\u2023\u2043*\u00b7-]\s")


def is_dateline(line: str) -> bool:
    return _DATELINE_RE.match(line) is not None and len(line.split()) >= 15


def similarity(a: str, b: str) -> float:
    """Cosine in [0, 1] of the log-weighted content-stem counts of two texts."""
    ca, cb = _stem_counts(a), _stem_counts(b)
    if not ca or not cb:
        return 0.0
    wa = {k: 1.0 + math.log(v) for k, v in ca.items()}
    wb = {k: 1.0 + math.log(v) for k, v in cb.items()}
    dot = sum(w * wb[k] for k, w in wa.items() if k in wb)
    na = math.sqrt(sum(w * w for w in wa.values()))
    nb = math.sqrt(sum(w * w for w in wb.values()))
    return min(1.0, dot / (na * nb))


@lru_cache(maxsize=2)
def _stem_counts(text: str) -> Counter[str]:
    """Content-stem counts of a part. Only the last two parts are kept: the part after a start that
    splits is the part before the next one. (Not through tokenize's cache: the parts are one-off
    strings of up to MAX_BEFORE_WORDS words; splitting 5.5 MB of distinct text held 870 MB there.)"""
    return Counter(content_stems(tokenize_uncached(text).words))


def _candidates(lines: list[str], rules: list[str | None], keys: list[str] | None = None) -> dict[int, bool]:
    """First lines of possible new stories -> whether a strong marker opens them (``keys``: the
    lines' ``line_keys``, when the caller has them)."""
    n = len(lines)
    nonblank = [i for i in range(n) if lines[i]]
    if keys is None:
        keys = line_keys(lines)
    # Each line's headline look, computed once and only when needed (a dict, not functools.cache:
    # a cached function made anew for each text cost more than the look-ups it saved).
    title_like: dict[int, bool] = {}

    def titled(j: int) -> bool:
        got = title_like.get(j)
        if got is None:
            got = title_like[j] = is_title_like(lines[j])
        return got

    def header(j: int) -> bool:
        """A line a story's header block may hold: boilerplate, headline-like or a bullet."""
        return rules[j] is not None or titled(j) or _BULLET_RE.match(lines[j]) is not None

    # Where each line's key comes again among the non-blank lines: most lines are never
    # repeated, and for them the headline look is only needed when a dateline is possible.
    seen_at: dict[str, int] = {}
    next_same: dict[int, int] = {}  # position in nonblank -> position of the next line with its key
    for pos in range(len(nonblank) - 1, -1, -1):
        key = keys[nonblank[pos]]
        if key in seen_at:
            next_same[pos] = seen_at[key]
        seen_at[key] = pos

    markers: dict[int, bool] = {}
    for pos, i in enumerate(nonblank):
        line = lines[i]
        if rules[i] is not None:
            if is_stamp(rules[i]):
                markers[i] = True
        elif pos in next_same and titled(i):
            # A headline repeated within REPEAT_WINDOW lines, only header lines between (body
            # text between: a repeated table caption, not a headline).
            q = next_same[pos]
            if q - pos <= REPEAT_WINDOW and all(header(nonblank[k]) for k in range(pos + 1, q)):
                markers[i] = True
        elif is_dateline(line) and not titled(i):
            markers[i] = False
    starts: dict[int, bool] = {}
    for i, strong in markers.items():
        # Walk back over the header block of the new story to its first line.
        start, seen = i, 0
        j = i - 1
        while j >= 0 and seen < MAX_HEADER_LINES:
            if lines[j]:
                if not header(j):
                    break
                start, seen = j, seen + 1
            j -= 1
        starts[start] = starts.get(start, False) or strong
    return dict(sorted(starts.items()))


def story_starts(raw: str) -> tuple[int, ...]:
    """0-based line numbers where the 2nd, 3rd, ... story of ``raw`` begin; () for one story."""
    return story_starts_lines(*split_lines(raw))


def story_starts_lines(lines: list[str], rules: list[str | None], keys: list[str] | None = None) -> tuple[int, ...]:
    """``story_starts`` of text already cut by ``boilerplate.split_lines`` (``keys``: its
    ``line_keys``, when the caller has them)."""
    if keys is None:
        keys = line_keys(lines)
    cands = _candidates(lines, rules, keys)
    if not cands:
        return ()
    words = [0] * (len(lines) + 1)
    for i, ln in enumerate(lines):
        body = ln and rules[i] is None
        words[i + 1] = words[i] + (len(ln.split()) if body else 0)
    total = words[-1]
    strong = cands
    cands = [c for c in cands if words[c] >= MIN_PART_WORDS and total - words[c] >= MIN_PART_WORDS]
    accepted: list[int] = []
    rejected: list[int] = []  # the starts tried since the last split
    begin = 0
    for k, c in enumerate(cands):
        limit = MAX_PART_SIMILARITY if strong[c] else MAX_PART_SIMILARITY_WEAK
        if words[c] - words[begin] < MIN_PART_WORDS:
            continue
        end = cands[k + 1] if k + 1 < len(cands) else len(lines)
        # The part since the last split, from no further back than MAX_BEFORE_STARTS rejected
        # starts and cut to its last MAX_BEFORE_WORDS body words.
        first = rejected[-MAX_BEFORE_STARTS] if len(rejected) >= MAX_BEFORE_STARTS else begin
        b = bisect_left(words, words[c] - MAX_BEFORE_WORDS, first, c)
        before = clean_lines(lines[b:c], rules[b:c], keys=keys[b:c]).text
        after = clean_lines(lines[c:end], rules[c:end], keys=keys[c:end]).text
        if similarity(before, after) < limit:
            accepted.append(c)
            begin = c
            rejected.clear()
        else:
            rejected.append(c)
    return tuple(accepted)


def split_text(raw: str) -> tuple[tuple[int, str], ...]:
    """The stories of ``raw`` as (line offset, text) pairs; one pair when it holds one story."""
    starts = story_starts(raw)
    if not starts:
        return ((0, raw),)
    lines = raw.splitlines()
    bounds = (0, *starts, len(lines))
    return tuple((bounds[k], "\n".join(lines[bounds[k] : bounds[k + 1]])) for k in range(len(bounds) - 1))


def split_cleaned(raw: str, *, title: str | None = None, split: bool = True) -> tuple[Cleaned, ...]:
    """``raw`` cut into stories, each cleaned (line numbers stay those of ``raw``)."""
    lines, rules = split_lines(raw)
    keys = line_keys(lines) if split else None
    starts = story_starts_lines(lines, rules, keys) if split else ()
    bounds = (0, *starts, len(lines))
    return tuple(
        clean_lines(lines[a:b], rules[a:b], title=title if k == 0 else None, line_offset=a,
                    keys=keys[a:b] if keys is not None else None)
        for k, (a, b) in enumerate(zip(bounds, bounds[1:]))
    )

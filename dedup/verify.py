"""Candidate pair -> scored, classified Relation. LSH proposes; this decides.

Every candidate is measured exactly: word n-gram overlap and containment both ways
(on body text, captions apart), shared passages with offsets in both texts, content
word overlap, shared names and figures, and a sentence alignment (dedup.align) with
its coverage, scores and order. The class follows from those numbers by the rules in
``classify``; each rule leaves a human-readable reason on the Relation.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import xxhash

from .align import DATE_WORDS, SentenceData, align, order_share, sentence_data, sentence_data_from
from .credits import Credit, agencies, wire_credits
from .dateline import ReportDay, dateline_day, dateline_span, days_apart, report_day
from .fingerprint import in_sorted, shingle_hashes, sorted_unique, winnow, word_hashes
from .normalize import (
    STOP_WORDS,
    ascii_view,
    canonical_word,
    capitals_tell_names,
    content_stem,
    stem,
    tokenize,
    words as text_words,
)
from .params import FingerprintParams
from .records import Alignment, Document, Passage, Relation, RelationKind, Scores, Sentence, Zone

# --- calibrated constants -------------------------------------------------------------
# Set on the seeds and the synthetic syndication corpus (benchmarks/syndication.py),
# before the Clough-Stevenson, Reuters and BBC benchmarks were run.
REPRINT_CONTAINMENT = 0.6  # body n-grams of one side found in the other: same wording
# (synthetic corpus: reprints 0.71-0.99, rewrites 0.10-0.58). When the other side keeps
# less than REPRINT_OTHER of its own n-grams in common, it is a reprint only if what it
# lacks is a tail (trimmed from the bottom); material around the shared text is a host's
# own article, which makes the pair a partial reuse.
REPRINT_OTHER = 0.65
TRIMMED_HEAD = 0.2  # shared text starts within the first 20% of the longer side
TRIMMED_DENSITY = 0.6  # and covers 60% of it up to the last shared word
MIN_RUN_WORDS = 8  # a shared verbatim run shorter than this is not evidence of copying
PARTIAL_MIN_WORDS = 12  # shared verbatim words (in runs) that make a passage reuse
REWRITE_COVERAGE = 0.6  # share of the smaller side's body sentences aligned
REWRITE_SCORE = 0.45  # mean score of the aligned sentence pairs
REWRITE_ORDER = 0.6  # share of aligned pairs in the same order (000/004: 0.33; neighbour swaps: 0.65)
# A partial rewrite (part of the story reworded, new material added, as seed 003) needs a
# link beyond alignment: the copy credits the source's agency, or shares verbatim runs.
PARTIAL_REWRITE_COVERAGE = 0.4
PARTIAL_REWRITE_SCORE = 0.5
PARTIAL_REWRITE_ORDER = 0.5
PARTIAL_REWRITE_SHARED = 8  # shared word n-grams standing in for a credit link
SAME_EVENT_ENTITIES = 0.12  # Jaccard of names and figures
# A rewrite keeps the facts: of the names and figures of the side that states fewer, at
# least this share must appear on the other side too (when each states MIN_FACTS or more).
# The names and figures are the event entities (no month or weekday names, no lone digits:
# "7-3/4 pct" splits into 7, 3 and 4, which every prime-rate or bond brief shares; with
# them, two banks' prime-rate moves or two cities' hog prices passed as rewrites of each
# other). Synthetic rewrites: >= 0.81 (1st percentile; 0.86 counting lone digits and months);
# seeds 000/001 0.83, 000/003 0.70. Templated Reuters briefs (bond issues, earnings) align
# sentence by sentence with numbers and names masked but are different stories: median 0.47.
REWRITE_FACTS = 0.6
MIN_FACTS = 3
# ... and its figures: of the figures of the running text (_event_figures) of the report that
# states fewer, at least REWRITE_FIGURES must be in the other (when each states
# REWRITE_MIN_FIGURES or more). A rewrite may change a figure (that is drift) or spell it out
# in words (then it is not a figure on that side), not replace most of them. Synthetic rewrites
# and duplicates: 1.0 at the 1st percentile; syndicated rewrites on the 20k folder: 2 of 1,016
# below 0.5. Between different articles, 32 of 418 rewrites were below, most of them one
# template filled twice (the Bank of England's help in the morning and the afternoon, two
# cities' cattle prices, two companies' note offerings).
REWRITE_FIGURES = 0.5
REWRITE_MIN_FIGURES = 3
SAME_EVENT_CONTENT = 0.12  # Jaccard of content stems
SAME_EVENT_NAMES = 3  # shared names (not figures): templated earnings tables share only numbers
# Two reports that each state SAME_EVENT_OWN_FIGURES or more figures of their running text
# (a toll, a price, a score, an amount; not years, lone digits or the dateline), none of them in
# common, are each about their own numbers: two box-office weekends, two countries' statistics
# of one morning, two companies' bond issues. An independent report of the same event repeats
# at least one (seeds 000/004: 10 and 41), if rounded ("about 278,000" for "278,200": within
# FIGURE_ROUNDING). Reports with fewer figures (a party's leadership fight) are not judged by
# them. On the 20k-article folder, of a read sample of 15 same-event links without a shared
# figure, the 10 this rule drops were all different events, and so were 14 of 14 read among
# the 701 links it dropped there.
SAME_EVENT_OWN_FIGURES = 2
FIGURE_ROUNDING = 0.01
# ... counted among the names of the running text (_event_names): not words of a line in
# capitals (a wire headline: "SETS QUARTERLY", "1ST QTR NET"), not the dateline's place, not a
# company's legal form ("Corp", "Inc"), which every company brief shares.
_LEGAL_FORMS = frozenset(
    "corp corporation inc incorporated co company cos ltd limited plc llc lp ag sa nv bv gmbh spa "
    "group holding holdings".split()
)
# Reports filed more than this many days apart (publication dates, else datelines) are not
# reports of one event: a wire's daily stake filings, money-market operations and bond
# issues share the regulator, the city and the vocabulary (dedup.dateline); and a running
# story's next development (an expected visit and the arrival, a veto threat and the vote
# count) shares its names and figures too. It was 3 until session 10: of a read sample of 20
# same-event links on the 20k folder filed 2 or 3 days apart (seed 2030), all 20 were two
# events; the 8 one-event pairs of the second labelled sample were all filed within a day.
# Independent reports of one event come out the same day or the next (time zones, overnight
# editions); a weekly's or a Monday paper's report of a Saturday event is missed.
SAME_EVENT_MAX_DAYS = 1
# Two texts whose datelines lie more than this many days apart are two filings, not a story and
# its rewrite: a copy keeps its source's dateline (whenever it is republished), a wire's update
# is filed within a day or two. A wire's daily templates (money-market help, eurobond issues, the
# Fed's expected operations) align sentence by sentence week after week; among the 20k folder's
# rewrites between different stories, 1,110 of 2,046 had datelines more than 3 days apart, and
# none of the 1,397 syndicated rewrites (tests/test_dateline.py).
REWRITE_MAX_DAYS = 3
# One template filled twice is not a passage reused: when a rewrite is ruled out (the facts
# differ, the leads name different companies or the datelines lie apart) yet at least
# TEMPLATE_ALIGNED of each side's body sentences align to the other, the two follow one
# another sentence by sentence with other names and figures in the slots (two companies'
# registration statements, the Bank of England's money-market help on two days). Their shared
# verbatim runs are the template's fixed wording between the slots; under TEMPLATE_MAX_WORDS
# of them are no passage of real length, and none are when the datelines lie apart (a copy
# keeps its source's dateline; the USDA's monthly crop tables share 60-130 words a month apart).
# On the 20k-article folder, with the reprint rule's dateline test below, partials between
# different source articles went from 5,962 to 2,358 and within syndicated families from 1,804
# to 1,803 (a copy's split part against another copy; the family stays linked through its
# source). A host that embeds a passage aligns far less than half of its own sentences to
# the source.
TEMPLATE_ALIGNED = 0.5
TEMPLATE_MAX_WORDS = 50
# The company a report's lead is about: the first run of capitalised words that ends in a
# legal form, in the lead's first sentence ("Hyponex Corp is raising 150 mln dlrs ...", "Eli
# Lilly and Co told the Securities and Exchange Commission ..."). Two reports whose leads are
# about different companies, neither naming the other's, are each their own company's news
# (two bond issues, two stake filings of one morning), whatever regulator, underwriter or
# city they share.
_LEAD_COMPANY = re.compile(
    r"((?:[A-Z][\w&'\u2019.-]*\s+){1,5}?)(?:and\s+)?"
    r"(?:Inc|Incorporated|Corp|Corporation|Co|Cos|Company|Ltd|Limited|PLC|Plc|plc|LLC|AG|SA|NV|N\.V|BV|GmbH|SpA)\b"
)
# The end of the lead's first sentence: a full stop before a capital or a quote (not the
# stop of an initial, "U.S.", or of an abbreviated legal form or title), or a blank line.
_LEAD_END = re.compile(
    r"(?<![A-Z])(?<!\bInc)(?<!\bCorp)(?<!\bLtd)(?<!\bCo)(?<!\bMr)(?<!\bDr)(?<!\bSt)\.(?=\s+[A-Z\"'\u201c]|\s*$)"
    r"|\n[ \t]*\n"
)
LEAD_CHARS = 400
# Below this content Jaccard, with no shared passage and no common agency, no rule can
# fire (rewrites keep >= 0.3, same-event needs SAME_EVENT_CONTENT): skip the alignment.
REJECT_CONTENT = 0.1
# Verification stays fast on huge inputs: beyond this many characters per side, only
# the first MAX_VERIFY_CHARS are compared (the relation says so in its reasons).
MAX_VERIFY_CHARS = 60_000
MAX_EVIDENCE = 12
# Documents whose verification profile (and credits) stay cached: as many as a scan's
# worker meets in the 20k-article folder (~12k; 8,192 rebuilt 34% more profiles than
# documents, at ~0.45 ms each). About 20 KB a document of ~500 words, up to 8 KB more once
# _passages has sorted its n-grams (Profile.lazy).
PROFILE_CACHE = 16384

_FP = FingerprintParams()
# Capitalised, so they pass for names, but every story has them: for the same-event test a
# month, a weekday or a lone digit says nothing about which event a report is about
# (Reuters-21578: 42% of the same-event links rested on them).
_DATE_STEMS = frozenset(stem(w) for w in DATE_WORDS)
_LEGAL_STEMS = frozenset(stem(w) for w in _LEGAL_FORMS)
_CAPWORD = re.compile(r"[A-Z][\w'\u2019-]*")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True, slots=True, eq=False)
class Profile:
    """What verification needs of one document, computed once per document."""

    doc: Document
    text: str  # possibly capped
    capped: bool
    starts: np.ndarray  # word char offsets
    ends: np.ndarray
    key: int  # stable hash of the canonical word sequence (duplicate test)
    shingles: np.ndarray  # uint64 per position
    body_set: np.ndarray  # sorted unique shingles outside captions
    all_set: np.ndarray  # sorted unique shingles
    caption_pos: np.ndarray  # bool per shingle position: starts in a caption zone
    sample: np.ndarray  # winnowed shingle hashes (as in the fingerprint), for stock-text checks
    content: frozenset[str]
    entities: frozenset[str]
    event_entities: frozenset[str]  # entities without month and weekday names or lone digits
    n_words: int
    cased: bool  # normalize.capitals_tell_names: False for a text set in capitals or title case
    # Built on first use and kept (a dict, so the frozen profile can hold it): what
    # _passages needs of the B side, per document rather than per pair.
    lazy: dict = field(default_factory=dict, repr=False)


def _inside(offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """Which ``offsets`` fall inside any of the half-open character ``spans``."""
    mask = np.zeros(len(offsets), dtype=bool)
    for start, end in spans:
        mask |= (offsets >= start) & (offsets < end)
    return mask


def _in_zones(offsets: np.ndarray, zones: Sequence[Zone], kind: str) -> np.ndarray:
    return _inside(offsets, [(z.start, z.end) for z in zones if z.kind == kind])


# Before a name, these are skipped (opening quotes, brackets); a name right after a sentence
# end, a line break or a colon starts a sentence or a line and is left out.
_BEFORE_NAME = " \t\"'\u201c\u2018("
_SENTENCE_STARTS = ".!?\n:"
# What the first character of a token in an ASCII text makes of it: a figure (a digit) or
# maybe a name (a capital letter); a word in lower case is neither.
_FIGURE, _CAPITAL = 1, 2
_FIRST_CHAR = np.zeros(256, dtype=np.int8)
_FIRST_CHAR[np.frombuffer(b"0123456789", np.uint8)] = _FIGURE
_FIRST_CHAR[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)] = _CAPITAL


@lru_cache(maxsize=1 << 18)
def _name_stem(word: str) -> str | None:
    """What a capitalised word (not a figure) counts as among the entities: its content stem
    when it is not a stop word and has 3+ letters, else None (it says nothing)."""
    if word in STOP_WORDS or len(word) < 3:
        return None
    return content_stem(word)


def _starts_line(text: str, s: int) -> bool:
    """True when the word at ``s`` starts the text, a sentence or a line (skipping quotes
    and brackets before it)."""
    j = s - 1
    while j >= 0 and text[j] in _BEFORE_NAME:
        j -= 1
    return j < 0 or text[j] in _SENTENCE_STARTS


def _first_class(text: str, starts: np.ndarray) -> np.ndarray:
    """_FIGURE, _CAPITAL or 0 for each word of an ASCII ``text`` (at ``starts``), from its first byte."""
    return _FIRST_CHAR[np.frombuffer(text.encode("ascii"), dtype=np.uint8)[starts]]


def _entities(text: str, words: Sequence[str], starts: np.ndarray) -> frozenset[str]:
    """Figures and capitalised names that do not start a sentence or line.

    In an ASCII text a token is a figure exactly when its first byte is a digit, and a
    capitalised word when it is a capital: numpy picks those out, and only the capitalised
    words (a sixth of the words) are looked at one by one; a text whose non-ASCII characters
    are all outside words (quotes, dashes, a pound sign) is read through its ASCII view.
    Equal to ``_entities_simple`` (tests/test_verify_profile.py)."""
    view = ascii_view(text)
    if view is None:
        return _entities_simple(text, words, starts)
    first = _first_class(view, starts)
    out = {words[i] for i in np.flatnonzero(first == _FIGURE).tolist()}
    caps = np.flatnonzero(first == _CAPITAL)
    for i, s in zip(caps.tolist(), starts[caps].tolist()):
        name = _name_stem(words[i])
        if name is not None and not _starts_line(text, s):
            out.add(name)
    return frozenset(out)


def _entities_simple(text: str, words: Sequence[str], starts: np.ndarray) -> frozenset[str]:
    """``_entities`` word by word, for any text."""
    out: set[str] = set()
    for w, s in zip(words, starts.tolist()):
        if w[:1].isdigit():
            out.add(w)
        elif text[s].isupper() and (name := _name_stem(w)) is not None and not _starts_line(text, s):
            out.add(name)
    return frozenset(out)


def _verified_text(doc: Document) -> tuple[str, bool]:
    """The part of ``doc.text`` verification compares (the first MAX_VERIFY_CHARS), and
    whether it was cut."""
    capped = len(doc.text) > MAX_VERIFY_CHARS
    return (doc.text[:MAX_VERIFY_CHARS] if capped else doc.text), capped


def _shingle_sets(shingles: np.ndarray, starts: np.ndarray, zones: Sequence[Zone]) -> tuple[np.ndarray, ...]:
    """(caption_pos, all_set, body_set) of a profile from its shingles and word offsets."""
    cap = _in_zones(starts[: len(shingles)], zones, "caption") if len(shingles) else np.zeros(0, bool)
    all_set = sorted_unique(shingles)
    return cap, all_set, all_set if not cap.any() else sorted_unique(shingles[~cap])  # no captions: the same set


def _event_entities(ents: frozenset[str]) -> frozenset[str]:
    return frozenset(e for e in ents if e not in _DATE_STEMS and not (len(e) == 1 and e.isdigit()))


@lru_cache(maxsize=PROFILE_CACHE)
def profile(doc: Document) -> Profile:
    text, capped = _verified_text(doc)
    toks = tokenize(text)
    words = toks.words
    th = word_hashes(words, _FP.seed)
    sh = shingle_hashes(th, _FP.shingle_size)
    cap, all_set, body_set = _shingle_sets(sh, toks.starts, doc.zones)
    ents = _entities(text, words, toks.starts)
    return Profile(
        doc=doc,
        text=text,
        capped=capped,
        starts=toks.starts,
        ends=toks.ends,
        key=_words_key(text_words(doc.text) if capped else words),
        shingles=sh,
        body_set=body_set,
        all_set=all_set,
        caption_pos=cap,
        sample=winnow(sh, _FP.mod_sample, unique=all_set),
        content=content_set(words),
        entities=ents,
        event_entities=_event_entities(ents),
        n_words=len(words),
        cased=capitals_tell_names(text),
    )


def _words_key(words: Sequence[str]) -> int:
    """A hash of a word sequence that is the same in every process (words hold no
    newline), so that a stored profile's key compares with a fresh one's."""
    return _text_hash("\n".join(words))


# --- stored form -------------------------------------------------------------------------
# A document's profile and its sentence data (what verification prepares once per
# document, ~0.8 ms) as bytes, so that a scan prepares each document once for all its
# workers and an index stores it with the document (loading takes ~0.05 ms). Bump
# PREPARED_VERSION whenever anything those bytes hold would be computed differently:
# tests/test_verify_prepared.py pins a digest of the seeds' stored forms to it. A stored
# form of another version is not loaded (``load_prepared`` gives None: recompute).
PREPARED_VERSION = 4  # 4: alignment marks no names in a text set in capitals or title case
_MAGIC = b"DDV"
# magic, version, flags, key, hash of the (capped) text, hash of the bytes after the
# header (a damaged form is refused, not misread), then counts: words, shingles, sample,
# vocabulary, term entries, sentences, content bytes, entity bytes, credit bytes; padded
# to 72 bytes, so the 8-byte arrays that follow stay aligned.
_HEAD = struct.Struct("<3sBIQQQ9I4x")
_CAPPED, _OWN_SAMPLE, _NO_SENTENCES, _UNCASED = 1, 2, 4, 8
_ZONE_CODES = {"body": 0, "caption": 1, "headline": 2, "stock": 3}
_ZONE_NAMES = tuple(_ZONE_CODES)


def _text_hash(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


def _strings(values: frozenset[str]) -> bytes:
    return "\n".join(sorted(values)).encode("utf-8", "surrogatepass")


def _unstrings(raw: bytes) -> frozenset[str]:
    return frozenset(raw.decode("utf-8", "surrogatepass").split("\n")) if raw else frozenset()


def dump_prepared(doc: Document, *, sentences: bool = True) -> bytes:
    """The stored form of ``doc``'s verification data (profile and sentence data).

    ``sentences=False``: the profile alone, without the sentence data and credits (a
    scan's workers share that form: most documents never get as far as alignment, and
    the verifying worker builds them when one does). Such a form is loaded like the
    other; the index never stores one."""
    p = profile(doc)
    own_sample = p.sample is not p.all_set
    content, ents = _strings(p.content), _strings(p.entities)
    if sentences:
        sd = sentence_data(p.text, p.doc.zones)
        credits = "\n".join(f"{c.agency}\t{int(c.primary)}\t{c.start}\t{c.end}" for c in _credits(doc)).encode(
            "utf-8", "surrogatepass")
        counts = np.bincount(sd.rows, minlength=len(sd.sents)).astype(np.uint32)
        # A sentence's entries follow its term set's iteration order, which Python's string
        # hash makes differ between processes: stored by column, the bytes are the same
        # everywhere (the incidence matrix does not depend on that order).
        cols = sd.cols[np.lexsort((sd.cols, sd.rows))]
        bounds = np.array([(x.start, x.end) for x in sd.sents], dtype=np.int32).reshape(-1)
        zones = np.array([_ZONE_CODES[x.zone] for x in sd.sents], dtype=np.uint8)
        vocab, key, n_sents = sd.vocab, sd.key, len(sd.sents)
    else:
        credits = b""
        vocab, counts, zones = np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros(0, np.uint8)
        cols = key = bounds = np.zeros(0, np.int32)
        n_sents = 0
    body = [
        p.shingles.astype(np.uint64).tobytes(),
        p.sample.astype(np.uint64).tobytes() if own_sample else b"",
        vocab.astype(np.uint64).tobytes(),
        p.starts.astype(np.int32).tobytes(),
        p.ends.astype(np.int32).tobytes(),
        cols.astype(np.int32).tobytes(),
        key.astype(np.int32).tobytes(),
        counts.tobytes(),
        bounds.tobytes(),
        zones.tobytes(),
        content,
        ents,
        credits,
    ]
    payload = b"".join(body)
    head = _HEAD.pack(
        _MAGIC, PREPARED_VERSION,
        (_CAPPED if p.capped else 0) | (_OWN_SAMPLE if own_sample else 0) | (0 if sentences else _NO_SENTENCES)
        | (0 if p.cased else _UNCASED),
        p.key, _text_hash(p.text), xxhash.xxh3_64_intdigest(payload), p.n_words, len(p.shingles),
        len(p.sample) if own_sample else 0, len(vocab), len(cols), n_sents, len(content), len(ents),
        len(credits),
    )
    return head + payload


def load_prepared(doc: Document, blob: bytes) -> Profile | None:
    """``profile(doc)`` from ``dump_prepared(doc)``'s bytes, its sentence data decoded when
    first aligned. None when the bytes are of another PREPARED_VERSION; ValueError when
    they are not a stored form, are damaged, or are not of a document with ``doc``'s text."""
    blob = bytes(blob)
    if len(blob) < _HEAD.size or blob[:3] != _MAGIC:
        raise ValueError("not a stored verification profile")
    (magic, version, flags, key, text_hash, payload_hash, n_words, n_sh, n_sample, n_vocab, n_cols, n_sents, n_content, n_ents,
     n_credits) = _HEAD.unpack_from(blob)
    if version != PREPARED_VERSION:
        return None
    text, capped = _verified_text(doc)
    if xxhash.xxh3_64_intdigest(memoryview(blob)[_HEAD.size :]) != payload_hash:
        raise ValueError("damaged stored verification profile (its checksum does not match)")
    if text_hash != _text_hash(text) or bool(flags & _CAPPED) != capped or n_sh > n_words:
        raise ValueError("stored verification profile of another text")
    off = _HEAD.size

    def take(dtype, n: int) -> np.ndarray:
        nonlocal off
        a = np.frombuffer(blob, dtype=dtype, count=n, offset=off)
        off += a.nbytes
        return a

    # The sections in dump_prepared's order; the sentence data's arrays are views, decoded
    # into a SentenceData when first aligned (_sentence_data).
    try:
        shingles = take(np.uint64, n_sh)
        sample = take(np.uint64, n_sample)
        vocab = take(np.uint64, n_vocab)
        starts, ends = take(np.int32, n_words), take(np.int32, n_words)
        stored = (vocab, take(np.int32, n_cols), take(np.int32, n_vocab), take(np.uint32, n_sents),
                  take(np.int32, 2 * n_sents), take(np.uint8, n_sents))
        if off + n_content + n_ents + n_credits != len(blob):
            raise ValueError("stored verification profile has the wrong length")
        content = _unstrings(blob[off : off + n_content])
        ents = _unstrings(blob[off + n_content : off + n_content + n_ents])
        credits = _uncredits(text, blob[off + n_content + n_ents :])
    except ValueError as e:  # np.frombuffer past the end
        raise ValueError(f"malformed stored verification profile: {e}") from None
    cap, all_set, body_set = _shingle_sets(shingles, starts, doc.zones)
    p = Profile(
        doc=doc,
        text=text,
        capped=capped,
        starts=starts,
        ends=ends,
        key=key,
        shingles=shingles,
        body_set=body_set,
        all_set=all_set,
        caption_pos=cap,
        sample=sample if flags & _OWN_SAMPLE else all_set,
        content=content,
        entities=ents,
        event_entities=_event_entities(ents),
        n_words=n_words,
        cased=not flags & _UNCASED,
    )
    if not flags & _NO_SENTENCES:
        p.lazy["stored"] = stored
        p.lazy["credits"] = credits
    return p


def _uncredits(text: str, raw: bytes) -> tuple[Credit, ...]:
    if not raw:
        return ()
    out = []
    for line in raw.decode("utf-8", "surrogatepass").split("\n"):
        agency, primary, start, end = line.split("\t")
        s, e = int(start), int(end)
        out.append(Credit(agency, primary == "1", s, e, text[s:e]))
    return tuple(out)


def _sentence_data(p: Profile) -> SentenceData:
    """``p``'s sentence data: decoded from its stored form once, else ``align``'s cache."""
    got = p.lazy.get("sentences")
    if got is not None:
        return got
    stored = p.lazy.get("stored")
    if stored is None:
        return sentence_data(p.text, p.doc.zones)
    vocab, cols, key, counts, bounds, zones = stored
    bounds = bounds.tolist()
    text = p.text
    sents = tuple(
        Sentence(s, e, text[s:e], _ZONE_NAMES[z]) for s, e, z in zip(bounds[::2], bounds[1::2], zones.tolist())
    )
    got = p.lazy["sentences"] = sentence_data_from(vocab, cols.astype(np.int64), key.astype(np.int64), counts, sents)
    del p.lazy["stored"]
    return got


def credits_of(p: Profile) -> tuple[Credit, ...]:
    """``_credits`` of ``p``'s document: from its stored form when it was loaded from one."""
    got = p.lazy.get("credits")
    return _credits(p.doc) if got is None else got


@lru_cache(maxsize=PROFILE_CACHE)
def _credits(doc: Document) -> tuple[Credit, ...]:
    """Wire credits of a document (as verified: the first MAX_VERIFY_CHARS), computed only
    for the pairs that get as far as the credit rules."""
    return wire_credits(doc.text[:MAX_VERIFY_CHARS], doc.zones)


def _shouted_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines of ``text`` written in capitals (8+ letters, none in lower case)."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.upper() == line and line.lower() != line and sum(map(str.isalpha, line)) >= 8:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _outside_running_text(p: Profile) -> list[tuple[int, int]]:
    """Spans of ``p``'s text that are not its running text: lines in capitals (a wire headline)
    and the dateline. Built on first use and kept (_event_names, _event_figures)."""
    got = p.lazy.get("outside_running_text")
    if got is None:
        got = _shouted_lines(p.text)
        dl = dateline_span(p.text)
        if dl is not None:
            got.append(dl)
        p.lazy["outside_running_text"] = got
    return got


def _words_starting(p: Profile, cls: int) -> np.ndarray:
    """Indexes of ``p``'s words whose first character is a digit (``_FIGURE``) or a capital
    (``_CAPITAL``): picked out with numpy in an ASCII text (or view), as _entities does."""
    text, starts = p.text, p.starts
    view = ascii_view(text)
    if view is not None:
        return np.flatnonzero(_first_class(view, starts) == cls)
    test = str.isdigit if cls == _FIGURE else str.isupper
    return np.array([k for k, s in enumerate(starts.tolist()) if test(text[s])], dtype=np.int64)


def _as_named_by(p: Profile, own: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    """The figures of ``own`` (a set of ``p``'s entities), and those of another text's ``names``
    (figures left out) that are among ``p``'s content stems: what ``p`` names, read against a
    text whose capitals tell its names when ``p``'s do not (``Profile.cased``)."""
    figures = {e for e in own if e[:1].isdigit()}
    return frozenset(figures | {e for e in names if not e[:1].isdigit() and e in p.content})


def _event_names(p: Profile) -> frozenset[str]:
    """The names of ``p``'s running text that can tie two reports to one event: capitalised
    words (their stems) as ``_entities`` takes them, less those in capitals-only lines and
    in the dateline, month and weekday names, and legal forms (_LEGAL_FORMS). Built on
    first use (only pairs that could be the same event need it) and kept."""
    got = p.lazy.get("event_names")
    if got is not None:
        return got
    text = p.text
    skip = _outside_running_text(p)
    caps, stems = _capital_stems(p)
    offsets = p.starts[caps]
    keep = ~_inside(offsets, skip) if skip and len(caps) else np.ones(len(caps), dtype=bool)
    offsets = offsets.tolist()
    out = set()
    for k in np.flatnonzero(keep).tolist():
        name = stems[k]
        if name is None or name in _DATE_STEMS or name in _LEGAL_STEMS or _starts_line(text, offsets[k]):
            continue
        out.add(name)
    got = p.lazy["event_names"] = frozenset(out)
    return got


def _event_figures(p: Profile) -> frozenset[str]:
    """The figures of ``p``'s running text that can tie two reports to one event (a death toll,
    a price, a score, a count of strikers): words that start with a digit, less those in
    capitals-only lines and in the dateline, and years. Built on first use and kept."""
    got = p.lazy.get("event_figures")
    if got is not None:
        return got
    text, starts = p.text, p.starts
    figs = _words_starting(p, _FIGURE)
    skip = _outside_running_text(p)
    if skip and len(figs):
        figs = figs[~_inside(starts[figs], skip)]
    out = set()
    for s, e in zip(starts[figs].tolist(), p.ends[figs].tolist()):
        w = canonical_word(text[s:e])
        if not _YEAR.fullmatch(w) and not (len(w) == 1 and w.isdigit()):
            out.add(w)
    got = p.lazy["event_figures"] = frozenset(out)
    return got


def _figures_kept(pa: Profile, pb: Profile) -> tuple[int, int] | None:
    """(how many, of how many) figures of the report that states fewer the other states too, a
    rounded one included; None when either states fewer than REWRITE_MIN_FIGURES."""
    fa, fb = _event_figures(pa), _event_figures(pb)
    if min(len(fa), len(fb)) < REWRITE_MIN_FIGURES:
        return None
    small, big = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
    return _shared_figures(small, big), len(small)


def _own_figures(pa: Profile, pb: Profile) -> bool:
    """Each report states at least SAME_EVENT_OWN_FIGURES figures and none is in the other."""
    fa, fb = _event_figures(pa), _event_figures(pb)
    return min(len(fa), len(fb)) >= SAME_EVENT_OWN_FIGURES and not _shared_figures(fa, fb)


def _shared_figures(fa: frozenset[str], fb: frozenset[str]) -> int:
    """How many figures of ``fa`` the other report states too, a rounded one included ("about
    278,000" for "278,200": within FIGURE_ROUNDING of each other)."""
    exact = fa & fb
    rest_b = [v for v in map(_figure_value, fb - exact) if v]
    n = len(exact)
    if rest_b:
        for w in fa - exact:
            v = _figure_value(w)
            if v and any(abs(v - u) <= FIGURE_ROUNDING * max(v, u) for u in rest_b):
                n += 1
    return n


def _figure_value(w: str) -> float | None:
    try:
        return float(w.replace(",", ""))
    except ValueError:
        return None


def _capital_stems(p: Profile) -> tuple[np.ndarray, list[str | None]]:
    """Indexes of ``p``'s words that start with a capital letter, and each one's ``_name_stem``;
    built once per document for ``_event_names`` and ``_named``. A word's canonical form from
    its span is the one tokenize gives (a loaded profile has the spans, not the words)."""
    got = p.lazy.get("capital_stems")
    if got is None:
        text, starts = p.text, p.starts
        caps = _words_starting(p, _CAPITAL)
        stems = [_name_stem(canonical_word(text[s:e])) for s, e in zip(starts[caps].tolist(), p.ends[caps].tolist())]
        got = p.lazy["capital_stems"] = (caps, stems)
    return got


def _named(p: Profile) -> frozenset[str]:
    """Stems of every capitalised word of ``p``, wherever it stands (headline, dateline, the
    start of a line or sentence): whether ``p`` names a company at all. Built on first use."""
    got = p.lazy.get("named")
    if got is None:
        got = p.lazy["named"] = frozenset(n for n in _capital_stems(p)[1] if n is not None)
    return got


def _lead_subject(p: Profile) -> frozenset[str]:
    """Stems of the company (_LEAD_COMPANY) that ``p``'s lead sentence names first, its legal
    form left out; empty when the lead names none. The lead starts after the dateline, else
    after the headline lines in capitals. Built on first use."""
    got = p.lazy.get("lead_subject")
    if got is not None:
        return got
    text = p.text
    dl = dateline_span(text)
    pos = dl[1] if dl is not None else 0
    if dl is None:
        for s, e in _shouted_lines(text[:LEAD_CHARS]):
            if s <= pos + 1:
                pos = e
    window = text[pos : pos + LEAD_CHARS]
    end = _LEAD_END.search(window)
    m = _LEAD_COMPANY.search(window[: end.start()] if end is not None else window)
    out: frozenset[str] = frozenset()
    if m is not None:
        stems = {_name_stem(w) for w in tokenize(m.group(1)).words}
        out = frozenset(x for x in stems if x is not None and x not in _LEGAL_STEMS and x not in _DATE_STEMS)
    p.lazy["lead_subject"] = out
    return out


def _different_subjects(pa: Profile, pb: Profile, *, in_full: bool = False) -> bool:
    """Both leads are about a company, and neither report names the other's anywhere: no word of
    it, or (``in_full``) not every word of it ("Victory Markets" is not named in full by a report
    that names "Merrill Lynch Capital Markets", "Eastman Kodak" is by one that says "EASTMAN KODAK"
    in its headline)."""
    sa, sb = _lead_subject(pa), _lead_subject(pb)
    if not (sa and sb):
        return False
    if in_full:
        return not sa <= _named(pb) and not sb <= _named(pa)
    return not (sa & _named(pb)) and not (sb & _named(pa))


def _refilled(pa: Profile, pb: Profile) -> bool:
    """Each text states figures the other lacks, its dateline's day aside: a template's slots
    filled again (the Fed's repurchase amount and the funds rate of another day), not a story
    re-run under a new dateline."""
    def figures(p: Profile) -> set[str]:
        day = dateline_day(p.doc)
        return {e for e in p.entities if e[:1].isdigit()} - ({str(day.day)} if day else set())

    fa, fb = figures(pa), figures(pb)
    return bool(fa - fb) and bool(fb - fa)


def _more_days_apart(a: ReportDay | None, b: ReportDay | None, limit: int) -> int | None:
    """The days between ``a`` and ``b`` when both are known and lie more than ``limit`` apart,
    else None."""
    gap = days_apart(a, b)
    return gap if gap is not None and gap > limit else None


def _filed_apart(a: Document, b: Document) -> bool:
    """Both reports' days are known and lie more than SAME_EVENT_MAX_DAYS apart."""
    return _more_days_apart(report_day(a), report_day(b), SAME_EVENT_MAX_DAYS) is not None


def content_set(words: Sequence[str]) -> frozenset[str]:
    """Stems of the content words, figures left out (as in the paraphrase fingerprint view)."""
    stems = set(map(content_stem, set(words)))
    stems.discard(None)
    return frozenset(stems)


def _is_trimmed(p: Profile, shared: np.ndarray) -> bool:
    """True when the shared n-grams form the head of ``p`` (what it has more is a tail).

    Only runs of MIN_RUN_WORDS or more count: a phrase repeated in the dropped tail is
    not shared material.
    """
    min_run = MIN_RUN_WORDS - _FP.shingle_size + 1
    runs = [(s, e) for s, e in _runs(in_sorted(p.shingles, shared) & ~p.caption_pos) if e - s >= min_run]
    if not runs:
        return False
    pos = np.concatenate([np.arange(s, e) for s, e in runs])
    first, last = int(pos[0]), int(pos[-1])
    n = len(p.shingles)
    return first <= TRIMMED_HEAD * n and len(pos) >= TRIMMED_DENSITY * (last + 1)


def _is_spread(p: Profile, shared: np.ndarray) -> bool:
    """True when shared runs reach across ``p`` from head to tail: the text was edited
    throughout, not wrapped around one embedded passage (a host article)."""
    min_run = MIN_RUN_WORDS - _FP.shingle_size + 1
    runs = [(s, e) for s, e in _runs(in_sorted(p.shingles, shared) & ~p.caption_pos) if e - s >= min_run]
    if len(runs) < 3:
        return False
    n = len(p.shingles)
    return runs[0][0] <= TRIMMED_HEAD * n and runs[-1][1] >= (1 - TRIMMED_HEAD) * n


def _span_ranges(offsets: np.ndarray, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The index ranges [lo, hi) of the sorted ``offsets`` inside each half-open character
    span (``_inside`` by binary search), merged and in order."""
    bounds = np.searchsorted(offsets, np.asarray(spans, dtype=np.int64).ravel()).tolist()
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(zip(bounds[::2], bounds[1::2])):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _covered_words(p: Profile, spans: Sequence[tuple[int, int]]) -> int:
    """Words of ``p`` inside the union of character ``spans``."""
    return sum(hi - lo for lo, hi in _span_ranges(p.starts, spans)) if spans else 0


def _distinct_shingles(p: Profile, spans: Sequence[tuple[int, int]]) -> int:
    """Distinct n-grams of ``p`` starting inside ``spans`` (the same set on either side)."""
    if not spans or not len(p.shingles):
        return 0
    ranges = _span_ranges(p.starts[: len(p.shingles)], spans)
    if not ranges:
        return 0
    return len(sorted_unique(np.concatenate([p.shingles[lo:hi] for lo, hi in ranges])))


def _jac(a: frozenset, b: frozenset, shared: int | None = None) -> float:
    """Jaccard of two sets; ``shared``: the size of their intersection, when known."""
    if not (a or b):
        return 0.0
    if shared is None:
        shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted intersection of two sorted unique arrays (``np.intersect1d`` with
    ``assume_unique``), searching the shorter in the longer."""
    if len(a) > len(b):
        a, b = b, a
    return a[in_sorted(a, b)]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) runs of True."""
    if not len(mask):
        return []
    bounds = (np.flatnonzero(mask[1:] != mask[:-1]) + 1).tolist()
    if mask[0]:
        bounds.insert(0, 0)
    if mask[-1]:
        bounds.append(len(mask))
    return list(zip(bounds[::2], bounds[1::2]))


def _sorted_shingles(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """(stable argsort of ``p.shingles``, the sorted shingles), built once per document."""
    got = p.lazy.get("sorted")
    if got is None:
        order = np.argsort(p.shingles, kind="stable")
        got = p.lazy["sorted"] = (order, p.shingles[order])
    return got


def _sampled_positions(p: Profile) -> np.ndarray:
    """Which shingle positions of ``p`` hold a sampled hash, built once per document."""
    got = p.lazy.get("sampled")
    if got is None:
        got = p.lazy["sampled"] = in_sorted(p.shingles, p.sample)
    return got


def _passages(pa: Profile, pb: Profile, shared: np.ndarray, stock: Container[int]) -> list[Passage]:
    """Shared verbatim runs, with character offsets in both texts, longest first.

    A run whose sampled hashes are mostly ``stock`` (held by many unrelated documents:
    share lines, house paragraphs) is kept as evidence with kind "stock".
    """
    n = _FP.shingle_size
    runs = [(s, e) for s, e in _runs(in_sorted(pa.shingles, shared)) if e - s + n - 1 >= MIN_RUN_WORDS]
    if not runs:
        return []
    sampled = _sampled_positions(pa) if stock else None
    # Where in B each run's first n-gram occurs: order[lo:hi] of B's stably sorted n-grams.
    order, sorted_b = _sorted_shingles(pb)
    firsts = pa.shingles[[s for s, _ in runs]]
    los = np.searchsorted(sorted_b, firsts, side="left").tolist()
    his = np.searchsorted(sorted_b, firsts, side="right").tolist()
    captions = pa.body_set is not pa.all_set or pb.body_set is not pb.all_set  # any caption position
    out: list[Passage] = []
    for (s, e), lo_k, hi_k in zip(runs, los, his):
        # Of the places in B where the run's first n-gram occurs, take the one whose
        # following n-grams match the run longest (a line may repeat in B).
        best_jb, best_len = int(order[lo_k]), 0
        for jb_c in sorted(order[lo_k:hi_k].tolist()):
            m = min(e - s, len(pb.shingles) - jb_c)
            same = pa.shingles[s : s + m] == pb.shingles[jb_c : jb_c + m]
            run_len = int(np.argmin(same)) if not same.all() else m
            if run_len > best_len:
                best_jb, best_len = jb_c, run_len
        jb, je = best_jb, best_jb + max(best_len, 1) - 1
        a_start, a_end = int(pa.starts[s]), int(pa.ends[min(e - 1 + n - 1, len(pa.ends) - 1)])
        b_start, b_end = int(pb.starts[jb]), int(pb.ends[min(je + n - 1, len(pb.ends) - 1)])
        zone = "caption" if captions and (pa.caption_pos[s:e].any() or pb.caption_pos[jb : je + 1].any()) else "body"
        kind = "verbatim"
        if sampled is not None:
            hs = pa.shingles[s:e][sampled[s:e]].tolist()
            if hs and sum(h in stock for h in hs) * 2 >= len(hs):
                kind = "stock"
        out.append(Passage(a_start, a_end, b_start, b_end, kind, 1.0, zone))
    out.sort(key=lambda p: (-(p.a_end - p.a_start), p.a_start))
    return out


@dataclass(frozen=True, slots=True)
class _AlignStats:
    aligned_a: float
    aligned_b: float
    mean_score: float
    order: float
    passages: tuple[Passage, ...]


_NO_ALIGNMENT = _AlignStats(0.0, 0.0, 0.0, 0.0, ())


def _align_stats(pa: Profile, pb: Profile, stock_spans: Sequence[tuple[int, int]] = ()) -> _AlignStats:
    """Sentence alignment statistics over body sentences; sentences of A that lie in a stock
    passage (``stock_spans``, offsets in A) are left out on both sides."""
    # A text set in capitals marks no names: the other's are read unmarked too, or no name of
    # theirs would meet (seed 003 in capitals was same-event with 000, not a rewrite).
    mixed = pa.cased != pb.cased

    def data(p: Profile) -> SentenceData:
        return sentence_data(p.text, p.doc.zones, names=False) if mixed and p.cased else _sentence_data(p)

    al = align(pa.text, pb.text, a_zones=pa.doc.zones, b_zones=pb.doc.zones, a_data=data(pa), b_data=data(pb))
    if stock_spans:
        skip = {i for i, s in enumerate(al.a_sentences) if any(a <= s.start < b or s.start <= a < s.end for a, b in stock_spans)}
        skip_b = {j for p in al.pairs if set(p.a) & skip for j in p.b}
        al = Alignment(
            tuple(s if i not in skip else Sentence(s.start, s.end, s.text, "stock") for i, s in enumerate(al.a_sentences)),
            tuple(s if j not in skip_b else Sentence(s.start, s.end, s.text, "stock") for j, s in enumerate(al.b_sentences)),
            tuple(p for p in al.pairs if not set(p.a) & skip),
            al.unaligned_a,
            al.unaligned_b,
        )
    body_a = [s.zone == "body" for s in al.a_sentences]
    body_b = [s.zone == "body" for s in al.b_sentences]
    n_body_a, n_body_b = sum(body_a), sum(body_b)
    body_pairs = [p for p in al.pairs if all(map(body_a.__getitem__, p.a)) and all(map(body_b.__getitem__, p.b))]
    got_a = {i for p in body_pairs for i in p.a}
    got_b = {j for p in body_pairs for j in p.b}
    fa = len(got_a) / n_body_a if n_body_a else 0.0
    fb = len(got_b) / n_body_b if n_body_b else 0.0
    mean = float(np.mean([p.score for p in body_pairs])) if body_pairs else 0.0
    passages = tuple(
        Passage(
            al.a_sentences[p.a[0]].start,
            al.a_sentences[p.a[-1]].end,
            al.b_sentences[p.b[0]].start,
            al.b_sentences[p.b[-1]].end,
            "aligned",
            float(p.score),
            "body",
        )
        for p in sorted(body_pairs, key=lambda p: -p.score)
    )
    order = order_share(Alignment(al.a_sentences, al.b_sentences, tuple(body_pairs), (), ()))
    return _AlignStats(fa, fb, mean, order, passages)


def verify(
    a: Document,
    b: Document,
    *,
    fa: object | None = None,
    fb: object | None = None,
    stock: Container[int] = frozenset(),
    pa: Profile | None = None,
    pb: Profile | None = None,
) -> Relation | None:
    """Measure and classify a candidate pair; None when the two are not related.

    The class does not depend on argument order; offsets in the evidence follow it
    (``a_*`` into ``a.text``). ``fa``/``fb`` (fingerprints) are accepted for symmetry with
    the index and are not needed: verification is exact. ``stock``: sampled shingle hashes
    held by so many documents that a passage made of them is house text, not a copy
    (the scan and the index derive it from their postings). ``pa``/``pb``: the documents'
    profiles when the caller has them (``load_prepared``), else ``profile`` builds and
    caches them.
    """
    pa = profile(a) if pa is None else pa
    pb = profile(b) if pb is None else pb
    reasons: list[str] = []
    if pa.capped or pb.capped:
        reasons.append(f"compared the first {MAX_VERIFY_CHARS:,} characters of the longer text(s)")
    if pa.n_words == 0 or pb.n_words == 0:
        return None

    # The facts first (set operations on a few dozen names): most candidates of a big scan
    # are same-topic stories with other names and figures, rejected below before any
    # n-gram work unless they share wording.
    ea, eb = pa.event_entities, pb.event_entities
    ents_a, ents_b = pa.entities, pb.entities
    names_a = names_b = None  # event names, when one side's are read off the other's (below)
    if pa.cased != pb.cased:
        # One text is set in capitals (or title case), so its capitals tell no names (each of
        # its words starts with one): it is read as naming those of the other's names that
        # are among its words. (Two such texts compare all their capitalised words, alike.)
        if pa.cased:
            eb, ents_b = _as_named_by(pb, eb, ea), _as_named_by(pb, ents_b, ents_a)
            names_b = _as_named_by(pb, frozenset(), _event_names(pa))
        else:
            ea, ents_a = _as_named_by(pa, ea, eb), _as_named_by(pa, ents_a, ents_b)
            names_a = _as_named_by(pa, frozenset(), _event_names(pb))
    fewer = min(len(ea), len(eb))
    shared_event = ea & eb
    n_shared = len(shared_event)
    facts = n_shared / fewer if fewer else 0.0
    facts_differ = fewer >= MIN_FACTS and facts < REWRITE_FACTS
    ent_event = _jac(ea, eb, n_shared)
    # shared names (not figures): counted only when the names and figures could be one event's
    names = sum(1 for e in shared_event if not e[:1].isdigit()) if ent_event >= SAME_EVENT_ENTITIES else 0
    # The content sets are the largest: a pair whose names already rule out the same event
    # and whose facts differ is mostly rejected below without them.
    content_j = _jac(pa.content, pb.content) if not facts_differ or (
        ent_event >= SAME_EVENT_ENTITIES and names >= SAME_EVENT_NAMES) else None
    same_event = (ent_event >= SAME_EVENT_ENTITIES and names >= SAME_EVENT_NAMES and content_j >= SAME_EVENT_CONTENT
                  and not _filed_apart(a, b)
                  and len((_event_names(pa) if names_a is None else names_a)
                          & (_event_names(pb) if names_b is None else names_b)) >= SAME_EVENT_NAMES
                  and not _different_subjects(pa, pb, in_full=True)
                  and not _own_figures(pa, pb))

    shared_all = _intersect(pa.all_set, pb.all_set)
    # A passage is a run of MIN_RUN_WORDS words: that many minus n-1 consecutive shared n-grams.
    may_pass = len(shared_all) >= MIN_RUN_WORDS - _FP.shingle_size + 1
    # Too few shared n-grams for a passage (below) or for a reprint (body containment is at
    # most this share): with the facts differing and no same event, no rule can fire.
    if (
        facts_differ
        and not same_event
        and pa.key != pb.key
        and not may_pass
        and len(shared_all) < REPRINT_CONTAINMENT * min(len(pa.body_set), len(pb.body_set))
    ):
        return None
    if content_j is None:
        content_j = _jac(pa.content, pb.content)
    union = len(pa.all_set) + len(pb.all_set) - len(shared_all)
    jaccard = len(shared_all) / union if union else 0.0
    # Without captions on either side the body sets are the whole sets (the same arrays).
    both_plain = pa.body_set is pa.all_set and pb.body_set is pb.all_set
    shared_body = shared_all if both_plain else _intersect(pa.body_set, pb.body_set)
    cab = len(shared_body) / len(pa.body_set) if len(pa.body_set) else 0.0
    cba = len(shared_body) / len(pb.body_set) if len(pb.body_set) else 0.0
    ent = _jac(ents_a, ents_b)

    passages = _passages(pa, pb, shared_all, stock) if may_pass else []
    real = [p for p in passages if p.kind == "verbatim"]
    # Shared words counted once per side (a caption repeated three times on one side is one
    # passage on the other) and the smaller side taken, so the count does not depend on order.
    run_words = min(_covered_words(pa, [(p.a_start, p.a_end) for p in real]),
                    _covered_words(pb, [(p.b_start, p.b_end) for p in real]))
    cap = [p for p in real if p.zone == "caption"]
    caption_words = min(_covered_words(pa, [(p.a_start, p.a_end) for p in cap]),
                        _covered_words(pb, [(p.b_start, p.b_end) for p in cap]))
    caption_share = caption_words / run_words if run_words else 0.0

    def scores(al: _AlignStats | None) -> Scores:
        return Scores(
            jaccard=round(jaccard, 4),
            containment_ab=round(cab, 4),
            containment_ba=round(cba, 4),
            content_jaccard=round(content_j, 4),
            aligned_a=round(al.aligned_a, 4) if al else 0.0,
            aligned_b=round(al.aligned_b, 4) if al else 0.0,
            order=round(al.order, 4) if al else 0.0,
            entity_overlap=round(ent, 4),
            caption_share=round(caption_share, 4),
        )

    def rel(kind: RelationKind, score: float, al: _AlignStats | None, evidence: Sequence[Passage]) -> Relation:
        return Relation(
            a=a.id,
            b=b.id,
            kind=kind,
            score=round(min(max(score, 0.0), 1.0), 4),
            scores=scores(al),
            evidence=tuple(evidence[:MAX_EVIDENCE]),
            reasons=tuple(reasons),
        )

    # 1. Same text after normalisation and boilerplate removal.
    if pa.key == pb.key:
        reasons.append("identical text after normalisation and boilerplate removal")
        return rel(RelationKind.DUPLICATE, 1.0, None, passages)

    hi, lo = max(cab, cba), min(cab, cba)
    # 2. One body is mostly the other's wording: a trimmed, re-headlined or edited reprint,
    # unless the other side wraps it in an article of its own (then a partial reuse). A copy
    # keeps its source's dateline: one desk's daily brief (the Fed's repurchase operations, the
    # Bank of England's morning help) filed again with other figures days later is a second
    # filing of the template, judged by the rules below.
    days: list[int | None] = []  # looked up once, when a rule needs it

    def dateline_gap() -> int | None:
        if not days:
            days.append(_more_days_apart(dateline_day(a), dateline_day(b), REWRITE_MAX_DAYS))
        return days[0]

    if hi >= REPRINT_CONTAINMENT:
        outer = pb if cab >= cba else pa
        trimmed = lo >= REPRINT_OTHER or _is_trimmed(outer, shared_body) or _is_spread(outer, shared_body)
        if trimmed and dateline_gap() is not None and _refilled(pa, pb):
            reasons.append(f"{hi:.0%} of one body's wording is in the other, but their datelines lie "
                           f"{dateline_gap()} days apart and each states figures the other lacks: "
                           f"the same brief filed again, not a reprint")
        elif trimmed:
            reasons.append(
                f"{hi:.0%} of one body's word {_FP.shingle_size}-grams are in the other "
                f"(threshold {REPRINT_CONTAINMENT:.0%}); {lo:.0%} the other way"
                + ("" if lo >= REPRINT_OTHER else ", the rest a trimmed tail or edits throughout")
            )
            return rel(RelationKind.REPRINT, hi, None, passages)
        else:
            reasons.append(
                f"{hi:.0%} of one body is reused inside the other, which is {1 - lo:.0%} its own material"
            )
            return rel(RelationKind.PARTIAL, hi * (1 - lo), None, passages)

    # Most candidates end here, cheaply: when the facts differ (no rewrite rule can fire),
    # no passage is long enough for a partial and the pair falls short of same-event, no rule
    # below can report it, whatever the credits say.
    if facts_differ and run_words < PARTIAL_MIN_WORDS and not same_event:
        return None

    # Wire credits: two different agencies' own stories are independent reports.
    ca, cb = credits_of(pa), credits_of(pb)
    prim_a, prim_b = agencies(ca, primary=True), agencies(cb, primary=True)
    all_a, all_b = agencies(ca), agencies(cb)
    conflict = bool(prim_a and prim_b and not (all_a & all_b))
    credit_link = bool((prim_a & all_b) or (prim_b & all_a))
    if conflict:
        reasons.append(
            f"different agencies' own reporting: {', '.join(sorted(prim_a))} vs {', '.join(sorted(prim_b))}"
        )
    elif credit_link:
        reasons.append(f"credits the same agency: {', '.join(sorted((prim_a & all_b) | (prim_b & all_a)))}")

    stock_spans = [(p.a_start, p.a_end) for p in passages if p.kind == "stock"]
    shared_real = _distinct_shingles(pa, [(p.a_start, p.a_end) for p in real])
    if content_j < REJECT_CONTENT and run_words < PARTIAL_MIN_WORDS and not credit_link:
        return None
    if facts_differ:
        reasons.append(f"only {facts:.0%} of the names and figures are shared: too few for a rewrite")
    # Sentence alignment is the expensive step: only when a rewrite is still possible, or
    # (below) for the evidence of a relation about to be reported.
    # A rewrite keeps the story's company: leads about different companies, neither naming the
    # other's, are two companies' briefs in one template (bond issues, stake filings). Any word
    # of the name counts here (a paraphrase may reword part of it: "Global Enterprise Machines
    # Corp" for "International Business Machines Corp" in the syndication benchmark); the
    # same-event test above wants the name in full.
    # Nor is a text whose dateline lies more than REWRITE_MAX_DAYS from the other's.
    may_rewrite = not conflict and not facts_differ
    if may_rewrite and _different_subjects(pa, pb):
        reasons.append("the leads are about different companies, neither named by the other report")
        may_rewrite = False
    if may_rewrite and dateline_gap() is not None:
        reasons.append(f"datelines {dateline_gap()} days apart: two filings, not a rewrite")
        may_rewrite = False
    if may_rewrite and (kept := _figures_kept(pa, pb)) is not None and kept[0] < REWRITE_FIGURES * kept[1]:
        reasons.append(f"only {kept[0]} of the {kept[1]} figures of one report are in the other: "
                       f"another day's or another issuer's numbers, not a rewrite")
        may_rewrite = False
    # Ruled out by what the two report (the facts, or a veto above), not by who reports it: a
    # template filled twice.
    other_story = facts_differ or (not conflict and not may_rewrite)
    al = _align_stats(pa, pb, stock_spans) if may_rewrite else None
    stats = al or _NO_ALIGNMENT
    cov = max(stats.aligned_a, stats.aligned_b)
    ev = list(passages) + list(stats.passages)
    # 3. Reworded sentence by sentence, in order: a rewrite of the same story.
    if (
        not conflict
        and not facts_differ
        and cov >= REWRITE_COVERAGE
        and stats.mean_score >= REWRITE_SCORE
        and stats.order >= REWRITE_ORDER
    ):
        reasons.append(
            f"{cov:.0%} of the sentences of one side align to the other (mean score "
            f"{al.mean_score:.2f}, {al.order:.0%} in order), little shared wording ({jaccard:.0%})"
        )
        return rel(RelationKind.REWRITE, cov * al.mean_score ** 0.5, al, ev)
    # 4. A passage of real length reused: captions, a few paragraphs.
    if run_words >= PARTIAL_MIN_WORDS * (2 if conflict else 1):
        al = al or _align_stats(pa, pb, stock_spans)
        if other_story and (run_words < TEMPLATE_MAX_WORDS or dateline_gap() is not None) and min(
            al.aligned_a, al.aligned_b
        ) >= TEMPLATE_ALIGNED:
            reasons.append(
                f"each side has {min(al.aligned_a, al.aligned_b):.0%} or more of its sentences aligned to the other "
                f"with other names, figures or days: the {run_words} shared words are one template's fixed "
                f"wording, not a passage reused"
            )
        else:
            where = "captions" if caption_share >= 0.5 else "body text"
            reasons.append(f"{run_words} words of shared verbatim passages, mostly in {where}")
            return rel(RelationKind.PARTIAL, min(1.0, run_words / 100), al, passages)

    # 5. Part of the story reworded, with a link beyond topic: a credit or verbatim runs.
    if (
        not conflict
        and not facts_differ
        and cov >= PARTIAL_REWRITE_COVERAGE
        and stats.mean_score >= PARTIAL_REWRITE_SCORE
        and stats.order >= PARTIAL_REWRITE_ORDER
        and (credit_link or shared_real >= PARTIAL_REWRITE_SHARED)
    ):
        link = "the same agency credit" if credit_link else f"{shared_real} shared word n-grams"
        reasons.append(
            f"{cov:.0%} of one side's sentences reworded in the other (mean score {al.mean_score:.2f}, "
            f"{al.order:.0%} in order), with {link}"
        )
        return rel(RelationKind.REWRITE, cov * al.mean_score ** 0.5, al, ev)

    # 6. Same names, places and figures without shared wording: another report of the event.
    if same_event:
        reasons.append(
            f"shared names and figures ({ent:.0%}) and vocabulary ({content_j:.0%}) "
            f"without shared wording or sentence order"
        )
        al = al or _align_stats(pa, pb, stock_spans)
        return rel(RelationKind.SAME_EVENT, (ent + content_j) / 2, al, al.passages)
    return None

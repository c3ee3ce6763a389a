"""wording_changed: a predicate or object that changes while the sentence still aligns.

A word-level diff of each aligned pair finds words replaced right next to words kept on
both sides ("attacked a train" -> "hijacked a train"; "civil administration officials" ->
"civil administration offices"). Only content words count; figures, dates, names, verbs
of saying and spelling/inflection variants ("southwest" / "southwestern") are left to
the other finders or ignored. A negation put in or taken out next to kept words is a
change too, whatever the words ("confirmed the attacks" -> "did not confirm the attacks",
"claimed responsibility" -> "denied responsibility", "was killed" -> "was not killed").
"""

from __future__ import annotations

from collections.abc import Iterator

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..normalize import is_content, stem
from ..records import Alignment, Document, Finding
from ._text import CURRENCY_WORDS, MONTHS, NUMBER_WORDS, ORDINAL_WORDS, WEEKDAYS, Word, doc_words, finding, groups

# Words of saying, hedges, ordinals ("fourth", the "th" of "4th") and the words of money
# (scales, currencies) are reported by attribution / numbers, not here.
_IGNORE = frozenset(
    "said says say told added stated announced noted noting adding according claimed described "
    "least more than over some about around nearly almost per cent percent bn mn st nd rd th".split()
) | NUMBER_WORDS | frozenset(ORDINAL_WORDS) | frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(CURRENCY_WORDS)
# Near-synonyms of wire copy that rewrites swap freely without changing a fact. A short,
# deliberate list (no lexicon is shipped): each group maps to its first stem.
_SYNONYM_GROUPS = (
    "firm company business", "district area region", "people life lives person", "attack assault",
    "organization organisation group", "kill eliminate", "wound injure", "spokesman spokesperson",
    "begin start", "buy purchase", "big large", "said stated", "help aid", "show reveal",
    # irregular verb forms the stemmer does not join
    "come came", "go went", "take took", "give gave", "make made", "rise rose risen", "fall fell fallen",
    "win won", "lose lost", "hold held", "leave left", "meet met", "tell told", "begin began begun",
)
_EQUIVALENT = {stem(w): stem(g.split()[0]) for g in _SYNONYM_GROUPS for w in g.split()}
# Two words this close (fuzz.ratio) are spelling or inflection variants, not a new meaning.
VARIANT_MIN_RATIO = 80
# The kept words next to the change: at least this many ...
ANCHOR_WORDS = 2
# ... with a content word among this many kept words next to the change.
CONTEXT_WORDS = 4


# Words that negate what they stand next to (and any word ending in n't; "declined" and
# "refused" before "to" and a verb: "declined to confirm", not "shares declined" or "prices
# declined to their lowest").
_NEGATORS = frozenset("not never cannot deny denies denied denying".split())
_REFUSALS = frozenset("decline declines declined refuse refuses refused".split())
_NOT_A_VERB = frozenset("the a an their its his her our your my this that these those some".split())
# A negation put in or taken out is reported in a changed run of at most this many words a side.
NEGATION_MAX_WORDS = 4


def _negates(canons: list[str], i: int) -> bool:
    """Does word ``i`` of ``canons`` negate?"""
    w = canons[i]
    return w in _NEGATORS or w.endswith("n't") or (
        w in _REFUSALS and canons[i + 1 : i + 2] == ["to"] and i + 2 < len(canons)
        and canons[i + 2] not in _NOT_A_VERB and not canons[i + 2][:1].isdigit()
    )


def _negations(canons: list[str]) -> int:
    return sum(_negates(canons, i) for i in range(len(canons)))


def _eligible(canon: str, written: str) -> bool:
    return is_content(canon) and not canon[:1].isdigit() and canon not in _IGNORE and not written[:1].isupper()


def _differs(x: str, y: str) -> bool:
    """Do two canonical words differ in meaning (not one stem, synonym group or spelling)?"""
    sx, sy = stem(x), stem(y)
    if sx == sy or _EQUIVALENT.get(sx, sx) == _EQUIVALENT.get(sy, sy):
        return False
    if x.startswith(y) or y.startswith(x):
        return False
    return fuzz.ratio(x, y) < VARIANT_MIN_RATIO


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    words_a, words_b = doc_words(a.text), doc_words(b.text)
    ta, tb = words_a.texts, words_b.texts
    for g in groups(a, b, alignment):
        wa = words_a.view(g.a_start, g.a_end)
        wb = words_b.view(g.b_start, g.b_end)
        ca, cb = wa.canons, wb.canons
        if ca == cb:
            continue  # nothing replaced
        la, lb = wa.lo, wb.lo

        def changed(i: int, j: int) -> bool:  # words i of A's span and j of B's: a change of meaning?
            return _eligible(ca[i], ta[la + i]) and _eligible(cb[j], tb[lb + j]) and _differs(ca[i], cb[j])

        ops = _merged(Levenshtein.opcodes(ca, cb))
        for k, op in enumerate(ops):
            if op.tag == "equal":
                continue
            nxt = ops[k + 1] if k + 1 < len(ops) else None
            prv = ops[k - 1] if k > 0 else None
            negated = _negation(a, b, g, wa, wb, op, prv, nxt)
            if negated is not None:
                yield negated
                continue
            if op.tag != "replace":
                continue
            # Anchor after the change: compare the last replaced words.
            if _anchored_after(ca, nxt):
                if changed(op.src_end - 1, op.dest_end - 1):
                    x, y = wa[op.src_end - 1], wb[op.dest_end - 1]
                    anchor_a = wa[nxt.src_start : nxt.src_start + ANCHOR_WORDS]
                    anchor_b = wb[nxt.dest_start : nxt.dest_start + ANCHOR_WORDS]
                    yield _finding(a, b, g, [x, *anchor_a], [y, *anchor_b], x, y)
                    continue
            # Anchor before the change: compare the first replaced words.
            if _anchored_before(ca, prv):
                if changed(op.src_start, op.dest_start):
                    x, y = wa[op.src_start], wb[op.dest_start]
                    anchor_a = wa[max(prv.src_end - ANCHOR_WORDS, prv.src_start) : prv.src_end]
                    anchor_b = wb[max(prv.dest_end - ANCHOR_WORDS, prv.dest_start) : prv.dest_end]
                    yield _finding(a, b, g, [*anchor_a, x], [*anchor_b, y], x, y)


class _Op:
    __slots__ = ("tag", "src_start", "src_end", "dest_start", "dest_end")

    def __init__(self, tag, src_start, src_end, dest_start, dest_end):
        self.tag, self.src_start, self.src_end, self.dest_start, self.dest_end = tag, src_start, src_end, dest_start, dest_end


def _merged(opcodes) -> list[_Op]:
    """Neighbouring insert/delete/replace runs as one replace (equal runs kept)."""
    out: list[_Op] = []
    for op in opcodes:
        tag = "equal" if op.tag == "equal" else "replace"
        if out and tag == "replace" and out[-1].tag == "replace":
            out[-1].src_end, out[-1].dest_end = op.src_end, op.dest_end
        else:
            out.append(_Op(tag, op.src_start, op.src_end, op.dest_start, op.dest_end))
    # A replace with nothing on one side is a pure insertion or deletion: not a substitution.
    return [o if o.tag == "equal" or (o.src_end > o.src_start and o.dest_end > o.dest_start) else _Op("gap", o.src_start, o.src_end, o.dest_start, o.dest_end) for o in out]


def _negation(a: Document, b: Document, g, wa, wb, op: _Op, prv: _Op | None, nxt: _Op | None) -> Finding | None:
    """A negation on one side only of a short changed run next to kept words, as a
    wording_changed finding (None when there is none). A run that is only put in or taken
    out ("killed" -> "not killed") is shown with the kept word after it (or before it). Not
    when the pair holds as many negations on both sides (one moved with its clause)."""
    ca, cb = wa.canons, wb.canons
    a0, a1, b0, b1 = op.src_start, op.src_end, op.dest_start, op.dest_end
    if a1 - a0 > NEGATION_MAX_WORDS or b1 - b0 > NEGATION_MAX_WORDS:
        return None
    if any(_negates(ca, i) for i in range(a0, a1)) == any(_negates(cb, j) for j in range(b0, b1)):
        return None
    if _negations(ca) == _negations(cb):  # as many negations in both: one moved (clauses reordered)
        return None
    after_ok, before_ok = _anchored_after(ca, nxt), _anchored_before(ca, prv)
    if not (after_ok or before_ok):
        return None
    if a0 == a1 or b0 == b1:  # put in or taken out: take in the kept word it negates (after it), else the one before
        if nxt is not None:
            a1, b1 = a1 + 1, b1 + 1
        else:
            a0, b0 = a0 - 1, b0 - 1
    x, y = wa[a0:a1], wb[b0:b1]
    if after_ok:
        shown_a, shown_b = [*x, *wa[a1 : a1 + ANCHOR_WORDS]], [*y, *wb[b1 : b1 + ANCHOR_WORDS]]
    else:
        shown_a, shown_b = [*wa[max(0, a0 - ANCHOR_WORDS) : a0], *x], [*wb[max(0, b0 - ANCHOR_WORDS) : b0], *y]
    x0, x1, y0, y1 = x[0].start, x[-1].end, y[0].start, y[-1].end
    return finding(
        "wording_changed", a.text[shown_a[0].start : shown_a[-1].end], b.text[shown_b[0].start : shown_b[-1].end],
        (x0, x1), (y0, y1), g.a_text, g.b_text, note=f"{a.text[x0:x1]} -> {b.text[y0:y1]}",
    )


def _anchored_after(ca: list[str], nxt: _Op | None) -> bool:
    """Does the kept run ``nxt`` after a change anchor it (its first words)?"""
    if nxt is None or nxt.tag != "equal":
        return False
    kept = ca[nxt.src_start : nxt.src_end]
    return _anchor_ok(kept[:ANCHOR_WORDS], kept[:CONTEXT_WORDS])


def _anchored_before(ca: list[str], prv: _Op | None) -> bool:
    """Does the kept run ``prv`` before a change anchor it (its last words)?"""
    if prv is None or prv.tag != "equal":
        return False
    kept = ca[prv.src_start : prv.src_end]
    return _anchor_ok(kept[-ANCHOR_WORDS:], kept[-CONTEXT_WORDS:])


def _anchor_ok(anchor: list[str], context: list[str]) -> bool:
    """Enough kept words (canonical forms) next to a change, with a content word among them."""
    return len(anchor) >= ANCHOR_WORDS and any(is_content(w) for w in context)


def _finding(a: Document, b: Document, g, span_a: list[Word], span_b: list[Word], x: Word, y: Word) -> Finding:
    a0, a1 = span_a[0].start, span_a[-1].end
    b0, b1 = span_b[0].start, span_b[-1].end
    return finding(
        "wording_changed", a.text[a0:a1], b.text[b0:b1], (x.start, x.end), (y.start, y.end), g.a_text, g.b_text,
        note=f"{x.text} -> {y.text}",
    )

"""number_changed and hedge_changed.

Figures are compared as values ("Thirty-seven" = 37, "1.2 billion" = 1200000000, an
ordinal "fourth" = "4th", only with ordinals; a score or tally "2-1" as one figure, "2-1" ->
"3-0" one change, only with scores), never as strings, and matched within aligned sentences by value and counted noun first, then by
what was counted ("37 militants" -> "67 militants"), then by value alone. A figure for the same count and event
("militants ... killed") that differs between the texts outside aligned sentences is a
conflicting toll and is reported too.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..align import masked_terms, score_matrix
from ..records import Alignment, Document, Finding
from ._text import HEDGE_CLASS, LOOSE_PAIR, Number, doc_numbers, finding, groups, sentence_at, within

# In an aligned pair, one leftover figure on each side counts as changed when the pair
# scores at least this much (otherwise a paraphrase may have dropped one fact and added another).
SINGLE_LEFTOVER_MIN_SCORE = 0.5
# Outside aligned pairs, a conflicting figure is reported when the two sentences score at
# least this much (masked weighted Dice; see dedup.align).
CONFLICT_MIN_SCORE = 0.15


def _hedge_class(n: Number) -> str:
    return HEDGE_CLASS.get(n.hedge, "=")


def _label(n: Number, text: str) -> str:
    return text[n.start : n.end]


def _match(na: list[Number], nb: list[Number], score: float):
    """(x, y, how) for figures of A and B that belong together, and the figures of each side
    left over. A score left over against other figures of the other side ("2-1" written
    "2 - 1", or as a range there) is matched side by side."""
    out, ra, rb = _match_figures(na, nb, score)
    if any(x.sides for x in ra) and any(not y.sides for y in rb) or any(y.sides for y in rb) and any(not x.sides for x in ra):
        more, ra, rb = _match_figures(_split(ra), _split(rb), score)
        out += more
    return out, ra, rb


def _split(ns: list[Number]) -> list[Number]:
    return [side for n in ns for side in (n.sides or (n,))]


def _match_figures(na: list[Number], nb: list[Number], score: float):
    """(x, y, how) for figures of A and B that belong together, and those left over."""
    ra, rb = list(na), list(nb)
    out = []

    def same_value(strict: bool) -> None:
        for x in list(ra):
            for y in rb:
                if x.key == y.key and x.unit == y.unit and (not strict or x.counted == y.counted):
                    out.append((x, y, "same"))
                    ra.remove(x)
                    rb.remove(y)
                    break

    # 1. Same value and the same counted noun.
    same_value(True)
    # 2. Same counted noun, different value (and the same event in a loose pair): before any
    # figure is paired by value alone, so that two swapped tolls ("10 officials and 37
    # militants" -> "37 officials and 10 militants") are two changed figures, not two hedges.
    for x in list(ra):
        if not x.counted:
            continue
        for y in rb:
            if y.counted == x.counted and x.unit == y.unit and (score >= LOOSE_PAIR or x.event == y.event):
                out.append((x, y, "changed"))
                ra.remove(x)
                rb.remove(y)
                break
    # 3. Same value, whatever was counted (a paraphrase names it otherwise).
    same_value(False)
    # 4. A single leftover on each side in a close pair.
    if len(ra) == 1 and len(rb) == 1 and score >= SINGLE_LEFTOVER_MIN_SCORE:
        x, y = ra[0], rb[0]
        if x.unit == y.unit and (not x.counted or not y.counted or x.counted == y.counted):
            out.append((x, y, "changed"))
            ra.clear()
            rb.clear()
    return out, ra, rb


def find(a: Document, b: Document, alignment: Alignment) -> Iterator[Finding]:
    all_a, all_b = doc_numbers(a.text), doc_numbers(b.text)
    left_a: list[Number] = []
    left_b: list[Number] = []
    seen_a: set[tuple[int, int]] = set()
    seen_b: set[tuple[int, int]] = set()
    for g in groups(a, b, alignment):
        na = within(all_a, g.a_start, g.a_end)
        nb = within(all_b, g.b_start, g.b_end)
        matched, ra, rb = _match(na, nb, g.score)
        for x, y, how in matched:
            seen_a.add((x.start, x.end))
            seen_b.add((y.start, y.end))
            what = " ".join(w for w in (y.counted_text or x.counted_text, "killed" if x.event == "kill" else "") if w)
            # Money in another stated currency is another figure ("$16m" -> "\u00a316m"); one side
            # that names none ("16m") leaves it to the other.
            currency = x.currency != y.currency and bool(x.currency and y.currency)
            if (how == "changed" and x.key != y.key) or currency:
                money = f" ({x.currency} -> {y.currency})" if currency else ""
                yield finding(
                    "number_changed", _label(x, a.text), _label(y, b.text), (x.start, x.end), (y.start, y.end),
                    g.a_text, g.b_text, note=f"{_shown(x)} -> {_shown(y)}{money} {what}".strip(),
                )
            elif _hedge_class(x) != _hedge_class(y):
                yield finding(
                    "hedge_changed", _label(x, a.text), _label(y, b.text), (x.start, x.end), (y.start, y.end),
                    g.a_text, g.b_text, note=f"{x.hedge or 'exact'} -> {y.hedge or 'exact'}",
                )
        left_a.extend(ra)
        left_b.extend(rb)
    yield from _conflicts(a, b, alignment, all_a, all_b, seen_a, seen_b)


def _conflicts(a, b, alignment, all_a, all_b, seen_a, seen_b) -> Iterator[Finding]:
    """Figures for the same count and event that disagree outside aligned pairs (37 vs 67 killed)."""
    values_a = {n.key for n in all_a}
    values_b = {n.key for n in all_b}
    cand_a = [n for n in all_a if (n.start, n.end) not in seen_a and n.counted and n.event and n.key not in values_b]
    cand_b = [n for n in all_b if (n.start, n.end) not in seen_b and n.counted and n.event and n.key not in values_a]
    if not cand_a or not cand_b:
        return
    sents_a = [sentence_at(alignment.a_sentences, n.start) for n in cand_a]
    sents_b = [sentence_at(alignment.b_sentences, n.start) for n in cand_b]
    sim = score_matrix(
        [masked_terms(s.text) if s else frozenset() for s in sents_a],
        [masked_terms(s.text) if s else frozenset() for s in sents_b],
    )
    used_b: set[int] = set()
    for i, x in enumerate(cand_a):
        best, best_j = -1.0, -1
        for j, y in enumerate(cand_b):
            if j in used_b or y.counted != x.counted or y.event != x.event or y.unit != x.unit:
                continue
            if sim[i, j] > best:
                best, best_j = float(sim[i, j]), j
        if best_j < 0 or best < CONFLICT_MIN_SCORE:
            continue
        used_b.add(best_j)
        y = cand_b[best_j]
        what = y.counted_text + (" killed" if x.event == "kill" else "")
        yield finding(
            "number_changed", _label(x, a.text), _label(y, b.text), (x.start, x.end), (y.start, y.end),
            sents_a[i].text if sents_a[i] else "", sents_b[best_j].text if sents_b[best_j] else "",
            note=f"conflicting figures: {_shown(x)} -> {_shown(y)} {what}".strip(),
        )


def _shown(n: Number) -> str:
    """A figure's value for a note; an ordinal ("fourth", "4th") or a score ("2-1") as written."""
    return n.text if n.unit in ("th", "score") else _fmt(n.value)


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"
